//! `verify --bundle`: an archive from `iospki bundle`, checked against its SHA256SUMS (a changed or an unlisted
//! file is a problem), then judged in memory as the node it was made for will use it. Nothing is unpacked to disk.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::tree::Tree;
use super::{Finding, Options, Report, observe, rules};
use crate::error::{Error, Result};
use crate::input::{self, Kind};
use crate::product::NodeRole;

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
    let files = read_archive(path)?;
    let mut findings = checksums(&files);
    let role = role(&files, &mut findings);
    let tree = Tree::Memory(files.into_iter().map(|f| (f.path, f.bytes)).collect());
    let observation = observe::node(&tree, role, options);
    findings.extend(rules::run(&observation, options));
    Ok(Report::new(path.display().to_string(), findings))
}

/// The role of the node the bundle was made for, as its INSTALL.txt says; without one, what its files suggest.
fn role(files: &[File], findings: &mut Vec<Finding>) -> NodeRole {
    let install = files.iter().find(|f| f.path == Path::new("INSTALL.txt"));
    let said = install.and_then(|f| {
        let text = std::str::from_utf8(&f.bytes).ok()?;
        let first = text.lines().next()?;
        let (_, rest) = first.split_once(", ")?;
        let name = rest.split(" of the cluster ").next()?;
        NodeRole::from_name(name)
    });
    if let Some(role) = said {
        return role;
    }
    findings.push(Finding::problem(
        "INSTALL.txt",
        "does not say which node the bundle is for",
        "the bundle was changed after iospki made it: make it again with iospki bundle",
    ));
    let has = |name: &str| files.iter().any(|f| f.path == Path::new(name));
    if has("ssl/iots-chain.pem") {
        NodeRole::Nginx
    } else if has("conf/iot-api-config.xml") {
        NodeRole::Manager
    } else if has("repository/conf/certificate-config.xml") {
        NodeRole::Worker
    } else {
        NodeRole::KeyManager
    }
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
