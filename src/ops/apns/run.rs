//! The entry points of `iospki apns`, one per subcommand: each takes a request of paths and choices, reads the
//! files, runs the step and publishes what it made, and returns a report of what the binary prints.

use std::path::{Path, PathBuf};

use super::csr::{self, Holder};
use super::sign::SignInput;
use super::{AppleRoot, ImportOptions, RequestCheck};
use crate::error::{Error, Result};
pub use crate::formats::key::Digest;
use crate::formats::key::RsaKey;
use crate::formats::keystore::pkcs12::Protection;
use crate::io::output::{PUBLIC_MODE, Plan, write_file};
use crate::io::secret::Password;
use crate::ops::{AskKeyPassword, Progress};

/// A file an apns step wrote.
#[derive(Debug, Clone)]
pub struct WrittenFile {
    /// Its path.
    pub path: PathBuf,
    /// Its mode.
    pub mode: u32,
    /// What it holds.
    pub description: &'static str,
}

/// The files of `plan`, published in `dir`.
fn written(dir: &Path, plan: &Plan) -> Vec<WrittenFile> {
    let file = |file: &crate::io::output::PlannedFile| WrittenFile {
        path: dir.join(&file.name),
        mode: file.mode,
        description: file.description,
    };
    plan.files.iter().map(file).collect()
}

/// An input key; an encrypted one's password as `ask` gets it.
fn load_key(path: &Path, ask: AskKeyPassword<'_>) -> Result<RsaKey> {
    crate::formats::key::load(path, || ask(path))
}

/// The root the vendor chain must end at: the file's, else Apple Root CA.
fn apple_root(file: Option<&Path>) -> Result<AppleRoot> {
    file.map_or(Ok(AppleRoot::Apple), AppleRoot::from_file)
}

/// `apns csr` and `apns vendor-csr`: a key and its CSR.
pub struct CsrRequest<'a> {
    /// Whose key.
    pub holder: Holder,
    /// The CSR's common name (`--cn`), else the holder's default; [`common_name`](super::common_name) checks it.
    pub common_name: Option<String>,
    /// An existing key (`--key`), else one is generated and written too.
    pub key: Option<PathBuf>,
    /// The size of a generated key.
    pub key_bits: usize,
    /// The directory to write to.
    pub out: PathBuf,
    /// Replace existing files.
    pub force: bool,
    /// The password of an encrypted `key`.
    pub key_password: AskKeyPassword<'a>,
    /// Shows the key generation.
    pub progress: Progress<'a>,
}

/// Makes the key (unless given) and the CSR, and writes them.
pub fn run_csr(request: &CsrRequest<'_>) -> Result<Vec<WrittenFile>> {
    let holder = request.holder;
    let common_name = match &request.common_name {
        Some(cn) => cn.as_str(),
        None => holder.default_common_name(),
    };
    let key = match &request.key {
        Some(path) => load_key(path, request.key_password)?,
        None => new_key(request)?,
    };
    let plan = csr::plan(holder, &key, request.key.is_none(), common_name)?;
    plan.publish(&request.out, request.force)?;
    Ok(written(&request.out, &plan))
}

fn new_key(request: &CsrRequest<'_>) -> Result<RsaKey> {
    let existing = request.out.join(request.holder.key_file());
    if existing.exists() && !request.force {
        // Checked first so that no key is made for a directory that would be refused.
        return Err(Error::FileExists { path: existing });
    }
    let bits = request.key_bits;
    crate::ops::step(request.progress, &format!("generating the key (RSA-{bits})"), || {
        RsaKey::generate(bits)
    })
}

/// The vendor key a request is signed with.
pub enum VendorKey {
    /// In a PKCS#12 file, opened with the password.
    P12(PathBuf, Password),
    /// In a key file.
    File(PathBuf),
}

/// `apns sign`: the vendor's signature over a customer's CSR, into the request for identity.apple.com.
pub struct SignRequest<'a> {
    /// The customer's CSR.
    pub csr: PathBuf,
    /// The MDM vendor certificate.
    pub vendor_cert: PathBuf,
    /// The vendor key.
    pub vendor_key: VendorKey,
    /// The intermediate that issued the vendor certificate, then the root.
    pub chain: Vec<PathBuf>,
    /// The root the chain must end at (`--apple-root`), else Apple Root CA.
    pub apple_root: Option<PathBuf>,
    /// The signature's hash.
    pub digest: Digest,
    /// The request's file.
    pub out: PathBuf,
    /// Replace an existing file.
    pub force: bool,
    /// The password of an encrypted vendor key file.
    pub key_password: AskKeyPassword<'a>,
}

/// What `apns sign` wrote.
#[derive(Debug)]
pub struct SignReport {
    /// The request's file.
    pub out: PathBuf,
    /// The signature's hash.
    pub digest: Digest,
    /// Certificates of the chain that expire within 30 days, one line each.
    pub warnings: Vec<String>,
}

/// Signs the CSR into a request and writes it.
pub fn run_sign(request: &SignRequest<'_>) -> Result<SignReport> {
    let (key_file, vendor_key) = match &request.vendor_key {
        VendorKey::P12(p12, password) => (p12, super::sign::p12_key(p12, password)?),
        VendorKey::File(path) => (path, load_key(path, request.key_password)?),
    };
    let signed = super::sign::sign(&SignInput {
        csr: &request.csr,
        vendor_cert: &request.vendor_cert,
        vendor_key: &vendor_key,
        vendor_key_file: key_file,
        chain: &request.chain,
        apple_root: &apple_root(request.apple_root.as_deref())?,
        digest: request.digest,
        now: crate::formats::issue::now(),
    })?;
    write_file(&request.out, signed.request.as_bytes(), PUBLIC_MODE, request.force)?;
    Ok(SignReport {
        out: request.out.clone(),
        digest: request.digest,
        warnings: signed.warnings,
    })
}

/// `apns check-request`: a request made by any tool, checked as Apple would.
pub struct RequestToCheck {
    /// The request's file.
    pub request: PathBuf,
    /// The CSR it must carry, if one is given.
    pub csr: Option<PathBuf>,
    /// The root the chain must end at (`--apple-root`), else Apple Root CA.
    pub apple_root: Option<PathBuf>,
}

/// Checks the request now: the report's problems make the exit code 1.
pub fn run_check(request: &RequestToCheck) -> Result<RequestCheck> {
    let root = apple_root(request.apple_root.as_deref())?;
    let now = crate::formats::issue::now();
    super::check_request(&request.request, request.csr.as_deref(), &root, now)
}

/// `apns import`: Apple's push certificate with the push key into the .pfx WSO2 reads.
pub struct ImportRequest<'a> {
    /// Apple's certificate.
    pub cert: PathBuf,
    /// The push key.
    pub key: PathBuf,
    /// The directory to write to.
    pub out: PathBuf,
    /// The previous push certificate or .pfx, whose topic the new one must keep.
    pub previous: Option<PathBuf>,
    /// The .pfx protection.
    pub protection: Protection,
    /// Accept a topic other than the previous certificate's.
    pub accept_new_topic: bool,
    /// Replace existing files.
    pub force: bool,
    /// The password of an encrypted push key.
    pub key_password: AskKeyPassword<'a>,
    /// The password of the new .pfx at the path, and where it came from as the operator is told.
    pub pfx_password: &'a dyn Fn(&Path) -> Result<(Password, String)>,
}

/// What `apns import` wrote.
#[derive(Debug)]
pub struct ImportReport {
    /// The files written.
    pub files: Vec<WrittenFile>,
    /// The push topic.
    pub topic: String,
    /// The certificate's end of validity, RFC 3339.
    pub not_after: String,
    /// The previous certificate's topic, when one was given.
    pub previous_topic: Option<String>,
    /// A certificate that expires within 30 days, one line.
    pub warnings: Vec<String>,
    /// The file listing what to enter in WSO2's iOS platform configuration.
    pub platform_file: PathBuf,
}

/// Imports the certificate and writes the .pfx and what goes with it.
pub fn run_import(request: &ImportRequest<'_>) -> Result<ImportReport> {
    let key = load_key(&request.key, request.key_password)?;
    let (password, password_source) = (request.pfx_password)(&request.out.join(super::import::PFX_FILE))?;
    let options = ImportOptions {
        previous: request.previous.clone(),
        protection: request.protection,
        password,
        password_source,
        accept_new_topic: request.accept_new_topic,
        now: crate::formats::issue::now(),
    };
    let imported = super::import(&request.cert, &request.key, &key, &options)?;
    imported.plan.publish(&request.out, request.force)?;
    Ok(ImportReport {
        files: written(&request.out, &imported.plan),
        topic: imported.topic,
        not_after: imported.not_after,
        previous_topic: imported.previous_topic,
        warnings: imported.warnings,
        platform_file: request.out.join(super::import::PLATFORM_FILE),
    })
}
