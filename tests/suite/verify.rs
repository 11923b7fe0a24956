//! `iospki verify` passes on init's output and catches each problem when a test plants it with the real tools:
//! a swapped key, a wrong alias, a wrong password in the XML, an AES store, a private key in the truststore,
//! an expiring or expired certificate, and the documented script's v1 SSL certificate.

use crate::util;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{demo_key, iospki, iospki_env, run_in, scratch, tool};

const PASSWORD: &str = "verify-pässword";

/// A fresh copy of one init output made with a non-default password, for a test to damage.
fn output_copy(test: &str) -> PathBuf {
    static MADE: OnceLock<PathBuf> = OnceLock::new();
    let made = MADE.get_or_init(|| {
        let dir = scratch("verify-init");
        iospki_env(
            &dir,
            ["init", "--key", demo_key().to_str().unwrap(), "--key-bits", "2048"],
            &[("IOSPKI_PASSWORD", PASSWORD)],
        )
        .success();
        dir.join("output")
    });
    let dir = scratch(test);
    let copy = dir.join("output");
    fs::create_dir(&copy).unwrap();
    for entry in fs::read_dir(made).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    copy
}

fn verify(dir: &Path, extra: &[&str]) -> util::Run {
    let mut args = vec!["verify", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    iospki_env(dir, args, &[("IOSPKI_PASSWORD", PASSWORD)])
}

/// Asserts exit 1 and a problem line containing each of `expected`.
fn assert_problem(run: &util::Run, expected: &[&str]) {
    let stdout = run.stdout();
    run.fails_with(1);
    let found = stdout
        .lines()
        .any(|line| line.starts_with("problem: ") && expected.iter().all(|e| line.contains(e)));
    assert!(found, "no problem line with {expected:?} in\n{stdout}");
}

fn keytool(dir: &Path, args: &[&str]) {
    run_in(dir, "keytool", args, &[("P", PASSWORD)]).success();
}

#[test]
fn init_output_is_sound() {
    let dir = output_copy("verify-sound");
    let stdout = verify(&dir, &[]).success();
    // The only findings: Java's PKCS12 cannot take this non-ASCII password for the .p12 files.
    assert!(stdout.ends_with(": 0 problem(s), 3 warning(s)\n"), "{stdout}");
    assert!(
        stdout.contains("warning: KEYSTORE.p12: has a non-ASCII password, which Java's PKCS12 keystore cannot use"),
        "{stdout}"
    );
}

#[test]
fn default_password_is_a_warning_not_a_problem() {
    let out = util::default_init("verify");
    let run = iospki(out, ["verify", "."]);
    let stdout = run.success();
    assert!(
        stdout.contains("warning: wso2certs.jks: uses a published default password; choose your own"),
        "{stdout}"
    );
}

#[test]
fn json_report_has_the_schema_and_findings() {
    let dir = output_copy("verify-json");
    fs::copy(dir.join("ra_private.key"), dir.join("ia.key")).unwrap();
    let run = verify(&dir, &["--json"]);
    run.fails_with(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(report["schema"], "iospki.verify/1");
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "problem");
    assert_eq!(finding["location"], "ia.key");
}

#[test]
fn swapped_key_is_caught() {
    let dir = output_copy("verify-swapped-key");
    fs::copy(dir.join("ra_private.key"), dir.join("ia.key")).unwrap();
    assert_problem(&verify(&dir, &[]), &["ia.key: is not the key of ia.crt"]);
}

#[test]
fn wrong_alias_is_caught() {
    let dir = output_copy("verify-wrong-alias");
    keytool(
        &dir,
        &[
            "-changealias",
            "-storetype",
            "JKS",
            "-keystore",
            "wso2carbon.jks",
            "-storepass:env",
            "P",
            "-keypass:env",
            "P",
            "-alias",
            "wso2carbon",
            "-destalias",
            "ioscluster",
        ],
    );
    assert_problem(
        &verify(&dir, &[]),
        &[
            "wso2carbon.jks alias wso2carbon",
            "has no entry under the alias",
            "ioscluster",
        ],
    );
}

#[test]
fn wrong_key_password_in_certificate_config_is_caught() {
    let dir = output_copy("verify-xml-password");
    let xml = fs::read_to_string(dir.join("certificate-config.xml")).unwrap();
    let start = xml.find("<RAPrivateKeyPassword>").unwrap();
    let end = xml.find("</RAPrivateKeyPassword>").unwrap();
    let planted = format!("{}<RAPrivateKeyPassword>racert{}", &xml[..start], &xml[end..]);
    fs::write(dir.join("certificate-config.xml"), planted).unwrap();
    assert_problem(
        &verify(&dir, &[]),
        &[
            "wso2certs.jks alias racert",
            "configured key password does not open the key",
        ],
    );
}

#[test]
fn incomplete_certificate_config_is_caught() {
    let dir = output_copy("verify-xml-incomplete");
    let xml = fs::read_to_string(dir.join("certificate-config.xml")).unwrap();
    fs::write(
        dir.join("certificate-config.xml"),
        xml.replace("<DefaultPageSize>10</DefaultPageSize>", ""),
    )
    .unwrap();
    assert_problem(
        &verify(&dir, &[]),
        &["certificate-config.xml: element DefaultPageSize is missing"],
    );
}

#[test]
fn aes_pkcs12_store_behind_a_jks_name_is_caught() {
    let dir = output_copy("verify-aes");
    // PKCS#12 with AES-256 and HMAC-SHA256 (OpenSSL 3's default, as JDK 17 keytool's) in a file named .jks.
    // OpenSSL writes it: Java's PKCS12 takes no non-ASCII password.
    let pem = run_in(
        &dir,
        "openssl",
        ["pkcs12", "-in", "KEYSTORE.p12", "-nodes", "-passin", "env:P"],
        &[("P", PASSWORD)],
    )
    .success();
    fs::write(dir.join("ssl.pem"), pem).unwrap();
    let export = [
        "pkcs12",
        "-export",
        "-in",
        "ssl.pem",
        "-name",
        "wso2carbon",
        "-passout",
        "env:P",
        "-out",
        "wso2carbon.jks",
    ];
    run_in(&dir, "openssl", export, &[("P", PASSWORD)]).success();
    let run = verify(&dir, &[]);
    assert_problem(&run, &["wso2carbon.jks: is PKCS#12 but is configured as type JKS"]);
    assert_problem(
        &run,
        &["wso2carbon.jks: Java 8 before 8u301 cannot read it", "AES-256/PBKDF2"],
    );
}

#[test]
fn private_key_in_the_truststore_is_caught() {
    let dir = output_copy("verify-key-in-truststore");
    keytool(
        &dir,
        &[
            "-importkeystore",
            "-noprompt",
            "-srckeystore",
            "wso2carbon.jks",
            "-srcstoretype",
            "JKS",
            "-srcstorepass:env",
            "P",
            "-srcalias",
            "wso2carbon",
            "-destalias",
            "ioscluster",
            "-destkeystore",
            "client-truststore.jks",
            "-deststoretype",
            "JKS",
            "-deststorepass:env",
            "P",
            "-destkeypass:env",
            "P",
        ],
    );
    assert_problem(
        &verify(&dir, &[]),
        &["client-truststore.jks: holds a private key (alias ioscluster)"],
    );
}

#[test]
fn truststore_without_the_ca_is_caught() {
    let dir = output_copy("verify-truststore-no-ca");
    keytool(
        &dir,
        &[
            "-delete",
            "-storetype",
            "JKS",
            "-keystore",
            "client-truststore.jks",
            "-storepass:env",
            "P",
            "-alias",
            "cacert",
        ],
    );
    assert_problem(&verify(&dir, &[]), &["client-truststore.jks: does not trust the CA"]);
}

#[test]
fn certificates_expiring_within_the_window_are_caught() {
    let dir = output_copy("verify-expiring");
    assert_problem(
        &verify(&dir, &["--within", "1900d"]),
        &["wso2certs.jks alias cacert: expires in 182", " days, on "],
    );
}

#[test]
fn expired_certificates_are_caught() {
    // The library takes the time to judge at, so the certificates can be seen from six years on.
    let dir = output_copy("verify-expired");
    let options = iospki::ops::verify::Options {
        store_password: iospki::io::secret::Password::new(PASSWORD),
        ssl_alias: "wso2carbon".into(),
        within: time::Duration::days(30),
        now: iospki::formats::issue::now() + time::Duration::days(6 * 365),
    };
    let report = iospki::ops::verify::verify_output(&dir, &options).unwrap();
    let lines: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("problem: wso2carbon.jks alias wso2carbon: expired on")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("problem: wso2certs.jks alias cacert: expired on")),
        "{lines:#?}"
    );
}

#[test]
fn documented_scripts_v1_ssl_certificate_is_caught() {
    let dir = output_copy("verify-v1");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/documented-procedure.sh");
    let work = dir.parent().unwrap().join("script");
    run_in(
        &dir,
        "bash",
        [
            script.to_str().unwrap(),
            work.to_str().unwrap(),
            demo_key().to_str().unwrap(),
        ],
        &[],
    )
    .success();
    // The script's SSL key entry, put where carbon.xml looks for it, in a real JKS.
    fs::remove_file(dir.join("wso2carbon.jks")).unwrap();
    let p12 = work.join("output/KEYSTORE.p12");
    run_in(
        &dir,
        "keytool",
        [
            "-importkeystore",
            "-noprompt",
            "-srckeystore",
            p12.to_str().unwrap(),
            "-srcstoretype",
            "PKCS12",
            "-srcstorepass",
            "wso2carbon",
            "-srcalias",
            "ioscluster",
            "-destalias",
            "wso2carbon",
            "-destkeystore",
            "wso2carbon.jks",
            "-deststoretype",
            "JKS",
            "-deststorepass:env",
            "P",
            "-destkeypass:env",
            "P",
        ],
        &[("P", PASSWORD)],
    )
    .success();
    let run = verify(&dir, &[]);
    assert_problem(
        &run,
        &["wso2carbon.jks alias wso2carbon: is an X.509 v1 certificate without extensions"],
    );
    assert_problem(
        &run,
        &["wso2carbon.jks alias wso2carbon: extendedKeyUsage lacks serverAuth"],
    );
    assert_problem(
        &run,
        &[
            "subjectAltName lacks iots310.wso2.com, gateway.iots310.wso2.com, mgt.iots310.wso2.com, keymgt.iots310.wso2.com",
        ],
    );
    assert_problem(&run, &["the key's chain holds only the SSL certificate, not its CA"]);
}

#[test]
fn server_home_is_read_through_carbon_xml() {
    let out = output_copy("verify-home");
    let home = out.parent().unwrap().join("iots");
    let security = home.join("repository/resources/security");
    fs::create_dir_all(&security).unwrap();
    fs::create_dir_all(home.join("conf")).unwrap();
    fs::create_dir_all(home.join("repository/conf")).unwrap();
    for store in ["wso2carbon.jks", "client-truststore.jks", "wso2certs.jks"] {
        fs::copy(out.join(store), security.join(store)).unwrap();
    }
    fs::copy(
        out.join("certificate-config.xml"),
        home.join("repository/conf/certificate-config.xml"),
    )
    .unwrap();
    fs::copy(out.join("iot-api-config.xml"), home.join("conf/iot-api-config.xml")).unwrap();
    let identity_providers = home.join("conf/identity/identity-providers");
    fs::create_dir_all(&identity_providers).unwrap();
    fs::copy(out.join("iot_default.xml"), identity_providers.join("iot_default.xml")).unwrap();
    let carbon = util::carbon_xml(PASSWORD, "");
    fs::write(home.join("repository/conf/carbon.xml"), &carbon).unwrap();
    let run = iospki(&home, ["verify", "--iots-home", "."]);
    let stdout = run.success();
    assert!(stdout.ends_with(": 0 problem(s), 0 warning(s)\n"), "{stdout}");
    fs::write(
        home.join("repository/conf/carbon.xml"),
        carbon.replace("<KeyAlias>wso2carbon", "<KeyAlias>ioscluster"),
    )
    .unwrap();
    assert_problem(
        &iospki(&home, ["verify", "--iots-home", "."]),
        &["alias ioscluster: has no entry under the alias"],
    );
    // From a directory holding a sound carbon.xml of its own, the home's is still the one judged.
    let decoy = home.parent().unwrap().join("decoy");
    fs::create_dir_all(decoy.join("repository/conf")).unwrap();
    fs::write(decoy.join("repository/conf/carbon.xml"), &carbon).unwrap();
    assert_problem(
        &util::iospki_here(&decoy, ["verify", "--iots-home", home.to_str().unwrap()]),
        &["alias ioscluster: has no entry under the alias"],
    );
}

#[test]
fn missing_directory_exits_2() {
    let dir = scratch("verify-missing");
    let stderr = iospki(&dir, ["verify", "nowhere"]).fails_with(2);
    assert!(
        stderr.contains("iospki: nowhere: No such file or directory"),
        "{stderr}"
    );
    let stderr = iospki(&dir, ["verify", "--iots-home", "."]).fails_with(2);
    assert!(stderr.contains("repository/conf/carbon.xml"), "{stderr}");
}

/// The uid and gid the unreadable-file test runs verify as: nobody, who owns the copy of the set but ia.key.
const NOBODY: &str = "65534";

#[test]
fn a_key_file_verify_cannot_read_is_reported_as_unreadable_not_as_another_key() {
    let out = output_copy("verify-unreadable-key");
    tool(&out, "chown", ["-R", &format!("{NOBODY}:{NOBODY}"), "."]);
    tool(&out, "chown", ["0:0", "ia.key"]);
    let binary = env!("CARGO_BIN_EXE_iospki");
    let as_nobody = [
        &format!("--reuid={NOBODY}"),
        &format!("--regid={NOBODY}"),
        "--clear-groups",
        binary,
        "verify",
        out.to_str().unwrap(),
    ];
    let elsewhere = out.parent().unwrap();
    let run = run_in(elsewhere, "setpriv", as_nobody, &[("IOSPKI_PASSWORD", PASSWORD)]);
    let stdout = run.stdout();
    run.fails_with(1);
    let about_key: Vec<&str> = stdout.lines().filter(|l| l.contains("ia.key")).collect();
    assert_eq!(about_key.len(), 1, "{stdout}");
    assert!(
        about_key[0].contains("ia.key: cannot be read: Permission denied"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("write the pair again"),
        "a destructive fix for an unreadable file:\n{stdout}"
    );
}
