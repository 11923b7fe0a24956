//! Secure Vault's ciphers: a password encrypted as WSO2's cipher tool encrypts it, and decrypted as the server's
//! file secret repository decrypts it at start.
//!
//! wso2/cipher-tool's `AsymmetricCipher` takes `Cipher.getInstance("RSA")`, which is RSA/ECB/PKCS1Padding, with
//! the public key of the certificate under `keystore.identity.alias`, and writes Base64 of the raw ciphertext of
//! the UTF-8 password; wso2/carbon-secvault decrypts with the private key under the same alias and the
//! transformation of `secretRepositories.file.algorithm`, `RSA` when unset, which is what secret-conf.properties
//! written by iospki leaves it.
//!
//! The symmetric mode (cipher-tool 1.1.26+'s `SymmetricCipher`, carbon-secvault 1.1.9+ with
//! `secretRepositories.file.encryptionMode=symmetric`): AES/GCM/NoPadding under the secret key of the same alias,
//! a random 128-byte IV and a 128-bit tag; the value is Base64 of the JSON
//! `{"cipherText": Base64(ciphertext || tag), "iv": Base64(iv)}`.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use crate::formats::crypto;
use crate::formats::key::RsaKey;
use crate::io::secret::SymmetricKey;

/// AES-128-GCM with the cipher tool's 128-byte IV and a 128-bit tag.
type Gcm = aes_gcm::AesGcm<aes::Aes128, aes_gcm::aead::consts::U128>;

/// The length of the IV the cipher tool draws for each value.
const IV_BYTES: usize = 128;

/// The cipher tool's and the server's name for the transformation: PKCS#1 v1.5 padding.
pub const ALGORITHM: &str = "RSA";

/// Why a value does not decrypt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The value is not Base64.
    #[error("is not Base64")]
    NotBase64,
    /// The ciphertext is not one under this key (for AES-GCM: its tag does not check). The rsa crate rejects bad
    /// padding implicitly (a synthetic
    /// plaintext, against Marvin's timing attack), so a value under another key usually shows as text that is
    /// not UTF-8, and otherwise as a password that does not open its store.
    #[error("does not decrypt with the key of keystore.identity.alias (RSA, PKCS#1 v1.5 padding)")]
    WrongKey,
    /// The certificate's key is not RSA.
    #[error("cannot be encrypted with this certificate: its key is not RSA")]
    NotRsa,
    /// The AES cipher could not be set up or run.
    #[error("cannot be encrypted with AES-GCM")]
    NotAes,
    /// A symmetric value that is not the cipher tool's JSON of a ciphertext and a 128-byte IV.
    #[error("is not the cipher tool's AES-GCM value (Base64 of JSON with cipherText and a 128-byte iv)")]
    NotGcmJson,
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

/// The key that encrypts a set's secrets: the RSA key of `keystore.identity.alias` (the default), or the AES key
/// under it (the symmetric mode).
#[derive(Debug, Clone, Copy)]
pub enum VaultKey<'a> {
    /// RSA, PKCS#1 v1.5.
    Rsa(&'a RsaKey),
    /// AES-GCM.
    Aes(&'a SymmetricKey),
}

impl VaultKey<'_> {
    /// `secret` encrypted as cipher-text.properties holds it.
    pub fn encrypt(self, secret: &str) -> Result<String, VaultError> {
        match self {
            VaultKey::Rsa(key) => encrypt(key.public_key_der(), secret),
            VaultKey::Aes(key) => encrypt_aes(key, secret),
        }
    }

    /// The password a cipher-text.properties value holds.
    pub fn decrypt(self, value: &str) -> Result<Zeroizing<String>, VaultError> {
        match self {
            VaultKey::Rsa(key) => decrypt(key, value),
            VaultKey::Aes(key) => decrypt_aes(key, value),
        }
    }
}

/// The JSON inside a symmetric value, as the cipher tool writes it.
#[derive(serde::Serialize, serde::Deserialize)]
struct GcmValue {
    #[serde(rename = "cipherText")]
    cipher_text: String,
    iv: String,
}

/// `secret` encrypted with AES-GCM under `key`, a random IV, as the cipher tool's symmetric mode writes it.
pub fn encrypt_aes(key: &SymmetricKey, secret: &str) -> Result<String, VaultError> {
    use aes_gcm::aead::Aead;
    let mut iv = [0u8; IV_BYTES];
    rand::RngExt::fill(&mut rand::rng(), &mut iv[..]);
    let sealed = (gcm(key)?)
        .encrypt(&nonce(&iv)?, secret.as_bytes())
        .map_err(|_| VaultError::NotAes)?;
    let value = GcmValue {
        cipher_text: Base64::encode_string(&sealed),
        iv: Base64::encode_string(&iv),
    };
    let json = serde_json::to_string(&value).map_err(|_| VaultError::NotAes)?;
    Ok(Base64::encode_string(json.as_bytes()))
}

fn gcm(key: &SymmetricKey) -> Result<Gcm, VaultError> {
    aes_gcm::aead::KeyInit::new_from_slice(key.secret_bytes()).map_err(|_| VaultError::NotAes)
}

/// The cipher tool's IV as GCM's nonce: exactly [`IV_BYTES`].
fn nonce(iv: &[u8]) -> Result<aes_gcm::Nonce<aes_gcm::aead::consts::U128>, VaultError> {
    aes_gcm::Nonce::try_from(iv).map_err(|_| VaultError::NotGcmJson)
}

/// The password a symmetric value holds, decrypted with `key`.
pub fn decrypt_aes(key: &SymmetricKey, value: &str) -> Result<Zeroizing<String>, VaultError> {
    use aes_gcm::aead::Aead;
    let json = Base64::decode_vec(value.trim()).map_err(|_| VaultError::NotBase64)?;
    let value: GcmValue = serde_json::from_slice(&json).map_err(|_| VaultError::NotGcmJson)?;
    let (sealed, iv) = (Base64::decode_vec(&value.cipher_text), Base64::decode_vec(&value.iv));
    let (Ok(sealed), Ok(iv)) = (sealed, iv) else {
        return Err(VaultError::NotGcmJson);
    };
    let nonce = nonce(&iv).map_err(|_| VaultError::NotGcmJson)?;
    let plain = (gcm(key)?).decrypt(&nonce, sealed.as_slice());
    let plain = Zeroizing::new(plain.map_err(|_| VaultError::WrongKey)?);
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
        key: VaultKey<'_>,
        secret: &str,
        earlier: Option<&Secrets>,
    ) -> Result<Secrets, VaultError> {
        let kept = |alias: &str| {
            let value = earlier?.get(alias)?;
            let plain = key.decrypt(value).ok()?;
            (*plain == *secret).then(|| value.to_owned())
        };
        let mut entries = Vec::with_capacity(aliases.len());
        for alias in aliases {
            let value = match kept(&alias) {
                Some(value) => value,
                None => key.encrypt(secret)?,
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
    fn a_symmetric_value_is_the_cipher_tools_json_and_decrypts_with_its_key_only() {
        let (key, other) = (SymmetricKey::generate(), SymmetricKey::generate());
        let value = encrypt_aes(&key, "pä=ss").unwrap();
        let json: serde_json::Value = serde_json::from_slice(&Base64::decode_vec(&value).unwrap()).unwrap();
        let iv = Base64::decode_vec(json["iv"].as_str().unwrap()).unwrap();
        let sealed = Base64::decode_vec(json["cipherText"].as_str().unwrap()).unwrap();
        assert_eq!((iv.len(), sealed.len()), (128, "pä=ss".len() + 16));
        assert_eq!(&*decrypt_aes(&key, &value).unwrap(), "pä=ss");
        assert_eq!(decrypt_aes(&other, &value).unwrap_err(), VaultError::WrongKey);
        assert_eq!(decrypt_aes(&key, "e30=").unwrap_err(), VaultError::NotGcmJson);
    }

    #[test]
    fn a_renewal_keeps_the_values_its_key_still_decrypts_and_encrypts_the_rest_again() {
        let keys = RsaKey::generate_many(2, 2048).unwrap();
        let aliases = || vec!["a".to_owned(), "b".to_owned()];
        let (key, new_key) = (VaultKey::Rsa(&keys[0]), VaultKey::Rsa(&keys[1]));
        let first = Secrets::encrypt(aliases(), key, "pw", None).unwrap();
        assert_eq!(Secrets::encrypt(aliases(), key, "pw", Some(&first)).unwrap(), first);
        let changed = Secrets::encrypt(aliases(), key, "other", Some(&first)).unwrap();
        let rekeyed = Secrets::encrypt(aliases(), new_key, "pw", Some(&first)).unwrap();
        for (alias, value) in first.entries() {
            assert_ne!(changed.get(alias), Some(value));
            assert_ne!(rekeyed.get(alias), Some(value));
            assert_eq!(&*decrypt(&keys[1], rekeyed.get(alias).unwrap()).unwrap(), "pw");
        }
    }
}
