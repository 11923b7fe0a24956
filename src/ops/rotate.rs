//! `iospki rotate`: renew the certificates of a set that `iospki init` wrote, keeping the CA and the keys unless
//! asked, through the same pipeline as init so that PEM files, .p12 files, the Java keystores, the XML and the
//! ledger change together. The previous set goes to `backup/<time>/` in the same atomic swap.
//!
//! [`run`] reads the set and what is due ([`Due`]), [`plan`] renews it in memory without touching a file, and
//! [`run`] publishes and verifies the new set.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rustls_pki_types::CertificateDer;
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};
use crate::formats::certinfo::CertificateInfo;
use crate::formats::key::RsaKey;
use crate::formats::keystore::{self, Entry};
use crate::formats::vault::Secrets;
use crate::io::input::{self, Kind};
use crate::io::output::{Lock, Plan};
use crate::io::secret::{Password, SymmetricKey};
use crate::model::product::{ConfigFile, Product, VAULT_KEY_ALIAS, VaultFile};
use crate::model::set::Set;
use crate::model::settings::PasswordSource;
use crate::ops::NextSteps;
use crate::ops::build::{Build, Summary, build};
use crate::ops::findings::Report;
use crate::ops::merge::Existing;
use crate::vocab::roles::ByRole;
pub use crate::vocab::roles::CertRole;

/// The JSON schema identifier of `rotate --json`'s report.
pub const SCHEMA: &str = "iospki.rotate/1";

/// Where a rotation keeps the files it replaced, inside the set: `backup/TIME/`.
pub const BACKUP_DIR: &str = "backup";

/// A rotation: the set, what to renew and how.
#[derive(Debug)]
pub struct RotateRequest {
    /// The set's directory, as the operator named it.
    pub dir: PathBuf,
    /// The stores' password, else WSO2's default.
    pub store_password: Option<Password>,
    /// The file it came from (`--password-file`), for the steps after.
    pub password_file: Option<PathBuf>,
    /// The certificates to renew; none chosen: those expiring within `within`. Renewing a CA renews what it issued.
    pub chosen: Vec<CertRole>,
    /// Give the renewed certificates new keys, but those a renewal always keeps
    /// ([`CertRole::key_never_replaced`]); choosing one of those with it is refused.
    pub rekey: bool,
    /// With nothing chosen, renew what expires within this time.
    pub within: Duration,
    /// Plan only: write nothing.
    pub dry_run: bool,
}

/// What a rotation did; as JSON, schema `iospki.rotate/1`.
#[derive(Debug, serde::Serialize)]
pub struct RotateReport {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Whether the new set was written.
    pub changed: bool,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// What changes; empty when nothing is due.
    pub changes: Vec<Change>,
    /// Where the previous set went, inside DIR.
    pub backup: Option<String>,
    /// The Secure Vault aliases whose values are encrypted again, under the new key that decrypts them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub encrypted_again: Vec<String>,
    /// The new set verified as `iospki verify` would, expiry aside, when it was written: problems make the
    /// exit code 1.
    #[serde(skip)]
    pub verified: Option<Report>,
    /// What to run next, when the new set was written and verified without problems.
    #[serde(skip)]
    pub next: Option<NextSteps>,
}

/// One renewed certificate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    /// Its alias in the stores.
    pub alias: String,
    /// Its role.
    pub role: CertRole,
    /// The serial it had, hex.
    pub old_serial: String,
    /// The serial it gets, hex.
    pub new_serial: String,
    /// SHA-256 of the new certificate.
    pub sha256: String,
    /// End of the new certificate's validity.
    pub not_after: String,
    /// Whether it gets a new key: never the internal key's certificate ([`KEY_KEPT`]).
    pub new_key: bool,
}

/// Why a renewal with new keys keeps the internal key, as the plan says it for that certificate.
pub const KEY_KEPT: &str =
    "key kept: the internal key is never replaced, what the servers encrypted with it stays readable";

/// A rotation, planned in memory.
#[derive(Debug)]
pub struct Rotation {
    /// What changes.
    pub changes: Vec<Change>,
    /// The new set with the backup of the old.
    pub plan: Plan,
    /// Where the previous set is kept, relative to the set's directory.
    pub backup: String,
    /// The alias under which the new truststore keeps the CA a CA rotation replaces, until it is dropped.
    pub earlier_ca: Option<String>,
    /// The Secure Vault aliases whose values the new set encrypts again.
    pub encrypted_again: Vec<String>,
}

/// One certificate of the current set, with its key.
#[derive(Debug)]
struct Current {
    der: CertificateDer<'static>,
    info: CertificateInfo,
    key: RsaKey,
}

/// A set's certificates, and the roles to renew.
#[derive(Debug)]
pub struct Due {
    current: ByRole<Current>,
    renew: Vec<CertRole>,
}

impl Due {
    /// The certificates of `set` and, of them, those `chosen` or, without a choice, those ending within `within`
    /// of `now`, with everything a renewed certificate issued.
    pub fn of(set: &Set, chosen: &[CertRole], within: Duration, now: OffsetDateTime) -> Result<Due> {
        let product = set.product();
        let mut current = ByRole::default();
        for spec in product.certificates {
            current.insert(spec.role, self::current(set, spec.role, now)?);
        }
        if let Some(role) = chosen.iter().find(|role| current.get(**role).is_none()) {
            return Err(Error::invalid(
                format!("--{}", role.name().to_lowercase()),
                format!("the {} set has no {role} certificate", product.name),
            ));
        }
        let renew = renewals(product, &current, chosen, now.checked_add(within));
        Ok(Due { current, renew })
    }

    /// Refuses new keys (`rekey`) when a role `chosen` keeps its key through every renewal; renewing it with
    /// another (a CA rotation) keeps its key, as [`Due::fresh_keys`] does.
    pub fn refuse_new_kept_keys(chosen: &[CertRole], rekey: bool) -> Result<()> {
        match chosen.iter().find(|role| role.key_never_replaced()) {
            Some(role) if rekey => Err(Error::KeyNeverReplaced { role: *role }),
            _ => Ok(()),
        }
    }

    /// Whether nothing is to be renewed.
    pub fn is_empty(&self) -> bool {
        self.renew.is_empty()
    }

    /// New keys, of the sizes of the current ones, for the roles to renew but those that keep their key.
    pub fn fresh_keys(&self) -> Result<ByRole<RsaKey>> {
        let mut fresh = ByRole::default();
        let replaced = |role: &CertRole| self.renew.contains(role) && !role.key_never_replaced();
        for (role, cert) in self.current.iter().filter(|(role, _)| replaced(role)) {
            fresh.insert(role, RsaKey::generate(cert.key.bits())?);
        }
        Ok(fresh)
    }
}

/// The files a new set replaces, as they are: their name, contents and mode.
#[derive(Debug)]
pub struct Previous {
    /// The name in the set's directory, and under `backup/TIME/`.
    pub name: String,
    /// Its bytes.
    pub contents: Vec<u8>,
    /// Its permission bits.
    pub mode: u32,
}

/// Everything a rotation is planned from, as [`run`] reads it.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// The set.
    pub set: &'a Set,
    /// Its certificates and what is due.
    pub due: Due,
    /// New keys for renewed roles (`--rekey`); the others keep theirs.
    pub fresh: ByRole<RsaKey>,
    /// The set's own stores, merged into as `init --merge-from` would.
    pub existing: Existing,
    /// The stores' password.
    pub store_password: &'a Password,
    /// The set's `[encryption] key`, kept.
    pub encryption_key: Option<SymmetricKey>,
    /// Where the previous set goes, relative to the set's directory: `backup/TIME`.
    pub backup: String,
    /// The files the new set replaces.
    pub previous: Vec<Previous>,
}

/// Renews what is due in the set `request.dir` names: writes the new set with the previous one under its
/// backup (unless a dry run) and verifies what it wrote.
pub fn run(request: &RotateRequest) -> Result<RotateReport> {
    let store_password = crate::ops::password_or_default(request.store_password.clone());
    // Held from reading the set to publishing the new one: two rotations never lose each other's change. The set
    // exists, so `rotate .` names it by its real name.
    let dir = request.dir.canonicalize().unwrap_or_else(|_| request.dir.clone());
    let lock = Lock::take(&dir)?;
    // The new set's XML carries the password again.
    store_password.check_writable()?;
    let now = crate::formats::issue::now();
    let set = Set::read(&dir)?;
    let due = Due::of(&set, &request.chosen, request.within, now)?;
    Due::refuse_new_kept_keys(&request.chosen, request.rekey)?;
    let mut report = RotateReport {
        schema: SCHEMA,
        changed: false,
        dry_run: request.dry_run,
        changes: Vec::new(),
        backup: None,
        encrypted_again: Vec::new(),
        verified: None,
        next: None,
    };
    if due.is_empty() {
        return Ok(report);
    }
    let rotation = plan(inputs(&dir, &set, due, request, &store_password, now)?, now)?;
    report.changes = rotation.changes;
    report.backup = Some(rotation.backup);
    report.encrypted_again = rotation.encrypted_again;
    if request.dry_run {
        return Ok(report);
    }
    rotation.plan.publish_locked(&dir, true, &lock)?;
    report.changed = true;
    // By its name: a working directory inside the set is the old one now.
    let ssl_alias = set.settings().ssl_alias.as_str();
    let verified = crate::ops::verify::written(&dir, store_password.clone(), ssl_alias)?;
    if verified.problems() == 0 {
        // As the operator named it, unless that name is relative to the set itself (`rotate .`).
        let named = if request.dir.file_name().is_some() {
            &request.dir
        } else {
            &dir
        };
        let password = request.password_file.clone().map(PasswordSource::File);
        let mut next = NextSteps::new(named, set.settings(), password);
        next.earlier_ca = rotation.earlier_ca;
        report.next = Some(next);
    }
    report.verified = Some(verified);
    Ok(report)
}

/// What [`plan`] renews `due` of `set` from, read from `dir` at time `now`.
fn inputs<'a>(
    dir: &Path,
    set: &'a Set,
    due: Due,
    request: &RotateRequest,
    store_password: &'a Password,
    now: OffsetDateTime,
) -> Result<Inputs<'a>> {
    let fresh = if request.rekey {
        due.fresh_keys()?
    } else {
        ByRole::default()
    };
    Ok(Inputs {
        set,
        due,
        fresh,
        existing: Existing::load(dir, store_password.clone(), set.product())?,
        store_password,
        encryption_key: encryption_key(dir, set)?,
        backup: backup_dir(dir, now),
        previous: previous(dir, set)?,
    })
}

/// The Secure Vault secrets of a set made with it, as its cipher-text.properties holds them (`None` without).
fn earlier_secrets(set: &Set) -> Result<Option<Secrets>> {
    let kind = ConfigFile::Vault(VaultFile::CipherText);
    let Some(spec) = set.product().config(kind).filter(|_| set.settings().secure_vault) else {
        return Ok(None);
    };
    let contents = set.contents(spec)?;
    let text = std::str::from_utf8(&contents).map_err(|_| Error::unreadable(spec.name, "not UTF-8 text"))?;
    let secrets = crate::wso2::vault::read_cipher_text(text).map_err(|e| Error::unreadable(spec.name, e))?;
    Ok(Some(secrets))
}

/// Renews what `inputs` says is due at time `now`, in memory: the new set with the previous one under its backup.
pub fn plan(inputs: Inputs<'_>, now: OffsetDateTime) -> Result<Rotation> {
    let Inputs {
        set,
        due,
        fresh,
        mut existing,
        store_password,
        encryption_key,
        backup,
        previous,
    } = inputs;
    let product = set.product();
    let earlier_cas = earlier_cas(product, &due);
    let earlier_ca = earlier_cas.first().map(|(alias, _)| alias.clone());
    let old_serials: ByRole<String> = due
        .current
        .iter()
        .map(|(role, c)| (role, c.info.serial_hex.clone()))
        .collect();
    let new_keys: Vec<CertRole> = fresh.iter().map(|(role, _)| role).collect();
    let (keys, kept) = keys_and_kept(due, fresh);
    let earlier = earlier_secrets(set)?;
    let vault_key = vault_key(set, store_password)?;
    let outcome = build(Build {
        settings: set.settings(),
        store_password,
        encryption_key: encryption_key.as_ref(),
        keys: &keys,
        kept,
        existing: Some(&mut existing),
        earlier_cas,
        earlier_secrets: earlier.as_ref(),
        vault_key: vault_key.as_ref(),
        ledger: set.ledger()?,
        now,
    })?;
    let ssl_alias = set.settings().ssl_alias.as_str();
    let changes = outcome
        .issued
        .iter()
        .map(|issued| {
            change(
                product,
                issued,
                ssl_alias,
                &old_serials,
                new_keys.contains(&issued.role),
            )
        })
        .collect();
    let encrypted_again = match (&earlier, &outcome.secrets) {
        (Some(earlier), Some(now)) => encrypted_again(earlier, now),
        _ => Vec::new(),
    };
    let mut plan = outcome.set.plan();
    for file in previous {
        let name = format!("{backup}/{}", file.name);
        plan.add(name, file.contents, file.mode, "previous set");
    }
    Ok(Rotation {
        changes,
        plan,
        backup,
        earlier_ca,
        encrypted_again,
    })
}

/// Secure Vault's AES key of a set made with the symmetric cipher, kept: from the store secret-conf.properties
/// names.
fn vault_key(set: &Set, password: &Password) -> Result<Option<SymmetricKey>> {
    let settings = set.settings();
    if !settings.takes_vault_key() {
        return Ok(None);
    }
    let identity = crate::wso2::vault::identity(set.product(), settings.ssl_alias.as_str(), settings.vault_cipher)
        .expect("a product that takes the symmetric cipher declares where its key is (model::settings)");
    let spec = set
        .product()
        .file(identity.file)
        .expect("identity names a file of the product");
    let opened = keystore::open(&set.contents(spec)?, Some(password)).map_err(|source| Error::Store {
        path: spec.name.into(),
        source,
    })?;
    let key = match opened.store.get(VAULT_KEY_ALIAS).map(|e| &e.entry) {
        Some(Entry::SecretKey(bytes)) => SymmetricKey::from_bytes(bytes),
        _ => None,
    };
    let reason = format!("holds no AES-128 key under {VAULT_KEY_ALIAS}: its Secure Vault values would not decrypt");
    key.map(Some).ok_or_else(|| Error::unreadable(spec.name, reason))
}

/// The aliases whose values in `now` differ from `earlier`'s: those the new key encrypted again.
fn encrypted_again(earlier: &Secrets, now: &Secrets) -> Vec<String> {
    let changed = now
        .entries()
        .filter(|(alias, value)| earlier.get(alias) != Some(*value));
    changed.map(|(alias, _)| alias.to_owned()).collect()
}

fn change(product: &Product, issued: &Summary, ssl_alias: &str, old: &ByRole<String>, new_key: bool) -> Change {
    Change {
        alias: product.alias_of(issued.role).resolve(ssl_alias).to_owned(),
        role: issued.role,
        old_serial: old.get(issued.role).cloned().unwrap_or_default(),
        new_serial: issued.serial_hex.clone(),
        sha256: issued.sha256.clone(),
        not_after: issued
            .not_after
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        new_key,
    }
}

/// The roles to renew: those chosen, or without a choice those ending before `deadline` (none: past the end of
/// time, which holds every certificate), and everything a renewed certificate issued.
fn renewals(
    product: &Product,
    current: &ByRole<Current>,
    chosen: &[CertRole],
    deadline: Option<OffsetDateTime>,
) -> Vec<CertRole> {
    let due = |cert: &Current| deadline.is_none_or(|deadline| cert.info.not_after_unix < deadline.unix_timestamp());
    let mut renew: Vec<CertRole> = current
        .iter()
        .filter(|(role, cert)| {
            if chosen.is_empty() {
                due(cert)
            } else {
                chosen.contains(role)
            }
        })
        .map(|(role, _)| role)
        .collect();
    for spec in product.certificates {
        if spec.issuer.is_some_and(|issuer| renew.contains(&issuer)) && !renew.contains(&spec.role) {
            renew.push(spec.role);
        }
    }
    renew
}

/// During a CA rotation nodes still on the old set must stay trusted until every node runs the new one: the
/// truststore keeps the old CA under `<its alias>-<old serial>`.
fn earlier_cas(product: &Product, due: &Due) -> Vec<(String, CertificateDer<'static>)> {
    let Some(ca) = due
        .current
        .get(CertRole::Ca)
        .filter(|_| due.renew.contains(&CertRole::Ca))
    else {
        return Vec::new();
    };
    let alias = product.trusted_alias(CertRole::Ca).unwrap_or("cacert");
    vec![(format!("{alias}-{}", ca.info.serial_hex.to_lowercase()), ca.der.clone())]
}

/// The keys of the new set (`fresh` ones in place of the current) and the certificates kept as they are.
fn keys_and_kept(due: Due, mut fresh: ByRole<RsaKey>) -> (ByRole<RsaKey>, ByRole<CertificateDer<'static>>) {
    let mut keys = ByRole::default();
    let mut kept = ByRole::default();
    for (role, cert) in due.current {
        if !due.renew.contains(&role) {
            kept.insert(role, cert.der);
        }
        keys.insert(role, fresh.remove(role).unwrap_or(cert.key));
    }
    (keys, kept)
}

fn current(set: &Set, role: CertRole, now: OffsetDateTime) -> Result<Current> {
    let der = set.certificate(role)?;
    let info = CertificateInfo::from_der(&der, now).map_err(|e| Error::unreadable(role.name(), e.to_string()))?;
    Ok(Current {
        der,
        info,
        key: set.key(role)?,
    })
}

/// The `[encryption] key` of the set in `dir`, which every renewal keeps: data the cluster encrypted with it is
/// unreadable under another. A release that encrypts with one and a set without it is an error, never a new key.
fn encryption_key(dir: &Path, set: &Set) -> Result<Option<SymmetricKey>> {
    let product = set.product();
    let encrypts = product.platform.as_ref().is_some_and(|p| p.release.encryption);
    let Some(spec) = product.config(ConfigFile::DeploymentSecurity).filter(|_| encrypts) else {
        return Ok(None);
    };
    let contents = set.contents(spec)?;
    let text = std::str::from_utf8(&contents).unwrap_or_default();
    let key = crate::wso2::deployment::encryption_key(text).ok_or_else(|| {
        Error::unreadable(
            dir.join(spec.name),
            "holds no [encryption] key of 32 hexadecimal characters: rotate keeps the cluster's key and never \
             makes a new one, as what the servers encrypted with it would be unreadable under another; put back \
             the key every node's deployment.toml has, or the file from the set's backup/",
        )
    })?;
    Ok(Some(key))
}

/// Where a rotation at `now` keeps the previous set of `dir`: `backup/TIME`, or `backup/TIME-N` when a rotation
/// of the same second is there already.
fn backup_dir(dir: &Path, now: OffsetDateTime) -> String {
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    (1..)
        .map(|n| {
            if n == 1 {
                format!("{BACKUP_DIR}/{stamp}")
            } else {
                format!("{BACKUP_DIR}/{stamp}-{n}")
            }
        })
        .find(|candidate| dir.join(candidate).symlink_metadata().is_err())
        .unwrap_or_else(|| format!("{BACKUP_DIR}/{stamp}-last"))
}

/// The files of `set` as they are in `dir`, with their modes.
fn previous(dir: &Path, set: &Set) -> Result<Vec<Previous>> {
    let mut previous = Vec::new();
    for file in set.files() {
        let path = dir.join(file.spec.name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        previous.push(Previous {
            name: file.spec.name.to_owned(),
            contents: input::read(&path, Kind::Data)?.to_vec(),
            mode: meta.permissions().mode() & 0o777,
        });
    }
    Ok(previous)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_refused_only_where_a_kept_key_is_chosen() {
        use CertRole::{Ca, Internal, Primary, Ssl};
        for chosen in [&[Internal][..], &[Ssl, Internal]] {
            let refused = Due::refuse_new_kept_keys(chosen, true).unwrap_err();
            assert!(
                matches!(refused, Error::KeyNeverReplaced { role: Internal }),
                "{chosen:?}"
            );
            assert!(refused.to_string().starts_with("the internal key is never replaced: "));
            assert!(Due::refuse_new_kept_keys(chosen, false).is_ok(), "{chosen:?}");
        }
        for chosen in [&[][..], &[Ca], &[Ssl, Primary]] {
            assert!(Due::refuse_new_kept_keys(chosen, true).is_ok(), "{chosen:?}");
        }
    }
}
