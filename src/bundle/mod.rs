//! `iospki bundle`: the files of a set, handed to each node of the cluster. [`node_bundles`] lays them out as
//! each node's server home with INSTALL.txt and SHA256SUMS; [`archive`] packs one reproducible .tar.gz per node;
//! [`k8s`] writes them as Kubernetes Secrets and ConfigMaps per role, for `kubectl apply` and as a Helm chart;
//! [`ansible`] writes an Ansible project that installs them node by node.

pub mod ansible;
pub mod archive;
pub mod k8s;
mod yaml;

use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::cluster::{Cluster, Node};
use crate::error::Result;
use crate::output::PUBLIC_MODE;
use crate::product::{Holds, NodeRole};
use crate::set::{NodeFile, Set};

/// The bundle's file that says where each file goes and what to restart.
const INSTALL: &str = "INSTALL.txt";
/// The bundle's checksums, as `sha256sum -c` reads them.
const SUMS: &str = "SHA256SUMS";

/// One file of a node's bundle.
#[derive(Debug)]
pub struct BundleFile {
    /// Its path under the node's server home.
    pub path: String,
    /// Its bytes; wiped when dropped.
    pub contents: Zeroizing<Vec<u8>>,
    /// Its mode.
    pub mode: u32,
}

impl BundleFile {
    /// The SHA-256 of its bytes, in lowercase hex as SHA256SUMS has it.
    pub fn sha256(&self) -> String {
        crate::hex::lower(&Sha256::digest(&self.contents))
    }
}

/// What one node gets: its files sorted by path, then SHA256SUMS over them.
#[derive(Debug)]
pub struct NodeBundle {
    /// The node.
    pub node: Node,
    /// Its files.
    pub files: Vec<BundleFile>,
}

impl NodeBundle {
    /// The files the node's server reads: all but INSTALL.txt and SHA256SUMS.
    pub fn placed(&self) -> impl Iterator<Item = &BundleFile> {
        self.files.iter().filter(|f| f.path != INSTALL && f.path != SUMS)
    }
}

/// The bundle of every node of `cluster` from `set`.
pub fn node_bundles(set: &Set, cluster: &Cluster) -> Result<Vec<NodeBundle>> {
    cluster
        .nodes()
        .into_iter()
        .map(|node| {
            let placed = set.node_files(node.role)?;
            let mut files: Vec<BundleFile> = placed
                .iter()
                .map(|file| BundleFile {
                    path: file.placement.path.to_owned(),
                    contents: file.contents.clone(),
                    mode: file.spec.mode(),
                })
                .collect();
            files.push(BundleFile {
                path: INSTALL.into(),
                contents: Zeroizing::new(install_text(&node, cluster, &placed).into_bytes()),
                mode: PUBLIC_MODE,
            });
            files.sort_by(|a, b| a.path.cmp(&b.path));
            files.push(BundleFile {
                path: SUMS.into(),
                contents: Zeroizing::new(checksums(&files).into_bytes()),
                mode: PUBLIC_MODE,
            });
            Ok(NodeBundle { node, files })
        })
        .collect()
}

/// `sha256sum` lines for every file, as `sha256sum -c` reads them.
fn checksums(files: &[BundleFile]) -> String {
    let mut text = String::new();
    for file in files {
        let _ = writeln!(text, "{}  {}", file.sha256(), file.path);
    }
    text
}

fn install_text(node: &Node, cluster: &Cluster, files: &[NodeFile]) -> String {
    let product = cluster.product();
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
    let _ = writeln!(text, "    tar -xzpf {}.tar.gz -C {home}\n", node.name);
    text.push_str("Files:\n");
    for file in files {
        let _ = writeln!(text, "    {:<52} {}", file.placement.path, file.placement.purpose);
    }
    if node.role == NodeRole::Nginx {
        text.push_str(&nginx_directives(files));
        text.push_str("\nThen: nginx -t && systemctl reload nginx\n");
    } else {
        let _ = write!(
            text,
            "\nThen restart the {} on this node: Java reads its stores only at start.\n\
             Restart the nodes one at a time.\n",
            product.name
        );
    }
    text.push_str("\nCheck the files first, in this directory: sha256sum -c SHA256SUMS\n");
    text
}

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
