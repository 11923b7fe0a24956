//! `verify --bundle`: an archive from `iospki bundle`, read as `tar -xzpf` will install it (every gzip member,
//! every entry, with its type, mode and owner), checked against its SHA256SUMS (a changed or an unlisted file is
//! a problem) and against what `bundle` writes for the node its iospki-bundle.json names, then judged in memory
//! as that node will use it. Nothing is unpacked to disk.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::observe::KeyLookup;
use super::platform::{self, Held};
use super::tree::Tree;
use super::{Options, observe, rules};
use crate::error::{Error, Result};
use crate::io::input::{self, Kind};
use crate::model::product::Product;
use crate::ops::bundle::manifest::{self, Manifest};
use crate::ops::findings::{Finding, Report};
use crate::vocab::roles::{CertRole, NodeRole};

/// More than a bundle ever holds, headers included; a larger archive is refused before it fills memory.
const MAX_UNPACKED: u64 = 64 << 20;
const MAX_ENTRIES: usize = 256;

/// One entry of the archive: its path, what tar will make of it, and for a regular file its bytes.
struct File {
    path: PathBuf,
    kind: tar::EntryType,
    mode: u32,
    owner: (u64, u64),
    bytes: Zeroizing<Vec<u8>>,
    /// How its header differs from the plain ustar header bundle writes, where tar implementations may read it
    /// differently.
    irregular: Option<&'static str>,
}

/// Verifies the bundle archive at `path`.
pub fn verify_bundle(path: &Path, options: &Options) -> Result<Report> {
    Ok(verify_node(path, options)?.report)
}

/// Verifies the bundles of several nodes of one cluster: each on its own, then that every server node holds the
/// same of what the nodes share ([`Shared`]). One report, each finding's location led by its bundle.
pub fn verify_bundles(paths: &[PathBuf], options: &Options) -> Result<Report> {
    let mut nodes = paths
        .iter()
        .map(|path| verify_node(path, options))
        .collect::<Result<Vec<_>>>()?;
    for shared in [Shared::Key, Shared::TlsStore, Shared::EncryptionKey] {
        let values = nodes
            .iter()
            .filter_map(|n| n.held(shared))
            .map(|h| h.value.to_vec())
            .collect();
        if let Some(common) = most_common(values) {
            same(&mut nodes, shared, &common);
        }
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
    Ok(Report::new(super::SCHEMA, target, findings))
}

/// What every server node of a cluster holds the same of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shared {
    /// The server key (R1: any node may sign a SAML response another node checks, and the key encrypts the
    /// shared database).
    Key,
    /// A deployment.toml product's TLS store: the nodes behind one name serve one certificate.
    TlsStore,
    /// A deployment.toml product's `[encryption] key`, which encrypts the shared database.
    EncryptionKey,
}

impl Shared {
    /// What it is, what differing breaks, and how to fix it.
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Shared::Key => (
                "key",
                "a SAML response or an encrypted value one node makes, the other rejects",
                "give every node the wso2carbon.jks of one set (iospki bundle from one output directory)",
            ),
            Shared::TlsStore => (
                "TLS store",
                "the nodes behind one name serve different certificates",
                "give every node the TLS store of one set (iospki bundle from one output directory)",
            ),
            Shared::EncryptionKey => (
                "[encryption] key",
                "what one node encrypts in the shared database, the others cannot decrypt",
                "give every node the [encryption] key of one set (the deployment-security.toml of one output \
                 directory)",
            ),
        }
    }
}

/// A problem for each node whose `shared` is not `common`, naming the nodes that hold it.
fn same(nodes: &mut [NodeReport], shared: Shared, common: &[u8]) {
    let holders: Vec<String> = nodes
        .iter()
        .filter(|n| n.held(shared).is_some_and(|h| *h.value == common))
        .map(|n| n.report.target.clone())
        .collect();
    let (what, breaks, fix) = shared.words();
    for node in nodes.iter_mut() {
        let Some(location) = node
            .held(shared)
            .filter(|h| *h.value != common)
            .map(|h| h.location.clone())
        else {
            continue;
        };
        node.report.findings.push(Finding::problem(
            location,
            format!("holds another {what} than {}: {breaks}", holders.join(", ")),
            fix,
        ));
    }
}

/// The value most nodes hold; on a tie, the first node's.
fn most_common(values: Vec<Vec<u8>>) -> Option<Vec<u8>> {
    let count = |value: &Vec<u8>| values.iter().filter(|v| *v == value).count();
    let best = values.iter().map(count).max()?;
    values.iter().find(|value| count(value) == best).cloned()
}

/// One bundle's report, and what it holds of what the nodes share (nothing for nginx, or what did not open).
struct NodeReport {
    report: Report,
    held: Vec<(Shared, Held)>,
}

impl NodeReport {
    fn held(&self, shared: Shared) -> Option<&Held> {
        self.held.iter().find(|(s, _)| *s == shared).map(|(_, held)| held)
    }
}

fn verify_node(path: &Path, options: &Options) -> Result<NodeReport> {
    verify_data(path, &input::read(path, Kind::Data)?, options)
}

/// Verifies a bundle archive read from `path` (which names it in the report) into `data`.
pub(crate) fn verify_archive(path: &Path, data: &[u8], options: &Options) -> Result<Report> {
    Ok(verify_data(path, data, options)?.report)
}

fn verify_data(path: &Path, data: &[u8], options: &Options) -> Result<NodeReport> {
    let entries = read_archive(path, data)?;
    let node = node_of(&entries);
    let mut findings: Vec<Finding> = node.as_ref().err().cloned().into_iter().collect();
    findings.extend(entries_as_bundled(&entries, node.as_ref().ok()));
    // As tar leaves them: of two entries of one path, the later.
    let mut files: Vec<File> = Vec::new();
    for entry in entries.into_iter().filter(|f| f.kind.is_file()) {
        files.retain(|f| f.path != entry.path);
        files.push(entry);
    }
    findings.extend(checksums(&files));
    let mut held = Vec::new();
    if let Ok(node) = node {
        let tree = Tree::Memory(files.into_iter().map(|f| (f.path, f.bytes)).collect());
        match &node.product.platform {
            Some(platform) if node.role != NodeRole::Nginx => {
                match platform::observe(&tree, platform::BUNDLE, platform.release, &options.store_password) {
                    Ok(observed) => {
                        findings.extend(platform::judge(&observed, options));
                        held.extend(observed.tls_store().map(|h| (Shared::TlsStore, h)));
                        held.extend(observed.encryption_key().map(|h| (Shared::EncryptionKey, h)));
                    }
                    Err(finding) => findings.push(finding),
                }
            }
            _ => {
                let observation = observe::node(&tree, node.product, node.role, options)?;
                findings.extend(rules::run(&observation, options));
                if let Some(KeyLookup::Found(entry)) = observation.keys.get(CertRole::Ssl) {
                    let location = entry.location.clone();
                    let value = entry.key_public.clone().map(Zeroizing::new);
                    held.extend(value.map(|value| (Shared::Key, Held { location, value })));
                }
            }
        }
    }
    Ok(NodeReport {
        report: Report::new(super::SCHEMA, path.display().to_string(), findings),
        held,
    })
}

/// The node the bundle was made for, as its iospki-bundle.json says (the one tar leaves: the last). Without a
/// valid one, a problem naming it, and no node to judge the files as: neither the files that happen to be there
/// nor INSTALL.txt, which is written for people, decide what a node is.
fn node_of(files: &[File]) -> std::result::Result<Manifest, Finding> {
    let fix = "make the bundle again with iospki bundle, which writes iospki-bundle.json; the node's files were not \
               judged";
    let Some(file) = files
        .iter()
        .rev()
        .find(|f| f.path == Path::new(manifest::FILE) && f.kind.is_file())
    else {
        let what = "is missing: the bundle does not say which product and node it is for";
        return Err(Finding::problem(manifest::FILE, what, fix));
    };
    Manifest::parse(&file.bytes).map_err(|error| {
        let what = match error {
            Error::Unreadable { reason, .. } => reason,
            other => other.to_string(),
        };
        Finding::problem(manifest::FILE, what, fix)
    })
}

/// What bundle writes for the node: regular files only, owned by 0:0, and, when its manifest says which node it
/// is, only the files of the node's role, each with its mode (secrets 0600); INSTALL.txt for its installer.
fn entries_as_bundled(entries: &[File], node: Option<&Manifest>) -> Vec<Finding> {
    let fix = "the bundle was changed after iospki made it: make it again with iospki bundle";
    let mut findings = Vec::new();
    if !entries
        .iter()
        .any(|f| f.path == Path::new("INSTALL.txt") && f.kind.is_file())
    {
        findings.push(Finding::problem(
            "INSTALL.txt",
            "is missing: the bundle does not say where its files go",
            fix,
        ));
    }
    for (at, entry) in entries.iter().enumerate() {
        let location = entry.path.display().to_string();
        let bundled = node.map(|node| (node.role, bundled_mode(node.product, node.role, &entry.path)));
        let what = match bundled {
            _ if entry.irregular.is_some() => entry.irregular.unwrap_or_default().to_owned(),
            _ if entries[at + 1..].iter().any(|later| later.path == entry.path) => {
                "appears twice in the archive: tar installs the later one over it".to_owned()
            }
            _ if !entry.kind.is_file() => format!("is a {}, not a regular file", kind_name(entry.kind)),
            Some((role, None)) => format!("is not a file iospki bundles for a {} node", role.name()),
            Some((_, Some(mode))) if entry.mode != mode => {
                format!("has mode {:04o}; bundle writes it {mode:04o}", entry.mode)
            }
            _ if entry.owner != (0, 0) => {
                format!("is owned by {}:{}; bundle writes 0:0", entry.owner.0, entry.owner.1)
            }
            _ => continue,
        };
        findings.push(Finding::problem(location, what, fix));
    }
    findings
}

/// The mode bundle gives `path` in a bundle of `role`, if it bundles such a file.
fn bundled_mode(product: &Product, role: NodeRole, path: &Path) -> Option<u32> {
    if [
        Path::new("INSTALL.txt"),
        Path::new(manifest::FILE),
        Path::new("SHA256SUMS"),
    ]
    .contains(&path)
    {
        return Some(crate::io::output::PUBLIC_MODE);
    }
    product
        .files_of(role, true)
        .find(|(_, placement)| Path::new(placement.path) == path)
        .map(|(spec, _)| spec.mode())
}

/// What tar makes of an entry that is not a regular file.
fn kind_name(kind: tar::EntryType) -> &'static str {
    match kind {
        tar::EntryType::Symlink => "symbolic link",
        tar::EntryType::Link => "hard link",
        tar::EntryType::Directory => "directory",
        tar::EntryType::Char => "character device",
        tar::EntryType::Block => "block device",
        tar::EntryType::Fifo => "FIFO",
        _ => "special entry",
    }
}

/// Every entry of every gzip member, as tar reads them. The decompressed stream (headers, GNU long names and
/// PAX extensions included) may not exceed [`MAX_UNPACKED`], so no header can make it grow past.
fn read_archive(path: &Path, data: &[u8]) -> Result<Vec<File>> {
    let unreadable = |reason: String| Error::unreadable(path, reason);
    let broken = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::FileTooLarge => unreadable("holds more than a bundle ever does".into()),
        _ => unreadable(format!("not a .tar.gz: {e}")),
    };
    let before_end = entries_before_end(data);
    let mut archive = tar::Archive::new(capped(data));
    // Past an end-of-archive marker too: what follows it is what `tar -i`, or a stripped marker, installs.
    archive.set_ignore_zeros(true);
    let mut files = Vec::new();
    for entry in archive.entries().map_err(broken)? {
        let mut entry = entry.map_err(broken)?;
        let irregular = irregular(&mut entry, files.len() >= before_end);
        if files.len() >= MAX_ENTRIES {
            return Err(unreadable("holds more entries than a bundle ever does".into()));
        }
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
        let header = entry.header();
        let (kind, mode) = (header.entry_type(), header.mode().unwrap_or(0));
        let owner = (header.uid().unwrap_or(u64::MAX), header.gid().unwrap_or(u64::MAX));
        let mut bytes = Zeroizing::new(Vec::new());
        if kind.is_file() {
            entry.read_to_end(&mut bytes).map_err(broken)?;
        }
        if name.as_os_str().is_empty() && kind.is_dir() {
            continue;
        }
        files.push(File {
            path: name,
            kind,
            mode,
            owner,
            bytes,
            irregular,
        });
    }
    Ok(files)
}

/// The decompressed stream of every gzip member of `data`, capped at [`MAX_UNPACKED`].
fn capped(data: &[u8]) -> Capped<flate2::read::MultiGzDecoder<&[u8]>> {
    Capped {
        inner: flate2::read::MultiGzDecoder::new(data),
        left: MAX_UNPACKED,
    }
}

/// How many entries `tar -xzpf` reads before it stops at the first end-of-archive marker.
fn entries_before_end(data: &[u8]) -> usize {
    let mut archive = tar::Archive::new(capped(data));
    archive
        .entries()
        .map_or(0, |entries| entries.take_while(Result::is_ok).count())
}

/// What makes `entry`'s header other than the plain ustar header `bundle` writes: GNU tar and the tar crate
/// read long names, PAX records, owner names and trailing slashes differently, and stop at an end marker.
fn irregular<R: Read>(entry: &mut tar::Entry<'_, R>, after_end: bool) -> Option<&'static str> {
    let pax = !matches!(entry.pax_extensions(), Ok(None));
    let header = entry.header();
    let named = |name: Result<Option<&str>, std::str::Utf8Error>| matches!(name, Ok(None | Some("" | "root")));
    let extended = entry.path_bytes() != header.path_bytes();
    if after_end {
        Some("comes after the end-of-archive marker: tar -xzpf stops before it")
    } else if extended || pax {
        Some("has an extended header (GNU long name or PAX), which tar implementations read differently")
    } else if !named(header.username()) || !named(header.groupname()) {
        Some("names an owner other than root, which tar as root restores by name")
    } else if entry.path_bytes().ends_with(b"/") && !header.entry_type().is_dir() {
        Some("ends in a slash, where tar makes a directory")
    } else {
        None
    }
}

/// A reader that fails with `FileTooLarge` once more than `left` bytes would come out of `inner`.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return match self.inner.read(&mut [0u8; 1])? {
                0 => Ok(0),
                _ => Err(std::io::ErrorKind::FileTooLarge.into()),
            };
        }
        let most = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let read = self.inner.read(&mut buf[..most])?;
        self.left -= read as u64;
        Ok(read)
    }
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
    // A line per file of at most MAX_ENTRIES files: a longer one was not written by bundle.
    if sums.bytes.len() > MAX_ENTRIES * 512 {
        return vec![problem("SHA256SUMS", "is longer than any bundle's")];
    }
    let listed: Vec<(&str, &str)> = std::str::from_utf8(&sums.bytes)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once("  "))
        .collect();
    let mut findings = Vec::new();
    for file in files.iter().filter(|f| f.path != Path::new("SHA256SUMS")) {
        let name = file.path.display().to_string();
        let digest = crate::vocab::hex::lower(&Sha256::digest(&file.bytes));
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
