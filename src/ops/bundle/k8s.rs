//! Kubernetes: per role of the cluster, a Secret with the files that hold keys or passwords and a ConfigMap with
//! the cluster's CA certificates, written twice: as manifests in `kubectl/` (`ROLE.yaml`, `ROLE-ca.yaml`) for
//! `kubectl apply --server-side`, and as a Helm chart in `helm/` whose values carry the same data.
//!
//! The XML files go into the Secret, not the ConfigMap: certificate-config.xml holds the store and key
//! passwords and iot-api-config.xml the admin password, and a ConfigMap is readable by anyone who may read the
//! namespace's configuration. What holds no secret, the CA certificates, is the ConfigMap's.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::manifest::{self, Manifest};
use super::yaml::Yaml;
use crate::error::{Error, Result};
use crate::formats::certinfo::fingerprint;
use crate::formats::keystore::{self, Entry};
use crate::formats::pem;
use crate::io::output::{PUBLIC_MODE, Plan, SECRET_MODE};
use crate::model::cluster::Cluster;
use crate::model::product::{ConfigFile, Holds, Product, StorePurpose};
use crate::model::set::Set;
use crate::vocab::roles::{CertRole, NodeRole};

/// The chart's fixed files; its values.yaml is written for each set.
const CHART: &str = include_str!("helm/Chart.yaml");
const TEMPLATE: &str = include_str!("helm/templates/pki.yaml");

/// The namespace and name prefix the operator chose, checked before any file is read.
#[derive(Debug, Clone)]
pub struct NameChoice {
    namespace: Option<String>,
    prefix: Option<String>,
}

impl NameChoice {
    /// Names in `namespace` (none: kubectl's current one) starting with `prefix` (none: the product's short
    /// name); both must be DNS labels.
    pub fn new(namespace: Option<&str>, prefix: Option<&str>) -> Result<Self> {
        if let Some(namespace) = namespace {
            label("namespace", namespace, 63)?;
        }
        if let Some(prefix) = prefix {
            // The longest role, "-key-manager", must still fit a label.
            label("name prefix", prefix, 63 - "-key-manager".len())?;
        }
        Ok(NameChoice {
            namespace: namespace.map(str::to_owned),
            prefix: prefix.map(str::to_owned),
        })
    }

    /// The names of `product`'s objects.
    pub fn names(&self, product: &Product) -> Names {
        Names {
            namespace: self.namespace.clone(),
            prefix: self.prefix.clone().unwrap_or_else(|| product.short_name.to_owned()),
        }
    }
}

/// Where the objects go and what they are called: `PREFIX-ROLE`, e.g. `iots-key-manager`.
#[derive(Debug, Clone)]
pub struct Names {
    namespace: Option<String>,
    prefix: String,
}

impl Names {
    fn object(&self, role: NodeRole) -> String {
        self.named(role.slug())
    }

    /// `PREFIX-what`.
    pub(super) fn named(&self, what: &str) -> String {
        format!("{}-{what}", self.prefix)
    }
}

/// An RFC 1123 label as Kubernetes names need it: lowercase letters, digits and inner '-'.
fn label(option: &str, value: &str, max: usize) -> Result<()> {
    let ok = (1..=max).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        return Ok(());
    }
    Err(Error::invalid(
        option,
        format!(
            "'{value}' is not a Kubernetes name: up to {max} lowercase letters, digits and '-', \
             starting and ending with a letter or digit"
        ),
    ))
}

/// One role's objects.
struct Objects<'a> {
    role: NodeRole,
    /// Whether the role's server reads Secure Vault's files, and needs the keystore password at start.
    vault: bool,
    /// Hosts that have the role.
    hosts: Vec<String>,
    secret_type: &'static str,
    /// Key, base64 of the file, and where the file goes under the server home.
    secret: Vec<(&'static str, Zeroizing<String>, &'static str)>,
    ca: &'a str,
    /// The role's iospki-bundle.json, for the objects' annotation of that name.
    manifest: String,
}

impl Objects<'_> {
    /// Room for the objects' YAML: their data and a few lines more, so that the buffer that receives key
    /// material never grows (which would leave a copy behind).
    fn size(&self) -> usize {
        self.secret
            .iter()
            .map(|(_, base64, _)| base64.len() + 64)
            .sum::<usize>()
            + self.ca.len()
            + self.manifest.len()
            + 4096
    }
}

/// The manifests and chart of `set` for `cluster`, as a plan: `kubectl/ROLE.yaml` (the Secret),
/// `kubectl/ROLE-ca.yaml` (the ConfigMap) and `helm/`.
pub fn plan(set: &Set, cluster: &Cluster, names: &Names) -> Result<Plan> {
    let ca = trust_anchors(set)?;
    let fingerprint = manifest::set_fingerprint(set);
    let roles = roles(cluster)
        .into_iter()
        .map(|(role, hosts)| objects(set, role, hosts, &ca, &fingerprint))
        .collect::<Result<Vec<_>>>()?;
    let mut values = Yaml::with_capacity(roles.iter().map(Objects::size).sum::<usize>() + 1024);
    values
        .comment(&format!(
            "Helm values written by iospki bundle --format k8s for the {} cluster {}: the Secrets and\n\
             ConfigMaps of kubectl/, named NAMEPREFIX-ROLE, in the release's namespace.\n\
             Install with: helm install {}-pki helm/ --namespace NAMESPACE",
            cluster.product().name,
            cluster.domain(),
            names.prefix
        ))
        .comment(&match roles.iter().any(|objects| objects.vault) {
            true => password_tmp(names, "<PRODUCT_HOME>"),
            false => String::new(),
        })
        .entry(0, "namePrefix", &names.prefix)
        .open(0, "roles");
    let mut plan = Plan::default();
    for objects in &roles {
        let slug = objects.role.slug();
        let secret = secret_manifest(objects, cluster, names);
        plan.add(format!("kubectl/{slug}.yaml"), secret, SECRET_MODE, "Kubernetes Secret");
        let config_map = config_map_manifest(objects, cluster, names);
        plan.add(
            format!("kubectl/{slug}-ca.yaml"),
            config_map,
            PUBLIC_MODE,
            "Kubernetes ConfigMap",
        );
        add_values(&mut values, objects);
    }
    plan.add("helm/Chart.yaml", CHART, PUBLIC_MODE, "Helm chart");
    plan.add("helm/templates/pki.yaml", TEMPLATE, PUBLIC_MODE, "Helm template");
    plan.add("helm/values.yaml", values.finish(), SECRET_MODE, "Helm values");
    Ok(plan)
}

/// The ConfigMap's ca.crt: the set's CA certificate, then each earlier CA of the set (by the ledger's
/// fingerprints) that the truststore still trusts. From the first round of a CA rotation to the last,
/// whatever trusts the cluster must trust both CAs, as its nodes do.
fn trust_anchors(set: &Set) -> Result<String> {
    let mut anchors = pem::certificate(&set.certificate(CertRole::Ca)?);
    let ledger = set.ledger()?;
    let cas: Vec<&str> = ledger
        .issued
        .iter()
        .filter(|r| r.role == CertRole::Ca)
        .map(|r| r.sha256.as_str())
        .collect();
    let product = set.product();
    let Some(spec) = product.store(StorePurpose::TrustStore) else {
        return Ok(anchors);
    };
    // Certificates only: a JKS lists them without its password (the nodes check its integrity).
    let truststore = keystore::open(&set.contents(spec)?, None).map_err(|source| Error::Store {
        path: spec.name.into(),
        source,
    })?;
    let current_alias = product.trusted_alias(CertRole::Ca);
    for entry in truststore.store.entries() {
        if let Entry::TrustedCert(der) = &entry.entry
            && Some(entry.alias.as_str()) != current_alias
            && cas.contains(&fingerprint(der).as_str())
        {
            anchors += &pem::certificate(der);
        }
    }
    Ok(anchors)
}

/// Each role of the cluster once, in the order of its nodes, with its hosts.
fn roles(cluster: &Cluster) -> Vec<(NodeRole, Vec<String>)> {
    let mut roles: Vec<(NodeRole, Vec<String>)> = Vec::new();
    for node in cluster.nodes() {
        match roles.iter_mut().find(|(r, _)| *r == node.role) {
            Some((_, hosts)) => hosts.push(node.name.to_string()),
            None => roles.push((node.role, vec![node.name.to_string()])),
        }
    }
    roles
}

fn objects<'a>(set: &Set, role: NodeRole, hosts: Vec<String>, ca: &'a str, fingerprint: &str) -> Result<Objects<'a>> {
    let encode = |bytes: &[u8]| Zeroizing::new(Base64::encode_string(bytes));
    let mut secret = Vec::new();
    let mut vault = false;
    for file in set.node_files(role)? {
        vault |= matches!(file.spec.holds, Holds::Config(ConfigFile::Vault(_)));
        let key = match (role, file.spec.holds) {
            (NodeRole::Nginx, Holds::Chain(_)) => "tls.crt",
            (NodeRole::Nginx, Holds::PrivateKey(_)) => "tls.key",
            _ => file.spec.name,
        };
        // nginx's keys go where its directives point; a server's under its home.
        let goes = if role == NodeRole::Nginx {
            file.placement.purpose
        } else {
            file.placement.path
        };
        secret.push((key, encode(&file.contents), goes));
    }
    secret.sort_by_key(|(key, _, _)| *key);
    let secret_type = if role == NodeRole::Nginx {
        "kubernetes.io/tls"
    } else {
        "Opaque"
    };
    // One Secret serves every node of the role: the manifest names none.
    let manifest = Manifest {
        product: set.product(),
        role,
        node: None,
        set_sha256: fingerprint.to_owned(),
    };
    Ok(Objects {
        role,
        vault,
        hosts,
        secret_type,
        secret,
        ca,
        manifest: manifest.to_json(),
    })
}

/// `kubectl/ROLE.yaml`: a comment saying where each key goes, then the Secret.
fn secret_manifest(objects: &Objects, cluster: &Cluster, names: &Names) -> Vec<u8> {
    let name = names.object(objects.role);
    let mut yaml = Yaml::with_capacity(objects.size());
    yaml.comment(&(heading(objects, cluster) + &guide(objects, &name, names)));
    metadata(&mut yaml, "Secret", &name, objects.role, &objects.manifest, names);
    yaml.entry(0, "type", objects.secret_type).open(0, "data");
    for (key, base64, _) in &objects.secret {
        yaml.entry(1, key, base64);
    }
    yaml.finish().into_bytes()
}

/// `kubectl/ROLE-ca.yaml`: the ConfigMap, in a file of its own so that the first round of a CA rotation can
/// apply it without the Secret.
fn config_map_manifest(objects: &Objects, cluster: &Cluster, names: &Names) -> Vec<u8> {
    let name = names.object(objects.role);
    let mut yaml = Yaml::with_capacity(objects.ca.len() + 4096);
    yaml.comment(&format!(
        "{}ConfigMap {name}: ca.crt, the set's CA certificate for whatever must trust the cluster; during a CA\n\
         rotation followed by the previous CA, as long as client-truststore.jks trusts it.\n",
        heading(objects, cluster)
    ));
    metadata(&mut yaml, "ConfigMap", &name, objects.role, &objects.manifest, names);
    yaml.open(0, "data").text(1, "ca.crt", objects.ca);
    yaml.finish().into_bytes()
}

/// An object's first lines: its kind, name and namespace, the role it is for as its component, and `manifest`
/// (iospki-bundle.json) as an annotation.
pub(super) fn metadata(yaml: &mut Yaml, kind: &str, name: &str, role: NodeRole, manifest: &str, names: &Names) {
    yaml.entry(0, "apiVersion", "v1")
        .entry(0, "kind", kind)
        .open(0, "metadata")
        .entry(1, "name", name);
    if let Some(namespace) = &names.namespace {
        yaml.entry(1, "namespace", namespace);
    }
    yaml.open(1, "labels")
        .entry(2, "app.kubernetes.io/component", role.slug())
        .entry(2, "app.kubernetes.io/managed-by", "iospki")
        .open(1, "annotations")
        .text(2, manifest::FILE, manifest);
}

/// The first lines of a manifest: what it is for and how to apply it.
fn heading(objects: &Objects, cluster: &Cluster) -> String {
    let hosts = match objects.role {
        NodeRole::Nginx => String::new(),
        _ => format!(" ({})", objects.hosts.join(", ")),
    };
    format!(
        "iospki bundle --format k8s: the {} of the cluster {}{hosts}.\n\
         Apply with: kubectl apply --server-side -f kubectl/\n\n",
        objects.role.name(),
        cluster.domain(),
    )
}

/// What the Secret is for and where each of its keys goes.
fn guide(objects: &Objects, name: &str, names: &Names) -> String {
    if objects.role == NodeRole::Nginx {
        return format!(
            "Secret {name}: nginx's certificate chain and key, as an Ingress's tls secretName takes them, or\n\
             mounted where ssl_certificate and ssl_certificate_key point.\n"
        );
    }
    let mut text = format!(
        "Secret {name}: mount each key at its path under the server home (a volumeMount with subPath),\n\
         then restart the pods one at a time (Java reads its stores only at start):\n"
    );
    for (key, _, path) in &objects.secret {
        text += &format!("  {key:<24} {path}\n");
    }
    text += "The XML files are here, not in the ConfigMap, because they hold passwords.\n";
    if objects.vault {
        text += &password_tmp(names, "<PRODUCT_HOME>");
    }
    text
}

/// What a Secure Vault set's output says of the keystore password the server needs at start: its own Secret,
/// `PREFIX-password-tmp` with the key `password-tmp`, made by the operator from standard input (iospki has the
/// password in no file of the set to write it from, and so it never lands on a disk), mounted by the pods and
/// copied to `home/password-tmp` before the server starts, as WSO2's own charts do with theirs.
pub(super) fn password_tmp(names: &Names, home: &str) -> String {
    let name = names.named(super::PASSWORD_TMP);
    let namespace = names
        .namespace
        .as_ref()
        .map_or(String::new(), |namespace| format!(" --namespace {namespace}"));
    format!(
        "Secure Vault: the server decrypts its passwords from cipher-text.properties at start, and needs the\n\
         keystore password to open the key: it is in no object here. Make its own Secret {name}, key\n\
         {tmp}, one line typed without echo (no file, no shell history), then mount it in the pods (a\n\
         secret volume, e.g. at /mnt/{tmp}) and copy it to {home}/{tmp} just before the server\n\
         starts (the server deletes that file after reading it; a Secret's mount is read-only):\n\
         \x20 (IFS= read -rsp 'keystore password: ' p && printf '%s\\n' \"$p\") |\n\
         \x20   kubectl create secret generic {name}{namespace} --from-file={tmp}=/dev/stdin\n\
         \x20 cp /mnt/{tmp}/{tmp} {home}/{tmp}\n",
        tmp = super::PASSWORD_TMP,
    )
}

/// The role's entry in values.yaml: the same type and data as its manifest.
fn add_values(values: &mut Yaml, objects: &Objects) {
    values
        .item(1, "role", objects.role.slug())
        .entry(2, "secretType", objects.secret_type)
        .text(2, "bundle", &objects.manifest)
        .open(2, "secret");
    for (key, base64, _) in &objects.secret {
        values.entry(3, key, base64);
    }
    values.open(2, "configMap").text(3, "ca.crt", objects.ca);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_kubernetes_labels() {
        assert!(NameChoice::new(Some("iot-prod"), Some("iots")).is_ok());
        for (namespace, prefix) in [
            (Some("Iot"), "iots"),
            (Some("iot"), "-iots"),
            (None, "iots_pki"),
            (None, ""),
        ] {
            assert!(
                NameChoice::new(namespace, Some(prefix)).is_err(),
                "{namespace:?} {prefix}"
            );
        }
        let long = "a".repeat(52);
        assert!(NameChoice::new(None, Some(&long[..51])).is_ok());
        assert!(NameChoice::new(None, Some(&long)).is_err());
    }
}
