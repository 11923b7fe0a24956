//! PKCS#12 files through p12-keystore, with the protection profile chosen for who must read them.

use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
    PrivateKeyChain,
};
use sha1::{Digest, Sha1};

use super::{Entry, Keystore, StoreError};
use crate::secret::Password;

/// How a PKCS#12 file is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Protection {
    /// PBE-SHA1-3DES for keys and certificates, HMAC-SHA1 MAC: read by every Java 8 update, by OpenSSL 3
    /// without `-legacy`, by macOS, iOS and Windows.
    #[default]
    Legacy,
    /// PBES2 AES-256-CBC with PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC: needs Java 8u301+ or OpenSSL 1.1.1+.
    Modern,
}

impl Protection {
    fn algorithm(self) -> (EncryptionAlgorithm, MacAlgorithm, u32) {
        match self {
            // OpenSSL's iteration count for both.
            Protection::Legacy => (
                EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
                MacAlgorithm::HmacSha1,
                2048,
            ),
            // Java 17's keystore.pkcs12 defaults.
            Protection::Modern => (
                EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
                MacAlgorithm::HmacSha256,
                10_000,
            ),
        }
    }
}

/// Whether `password` can protect a PKCS#12 file: its password is a BMPString, so characters beyond
/// U+FFFF (emoji, for instance) cannot be part of it.
pub fn check_password(password: &Password) -> Result<(), StoreError> {
    match password
        .secret_str()
        .chars()
        .find(|&c| u32::from(c) > 0xffff)
    {
        Some(c) => Err(StoreError::Unsupported(format!(
            "the password has a character beyond U+FFFF (U+{:X}), which a PKCS#12 password (BMPString) cannot hold; choose another",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

/// Encodes `store` as PKCS#12 with `password` for keys, certificates and the MAC.
pub fn write(
    store: &Keystore,
    password: &Password,
    protection: Protection,
) -> Result<Vec<u8>, StoreError> {
    check_password(password)?;
    let mut p12 = KeyStore::new();
    for item in store.entries() {
        let entry = match &item.entry {
            Entry::PrivateKey { key, chain } => {
                let chain = chain
                    .iter()
                    .map(|c| certificate(c))
                    .collect::<Result<Vec<_>, _>>()?;
                let key = PrivateKey::from_der(key.secret_pkcs8_der()).map_err(encoding_error)?;
                // OpenSSL's localKeyId: SHA-1 of the leaf certificate.
                let local_key_id = chain
                    .first()
                    .map(|c| Sha1::digest(c.as_der()).to_vec())
                    .unwrap_or_default();
                KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(local_key_id, key, chain))
            }
            Entry::TrustedCert(cert) => KeyStoreEntry::Certificate(certificate(cert)?),
        };
        p12.add_entry(&item.alias, entry);
    }
    let (encryption, mac, iterations) = protection.algorithm();
    p12.writer(password.secret_str())
        .encryption_algorithm(encryption)
        .encryption_iterations(iterations)
        .mac_algorithm(mac)
        .mac_iterations(iterations)
        .write()
        .map_err(encoding_error)
}

fn certificate(der: &[u8]) -> Result<Certificate, StoreError> {
    Certificate::from_der(der).map_err(encoding_error)
}

fn encoding_error(err: p12_keystore::error::Error) -> StoreError {
    StoreError::Unsupported(format!("PKCS#12 encoding failed: {err}"))
}
