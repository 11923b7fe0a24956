//! What a check found: findings, each a problem or a warning saying what is wrong, where and how to fix it, and
//! the report that gathers them. `verify` and `apns check-request` report in it.

use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something the server or its clients will trip over: the check exits 1.
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

    /// Whether it is a problem (not a warning).
    pub fn is_problem(&self) -> bool {
        self.severity == Severity::Problem
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

/// Everything a check found.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// The JSON schema identifier of the check that made it.
    pub schema: &'static str,
    /// What was checked.
    pub target: String,
    /// The findings, problems and warnings, in the order found.
    pub findings: Vec<Finding>,
}

impl Report {
    /// A report of the check `schema` on `target` of `findings`, each once, in the order found.
    pub fn new(schema: &'static str, target: String, findings: Vec<Finding>) -> Report {
        let mut seen = std::collections::HashSet::with_capacity(findings.len());
        let unique = findings.into_iter().filter(|f| seen.insert(f.clone())).collect();
        Report {
            schema,
            target,
            findings: unique,
        }
    }

    /// The number of problems (warnings do not count).
    pub fn problems(&self) -> usize {
        self.findings.iter().filter(|f| f.is_problem()).count()
    }
}
