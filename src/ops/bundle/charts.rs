//! Kubernetes for the deployment.toml products, as WSO2's own Helm charts take it: wso2/kubernetes-is (branch
//! 7.1.x, chart `identity-server`) and wso2/helm-apim (branch 4.4.x, chart `wso2am-all-in-one`; the distributed
//! charts take the same `wso2.apim.configurations.security` values). `kubectl/keystores.yaml` is the Secret of
//! the stores, its keys the stores' file names, because both charts mount each store by `subPath` from the file
//! name their values give; `kubectl/tls.yaml` the ingress's kubernetes.io/tls Secret (the TLS chain and key,
//! the pair tls.p12 holds); `values-iospki.yaml` the chart's values naming both Secrets and every value of the
//! `[keystore.*]`, `[truststore]` and `[encryption]` sections the chart renders into deployment.toml, read from
//! the set's deployment-security.toml so that the pods and the set's other nodes are configured alike.
//!
//! Both charts take the stores' password as a value (their Secure Vault mode wants it encrypted by the cipher
//! tool, through a cloud secret store, not a Kubernetes Secret), so values-iospki.yaml is a secret file: 0600.
//! The single layout is refused: both charts mount each keystore section's file at a path of its own, and the
//! API server refuses a pod with two mounts at one path ("must be unique").

use std::fmt::Write as _;

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::k8s::{self, Names};
use super::manifest::{self, Manifest};
use super::yaml::Yaml;
use crate::error::{Error, Result};
use crate::io::output::{PUBLIC_MODE, Plan, SECRET_MODE};
use crate::model::cluster::Cluster;
use crate::model::product::{Chart, ConfigFile, Holds, Layout, Platform, Product};
use crate::model::set::Set;
use crate::vocab::roles::{CertRole, HostGroupId, NodeRole};
use crate::wso2::deployment::{self, SecuritySections, StoreSection};

/// The chart's name in WSO2's Helm repository (`helm repo add wso2 https://helm.wso2.com`) and the version
/// whose values and templates these were written against.
fn chart_release(chart: Chart) -> (&'static str, &'static str) {
    match chart {
        Chart::IdentityServer { .. } => ("wso2/identity-server", "7.1.0-3"),
        Chart::ApiManager { .. } => ("wso2/wso2am-all-in-one", "4.4.0-4"),
    }
}

/// The chart's repository and branch, as the files' comments name them.
fn chart_source(chart: Chart) -> String {
    match chart {
        Chart::IdentityServer { branch } => format!("wso2/kubernetes-is (branch {branch})"),
        Chart::ApiManager { branch } => format!("wso2/helm-apim (branch {branch})"),
    }
}

/// A Secret's data: keys and base64 values.
type Data = Vec<(&'static str, Zeroizing<String>)>;

/// One Secret: its name, type, data and what it is for, and the role whose iospki-bundle.json annotates it.
struct Secret {
    name: String,
    secret_type: &'static str,
    data: Data,
    what: &'static str,
    role: NodeRole,
}

/// What the objects and values are made of.
struct Parts {
    /// The stores' Secret, then the TLS Secret.
    secrets: [Secret; 2],
    /// deployment-security.toml, read back.
    sections: SecuritySections,
}

/// `kubectl/keystores.yaml`, `kubectl/tls.yaml`, `values-iospki.yaml` and `INSTALL.txt` of `set`, a
/// deployment.toml product's, for the chart of its release.
pub fn plan(set: &Set, cluster: &Cluster, platform: &Platform, names: &Names) -> Result<Plan> {
    let product = set.product();
    if platform.layout == Layout::Single {
        return Err(Error::invalid(
            "--format k8s",
            format!(
                "the {} set keeps its three keys in one store (--keystores single), and the chart mounts each \
                 keystore section's file at a path of its own, which Kubernetes refuses for one file: make the \
                 set with --keystores separate for Kubernetes",
                product.name
            ),
        ));
    }
    let chart = platform.release.chart;
    let parts = parts(set, cluster, names)?;
    let heading = format!(
        "iospki bundle --format k8s for the {} cluster {}, for {}.\n\
         Apply with: kubectl apply --server-side -f kubectl/ (then helm install, INSTALL.txt)\n\n",
        product.name,
        cluster.domain(),
        chart_source(chart)
    );
    let fingerprint = manifest::set_fingerprint(set);
    let manifest = |role| {
        Manifest {
            product,
            role,
            node: None,
            set_sha256: fingerprint.clone(),
        }
        .to_json()
    };
    let mut plan = Plan::default();
    for (secret, file) in parts.secrets.iter().zip(["kubectl/keystores.yaml", "kubectl/tls.yaml"]) {
        let yaml = secret_manifest(secret, &heading, &manifest(secret.role), names);
        plan.add(file, yaml, SECRET_MODE, "Kubernetes Secret");
    }
    let [keystores, tls] = parts.secrets.each_ref().map(|s| s.name.as_str());
    let values = values(product, platform, cluster, &parts.sections, [keystores, tls]);
    plan.add(VALUES, values, SECRET_MODE, "Helm values for the official chart");
    let mut install = install(product, cluster, chart, set.settings().secure_vault);
    if set.settings().secure_vault {
        install += &vault_install(chart, names);
    }
    plan.add("INSTALL.txt", install, PUBLIC_MODE, "how to install");
    Ok(plan)
}

/// A Secret's manifest: `heading`, what it holds, then the object annotated with `manifest`.
fn secret_manifest(secret: &Secret, heading: &str, manifest: &str, names: &Names) -> String {
    // Room for all of it, so that the buffer that receives key material never grows (leaving a copy behind).
    let size = secret.data.iter().map(|(_, b)| b.len() + 64).sum::<usize>() + manifest.len() + 4096;
    let mut yaml = Yaml::with_capacity(size);
    yaml.comment(&format!("{heading}Secret {}: {}\n", secret.name, secret.what));
    k8s::metadata(&mut yaml, "Secret", &secret.name, secret.role, manifest, names);
    yaml.entry(0, "type", secret.secret_type).open(0, "data");
    for (key, base64) in &secret.data {
        yaml.entry(1, key, base64);
    }
    yaml.finish()
}

/// The values file's name.
const VALUES: &str = "values-iospki.yaml";

/// The set's stores and TLS pair as the Secrets' data, and its deployment-security.toml read back and checked
/// against the stores.
fn parts(set: &Set, cluster: &Cluster, names: &Names) -> Result<Parts> {
    let product = set.product();
    let encode = |bytes: &[u8]| Zeroizing::new(Base64::encode_string(bytes));
    let mut stores = Vec::new();
    for spec in product.files.iter().filter(|f| matches!(f.holds, Holds::Store(..))) {
        stores.push((spec.name, encode(&set.contents(spec)?)));
    }
    stores.sort_by_key(|(name, _)| *name);
    let mut tls = Vec::new();
    for file in set.node_files(NodeRole::Nginx)? {
        match file.spec.holds {
            Holds::Chain(_) => tls.push(("tls.crt", encode(&file.contents))),
            Holds::PrivateKey(_) => tls.push(("tls.key", encode(&file.contents))),
            _ => {}
        }
    }
    tls.sort_by_key(|(key, _)| *key);
    if tls.len() != 2 {
        let reason = format!("{} gives nginx no TLS chain and key", product.name);
        return Err(Error::invalid("--format k8s", reason));
    }
    let sections = sections(set, &stores)?;
    let server = cluster
        .nodes()
        .iter()
        .map(|n| n.role)
        .find(|r| *r != NodeRole::Nginx)
        .unwrap_or(NodeRole::Worker);
    let secrets = [
        Secret {
            name: names.named("keystores"),
            secret_type: "Opaque",
            data: stores,
            what: "the stores, under the file names the values give; the chart mounts each key by\n\
                   subPath under repository/resources/security/.",
            role: server,
        },
        Secret {
            name: names.named("tls"),
            secret_type: "kubernetes.io/tls",
            data: tls,
            what: "the ingress's TLS certificate chain and key, the pair the TLS store holds.",
            role: NodeRole::Nginx,
        },
    ];
    Ok(Parts { secrets, sections })
}

/// deployment-security.toml of `set`, read back: its three keystore sections and `[truststore]`, each naming one
/// of `stores`.
fn sections(set: &Set, stores: &Data) -> Result<SecuritySections> {
    let product = set.product();
    let spec = product
        .config(ConfigFile::DeploymentSecurity)
        .ok_or_else(|| Error::invalid("--format k8s", format!("{} has no deployment.toml", product.name)))?;
    let contents = set.contents(spec)?;
    let bad = |reason: String| Error::unreadable(spec.name, reason);
    let text = std::str::from_utf8(&contents).map_err(|_| bad("is not UTF-8".into()))?;
    let sections = deployment::security_sections(text).map_err(bad)?;
    if sections.keystores.len() != deployment::KEYSTORE_SECTIONS.len() {
        return Err(bad(
            "lacks one of [keystore.primary], [keystore.internal], [keystore.tls]".into(),
        ));
    }
    let named = sections.keystores.iter().map(|(_, s)| s).chain([&sections.truststore]);
    for section in named {
        if !stores.iter().any(|(name, _)| *name == section.file_name) {
            return Err(bad(format!(
                "names '{}', which is none of the set's stores",
                section.file_name.escape_debug()
            )));
        }
    }
    Ok(sections)
}

/// The chart's name of a keystore section: `tls`, `primary`, `internal`.
fn short_name(role: CertRole) -> &'static str {
    deployment::KEYSTORE_SECTIONS
        .iter()
        .find(|(_, r)| *r == role)
        .map_or("", |(section, _)| section.trim_start_matches("keystore."))
}

/// values-iospki.yaml: the Secrets' names and every value of the stores' sections, in the chart's keys.
fn values(
    product: &Product,
    platform: &Platform,
    cluster: &Cluster,
    sections: &SecuritySections,
    [keystores, tls]: [&str; 2],
) -> String {
    let chart = platform.release.chart;
    let version = platform.release.tag.trim_start_matches('v');
    let mut yaml = Yaml::with_capacity(4096);
    yaml.comment(&format!(
        "Values for {}, written by iospki bundle --format k8s for the {} cluster {}:\n\
         the Secrets of kubectl/ ({keystores}, {tls}) and deployment.toml's [keystore.*], [truststore]{}\n\
         as the set's deployment-security.toml has them. The chart takes the stores' password as a value, so this\n\
         file holds it: keep it 0600 and out of version control. Install: INSTALL.txt.\n",
        chart_source(chart),
        product.name,
        cluster.domain(),
        if sections.encryption_key.is_some() {
            " and [encryption]"
        } else {
            ""
        },
    ));
    match chart {
        Chart::IdentityServer { .. } => {
            identity_server(&mut yaml, cluster, sections, version, [keystores, tls]);
        }
        Chart::ApiManager { .. } => api_manager(&mut yaml, cluster, sections, version, [keystores, tls]),
    }
    // Moved into the plan, which wipes it.
    yaml.finish()
}

/// wso2/kubernetes-is: `deployment.externalJKS`, the ingress's host and TLS Secret, and `deploymentToml`.
fn identity_server(yaml: &mut Yaml, cluster: &Cluster, sections: &SecuritySections, version: &str, names: [&str; 2]) {
    let [keystores, tls] = names;
    yaml.open(0, "deployment")
        .comment("The image's home is wso2is-VERSION: the stores are mounted there.")
        .entry(1, "buildVersion", version)
        .open(1, "ingress");
    yaml.entry(2, "hostName", cluster.first(HostGroupId::Workers).as_str())
        .entry(2, "tlsSecretsName", tls)
        .open(1, "externalJKS")
        .flag(2, "enabled", true)
        .entry(2, "secretName", keystores);
    if sections.keystores.iter().any(|(_, s)| s.type_name != "PKCS12") {
        yaml.comment(
            "The chart's Secure Vault (deployment.secretStore) opens the internal store as PKCS12\n\
             (confs/secret-conf.properties): leave it off with these stores.",
        );
    }
    yaml.open(0, "deploymentToml").open(1, "keystore");
    for (role, section) in &sections.keystores {
        yaml.open(2, short_name(*role))
            .entry(3, "fileName", &section.file_name)
            .entry(3, "type", &section.type_name);
        secret_entry(yaml, 3, "password", &section.password);
        yaml.entry(3, "alias", section.alias.as_deref().unwrap_or_default());
        secret_entry(yaml, 3, "keyPassword", key_password(section));
    }
    let truststore = &sections.truststore;
    yaml.open(1, "truststore")
        .entry(2, "fileName", &truststore.file_name)
        .entry(2, "type", &truststore.type_name);
    secret_entry(yaml, 2, "password", &truststore.password);
    if let Some(key) = &sections.encryption_key {
        yaml.open(1, "encryption")
            .comment("The same on every node and never changed: what is encrypted with it is unreadable under another.")
            .entry(2, "key", &key.secret_hex());
    }
}

/// wso2/helm-apim: `wso2.apim.configurations.security`, and the ingresses' TLS Secret and host names.
fn api_manager(yaml: &mut Yaml, cluster: &Cluster, sections: &SecuritySections, version: &str, names: [&str; 2]) {
    let [keystores, tls] = names;
    yaml.open(0, "wso2")
        .open(1, "apim")
        .entry(2, "version", version)
        .open(2, "configurations")
        .open(3, "security")
        .entry(4, "jksSecretName", keystores)
        .comment(
            "All three enabled, each its own file: the chart mounts each enabled store by subPath and renders\n\
             its section with type = \"JKS\", the type of these stores. A section left disabled falls back to\n\
             [keystore.primary] in the server, not to the store iospki made for it.",
        )
        .open(4, "keystores");
    for (role, section) in &sections.keystores {
        yaml.open(5, short_name(*role))
            .flag(6, "enabled", true)
            .entry(6, "name", &section.file_name)
            .entry(6, "alias", section.alias.as_deref().unwrap_or_default());
        secret_entry(yaml, 6, "password", &section.password);
        secret_entry(yaml, 6, "keyPassword", key_password(section));
    }
    yaml.open(4, "truststore")
        .entry(5, "name", &sections.truststore.file_name);
    secret_entry(yaml, 5, "password", &sections.truststore.password);
    yaml.open(0, "kubernetes")
        .open(1, "ingress")
        .entry(2, "tlsSecret", tls)
        .comment("The names the TLS certificate carries; websocket and websub keep the chart's, which it does not.")
        .open(2, "management")
        .entry(3, "hostname", cluster.first(HostGroupId::Workers).as_str())
        .open(2, "gateway")
        .entry(3, "hostname", cluster.first(HostGroupId::Gateway).as_str());
}

/// A keystore section's key password, its store password where it has none.
fn key_password(section: &StoreSection) -> &crate::io::secret::Password {
    section.key_password.as_ref().unwrap_or(&section.password)
}

fn secret_entry(yaml: &mut Yaml, depth: usize, key: &str, password: &crate::io::secret::Password) {
    yaml.entry(depth, key, password.secret_str());
}

/// What INSTALL.txt of a Secure Vault set says of the keystore password: its own Secret, and why the chart
/// cannot take it as it is (wso2/kubernetes-is 7.1.x and wso2/helm-apim 4.4.x copy password-tmp from a Secrets
/// Store CSI volume only).
fn vault_install(chart: Chart, names: &Names) -> String {
    let home = "${WSO2_SERVER_HOME}";
    let chart_takes = match chart {
        Chart::IdentityServer { .. } => {
            "The chart cannot take that Secret: with deployment.secretStore.enabled, its entrypoint\n\
             (templates/cm-entrypoint.yaml) copies password-tmp from a Secrets Store CSI volume alone\n\
             (/mnt/secrets-store/INTERNAL-KEYSTORE-PASSWORD-DECRYPTED, an Azure Key Vault object), and then renders\n\
             [secrets] itself from deploymentToml.keystore.*.password, which must be the ciphertexts of the set's\n\
             deployment-security.toml [secrets]. Without that mode the chart renders no [secrets], so the\n\
             $secret{...} references of values-iospki.yaml do not resolve: put the password in that store under\n\
             that name and the ciphertexts in those values, or add the Secret's volume and the cp to the\n\
             chart's entrypoint and [secrets] to its deployment.toml.\n"
        }
        Chart::ApiManager { .. } => {
            "The chart cannot take that Secret: with wso2.apim.secureVaultEnabled, its entrypoint\n\
             (templates/am/wso2am-conf-entrypoint.yaml) copies password-tmp from a Secrets Store CSI volume alone\n\
             (/mnt/secrets-store/, the Azure, AWS or GCP secret its values name). Put the password in that store,\n\
             or add the Secret's volume and the cp to the chart's entrypoint.\n"
        }
    };
    let values = format!(
        "In this set {VALUES} holds no password: its password values are the $secret{{...}} references of\n\
         deployment-security.toml.\n"
    );
    format!("\n{}{values}{chart_takes}", k8s::password_tmp(names, home))
}

/// INSTALL.txt: the two commands, and what the values file holds.
fn install(product: &Product, cluster: &Cluster, chart: Chart, vault: bool) -> String {
    let (name, version) = chart_release(chart);
    let mut text = format!(
        "iospki bundle --format k8s for the {} cluster {}, for {} ({name} {version}).\n\n",
        product.name,
        cluster.domain(),
        chart_source(chart)
    );
    let _ = write!(
        text,
        "    helm repo add wso2 https://helm.wso2.com && helm repo update\n\
         \x20   kubectl apply --server-side -f kubectl/ --namespace NAMESPACE\n\
         \x20   helm install {} {name} --version {version} -f {VALUES} --namespace NAMESPACE\n\n\
         kubectl/keystores.yaml and kubectl/tls.yaml are Secrets; {VALUES} {} and is 0600: keep it out of version\n\
         control, give it to helm only.\n\
         Other values of the chart (image, database, hosts) go in a values file of your own, given before it.\n\
         After a rotation: bundle again, kubectl apply, helm upgrade with the same files, then restart the pods\n\
         (kubectl rollout restart): Java reads its stores only at start.\n",
        product.short_name,
        match vault {
            true => "holds no password (Secure Vault, below)",
            false => "holds the stores' password (the chart\ntakes it as a value)",
        }
    );
    text
}
