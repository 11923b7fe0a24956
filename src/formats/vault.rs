//! Secure Vault's cipher: a password encrypted as WSO2's cipher tool encrypts it by default, and decrypted as the
//! server's file secret repository decrypts it at start.
//!
//! wso2/cipher-tool's `AsymmetricCipher` takes `Cipher.getInstance("RSA")`, which is RSA/ECB/PKCS1Padding, with
//! the public key of the certificate under `keystore.identity.alias`, and writes Base64 of the raw ciphertext of
//! the UTF-8 password; wso2/carbon-secvault decrypts with the private key under the same alias and the
//! transformation of `secretRepositories.file.algorithm`, `RSA` when unset, which is what secret-conf.properties
//! written by iospki leaves it.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use crate::formats::crypto;
use crate::formats::key::RsaKey;

/// The cipher tool's and the server's name for the transformation: PKCS#1 v1.5 padding.
pub const ALGORITHM: &str = "RSA";

/// Why a value does not decrypt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The value is not Base64.
    #[error("is not Base64")]
    NotBase64,
    /// The ciphertext is not one under this key. The rsa crate rejects bad padding implicitly (a synthetic
    /// plaintext, against Marvin's timing attack), so a value under another key usually shows as text that is
    /// not UTF-8, and otherwise as a password that does not open its store.
    #[error("does not decrypt with the key of keystore.identity.alias (RSA, PKCS#1 v1.5 padding)")]
    WrongKey,
    /// The certificate's key is not RSA.
    #[error("cannot be encrypted with this certificate: its key is not RSA")]
    NotRsa,
    /// The secret is longer than the key encrypts in one block.
    #[error("is {bytes} bytes (UTF-8), longer than the {longest} that RSA PKCS#1 v1.5 encrypts with this key")]
    TooLong {
        /// The secret's length.
        bytes: usize,
        /// The longest the key takes.
        longest: usize,
    },
}

/// `secret` encrypted to the PKCS#1 RSA public key `public_key`, as cipher-text.properties holds it. The padding is
/// random: each call gives another value, all of which decrypt to `secret`.
pub fn encrypt(public_key: &[u8], secret: &str) -> Result<String, VaultError> {
    let ciphertext = crypto::encrypt_pkcs1v15(public_key, secret.as_bytes()).map_err(|longest| match longest {
        Some(longest) => VaultError::TooLong {
            bytes: secret.len(),
            longest,
        },
        None => VaultError::NotRsa,
    })?;
    Ok(Base64::encode_string(&ciphertext))
}

/// The password a cipher-text.properties value holds, decrypted with `key`.
pub fn decrypt(key: &RsaKey, value: &str) -> Result<Zeroizing<String>, VaultError> {
    let ciphertext = Base64::decode_vec(value.trim()).map_err(|_| VaultError::NotBase64)?;
    let plain = key.decrypt_pkcs1v15(&ciphertext).ok_or(VaultError::WrongKey)?;
    let text = std::str::from_utf8(&plain).map_err(|_| VaultError::WrongKey)?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// The encrypted passwords of a set: each alias with its cipher-text.properties value, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Secrets(Vec<(String, String)>);

impl Secrets {
    /// `secret` encrypted for each of `aliases` to `key`. A value of `earlier` (the secrets of the set being
    /// renewed) that decrypts with `key` to `secret` is kept as it is: a renewal that keeps the key keeps the
    /// ciphertexts, one that changes it encrypts them again.
    pub fn encrypt(
        aliases: Vec<String>,
        key: &RsaKey,
        secret: &str,
        earlier: Option<&Secrets>,
    ) -> Result<Secrets, VaultError> {
        let kept = |alias: &str| {
            let value = earlier?.get(alias)?;
            let plain = decrypt(key, value).ok()?;
            (*plain == *secret).then(|| value.to_owned())
        };
        let mut entries = Vec::with_capacity(aliases.len());
        for alias in aliases {
            let value = match kept(&alias) {
                Some(value) => value,
                None => encrypt(key.public_key_der(), secret)?,
            };
            entries.push((alias, value));
        }
        Ok(Secrets(entries))
    }

    /// The value of `alias`.
    pub fn get(&self, alias: &str) -> Option<&str> {
        self.0.iter().find(|(a, _)| a == alias).map(|(_, value)| value.as_str())
    }

    /// Every alias with its value, in order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(alias, value)| (alias.as_str(), value.as_str()))
    }
}

impl From<Vec<(String, String)>> for Secrets {
    fn from(entries: Vec<(String, String)>) -> Secrets {
        Secrets(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_decrypts_to_its_secret_with_its_key_only_and_each_encryption_differs() {
        let keys = RsaKey::generate_many(2, 2048).unwrap();
        let secret = "pä\"ss=:#!\\ word";
        let first = encrypt(keys[0].public_key_der(), secret).unwrap();
        let second = encrypt(keys[0].public_key_der(), secret).unwrap();
        assert_ne!(first, second);
        assert_eq!(Base64::decode_vec(&first).unwrap().len(), 256);
        assert_eq!(&*decrypt(&keys[0], &second).unwrap(), secret);
        assert!(decrypt(&keys[1], &first).ok().is_none_or(|other| *other != secret));
        assert_eq!(decrypt(&keys[0], "[plain]").unwrap_err(), VaultError::NotBase64);
        assert_eq!(
            encrypt(keys[0].public_key_der(), &"x".repeat(246)).unwrap_err(),
            VaultError::TooLong {
                bytes: 246,
                longest: 245
            }
        );
    }

    #[test]
    fn a_renewal_keeps_the_values_its_key_still_decrypts_and_encrypts_the_rest_again() {
        let keys = RsaKey::generate_many(2, 2048).unwrap();
        let aliases = || vec!["a".to_owned(), "b".to_owned()];
        let first = Secrets::encrypt(aliases(), &keys[0], "pw", None).unwrap();
        assert_eq!(
            Secrets::encrypt(aliases(), &keys[0], "pw", Some(&first)).unwrap(),
            first
        );
        let changed = Secrets::encrypt(aliases(), &keys[0], "other", Some(&first)).unwrap();
        let rekeyed = Secrets::encrypt(aliases(), &keys[1], "pw", Some(&first)).unwrap();
        for (alias, value) in first.entries() {
            assert_ne!(changed.get(alias), Some(value));
            assert_ne!(rekeyed.get(alias), Some(value));
            assert_eq!(&*decrypt(&keys[1], rekeyed.get(alias).unwrap()).unwrap(), "pw");
        }
    }
}
