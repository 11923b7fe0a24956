//! Sun's proprietary private-key protection in JKS (OpenJDK `sun.security.provider.KeyProtector`).
//!
//! A keystream is made by chaining SHA-1 over the password (UTF-16BE) and a 20-byte salt, XORed with the
//! PKCS#8 key, followed by SHA-1(password || key) as an integrity check. It is weak by design; JKS readers
//! need it, which is why it is here.

use der::asn1::{Any, OctetString};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use rand::RngExt;
use sha1::{Digest, Sha1};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::EncryptedPrivateKeyInfo;
use crate::io::secret::Password;

/// 1.3.6.1.4.1.42.2.17.1.1, Sun's key-protection algorithm.
const KEY_PROTECTOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.42.2.17.1.1");
pub(super) const SALT_LEN: usize = 20;
const DIGEST_LEN: usize = 20;

/// Protects a PKCS#8 key: returns the DER EncryptedPrivateKeyInfo a JKS key entry holds.
pub fn protect(pkcs8: &[u8], password: &Password) -> der::Result<Vec<u8>> {
    let salt: [u8; SALT_LEN] = rand::rng().random();
    protect_with_salt(pkcs8, password, salt)
}

pub(super) fn protect_with_salt(pkcs8: &[u8], password: &Password, salt: [u8; SALT_LEN]) -> der::Result<Vec<u8>> {
    let pass = password.secret_utf16_be();
    let mut data = Vec::with_capacity(SALT_LEN + pkcs8.len() + DIGEST_LEN);
    data.extend_from_slice(&salt);
    data.extend(
        pkcs8
            .iter()
            .zip(keystream(&pass, &salt, pkcs8.len()).iter())
            .map(|(k, s)| k ^ s),
    );
    data.extend_from_slice(&Sha1::new().chain_update(&pass).chain_update(pkcs8).finalize());
    EncryptedPrivateKeyInfo {
        algorithm: AlgorithmIdentifierOwned {
            oid: KEY_PROTECTOR,
            parameters: Some(Any::null()),
        },
        encrypted_data: OctetString::new(data)?,
    }
    .to_der()
}

/// Recovers the PKCS#8 key; `None` when the password is wrong or the data is not a protected key.
pub fn recover(encrypted: &[u8], password: &Password) -> Option<Zeroizing<Vec<u8>>> {
    let info = EncryptedPrivateKeyInfo::from_der(encrypted).ok()?;
    if info.algorithm.oid != KEY_PROTECTOR {
        return None;
    }
    let data = info.encrypted_data.as_bytes();
    let body_len = data.len().checked_sub(SALT_LEN + DIGEST_LEN)?;
    let (salt, rest) = data.split_at(SALT_LEN);
    let (body, check) = rest.split_at(body_len);
    let pass = password.secret_utf16_be();
    let stream = keystream(&pass, salt, body_len);
    let plain = Zeroizing::new(body.iter().zip(stream.iter()).map(|(c, s)| c ^ s).collect::<Vec<u8>>());
    let digest = Sha1::new().chain_update(&pass).chain_update(&plain).finalize();
    (digest.as_slice() == check).then_some(plain)
}

fn keystream(pass: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut stream = Zeroizing::new(Vec::with_capacity(len + DIGEST_LEN));
    let mut block = salt.to_vec();
    while stream.len() < len {
        block = Sha1::new().chain_update(pass).chain_update(&block).finalize().to_vec();
        stream.extend_from_slice(&block);
    }
    stream.truncate(len);
    stream
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protect_then_recover_round_trips() {
        let password = Password::new("wso2carbon");
        let key = (0..=255u8).cycle().take(1217).collect::<Vec<_>>();
        let protected = protect(&key, &password).unwrap();
        assert_eq!(recover(&protected, &password).unwrap().as_slice(), key.as_slice());
        assert!(recover(&protected, &Password::new("wrong")).is_none());
    }

    #[test]
    fn encoding_is_deterministic_for_a_given_salt() {
        let password = Password::new("pw");
        let a = protect_with_salt(b"key", &password, [7; SALT_LEN]).unwrap();
        let b = protect_with_salt(b"key", &password, [7; SALT_LEN]).unwrap();
        assert_eq!(a, b);
        // SEQUENCE { SEQUENCE { OID 1.3.6.1.4.1.42.2.17.1.1, NULL }, OCTET STRING (20 + 3 + 20) }
        assert_eq!(&a[..4], &[0x30, 0x3d, 0x30, 0x0e]);
    }
}
