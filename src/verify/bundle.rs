//! `verify --bundle`: an archive from `iospki bundle`, checked against its SHA256SUMS (a changed or an unlisted
//! file is a problem), then unpacked into a private temporary directory and checked as its node will use it.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Finding, Layout, Options, Report, SCHEMA, Severity, checks};
use crate::error::{Error, Result};

/// More than a bundle ever holds; a larger archive is refused before it fills the disk.
const MAX_UNPACKED: u64 = 64 << 20;
const MAX_ENTRIES: usize = 256;

/// One file of the archive: path, bytes, mode.
type File = (String, Vec<u8>, u32);

/// Verifies the bundle archive at `path`.
pub fn verify_bundle(path: &Path, options: &Options) -> Result<Report> {
    let files = read_archive(path)?;
    let mut findings = checksums(&files);
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    for (name, bytes, mode) in &files {
        let target = dir.path().join(name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&target, bytes).map_err(|e| Error::io(&target, e))?;
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(*mode)).map_err(|e| Error::io(&target, e))?;
    }
    let node = if dir.path().join("ssl/iots-chain.pem").exists() {
        checks::nginx(dir.path(), options)
    } else {
        checks::run(&layout(dir.path(), options), options).findings
    };
    findings.extend(node);
    Ok(Report {
        schema: SCHEMA,
        target: path.display().to_string(),
        findings,
    })
}

/// A node's server home as a bundle lays it out; the XML files are checked where the node has them.
fn layout(home: &Path, options: &Options) -> Layout {
    let present = |path: PathBuf| path.exists().then_some(path);
    let xml = [
        home.join("repository/conf/certificate-config.xml"),
        home.join("conf/iot-api-config.xml"),
    ]
    .map(present);
    Layout::with_jks_stores(
        home,
        &home.join("repository/resources/security"),
        options,
        xml,
        Some(home.to_path_buf()),
    )
}

fn read_archive(path: &Path) -> Result<Vec<File>> {
    let unreadable = |reason: String| Error::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
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
        let mode = entry.header().mode().map_err(|e| unreadable(e.to_string()))? & 0o777;
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| unreadable(format!("not a .tar.gz: {e}")))?;
        files.push((name.display().to_string(), bytes, mode));
    }
    Ok(files)
}

/// Every file matches its SHA256SUMS line, and every file but SHA256SUMS has one.
fn checksums(files: &[File]) -> Vec<Finding> {
    let problem = |location: &str, what: &str| Finding {
        severity: Severity::Problem,
        location: location.to_owned(),
        what: what.to_owned(),
        fix: "the bundle was changed after iospki made it: make it again with iospki bundle".into(),
    };
    let Some((_, sums, _)) = files.iter().find(|(name, _, _)| name == "SHA256SUMS") else {
        return vec![problem("SHA256SUMS", "is missing")];
    };
    let listed: Vec<(&str, &str)> = std::str::from_utf8(sums)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once("  "))
        .collect();
    let mut findings = Vec::new();
    for (name, bytes, _) in files.iter().filter(|(name, _, _)| name != "SHA256SUMS") {
        let digest: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        match listed.iter().find(|(_, path)| path == name) {
            None => findings.push(problem(name, "is not in SHA256SUMS")),
            Some((sum, _)) if *sum != digest => findings.push(problem(name, "does not match its SHA256SUMS line")),
            Some(_) => {}
        }
    }
    for (_, path) in &listed {
        if !files.iter().any(|(name, _, _)| name == path) {
            findings.push(problem(path, "is listed in SHA256SUMS but missing"));
        }
    }
    findings
}
