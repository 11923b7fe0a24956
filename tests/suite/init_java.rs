//! `iospki init` output as its real consumers open it: keytool lists the JKS stores, and a Java program
//! (tests/java/ServerStores.java, compiled here with javac) loads them the way WSO2 IoT Server does and
//! completes a TLS handshake with hostname verification.

use crate::util;

use std::path::Path;

use crate::util::{default_init, run_in, tool};

fn out() -> &'static Path {
    default_init("init_java")
}

#[test]
fn keytool_lists_each_jks_with_its_aliases_and_entry_types() {
    for (store, expected) in [
        ("wso2carbon.jks", vec![("wso2carbon", "PrivateKeyEntry", Some(2))]),
        (
            "client-truststore.jks",
            vec![
                ("cacert", "trustedCertEntry", None),
                ("wso2carbon", "trustedCertEntry", None),
            ],
        ),
        (
            "wso2certs.jks",
            vec![
                ("cacert", "PrivateKeyEntry", Some(1)),
                ("racert", "PrivateKeyEntry", Some(2)),
            ],
        ),
    ] {
        let magic = std::fs::read(out().join(store)).unwrap();
        assert_eq!(&magic[..4], &[0xfe, 0xed, 0xfe, 0xed], "{store} is not JKS");
        let listing = util::keytool_list(out(), store, "wso2carbon");
        assert!(listing.contains("Keystore type: JKS"), "{listing}");
        let roots = if store == "client-truststore.jks" {
            util::public_roots()
        } else {
            0
        };
        assert!(
            listing.contains(&format!("Your keystore contains {} entr", expected.len() + roots)),
            "{listing}"
        );
        for (alias, kind, chain) in expected {
            let block = listing
                .split("*******************************************")
                .find(|b| b.contains(&format!("Alias name: {alias}\n")))
                .unwrap_or_else(|| panic!("no alias {alias} in {store}:\n{listing}"));
            assert!(
                block.contains(&format!("Entry type: {kind}")),
                "{store} {alias}\n{block}"
            );
            if let Some(length) = chain {
                assert!(
                    block.contains(&format!("Certificate chain length: {length}")),
                    "{store} {alias}\n{block}"
                );
            }
        }
    }
}

#[test]
fn keytool_fingerprints_match_the_pem_certificates() {
    let fingerprint = |cert: &str| {
        let out = tool(
            out(),
            "openssl",
            ["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"],
        );
        out.trim().split_once('=').unwrap().1.to_owned()
    };
    let listing = run_in(
        out(),
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
        &[("P", "wso2carbon")],
    )
    .success();
    assert!(listing.contains(&fingerprint("ca.crt")), "{listing}");
    assert!(listing.contains(&fingerprint("ra.crt")), "{listing}");
}

#[test]
fn java_loads_the_stores_as_the_server_does_and_handshakes_with_hostname_verification() {
    let run = util::server_stores("java", out(), "mgt.iots310.wso2.com", "wso2carbon");
    let shown = run.success();
    assert!(shown.contains("HANDSHAKE OK TLSv1.2 mgt.iots310.wso2.com"), "{shown}");
    assert!(shown.contains("HANDSHAKE OK TLSv1.3 mgt.iots310.wso2.com"), "{shown}");
    assert!(
        shown.contains("ok RA key decrypts what was sealed to the RA certificate"),
        "{shown}"
    );
}

#[test]
fn java_rejects_a_host_the_certificate_does_not_name() {
    let run = util::server_stores("java", out(), "elsewhere.example.org", "wso2carbon");
    let shown = run.fails_with(1);
    let stdout = run.stdout();
    assert!(
        stdout.contains("No subject alternative DNS name matching elsewhere.example.org"),
        "{shown}\n{stdout}"
    );
}

#[test]
fn every_other_installed_jdk_reads_the_stores_too() {
    // JDK 17 is required (see .ci/run); machines that also carry other JDKs test them as well.
    let jdks: Vec<_> = std::fs::read_dir("/usr/lib/jvm")
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path().join("bin/java")))
        .filter(|java| java.exists())
        .collect();
    assert!(!jdks.is_empty(), "no JDK under /usr/lib/jvm");
    for java in jdks {
        let run = util::server_stores(java.to_str().unwrap(), out(), "keymgt.iots310.wso2.com", "wso2carbon");
        assert!(run.success().contains("HANDSHAKE OK TLSv1.3"), "{}", java.display());
    }
}
