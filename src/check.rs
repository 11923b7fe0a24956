//! `iospki check`: an expiry inventory over certificate and keystore files and directories, with a
//! node_exporter textfile for Prometheus.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use time::{Duration, OffsetDateTime};

use crate::certinfo::CertificateInfo;
use crate::inspect::{Content, inspect_file};
use crate::secret::Password;

/// The JSON schema identifier of the inventory.
pub const SCHEMA: &str = "iospki.check/1";

/// File endings a directory walk reads; other files (keys, XML) have no expiry.
const CERTIFICATE_FILES: [&str; 9] = [
    "pem",
    "crt",
    "cer",
    "der",
    "p12",
    "pfx",
    "jks",
    "keystore",
    "truststore",
];

/// Where a certificate stands against the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Valid beyond the window.
    Ok,
    /// Expires within the window.
    Expiring,
    /// Already expired.
    Expired,
}

/// One certificate of the inventory.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Item {
    /// The file it was found in.
    pub file: String,
    /// The keystore alias, for certificates in stores.
    pub alias: Option<String>,
    /// Subject name.
    pub subject: String,
    /// Serial in hex.
    pub serial_hex: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// End of validity, Unix time.
    pub not_after_unix: i64,
    /// Whole days left; negative once expired.
    pub days_left: i64,
    /// Against the window.
    pub status: Status,
    /// Whether it ends after the certificate in the same file that issued it: once the issuer expires, the chain
    /// is broken however long this certificate has left.
    pub outlives_issuer: bool,
    /// The topic of an APNs (MDM push) certificate; absent for other certificates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apns_topic: Option<String>,
}

/// The inventory.
#[derive(Debug, serde::Serialize)]
pub struct Inventory {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The window, in seconds.
    pub within_seconds: i64,
    /// Every certificate found, in walk order.
    pub items: Vec<Item>,
    /// Files that could not be read, one line each.
    pub errors: Vec<String>,
}

impl Inventory {
    /// Whether anything expires within the window or has expired, or outlives its issuer.
    pub fn expiring(&self) -> bool {
        self.items.iter().any(|i| i.status != Status::Ok || i.outlives_issuer)
    }
}

/// Walks `paths` (directories recursively, without following links) and lists every certificate's expiry. The
/// backups a rotation keeps inside a set (`backup/`) are left out unless `backups`: they are no longer in use, and
/// would keep reporting what the rotation renewed. A file that cannot be read is listed as `said` puts its error
/// (the caller adds what to do, such as how to give a password).
pub fn inventory(
    paths: &[PathBuf],
    password: Option<&Password>,
    within: Duration,
    backups: bool,
    now: OffsetDateTime,
    said: &dyn Fn(&crate::error::Error) -> String,
) -> Inventory {
    let mut inventory = Inventory {
        schema: SCHEMA,
        within_seconds: within.whole_seconds(),
        items: Vec::new(),
        errors: Vec::new(),
    };
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, backups, &mut files, &mut inventory.errors);
        } else {
            files.push(path.clone());
        }
    }
    let deadline = now.checked_add(within);
    for file in &files {
        add_file(&mut inventory, file, password, deadline, now, said);
    }
    inventory
}

/// Collects the certificate and keystore files under `dir`, sorted by name at each level, without following links;
/// the backups of a set below `dir` only with `backups`.
fn walk(dir: &Path, backups: bool, files: &mut Vec<PathBuf>, errors: &mut Vec<String>) {
    let walked = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter();
    for entry in walked.filter_entry(|entry| backups || entry.depth() == 0 || !is_backup_of_a_set(entry)) {
        match entry {
            Ok(entry) if entry.file_type().is_file() && has_certificate_ending(entry.path()) => {
                files.push(entry.into_path());
            }
            Ok(_) => {}
            Err(e) => errors.push(match e.path() {
                Some(path) => format!(
                    "{}: {}",
                    path.display(),
                    e.io_error().map_or(e.to_string(), |io| io.to_string())
                ),
                None => e.to_string(),
            }),
        }
    }
}

/// Whether `entry` is the directory where a rotation keeps what it replaced: `backup/` beside a set's ledger.
fn is_backup_of_a_set(entry: &walkdir::DirEntry) -> bool {
    entry.file_type().is_dir()
        && entry.file_name() == crate::rotate::BACKUP_DIR
        && entry
            .path()
            .parent()
            .is_some_and(|set| set.join(crate::ledger::FILE).is_file())
}

fn has_certificate_ending(path: &Path) -> bool {
    let ending = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    ending.is_some_and(|e| CERTIFICATE_FILES.contains(&e.as_str()))
}

/// Adds the certificates of `path` to the inventory; `deadline` is the end of the window (`None`: past the end of
/// time, so everything is within it).
fn add_file(
    inventory: &mut Inventory,
    path: &Path,
    password: Option<&Password>,
    deadline: Option<OffsetDateTime>,
    now: OffsetDateTime,
    said: &dyn Fn(&crate::error::Error) -> String,
) {
    let report = match inspect_file(path, password, now) {
        Ok(report) => report,
        Err(e) => {
            inventory.errors.push(said(&e));
            return;
        }
    };
    let file = path.display().to_string();
    let all: Vec<&CertificateInfo> = match &report.content {
        Content::Keystore { entries, .. } => entries.iter().flat_map(|e| &e.certificates).collect(),
        Content::Pem { certificates, .. } => certificates.iter().collect(),
        Content::DerCertificate { certificate } => vec![certificate.as_ref()],
        Content::DerPrivateKey { .. } => Vec::new(),
    };
    let found: Vec<(Option<String>, &CertificateInfo)> = match &report.content {
        Content::Keystore { entries, .. } => entries
            .iter()
            .filter_map(|e| e.certificates.first().map(|c| (Some(e.alias.clone()), c)))
            .collect(),
        Content::Pem { certificates, .. } => certificates.iter().map(|c| (None, c)).collect(),
        Content::DerCertificate { certificate } => vec![(None, certificate.as_ref())],
        Content::DerPrivateKey { .. } => Vec::new(),
    };
    for (alias, cert) in found {
        let status = match cert.not_after_unix {
            t if t < now.unix_timestamp() => Status::Expired,
            t if deadline.is_none_or(|d| t < d.unix_timestamp()) => Status::Expiring,
            _ => Status::Ok,
        };
        inventory.items.push(Item {
            file: file.clone(),
            alias,
            subject: cert.subject.clone(),
            serial_hex: cert.serial_hex.clone(),
            not_after: cert.not_after.clone(),
            not_after_unix: cert.not_after_unix,
            days_left: cert.days_left,
            status,
            outlives_issuer: outlives_issuer(cert, &all),
            apns_topic: cert.apns_topic.clone(),
        });
    }
}

/// Whether a certificate among `others` issued `cert` (by name; a self-issued one has no other issuer) and ends
/// before it.
fn outlives_issuer(cert: &CertificateInfo, others: &[&CertificateInfo]) -> bool {
    !cert.self_issued
        && others
            .iter()
            .any(|issuer| issuer.subject == cert.issuer && issuer.not_after_unix < cert.not_after_unix)
}

/// A gauge per certificate: its name, its help text, its value.
type Metric = (&'static str, &'static str, fn(&Item) -> i64);

/// The inventory as a node_exporter textfile.
pub fn prometheus(inventory: &Inventory, now: OffsetDateTime) -> String {
    let mut out = String::new();
    let metrics: [Metric; 3] = [
        (
            "iospki_certificate_not_after_seconds",
            "Certificate notAfter as Unix time.",
            |item| item.not_after_unix,
        ),
        (
            "iospki_certificate_expiring",
            "1 when the certificate expires within the window or has expired.",
            |item| i64::from(item.status != Status::Ok),
        ),
        (
            "iospki_certificate_outlives_issuer",
            "1 when the certificate ends after the certificate in the same file that issued it.",
            |item| i64::from(item.outlives_issuer),
        ),
    ];
    for (name, help, value) in metrics {
        // write! to a String cannot fail.
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for item in &inventory.items {
            // Every series has the same labels: topic is empty for certificates other than push certificates.
            let labels = format!(
                "file=\"{}\",alias=\"{}\",subject=\"{}\",serial=\"{}\",topic=\"{}\"",
                escape(&item.file),
                escape(item.alias.as_deref().unwrap_or("")),
                escape(&item.subject),
                item.serial_hex,
                escape(item.apns_topic.as_deref().unwrap_or(""))
            );
            let _ = writeln!(out, "{name}{{{labels}}} {}", value(item));
        }
    }
    let _ = writeln!(
        out,
        "# HELP iospki_check_errors Files iospki could not read.\n# TYPE iospki_check_errors gauge"
    );
    let _ = writeln!(out, "iospki_check_errors {}", inventory.errors.len());
    let _ = writeln!(
        out,
        "# HELP iospki_check_timestamp_seconds When the check ran.\n# TYPE iospki_check_timestamp_seconds gauge"
    );
    let _ = writeln!(out, "iospki_check_timestamp_seconds {}", now.unix_timestamp());
    out
}

/// Prometheus label-value escaping: backslash, double quote, line feed.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
