//! `iospki inspect` on stores made by keytool and OpenSSL and on init's output: what it shows agrees with
//! keytool's own listings and with openssl, JSON follows docs/json/iospki.inspect.v1.schema.json, bad input exits 2.

use crate::util;

use std::path::{Path, PathBuf};

use crate::util::{iospki, iospki_env, scratch};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("keystores").join(name)
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["inspect", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&iospki(dir, all).success()).unwrap()
}

#[test]
fn json_of_a_keytool_store_has_keytools_aliases_and_fingerprints() {
    let dir = scratch("inspect-json");
    let report = json(&dir, &[fixture("truststore-cacerts.jks").to_str().unwrap()]);
    assert_eq!(report["schema"], "iospki.inspect/1");
    let file = &report["files"][0];
    assert_eq!(file["type"], "keystore");
    assert_eq!(file["format"], "JKS");
    assert_eq!(file["integrity"], "verified");
    assert_eq!(file["password"], "published default");
    let listing = std::fs::read_to_string(fixture("truststore-cacerts.jks.txt")).unwrap();
    let entries = file["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 144);
    for entry in entries {
        let alias = entry["alias"].as_str().unwrap();
        let sha256 = entry["certificates"][0]["sha256"].as_str().unwrap();
        let block = listing
            .split("Alias name: ")
            .find(|b| b.starts_with(&format!("{alias}\n")))
            .unwrap();
        assert!(block.contains(sha256), "{alias}");
        assert_eq!(entry["entry_type"], "trustedCertEntry");
    }
}

#[test]
fn init_output_shows_the_documented_certificates() {
    let out = util::default_init("inspect");
    let report = json(out, &["wso2certs.jks", "ia.crt", "ia.key", "KEYSTORE.p12", "ca.crt"]);
    let files = report["files"].as_array().unwrap();
    let racert = &files[0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["alias"] == "racert")
        .unwrap();
    assert_eq!(racert["certificates"].as_array().unwrap().len(), 2);
    assert_eq!(racert["certificates"][0]["serial"], "12132121241241");
    assert_eq!(racert["certificates"][0]["serial_hex"], "0B08BAC6E699");
    let ssl = &files[1]["certificates"][0];
    assert_eq!(
        ssl["extended_key_usage"],
        serde_json::json!(["serverAuth", "clientAuth"])
    );
    assert_eq!(ssl["subject_alt_names"].as_array().unwrap().len(), 4);
    assert_eq!(ssl["public_key"], "RSA 4096");
    assert_eq!(ssl["basic_constraints"]["ca"], false);
    assert_eq!(
        files[2]["private_keys"][0],
        serde_json::json!({"algorithm": "RSA 4096", "encoding": "PKCS#8", "encrypted": false})
    );
    assert_eq!(files[3]["format"], "PKCS#12");
    assert_eq!(files[3]["java8_readable"], true);
    // The SHA-256 and serial agree with openssl's view of the same certificate.
    let openssl = util::tool(
        out,
        "openssl",
        ["x509", "-in", "ca.crt", "-noout", "-fingerprint", "-sha256", "-serial"],
    );
    let ca = &files[4]["certificates"][0];
    assert!(openssl.contains(ca["sha256"].as_str().unwrap()), "{openssl}");
    assert!(
        openssl.contains(&format!("serial={}", ca["serial_hex"].as_str().unwrap())),
        "{openssl}"
    );
}

#[test]
fn text_output_reads_like_keytool_list_v() {
    let dir = scratch("inspect-text");
    let text = iospki(&dir, ["inspect", fixture("keytool17-default.jks").to_str().unwrap()]).success();
    for expected in [
        "Keystore type: PKCS#12",
        "Protection: PKCS#12 AES-256/PBKDF2, MAC HMAC-SHA256 (10000 iterations): needs Java 8u301+",
        "Your keystore contains 2 entries",
        "Alias name: server",
        "Entry type: PrivateKeyEntry",
        "Certificate chain length: 1",
        "Alias name: trusted-ca",
        "Entry type: trustedCertEntry",
        // In DER order, as openssl prints it (keytool prints the reverse).
        "Owner:          O=iospki, CN=fixture server",
    ] {
        assert!(text.contains(expected), "missing {expected:?}\n{text}");
    }
}

#[test]
fn a_given_password_is_used_and_a_wrong_one_is_an_error() {
    let dir = scratch("inspect-password");
    std::fs::write(dir.join("pw"), "wrong\n").unwrap();
    let store = fixture("openssl3-default.p12");
    let stderr = iospki(&dir, ["inspect", "--password-file", "pw", store.to_str().unwrap()]).fails_with(2);
    assert!(
        stderr.contains("openssl3-default.p12: store password is wrong or the file was modified"),
        "{stderr}"
    );
    let ok = iospki_env(
        &dir,
        ["inspect", "--json", store.to_str().unwrap()],
        &[("IOSPKI_PASSWORD", "changeit")],
    );
    let report: serde_json::Value = serde_json::from_str(&ok.success()).unwrap();
    assert_eq!(report["files"][0]["password"], "given");
}

#[test]
fn jks_with_an_unknown_password_is_listed_unchecked() {
    let dir = scratch("inspect-unchecked");
    util::iospki_env(
        &dir,
        [
            "init",
            "--key",
            util::demo_key().to_str().unwrap(),
            "--key-bits",
            "2048",
        ],
        &[("IOSPKI_PASSWORD", "s3cret-unknown")],
    )
    .success();
    let text = iospki(&dir, ["inspect", "output/wso2certs.jks"]).success();
    assert!(
        text.contains("Integrity: NOT checked (no password given; give --password-file)"),
        "{text}"
    );
    assert!(text.contains("Alias name: racert"), "{text}");
}

#[test]
fn unreadable_input_exits_2_naming_the_file_and_still_reports_the_rest() {
    let dir = scratch("inspect-bad");
    std::fs::write(dir.join("garbage.bin"), [0u8, 1, 2, 3, 4, 5]).unwrap();
    std::fs::write(
        dir.join("empty.pem"),
        "-----BEGIN NOTHING-----\n-----END NOTHING-----\n",
    )
    .unwrap();
    let good = fixture("keytool-jks.jks");
    let run = iospki(
        &dir,
        [
            "inspect",
            "garbage.bin",
            "empty.pem",
            "missing.crt",
            good.to_str().unwrap(),
        ],
    );
    let stderr = run.fails_with(2);
    assert!(
        stderr.contains("iospki: garbage.bin: not a certificate, private key, JKS or PKCS#12 file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("iospki: empty.pem: PEM holds no certificate and no private key"),
        "{stderr}"
    );
    assert!(
        stderr.contains("iospki: missing.crt: No such file or directory"),
        "{stderr}"
    );
    assert!(run.stdout().contains("Alias name: server"), "{}", run.stdout());
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn truncated_and_corrupted_stores_exit_2_with_their_problem() {
    let dir = scratch("inspect-damaged");
    let bytes = std::fs::read(fixture("keytool-jks.jks")).unwrap();
    std::fs::write(dir.join("truncated.jks"), &bytes[..bytes.len() / 2]).unwrap();
    let mut corrupted = bytes.clone();
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 0x40;
    std::fs::write(dir.join("corrupted.jks"), &corrupted).unwrap();
    let stderr = iospki(&dir, ["inspect", "truncated.jks"]).fails_with(2);
    assert!(stderr.contains("truncated.jks: malformed JKS"), "{stderr}");
    let stderr = iospki_env(&dir, ["inspect", "corrupted.jks"], &[("IOSPKI_PASSWORD", "changeit")]).fails_with(2);
    assert!(
        stderr.contains("corrupted.jks: store password is wrong or the file was modified"),
        "{stderr}"
    );
}

#[test]
fn control_characters_of_a_crafted_subject_and_file_name_are_printed_escaped() {
    let dir = scratch("inspect-escape");
    let name = "evil\u{1b}[2J\nok.pem: 0 problem(s)\u{202e}.pem";
    let subject = "/O=Evil\u{1b}[2J\u{7}/CN=x\u{d}0 problem(s)\u{2067}";
    let args = [
        "req", "-x509", "-utf8", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-subj", subject, "-out", name,
    ];
    util::tool(&dir, "openssl", args);
    for command in [["inspect", name], ["check", name]] {
        let shown = iospki(&dir, command).stdout();
        assert!(
            !shown.contains(['\u{1b}', '\u{7}', '\r', '\u{202e}', '\u{2067}']),
            "{command:?} printed a control or bidi character: {shown:?}"
        );
        assert!(shown.contains("Evil\\u{1b}[2J\\u{7}"), "{command:?}: {shown}");
        assert!(
            shown.contains("evil\\u{1b}[2J\\u{a}ok.pem: 0 problem(s)\\u{202e}.pem"),
            "{command:?}: {shown}"
        );
        assert!(
            !shown.lines().any(|l| l.starts_with("ok.pem")),
            "{command:?}: a forged line: {shown}"
        );
    }
}

#[test]
fn a_pkcs12_file_without_a_mac_is_not_called_verified() {
    let dir = scratch("inspect-nomac");
    util::openssl_p12(&dir, &["-nomac", "-passout", "pass:changeit"], "s.p12");
    let shown = iospki(&dir, ["inspect", "s.p12"]).success();
    assert!(
        shown.contains("Integrity: NOT checked (the file has no MAC)"),
        "{shown}"
    );
}
