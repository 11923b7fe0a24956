//! Issuing certificates: a profile, a subject, a serial and a validity, signed by rcgen with our RSA key.

use rand::RngExt;
use rcgen::{CertificateParams, CustomExtension, DistinguishedName, Issuer, KeyIdMethod, SerialNumber};
use rustls_pki_types::CertificateDer;
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};
use crate::formats::key::RsaKey;
use crate::formats::profile::{Extension, Profile};
use crate::vocab::names::HostName;

/// What to put in one certificate.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Which kind of certificate.
    pub profile: &'a Profile,
    /// Its subject name.
    pub subject: DistinguishedName,
    /// Its serial number, big-endian, positive.
    pub serial: SerialNumber,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// Validity in days from `not_before`.
    pub days: u32,
    /// DNS names for subjectAltName (used when the profile has one).
    pub hosts: Vec<&'a HostName>,
}

impl Request<'_> {
    /// The end of validity, `days` after `not_before`; `None` past what a certificate can say (the year 9999).
    pub fn not_after(&self) -> Option<OffsetDateTime> {
        end_of_validity(self.not_before, self.days)
    }
}

/// `days` after `start`, if that is a time a certificate can carry (GeneralizedTime ends with 9999).
pub fn end_of_validity(start: OffsetDateTime, days: u32) -> Option<OffsetDateTime> {
    start
        .checked_add(Duration::days(i64::from(days)))
        .filter(|end| end.year() <= 9999)
}

/// An issued certificate, with what it takes to sign others with it.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The certificate.
    pub der: CertificateDer<'static>,
    name: DistinguishedName,
    key_id: Vec<u8>,
}

impl Issued {
    /// A certificate issued earlier, with its subject `name` and key identifier, to sign with or to keep.
    pub fn existing(der: CertificateDer<'static>, name: DistinguishedName, key_id: Vec<u8>) -> Self {
        Issued { der, name, key_id }
    }

    /// The certificate as PEM (`BEGIN CERTIFICATE`).
    pub fn pem(&self) -> String {
        crate::formats::pem::certificate(&self.der)
    }
}

/// Signs `request` for `subject_key`: by `issuer` (certificate and key) or, without one, by `subject_key` itself.
pub fn issue(request: &Request<'_>, subject_key: &RsaKey, issuer: Option<(&Issued, &RsaKey)>) -> Result<Issued> {
    let fail = |reason: String| Error::Issue {
        profile: request.profile.role.name(),
        reason,
    };
    let key_id = subject_key.key_identifier();
    let issuer_key_id = issuer.map_or(key_id.as_slice(), |(cert, _)| cert.key_id.as_slice());
    let extensions = request
        .profile
        .extensions(&key_id, issuer_key_id, &request.hosts)
        .map_err(|e| fail(format!("cannot encode extensions: {e}")))?;

    let mut params = CertificateParams::default();
    params.distinguished_name = request.subject.clone();
    params.serial_number = Some(request.serial.clone());
    params.not_before = request.not_before;
    params.not_after = request.not_after().ok_or_else(|| {
        fail(format!(
            "a validity of {} days from {} ends after the year 9999",
            request.days, request.not_before
        ))
    })?;
    params.key_identifier_method = KeyIdMethod::PreSpecified(key_id.clone());
    params.custom_extensions = extensions.iter().map(custom_extension).collect();

    let certificate = match issuer {
        None => params.self_signed(subject_key),
        Some((cert, key)) => params.signed_by(subject_key, &issuer_of(cert, key)),
    }
    .map_err(|e| fail(e.to_string()))?;
    Ok(Issued {
        der: certificate.der().clone(),
        name: request.subject.clone(),
        key_id,
    })
}

fn issuer_of<'a>(cert: &Issued, key: &'a RsaKey) -> Issuer<'static, &'a RsaKey> {
    let mut params = CertificateParams::default();
    params.distinguished_name = cert.name.clone();
    params.key_identifier_method = KeyIdMethod::PreSpecified(cert.key_id.clone());
    Issuer::new(params, key)
}

fn custom_extension(extension: &Extension) -> CustomExtension {
    let arcs: Vec<u64> = extension.oid.arcs().map(u64::from).collect();
    let mut custom = CustomExtension::from_oid_content(&arcs, extension.value.clone());
    custom.set_criticality(extension.critical);
    custom
}

/// A random positive 128-bit serial, as a CA serial should be (CA/B BR 7.1: at least 64 random bits).
pub fn random_serial() -> SerialNumber {
    let mut bytes: [u8; 16] = rand::rng().random();
    // Positive and of fixed length: top bit clear, next bit set.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::from_slice(&bytes)
}

/// The current time, truncated to whole seconds as certificates store it.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now - Duration::nanoseconds(i64::from(now.nanosecond()))
}
