//! The rules a push certificate request's parts and a push certificate must meet, each saying what is wrong and
//! what to do. `sign` and `import` refuse on a broken rule; `check-request` and [`super::verify_import`] report it.

use std::path::Path;

use time::{Duration, OffsetDateTime};

use super::{AppleRoot, WARN_DAYS};
use crate::error::{Error, Result};
use crate::formats::certinfo::CertificateInfo;
use crate::formats::crypto::{belongs_to, rsa_signature_valid, signed_by};
use crate::formats::key::MIN_BITS;
use crate::formats::x509::{Certificate, CertificateError, PublicKey, Request};
use crate::formats::x509::{TOPIC_PREFIX, is_apns_topic};
use crate::ops::findings::{Finding, Severity};

/// A broken rule: how bad, what is wrong, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fault {
    pub severity: Severity,
    pub what: String,
    pub fix: String,
}

impl Fault {
    pub fn problem(what: impl Into<String>, fix: impl Into<String>) -> Fault {
        Fault {
            severity: Severity::Problem,
            what: what.into(),
            fix: fix.into(),
        }
    }

    pub fn warning(what: impl Into<String>, fix: impl Into<String>) -> Fault {
        Fault {
            severity: Severity::Warning,
            ..Fault::problem(what, fix)
        }
    }

    /// The fault as a finding about `location`.
    pub fn at(self, location: impl Into<String>) -> Finding {
        Finding {
            severity: self.severity,
            location: location.into(),
            what: self.what,
            fix: self.fix,
        }
    }

    /// The error that refuses `path` for this fault.
    pub fn refuse(self, path: &Path) -> Error {
        Error::Refused {
            path: path.to_path_buf(),
            reason: self.text(),
        }
    }

    /// Where a refusal only warns: the error refusing `path` for a problem, the line warning about it otherwise.
    pub fn warn_or_refuse(self, path: &Path) -> Result<String> {
        match self.severity {
            Severity::Problem => Err(self.refuse(path)),
            Severity::Warning => Ok(format!("{}: {}", path.display(), self.text())),
        }
    }

    /// "what; fix", as one line.
    pub fn text(&self) -> String {
        format!("{}; {}", self.what, self.fix)
    }
}

/// A certificate: its typed facts, which the rules compare, and their text, which the faults show.
pub(super) struct Cert {
    pub x509: Certificate,
    pub info: CertificateInfo,
}

impl Cert {
    /// Parses the DER certificate `der`, with days counted from `now`.
    pub fn parse(der: &[u8], now: OffsetDateTime) -> Result<Cert, CertificateError> {
        let x509 = Certificate::parse(der)?;
        let info = CertificateInfo::new(&x509, now);
        Ok(Cert { x509, info })
    }

    /// Reads one certificate, DER or PEM, from `path`.
    pub fn read(path: &Path, now: OffsetDateTime) -> Result<Cert> {
        let der = super::read_der(path, &["CERTIFICATE"])?;
        Cert::parse(&der, now).map_err(|e| Error::unreadable(path, format!("not an X.509 certificate: {e}")))
    }
}

/// The certificate's dates at `now`: not yet valid or expired is a problem, expiring within `window` a warning.
/// `renew` says how to get a new one.
pub(super) fn validity(cert: &Cert, now: OffsetDateTime, window: Duration, renew: &str) -> Option<Fault> {
    let (x509, info) = (&cert.x509, &cert.info);
    if x509.not_before > now {
        return Some(Fault::problem(
            format!("is not valid before {}", info.not_before),
            "check the clock, or wait until then",
        ));
    }
    if x509.not_after < now {
        return Some(Fault::problem(format!("expired on {}", info.not_after), renew));
    }
    if now.checked_add(window).is_none_or(|end| x509.not_after < end) {
        let days = (x509.not_after - now).whole_days();
        let what = format!("expires in {days} days, on {}", info.not_after);
        return Some(Fault::warning(what, renew));
    }
    None
}

/// How to renew the vendor certificate.
const RENEW_VENDOR: &str = "renew the MDM vendor certificate in Apple's developer portal (Certificates, MDM CSR) \
                            with a new vendor CSR (iospki apns vendor-csr)";
/// How to replace a certificate of the chain.
const RENEW_CHAIN: &str = "give the current certificate from apple.com/certificateauthority";

/// The dates of certificate `at` of a request's chain (0: the vendor certificate), warned 30 days ahead.
pub(super) fn chain_validity(at: usize, cert: &Cert, now: OffsetDateTime) -> Option<Fault> {
    let renew = if at == 0 { RENEW_VENDOR } else { RENEW_CHAIN };
    validity(cert, now, Duration::days(WARN_DAYS), renew)
}

/// A customer CSR (DER): it parses, its self-signature verifies and its key is RSA of at least 2048 bits.
/// Returns the key, PKCS#1.
pub(super) fn csr(der: &[u8]) -> Result<Vec<u8>, Fault> {
    let again = "make the CSR again (iospki apns csr)";
    let csr = Request::parse(der).map_err(|e| Fault::problem(format!("is {e}"), again))?;
    let PublicKey::Rsa { bits, pkcs1: key } = csr.public_key else {
        return Err(Fault::problem("the CSR's key is not RSA; Apple requires RSA", again));
    };
    if bits < MIN_BITS {
        let what = format!("the CSR's key is RSA-{bits}; Apple requires at least {MIN_BITS} bits");
        return Err(Fault::problem(what, again));
    }
    match rsa_signature_valid(&key, &csr.signature, &csr.signed, &csr.signature_value) {
        Ok(true) => Ok(key),
        Ok(false) => Err(Fault::problem(
            "the CSR's self-signature does not verify: it was changed or damaged",
            again,
        )),
        Err(reason) => Err(Fault::problem(
            format!("the CSR's self-signature cannot be checked: {reason}"),
            again,
        )),
    }
}

/// The CSR must be the customer's: one with the vendor certificate's key is the vendor's own CSR.
pub(super) fn not_the_vendor_csr(csr_key: &[u8], vendor: &Cert) -> Option<Fault> {
    belongs_to(Some(csr_key), &vendor.x509).then(|| {
        Fault::problem(
            "is the vendor's CSR: its key is the vendor certificate's",
            "sign the customer's push CSR (push.csr of iospki apns csr); the vendor CSR goes to the developer portal",
        )
    })
}

/// The chain's links, vendor certificate first: the vendor certificate is not self-signed, each certificate is
/// issued by the next (names and signature) and the last is a self-signed root, `apple_root`. Each fault comes
/// with the index of the certificate it is about.
pub(super) fn chain(certs: &[Cert], apple_root: &AppleRoot) -> Vec<(usize, Fault)> {
    let mut faults: Vec<(usize, Fault)> = Vec::new();
    if certs.first().is_some_and(|vendor| vendor.x509.self_issued()) {
        faults.push((
            0,
            Fault::problem(
                "is self-signed: Apple issues MDM vendor certificates (from its WWDR intermediate), and \
                 identity.apple.com refuses a request whose vendor certificate it did not issue",
                "give the MDM vendor certificate from Apple's developer portal (mdm.cer)",
            ),
        ));
    }
    faults.extend(
        certs
            .windows(2)
            .enumerate()
            .filter_map(|(at, pair)| link(certs, &pair[0], &pair[1]).map(|fault| (at + 1, fault))),
    );
    if let Some(last) = certs.last() {
        let end = root(last).or_else(|| {
            (!apple_root.is(&last.x509.der)).then(|| {
                Fault::problem(
                    format!("ends the chain but is not {}", apple_root.name()),
                    "end the chain with Apple Root CA from apple.com/certificateauthority: identity.apple.com \
                     accepts vendor certificates of Apple's own chain only",
                )
            })
        });
        faults.extend(end.map(|fault| (certs.len() - 1, fault)));
    }
    faults
}

/// Whether `issuer`, the certificate after `cert` in `certs`, issued it.
fn link(certs: &[Cert], cert: &Cert, issuer: &Cert) -> Option<Fault> {
    let (name, wanted) = (&cert.info.subject, &cert.info.issuer);
    if issuer.x509.subject.der != cert.x509.issuer.der {
        if let Some(at) = certs
            .iter()
            .position(|c| c.x509.subject.der == cert.x509.issuer.der && c.x509.der != cert.x509.der)
        {
            return Some(Fault::problem(
                format!(
                    "is out of order: the certificate before it ({name}) was issued by {wanted}, \
                     certificate {} of the chain",
                    at + 1
                ),
                "give the chain in order: the vendor certificate, the intermediate that issued it, then the root",
            ));
        }
        return Some(Fault::problem(
            format!("did not issue the certificate before it ({name}), which was issued by {wanted}"),
            "give the intermediate that issued it; for Apple's vendor certificates today the WWDR G3 intermediate",
        ));
    }
    match signed_by(&cert.x509, &issuer.x509) {
        Ok(true) => None,
        Ok(false) => Some(Fault::problem(
            format!(
                "has the name of the issuer of the certificate before it ({name}) but its key did not sign it: \
                 another certificate of that name, such as an earlier generation of the intermediate"
            ),
            "give the intermediate whose key issued it (Apple error -80018 otherwise)",
        )),
        Err(reason) => Some(Fault::problem(
            format!("cannot check its signature on the certificate before it: {reason}"),
            "give the intermediate that issued it",
        )),
    }
}

/// Whether `last`, the end of a chain, is a self-signed root.
fn root(last: &Cert) -> Option<Fault> {
    if !last.x509.self_issued() {
        return Some(Fault::problem(
            format!(
                "ends the chain but is not a root: it was issued by {}",
                last.info.issuer
            ),
            "end the chain with the self-signed root (for Apple's, Apple Inc. Root)",
        ));
    }
    match signed_by(&last.x509, &last.x509) {
        Ok(true) => None,
        _ => Some(Fault::problem(
            "is a root whose self-signature does not verify: it was changed or damaged",
            "give the root certificate as its authority publishes it",
        )),
    }
}

/// The push topic of a certificate: its subject's UID, which starts with `com.apple.mgmt.`.
pub(super) fn push_topic(cert: &Certificate) -> Result<&str, Fault> {
    let apple = "give the MDM push certificate identity.apple.com issued for your push CSR (MDM_..._Certificate.pem)";
    match cert.uid.as_deref() {
        Some(uid) if is_apns_topic(uid) => Ok(uid),
        Some(uid) if uid.starts_with(TOPIC_PREFIX) => Err(Fault::problem(
            format!(
                "its subject's UID '{}' is not a push topic: after {TOPIC_PREFIX} Apple's topics hold letters, digits, \
                 '.' and '-' only",
                uid.escape_debug()
            ),
            apple,
        )),
        Some(uid) => Err(Fault::problem(
            format!(
                "its subject's UID '{}' does not start with {TOPIC_PREFIX}: it is not an MDM push certificate",
                uid.escape_debug()
            ),
            apple,
        )),
        None => Err(Fault::problem(
            "has no UID in its subject, so no push topic: it is not an MDM push certificate",
            apple,
        )),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::ops::apns::tests::{fixture, stand_in_root};

    /// The tests' clock: well inside the fixtures' validity (2025 to 2049).
    pub const NOW: OffsetDateTime = datetime!(2030-06-01 00:00 UTC);

    pub fn cert(name: &str) -> Cert {
        Cert::read(&fixture(name), NOW).unwrap()
    }

    fn csr_der(name: &str) -> Vec<u8> {
        crate::ops::apns::read_der(&fixture(name), &crate::ops::apns::CSR_LABELS).unwrap()
    }

    fn whats(faults: Vec<(usize, Fault)>) -> Vec<(usize, String)> {
        faults.into_iter().map(|(at, f)| (at, f.what)).collect()
    }

    #[test]
    fn sound_chain_has_no_faults() {
        let certs = [cert("vendor.cer"), cert("wwdr.cer"), cert("root.pem")];
        assert_eq!(chain(&certs, &stand_in_root()), vec![]);
    }

    #[test]
    fn a_self_signed_vendor_certificate_is_no_chain_and_the_chain_ends_at_the_root_given() {
        let alone = [cert("vendor-self-signed.cer")];
        let found = whats(chain(&alone, &stand_in_root()));
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0]
                .1
                .starts_with("is self-signed: Apple issues MDM vendor certificates"),
            "{found:?}"
        );
        assert!(
            found[1]
                .1
                .starts_with("ends the chain but is not the root of --apple-root"),
            "{found:?}"
        );
        let sound = [cert("vendor.cer"), cert("wwdr.cer"), cert("root.pem")];
        let found = whats(chain(&sound, &AppleRoot::Apple));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(
            found[0]
                .1
                .starts_with("ends the chain but is not Apple Root CA (SHA-256 B0:B1:73:0E:"),
            "{found:?}"
        );
    }

    #[test]
    fn an_intermediate_of_the_same_name_with_another_key_is_caught_by_the_signature() {
        let certs = [cert("vendor.cer"), cert("wwdr-same-name.pem"), cert("root.pem")];
        let found = whats(chain(&certs, &stand_in_root()));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 1);
        assert!(found[0].1.contains("its key did not sign it"), "{found:?}");
    }

    #[test]
    fn chain_in_the_wrong_order_and_wrong_names() {
        let reversed = [cert("vendor.cer"), cert("root.pem"), cert("wwdr.cer")];
        let found = whats(chain(&reversed, &stand_in_root()));
        assert!(found[0].1.starts_with("is out of order"), "{found:?}");
        assert!(
            found.iter().any(|(at, what)| *at == 2 && what.contains("not a root")),
            "{found:?}"
        );
        let old = [cert("vendor.cer"), cert("wwdr-old.pem"), cert("root.pem")];
        let found = whats(chain(&old, &stand_in_root()));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].1.starts_with("did not issue the certificate before it"),
            "{found:?}"
        );
    }

    #[test]
    fn root_must_be_self_signed_with_a_valid_signature() {
        let found = whats(chain(&[cert("vendor.cer"), cert("wwdr.cer")], &stand_in_root()));
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("is not a root"), "{found:?}");
        let found = whats(chain(
            &[cert("vendor.cer"), cert("wwdr.cer"), cert("root-bad-signature.cer")],
            &stand_in_root(),
        ));
        assert_eq!(found, vec![(2, found[0].1.clone())]);
        assert!(found[0].1.contains("self-signature does not verify"), "{found:?}");
    }

    #[test]
    fn validity_warns_30_days_ahead_and_refuses_expired() {
        let vendor = cert("vendor.cer");
        let window = Duration::days(crate::ops::apns::WARN_DAYS);
        assert_eq!(validity(&vendor, NOW, window, "renew"), None);
        let soon = datetime!(2049-12-15 00:00 UTC);
        let fault = validity(&vendor, soon, window, "renew").unwrap();
        assert_eq!(fault.severity, Severity::Warning);
        assert!(fault.what.starts_with("expires in 16 days"), "{fault:?}");
        let expired = cert("vendor-expired.cer");
        let fault = validity(&expired, NOW, window, "renew").unwrap();
        assert_eq!(fault.severity, Severity::Problem);
        assert_eq!(fault.what, "expired on 2024-01-01T00:00:00Z");
        let early = datetime!(2024-06-01 00:00 UTC);
        assert!(
            validity(&vendor, early, window, "renew")
                .unwrap()
                .what
                .starts_with("is not valid before")
        );
    }

    #[test]
    fn csr_rules() {
        let key = csr(&csr_der("push.csr")).unwrap();
        assert!(
            belongs_to(Some(&key), &cert("mdm-push.pem").x509),
            "push.csr is push.key's"
        );
        let small = csr(&csr_der("push-1024.csr")).unwrap_err();
        assert_eq!(
            small.what,
            "the CSR's key is RSA-1024; Apple requires at least 2048 bits"
        );
        let bad = csr(&csr_der("push-bad-signature.csr")).unwrap_err();
        assert!(bad.what.contains("self-signature does not verify"), "{bad:?}");
        assert!(csr(b"junk").unwrap_err().what.starts_with("is not a PKCS#10"));
    }

    #[test]
    fn push_topic_needs_the_uid_and_its_prefix() {
        assert!(push_topic(&cert("mdm-push.pem").x509).is_ok());
        let none = push_topic(&cert("mdm-push-no-uid.pem").x509).unwrap_err();
        assert!(none.what.starts_with("has no UID"), "{none:?}");
        let bad = push_topic(&cert("mdm-push-bad-topic.pem").x509).unwrap_err();
        assert!(
            bad.what.contains("-0d3f5b7a9e21\\u{1b}[2J' is not a push topic") && !bad.what.contains('\u{1b}'),
            "{bad:?}"
        );
        let other = push_topic(&cert("mdm-push-no-prefix.pem").x509).unwrap_err();
        assert!(other.what.contains("does not start with com.apple.mgmt."), "{other:?}");
    }
}
