//! `iospki rotate` of Identity Server 7 and API Manager 4 sets: the TLS, primary and CA certificates renew (with
//! new keys on --rekey), the internal key and the [encryption] key never change, and what is renewed still works
//! with Java: the handshake, the primary key's tokens, the truststore keeping the old CA through a CA rotation.

use std::fs;
use std::path::Path;

use crate::util::{iospki, listing, platform_set, platform_stores, run_in, tool};

/// `iospki rotate ARGS` of the set in `dir/output`, which must complete; its stdout.
fn rotate(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["rotate"];
    all.extend_from_slice(args);
    all.push("output");
    iospki(dir, all).success()
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    fs::read(dir.join("output").join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// What openssl says of `cert` in `dir/output` with `option` (-serial, -pubkey), SHA-256 for -fingerprint.
fn x509(dir: &Path, cert: &str, option: &str) -> String {
    tool(
        &dir.join("output"),
        "openssl",
        ["x509", "-in", cert, "-noout", option, "-sha256"],
    )
}

/// The one backup directory of the set in `dir`.
fn backup(dir: &Path) -> std::path::PathBuf {
    let backups = listing(&dir.join("output/backup"));
    assert_eq!(backups.len(), 1, "{backups:?}");
    dir.join("output/backup").join(&backups[0])
}

/// The set's files, but its backups.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    listing(&dir.join("output"))
        .into_iter()
        .filter(|name| name != "backup")
        .map(|name| (name.clone(), read(dir, &name)))
        .collect()
}

fn handshakes(dir: &Path, server: &Path, names: &[&str]) {
    let client = dir.join("output");
    let mut args = vec![client.to_str().unwrap()];
    args.extend_from_slice(names);
    let shown = crate::util::java(
        dir,
        "PlatformStores",
        &[
            &[
                "handshake",
                crate::util::sections_json(dir).to_str().unwrap(),
                server.to_str().unwrap(),
            ][..],
            &args,
        ]
        .concat(),
        "",
    )
    .success();
    for name in names {
        assert!(shown.contains(&format!("HANDSHAKE OK TLSv1.3 {name}\n")), "{shown}");
    }
}

#[test]
fn renewing_tls_keeps_the_encryption_and_internal_keys_and_the_new_certificate_handshakes() {
    let dir = platform_set("platform-rotate-tls", "is", "7.1", &[]);
    let before = x509(&dir, "tls.crt", "-serial");
    let security = read(&dir, "deployment-security.toml");
    let stdout = rotate(&dir, &["--ssl"]);
    assert!(stdout.contains("renew wso2carbon (SSL)"), "{stdout}");
    assert_ne!(x509(&dir, "tls.crt", "-serial"), before);
    assert!(
        read(&dir, "deployment-security.toml") == security,
        "[encryption] key or a section changed"
    );
    let backup = backup(&dir);
    for kept in [
        "internal.key",
        "internal.crt",
        "primary.key",
        "primary.crt",
        "tls.key",
        "ca.crt",
    ] {
        assert!(
            read(&dir, kept) == fs::read(backup.join(kept)).unwrap(),
            "{kept} changed"
        );
    }
    handshakes(&dir, &dir.join("output"), &["is.wso2.com", "localhost"]);
    platform_stores(&dir, "stores", &[]).success();
}

#[test]
fn a_ca_rotation_with_rekey_keeps_the_internal_key_and_trusts_the_old_ca_meanwhile() {
    let dir = platform_set("platform-rotate-ca", "apim", "4.4", &[]);
    let old_ca_serial = x509(&dir, "ca.crt", "-serial");
    let old_ca_fingerprint = x509(&dir, "ca.crt", "-fingerprint");
    let internal_key = x509(&dir, "internal.crt", "-pubkey");
    let stdout = rotate(&dir, &["--ca", "--rekey"]);
    for role in ["cacert (CA)", "wso2carbon (SSL)", "primary (primary)"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("renew {role}")))
            .unwrap();
        assert!(line.ends_with(", new key"), "{stdout}");
    }
    let internal = stdout
        .lines()
        .find(|l| l.starts_with("renew internal (internal)"))
        .unwrap();
    assert!(
        internal.ends_with(
            ", key kept: the internal key is never replaced, what the servers encrypted with it stays readable"
        ),
        "{stdout}"
    );
    let backup = backup(&dir);
    assert!(read(&dir, "internal.key") == fs::read(backup.join("internal.key")).unwrap());
    assert_eq!(x509(&dir, "internal.crt", "-pubkey"), internal_key);
    for rekeyed in ["tls.key", "primary.key", "ca_private.pem"] {
        assert!(
            read(&dir, rekeyed) != fs::read(backup.join(rekeyed)).unwrap(),
            "{rekeyed} kept"
        );
    }
    // The truststore keeps the old CA as cacert-SERIAL: a node still on the old set is trusted.
    let alias = format!(
        "cacert-{}",
        old_ca_serial.trim().trim_start_matches("serial=").to_lowercase()
    );
    let listing = run_in(
        &dir.join("output"),
        "keytool",
        [
            "-list",
            "-storetype",
            "JKS",
            "-keystore",
            "client-truststore.jks",
            "-storepass:env",
            "P",
            "-alias",
            &alias,
        ],
        &[("P", "wso2carbon")],
    )
    .success();
    let fingerprint = old_ca_fingerprint.trim().split_once('=').unwrap().1;
    assert!(listing.contains(fingerprint), "{listing}");
    handshakes(&dir, &backup, &["am.wso2.com", "gw.am.wso2.com"]);
    handshakes(
        &dir,
        &dir.join("output"),
        &["am.wso2.com", "gw.am.wso2.com", "localhost"],
    );
    platform_stores(&dir, "stores", &[]).success();
    platform_stores(&dir, "jwt", &["gateway_certificate_alias"]).success();
}

#[test]
fn after_a_ca_rekey_keytool_drops_the_old_ca_from_a_pkcs12_truststore_and_old_nodes_stop_being_trusted() {
    let dir = platform_set("platform-rotate-ca-p12", "is", "7.1", &[]);
    let serial = x509(&dir, "ca.crt", "-serial");
    let key = crate::util::toml_json(&dir.join("output/deployment-security.toml"))["encryption"]["key"].clone();
    assert!(key.is_string(), "{key}");
    // A new CA key: without one the renewed CA still verifies what the old one issued.
    let steps = rotate(&dir, &["--ca", "--rekey"]);
    let after = crate::util::toml_json(&dir.join("output/deployment-security.toml"));
    assert_eq!(after["encryption"]["key"], key);
    let backup = backup(&dir);
    handshakes(&dir, &backup, &["is.wso2.com"]);
    // Round 3, as the steps after rotate say it for a .p12 truststore.
    let alias = format!("cacert-{}", serial.trim().trim_start_matches("serial=").to_lowercase());
    assert!(
        steps.contains("-storetype PKCS12") && steps.contains(&alias),
        "the steps lack round 3 for a PKCS12 truststore:\n{steps}"
    );
    let delete = [
        "-delete",
        "-storetype",
        "PKCS12",
        "-keystore",
        "client-truststore.p12",
        "-storepass",
        "wso2carbon",
        "-alias",
        &alias,
    ];
    tool(&dir.join("output"), "keytool", delete);
    platform_stores(&dir, "stores", &[]).success();
    let output = dir.join("output");
    let sections = crate::util::sections_json(&dir);
    let args = [
        "handshake",
        sections.to_str().unwrap(),
        backup.to_str().unwrap(),
        output.to_str().unwrap(),
        "is.wso2.com",
    ];
    let run = crate::util::java(&dir, "PlatformStores", &args, "");
    run.fails_with(1);
    assert!(
        run.stdout().contains("HANDSHAKE FAILED is.wso2.com: PKIX path"),
        "{}",
        run.stdout()
    );
}

#[test]
fn renewing_the_primary_with_rekey_gives_tokens_the_new_truststore_verifies() {
    let dir = platform_set("platform-rotate-primary", "is", "7.3", &["--keystores", "single"]);
    let security = read(&dir, "deployment-security.toml");
    let tls = read(&dir, "tls.crt");
    let stdout = rotate(&dir, &["--primary", "--rekey"]);
    assert!(
        stdout.contains("renew primary (primary)") && stdout.contains(", new key"),
        "{stdout}"
    );
    assert!(!stdout.contains("renew internal"), "{stdout}");
    let backup = backup(&dir);
    assert!(read(&dir, "primary.key") != fs::read(backup.join("primary.key")).unwrap());
    assert!(read(&dir, "internal.key") == fs::read(backup.join("internal.key")).unwrap());
    assert!(read(&dir, "tls.crt") == tls);
    assert!(read(&dir, "deployment-security.toml") == security);
    platform_stores(&dir, "jwt", &[]).success();
    platform_stores(&dir, "stores", &[]).success();
}

#[test]
fn renewing_the_internal_certificate_keeps_its_key() {
    let dir = platform_set("platform-rotate-internal", "is", "7.0", &[]);
    let serial = x509(&dir, "internal.crt", "-serial");
    let key = x509(&dir, "internal.crt", "-pubkey");
    let stdout = rotate(&dir, &["--internal"]);
    assert!(stdout.contains("renew internal (internal)"), "{stdout}");
    assert_ne!(x509(&dir, "internal.crt", "-serial"), serial);
    assert_eq!(x509(&dir, "internal.crt", "-pubkey"), key);
    assert!(read(&dir, "internal.key") == fs::read(backup(&dir).join("internal.key")).unwrap());
    platform_stores(&dir, "stores", &[]).success();
}

#[test]
fn a_new_internal_key_is_refused_with_why_and_wso2s_way_and_nothing_changes() {
    let dir = platform_set("platform-rotate-internal-rekey", "is", "7.1", &[]);
    let before = snapshot(&dir);
    for args in [
        &["rotate", "--internal", "--rekey", "output"][..],
        &["rotate", "--ssl", "--internal", "--rekey", "--dry-run", "output"],
    ] {
        let stderr = iospki(&dir, args).fails_with(2);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        for said in [
            "iospki: --rekey: the internal key is never replaced: what the servers encrypted with it",
            "would be unreadable under a new key",
            "deployment.toml [encryption] old_key",
            "wso2/identity-tools (components/org.wso2.carbon.identity.keyrotation)",
            "rotate --internal without --rekey renews its certificate and keeps the key",
        ] {
            assert!(stderr.contains(said), "{args:?}: {stderr}");
        }
    }
    assert!(snapshot(&dir) == before, "the set changed");
    assert!(!dir.join("output/backup").exists());
}

#[test]
fn a_deployment_security_toml_without_its_key_fails_rotate_in_one_line() {
    let dir = platform_set("platform-rotate-no-key", "is", "7.3", &[]);
    let file = dir.join("output/deployment-security.toml");
    let text = fs::read_to_string(&file).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("key = "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(without, text);
    fs::write(&file, without).unwrap();
    let before = snapshot(&dir);
    let stderr = iospki(&dir, ["rotate", "--ssl", "output"]).fails_with(2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "iospki: output/deployment-security.toml: holds no [encryption] key of 32 hexadecimal characters: \
             rotate keeps the cluster's key and never makes a new one"
        ),
        "{stderr}"
    );
    assert!(snapshot(&dir) == before, "the set changed");
    assert!(!dir.join("output/backup").exists());
}

#[test]
fn roles_a_product_lacks_are_refused_by_their_flag() {
    let dir = platform_set("platform-rotate-ra", "is", "7.1", &[]);
    let stderr = iospki(&dir, ["rotate", "--ra", "output"]).fails_with(2);
    assert_eq!(
        stderr, "iospki: --ra: the Identity Server 7.1 set has no RA certificate\n",
        "{stderr}"
    );
    let iot = crate::util::demo_set("platform-rotate-iot");
    for (flag, role) in [("--primary", "primary"), ("--internal", "internal")] {
        let stderr = iospki(&iot, ["rotate", flag, "--rekey", "output"]).fails_with(2);
        let said = format!(" set has no {role} certificate\n");
        assert!(
            stderr.starts_with(&format!("iospki: {flag}: the ")) && stderr.ends_with(&said),
            "{stderr}"
        );
    }
}

#[test]
fn init_force_over_a_set_keeps_its_encryption_key_and_never_makes_one_for_a_set_without() {
    let dir = platform_set("platform-init-force-key", "is", "7.1", &[]);
    let key =
        |dir: &Path| crate::util::toml_json(&dir.join("output/deployment-security.toml"))["encryption"]["key"].clone();
    let before = key(&dir);
    let again = [
        "init",
        "--product",
        "is",
        "--version",
        "7.1",
        "--key-bits",
        "2048",
        "--force",
    ];
    let stdout = iospki(&dir, again).success();
    assert!(
        stdout.contains("kept the [encryption] key of the set made over"),
        "{stdout}"
    );
    assert_eq!(key(&dir), before);
    let file = dir.join("output/deployment-security.toml");
    let text = fs::read_to_string(&file)
        .unwrap()
        .replace("\nkey = ", "\nkey_of_nobody = ");
    fs::write(&file, text).unwrap();
    let stderr = iospki(&dir, again).fails_with(2);
    assert!(
        stderr.starts_with("iospki: output/deployment-security.toml: holds no [encryption] key of 32 hexadecimal"),
        "{stderr}"
    );
}
