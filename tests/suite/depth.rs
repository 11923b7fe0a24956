//! Nesting depth (and XML's width), bounded: every reader of a file a user or a server home supplies (the SSO JSON and WSO2 XML of a
//! home, a bundle as verify reads it, iospki.toml, the ledger, an APNs request plist, DER and PEM) is given a file
//! at its limit, which it reads, and one nested 50,000 levels deep (about 200 KB), which it refuses with exit 2
//! and one line naming the file, where a recursive parser would overflow its stack and abort (exit 134).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64ct::{Base64, Encoding};

use crate::util::{self, iospki, run_in, scratch};

/// Far past every limit, and past what a recursive parser survives on an 8 MiB stack.
const BOMB: usize = 50_000;

const STORE_JSON: &str = "repository/deployment/server/jaggeryapps/store/config/store.json";
const CARBON_XML: &str = "repository/conf/carbon.xml";
const CERTIFICATE_CONFIG: &str = "repository/conf/certificate-config.xml";
const MANAGER_BUNDLE: &str = "bundles/mgt.iots310.wso2.com.tar.gz";

/// `depth` levels of `open`, then `inner`, then as many `close`.
fn nested(depth: usize, open: &str, inner: &str, close: &str) -> String {
    open.repeat(depth) + inner + &close.repeat(depth)
}

/// A demo set with its bundles, made once for the module.
fn set() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = util::demo_set("depth-set");
        iospki(&dir, ["bundle"]).success();
        dir
    })
}

/// A manager's server home from its bundle, with carbon.xml holding `carbon_extra` and store.json the sound SSO
/// settings beside `json_extra` (a member of the top object).
fn home(test: &str, carbon_extra: &str, json_extra: &str) -> PathBuf {
    let dir = scratch(test);
    let home = dir.join("home");
    fs::create_dir_all(home.join("repository/conf")).unwrap();
    let bundle = set().join(MANAGER_BUNDLE);
    run_in(&dir, "tar", ["-xzpf", bundle.to_str().unwrap(), "-C", "home"], &[]).success();
    fs::write(home.join(CARBON_XML), util::carbon_xml("wso2carbon", carbon_extra)).unwrap();
    let json = format!(
        r#"{{ // store.json as IoT Server 3.1.0 ships it, with something deep beside the settings
    "ssoConfiguration": {{"enabled": true, "issuer": "store", "responseSigningEnabled": "true",
        "keyStorePassword": "wso2carbon", "identityAlias": "wso2carbon",
        "keyStoreName": "/repository/resources/security/wso2carbon.jks"}},
    "deep": {json_extra},
}}"#
    );
    fs::create_dir_all(home.join(STORE_JSON).parent().unwrap()).unwrap();
    fs::write(home.join(STORE_JSON), json).unwrap();
    home
}

/// Runs `verify --home` from the home's parent, so no path is read relative to the working directory.
fn verify_home(home: &Path) -> util::Run {
    iospki(home.parent().unwrap(), ["verify", "--home", home.to_str().unwrap()])
}

/// Asserts exit 2 and that stderr is one line naming `file` and saying it nests deeper than `limit`.
fn refused(run: &util::Run, file: &str, limit: usize) {
    let stderr = run.fails_with(2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("iospki: ") && stderr.contains(file), "{stderr}");
    assert!(
        stderr.contains(&format!("nests deeper than {limit} levels")),
        "{stderr}"
    );
}

fn sound(run: &util::Run) {
    let stdout = run.success();
    assert!(stdout.contains(": 0 problem(s)"), "{stdout}");
}

#[test]
fn sso_json_at_the_limit_is_read_and_past_it_is_refused() {
    // The top object is level 1: 63 arrays in it reach json5's limit of 64 exactly.
    sound(&verify_home(&home("depth-json-limit", "", &nested(63, "[", "", "]"))));
    let past = home("depth-json-past", "", &nested(64, "[", "", "]"));
    refused(&verify_home(&past), STORE_JSON, 64);
    let bomb = home("depth-json-bomb", "", &nested(BOMB, "[", "", "]"));
    refused(&verify_home(&bomb), STORE_JSON, 64);
}

#[test]
fn brackets_in_json_strings_and_comments_cannot_hide_a_bomb() {
    // Closers in a string, a line comment and a block comment lower no count; the bomb after them is refused.
    let hidden = format!(
        "[\"{close}\", '{close}', \"\\\"{close}\" // {close}\n /* {close} */ {bomb}]",
        close = "]".repeat(BOMB),
        bomb = nested(BOMB, "[", "", "]"),
    );
    refused(&verify_home(&home("depth-json-hidden", "", &hidden)), STORE_JSON, 64);
    // Openers in strings and comments do not count: this is sound.
    let quoted = format!("[\"{open}\", '{open}' /* {open} */]", open = "[".repeat(BOMB));
    sound(&verify_home(&home("depth-json-quoted", "", &quoted)));
}

#[test]
fn carbon_xml_at_the_limit_is_read_and_past_it_is_refused() {
    // <Server> and <Ports> are levels 1 and 2: 62 elements in Ports reach the limit of 64.
    let ports = |depth| format!("<Ports>{}</Ports>", nested(depth, "<a>", "", "</a>"));
    sound(&verify_home(&home("depth-xml-limit", &ports(62), "[]")));
    refused(&verify_home(&home("depth-xml-past", &ports(63), "[]")), CARBON_XML, 64);
    refused(
        &verify_home(&home("depth-xml-bomb", &ports(BOMB), "[]")),
        CARBON_XML,
        64,
    );
}

/// `n` distinct attributes, `a0="" a1="" ...`.
fn attributes(n: usize) -> String {
    (0..n).map(|i| format!("a{i}=\"\" ")).collect()
}

#[test]
fn xml_elements_with_too_many_attributes_are_refused_before_roxmltree_compares_them() {
    // roxmltree checks each attribute against every earlier one: 300,000 would take it many minutes.
    let ports = |n| format!("<Ports {}/>", attributes(n));
    sound(&verify_home(&home("depth-attributes-limit", &ports(256), "[]")));
    let stderr = verify_home(&home("depth-attributes-bomb", &ports(300_000), "[]")).fails_with(2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(CARBON_XML), "{stderr}");
    assert!(
        stderr.contains("has an element with more than 256 attributes"),
        "{stderr}"
    );
    let dir = scratch("depth-attributes-plist");
    let plist = request(&dir, "wide.b64", &format!("<string {}/>", attributes(300_000)));
    let run = iospki(
        &scratch("depth-attributes-plist-cwd"),
        ["apns", "check-request", plist.to_str().unwrap()],
    );
    let stderr = run.fails_with(2);
    assert!(
        stderr.contains("wide.b64") && stderr.contains("more than 16 attributes"),
        "{stderr}"
    );
}

#[test]
fn a_deep_certificate_config_xml_of_a_home_is_refused() {
    let home = home("depth-xml-certificate-config", "", "[]");
    let bomb = nested(BOMB, "<CertificateConfigurations>", "", "</CertificateConfigurations>");
    fs::write(home.join(CERTIFICATE_CONFIG), bomb).unwrap();
    refused(&verify_home(&home), CERTIFICATE_CONFIG, 64);
}

#[test]
fn a_bundle_holding_deep_xml_is_refused_by_verify() {
    let dir = scratch("depth-bundle");
    fs::create_dir_all(dir.join("node")).unwrap();
    let bundle = set().join(MANAGER_BUNDLE);
    run_in(&dir, "tar", ["-xzpf", bundle.to_str().unwrap(), "-C", "node"], &[]).success();
    let bomb = nested(BOMB, "<a>", "", "</a>");
    fs::write(dir.join("node").join(CERTIFICATE_CONFIG), bomb).unwrap();
    run_in(&dir.join("node"), "tar", ["-czf", "../deep.tar.gz", "."], &[]).success();
    let other = scratch("depth-bundle-cwd");
    let archive = dir.join("deep.tar.gz");
    let run = iospki(&other, ["verify", "--bundle", archive.to_str().unwrap()]);
    refused(&run, CERTIFICATE_CONFIG, 64);
}

#[test]
fn iospki_toml_nesting_bombs_are_refused() {
    let dir = scratch("depth-toml");
    let out = dir.join("out");
    let dotted = |n: usize| vec!["a"; n].join(".");
    for (name, text) in [
        ("arrays", format!("a = {}\n", nested(BOMB, "[", "", "]"))),
        ("tables", format!("a = {}\n", nested(BOMB, "{b = ", "1", "}"))),
        ("dotted-keys", format!("{} = 1\n", dotted(100_000))),
        ("header", format!("[{}]\n", dotted(100_000))),
    ] {
        let config = dir.join(format!("{name}.toml"));
        fs::write(&config, text).unwrap();
        let run = iospki(
            &scratch("depth-toml-cwd"),
            [
                "init",
                "--config",
                config.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        refused(&run, &format!("{name}.toml:1"), 80);
        assert!(!out.exists(), "{name}: init wrote output");
    }
    // 79 levels of each kind at once parse: what stops this file is its unknown key.
    let limit = dir.join("limit.toml");
    let text = format!("[{}]\n{} = {}\n", dotted(79), dotted(79), nested(78, "{b = ", "1", "}"));
    fs::write(&limit, text).unwrap();
    let stderr = iospki(&dir, ["init", "--config", limit.to_str().unwrap()]).fails_with(2);
    assert!(stderr.contains("unknown field `a`"), "{stderr}");
}

/// A copy of the demo set's output directory, its ledger holding `extra` as an unknown member.
fn ledger_set(test: &str, extra: &str) -> PathBuf {
    let dir = scratch(test);
    let out = dir.join("output");
    fs::create_dir_all(&out).unwrap();
    for entry in fs::read_dir(set().join("output")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            fs::copy(entry.path(), out.join(entry.file_name())).unwrap();
        }
    }
    let ledger = out.join("iospki-ledger.json");
    let text = fs::read_to_string(&ledger).unwrap();
    let text = text.replacen('{', &format!("{{\"deep\": {extra},"), 1);
    fs::write(&ledger, text).unwrap();
    out
}

#[test]
fn ledger_at_the_limit_is_read_and_past_it_is_refused() {
    let rotate = |out: &Path| iospki(out.parent().unwrap(), ["rotate", out.to_str().unwrap()]);
    let limit = ledger_set("depth-ledger-limit", &nested(63, "[", "", "]"));
    let stdout = rotate(&limit).success();
    assert!(!stdout.is_empty(), "rotate printed nothing");
    let bomb = ledger_set("depth-ledger-bomb", &nested(BOMB, "[", "", "]"));
    refused(&rotate(&bomb), "iospki-ledger.json", 64);
}

/// A push certificate request whose dictionary holds `value` under one key, base64 as uploaded.
fn request(dir: &Path, name: &str, value: &str) -> PathBuf {
    let plist = format!(
        "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>PushCertRequestCSR</key>{value}</dict></plist>"
    );
    let path = dir.join(name);
    fs::write(&path, Base64::encode_string(plist.as_bytes())).unwrap();
    path
}

#[test]
fn apns_request_plists_past_the_limit_are_refused() {
    let dir = scratch("depth-plist");
    let other = scratch("depth-plist-cwd");
    // plist, dict and 15 arrays: one past the limit of 16.
    let past = request(&dir, "past.b64", &nested(15, "<array>", "", "</array>"));
    let run = iospki(&other, ["apns", "check-request", past.to_str().unwrap()]);
    refused(&run, "past.b64", 16);
    // Far past it the node limit speaks first; still one line and exit 2.
    let bomb = request(&dir, "bomb.b64", &nested(BOMB, "<array>", "", "</array>"));
    let stderr = iospki(&other, ["apns", "check-request", bomb.to_str().unwrap()]).fails_with(2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("iospki: ") && stderr.contains("bomb.b64"),
        "{stderr}"
    );
}

/// `depth` SEQUENCEs, each holding the next, around a NULL: DER with definite lengths.
fn nested_der(depth: usize) -> Vec<u8> {
    let mut der = vec![0x05, 0x00];
    for _ in 0..depth {
        let len = der.len();
        let mut header = vec![0x30];
        if len < 0x80 {
            header.push(len as u8);
        } else {
            let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
            header.push(0x80 | bytes.len() as u8);
            header.extend(bytes);
        }
        der.splice(0..0, header);
    }
    der
}

#[test]
fn deeply_nested_der_raw_and_in_pem_is_refused_by_inspect_and_init() {
    let dir = scratch("depth-der");
    let other = scratch("depth-der-cwd");
    let definite = nested_der(BOMB);
    // BER's indefinite lengths too, which a parser skips by recursion.
    let indefinite = [[0x30, 0x80].repeat(BOMB), [0x00, 0x00].repeat(BOMB)].concat();
    for (name, der) in [("definite", &definite), ("indefinite", &indefinite)] {
        let files = [
            (format!("{name}.der"), der.clone()),
            (format!("{name}-cert.pem"), pem("CERTIFICATE", der)),
            (format!("{name}-key.pem"), pem("PRIVATE KEY", der)),
        ];
        for (file, bytes) in files {
            let path = dir.join(&file);
            fs::write(&path, bytes).unwrap();
            let stderr = iospki(&other, ["inspect", path.to_str().unwrap()]).fails_with(2);
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.starts_with(&format!("iospki: {}", path.display())), "{stderr}");
        }
        let key = dir.join(format!("{name}-key.pem"));
        let out = dir.join(format!("{name}-out"));
        let run = iospki(
            &other,
            ["init", "--key", key.to_str().unwrap(), "--out", out.to_str().unwrap()],
        );
        let stderr = run.fails_with(2);
        assert!(stderr.contains(&format!("{}: ", key.display())), "{stderr}");
        assert!(!out.exists());
    }
}

/// `der` as PEM under `label`, in 64-column lines.
fn pem(label: &str, der: &[u8]) -> Vec<u8> {
    let body = Base64::encode_string(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n")).into_bytes()
}
