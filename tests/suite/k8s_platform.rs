//! `iospki bundle --format k8s` for the deployment.toml products (Identity Server 7.1 and 7.0, API Manager 4.4),
//! and their tar bundles. The stores' Secret decodes to the set's stores byte for byte and the TLS Secret to its
//! chain and key, as kubectl's own `create secret` encodes them, and kustomize takes both; openssl finds the TLS
//! Secret's key the key of its certificate, that certificate the one tls.p12 (or tls.jks, by keytool) holds, and
//! localhost among its names. helm lints and renders stand-in charts (tests/fixtures/charts/, which consume the
//! official charts' values keys as their templates do) with values-iospki.yaml: every store mounted by subPath
//! is a key of the Secret, no two mounts share a path, and the deployment.toml they render has the sections of
//! the set's deployment-security.toml, as python's tomllib reads both. The single layout is refused, because the
//! charts would mount one file at three paths. Every tar bundle of a server node holds the set's stores and
//! deployment-security.toml byte for byte, as `tar` extracts them, and so does every home ansible-playbook
//! installs the Ansible project into; nginx gets the TLS key.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64ct::{Base64, Encoding};
use yaml_rust2::{Yaml, YamlLoader};

use crate::ansible;
use crate::util::{iospki, run_in, scratch, tool};

/// A store password YAML, TOML and helm's `quote` must all carry unchanged.
const PASSWORD: &str = "k8s \"quoted\" pa$$ #1";
const NAMESPACE: &str = "wso2";

/// A deployment.toml product as the tests make it.
struct Case {
    product: &'static str,
    version: &'static str,
    /// The stand-in chart under tests/fixtures/charts/.
    chart: &'static str,
    ext: &'static str,
    /// The Secrets' names: `PRODUCT-keystores`, `PRODUCT-tls`.
    prefix: &'static str,
    /// The server nodes of the default cluster.
    nodes: [&'static str; 2],
}

const IS_7_1: Case = Case {
    product: "is",
    version: "7.1",
    chart: "identity-server",
    ext: "p12",
    prefix: "is",
    nodes: ["is-1", "is-2"],
};
const IS_7_0: Case = Case {
    version: "7.0",
    ext: "jks",
    ..IS_7_1
};
const APIM_4_4: Case = Case {
    product: "apim",
    version: "4.4",
    chart: "apim",
    ext: "jks",
    prefix: "apim",
    nodes: ["apim-1", "apim-2"],
};
const CASES: [&Case; 3] = [&IS_7_1, &IS_7_0, &APIM_4_4];

impl Case {
    fn stores(&self) -> [String; 4] {
        ["primary", "internal", "tls", "client-truststore"].map(|s| format!("{s}.{}", self.ext))
    }
}

/// `iospki init` of the case's separate-layout set (2048-bit keys, [`PASSWORD`]) in `DIR/output`, once per run,
/// with its k8s bundle in `DIR/k8s` and its tar bundles in `DIR/tar`.
fn made(case: &Case) -> &'static Path {
    static DIRS: [OnceLock<PathBuf>; 3] = [const { OnceLock::new() }; 3];
    let index = CASES.iter().position(|c| std::ptr::eq(*c, case)).unwrap();
    DIRS[index].get_or_init(|| {
        let dir = init(case, "separate");
        let k8s = [
            "bundle",
            "output",
            "--format",
            "k8s",
            "--namespace",
            NAMESPACE,
            "--out",
            "k8s",
        ];
        iospki(&dir, k8s).success();
        iospki(&dir, ["bundle", "output", "--out", "tar"]).success();
        dir
    })
}

/// `iospki init` of the case in `layout`, in a fresh scratch directory.
fn init(case: &Case, layout: &str) -> PathBuf {
    let dir = scratch(&format!("k8s-platform-{}-{}-{layout}", case.product, case.version));
    fs::write(dir.join("password"), PASSWORD).unwrap();
    // `--flag=value`: util's path rooting knows neither flag's value is a path.
    let (version, keystores) = (format!("--version={}", case.version), format!("--keystores={layout}"));
    let args = [
        "init",
        "--product",
        case.product,
        &version,
        &keystores,
        "--key-bits",
        "2048",
        "--password-file",
        "password",
        "--out",
        "output",
    ];
    iospki(&dir, args).success();
    dir
}

fn output(case: &Case, file: &str) -> Vec<u8> {
    fs::read(made(case).join("output").join(file)).unwrap()
}

/// The documents of a YAML file, empty ones (helm's leading `---`) left out.
fn documents(text: &str) -> Vec<Yaml> {
    let docs = YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"));
    docs.into_iter().filter(|d| !d.is_null()).collect()
}

fn manifest(case: &Case, name: &str) -> Yaml {
    let text = fs::read_to_string(made(case).join("k8s/kubectl").join(name)).unwrap();
    documents(&text).remove(0)
}

fn text(yaml: &Yaml) -> String {
    yaml.as_str()
        .unwrap_or_else(|| panic!("not a string: {yaml:?}"))
        .to_owned()
}

/// A Secret's data, decoded.
fn decoded(secret: &Yaml) -> BTreeMap<String, Vec<u8>> {
    let data = secret["data"].as_hash().expect("a data mapping");
    data.iter()
        .map(|(k, v)| (text(k), Base64::decode_vec(&text(v)).expect("base64")))
        .collect()
}

/// The TLS chain nginx serves: the TLS certificate, then the CA.
fn chain(case: &Case) -> Vec<u8> {
    let mut chain = output(case, "tls.crt");
    chain.extend(output(case, "ca.crt"));
    chain
}

#[test]
fn the_secrets_hold_the_sets_stores_and_tls_pair_byte_for_byte_as_kubectl_encodes_them() {
    for case in CASES {
        let dir = made(case);
        let keystores = manifest(case, "keystores.yaml");
        let expected: BTreeMap<String, Vec<u8>> = case
            .stores()
            .into_iter()
            .map(|s| (s.clone(), output(case, &s)))
            .collect();
        assert_eq!(decoded(&keystores), expected, "{}", case.version);
        let tls = manifest(case, "tls.yaml");
        let pair = BTreeMap::from([
            ("tls.crt".to_owned(), chain(case)),
            ("tls.key".to_owned(), output(case, "tls.key")),
        ]);
        assert_eq!(decoded(&tls), pair, "{}", case.version);
        fs::write(dir.join("chain.pem"), chain(case)).unwrap();
        let mut generic = vec!["create", "secret", "generic", "x"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        generic.extend(case.stores().map(|s| format!("--from-file={s}=output/{s}")));
        let tls_args = [
            "create",
            "secret",
            "tls",
            "x",
            "--cert=chain.pem",
            "--key=output/tls.key",
        ];
        let dry = ["--dry-run=client", "-o", "yaml"];
        let theirs = tool(dir, "kubectl", generic.iter().map(String::as_str).chain(dry));
        assert_eq!(decoded(&documents(&theirs)[0]), decoded(&keystores));
        let theirs = documents(&tool(dir, "kubectl", tls_args.into_iter().chain(dry))).remove(0);
        assert_eq!(decoded(&theirs), decoded(&tls));
        assert_eq!(theirs["type"], tls["type"]);
        for (secret, name) in [(&keystores, "keystores"), (&tls, "tls")] {
            let metadata = &secret["metadata"];
            assert_eq!(text(&metadata["name"]), format!("{}-{name}", case.prefix));
            assert_eq!(text(&metadata["namespace"]), NAMESPACE);
        }
    }
}

#[test]
fn kustomize_takes_the_manifests_and_every_object_carries_its_bundle_manifest() {
    for case in CASES {
        let kubectl = made(case).join("k8s/kubectl");
        fs::write(
            kubectl.join("kustomization.yaml"),
            "resources: [keystores.yaml, tls.yaml]\n",
        )
        .unwrap();
        let built = documents(&tool(&kubectl, "kubectl", ["kustomize", "."]));
        fs::remove_file(kubectl.join("kustomization.yaml")).unwrap();
        assert_eq!(built.len(), 2);
        let tar_manifest = fs::read_to_string(made(case).join("tar").join(case.nodes[0]).join("iospki-bundle.json"));
        let node: serde_json::Value = serde_json::from_str(&tar_manifest.unwrap()).unwrap();
        for object in &built {
            let name = text(&object["metadata"]["name"]);
            let json = text(&object["metadata"]["annotations"]["iospki-bundle.json"]);
            let bundle: serde_json::Value = serde_json::from_str(&json).unwrap();
            let role = if name.ends_with("-tls") { "nginx" } else { "worker" };
            assert_eq!(bundle["product"], case.product, "{name}");
            assert_eq!(bundle["role"], role, "{name}");
            assert_eq!(bundle["node"], serde_json::Value::Null, "{name}");
            assert_eq!(bundle["set_sha256"], node["set_sha256"], "{name}");
        }
    }
}

/// The first certificate of a PEM file, as openssl prints it in PEM.
fn first_certificate(dir: &Path, pem: &str) -> String {
    tool(dir, "openssl", ["x509", "-in", pem])
}

#[test]
fn the_tls_secret_is_the_pair_of_the_tls_store_and_names_localhost() {
    for case in CASES {
        let dir = made(case);
        let tls = decoded(&manifest(case, "tls.yaml"));
        fs::write(dir.join("secret-tls.crt"), &tls["tls.crt"]).unwrap();
        fs::write(dir.join("secret-tls.key"), &tls["tls.key"]).unwrap();
        let cert_key = tool(dir, "openssl", ["x509", "-noout", "-pubkey", "-in", "secret-tls.crt"]);
        let key = tool(dir, "openssl", ["pkey", "-pubout", "-in", "secret-tls.key"]);
        assert_eq!(cert_key, key, "{}", case.version);
        let store = format!("output/tls.{}", case.ext);
        let stored = if case.ext == "p12" {
            let pass = format!("pass:{PASSWORD}");
            let args = [
                "pkcs12",
                "-in",
                &store,
                "-nokeys",
                "-clcerts",
                "-passin",
                &pass,
                "-out",
                "stored.pem",
            ];
            tool(dir, "openssl", args);
            first_certificate(dir, "stored.pem")
        } else {
            let args = [
                "-exportcert",
                "-rfc",
                "-keystore",
                &store,
                "-storepass",
                PASSWORD,
                "-alias",
                "wso2carbon",
            ];
            fs::write(dir.join("stored.pem"), tool(dir, "keytool", args)).unwrap();
            first_certificate(dir, "stored.pem")
        };
        assert_eq!(first_certificate(dir, "secret-tls.crt"), stored, "{}", case.version);
        let names = tool(
            dir,
            "openssl",
            ["x509", "-noout", "-ext", "subjectAltName", "-in", "secret-tls.crt"],
        );
        assert!(names.contains("DNS:localhost"), "{names}");
    }
}

/// A TOML file as python's tomllib reads it, as JSON.
fn tomllib(dir: &Path, file: &str) -> serde_json::Value {
    let script = "import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], 'rb'))))";
    serde_json::from_str(&tool(dir, "python3", ["-c", script, file])).unwrap()
}

/// The sections a chart renders from the stores' values.
fn store_sections(toml: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "keystore": toml["keystore"],
        "truststore": toml["truststore"],
        "encryption": toml.get("encryption"),
    })
}

#[test]
fn the_charts_mount_every_store_from_the_secret_and_render_the_sets_deployment_toml_sections() {
    let charts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/charts");
    for case in CASES {
        let k8s = made(case).join("k8s");
        let chart = charts.join(case.chart);
        let chart = chart.to_str().unwrap();
        let lint = tool(&k8s, "helm", ["lint", chart, "-f", "values-iospki.yaml"]);
        assert!(lint.contains("0 chart(s) failed"), "{lint}");
        let args = [
            "template",
            "pki",
            chart,
            "-f",
            "values-iospki.yaml",
            "--namespace",
            NAMESPACE,
        ];
        let rendered = documents(&tool(&k8s, "helm", args));
        let of_kind = |kind: &str| rendered.iter().find(|d| d["kind"].as_str() == Some(kind)).unwrap();
        let keys: BTreeSet<String> = decoded(&manifest(case, "keystores.yaml")).into_keys().collect();
        let pod = &of_kind("Deployment")["spec"]["template"]["spec"];
        let volume = pod["volumes"]
            .as_vec()
            .unwrap()
            .iter()
            .find(|v| v["name"].as_str() == Some("keystores"));
        let secret_name = text(&volume.expect("a keystores volume")["secret"]["secretName"]);
        assert_eq!(secret_name, format!("{}-keystores", case.prefix));
        let mounts = pod["containers"][0]["volumeMounts"].as_vec().unwrap();
        let paths: BTreeSet<String> = mounts.iter().map(|m| text(&m["mountPath"])).collect();
        assert_eq!(paths.len(), mounts.len(), "two mounts at one path: {mounts:?}");
        let mounted: BTreeSet<String> = mounts
            .iter()
            .filter(|m| m["name"].as_str() == Some("keystores"))
            .map(|m| text(&m["subPath"]))
            .collect();
        assert_eq!(
            mounted, keys,
            "{}: every store mounted, from the Secret's keys",
            case.version
        );
        let tls = &of_kind("Ingress")["spec"]["tls"][0]["secretName"];
        assert_eq!(text(tls), format!("{}-tls", case.prefix));
        fs::write(
            k8s.join("rendered.toml"),
            text(&of_kind("ConfigMap")["data"]["deployment.toml"]),
        )
        .unwrap();
        let rendered = store_sections(&tomllib(&k8s, "rendered.toml"));
        let ours = store_sections(&tomllib(&made(case).join("output"), "deployment-security.toml"));
        assert_eq!(rendered, ours, "{}", case.version);
        for section in ["primary", "internal", "tls"] {
            let file = rendered["keystore"][section]["file_name"].as_str().unwrap();
            assert!(keys.contains(file), "{section}: {file} is no key of the Secret");
        }
        assert_eq!(rendered["keystore"]["tls"]["password"], PASSWORD);
        assert_eq!(rendered["encryption"].is_null(), case.product == "apim");
    }
}

#[test]
fn the_values_hold_the_password_so_they_are_0600() {
    for case in CASES {
        let k8s = made(case).join("k8s");
        let mode = |path: &str| fs::metadata(k8s.join(path)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("values-iospki.yaml"), 0o600);
        assert_eq!(mode("kubectl/keystores.yaml"), 0o600);
        assert_eq!(mode("kubectl/tls.yaml"), 0o600);
        let install = fs::read_to_string(k8s.join("INSTALL.txt")).unwrap();
        assert!(install.contains("-f values-iospki.yaml"), "{install}");
    }
}

#[test]
fn the_single_layout_is_refused_because_the_charts_would_mount_one_file_at_three_paths() {
    for case in [&IS_7_1, &APIM_4_4] {
        let dir = init(case, "single");
        let run = iospki(&dir, ["bundle", "output", "--format", "k8s", "--out", "k8s"]);
        let error = run.fails_with(2);
        assert!(error.contains("--keystores separate"), "{error}");
        assert!(!dir.join("k8s").exists());
    }
}

#[test]
fn every_server_node_unpacks_the_sets_stores_and_deployment_security_toml_byte_for_byte() {
    for case in CASES {
        let dir = made(case);
        let tls_key = output(case, "tls.key");
        for node in case.nodes.iter().copied().chain(["nginx"]) {
            let home = dir.join("homes").join(node);
            fs::create_dir_all(&home).unwrap();
            let archive = dir.join("tar").join(format!("{node}.tar.gz"));
            tool(&home, "tar", ["-xzpf", archive.to_str().unwrap()]);
            if node == "nginx" {
                let key = format!("ssl/{}.key", case.product);
                assert_eq!(fs::read(home.join(&key)).unwrap(), tls_key, "{node}");
                continue;
            }
            for store in case.stores() {
                let path = home.join("repository/resources/security").join(&store);
                assert_eq!(fs::read(&path).unwrap(), output(case, &store), "{node}: {store}");
                assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            }
            let toml = home.join("deployment-security.toml");
            assert_eq!(
                fs::read(&toml).unwrap(),
                output(case, "deployment-security.toml"),
                "{node}"
            );
            assert_eq!(
                fs::metadata(&toml).unwrap().permissions().mode() & 0o777,
                0o600,
                "it holds the password"
            );
            let sums = run_in(&home, "sha256sum", ["-c", "SHA256SUMS"], &[]);
            sums.success();
        }
    }
}

#[test]
fn ansible_playbook_installs_the_stores_and_deployment_security_toml_on_every_server_node() {
    let case = &IS_7_1;
    let dir = scratch("k8s-platform-ansible");
    tool(&dir, "cp", ["-a", made(case).join("output").to_str().unwrap(), "."]);
    iospki(&dir, ["bundle", "output", "--format", "ansible", "--out", "ansible"]).success();
    ansible::local_connections(&dir);
    fs::create_dir(dir.join("ansible/host_vars")).unwrap();
    for node in case.nodes.iter().copied().chain(["nginx"]) {
        ansible::node_vars(&dir, node, false);
    }
    ansible::playbook(&dir, &["site.yml"]).success();
    for node in case.nodes {
        let home = dir.join("homes").join(node);
        for store in case.stores() {
            let path = home.join("repository/resources/security").join(&store);
            assert_eq!(fs::read(&path).unwrap(), output(case, &store), "{node}: {store}");
        }
        let toml = fs::read(home.join("deployment-security.toml")).unwrap();
        assert_eq!(toml, output(case, "deployment-security.toml"), "{node}");
    }
    let key = fs::read(dir.join("homes/nginx/ssl/is.key")).unwrap();
    assert_eq!(key, output(case, "tls.key"));
}

#[test]
fn the_same_set_gives_the_same_bytes_and_the_names_follow_the_prefix() {
    let case = &IS_7_1;
    let dir = made(case);
    let again = [
        "bundle",
        "output",
        "--format",
        "k8s",
        "--namespace",
        NAMESPACE,
        "--out",
        "k8s-again",
    ];
    iospki(dir, again).success();
    for file in [
        "kubectl/keystores.yaml",
        "kubectl/tls.yaml",
        "values-iospki.yaml",
        "INSTALL.txt",
    ] {
        let read = |out: &str| fs::read(dir.join(out).join(file)).unwrap();
        assert_eq!(read("k8s"), read("k8s-again"), "{file}");
    }
    let blue = [
        "bundle",
        "output",
        "--format",
        "k8s",
        "--name-prefix",
        "blue",
        "--out",
        "k8s-blue",
    ];
    iospki(dir, blue).success();
    let read = |file: &str| fs::read_to_string(dir.join("k8s-blue").join(file)).unwrap();
    let values = documents(&read("values-iospki.yaml")).remove(0);
    assert_eq!(
        text(&values["deployment"]["externalJKS"]["secretName"]),
        "blue-keystores"
    );
    assert_eq!(text(&values["deployment"]["ingress"]["tlsSecretsName"]), "blue-tls");
    for (file, name) in [
        ("kubectl/keystores.yaml", "blue-keystores"),
        ("kubectl/tls.yaml", "blue-tls"),
    ] {
        let secret = documents(&read(file)).remove(0);
        assert_eq!(text(&secret["metadata"]["name"]), name);
        assert!(
            secret["metadata"]["namespace"].is_badvalue(),
            "no namespace unless asked"
        );
    }
}
