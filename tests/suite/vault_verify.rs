//! `verify` of sets made with `init --secure-vault`: each secret decrypted with the key secret-conf.properties
//! names, as the server does at start. Fresh sets of Enterprise Store, IoT Server, Identity Server 7.1 and API
//! Manager 4.4 verify clean (their output directories, bundles, and a 7.1 home); then each problem, made with
//! openssl as an operator's cipher tool or editor would make it, is named at its file, line and alias, exit 1.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{Run, iospki, scratch, tool};

const PASSWORD: &str = "vault-verify-pw";

/// `init --secure-vault` with `args` in a fresh scratch directory `name`, whose `output/` holds the set; a
/// `--key ca.key` is made first by openssl genrsa.
fn init(name: &str, args: &[&str]) -> PathBuf {
    let dir = scratch(name);
    if args.contains(&"ca.key") {
        tool(&dir, "openssl", ["genrsa", "-out", "ca.key", "2048"]);
    }
    fs::write(dir.join("pw"), PASSWORD).unwrap();
    let mut all = vec!["init", "--secure-vault", "--key-bits", "2048", "--password-file", "pw"];
    all.extend_from_slice(args);
    iospki(&dir, all).success();
    dir
}

/// An IoT Server set.
fn iot(name: &str) -> PathBuf {
    init(name, &["--key", "ca.key"])
}

/// `verify` of `target` (flags and paths under `dir`) with the set's password.
fn verify(dir: &Path, target: &[&str]) -> Run {
    let mut all = vec!["verify", "--password-file", "pw"];
    all.extend_from_slice(target);
    iospki(dir, all)
}

/// Verify of the set in `dir/output` fails with exit 1 naming `what`; returns its report.
fn finds(dir: &Path, what: &str) -> String {
    let run = verify(dir, &["output"]);
    run.fails_with(1);
    let report = run.stdout();
    assert!(report.contains(what), "expected {what:?} in\n{report}");
    report
}

/// Rewrites `dir/output/file` with `edit`.
fn edit(dir: &Path, file: &str, edit: impl Fn(&str) -> String) {
    let path = dir.join("output").join(file);
    let text = fs::read_to_string(&path).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "{file} unchanged");
    fs::write(&path, edited).unwrap();
}

/// `text` with the value of the line that starts with `key` set to `value` (properties: `key=`, TOML: `key = `).
fn set_value(text: &str, key: &str, value: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no {key}"));
    let separator = if line[key.len()..].starts_with(" = ") {
        " = "
    } else {
        "="
    };
    text.replace(line, &format!("{key}{separator}{value}"))
}

/// `secret` encrypted by openssl with RSA PKCS#1 v1.5 to the public key of the PEM certificate or key `from`
/// (in `dir`), Base64, as the cipher tool writes it.
fn openssl_encrypt(dir: &Path, from: &str, secret: &str) -> String {
    let public = if from.ends_with(".crt") {
        tool(dir, "openssl", ["x509", "-in", from, "-pubkey", "-noout"])
    } else {
        tool(dir, "openssl", ["rsa", "-in", from, "-pubout"])
    };
    fs::write(dir.join("public.pem"), public).unwrap();
    fs::write(dir.join("secret.txt"), secret).unwrap();
    let args = [
        "pkeyutl",
        "-encrypt",
        "-pubin",
        "-inkey",
        "public.pem",
        "-in",
        "secret.txt",
        "-out",
        "secret.bin",
    ];
    tool(dir, "openssl", args);
    tool(dir, "openssl", ["base64", "-A", "-in", "secret.bin"])
        .trim()
        .to_owned()
}

/// `text` without the line that starts with `prefix`.
fn without_line(text: &str, prefix: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with(prefix))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Another RSA key than the set's, made by openssl, in `dir/other.key`.
fn other_key(dir: &Path) -> &'static str {
    tool(dir, "openssl", ["genrsa", "-out", "other.key", "2048"]);
    "other.key"
}

#[test]
fn every_product_made_with_secure_vault_verifies_clean_as_do_its_bundles() {
    let sets = [
        init("vault-verify-es", &["--product", "es"]),
        iot("vault-verify-iot"),
        init("vault-verify-is", &["--product", "is", "--version=7.1"]),
        init("vault-verify-apim", &["--product", "apim", "--version=4.4"]),
        init(
            "vault-verify-server-home",
            &["--product", "es", "--server-home", "/opt/wso2/es"],
        ),
    ];
    for dir in &sets {
        let report = verify(dir, &["output"]).success();
        assert!(report.contains("0 problem(s), 0 warning(s)"), "{report}");
    }
    for dir in [&sets[0], &sets[2], &sets[4]] {
        iospki(dir, ["bundle", "output"]).success();
        for entry in fs::read_dir(dir.join("bundles")).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".tar.gz") {
                let archive = format!("bundles/{name}");
                let report = verify(dir, &["--bundle", &archive]).success();
                assert!(report.contains("0 problem(s), 0 warning(s)"), "{report}");
            }
        }
    }
}

#[test]
fn a_deployment_toml_home_with_its_secrets_verifies_clean_and_a_wrong_alias_is_named() {
    let dir = init("vault-verify-is-home", &["--product", "is", "--version=7.1"]);
    let home = dir.join("home");
    let (security, conf) = (home.join("repository/resources/security"), home.join("repository/conf"));
    fs::create_dir_all(&security).unwrap();
    fs::create_dir_all(conf.join("security")).unwrap();
    for store in ["primary.p12", "internal.p12", "tls.p12", "client-truststore.p12"] {
        fs::copy(dir.join("output").join(store), security.join(store)).unwrap();
    }
    let set = |file: &str| dir.join("output").join(file);
    fs::copy(set("deployment-security.toml"), conf.join("deployment.toml")).unwrap();
    fs::copy(
        set("secret-conf.properties"),
        conf.join("security/secret-conf.properties"),
    )
    .unwrap();
    let report = verify(&dir, &["--home", "home", "--product", "is", "--version=7.1"]).success();
    assert!(report.contains("0 problem(s), 0 warning(s)"), "{report}");
    let secret_conf = conf.join("security/secret-conf.properties");
    let text = fs::read_to_string(&secret_conf).unwrap();
    fs::write(&secret_conf, set_value(&text, "keystore.identity.alias", "primary")).unwrap();
    let run = verify(&dir, &["--home", "home", "--product", "is", "--version=7.1"]);
    run.fails_with(1);
    let report = run.stdout();
    assert!(
        report.contains("repository/resources/security/internal.p12 alias primary: is not in the store"),
        "{report}"
    );
}

/// carbon.xml of a Secure Vault home, as the cipher tool leaves it: each password `password`, with its alias.
const VAULT_CARBON_XML: &str = r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml" xmlns:svns="http://org.wso2.securevault/configuration">
<Security><KeyStore><Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location><Type>JKS</Type>
<Password svns:secretAlias="Carbon.Security.KeyStore.Password">password</Password><KeyAlias>wso2carbon</KeyAlias>
<KeyPassword svns:secretAlias="Carbon.Security.KeyStore.KeyPassword">password</KeyPassword></KeyStore>
<TrustStore><Location>${carbon.home}/repository/resources/security/client-truststore.jks</Location><Type>JKS</Type>
<Password svns:secretAlias="Carbon.Security.TrustStore.Password">password</Password></TrustStore></Security></Server>
"#;

#[test]
fn a_carbon_home_opens_its_stores_with_the_passwords_its_aliases_decrypt_to() {
    let dir = init("vault-verify-es-home", &["--product", "es"]);
    let home = dir.join("home");
    let (security, conf) = (home.join("repository/resources/security"), home.join("repository/conf"));
    fs::create_dir_all(&security).unwrap();
    fs::create_dir_all(conf.join("security")).unwrap();
    let set = |file: &str| dir.join("output").join(file);
    for store in ["wso2carbon.jks", "client-truststore.jks"] {
        fs::copy(set(store), security.join(store)).unwrap();
    }
    for file in ["secret-conf.properties", "cipher-text.properties"] {
        fs::copy(set(file), conf.join("security").join(file)).unwrap();
    }
    fs::write(conf.join("carbon.xml"), VAULT_CARBON_XML).unwrap();
    let report = verify(&dir, &["--home", "home", "--product", "es"]).success();
    assert!(report.contains("0 problem(s), 0 warning(s)"), "{report}");
    let cipher_text = conf.join("security/cipher-text.properties");
    let text = fs::read_to_string(&cipher_text).unwrap();
    fs::write(
        &cipher_text,
        without_line(&text, "Carbon.Security.TrustStore.Password="),
    )
    .unwrap();
    let run = verify(&dir, &["--home", "home", "--product", "es"]);
    run.fails_with(1);
    let report = run.stdout();
    assert!(
        report.contains(
            "repository/conf/carbon.xml:7 Carbon.Security.TrustStore.Password: is a Secure Vault alias \
             repository/conf/security/cipher-text.properties does not hold"
        ),
        "{report}"
    );
}

#[test]
fn a_ciphertext_under_another_key_does_not_decrypt() {
    let dir = init("vault-verify-other-key", &["--product", "es"]);
    let value = openssl_encrypt(&dir, other_key(&dir), PASSWORD);
    edit(&dir, "cipher-text.properties", |t| {
        set_value(t, "Carbon.Security.KeyStore.Password", &value)
    });
    finds(
        &dir,
        "problem: cipher-text.properties:3 Carbon.Security.KeyStore.Password: does not decrypt with the key of \
         keystore.identity.alias (RSA, PKCS#1 v1.5 padding) (wso2carbon.jks alias wso2carbon)",
    );
    let dir = init("vault-verify-is-other-key", &["--product", "is", "--version=7.1"]);
    let value = format!("\"{}\"", openssl_encrypt(&dir, other_key(&dir), PASSWORD));
    edit(&dir, "deployment-security.toml", |t| {
        set_value(t, "keystore_tls_password", &value)
    });
    finds(&dir, "[secrets] keystore_tls_password: does not decrypt with the key");
}

#[test]
fn a_ciphertext_of_another_password_under_the_right_key_does_not_open_the_stores() {
    let dir = init("vault-verify-other-password", &["--product", "es"]);
    let value = openssl_encrypt(&dir.join("output"), "ssl.crt", "not-the-password");
    edit(&dir, "cipher-text.properties", |t| {
        set_value(t, "Carbon.Security.TrustStore.Password", &value)
    });
    finds(
        &dir,
        "Carbon.Security.TrustStore.Password: decrypts with wso2carbon.jks alias wso2carbon to a password that does \
         not open the stores",
    );
    let dir = init("vault-verify-is-other-password", &["--product", "is", "--version=7.1"]);
    let value = format!(
        "\"{}\"",
        openssl_encrypt(&dir.join("output"), "internal.crt", "not-the-password")
    );
    edit(&dir, "deployment-security.toml", |t| {
        set_value(t, "truststore_password", &value)
    });
    finds(
        &dir,
        "[truststore] password ($secret{truststore_password}, decrypted): does not open client-truststore.p12",
    );
}

#[test]
fn a_value_still_in_brackets_is_plain_text() {
    let dir = iot("vault-verify-plain");
    edit(&dir, "cipher-text.properties", |t| {
        set_value(t, "Server.Service.Connector.keystorePass", &format!("[{PASSWORD}]"))
    });
    finds(
        &dir,
        "cipher-text.properties:2 Server.Service.Connector.keystorePass: is still plain text in [brackets]",
    );
}

#[test]
fn an_alias_removed_from_the_secrets_is_named_where_the_settings_use_it() {
    let dir = init("vault-verify-removed", &["--product", "es"]);
    edit(&dir, "cipher-text.properties", |t| {
        without_line(t, "Carbon.Security.KeyStore.KeyPassword=")
    });
    finds(
        &dir,
        "settings-store.txt:22 Carbon.Security.KeyStore.KeyPassword: is a Secure Vault alias cipher-text.properties \
         does not hold",
    );
    let dir = init("vault-verify-is-removed", &["--product", "apim", "--version=4.4"]);
    edit(&dir, "deployment-security.toml", |t| {
        without_line(t, "keystore_internal_key_password =")
    });
    finds(
        &dir,
        "deployment-security.toml:18 keystore_internal_key_password: is a Secure Vault alias \
         deployment-security.toml [secrets] does not hold",
    );
}

#[test]
fn a_plain_password_put_back_is_a_problem_at_its_line() {
    let dir = init("vault-verify-plain-toml", &["--product", "is", "--version=7.1"]);
    edit(&dir, "deployment-security.toml", |t| {
        t.replacen("\"$secret{keystore_primary_password}\"", &format!("\"{PASSWORD}\""), 1)
    });
    finds(
        &dir,
        "deployment-security.toml:9 [keystore.primary] password: holds a store's password in plain text in a \
         Secure Vault set",
    );
    let dir = init("vault-verify-plain-settings", &["--product", "es"]);
    edit(&dir, "settings-publisher.txt", |t| {
        t.replacen(
            "<Password svns:secretAlias=\"Carbon.Security.TrustStore.Password\">password</Password>",
            &format!("<Password>{PASSWORD}</Password>"),
            1,
        )
    });
    finds(
        &dir,
        "settings-publisher.txt:25: holds Password in plain text in a Secure Vault set",
    );
}

#[test]
fn a_secret_conf_naming_a_wrong_alias_an_oaep_algorithm_or_missing_is_a_problem() {
    let dir = init("vault-verify-wrong-alias", &["--product", "es"]);
    edit(&dir, "secret-conf.properties", |t| {
        set_value(t, "keystore.identity.alias", "nosuch")
    });
    finds(
        &dir,
        "wso2carbon.jks alias nosuch: is not in the store (keystore.identity.alias): secret-conf.properties names it",
    );
    let dir = init("vault-verify-oaep", &["--product", "apim", "--version=4.4"]);
    edit(&dir, "secret-conf.properties", |t| {
        format!("{t}secretRepositories.file.algorithm=RSA/ECB/OAEPWithSHA1AndMGF1Padding\n")
    });
    finds(
        &dir,
        "secret-conf.properties secretRepositories.file.algorithm: is RSA/ECB/OAEPWithSHA1AndMGF1Padding",
    );
    let dir = iot("vault-verify-no-conf");
    fs::remove_file(dir.join("output/secret-conf.properties")).unwrap();
    finds(
        &dir,
        "secret-conf.properties: is missing: the server decrypts no secret of this Secure Vault set",
    );
}
