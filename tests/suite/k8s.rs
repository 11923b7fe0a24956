//! `iospki bundle --format k8s`, for a cluster of one manager, two workers and two key managers: every key and
//! byte of each role's Secret and ConfigMap read back with a YAML parser; kubectl's own `create secret` and
//! `create configmap` encode the same files to the same objects; kustomize takes the manifests; `helm template`
//! renders the chart to the same objects; names and namespace follow the options; the same set gives the
//! same bytes.

use crate::util;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{five_node_set, iospki, scratch, tool};
use base64ct::{Base64, Encoding};
use yaml_rust2::{Yaml, YamlLoader};

const NAMESPACE: &str = "iot-prod";
const ROLES: [&str; 4] = ["manager", "worker", "key-manager", "nginx"];

/// A set for the cluster, made once, and its manifests in `k8s/`.
fn made() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = five_node_set("k8s-set");
        bundle_k8s(&dir, "k8s", Some(NAMESPACE));
        dir
    })
}

/// `iospki bundle --format k8s --name-prefix pki` of the set in `dir` into `out`.
fn bundle_k8s(dir: &Path, out: &str, namespace: Option<&str>) {
    let mut args = vec!["bundle", "--format", "k8s", "--name-prefix", "pki", "--out", out];
    args.extend(namespace.map(|ns| ["--namespace", ns]).into_iter().flatten());
    iospki(dir, args).success();
}

/// What a test compares of a Secret or ConfigMap.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Object {
    kind: String,
    name: String,
    namespace: Option<String>,
    secret_type: Option<String>,
    data: BTreeMap<String, String>,
}

/// Data values shortened to their length and ends, so that a failing comparison stays readable.
impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let data: BTreeMap<&str, String> = self
            .data
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    format!(
                        "{} bytes {}…{}",
                        v.len(),
                        &v[..8.min(v.len())],
                        &v[v.len().saturating_sub(8)..]
                    ),
                )
            })
            .collect();
        write!(
            f,
            "{} {} ns={:?} type={:?} {data:?}",
            self.kind, self.name, self.namespace, self.secret_type
        )
    }
}

fn text(yaml: &Yaml) -> Option<String> {
    yaml.as_str().map(str::to_owned)
}

/// The objects of a YAML stream, sorted; documents that are empty (helm's leading `---`) left out.
fn objects(yaml: &str) -> Vec<Object> {
    let mut objects: Vec<Object> = YamlLoader::load_from_str(yaml)
        .unwrap_or_else(|e| panic!("not YAML: {e}\n{yaml}"))
        .iter()
        .filter(|doc| !doc.is_null())
        .map(|doc| {
            let metadata = &doc["metadata"];
            let data = doc["data"].as_hash().expect("a data mapping");
            Object {
                kind: text(&doc["kind"]).unwrap(),
                name: text(&metadata["name"]).unwrap(),
                namespace: text(&metadata["namespace"]),
                // A Secret without a type is Opaque (kubectl create secret generic leaves it out).
                secret_type: text(&doc["type"])
                    .or_else(|| (doc["kind"].as_str() == Some("Secret")).then(|| "Opaque".into())),
                data: data
                    .iter()
                    .map(|(k, v)| (text(k).unwrap(), text(v).expect("a string value")))
                    .collect(),
            }
        })
        .collect();
    objects.sort();
    objects
}

/// The two files of `role`: its Secret, and its ConfigMap in ROLE-ca.yaml.
const FILES: [&str; 2] = ["", "-ca"];

/// The role's ConfigMap and Secret, as written in `kubectl`.
fn manifests_in(kubectl: &Path, role: &str) -> Vec<Object> {
    let read = |suffix| fs::read_to_string(kubectl.join(format!("{role}{suffix}.yaml"))).unwrap();
    objects(&FILES.map(read).join("---\n"))
}

fn manifest(role: &str) -> Vec<Object> {
    manifests_in(&made().join("k8s/kubectl"), role)
}

fn output(file: &str) -> Vec<u8> {
    fs::read(made().join("output").join(file)).unwrap()
}

fn decoded(object: &Object) -> BTreeMap<String, Vec<u8>> {
    let decode = |v: &String| Base64::decode_vec(v).unwrap_or_else(|e| panic!("{}: not base64: {e}", object.name));
    object.data.iter().map(|(k, v)| (k.clone(), decode(v))).collect()
}

#[test]
fn every_key_and_byte_of_each_role_reads_back() {
    let stores = ["wso2carbon.jks", "client-truststore.jks", "iot_default.xml"];
    let scep = ["wso2certs.jks", "certificate-config.xml"];
    let manager: Vec<&str> = stores
        .iter()
        .chain(&scep)
        .chain(&["iot-api-config.xml", "settings-manager.txt"])
        .copied()
        .collect();
    let worker: Vec<&str> = stores
        .iter()
        .chain(&scep)
        .chain(&["settings-worker.txt"])
        .copied()
        .collect();
    let key_manager: Vec<&str> = stores.iter().chain(&["settings-key-manager.txt"]).copied().collect();
    let ca = String::from_utf8(output("ca.crt")).unwrap();
    let mut chain = output("ia.crt");
    chain.extend(output("ca.crt"));
    for (role, files) in [
        ("manager", &manager[..]),
        ("worker", &worker),
        ("key-manager", &key_manager),
    ] {
        let [config_map, secret] = &manifest(role)[..] else {
            panic!("{role}: not two objects")
        };
        let expected: BTreeMap<String, Vec<u8>> = files.iter().map(|f| (f.to_string(), output(f))).collect();
        assert_eq!(decoded(secret), expected, "{role}");
        assert_eq!(secret.secret_type.as_deref(), Some("Opaque"));
        assert_eq!(
            config_map.data,
            BTreeMap::from([("ca.crt".to_owned(), ca.clone())]),
            "{role}"
        );
        for object in [config_map, secret] {
            assert_eq!(object.name, format!("pki-{role}"));
            assert_eq!(object.namespace.as_deref(), Some(NAMESPACE));
        }
    }
    let [config_map, secret] = &manifest("nginx")[..] else {
        panic!("nginx: not two objects")
    };
    let tls = BTreeMap::from([("tls.crt".to_owned(), chain), ("tls.key".to_owned(), output("ia.key"))]);
    assert_eq!(decoded(secret), tls);
    assert_eq!(secret.secret_type.as_deref(), Some("kubernetes.io/tls"));
    assert_eq!(config_map.data["ca.crt"], ca);
}

#[test]
fn files_holding_secrets_are_0600() {
    let k8s = made().join("k8s");
    let mode = |path: &str| fs::metadata(k8s.join(path)).unwrap().permissions().mode() & 0o777;
    for role in ROLES {
        assert_eq!(mode(&format!("kubectl/{role}.yaml")), 0o600, "{role}");
        assert_eq!(mode(&format!("kubectl/{role}-ca.yaml")), 0o644, "{role}");
    }
    assert_eq!(mode("helm/values.yaml"), 0o600);
    assert_eq!(mode("helm/Chart.yaml"), 0o644);
    assert_eq!(mode("kubectl"), 0o700);
}

/// kubectl's own encoding of the role's files, as `kubectl create ... --dry-run=client -o yaml` prints it.
fn kubectl_create(role: &str) -> Vec<Object> {
    let dir = made();
    let name = format!("pki-{role}");
    let mut secret: Vec<String> = match role {
        "nginx" => {
            let mut chain = output("ia.crt");
            chain.extend(output("ca.crt"));
            fs::write(dir.join("chain.pem"), chain).unwrap();
            ["secret", "tls", &name, "--cert=chain.pem", "--key=output/ia.key"]
                .map(String::from)
                .to_vec()
        }
        _ => {
            let keys = decoded(&manifest(role)[1]).into_keys();
            let from = keys.map(|key| format!("--from-file={key}=output/{key}"));
            ["secret", "generic", &name]
                .map(String::from)
                .into_iter()
                .chain(from)
                .collect()
        }
    };
    let mut config_map = ["configmap", &name, "--from-file=ca.crt=output/ca.crt"]
        .map(String::from)
        .to_vec();
    let mut yaml = String::new();
    for args in [&mut secret, &mut config_map] {
        args.splice(0..0, ["create".to_owned()]);
        args.extend(["-n", NAMESPACE, "--dry-run=client", "-o", "yaml"].map(String::from));
        yaml += "---\n";
        yaml += &tool(dir, "kubectl", args.iter());
    }
    objects(&yaml)
}

#[test]
fn kubectl_encodes_the_same_files_to_the_same_objects() {
    for role in ROLES {
        assert_eq!(manifest(role), kubectl_create(role), "{role}");
    }
}

#[test]
fn kustomize_takes_every_manifest_as_it_is() {
    let work = scratch("k8s-kustomize");
    let mut expected = Vec::new();
    let mut resources = String::from("resources:\n");
    for role in ROLES {
        for file in FILES.map(|suffix| format!("{role}{suffix}.yaml")) {
            fs::copy(made().join("k8s/kubectl").join(&file), work.join(&file)).unwrap();
            resources += &format!("- {file}\n");
        }
        expected.extend(manifest(role));
    }
    fs::write(work.join("kustomization.yaml"), resources).unwrap();
    expected.sort();
    assert_eq!(objects(&tool(&work, "kubectl", ["kustomize", "."])), expected);
}

#[test]
fn helm_renders_the_chart_to_the_same_objects() {
    let k8s = made().join("k8s");
    let lint = tool(&k8s, "helm", ["lint", "helm"]);
    assert!(lint.contains("0 chart(s) failed"), "{lint}");
    let rendered = tool(&k8s, "helm", ["template", "iots-pki", "helm", "--namespace", NAMESPACE]);
    let mut expected: Vec<Object> = ROLES.iter().flat_map(|role| manifest(role)).collect();
    expected.sort();
    assert_eq!(objects(&rendered), expected);
    let renamed = tool(&k8s, "helm", ["template", "x", "helm", "--set", "namePrefix=blue"]);
    assert!(
        objects(&renamed).iter().all(|o| o.name.starts_with("blue-")),
        "{renamed}"
    );
}

#[test]
fn the_same_set_gives_the_same_bytes_and_no_namespace_by_default() {
    let dir = made();
    bundle_k8s(dir, "again", None);
    for role in ROLES {
        let ours = manifest(role);
        let again = manifests_in(&dir.join("again/kubectl"), role);
        assert!(again.iter().all(|o| o.namespace.is_none()), "{role}");
        let data = |objects: &[Object]| objects.iter().map(|o| o.data.clone()).collect::<Vec<_>>();
        assert_eq!(data(&again), data(&ours), "{role}");
    }
    bundle_k8s(dir, "again", Some(NAMESPACE));
    for file in [
        "kubectl/manager.yaml",
        "kubectl/manager-ca.yaml",
        "kubectl/nginx.yaml",
        "helm/values.yaml",
    ] {
        assert_eq!(
            fs::read(dir.join("k8s").join(file)).unwrap(),
            fs::read(dir.join("again").join(file)).unwrap(),
            "{file}"
        );
    }
}

/// `openssl verify` of each certificate against the CA bundle in `anchors`: which verify.
fn verified_by(work: &Path, anchors: &str, certs: &[&str]) -> Vec<bool> {
    fs::write(work.join("anchors.pem"), anchors).unwrap();
    certs
        .iter()
        .map(|cert| {
            let args = ["verify", "-x509_strict", "-CAfile", "anchors.pem", cert];
            util::run_in(work, "openssl", args, &[]).code() == Some(0)
        })
        .collect()
}

#[test]
fn the_configmap_trusts_both_cas_from_the_first_round_of_a_ca_rotation_to_the_last() {
    let work = scratch("k8s-ca-rotation");
    tool(&work, "cp", ["-a", made().join("output").to_str().unwrap(), "."]);
    iospki(&work, ["rotate", "--ca", "--rekey"]).success();
    let backup = util::listing(&work.join("output/backup")).remove(0);
    let old_ssl = format!("output/backup/{backup}/ia.crt");
    let certs = ["output/ia.crt", old_ssl.as_str()];
    bundle_k8s(&work, "k8s", None);
    let config_map = |work: &Path| {
        manifests_in(&work.join("k8s/kubectl"), "manager")
            .remove(0)
            .data
            .remove("ca.crt")
            .unwrap()
    };
    let anchors = config_map(&work);
    assert_eq!(anchors.matches("BEGIN CERTIFICATE").count(), 2, "{anchors}");
    assert!(anchors.starts_with(&fs::read_to_string(work.join("output/ca.crt")).unwrap()));
    assert_eq!(
        verified_by(&work, &anchors, &certs),
        [true, true],
        "round 1: old and new certificates"
    );
    // Round 3 drops the old CA from the truststore, and the ConfigMap follows.
    util::drop_old_ca(&work);
    bundle_k8s(&work, "k8s", None);
    let anchors = config_map(&work);
    assert_eq!(anchors.matches("BEGIN CERTIFICATE").count(), 1, "{anchors}");
    assert_eq!(
        verified_by(&work, &anchors, &certs),
        [true, false],
        "round 3: the new certificates only"
    );
}

/// The iospki-bundle.json annotation of every object in `yaml`, by kind and name.
fn manifests_annotated(yaml: &str) -> BTreeMap<(String, String), serde_json::Value> {
    YamlLoader::load_from_str(yaml)
        .unwrap()
        .iter()
        .filter(|doc| !doc.is_null())
        .map(|doc| {
            let name = text(&doc["metadata"]["name"]).unwrap();
            let json = text(&doc["metadata"]["annotations"]["iospki-bundle.json"])
                .unwrap_or_else(|| panic!("{name}: no iospki-bundle.json annotation"));
            let manifest = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}\n{json}"));
            ((text(&doc["kind"]).unwrap(), name), manifest)
        })
        .collect()
}

#[test]
fn every_object_says_in_its_annotation_which_role_and_set_it_is_and_helm_says_the_same() {
    let kubectl = made().join("k8s/kubectl");
    let mut annotated = BTreeMap::new();
    for role in ROLES {
        let read = |suffix| fs::read_to_string(kubectl.join(format!("{role}{suffix}.yaml"))).unwrap();
        let manifests = manifests_annotated(&FILES.map(read).join("---\n"));
        assert_eq!(manifests.len(), 2, "{role}");
        for manifest in manifests.values() {
            assert_eq!(manifest["schema"], "iospki.bundle-manifest/1");
            assert_eq!(manifest["product"], "iot");
            assert_eq!(manifest["role"], role);
            assert_eq!(
                manifest["node"],
                serde_json::Value::Null,
                "one Secret serves every node of the role"
            );
        }
        annotated.extend(manifests);
    }
    let tar = made().join("tar");
    iospki(made(), ["bundle", "--out", "tar"]).success();
    let node: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tar.join("nginx/iospki-bundle.json")).unwrap()).unwrap();
    assert!(
        annotated.values().all(|m| m["set_sha256"] == node["set_sha256"]),
        "{annotated:?}"
    );
    let rendered = tool(
        &made().join("k8s"),
        "helm",
        ["template", "iots-pki", "helm", "--namespace", NAMESPACE],
    );
    assert_eq!(manifests_annotated(&rendered), annotated);
}
