//! The cryptographic checks verify needs: does a certificate's signature verify under an issuer's key, and whose
//! public key does a private key have.

use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::Verifier;
use rsa::{RsaPrivateKey, RsaPublicKey, pkcs1v15};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::x509::{Certificate, PublicKey, SignatureAlgorithm};

/// Why a signature could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The certificate does not parse.
    #[error("malformed certificate: {0}")]
    Malformed(String),
    /// The issuer's key is not RSA.
    #[error("the issuer's key is not RSA")]
    NotRsa,
    /// An algorithm iospki does not check.
    #[error("signature algorithm {0} is not one iospki checks")]
    Algorithm(String),
}

/// Whether `cert` is signed by the key of `issuer`.
pub fn signed_by(cert: &Certificate, issuer: &Certificate) -> Result<bool, SignatureError> {
    let PublicKey::Rsa { pkcs1, .. } = &issuer.public_key else {
        return Err(SignatureError::NotRsa);
    };
    let key = RsaPublicKey::from_pkcs1_der(pkcs1).map_err(|_| SignatureError::NotRsa)?;
    let (_, parsed) = X509Certificate::from_der(&cert.der).map_err(|e| SignatureError::Malformed(e.to_string()))?;
    let tbs = parsed.tbs_certificate.as_ref();
    let Ok(signature) = pkcs1v15::Signature::try_from(&parsed.signature_value.data[..]) else {
        return Ok(false);
    };
    let valid = match cert.signature {
        SignatureAlgorithm::Sha256Rsa => pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key).verify(tbs, &signature),
        SignatureAlgorithm::Sha384Rsa => pkcs1v15::VerifyingKey::<sha2::Sha384>::new(key).verify(tbs, &signature),
        SignatureAlgorithm::Sha512Rsa => pkcs1v15::VerifyingKey::<sha2::Sha512>::new(key).verify(tbs, &signature),
        SignatureAlgorithm::Sha1Rsa => pkcs1v15::VerifyingKey::<sha1::Sha1>::new(key).verify(tbs, &signature),
        ref other => return Err(SignatureError::Algorithm(other.name().to_owned())),
    };
    Ok(valid.is_ok())
}

/// The PKCS#1 public key of the PKCS#8 RSA private key `pkcs8`; `None` for another kind of key.
pub fn public_key_of_pkcs8(pkcs8: &[u8]) -> Option<Vec<u8>> {
    let key = RsaPrivateKey::from_pkcs8_der(pkcs8).ok()?;
    Some(key.to_public_key().to_pkcs1_der().ok()?.into_vec())
}

/// Whether `public` (PKCS#1) is the public key `cert` carries.
pub fn belongs_to(public: Option<&[u8]>, cert: &Certificate) -> bool {
    matches!((public, &cert.public_key), (Some(public), PublicKey::Rsa { pkcs1, .. }) if public == pkcs1.as_slice())
}
