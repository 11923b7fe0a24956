//! The ledger iospki keeps beside a set (`iospki-ledger.json`): the settings the set was made with, and every
//! certificate issued for it, so that an issuer name and serial are never used twice for different
//! certificates (Firefox and the macOS keychain reject that) while the documented fixed serials still serve
//! for a first issue.

use std::path::Path;

use rcgen::SerialNumber;

use crate::cluster::Hosts;
use crate::error::{Error, Result};
use crate::init::Issuance;
use crate::issue::random_serial;
use crate::keystore::pkcs12::Protection;
use crate::subject::Subject;

/// The ledger's file name inside a set's directory.
pub const FILE: &str = "iospki-ledger.json";
const SCHEMA: &str = "iospki.ledger/1";

/// What a set was made with, so that `rotate` makes the same again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// The cluster's domain.
    pub domain: String,
    /// The SSL certificate's CN.
    pub ssl_common_name: String,
    /// The SSL key's alias.
    pub ssl_alias: String,
    /// The .p12 protection.
    pub protection: Protection,
    /// The subject fields.
    pub subject: Subject,
    /// The hosts of each role.
    #[serde(default)]
    pub hosts: Hosts,
    /// Validity and first serials.
    #[serde(default)]
    pub issuance: Issuance,
}

/// One issued certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// "CA", "RA" or "SSL".
    pub role: String,
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
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let ledger: Ledger = serde_json::from_str(&text).map_err(|e| Error::Unreadable {
            path: path.clone(),
            reason: format!("not an iospki ledger: {e}"),
        })?;
        if ledger.schema != SCHEMA {
            return Err(Error::Unreadable {
                path,
                reason: format!("ledger schema {} is not {SCHEMA}", ledger.schema),
            });
        }
        Ok(Some(ledger))
    }

    /// The serial for a new certificate from `issuer`: `preferred` if that issuer never used it, else a random one
    /// it never used.
    pub fn serial_for(&self, issuer: &str, preferred: Option<u64>) -> SerialNumber {
        let used = |serial: &SerialNumber| {
            let hex = hex_of(serial.as_ref());
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

/// Upper-case hex of a big-endian serial without leading zero bytes, padded to whole bytes (as certinfo prints it).
pub fn hex_of(bytes: &[u8]) -> String {
    let first = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    bytes[first..].iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Ledger {
        Ledger::new(Settings {
            domain: "example.org".into(),
            ssl_common_name: "example.org".into(),
            ssl_alias: "wso2carbon".into(),
            protection: Protection::Legacy,
            subject: Subject::default(),
            hosts: Hosts::default(),
            issuance: Issuance::default(),
        })
    }

    #[test]
    fn fixed_serial_serves_once_per_issuer() {
        let mut ledger = ledger();
        let first = ledger.serial_for("CN=ca", Some(12_132_121_241_241));
        assert_eq!(hex_of(first.as_ref()), "0B08BAC6E699");
        ledger.issued.push(Record {
            role: "RA".into(),
            issuer: "CN=ca".into(),
            serial_hex: hex_of(first.as_ref()),
            sha256: String::new(),
            not_after: String::new(),
        });
        let second = ledger.serial_for("CN=ca", Some(12_132_121_241_241));
        assert_ne!(hex_of(second.as_ref()), "0B08BAC6E699");
        assert_eq!(
            hex_of(ledger.serial_for("CN=other", Some(12_132_121_241_241)).as_ref()),
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
