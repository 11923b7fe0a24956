//! The cryptographic checks verify needs: does a signature verify under an issuer's key, does a private key
//! belong to a certificate.

use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::Verifier;
use rsa::{RsaPrivateKey, RsaPublicKey, pkcs1v15};
use x509_parser::prelude::{FromDer, X509Certificate};

/// Whether `cert` is signed by the key of `issuer` (both DER). An error says why it could not be checked.
pub fn signed_by(cert: &[u8], issuer: &[u8]) -> Result<bool, String> {
    let (_, cert) = X509Certificate::from_der(cert).map_err(|e| e.to_string())?;
    let (_, issuer) = X509Certificate::from_der(issuer).map_err(|e| e.to_string())?;
    rsa_signature_valid(
        &issuer.public_key().subject_public_key.data,
        &cert.signature_algorithm.algorithm.to_id_string(),
        cert.tbs_certificate.as_ref(),
        &cert.signature_value.data,
    )
}

/// Whether `signature` is an RSASSA-PKCS1-v1_5 signature over `message` by the PKCS#1 RSAPublicKey `public_key`,
/// with the hash the signature algorithm `algorithm` (an OID, e.g. sha256WithRSAEncryption) names. An error says
/// why it could not be checked.
pub fn rsa_signature_valid(
    public_key: &[u8],
    algorithm: &str,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, String> {
    let key = RsaPublicKey::from_pkcs1_der(public_key).map_err(|_| "the signer's key is not RSA".to_owned())?;
    let Ok(signature) = pkcs1v15::Signature::try_from(signature) else {
        return Ok(false);
    };
    let valid = match algorithm {
        "1.2.840.113549.1.1.11" => pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key)
            .verify(message, &signature)
            .is_ok(),
        "1.2.840.113549.1.1.12" => pkcs1v15::VerifyingKey::<sha2::Sha384>::new(key)
            .verify(message, &signature)
            .is_ok(),
        "1.2.840.113549.1.1.13" => pkcs1v15::VerifyingKey::<sha2::Sha512>::new(key)
            .verify(message, &signature)
            .is_ok(),
        "1.2.840.113549.1.1.5" => pkcs1v15::VerifyingKey::<sha1::Sha1>::new(key)
            .verify(message, &signature)
            .is_ok(),
        other => return Err(format!("signature algorithm {other} is not one iospki checks")),
    };
    Ok(valid)
}

/// Whether the PKCS#8 RSA key `pkcs8` is the private half of `cert`'s public key.
pub fn key_matches(pkcs8: &[u8], cert: &[u8]) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(cert) else {
        return false;
    };
    let Ok(key) = RsaPrivateKey::from_pkcs8_der(pkcs8) else {
        return false;
    };
    key.to_public_key()
        .to_pkcs1_der()
        .is_ok_and(|public| public.as_bytes() == &cert.public_key().subject_public_key.data[..])
}
