//! `iospki init --merge-from DIR`: a node's existing stores keep every entry except those iospki replaces by
//! alias, come out as JKS, open in keytool and in Java, and the node's files are never modified.

use crate::util;

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{demo_key, iospki, keytool_list, listing, run_in, scratch, tool};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("keystores").join(name)
}

/// A node's security directory: the 144-CA truststore and a keytool JKS (server key + trusted-ca), password changeit.
fn node(test: &str) -> PathBuf {
    let dir = scratch(test);
    let security = dir.join("security");
    fs::create_dir(&security).unwrap();
    fs::copy(
        fixture("truststore-cacerts.jks"),
        security.join("client-truststore.jks"),
    )
    .unwrap();
    fs::copy(fixture("keytool-jks.jks"), security.join("wso2carbon.jks")).unwrap();
    fs::write(dir.join("node.pass"), "changeit\n").unwrap();
    dir
}

fn merge_init(dir: &Path, extra: &[&str]) -> util::Run {
    let key = demo_key();
    let mut args = vec![
        "init",
        "--key",
        key.to_str().unwrap(),
        "--key-bits",
        "2048",
        "--merge-from",
        "security",
    ];
    args.extend_from_slice(extra);
    iospki(dir, args)
}

#[test]
fn truststore_of_144_cas_keeps_them_all_and_gains_the_cluster_ca() {
    let dir = node("merge-truststore");
    let before: Vec<Vec<u8>> = ["client-truststore.jks", "wso2carbon.jks"]
        .iter()
        .map(|n| fs::read(dir.join("security").join(n)).unwrap())
        .collect();
    let stdout = merge_init(&dir, &["--merge-password-file", "node.pass"]).success();
    assert!(
        stdout.contains(
            "merged client-truststore.jks: added wso2carbon, cacert; replaced none; kept 144 existing entries"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("merged wso2carbon.jks: added wso2carbon; replaced none; kept 2 existing entries"),
        "{stdout}"
    );

    let out = dir.join("output");
    let listed = keytool_list(&out, "client-truststore.jks", "wso2carbon");
    assert!(
        listed.contains("Keystore type: JKS") && listed.contains("Your keystore contains 146 entries"),
        "{listed}"
    );
    let original = fs::read_to_string(fixture("truststore-cacerts.jks.txt")).unwrap();
    for line in original.lines().filter(|l| l.trim().starts_with("SHA256:")) {
        assert!(listed.contains(line.trim()), "lost {line}");
    }
    for (name, bytes) in ["client-truststore.jks", "wso2carbon.jks"].iter().zip(&before) {
        assert_eq!(
            &fs::read(dir.join("security").join(name)).unwrap(),
            bytes,
            "{name} was modified"
        );
    }
}

#[test]
fn merged_stores_load_in_java_and_serve_tls_with_the_new_key() {
    let dir = node("merge-java");
    merge_init(&dir, &["--merge-password-file", "node.pass"]).success();
    let out = dir.join("output");
    let shown = util::server_stores("java", &out, "gateway.iots310.wso2.com", "wso2carbon").success();
    assert!(
        shown.contains("loaded client-truststore.jks as JKS with 146 entries"),
        "{shown}"
    );
    assert!(
        shown.contains("HANDSHAKE OK TLSv1.3 gateway.iots310.wso2.com"),
        "{shown}"
    );
}

/// keytool exports the key entry "server" of `out`'s wso2carbon.jks, recovering it with `key_password`.
fn keytool_recovers_server_key(out: &Path, key_password: &str) {
    let args = [
        "-importkeystore",
        "-noprompt",
        "-srckeystore",
        "wso2carbon.jks",
        "-srcstoretype",
        "JKS",
        "-srcstorepass:env",
        "P",
        "-srcalias",
        "server",
        "-srckeypass:env",
        "K",
        "-destkeystore",
        "server.p12",
        "-deststoretype",
        "PKCS12",
        "-deststorepass:env",
        "P",
    ];
    run_in(out, "keytool", args, &[("P", "wso2carbon"), ("K", key_password)]).success();
}

#[test]
fn kept_keys_are_reprotected_with_the_new_store_password() {
    let dir = node("merge-reprotect");
    merge_init(&dir, &["--merge-password-file", "node.pass"]).success();
    // keytool recovers the kept key "server" with the new store password as its key password.
    keytool_recovers_server_key(&dir.join("output"), "wso2carbon");
}

#[test]
fn a_key_with_its_own_password_keeps_it_and_is_reported() {
    let dir = node("merge-own-keypass");
    fs::copy(fixture("keytool-jks-keypass.jks"), dir.join("security/wso2carbon.jks")).unwrap();
    let stdout = merge_init(&dir, &["--merge-password-file", "node.pass"]).success();
    assert!(
        stdout.contains("keys that keep their own key password: server"),
        "{stdout}"
    );
    keytool_recovers_server_key(&dir.join("output"), "keypass");
}

#[test]
fn an_earlier_init_is_replaced_by_alias_and_its_other_entries_kept() {
    let dir = scratch("merge-replace");
    let earlier = util::default_init("merge");
    fs::create_dir(dir.join("security")).unwrap();
    for name in ["wso2carbon.jks", "client-truststore.jks", "wso2certs.jks"] {
        fs::copy(earlier.join(name), dir.join("security").join(name)).unwrap();
    }
    let stdout = merge_init(&dir, &[]).success();
    assert!(
        stdout.contains("merged wso2certs.jks: added none; replaced cacert, racert; kept 0 existing entries"),
        "{stdout}"
    );
    let kept = format!(
        "merged client-truststore.jks: added none; replaced wso2carbon, cacert; kept {} existing",
        util::public_roots()
    );
    assert!(stdout.contains(&kept), "{stdout}");
    let listed = keytool_list(&dir.join("output"), "wso2certs.jks", "wso2carbon");
    let new_ca = tool(
        &dir.join("output"),
        "openssl",
        ["x509", "-in", "ca.crt", "-noout", "-fingerprint", "-sha256"],
    );
    assert!(listed.contains(new_ca.trim().split_once('=').unwrap().1), "{listed}");
}

#[test]
fn pkcs12_stores_named_jks_are_merged_and_written_as_jks() {
    let dir = node("merge-pkcs12");
    fs::copy(
        fixture("keytool17-default.jks"),
        dir.join("security/client-truststore.jks"),
    )
    .unwrap();
    let stdout = merge_init(&dir, &["--merge-password-file", "node.pass"]).success();
    assert!(
        stdout.contains("merged client-truststore.jks: added wso2carbon, cacert; replaced none; kept 1 existing entry"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "key entries left out (a truststore holds certificates only; the node's file keeps them): server"
        ),
        "{stdout}"
    );
    let bytes = fs::read(dir.join("output/client-truststore.jks")).unwrap();
    assert_eq!(&bytes[..4], &[0xfe, 0xed, 0xfe, 0xed]);
    let listed = keytool_list(&dir.join("output"), "client-truststore.jks", "wso2carbon");
    assert!(
        listed.contains("Alias name: trusted-ca") && !listed.contains("Alias name: server"),
        "{listed}"
    );
}

#[test]
fn wrong_node_password_fails_before_anything_is_written() {
    let dir = node("merge-wrong-password");
    let stderr = merge_init(&dir, &[]).fails_with(2);
    assert!(
        stderr.contains("security/wso2carbon.jks: store password is wrong or the file was modified"),
        "{stderr}"
    );
    assert_eq!(listing(&dir), ["node.pass", "security"]);
}

#[test]
fn a_store_without_a_mac_is_not_merged_into_a_store_that_vouches_for_it() {
    let dir = node("merge-no-mac");
    let options = ["-nomac", "-passout", "pass:wso2carbon"];
    util::openssl_p12(&dir, &options, "security/wso2carbon.jks");
    let stderr = merge_init(&dir, &[]).fails_with(2);
    assert!(
        stderr.contains("security/wso2carbon.jks: has no MAC, so its entries may have been changed"),
        "{stderr}"
    );
    assert!(!dir.join("output").exists());
}

#[test]
fn merging_from_the_output_directory_is_refused() {
    let dir = node("merge-same-dir");
    let stderr = merge_init(
        &dir,
        &["--merge-password-file", "node.pass", "--out", "security", "--force"],
    )
    .fails_with(2);
    assert!(stderr.contains("--merge-from: is the output directory"), "{stderr}");
}

#[test]
fn a_directory_without_node_stores_is_named() {
    let dir = scratch("merge-empty");
    fs::create_dir(dir.join("security")).unwrap();
    let stderr = merge_init(&dir, &[]).fails_with(2);
    assert!(
        stderr.contains("security: holds none of wso2carbon.jks, client-truststore.jks, wso2certs.jks"),
        "{stderr}"
    );
}
