//! `iospki init` as a command: options, passwords, and what happens to an existing output directory.

use crate::util;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::util::{INIT_FILES, demo_key, iospki, listing, run_in, scratch, tool};

fn key() -> String {
    demo_key().to_str().unwrap().to_owned()
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    names.sort();
    names
}

#[test]
fn writes_exactly_the_documented_files_with_secret_modes() {
    let dir = scratch("cli-files");
    let stdout = iospki(&dir, ["init", "--key", &key(), "--key-bits", "2048"]).success();
    let out = dir.join("output");
    assert_eq!(listing(&out), sorted(&INIT_FILES));
    assert_eq!(fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o700);
    for name in INIT_FILES {
        let mode = fs::metadata(out.join(name)).unwrap().permissions().mode() & 0o777;
        let public = name.ends_with(".crt")
            || name.ends_with("_cert.pem")
            || name.ends_with(".json")
            || name == "iot_default.xml";
        assert_eq!(mode, if public { 0o644 } else { 0o600 }, "{name}");
        assert!(stdout.contains(name), "{name} not reported:\n{stdout}");
    }
    assert!(stdout.contains("serial 0B08BAC6E699"), "{stdout}");
}

#[test]
fn existing_set_is_kept_without_force_and_replaced_with_it() {
    let dir = scratch("cli-force");
    let out = dir.join("output");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("iots310_wso2_com.key"), fs::read(demo_key()).unwrap()).unwrap();
    iospki(
        &dir,
        ["init", "--key", "output/iots310_wso2_com.key", "--key-bits", "2048"],
    )
    .success();
    let before = fs::read(out.join("wso2carbon.jks")).unwrap();

    let stderr = iospki(
        &dir,
        ["init", "--key", "output/iots310_wso2_com.key", "--key-bits", "2048"],
    )
    .fails_with(2);
    assert!(
        stderr.contains("already holds iospki's files") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        fs::read(out.join("wso2carbon.jks")).unwrap(),
        before,
        "refused run changed a file"
    );

    iospki(
        &dir,
        [
            "init",
            "--key",
            "output/iots310_wso2_com.key",
            "--key-bits",
            "2048",
            "--force",
        ],
    )
    .success();
    assert_ne!(
        fs::read(out.join("wso2carbon.jks")).unwrap(),
        before,
        "--force did not replace the set"
    );
    assert!(
        out.join("iots310_wso2_com.key").exists(),
        "the operator's own file was lost"
    );
    assert_eq!(listing(&dir), ["output"], "staging directory left behind");
}

#[test]
fn output_that_is_a_file_is_refused_and_left_alone() {
    let dir = scratch("cli-out-file");
    fs::write(dir.join("output"), "not a directory").unwrap();
    let stderr = iospki(&dir, ["init", "--key", &key(), "--key-bits", "2048"]).fails_with(2);
    assert!(
        stderr.contains("output: output exists and is not a directory"),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(dir.join("output")).unwrap(), "not a directory");
    assert_eq!(listing(&dir), ["output"]);
}

#[test]
fn non_ascii_store_password_works_in_openssl_keytool_and_java_and_is_never_printed() {
    let dir = scratch("cli-password");
    let password = "pässwörd-€-ключ";
    fs::write(dir.join("store.pass"), format!("{password}\n")).unwrap();
    let run = iospki(
        &dir,
        [
            "init",
            "--key",
            &key(),
            "--key-bits",
            "2048",
            "--password-file",
            "store.pass",
        ],
    );
    run.success();
    assert!(!run.stdout().contains(password) && !run.stderr().contains(password));
    assert!(!run.stderr().contains("published default password"), "{}", run.stderr());
    assert!(
        run.stderr()
            .contains("Java's PKCS12 keystore (keytool included) accepts only ASCII passwords"),
        "{}",
        run.stderr()
    );
    let out = dir.join("output");

    let xml = fs::read_to_string(out.join("certificate-config.xml")).unwrap();
    assert!(
        xml.contains(
            "<CAPrivateKeyPassword>p&#xE4;ssw&#xF6;rd-&#x20AC;-&#x43A;&#x43B;&#x44E;&#x447;</CAPrivateKeyPassword>"
        ),
        "{xml}"
    );
    let env = [("P", password)];
    run_in(
        &out,
        "keytool",
        [
            "-list",
            "-storetype",
            "JKS",
            "-keystore",
            "wso2certs.jks",
            "-storepass:env",
            "P",
        ],
        &env,
    )
    .success();
    run_in(
        &out,
        "openssl",
        ["pkcs12", "-in", "ra.p12", "-noout", "-passin", "env:P"],
        &env,
    )
    .success();
    let shown = util::server_stores("java", &out, "mgt.iots310.wso2.com", password).success();
    assert!(
        shown.contains("ok CA and RA keys recovered with the passwords in certificate-config.xml"),
        "{shown}"
    );
}

#[test]
fn password_beyond_the_bmp_is_refused_before_anything_is_written() {
    let dir = scratch("cli-password-emoji");
    fs::write(dir.join("store.pass"), "key-\u{1F511}\n").unwrap();
    let stderr = iospki(&dir, ["init", "--key", &key(), "--password-file", "store.pass"]).fails_with(2);
    assert!(stderr.contains("store.pass: has U+1F511, beyond U+FFFF"), "{stderr}");
    assert!(!stderr.contains("key-\u{1F511}"), "{stderr}");
    assert_eq!(listing(&dir), ["store.pass"]);
}

#[test]
fn default_password_gets_a_warning_naming_how_to_change_it() {
    let dir = scratch("cli-default-password");
    let run = iospki(&dir, ["init", "--key", &key(), "--key-bits", "2048"]);
    run.success();
    let stderr = run.stderr();
    assert!(
        stderr.contains("warning: the stores use a published default password"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--password-file") && stderr.contains("carbon.xml"),
        "{stderr}"
    );
}

#[test]
fn a_password_file_from_a_windows_editor_gives_the_password_without_its_bom_and_crlf() {
    let dir = scratch("cli-password-bom");
    std::fs::write(dir.join("pw"), "\u{feff}from-notepad\r\n").unwrap();
    iospki(
        &dir,
        ["init", "--key", &key(), "--key-bits", "2048", "--password-file", "pw"],
    )
    .success();
    let listed = util::keytool_list(&dir.join("output"), "wso2carbon.jks", "from-notepad");
    assert!(listed.contains("Alias name: wso2carbon"), "{listed}");
    let xml = std::fs::read_to_string(dir.join("output/certificate-config.xml")).unwrap();
    assert!(xml.contains("<CertificateKeystorePassword>from-notepad<"), "{xml}");
}

#[test]
fn without_its_ledger_init_force_still_never_reissues_a_serial_the_directory_holds() {
    let dir = scratch("cli-lost-ledger");
    let init = ["init", "--key", &key(), "--key-bits", "2048", "--force"];
    iospki(&dir, init).success();
    let serial = |dir: &std::path::Path| {
        tool(
            &dir.join("output"),
            "openssl",
            ["x509", "-in", "ia.crt", "-noout", "-serial"],
        )
    };
    let first = serial(&dir);
    assert_eq!(
        first.trim(),
        "serial=1F592D06BBED",
        "the documented serial serves the first issue"
    );
    std::fs::remove_file(dir.join("output/iospki-ledger.json")).unwrap();
    iospki(&dir, init).success();
    assert_ne!(serial(&dir), first, "same issuer and serial for another certificate");
}

#[test]
fn password_from_the_environment_is_used() {
    let dir = scratch("cli-password-env");
    util::iospki_env(
        &dir,
        ["init", "--key", &key(), "--key-bits", "2048"],
        &[("IOSPKI_PASSWORD", "from-env")],
    )
    .success();
    run_in(
        &dir.join("output"),
        "keytool",
        [
            "-list",
            "-storetype",
            "JKS",
            "-keystore",
            "wso2carbon.jks",
            "-storepass:env",
            "P",
        ],
        &[("P", "from-env")],
    )
    .success();
}

#[test]
fn domain_ssl_cn_and_alias_options_reach_the_certificates_stores_and_xml() {
    let dir = scratch("cli-options");
    let args = [
        "init",
        "--key",
        &key(),
        "--key-bits",
        "2048",
        "--domain",
        "iot.example.org",
    ];
    let mut args = args.to_vec();
    args.extend(["--ssl-cn", "lb.example.org", "--ssl-alias", "nginx", "--out", "custom"]);
    iospki(&dir, args).success();
    let out = dir.join("custom");
    let ssl = util::tool(
        &out,
        "openssl",
        ["x509", "-in", "ia.crt", "-noout", "-subject", "-ext", "subjectAltName"],
    );
    assert!(ssl.contains("CN = lb.example.org"), "{ssl}");
    assert!(
        ssl.contains("DNS:iot.example.org, DNS:gateway.iot.example.org, DNS:mgt.iot.example.org, DNS:keymgt.iot.example.org, DNS:lb.example.org"),
        "{ssl}"
    );
    let ca = util::tool(&out, "openssl", ["x509", "-in", "ca.crt", "-noout", "-subject"]);
    assert!(ca.contains("CN = *.iot.example.org"), "{ca}");
    let listing = run_in(
        &out,
        "keytool",
        [
            "-list",
            "-storetype",
            "JKS",
            "-keystore",
            "wso2carbon.jks",
            "-storepass:env",
            "P",
        ],
        &[("P", "wso2carbon")],
    )
    .success();
    assert!(listing.contains("nginx, "), "{listing}");
    let api = fs::read_to_string(out.join("iot-api-config.xml")).unwrap();
    assert!(
        api.contains("https://keymgt.iot.example.org/client-registration/v0.11/register"),
        "{api}"
    );
}

#[test]
fn modern_p12_profile_uses_aes_and_a_sha256_mac() {
    let dir = scratch("cli-modern");
    iospki(
        &dir,
        ["init", "--key", &key(), "--key-bits", "2048", "--p12-profile", "modern"],
    )
    .success();
    let info = run_in(
        &dir.join("output"),
        "openssl",
        ["pkcs12", "-in", "KEYSTORE.p12", "-info", "-noout", "-passin", "env:P"],
        &[("P", "wso2carbon")],
    );
    let shown = format!("{}{}", info.success(), info.stderr());
    assert!(shown.contains("MAC: sha256"), "{shown}");
    assert!(shown.contains("PBES2, PBKDF2, AES-256-CBC"), "{shown}");
}

#[test]
fn default_key_size_is_rsa_4096() {
    let out = util::default_init("init_cli");
    let text = util::tool(out, "openssl", ["pkey", "-in", "ia.key", "-noout", "-text"]);
    assert!(
        text.contains("Private-Key: (4096 bit"),
        "{}",
        text.lines().next().unwrap_or_default()
    );
}

#[test]
fn genkey_writes_an_rsa_4096_key_openssl_reads_and_never_clobbers() {
    let dir = scratch("cli-genkey");
    let stdout = iospki(&dir, ["genkey", "--out", "nginx.key"]).success();
    assert!(stdout.contains("wrote RSA-4096 key to nginx.key"), "{stdout}");
    assert_eq!(
        fs::metadata(dir.join("nginx.key")).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = util::tool(&dir, "openssl", ["pkey", "-in", "nginx.key", "-noout", "-text"]);
    assert!(
        text.starts_with("Private-Key: (4096 bit"),
        "{}",
        text.lines().next().unwrap_or_default()
    );
    let before = fs::read(dir.join("nginx.key")).unwrap();
    let stderr = iospki(&dir, ["genkey", "--out", "nginx.key", "--bits", "2048"]).fails_with(2);
    assert!(
        stderr.contains("nginx.key: file exists; pass --force to replace it"),
        "{stderr}"
    );
    assert_eq!(fs::read(dir.join("nginx.key")).unwrap(), before);
    iospki(&dir, ["genkey", "--out", "nginx.key", "--bits", "2048", "--force"]).success();
    assert_ne!(fs::read(dir.join("nginx.key")).unwrap(), before);
    assert_eq!(listing(&dir), ["nginx.key"], "temporary files left behind");
    // The new key is usable as init's CA key.
    iospki(&dir, ["init", "--key", "nginx.key", "--key-bits", "2048"]).success();
}

#[test]
fn init_force_over_an_earlier_set_does_not_reuse_its_serials() {
    let dir = scratch("cli-ledger");
    let serial = |cert: &str| {
        util::tool(
            &dir.join("output"),
            "openssl",
            ["x509", "-in", cert, "-noout", "-serial"],
        )
    };
    iospki(&dir, ["init", "--key", &key(), "--key-bits", "2048"]).success();
    assert_eq!(serial("ra.crt").trim(), "serial=0B08BAC6E699");
    assert_eq!(serial("ia.crt").trim(), "serial=1F592D06BBED");
    iospki(&dir, ["init", "--key", &key(), "--key-bits", "2048", "--force"]).success();
    assert_ne!(
        serial("ra.crt").trim(),
        "serial=0B08BAC6E699",
        "same issuer name and serial issued twice"
    );
    assert_ne!(
        serial("ia.crt").trim(),
        "serial=1F592D06BBED",
        "same issuer name and serial issued twice"
    );
    let ledger: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("output/iospki-ledger.json")).unwrap()).unwrap();
    assert_eq!(ledger["issued"].as_array().unwrap().len(), 6);
}

#[test]
fn a_permissive_umask_cannot_loosen_the_modes() {
    let dir = scratch("cli-umask");
    let command = format!(
        "umask 000; exec {} init --key {} --key-bits 2048",
        env!("CARGO_BIN_EXE_iospki"),
        key()
    );
    util::run_in(&dir, "sh", ["-c", command.as_str()], &[]).success();
    let out = dir.join("output");
    assert_eq!(fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o700);
    for name in [
        "ca_private.pem",
        "ia.key",
        "ra_private.key",
        "wso2carbon.jks",
        "KEYSTORE.p12",
        "certificate-config.xml",
    ] {
        assert_eq!(
            fs::metadata(out.join(name)).unwrap().permissions().mode() & 0o777,
            0o600,
            "{name}"
        );
    }
    assert_eq!(
        fs::metadata(out.join("ca.crt")).unwrap().permissions().mode() & 0o777,
        0o644
    );
}
