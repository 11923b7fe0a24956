//! `iospki verify`: a set, a server home, bundles or APNs files judged as the server will read them.
//! It may import every layer below `ops`, and other modules of `ops` (`findings`, `build`, another command's).
//!
//! It opens everything the way the server will, and reports each problem as one line saying what, where and how
//! to fix it.
//!
//! Two steps. [`observe`] reads a source (an `init` output directory, a server home, or a bundle archive held in
//! memory) into an [`observe::Observation`]: the stores as the configuration names them, opened with its
//! passwords, the certificates found in them as typed facts, and a finding for whatever could not be read.
//! [`rules`] then judges what was observed, each rule a pure function with tests of its own. The deployment.toml
//! products (Identity Server 7, API Manager 4) are observed and judged by [`platform`], from their
//! deployment.toml or deployment-security.toml, each finding at the file and line that causes it.

mod bundle;
mod observe;
mod platform;
mod rules;
mod tree;
mod vault;

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

pub(crate) use bundle::verify_archive;
pub use bundle::{verify_bundle, verify_bundles};

pub use crate::ops::findings::{Finding, Report, Severity};

use crate::error::{Error, Result};
use crate::io::secret::Password;
use crate::model::product::{Product, ProductId};

/// The JSON schema identifier of the report.
pub const SCHEMA: &str = "iospki.verify/1";

/// What verify needs besides the files.
#[derive(Debug)]
pub struct Options {
    /// The store password of an init output directory or bundle (a server home takes its passwords from its XML).
    pub store_password: Password,
    /// carbon.xml's KeyAlias for an init output directory or bundle.
    pub ssl_alias: String,
    /// Certificates expiring within this time from `now` are problems.
    pub within: time::Duration,
    /// The time to judge validity at.
    pub now: OffsetDateTime,
}

/// What to verify.
#[derive(Debug)]
pub enum Target {
    /// The output directory of `iospki init`.
    Output(PathBuf),
    /// A server home of a product.
    Home(PathBuf, ProductId),
    /// Bundle archives: one, or the archives of one cluster.
    Bundles(Vec<PathBuf>),
    /// The output directory of `iospki apns import`.
    Apns(PathBuf),
}

/// A verification: what, and how.
#[derive(Debug)]
pub struct VerifyRequest {
    /// What to verify.
    pub target: Target,
    /// The store password of an init output directory, bundle or APNs directory (a server home takes its
    /// passwords from its XML); else WSO2's default.
    pub store_password: Option<Password>,
    /// carbon.xml's KeyAlias for an init output directory or bundle.
    pub ssl_alias: String,
    /// Certificates expiring within this time from now are problems.
    pub within: time::Duration,
}

/// Verifies the request's target now: the report's problems make the exit code 1.
pub fn run(request: VerifyRequest) -> Result<Report> {
    let options = &Options {
        store_password: crate::ops::password_or_default(request.store_password),
        ssl_alias: request.ssl_alias,
        within: request.within,
        now: crate::formats::issue::now(),
    };
    match &request.target {
        Target::Output(dir) => verify_output(dir, options),
        Target::Home(home, product) => verify_home(home, product.product(), options),
        Target::Bundles(bundles) if bundles.len() == 1 => verify_bundle(&bundles[0], options),
        Target::Bundles(bundles) => verify_bundles(bundles, options),
        Target::Apns(dir) => crate::ops::apns::verify_import(dir, &options.store_password, options.within, options.now),
    }
}

/// Verifies the output directory of `iospki init`.
pub fn verify_output(dir: &Path, options: &Options) -> Result<Report> {
    require_dir(dir)?;
    let (ledger, unreadable) = match crate::model::ledger::Ledger::load(dir) {
        Ok(ledger) => (ledger, None),
        Err(e) => (None, Some(unreadable_ledger(e))),
    };
    let tree = tree::Tree::dir(dir).map_err(|e| Error::io(dir, e))?;
    let cluster = ledger.as_ref().map(|l| &l.settings.cluster);
    if let Some((cluster, platform)) = cluster.and_then(|c| c.product().platform.as_ref().map(|p| (c, p))) {
        // The set's ledger says which names its TLS certificate must carry.
        let hosts = cluster.ssl_hosts().iter().map(|h| h.to_string()).collect();
        let names = Some((crate::model::product::LEDGER_FILE.to_owned(), hosts));
        let findings = platform::verify(&tree, platform::OUTPUT, platform.release, names, options);
        return Ok(Report::new(SCHEMA, dir.display().to_string(), findings));
    }
    let observation = observe::output(&tree, ledger, options)?;
    let findings = unreadable
        .into_iter()
        .chain(rules::run(&observation, options))
        .collect();
    Ok(Report::new(SCHEMA, dir.display().to_string(), findings))
}

/// Verifies the set an operation just wrote to `dir`, as `iospki verify` would, with the stores' password and
/// KeyAlias it wrote. Expiry is not judged: the operation chose the validity.
pub(crate) fn written(dir: &Path, store_password: Password, ssl_alias: &str) -> Result<Report> {
    let options = Options {
        store_password,
        ssl_alias: ssl_alias.to_owned(),
        within: time::Duration::ZERO,
        now: crate::formats::issue::now(),
    };
    verify_output(dir, &options)
}

/// A ledger that does not load is a problem of its own (rotate and bundle refuse the set); the files are judged
/// without it.
fn unreadable_ledger(error: Error) -> Finding {
    let what = match error {
        Error::Unreadable { reason, .. } => reason,
        other => other.to_string(),
    };
    Finding::problem(
        crate::model::product::LEDGER_FILE,
        what,
        "rotate and bundle refuse this set; make it again with iospki init --force",
    )
}

/// Verifies a server home of `product`: carbon.xml names the key and trust stores, the product's other files
/// the rest (certificate-config.xml the SCEP store, the apps' SSO settings their stores).
pub fn verify_home(home: &Path, product: &'static Product, options: &Options) -> Result<Report> {
    require_dir(home)?;
    if let Some(platform) = &product.platform {
        platform::require_config(home)?;
        let tree = tree::Tree::dir(home).map_err(|e| Error::io(home, e))?;
        let findings = platform::verify(&tree, platform::HOME, platform.release, None, options);
        return Ok(Report::new(SCHEMA, home.display().to_string(), findings));
    }
    let observation = observe::home(home, product, options)?;
    Ok(Report::new(
        SCHEMA,
        home.display().to_string(),
        rules::run(&observation, options),
    ))
}

/// An error unless `dir` is a directory.
pub(crate) fn require_dir(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(Error::io(dir, std::io::Error::other("is not a directory"))),
        Err(e) => Err(Error::io(dir, e)),
    }
}
