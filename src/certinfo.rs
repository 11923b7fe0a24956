//! What a certificate says, in the terms operators read in `keytool -list -v` and `openssl x509 -text`.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

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
}

/// The basicConstraints extension.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BasicConstraints {
    /// The cA flag.
    pub ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u32>,
    /// Whether the extension is marked critical.
    pub critical: bool,
}

/// Why a certificate could not be described.
#[derive(Debug, thiserror::Error)]
#[error("malformed certificate: {0}")]
pub struct CertificateError(String);

impl CertificateInfo {
    /// Describes the DER certificate `der`, counting days left from `now`.
    pub fn from_der(der: &[u8], now: OffsetDateTime) -> Result<Self, CertificateError> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| CertificateError(e.to_string()))?;
        let not_before = cert.validity().not_before.to_datetime();
        let not_after = cert.validity().not_after.to_datetime();
        Ok(CertificateInfo {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            serial: cert.serial.to_string(),
            serial_hex: even_hex(&format!("{:X}", cert.serial)),
            not_before: rfc3339(not_before),
            not_after: rfc3339(not_after),
            not_before_unix: not_before.unix_timestamp(),
            not_after_unix: not_after.unix_timestamp(),
            days_left: (not_after - now).whole_days(),
            sha256: fingerprint(der),
            public_key: public_key(&cert),
            signature_algorithm: signature_name(&cert.signature_algorithm.algorithm.to_id_string()),
            version: cert.version().0 + 1,
            key_usage: key_usage(&cert),
            extended_key_usage: extended_key_usage(&cert),
            subject_alt_names: subject_alt_names(&cert),
            basic_constraints: basic_constraints(&cert),
            self_issued: cert.subject() == cert.issuer(),
        })
    }
}

/// Hex padded to whole bytes, as `openssl x509 -serial` prints it.
fn even_hex(hex: &str) -> String {
    if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex.to_owned()
    }
}

/// SHA-256 over `der`, colon-separated upper-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn rfc3339(time: OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_else(|_| time.to_string())
}

fn public_key(cert: &X509Certificate<'_>) -> String {
    match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(PublicKey::EC(point)) => format!("EC {}", point.key_size()),
        Ok(PublicKey::DSA(_)) => "DSA".into(),
        _ => format!("algorithm {}", cert.public_key().algorithm.algorithm.to_id_string()),
    }
}

fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.11" => "SHA256withRSA".into(),
        "1.2.840.113549.1.1.12" => "SHA384withRSA".into(),
        "1.2.840.113549.1.1.13" => "SHA512withRSA".into(),
        "1.2.840.113549.1.1.5" => "SHA1withRSA".into(),
        "1.2.840.113549.1.1.4" => "MD5withRSA".into(),
        "1.2.840.113549.1.1.10" => "RSASSA-PSS".into(),
        "1.2.840.10045.4.3.2" => "SHA256withECDSA".into(),
        "1.2.840.10045.4.3.3" => "SHA384withECDSA".into(),
        "1.3.101.112" => "Ed25519".into(),
        other => other.into(),
    }
}

fn extension<'a>(
    cert: &'a X509Certificate<'a>,
    pick: impl Fn(&'a ParsedExtension<'a>) -> bool,
) -> Option<&'a ParsedExtension<'a>> {
    cert.extensions().iter().map(|e| e.parsed_extension()).find(|e| pick(e))
}

fn key_usage(cert: &X509Certificate<'_>) -> Vec<String> {
    let Some(ParsedExtension::KeyUsage(usage)) = extension(cert, |e| matches!(e, ParsedExtension::KeyUsage(_))) else {
        return Vec::new();
    };
    let names = [
        (usage.digital_signature(), "digitalSignature"),
        (usage.non_repudiation(), "nonRepudiation"),
        (usage.key_encipherment(), "keyEncipherment"),
        (usage.data_encipherment(), "dataEncipherment"),
        (usage.key_agreement(), "keyAgreement"),
        (usage.key_cert_sign(), "keyCertSign"),
        (usage.crl_sign(), "cRLSign"),
        (usage.encipher_only(), "encipherOnly"),
        (usage.decipher_only(), "decipherOnly"),
    ];
    names
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| name.to_owned())
        .collect()
}

fn extended_key_usage(cert: &X509Certificate<'_>) -> Vec<String> {
    let Some(ParsedExtension::ExtendedKeyUsage(eku)) =
        extension(cert, |e| matches!(e, ParsedExtension::ExtendedKeyUsage(_)))
    else {
        return Vec::new();
    };
    let named = [
        (eku.any, "anyExtendedKeyUsage"),
        (eku.server_auth, "serverAuth"),
        (eku.client_auth, "clientAuth"),
        (eku.code_signing, "codeSigning"),
        (eku.email_protection, "emailProtection"),
        (eku.time_stamping, "timeStamping"),
        (eku.ocsp_signing, "OCSPSigning"),
    ];
    let mut out: Vec<String> = named
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, n)| n.to_owned())
        .collect();
    out.extend(eku.other.iter().map(|oid| oid.to_id_string()));
    out
}

fn subject_alt_names(cert: &X509Certificate<'_>) -> Vec<String> {
    let Some(ParsedExtension::SubjectAlternativeName(san)) =
        extension(cert, |e| matches!(e, ParsedExtension::SubjectAlternativeName(_)))
    else {
        return Vec::new();
    };
    san.general_names
        .iter()
        .map(|name| match name {
            GeneralName::DNSName(dns) => format!("DNS:{dns}"),
            GeneralName::IPAddress(ip) => format!("IP:{}", ip_text(ip)),
            GeneralName::RFC822Name(mail) => format!("email:{mail}"),
            GeneralName::URI(uri) => format!("URI:{uri}"),
            other => format!("{other:?}"),
        })
        .collect()
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(bytes).expect("4 bytes")).to_string(),
        16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).expect("16 bytes")).to_string(),
        _ => format!("{bytes:02x?}"),
    }
}

fn basic_constraints(cert: &X509Certificate<'_>) -> Option<BasicConstraints> {
    let ext = cert.basic_constraints().ok().flatten()?;
    Some(BasicConstraints {
        ca: ext.value.ca,
        path_len: ext.value.path_len_constraint,
        critical: ext.critical,
    })
}
