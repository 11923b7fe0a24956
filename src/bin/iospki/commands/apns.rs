//! `iospki apns`.

use std::path::Path;
use std::process::ExitCode;

use iospki::error::{Error, Result};
use iospki::formats::key::{self, RsaKey};
use iospki::io::output::{PUBLIC_MODE, Plan, write_file};
use iospki::ops::apns::csr::{self, Holder};
use iospki::ops::apns::sign::{self, SignInput};
use iospki::ops::apns::{AppleRoot, ImportOptions, check_request, import};

use crate::cli::{ApnsCommand, CheckRequestArgs, CsrArgs, ImportArgs, SignArgs};
use crate::print::{info, warning, with_progress};

pub fn run(command: ApnsCommand) -> Result<ExitCode> {
    match command {
        ApnsCommand::Csr(args) => make_csr(Holder::Push, args),
        ApnsCommand::VendorCsr(args) => make_csr(Holder::Vendor, args),
        ApnsCommand::Sign(args) => sign(args),
        ApnsCommand::CheckRequest(args) => check(args),
        ApnsCommand::Import(args) => import_certificate(args),
    }
}

fn make_csr(holder: Holder, args: CsrArgs) -> Result<ExitCode> {
    let common_name = match &args.cn {
        Some(cn) => csr::common_name(cn).map_err(|e| Error::invalid("--cn", e))?,
        None => holder.default_common_name(),
    };
    let key = match &args.key {
        Some(path) => load_key(path)?,
        None => {
            let existing = args.out.join(holder.key_file());
            if existing.exists() && !args.force {
                // Checked first so that no key is made for a directory that would be refused.
                return Err(Error::FileExists { path: existing });
            }
            let bits = args.key_bits.unwrap_or_default().bits();
            with_progress(&format!("generating the key (RSA-{bits})"), || RsaKey::generate(bits))?
        }
    };
    let plan = csr::plan(holder, &key, args.key.is_none(), common_name)?;
    plan.publish(&args.out, args.force)?;
    list(&args.out, &plan)?;
    Ok(ExitCode::SUCCESS)
}

fn sign(args: SignArgs) -> Result<ExitCode> {
    let (key_file, vendor_key) = match (&args.vendor_p12, &args.vendor_key) {
        (Some(p12), _) => {
            let flag = args.vendor_p12_password_file.as_deref();
            let (password, _) = super::password_for(p12, flag, "--vendor-p12-password-file", false)?;
            (p12, sign::p12_key(p12, &password)?)
        }
        (None, Some(path)) => (path, load_key(path)?),
        (None, None) => {
            return Err(Error::invalid(
                "--vendor-key",
                "give the vendor key with --vendor-key FILE or --vendor-p12 FILE",
            ));
        }
    };
    let signed = sign::sign(&SignInput {
        csr: &args.csr,
        vendor_cert: &args.vendor_cert,
        vendor_key: &vendor_key,
        vendor_key_file: key_file,
        chain: &args.chain,
        apple_root: &apple_root(args.apple_root.as_deref())?,
        digest: args.digest,
        now: iospki::formats::issue::now(),
    })?;
    write_file(&args.out, signed.request.as_bytes(), PUBLIC_MODE, args.force)?;
    warn(&signed.warnings);
    info!(
        "wrote {}: the push certificate request ({} signature); the customer uploads it at \
         https://identity.apple.com/pushcert (Renew on the existing certificate's row, same Apple ID)",
        args.out.display(),
        args.digest.name()
    );
    Ok(ExitCode::SUCCESS)
}

/// The root the vendor chain must end at: `--apple-root`'s, else Apple Root CA.
fn apple_root(flag: Option<&Path>) -> Result<AppleRoot> {
    flag.map_or(Ok(AppleRoot::Apple), AppleRoot::from_file)
}

fn check(args: CheckRequestArgs) -> Result<ExitCode> {
    let root = apple_root(args.apple_root.as_deref())?;
    let checked = check_request(&args.request, args.csr.as_deref(), &root, iospki::formats::issue::now())?;
    let signature = checked.digest.map(|digest| {
        format!(
            "signature: {} over the CSR, verified with the vendor certificate's key",
            digest.name()
        )
    });
    super::print_report(&checked.report, args.json, signature.as_slice())
}

fn import_certificate(args: ImportArgs) -> Result<ExitCode> {
    let key = load_key(&args.key)?;
    let pfx = args.out.join(iospki::ops::apns::import::PFX_FILE);
    let (password, password_source) =
        super::password_for(&pfx, args.password_file.as_deref(), "--password-file", true)?;
    let options = ImportOptions {
        previous: args.previous.clone(),
        protection: args.p12_profile,
        password,
        password_source,
        accept_new_topic: args.accept_new_topic,
        now: iospki::formats::issue::now(),
    };
    let imported = import(&args.cert, &args.key, &key, &options)?;
    imported.plan.publish(&args.out, args.force)?;
    warn(&imported.warnings);
    list(&args.out, &imported.plan)?;
    info!("topic:   {}", imported.topic);
    info!("expires: {}", imported.not_after);
    if let Some(previous) = imported.previous_topic.filter(|p| *p != imported.topic) {
        info!("the topic was {previous}: every enrolled device must enrol again");
    }
    info!(
        "enter in WSO2's iOS platform configuration what {} lists",
        args.out.join(iospki::ops::apns::import::PLATFORM_FILE).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// An input key; an encrypted one's password comes from the environment or a prompt.
fn load_key(path: &Path) -> Result<RsaKey> {
    key::load(path, || super::input_key_password(path, ""))
}

fn list(dir: &Path, plan: &Plan) -> Result<()> {
    for file in &plan.files {
        info!(
            "wrote {} ({:04o}): {}",
            dir.join(&file.name).display(),
            file.mode,
            file.description
        );
    }
    Ok(())
}

fn warn(warnings: &[String]) {
    for warning in warnings {
        warning!("{warning}");
    }
}
