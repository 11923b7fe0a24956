//! The cryptographic checks iospki needs: does an RSA signature verify under a public key (a certificate's under
//! its issuer's, a CSR's or a request's under the signer's), whose public key does a private key have, and a
//! message encrypted to a public key (Secure Vault's asymmetric cipher).

use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::Verifier;
use rsa::{RsaPrivateKey, RsaPublicKey, pkcs1v15};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::formats::x509::{Certificate, PublicKey, SignatureAlgorithm};

/// Why a signature could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The certificate does not parse.
    #[error("malformed certificate: {0}")]
    Malformed(String),
    /// The signer's key is not RSA.
    #[error("the signer's key is not RSA")]
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
    let (_, parsed) = X509Certificate::from_der(&cert.der).map_err(|e| SignatureError::Malformed(e.to_string()))?;
    rsa_signature_valid(
        pkcs1,
        &cert.signature,
        parsed.tbs_certificate.as_ref(),
        &parsed.signature_value.data,
    )
}

/// Whether `signature` is an RSASSA-PKCS1-v1_5 signature over `message` by the PKCS#1 RSAPublicKey `public_key`,
/// with the hash `algorithm` names.
pub fn rsa_signature_valid(
    public_key: &[u8],
    algorithm: &SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, SignatureError> {
    let key = RsaPublicKey::from_pkcs1_der(public_key).map_err(|_| SignatureError::NotRsa)?;
    let Ok(signature) = pkcs1v15::Signature::try_from(signature) else {
        return Ok(false);
    };
    let valid = match algorithm {
        SignatureAlgorithm::Sha256Rsa => pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key).verify(message, &signature),
        SignatureAlgorithm::Sha384Rsa => pkcs1v15::VerifyingKey::<sha2::Sha384>::new(key).verify(message, &signature),
        SignatureAlgorithm::Sha512Rsa => pkcs1v15::VerifyingKey::<sha2::Sha512>::new(key).verify(message, &signature),
        SignatureAlgorithm::Sha1Rsa => pkcs1v15::VerifyingKey::<sha1::Sha1>::new(key).verify(message, &signature),
        other => return Err(SignatureError::Algorithm(other.name().to_owned())),
    };
    Ok(valid.is_ok())
}

/// `message` encrypted with RSAES-PKCS1-v1_5 (random padding) under the PKCS#1 RSAPublicKey `public_key`; else
/// the longest message the key takes (`None`: it is not an RSA key).
pub fn encrypt_pkcs1v15(public_key: &[u8], message: &[u8]) -> Result<Vec<u8>, Option<usize>> {
    use rsa::traits::PublicKeyParts;
    let key = RsaPublicKey::from_pkcs1_der(public_key).map_err(|_| None)?;
    // PKCS#1 v1.5 padding takes 11 bytes of the modulus (RFC 8017 7.2.1).
    let longest = key.size().saturating_sub(11);
    if message.len() > longest {
        return Err(Some(longest));
    }
    key.encrypt(&mut rand::rng(), rsa::Pkcs1v15Encrypt, message)
        .map_err(|_| Some(longest))
}

/// The PKCS#1 public key of the PKCS#8 RSA private key `pkcs8`; `None` for another kind of key.
pub fn public_key_of_pkcs8(pkcs8: &[u8]) -> Option<Vec<u8>> {
    let key = RsaPrivateKey::from_pkcs8_der(pkcs8).ok()?;
    Some(key.to_public_key().to_pkcs1_der().ok()?.into_vec())
}

/// Whether `public` (PKCS#1) is the RSA public key `cert` carries.
pub fn belongs_to(public: Option<&[u8]>, cert: &Certificate) -> bool {
    public.is_some_and(|public| cert.rsa_public_key() == Some(public))
}
