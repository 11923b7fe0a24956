//! `verify --bundle`: an archive from `iospki bundle`, checked against its SHA256SUMS (a changed or an unlisted
//! file is a problem), then judged in memory as the node it was made for will use it. Nothing is unpacked to disk.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::observe::KeyLookup;
use super::tree::Tree;
use super::{Finding, Options, Report, observe, rules};
use crate::error::{Error, Result};
use crate::input::{self, Kind};
use crate::product::iot::IOT;
use crate::product::{CertRole, NodeRole, Product, ProductId};

/// More than a bundle ever holds; a larger archive is refused before it fills memory.
const MAX_UNPACKED: u64 = 64 << 20;
const MAX_ENTRIES: usize = 256;

/// One file of the archive.
struct File {
    path: PathBuf,
    bytes: Zeroizing<Vec<u8>>,
}

/// Verifies the bundle archive at `path`.
pub fn verify_bundle(path: &Path, options: &Options) -> Result<Report> {
    Ok(verify_node(path, options)?.report)
}

/// Verifies the bundles of several nodes of one cluster: each on its own, then that every server node holds the
/// same key (R1: any node may sign a SAML response another node checks, and the key encrypts the shared database).
/// One report, each finding's location led by its bundle.
pub fn verify_bundles(paths: &[PathBuf], options: &Options) -> Result<Report> {
    let mut nodes = paths
        .iter()
        .map(|path| verify_node(path, options))
        .collect::<Result<Vec<_>>>()?;
    if let Some(common) = most_common(nodes.iter().filter_map(|n| n.key.clone()).collect()) {
        same_key(&mut nodes, &common);
    }
    let target = format!("{} bundles", nodes.len());
    let findings = nodes
        .into_iter()
        .flat_map(|node| {
            let target = node.report.target;
            node.report.findings.into_iter().map(move |finding| Finding {
                location: format!("{target}: {}", finding.location),
                ..finding
            })
        })
        .collect();
    Ok(Report::new(target, findings))
}

/// A problem for each node whose key is not `common`, naming the nodes that hold it.
fn same_key(nodes: &mut [NodeReport], common: &[u8]) {
    let holders: Vec<String> = nodes
        .iter()
        .filter(|n| n.key.as_deref() == Some(common))
        .map(|n| n.report.target.clone())
        .collect();
    for node in nodes
        .iter_mut()
        .filter(|n| n.key.as_deref().is_some_and(|key| key != common))
    {
        node.report.findings.push(Finding::problem(
            &node.key_location,
            format!(
                "holds another key than {}: a SAML response or an encrypted value one node makes, the other rejects",
                holders.join(", ")
            ),
            "give every node the wso2carbon.jks of one set (iospki bundle from one output directory)",
        ));
    }
}

/// The key most nodes hold; on a tie, the first node's.
fn most_common(keys: Vec<Vec<u8>>) -> Option<Vec<u8>> {
    let count = |key: &Vec<u8>| keys.iter().filter(|k| *k == key).count();
    let best = keys.iter().map(count).max()?;
    keys.iter().find(|key| count(key) == best).cloned()
}

/// One bundle's report, and the public key of its server key entry (none for nginx or when it does not open).
struct NodeReport {
    report: Report,
    key: Option<Vec<u8>>,
    key_location: String,
}

fn verify_node(path: &Path, options: &Options) -> Result<NodeReport> {
    let files = read_archive(path)?;
    let mut findings = checksums(&files);
    let (product, role) = node_of(&files, &mut findings);
    let tree = Tree::Memory(files.into_iter().map(|f| (f.path, f.bytes)).collect());
    let observation = observe::node(&tree, product, role, options);
    findings.extend(rules::run(&observation, options));
    let (key, key_location) = match observation.keys.get(CertRole::Ssl) {
        Some(KeyLookup::Found(entry)) => (entry.key_public.clone(), entry.location.clone()),
        _ => (None, String::new()),
    };
    Ok(NodeReport {
        report: Report::new(path.display().to_string(), findings),
        key,
        key_location,
    })
}

/// The product and role of the node the bundle was made for, as its INSTALL.txt says ("iospki bundle for NODE,
/// ROLE of the PRODUCT cluster DOMAIN."; bundles before products were declared say "of the cluster" and are
/// IoT Server's); without one, what its files suggest.
fn node_of(files: &[File], findings: &mut Vec<Finding>) -> (&'static Product, NodeRole) {
    let install = files.iter().find(|f| f.path == Path::new("INSTALL.txt"));
    let said = install.and_then(|f| {
        let text = std::str::from_utf8(&f.bytes).ok()?;
        let first = text.lines().next()?;
        let (_, rest) = first.split_once(", ")?;
        let (role, cluster) = rest.split_once(" of the ")?;
        let product = ProductId::ALL
            .into_iter()
            .map(ProductId::product)
            .find(|p| cluster.starts_with(&format!("{} cluster ", p.name)))
            .unwrap_or(&IOT);
        Some((product, NodeRole::from_name(role)?))
    });
    if let Some(said) = said {
        return said;
    }
    findings.push(Finding::problem(
        "INSTALL.txt",
        "does not say which node the bundle is for",
        "the bundle was changed after iospki made it: make it again with iospki bundle",
    ));
    let has = |name: &str| files.iter().any(|f| f.path == Path::new(name));
    let role = if has("ssl/iots-chain.pem") {
        NodeRole::Nginx
    } else if has("conf/iot-api-config.xml") {
        NodeRole::Manager
    } else if has("repository/conf/certificate-config.xml") {
        NodeRole::Worker
    } else {
        NodeRole::KeyManager
    };
    (&IOT, role)
}

fn read_archive(path: &Path) -> Result<Vec<File>> {
    let unreadable = |reason: String| Error::unreadable(path, reason);
    let data = input::read(path, Kind::Data)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&data[..]));
    let mut files = Vec::new();
    let mut total = 0u64;
    for entry in archive
        .entries()
        .map_err(|e| unreadable(format!("not a .tar.gz: {e}")))?
    {
        let mut entry = entry.map_err(|e| unreadable(format!("not a .tar.gz: {e}")))?;
        let raw = entry.path().map_err(|e| unreadable(e.to_string()))?.into_owned();
        let leaves = |c: Component<'_>| matches!(c, Component::ParentDir | Component::RootDir | Component::Prefix(_));
        if raw.components().any(leaves) {
            return Err(unreadable(format!(
                "entry {} leaves the bundle's directory",
                raw.display()
            )));
        }
        // `tar -czf x.tar.gz .` names entries ./path.
        let name: PathBuf = raw.components().filter(|c| matches!(c, Component::Normal(_))).collect();
        total += entry.size();
        if total > MAX_UNPACKED || files.len() >= MAX_ENTRIES {
            return Err(unreadable("holds more than a bundle ever does".into()));
        }
        if !entry.header().entry_type().is_file() || name.as_os_str().is_empty() {
            continue;
        }
        let mut bytes = Zeroizing::new(Vec::new());
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| unreadable(format!("not a .tar.gz: {e}")))?;
        files.push(File { path: name, bytes });
    }
    Ok(files)
}

/// Every file matches its SHA256SUMS line, and every file but SHA256SUMS has one.
fn checksums(files: &[File]) -> Vec<Finding> {
    let problem = |location: &str, what: &str| {
        Finding::problem(
            location,
            what,
            "the bundle was changed after iospki made it: make it again with iospki bundle",
        )
    };
    let Some(sums) = files.iter().find(|f| f.path == Path::new("SHA256SUMS")) else {
        return vec![problem("SHA256SUMS", "is missing")];
    };
    let listed: Vec<(&str, &str)> = std::str::from_utf8(&sums.bytes)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once("  "))
        .collect();
    let mut findings = Vec::new();
    for file in files.iter().filter(|f| f.path != Path::new("SHA256SUMS")) {
        let name = file.path.display().to_string();
        let digest = crate::hex::lower(&Sha256::digest(&file.bytes));
        match listed.iter().find(|(_, path)| *path == name) {
            None => findings.push(problem(&name, "is not in SHA256SUMS")),
            Some((sum, _)) if *sum != digest => findings.push(problem(&name, "does not match its SHA256SUMS line")),
            Some(_) => {}
        }
    }
    for (_, path) in &listed {
        if !files.iter().any(|f| f.path == Path::new(path)) {
            findings.push(problem(path, "is listed in SHA256SUMS but missing"));
        }
    }
    findings
}
