//! Bundles as trees and archives: one tree per node of the cluster, laid out as that node's server home (nginx
//! gets its certificate chain and key), each with INSTALL.txt and SHA256SUMS, and one reproducible .tar.gz per
//! node: sorted entries, fixed owner and timestamps, modes kept, secrets 0600.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Role, nodes, read, ssl_chain};
use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::output::{PUBLIC_MODE, Plan, SECRET_MODE};

/// The bundles of the set in `dir` for `cluster`, as a plan: `NODE/...` trees and `NODE.tar.gz` files.
pub fn plan(dir: &Path, cluster: &Cluster) -> Result<Plan> {
    let stamp = mtime(dir)?;
    let mut plan = Plan::default();
    for (node, role) in nodes(cluster) {
        let mut files: Vec<(String, Vec<u8>, u32)> = Vec::new();
        for (path, source, _) in role.files() {
            let (bytes, mode) = read(&dir.join(source))?;
            files.push(((*path).to_owned(), bytes, mode));
        }
        if role == Role::LoadBalancer {
            files.push(("ssl/iots-chain.pem".into(), ssl_chain(dir)?, PUBLIC_MODE));
        }
        files.push((
            "INSTALL.txt".into(),
            install_text(&node, role, cluster).into_bytes(),
            PUBLIC_MODE,
        ));
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files.push(("SHA256SUMS".into(), checksums(&files).into_bytes(), PUBLIC_MODE));
        let tarball = tarball(&files, stamp).map_err(|e| Error::io(format!("{node}.tar.gz"), e))?;
        for (path, bytes, mode) in files {
            plan.add(format!("{node}/{path}"), bytes, mode, "bundle file");
        }
        plan.add(format!("{node}.tar.gz"), tarball, SECRET_MODE, "bundle archive");
    }
    Ok(plan)
}

/// The archives' timestamp: the SSL certificate's notBefore, so that a bundle changes only with the set.
fn mtime(dir: &Path) -> Result<u64> {
    let path = dir.join("ia.crt");
    let der = pem::parse(read(&path)?.0).map_err(|e| Error::Unreadable {
        path: path.clone(),
        reason: format!("not a PEM certificate: {e}"),
    })?;
    let (_, cert) = x509_parser::parse_x509_certificate(der.contents()).map_err(|e| Error::Unreadable {
        path,
        reason: e.to_string(),
    })?;
    Ok(u64::try_from(cert.validity().not_before.timestamp()).unwrap_or(0))
}

/// `sha256sum` lines for every file, as `sha256sum -c` reads them.
fn checksums(files: &[(String, Vec<u8>, u32)]) -> String {
    let mut text = String::new();
    for (path, bytes, _) in files {
        let digest: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(text, "{digest}  {path}");
    }
    text
}

/// A gzip'ed tar of `files` in their order: no directory entries (extracting over a server home must not change
/// its directories), owner 0:0, mode kept, every timestamp `stamp`, gzip header without time or name.
fn tarball(files: &[(String, Vec<u8>, u32)], stamp: u64) -> std::io::Result<Vec<u8>> {
    let gzip = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    let mut archive = tar::Builder::new(gzip);
    archive.mode(tar::HeaderMode::Deterministic);
    for (path, bytes, mode) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(*mode);
        header.set_mtime(stamp);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        archive.append_data(&mut header, path, bytes.as_slice())?;
    }
    let mut gzip = archive.into_inner()?;
    gzip.flush()?;
    gzip.finish()
}

fn install_text(node: &str, role: Role, cluster: &Cluster) -> String {
    let mut text = format!(
        "iospki bundle for {node}, {} of the cluster {}.\n\n",
        role.name(),
        cluster.domain()
    );
    if role == Role::LoadBalancer {
        text.push_str(
            "Copy ssl/iots-chain.pem and ssl/iots.key (mode 0600) to /etc/nginx/ssl/ and set, in the server blocks of\n\
             every cluster host:\n\n    ssl_certificate     /etc/nginx/ssl/iots-chain.pem;\n    \
             ssl_certificate_key /etc/nginx/ssl/iots.key;\n\nThen: nginx -t && systemctl reload nginx\n",
        );
    } else {
        text.push_str(
            "Unpack over the node's server home, keeping modes (the files replace the ones of the same name):\n\n",
        );
        let _ = writeln!(text, "    tar -xzpf {node}.tar.gz -C <IOTS_HOME>\n");
        text.push_str("Files:\n");
        for (path, _, description) in role.files() {
            let _ = writeln!(text, "    {path:<52} {description}");
        }
        text.push_str(
            "\nThen restart the IoT Server on this node: Java reads its stores only at start.\n\
             Restart the nodes one at a time.\n",
        );
    }
    text.push_str("\nCheck the files first, in this directory: sha256sum -c SHA256SUMS\n");
    text
}
