//! Bundles as trees and archives: per node, its files laid out as its server home (nginx gets its certificate
//! chain and key) with INSTALL.txt and SHA256SUMS, and one reproducible .tar.gz: sorted entries, fixed owner and
//! timestamps, modes kept, secrets 0600.

use std::io::Write as _;

use super::{BundleFile, node_bundles};
use crate::error::{Error, Result};
use crate::io::output::{Plan, SECRET_MODE};
use crate::model::cluster::Cluster;
use crate::model::set::Set;
use crate::vocab::roles::CertRole;

/// The bundles of `set` for `cluster`, as a plan: `NODE/...` trees and `NODE.tar.gz` files. `on_node` hears of
/// each node before its archive is made, as (count so far, of how many, its name): a cluster of a thousand
/// hosts takes a while.
pub fn plan(set: &Set, cluster: &Cluster, mut on_node: impl FnMut(usize, usize, &str)) -> Result<Plan> {
    let stamp = mtime(set)?;
    let mut plan = Plan::default();
    let bundles = node_bundles(set, cluster)?;
    for (index, bundle) in bundles.iter().enumerate() {
        let name = &bundle.node.name;
        on_node(index + 1, bundles.len(), &name.to_string());
        let archive = name.archive_name();
        let tarball = tarball(&bundle.files, stamp).map_err(|e| Error::io(&archive, e))?;
        for file in &bundle.files {
            plan.add_shared(
                format!("{name}/{}", file.path),
                file.contents.clone(),
                file.mode,
                "bundle file",
            );
        }
        plan.add(archive, tarball, SECRET_MODE, "bundle archive");
    }
    Ok(plan)
}

/// The archives' timestamp: the SSL certificate's notBefore, so that a bundle changes only with the set.
fn mtime(set: &Set) -> Result<u64> {
    let der = set.certificate(CertRole::Ssl)?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der)
        .map_err(|e| Error::unreadable(CertRole::Ssl.name(), e.to_string()))?;
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
