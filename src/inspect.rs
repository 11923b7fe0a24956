//! `iospki inspect`: what is in certificate, key and keystore files, as a report that renders as text
//! (like a tidy `keytool -list -v`) or as JSON (schema `iospki.inspect/1`, documented in docs/inspect-json.md).

use std::fmt::Write;
use std::path::Path;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::certinfo::CertificateInfo;
use crate::error::{Error, Result};
use crate::key::{KeyInfo, describe_der, describe_pem};
use crate::keystore::{self, Entry, Format, Integrity, Opened, StoreError};
use crate::secret::{Password, WELL_KNOWN_PASSWORDS};

/// The JSON schema identifier; it changes only when a field is removed or changes meaning.
pub const SCHEMA: &str = "iospki.inspect/1";

/// Files larger than this are not certificates, keys or keystores iospki inspects.
const MAX_FILE: u64 = 64 << 20;

/// The report over all files.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// One report per file, in the order given.
    pub files: Vec<FileReport>,
}

/// What one file holds.
#[derive(Debug, serde::Serialize)]
pub struct FileReport {
    /// The path as given.
    pub path: String,
    /// The content, by kind.
    #[serde(flatten)]
    pub content: Content,
}

/// The kinds of file `inspect` reads.
#[derive(Debug, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// A JKS or PKCS#12 keystore.
    Keystore {
        /// "JKS" or "PKCS#12".
        format: Format,
        /// Protection and who can read it.
        protection: String,
        /// Whether Java 8 before 8u301 can read it.
        java8_readable: bool,
        /// Whether the integrity check ran.
        integrity: Integrity,
        /// Where the password came from: "given", "published default" or "none".
        password: &'static str,
        /// The entries in file order.
        entries: Vec<EntryReport>,
    },
    /// PEM text: certificates and private keys in it.
    Pem {
        /// Certificates in file order.
        certificates: Vec<CertificateInfo>,
        /// Private keys (never their content).
        private_keys: Vec<KeyInfo>,
    },
    /// A DER certificate.
    DerCertificate {
        /// The certificate.
        certificate: Box<CertificateInfo>,
    },
    /// A DER private key.
    DerPrivateKey {
        /// The key (never its content).
        private_key: KeyInfo,
    },
}

/// One keystore entry.
#[derive(Debug, serde::Serialize)]
pub struct EntryReport {
    /// The alias.
    pub alias: String,
    /// "PrivateKeyEntry" or "trustedCertEntry".
    pub entry_type: &'static str,
    /// Creation date (RFC 3339) for JKS entries; PKCS#12 has none.
    pub created: Option<String>,
    /// The entry's certificates: the key's chain, leaf first, or the one trusted certificate.
    pub certificates: Vec<CertificateInfo>,
}

/// Inspects `path`, opening keystores with `password` or, without one, trying the published defaults.
pub fn inspect_file(path: &Path, password: Option<&Password>, now: OffsetDateTime) -> Result<FileReport> {
    let data = read_limited(path)?;
    let content = if let Some(format) = keystore_format(&data) {
        keystore_content(path, &data, format, password, now)?
    } else if data.windows(11).any(|w| w == b"-----BEGIN ") {
        pem_content(path, &data, now)?
    } else {
        der_content(path, &data, now)?
    };
    Ok(FileReport {
        path: path.display().to_string(),
        content,
    })
}

fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::io(path, std::io::Error::other("is a directory")));
    }
    if meta.len() > MAX_FILE {
        return Err(unreadable(
            path,
            format!("file is {} bytes, too large to inspect", meta.len()),
        ));
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// A keystore's format, told from its bytes; DER certificates and keys also start with a SEQUENCE, so a
/// PKCS#12 guess is confirmed by the PFX structure.
fn keystore_format(data: &[u8]) -> Option<Format> {
    match Format::detect(data)? {
        Format::Jks => Some(Format::Jks),
        Format::Pkcs12 => keystore::pkcs12::describe(data).ok().map(|_| Format::Pkcs12),
    }
}

fn keystore_content(
    path: &Path,
    data: &[u8],
    format: Format,
    password: Option<&Password>,
    now: OffsetDateTime,
) -> Result<Content> {
    let store_error = |source: StoreError| Error::Store {
        path: path.to_path_buf(),
        source,
    };
    let (opened, used) = match password {
        Some(password) => (keystore::open(data, Some(password)).map_err(store_error)?, "given"),
        None => open_with_defaults(data).map_err(store_error)?,
    };
    let entries = opened
        .store
        .entries()
        .iter()
        .map(|item| entry_report(item, format, now).map_err(|reason| unreadable(path, reason)))
        .collect::<Result<_>>()?;
    let Opened {
        format,
        protection,
        java8_readable,
        integrity,
        ..
    } = opened;
    Ok(Content::Keystore {
        format,
        protection,
        java8_readable,
        integrity,
        password: used,
        entries,
    })
}

/// Opens with the published default passwords, else (JKS only) lists without checking integrity.
fn open_with_defaults(data: &[u8]) -> Result<(Opened, &'static str), StoreError> {
    for candidate in WELL_KNOWN_PASSWORDS {
        match keystore::open(data, Some(&Password::new(candidate))) {
            Ok(opened) => return Ok((opened, "published default")),
            Err(StoreError::WrongPassword) => continue,
            Err(other) => return Err(other),
        }
    }
    keystore::open(data, None).map(|opened| (opened, "none"))
}

fn entry_report(item: &keystore::AliasedEntry, format: Format, now: OffsetDateTime) -> Result<EntryReport, String> {
    let certificates = match &item.entry {
        Entry::PrivateKey { chain, .. } => chain.iter().collect::<Vec<_>>(),
        Entry::TrustedCert(cert) => vec![cert],
    };
    let certificates = certificates
        .into_iter()
        .map(|der| CertificateInfo::from_der(der, now).map_err(|e| format!("alias '{}': {e}", item.alias)))
        .collect::<Result<_, _>>()?;
    Ok(EntryReport {
        alias: item.alias.clone(),
        entry_type: item.entry.kind(),
        created: (format == Format::Jks).then(|| item.created.format(&Rfc3339).unwrap_or_default()),
        certificates,
    })
}

fn pem_content(path: &Path, data: &[u8], now: OffsetDateTime) -> Result<Content> {
    let blocks = pem::parse_many(data).map_err(|e| unreadable(path, format!("malformed PEM: {e}")))?;
    let mut certificates = Vec::new();
    let mut private_keys = Vec::new();
    for block in &blocks {
        if block.tag() == "CERTIFICATE" || block.tag() == "TRUSTED CERTIFICATE" {
            let info = CertificateInfo::from_der(block.contents(), now).map_err(|e| unreadable(path, e.to_string()))?;
            certificates.push(info);
        } else if let Some(key) = describe_pem(block.tag(), block.headers().get("DEK-Info").is_some(), block.contents())
        {
            private_keys.push(key);
        }
    }
    if certificates.is_empty() && private_keys.is_empty() {
        return Err(unreadable(path, "PEM holds no certificate and no private key".into()));
    }
    Ok(Content::Pem {
        certificates,
        private_keys,
    })
}

fn der_content(path: &Path, data: &[u8], now: OffsetDateTime) -> Result<Content> {
    if let Ok(certificate) = CertificateInfo::from_der(data, now) {
        return Ok(Content::DerCertificate {
            certificate: Box::new(certificate),
        });
    }
    if let Some(private_key) = describe_der(data) {
        return Ok(Content::DerPrivateKey { private_key });
    }
    Err(unreadable(
        path,
        "not a certificate, private key, JKS or PKCS#12 file iospki can read".into(),
    ))
}

fn unreadable(path: &Path, reason: String) -> Error {
    Error::Unreadable {
        path: path.to_path_buf(),
        reason,
    }
}

/// The report as text for people.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for (index, file) in report.files.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        render_file(&mut out, file);
    }
    out
}

fn render_file(out: &mut String, file: &FileReport) {
    // write! to a String cannot fail.
    let _ = writeln!(out, "{}", file.path);
    match &file.content {
        Content::Keystore {
            format,
            protection,
            integrity,
            password,
            entries,
            ..
        } => {
            let _ = writeln!(out, "Keystore type: {}", format.name());
            let _ = writeln!(out, "Protection: {protection}");
            let integrity = match (integrity, *password) {
                (Integrity::Verified, "published default") => "verified with a published default password",
                (Integrity::Verified, _) => "verified",
                (Integrity::NotChecked, _) => "NOT checked (no password given; give --password-file)",
            };
            let _ = writeln!(out, "Integrity: {integrity}");
            let _ = writeln!(
                out,
                "Your keystore contains {} entr{}",
                entries.len(),
                plural(entries.len())
            );
            for entry in entries {
                render_entry(out, entry);
            }
        }
        Content::Pem {
            certificates,
            private_keys,
        } => {
            for key in private_keys {
                render_key(out, key);
            }
            for (index, cert) in certificates.iter().enumerate() {
                let _ = writeln!(out, "Certificate[{}]:", index + 1);
                render_certificate(out, cert);
            }
        }
        Content::DerCertificate { certificate } => render_certificate(out, certificate),
        Content::DerPrivateKey { private_key } => render_key(out, private_key),
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "y" } else { "ies" }
}

fn render_entry(out: &mut String, entry: &EntryReport) {
    let _ = writeln!(out, "\nAlias name: {}", entry.alias);
    if let Some(created) = &entry.created {
        let _ = writeln!(out, "Creation date: {created}");
    }
    let _ = writeln!(out, "Entry type: {}", entry.entry_type);
    if entry.entry_type == "PrivateKeyEntry" {
        let _ = writeln!(out, "Certificate chain length: {}", entry.certificates.len());
    }
    for (index, cert) in entry.certificates.iter().enumerate() {
        let _ = writeln!(out, "Certificate[{}]:", index + 1);
        render_certificate(out, cert);
    }
}

fn render_key(out: &mut String, key: &KeyInfo) {
    let state = if key.encrypted { "encrypted" } else { "not encrypted" };
    let _ = writeln!(out, "Private key: {} ({}, {state})", key.algorithm, key.encoding);
}

fn render_certificate(out: &mut String, cert: &CertificateInfo) {
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "  {label:<16}{value}");
    };
    line("Owner:", &cert.subject);
    line("Issuer:", &cert.issuer);
    line("Serial number:", &format!("{} (0x{})", cert.serial, cert.serial_hex));
    let left = match cert.days_left {
        d if d < 0 => format!("EXPIRED {} days ago", -d),
        d => format!("{d} days left"),
    };
    line(
        "Valid:",
        &format!("{} until {} ({left})", cert.not_before, cert.not_after),
    );
    line("SHA-256:", &cert.sha256);
    line("Public key:", &cert.public_key);
    line(
        "Signature:",
        &format!("{} (v{})", cert.signature_algorithm, cert.version),
    );
    if let Some(bc) = &cert.basic_constraints {
        let critical = if bc.critical { ", critical" } else { "" };
        let path_len = bc.path_len.map(|n| format!(", pathlen {n}")).unwrap_or_default();
        line(
            "Basic constr.:",
            &format!("CA:{}{path_len}{critical}", if bc.ca { "TRUE" } else { "FALSE" }),
        );
    }
    for (label, values) in [
        ("Key usage:", &cert.key_usage),
        ("Ext. key usage:", &cert.extended_key_usage),
        ("Alt. names:", &cert.subject_alt_names),
    ] {
        if !values.is_empty() {
            line(label, &values.join(", "));
        }
    }
}
