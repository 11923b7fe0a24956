//! What a certificate says, in the terms operators read in `keytool -list -v` and `openssl x509 -text`: the
//! typed facts of [`crate::formats::x509::Certificate`] turned into text for `inspect` and `check` (schema
//! `iospki.inspect/1`).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use crate::formats::x509::{BasicConstraints, CertificateError};
use crate::formats::x509::{Certificate, PublicKey};

/// One certificate, described.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertificateInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number in decimal.
    pub serial: String,
    /// Serial number in hex padded to whole bytes, as `openssl x509 -serial` prints it.
    pub serial_hex: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// Start of validity, seconds since the Unix epoch.
    pub not_before_unix: i64,
    /// End of validity, seconds since the Unix epoch.
    pub not_after_unix: i64,
    /// Whole days from now until `not_after`; negative once expired.
    pub days_left: i64,
    /// SHA-256 over the DER, colon-separated upper-case hex, as keytool prints it.
    pub sha256: String,
    /// Public key algorithm and size, e.g. "RSA 4096".
    pub public_key: String,
    /// Signature algorithm, e.g. "SHA256withRSA".
    pub signature_algorithm: String,
    /// X.509 version (1 or 3).
    pub version: u32,
    /// Key usage bits by RFC 5280 name; empty when absent.
    pub key_usage: Vec<String>,
    /// Extended key usages by name (serverAuth, clientAuth, ...) or OID; empty when absent.
    pub extended_key_usage: Vec<String>,
    /// Subject alternative names, e.g. "DNS:mgt.iots310.wso2.com".
    pub subject_alt_names: Vec<String>,
    /// Basic constraints, when present.
    pub basic_constraints: Option<BasicConstraints>,
    /// Whether the certificate's issuer name equals its subject.
    pub self_issued: bool,
    /// The topic of an APNs (MDM push) certificate: its subject's UID; absent for other certificates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apns_topic: Option<String>,
}

impl CertificateInfo {
    /// Describes the DER certificate `der`, counting days left from `now`.
    pub fn from_der(der: &[u8], now: OffsetDateTime) -> Result<Self, CertificateError> {
        Ok(Self::new(&Certificate::parse(der)?, now))
    }

    /// Describes `cert`, counting days left from `now`.
    pub fn new(cert: &Certificate, now: OffsetDateTime) -> Self {
        CertificateInfo {
            subject: cert.subject.text.clone(),
            issuer: cert.issuer.text.clone(),
            serial: decimal(&cert.serial),
            serial_hex: crate::vocab::hex::serial(&cert.serial),
            not_before: rfc3339(cert.not_before),
            not_after: rfc3339(cert.not_after),
            not_before_unix: cert.not_before.unix_timestamp(),
            not_after_unix: cert.not_after.unix_timestamp(),
            days_left: (cert.not_after - now).whole_days(),
            sha256: fingerprint(&cert.der),
            public_key: match &cert.public_key {
                PublicKey::Rsa { bits, .. } => format!("RSA {bits}"),
                PublicKey::Ec(bits) => format!("EC {bits}"),
                PublicKey::Dsa => "DSA".into(),
                PublicKey::Other(oid) => format!("algorithm {oid}"),
            },
            signature_algorithm: cert.signature.name().to_owned(),
            version: cert.version,
            key_usage: cert.key_usage.iter().flatten().map(|u| u.name().to_owned()).collect(),
            extended_key_usage: cert.extended_key_usage.iter().map(|u| u.name().to_owned()).collect(),
            subject_alt_names: cert.subject_alt_names.iter().map(ToString::to_string).collect(),
            basic_constraints: cert.basic_constraints,
            self_issued: cert.self_issued(),
            apns_topic: cert.apns_topic().map(str::to_owned),
        }
    }
}

/// The serial as a decimal number, as keytool prints it.
fn decimal(serial: &[u8]) -> String {
    x509_parser::num_bigint::BigUint::from_bytes_be(serial).to_string()
}

/// SHA-256 over `der`, colon-separated upper-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    use sha2::Digest;
    crate::vocab::hex::colons(&sha2::Sha256::digest(der))
}

fn rfc3339(time: OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_else(|_| time.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn serials_in_decimal() {
        assert_eq!(super::decimal(&[0x0b, 0x08, 0xba, 0xc6, 0xe6, 0x99]), "12132121241241");
        assert_eq!(super::decimal(&[0]), "0");
        assert_eq!(super::decimal(&[0x01, 0x00]), "256");
    }
}
