//! What a certificate says, as typed facts: names with their DER, times, key, signature algorithm, key usages,
//! alternative names, basic constraints, the subject's UID; and what a certificate signing request says: its
//! subject, key and self-signature. Rules compare these; `certinfo` turns them into the strings
//! operators read in `keytool -list -v` and `openssl x509 -text`.

use std::net::IpAddr;

use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::der_parser::oid::Oid;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey as ParsedKey;
use x509_parser::x509::{SubjectPublicKeyInfo, X509Name};

use crate::formats::oid;
use crate::vocab::names::HostName;

/// A distinguished name: as text for people, as DER to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// RFC 4514-like text, as x509-parser prints it.
    pub text: String,
    /// The DER encoding, compared byte for byte as issuer and subject must be.
    pub der: Vec<u8>,
}

/// A certificate's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA, with its modulus size and the PKCS#1 RSAPublicKey bytes.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
        /// The subjectPublicKey BIT STRING's content.
        pkcs1: Vec<u8>,
    },
    /// An elliptic-curve key of this size.
    Ec(usize),
    /// DSA.
    Dsa,
    /// Anything else, by algorithm.
    Other(String),
}

/// A certificate's signature algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// SHA1withRSA.
    Sha1Rsa,
    /// SHA256withRSA.
    Sha256Rsa,
    /// SHA384withRSA.
    Sha384Rsa,
    /// SHA512withRSA.
    Sha512Rsa,
    /// MD5withRSA.
    Md5Rsa,
    /// RSASSA-PSS.
    RsaPss,
    /// SHA256withECDSA.
    Sha256Ecdsa,
    /// SHA384withECDSA.
    Sha384Ecdsa,
    /// Ed25519.
    Ed25519,
    /// Another, by OID.
    Other(String),
}

impl SignatureAlgorithm {
    /// The algorithm an X.509 or PKCS#10 structure names.
    pub fn from_oid(algorithm: &Oid<'_>) -> Self {
        let known = [
            (oid::SHA256_WITH_RSA, SignatureAlgorithm::Sha256Rsa),
            (oid::SHA384_WITH_RSA, SignatureAlgorithm::Sha384Rsa),
            (oid::SHA512_WITH_RSA, SignatureAlgorithm::Sha512Rsa),
            (oid::SHA1_WITH_RSA, SignatureAlgorithm::Sha1Rsa),
            (oid::MD5_WITH_RSA, SignatureAlgorithm::Md5Rsa),
            (oid::RSASSA_PSS, SignatureAlgorithm::RsaPss),
            (oid::ECDSA_WITH_SHA256, SignatureAlgorithm::Sha256Ecdsa),
            (oid::ECDSA_WITH_SHA384, SignatureAlgorithm::Sha384Ecdsa),
            (oid::ED25519, SignatureAlgorithm::Ed25519),
        ];
        known
            .into_iter()
            .find(|(known, _)| is(algorithm, *known))
            .map_or_else(|| SignatureAlgorithm::Other(algorithm.to_id_string()), |(_, alg)| alg)
    }

    /// The name Java gives it, e.g. "SHA256withRSA".
    pub fn name(&self) -> &str {
        match self {
            SignatureAlgorithm::Sha1Rsa => "SHA1withRSA",
            SignatureAlgorithm::Sha256Rsa => "SHA256withRSA",
            SignatureAlgorithm::Sha384Rsa => "SHA384withRSA",
            SignatureAlgorithm::Sha512Rsa => "SHA512withRSA",
            SignatureAlgorithm::Md5Rsa => "MD5withRSA",
            SignatureAlgorithm::RsaPss => "RSASSA-PSS",
            SignatureAlgorithm::Sha256Ecdsa => "SHA256withECDSA",
            SignatureAlgorithm::Sha384Ecdsa => "SHA384withECDSA",
            SignatureAlgorithm::Ed25519 => "Ed25519",
            SignatureAlgorithm::Other(oid) => oid,
        }
    }

    /// Whether it is RSA with SHA-2, which Apple requires of TLS server certificates.
    pub fn is_sha2_rsa(&self) -> bool {
        matches!(
            self,
            SignatureAlgorithm::Sha256Rsa | SignatureAlgorithm::Sha384Rsa | SignatureAlgorithm::Sha512Rsa
        )
    }
}

/// The keyUsage bits (RFC 5280 4.2.1.3), in bit order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUsage {
    /// digitalSignature.
    DigitalSignature,
    /// nonRepudiation.
    NonRepudiation,
    /// keyEncipherment.
    KeyEncipherment,
    /// dataEncipherment.
    DataEncipherment,
    /// keyAgreement.
    KeyAgreement,
    /// keyCertSign.
    KeyCertSign,
    /// cRLSign.
    CrlSign,
    /// encipherOnly.
    EncipherOnly,
    /// decipherOnly.
    DecipherOnly,
}

impl KeyUsage {
    /// The RFC 5280 name.
    pub fn name(self) -> &'static str {
        match self {
            KeyUsage::DigitalSignature => "digitalSignature",
            KeyUsage::NonRepudiation => "nonRepudiation",
            KeyUsage::KeyEncipherment => "keyEncipherment",
            KeyUsage::DataEncipherment => "dataEncipherment",
            KeyUsage::KeyAgreement => "keyAgreement",
            KeyUsage::KeyCertSign => "keyCertSign",
            KeyUsage::CrlSign => "cRLSign",
            KeyUsage::EncipherOnly => "encipherOnly",
            KeyUsage::DecipherOnly => "decipherOnly",
        }
    }
}

/// An extended key usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtendedKeyUsage {
    /// anyExtendedKeyUsage.
    Any,
    /// TLS server.
    ServerAuth,
    /// TLS client.
    ClientAuth,
    /// Code signing.
    CodeSigning,
    /// E-mail protection.
    EmailProtection,
    /// Time stamping.
    TimeStamping,
    /// OCSP signing.
    OcspSigning,
    /// Another, by OID.
    Other(String),
}

impl ExtendedKeyUsage {
    /// The name OpenSSL and Java print.
    pub fn name(&self) -> &str {
        match self {
            ExtendedKeyUsage::Any => "anyExtendedKeyUsage",
            ExtendedKeyUsage::ServerAuth => "serverAuth",
            ExtendedKeyUsage::ClientAuth => "clientAuth",
            ExtendedKeyUsage::CodeSigning => "codeSigning",
            ExtendedKeyUsage::EmailProtection => "emailProtection",
            ExtendedKeyUsage::TimeStamping => "timeStamping",
            ExtendedKeyUsage::OcspSigning => "OCSPSigning",
            ExtendedKeyUsage::Other(oid) => oid,
        }
    }
}

/// A subjectAltName entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AltName {
    /// dNSName.
    Dns(String),
    /// iPAddress.
    Ip(IpAddr),
    /// rfc822Name.
    Email(String),
    /// uniformResourceIdentifier.
    Uri(String),
    /// Anything else, as x509-parser shows it.
    Other(String),
}

impl std::fmt::Display for AltName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AltName::Dns(name) => write!(f, "DNS:{name}"),
            AltName::Ip(ip) => write!(f, "IP:{ip}"),
            AltName::Email(mail) => write!(f, "email:{mail}"),
            AltName::Uri(uri) => write!(f, "URI:{uri}"),
            AltName::Other(other) => f.write_str(other),
        }
    }
}

/// The basicConstraints extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BasicConstraints {
    /// The cA flag.
    pub ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u32>,
    /// Whether the extension is marked critical.
    pub critical: bool,
}

/// A certificate, parsed into typed facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The DER bytes.
    pub der: CertificateDer<'static>,
    /// Subject name.
    pub subject: Name,
    /// Issuer name.
    pub issuer: Name,
    /// Serial number, big-endian, as encoded.
    pub serial: Vec<u8>,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// X.509 version (1 or 3).
    pub version: u32,
    /// The public key.
    pub public_key: PublicKey,
    /// The signature algorithm.
    pub signature: SignatureAlgorithm,
    /// The keyUsage bits set; `None` without the extension.
    pub key_usage: Option<Vec<KeyUsage>>,
    /// Extended key usages; empty without the extension.
    pub extended_key_usage: Vec<ExtendedKeyUsage>,
    /// Subject alternative names.
    pub subject_alt_names: Vec<AltName>,
    /// Basic constraints, when present.
    pub basic_constraints: Option<BasicConstraints>,
    /// The subject's UID (userid) attribute, when it has one as a string: where a push certificate carries its topic.
    pub uid: Option<String>,
}

/// Why a certificate could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("malformed certificate: {0}")]
pub struct CertificateError(String);

/// The prefix of every MDM push topic.
pub const TOPIC_PREFIX: &str = "com.apple.mgmt.";

/// The longest topic iospki takes: Apple's are some 60 characters (`com.apple.mgmt.External.` and a UUID).
pub const MAX_TOPIC: usize = 255;

/// Whether `uid` is a push topic as Apple writes them: `com.apple.mgmt.` then letters, digits, '.' and '-'
/// (`com.apple.mgmt.External.e3b8ceac-1f18-2c8e-8a63-dd17d99435d9`), so that it never carries a control
/// character or white space into the topic files, WSO2's form or a terminal.
pub fn is_apns_topic(uid: &str) -> bool {
    uid.strip_prefix(TOPIC_PREFIX).is_some_and(|rest| {
        !rest.is_empty()
            && uid.len() <= MAX_TOPIC
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    })
}

impl Certificate {
    /// The MDM push topic of a push certificate: its subject's UID when that is one ([`is_apns_topic`]). Other
    /// certificates have none, the MDM vendor certificate included (its UID is the team's).
    pub fn apns_topic(&self) -> Option<&str> {
        self.uid.as_deref().filter(|uid| is_apns_topic(uid))
    }

    /// Parses the DER certificate `der`.
    pub fn parse(der: &[u8]) -> Result<Certificate, CertificateError> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| CertificateError(e.to_string()))?;
        Ok(Certificate {
            der: CertificateDer::from(der.to_vec()),
            subject: name(cert.subject()),
            issuer: name(cert.issuer()),
            serial: cert.raw_serial().to_vec(),
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
            version: cert.version().0 + 1,
            public_key: public_key(cert.public_key()),
            signature: SignatureAlgorithm::from_oid(&cert.signature_algorithm.algorithm),
            key_usage: key_usage(&cert),
            extended_key_usage: extended_key_usage(&cert),
            subject_alt_names: subject_alt_names(&cert),
            basic_constraints: cert.basic_constraints().ok().flatten().map(|ext| BasicConstraints {
                ca: ext.value.ca,
                path_len: ext.value.path_len_constraint,
                critical: ext.critical,
            }),
            uid: uid(cert.subject()),
        })
    }

    /// Whether the issuer name is the subject name.
    pub fn self_issued(&self) -> bool {
        self.issuer.der == self.subject.der
    }

    /// Whether a certificate of this key usage may do `usage`: without the extension, anything.
    pub fn allows(&self, usage: KeyUsage) -> bool {
        self.key_usage.as_ref().is_none_or(|usages| usages.contains(&usage))
    }

    /// Whether keyUsage names `usage`.
    pub fn has_key_usage(&self, usage: KeyUsage) -> bool {
        self.key_usage.as_ref().is_some_and(|usages| usages.contains(&usage))
    }

    /// Whether subjectAltName names `host` exactly (a wildcard is not `host`).
    pub fn names(&self, host: &HostName) -> bool {
        self.subject_alt_names
            .iter()
            .any(|name| matches!(name, AltName::Dns(dns) if dns.eq_ignore_ascii_case(host.as_str())))
    }

    /// Whether a TLS client reaching `host` accepts this certificate's subjectAltName: a DNS name equal to it, or
    /// a wildcard over exactly its first label (`*.wso2.com` covers `a.wso2.com`, not `a.b.wso2.com`).
    pub fn covers(&self, host: &str) -> bool {
        self.subject_alt_names.iter().any(|name| {
            let AltName::Dns(dns) = name else { return false };
            if dns.eq_ignore_ascii_case(host) {
                return true;
            }
            let (Some(suffix), Some((label, rest))) = (dns.strip_prefix("*."), host.split_once('.')) else {
                return false;
            };
            !label.is_empty() && rest.eq_ignore_ascii_case(suffix)
        })
    }

    /// Whether basicConstraints says CA:TRUE.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.is_some_and(|bc| bc.ca)
    }

    /// The validity in whole days.
    pub fn validity_days(&self) -> i64 {
        (self.not_after - self.not_before).whole_days()
    }

    /// The RSA modulus size, for an RSA key.
    pub fn rsa_bits(&self) -> Option<usize> {
        match self.public_key {
            PublicKey::Rsa { bits, .. } => Some(bits),
            _ => None,
        }
    }

    /// The PKCS#1 RSAPublicKey, for an RSA key.
    pub fn rsa_public_key(&self) -> Option<&[u8]> {
        match &self.public_key {
            PublicKey::Rsa { pkcs1, .. } => Some(pkcs1),
            _ => None,
        }
    }

    /// SHA-256 over the DER.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.der).into()
    }
}

/// A certificate signing request (PKCS#10), parsed into typed facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Subject name.
    pub subject: Name,
    /// The public key.
    pub public_key: PublicKey,
    /// The algorithm of the self-signature.
    pub signature: SignatureAlgorithm,
    /// The signed part, the CertificationRequestInfo DER.
    pub signed: Vec<u8>,
    /// The self-signature's bytes.
    pub signature_value: Vec<u8>,
}

/// Why a certificate signing request could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("not a PKCS#10 certificate signing request: {0}")]
pub struct RequestError(String);

impl Request {
    /// Parses the DER certificate signing request `der`.
    pub fn parse(der: &[u8]) -> Result<Request, RequestError> {
        let (_, csr) = X509CertificationRequest::from_der(der).map_err(|e| RequestError(e.to_string()))?;
        let info = &csr.certification_request_info;
        Ok(Request {
            subject: name(&info.subject),
            public_key: public_key(&info.subject_pki),
            signature: SignatureAlgorithm::from_oid(&csr.signature_algorithm.algorithm),
            signed: info.raw.to_vec(),
            signature_value: csr.signature_value.data.to_vec(),
        })
    }
}

/// Whether the parsed OID `parsed` is `known`.
fn is(parsed: &Oid<'_>, known: const_oid::ObjectIdentifier) -> bool {
    const_oid::ObjectIdentifier::from_bytes(parsed.as_bytes()) == Ok(known)
}

fn name(name: &X509Name<'_>) -> Name {
    Name {
        text: name.to_string(),
        der: name.as_raw().to_vec(),
    }
}

/// The first UID attribute of `name`, when it is a string.
fn uid(name: &X509Name<'_>) -> Option<String> {
    let attribute = name.iter_attributes().find(|attr| is(attr.attr_type(), oid::UID))?;
    attribute.as_str().ok().map(str::to_owned)
}

fn public_key(spki: &SubjectPublicKeyInfo<'_>) -> PublicKey {
    match spki.parsed() {
        Ok(ParsedKey::RSA(rsa)) => PublicKey::Rsa {
            bits: rsa.key_size(),
            pkcs1: spki.subject_public_key.data.to_vec(),
        },
        Ok(ParsedKey::EC(point)) => PublicKey::Ec(point.key_size()),
        Ok(ParsedKey::DSA(_)) => PublicKey::Dsa,
        _ => PublicKey::Other(spki.algorithm.algorithm.to_id_string()),
    }
}

fn extension<'a>(
    cert: &'a X509Certificate<'a>,
    pick: impl Fn(&'a ParsedExtension<'a>) -> bool,
) -> Option<&'a ParsedExtension<'a>> {
    cert.extensions().iter().map(|e| e.parsed_extension()).find(|e| pick(e))
}

fn key_usage(cert: &X509Certificate<'_>) -> Option<Vec<KeyUsage>> {
    let Some(ParsedExtension::KeyUsage(usage)) = extension(cert, |e| matches!(e, ParsedExtension::KeyUsage(_))) else {
        return None;
    };
    let bits = [
        (usage.digital_signature(), KeyUsage::DigitalSignature),
        (usage.non_repudiation(), KeyUsage::NonRepudiation),
        (usage.key_encipherment(), KeyUsage::KeyEncipherment),
        (usage.data_encipherment(), KeyUsage::DataEncipherment),
        (usage.key_agreement(), KeyUsage::KeyAgreement),
        (usage.key_cert_sign(), KeyUsage::KeyCertSign),
        (usage.crl_sign(), KeyUsage::CrlSign),
        (usage.encipher_only(), KeyUsage::EncipherOnly),
        (usage.decipher_only(), KeyUsage::DecipherOnly),
    ];
    Some(
        bits.into_iter()
            .filter(|(set, _)| *set)
            .map(|(_, usage)| usage)
            .collect(),
    )
}

fn extended_key_usage(cert: &X509Certificate<'_>) -> Vec<ExtendedKeyUsage> {
    let Some(ParsedExtension::ExtendedKeyUsage(eku)) =
        extension(cert, |e| matches!(e, ParsedExtension::ExtendedKeyUsage(_)))
    else {
        return Vec::new();
    };
    let named = [
        (eku.any, ExtendedKeyUsage::Any),
        (eku.server_auth, ExtendedKeyUsage::ServerAuth),
        (eku.client_auth, ExtendedKeyUsage::ClientAuth),
        (eku.code_signing, ExtendedKeyUsage::CodeSigning),
        (eku.email_protection, ExtendedKeyUsage::EmailProtection),
        (eku.time_stamping, ExtendedKeyUsage::TimeStamping),
        (eku.ocsp_signing, ExtendedKeyUsage::OcspSigning),
    ];
    let mut out: Vec<ExtendedKeyUsage> = named.into_iter().filter(|(set, _)| *set).map(|(_, u)| u).collect();
    out.extend(eku.other.iter().map(|oid| ExtendedKeyUsage::Other(oid.to_id_string())));
    out
}

fn subject_alt_names(cert: &X509Certificate<'_>) -> Vec<AltName> {
    let Some(ParsedExtension::SubjectAlternativeName(san)) =
        extension(cert, |e| matches!(e, ParsedExtension::SubjectAlternativeName(_)))
    else {
        return Vec::new();
    };
    san.general_names
        .iter()
        .map(|name| match name {
            GeneralName::DNSName(dns) => AltName::Dns((*dns).to_owned()),
            GeneralName::IPAddress(bytes) => {
                ip(bytes).map_or_else(|| AltName::Other(format!("IP:{bytes:02x?}")), AltName::Ip)
            }
            GeneralName::RFC822Name(mail) => AltName::Email((*mail).to_owned()),
            GeneralName::URI(uri) => AltName::Uri((*uri).to_owned()),
            other => AltName::Other(format!("{other:?}")),
        })
        .collect()
}

fn ip(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}
