//! One keystore model (aliased key entries and trusted certificates) with JKS and PKCS#12 encodings behind it.
//! It may import `io`, `vocab`, `error` and the other modules of `formats`; nothing of a product.
//!
//! The format of a file is told from its bytes, never from its name: JDK 9+ keytool writes PKCS#12 into files
//! named .jks.

mod foreign;
pub mod jks;
mod key_protector;
pub mod pkcs12;

use std::collections::HashMap;

use der::Sequence;
use der::asn1::OctetString;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use zeroize::Zeroizing;

pub use crate::error::StoreError;
use crate::error::{Error, Result};
use crate::formats::alias::Alias;
use crate::io::secret::Password;
pub use foreign::Foreign;

/// How a keystore file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Format {
    /// Java's JKS (magic FEEDFEED).
    #[serde(rename = "JKS")]
    Jks,
    /// PKCS#12 / PFX.
    #[serde(rename = "PKCS#12")]
    Pkcs12,
}

impl Format {
    /// The format of `data`, told from its first bytes; `None` when it is no keystore iospki reads.
    pub fn detect(data: &[u8]) -> Option<Format> {
        match data {
            [0xfe, 0xed, 0xfe, 0xed, ..] => Some(Format::Jks),
            // A DER SEQUENCE with a long-form length, as every PFX of more than 127 bytes starts.
            [0x30, 0x80..=0x84, ..] => Some(Format::Pkcs12),
            _ => None,
        }
    }

    /// Both formats.
    pub const ALL: [Format; 2] = [Format::Jks, Format::Pkcs12];

    /// Its key, as `--store-type` and the description's `store_type` name it: `jks`, `pkcs12`.
    pub fn key(self) -> &'static str {
        match self {
            Format::Jks => "jks",
            Format::Pkcs12 => "pkcs12",
        }
    }

    /// The format `key` names.
    pub fn from_key(key: &str) -> Option<Format> {
        Self::ALL.into_iter().find(|format| format.key() == key)
    }

    /// "JKS" or "PKCS#12".
    pub fn name(self) -> &'static str {
        match self {
            Format::Jks => "JKS",
            Format::Pkcs12 => "PKCS#12",
        }
    }
}

/// What Java accepts in a store but an operator should hear of: iospki reads the store as Java does and
/// reports each as a warning (and verify as a finding where the server is concerned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Oddity {
    /// A PKCS#12 file without a MAC: anyone who can write it can change what it holds.
    NoMac,
    /// The store opened with the empty password, so its integrity check proves nothing.
    EmptyPassword,
    /// JKS aliases that appear more than once: the last entry of each is kept, as Java's Hashtable keeps it.
    DuplicateAliases(Vec<String>),
    /// An entry's alias is empty (a PKCS#12 friendlyName of ""): keytool lists it as alias "".
    EmptyAlias,
    /// PKCS#12 private keys in the clear (keyBag, as OpenSSL writes with `-keypbe NONE`): Java's PKCS12 keystore
    /// skips them, so the server sees no key there (and, without one, none of its certificates either).
    KeysInTheClear(usize),
    /// PKCS#12 certificates that belong to no key and lack Java's trust attribute (OpenSSL writes none): iospki
    /// lists them as trusted certificates, Java's PKCS12 keystore does not list them, and a server trusts none.
    NotTrustedByJava(usize),
    /// PKCS#12 friendlyNames that end in a NUL (a C string's terminator), read without it: Java's aliases keep it.
    NulTerminatedNames(Vec<String>),
}

/// How many duplicated aliases a warning names before it counts the rest.
const NAMED_DUPLICATES: usize = 3;

impl std::fmt::Display for Oddity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Oddity::NoMac => {
                f.write_str("the file has no MAC: anyone who can write it can change its entries unnoticed")
            }
            Oddity::EmptyPassword => f.write_str(
                "the store password is empty: anyone who can write the file can change it and its integrity check",
            ),
            Oddity::DuplicateAliases(aliases) => {
                let named: Vec<_> = aliases
                    .iter()
                    .take(NAMED_DUPLICATES)
                    .map(|a| format!("'{}'", a.escape_debug()))
                    .collect();
                let more = match aliases.len().saturating_sub(NAMED_DUPLICATES) {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                let (subject, verb) = if aliases.len() == 1 {
                    ("alias", "appears")
                } else {
                    ("aliases", "appear")
                };
                write!(
                    f,
                    "{subject} {}{more} {verb} more than once: Java uses the last entry of each, and so does iospki",
                    named.join(", ")
                )
            }
            Oddity::KeysInTheClear(count) => write!(
                f,
                "{count} private key{} in the clear (keyBag), which Java's PKCS12 keystore skips: Java lists no \
                 such key entry",
                if *count == 1 { " is" } else { "s are" }
            ),
            Oddity::NotTrustedByJava(count) => write!(
                f,
                "{count} certificate{} outside any key's chain {} no Java trust attribute (OpenSSL writes none): \
                 Java's PKCS12 keystore does not list such certificates, so a Java server does not trust them",
                if *count == 1 { "" } else { "s" },
                if *count == 1 { "has" } else { "have" },
            ),
            Oddity::NulTerminatedNames(names) => write!(
                f,
                "the friendlyName of '{}'{} ends in a NUL character, which iospki leaves out of the alias and Java keeps",
                names
                    .first()
                    .map(|name| name.escape_debug().to_string())
                    .unwrap_or_default(),
                match names.len() {
                    0 | 1 => String::new(),
                    n => format!(" and {} more", n - 1),
                }
            ),
            Oddity::EmptyAlias => {
                f.write_str("an entry has the empty alias \"\" (an empty friendlyName), which keytool lists as such")
            }
        }
    }
}

/// A private key as a store holds it.
pub enum PrivateKey {
    /// PKCS#8, in the clear (in memory only).
    Pkcs8(PrivatePkcs8KeyDer<'static>),
    /// A JKS key entry's EncryptedPrivateKeyInfo (Sun KeyProtector), recovered with the entry's key password.
    /// Kept as it is so that a store can be listed, and merged, without every key password.
    JksProtected(Vec<u8>),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrivateKey::Pkcs8(_) => f.write_str("PrivateKey::Pkcs8([secret elided])"),
            PrivateKey::JksProtected(bytes) => write!(f, "PrivateKey::JksProtected({} bytes)", bytes.len()),
        }
    }
}

/// Key bytes are wiped when the key goes: `PrivatePkcs8KeyDer` can zeroize but does not on drop.
impl Drop for PrivateKey {
    fn drop(&mut self) {
        if let PrivateKey::Pkcs8(key) = self {
            zeroize::Zeroize::zeroize(key);
        }
    }
}

impl PrivateKey {
    /// The PKCS#8 bytes, recovering a JKS-protected key with `password`.
    pub fn secret_pkcs8(&self, alias: &str, password: &Password) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        match self {
            PrivateKey::Pkcs8(key) => Ok(Zeroizing::new(key.secret_pkcs8_der().to_vec())),
            PrivateKey::JksProtected(bytes) => {
                key_protector::recover(bytes, password).ok_or_else(|| StoreError::WrongKeyPassword(alias.into()))
            }
        }
    }
}

/// What an alias names.
#[derive(Debug)]
pub enum Entry {
    /// A private key with its certificate chain, leaf first.
    PrivateKey {
        /// The key.
        key: PrivateKey,
        /// The chain, leaf first, root last.
        chain: Vec<CertificateDer<'static>>,
    },
    /// A certificate trusted as an anchor.
    TrustedCert(CertificateDer<'static>),
    /// An AES key (Secure Vault's symmetric cipher), which only PKCS#12 holds.
    SecretKey(Zeroizing<Vec<u8>>),
}

impl Entry {
    /// A key entry for PKCS#8 bytes and a chain.
    pub fn key(pkcs8: &[u8], chain: Vec<CertificateDer<'static>>) -> Entry {
        Entry::PrivateKey {
            key: PrivateKey::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8.to_vec())),
            chain,
        }
    }

    /// The entry's own certificate: the chain's leaf, or the trusted certificate.
    pub fn certificate(&self) -> Option<&CertificateDer<'static>> {
        match self {
            Entry::PrivateKey { chain, .. } => chain.first(),
            Entry::TrustedCert(cert) => Some(cert),
            Entry::SecretKey(_) => None,
        }
    }

    /// Whether the entry holds a private key.
    pub fn is_key(&self) -> bool {
        matches!(self, Entry::PrivateKey { .. })
    }

    /// "PrivateKeyEntry" or "trustedCertEntry", as keytool names them.
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::PrivateKey { .. } => "PrivateKeyEntry",
            Entry::TrustedCert(_) => "trustedCertEntry",
            Entry::SecretKey(_) => "SecretKeyEntry",
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
    /// Position of each (lower-case) alias in `entries`, so that building a store stays linear in its size.
    index: HashMap<String, usize>,
}

impl Keystore {
    /// An empty keystore.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `entry` under `alias`, replacing any entry with the same alias; returns the replaced one.
    pub fn insert(&mut self, alias: &str, created: OffsetDateTime, entry: Entry) -> Result<Option<AliasedEntry>> {
        let alias = Alias::found(alias).map_err(|e| Error::invalid("alias", e))?.to_string();
        let new = AliasedEntry { alias, created, entry };
        match self.index.get(&new.alias) {
            Some(&at) => Ok(Some(std::mem::replace(&mut self.entries[at], new))),
            None => {
                self.index.insert(new.alias.clone(), self.entries.len());
                self.entries.push(new);
                Ok(None)
            }
        }
    }

    /// The entry under `alias`, compared without regard to case as Java does.
    pub fn get(&self, alias: &str) -> Option<&AliasedEntry> {
        self.index.get(&alias.to_lowercase()).map(|&at| &self.entries[at])
    }

    /// The entries in order.
    pub fn entries(&self) -> &[AliasedEntry] {
        &self.entries
    }

    /// Takes the entries out, in order.
    pub fn into_entries(self) -> Vec<AliasedEntry> {
        self.entries
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

/// Whether a store's integrity was checked when it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Integrity {
    /// The MAC or digest matched the password.
    Verified,
    /// Not checked against tampering: a JKS listed without its password, or a PKCS#12 file without a MAC.
    NotChecked,
}

/// A keystore file, opened.
#[derive(Debug)]
pub struct Opened {
    /// How it is encoded.
    pub format: Format,
    /// Its protection and who can read it, e.g. "PKCS#12 3DES, MAC HMAC-SHA1: any Java 8, OpenSSL 3".
    pub protection: String,
    /// Whether Java 8 before 8u301 (which IoT Server 3.x runs on) can read it.
    pub java8_readable: bool,
    /// Whether the integrity check ran.
    pub integrity: Integrity,
    /// What Java accepts in it but is worth a warning, in the order found.
    pub oddities: Vec<Oddity>,
    /// The entries.
    pub store: Keystore,
}

/// Opens a keystore from its bytes, as Java's KeyStore.load does. Without a password a JKS store is listed
/// unchecked, and a PKCS#12 file opens only if it has neither MAC nor encryption.
pub fn open(data: &[u8], password: Option<&Password>) -> Result<Opened, StoreError> {
    let opened = match (format(data)?, password) {
        (Format::Jks, _) => jks::open(data, password)?,
        (Format::Pkcs12, Some(password)) => pkcs12::open(data, password)?,
        (Format::Pkcs12, None) => pkcs12::open_without_password(data)?,
    };
    Ok(noted(opened, password))
}

/// Opens a keystore with the first of `passwords` that opens it, and says which. For PKCS#12 the key
/// derivations of trying them all must fit in iospki's budget for one file, which is checked before the first
/// try ([`crate::formats::kdf`]); JKS derives no keys.
pub fn open_with_any<'p>(data: &[u8], passwords: &'p [Password]) -> Result<(Opened, &'p Password), StoreError> {
    if format(data)? == Format::Pkcs12 {
        let (opened, used) = pkcs12::open_with_any(data, passwords)?;
        return Ok((noted(opened, Some(used)), used));
    }
    for password in passwords {
        match open(data, Some(password)) {
            Err(StoreError::WrongPassword) => continue,
            result => return result.map(|opened| (opened, password)),
        }
    }
    Err(StoreError::WrongPassword)
}

/// The format of a store iospki reads; for any other file, what it is.
fn format(data: &[u8]) -> Result<Format, StoreError> {
    match (Format::detect(data), Foreign::detect(data)) {
        (Some(format), _) => Ok(format),
        (None, Some(foreign)) => Err(StoreError::Unsupported(foreign.refusal())),
        (None, None) => Err(StoreError::Unsupported(
            "not a keystore: neither JKS nor PKCS#12".into(),
        )),
    }
}

/// `opened` with the oddities that any format can have: the empty password, the empty alias.
fn noted(mut opened: Opened, password: Option<&Password>) -> Opened {
    if password.is_some_and(Password::is_empty) {
        opened.oddities.push(Oddity::EmptyPassword);
    }
    if opened.store.get("").is_some() {
        opened.oddities.push(Oddity::EmptyAlias);
    }
    opened
}

/// PKCS#8 EncryptedPrivateKeyInfo with any algorithm: the shape of JKS key entries and PKCS#12 shrouded key
/// bags alike, decoded here without interpreting the algorithm.
#[derive(Sequence)]
pub(crate) struct EncryptedPrivateKeyInfo {
    pub(crate) algorithm: AlgorithmIdentifierOwned,
    pub(crate) encrypted_data: OctetString,
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
        let replaced = store.insert("cacert", now, Entry::TrustedCert(cert)).unwrap();
        assert_eq!(replaced.unwrap().alias, "cacert");
        assert_eq!(store.len(), 1);
        assert!(store.get("CACERT").is_some());
    }

    #[test]
    fn control_characters_are_not_an_alias() {
        let cert = CertificateDer::from(vec![0x30, 0x00]);
        let err = Keystore::new()
            .insert("a\nb", OffsetDateTime::UNIX_EPOCH, Entry::TrustedCert(cert))
            .unwrap_err()
            .to_string();
        assert!(err.contains("a\\nb"), "{err}");
    }

    #[test]
    fn format_comes_from_the_bytes() {
        assert_eq!(Format::detect(&[0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]), Some(Format::Jks));
        assert_eq!(Format::detect(&[0x30, 0x82, 0x0a, 0x10]), Some(Format::Pkcs12));
        assert_eq!(Format::detect(b"-----BEGIN"), None);
        let err = open(&[0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2], None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "a JCEKS keystore: iospki reads JKS and PKCS#12; convert it with keytool -importkeystore"
        );
    }

    #[test]
    fn duplicated_aliases_are_named_up_to_three_then_counted() {
        let one = Oddity::DuplicateAliases(vec!["wso2carbon".into()]).to_string();
        assert_eq!(
            one,
            "alias 'wso2carbon' appears more than once: Java uses the last entry of each, and so does iospki"
        );
        let many = Oddity::DuplicateAliases((0..10_000).map(|n| n.to_string()).collect()).to_string();
        assert!(
            many.starts_with("aliases '0', '1', '2' and 9997 more appear more than once"),
            "{many}"
        );
    }
}
