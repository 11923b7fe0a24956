//! `iospki init`: a product's whole set from the operator's key. [`run`] reads the cluster description, the
//! keys and the stores to merge into, has [`plan`] build the set in memory ([`crate::ops::build`]), publishes it
//! and verifies what it wrote; [`plan`] touches no file.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::error::{Error, Result};
pub use crate::formats::alias::Alias;
use crate::formats::key::RsaKey;
pub use crate::formats::keystore::pkcs12::Protection;
use crate::io::output::{Lock, same_file};
use crate::io::secret::{Password, SymmetricKey};
use crate::model::ledger::Ledger;
pub use crate::model::product::ProductId;
use crate::model::product::{ConfigFile, Product, ProductChoice};
pub use crate::model::product::{Layout, StoreFormat};
use crate::model::settings::{Choices, PasswordSource, Settings, VaultCipher};
use crate::ops::build::{Build, build};
pub use crate::ops::build::{Outcome, Summary, generate_keys};
use crate::ops::findings::Report;
use crate::ops::merge::Existing;
pub use crate::ops::merge::MergeReport;
use crate::ops::{AskKeyPassword, NextSteps, Progress};
pub use crate::vocab::names::{HostName, ServerHome};
use crate::vocab::roles::{ByRole, CertRole};

/// Everything `init` needs besides the keys.
#[derive(Debug)]
pub struct InitOptions {
    /// Cluster, subject, alias, protection and terms.
    pub settings: Settings,
    /// Password of every store and every key entry.
    pub store_password: Password,
    /// deployment.toml's `[encryption] key`, for a release that encrypts with one.
    pub encryption_key: Option<SymmetricKey>,
    /// Secure Vault's AES key, for the symmetric cipher.
    pub vault_key: Option<SymmetricKey>,
}

impl InitOptions {
    /// The options of a new set: a new `[encryption] key` where the release encrypts with one, a new AES key
    /// where Secure Vault takes one.
    pub fn new(settings: Settings, store_password: Password) -> InitOptions {
        let encrypts = settings
            .cluster
            .product()
            .platform
            .as_ref()
            .is_some_and(|p| p.release.encryption);
        InitOptions {
            encryption_key: encrypts.then(SymmetricKey::generate),
            vault_key: settings.takes_vault_key().then(SymmetricKey::generate),
            settings,
            store_password,
        }
    }

    /// Checks what can be checked before the slow key generation.
    pub fn check(&self) -> Result<()> {
        self.store_password.check_writable()
    }
}

/// What the operator chose beside the cluster description, laid over it; each named by its flag in errors.
#[derive(Debug, Default)]
pub struct Overrides {
    /// `--product`.
    pub product: Option<ProductId>,
    /// `--version`: a deployment.toml product's release.
    pub version: Option<String>,
    /// `--keystores`: a deployment.toml product's store layout.
    pub layout: Option<Layout>,
    /// `--store-type`: a deployment.toml product's store type, where not the release's.
    pub format: Option<StoreFormat>,
    /// `--domain`.
    pub domain: Option<HostName>,
    /// `--ssl-cn`.
    pub ssl_cn: Option<HostName>,
    /// `--ssl-alias`.
    pub ssl_alias: Option<Alias>,
    /// `--out`.
    pub out: Option<PathBuf>,
    /// `--p12-profile`.
    pub protection: Option<Protection>,
    /// `--key-bits`.
    pub key_bits: Option<u16>,
    /// `--no-public-roots`.
    pub no_public_roots: bool,
    /// `--secure-vault`.
    pub secure_vault: bool,
    /// `--server-home`.
    pub server_home: Option<ServerHome>,
    /// `--vault-cipher`.
    pub vault_cipher: Option<VaultCipher>,
}

/// An `init`: where its choices, keys and passwords are, and how it asks for what they do not give.
pub struct InitRequest<'a> {
    /// The cluster description to read, if any.
    pub config: Option<PathBuf>,
    /// The flags laid over it.
    pub overrides: Overrides,
    /// The file holding the stores' password (`--password-file`), before the cluster description's.
    pub password_file: Option<PathBuf>,
    /// The CA key (`--key`); without it, one is generated, unless the product's CA is nginx's key.
    pub key: Option<PathBuf>,
    /// The file holding its password (`--key-password-file`), before the cluster description's.
    pub key_password_file: Option<PathBuf>,
    /// A node's security directory whose stores to merge into (`--merge-from`).
    pub merge_from: Option<PathBuf>,
    /// The file holding their password, else the stores' password is theirs.
    pub merge_password_file: Option<PathBuf>,
    /// Replace an existing set.
    pub force: bool,
    /// The stores' password when no file names it: from the environment, else the published default is used.
    pub env_password: &'a dyn Fn() -> Result<Option<Password>>,
    /// The password of an encrypted `key` when no file names it.
    pub key_password: AskKeyPassword<'a>,
    /// Shows the key generation.
    pub progress: Progress<'a>,
}

/// What an `init` did.
#[derive(Debug)]
pub struct InitReport {
    /// Where the set went.
    pub out: PathBuf,
    /// The set written, what was issued for it and what merging did.
    pub outcome: Outcome,
    /// Whether the stores' password is ASCII, which Java's PKCS12 keystore needs.
    pub password_ascii: bool,
    /// Whether it is a published default.
    pub password_well_known: bool,
    /// The written set verified as `iospki verify` would, expiry aside: problems make the exit code 1.
    pub verified: Report,
    /// What to run next, when the set verified without problems.
    pub next: Option<NextSteps>,
    /// Whether the `[encryption] key` of the set made over was kept.
    pub kept_encryption_key: bool,
}

/// Reads the choices, keys and stores `request` names, builds the set, writes it and verifies it.
pub fn run(request: &InitRequest<'_>) -> Result<InitReport> {
    let choices = choices(request)?;
    let mut options = InitOptions::new(
        choices.settings()?,
        store_password(request, choices.store_password.as_ref())?,
    );
    options.check()?;
    let product = options.settings.cluster.product();
    let out = choices.out();
    let given = given_key(request, &choices, product)?;
    let mut existing = existing_stores(request, &out, &options)?;
    // Held from reading what DIR holds to publishing and verifying: a run on the same directory waits its turn.
    let lock = Lock::take(&out)?;
    refuse_existing_set(&out, request.force, product)?;
    let kept_encryption_key = keep_encryption_key(&mut options, &out, request.force)?;
    let bits = choices.key_bits();
    let keys = crate::ops::step(request.progress, &format!("generating the keys (RSA-{bits})"), || {
        generate_keys(product, given, usize::from(bits))
    })?;
    let now = crate::formats::issue::now();
    let outcome = plan(&options, &keys, existing.as_mut(), earlier_ledger(&out, &options)?, now)?;
    outcome.set.plan().publish_locked(&out, request.force, &lock)?;
    let ssl_alias = options.settings.ssl_alias.to_string();
    let verified = crate::ops::verify::written(&out, options.store_password.clone(), &ssl_alias)?;
    let password = request.password_file.clone().map(PasswordSource::File);
    let next = (verified.problems() == 0).then(|| {
        let password = password.or(choices.store_password);
        NextSteps::new(&out, &options.settings, password)
    });
    Ok(InitReport {
        out,
        outcome,
        password_ascii: options.store_password.secret_str().is_ascii(),
        password_well_known: options.store_password.is_well_known(),
        verified,
        next,
        kept_encryption_key,
    })
}

/// The stores' password: from `--password-file`, else where the cluster description says, else the
/// environment, else WSO2's default.
/// A set made again over one of the same release (`--force`) keeps its `[encryption] key`: data the cluster
/// encrypted with it stays readable. Whether it did.
fn keep_encryption_key(options: &mut InitOptions, out: &Path, force: bool) -> Result<bool> {
    let Some(spec) = options
        .settings
        .cluster
        .product()
        .config(ConfigFile::DeploymentSecurity)
    else {
        return Ok(false);
    };
    let path = out.join(spec.name);
    if !force || options.encryption_key.is_none() || path.symlink_metadata().is_err() {
        return Ok(false);
    }
    let text = crate::io::input::read_text(&path, crate::io::input::Kind::Text)?;
    let key = crate::wso2::deployment::encryption_key(&text).ok_or_else(|| {
        Error::unreadable(
            &path,
            "holds no [encryption] key of 32 hexadecimal characters: --force keeps the cluster's key and will \
             not make a new one; move the file away to start a cluster afresh",
        )
    })?;
    options.encryption_key = Some(key);
    Ok(true)
}

fn store_password(request: &InitRequest<'_>, configured: Option<&PasswordSource>) -> Result<Password> {
    if let Some(file) = &request.password_file {
        return Password::from_file(file);
    }
    if let Some(source) = configured {
        return source.read();
    }
    Ok(crate::ops::password_or_default((request.env_password)()?))
}

/// The CA key `--key` gives; a product whose CA is nginx's key needs it, the others have one generated.
fn given_key(request: &InitRequest<'_>, choices: &Choices, product: &Product) -> Result<ByRole<RsaKey>> {
    let Some(path) = &request.key else {
        if product.ca_key_given {
            return Err(Error::CaKeyNeeded { product: product.name });
        }
        return Ok(ByRole::default());
    };
    let key = crate::formats::key::load(path, || key_password(request, choices, path))?;
    Ok([(CertRole::Ca, key)].into_iter().collect())
}

/// The password of the encrypted key `key`: from `--key-password-file`, else where the cluster description
/// says, else as the request asks.
fn key_password(request: &InitRequest<'_>, choices: &Choices, key: &Path) -> Result<Password> {
    if let Some(file) = &request.key_password_file {
        return Password::from_file(file);
    }
    if let Some(source) = &choices.key_password {
        return source.read();
    }
    (request.key_password)(key)
}

/// The cluster description's choices with the flags laid over them.
fn choices(request: &InitRequest<'_>) -> Result<Choices> {
    let flags = &request.overrides;
    let chosen = ProductChoice {
        key: flags.product.map(ProductId::key),
        version: flags.version.as_deref(),
        layout: flags.layout,
        format: flags.format,
    };
    let mut choices = match &request.config {
        Some(path) => crate::model::config::load_for(path, chosen)?,
        None => Choices {
            product: chosen
                .resolve()
                .map_err(|e| Error::invalid(format!("--{}", e.setting), e.reason))?,
            ..Choices::default()
        },
    };
    choices.domain = flags.domain.clone().or(choices.domain);
    choices.ssl_common_name = flags.ssl_cn.clone().or(choices.ssl_common_name);
    choices.ssl_alias = flags.ssl_alias.clone().or(choices.ssl_alias);
    choices.out = flags.out.clone().or(choices.out);
    choices.protection = flags.protection.or(choices.protection);
    choices.key_bits = flags.key_bits.or(choices.key_bits);
    if flags.secure_vault {
        choices.secure_vault = Some(true);
    }
    choices.server_home = flags.server_home.clone().or(choices.server_home);
    choices.vault_cipher = flags.vault_cipher.or(choices.vault_cipher);
    // A merged truststore keeps the node's own public roots.
    if flags.no_public_roots || request.merge_from.is_some() {
        choices.public_roots = Some(false);
    }
    Ok(choices)
}

/// The stores to merge into, read before the slow key generation so that a wrong password fails fast.
fn existing_stores(request: &InitRequest<'_>, out: &Path, options: &InitOptions) -> Result<Option<Existing>> {
    let Some(dir) = &request.merge_from else {
        return Ok(None);
    };
    // Compared as device and inode, so that a bind mount or a symbolic link of DIR is caught too.
    if same_file(dir, out) {
        return Err(Error::MergeIntoItself { path: dir.clone() });
    }
    let password = match &request.merge_password_file {
        Some(file) => Password::from_file(file)?,
        None => options.store_password.clone(),
    };
    Existing::load(dir, password, options.settings.cluster.product()).map(Some)
}

/// Fails before the slow key generation when the output would be refused anyway.
fn refuse_existing_set(out: &Path, force: bool, product: &Product) -> Result<()> {
    if force || !out.is_dir() {
        return Ok(());
    }
    let existing: Vec<&str> = product
        .output_files(true)
        .map(|spec| spec.name)
        .filter(|name| out.join(name).symlink_metadata().is_ok())
        .collect();
    if existing.is_empty() {
        return Ok(());
    }
    Err(Error::OutputExists {
        path: out.to_path_buf(),
        existing: existing.join(", "),
    })
}

/// An earlier set's ledger, and the certificates in `out`, which keep their serials from being issued again
/// (init --force).
fn earlier_ledger(out: &Path, options: &InitOptions) -> Result<Option<Ledger>> {
    if !out.is_dir() {
        return Ok(None);
    }
    let mut ledger = Ledger::load(out)?.unwrap_or_else(|| Ledger::new(options.settings.clone()));
    ledger.remember_present(out, options.settings.cluster.product())?;
    Ok(Some(ledger))
}

/// Builds every file of the product's set at time `now`, with a key per certificate role. With `existing` stores,
/// the Java keystores keep every entry they have except those replaced by alias. `ledger` is the output
/// directory's ledger from an earlier run, if any: serials it records for the CA's name are not issued again.
pub fn plan(
    options: &InitOptions,
    keys: &ByRole<RsaKey>,
    existing: Option<&mut Existing>,
    ledger: Option<Ledger>,
    now: OffsetDateTime,
) -> Result<Outcome> {
    let settings = &options.settings;
    let ledger = match ledger {
        Some(earlier) => Ledger {
            settings: settings.clone(),
            ..earlier
        },
        None => Ledger::new(settings.clone()),
    };
    build(Build {
        settings,
        store_password: &options.store_password,
        encryption_key: options.encryption_key.as_ref(),
        keys,
        kept: ByRole::default(),
        existing,
        earlier_cas: Vec::new(),
        earlier_secrets: None,
        vault_key: options.vault_key.as_ref(),
        ledger,
        now,
    })
}

#[cfg(test)]
mod tests {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::signature::Verifier;
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    use x509_parser::prelude::{FromDer, X509Certificate};

    use super::*;

    fn options() -> InitOptions {
        InitOptions::new(
            crate::model::settings::Choices::default().settings().unwrap(),
            Password::new("test-password"),
        )
    }

    fn keys() -> ByRole<RsaKey> {
        let given = [(crate::vocab::roles::CertRole::Ca, crate::test_keys::ca())]
            .into_iter()
            .collect();
        generate_keys(&crate::model::product::iot::IOT, given, 2048).unwrap()
    }

    fn outcome() -> Outcome {
        plan(&options(), &keys(), None, None, crate::formats::issue::now()).unwrap()
    }

    fn contents<'a>(outcome: &'a Outcome, name: &str) -> &'a [u8] {
        let file = outcome.set.files().iter().find(|f| f.spec.name == name).unwrap();
        &file.contents
    }

    fn pem_der(outcome: &Outcome, name: &str) -> Vec<u8> {
        ::pem::parse(contents(outcome, name)).unwrap().into_contents()
    }

    /// (OID, critical) per extension, in certificate order.
    fn criticality(cert: &X509Certificate<'_>) -> Vec<(String, bool)> {
        cert.extensions()
            .iter()
            .map(|e| (e.oid.to_id_string(), e.critical))
            .collect()
    }

    fn verify(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) {
        let key = rsa::RsaPublicKey::from_pkcs1_der(&issuer.public_key().subject_public_key.data).unwrap();
        let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
        let signature = rsa::pkcs1v15::Signature::try_from(&cert.signature_value.data[..]).unwrap();
        verifier.verify(cert.tbs_certificate.as_ref(), &signature).unwrap();
    }

    #[test]
    fn certificates_carry_exactly_their_profiles_extensions_and_verify() {
        let outcome = outcome();
        let (ca_der, ra_der, ssl_der) = (
            pem_der(&outcome, "ca.crt"),
            pem_der(&outcome, "ra.crt"),
            pem_der(&outcome, "ia.crt"),
        );
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        let (_, ra) = X509Certificate::from_der(&ra_der).unwrap();
        let (_, ssl) = X509Certificate::from_der(&ssl_der).unwrap();
        verify(&ca, &ca);
        verify(&ra, &ca);
        verify(&ssl, &ca);
        assert_eq!(ca.subject(), ca.issuer());
        assert_eq!(ra.issuer(), ca.subject());

        // In openssl.cnf order: SKI, AKI, basicConstraints (critical on the CA only), keyUsage.
        let expected = |ca_critical| {
            [
                ("2.5.29.14", false),
                ("2.5.29.35", false),
                ("2.5.29.19", ca_critical),
                ("2.5.29.15", false),
            ]
            .map(|(oid, critical)| (oid.to_owned(), critical))
            .to_vec()
        };
        assert_eq!(criticality(&ca), expected(true));
        assert_eq!(criticality(&ra), expected(false));

        let sans = ssl
            .subject_alternative_name()
            .unwrap()
            .unwrap()
            .value
            .general_names
            .clone();
        let names: Vec<_> = sans
            .into_iter()
            .map(|n| match n {
                GeneralName::DNSName(name) => name.to_owned(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        let settings = options().settings;
        let hosts: Vec<&str> = settings.cluster.ssl_hosts().into_iter().map(|h| h.as_str()).collect();
        assert_eq!(names, hosts);
        let eku = ssl.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && eku.client_auth && !eku.any);
        let ku = ssl.key_usage().unwrap().unwrap().value;
        assert!(ku.digital_signature() && ku.key_encipherment() && !ku.key_cert_sign());
        assert!(!ssl.basic_constraints().unwrap().unwrap().value.ca);
        assert_eq!(ssl.validity().time_to_expiration().unwrap().whole_days(), 729);
    }

    #[test]
    fn debug_output_shows_no_key_and_no_password() {
        let keys = keys();
        let outcome = outcome();
        let shown = format!("{outcome:?} {keys:?}");
        for secret in ["PRIVATE KEY", "test-password", "MII"] {
            assert!(!shown.contains(secret), "{secret} in Debug output");
        }
        assert!(shown.contains("[secret elided]") && shown.contains("bytes elided"));
    }

    #[test]
    fn key_identifiers_chain_ssl_and_ra_to_the_ca() {
        let outcome = outcome();
        let (ca_der, ssl_der) = (pem_der(&outcome, "ca.crt"), pem_der(&outcome, "ia.crt"));
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        let (_, ssl) = X509Certificate::from_der(&ssl_der).unwrap();
        let ski = |cert: &X509Certificate<'_>| {
            cert.extensions().iter().find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
                _ => None,
            })
        };
        let aki = |cert: &X509Certificate<'_>| {
            cert.extensions().iter().find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(id) => id.key_identifier.as_ref().map(|k| k.0.to_vec()),
                _ => None,
            })
        };
        let ca_key_id = crate::test_keys::ca().key_identifier();
        assert_eq!(ski(&ca).unwrap(), ca_key_id);
        assert_eq!(aki(&ca).unwrap(), ca_key_id);
        assert_eq!(aki(&ssl).unwrap(), ca_key_id);
    }

    #[test]
    fn stores_read_back_with_the_password_and_hold_the_documented_entries() {
        let outcome = outcome();
        let password = Password::new("test-password");
        let read = |name: &str| crate::formats::keystore::jks::read(contents(&outcome, name), &password).unwrap();
        let aliases = |store: &crate::formats::keystore::Keystore| {
            store.entries().iter().map(|e| e.alias.clone()).collect::<Vec<_>>()
        };
        let carbon = read("wso2carbon.jks");
        assert_eq!(aliases(&carbon), ["wso2carbon"]);
        assert!(
            matches!(&carbon.entries()[0].entry, crate::formats::keystore::Entry::PrivateKey { chain, .. } if chain.len() == 2)
        );
        let trust = read("client-truststore.jks");
        let roots = crate::formats::roots::public_roots();
        assert_eq!(aliases(&trust)[..2], ["wso2carbon", "cacert"]);
        assert_eq!(
            aliases(&trust)[2..],
            roots.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>()
        );
        assert!(trust.entries().iter().all(|e| !e.entry.is_key()));
        assert_eq!(aliases(&read("wso2certs.jks")), ["cacert", "racert"]);
    }
}
