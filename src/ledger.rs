//! The ledger iospki keeps beside a set (`iospki-ledger.json`): the settings the set was made with, and every
//! certificate issued for it, so that an issuer name and serial are never used twice for different
//! certificates (Firefox and the macOS keychain reject that) while the documented fixed serials still serve
//! for a first issue.

use std::path::Path;

use rcgen::SerialNumber;

use crate::error::{Error, Result};
use crate::input::{self, Kind};
use crate::issue::random_serial;
use crate::product::CertRole;
pub use crate::settings::Settings;

/// The ledger's file name inside a set's directory.
pub const FILE: &str = "iospki-ledger.json";
const SCHEMA: &str = "iospki.ledger/1";

/// One issued certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// The certificate's role in the set.
    pub role: CertRole,
    /// Issuer name, as x509-parser prints it.
    pub issuer: String,
    /// Serial, hex.
    pub serial_hex: String,
    /// SHA-256 of the certificate.
    pub sha256: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
}

/// The ledger.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    /// Always `iospki.ledger/1`.
    pub schema: String,
    /// The settings of the set.
    pub settings: Settings,
    /// Every certificate issued for the set, oldest first.
    pub issued: Vec<Record>,
}

impl Ledger {
    /// A new ledger for a set made with `settings`.
    pub fn new(settings: Settings) -> Self {
        Ledger {
            schema: SCHEMA.into(),
            settings,
            issued: Vec::new(),
        }
    }

    /// Reads `dir`'s ledger; `None` when there is none.
    pub fn load(dir: &Path) -> Result<Option<Ledger>> {
        let path = dir.join(FILE);
        let text = match input::read_text(&path, Kind::Text) {
            Ok(text) => text,
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        Self::parse(&path, text.as_bytes()).map(Some)
    }

    /// Reads a ledger's JSON, `path` naming it in messages.
    pub fn parse(path: &Path, json: &[u8]) -> Result<Ledger> {
        let ledger: Ledger =
            serde_json::from_slice(json).map_err(|e| Error::unreadable(path, format!("not an iospki ledger: {e}")))?;
        if ledger.schema != SCHEMA {
            return Err(Error::unreadable(
                path,
                format!("ledger schema {} is not {SCHEMA}", ledger.schema),
            ));
        }
        Ok(ledger)
    }

    /// The serial for a new certificate from `issuer`: `preferred` if that issuer never used it, else a random one
    /// it never used.
    pub fn serial_for(&self, issuer: &str, preferred: Option<u64>) -> SerialNumber {
        let used = |serial: &SerialNumber| {
            let hex = crate::hex::serial(serial.as_ref());
            self.issued.iter().any(|r| r.issuer == issuer && r.serial_hex == hex)
        };
        if let Some(serial) = preferred.map(SerialNumber::from).filter(|s| !used(s)) {
            return serial;
        }
        loop {
            let serial = random_serial();
            if !used(&serial) {
                return serial;
            }
        }
    }

    /// The ledger as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the ledger serializes") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Ledger {
        let choices = crate::settings::Choices {
            domain: Some(crate::cluster::HostName::parse("example.org").unwrap()),
            ..Default::default()
        };
        Ledger::new(choices.settings().unwrap())
    }

    #[test]
    fn fixed_serial_serves_once_per_issuer() {
        let mut ledger = ledger();
        let first = ledger.serial_for("CN=ca", Some(12_132_121_241_241));
        assert_eq!(crate::hex::serial(first.as_ref()), "0B08BAC6E699");
        ledger.issued.push(Record {
            role: CertRole::Ra,
            issuer: "CN=ca".into(),
            serial_hex: crate::hex::serial(first.as_ref()),
            sha256: String::new(),
            not_after: String::new(),
        });
        let second = ledger.serial_for("CN=ca", Some(12_132_121_241_241));
        assert_ne!(crate::hex::serial(second.as_ref()), "0B08BAC6E699");
        assert_eq!(
            crate::hex::serial(ledger.serial_for("CN=other", Some(12_132_121_241_241)).as_ref()),
            "0B08BAC6E699"
        );
    }

    #[test]
    fn ledger_round_trips_through_json() {
        let ledger = ledger();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), ledger.to_json()).unwrap();
        assert_eq!(Ledger::load(dir.path()).unwrap().unwrap(), ledger);
        assert!(Ledger::load(&dir.path().join("none")).unwrap().is_none());
    }
}
