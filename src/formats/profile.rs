//! Certificate profiles: the extension sets of the CA, RA and SSL certificates, and of the deployment.toml
//! products' TLS, primary and internal ones, in one place.
//!
//! CA and RA follow WSO2's openssl.cnf (`[v3_ca]`, `[v3_req]`) for the iOS configurator, which iOS enrolment was
//! proven with; SSL follows Apple's rules for TLS server certificates (support.apple.com/103769).

use der::Encode;
use der::asn1::{Ia5String, OctetString};
use x509_cert::ext::pkix::name::GeneralName;

use crate::vocab::names::HostName;
use crate::vocab::roles::CertRole;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
    SubjectKeyIdentifier,
};

/// What a certificate of one role looks like.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// The role.
    pub role: CertRole,
    /// Default validity in days. They nest: the RA and SSL certificates (730 days, under Apple's 825) end well
    /// before their CA (1825 days), so an SSL renewal in the second year still ends under the same CA, and the
    /// CA is rotated, with everything it issued, in its fourth or fifth year.
    pub days: u32,
    /// The default serial; `None` for a random one.
    pub serial: Option<u64>,
    /// basicConstraints cA flag.
    pub is_ca: bool,
    /// Whether basicConstraints is marked critical.
    pub ca_critical: bool,
    /// keyUsage bits (non-critical, as WSO2's openssl.cnf writes them).
    pub key_usage: &'static [KeyUsages],
    /// extendedKeyUsage purposes; empty for none.
    pub extended_key_usage: &'static [der::oid::ObjectIdentifier],
    /// Whether the subject carries emailAddress.
    pub email_in_subject: bool,
    /// Whether the certificate names the cluster's hosts in subjectAltName.
    pub subject_alt_names: bool,
    /// Names its subjectAltName carries beside the cluster's hosts (`localhost` for the charts' probes).
    pub local_names: &'static [&'static str],
}

/// WSO2's `[v3_ca]`: SKI hash, AKI keyid, critical CA:TRUE, keyUsage digitalSignature, keyCertSign, cRLSign.
pub const CA: Profile = Profile {
    role: CertRole::Ca,
    days: 1825,
    serial: None,
    is_ca: true,
    ca_critical: true,
    key_usage: &[KeyUsages::DigitalSignature, KeyUsages::KeyCertSign, KeyUsages::CRLSign],
    extended_key_usage: &[],
    email_in_subject: true,
    subject_alt_names: false,
    local_names: &[],
};

/// WSO2's `[v3_req]`: non-critical CA:TRUE (as shipped in wso2certs.jks), keyUsage digitalSignature,
/// keyEncipherment (SCEP decrypts PKIOperation with the RA key, RFC 8894 2.1.2).
pub const RA: Profile = Profile {
    role: CertRole::Ra,
    days: 730,
    serial: Some(12_132_121_241_241),
    is_ca: true,
    ca_critical: false,
    key_usage: &[KeyUsages::DigitalSignature, KeyUsages::KeyEncipherment],
    extended_key_usage: &[],
    email_in_subject: true,
    subject_alt_names: false,
    local_names: &[],
};

/// A TLS server certificate Apple devices accept: SAN with every host, EKU serverAuth (and clientAuth for the
/// node-to-node calls), at most 825 days.
pub const SSL: Profile = Profile {
    role: CertRole::Ssl,
    days: 730,
    serial: Some(34_467_867_966_445),
    is_ca: false,
    ca_critical: false,
    key_usage: &[KeyUsages::DigitalSignature, KeyUsages::KeyEncipherment],
    extended_key_usage: &[
        const_oid::db::rfc5280::ID_KP_SERVER_AUTH,
        const_oid::db::rfc5280::ID_KP_CLIENT_AUTH,
    ],
    email_in_subject: false,
    subject_alt_names: true,
    local_names: &[],
};

/// The TLS certificate of a deployment.toml product: [`SSL`]'s rules, and `localhost` in its SAN, which the
/// charts' probes and the nodes' calls to themselves use; a random first serial (the guides' fixed one is IoT's).
pub const TLS: Profile = Profile {
    serial: None,
    local_names: &["localhost"],
    ..SSL
};

/// The primary key's certificate of a deployment.toml product: it signs (SAML assertions, JWTs, ID tokens) and
/// names no host, since nobody connects to it.
pub const PRIMARY: Profile = Profile {
    role: CertRole::Primary,
    days: 730,
    serial: None,
    is_ca: false,
    ca_critical: false,
    key_usage: &[KeyUsages::DigitalSignature, KeyUsages::NonRepudiation],
    extended_key_usage: &[],
    email_in_subject: false,
    subject_alt_names: false,
    local_names: &[],
};

/// The internal key's certificate of a deployment.toml product: keyUsage dataEncipherment, which WSO2 asks of an
/// asymmetric internal key (it encrypts data and secrets), and keyEncipherment.
pub const INTERNAL: Profile = Profile {
    role: CertRole::Internal,
    key_usage: &[KeyUsages::KeyEncipherment, KeyUsages::DataEncipherment],
    ..PRIMARY
};

/// One encoded extension: OID arcs, criticality, DER value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The extension's OID.
    pub oid: der::oid::ObjectIdentifier,
    /// Whether it is marked critical.
    pub critical: bool,
    /// The DER encoding of the extension value.
    pub value: Vec<u8>,
}

impl Profile {
    /// The extensions of a certificate of this profile, in openssl.cnf order: SKI, AKI, basicConstraints,
    /// keyUsage, then extendedKeyUsage and subjectAltName where the profile has them.
    pub fn extensions(
        &self,
        subject_key_id: &[u8],
        issuer_key_id: &[u8],
        hosts: &[&HostName],
    ) -> der::Result<Vec<Extension>> {
        let mut out = vec![
            extension(false, &SubjectKeyIdentifier(OctetString::new(subject_key_id)?))?,
            extension(
                false,
                &AuthorityKeyIdentifier {
                    key_identifier: Some(OctetString::new(issuer_key_id)?),
                    ..Default::default()
                },
            )?,
            extension(
                self.ca_critical,
                &BasicConstraints {
                    ca: self.is_ca,
                    path_len_constraint: None,
                },
            )?,
            extension(
                false,
                &KeyUsage(self.key_usage.iter().fold(None.into(), |set, &bit| set | bit)),
            )?,
        ];
        if !self.extended_key_usage.is_empty() {
            out.push(extension(false, &ExtendedKeyUsage(self.extended_key_usage.to_vec()))?);
        }
        if self.subject_alt_names {
            let local = self
                .local_names
                .iter()
                .filter(|name| !hosts.iter().any(|h| h.as_str() == **name));
            let names = (hosts.iter().map(|host| host.as_str()))
                .chain(local.copied())
                .map(|name| Ia5String::new(name).map(GeneralName::DnsName))
                .collect::<der::Result<Vec<_>>>()?;
            out.push(extension(false, &SubjectAltName(names))?);
        }
        Ok(out)
    }
}

fn extension<T: Encode + const_oid::AssociatedOid>(critical: bool, value: &T) -> der::Result<Extension> {
    Ok(Extension {
        oid: T::OID,
        critical,
        value: value.to_der()?,
    })
}
