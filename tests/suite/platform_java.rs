//! Identity Server 7 and API Manager 4 sets as their consumers take them: every store opened with the type,
//! password, alias and key password deployment-security.toml names (Java, keytool, openssl), a TLS handshake
//! with hostname verification by every public name, an RS256 token of the primary key checked against the
//! truststore, and deployment-security.toml merged into each release's shipped deployment.toml (Python's tomllib).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::util::{self, deployment_toml, platform_set, platform_stores, run_in, toml_json};

/// A set the tests cover.
struct Case {
    product: &'static str,
    version: &'static str,
    single: bool,
    /// `--store-type`, where not the release's.
    store_type: Option<&'static str>,
    /// The public names the TLS certificate must answer to, besides localhost.
    names: &'static [&'static str],
    /// Truststore aliases of the primary certificate besides the primary key's own.
    primary_also: &'static [&'static str],
}

const CASES: [Case; 8] = [
    Case {
        product: "is",
        version: "7.0",
        single: false,
        store_type: None,
        names: &["is.wso2.com"],
        primary_also: &[],
    },
    Case {
        product: "is",
        version: "7.1",
        single: false,
        store_type: None,
        names: &["is.wso2.com"],
        primary_also: &[],
    },
    Case {
        product: "is",
        version: "7.3",
        single: false,
        store_type: None,
        names: &["is.wso2.com"],
        primary_also: &[],
    },
    Case {
        product: "apim",
        version: "4.4",
        single: false,
        store_type: None,
        names: &["am.wso2.com", "gw.am.wso2.com"],
        primary_also: &["gateway_certificate_alias"],
    },
    Case {
        product: "is",
        version: "7.3",
        single: true,
        store_type: None,
        names: &["is.wso2.com"],
        primary_also: &[],
    },
    Case {
        product: "apim",
        version: "4.4",
        single: true,
        store_type: None,
        names: &["am.wso2.com", "gw.am.wso2.com"],
        primary_also: &["gateway_certificate_alias"],
    },
    Case {
        product: "is",
        version: "7.1",
        single: false,
        store_type: Some("jks"),
        names: &["is.wso2.com"],
        primary_also: &[],
    },
    Case {
        product: "apim",
        version: "4.4",
        single: false,
        store_type: Some("pkcs12"),
        names: &["am.wso2.com", "gw.am.wso2.com"],
        primary_also: &["gateway_certificate_alias"],
    },
];

impl Case {
    fn label(&self) -> String {
        let layout = if self.single { "single" } else { "separate" };
        let store_type = self.store_type.unwrap_or("the release's type");
        format!("{} {} {layout} {store_type}", self.product, self.version)
    }

    /// The type deployment.toml names its stores by: the release's (IS 7.0 and API Manager: JKS), or the one
    /// chosen.
    fn store_type(&self) -> &'static str {
        match self.store_type {
            Some("jks") => "JKS",
            Some(_) => "PKCS12",
            None if ["7.0", "4.4"].contains(&self.version) => "JKS",
            None => "PKCS12",
        }
    }
}

/// Each case's set, made once for the tests of this file; the set is in each directory's `output/`.
fn sets() -> &'static [(&'static Case, PathBuf)] {
    static SETS: OnceLock<Vec<(&'static Case, PathBuf)>> = OnceLock::new();
    SETS.get_or_init(|| {
        CASES
            .iter()
            .map(|case| {
                let mut flags = Vec::new();
                if case.single {
                    flags.extend(["--keystores", "single"]);
                }
                if let Some(store_type) = case.store_type {
                    flags.extend(["--store-type", store_type]);
                }
                let name = format!(
                    "platform-java-{}-{}-{}-{}",
                    case.product,
                    case.version,
                    case.single,
                    case.store_type.unwrap_or("default")
                );
                (case, platform_set(&name, case.product, case.version, &flags))
            })
            .collect()
    })
}

/// One store section of deployment-security.toml, as tomllib read it.
struct Section {
    name: String,
    file_name: String,
    kind: String,
    password: String,
    alias: Option<String>,
}

/// The [keystore.*] and [truststore] sections of the set in `dir`.
fn store_sections(dir: &Path) -> Vec<Section> {
    let parsed = toml_json(&dir.join("output/deployment-security.toml"));
    let mut tables: Vec<(String, &Value)> = ["primary", "internal", "tls"]
        .iter()
        .map(|name| (format!("keystore.{name}"), &parsed["keystore"][name]))
        .collect();
    tables.push(("truststore".to_owned(), &parsed["truststore"]));
    tables
        .into_iter()
        .map(|(name, table)| {
            let text = |key: &str| table[key].as_str().map(str::to_owned);
            let section = Section {
                file_name: text("file_name")
                    .unwrap_or_else(|| panic!("[{name}] has no file_name in {}", dir.display())),
                kind: text("type").unwrap(),
                password: text("password").unwrap(),
                alias: text("alias"),
                name,
            };
            if section.alias.is_some() {
                assert_eq!(
                    text("key_password"),
                    Some(section.password.clone()),
                    "[{}]",
                    section.name
                );
            }
            section
        })
        .collect()
}

#[test]
fn java_opens_every_store_as_deployment_toml_names_it() {
    for (case, dir) in sets() {
        let run = platform_stores(dir, "stores", &[]);
        let shown = run.success();
        for section in ["keystore.primary", "keystore.internal", "keystore.tls"] {
            assert!(
                shown.contains(&format!("ok [{section}] chain of 2 ends at the CA of ca.crt")),
                "{}\n{shown}",
                case.label()
            );
        }
        assert!(
            shown.contains(&format!("roots {}\n", util::public_roots())),
            "{}\n{shown}",
            case.label()
        );
    }
}

#[test]
fn the_release_or_chosen_store_type_is_the_files_real_format() {
    for (case, dir) in sets() {
        let expected = case.store_type();
        for section in store_sections(dir) {
            assert_eq!(section.kind, expected, "{} [{}]", case.label(), section.name);
            let bytes = std::fs::read(dir.join("output").join(&section.file_name)).unwrap();
            let magic = if expected == "JKS" {
                &[0xfe, 0xed, 0xfe, 0xed][..]
            } else {
                &[0x30][..]
            };
            assert!(bytes.starts_with(magic), "{} {}", case.label(), section.file_name);
        }
    }
}

#[test]
fn keytool_lists_every_store_with_the_type_and_aliases_the_sections_name() {
    for (case, dir) in sets() {
        let sections = store_sections(dir);
        for section in &sections {
            let listing = run_in(
                &dir.join("output"),
                "keytool",
                [
                    "-list",
                    "-storetype",
                    &section.kind,
                    "-keystore",
                    &section.file_name,
                    "-storepass:env",
                    "P",
                ],
                &[("P", section.password.as_str())],
            )
            .success();
            assert!(
                listing.contains(&format!("Keystore type: {}", section.kind)),
                "{} {listing}",
                case.label()
            );
            let keys_here = sections.iter().filter(|s| s.file_name == section.file_name);
            for alias in keys_here.filter_map(|s| s.alias.as_deref()) {
                assert!(
                    listing.contains(&format!("\n{alias}, ")) && listing.contains("PrivateKeyEntry"),
                    "{}: no key {alias} in {}\n{listing}",
                    case.label(),
                    section.file_name
                );
            }
            if section.alias.is_none() {
                let trusted = 4 + case.primary_also.len() + util::public_roots();
                assert!(
                    listing.contains(&format!("Your keystore contains {trusted} entries")),
                    "{} {listing}",
                    case.label()
                );
                assert!(!listing.contains("PrivateKeyEntry"), "{} {listing}", case.label());
            }
        }
    }
}

#[test]
fn openssl_reads_every_pkcs12_store_with_its_password() {
    let mut seen = 0;
    for (case, dir) in sets() {
        for section in store_sections(dir).iter().filter(|s| s.kind == "PKCS12") {
            seen += 1;
            let out = dir.join("output");
            let env = [("P", section.password.as_str())];
            let info = [
                "pkcs12",
                "-info",
                "-noout",
                "-in",
                &section.file_name,
                "-passin",
                "env:P",
            ];
            run_in(&out, "openssl", info, &env).success();
            let certs = ["pkcs12", "-nokeys", "-in", &section.file_name, "-passin", "env:P"];
            let listed = run_in(&out, "openssl", certs, &env).success();
            let alias = section.alias.as_deref().unwrap_or("cacert");
            assert!(
                listed.contains(&format!("friendlyName: {alias}\n")),
                "{} {}: no {alias}",
                case.label(),
                section.file_name
            );
        }
    }
    assert!(seen >= 8, "the PKCS#12 sets were not read: {seen} stores");
}

#[test]
fn java_handshakes_by_every_public_name_and_localhost_with_hostname_verification() {
    for (case, dir) in sets() {
        let output = dir.join("output");
        let mut args = vec![output.to_str().unwrap()];
        args.extend_from_slice(case.names);
        args.push("localhost");
        let shown = platform_stores(dir, "handshake", &args).success();
        for name in args.iter().skip(1) {
            for protocol in ["TLSv1.2", "TLSv1.3"] {
                assert!(
                    shown.contains(&format!("HANDSHAKE OK {protocol} {name}\n")),
                    "{}\n{shown}",
                    case.label()
                );
            }
        }
    }
}

#[test]
fn java_refuses_a_name_the_tls_certificate_does_not_hold() {
    for (case, dir) in sets() {
        let output = dir.join("output");
        let args = [output.to_str().unwrap(), "elsewhere.example.org"];
        let run = platform_stores(dir, "handshake", &args);
        run.fails_with(1);
        assert!(
            run.stdout().contains(
                "HANDSHAKE FAILED elsewhere.example.org: No subject alternative DNS name matching elsewhere.example.org"
            ),
            "{}\n{}",
            case.label(),
            run.stdout()
        );
    }
}

#[test]
fn an_rs256_token_of_the_primary_key_verifies_with_the_truststore_certificate() {
    for (case, dir) in sets() {
        let shown = platform_stores(dir, "jwt", case.primary_also).success();
        for alias in std::iter::once(&"primary").chain(case.primary_also) {
            assert!(
                shown.contains(&format!("ok RS256 token verifies with the truststore's {alias}\n")),
                "{}\n{shown}",
                case.label()
            );
        }
    }
}

/// The shipped deployment.toml of every release (../shared/fixtures/wso2-shipped/, used in place), with the
/// product and version `init` takes.
fn shipped() -> Vec<(PathBuf, String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/wso2-shipped");
    let mut files: Vec<_> = util::listing(&dir)
        .into_iter()
        .filter_map(|name| {
            let release = name.strip_suffix("-deployment.toml")?;
            let (product, version) = release.split_once('-')?;
            let version = version.strip_suffix(".0")?.to_owned();
            Some((dir.join(&name), product.to_owned(), version))
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 8, "shipped deployment.toml files in {}", dir.display());
    files
}

#[test]
fn merged_into_each_shipped_deployment_toml_our_sections_win_and_the_rest_survives() {
    const OURS: [&str; 3] = ["keystore", "truststore", "encryption"];
    for (shipped, product, version) in shipped() {
        let dir = platform_set(&format!("platform-merge-{product}-{version}"), &product, &version, &[]);
        let ours_file = dir.join("output/deployment-security.toml");
        let merged_file = dir.join("deployment.toml");
        let args = ["merge", shipped.to_str().unwrap(), ours_file.to_str().unwrap()];
        deployment_toml(&dir, &[&args[..], &[merged_file.to_str().unwrap()]].concat());
        let (ours, theirs, merged) = (toml_json(&ours_file), toml_json(&shipped), toml_json(&merged_file));
        let release = format!("{product} {version}");
        // Ours, table by table: [keystore.*] one by one, as the shipped file may keep other keystore tables.
        let mut tables: Vec<(&Value, &Value, String)> = Vec::new();
        for table in OURS.iter().filter(|t| ours.get(**t).is_some()) {
            match ours[table].as_object().unwrap() {
                keystores if *table == "keystore" => tables.extend(
                    keystores
                        .iter()
                        .map(|(name, v)| (v, &merged[table][name], format!("{table}.{name}"))),
                ),
                _ => tables.push((&ours[table], &merged[table], table.to_string())),
            }
        }
        assert_eq!(tables.len(), if product == "is" { 5 } else { 4 }, "{release}");
        for (ours, merged, table) in tables {
            assert_eq!(merged, ours, "{release}: [{table}] is not ours after the merge");
        }
        for (table, values) in theirs.as_object().unwrap() {
            if !OURS.contains(&table.as_str()) {
                assert_eq!(&merged[table], values, "{release}: shipped [{table}] changed");
            }
        }
        for (name, values) in theirs["keystore"].as_object().into_iter().flatten() {
            if ours["keystore"].get(name).is_none() {
                assert_eq!(
                    &merged["keystore"][name], values,
                    "{release}: shipped [keystore.{name}] changed"
                );
            }
        }
        assert_eq!(merged["server"]["hostname"], "localhost", "{release}");
        // Appended without taking the shipped tables out, the file is not TOML: a table is declared once.
        let naive = format!(
            "{}\n{}",
            std::fs::read_to_string(&shipped).unwrap(),
            std::fs::read_to_string(&ours_file).unwrap()
        );
        let naive_file = dir.join("naive.toml");
        std::fs::write(&naive_file, naive).unwrap();
        let run = run_in(
            &dir,
            "python3",
            [
                "-c",
                "import sys, tomllib; tomllib.load(open(sys.argv[1], 'rb'))",
                naive_file.to_str().unwrap(),
            ],
            &[],
        );
        assert!(run.stderr().contains("Cannot declare"), "{release}: {}", run.stderr());
    }
}
