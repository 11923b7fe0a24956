//! `iospki init` output as OpenSSL 3 sees it: chains verify, certificates carry the documented subjects,
//! serials, validity and extensions, and every .p12 opens without `-legacy`.

use crate::util;

use std::path::Path;

use crate::util::{default_init, tool};

fn out() -> &'static Path {
    default_init("init_openssl")
}

fn text(cert: &str) -> String {
    tool(out(), "openssl", ["x509", "-in", cert, "-noout", "-text"])
}

fn assert_contains_all(haystack: &str, needles: &[&str]) {
    for needle in needles {
        assert!(haystack.contains(needle), "missing {needle:?} in\n{haystack}");
    }
}

#[test]
fn openssl_verifies_ra_and_strictly_verifies_ssl_against_the_ca() {
    let ra = tool(out(), "openssl", ["verify", "-CAfile", "ca.crt", "ra.crt"]);
    assert_eq!(ra.trim(), "ra.crt: OK");
    let ssl = tool(
        out(),
        "openssl",
        [
            "verify",
            "-x509_strict",
            "-purpose",
            "sslserver",
            "-CAfile",
            "ca.crt",
            "ia.crt",
        ],
    );
    assert_eq!(ssl.trim(), "ia.crt: OK");
    let ca = tool(
        out(),
        "openssl",
        ["verify", "-x509_strict", "-check_ss_sig", "-CAfile", "ca.crt", "ca.crt"],
    );
    assert_eq!(ca.trim(), "ca.crt: OK");
}

#[test]
fn ssl_certificate_names_every_cluster_host_for_hostname_checks() {
    for host in [
        "iots310.wso2.com",
        "gateway.iots310.wso2.com",
        "mgt.iots310.wso2.com",
        "keymgt.iots310.wso2.com",
    ] {
        let verified = tool(
            out(),
            "openssl",
            [
                "verify",
                "-x509_strict",
                "-verify_hostname",
                host,
                "-CAfile",
                "ca.crt",
                "ia.crt",
            ],
        );
        assert_eq!(verified.trim(), "ia.crt: OK", "{host}");
    }
}

#[test]
fn ca_certificate_is_wso2s_v3_ca_with_email_in_the_subject() {
    let ca = text("ca.crt");
    assert_contains_all(
        &ca,
        &[
            "Version: 3 (0x2)",
            "Signature Algorithm: sha256WithRSAEncryption",
            "Subject: C = SL, ST = Western, L = Colombo, O = WSO2, OU = CDM, CN = *.iots310.wso2.com, emailAddress = noreply@wso2.com",
            "Issuer: C = SL, ST = Western, L = Colombo, O = WSO2, OU = CDM, CN = *.iots310.wso2.com, emailAddress = noreply@wso2.com",
            "X509v3 Basic Constraints: critical\n                CA:TRUE",
            "X509v3 Key Usage: \n                Digital Signature, Certificate Sign, CRL Sign",
            "X509v3 Subject Key Identifier",
            "X509v3 Authority Key Identifier",
        ],
    );
    assert!(!ca.contains("Extended Key Usage"), "{ca}");
    assert_eq!(days_valid("ca.crt"), 1825);
    // Subject key identifier is SHA-1 of the public key, as openssl's `hash` computes it.
    assert_eq!(ski(&ca), aki(&ca));
}

#[test]
fn ra_certificate_is_wso2s_v3_req_with_the_fixed_serial() {
    let ra = text("ra.crt");
    assert_contains_all(
        &ra,
        &[
            "Version: 3 (0x2)",
            "Serial Number: 12132121241241 (0xb08bac6e699)",
            "Subject: C = SL, ST = Western, L = Colombo, O = WSO2, OU = CDM, CN = iots310.wso2.com, emailAddress = noreply@wso2.com",
            "Issuer: C = SL, ST = Western, L = Colombo, O = WSO2, OU = CDM, CN = *.iots310.wso2.com, emailAddress = noreply@wso2.com",
            "X509v3 Basic Constraints: \n                CA:TRUE",
            "X509v3 Key Usage: \n                Digital Signature, Key Encipherment",
            "Public-Key: (4096 bit)",
        ],
    );
    assert_eq!(days_valid("ra.crt"), 730);
    assert_eq!(aki(&ra), ski(&text("ca.crt")));
}

#[test]
fn ssl_certificate_is_v3_with_san_and_eku_and_the_fixed_serial() {
    let ssl = text("ia.crt");
    assert_contains_all(
        &ssl,
        &[
            "Version: 3 (0x2)",
            "Serial Number: 34467867966445 (0x1f592d06bbed)",
            "Subject: C = SL, ST = Western, L = Colombo, O = WSO2, OU = CDM, CN = iots310.wso2.com\n",
            "X509v3 Basic Constraints: \n                CA:FALSE",
            "X509v3 Key Usage: \n                Digital Signature, Key Encipherment",
            "X509v3 Extended Key Usage: \n                TLS Web Server Authentication, TLS Web Client Authentication",
            "DNS:iots310.wso2.com, DNS:gateway.iots310.wso2.com, DNS:mgt.iots310.wso2.com, DNS:keymgt.iots310.wso2.com",
            "Public-Key: (4096 bit)",
        ],
    );
    assert_eq!(days_valid("ia.crt"), 730);
    assert_eq!(aki(&ssl), ski(&text("ca.crt")));
}

#[test]
fn ca_private_key_is_the_given_nginx_key() {
    let given = tool(
        out(),
        "openssl",
        ["pkey", "-in", util::demo_key().to_str().unwrap(), "-pubout"],
    );
    let written = tool(out(), "openssl", ["pkey", "-in", "ca_private.pem", "-pubout"]);
    let in_cert = tool(out(), "openssl", ["x509", "-in", "ca.crt", "-noout", "-pubkey"]);
    assert_eq!(given, written);
    assert_eq!(given, in_cert);
    for (key, cert) in [
        ("ra_private.key", "ra.crt"),
        ("ra_private.pem", "ra.crt"),
        ("ia.key", "ia.crt"),
    ] {
        let key_pub = tool(out(), "openssl", ["pkey", "-in", key, "-pubout"]);
        let cert_pub = tool(out(), "openssl", ["x509", "-in", cert, "-noout", "-pubkey"]);
        assert_eq!(key_pub, cert_pub, "{key} does not match {cert}");
    }
}

#[test]
fn every_p12_opens_in_openssl_3_without_legacy_and_shows_its_alias() {
    for (file, alias, certs) in [
        ("KEYSTORE.p12", "wso2carbon", 2),
        ("ca.p12", "cacert", 1),
        ("ra.p12", "racert", 2),
    ] {
        let info = util::run_in(
            out(),
            "openssl",
            ["pkcs12", "-in", file, "-info", "-nodes", "-passin", "env:P12_PASS"],
            &[("P12_PASS", "wso2carbon")],
        );
        let shown = format!("{}{}", info.success(), info.stderr());
        assert_contains_all(
            &shown,
            &[
                "MAC: sha1, Iteration 2048",
                "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC",
                "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC",
                &format!("friendlyName: {alias}"),
                "-----BEGIN PRIVATE KEY-----",
            ],
        );
        assert_eq!(
            shown.matches("-----BEGIN CERTIFICATE-----").count(),
            certs,
            "{file}\n{shown}"
        );
    }
}

/// The bag attributes openssl shows for each certificate of `file`, in order, and for its key.
fn bag_attributes(file: &str) -> (Vec<String>, String) {
    let info = util::run_in(
        out(),
        "openssl",
        ["pkcs12", "-in", file, "-info", "-nodes", "-passin", "env:P12_PASS"],
        &[("P12_PASS", "wso2carbon")],
    )
    .success();
    // Each block starts "Bag Attributes"; the key's block holds the private key.
    let blocks: Vec<&str> = info.split("Bag Attributes").skip(1).collect();
    let key = blocks.iter().find(|b| b.contains("PRIVATE KEY")).unwrap().to_string();
    let certs = blocks
        .iter()
        .filter(|b| !b.contains("PRIVATE KEY"))
        .map(|b| b.to_string())
        .collect();
    (certs, key)
}

#[test]
fn p12_bags_carry_the_alias_as_openssl_export_name_writes_them() {
    for (file, alias) in [
        ("KEYSTORE.p12", "wso2carbon"),
        ("ra.p12", "racert"),
        ("ca.p12", "cacert"),
    ] {
        let (certs, key) = bag_attributes(file);
        let id = key.lines().find_map(|l| l.trim().strip_prefix("localKeyID: ")).unwrap();
        assert!(key.contains(&format!("friendlyName: {alias}")), "{file} key\n{key}");
        // The key's certificate: the alias and the key's localKeyID; the rest of the chain: no attributes.
        assert!(
            certs[0].contains(&format!("friendlyName: {alias}")),
            "{file}\n{}",
            certs[0]
        );
        assert!(certs[0].contains(&format!("localKeyID: {id}")), "{file}\n{}", certs[0]);
        for chain in &certs[1..] {
            assert!(chain.starts_with(": <No Attributes>"), "{file}\n{chain}");
        }
        assert!(
            !certs.iter().any(|c| c.contains("friendlyName: C =")),
            "{file}: a subject as alias"
        );
    }
}

fn days_valid(cert: &str) -> i64 {
    let dates = tool(
        out(),
        "openssl",
        ["x509", "-in", cert, "-noout", "-startdate", "-enddate"],
    );
    let parse = |prefix: &str| {
        let line = dates.lines().find_map(|l| l.strip_prefix(prefix)).unwrap();
        let date = tool(out(), "date", ["-u", "-d", line, "+%s"]);
        date.trim().parse::<i64>().unwrap()
    };
    (parse("notAfter=") - parse("notBefore=")) / 86_400
}

fn ski(text: &str) -> String {
    value_after(text, "X509v3 Subject Key Identifier")
}

fn aki(text: &str) -> String {
    value_after(text, "X509v3 Authority Key Identifier")
}

fn value_after(text: &str, heading: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.contains(heading));
    lines.next().unwrap_or_else(|| panic!("no {heading} in\n{text}"));
    lines.next().unwrap().trim().trim_start_matches("keyid:").to_owned()
}
