//! Entry points for the fuzz targets in fuzz/ and for tests/fuzz_corpus.rs, which replays their corpus as an
//! ordinary test. Each takes arbitrary bytes; none may panic, whatever the bytes. Not part of the stable API.

use crate::keystore::{self, jks};
use crate::secret::Password;

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
    let _ = crate::key::load_bytes("fuzz.key".as_ref(), data, || Ok(Password::new("changeit")));
    let _ = crate::key::describe_der(data);
    if let Ok(blocks) = pem::parse_many(data) {
        for block in &blocks {
            let _ = crate::key::describe_pem(block.tag(), block.headers().get("DEK-Info").is_some(), block.contents());
        }
    }
}

/// The push certificate request check, as `apns check-request` runs it: base64, the plist, then every rule over
/// the CSR, the chain and the signature.
pub fn apns_request(data: &[u8]) {
    // A fixed clock, so that a crash replays: 2030-06-01, inside the fixtures' validity.
    let now = time::OffsetDateTime::from_unix_timestamp(1_906_502_400).expect("a valid timestamp");
    let _ = crate::apns::check::check_upload("fuzz.b64", data, None, &crate::apns::AppleRoot::Apple, now);
}
