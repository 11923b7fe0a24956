//! One keystore model (aliased key entries and trusted certificates) with JKS and PKCS#12 encodings behind it.

pub mod jks;
mod key_protector;
pub mod pkcs12;

use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use time::OffsetDateTime;

use crate::error::{Error, Result};

/// Why a keystore could not be read or written. The caller adds the file name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The integrity check failed: the password is wrong or the bytes were changed.
    #[error("store password is wrong or the file was modified")]
    WrongPassword,
    /// A key entry did not decrypt with the password given for it.
    #[error("key password for alias '{0}' is wrong")]
    WrongKeyPassword(String),
    /// The bytes are not a well-formed store of this format.
    #[error("malformed {format}: {reason}")]
    Malformed {
        /// "JKS" or "PKCS#12".
        format: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The store is well-formed but holds something iospki cannot handle.
    #[error("{0}")]
    Unsupported(String),
}

/// What an alias names.
#[derive(Debug)]
pub enum Entry {
    /// A private key (PKCS#8) with its certificate chain, leaf first.
    PrivateKey {
        /// The key; its bytes are reached through [`Entry::secret_key`] only.
        key: PrivatePkcs8KeyDer<'static>,
        /// The chain, leaf first, root last.
        chain: Vec<CertificateDer<'static>>,
    },
    /// A certificate trusted as an anchor.
    TrustedCert(CertificateDer<'static>),
}

/// Key bytes are wiped when the entry goes: `PrivatePkcs8KeyDer` can zeroize but does not on drop.
impl Drop for Entry {
    fn drop(&mut self) {
        if let Entry::PrivateKey { key, .. } = self {
            zeroize::Zeroize::zeroize(key);
        }
    }
}

impl Entry {
    /// The PKCS#8 bytes of a key entry.
    pub fn secret_key(&self) -> Option<&[u8]> {
        match self {
            Entry::PrivateKey { key, .. } => Some(key.secret_pkcs8_der()),
            Entry::TrustedCert(_) => None,
        }
    }

    /// The entry's own certificate: the chain's leaf, or the trusted certificate.
    pub fn certificate(&self) -> Option<&CertificateDer<'static>> {
        match self {
            Entry::PrivateKey { chain, .. } => chain.first(),
            Entry::TrustedCert(cert) => Some(cert),
        }
    }
}

/// An entry under its alias, with the date it was added.
#[derive(Debug)]
pub struct AliasedEntry {
    /// The alias, in lower case as Java's JKS and PKCS12 keystores keep it.
    pub alias: String,
    /// When the entry was created (milliseconds are kept, as Java stores them).
    pub created: OffsetDateTime,
    /// The entry.
    pub entry: Entry,
}

/// A keystore: entries in insertion order, aliases unique without regard to case.
#[derive(Debug, Default)]
pub struct Keystore {
    entries: Vec<AliasedEntry>,
}

impl Keystore {
    /// An empty keystore.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `entry` under `alias`, replacing any entry with the same alias; returns the replaced one.
    pub fn insert(
        &mut self,
        alias: &str,
        created: OffsetDateTime,
        entry: Entry,
    ) -> Result<Option<AliasedEntry>> {
        let alias = check_alias(alias)?;
        let new = AliasedEntry {
            alias,
            created,
            entry,
        };
        match self.entries.iter_mut().find(|e| e.alias == new.alias) {
            Some(slot) => Ok(Some(std::mem::replace(slot, new))),
            None => {
                self.entries.push(new);
                Ok(None)
            }
        }
    }

    /// The entry under `alias`, compared without regard to case as Java does.
    pub fn get(&self, alias: &str) -> Option<&AliasedEntry> {
        let alias = alias.to_lowercase();
        self.entries.iter().find(|e| e.alias == alias)
    }

    /// The entries in order.
    pub fn entries(&self) -> &[AliasedEntry] {
        &self.entries
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Java keystores keep aliases in lower case: a mixed-case alias is written but never found again by some
/// readers, so iospki stores the lower-case form and refuses what cannot be an alias.
fn check_alias(alias: &str) -> Result<String> {
    if alias.is_empty() || alias.len() > 255 || alias.chars().any(char::is_control) {
        return Err(Error::InvalidOption {
            option: "alias",
            reason: format!("'{}' is not a usable keystore alias", alias.escape_debug()),
        });
    }
    Ok(alias.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_lower_case_and_unique() {
        let mut store = Keystore::new();
        let cert = CertificateDer::from(vec![0x30, 0x00]);
        let now = OffsetDateTime::UNIX_EPOCH;
        assert!(
            store
                .insert("CACert", now, Entry::TrustedCert(cert.clone()))
                .unwrap()
                .is_none()
        );
        let replaced = store
            .insert("cacert", now, Entry::TrustedCert(cert))
            .unwrap();
        assert_eq!(replaced.unwrap().alias, "cacert");
        assert_eq!(store.len(), 1);
        assert!(store.get("CACERT").is_some());
    }

    #[test]
    fn control_characters_are_not_an_alias() {
        let err = check_alias("a\nb").unwrap_err().to_string();
        assert!(err.contains("a\\nb"), "{err}");
    }
}
