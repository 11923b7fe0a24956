//! The iOS MDM push certificate (APNs), every year, offline.
//! It may import every layer below `ops`, and other modules of `ops` (`findings`, `build`, another command's).
//!
//! WSO2's iOS platform configuration needs Apple's MDM push certificate as a .pfx, with its password and its
//! topic. Getting it takes three parties: the customer (the MDM server's operator) makes a push key and CSR; an MDM
//! vendor signs the CSR with its vendor key into a request, a base64 XML plist carrying the CSR, the vendor
//! certificate's chain and the signature; the customer uploads the request at identity.apple.com and gets the push
//! certificate back. Here the operator is often the vendor too, with a vendor certificate from Apple's developer
//! portal. Only the two uploads need a browser; everything else is here:
//!
//! - [`csr`]: the push key and CSR, and the vendor key and the CSR the developer portal takes.
//! - [`sign`]: the vendor's signature and the request, refused when Apple would refuse it.
//! - [`check`]: re-checks a request made by any tool.
//! - [`mod@import`]: Apple's certificate with the push key into the .pfx WSO2 reads (Java 8: 3DES and HMAC-SHA1),
//!   the topic, and the renewal check that the topic did not change; [`verify_import`] re-runs those checks over
//!   the files later.
//!
//! Each subcommand has one entry point taking a request and returning a report: [`run_csr`], [`run_sign`],
//! [`run_check`] and [`run_import`].
//!
//! The topic is the subject's UID ([`Certificate::apns_topic`]). A renewal keeps it; a certificate *created* anew, or
//! renewed under another Apple ID, has another topic, and every enrolled device must then enrol again. Apple's
//! certificates are never downloaded: the operator gives them.
//!
//! ```
//! // A stand-in for identity.apple.com's MDM_<Vendor>_Certificate.pem, from iospki's test fixtures.
//! let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/apns/mdm-push.pem")).unwrap();
//! let cert = iospki::formats::x509::Certificate::parse(pem::parse(pem).unwrap().contents()).unwrap();
//! let topic = cert.apns_topic();
//! assert_eq!(topic, Some("com.apple.mgmt.External.1f8c3a5e-2b7d-4e9a-8c61-0d3f5b7a9e21"));
//! ```

pub mod check;
pub mod csr;
pub mod import;
mod request;
mod rules;
mod run;
pub mod sign;

use std::path::{Path, PathBuf};

use sha2::Digest as _;

pub use check::{RequestCheck, check_request};
pub use csr::{Holder, common_name};
pub use import::{ImportOptions, Imported, import, verify_import};
pub use request::RequestError;
pub use run::{
    CsrRequest, Digest, ImportReport, ImportRequest, RequestToCheck, SignReport, SignRequest, VendorKey, WrittenFile,
    run_check, run_csr, run_import, run_sign,
};

use crate::error::{Error, Result};
use crate::formats::key::RsaKey;
use crate::formats::keystore;
use crate::formats::x509::Certificate;
use crate::io::input::{self, Kind};
use crate::io::secret::Password;

/// Days before expiry from which iospki warns: Apple mails its reminders 30, 10 and 1 day ahead.
pub const WARN_DAYS: i64 = 30;

/// PEM labels of a CSR: OpenSSL's, and keytool's older one.
const CSR_LABELS: [&str; 2] = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];

/// SHA-256 of Apple Root CA (2006, RSA-2048), the root of the Worldwide Developer Relations intermediates that
/// issue MDM vendor certificates: Apple Root CA, then Apple WWDR, then the vendor's.
pub const APPLE_ROOT_CA_SHA256: [u8; 32] = [
    0xB0, 0xB1, 0x73, 0x0E, 0xCB, 0xC7, 0xFF, 0x45, 0x05, 0x14, 0x2C, 0x49, 0xF1, 0x29, 0x5E, 0x6E, 0xDA, 0x6B, 0xCA,
    0xED, 0x7E, 0x2C, 0x68, 0xC5, 0xBE, 0x91, 0xB5, 0xA1, 0x10, 0x01, 0xF0, 0x24,
];

/// The root a vendor certificate's chain must end at: Apple's, known by its fingerprint, or one the operator gives
/// (`--apple-root`; a stand-in Apple PKI's in tests).
#[derive(Debug, Clone, Default)]
pub enum AppleRoot {
    /// Apple Root CA.
    #[default]
    Apple,
    /// The certificate of a file.
    Given {
        /// Its DER.
        der: Vec<u8>,
        /// The file, for messages.
        file: PathBuf,
    },
}

impl AppleRoot {
    /// The root certificate in `path` (DER or PEM).
    pub fn from_file(path: &Path) -> Result<AppleRoot> {
        let der = read_der(path, &["CERTIFICATE"])?;
        Certificate::parse(&der).map_err(|e| Error::unreadable(path, format!("not an X.509 certificate: {e}")))?;
        Ok(AppleRoot::Given {
            der,
            file: path.to_path_buf(),
        })
    }

    /// Whether the certificate `der` is this root.
    pub(crate) fn is(&self, der: &[u8]) -> bool {
        match self {
            AppleRoot::Apple => sha2::Sha256::digest(der).as_slice() == APPLE_ROOT_CA_SHA256,
            AppleRoot::Given { der: root, .. } => root == der,
        }
    }

    /// The root, as messages name it.
    pub(crate) fn name(&self) -> String {
        match self {
            AppleRoot::Apple => format!(
                "Apple Root CA (SHA-256 {})",
                crate::vocab::hex::colons(&APPLE_ROOT_CA_SHA256)
            ),
            AppleRoot::Given { file, .. } => format!("the root of --apple-root {}", file.display()),
        }
    }
}

/// The DER in the file `path`, as [`der_from`] finds it.
fn read_der(path: &Path, labels: &[&str]) -> Result<Vec<u8>> {
    der_from(path, &input::read(path, Kind::Data)?, labels)
}

/// The DER in `bytes` (read from `path`): the one PEM block labelled with one of `labels`, or the bytes themselves
/// when they are not PEM.
fn der_from(path: &Path, bytes: &[u8], labels: &[&str]) -> Result<Vec<u8>> {
    if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return Ok(bytes.to_vec());
    }
    let blocks = pem::parse_many(bytes).map_err(|e| Error::Malformed {
        path: path.to_path_buf(),
        format: "PEM",
        reason: e.to_string(),
    })?;
    let mut found: Vec<_> = blocks.into_iter().filter(|b| labels.contains(&b.tag())).collect();
    match found.len() {
        1 => Ok(found.remove(0).into_contents()),
        0 => Err(Error::unreadable(path, format!("holds no PEM '{}' block", labels[0]))),
        n => Err(Error::unreadable(
            path,
            format!("holds {n} '{}' blocks; give a file with one", labels[0]),
        )),
    }
}

/// The keystore in `bytes`, read from `path`, opened with `password`.
fn open_store(path: &Path, bytes: &[u8], password: &Password) -> Result<keystore::Opened> {
    keystore::open(bytes, Some(password)).map_err(|source| Error::Store {
        path: path.to_path_buf(),
        source,
    })
}

/// The RSA key in the unencrypted PKCS#8 `pkcs8`, taken out of the keystore `path`.
fn key_from_pkcs8(path: &Path, pkcs8: &[u8]) -> Result<RsaKey> {
    crate::formats::key::load_bytes(path, pkcs8, || {
        Err(Error::key(path, "the key taken out of the keystore is still encrypted"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/apns")
            .join(name)
    }

    /// The stand-in Apple PKI's root, which the tests' chains end at.
    pub(crate) fn stand_in_root() -> AppleRoot {
        AppleRoot::from_file(&fixture("root.pem")).unwrap()
    }

    use crate::formats::x509::{MAX_TOPIC, TOPIC_PREFIX, is_apns_topic};

    fn certificate(name: &str) -> Certificate {
        Certificate::parse(&read_der(&fixture(name), &["CERTIFICATE"]).unwrap()).unwrap()
    }

    #[test]
    fn topic_is_the_uid_of_a_push_certificate_only() {
        assert_eq!(
            certificate("mdm-push.pem").apns_topic(),
            Some("com.apple.mgmt.External.1f8c3a5e-2b7d-4e9a-8c61-0d3f5b7a9e21")
        );
        let no_prefix = certificate("mdm-push-no-prefix.pem");
        assert!(
            no_prefix
                .uid
                .as_deref()
                .is_some_and(|uid| uid.starts_with("com.example.push."))
        );
        assert_eq!(no_prefix.apns_topic(), None);
        assert_eq!(certificate("mdm-push-no-uid.pem").uid, None);
        let vendor = certificate("vendor.cer");
        assert_eq!(vendor.uid.as_deref(), Some("STANDIN01"));
        assert_eq!(vendor.apns_topic(), None);
        assert_eq!(certificate("mdm-push-bad-topic.pem").apns_topic(), None);
    }

    #[test]
    fn a_topic_is_the_prefix_then_letters_digits_dots_and_dashes() {
        for good in [
            "com.apple.mgmt.External.e3b8ceac-1f18-2c8e-8a63-dd17d99435d9",
            "com.apple.mgmt.XServer.4f0a8f5e-1b2c-4d3e-9f80-1a2b3c4d5e6f",
        ] {
            assert!(is_apns_topic(good), "{good}");
        }
        let long = format!("{TOPIC_PREFIX}{}", "a".repeat(MAX_TOPIC));
        for bad in [
            "com.apple.mgmt.",
            "com.apple.mgmt.External.x\u{1b}[2J",
            "com.apple.mgmt.External.x\n",
            "com.apple.mgmt.External x",
            "com.apple.mgmt.External.\u{202e}x",
            "com.apple.mgmt.External/x",
            "COM.APPLE.MGMT.External.x",
            long.as_str(),
        ] {
            assert!(!is_apns_topic(bad), "{bad:?}");
        }
    }

    #[test]
    fn pem_and_der_give_the_same_certificate() {
        let der = certificate("vendor.cer").der.to_vec();
        let pem = crate::formats::pem::encode("CERTIFICATE", &der);
        assert_eq!(
            der_from(Path::new("v.pem"), pem.as_bytes(), &["CERTIFICATE"]).unwrap(),
            der
        );
        let two = format!("{pem}{pem}");
        let err = der_from(Path::new("v.pem"), two.as_bytes(), &["CERTIFICATE"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "v.pem: holds 2 'CERTIFICATE' blocks; give a file with one"
        );
    }
}
