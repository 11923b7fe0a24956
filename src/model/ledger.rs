//! The ledger iospki keeps beside a set (`iospki-ledger.json`): the settings the set was made with, and every
//! certificate issued for it, so that an issuer name and serial are never used twice for different
//! certificates (Firefox and the macOS keychain reject that) while the documented fixed serials still serve
//! for a first issue.

use std::path::Path;

use rcgen::SerialNumber;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, Result};
use crate::formats::issue::random_serial;
use crate::io::input::{self, Kind};
use crate::model::product::{Holds, LEDGER_FILE, Product};
pub use crate::model::settings::Settings;
use crate::vocab::nesting;
use crate::vocab::roles::CertRole;

const SCHEMA: &str = "iospki.ledger/1";

/// The deepest ledger iospki reads. A ledger nests 4 levels (the settings' cluster hosts); serde_json stops at
/// 128 on its own, and this limit, measured first, gives the same message as every other reader.
pub const MAX_DEPTH: usize = 64;

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

impl Record {
    /// The record of the certificate `der` in `role`, if it parses.
    pub fn of(role: CertRole, der: &[u8]) -> Option<Record> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let not_after = OffsetDateTime::from_unix_timestamp(cert.validity().not_after.timestamp()).ok()?;
        Some(Record {
            role,
            issuer: cert.issuer().to_string(),
            serial_hex: crate::vocab::hex::serial(cert.raw_serial()),
            sha256: crate::formats::certinfo::fingerprint(der),
            not_after: not_after.format(&Rfc3339).ok()?,
        })
    }
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
        let path = dir.join(LEDGER_FILE);
        let text = match input::read_text(&path, Kind::Text) {
            Ok(text) => text,
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        Self::parse(&path, text.as_bytes()).map(Some)
    }

    /// Reads a ledger's JSON, `path` naming it in messages.
    pub fn parse(path: &Path, json: &[u8]) -> Result<Ledger> {
        let text = std::str::from_utf8(json).map_err(|_| Error::unreadable(path, "not an iospki ledger: not UTF-8"))?;
        nesting::json(text, MAX_DEPTH, "ledgers").map_err(|e| Error::unreadable(path, e.to_string()))?;
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
            let hex = crate::vocab::hex::serial(serial.as_ref());
            self.issued.iter().any(|r| r.issuer == issuer && r.serial_hex == hex)
        };
        // RFC 5280 serials are positive: a ledger edited to ask for 0 gets a random one.
        let preferred = preferred.filter(|&serial| serial > 0).map(SerialNumber::from);
        if let Some(serial) = preferred.filter(|s| !used(s)) {
            return serial;
        }
        loop {
            let serial = random_serial();
            if !used(&serial) {
                return serial;
            }
        }
    }

    /// Records the certificates of `product`'s set that `dir` holds and the ledger does not know (it was deleted
    /// or lost), so that a new issue does not reuse their serials under the same issuer. A certificate file
    /// that is there but cannot be read is an error: its serial would be forgotten.
    pub fn remember_present(&mut self, dir: &Path, product: &Product) -> Result<()> {
        for spec in product.output_files(true) {
            let Holds::Certificate(role) = spec.holds else { continue };
            let path = dir.join(spec.name);
            let bytes = match input::read_bytes(&path, Kind::Data) {
                Ok(bytes) => bytes,
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e.at(&path)),
            };
            let Some(record) = ::pem::parse(&bytes[..])
                .ok()
                .and_then(|pem| Record::of(role, pem.contents()))
            else {
                continue;
            };
            if !self
                .issued
                .iter()
                .any(|r| r.issuer == record.issuer && r.serial_hex == record.serial_hex)
            {
                self.issued.push(record);
            }
        }
        Ok(())
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
        let choices = crate::model::settings::Choices {
            domain: Some(crate::vocab::names::HostName::parse("example.org").unwrap()),
            ..Default::default()
        };
        Ledger::new(choices.settings().unwrap())
    }

    #[test]
    fn fixed_serial_serves_once_per_issuer() {
        let mut ledger = ledger();
        let first = ledger.serial_for("CN=ca", Some(12_132_121_241_241));
        assert_eq!(crate::vocab::hex::serial(first.as_ref()), "0B08BAC6E699");
        ledger.issued.push(Record {
            role: CertRole::Ra,
            issuer: "CN=ca".into(),
            serial_hex: crate::vocab::hex::serial(first.as_ref()),
            sha256: String::new(),
            not_after: String::new(),
        });
        let second = ledger.serial_for("CN=ca", Some(12_132_121_241_241));
        assert_ne!(crate::vocab::hex::serial(second.as_ref()), "0B08BAC6E699");
        assert_eq!(
            crate::vocab::hex::serial(ledger.serial_for("CN=other", Some(12_132_121_241_241)).as_ref()),
            "0B08BAC6E699"
        );
    }

    #[test]
    fn serial_zero_is_never_issued() {
        let serial = ledger().serial_for("CN=ca", Some(0));
        assert!(serial.as_ref().iter().any(|&b| b != 0));
    }

    #[test]
    fn ledger_round_trips_through_json() {
        let ledger = ledger();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LEDGER_FILE), ledger.to_json()).unwrap();
        assert_eq!(Ledger::load(dir.path()).unwrap().unwrap(), ledger);
        assert!(Ledger::load(&dir.path().join("none")).unwrap().is_none());
    }
}
