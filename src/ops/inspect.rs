//! `iospki inspect`: what is in certificate, key and keystore files, as a report that renders as text
//! (like a tidy `keytool -list -v`) or as JSON (schema `iospki.inspect/1`, documented in docs/json/).

use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, Result};
use crate::formats::certinfo::CertificateError;
pub use crate::formats::certinfo::CertificateInfo;
pub use crate::formats::key::KeyInfo;
use crate::formats::key::{describe_der, describe_pem};
use crate::formats::keystore::{self, Entry, Foreign, Opened, StoreError};
pub use crate::formats::keystore::{Format, Integrity};
use crate::io::input::{self, Kind};
use crate::io::secret::{Password, WELL_KNOWN_PASSWORDS};

/// The JSON schema identifier; it changes only when a field is removed or changes meaning.
pub const SCHEMA: &str = "iospki.inspect/1";

/// The report over all files.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// One report per file, in the order given.
    pub files: Vec<FileReport>,
    /// The files that could not be read, one line each, as said on stderr.
    pub errors: Vec<String>,
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
        /// Which password opened it: "given", "published default", "empty" (given or tried) or "none".
        password: &'static str,
        /// What Java reads in it but is worth knowing (no MAC, the empty password, duplicated or empty
        /// aliases), one sentence each.
        warnings: Vec<String>,
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

/// An inspection: the files, and how to open keystores.
pub struct InspectRequest<'a> {
    /// The files, in the order to report them.
    pub files: Vec<PathBuf>,
    /// The keystores' password, else the published defaults are tried.
    pub password: Option<Password>,
    /// How a file that cannot be read is listed: its error, with what to do.
    pub said: &'a dyn Fn(&Error) -> String,
}

/// Inspects every file now; those that could not be read are listed in the report's errors, which make the exit
/// code 2.
pub fn run(request: &InspectRequest<'_>) -> Report {
    let now = crate::formats::issue::now();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in &request.files {
        match inspect_file(path, request.password.as_ref(), now) {
            Ok(file) => files.push(file),
            Err(err) => errors.push((request.said)(&err)),
        }
    }
    Report {
        schema: SCHEMA,
        files,
        errors,
    }
}

/// Inspects `path`, opening keystores with `password` or, without one, trying the published defaults.
pub fn inspect_file(path: &Path, password: Option<&Password>, now: OffsetDateTime) -> Result<FileReport> {
    let data = input::read(path, Kind::Data)?;
    let content = if let Some(format) = keystore_format(&data) {
        keystore_content(path, &data, format, password, now)?
    } else if let Some(foreign) = Foreign::detect(&data) {
        return Err(unreadable(path, foreign.refusal()));
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
        Some(password) => {
            let used = if password.is_empty() { "empty" } else { "given" };
            (keystore::open(data, Some(password)).map_err(store_error)?, used)
        }
        None => open_with_defaults(data).map_err(store_error)?,
    };
    let entries = opened
        .store
        .entries()
        .iter()
        .map(|item| {
            entry_report(item, format, now).map_err(|e| unreadable(path, format!("alias '{}': {e}", item.alias)))
        })
        .collect::<Result<_>>()?;
    let Opened {
        format,
        protection,
        java8_readable,
        integrity,
        oddities,
        ..
    } = opened;
    Ok(Content::Keystore {
        format,
        protection,
        java8_readable,
        integrity,
        password: used,
        warnings: oddities.iter().map(ToString::to_string).collect(),
        entries,
    })
}

/// Opens without a password if the store needs none (PKCS#12 without MAC or encryption), else with the published
/// default passwords or the empty one, else (JKS only) lists without checking integrity.
fn open_with_defaults(data: &[u8]) -> Result<(Opened, &'static str), StoreError> {
    if Format::detect(data) == Some(Format::Pkcs12)
        && let Ok(opened) = keystore::open(data, None)
    {
        return Ok((opened, "none"));
    }
    let mut candidates = WELL_KNOWN_PASSWORDS.map(Password::new).to_vec();
    candidates.push(Password::new(""));
    match keystore::open_with_any(data, &candidates) {
        Ok((opened, used)) if used.is_empty() => Ok((opened, "empty")),
        Ok((opened, _)) => Ok((opened, "published default")),
        Err(StoreError::WrongPassword) => keystore::open(data, None).map(|opened| (opened, "none")),
        Err(other) => Err(other),
    }
}

fn entry_report(
    item: &keystore::AliasedEntry,
    format: Format,
    now: OffsetDateTime,
) -> Result<EntryReport, CertificateError> {
    let certificates = match &item.entry {
        Entry::PrivateKey { chain, .. } => chain.iter().collect::<Vec<_>>(),
        Entry::TrustedCert(cert) => vec![cert],
        Entry::SecretKey(_) => Vec::new(),
    };
    let certificates = certificates
        .into_iter()
        .map(|der| CertificateInfo::from_der(der, now))
        .collect::<Result<_, _>>()?;
    Ok(EntryReport {
        alias: item.alias.clone(),
        entry_type: item.entry.kind(),
        created: (format == Format::Jks).then(|| item.created.format(&Rfc3339).unwrap_or_default()),
        certificates,
    })
}

fn pem_content(path: &Path, data: &[u8], now: OffsetDateTime) -> Result<Content> {
    let blocks = pem::parse_many(data).map_err(|e| Error::Malformed {
        path: path.to_path_buf(),
        format: "PEM",
        reason: e.to_string(),
    })?;
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
