//! iot_default.xml as the key manager uses it: a Java program (tests/java/JwtBearer.java) signs the JWT of the JWT
//! bearer grant with the key of wso2carbon.jks, as the server does for its own API calls, and checks it against
//! the certificate in iot_default.xml as JWTBearerGrantHandler does. WSO2's shipped file (CN=localhost) fails,
//! as a cluster that changed its key without the file fails.

use std::fs;
use std::path::Path;

use crate::util::{self, iospki, java};

const ISSUER: &str = "wso2.org/products/iot";
const AUDIENCE: &str = "devicemgt";

fn shipped() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wso2/iot_default.xml")
        .display()
        .to_string()
}

/// A JWT the server signs with the key under wso2carbon in `store`.
fn signed(dir: &Path, store: &str, token: &str) {
    java(
        dir,
        "JwtBearer",
        &["sign", store, "wso2carbon", ISSUER, AUDIENCE, token],
        "wso2carbon",
    )
    .success();
}

#[test]
fn the_key_manager_accepts_the_servers_jwt_against_iot_default_xml_and_not_against_the_shipped_one() {
    let out = util::default_init("identity-provider");
    let dir = out.parent().unwrap();
    signed(dir, "output/wso2carbon.jks", "token.jwt");
    let accepted = java(
        dir,
        "JwtBearer",
        &["validate", "output/iot_default.xml", "token.jwt"],
        "",
    )
    .success();
    assert!(
        accepted.contains("ok: JWT from iss wso2.org/products/iot for sub admin is valid"),
        "{accepted}"
    );
    let refused = java(dir, "JwtBearer", &["validate", &shipped(), "token.jwt"], "");
    refused.fails_with(1);
    assert!(
        refused
            .stdout()
            .contains("FAIL Signature or Message Authentication invalid"),
        "{}",
        refused.stdout()
    );
}

#[test]
fn after_a_rekey_the_new_file_vouches_for_the_new_key_and_the_old_one_does_not() {
    let dir = util::demo_set("identity-provider-rekey");
    fs::copy(dir.join("output/iot_default.xml"), dir.join("old_iot_default.xml")).unwrap();
    iospki(&dir, ["rotate", "--ssl", "--rekey"]).success();
    signed(&dir, "output/wso2carbon.jks", "token.jwt");
    java(
        &dir,
        "JwtBearer",
        &["validate", "output/iot_default.xml", "token.jwt"],
        "",
    )
    .success();
    let stale = java(&dir, "JwtBearer", &["validate", "old_iot_default.xml", "token.jwt"], "");
    stale.fails_with(1);
    assert!(
        stale
            .stdout()
            .contains("FAIL Signature or Message Authentication invalid")
    );
}

#[test]
fn verify_names_an_iot_default_xml_that_vouches_for_another_key() {
    let dir = util::demo_set("identity-provider-verify");
    fs::copy(shipped(), dir.join("output/iot_default.xml")).unwrap();
    let run = iospki(&dir, ["verify"]);
    run.fails_with(1);
    let stdout = run.stdout();
    assert!(
        stdout.contains("problem: iot_default.xml: its Certificate is C=US, ST=CA, L=Mountain View, O=WSO2, CN=localhost, not the certificate under KeyAlias in wso2carbon.jks alias wso2carbon"),
        "{stdout}"
    );
}
