//! The vendor's side: sign the customer's CSR into the request identity.apple.com takes, after checking everything
//! Apple checks, so that a request is refused here with a reason rather than there with error -80018.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::rules::{self, Cert, Fault};
use super::{AppleRoot, CSR_LABELS, key_from_pkcs8, open_store, read_der};
use crate::error::{Error, Result};
use crate::formats::crypto::belongs_to;
use crate::formats::key::{Digest, RsaKey};
use crate::formats::keystore;
use crate::io::input::{self, Kind};
use crate::io::secret::Password;

/// What a request is made of.
#[derive(Debug)]
pub struct SignInput<'a> {
    /// The customer's CSR, PEM or DER.
    pub csr: &'a Path,
    /// The MDM vendor certificate (the developer portal's mdm.cer), DER or PEM.
    pub vendor_cert: &'a Path,
    /// The vendor key.
    pub vendor_key: &'a RsaKey,
    /// The vendor key's file (a key file or a PKCS#12), named in messages.
    pub vendor_key_file: &'a Path,
    /// The intermediate that issued the vendor certificate, then the root; DER or PEM.
    pub chain: &'a [PathBuf],
    /// The root the chain must end at.
    pub apple_root: &'a AppleRoot,
    /// The signature's hash.
    pub digest: Digest,
    /// The time to judge validity at.
    pub now: OffsetDateTime,
}

/// A request, ready to upload.
#[derive(Debug)]
pub struct Signed {
    /// The upload file's text: base64 of the XML plist.
    pub request: String,
    /// Certificates of the chain that expire within 30 days, one line each.
    pub warnings: Vec<String>,
}

/// Signs the CSR of `input` with its vendor key into a request. Refused, naming the file: a CSR that is broken, has
/// a key under 2048 bits or is the vendor's own; a vendor key that is not the vendor certificate's; a certificate
/// that is expired or not yet valid; a chain out of order, whose intermediate did not sign the vendor certificate,
/// or that does not end with Apple's root; a self-signed vendor certificate.
pub fn sign(input: &SignInput<'_>) -> Result<Signed> {
    let csr = read_der(input.csr, &CSR_LABELS)?;
    let csr_key = rules::csr(&csr).map_err(|fault| fault.refuse(input.csr))?;
    let files: Vec<&Path> = std::iter::once(input.vendor_cert)
        .chain(input.chain.iter().map(PathBuf::as_path))
        .collect();
    let certs = files
        .iter()
        .map(|path| Cert::read(path, input.now))
        .collect::<Result<Vec<_>>>()?;
    let vendor = &certs[0];
    if !belongs_to(Some(input.vendor_key.public_key_der()), &vendor.x509) {
        let fault = Fault::problem(
            format!(
                "is not the key of {} ({})",
                input.vendor_cert.display(),
                vendor.info.subject
            ),
            "give the vendor key whose CSR the developer portal made that certificate from",
        );
        return Err(fault.refuse(input.vendor_key_file));
    }
    if let Some(fault) = rules::not_the_vendor_csr(&csr_key, vendor) {
        return Err(fault.refuse(input.csr));
    }
    let warnings = dates(&files, &certs, input.now)?;
    if let Some((at, fault)) = rules::chain(&certs, input.apple_root).into_iter().next() {
        return Err(fault.refuse(files[at]));
    }
    let signature = input.vendor_key.sign_pkcs1v15(input.digest, &csr)?;
    let chain: Vec<Vec<u8>> = certs.into_iter().map(|cert| cert.x509.der.to_vec()).collect();
    Ok(Signed {
        request: super::request::encode(&csr, &chain, &signature),
        warnings,
    })
}

/// Refuses the first certificate that is expired or not yet valid; returns a warning for each that expires soon.
fn dates(files: &[&Path], certs: &[Cert], now: OffsetDateTime) -> Result<Vec<String>> {
    files
        .iter()
        .zip(certs)
        .enumerate()
        .filter_map(|(at, (path, cert))| rules::chain_validity(at, cert, now).map(|fault| fault.warn_or_refuse(path)))
        .collect()
}

/// The one private key in the PKCS#12 file `path` (the vendor key exported from a keychain), opened with `password`.
pub fn p12_key(path: &Path, password: &Password) -> Result<RsaKey> {
    let opened = open_store(path, &input::read(path, Kind::Data)?, password)?;
    let keys: Vec<_> = opened.store.entries().iter().filter(|e| e.entry.is_key()).collect();
    let [entry] = keys.as_slice() else {
        let reason = format!("holds {} private keys; export the vendor key alone", keys.len());
        return Err(Error::key(path, reason));
    };
    let keystore::Entry::PrivateKey { key, .. } = &entry.entry else {
        return Err(Error::key(path, "holds no private key"));
    };
    let pkcs8 = key
        .secret_pkcs8(&entry.alias, password)
        .map_err(|source| Error::Store {
            path: path.to_path_buf(),
            source,
        })?;
    key_from_pkcs8(path, &pkcs8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::key;
    use crate::ops::apns::rules::tests::NOW;
    use crate::ops::apns::tests::fixture;

    /// One signing, with the fixtures' sound parts unless a test changes them.
    struct Case {
        csr: PathBuf,
        vendor: PathBuf,
        key_file: PathBuf,
        chain: Vec<PathBuf>,
        apple_root: AppleRoot,
        now: OffsetDateTime,
    }

    impl Case {
        fn new(csr: &str, vendor: &str, chain: &[&str]) -> Case {
            Case {
                csr: fixture(csr),
                vendor: fixture(vendor),
                key_file: fixture("vendor.key"),
                chain: chain.iter().map(|name| fixture(name)).collect(),
                apple_root: crate::ops::apns::tests::stand_in_root(),
                now: NOW,
            }
        }

        fn sign(&self) -> Result<Signed> {
            let key = key::load(&self.key_file, || unreachable!("not encrypted")).unwrap();
            sign(&SignInput {
                csr: &self.csr,
                vendor_cert: &self.vendor,
                vendor_key: &key,
                vendor_key_file: &self.key_file,
                chain: &self.chain,
                apple_root: &self.apple_root,
                digest: Digest::Sha256,
                now: self.now,
            })
        }

        fn refusal(&self) -> String {
            self.sign().unwrap_err().to_string()
        }
    }

    const CHAIN: [&str; 2] = ["wwdr.cer", "root.pem"];

    #[test]
    fn sound_request_has_no_warnings() {
        let signed = Case::new("push.csr", "vendor.cer", &CHAIN).sign().unwrap();
        assert!(signed.warnings.is_empty());
        assert!(!signed.request.is_empty());
    }

    #[test]
    fn without_the_stand_in_root_a_chain_must_end_at_apple_root_ca() {
        let case = Case {
            apple_root: AppleRoot::Apple,
            ..Case::new("push.csr", "vendor.cer", &CHAIN)
        };
        let err = case.refusal();
        assert!(
            err.contains(
                "/root.pem: ends the chain but is not Apple Root CA (SHA-256 \
                 B0:B1:73:0E:CB:C7:FF:45:05:14:2C:49:F1:29:5E:6E:DA:6B:CA:ED:7E:2C:68:C5:BE:91:B5:A1:10:01:F0:24)"
            ),
            "{err}"
        );
    }

    #[test]
    fn each_refusal_names_its_file() {
        let cases = [
            (
                Case::new("push-1024.csr", "vendor.cer", &CHAIN),
                "push-1024.csr: the CSR's key is RSA-1024",
            ),
            (
                Case::new("push-bad-signature.csr", "vendor.cer", &CHAIN),
                "push-bad-signature.csr: the CSR's self-signature",
            ),
            (
                Case::new("push.csr", "vendor-expired.cer", &CHAIN),
                "vendor-expired.cer: expired on 2024-01-01",
            ),
            (
                Case::new("push.csr", "vendor.cer", &["wwdr-same-name.pem", "root.pem"]),
                "wwdr-same-name.pem: has the name of the issuer",
            ),
            (
                Case::new("push.csr", "vendor.cer", &["wwdr-old.pem", "root.pem"]),
                "wwdr-old.pem: did not issue the certificate before it",
            ),
            (
                Case::new("push.csr", "vendor.cer", &["root.pem", "wwdr.cer"]),
                "root.pem: is out of order",
            ),
            (
                Case::new("push.csr", "vendor.cer", &["wwdr.cer"]),
                "wwdr.cer: ends the chain but is not a root",
            ),
            (
                Case::new("push.csr", "vendor.cer", &["wwdr.cer", "root-bad-signature.cer"]),
                "root-bad-signature.cer: is a root whose self-signature",
            ),
            (
                Case::new("push.csr", "vendor-self-signed.cer", &[]),
                "vendor-self-signed.cer: is self-signed: Apple issues MDM vendor certificates",
            ),
            (
                Case::new("push.csr", "vendor-self-signed.cer", &["vendor-self-signed.cer"]),
                "vendor-self-signed.cer: is self-signed",
            ),
            (
                Case::new(
                    "push.csr",
                    "vendor.cer",
                    &["wwdr.cer", "root.pem", "vendor-self-signed.cer"],
                ),
                "vendor-self-signed.cer: did not issue the certificate before it",
            ),
        ];
        for (case, expected) in cases {
            let err = case.refusal();
            assert!(
                err.contains(&format!("/{expected}")),
                "expected {expected:?} in {err:?}"
            );
        }
    }

    #[test]
    fn vendor_key_of_another_certificate_is_refused() {
        let case = Case {
            key_file: fixture("push.key"),
            ..Case::new("push.csr", "vendor.cer", &CHAIN)
        };
        let err = case.refusal();
        assert!(err.contains("push.key: is not the key of"), "{err}");
    }

    #[test]
    fn the_vendors_own_csr_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let vendor_csr = dir.path().join("vendor.csr");
        let vendor_key = key::load(&fixture("vendor.key"), || unreachable!("not encrypted")).unwrap();
        std::fs::write(
            &vendor_csr,
            crate::ops::apns::csr::request(&vendor_key, "vendor").unwrap(),
        )
        .unwrap();
        let case = Case {
            csr: vendor_csr,
            ..Case::new("push.csr", "vendor.cer", &CHAIN)
        };
        let err = case.refusal();
        assert!(err.contains("vendor.csr: is the vendor's CSR"), "{err}");
    }

    #[test]
    fn certificates_expiring_within_30_days_are_warnings() {
        let case = Case {
            now: time::macros::datetime!(2049-12-20 00:00 UTC),
            ..Case::new("push.csr", "vendor.cer", &CHAIN)
        };
        let signed = case.sign().unwrap();
        assert_eq!(signed.warnings.len(), 3, "{:?}", signed.warnings);
        assert!(
            signed.warnings[0].contains("vendor.cer: expires in 11 days"),
            "{:?}",
            signed.warnings
        );
    }

    #[test]
    fn p12_gives_the_vendor_key() {
        let password = Password::from_file(&fixture("vendor.p12.pass")).unwrap();
        let key = p12_key(&fixture("vendor.p12"), &password).unwrap();
        let vendor_key = key::load(&fixture("vendor.key"), || unreachable!("not encrypted")).unwrap();
        assert_eq!(key.public_key_der(), vendor_key.public_key_der());
        let err = p12_key(&fixture("vendor.p12"), &Password::new("wrong"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("vendor.p12: store password is wrong"), "{err}");
    }
}
