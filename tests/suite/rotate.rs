//! `iospki rotate`: renewals give new serials and a set verify accepts, keytool and Java open; the previous set
//! is kept and restores; a dry run and a run with nothing due change nothing.

use crate::util;

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{demo_key, iospki, listing, run_in, scratch, tool};

fn init(test: &str) -> PathBuf {
    let dir = scratch(test);
    iospki(
        &dir,
        ["init", "--key", demo_key().to_str().unwrap(), "--key-bits", "2048"],
    )
    .success();
    dir
}

fn serial(dir: &Path, cert: &str) -> String {
    tool(
        &dir.join("output"),
        "openssl",
        ["x509", "-in", cert, "-noout", "-serial"],
    )
    .trim()
    .to_owned()
}

fn verify_passes(dir: &Path) {
    let stdout = iospki(dir, ["verify", "output"]).success();
    assert!(stdout.contains(": 0 problem(s)"), "{stdout}");
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    listing(dir)
        .into_iter()
        .filter(|n| n != "backup")
        .map(|n| (n.clone(), fs::read(dir.join(&n)).unwrap()))
        .collect()
}

#[test]
fn rotating_ssl_twice_gives_distinct_serials_and_a_sound_set_each_time() {
    let dir = init("rotate-twice");
    let first = serial(&dir, "ia.crt");
    let ra = serial(&dir, "ra.crt");
    let stdout = iospki(&dir, ["rotate", "--ssl"]).success();
    assert!(
        stdout.contains(&format!(
            "renew wso2carbon (SSL): serial {} ->",
            first.trim_start_matches("serial=")
        )),
        "{stdout}"
    );
    verify_passes(&dir);
    let second = serial(&dir, "ia.crt");
    iospki(&dir, ["rotate", "--ssl"]).success();
    verify_passes(&dir);
    let third = serial(&dir, "ia.crt");
    assert!(
        first != second && second != third && first != third,
        "{first} {second} {third}"
    );
    assert_eq!(serial(&dir, "ra.crt"), ra, "the RA was not asked for");
    // The key is kept without --rekey.
    let backups = listing(&dir.join("output/backup"));
    assert_eq!(backups.len(), 2);
    let old_key = fs::read(dir.join("output/backup").join(&backups[0]).join("ia.key")).unwrap();
    assert_eq!(fs::read(dir.join("output/ia.key")).unwrap(), old_key);
}

#[test]
fn the_backup_restores_the_previous_set() {
    let dir = init("rotate-restore");
    let before = snapshot(&dir.join("output"));
    iospki(&dir, ["rotate", "--ssl", "--ra"]).success();
    let backup = dir.join("output/backup").join(&listing(&dir.join("output/backup"))[0]);
    for (name, bytes) in &before {
        assert_eq!(
            &fs::read(backup.join(name)).unwrap(),
            bytes,
            "{name} differs in the backup"
        );
        fs::copy(backup.join(name), dir.join("output").join(name)).unwrap();
    }
    assert_eq!(snapshot(&dir.join("output")), before);
    verify_passes(&dir);
}

#[test]
fn dry_run_and_nothing_due_change_nothing_and_exit_0() {
    let dir = init("rotate-dry");
    let before = snapshot(&dir.join("output"));
    let stdout = iospki(&dir, ["rotate", "--ssl", "--dry-run"]).success();
    assert!(
        stdout.contains("renew wso2carbon (SSL)") && stdout.contains("dry run: nothing written"),
        "{stdout}"
    );
    let stdout = iospki(&dir, ["rotate"]).success();
    assert!(stdout.contains("nothing to renew"), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&iospki(&dir, ["rotate", "--json"]).success()).unwrap();
    assert_eq!(json["changed"], false);
    assert_eq!(snapshot(&dir.join("output")), before);
    assert!(!dir.join("output/backup").exists());
}

#[test]
fn certificates_within_the_window_are_renewed_without_flags() {
    let dir = init("rotate-window");
    let json: serde_json::Value =
        serde_json::from_str(&iospki(&dir, ["rotate", "--within", "1900d", "--json"]).success()).unwrap();
    assert_eq!(json["changed"], true);
    let roles: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    // The CA expires in 1825 days, the RA and SSL certificates in 730: the CA's renewal renews all three.
    assert_eq!(roles, ["CA", "RA", "SSL"]);
}

#[test]
fn ca_rotation_keeps_the_old_ca_trusted_and_java_uses_the_new_set() {
    let dir = init("rotate-ca");
    let old_ca = tool(
        &dir.join("output"),
        "openssl",
        ["x509", "-in", "ca.crt", "-noout", "-fingerprint", "-sha256"],
    );
    iospki(&dir, ["rotate", "--ca", "--rekey"]).success();
    verify_passes(&dir);
    let out = dir.join("output");
    let listed = util::keytool_list(&out, "client-truststore.jks", "wso2carbon");
    assert!(
        listed.contains(old_ca.trim().split_once('=').unwrap().1),
        "old CA dropped:\n{listed}"
    );
    let entries = format!("Your keystore contains {} entries", 3 + util::public_roots());
    assert!(listed.contains(&entries), "{listed}");
    let verified = tool(&out, "openssl", ["verify", "-CAfile", "ca.crt", "ra.crt", "ia.crt"]);
    assert_eq!(verified, "ra.crt: OK\nia.crt: OK\n");
    let shown = util::server_stores("java", &out, "mgt.iots310.wso2.com", "wso2carbon").success();
    assert!(shown.contains("HANDSHAKE OK TLSv1.3"), "{shown}");
}

#[test]
fn rotate_keeps_what_a_merge_brought_in() {
    let dir = scratch("rotate-merged");
    fs::create_dir(dir.join("security")).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("keystores/truststore-cacerts.jks");
    fs::copy(fixture, dir.join("security/client-truststore.jks")).unwrap();
    fs::write(dir.join("pw"), "changeit\n").unwrap();
    let key = demo_key();
    iospki(
        &dir,
        [
            "init",
            "--key",
            key.to_str().unwrap(),
            "--key-bits",
            "2048",
            "--merge-from",
            "security",
            "--merge-password-file",
            "pw",
        ],
    )
    .success();
    iospki(&dir, ["rotate", "--ssl"]).success();
    let listed = run_in(
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
        ],
        &[("P", "wso2carbon")],
    )
    .success();
    assert!(listed.contains("Your keystore contains 146 entries"), "{listed}");
}

#[test]
fn a_directory_without_a_ledger_is_refused() {
    let dir = scratch("rotate-no-ledger");
    fs::create_dir(dir.join("output")).unwrap();
    let stderr = iospki(&dir, ["rotate"]).fails_with(2);
    assert!(
        stderr.contains("iospki-ledger.json: not found: rotate renews sets written by iospki init"),
        "{stderr}"
    );
}

#[test]
fn a_renewal_that_would_outlive_its_ca_is_refused_until_the_ca_is_renewed_too() {
    let dir = scratch("rotate-outlive");
    fs::write(dir.join("iospki.toml"), "key_bits = 2048\n[ca]\ndays = 730\n").unwrap();
    iospki(
        &dir,
        ["init", "--config", "iospki.toml", "--key", demo_key().to_str().unwrap()],
    )
    .success();
    let before = listing(&dir.join("output"));
    // Issued a moment after the CA, for as long as it: the new SSL certificate would end after it.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let stderr = iospki(&dir, ["rotate", "--ssl"]).fails_with(2);
    assert!(
        stderr.contains("cannot issue the SSL certificate: it would end on")
            && stderr.contains("after the CA that issues it")
            && stderr.contains("rotate the CA first"),
        "{stderr}"
    );
    assert_eq!(listing(&dir.join("output")), before, "nothing written");
    iospki(&dir, ["rotate", "--ca"]).success();
}
