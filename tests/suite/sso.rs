//! The SSO settings of a manager's Jaggery apps, checked on a server home made from a bundle: `verify --iots-home`
//! reads store.json as Jaggery's relying-party code does, and a Java program (tests/java/SamlSso.java) signs a
//! SAML Response with the IdP's key and validates it as Jaggery's Util.validateSignature does. For each way the
//! settings can be broken, verify reports the problem and Java's validation fails the same way.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{self, iospki, java, run_in};

const STORE_JSON: &str = "repository/deployment/server/jaggeryapps/store/config/store.json";

/// store.json as App Manager's store ships it in IoT Server 3.1.0, with `settings` in `ssoConfiguration`.
fn store_json(settings: &str) -> String {
    format!(
        r#"{{
    // SAML SSO with the key manager as the identity provider.
    "ssoConfiguration": {{
        "enabled": true,
        "issuer": "store",
        "identityProviderURL": "%https.host%/samlsso",
        {settings},
        "responseSigningEnabled": "true",
        "storeAcs" : "%https.host%/store/acs",
        "validateAssertionValidityPeriod": true,
        "assertionSigningEnabled": true,
    }},
}}"#
    )
}

const SOUND: &str = r#""keyStorePassword": "wso2carbon", "identityAlias": "wso2carbon",
        "keyStoreName": "/repository/resources/security/wso2carbon.jks""#;

/// A manager's server home: its bundle unpacked with tar, carbon.xml, and store.json with `settings`.
fn home(test: &str, settings: &str) -> PathBuf {
    let dir = util::demo_set(test);
    iospki(&dir, ["bundle"]).success();
    let home = dir.join("home");
    fs::create_dir_all(home.join("repository/conf")).unwrap();
    run_in(
        &dir,
        "tar",
        ["-xzpf", "bundles/mgt.iots310.wso2.com.tar.gz", "-C", "home"],
        &[],
    )
    .success();
    fs::write(
        home.join("repository/conf/carbon.xml"),
        util::carbon_xml("wso2carbon", ""),
    )
    .unwrap();
    let json = home.join(STORE_JSON);
    fs::create_dir_all(json.parent().unwrap()).unwrap();
    fs::write(&json, store_json(settings)).unwrap();
    home
}

/// A SAML Response the IdP signs with the key under wso2carbon in the home's wso2carbon.jks.
fn response(home: &Path) -> PathBuf {
    let store = home.join("repository/resources/security/wso2carbon.jks");
    let out = home.parent().unwrap().join("response.xml");
    java(
        home,
        "SamlSso",
        &["sign", store.to_str().unwrap(), "wso2carbon", out.to_str().unwrap()],
        "wso2carbon",
    )
    .success();
    out
}

/// What the app makes of the response: Java's output and exit code.
fn validated(home: &Path) -> util::Run {
    let response = response(home);
    let settings = home.join(STORE_JSON);
    java(
        home,
        "SamlSso",
        &[
            "validate",
            home.to_str().unwrap(),
            settings.to_str().unwrap(),
            response.to_str().unwrap(),
        ],
        "",
    )
}

#[test]
fn a_home_from_a_bundle_passes_and_the_app_validates_the_idps_signature() {
    let home = home("sso-sound", SOUND);
    let shown = validated(&home).success();
    assert!(shown.contains("signature is valid"), "{shown}");
    let verified = iospki(&home, ["verify", "--iots-home", "."]).success();
    assert!(verified.contains(": 0 problem(s)"), "{verified}");
}

#[test]
fn each_broken_setting_is_a_problem_and_the_app_fails_on_it_too() {
    let cases = [
        (
            "sso-empty-alias",
            r#""keyStorePassword": "wso2carbon", "identityAlias": "",
        "keyStoreName": "/repository/resources/security/wso2carbon.jks""#,
            "identityAlias is empty while responseSigningEnabled is on",
            "identityAlias is empty",
        ),
        (
            "sso-empty-store",
            r#""keyStorePassword": "", "identityAlias": "", "keyStoreName": """#,
            "keyStoreName is empty while responseSigningEnabled is on",
            "are empty while responseSigningEnabled is true",
        ),
        (
            "sso-other-alias",
            r#""keyStorePassword": "wso2carbon", "identityAlias": "wso2carbon-old",
        "keyStoreName": "/repository/resources/security/wso2carbon.jks""#,
            "has no certificate under identityAlias wso2carbon-old",
            "no certificate under alias wso2carbon-old",
        ),
        (
            "sso-wrong-password",
            r#""keyStorePassword": "not-the-password", "identityAlias": "wso2carbon",
        "keyStoreName": "/repository/resources/security/wso2carbon.jks""#,
            "the configured store password is wrong",
            "cannot load",
        ),
        (
            "sso-other-key",
            r#""keyStorePassword": "wso2carbon", "identityAlias": "cacert",
        "keyStoreName": "/repository/resources/security/wso2certs.jks""#,
            "is not the IdP's signing key",
            "signature value does not verify",
        ),
    ];
    for (test, settings, problem, java_fail) in cases {
        let home = home(test, settings);
        let run = iospki(&home, ["verify", "--iots-home", "."]);
        let stdout = run.stdout();
        assert_eq!(run.code(), Some(1), "{test}: {stdout}");
        assert!(stdout.contains(problem), "{test}: {stdout}");
        let java = validated(&home);
        assert_eq!(java.code(), Some(1), "{test}: {}", java.stdout());
        assert!(java.stdout().contains(java_fail), "{test}: {}", java.stdout());
    }
}

#[test]
fn a_misspelt_carbon_xml_element_is_named_with_its_line() {
    let home = home("sso-misspelt", SOUND);
    let carbon = util::carbon_xml("wso2carbon", "\n<MgtHostNam>mgt.iots310.wso2.com</MgtHostNam>");
    fs::write(home.join("repository/conf/carbon.xml"), carbon).unwrap();
    let stdout = iospki(&home, ["verify", "--iots-home", "."]).success();
    assert!(
        stdout.contains(
            "warning: repository/conf/carbon.xml:7: <MgtHostNam> is not an element carbon.xml reads, so the server \
             ignores it; <MgtHostName> is; rename it to <MgtHostName>"
        ),
        "{stdout}"
    );
}
