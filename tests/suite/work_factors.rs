//! Work factors and sizes, bounded: PKCS#12 files and encrypted keys whose key derivations would run for hours or
//! ask for more memory than any machine has, FIFOs and devices where a file belongs, and a cluster of 10,000 hosts.
//! Each is refused with exit 2 and one line naming the file and the parameter (verify, which reports, with a
//! problem), before the work. No case is timed: the parameters are large enough that a missing check would hang
//! the test run or abort it.

use std::fs;
use std::path::{Path, PathBuf};

use cms::content_info::{CmsVersion, ContentInfo};
use cms::encrypted_data::EncryptedData;
use cms::enveloped_data::EncryptedContentInfo;
use der::asn1::{Any, OctetString};
use der::{Decode, Encode};
use hmac::{KeyInit, Mac};
use iospki::formats::oid;
use pkcs5::pbes2::{Kdf, Parameters};
use pkcs12::kdf::{Pkcs12KeyType, derive_key_utf8};
use pkcs12::pbe_params::EncryptedPrivateKeyInfo;
use pkcs12::pfx::{Pfx, Version};
use pkcs12::safe_bag::SafeBag;
use pkcs12::{DigestInfo, MacData};
use spki::AlgorithmIdentifierOwned;

use crate::util::{Run, default_init, demo_key, iospki, scratch};

/// Far beyond the budget: a thousand items at p12-keystore's old per-item cap, a billion iterations in all.
const ITEMS: usize = 1000;
const ITERATIONS: u32 = 1_000_000;

fn any(value: &impl Encode) -> Any {
    Any::from_der(&value.to_der().unwrap()).unwrap()
}

/// PBES2: PBKDF2-HMAC-SHA256 with `iterations`, then AES-256-CBC.
fn pbkdf2(iterations: u32) -> Parameters {
    let mut params = Parameters::generate_pbkdf2_sha256_aes256cbc(1, &[7; 16], [9; 16]).unwrap();
    if let Kdf::Pbkdf2(kdf) = &mut params.kdf {
        kdf.iteration_count = iterations;
    }
    params
}

/// PBES2: scrypt with N = 2^`log_n`, r = 8, p = 1, then AES-256-CBC.
fn scrypt(log_n: u32) -> Parameters {
    let cheap = pkcs5::scrypt::Params::new(10, 8, 1).unwrap();
    let mut params = Parameters::generate_scrypt_aes256cbc(cheap, &[7; 16], [9; 16]).unwrap();
    if let Kdf::Scrypt(kdf) = &mut params.kdf {
        kdf.cost_parameter = 1 << log_n;
    }
    params
}

fn algorithm(params: &Parameters) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: oid::PBES2,
        parameters: Some(any(params)),
    }
}

/// An encrypted safe under `params`: `plain` encrypted with the password given beside it, or 16 bytes nobody
/// decrypts (iospki must refuse before it tries).
fn encrypted_safe(params: &Parameters, plain: Option<(&str, &[u8])>) -> ContentInfo {
    let ciphertext = plain.map_or(vec![0; 16], |(password, bytes)| {
        params.encrypt(password, bytes).unwrap()
    });
    let data = EncryptedData {
        version: CmsVersion::V0,
        enc_content_info: EncryptedContentInfo {
            content_type: oid::DATA,
            content_enc_alg: algorithm(params),
            encrypted_content: Some(OctetString::new(ciphertext).unwrap()),
        },
        unprotected_attrs: None,
    };
    ContentInfo {
        content_type: oid::ENCRYPTED_DATA,
        content: any(&data),
    }
}

/// An encrypted key (PKCS#8 EncryptedPrivateKeyInfo) under `params`, never decrypted.
fn encrypted_key(params: &Parameters) -> Vec<u8> {
    EncryptedPrivateKeyInfo {
        encryption_algorithm: algorithm(params),
        encrypted_data: OctetString::new(vec![0; 16]).unwrap(),
    }
    .to_der()
    .unwrap()
}

fn shrouded_key_bag(params: &Parameters) -> SafeBag {
    SafeBag {
        bag_id: oid::SHROUDED_KEY_BAG,
        bag_value: encrypted_key(params),
        bag_attributes: None,
    }
}

/// A PFX of `safes`, with an HMAC-SHA256 MAC (2048 iterations) under `mac_password` if one is given.
fn pfx(safes: &[ContentInfo], mac_password: Option<&str>) -> Vec<u8> {
    let authenticated = safes.to_vec().to_der().unwrap();
    let mac_data = mac_password.map(|password| {
        let salt = [3u8; 8];
        let key = derive_key_utf8::<sha2::Sha256>(password, &salt, Pkcs12KeyType::Mac, 2048, 32).unwrap();
        let mut hmac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
        hmac.update(&authenticated);
        MacData {
            mac: DigestInfo {
                algorithm: AlgorithmIdentifierOwned {
                    oid: oid::SHA256,
                    parameters: None,
                },
                digest: OctetString::new(hmac.finalize().into_bytes().to_vec()).unwrap(),
            },
            mac_salt: OctetString::new(salt).unwrap(),
            iterations: 2048,
        }
    });
    Pfx {
        version: Version::V3,
        auth_safe: ContentInfo {
            content_type: oid::DATA,
            content: any(&OctetString::new(authenticated).unwrap()),
        },
        mac_data,
    }
    .to_der()
    .unwrap()
}

/// The store: many safes at a million PBKDF2 iterations, its MAC good under `changeit`, which inspect
/// and check try by themselves.
fn many_safes() -> Vec<u8> {
    let safe = encrypted_safe(&pbkdf2(ITERATIONS), None);
    pfx(&vec![safe; ITEMS], Some("changeit"))
}

/// One scrypt safe asking for 1 TiB.
fn scrypt_safe() -> Vec<u8> {
    pfx(&[encrypted_safe(&scrypt(30), None)], Some("changeit"))
}

/// A cheap encrypted safe, without a MAC, that decrypts under `wso2carbon` to a thousand shrouded keys at a
/// million iterations each: they show only once the safe is decrypted.
fn keys_inside_an_encrypted_safe() -> Vec<u8> {
    let bags = vec![shrouded_key_bag(&pbkdf2(ITERATIONS)); ITEMS].to_der().unwrap();
    pfx(&[encrypted_safe(&pbkdf2(1), Some(("wso2carbon", &bags)))], None)
}

fn pem_key(der: Vec<u8>) -> Vec<u8> {
    pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", der)).into_bytes()
}

/// Asserts exit `code` and exactly one line on stderr (warnings aside), starting `iospki:`, holding each of
/// `expected`.
fn refused(run: &Run, code: i32, expected: &[&str]) {
    let stderr = run.fails_with(code);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("iospki: warning:")).collect();
    assert_eq!(lines.len(), 1, "one error line\n{stderr}");
    assert!(lines[0].starts_with("iospki: "), "{stderr}");
    for text in expected {
        assert!(lines[0].contains(text), "stderr lacks {text:?}\n{stderr}");
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, bytes).unwrap();
    path
}

// The two published passwords and the empty one, which is tried twice (an empty BMPString, then no bytes): four
// MAC derivations and the 1000 safes.
const MANY: &str = "1004 key derivations of up to 1000000 PBKDF2 iterations (3 passwords tried), 1000008192 \
                    iterations in all, more than iospki's budget of 10000000 per file";

#[test]
fn many_safes_are_refused_by_inspect_and_check_before_trying_the_published_passwords() {
    let dir = scratch("work-many-safes");
    write(&dir, "stores/many.p12", &many_safes());
    refused(
        &iospki(&dir, ["inspect", "stores/many.p12"]),
        2,
        &["stores/many.p12: ", MANY],
    );
    refused(
        &iospki(&dir, ["check", "stores/many.p12"]),
        2,
        &["stores/many.p12: ", MANY],
    );
    refused(&iospki(&dir, ["check", "stores"]), 2, &["stores/many.p12: ", MANY]);
    // With its password given, only that one is tried.
    write(&dir, "pw", b"changeit\n");
    refused(
        &iospki(&dir, ["inspect", "--password-file", "pw", "stores/many.p12"]),
        2,
        &["1001 key derivations of up to 1000000 PBKDF2 iterations, 1000002048 iterations in all"],
    );
}

#[test]
fn scrypt_memory_is_refused_before_the_allocation() {
    let dir = scratch("work-scrypt-safe");
    write(&dir, "s.p12", &scrypt_safe());
    let memory = "s.p12: scrypt N=2^30, r=8, p=1, which takes 1 TiB of memory, more than iospki's budget of 256 MiB";
    refused(&iospki(&dir, ["inspect", "s.p12"]), 2, &[memory]);
    refused(&iospki(&dir, ["check", "s.p12"]), 2, &[memory]);
}

#[test]
fn keys_shrouded_inside_an_encrypted_safe_are_counted_before_they_are_decrypted() {
    let dir = scratch("work-nested-keys");
    write(&dir, "n.p12", &keys_inside_an_encrypted_safe());
    refused(
        &iospki(&dir, ["inspect", "n.p12"]),
        2,
        &["n.p12: 1001 key derivations of up to 1000000 PBKDF2 iterations (3 passwords tried), 1000000001 iterations"],
    );
}

#[test]
fn verify_reports_a_hostile_store_in_a_set_as_a_problem() {
    let dir = scratch("work-verify");
    let out = copy_of_the_default_set(&dir);
    fs::write(out.join("ca.p12"), many_safes()).unwrap();
    let run = iospki(&dir, ["verify", "output"]);
    let stdout = run.stdout();
    assert_eq!(run.code(), Some(1), "{stdout}\n{}", run.stderr());
    assert!(
        stdout.contains("ca.p12") && stdout.contains("of up to 1000000 PBKDF2 iterations"),
        "{stdout}"
    );
}

/// `archive` (a .tar.gz) with the bytes of the entry whose path ends with `name` replaced by `bytes`.
fn with_entry_replaced(archive: &[u8], name: &str, bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut input = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut output = tar::Builder::new(gzip);
    for entry in input.entries().unwrap() {
        let mut entry = entry.unwrap();
        let mut contents = Vec::new();
        entry.read_to_end(&mut contents).unwrap();
        if entry.path().unwrap().ends_with(name) {
            contents = bytes.to_vec();
        }
        let mut header = entry.header().clone();
        header.set_size(contents.len() as u64);
        header.set_cksum();
        output.append(&header, contents.as_slice()).unwrap();
    }
    output.into_inner().unwrap().finish().unwrap()
}

#[test]
fn verify_bundle_reports_a_hostile_store_in_the_archive_as_a_problem() {
    let dir = scratch("work-verify-bundle");
    let set = default_init("work-factors").to_str().unwrap();
    iospki(&dir, ["bundle", set, "--out", "bundles"]).success();
    let archive = fs::read(dir.join("bundles/mgt.iots310.wso2.com.tar.gz")).unwrap();
    let hostile = with_entry_replaced(&archive, "wso2carbon.jks", &many_safes());
    write(&dir, "hostile.tar.gz", &hostile);
    let run = iospki(&dir, ["verify", "--bundle", "hostile.tar.gz"]);
    let stdout = run.stdout();
    assert_eq!(run.code(), Some(1), "{stdout}\n{}", run.stderr());
    assert!(
        stdout.contains("wso2carbon.jks") && stdout.contains("of up to 1000000 PBKDF2 iterations"),
        "{stdout}"
    );
}

#[test]
fn merge_from_a_node_with_a_hostile_store_is_refused_before_key_generation() {
    let dir = scratch("work-merge");
    write(&dir, "security/wso2carbon.jks", &many_safes());
    write(&dir, "node.pass", b"changeit\n");
    let key = demo_key();
    let args = [
        "init",
        "--key",
        key.to_str().unwrap(),
        "--merge-from",
        "security",
        "--merge-password-file",
        "node.pass",
    ];
    refused(
        &iospki(&dir, args),
        2,
        &["security/wso2carbon.jks: 1001 key derivations of up to 1000000 PBKDF2 iterations,"],
    );
    assert!(!dir.join("output").exists());
}

#[test]
fn encrypted_keys_are_priced_before_their_password_is_asked_for() {
    let dir = scratch("work-keys");
    write(&dir, "pbkdf2.pem", &pem_key(encrypted_key(&pbkdf2(u32::MAX))));
    write(&dir, "scrypt.der", &encrypted_key(&scrypt(40)));
    refused(
        &iospki(&dir, ["init", "--key", "pbkdf2.pem"]),
        2,
        &["pbkdf2.pem: key is encrypted with 4294967295 PBKDF2 iterations, more than iospki's budget"],
    );
    refused(
        &iospki(&dir, ["init", "--key", "scrypt.der"]),
        2,
        &["scrypt.der: key is encrypted with scrypt N=2^40, r=8, p=1, which takes 1 PiB of memory"],
    );
}

/// A FIFO, and a character device like /dev/zero (1:5) made with mknod; where mknod is not permitted, /dev/zero
/// itself, only ever opened for reading.
fn special_files(dir: &Path) -> [PathBuf; 2] {
    use rustix::fs::{CWD, FileType, Mode, makedev, mknodat};
    let fifo = dir.join("special.fifo");
    mknodat(CWD, &fifo, FileType::Fifo, Mode::from_raw_mode(0o600), 0).unwrap();
    let device = dir.join("special.dev");
    match mknodat(
        CWD,
        &device,
        FileType::CharacterDevice,
        Mode::from_raw_mode(0o600),
        makedev(1, 5),
    ) {
        Ok(()) => [fifo, device],
        Err(_) => [fifo, PathBuf::from("/dev/zero")],
    }
}

#[test]
fn fifos_and_devices_are_refused_where_a_file_belongs() {
    let dir = scratch("work-special-files");
    let key = demo_key();
    let key = key.to_str().unwrap();
    let set = default_init("work-factors").to_str().unwrap();
    for special in special_files(&dir) {
        let path = special.to_str().unwrap();
        // Shown as the test named it: relative to its directory (util::Run).
        let shown = special.strip_prefix(&dir).unwrap().to_str().unwrap();
        let not_regular = "is a device, FIFO or socket, not";
        refused(&iospki(&dir, ["init", "--key", path]), 2, &[shown, not_regular]);
        // A password file may be a FIFO, which is waited for (tests/suite/password_sources.rs); never a device.
        if !special.ends_with("special.fifo") {
            refused(
                &iospki(&dir, ["init", "--key", key, "--password-file", path]),
                2,
                &[shown, "is a device or socket, not a regular file, FIFO or pipe"],
            );
        }
        refused(&iospki(&dir, ["inspect", path]), 2, &[shown, not_regular]);
        refused(&iospki(&dir, ["check", path]), 2, &[shown, not_regular]);
        refused(
            &iospki(&dir, ["bundle", set, "--config", path]),
            2,
            &[shown, not_regular],
        );
    }
    let security = dir.join("security");
    fs::create_dir_all(&security).unwrap();
    fs::rename(dir.join("special.fifo"), security.join("wso2carbon.jks")).unwrap();
    refused(
        &iospki(&dir, ["init", "--key", key, "--merge-from", "security"]),
        2,
        &["security/wso2carbon.jks: is a device, FIFO or socket"],
    );
    let out = copy_of_the_default_set(&dir);
    fs::remove_file(out.join("wso2carbon.jks")).unwrap();
    fs::rename(security.join("wso2carbon.jks"), out.join("wso2carbon.jks")).unwrap();
    let run = iospki(&dir, ["verify", "output"]);
    assert_eq!(run.code(), Some(1), "{}\n{}", run.stdout(), run.stderr());
    assert!(
        run.stdout()
            .contains("wso2carbon.jks: cannot be read: is a device, FIFO or socket"),
        "{}",
        run.stdout()
    );
}

/// A copy of the shared default set in `dir/output`.
fn copy_of_the_default_set(dir: &Path) -> PathBuf {
    let out = dir.join("output");
    fs::create_dir_all(&out).unwrap();
    for entry in fs::read_dir(default_init("work-factors")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, out.join(path.file_name().unwrap())).unwrap();
    }
    out
}

fn hosts_toml(count: usize) -> String {
    let names: Vec<String> = (0..count).map(|i| format!("\"w{i}.iot.example.org\"")).collect();
    format!(
        "domain = \"iot.example.org\"\n[hosts]\nworkers = [{}]\n",
        names.join(", ")
    )
}

#[test]
fn ten_thousand_hosts_are_refused_at_their_key_and_line() {
    let dir = scratch("work-many-hosts");
    write(&dir, "big.toml", hosts_toml(10_000).as_bytes());
    let why = "big.toml:3: hosts.workers: 10003 host names in all; iospki takes at most 1000";
    let key = demo_key();
    refused(
        &iospki(&dir, ["init", "--config", "big.toml", "--key", key.to_str().unwrap()]),
        2,
        &[why],
    );
    let set = default_init("work-factors").to_str().unwrap();
    refused(&iospki(&dir, ["bundle", set, "--config", "big.toml"]), 2, &[why]);
}

#[test]
fn a_ledger_edited_to_ten_thousand_hosts_is_refused() {
    let dir = scratch("work-many-hosts-ledger");
    let out = copy_of_the_default_set(&dir);
    let ledger_path = out.join("iospki-ledger.json");
    let mut ledger: serde_json::Value = serde_json::from_slice(&fs::read(&ledger_path).unwrap()).unwrap();
    let workers: Vec<String> = (0..10_000).map(|i| format!("w{i}.iot.example.org")).collect();
    ledger["settings"]["hosts"]["workers"] = serde_json::json!(workers);
    fs::write(&ledger_path, serde_json::to_vec(&ledger).unwrap()).unwrap();
    refused(
        &iospki(&dir, ["bundle", "output"]),
        2,
        &["output/iospki-ledger.json: not an iospki ledger: hosts.workers: 10003 host names in all"],
    );
}
