//! PKCS#12 files, read and written.
//! It may import `io`, `vocab`, `error` and the other modules of `formats`; nothing of a product.
//!
//! They are read within iospki's key-derivation budget ([`read`]), written as openssl writes them
//! ([`write`]) with the protection profile chosen for who must read them, and a description of any file's
//! protection that needs no password.

mod read;
mod write;

pub use write::write;

use std::collections::{HashMap, HashSet};

use der::asn1::{ContextSpecific, OctetString};
use der::{Decode, Encode};
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;

use super::{EncryptedPrivateKeyInfo, Entry, Integrity, Keystore, Oddity, Opened, StoreError};
use crate::formats::oid;
use crate::io::secret::Password;
use read::{CertificateBag, Contents};

/// RFC 7292's SecretBag as Java writes a secret key: of type pkcs8ShroudedKeyBag, its value an OCTET STRING
/// holding the EncryptedPrivateKeyInfo of a [`SecretKeyInfo`].
#[derive(der::Sequence)]
struct SecretBag {
    secret_type_id: der::oid::ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    secret_value: OctetString,
}

/// A secret key in the shape of a PKCS#8 PrivateKeyInfo, as Java's PKCS12 keystore encodes one: version 0, the
/// key's algorithm, its bytes.
#[derive(der::Sequence)]
struct SecretKeyInfo {
    version: u8,
    algorithm: spki::AlgorithmIdentifierOwned,
    key: OctetString,
}

/// How a PKCS#12 file is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protection {
    /// PBE-SHA1-3DES for keys and certificates, HMAC-SHA1 MAC: read by every Java 8 update, by OpenSSL 3
    /// without `-legacy`, by macOS, iOS and Windows.
    #[default]
    Legacy,
    /// PBES2 AES-256-CBC with PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC: needs Java 8u301+ or OpenSSL 1.1.1+.
    Modern,
}

impl Protection {
    /// Every profile, the default first.
    pub const ALL: [Protection; 2] = [Protection::Legacy, Protection::Modern];

    /// Its key, as `--p12-profile` and the description's `p12_profile` name it (serde's name too).
    pub fn key(self) -> &'static str {
        match self {
            Protection::Legacy => "legacy",
            Protection::Modern => "modern",
        }
    }

    /// What it is and who reads it, in a few words.
    pub fn summary(self) -> &'static str {
        match self {
            Protection::Legacy => "PBE-SHA1-3DES and HMAC-SHA1: every Java 8, OpenSSL 3 without -legacy",
            Protection::Modern => "AES-256/PBKDF2 and HMAC-SHA256: Java 8u301+, OpenSSL 1.1.1+",
        }
    }

    /// The iteration count of encryption and MAC: OpenSSL's 2048 for the legacy profile, Java 17's
    /// keystore.pkcs12 default of 10,000 for the modern one.
    fn iterations(self) -> i32 {
        match self {
            Protection::Legacy => 2048,
            Protection::Modern => 10_000,
        }
    }
}

/// Whether `password` can protect a PKCS#12 file: its password is a BMPString, so characters beyond
/// U+FFFF (emoji, for instance) cannot be part of it.
pub fn check_password(password: &Password) -> Result<(), StoreError> {
    match password.secret_str().chars().find(|&c| u32::from(c) > 0xffff) {
        Some(c) => Err(StoreError::Unsupported(format!(
            "the password has a character beyond U+FFFF (U+{:X}), which a PKCS#12 password (BMPString) cannot hold; choose another",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

/// Opens a PKCS#12 file with `password`: the MAC is checked, keys are linked to their chains by localKeyId
/// and issuer name, certificates that belong to no chain become trusted-certificate entries.
pub fn open(data: &[u8], password: &Password) -> Result<Opened, StoreError> {
    open_with_any(data, std::slice::from_ref(password)).map(|(opened, _)| opened)
}

/// [`open`] with the first of `passwords` that opens the file, and which one it was. The key derivations of
/// trying them all must fit in iospki's budget for one file ([`crate::formats::kdf`]); that is checked before the first.
pub fn open_with_any<'p>(data: &[u8], passwords: &'p [Password]) -> Result<(Opened, &'p Password), StoreError> {
    let (protection, java8_readable) = describe(data)?;
    let (contents, password) = read::read(data, passwords)?;
    Ok((opened(contents, protection, java8_readable)?, password))
}

/// Opens a PKCS#12 file that needs no password: no MAC, and nothing encrypted (Java's "passwordless" store,
/// which `KeyStore.load(stream, null)` reads whole). Any other file: [`StoreError::PasswordNeeded`]. Java would
/// list such a file without its encrypted safes; iospki asks for the password rather than show part of it.
pub fn open_without_password(data: &[u8]) -> Result<Opened, StoreError> {
    let (protection, java8_readable) = describe(data)?;
    opened(read::read_without_password(data)?, protection, java8_readable)
}

fn opened(contents: Contents, protection: String, java8_readable: bool) -> Result<Opened, StoreError> {
    let (integrity, mut oddities) = if contents.authenticated {
        (Integrity::Verified, Vec::new())
    } else {
        (Integrity::NotChecked, vec![Oddity::NoMac])
    };
    let key_names = contents.keys.iter().map(|k| &k.names);
    let terminated: Vec<String> = key_names
        .chain(contents.certificates.iter().map(|c| &c.names))
        .filter(|names| names.nul_terminated)
        .filter_map(|names| names.friendly_name.clone())
        .collect();
    if !terminated.is_empty() {
        oddities.push(Oddity::NulTerminatedNames(terminated));
    }
    if contents.keys_in_the_clear > 0 {
        oddities.push(Oddity::KeysInTheClear(contents.keys_in_the_clear));
    }
    let (store, untrusted) = entries(contents)?;
    if untrusted > 0 {
        oddities.push(Oddity::NotTrustedByJava(untrusted));
    }
    Ok(Opened {
        format: super::Format::Pkcs12,
        protection,
        java8_readable,
        integrity,
        oddities,
        store,
    })
}

/// A certificate of the file with the names that chain it.
struct Certificate {
    bag: CertificateBag,
    subject: String,
    issuer: String,
}

impl Certificate {
    fn parse(bag: CertificateBag) -> Result<Certificate, StoreError> {
        let (_, cert) = x509_parser::parse_x509_certificate(&bag.der)
            .map_err(|e| malformed(&format!("a certificate bag holds no X.509 certificate: {e}")))?;
        let (subject, issuer) = (cert.subject().to_string(), cert.issuer().to_string());
        Ok(Certificate { bag, subject, issuer })
    }
}

/// The most certificate bytes the key entries of one file may hold between them. A certificate bag is stored once
/// and linked into the chain of every key that names it, so a crafted file could make a few megabytes of
/// certificates into terabytes of chains.
const MAX_CHAIN_BYTES: usize = 64 << 20;

/// The entries of `contents`, and how many certificates outside every chain lack Java's trust attribute. Unnamed
/// entries are named as Java names them: "1", "2", and so on.
fn entries(contents: Contents) -> Result<(Keystore, usize), StoreError> {
    let certs = contents
        .certificates
        .into_iter()
        .map(Certificate::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let index = Index::new(&certs);
    let mut in_chains = HashSet::new();
    let mut chain_bytes = 0;
    let mut store = Keystore::new();
    let when = OffsetDateTime::UNIX_EPOCH;
    let mut unnamed = 0;
    let mut unfriendly_name = || {
        unnamed += 1;
        unnamed.to_string()
    };
    for bag in &contents.keys {
        let leaf = bag
            .names
            .local_key_id
            .as_deref()
            .and_then(|id| index.by_key_id.get(id).copied());
        let chain = leaf.map(|leaf| chain_from(leaf, &index)).unwrap_or_default();
        chain_bytes += chain.iter().map(|c| c.bag.der.len()).sum::<usize>();
        if chain_bytes > MAX_CHAIN_BYTES {
            return Err(StoreError::Unsupported(format!(
                "its keys' certificate chains repeat more than {} MiB of certificates; iospki reads no more",
                MAX_CHAIN_BYTES >> 20
            )));
        }
        in_chains.extend(chain.iter().map(|c| c.bag.der.as_slice()));
        let alias = bag
            .names
            .friendly_name
            .clone()
            .or_else(|| leaf.and_then(|l| l.bag.names.friendly_name.clone()))
            .unwrap_or_else(&mut unfriendly_name);
        let chain = chain
            .into_iter()
            .map(|c| CertificateDer::from(c.bag.der.clone()))
            .collect();
        insert(&mut store, &alias, when, Entry::key(&bag.pkcs8, chain))?;
    }
    for bag in &contents.secret_keys {
        let alias = bag.names.friendly_name.clone().unwrap_or_else(&mut unfriendly_name);
        insert(&mut store, &alias, when, Entry::SecretKey(bag.key.clone()))?;
    }
    let mut untrusted = 0;
    for cert in &certs {
        if in_chains.contains(cert.bag.der.as_slice()) {
            continue;
        }
        untrusted += usize::from(!cert.bag.names.java_trusted);
        let alias = cert
            .bag
            .names
            .friendly_name
            .clone()
            .unwrap_or_else(&mut unfriendly_name);
        insert(
            &mut store,
            &alias,
            when,
            Entry::TrustedCert(CertificateDer::from(cert.bag.der.clone())),
        )?;
    }
    Ok((store, untrusted))
}

/// The file's certificates by localKeyId (the first that has it) and by subject (each encoding once), so that
/// linking keys to chains stays linear in the file's size.
struct Index<'a> {
    by_key_id: HashMap<&'a [u8], &'a Certificate>,
    by_subject: HashMap<&'a str, Vec<&'a Certificate>>,
}

impl<'a> Index<'a> {
    fn new(certs: &'a [Certificate]) -> Index<'a> {
        let mut by_key_id = HashMap::new();
        let mut by_subject: HashMap<&str, Vec<&Certificate>> = HashMap::new();
        let mut seen = HashSet::new();
        for cert in certs {
            if let Some(id) = &cert.bag.names.local_key_id {
                by_key_id.entry(id.as_slice()).or_insert(cert);
            }
            if seen.insert(cert.bag.der.as_slice()) {
                by_subject.entry(cert.subject.as_str()).or_default().push(cert);
            }
        }
        Index { by_key_id, by_subject }
    }
}

fn insert(store: &mut Keystore, alias: &str, when: OffsetDateTime, entry: Entry) -> Result<(), StoreError> {
    let taken = store.get(alias).is_some();
    let alias = if taken {
        format!("{alias}-{}", store.len() + 1)
    } else {
        alias.to_owned()
    };
    store
        .insert(&alias, when, entry)
        .map_err(|e| malformed(&e.to_string()))
        .map(drop)
}

/// The chain from `leaf` up by issuer name, as far as the file's certificates reach (at most 10 long).
fn chain_from<'a>(leaf: &'a Certificate, index: &Index<'a>) -> Vec<&'a Certificate> {
    let mut chain = vec![leaf];
    while chain.len() < 10 {
        let last = chain[chain.len() - 1];
        if last.issuer == last.subject {
            break;
        }
        let issuers = index
            .by_subject
            .get(last.issuer.as_str())
            .map_or(&[][..], Vec::as_slice);
        // Each encoding is listed once, so at most as many are skipped as the chain is long.
        match issuers.iter().find(|c| !chain.iter().any(|d| d.bag.der == c.bag.der)) {
            Some(issuer) => chain.push(issuer),
            None => break,
        }
    }
    chain
}

/// The file's protection, read from the PFX structure without a password, and whether Java 8 before 8u301
/// can read it.
pub fn describe(data: &[u8]) -> Result<(String, bool), StoreError> {
    let pfx = pkcs12::pfx::Pfx::from_der(data).map_err(|e| malformed(&e.to_string()))?;
    let mut ciphers = Vec::new();
    let content = OctetString::from_der(&pfx.auth_safe.content.to_der().map_err(der_error)?).map_err(der_error)?;
    let safes = Vec::<cms::content_info::ContentInfo>::from_der(content.as_bytes()).map_err(der_error)?;
    for safe in &safes {
        if safe.content_type == oid::ENCRYPTED_DATA {
            let encrypted = cms::encrypted_data::EncryptedData::from_der(&safe.content.to_der().map_err(der_error)?)
                .map_err(der_error)?;
            ciphers.push(cipher_name(&encrypted.enc_content_info.content_enc_alg));
        } else if let Ok(data) = OctetString::from_der(&safe.content.to_der().map_err(der_error)?) {
            ciphers.extend(shrouded_key_ciphers(data.as_bytes()));
        }
    }
    ciphers.sort();
    ciphers.dedup();
    let mac = pfx
        .mac_data
        .as_ref()
        .map(|m| (mac_name(&m.mac.algorithm.oid), m.iterations));
    let java8 =
        ciphers.iter().all(|c| c == "3DES" || c == "RC2-40") && mac.as_ref().is_none_or(|(m, _)| m == "HMAC-SHA1");
    let readers = match (java8, ciphers.iter().any(|c| c == "RC2-40")) {
        (true, true) => "any Java 8; OpenSSL 3 needs -legacy, FIPS JVMs refuse RC2",
        (true, false) => "any Java 8, OpenSSL 3 without -legacy",
        (false, _) => "needs Java 8u301+ or OpenSSL 1.1.1+",
    };
    let mac = mac.map_or_else(
        || "no MAC".to_owned(),
        |(name, iterations)| format!("MAC {name} ({iterations} iterations)"),
    );
    let ciphers = if ciphers.is_empty() {
        "without encryption".to_owned()
    } else {
        ciphers.join(" + ")
    };
    Ok((format!("PKCS#12 {ciphers}, {mac}: {readers}"), java8))
}

fn shrouded_key_ciphers(safe_contents: &[u8]) -> Vec<String> {
    let Ok(bags) = pkcs12::safe_bag::SafeContents::from_der(safe_contents) else {
        return Vec::new();
    };
    bags.iter()
        .filter(|bag| bag.bag_id == oid::SHROUDED_KEY_BAG)
        .filter_map(|bag| ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(&bag.bag_value).ok())
        .map(|info| cipher_name(&info.value.algorithm))
        .collect()
}

fn cipher_name(algorithm: &spki::AlgorithmIdentifierOwned) -> String {
    match algorithm.oid {
        oid::PBE_SHA1_3DES => "3DES".into(),
        oid::PBE_SHA1_RC2_40 => "RC2-40".into(),
        oid::PBE_SHA1_RC4_128 => "RC4-128".into(),
        oid::PBES2 => pbes2_name(algorithm),
        other => format!("cipher {other}"),
    }
}

fn pbes2_name(algorithm: &spki::AlgorithmIdentifierOwned) -> String {
    let params = algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.to_der().ok())
        .and_then(|der| pkcs5::pbes2::Parameters::from_der(&der).ok());
    let cipher = params.map(|p| match p.encryption.oid() {
        oid::AES_256_CBC => "AES-256",
        oid::AES_192_CBC => "AES-192",
        oid::AES_128_CBC => "AES-128",
        oid::DES_EDE3_CBC => "3DES",
        _ => "other",
    });
    format!("{}/PBKDF2", cipher.unwrap_or("PBES2"))
}

fn mac_name(digest: &der::oid::ObjectIdentifier) -> String {
    match *digest {
        oid::SHA1 => "HMAC-SHA1".into(),
        oid::SHA256 => "HMAC-SHA256".into(),
        oid::SHA384 => "HMAC-SHA384".into(),
        oid::SHA512 => "HMAC-SHA512".into(),
        other => format!("HMAC {other}"),
    }
}

fn der_error(err: der::Error) -> StoreError {
    malformed(&err.to_string())
}

fn malformed(reason: &str) -> StoreError {
    StoreError::Malformed {
        format: "PKCS#12",
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::read::{KeyBag, Names};
    use super::*;

    #[test]
    fn each_protection_key_is_its_serde_name() {
        for protection in Protection::ALL {
            assert_eq!(serde_json::to_value(protection).unwrap(), protection.key());
        }
    }

    fn trusted(alias: &str, password: &Password) -> Vec<u8> {
        let der = ::pem::parse(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/keystores/expired.crt"
        )))
        .unwrap()
        .into_contents();
        let mut store = Keystore::new();
        store
            .insert(
                alias,
                OffsetDateTime::UNIX_EPOCH,
                Entry::TrustedCert(CertificateDer::from(der)),
            )
            .unwrap();
        write(&store, password, Protection::Legacy).unwrap()
    }

    #[test]
    fn an_aes_key_reads_back_under_its_alias_with_either_protection() {
        let password = Password::new("changeit");
        for protection in Protection::ALL {
            let mut store = Keystore::new();
            let key = Zeroizing::new(vec![7u8; 16]);
            store
                .insert("securevault", OffsetDateTime::UNIX_EPOCH, Entry::SecretKey(key.clone()))
                .unwrap();
            let bytes = write(&store, &password, protection).unwrap();
            let opened = crate::formats::keystore::open(&bytes, Some(&password)).unwrap();
            let entry = opened.store.get("securevault").unwrap();
            assert!(matches!(&entry.entry, Entry::SecretKey(read) if *read == key));
            assert_eq!(entry.entry.kind(), "SecretKeyEntry");
        }
    }

    #[test]
    fn an_empty_friendly_name_is_the_alias_keytool_lists() {
        let password = Password::new("changeit");
        let opened = crate::formats::keystore::open(&trusted("", &password), Some(&password)).unwrap();
        assert_eq!(opened.store.entries()[0].alias, "");
        assert_eq!(opened.oddities, [Oddity::EmptyAlias]);
    }

    #[test]
    fn the_empty_password_opens_a_file_written_with_it_and_is_named() {
        let empty = Password::new("");
        let data = trusted("cacert", &empty);
        assert!(matches!(
            crate::formats::keystore::open(&data, None),
            Err(StoreError::PasswordNeeded)
        ));
        let opened = crate::formats::keystore::open(&data, Some(&empty)).unwrap();
        assert_eq!(opened.integrity, Integrity::Verified);
        assert_eq!(opened.oddities, [Oddity::EmptyPassword]);
    }

    #[test]
    fn without_a_mac_encrypted_safes_still_need_the_password() {
        let password = Password::new("right");
        let mut pfx = pkcs12::pfx::Pfx::from_der(&trusted("cacert", &password)).unwrap();
        pfx.mac_data = None;
        let data = pfx.to_der().unwrap();
        assert!(matches!(
            crate::formats::keystore::open(&data, None),
            Err(StoreError::PasswordNeeded)
        ));
        assert!(matches!(
            open(&data, &Password::new("wrong")),
            Err(StoreError::WrongPassword)
        ));
        let opened = open(&data, &password).unwrap();
        assert_eq!(opened.integrity, Integrity::NotChecked);
        assert_eq!(opened.oddities, [Oddity::NoMac]);
        assert!(opened.protection.contains("no MAC"), "{}", opened.protection);
    }

    #[test]
    fn a_certificate_linked_into_every_key_is_refused_past_the_chain_limit() {
        let der = ::pem::parse(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/keystores/expired.crt"
        )))
        .unwrap()
        .into_contents();
        let names = Names {
            friendly_name: None,
            nul_terminated: false,
            java_trusted: false,
            local_key_id: Some(vec![1]),
        };
        let key = KeyBag {
            names: names.clone(),
            pkcs8: Zeroizing::new(vec![0x30, 0x00]),
        };
        let contents = Contents {
            keys: vec![key; MAX_CHAIN_BYTES / der.len() + 1],
            authenticated: true,
            certificates: vec![CertificateBag { names, der }],
            ..Contents::default()
        };
        let err = entries(contents).map(drop).unwrap_err().to_string();
        assert!(err.contains("repeat more than 64 MiB of certificates"), "{err}");
    }
}
