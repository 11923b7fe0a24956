//! Reading the operator's private key: PKCS#1 or PKCS#8, PEM or DER, encrypted or not, with text around the PEM.

use std::path::Path;

use der::Decode;
use rsa::RsaPrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use zeroize::Zeroizing;

use super::{MIN_BITS, RsaKey};
use crate::error::{Error, Result};
use crate::formats::kdf::{Budget, Cost, Derivation};
use crate::formats::oid;
use crate::io::input::{self, Kind};
use crate::io::secret::Password;

const RE_ENCRYPT: &str =
    "key is encrypted in a way iospki does not read; re-encrypt with `openssl pkcs8 -topk8 -v2 aes-256-cbc`";

const WHY_RSA: &str = "WSO2's SCEP signs device certificates with SHA256withRSA using the CA key, give an RSA key";

/// Loads the RSA private key in `path`. `password` is asked for only when the key is encrypted.
pub fn load(path: &Path, password: impl FnOnce() -> Result<Password>) -> Result<RsaKey> {
    load_bytes(path, &read_limited(path)?, password)
}

/// Loads the RSA private key in `bytes`, read from `path` (which only names it in messages).
pub fn load_bytes(path: &Path, bytes: &[u8], password: impl FnOnce() -> Result<Password>) -> Result<RsaKey> {
    let private = decode(bytes, password).map_err(|e| match e {
        Decoded::Refused(reason) => Error::key(path, reason),
        Decoded::Failed(err) => err,
    })?;
    let key =
        RsaKey::from_private(private).map_err(|e| Error::key(path, format!("cannot encode the public key: {e}")))?;
    if key.bits() < MIN_BITS {
        return Err(Error::key(
            path,
            format!(
                "key is RSA-{}; Apple requires at least {MIN_BITS} bits, give a larger RSA key",
                key.bits()
            ),
        ));
    }
    Ok(key)
}

enum Decoded {
    /// The key was read but cannot be used; the text says why.
    Refused(String),
    /// Getting the password failed.
    Failed(Error),
}

impl From<String> for Decoded {
    fn from(reason: String) -> Self {
        Decoded::Refused(reason)
    }
}

impl From<&str> for Decoded {
    fn from(reason: &str) -> Self {
        Decoded::Refused(reason.into())
    }
}

fn read_limited(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    let bytes = input::read(path, Kind::Key)?;
    if bytes.is_empty() {
        return Err(Error::key(path, "file is empty"));
    }
    Ok(bytes)
}

fn decode(bytes: &[u8], password: impl FnOnce() -> Result<Password>) -> Result<RsaPrivateKey, Decoded> {
    if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return decode_der(bytes, password);
    }
    let blocks = pem::parse_many(bytes).map_err(|e| format!("malformed PEM: {e}"))?;
    let keys: Vec<_> = blocks.iter().filter(|b| b.tag().ends_with("PRIVATE KEY")).collect();
    match keys.as_slice() {
        [] => Err(no_key_in(&blocks).into()),
        [block] => decode_pem_block(block, password),
        _ => Err(format!("file holds {} private keys; give a file with exactly one", keys.len()).into()),
    }
}

fn no_key_in(blocks: &[pem::Pem]) -> String {
    match blocks.first().map(pem::Pem::tag) {
        None => "malformed PEM: no complete BEGIN/END block".into(),
        Some("CERTIFICATE") => {
            "holds a certificate, not a private key; give the key the certificate was made from".into()
        }
        Some(tag) => format!("holds a PEM '{tag}' block, not a private key"),
    }
}

fn decode_pem_block(block: &pem::Pem, password: impl FnOnce() -> Result<Password>) -> Result<RsaPrivateKey, Decoded> {
    let body = block.contents();
    match block.tag() {
        "PRIVATE KEY" => decode_pkcs8(body),
        "ENCRYPTED PRIVATE KEY" => decode_encrypted_pkcs8(body, password),
        "RSA PRIVATE KEY" => match block.headers().get("DEK-Info") {
            None => RsaPrivateKey::from_pkcs1_der(body).map_err(|e| format!("malformed RSA private key: {e}").into()),
            Some(dek_info) => {
                let password = password().map_err(Decoded::Failed)?;
                let plain = super::legacy_pem::decrypt(dek_info, body, &password).map_err(|e| e.to_string())?;
                RsaPrivateKey::from_pkcs1_der(&plain)
                    .map_err(|_| "wrong key password (the decrypted key is not an RSA key)".into())
            }
        },
        "EC PRIVATE KEY" => Err(format!("key is EC; {WHY_RSA}").into()),
        "DSA PRIVATE KEY" => Err(format!("key is DSA; {WHY_RSA}").into()),
        "OPENSSH PRIVATE KEY" => Err("key is in OpenSSH format; convert it with `ssh-keygen -p -m PEM -f FILE`".into()),
        tag => Err(format!("unsupported PEM block '{tag}'").into()),
    }
}

fn decode_der(bytes: &[u8], password: impl FnOnce() -> Result<Password>) -> Result<RsaPrivateKey, Decoded> {
    if PrivateKeyInfoRef::from_der(bytes).is_ok() {
        return decode_pkcs8(bytes);
    }
    if EncryptedPrivateKeyInfoRef::from_der(bytes).is_ok() {
        return decode_encrypted_pkcs8(bytes, password);
    }
    if let Ok(key) = RsaPrivateKey::from_pkcs1_der(bytes) {
        return Ok(key);
    }
    if x509_parser::parse_x509_certificate(bytes).is_ok() {
        return Err("holds a certificate, not a private key; give the key the certificate was made from".into());
    }
    Err("not a private key: neither PEM nor DER PKCS#1/PKCS#8".into())
}

fn decode_pkcs8(der: &[u8]) -> Result<RsaPrivateKey, Decoded> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|e| format!("malformed PKCS#8 key: {e}"))?;
    if info.algorithm.oid != oid::RSA_ENCRYPTION {
        return Err(format!("key is {}; {WHY_RSA}", algorithm_name(&info)).into());
    }
    RsaPrivateKey::from_pkcs8_der(der).map_err(|e| format!("malformed RSA private key: {e}").into())
}

fn decode_encrypted_pkcs8(der: &[u8], password: impl FnOnce() -> Result<Password>) -> Result<RsaPrivateKey, Decoded> {
    let info = EncryptedPrivateKeyInfoRef::from_der(der).map_err(|e| format!("malformed encrypted PKCS#8 key: {e}"))?;
    within_budget(&info.encryption_algorithm)?;
    let password = password().map_err(Decoded::Failed)?;
    let plain = info.decrypt(password.secret_str()).map_err(|e| match e {
        rsa::pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::DecryptFailed) => {
            "wrong key password (the key did not decrypt)".to_string()
        }
        _ => format!(
            "key is encrypted with {}, which iospki does not read; re-encrypt with `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
            info.encryption_algorithm.oid()
        ),
    })?;
    decode_pkcs8(plain.as_bytes())
}

/// Refuses, before its password is asked for, a key whose derivation would take more work or memory than iospki
/// allows for one file (a PBKDF2 count of 2^32-1 runs for hours, scrypt with N=2^40 asks for a petabyte).
fn within_budget(scheme: &pkcs5::EncryptionScheme) -> Result<(), Decoded> {
    // PBES1 derives nothing here: pkcs5 refuses to decrypt it.
    let Some(parameters) = scheme.pbes2() else {
        return Ok(());
    };
    let derivation = Derivation::pbes2(parameters).ok_or(RE_ENCRYPT)?;
    Budget::new(1)
        .check(Cost::of(derivation, 1))
        .map_err(|e| format!("key is encrypted with {e}").into())
}

pub(super) fn algorithm_name(info: &PrivateKeyInfoRef<'_>) -> String {
    match info.algorithm.oid {
        oid::EC_PUBLIC_KEY => match info.algorithm.parameters_oid().ok() {
            Some(oid::P256) => "EC P-256".into(),
            Some(oid::P384) => "EC P-384".into(),
            Some(oid::P521) => "EC P-521".into(),
            _ => "EC".into(),
        },
        oid::ED25519 => "Ed25519".into(),
        oid::ED448 => "Ed448".into(),
        oid::DSA => "DSA".into(),
        oid::RSASSA_PSS => "RSASSA-PSS (an RSA key restricted to PSS)".into(),
        other => format!("of algorithm {other}"),
    }
}
