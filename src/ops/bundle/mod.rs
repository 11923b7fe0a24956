//! `iospki bundle`: what each node of the cluster gets, as trees and archives, Kubernetes objects or Ansible.
//! It may import every layer below `ops`, and other modules of `ops` (`findings`, `build`, another command's).
//!
//! [`run`] is the command: it reads the set under its lock and writes the bundles in the format asked.
//! [`node_bundles`] lays them out as each node's server home with INSTALL.txt, [`manifest`]'s iospki-bundle.json
//! and SHA256SUMS; [`archive`] packs one reproducible .tar.gz per node, written as it is made; [`k8s`] writes them
//! as Kubernetes Secrets and ConfigMaps per role, for `kubectl apply` and as a Helm chart, and [`charts`] those of a
//! deployment.toml product as WSO2's own charts take them; [`ansible`] writes an Ansible project that installs them
//! node by node.

pub mod ansible;
pub mod archive;
pub mod charts;
pub mod k8s;
pub mod manifest;
mod yaml;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::io::output::{Lock, PUBLIC_MODE, Plan};
use crate::model::cluster::Cluster;
pub use crate::model::cluster::Node;
use crate::model::product::{ConfigFile, Holds};
use crate::model::set::{NodeFile, Set};
use crate::vocab::roles::NodeRole;
pub use k8s::NameChoice;
use manifest::Manifest;

/// The JSON schema identifier of `bundle --json`'s list of what was written.
pub const SCHEMA: &str = "iospki.bundle/1";

/// How the bundles are written.
#[derive(Debug, Clone)]
pub enum Format {
    /// `NODE/` trees and `NODE.tar.gz` archives.
    Tar,
    /// Kubernetes manifests and a Helm chart, named as chosen.
    K8s(k8s::NameChoice),
    /// An Ansible project.
    Ansible,
}

/// What `iospki bundle` is asked.
pub struct BundleRequest<'a> {
    /// The set's directory, as `init` wrote it.
    pub dir: PathBuf,
    /// Where the bundles go.
    pub out: PathBuf,
    /// Their format.
    pub format: Format,
    /// A cluster description whose nodes get bundles instead of those the set was made for.
    pub config: Option<PathBuf>,
    /// Hears how far the run got, for a count on a terminal.
    pub progress: &'a (dyn Fn(Progress<'_>) + Sync),
}

/// How far a run got.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// The files are being written: this many.
    Writing(usize),
    /// The archive of node `name` is being made, the `done`th of `of` (in no particular order: several are made
    /// at once).
    Node {
        /// How many so far, this one included.
        done: usize,
        /// Of how many.
        of: usize,
        /// The node.
        name: &'a str,
    },
}

/// One file a run wrote.
#[derive(Debug, Clone)]
pub struct WrittenFile {
    /// Its path inside the output directory.
    pub name: String,
    /// Its mode.
    pub mode: u32,
    /// What it is.
    pub description: &'static str,
}

/// What `iospki bundle` did.
#[derive(Debug)]
pub struct BundleReport {
    /// The cluster whose nodes got bundles.
    pub cluster: Cluster,
    /// Every file written, in the order listed to the user.
    pub files: Vec<WrittenFile>,
}

/// `iospki bundle`: reads the set in `request.dir` under its lock, and writes the bundles of every node of the
/// cluster (the description's, else the set's) into `request.out`, atomically.
pub fn run(request: BundleRequest<'_>) -> Result<BundleReport> {
    // Read under the set's lock, so that a rotation cannot swap the set between two of its files.
    // DIR is only read: `bundle .` locks the directory by its real name.
    let set = {
        let _lock = Lock::take(&request.dir.canonicalize().unwrap_or_else(|_| request.dir.clone()))?;
        Set::read(&request.dir)?
    };
    let cluster = cluster(&request, &set)?;
    let files = match &request.format {
        Format::Tar => archive::publish(&set, &request.dir, &cluster, &request.out, request.progress)?,
        Format::K8s(choice) => {
            let names = choice.names(set.product());
            let plan = match &set.product().platform {
                Some(platform) => charts::plan(&set, &cluster, platform, &names)?,
                None => k8s::plan(&set, &cluster, &names)?,
            };
            publish(plan, &request)?
        }
        Format::Ansible => publish(ansible::plan(&set, &cluster)?, &request)?,
    };
    Ok(BundleReport { cluster, files })
}

/// Publishes a plan made in memory into `request.out`; the list of what it wrote.
fn publish(plan: Plan, request: &BundleRequest<'_>) -> Result<Vec<WrittenFile>> {
    (request.progress)(Progress::Writing(plan.files.len()));
    plan.publish(&request.out, true)?;
    Ok(written(&plan))
}

/// The files of `plan`, as a report lists them.
fn written(plan: &Plan) -> Vec<WrittenFile> {
    plan.files
        .iter()
        .map(|f| WrittenFile {
            name: f.name.clone(),
            mode: f.mode,
            description: f.description,
        })
        .collect()
}

/// The cluster whose nodes get bundles: the description's, else the one the set was made for.
fn cluster(request: &BundleRequest<'_>, set: &Set) -> Result<Cluster> {
    let Some(path) = &request.config else {
        return Ok(set.cluster().clone());
    };
    let cluster = crate::model::config::load(path)?.settings()?.cluster;
    let (described, made) = (cluster.product(), set.product());
    if described.key != made.key {
        let reason = format!(
            "describes a cluster of {}, but the set in {} is for {}",
            described.name,
            request.dir.display(),
            made.name
        );
        return Err(Error::invalid(path.display().to_string(), reason));
    }
    Ok(cluster)
}

/// The bundle's file that says where each file goes and what to restart.
const INSTALL: &str = "INSTALL.txt";
/// The bundle's checksums, as `sha256sum -c` reads them.
const SUMS: &str = "SHA256SUMS";

/// One file of a node's bundle.
#[derive(Debug, Clone)]
pub struct BundleFile {
    /// Its path under the node's server home.
    pub path: String,
    /// Its bytes, shared by every node of a role; wiped when the last of them is dropped.
    pub contents: Arc<Zeroizing<Vec<u8>>>,
    /// Its mode.
    pub mode: u32,
    /// Its SHA-256 in lowercase hex, as SHA256SUMS has it.
    pub sha256: String,
}

impl BundleFile {
    /// A file at `path` with `contents` and `mode`, hashed once.
    fn new(path: impl Into<String>, contents: Zeroizing<Vec<u8>>, mode: u32) -> BundleFile {
        BundleFile {
            path: path.into(),
            sha256: crate::vocab::hex::lower(&Sha256::digest(&contents)),
            contents: Arc::new(contents),
            mode,
        }
    }
}

/// What one node gets: its files sorted by path, then SHA256SUMS over them.
#[derive(Debug)]
pub struct NodeBundle {
    /// The node.
    pub node: Node,
    /// Its files.
    pub files: Vec<BundleFile>,
    /// Whether its server reads Secure Vault's files, and so needs the keystore password at each start, a
    /// secret no bundle carries: in `<home>/password-tmp` or typed at the console.
    pub vault: bool,
}

/// The file, in a server's home, from which Secure Vault's DefaultSecretCallbackHandler reads the keystore
/// password at start (one line), then deletes it.
pub const PASSWORD_TMP: &str = "password-tmp";

impl NodeBundle {
    /// The files the node's server reads: all but INSTALL.txt, iospki-bundle.json and SHA256SUMS.
    pub fn placed(&self) -> impl Iterator<Item = &BundleFile> {
        self.files
            .iter()
            .filter(|f| ![INSTALL, manifest::FILE, SUMS].contains(&f.path.as_str()))
    }

    /// Its iospki-bundle.json.
    pub fn manifest(&self) -> Option<&BundleFile> {
        self.files.iter().find(|f| f.path == manifest::FILE)
    }
}

/// The files every node of one role gets, read, placed and hashed once for all of them.
struct RoleFiles {
    role: NodeRole,
    placed: Vec<NodeFile>,
    files: Vec<BundleFile>,
    vault: bool,
}

impl RoleFiles {
    fn new(set: &Set, role: NodeRole) -> Result<RoleFiles> {
        let placed = set.node_files(role)?;
        let files = placed
            .iter()
            .map(|file| BundleFile::new(file.placement.path, file.contents.clone(), file.spec.mode()))
            .collect();
        let vault = placed
            .iter()
            .any(|file| matches!(file.spec.holds, Holds::Config(ConfigFile::Vault(_))));
        Ok(RoleFiles {
            role,
            placed,
            files,
            vault,
        })
    }
}

/// The bundle of every node of `cluster` from `set`. What nodes of one role share is made once: a bundle costs
/// its INSTALL.txt, iospki-bundle.json and SHA256SUMS, however many nodes the cluster has.
pub fn node_bundles(set: &Set, cluster: &Cluster) -> Result<Vec<NodeBundle>> {
    let fingerprint = manifest::set_fingerprint(set);
    let nodes = cluster.nodes();
    let mut roles: Vec<RoleFiles> = Vec::new();
    let mut bundles = Vec::with_capacity(nodes.len());
    for node in nodes {
        let role = match roles.iter().position(|r| r.role == node.role) {
            Some(at) => &roles[at],
            None => {
                roles.push(RoleFiles::new(set, node.role)?);
                &roles[roles.len() - 1]
            }
        };
        let mut files = role.files.clone();
        let install = install_text(&node, cluster, role);
        files.push(BundleFile::new(
            INSTALL,
            Zeroizing::new(install.into_bytes()),
            PUBLIC_MODE,
        ));
        let manifest = Manifest {
            product: set.product(),
            role: node.role,
            node: Some(node.name.clone()),
            set_sha256: fingerprint.clone(),
        };
        let json = Zeroizing::new(manifest.to_json().into_bytes());
        files.push(BundleFile::new(manifest::FILE, json, PUBLIC_MODE));
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let sums = checksums(&files);
        files.push(BundleFile::new(SUMS, Zeroizing::new(sums.into_bytes()), PUBLIC_MODE));
        bundles.push(NodeBundle {
            node,
            files,
            vault: role.vault,
        });
    }
    Ok(bundles)
}

/// `sha256sum` lines for every file, as `sha256sum -c` reads them.
fn checksums(files: &[BundleFile]) -> String {
    let mut text = String::new();
    for file in files {
        let _ = writeln!(text, "{}  {}", file.sha256, file.path);
    }
    text
}

fn install_text(node: &Node, cluster: &Cluster, role: &RoleFiles) -> String {
    let (product, files) = (cluster.product(), &role.placed);
    let mut text = format!(
        "iospki bundle for {}, {} of the {} cluster {}.\n\n",
        node.name,
        node.role.name(),
        product.name,
        cluster.domain()
    );
    let home = if node.role == NodeRole::Nginx {
        crate::wso2::nginx::NGINX_DIR
    } else {
        "<PRODUCT_HOME>"
    };
    text.push_str(
        "Unpack it over the node's directory, keeping modes (the files replace the ones of the same name):\n\n",
    );
    let _ = writeln!(text, "    tar -xzpf {} -C {home}\n", node.name.archive_name());
    text.push_str("Files:\n");
    for file in files {
        let _ = writeln!(text, "    {:<52} {}", file.placement.path, file.placement.purpose);
    }
    if node.role == NodeRole::Nginx {
        text.push_str(&nginx_directives(files));
        let _ = writeln!(text, "\nThen: {}", crate::wso2::nginx::NGINX_RELOAD);
    } else {
        let _ = write!(
            text,
            "\nThen restart the {} on this node: Java reads its stores only at start.\n\
             Restart the nodes one at a time.\n",
            product.name
        );
    }
    if role.vault {
        text.push_str(VAULT_START);
    }
    text.push_str("\nCheck the files first, in this directory: sha256sum -c SHA256SUMS\n");
    text
}

/// What INSTALL.txt says of the keystore password, in a bundle of a Secure Vault set.
const VAULT_START: &str = "
Secure Vault: the server decrypts its passwords from cipher-text.properties at start, with the key of the
keystore secret-conf.properties names. It needs that keystore's password at each start, and this bundle has no
file for it: give it in one of two ways.
  - Just before starting, write it, on one line, to <PRODUCT_HOME>/password-tmp, mode 0600, owned by the
    server's user. The server reads it and deletes it. Write it as that user, so that no link the user
    could have planted there is followed:
        sudo -u SERVER_USER bash -c 'umask 077; IFS= read -rsp \"keystore password: \" p &&
            printf \"%s\\n\" \"$p\" > <PRODUCT_HOME>/password-tmp'
  - Or type it at the prompt the server shows on its console at start.
";

/// The directives that name nginx's files, for sets that write no server blocks of their own.
fn nginx_directives(files: &[NodeFile]) -> String {
    if files.iter().any(|f| matches!(f.spec.holds, Holds::Config(_))) {
        return String::new();
    }
    let mut text = String::from("\nSet, in the server block of every cluster host (listen 443 ssl):\n\n");
    for file in files {
        let path = format!("{}/{}", crate::wso2::nginx::NGINX_DIR, file.placement.path);
        let _ = writeln!(text, "    {:<19} {path};", file.placement.purpose);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::secret::Password;
    use crate::model::settings::Choices;
    use crate::ops::init::{InitOptions, generate_keys, plan};
    use crate::vocab::names::HostName;
    use crate::vocab::roles::{CertRole, HostGroupId};

    #[test]
    fn nodes_of_a_role_share_their_files_and_have_their_own_install_txt() {
        let mut choices = Choices::default();
        let workers = ["w1.example.org", "w2.example.org"].map(|h| HostName::parse(h).unwrap());
        choices.hosts.set(HostGroupId::Workers, workers.to_vec());
        let options = InitOptions::new(choices.settings().unwrap(), Password::new("test-password"));
        let product = options.settings.cluster.product();
        let given = [(CertRole::Ca, crate::test_keys::ca())].into_iter().collect();
        let keys = generate_keys(product, given, 2048).unwrap();
        let set = plan(&options, &keys, None, None, crate::formats::issue::now())
            .unwrap()
            .set;
        let bundles = node_bundles(&set, set.cluster()).unwrap();
        let workers: Vec<&NodeBundle> = bundles.iter().filter(|b| b.node.role == NodeRole::Worker).collect();
        let file = |bundle: &NodeBundle, name: &str| {
            bundle
                .files
                .iter()
                .find(|f| f.path.ends_with(name))
                .unwrap()
                .contents
                .clone()
        };
        assert_eq!(workers.len(), 2);
        assert!(Arc::ptr_eq(
            &file(workers[0], "wso2carbon.jks"),
            &file(workers[1], "wso2carbon.jks")
        ));
        assert_ne!(file(workers[0], "INSTALL.txt"), file(workers[1], "INSTALL.txt"));
        assert_ne!(file(workers[0], "SHA256SUMS"), file(workers[1], "SHA256SUMS"));
    }
}
