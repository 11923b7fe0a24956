//! Replays the fuzz corpus (fuzz/corpus/TARGET/) and the crashes fuzzing found (fuzz/regressions/TARGET/) through
//! the same entry points the fuzz targets call, so every input that was ever interesting runs in `cargo test`.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for dir in [root.join("corpus").join(target), root.join("regressions").join(target)] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{} panicked on {}", target, path.display());
            count += 1;
        }
    }
    assert!(count > 0, "no corpus for {target}");
}

#[test]
fn jks_reader_corpus() {
    replay("jks_reader", iospki::fuzzing::jks_reader);
}

#[test]
fn pkcs12_reader_corpus() {
    replay("pkcs12_reader", iospki::fuzzing::pkcs12_reader);
}

#[test]
fn key_loader_corpus() {
    replay("key_loader", iospki::fuzzing::key_loader);
}

#[test]
fn apns_request_corpus() {
    replay("apns_request", iospki::fuzzing::apns_request);
}

#[test]
fn bundle_archive_corpus() {
    replay("bundle_archive", iospki::fuzzing::bundle_archive);
}

#[test]
fn wso2_xml_corpus() {
    replay("wso2_xml", iospki::fuzzing::wso2_xml);
}

#[test]
fn sso_json_corpus() {
    replay("sso_json", iospki::fuzzing::sso_json);
}

#[test]
fn cluster_config_corpus() {
    replay("cluster_config", iospki::fuzzing::cluster_config);
}

#[test]
fn ledger_corpus() {
    replay("ledger", iospki::fuzzing::ledger);
}
