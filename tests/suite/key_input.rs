//! The operator's key in every format OpenSSL writes loads; every key iospki must refuse is refused with
//! exit 2, one line naming the file and the reason, and nothing written.

use crate::util;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{iospki, iospki_env, listing, run_in, scratch};

const KEY_PASSWORD: &str = "këy pässword";

/// The keys, made by openssl in a directory shared by this binary's tests.
fn keys() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("key-input-keys");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/key_input.sh");
        run_in(
            &dir,
            "sh",
            [script.to_str().unwrap()],
            &[("KEY_PASSWORD", KEY_PASSWORD)],
        )
        .success();
        dir
    })
}

fn key(name: &str) -> String {
    keys().join(name).to_str().unwrap().to_owned()
}

/// Runs `init` on `key_file` in a new directory and returns the directory.
fn init_with(test: &str, key_file: &str, extra: &[&str], env: &[(&str, &str)]) -> (PathBuf, util::Run) {
    let dir = scratch(test);
    let mut args = vec!["init", "--key", key_file, "--key-bits", "2048"];
    args.extend_from_slice(extra);
    let run = iospki_env(&dir, args, env);
    (dir, run)
}

fn assert_loaded(test: &str, key_file: &str, extra: &[&str], env: &[(&str, &str)]) {
    let (dir, run) = init_with(test, key_file, extra, env);
    run.success();
    let given = util::tool(&dir, "openssl", ["pkey", "-in", &key("pkcs8.pem"), "-pubout"]);
    let in_ca = util::tool(&dir, "openssl", ["x509", "-in", "output/ca.crt", "-noout", "-pubkey"]);
    assert_eq!(given, in_ca, "{key_file}: the CA certificate is not for the given key");
}

#[test]
fn pkcs8_pem_loads() {
    assert_loaded("pkcs8_pem", &key("pkcs8.pem"), &[], &[]);
}

#[test]
fn pkcs1_pem_loads() {
    assert_loaded("pkcs1_pem", &key("pkcs1.pem"), &[], &[]);
}

#[test]
fn pkcs8_der_loads() {
    assert_loaded("pkcs8_der", &key("pkcs8.der"), &[], &[]);
}

#[test]
fn pkcs1_der_loads() {
    assert_loaded("pkcs1_der", &key("pkcs1.der"), &[], &[]);
}

#[test]
fn openssl_rsa_text_output_with_text_before_the_pem_loads() {
    assert_loaded("rsa_text", &key("rsa-text.pem"), &[], &[]);
}

#[test]
fn encrypted_pkcs8_loads_with_the_password_from_a_file() {
    assert_loaded(
        "enc_pkcs8",
        &key("enc-pkcs8-aes.pem"),
        &["--key-password-file", &key("password")],
        &[],
    );
}

#[test]
fn encrypted_pkcs8_der_with_3des_loads_with_the_password_from_the_environment() {
    assert_loaded(
        "enc_pkcs8_der",
        &key("enc-pkcs8-3des.der"),
        &[],
        &[("IOSPKI_KEY_PASSWORD", KEY_PASSWORD)],
    );
}

#[test]
fn traditional_des3_pem_loads() {
    assert_loaded(
        "trad_des3",
        &key("trad-des3.pem"),
        &["--key-password-file", &key("password")],
        &[],
    );
}

#[test]
fn traditional_aes256_pem_loads() {
    assert_loaded(
        "trad_aes256",
        &key("trad-aes256.pem"),
        &[],
        &[("IOSPKI_KEY_PASSWORD", KEY_PASSWORD)],
    );
}

/// Asserts exit 2, one line on stderr naming the key file and containing `reason`, no output directory.
fn assert_refused(test: &str, key_file: &str, reason: &str, extra: &[&str], env: &[(&str, &str)]) {
    let (dir, run) = init_with(test, key_file, extra, env);
    let stderr = run.fails_with(2);
    let lines: Vec<_> = stderr.lines().filter(|l| !l.contains("warning:")).collect();
    assert_eq!(lines.len(), 1, "expected one error line:\n{stderr}");
    assert!(lines[0].starts_with("iospki: "), "{stderr}");
    assert!(lines[0].contains(key_file), "error does not name {key_file}:\n{stderr}");
    assert!(lines[0].contains(reason), "error lacks {reason:?}:\n{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    assert_eq!(listing(&dir), Vec::<String>::new(), "something was written");
}

#[test]
fn ec_key_is_refused_with_the_reason() {
    assert_refused("ec", &key("ec.pem"), "key is EC P-256; WSO2's SCEP signs", &[], &[]);
}

#[test]
fn sec1_ec_key_is_refused_with_the_reason() {
    assert_refused("ec_sec1", &key("ec-sec1.pem"), "key is EC;", &[], &[]);
}

#[test]
fn ed25519_key_is_refused_with_the_reason() {
    assert_refused("ed25519", &key("ed25519.pem"), "key is Ed25519", &[], &[]);
}

#[test]
fn dsa_key_is_refused_with_the_reason() {
    assert_refused("dsa", &key("dsa.pem"), "key is DSA", &[], &[]);
}

#[test]
fn rsa_1024_is_refused_as_too_small_for_apple() {
    assert_refused(
        "rsa1024",
        &key("rsa1024.pem"),
        "key is RSA-1024; Apple requires at least 2048 bits",
        &[],
        &[],
    );
}

#[test]
fn certificate_given_as_key_is_refused() {
    assert_refused(
        "cert_as_key",
        &key("cert.pem"),
        "holds a certificate, not a private key",
        &[],
        &[],
    );
}

#[test]
fn der_certificate_given_as_key_is_refused() {
    assert_refused(
        "der_cert_as_key",
        &key("cert.der"),
        "holds a certificate, not a private key",
        &[],
        &[],
    );
}

#[test]
fn empty_key_file_is_refused() {
    assert_refused("empty", &key("empty.pem"), "file is empty", &[], &[]);
}

#[test]
fn two_keys_in_one_file_are_refused() {
    assert_refused("two_keys", &key("two-keys.pem"), "file holds 2 private keys", &[], &[]);
}

#[test]
fn encrypted_key_without_a_password_says_how_to_give_one() {
    assert_refused(
        "no_password",
        &key("trad-des3.pem"),
        "key is encrypted; give its password with --key-password-file",
        &[],
        &[],
    );
}

#[test]
fn encrypted_key_with_a_wrong_password_is_refused() {
    let env = [("IOSPKI_KEY_PASSWORD", "wrong")];
    assert_refused(
        "wrong_password_trad",
        &key("trad-aes256.pem"),
        "wrong key password",
        &[],
        &env,
    );
    assert_refused(
        "wrong_password_pkcs8",
        &key("enc-pkcs8-aes.pem"),
        "wrong key password",
        &[],
        &env,
    );
}

#[test]
fn missing_key_file_is_named() {
    let (dir, run) = init_with("missing", "no-such.key", &[], &[]);
    let stderr = run.fails_with(2);
    assert!(stderr.contains("no-such.key: No such file or directory"), "{stderr}");
    assert_eq!(listing(&dir), Vec::<String>::new());
}

#[test]
fn cli_refuses_a_key_size_below_apples_minimum() {
    let dir = scratch("small_bits");
    let stderr = iospki(&dir, ["init", "--key", &key("pkcs8.pem"), "--key-bits", "1024"]).fails_with(2);
    assert!(stderr.contains("--key-bits"), "{stderr}");
}
