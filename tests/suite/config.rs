//! `iospki init --config iospki.toml`: the cluster description reaches the certificates, stores and XML, flags
//! override it, rotate keeps it, and a bad file is an error naming the key and line.

use crate::util;

use std::fs;
use std::path::Path;

use crate::util::{demo_key, iospki, listing, scratch, tool};

fn example() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/iospki.toml")
}

#[test]
fn the_commented_example_is_the_documented_cluster() {
    use iospki::model::cluster::Hosts;
    use iospki::vocab::names::HostName;
    use iospki::vocab::roles::HostGroupId;
    let file = iospki::model::config::load(&example()).unwrap();
    let host = |name: &str| vec![HostName::parse(name).unwrap()];
    let mut hosts = Hosts::default();
    hosts.set(HostGroupId::Workers, host("iots310.wso2.com"));
    hosts.set(HostGroupId::Gateway, host("gateway.iots310.wso2.com"));
    hosts.set(HostGroupId::Manager, host("mgt.iots310.wso2.com"));
    hosts.set(HostGroupId::KeyManagers, host("keymgt.iots310.wso2.com"));
    let defaults = iospki::model::settings::Choices {
        product: Some(iospki::model::product::iot::IOT.id()),
        domain: Some(HostName::parse("iots310.wso2.com").unwrap()),
        ssl_alias: Some(iospki::formats::alias::Alias::chosen("wso2carbon").unwrap()),
        protection: Some(iospki::formats::keystore::pkcs12::Protection::Legacy),
        key_bits: Some(4096),
        out: Some(example().parent().unwrap().join("output")),
        hosts,
        terms: file.terms.clone(),
        ..Default::default()
    };
    assert_eq!(file, defaults);
    // Its days and serials are the documented ones.
    let documented = iospki::model::settings::Choices::default().settings().unwrap();
    assert_eq!(file.settings().unwrap().issuance, documented.issuance);
}

#[test]
fn a_cluster_of_one_manager_two_workers_and_two_key_managers() {
    let dir = scratch("config-cluster");
    fs::write(dir.join("store.pass"), "from-the-file\n").unwrap();
    fs::write(
        dir.join("iospki.toml"),
        r#"domain = "iot.example.org"
out = "pki"
key_bits = 2048
ssl_alias = "nginx"
[hosts]
workers = ["w1.iot.example.org", "w2.iot.example.org"]
key_managers = ["km1.iot.example.org", "km2.iot.example.org"]
[subject]
country = "LK"
organization = "Example"
[ssl]
days = 397
serial = 4242
[passwords]
store_file = "store.pass"
"#,
    )
    .unwrap();
    let key = demo_key();
    // From another directory: relative paths in the file are taken from the file's directory.
    iospki(
        dir.parent().unwrap(),
        [
            "init",
            "--config",
            dir.join("iospki.toml").to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
    )
    .success();
    let out = dir.join("pki");
    let ssl = tool(
        &out,
        "openssl",
        [
            "x509",
            "-in",
            "ia.crt",
            "-noout",
            "-subject",
            "-serial",
            "-ext",
            "subjectAltName",
            "-dates",
        ],
    );
    assert!(
        ssl.contains("DNS:w1.iot.example.org, DNS:w2.iot.example.org, DNS:gateway.iot.example.org, DNS:mgt.iot.example.org, DNS:km1.iot.example.org, DNS:km2.iot.example.org, DNS:iot.example.org"),
        "{ssl}"
    );
    assert!(
        ssl.contains("serial=1092") && ssl.contains("C = LK") && ssl.contains("O = Example"),
        "{ssl}"
    );
    let api = fs::read_to_string(out.join("iot-api-config.xml")).unwrap();
    assert!(api.contains("https://w1.iot.example.org/api/certificate-mgt"), "{api}");
    assert!(api.contains("https://km1.iot.example.org/client-registration"), "{api}");
    let listed = util::keytool_list(&out, "wso2carbon.jks", "from-the-file");
    assert!(listed.contains("Alias name: nginx"), "{listed}");
    // verify checks the SAN against the hosts the ledger records; rotate keeps them and the 397 days.
    let verify = iospki(
        &dir,
        ["verify", "pki", "--password-file", "store.pass", "--ssl-alias", "nginx"],
    )
    .success();
    assert!(verify.contains(": 0 problem(s)"), "{verify}");
    iospki(&dir, ["rotate", "pki", "--ssl", "--password-file", "store.pass"]).success();
    let dates = tool(
        &out,
        "openssl",
        [
            "x509",
            "-in",
            "ia.crt",
            "-noout",
            "-ext",
            "subjectAltName",
            "-startdate",
            "-enddate",
        ],
    );
    assert!(dates.contains("DNS:km2.iot.example.org"), "{dates}");
    let days = |prefix: &str| {
        let line = dates.lines().find_map(|l| l.strip_prefix(prefix)).unwrap().to_owned();
        tool(&out, "date", ["-u", "-d", &line, "+%s"])
            .trim()
            .parse::<i64>()
            .unwrap()
    };
    assert_eq!((days("notAfter=") - days("notBefore=")) / 86_400, 397);
}

#[test]
fn flags_override_the_file() {
    let dir = scratch("config-override");
    fs::write(
        dir.join("iospki.toml"),
        "domain = \"from.file.org\"\nout = \"from-file\"\np12_profile = \"modern\"\n",
    )
    .unwrap();
    let key = demo_key();
    let args = [
        "init",
        "--config",
        "iospki.toml",
        "--key",
        key.to_str().unwrap(),
        "--key-bits",
        "2048",
    ];
    let mut args = args.to_vec();
    args.extend([
        "--domain",
        "from.flag.org",
        "--out",
        "from-flag",
        "--p12-profile",
        "legacy",
    ]);
    iospki(&dir, args).success();
    assert_eq!(listing(&dir), ["from-flag", "iospki.toml"]);
    let ca = tool(
        &dir.join("from-flag"),
        "openssl",
        ["x509", "-in", "ca.crt", "-noout", "-subject"],
    );
    assert!(ca.contains("CN = *.from.flag.org"), "{ca}");
    let info = util::run_in(
        &dir.join("from-flag"),
        "openssl",
        [
            "pkcs12",
            "-in",
            "ca.p12",
            "-info",
            "-noout",
            "-passin",
            "pass:wso2carbon",
        ],
        &[],
    );
    assert!(format!("{}{}", info.success(), info.stderr()).contains("MAC: sha1"));
}

/// Runs init in a new directory with `text` as its cluster description.
fn init_with_config(test: &str, text: &str) -> (std::path::PathBuf, util::Run) {
    let dir = scratch(test);
    fs::write(dir.join("iospki.toml"), text).unwrap();
    let key = demo_key();
    let run = iospki(
        &dir,
        ["init", "--config", "iospki.toml", "--key", key.to_str().unwrap()],
    );
    (dir, run)
}

#[test]
fn a_bad_file_names_the_key_and_line_and_writes_nothing() {
    let (dir, run) = init_with_config("config-bad", "domain = \"ok.example.org\"\n\n[ssl]\ndays = 1000\n");
    let stderr = run.fails_with(2);
    assert!(
        stderr.contains("iospki: iospki.toml:4: ssl.days: 1000 exceeds Apple's limit of 825 days"),
        "{stderr}"
    );
    assert_eq!(listing(&dir), ["iospki.toml"]);
}

#[test]
fn an_unset_password_variable_is_an_error_naming_it() {
    let (_, run) = init_with_config(
        "config-env",
        "[passwords]\nstore_env = \"IOSPKI_TEST_UNSET_VARIABLE\"\n",
    );
    let stderr = run.fails_with(2);
    assert!(
        stderr.contains("IOSPKI_TEST_UNSET_VARIABLE: the cluster description names this environment variable"),
        "{stderr}"
    );
}

#[test]
fn the_identity_server_7_example_is_a_release_and_its_settings_name_their_lines() {
    let is7 = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/is7.toml");
    let file = iospki::model::config::load(&is7).unwrap();
    assert_eq!(file.product, Some(iospki::model::product::is7::IS_7_1.id()));
    let dir = scratch("config-releases");
    for (text, said) in [
        (
            "product = \"is\"\nversion = \"6.0\"\n",
            ":2: version: Identity Server 6.0 is not a version iospki knows",
        ),
        (
            "product = \"is\"\nversion = \"7.1\"\nstore_type = \"bks\"\n",
            ":3: store_type: 'bks' is not one of jks",
        ),
        (
            "product = \"es\"\nkeystores = \"single\"\n",
            ":2: keystores: Enterprise Store has one layout of its stores",
        ),
        ("product = \"apim\"\n", ":1: version: API Manager needs a version"),
    ] {
        let path = dir.join("iospki.toml");
        fs::write(&path, text).unwrap();
        let err = iospki::model::config::load(&path).unwrap_err().to_string();
        assert!(err.contains(said), "{text:?}: {err}");
    }
}
