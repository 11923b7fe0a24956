//! `iospki verify`: open everything the way the server will, and report each problem as one line saying what,
//! where and how to fix it. Two layouts: an `init` output directory, or a server home (`--iots-home`) read through
//! its carbon.xml, certificate-config.xml and iot-api-config.xml.

mod bundle;
mod checks;
pub mod crypto;

use std::fmt;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

pub use bundle::verify_bundle;

use crate::error::{Error, Result};
use crate::secret::Password;
use crate::wso2::read::{self, StoreRef};

/// The JSON schema identifier of the report.
pub const SCHEMA: &str = "iospki.verify/1";

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something the server or its clients will trip over: verify exits 1.
    Problem,
    /// Worth changing, not broken (a published default password).
    Warning,
}

/// One thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    /// The number of problems (warnings do not count).
    pub fn problems(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Problem).count()
    }
}

/// What verify needs besides the files.
#[derive(Debug)]
pub struct Options {
    /// The store password of an init output directory (a server home takes its passwords from its XML).
    pub store_password: Password,
    /// carbon.xml's KeyAlias for an init output directory.
    pub ssl_alias: String,
    /// Certificates expiring within this time from `now` are problems.
    pub within: time::Duration,
    /// The time to judge validity at.
    pub now: OffsetDateTime,
}

/// Where the server's files are.
#[derive(Debug)]
struct Layout {
    target: PathBuf,
    keystore: StoreRef,
    key_alias: String,
    key_password: Password,
    truststore: StoreRef,
    /// certificate-config.xml, where this layout has one (a key manager's bundle has none).
    certificate_config: Option<PathBuf>,
    /// iot-api-config.xml, where this layout has one (only managers do).
    iot_api_config: Option<PathBuf>,
    /// `${carbon.home}` for a server home; `None` for an output directory, where stores sit beside the XML.
    home: Option<PathBuf>,
}

impl Layout {
    /// The layout iospki itself writes: wso2carbon.jks and client-truststore.jks as JKS in `stores`, opened with the
    /// store password and `options`' alias; certificate-config.xml and iot-api-config.xml where given.
    fn with_jks_stores(
        target: &Path,
        stores: &Path,
        options: &Options,
        [certificate_config, iot_api_config]: [Option<PathBuf>; 2],
        home: Option<PathBuf>,
    ) -> Layout {
        let store = |name: &str| StoreRef {
            location: stores.join(name),
            store_type: "JKS".into(),
            password: options.store_password.clone(),
        };
        Layout {
            target: target.to_path_buf(),
            keystore: store("wso2carbon.jks"),
            key_alias: options.ssl_alias.clone(),
            key_password: options.store_password.clone(),
            truststore: store("client-truststore.jks"),
            certificate_config,
            iot_api_config,
            home,
        }
    }
}

/// Verifies the output directory of `iospki init`.
pub fn verify_output(dir: &Path, options: &Options) -> Result<Report> {
    require_dir(dir)?;
    let xml = [dir.join("certificate-config.xml"), dir.join("iot-api-config.xml")].map(Some);
    let layout = Layout::with_jks_stores(dir, dir, options, xml, None);
    Ok(checks::run(&layout, options))
}

/// Verifies a server home: carbon.xml names the key and trust stores, certificate-config.xml the SCEP store.
pub fn verify_iots_home(home: &Path, options: &Options) -> Result<Report> {
    require_dir(home)?;
    let carbon_xml = home.join("repository/conf/carbon.xml");
    let carbon = read::carbon_stores(&carbon_xml, home).map_err(|reason| Error::Unreadable {
        path: carbon_xml.clone(),
        reason,
    })?;
    let layout = Layout {
        target: home.to_path_buf(),
        keystore: carbon.keystore,
        key_alias: carbon.key_alias,
        key_password: carbon.key_password,
        truststore: carbon.truststore,
        certificate_config: Some(home.join("repository/conf/certificate-config.xml")),
        iot_api_config: Some(home.join("conf/iot-api-config.xml")),
        home: Some(home.to_path_buf()),
    };
    Ok(checks::run(&layout, options))
}

fn require_dir(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(Error::io(dir, std::io::Error::other("is not a directory"))),
        Err(e) => Err(Error::io(dir, e)),
    }
}
