//! `iospki rotate`: renew the certificates of a set that `iospki init` wrote, keeping the CA and the keys unless
//! asked, through the same pipeline as init so that PEM files, .p12 files, the Java keystores, the XML and the
//! ledger change together. The previous set goes to `backup/<time>/` in the same atomic swap.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rustls_pki_types::CertificateDer;
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};
use crate::formats::certinfo::CertificateInfo;
use crate::formats::key::RsaKey;
use crate::io::input::{self, Kind};
use crate::io::output::Plan;
use crate::io::secret::Password;
use crate::model::cluster::Cluster;
use crate::model::product::Product;
use crate::model::set::Set;
use crate::ops::build::{Build, build};
use crate::ops::merge::Existing;
use crate::vocab::roles::{ByRole, CertRole};

/// The JSON schema identifier of `rotate --json`'s report.
pub const SCHEMA: &str = "iospki.rotate/1";

/// Where a rotation keeps the files it replaced, inside the set: `backup/TIME/`.
pub const BACKUP_DIR: &str = "backup";

/// What to renew and how.
#[derive(Debug)]
pub struct RotateOptions {
    /// The stores' password.
    pub store_password: Password,
    /// The certificates to renew; none chosen: those expiring within `within`. Renewing a CA renews what it issued.
    pub chosen: Vec<CertRole>,
    /// Give the renewed certificates new keys.
    pub rekey: bool,
    /// With nothing chosen, renew what expires within this time.
    pub within: Duration,
    /// The time of issue.
    pub now: OffsetDateTime,
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
    /// Whether it gets a new key.
    pub new_key: bool,
}

/// A rotation, planned in memory.
#[derive(Debug)]
pub struct Rotation {
    /// What changes; empty when nothing is due.
    pub changes: Vec<Change>,
    /// The new set with the backup of the old, `None` when nothing changes.
    pub plan: Option<Plan>,
    /// Where the previous set is kept, relative to the set's directory.
    pub backup: Option<String>,
    /// The SSL key's alias, carbon.xml's KeyAlias for this set.
    pub ssl_alias: String,
    /// The cluster the set is for, whose nodes get the new files.
    pub cluster: Cluster,
    /// The alias under which the new truststore keeps the CA a CA rotation replaces, until it is dropped.
    pub earlier_ca: Option<String>,
}

/// One certificate of the current set, with its key.
struct Current {
    der: CertificateDer<'static>,
    info: CertificateInfo,
    key: RsaKey,
}

/// Plans the renewal of `dir`'s set.
pub fn plan(dir: &Path, options: &RotateOptions) -> Result<Rotation> {
    // The new set's XML carries the password again.
    options.store_password.check_writable()?;
    let set = Set::read(dir)?;
    let product = set.product();
    let mut current = ByRole::default();
    for spec in product.certificates {
        current.insert(spec.role, self::current(&set, spec.role, options.now)?);
    }
    if let Some(role) = options.chosen.iter().find(|role| current.get(**role).is_none()) {
        return Err(Error::invalid(
            format!("--{}", role.name().to_lowercase()),
            format!("the {} set has no {role} certificate", product.name),
        ));
    }
    let renew = renewals(product, &current, options);
    let ssl_alias = set.settings().ssl_alias.to_string();
    let cluster = set.settings().cluster.clone();
    if renew.is_empty() {
        return Ok(Rotation {
            changes: Vec::new(),
            plan: None,
            backup: None,
            ssl_alias,
            cluster,
            earlier_ca: None,
        });
    }
    let old_serials: ByRole<String> = current
        .iter()
        .map(|(role, c)| (role, c.info.serial_hex.clone()))
        .collect();
    let earlier_cas = earlier_cas(product, &current, &renew);
    let earlier_ca = earlier_cas.first().map(|(alias, _)| alias.clone());
    let (keys, kept) = keys_and_kept(current, &renew, options.rekey)?;
    let mut existing = Existing::load(dir, options.store_password.clone(), product)?;
    let outcome = build(Build {
        settings: set.settings(),
        store_password: &options.store_password,
        keys: &keys,
        kept,
        existing: Some(&mut existing),
        earlier_cas,
        ledger: set.ledger()?,
        now: options.now,
    })?;
    let changes = outcome
        .issued
        .iter()
        .map(|issued| Change {
            alias: product.alias_of(issued.role).resolve(&ssl_alias).to_owned(),
            role: issued.role,
            old_serial: old_serials.get(issued.role).cloned().unwrap_or_default(),
            new_serial: issued.serial_hex.clone(),
            sha256: issued.sha256.clone(),
            not_after: issued
                .not_after
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            new_key: options.rekey,
        })
        .collect();
    let mut plan = outcome.set.plan();
    let backup = add_backup(&mut plan, dir, options.now)?;
    Ok(Rotation {
        changes,
        plan: Some(plan),
        backup: Some(backup),
        ssl_alias,
        cluster,
        earlier_ca,
    })
}

/// The roles to renew: those chosen, or without a choice those due, and everything a renewed certificate issued.
fn renewals(product: &Product, current: &ByRole<Current>, options: &RotateOptions) -> Vec<CertRole> {
    let due = |cert: &Current| match options.now.checked_add(options.within) {
        Some(deadline) => cert.info.not_after_unix < deadline.unix_timestamp(),
        // A window past the end of time holds every certificate.
        None => true,
    };
    let mut renew: Vec<CertRole> = current
        .iter()
        .filter(|(role, cert)| {
            if options.chosen.is_empty() {
                due(cert)
            } else {
                options.chosen.contains(role)
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
fn earlier_cas(
    product: &Product,
    current: &ByRole<Current>,
    renew: &[CertRole],
) -> Vec<(String, CertificateDer<'static>)> {
    let Some(ca) = current.get(CertRole::Ca).filter(|_| renew.contains(&CertRole::Ca)) else {
        return Vec::new();
    };
    let alias = product.trusted_alias(CertRole::Ca).unwrap_or("cacert");
    vec![(format!("{alias}-{}", ca.info.serial_hex.to_lowercase()), ca.der.clone())]
}

/// The keys of the new set (new ones for renewed roles with `rekey`) and the certificates kept as they are.
fn keys_and_kept(
    current: ByRole<Current>,
    renew: &[CertRole],
    rekey: bool,
) -> Result<(ByRole<RsaKey>, ByRole<CertificateDer<'static>>)> {
    let mut keys = ByRole::default();
    let mut kept = ByRole::default();
    let mut fresh = Vec::new();
    for (role, cert) in current {
        if !renew.contains(&role) {
            kept.insert(role, cert.der);
        }
        if rekey && renew.contains(&role) {
            fresh.push((role, cert.key.bits()));
        } else {
            keys.insert(role, cert.key);
        }
    }
    for (role, bits) in fresh {
        keys.insert(role, RsaKey::generate(bits)?);
    }
    Ok((keys, kept))
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

/// Adds the current files the plan replaces under `backup/<time>/`, with their modes; returns that directory.
fn add_backup(plan: &mut Plan, dir: &Path, now: OffsetDateTime) -> Result<String> {
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let backup = (1..)
        .map(|n| {
            if n == 1 {
                format!("{BACKUP_DIR}/{stamp}")
            } else {
                format!("{BACKUP_DIR}/{stamp}-{n}")
            }
        })
        .find(|candidate| dir.join(candidate).symlink_metadata().is_err())
        .unwrap_or_else(|| format!("{BACKUP_DIR}/{stamp}-last"));
    let names: Vec<String> = plan.files.iter().map(|f| f.name.clone()).collect();
    for name in names {
        let path = dir.join(&name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let contents = input::read(&path, Kind::Data)?;
        plan.add(
            format!("{backup}/{name}"),
            contents.to_vec(),
            meta.permissions().mode() & 0o777,
            "previous set",
        );
    }
    Ok(backup)
}
