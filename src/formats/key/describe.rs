//! What a private-key file holds, told without decrypting it and without showing the key: algorithm, size
//! where it can be read, encoding, and whether it is encrypted.

use der::Decode;
use rsa::RsaPrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, PrivateKeyInfoRef};
use rsa::traits::PublicKeyParts;

/// A private key, described.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyInfo {
    /// "RSA 2048", "EC P-256", "Ed25519", or "unknown" when encrypted.
    pub algorithm: String,
    /// "PKCS#8", "PKCS#1", "SEC1", ...
    pub encoding: String,
    /// Whether the key is encrypted (its algorithm may then be unknown).
    pub encrypted: bool,
}

/// Describes a PEM block labelled `tag` with DER `body`; `None` for a block that is no private key.
pub fn describe_pem(tag: &str, encrypted_header: bool, body: &[u8]) -> Option<KeyInfo> {
    let info = |algorithm: String, encoding: &str, encrypted: bool| KeyInfo {
        algorithm,
        encoding: encoding.into(),
        encrypted,
    };
    Some(match tag {
        "PRIVATE KEY" => info(pkcs8_algorithm(body)?, "PKCS#8", false),
        "ENCRYPTED PRIVATE KEY" => info("unknown".into(), "PKCS#8", true),
        "RSA PRIVATE KEY" if encrypted_header => info("RSA".into(), "PKCS#1", true),
        "RSA PRIVATE KEY" => info(rsa_name(&RsaPrivateKey::from_pkcs1_der(body).ok()?), "PKCS#1", false),
        "EC PRIVATE KEY" => info("EC".into(), "SEC1", encrypted_header),
        "DSA PRIVATE KEY" => info("DSA".into(), "OpenSSL DSA", encrypted_header),
        _ => return None,
    })
}

/// Describes DER bytes that hold an unencrypted private key; `None` otherwise.
pub fn describe_der(der: &[u8]) -> Option<KeyInfo> {
    if let Some(algorithm) = pkcs8_algorithm(der) {
        return Some(KeyInfo {
            algorithm,
            encoding: "PKCS#8".into(),
            encrypted: false,
        });
    }
    RsaPrivateKey::from_pkcs1_der(der).ok().map(|key| KeyInfo {
        algorithm: rsa_name(&key),
        encoding: "PKCS#1".into(),
        encrypted: false,
    })
}

fn pkcs8_algorithm(der: &[u8]) -> Option<String> {
    let info = PrivateKeyInfoRef::from_der(der).ok()?;
    if info.algorithm.oid == crate::formats::oid::RSA_ENCRYPTION {
        return Some(rsa_name(&RsaPrivateKey::from_pkcs8_der(der).ok()?));
    }
    Some(super::load::algorithm_name(&info))
}

fn rsa_name(key: &RsaPrivateKey) -> String {
    format!("RSA {}", key.n().bits())
}
