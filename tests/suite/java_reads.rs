//! Stores Java reads that iospki used to refuse: `iospki inspect` reads them as Java does, keytool listing the
//! same entries, and says what is odd about each in a warning line; stores of formats iospki does not read are
//! named, with how to convert them.

use std::path::{Path, PathBuf};

use iospki::formats::keystore::{Keystore, jks};
use iospki::io::secret::Password;
use sha1::{Digest, Sha1};

use crate::util::{self, iospki, run_in, scratch};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("keystores").join(name)
}

/// The (alias, entry type, SHA-256 fingerprints) keytool -list -v prints for `store`, sorted.
fn keytool_entries(dir: &Path, store: &str, password: &str) -> Vec<(String, String, Vec<String>)> {
    let listing = util::tool(
        dir,
        "keytool",
        ["-list", "-v", "-keystore", store, "-storepass", password],
    );
    let mut entries: Vec<(String, String, Vec<String>)> = Vec::new();
    for line in listing.lines() {
        if let Some(alias) = line.strip_prefix("Alias name: ") {
            entries.push((alias.to_owned(), String::new(), Vec::new()));
        } else if let (Some(kind), Some(last)) = (line.strip_prefix("Entry type: "), entries.last_mut()) {
            last.1 = kind.to_owned();
        } else if let (Some(sha), Some(last)) = (line.trim().strip_prefix("SHA256: "), entries.last_mut()) {
            last.2.push(sha.to_owned());
        }
    }
    entries.sort();
    entries
}

/// The same from `iospki inspect --json`, and the file's warnings.
fn inspected(dir: &Path, args: &[&str]) -> (Vec<(String, String, Vec<String>)>, serde_json::Value) {
    let mut all = vec!["inspect", "--json"];
    all.extend_from_slice(args);
    let report: serde_json::Value = serde_json::from_str(&iospki(dir, all).success()).unwrap();
    let file = report["files"][0].clone();
    let mut entries: Vec<_> = file["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let certs = e["certificates"].as_array().unwrap();
            (
                e["alias"].as_str().unwrap().to_owned(),
                e["entry_type"].as_str().unwrap().to_owned(),
                certs.iter().map(|c| c["sha256"].as_str().unwrap().to_owned()).collect(),
            )
        })
        .collect();
    entries.sort();
    (entries, file)
}

/// A JKS file whose key entry "server" is followed by a trusted certificate under the same alias: keytool's
/// store with its "trusted-ca" entry renamed, and the digest made again (no Java API writes a duplicate).
fn duplicated_alias_jks(dir: &Path) {
    let password = Password::new("changeit");
    let keytool = jks::read(&std::fs::read(fixture("keytool-jks.jks")).unwrap(), &password).unwrap();
    let mut store = Keystore::new();
    let mut entries = keytool.into_entries();
    entries.sort_by_key(|e| !e.entry.is_key());
    for (item, alias) in entries.into_iter().zip(["server", "zzzzzz"]) {
        store.insert(alias, item.created, item.entry).unwrap();
    }
    let written = jks::write(&store, &password).unwrap();
    let mut body = written[..written.len() - 20].to_vec();
    let at = body.windows(8).position(|w| w == b"\0\x06zzzzzz").unwrap();
    body[at + 2..at + 8].copy_from_slice(b"server");
    let digest = Sha1::new()
        .chain_update(password.secret_utf16_be().as_slice())
        .chain_update(b"Mighty Aphrodite")
        .chain_update(&body)
        .finalize();
    body.extend_from_slice(&digest);
    std::fs::write(dir.join("dup.jks"), body).unwrap();
}

#[test]
fn a_duplicated_jks_alias_shows_the_last_entry_as_keytool_does() {
    let dir = scratch("java-reads-dup");
    duplicated_alias_jks(&dir);
    std::fs::write(dir.join("pw"), "changeit\n").unwrap();
    let (ours, file) = inspected(&dir, &["--password-file", "pw", "dup.jks"]);
    let theirs = keytool_entries(&dir, "dup.jks", "changeit");
    assert_eq!(ours, theirs);
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].1, "trustedCertEntry");
    let text = iospki(&dir, ["inspect", "--password-file", "pw", "dup.jks"]).success();
    assert!(
        text.contains("Warning: alias 'server' appears more than once: Java uses the last entry of each"),
        "{text}"
    );
    assert_eq!(file["integrity"], "verified");
}

#[test]
fn a_jks_store_with_the_empty_password_is_checked_with_it_as_keytool_checks_it() {
    let dir = scratch("java-reads-empty-jks");
    let keytool = jks::read(
        &std::fs::read(fixture("keytool-jks.jks")).unwrap(),
        &Password::new("changeit"),
    )
    .unwrap();
    let mut store = Keystore::new();
    for item in keytool.into_entries().into_iter().filter(|e| !e.entry.is_key()) {
        store.insert(&item.alias, item.created, item.entry).unwrap();
    }
    std::fs::write(dir.join("empty.jks"), jks::write(&store, &Password::new("")).unwrap()).unwrap();
    // keytool verifies the digest with "" (a wrong password would be "Keystore was tampered with").
    let theirs = keytool_entries(&dir, "empty.jks", "");
    let (ours, file) = inspected(&dir, &["empty.jks"]);
    assert_eq!(ours, theirs);
    assert_eq!(file["integrity"], "verified");
    assert_eq!(file["password"], "empty");
    assert!(
        file["warnings"].to_string().contains("the store password is empty"),
        "{}",
        file["warnings"]
    );
}

#[test]
fn the_empty_password_opens_a_store_openssl_wrote_with_it_given_or_not() {
    let dir = scratch("java-reads-empty");
    util::openssl_p12(&dir, &["-passout", "pass:"], "empty.p12");
    std::fs::write(dir.join("pw"), "\n").unwrap();
    let theirs = keytool_entries(&dir, "empty.p12", "");
    for args in [&["--password-file", "pw", "empty.p12"][..], &["empty.p12"]] {
        let (ours, file) = inspected(&dir, args);
        assert_eq!(ours, theirs, "{args:?}");
        assert_eq!(file["integrity"], "verified");
        let warnings = file["warnings"].to_string();
        assert!(warnings.contains("the store password is empty"), "{warnings}");
    }
    for args in [&["--password-file", "pw", "empty.p12"][..], &["empty.p12"]] {
        assert_eq!(inspected(&dir, args).1["password"], "empty", "{args:?}");
    }
    let text = iospki(&dir, ["inspect", "--password-file", "pw", "empty.p12"]).success();
    assert!(text.contains("Integrity: verified with the empty password"), "{text}");
    assert!(text.contains("Warning: the store password is empty"), "{text}");
}

#[test]
fn a_pkcs12_file_without_mac_or_encryption_opens_without_a_password_and_says_what_java_skips() {
    let dir = scratch("java-reads-passwordless");
    util::openssl_p12(
        &dir,
        &["-keypbe", "NONE", "-certpbe", "NONE", "-nomac", "-passout", "pass:"],
        "open.p12",
    );
    let (ours, file) = inspected(&dir, &["open.p12"]);
    assert_eq!(file["password"], "none");
    assert_eq!(file["integrity"], "not_checked");
    let openssl = util::tool(
        &dir,
        "openssl",
        ["x509", "-in", "c.pem", "-noout", "-fingerprint", "-sha256"],
    );
    assert_eq!(ours.len(), 1);
    assert!(openssl.contains(&ours[0].2[0]), "{openssl}");
    // Java's PKCS12 keystore skips a key in the clear, and the certificate with it: keytool lists nothing.
    assert!(keytool_entries(&dir, "open.p12", "").is_empty());
    let text = iospki(&dir, ["inspect", "open.p12"]).success();
    for warning in [
        "Warning: the file has no MAC: anyone who can write it can change its entries unnoticed",
        "Warning: 1 private key is in the clear (keyBag), which Java's PKCS12 keystore skips",
    ] {
        assert!(text.contains(warning), "{text}");
    }
}

#[test]
fn a_pkcs12_file_without_a_mac_but_encrypted_still_needs_its_password() {
    let dir = scratch("java-reads-nomac-encrypted");
    util::openssl_p12(&dir, &["-nomac", "-passout", "pass:s3cret-other"], "s.p12");
    let stderr = iospki(&dir, ["inspect", "s.p12"]).fails_with(2);
    assert_eq!(
        stderr,
        "iospki: s.p12: a password is needed to read a PKCS#12 file; give it with --password-file FILE (- for \
         standard input) or IOSPKI_PASSWORD\n"
    );
    std::fs::write(dir.join("pw"), "s3cret-other\n").unwrap();
    let (ours, file) = inspected(&dir, &["--password-file", "pw", "s.p12"]);
    assert_eq!(ours, keytool_entries(&dir, "s.p12", "s3cret-other"));
    assert!(file["warnings"].to_string().contains("no MAC"), "{}", file["warnings"]);
}

#[test]
fn stores_of_other_formats_are_named_with_how_to_convert_them() {
    let dir = scratch("java-reads-foreign");
    let bouncy_castle = [
        "-providerpath",
        "/usr/share/java/bcprov.jar",
        "-providerclass",
        "org.bouncycastle.jce.provider.BouncyCastleProvider",
    ];
    for (file, store_type, named) in [
        ("foreign-jceks.store", "JCEKS", "a JCEKS keystore"),
        ("foreign-bks.store", "BKS", "a BouncyCastle BKS keystore"),
        ("foreign-uber.store", "UBER", "a BouncyCastle UBER keystore"),
    ] {
        let path = fixture(file);
        let path = path.to_str().unwrap();
        // The fixture is what it is named: keytool reads it as that type.
        let mut list = vec![
            "-list",
            "-storetype",
            store_type,
            "-keystore",
            path,
            "-storepass",
            "changeit",
        ];
        if store_type != "JCEKS" {
            list.extend_from_slice(&bouncy_castle);
        }
        let listing = run_in(&dir, "keytool", list, &[]).success();
        assert!(listing.contains("Your keystore contains 1 entry"), "{listing}");
        let stderr = iospki(&dir, ["inspect", path]).fails_with(2);
        let expected =
            format!("iospki: {path}: {named}: iospki reads JKS and PKCS#12; convert it with keytool -importkeystore");
        assert!(stderr.starts_with(&expected), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn an_unnamed_openssl_key_has_javas_alias_and_a_lone_certificate_is_said_to_be_untrusted() {
    let dir = scratch("java-reads-unnamed");
    util::openssl_p12(&dir, &["-passout", "pass:changeit"], "named.p12");
    util::tool(
        &dir,
        "openssl",
        [
            "pkcs12",
            "-export",
            "-nokeys",
            "-in",
            "c.pem",
            "-passout",
            "pass:changeit",
            "-out",
            "certs.p12",
        ],
    );
    // openssl_p12 names the key "leaf"; export it again without a name, as `openssl pkcs12 -export` does by default.
    util::tool(
        &dir,
        "openssl",
        [
            "pkcs12",
            "-export",
            "-in",
            "c.pem",
            "-inkey",
            "k.pem",
            "-passout",
            "pass:changeit",
            "-out",
            "unnamed.p12",
        ],
    );
    let (ours, _) = inspected(&dir, &["unnamed.p12"]);
    assert_eq!(ours, keytool_entries(&dir, "unnamed.p12", "changeit"));
    assert_eq!(ours[0].0, "1");
    // keytool lists nothing: Java's PKCS12 keystore skips a certificate without its trust attribute.
    assert!(keytool_entries(&dir, "certs.p12", "changeit").is_empty());
    let text = iospki(&dir, ["inspect", "certs.p12"]).success();
    assert!(
        text.contains("Warning: 1 certificate outside any key's chain has no Java trust attribute"),
        "{text}"
    );
}
