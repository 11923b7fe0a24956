//! `iospki apns check-request`: decode a push certificate request made by any tool (iospki, mdmvendorsign, WSO2's
//! script, mdmctl) and check what Apple checks, reporting every problem rather than stopping at the first.

use std::path::Path;

use base64ct::{Base64, Encoding};
use time::OffsetDateTime;

use super::request::{self, CHAIN_KEY, CSR_KEY, Entry, KEYS, RequestError, SIGNATURE_KEY};
use super::rules::{self, Cert, Fault};
use super::{AppleRoot, CSR_LABELS, read_der};
use crate::error::{Error, Result};
use crate::formats::crypto::rsa_signature_valid;
use crate::formats::key::Digest;
use crate::io::input::{self, Kind};
use crate::ops::findings::{Finding, Report};

/// The JSON schema identifier of the report.
pub const SCHEMA: &str = "iospki.apns-check/1";

/// Apple's PEM line length in the chain.
const PEM_COLUMNS: usize = 64;

/// What check-request found.
#[derive(Debug)]
pub struct RequestCheck {
    /// The findings, in the order found.
    pub report: Report,
    /// The hash the signature verified with, when it did.
    pub digest: Option<Digest>,
}

/// A CSR the request must carry: its file, named in findings, and its DER.
#[derive(Debug, Clone, Copy)]
pub struct ExpectedCsr<'a> {
    /// The file it was read from.
    pub file: &'a Path,
    /// The DER.
    pub der: &'a [u8],
}

/// Checks the request in `path`; with `csr_file`, also that it carries that CSR (PEM or DER). An error means a
/// file could not be read as a request or a CSR at all; everything else is a finding.
pub fn check_request(
    path: &Path,
    csr_file: Option<&Path>,
    apple_root: &AppleRoot,
    now: OffsetDateTime,
) -> Result<RequestCheck> {
    let upload = input::read(path, Kind::Data)?;
    let csr = match csr_file {
        Some(file) => Some((file, read_der(file, &CSR_LABELS)?)),
        None => None,
    };
    let expected = csr.as_ref().map(|(file, der)| ExpectedCsr { file, der });
    check_upload(&path.display().to_string(), &upload, expected, apple_root, now)
        .map_err(|e| Error::unreadable(path, e.to_string()))
}

/// Checks the upload file `upload`, named `target` in the report, and that it carries the `expected` CSR.
pub fn check_upload(
    target: &str,
    upload: &[u8],
    expected: Option<ExpectedCsr<'_>>,
    apple_root: &AppleRoot,
    now: OffsetDateTime,
) -> Result<RequestCheck, RequestError> {
    let entries = request::decode(upload)?;
    let mut check = Checker {
        target: target.to_owned(),
        findings: Vec::new(),
    };
    let [csr_text, chain_text, signature_text] = check.keys(&entries);
    let csr = csr_text.and_then(|text| check.base64(CSR_KEY, text));
    let csr_key = csr.as_ref().and_then(|der| check.csr(der, expected));
    let chain = chain_text
        .map(|text| check.chain(text, apple_root, now))
        .unwrap_or_default();
    let signature = signature_text.and_then(|text| check.base64(SIGNATURE_KEY, text));
    let mut digest = None;
    if let (Some(csr), Some(vendor), Some(signature)) = (&csr, chain.first(), &signature) {
        digest = check.signature(csr, vendor, signature);
        if let Some(fault) = csr_key.and_then(|key| rules::not_the_vendor_csr(&key, vendor)) {
            check.add(CSR_KEY, fault);
        }
    }
    Ok(RequestCheck {
        report: Report::new(SCHEMA, check.target, check.findings),
        digest,
    })
}

struct Checker {
    target: String,
    findings: Vec<Finding>,
}

impl Checker {
    fn add(&mut self, part: &str, fault: Fault) {
        let location = format!("{}: {part}", self.target);
        self.findings.push(fault.at(location));
    }

    /// The texts of the three keys, each a `<string>` exactly once; other keys are problems.
    fn keys<'e>(&mut self, entries: &'e [Entry]) -> [Option<&'e str>; 3] {
        let only = format!("a request holds exactly {}, each a <string>", KEYS.join(", "));
        for entry in entries.iter().filter(|e| !KEYS.contains(&e.key.as_str())) {
            self.add(
                &entry.key,
                Fault::problem("is a key Apple's request does not have", &only),
            );
        }
        KEYS.map(|key| {
            let found: Vec<_> = entries.iter().filter(|e| e.key == key).collect();
            match found.as_slice() {
                [entry] if entry.kind == "string" => Some(entry.text.as_str()),
                [entry] => {
                    let what = format!("is a <{}>, not a <string>", entry.kind);
                    self.add(key, Fault::problem(what, &only));
                    None
                }
                [] => {
                    self.add(key, Fault::problem("is missing", &only));
                    None
                }
                _ => {
                    self.add(key, Fault::problem(format!("appears {} times", found.len()), &only));
                    None
                }
            }
        })
    }

    fn base64(&mut self, key: &str, text: &str) -> Option<Vec<u8>> {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let decoded = Base64::decode_vec(&compact);
        if let Err(e) = &decoded {
            self.add(
                key,
                Fault::problem(format!("is not base64: {e}"), "make the request again"),
            );
        }
        decoded.ok()
    }

    /// The CSR's rules, and that it is the `expected` one (a file and its DER) when given; returns its key.
    fn csr(&mut self, der: &[u8], expected: Option<ExpectedCsr<'_>>) -> Option<Vec<u8>> {
        if let Some(expected) = expected
            && expected.der != der
        {
            let what = format!("is not the CSR in {}", expected.file.display());
            self.add(
                CSR_KEY,
                Fault::problem(what, "sign that CSR, or check the request made for it"),
            );
        }
        rules::csr(der).map_err(|fault| self.add(CSR_KEY, fault)).ok()
    }

    /// The chain's certificates, vendor first, with their line lengths, links and dates checked.
    fn chain(&mut self, text: &str, apple_root: &AppleRoot, now: OffsetDateTime) -> Vec<Cert> {
        let again = "give the chain as PEM: vendor certificate, intermediate, root";
        for (at, fault) in line_lengths(text) {
            self.add(&certificate(at), fault);
        }
        let blocks = match pem::parse_many(text) {
            Ok(blocks) => blocks,
            Err(e) => {
                self.add(CHAIN_KEY, Fault::problem(format!("is not PEM: {e}"), again));
                return Vec::new();
            }
        };
        if blocks.is_empty() {
            self.add(CHAIN_KEY, Fault::problem("holds no certificate", again));
        }
        let mut certs = Vec::new();
        for (at, block) in blocks.into_iter().enumerate() {
            match Cert::parse(block.contents(), now) {
                Ok(cert) => certs.push(cert),
                Err(e) => {
                    self.add(
                        &certificate(at),
                        Fault::problem(format!("is not a certificate: {e}"), again),
                    );
                    return Vec::new();
                }
            }
        }
        for (at, fault) in rules::chain(&certs, apple_root) {
            self.add(&certificate(at), fault);
        }
        for (at, cert) in certs.iter().enumerate() {
            if let Some(fault) = rules::chain_validity(at, cert, now) {
                self.add(&certificate(at), fault);
            }
        }
        certs
    }

    /// Verifies the signature over the CSR with the vendor certificate's key, SHA-256 first, then SHA-1.
    fn signature(&mut self, csr: &[u8], vendor: &Cert, signature: &[u8]) -> Option<Digest> {
        let verifies = |digest: Digest| {
            let key = vendor.x509.rsa_public_key();
            key.is_some_and(|key| rsa_signature_valid(key, &digest.signature(), csr, signature).unwrap_or(false))
        };
        let digest = [Digest::Sha256, Digest::Sha1].into_iter().find(|d| verifies(*d));
        match digest {
            None => self.add(
                SIGNATURE_KEY,
                Fault::problem(
                    "does not verify over the CSR with the vendor certificate's key, with SHA-256 or SHA-1",
                    "sign the CSR again with the vendor key that belongs to the vendor certificate",
                ),
            ),
            Some(Digest::Sha1) => self.add(
                SIGNATURE_KEY,
                Fault::warning(
                    "is made with SHA-1; Apple's instructions now say SHA-256",
                    "sign with SHA-256 (iospki apns sign) unless your vendor certificate needs SHA-1",
                ),
            ),
            Some(Digest::Sha256) => {}
        }
        digest
    }
}

/// How a certificate of the chain is named in findings (counting from 1).
fn certificate(at: usize) -> String {
    format!("{CHAIN_KEY} certificate {}", at + 1)
}

/// PEM blocks whose base64 lines are not Apple's 64 columns (the last line may be shorter), each with the index
/// of its certificate.
fn line_lengths(text: &str) -> Vec<(usize, Fault)> {
    let mut faults = Vec::new();
    let mut block: Option<Vec<usize>> = None;
    let mut count = 0;
    for line in text.lines().map(str::trim_end) {
        if line.starts_with("-----BEGIN ") {
            block = Some(Vec::new());
        } else if line.starts_with("-----END ") {
            if let Some(fault) = block.take().and_then(|lengths| line_fault(&lengths)) {
                faults.push((count, fault));
            }
            count += 1;
        } else if let Some(lengths) = &mut block {
            lengths.push(line.len());
        }
    }
    faults
}

/// The fault of one PEM block's base64 line lengths, if any.
fn line_fault(lengths: &[usize]) -> Option<Fault> {
    let (last, full) = lengths.split_last()?;
    let (line, columns) = full
        .iter()
        .enumerate()
        .find(|(_, n)| **n != PEM_COLUMNS)
        .map(|(at, n)| (at, *n))
        .or((*last > PEM_COLUMNS || *last == 0).then_some((full.len(), *last)))?;
    Some(Fault::problem(
        format!(
            "line {} of its base64 is {columns} columns; Apple expects PEM in lines of {PEM_COLUMNS}",
            line + 1
        ),
        "re-encode the chain in 64-column lines (openssl x509 writes them, as does iospki apns sign)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::apns::rules::tests::NOW;
    use crate::ops::apns::tests::{fixture, stand_in_root};
    use crate::ops::findings::Severity;

    fn check(name: &str) -> RequestCheck {
        check_request(&fixture(name), None, &stand_in_root(), NOW).unwrap()
    }

    /// (severity, location after the file name, start of what) of each finding.
    fn found(check: &RequestCheck) -> Vec<(Severity, String, String)> {
        check
            .report
            .findings
            .iter()
            .map(|f| {
                let location = f
                    .location
                    .split_once(": ")
                    .map(|(_, l)| l.to_owned())
                    .unwrap_or_default();
                (f.severity, location, f.what.clone())
            })
            .collect()
    }

    #[test]
    fn a_request_made_by_plistlib_and_openssl_is_sound() {
        let check = check("request-python.b64");
        assert_eq!(found(&check), vec![]);
        assert_eq!(check.digest, Some(Digest::Sha256));
        assert_eq!(check.report.schema, "iospki.apns-check/1");
    }

    #[test]
    fn sha1_signature_is_a_warning() {
        let check = check("request-sha1.b64");
        assert_eq!(check.digest, Some(Digest::Sha1));
        let found = found(&check);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0, found[0].1.as_str()), (Severity::Warning, SIGNATURE_KEY));
    }

    #[test]
    fn each_broken_request_has_its_problem() {
        let cases = [
            (
                "request-76.b64",
                "PushCertCertificateChain certificate 1",
                "line 1 of its base64 is 76 columns",
            ),
            (
                "request-wrong-intermediate.b64",
                "PushCertCertificateChain certificate 2",
                "has the name of the issuer",
            ),
            (
                "request-expired-vendor.b64",
                "PushCertCertificateChain certificate 1",
                "expired on 2024-01-01",
            ),
            ("request-wrong-key.b64", SIGNATURE_KEY, "does not verify over the CSR"),
            (
                "request-keys.b64",
                "PushCertWebsite",
                "is a key Apple's request does not have",
            ),
            ("request-keys.b64", SIGNATURE_KEY, "is a <data>, not a <string>"),
        ];
        for (file, location, what) in cases {
            let found = found(&check(file));
            assert!(
                found.iter().any(|(severity, l, w)| *severity == Severity::Problem
                    && l.starts_with(location)
                    && w.starts_with(what)),
                "{file}: no problem at {location:?} starting {what:?} in {found:?}"
            );
        }
        assert_eq!(found(&check("request-76.b64")).len(), 3, "one per certificate");
    }

    #[test]
    fn csr_given_must_be_the_one_carried() {
        let same = check_request(
            &fixture("request-python.b64"),
            Some(&fixture("push.csr")),
            &stand_in_root(),
            NOW,
        )
        .unwrap();
        assert_eq!(same.report.findings, vec![]);
        let other = check_request(
            &fixture("request-python.b64"),
            Some(&fixture("push-1024.csr")),
            &stand_in_root(),
            NOW,
        )
        .unwrap();
        assert!(
            other.report.findings[0].what.starts_with("is not the CSR in"),
            "{:?}",
            other.report
        );
    }

    #[test]
    fn internal_subset_is_unreadable() {
        let err = check_request(&fixture("request-internal-subset.b64"), None, &stand_in_root(), NOW).unwrap_err();
        assert!(err.to_string().contains("internal subset"), "{err}");
    }

    #[test]
    fn line_lengths_allow_a_short_last_line_only() {
        let pem = |lines: &[usize]| -> String {
            let body: String = lines.iter().map(|n| "A".repeat(*n) + "\n").collect();
            format!("-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n")
        };
        assert!(line_lengths(&pem(&[64, 64, 12])).is_empty());
        assert!(line_lengths(&(pem(&[64]) + &pem(&[64, 64]))).is_empty());
        let faults = line_lengths(&(pem(&[64, 3]) + &pem(&[64, 40, 64, 8])));
        assert_eq!(faults.len(), 1);
        assert_eq!(faults[0].0, 1);
        assert!(
            faults[0].1.what.starts_with("line 2 of its base64 is 40 columns"),
            "{faults:?}"
        );
        assert!(!line_lengths(&pem(&[64, 65])).is_empty());
    }
}
