//! Entry points for the fuzz targets in fuzz/ and for tests/fuzz_corpus.rs, which replays their corpus as an
//! ordinary test. Each takes arbitrary bytes; none may panic, whatever the bytes. Not part of the stable API.

use crate::formats::keystore::{self, jks};
use crate::io::secret::Password;
use crate::model::product::ProductChoice;

/// The JKS reader, and for what it accepts, the writer: a store that reads must write and read back the same.
pub fn jks_reader(data: &[u8]) {
    let password = Password::new("changeit");
    let _ = keystore::open(data, None);
    if let Ok(store) = jks::read(data, &password) {
        let written = jks::write(&store, &password).expect("a store that was read can be written");
        let again = jks::read(&written, &password).expect("a written store reads back");
        assert_eq!(again.len(), store.len());
    }
}

/// The PKCS#12 entry point: format detection, protection description and opening with a password.
pub fn pkcs12_reader(data: &[u8]) {
    let _ = keystore::pkcs12::describe(data);
    let _ = keystore::open(data, Some(&Password::new("changeit")));
}

/// Private-key and PEM loading, as `init --key` and `inspect` do it.
pub fn key_loader(data: &[u8]) {
    let _ = crate::formats::key::load_bytes("fuzz.key".as_ref(), data, || Ok(Password::new("changeit")));
    let _ = crate::formats::key::describe_der(data);
    if let Ok(blocks) = pem::parse_many(data) {
        for block in &blocks {
            let _ = crate::formats::key::describe_pem(
                block.tag(),
                block.headers().get("DEK-Info").is_some(),
                block.contents(),
            );
        }
    }
}

/// The push certificate request check, as `apns check-request` runs it: base64, the plist, then every rule over
/// the CSR, the chain and the signature.
pub fn apns_request(data: &[u8]) {
    let _ =
        crate::ops::apns::check::check_upload("fuzz.b64", data, None, &crate::ops::apns::AppleRoot::Apple, fixed_now());
}

/// A fixed clock, so that a crash replays: 2030-06-01, inside the fixtures' validity.
fn fixed_now() -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(1_906_502_400).expect("a valid timestamp")
}

/// A bundle archive as `verify --bundle` reads it: gzip, tar, then every file of the node as the server will use
/// it (the stores opened with the demo password, the XML and nginx files read).
pub fn bundle_archive(data: &[u8]) {
    let options = crate::ops::verify::Options {
        store_password: Password::new("wso2carbon"),
        ssl_alias: "wso2carbon".into(),
        within: time::Duration::days(30),
        now: fixed_now(),
    };
    let _ = crate::ops::verify::verify_archive("fuzz.tar.gz".as_ref(), data, &options);
}

/// The WSO2 XML of a server home, through every reader of one: carbon.xml, certificate-config.xml,
/// iot-api-config.xml, iot_default.xml, sso-idp-config.xml and the settings `verify --home` looks up in any XML.
pub fn wso2_xml(data: &[u8]) {
    use crate::wso2::read;
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = read::carbon(text);
    let _ = read::certificate_config(text);
    let _ = read::iot_api_config(text);
    let _ = read::identity_provider(text);
    let _ = read::sso_idp_config(text);
    let _ = read::setting_values(text, crate::model::product::Syntax::Elements, "HostName");
}

/// The SSO settings JSON of a Jaggery app (store.json, publisher.json), and the settings looked up in any JSON.
pub fn sso_json(data: &[u8]) {
    use crate::wso2::read;
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = read::sso_settings(text);
    let _ = read::setting_values(text, crate::model::product::Syntax::Json, "proxyHost");
}

/// iospki.toml as `init --config` reads it, for the product it names and for each product a flag could name.
pub fn cluster_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = std::path::Path::new("/fuzz/iospki.toml");
    let _ = crate::model::config::parse_for(path, text, ProductChoice::default());
    for product in crate::model::product::ProductId::all() {
        let chosen = ProductChoice {
            key: Some(product.key()),
            version: product.version(),
            layout: product.layout(),
            format: product.format(),
        };
        let _ = crate::model::config::parse_for(path, text, chosen);
    }
}

/// The ledger of an output directory, as `rotate` and `init` read it.
pub fn ledger(data: &[u8]) {
    let _ = crate::model::ledger::Ledger::parse("iospki-ledger.json".as_ref(), data);
}
