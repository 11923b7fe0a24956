//! Java's JKS keystore format (OpenJDK `sun.security.provider.JavaKeyStore`), written and read by hand.
//!
//! The `jks` crate (0.3, one maintainer) implements the format too, but it pins the previous generation of the
//! RustCrypto crates (der 0.7, sha1 0.10), which would put a second copy of each in the graph, and p12-keystore 0.3;
//! it hands keys back as plain `Vec<u8>` (iospki wipes key bytes on drop); and it does not keep a key entry
//! protected as read, which merging a node's store without every key password needs. The format is small and
//! fixed, and keytool's own files are the test: the reference stores in keystores/ re-encode byte for byte.
//!
//! ```text
//! u32 0xFEEDFEED, u32 version (2; 1 has no certificate type strings), u32 entry count
//! key entry:     u32 1, UTF alias, i64 ms, u32 len + EncryptedPrivateKeyInfo, u32 chain length, certificates
//! trusted entry: u32 2, UTF alias, i64 ms, certificate
//! certificate:   UTF "X.509" (version 2 only), u32 len + DER
//! SHA-1(password as UTF-16BE || "Mighty Aphrodite" || everything above)
//! ```

use std::collections::HashSet;

use rustls_pki_types::CertificateDer;
use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use super::{Entry, Integrity, Keystore, Oddity, Opened, PrivateKey, StoreError, key_protector};
use crate::io::secret::Password;

/// The first four bytes of every JKS file.
pub const MAGIC: [u8; 4] = [0xfe, 0xed, 0xfe, 0xed];
const VERSION: u32 = 2;
const TAG_KEY: u32 = 1;
const TAG_TRUSTED: u32 = 2;
const TAG_SECRET: u32 = 3;
const CERT_TYPE: &str = "X.509";
const WHITENER: &[u8] = b"Mighty Aphrodite";

/// Encodes `store` as JKS, protecting the whole file and every key in the clear with `password`. Keys still
/// protected as read from a JKS file are written as they were, with their own key passwords.
pub fn write(store: &Keystore, password: &Password) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(encoded_size(store));
    out.extend_from_slice(&MAGIC);
    put_u32(&mut out, VERSION);
    put_u32(&mut out, len_u32(store.len())?);
    for item in store.entries() {
        match &item.entry {
            Entry::PrivateKey { key, chain } => {
                put_u32(&mut out, TAG_KEY);
                put_utf(&mut out, &item.alias)?;
                put_date(&mut out, item.created);
                match key {
                    PrivateKey::Pkcs8(pkcs8) => {
                        let protected = key_protector::protect(pkcs8.secret_pkcs8_der(), password).map_err(|e| {
                            StoreError::Unsupported(format!("cannot protect key '{}': {e}", item.alias))
                        })?;
                        put_bytes(&mut out, &protected)?;
                    }
                    PrivateKey::JksProtected(protected) => put_bytes(&mut out, protected)?,
                }
                put_u32(&mut out, len_u32(chain.len())?);
                for cert in chain {
                    put_cert(&mut out, cert)?;
                }
            }
            Entry::TrustedCert(cert) => {
                put_u32(&mut out, TAG_TRUSTED);
                put_utf(&mut out, &item.alias)?;
                put_date(&mut out, item.created);
                put_cert(&mut out, cert)?;
            }
            Entry::SecretKey(_) => {
                return Err(StoreError::Unsupported(format!(
                    "JKS holds no secret keys ('{}'): a store with an AES key is PKCS#12",
                    item.alias
                )));
            }
        }
    }
    let digest = integrity_digest(password, &out);
    out.extend_from_slice(&digest);
    Ok(out)
}

/// Decodes a JKS file, checking its integrity digest with `password`. Keys stay protected until asked for
/// ([`PrivateKey::secret_pkcs8`](super::PrivateKey::secret_pkcs8)), with the store password or their own.
pub fn read(data: &[u8], password: &Password) -> Result<Keystore, StoreError> {
    decode(data, Some(password)).map(|(store, _)| store)
}

/// Opens a JKS file: checked with `password`, or listed unchecked without one, as `keytool -list` does.
pub fn open(data: &[u8], password: Option<&Password>) -> Result<Opened, StoreError> {
    let (store, duplicates) = decode(data, password)?;
    Ok(Opened {
        format: super::Format::Jks,
        protection: "JKS (Sun KeyProtector, SHA-1 integrity digest): any Java".into(),
        java8_readable: true,
        integrity: if password.is_some() {
            Integrity::Verified
        } else {
            Integrity::NotChecked
        },
        oddities: (!duplicates.is_empty())
            .then_some(Oddity::DuplicateAliases(duplicates))
            .into_iter()
            .collect(),
        store,
    })
}

/// The store, and the aliases that appear more than once in it (each once, in the order they repeat). Java's
/// JavaKeyStore puts each entry into a Hashtable, so a later entry replaces an earlier one of the same alias;
/// iospki keeps the last one too.
fn decode(data: &[u8], password: Option<&Password>) -> Result<(Keystore, Vec<String>), StoreError> {
    let body_len = data
        .len()
        .checked_sub(20)
        .ok_or_else(|| malformed("file is shorter than its digest"))?;
    let (body, digest) = data.split_at(body_len);
    let mut reader = Reader { data: body };
    if reader.take(4)? != MAGIC {
        return Err(malformed("not a JKS file (no FEEDFEED magic)"));
    }
    let version = reader.u32()?;
    if version != 1 && version != 2 {
        return Err(malformed(&format!("unknown version {version}")));
    }
    let count = reader.u32()?;
    let mut store = Keystore::new();
    let mut duplicates = Vec::new();
    let mut repeated = HashSet::new();
    for _ in 0..count {
        let (alias, created, entry) = reader.entry(version)?;
        let replaced = store
            .insert(&alias, created, entry)
            .map_err(|_| malformed(&format!("alias '{}' is not usable", alias.escape_debug())))?;
        if let Some(replaced) = replaced
            && repeated.insert(replaced.alias.clone())
        {
            duplicates.push(replaced.alias);
        }
    }
    if !reader.data.is_empty() {
        return Err(malformed("bytes after the last entry"));
    }
    // Structure first, as keytool does: a truncated file says so rather than blaming the password.
    if password.is_some_and(|p| integrity_digest(p, body).as_slice() != digest) {
        return Err(StoreError::WrongPassword);
    }
    Ok((store, duplicates))
}

/// About the encoded size of `store` (key entries grow by a few bytes when protected), so that writing a large
/// store does not copy its buffer as it grows.
fn encoded_size(store: &Keystore) -> usize {
    let certificate = |c: &CertificateDer<'_>| 2 + CERT_TYPE.len() + 4 + c.len();
    let entry = |item: &super::AliasedEntry| {
        let body = match &item.entry {
            Entry::PrivateKey { key, chain } => {
                let key_len = match key {
                    PrivateKey::Pkcs8(k) => k.secret_pkcs8_der().len() + 64,
                    PrivateKey::JksProtected(p) => p.len(),
                };
                8 + key_len + chain.iter().map(certificate).sum::<usize>()
            }
            Entry::TrustedCert(cert) => certificate(cert),
            Entry::SecretKey(key) => key.len(),
        };
        4 + 2 + item.alias.len() * 3 + 8 + body
    };
    12 + store.entries().iter().map(entry).sum::<usize>() + 20
}

fn integrity_digest(password: &Password, body: &[u8]) -> [u8; 20] {
    Sha1::new()
        .chain_update(password.secret_utf16_be().as_slice())
        .chain_update(WHITENER)
        .chain_update(body)
        .finalize()
        .into()
}

fn malformed(reason: &str) -> StoreError {
    StoreError::Malformed {
        format: "JKS",
        reason: reason.into(),
    }
}

fn len_u32(len: usize) -> Result<u32, StoreError> {
    u32::try_from(len).map_err(|_| StoreError::Unsupported(format!("{len} is too large for JKS")))
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_be_bytes());
}

fn put_date(out: &mut Vec<u8>, date: OffsetDateTime) {
    let millis = date.unix_timestamp_nanos() / 1_000_000;
    out.extend_from_slice(&(millis as i64).to_be_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), StoreError> {
    put_u32(out, len_u32(bytes.len())?);
    out.extend_from_slice(bytes);
    Ok(())
}

fn put_cert(out: &mut Vec<u8>, cert: &CertificateDer<'_>) -> Result<(), StoreError> {
    put_utf(out, CERT_TYPE)?;
    put_bytes(out, cert)
}

/// Java's `DataOutput.writeUTF`: modified UTF-8 (NUL as C0 80, supplementary characters as two 3-byte
/// surrogates) behind a u16 length.
fn put_utf(out: &mut Vec<u8>, text: &str) -> Result<(), StoreError> {
    let mut encoded = Vec::with_capacity(text.len());
    for unit in text.encode_utf16() {
        match unit {
            0x01..=0x7f => encoded.push(unit as u8),
            0x00 | 0x80..=0x7ff => encoded.extend_from_slice(&[0xc0 | (unit >> 6) as u8, 0x80 | (unit & 0x3f) as u8]),
            _ => encoded.extend_from_slice(&[
                0xe0 | (unit >> 12) as u8,
                0x80 | ((unit >> 6) & 0x3f) as u8,
                0x80 | (unit & 0x3f) as u8,
            ]),
        }
    }
    let len = u16::try_from(encoded.len())
        .map_err(|_| StoreError::Unsupported(format!("alias of {} bytes is too long for JKS", encoded.len())))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&encoded);
    Ok(())
}

struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], StoreError> {
        if len > self.data.len() {
            return Err(malformed("truncated: a length runs past the end of the file"));
        }
        let (head, tail) = self.data.split_at(len);
        self.data = tail;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, StoreError> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    fn bytes(&mut self) -> Result<&'a [u8], StoreError> {
        let len = self.u32()? as usize;
        self.take(len)
    }

    fn date(&mut self) -> Result<OffsetDateTime, StoreError> {
        let millis = i64::from_be_bytes(self.take(8)?.try_into().expect("8 bytes"));
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
            .map_err(|_| malformed(&format!("entry date {millis} ms is out of range")))
    }

    fn utf(&mut self) -> Result<String, StoreError> {
        let len = u16::from_be_bytes(self.take(2)?.try_into().expect("2 bytes")) as usize;
        decode_modified_utf8(self.take(len)?).ok_or_else(|| malformed("alias is not valid modified UTF-8"))
    }

    fn cert(&mut self, version: u32) -> Result<CertificateDer<'static>, StoreError> {
        if version == 2 {
            let kind = self.utf()?;
            if kind != CERT_TYPE {
                return Err(StoreError::Unsupported(format!(
                    "certificate type '{kind}' is not X.509"
                )));
            }
        }
        Ok(CertificateDer::from(self.bytes()?.to_vec()))
    }

    fn entry(&mut self, version: u32) -> Result<(String, OffsetDateTime, Entry), StoreError> {
        let tag = self.u32()?;
        let alias = self.utf()?;
        let created = self.date()?;
        let entry = match tag {
            TAG_KEY => {
                let protected = self.bytes()?.to_vec();
                let count = self.u32()?;
                let chain = (0..count).map(|_| self.cert(version)).collect::<Result<Vec<_>, _>>()?;
                Entry::PrivateKey {
                    key: PrivateKey::JksProtected(protected),
                    chain,
                }
            }
            TAG_TRUSTED => Entry::TrustedCert(self.cert(version)?),
            TAG_SECRET => {
                return Err(StoreError::Unsupported(format!(
                    "alias '{alias}' is a secret-key entry, which only JCEKS holds"
                )));
            }
            other => {
                return Err(malformed(&format!("unknown entry tag {other} for alias '{alias}'")));
            }
        };
        Ok((alias, created, entry))
    }
}

fn decode_modified_utf8(bytes: &[u8]) -> Option<String> {
    let mut units = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (unit, width) = match b {
            0x01..=0x7f => (u16::from(b), 1),
            0xc0..=0xdf => {
                let b1 = *bytes.get(i + 1)?;
                ((u16::from(b & 0x1f) << 6) | u16::from(b1 & 0x3f), 2)
            }
            0xe0..=0xef => {
                let (b1, b2) = (*bytes.get(i + 1)?, *bytes.get(i + 2)?);
                (
                    (u16::from(b & 0x0f) << 12) | (u16::from(b1 & 0x3f) << 6) | u16::from(b2 & 0x3f),
                    3,
                )
            }
            _ => return None,
        };
        units.push(unit);
        i += width;
    }
    String::from_utf16(&units).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Keystore {
        let mut store = Keystore::new();
        let when = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let cert = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x05]);
        store
            .insert("wso2carbon", when, Entry::key(&[0x30, 0x01, 0x00], vec![cert.clone()]))
            .unwrap();
        store
            .insert("ca \u{e9}\u{1F600}", when, Entry::TrustedCert(cert))
            .unwrap();
        store
    }

    #[test]
    fn written_store_reads_back() {
        let password = Password::new("pässword");
        let bytes = write(&sample(), &password).unwrap();
        assert_eq!(&bytes[..4], &MAGIC);
        let store = read(&bytes, &password).unwrap();
        assert_eq!(store.len(), 2);
        assert_eq!(store.entries()[1].alias, "ca \u{e9}\u{1F600}");
        let Entry::PrivateKey { key, .. } = &store.get("WSO2CARBON").unwrap().entry else {
            panic!("not a key entry")
        };
        assert_eq!(
            key.secret_pkcs8("wso2carbon", &password).unwrap().as_slice(),
            &[0x30, 0x01, 0x00]
        );
        let err = key.secret_pkcs8("wso2carbon", &Password::new("other")).unwrap_err();
        assert!(matches!(err, StoreError::WrongKeyPassword(_)));
    }

    #[test]
    fn wrong_password_is_reported_as_such() {
        let bytes = write(&sample(), &Password::new("right")).unwrap();
        assert!(matches!(
            read(&bytes, &Password::new("wrong")),
            Err(StoreError::WrongPassword)
        ));
    }

    #[test]
    fn modified_utf8_matches_java_for_nul_and_supplementary() {
        let mut out = Vec::new();
        put_utf(&mut out, "\0\u{1F600}").unwrap();
        assert_eq!(out, [0, 8, 0xc0, 0x80, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]);
        assert_eq!(decode_modified_utf8(&out[2..]).unwrap(), "\0\u{1F600}");
    }

    /// keystores/keytool-jks.jks and the listing keytool printed for it (keystores/make.sh).
    const KEYTOOL_JKS: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/keystores/keytool-jks.jks"));
    const KEYTOOL_LISTING: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/keystores/keytool-jks.jks.txt"));

    fn sha256_colons(der: &[u8]) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(der);
        digest.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
    }

    #[test]
    fn keytool_store_reads_with_the_fingerprints_keytool_prints() {
        let store = read(KEYTOOL_JKS, &Password::new("changeit")).unwrap();
        let mut aliases: Vec<_> = store.entries().iter().map(|e| e.alias.as_str()).collect();
        aliases.sort();
        assert_eq!(aliases, ["server", "trusted-ca"]);
        for item in store.entries() {
            let fingerprint = sha256_colons(item.entry.certificate().unwrap());
            let listed = KEYTOOL_LISTING
                .split("Alias name: ")
                .find(|b| b.starts_with(&format!("{}\n", item.alias)));
            assert!(listed.unwrap().contains(&fingerprint), "{}: {fingerprint}", item.alias);
        }
        let Entry::PrivateKey { key, .. } = &store.get("server").unwrap().entry else {
            panic!("not a key")
        };
        assert!(key.secret_pkcs8("server", &Password::new("changeit")).is_ok());
    }

    #[test]
    fn key_protection_reencodes_keytools_entry_byte_for_byte() {
        let password = Password::new("changeit");
        let mut reader = Reader { data: KEYTOOL_JKS };
        reader.take(12).unwrap(); // magic, version, count
        let protected = loop {
            let tag = reader.u32().unwrap();
            reader.utf().unwrap();
            reader.date().unwrap();
            match tag {
                TAG_KEY => break reader.bytes().unwrap(),
                _ => drop(reader.cert(VERSION).unwrap()),
            }
        };
        let plain = key_protector::recover(protected, &password).unwrap();
        let info = der::Decode::from_der(protected)
            .map(|o: der::asn1::Any| o.value().to_vec())
            .unwrap();
        // The salt is the first 20 bytes of the OCTET STRING, after the AlgorithmIdentifier.
        let octets = &info[info.len() - (key_protector::SALT_LEN + plain.len() + 20)..];
        let salt: [u8; key_protector::SALT_LEN] = octets[..key_protector::SALT_LEN].try_into().unwrap();
        assert_eq!(
            key_protector::protect_with_salt(&plain, &password, salt).unwrap(),
            protected
        );
    }

    #[test]
    fn version_1_files_without_certificate_types_are_read() {
        let password = Password::new("changeit");
        let v2 = write(&sample(), &password).unwrap();
        // Version 1 is version 2 without the "X.509" type before each certificate.
        let mut marker = Vec::new();
        put_utf(&mut marker, CERT_TYPE).unwrap();
        let body = &v2[..v2.len() - 20];
        let mut v1 = Vec::new();
        let mut at = 0;
        while at < body.len() {
            if body[at..].starts_with(&marker) {
                at += marker.len();
            } else {
                v1.push(body[at]);
                at += 1;
            }
        }
        v1[4..8].copy_from_slice(&1u32.to_be_bytes());
        let digest = integrity_digest(&password, &v1);
        v1.extend_from_slice(&digest);
        let store = read(&v1, &password).unwrap();
        assert_eq!(store.len(), 2);
        assert_eq!(
            store.entries()[1].entry.certificate().unwrap().as_ref(),
            &[0x30, 0x03, 0x02, 0x01, 0x05]
        );
    }

    /// A JKS file of `entries` (alias, trusted or key) as Java would write them if its Hashtable let it, with
    /// the digest of `password`: duplicated aliases included.
    fn crafted(entries: &[(&str, bool)], password: &Password) -> Vec<u8> {
        let cert = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x05]);
        let mut out = MAGIC.to_vec();
        put_u32(&mut out, VERSION);
        put_u32(&mut out, entries.len() as u32);
        for (alias, key) in entries {
            put_u32(&mut out, if *key { TAG_KEY } else { TAG_TRUSTED });
            put_utf(&mut out, alias).unwrap();
            put_date(&mut out, OffsetDateTime::UNIX_EPOCH);
            if *key {
                put_bytes(&mut out, &[0x30, 0x00]).unwrap();
                put_u32(&mut out, 1);
            }
            put_cert(&mut out, &cert).unwrap();
        }
        let digest = integrity_digest(password, &out);
        out.extend_from_slice(&digest);
        out
    }

    #[test]
    fn a_duplicated_alias_keeps_the_last_entry_as_javas_hashtable_does() {
        let password = Password::new("changeit");
        let data = crafted(
            &[("wso2carbon", true), ("other", false), ("WSO2Carbon", false)],
            &password,
        );
        let opened = open(&data, Some(&password)).unwrap();
        assert_eq!(opened.store.len(), 2);
        // The server's JVM finds the trusted certificate, not the key: so do verify and check.
        assert!(!opened.store.get("wso2carbon").unwrap().entry.is_key());
        assert_eq!(opened.oddities, [Oddity::DuplicateAliases(vec!["wso2carbon".into()])]);
    }

    #[test]
    fn ten_thousand_duplicates_read_in_one_pass_and_are_named_once() {
        let password = Password::new("changeit");
        let entries: Vec<(String, bool)> = (0..10_000).map(|n| (format!("a{}", n % 100), n % 2 == 0)).collect();
        let entries: Vec<(&str, bool)> = entries.iter().map(|(a, k)| (a.as_str(), *k)).collect();
        let started = std::time::Instant::now();
        let opened = open(&crafted(&entries, &password), Some(&password)).unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(opened.store.len(), 100);
        let Oddity::DuplicateAliases(aliases) = &opened.oddities[0] else {
            panic!("{:?}", opened.oddities)
        };
        assert_eq!(aliases.len(), 100);
    }

    #[test]
    fn the_empty_password_checks_a_store_written_with_it_as_java_accepts_it() {
        let empty = Password::new("");
        let data = write(&sample(), &empty).unwrap();
        let opened = crate::formats::keystore::open(&data, Some(&empty)).unwrap();
        assert_eq!(opened.integrity, Integrity::Verified);
        assert_eq!(opened.oddities, [Oddity::EmptyPassword]);
        assert!(matches!(
            read(&data, &Password::new("changeit")),
            Err(StoreError::WrongPassword)
        ));
    }

    #[test]
    fn the_empty_alias_is_read_and_named() {
        let password = Password::new("changeit");
        let opened = crate::formats::keystore::open(&crafted(&[("", false)], &password), Some(&password)).unwrap();
        assert_eq!(opened.store.entries()[0].alias, "");
        assert_eq!(opened.oddities, [Oddity::EmptyAlias]);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let password = Password::new("pw");
        let bytes = write(&sample(), &password).unwrap();
        for len in 0..bytes.len() {
            assert!(read(&bytes[..len], &password).is_err(), "length {len}");
        }
    }
}
