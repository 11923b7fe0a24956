//! What to run after `init` and `rotate`, as data: where the bundles go, the archives to check, what each role
//! pastes, the order in which the nodes restart (the bundles' order, which the Ansible playbooks also take, one
//! node at a time) and, after a CA rotation, the CA to drop. The binary writes the command lines.

use std::path::{Path, PathBuf};

use crate::model::cluster::Cluster;
use crate::model::product::{ConfigFile, Holds, StorePurpose};
use crate::model::settings::{PasswordSource, Settings};
use crate::vocab::roles::NodeRole;
use crate::wso2::nginx::{NGINX_DIR, NGINX_RELOAD};

/// The steps after a set was written.
#[derive(Debug, Clone)]
pub struct NextSteps {
    /// The set's directory, as the operator named it.
    pub dir: PathBuf,
    /// Where the bundles go: `bundles` beside the set.
    pub bundles: PathBuf,
    /// Every node's archive there, in the bundles' order.
    pub archives: Vec<PathBuf>,
    /// Where the store password came from, when a flag or the cluster description named it.
    pub password: Option<PasswordSource>,
    /// carbon.xml's KeyAlias, where it is not the default one.
    pub ssl_alias: Option<String>,
    /// The SETTINGS.txt to paste for each role that has one: the role's name and the file in the bundle of its
    /// first node (the others' are the same).
    pub settings: Vec<(&'static str, PathBuf)>,
    /// The nodes other than nginx, in the order they restart.
    pub servers: Vec<String>,
    /// Where nginx's files go on its machine.
    pub nginx_dir: &'static str,
    /// The command that makes nginx read its new files.
    pub nginx_reload: &'static str,
    /// The truststore's file name.
    pub truststore: &'static str,
    /// Its keystore type, as keytool's -storetype takes it: JKS or PKCS12.
    pub truststore_type: &'static str,
    /// After a CA rotation: the alias of the old CA, which the new truststore keeps until it is dropped.
    pub earlier_ca: Option<String>,
    /// Whether the servers read the keystore password from password-tmp at start (a Secure Vault set).
    pub password_tmp: bool,
}

impl NextSteps {
    /// The steps after writing the set made with `settings` to `dir` (as named), whose stores' password came
    /// from `password`.
    pub fn new(dir: &Path, settings: &Settings, password: Option<PasswordSource>) -> NextSteps {
        let (cluster, ssl_alias) = (&settings.cluster, settings.ssl_alias.as_str());
        let bundles = bundles_dir(dir);
        let nodes = cluster.nodes();
        let truststore = cluster.product().store(StorePurpose::TrustStore);
        NextSteps {
            dir: dir.to_path_buf(),
            archives: nodes
                .iter()
                .map(|node| bundles.join(format!("{}.tar.gz", node.name)))
                .collect(),
            password,
            ssl_alias: (ssl_alias != crate::model::defaults::SSL_ALIAS).then(|| ssl_alias.to_owned()),
            settings: settings_to_paste(cluster, &bundles),
            servers: nodes
                .iter()
                .filter(|node| node.role != NodeRole::Nginx)
                .map(|node| node.name.to_string())
                .collect(),
            nginx_dir: NGINX_DIR,
            nginx_reload: NGINX_RELOAD,
            truststore: truststore.map_or("client-truststore.jks", |spec| spec.name),
            truststore_type: match truststore.map(|spec| &spec.holds) {
                Some(Holds::Store(format, ..)) => crate::wso2::deployment::type_name(*format),
                _ => "JKS",
            },
            earlier_ca: None,
            password_tmp: settings.secure_vault,
            bundles,
        }
    }
}

/// Where the bundles go: `bundles` beside the set (under another name where the set is called that).
fn bundles_dir(dir: &Path) -> PathBuf {
    let parent = dir.parent().unwrap_or(Path::new(""));
    let bundles = parent.join(crate::model::defaults::BUNDLE_DIR);
    if bundles == dir {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        return parent.join(format!("{name}-bundles"));
    }
    bundles
}

/// The SETTINGS.txt of each role that has one, in the bundle of the role's first node.
fn settings_to_paste(cluster: &Cluster, bundles: &Path) -> Vec<(&'static str, PathBuf)> {
    let product = cluster.product();
    let mut seen = Vec::new();
    let mut paste = Vec::new();
    for node in cluster.nodes() {
        let Some(placement) = product
            .config(ConfigFile::Settings(node.role))
            .and_then(|spec| spec.placement(node.role))
        else {
            continue;
        };
        if seen.contains(&node.role) {
            continue;
        }
        seen.push(node.role);
        paste.push((
            node.role.name(),
            bundles.join(node.name.to_string()).join(placement.path),
        ));
    }
    paste
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_go_beside_the_set_under_a_name_of_their_own() {
        assert_eq!(bundles_dir(Path::new("output")), Path::new("bundles"));
        assert_eq!(bundles_dir(Path::new("/srv/pki/output")), Path::new("/srv/pki/bundles"));
        assert_eq!(
            bundles_dir(Path::new("/srv/bundles")),
            Path::new("/srv/bundles-bundles")
        );
    }
}
