//! The iOS MDM push certificate (APNs), every year, offline.
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
//! The topic is the subject's UID ([`topic`]). A renewal keeps it; a certificate *created* anew, or renewed under
//! another Apple ID, has another topic, and every enrolled device must then enrol again. Apple's certificates are
//! never downloaded: the operator gives them.
//!
//! ```
//! // A stand-in for identity.apple.com's MDM_<Vendor>_Certificate.pem, from iospki's test fixtures.
//! let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/apns/mdm-push.pem")).unwrap();
//! let der = pem::parse(pem).unwrap().into_contents();
//! let topic = iospki::apns::topic(&der).unwrap();
//! assert_eq!(topic, "com.apple.mgmt.External.1f8c3a5e-2b7d-4e9a-8c61-0d3f5b7a9e21");
//! ```

pub mod check;
pub mod csr;
pub mod import;
mod request;
mod rules;
pub mod sign;

use std::path::Path;

use x509_parser::prelude::{FromDer, X509Certificate};

pub use check::{RequestCheck, check_request};
pub use import::{ImportOptions, Imported, import, verify_import};

use crate::error::{Error, Result};
use crate::key::RsaKey;
use crate::keystore;
use crate::secret::Password;

/// The prefix of every MDM push topic.
pub const TOPIC_PREFIX: &str = "com.apple.mgmt.";

/// Days before expiry from which iospki warns: Apple mails its reminders 30, 10 and 1 day ahead.
pub const WARN_DAYS: i64 = 30;

/// The subject attribute that carries the topic: UID (userId, RFC 4519).
const UID_OID: &str = "0.9.2342.19200300.100.1.1";

/// PEM labels of a CSR: OpenSSL's, and keytool's older one.
const CSR_LABELS: [&str; 2] = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];

/// Files larger than this are no certificate, CSR or request.
const MAX_FILE: u64 = 1 << 20;

/// The topic of a push certificate (DER): its subject's UID when that starts with `com.apple.mgmt.`. Other
/// certificates have none, the MDM vendor certificate included (its UID is the team's).
pub fn topic(der: &[u8]) -> Option<String> {
    uid(der).filter(|uid| uid.starts_with(TOPIC_PREFIX))
}

/// The subject's UID attribute, read from the DER.
fn uid(der: &[u8]) -> Option<String> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let uid = cert
        .subject()
        .iter_attributes()
        .find(|attr| attr.attr_type().to_id_string() == UID_OID)?;
    uid.as_str().ok().map(str::to_owned)
}

/// The bytes of `path`, which must be a file of at most [`MAX_FILE`] bytes.
fn read(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() || meta.len() > MAX_FILE {
        return Err(unreadable(path, "is not a file of at most 1 MiB"));
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// The DER in `bytes` (read from `path`): the one PEM block labelled with one of `labels`, or the bytes themselves
/// when they are not PEM.
fn der_from(path: &Path, bytes: &[u8], labels: &[&str]) -> Result<Vec<u8>> {
    if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return Ok(bytes.to_vec());
    }
    let blocks = pem::parse_many(bytes).map_err(|e| unreadable(path, format!("malformed PEM: {e}")))?;
    let mut found: Vec<_> = blocks.into_iter().filter(|b| labels.contains(&b.tag())).collect();
    match found.len() {
        1 => Ok(found.remove(0).into_contents()),
        0 => Err(unreadable(path, format!("holds no PEM '{}' block", labels[0]))),
        n => Err(unreadable(
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
    crate::key::load_bytes(path, pkcs8, || {
        Err(Error::key(path, "the key taken out of the keystore is still encrypted"))
    })
}

fn unreadable(path: &Path, reason: impl Into<String>) -> Error {
    Error::Unreadable {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/apns")
            .join(name)
    }

    fn certificate(name: &str) -> Vec<u8> {
        let path = fixture(name);
        der_from(&path, &read(&path).unwrap(), &["CERTIFICATE"]).unwrap()
    }

    #[test]
    fn topic_is_the_uid_of_a_push_certificate_only() {
        assert_eq!(
            topic(&certificate("mdm-push.pem")).as_deref(),
            Some("com.apple.mgmt.External.1f8c3a5e-2b7d-4e9a-8c61-0d3f5b7a9e21")
        );
        assert_eq!(topic(&certificate("mdm-push-no-prefix.pem")), None);
        assert_eq!(topic(&certificate("mdm-push-no-uid.pem")), None);
        assert_eq!(uid(&certificate("vendor.cer")).as_deref(), Some("STANDIN01"));
        assert_eq!(topic(&certificate("vendor.cer")), None);
        assert_eq!(topic(b"not a certificate"), None);
    }

    #[test]
    fn pem_and_der_give_the_same_certificate() {
        let der = certificate("vendor.cer");
        let pem = crate::pem::encode("CERTIFICATE", &der);
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
