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

use std::fmt;
use std::path::Path;

use time::OffsetDateTime;

pub(crate) use bundle::verify_archive;
pub use bundle::{verify_bundle, verify_bundles};

use crate::error::{Error, Result};
use crate::io::secret::Password;
use crate::model::product::Product;

/// The JSON schema identifier of the report.
pub const SCHEMA: &str = "iospki.verify/1";

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something the server or its clients will trip over: verify exits 1.
    Problem,
    /// Worth changing, not broken (a published default password).
    Warning,
}

/// One thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Finding {
    /// Problem or warning.
    pub severity: Severity,
    /// The file, and alias where there is one.
    pub location: String,
    /// What is wrong.
    pub what: String,
    /// How to fix it.
    pub fix: String,
}

impl Finding {
    /// A problem at `location`.
    pub fn problem(location: impl Into<String>, what: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Problem,
            location: location.into(),
            what: what.into(),
            fix: fix.into(),
        }
    }

    /// A warning at `location`.
    pub fn warning(location: impl Into<String>, what: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Warning,
            ..Finding::problem(location, what, fix)
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Problem => "problem",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: {}: {}; {}", self.location, self.what, self.fix)
    }
}

/// Everything verify found.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// What was verified.
    pub target: String,
    /// The findings, problems and warnings, in the order found.
    pub findings: Vec<Finding>,
}

impl Report {
    /// A report on `target` of `findings`, each once, in the order found.
    pub fn new(target: String, findings: Vec<Finding>) -> Report {
        let mut seen = std::collections::HashSet::with_capacity(findings.len());
        let unique = findings.into_iter().filter(|f| seen.insert(f.clone())).collect();
        Report {
            schema: SCHEMA,
            target,
            findings: unique,
        }
    }

    /// The number of problems (warnings do not count).
    pub fn problems(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Problem).count()
    }
}

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
    Ok(Report::new(dir.display().to_string(), findings))
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
