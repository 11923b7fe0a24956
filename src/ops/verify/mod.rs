//! `iospki verify`: open everything the way the server will, and report each problem as one line saying what,
//! where and how to fix it.
//!
//! Two steps. [`observe`] reads a source (an `init` output directory, a server home, or a bundle archive held in
//! memory) into an [`observe::Observation`]: the stores as the configuration names them, opened with its
//! passwords, the certificates found in them as typed facts, and a finding for whatever could not be read.
//! [`rules`] then judges what was observed, each rule a pure function with tests of its own.

mod bundle;
mod observe;
mod rules;
mod tree;

use std::path::Path;

use time::OffsetDateTime;

pub(crate) use bundle::verify_archive;
pub use bundle::{verify_bundle, verify_bundles};

pub use crate::ops::findings::{Finding, Report, Severity};

use crate::error::{Error, Result};
use crate::io::secret::Password;
use crate::model::product::Product;

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

/// Verifies the output directory of `iospki init`.
pub fn verify_output(dir: &Path, options: &Options) -> Result<Report> {
    require_dir(dir)?;
    let (ledger, unreadable) = match crate::model::ledger::Ledger::load(dir) {
        Ok(ledger) => (ledger, None),
        Err(e) => (None, Some(unreadable_ledger(e))),
    };
    let tree = tree::Tree::dir(dir).map_err(|e| Error::io(dir, e))?;
    let observation = observe::output(&tree, ledger, options)?;
    let findings = unreadable
        .into_iter()
        .chain(rules::run(&observation, options))
        .collect();
    Ok(Report::new(SCHEMA, dir.display().to_string(), findings))
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
