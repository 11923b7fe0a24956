//! Reading stores made by other tools (keystores/, made by keystores/make.sh with keytool 17 and 25 and
//! OpenSSL 3): every entry is found with the alias, type, chain and SHA-256 fingerprints keytool printed;
//! damaged files and wrong passwords give their own errors; deterministic encodings re-encode byte for byte.

use std::path::Path;

use iospki::formats::keystore::{self, Entry, Format, Integrity, StoreError, jks};
use iospki::io::secret::Password;
use sha2::{Digest, Sha256};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("keystores").join(name)).unwrap()
}

fn changeit() -> Password {
    Password::new("changeit")
}

/// One entry as keytool listed it: alias, entry type, SHA-256 fingerprints of its chain.
#[derive(Debug, PartialEq)]
struct Listed {
    alias: String,
    kind: String,
    fingerprints: Vec<String>,
}

fn keytool_listing(name: &str) -> Vec<Listed> {
    let text = String::from_utf8(fixture(&format!("{name}.txt"))).unwrap();
    let mut entries: Vec<Listed> = Vec::new();
    for line in text.lines() {
        if let Some(alias) = line.strip_prefix("Alias name: ") {
            entries.push(Listed {
                alias: alias.into(),
                kind: String::new(),
                fingerprints: Vec::new(),
            });
        } else if let Some(kind) = line.strip_prefix("Entry type: ") {
            entries.last_mut().unwrap().kind = kind.into();
        } else if let Some(fingerprint) = line.trim().strip_prefix("SHA256: ") {
            entries.last_mut().unwrap().fingerprints.push(fingerprint.into());
        }
    }
    entries.sort_by(|a, b| a.alias.cmp(&b.alias));
    entries
}

fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn our_listing(store: &keystore::Keystore) -> Vec<Listed> {
    let mut entries: Vec<Listed> = store
        .entries()
        .iter()
        .map(|item| Listed {
            alias: item.alias.clone(),
            kind: item.entry.kind().into(),
            fingerprints: match &item.entry {
                Entry::PrivateKey { chain, .. } => chain.iter().map(|c| fingerprint(c)).collect(),
                Entry::TrustedCert(cert) => vec![fingerprint(cert)],
                Entry::SecretKey(_) => Vec::new(),
            },
        })
        .collect();
    entries.sort_by(|a, b| a.alias.cmp(&b.alias));
    entries
}

fn assert_matches_keytool(name: &str, format: Format, java8: bool, protection: &str) {
    let opened = keystore::open(&fixture(name), Some(&changeit())).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(opened.format, format, "{name}");
    assert_eq!(opened.integrity, Integrity::Verified, "{name}");
    assert_eq!(opened.java8_readable, java8, "{name}: {}", opened.protection);
    assert!(opened.protection.contains(protection), "{name}: {}", opened.protection);
    assert_eq!(our_listing(&opened.store), keytool_listing(name), "{name}");
}

#[test]
fn keytool_17_jks_matches_keytools_listing() {
    assert_matches_keytool("keytool-jks.jks", Format::Jks, true, "JKS");
}

#[test]
fn keytool_17_default_store_named_jks_is_read_as_pkcs12() {
    assert_matches_keytool(
        "keytool17-default.jks",
        Format::Pkcs12,
        false,
        "PKCS#12 AES-256/PBKDF2, MAC HMAC-SHA256 (10000 iterations): needs Java 8u301+",
    );
}

#[test]
fn keytool_25_stores_match_keytools_listing() {
    assert_matches_keytool("keytool25-jks.jks", Format::Jks, true, "JKS");
    assert_matches_keytool("keytool25-default.p12", Format::Pkcs12, false, "AES-256/PBKDF2");
}

#[test]
fn openssl_3_default_and_legacy_p12_match_keytools_listing() {
    assert_matches_keytool(
        "openssl3-default.p12",
        Format::Pkcs12,
        false,
        "AES-256/PBKDF2, MAC HMAC-SHA256",
    );
    assert_matches_keytool(
        "openssl3-legacy.p12",
        Format::Pkcs12,
        true,
        "PKCS#12 3DES + RC2-40, MAC HMAC-SHA1 (2048 iterations): any Java 8; OpenSSL 3 needs -legacy",
    );
}

#[test]
fn truststore_of_144_cas_matches_keytools_listing() {
    assert_matches_keytool("truststore-cacerts.jks", Format::Jks, true, "JKS");
    assert_eq!(keytool_listing("truststore-cacerts.jks").len(), 144);
}

#[test]
fn key_with_its_own_password_is_recovered_with_it_and_refused_without() {
    let store = jks::read(&fixture("keytool-jks-keypass.jks"), &changeit()).unwrap();
    let Entry::PrivateKey { key, .. } = &store.get("server").unwrap().entry else {
        panic!("not a key entry")
    };
    let pkcs8 = key.secret_pkcs8("server", &Password::new("keypass")).unwrap();
    assert_eq!(&pkcs8[..2], &[0x30, 0x82]);
    let err = key.secret_pkcs8("server", &changeit()).unwrap_err().to_string();
    assert_eq!(err, "key password for alias 'server' is wrong");
}

#[test]
fn jks_lists_without_a_password_but_says_integrity_was_not_checked() {
    let opened = keystore::open(&fixture("truststore-cacerts.jks"), None).unwrap();
    assert_eq!(opened.integrity, Integrity::NotChecked);
    assert_eq!(opened.store.len(), 144);
    let err = keystore::open(&fixture("openssl3-default.p12"), None).unwrap_err();
    assert!(matches!(err, StoreError::PasswordNeeded), "{err}");
}

#[test]
fn wrong_password_is_named_as_such_for_every_format() {
    for name in [
        "keytool-jks.jks",
        "keytool17-default.jks",
        "openssl3-default.p12",
        "openssl3-legacy.p12",
    ] {
        let err = keystore::open(&fixture(name), Some(&Password::new("wrong"))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "store password is wrong or the file was modified",
            "{name}"
        );
    }
}

#[test]
fn truncated_stores_give_errors_at_every_length() {
    for name in ["keytool-jks.jks", "openssl3-legacy.p12", "keytool17-default.jks"] {
        let bytes = fixture(name);
        for len in (0..bytes.len()).step_by(7) {
            assert!(
                keystore::open(&bytes[..len], Some(&changeit())).is_err(),
                "{name} cut at {len}"
            );
        }
    }
}

#[test]
fn a_changed_byte_is_caught_by_the_digest_or_mac() {
    for name in ["keytool-jks.jks", "openssl3-default.p12", "keytool17-default.jks"] {
        let mut bytes = fixture(name);
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        assert!(keystore::open(&bytes, Some(&changeit())).is_err(), "{name}");
    }
}

#[test]
fn keytool_truststore_reencodes_byte_for_byte() {
    let original = fixture("truststore-cacerts.jks");
    let store = jks::read(&original, &changeit()).unwrap();
    assert_eq!(jks::write(&store, &changeit()).unwrap(), original);
}
