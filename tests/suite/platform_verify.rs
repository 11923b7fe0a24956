//! `verify` of Identity Server 7 and API Manager 4, the deployment.toml products: fresh sets of every release and
//! layout verify clean, as do a server home made from a set merged into the deployment.toml its release ships
//! (../shared/fixtures/wso2-shipped/) and the set's bundles; then each problem, made as an operator would make it
//! (keytool on the stores, an edit of deployment.toml that python3's tomllib still reads), is named at its file
//! and line. A shipped default key is judged by its fingerprint only: no shipped store is at hand (the unit tests
//! of src/ops/verify/platform.rs cover it).

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{iospki, scratch, tool};

const CONF: &str = "repository/conf/deployment.toml";
const SECURITY: &str = "repository/resources/security";

/// `iospki init` of `product` at `version` in `layout` into `dir/output`, which it returns.
fn init(dir: &Path, product: &str, version: &str, layout: &str) -> PathBuf {
    let (version, layout) = (format!("--version={version}"), format!("--keystores={layout}"));
    iospki(
        dir,
        ["init", "--product", product, &version, &layout, "--key-bits", "2048"],
    )
    .success();
    dir.join("output")
}

/// The deployment.toml a release ships, from the fixtures beside the repository.
fn shipped_toml(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/wso2-shipped")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `shipped` with the tables deployment-security.toml has replaced by its, as the file's header asks.
fn merged(shipped: &str, security: &str) -> String {
    let header = |line: &str| {
        line.strip_prefix('[')
            .and_then(|l| l.split(']').next())
            .map(str::to_owned)
    };
    let replaced: Vec<String> = security.lines().filter_map(header).collect();
    let mut kept = String::new();
    let mut skipping = false;
    for line in shipped.lines() {
        if let Some(table) = header(line) {
            skipping = replaced.contains(&table);
        }
        if !skipping {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept + "\n" + security
}

/// A server home in `dir/home`: the set's stores where the server opens them, deployment.toml the release's
/// `shipped` one with the set's sections merged in.
fn home(dir: &Path, set: &Path, shipped: &str) -> PathBuf {
    let home = dir.join("home");
    fs::create_dir_all(home.join(SECURITY)).unwrap();
    fs::create_dir_all(home.join("repository/conf")).unwrap();
    for entry in fs::read_dir(set).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".p12") || name.ends_with(".jks") {
            fs::copy(&path, home.join(SECURITY).join(name)).unwrap();
        }
    }
    let security = fs::read_to_string(set.join("deployment-security.toml")).unwrap();
    write_conf(&home, &merged(&shipped_toml(shipped), &security));
    home
}

/// Writes the home's deployment.toml, checked as TOML by python3's tomllib.
fn write_conf(home: &Path, text: &str) {
    let path = home.join(CONF);
    fs::write(&path, text).unwrap();
    let check = "import sys, tomllib; tomllib.load(open(sys.argv[1], 'rb'))";
    tool(home, "python3", ["-c", check, path.to_str().unwrap()]);
}

/// Edits `key` of `[section]` of the home's deployment.toml to `value`; returns its line.
fn set_value(home: &Path, section: &str, key: &str, value: &str) -> usize {
    let text = fs::read_to_string(home.join(CONF)).unwrap();
    let line = line_of(&text, section, key);
    let edited: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(n, l)| {
            if n + 1 == line {
                format!("{key} = \"{value}\"")
            } else {
                l.to_owned()
            }
        })
        .collect();
    write_conf(home, &(edited.join("\n") + "\n"));
    line
}

/// The line of `key` in `[section]` of `text`.
fn line_of(text: &str, section: &str, key: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim() == format!("[{section}]")).unwrap();
    let at = lines[start + 1..]
        .iter()
        .position(|l| l.split('=').next().is_some_and(|k| k.trim() == key))
        .unwrap();
    start + 2 + at
}

/// `verify --home` of `home` as `product` `version`: its stdout, with the exit code asserted.
fn verify_home(home: &Path, product: &str, version: &str, code: i32) -> String {
    let version = format!("--version={version}");
    let run = iospki(
        home,
        [
            "verify",
            "--home",
            home.to_str().unwrap(),
            "--product",
            product,
            &version,
        ],
    );
    match code {
        0 => run.success(),
        code => {
            run.fails_with(code);
            run.stdout()
        }
    }
}

/// A home of a fresh Identity Server 7.1 set merged into the deployment.toml 7.1.0 ships, in `scratch(name)`.
fn is_home(name: &str) -> PathBuf {
    let dir = scratch(name);
    let set = init(&dir, "is", "7.1", "separate");
    home(&dir, &set, "is-7.1.0-deployment.toml")
}

/// Asserts that `out` has a problem at `at` saying `what`.
fn problem(out: &str, at: &str, what: &str) {
    let expected = format!("problem: {at}: {what}");
    assert!(
        out.lines().any(|l| l.starts_with(&expected)),
        "no {expected:?} in\n{out}"
    );
}

fn keytool(home: &Path, args: &[&str]) {
    let mut all = vec!["-noprompt"];
    all.extend_from_slice(args);
    tool(&home.join(SECURITY), "keytool", all);
}

#[test]
fn fresh_sets_of_every_release_and_layout_verify_clean() {
    let dir = scratch("platform-verify-fresh");
    for (product, versions) in [
        ("is", ["7.0", "7.1", "7.2", "7.3"]),
        ("apim", ["4.3", "4.4", "4.5", "4.6"]),
    ] {
        for version in versions {
            for layout in ["separate", "single"] {
                let case = dir.join(format!("{product}-{version}-{layout}"));
                fs::create_dir_all(&case).unwrap();
                let set = init(&case, product, version, layout);
                let out = iospki(&case, ["verify", set.to_str().unwrap()]).success();
                assert!(out.contains(": 0 problem(s)"), "{product} {version} {layout}:\n{out}");
            }
        }
    }
}

#[test]
fn a_sets_tls_certificate_lacking_a_name_its_ledger_records_is_named() {
    let dir = scratch("platform-verify-public-names");
    let set = init(&dir, "is", "7.1", "separate");
    let ledger = set.join("iospki-ledger.json");
    let text = fs::read_to_string(&ledger).unwrap();
    let extra = "\"extra\": []";
    assert!(text.contains(extra), "{text}");
    fs::write(&ledger, text.replace(extra, "\"extra\": [\"login.example.org\"]")).unwrap();
    let run = iospki(&dir, ["verify", "output"]);
    let out = run.fails_with(1);
    assert!(
        run.stdout().contains(
            "problem: deployment-security.toml:24 [keystore.tls] alias: names wso2carbon in tls.p12, whose \
             subjectAltName lacks login.example.org, which iospki-ledger.json names"
        ),
        "{}{out}",
        run.stdout()
    );
}

#[test]
fn a_set_merged_into_the_shipped_deployment_toml_verifies_clean() {
    let home = is_home("platform-verify-home");
    let out = verify_home(&home, "is", "7.1", 0);
    assert!(out.contains(": 0 problem(s)"), "{out}");
    assert!(
        out.contains(&format!("warning: {CONF}:")),
        "the published password is a warning at its line:\n{out}"
    );
    let listed = tool(
        &home.join(SECURITY),
        "keytool",
        [
            "-list",
            "-keystore",
            "tls.p12",
            "-storepass",
            "wso2carbon",
            "-alias",
            "wso2carbon",
        ],
    );
    assert!(
        listed.contains("PrivateKeyEntry"),
        "keytool reads the TLS key the toml names:\n{listed}"
    );
}

#[test]
fn the_shipped_deployment_toml_as_it_is_falls_back_to_the_primary_store_and_the_releases_defaults() {
    let dir = scratch("platform-verify-fallbacks");
    let set = init(&dir, "is", "7.1", "single");
    let home = home(&dir, &set, "is-7.1.0-deployment.toml");
    write_conf(&home, &shipped_toml("is-7.1.0-deployment.toml"));
    let out = verify_home(&home, "is", "7.1", 1);
    problem(
        &out,
        &format!("{CONF} [keystore.internal] alias (unset: Identity Server 7.1's default)"),
        &format!("names wso2carbon in {SECURITY}/wso2carbon.p12, whose certificate's keyUsage lacks dataEncipherment"),
    );
    problem(
        &out,
        &format!("{CONF} [encryption] key"),
        "is unset: Identity Server 7.1 then encrypts with the published",
    );
    let problems = out.lines().filter(|l| l.starts_with("problem:")).count();
    assert_eq!(
        problems, 2,
        "the TLS and primary keys fall back to wso2carbon, which opens:\n{out}"
    );
}

#[test]
fn a_store_password_that_does_not_open_the_store_is_named_at_its_line() {
    let home = is_home("platform-verify-storepass");
    keytool(
        &home,
        &[
            "-storepasswd",
            "-keystore",
            "primary.p12",
            "-storepass",
            "wso2carbon",
            "-new",
            "changed-it",
        ],
    );
    let line = line_of(
        &fs::read_to_string(home.join(CONF)).unwrap(),
        "keystore.primary",
        "password",
    );
    let out = verify_home(&home, "is", "7.1", 1);
    problem(
        &out,
        &format!("{CONF}:{line} [keystore.primary] password"),
        &format!("does not open {SECURITY}/primary.p12: the password is wrong"),
    );
}

#[test]
fn an_alias_the_store_lacks_or_that_names_no_key_is_named_at_its_line() {
    let home = is_home("platform-verify-alias");
    keytool(
        &home,
        &[
            "-changealias",
            "-keystore",
            "primary.p12",
            "-storepass",
            "wso2carbon",
            "-alias",
            "primary",
            "-destalias",
            "renamed",
        ],
    );
    let line = line_of(
        &fs::read_to_string(home.join(CONF)).unwrap(),
        "keystore.primary",
        "alias",
    );
    let out = verify_home(&home, "is", "7.1", 1);
    problem(
        &out,
        &format!("{CONF}:{line} [keystore.primary] alias"),
        &format!("names primary, which {SECURITY}/primary.p12 does not have (it has renamed)"),
    );
    set_value(&home, "keystore.internal", "file_name", "client-truststore.p12");
    let line = line_of(
        &fs::read_to_string(home.join(CONF)).unwrap(),
        "keystore.internal",
        "alias",
    );
    let out = verify_home(&home, "is", "7.1", 1);
    problem(
        &out,
        &format!("{CONF}:{line} [keystore.internal] alias"),
        &format!("names internal, a trusted certificate in {SECURITY}/client-truststore.p12, not a key entry"),
    );
}

#[test]
fn a_key_password_that_opens_nothing_and_a_tls_key_password_not_the_stores_are_named_at_their_lines() {
    let home = is_home("platform-verify-keypass");
    let internal = set_value(&home, "keystore.internal", "key_password", "not-the-password");
    let tls = set_value(&home, "keystore.tls", "key_password", "not-the-password");
    let store = line_of(
        &fs::read_to_string(home.join(CONF)).unwrap(),
        "keystore.tls",
        "password",
    );
    let out = verify_home(&home, "is", "7.1", 1);
    problem(
        &out,
        &format!("{CONF}:{internal} [keystore.internal] key_password"),
        &format!("does not open the key internal in {SECURITY}/internal.p12"),
    );
    problem(
        &out,
        &format!("{CONF}:{tls} [keystore.tls] key_password"),
        &format!("differs from the store's password ({CONF}:{store} [keystore.tls] password)"),
    );
}

#[test]
fn a_type_that_is_not_the_files_is_a_problem_at_its_line() {
    let home = is_home("platform-verify-type");
    fs::copy(
        home.join(SECURITY).join("primary.p12"),
        home.join(SECURITY).join("primary.jks"),
    )
    .unwrap();
    set_value(&home, "keystore.primary", "file_name", "primary.jks");
    let line = set_value(&home, "keystore.primary", "type", "JKS");
    let out = verify_home(&home, "is", "7.1", 1);
    problem(
        &out,
        &format!("{CONF}:{line} [keystore.primary] type"),
        &format!("is JKS but {SECURITY}/primary.jks is PKCS#12: Java opens a store only as its type"),
    );
}

#[test]
fn api_manager_4_4s_pkcs12_named_jks_and_typed_jks_is_a_warning_and_its_truststore_needs_the_gateway_certificate() {
    let dir = scratch("platform-verify-apim");
    let set = init(&dir, "apim", "4.4", "separate");
    let home = home(&dir, &set, "apim-4.4.0-deployment.toml");
    assert!(verify_home(&home, "apim", "4.4", 0).contains(": 0 problem(s)"));
    keytool(
        &home,
        &[
            "-importkeystore",
            "-srckeystore",
            "tls.jks",
            "-srcstorepass",
            "wso2carbon",
            "-srcstoretype",
            "JKS",
            "-destkeystore",
            "tls-p12.jks",
            "-deststorepass",
            "wso2carbon",
            "-deststoretype",
            "PKCS12",
        ],
    );
    fs::rename(
        home.join(SECURITY).join("tls-p12.jks"),
        home.join(SECURITY).join("tls.jks"),
    )
    .unwrap();
    let line = line_of(&fs::read_to_string(home.join(CONF)).unwrap(), "keystore.tls", "type");
    let out = verify_home(&home, "apim", "4.4", 0);
    let expected = format!(
        "warning: {CONF}:{line} [keystore.tls] type: is JKS but {SECURITY}/tls.jks is PKCS#12, as API Manager 4.4 ships it"
    );
    assert!(out.contains(&expected), "no {expected:?} in\n{out}");
    keytool(
        &home,
        &[
            "-delete",
            "-alias",
            "gateway_certificate_alias",
            "-keystore",
            "client-truststore.jks",
            "-storepass",
            "wso2carbon",
        ],
    );
    let line = line_of(&fs::read_to_string(home.join(CONF)).unwrap(), "truststore", "file_name");
    let out = verify_home(&home, "apim", "4.4", 1);
    problem(
        &out,
        &format!("{CONF}:{line} [truststore] file_name"),
        &format!("names {SECURITY}/client-truststore.jks, which has no entry gateway_certificate_alias"),
    );
}

#[test]
fn an_internal_key_that_may_not_encrypt_is_named_at_its_alias() {
    let home = is_home("platform-verify-internal");
    set_value(&home, "keystore.internal", "file_name", "primary.p12");
    let line = set_value(&home, "keystore.internal", "alias", "primary");
    let out = verify_home(&home, "is", "7.1", 1);
    problem(
        &out,
        &format!("{CONF}:{line} [keystore.internal] alias"),
        &format!("names primary in {SECURITY}/primary.p12, whose certificate's keyUsage lacks dataEncipherment"),
    );
}

#[test]
fn the_published_or_a_missing_encryption_key_is_a_problem() {
    let home = is_home("platform-verify-encryption");
    let line = set_value(&home, "encryption", "key", "03BAFEB27A8E871CAD83C5CD4E771DAB");
    let out = verify_home(&home, "is", "7.1", 1);
    problem(
        &out,
        &format!("{CONF}:{line} [encryption] key"),
        "is the published default key every download ships",
    );
    set_value(&home, "encryption", "key", "xyz");
    problem(
        &verify_home(&home, "is", "7.1", 1),
        &format!("{CONF}:{line} [encryption] key"),
        "is not 32 hex digits",
    );
    let text = fs::read_to_string(home.join(CONF)).unwrap();
    write_conf(&home, &text.replace("[encryption]", "[encryption_off]"));
    problem(
        &verify_home(&home, "is", "7.1", 1),
        &format!("{CONF} [encryption] key"),
        "is unset",
    );
}

#[test]
fn a_tls_certificate_without_the_servers_hostname_is_named_with_both_lines() {
    let home = is_home("platform-verify-hostname");
    let hostname = set_value(&home, "server", "hostname", "elsewhere.example");
    let alias = line_of(&fs::read_to_string(home.join(CONF)).unwrap(), "keystore.tls", "alias");
    let out = verify_home(&home, "is", "7.1", 1);
    problem(
        &out,
        &format!("{CONF}:{alias} [keystore.tls] alias"),
        &format!(
            "names wso2carbon in {SECURITY}/tls.p12, whose subjectAltName lacks elsewhere.example, which \
             {CONF}:{hostname} [server] hostname names"
        ),
    );
}

#[test]
fn a_key_expiring_within_the_window_is_named_at_its_alias() {
    let home = is_home("platform-verify-expiry");
    let alias = line_of(&fs::read_to_string(home.join(CONF)).unwrap(), "keystore.tls", "alias");
    let version = "--version=7.1";
    let run = iospki(
        &home,
        [
            "verify",
            "--home",
            home.to_str().unwrap(),
            "--product",
            "is",
            version,
            "--within",
            "5000d",
        ],
    );
    run.fails_with(1);
    let out = run.stdout();
    problem(&out, &format!("{CONF}:{alias} [keystore.tls] alias"), "expires in ");
}

#[test]
fn bundles_verify_as_their_nodes_and_a_node_of_another_set_is_named() {
    let dir = scratch("platform-verify-bundles");
    let set = init(&dir, "is", "7.1", "separate");
    iospki(&dir, ["bundle", set.to_str().unwrap()]).success();
    let other = dir.join("other");
    fs::create_dir_all(&other).unwrap();
    let other_set = init(&other, "is", "7.1", "separate");
    iospki(&other, ["bundle", other_set.to_str().unwrap()]).success();
    let out = iospki(
        &dir,
        [
            "verify",
            "--bundle",
            "bundles/is-1.tar.gz",
            "bundles/is-2.tar.gz",
            "bundles/nginx.tar.gz",
        ],
    )
    .success();
    assert!(out.contains("3 bundles: 0 problem(s)"), "{out}");
    let foreign = other.join("bundles/is-2.tar.gz");
    let run = iospki(
        &dir,
        [
            "verify",
            "--bundle",
            "bundles/is-1.tar.gz",
            "bundles/is-2.tar.gz",
            foreign.to_str().unwrap(),
        ],
    );
    run.fails_with(1);
    let out = run.stdout();
    let node = "other/bundles/is-2.tar.gz";
    problem(
        &out,
        &format!("{node}: {SECURITY}/tls.p12"),
        "holds another TLS store than bundles/is-1.tar.gz, bundles/is-2.tar.gz",
    );
    let line = line_of(
        &fs::read_to_string(other_set.join("deployment-security.toml")).unwrap(),
        "encryption",
        "key",
    );
    problem(
        &out,
        &format!("{node}: deployment-security.toml:{line} [encryption] key"),
        "holds another [encryption] key than",
    );
}
