//! `iospki check`: an expiry inventory over certificate and keystore files and directories, with a
//! node_exporter textfile for Prometheus.

use std::collections::HashSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use time::{Duration, OffsetDateTime};

use crate::formats::certinfo::{CertificateInfo, fingerprint};
use crate::io::output::{PUBLIC_MODE, write_file};
use crate::io::secret::Password;
use crate::ops::inspect::{Content, inspect_file};

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
    /// SHA-256 fingerprint of the DER, colon-separated hex.
    pub sha256: String,
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
    /// The counts, and the certificate that ends first.
    pub summary: Summary,
}

/// The inventory in one line's worth.
#[derive(Debug, serde::Serialize)]
pub struct Summary {
    /// How many certificates are listed.
    pub certificates: usize,
    /// How many of them are due: expiring, expired, or outliving their issuer.
    pub due: usize,
    /// Public root certificates found and left out (`public_roots: false`).
    pub public_roots_left_out: usize,
    /// The listed certificate that ends first; none when nothing is listed.
    pub soonest: Option<Item>,
}

impl Inventory {
    /// Whether anything expires within the window or has expired, or outlives its issuer.
    pub fn expiring(&self) -> bool {
        self.summary.due > 0
    }
}

impl Item {
    /// Whether it needs attention: it expires within the window, has expired, or outlives its issuer.
    pub fn due(&self) -> bool {
        self.status != Status::Ok || self.outlives_issuer
    }
}

/// What to list, and against which window.
#[derive(Debug)]
pub struct Options<'a> {
    /// The keystores' password, else the published defaults are tried.
    pub password: Option<&'a Password>,
    /// Certificates ending within it are due.
    pub within: Duration,
    /// Also walk the backups a rotation keeps inside a set (`backup/`), which are no longer in use and would
    /// keep reporting what the rotation renewed.
    pub backups: bool,
    /// List Mozilla's root CAs, which init puts in client-truststore.jks ([`crate::formats::roots::public_roots`]), known
    /// by their DER; their renewal is a new release's, not the operator's.
    pub public_roots: bool,
    /// The time to judge against.
    pub now: OffsetDateTime,
}

/// A check: what to walk, how to open it, and where the textfile goes.
pub struct CheckRequest<'a> {
    /// Files and directories.
    pub paths: Vec<PathBuf>,
    /// The keystores' password, else the published defaults are tried.
    pub password: Option<Password>,
    /// Certificates ending within it are due.
    pub within: Duration,
    /// Also walk the backups a rotation keeps inside a set.
    pub backups: bool,
    /// List Mozilla's root CAs too.
    pub public_roots: bool,
    /// Where to write the inventory as a node_exporter textfile, if anywhere.
    pub prometheus: Option<PathBuf>,
    /// How a file that cannot be read is listed: its error, with what to do.
    pub said: &'a dyn Fn(&crate::error::Error) -> String,
}

/// Lists every certificate's expiry now, and writes the textfile: files that could not be read make the exit
/// code 2, certificates due 1.
pub fn run(request: &CheckRequest<'_>) -> crate::error::Result<Inventory> {
    let options = Options {
        password: request.password.as_ref(),
        within: request.within,
        backups: request.backups,
        public_roots: request.public_roots,
        now: crate::formats::issue::now(),
    };
    let inventory = inventory(&request.paths, &options, request.said);
    if let Some(path) = &request.prometheus {
        let textfile = prometheus(&inventory, options.now);
        write_file(path, textfile.as_bytes(), PUBLIC_MODE, true)?;
    }
    Ok(inventory)
}

/// Walks `paths` (directories recursively, without following links) and lists every certificate's expiry. A file
/// that cannot be read is listed as `said` puts its error (the caller adds what to do, such as how to give a
/// password).
pub fn inventory(paths: &[PathBuf], options: &Options<'_>, said: &dyn Fn(&crate::error::Error) -> String) -> Inventory {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, options.backups, &mut files, &mut errors);
        } else {
            files.push(path.clone());
        }
    }
    let mut items = Vec::new();
    for file in &files {
        match items_of(file, options) {
            Ok(found) => items.extend(found),
            Err(e) => errors.push(said(&e)),
        }
    }
    let public_roots_left_out = if options.public_roots {
        0
    } else {
        leave_out_public_roots(&mut items)
    };
    let summary = Summary {
        certificates: items.len(),
        due: items.iter().filter(|i| i.due()).count(),
        public_roots_left_out,
        soonest: items.iter().min_by_key(|i| i.not_after_unix).cloned(),
    };
    Inventory {
        schema: SCHEMA,
        within_seconds: options.within.whole_seconds(),
        items,
        errors,
        summary,
    }
}

/// Removes the certificates that are Mozilla's roots as iospki ships them, byte for byte (a root re-issued
/// under the same name stays listed), and says how many it removed.
fn leave_out_public_roots(items: &mut Vec<Item>) -> usize {
    let roots: HashSet<String> = crate::formats::roots::public_roots()
        .iter()
        .map(|(_, der)| fingerprint(der))
        .collect();
    let before = items.len();
    items.retain(|item| !roots.contains(&item.sha256));
    before - items.len()
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
        && entry.file_name() == crate::ops::rotate::BACKUP_DIR
        && entry
            .path()
            .parent()
            .is_some_and(|set| set.join(crate::model::product::LEDGER_FILE).is_file())
}

fn has_certificate_ending(path: &Path) -> bool {
    let ending = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    ending.is_some_and(|e| CERTIFICATE_FILES.contains(&e.as_str()))
}

/// The certificates of `path`, judged against the window.
fn items_of(path: &Path, options: &Options<'_>) -> crate::error::Result<Vec<Item>> {
    let now = options.now;
    let report = inspect_file(path, options.password, now)?;
    // None: the window ends past the end of time, so everything is within it.
    let deadline = now.checked_add(options.within);
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
    let mut items = Vec::with_capacity(found.len());
    for (alias, cert) in found {
        let status = match cert.not_after_unix {
            t if t < now.unix_timestamp() => Status::Expired,
            t if deadline.is_none_or(|d| t < d.unix_timestamp()) => Status::Expiring,
            _ => Status::Ok,
        };
        items.push(Item {
            file: file.clone(),
            alias,
            subject: cert.subject.clone(),
            serial_hex: cert.serial_hex.clone(),
            sha256: cert.sha256.clone(),
            not_after: cert.not_after.clone(),
            not_after_unix: cert.not_after_unix,
            days_left: cert.days_left,
            status,
            outlives_issuer: outlives_issuer(cert, &all),
            apns_topic: cert.apns_topic.clone(),
        });
    }
    Ok(items)
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

/// Prometheus label-value escaping (backslash, double quote, line feed), and the other characters input must
/// not show raw.
fn escape(value: &str) -> String {
    // Shown escaped first (the format allows control characters raw; they would still reach whoever reads the
    // file), then the format's own escapes over that, so that `\u{1b}` is written `\\u{1b}`: a lone backslash
    // before anything but `\`, `"` or `n` is an error Prometheus's parser refuses the whole file for.
    let shown = crate::vocab::printable::printable(value);
    shown.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_carry_no_raw_control_or_bidi_character() {
        let escaped = escape("O=Evil\u{1b}[2J \"q\" \\ \n\r\u{202e}x");
        assert_eq!(escaped, r#"O=Evil\\u{1b}[2J \"q\" \\ \\u{a}\\u{d}\\u{202e}x"#);
        assert!(!escaped.chars().any(crate::vocab::printable::unprintable));
    }
}
