//! Bundles as trees and archives: per node, its files laid out as its server home (nginx gets its certificate
//! chain and key) with INSTALL.txt, iospki-bundle.json and SHA256SUMS, and one reproducible .tar.gz: sorted
//! entries, fixed owner and timestamps, modes kept, secrets 0600.
//!
//! A cluster has up to a thousand nodes, so nothing is held for all of them: one worker per core takes the
//! next node, writes its tree and its archive into the staging directory as soon as they are made, and drops
//! them; the whole is published at once. An archive's bytes do not depend on which worker made it.

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::{BundleFile, NodeBundle, Progress, WrittenFile, node_bundles};
use crate::error::{Error, Result};
use crate::io::output::{Lock, Plan, SECRET_MODE, Staged};
use crate::model::cluster::Cluster;
use crate::model::product::Holds;
use crate::model::set::Set;
use crate::vocab::roles::CertRole;

/// Writes the bundles of `set`, read from `set_dir`, for `cluster` into `out`, atomically: `NODE/...` trees and
/// `NODE.tar.gz` archives. `progress` hears of each node as its archive is made. The list of what was written,
/// each node's tree then its archive.
pub fn publish(
    set: &Set,
    set_dir: &Path,
    cluster: &Cluster,
    out: &Path,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<Vec<WrittenFile>> {
    let stamp = mtime(set, set_dir)?;
    let bundles = node_bundles(set, cluster)?;
    let written: Vec<WrittenFile> = bundles.iter().flat_map(listing).collect();
    progress(Progress::Writing(written.len()));
    let lock = Lock::take(out)?;
    let later = written.iter().map(|f| f.name.clone()).collect();
    let staged = Plan::default().stage(out, true, &lock, later)?;
    write_all(&bundles, stamp, &staged, progress)?;
    staged.publish()?;
    Ok(written)
}

/// What `bundle` writes for one node: its tree, then its archive.
fn listing(bundle: &NodeBundle) -> Vec<WrittenFile> {
    let name = &bundle.node.name;
    let tree = bundle.files.iter().map(|file| WrittenFile {
        name: format!("{name}/{}", file.path),
        mode: file.mode,
        description: "bundle file",
    });
    let archive = WrittenFile {
        name: name.archive_name(),
        mode: SECRET_MODE,
        description: "bundle archive",
    };
    tree.chain([archive]).collect()
}

/// Every node's tree and archive, written by one worker per core, each taking the next node; the first error
/// stops them all.
fn write_all(
    bundles: &[NodeBundle],
    stamp: u64,
    staged: &Staged<'_>,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<()> {
    let (next, done, failed) = (AtomicUsize::new(0), AtomicUsize::new(0), AtomicBool::new(false));
    let worker = || -> Result<()> {
        while !failed.load(Ordering::Relaxed) {
            let Some(bundle) = bundles.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let name = bundle.node.name.as_str();
            let count = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress::Node {
                done: count,
                of: bundles.len(),
                name,
            });
            write_node(bundle, stamp, staged).inspect_err(|_| failed.store(true, Ordering::Relaxed))?;
        }
        Ok(())
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(bundles.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers).map(|_| scope.spawn(worker)).collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}

/// One node's tree and archive, into the staging directory.
fn write_node(bundle: &NodeBundle, stamp: u64, staged: &Staged<'_>) -> Result<()> {
    let name = &bundle.node.name;
    for file in &bundle.files {
        staged.write(&format!("{name}/{}", file.path), &file.contents, file.mode)?;
    }
    let archive = name.archive_name();
    let tarball = tarball(&bundle.files, stamp).map_err(|e| Error::io(&archive, e))?;
    staged.write(&archive, &tarball, SECRET_MODE)
}

/// The archives' timestamp: the SSL certificate's notBefore, so that a bundle changes only with the set.
fn mtime(set: &Set, set_dir: &Path) -> Result<u64> {
    let der = set.certificate(CertRole::Ssl)?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).map_err(|e| {
        let file = set
            .product()
            .file_holding(|h| matches!(h, Holds::Certificate(CertRole::Ssl)))
            .map_or("", |spec| spec.name);
        Error::unreadable(set_dir.join(file), format!("not an X.509 certificate: {e}"))
    })?;
    Ok(u64::try_from(cert.validity().not_before.timestamp()).unwrap_or(0))
}

/// A gzip'ed tar of `files` in their order: no directory entries (extracting over a server home must not change
/// its directories), owner 0:0, mode kept, every timestamp `stamp`, gzip header without time or name.
fn tarball(files: &[BundleFile], stamp: u64) -> std::io::Result<Vec<u8>> {
    let gzip = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::fast());
    let mut archive = tar::Builder::new(gzip);
    archive.mode(tar::HeaderMode::Deterministic);
    for file in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(file.contents.len() as u64);
        header.set_mode(file.mode);
        header.set_mtime(stamp);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        archive.append_data(&mut header, &file.path, file.contents.as_slice())?;
    }
    let mut gzip = archive.into_inner()?;
    gzip.flush()?;
    gzip.finish()
}
