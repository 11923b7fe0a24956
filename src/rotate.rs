//! `iospki rotate`: renew the certificates of a set that `iospki init` wrote, keeping the CA and the keys unless
//! asked, through the same pipeline as init so that PEM files, .p12 files, the three JKS stores, the XML and the
//! ledger change together. The previous set goes to `backup/<time>/` in the same atomic swap.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rustls_pki_types::CertificateDer;
use time::{Duration, OffsetDateTime};

use crate::certinfo::CertificateInfo;
use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::init::{Build, InitOptions, Keys, Reuse, build};
use crate::key::RsaKey;
use crate::ledger::{self, Ledger};
use crate::merge::Existing;
use crate::output::Plan;
use crate::secret::Password;
use crate::wso2::{CA_ALIAS, RA_ALIAS};

/// What to renew and how.
#[derive(Debug)]
pub struct RotateOptions {
    /// The stores' password.
    pub store_password: Password,
    /// Renew the CA (and so the RA and SSL certificates under it).
    pub ca: bool,
    /// Renew the RA certificate.
    pub ra: bool,
    /// Renew the SSL certificate.
    pub ssl: bool,
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
    /// "CA", "RA" or "SSL".
    pub role: &'static str,
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
}

/// One certificate of the current set, with its key.
struct Current {
    der: CertificateDer<'static>,
    info: CertificateInfo,
    key: RsaKey,
}

/// Plans the renewal of `dir`'s set.
pub fn plan(dir: &Path, options: &RotateOptions) -> Result<Rotation> {
    let ledger = Ledger::load(dir)?.ok_or_else(|| Error::Unreadable {
        path: dir.join(ledger::FILE),
        reason: "not found: rotate renews sets written by iospki init, which keeps this ledger".into(),
    })?;
    let init = init_options(&ledger, options)?;
    let [ca, ra, ssl] = [
        ("ca.crt", "ca_private.pem"),
        ("ra.crt", "ra_private.key"),
        ("ia.crt", "ia.key"),
    ]
    .map(|(cert, key)| current(dir, cert, key, options.now));
    let (ca, ra, ssl) = (ca?, ra?, ssl?);
    let due = |cert: &Current| cert.info.not_after_unix < (options.now + options.within).unix_timestamp();
    let chosen_any = options.ca || options.ra || options.ssl;
    let renew_ca = options.ca || (!chosen_any && due(&ca));
    let renew_ra = renew_ca || options.ra || (!chosen_any && due(&ra));
    let renew_ssl = renew_ca || options.ssl || (!chosen_any && due(&ssl));
    if !(renew_ca || renew_ra || renew_ssl) {
        return Ok(Rotation {
            changes: Vec::new(),
            plan: None,
            backup: None,
            ssl_alias: init.ssl_alias,
        });
    }
    let old_ca = ca.der.clone();
    let old_serials = [&ca, &ra, &ssl].map(|c| c.info.serial_hex.clone());
    let keys = Keys {
        ca: new_key_if(options.rekey && renew_ca, ca.key)?,
        ra: new_key_if(options.rekey && renew_ra, ra.key)?,
        ssl: new_key_if(options.rekey && renew_ssl, ssl.key)?,
    };
    let reuse = Reuse {
        ca: (!renew_ca).then_some(ca.der),
        ra: (!renew_ra).then_some(ra.der),
        ssl: (!renew_ssl).then_some(ssl.der),
    };
    let mut existing = Existing::load(dir, options.store_password.clone())?;
    let extra_trusted = if renew_ca {
        // Nodes still on the old set must keep being trusted until every node runs the new one.
        vec![(format!("{CA_ALIAS}-{}", old_serials[0].to_lowercase()), old_ca)]
    } else {
        Vec::new()
    };
    let outcome = build(Build {
        options: &init,
        keys: &keys,
        reuse,
        existing: Some(&mut existing),
        extra_trusted,
        ledger,
        now: options.now,
    })?;
    let aliases = [CA_ALIAS, RA_ALIAS, init.ssl_alias.as_str()];
    let changes = outcome
        .issued
        .iter()
        .map(|issued| {
            let index = ["CA", "RA", "SSL"].iter().position(|r| *r == issued.name).unwrap_or(0);
            Change {
                alias: aliases[index].to_owned(),
                role: issued.name,
                old_serial: old_serials[index].clone(),
                new_serial: issued.serial_hex.clone(),
                sha256: issued.sha256.clone(),
                not_after: issued
                    .not_after
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                new_key: options.rekey,
            }
        })
        .collect();
    let mut plan = outcome.plan;
    let backup = add_backup(&mut plan, dir, options.now)?;
    Ok(Rotation {
        changes,
        plan: Some(plan),
        backup: Some(backup),
        ssl_alias: init.ssl_alias,
    })
}

fn init_options(ledger: &Ledger, options: &RotateOptions) -> Result<InitOptions> {
    let settings = &ledger.settings;
    Ok(InitOptions {
        cluster: Cluster::with_hosts(
            &settings.domain,
            Some(&settings.ssl_common_name),
            settings.hosts.clone(),
        )?,
        subject: settings.subject.clone(),
        ssl_alias: settings.ssl_alias.clone(),
        store_password: options.store_password.clone(),
        protection: settings.protection,
        issuance: settings.issuance,
    })
}

fn current(dir: &Path, cert_file: &str, key_file: &str, now: OffsetDateTime) -> Result<Current> {
    let cert_path = dir.join(cert_file);
    let unreadable = |reason: String| Error::Unreadable {
        path: cert_path.clone(),
        reason,
    };
    let text = std::fs::read(&cert_path).map_err(|e| Error::io(&cert_path, e))?;
    let der = pem::parse(&text)
        .map_err(|e| unreadable(format!("not a PEM certificate: {e}")))?
        .into_contents();
    let info = CertificateInfo::from_der(&der, now).map_err(|e| unreadable(e.to_string()))?;
    let key_path = dir.join(key_file);
    let key = crate::key::load(&key_path, || {
        Err(Error::key(&key_path, "key is encrypted; init writes it in the clear"))
    })?;
    Ok(Current {
        der: CertificateDer::from(der),
        info,
        key,
    })
}

fn new_key_if(rekey: bool, key: RsaKey) -> Result<RsaKey> {
    if rekey { RsaKey::generate(key.bits()) } else { Ok(key) }
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
                format!("backup/{stamp}")
            } else {
                format!("backup/{stamp}-{n}")
            }
        })
        .find(|candidate| !dir.join(candidate).exists())
        .expect("some name is free");
    let names: Vec<String> = plan.files.iter().map(|f| f.name.clone()).collect();
    for name in names {
        let path = dir.join(&name);
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        let contents = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        plan.add(
            format!("{backup}/{name}"),
            contents,
            meta.permissions().mode() & 0o777,
            "previous set",
        );
    }
    Ok(backup)
}
