//! Keys and CSRs: the customer's push key and the CSR that goes into the request, and the vendor key and the CSR
//! the developer portal turns into the MDM vendor certificate.

use rcgen::{CertificateParams, DistinguishedName, DnType};

use crate::error::{Error, Result};
use crate::formats::key::RsaKey;
use crate::io::output::{PUBLIC_MODE, Plan, SECRET_MODE};

/// Whose key and CSR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// The customer's push key; its CSR is signed by the vendor into the request for identity.apple.com.
    Push,
    /// The vendor key; its CSR goes to Apple's developer portal for the MDM vendor certificate.
    Vendor,
}

impl Holder {
    /// The key's file name.
    pub fn key_file(self) -> &'static str {
        match self {
            Holder::Push => "push.key",
            Holder::Vendor => "vendor.key",
        }
    }

    /// The CSR's file name.
    pub fn csr_file(self) -> &'static str {
        match self {
            Holder::Push => "push.csr",
            Holder::Vendor => "vendor.csr",
        }
    }

    /// The CSR's common name when none is given. Apple writes its own subject into both certificates.
    pub fn default_common_name(self) -> &'static str {
        match self {
            Holder::Push => "MDM push certificate request",
            Holder::Vendor => "MDM vendor certificate request",
        }
    }
}

/// Why a common name is refused.
#[derive(Debug, thiserror::Error)]
#[error("is empty")]
pub struct EmptyName;

/// `text` as a CSR's common name: anything but blank.
pub fn common_name(text: &str) -> Result<&str, EmptyName> {
    if text.trim().is_empty() {
        Err(EmptyName)
    } else {
        Ok(text)
    }
}

/// A PKCS#10 CSR (PEM) for `key` with the subject CN=`common_name`, signed SHA256withRSA.
pub fn request(key: &RsaKey, common_name: &str) -> Result<String> {
    let common_name = self::common_name(common_name).map_err(|e| Error::invalid("common name", e))?;
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, common_name);
    let fail = |e: rcgen::Error| Error::Sign {
        reason: format!("cannot make the CSR: {e}"),
    };
    params.serialize_request(key).map_err(fail)?.pem().map_err(fail)
}

/// The files for `holder`: the CSR for `key`, and `key` itself (PKCS#8 PEM, 0600) when iospki made it (`new_key`).
pub fn plan(holder: Holder, key: &RsaKey, new_key: bool, common_name: &str) -> Result<Plan> {
    let mut plan = Plan::default();
    if new_key {
        let description = match holder {
            Holder::Push => "the push key: keep it, import needs it with Apple's certificate",
            Holder::Vendor => "the vendor key: sign needs it with the vendor certificate",
        };
        plan.add(
            holder.key_file(),
            key.secret_pkcs8_pem()?.as_bytes(),
            SECRET_MODE,
            description,
        );
    }
    let description = match holder {
        Holder::Push => "the push CSR: the vendor signs it with iospki apns sign",
        Holder::Vendor => "the vendor CSR: upload it in Apple's developer portal (Certificates, MDM CSR)",
    };
    plan.add(holder.csr_file(), request(key, common_name)?, PUBLIC_MODE, description);
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::x509::{PublicKey, Request, SignatureAlgorithm};

    #[test]
    fn csr_has_the_subject_and_key_and_passes_the_request_rules() {
        let key = crate::test_keys::ca();
        let pem = request(&key, "Push for iots310").unwrap();
        let der = ::pem::parse(&pem).unwrap().into_contents();
        let csr = Request::parse(&der).unwrap();
        assert_eq!(csr.subject.text, "CN=Push for iots310");
        assert_eq!(csr.signature, SignatureAlgorithm::Sha256Rsa);
        let PublicKey::Rsa { bits: 2048, pkcs1 } = csr.public_key else {
            panic!("{:?}", csr.public_key)
        };
        assert_eq!(pkcs1, key.public_key_der());
        assert_eq!(super::super::rules::csr(&der).unwrap(), key.public_key_der());
    }

    #[test]
    fn plan_writes_the_key_only_when_iospki_made_it() {
        let key = crate::test_keys::ca();
        let made = plan(Holder::Vendor, &key, true, "v").unwrap();
        let names: Vec<_> = made.files.iter().map(|f| (f.name.as_str(), f.mode)).collect();
        assert_eq!(names, [("vendor.key", 0o600), ("vendor.csr", 0o644)]);
        let given = plan(Holder::Push, &key, false, "p").unwrap();
        let names: Vec<_> = given.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["push.csr"]);
    }

    #[test]
    fn empty_common_name_is_refused() {
        let err = request(&crate::test_keys::ca(), " ").unwrap_err().to_string();
        assert_eq!(err, "common name: is empty");
    }
}
