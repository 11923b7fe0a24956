//! Apple's push certificate into what WSO2's iOS platform configuration takes: a .pfx with the push key, its
//! password's source and the topic; and the renewal check that the topic is the one devices enrolled with.

use std::path::{Path, PathBuf};

use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::rules::{self, Cert, Fault};
use super::{WARN_DAYS, der_from, key_from_pkcs8, open_store};
use crate::error::{Error, Result};
use crate::formats::crypto::belongs_to;
use crate::formats::key::RsaKey;
use crate::formats::keystore::pkcs12::{self, Protection};
use crate::formats::keystore::{self, Entry, Keystore};
use crate::formats::x509::Certificate;
use crate::io::input::{self, Kind};
use crate::io::output::{PUBLIC_MODE, Plan, SECRET_MODE};
use crate::io::secret::Password;
use crate::ops::findings::{Finding, Report, Severity};
use crate::ops::verify;

/// The .pfx for WSO2's "MDM Certificate" field.
pub const PFX_FILE: &str = "mdm-push.pfx";
/// Apple's certificate as PEM.
pub const PEM_FILE: &str = "mdm-push.pem";
/// The topic, for WSO2's "MDM Certificate Topic ID" field.
pub const TOPIC_FILE: &str = "mdm-push-topic.txt";
/// What to enter in each field of WSO2's iOS platform configuration.
pub const PLATFORM_FILE: &str = "wso2-ios-platform.txt";
/// The key entry's alias in the .pfx.
pub const ALIAS: &str = "mdm-push";

/// How to renew the push certificate without changing its topic.
const RENEW_PUSH: &str = "renew it at identity.apple.com: Renew on its row, signed in with the Apple ID that \
                          created it (Create would make a new topic, and every device would have to enrol again)";
/// How to make the output again.
const IMPORT_AGAIN: &str = "make it again with iospki apns import";

/// What import needs besides Apple's certificate and the push key.
#[derive(Debug)]
pub struct ImportOptions {
    /// The previous push certificate (PEM or DER) or .pfx, whose topic the new one must keep.
    pub previous: Option<PathBuf>,
    /// The .pfx protection.
    pub protection: Protection,
    /// The .pfx password; also opens a previous .pfx.
    pub password: Password,
    /// Where the password came from, as the operator is told (never the password).
    pub password_source: String,
    /// Accept a topic other than the previous certificate's.
    pub accept_new_topic: bool,
    /// The time to judge validity at, and the .pfx entry's date.
    pub now: OffsetDateTime,
}

/// An import, ready to publish.
#[derive(Debug)]
pub struct Imported {
    /// mdm-push.pfx, mdm-push.pem, mdm-push-topic.txt and wso2-ios-platform.txt.
    pub plan: Plan,
    /// The push topic.
    pub topic: String,
    /// The certificate's end of validity, RFC 3339.
    pub not_after: String,
    /// The previous certificate's topic, when one was given.
    pub previous_topic: Option<String>,
    /// A certificate that expires within 30 days, one line.
    pub warnings: Vec<String>,
}

/// Imports Apple's push certificate in `cert_file` with the push key `key` (from `key_file`). Refused, naming the
/// file: a certificate for another key, without a UID or with one that is not an MDM topic, expired or not yet
/// valid; a topic other than the previous certificate's, unless `accept_new_topic`; a password Java cannot use.
pub fn import(cert_file: &Path, key_file: &Path, key: &RsaKey, options: &ImportOptions) -> Result<Imported> {
    options.password.check_writable()?;
    if !options.password.secret_str().is_ascii() {
        return Err(Error::Password {
            source_name: options.password_source.clone(),
            reason: "the password is not ASCII, and Java's PKCS12 keystore, which WSO2 opens the .pfx with, \
                     accepts only ASCII passwords; choose another"
                .into(),
        });
    }
    let cert = Cert::read(cert_file, options.now)?;
    if !belongs_to(Some(key.public_key_der()), &cert.x509) {
        let fault = Fault::problem(
            format!("is a certificate for another key than {}", key_file.display()),
            "import it with the push key whose CSR went into its request (push.key of iospki apns csr)",
        );
        return Err(fault.refuse(cert_file));
    }
    let topic = rules::push_topic(&cert.x509).map_err(|fault| fault.refuse(cert_file))?;
    let warnings = match rules::validity(&cert, options.now, Duration::days(WARN_DAYS), RENEW_PUSH) {
        Some(fault) => vec![fault.warn_or_refuse(cert_file)?],
        None => Vec::new(),
    };
    let previous_topic = match &options.previous {
        Some(previous) => Some(renewal(cert_file, topic, previous, options)?),
        None => None,
    };
    let plan = plan(&cert, key, topic, options)?;
    Ok(Imported {
        plan,
        topic: topic.to_owned(),
        not_after: cert.info.not_after,
        previous_topic,
        warnings,
    })
}

/// The topic of the `previous` certificate, which must be `topic` (of `cert_file`) unless a new one is accepted.
fn renewal(cert_file: &Path, topic: &str, previous: &Path, options: &ImportOptions) -> Result<String> {
    let old = previous_topic(previous, &options.password)?;
    if old == topic || options.accept_new_topic {
        return Ok(old);
    }
    Err(Error::TopicChanged {
        path: cert_file.to_path_buf(),
        topic: topic.to_owned(),
        previous: previous.to_path_buf(),
        previous_topic: old,
    })
}

/// The topic of the previous push certificate: a PEM or DER certificate, or a .pfx opened with `password`.
fn previous_topic(path: &Path, password: &Password) -> Result<String> {
    let bytes = input::read(path, Kind::Data)?;
    let single = der_from(path, &bytes, &["CERTIFICATE"]).map(|der| Certificate::parse(&der));
    let certificates = match single {
        Ok(Ok(cert)) => vec![cert],
        _ => open_store(path, &bytes, password)?
            .store
            .entries()
            .iter()
            .filter_map(|e| e.entry.certificate())
            .filter_map(|der| Certificate::parse(der).ok())
            .collect(),
    };
    certificates
        .iter()
        .find_map(Certificate::apns_topic)
        .map(str::to_owned)
        .ok_or_else(|| Error::Refused {
            path: path.to_path_buf(),
            reason: "holds no MDM push certificate (no subject UID starting with com.apple.mgmt.); give the previous \
                 mdm-push.pem or mdm-push.pfx"
                .into(),
        })
}

fn plan(cert: &Cert, key: &RsaKey, topic: &str, options: &ImportOptions) -> Result<Plan> {
    let mut store = Keystore::new();
    let chain = vec![cert.x509.der.clone()];
    store.insert(ALIAS, options.now, Entry::key(&key.secret_pkcs8_der()?, chain))?;
    let pfx = pkcs12::write(&store, &options.password, options.protection).map_err(|source| Error::Store {
        path: PathBuf::from(PFX_FILE),
        source,
    })?;
    let mut plan = Plan::default();
    plan.add(
        PFX_FILE,
        pfx,
        SECRET_MODE,
        "WSO2's MDM Certificate: the push key and Apple's certificate",
    );
    plan.add(
        PEM_FILE,
        crate::formats::pem::certificate(&cert.x509.der),
        PUBLIC_MODE,
        "Apple's push certificate",
    );
    plan.add(
        TOPIC_FILE,
        format!("{topic}\n"),
        PUBLIC_MODE,
        "WSO2's MDM Certificate Topic ID",
    );
    let platform = platform_text(topic, &options.password_source, &cert.info.not_after);
    plan.add(
        PLATFORM_FILE,
        platform,
        PUBLIC_MODE,
        "what to enter in WSO2's iOS platform configuration",
    );
    Ok(plan)
}

/// wso2-ios-platform.txt: each field of WSO2's iOS platform configuration and its value; the password's source,
/// never the password.
fn platform_text(topic: &str, password_source: &str, not_after: &str) -> String {
    format!(
        "WSO2 IoT Server, device management console: Configuration Management > Platform Configurations >\n\
         iOS Configurations. Enter:\n\
         \n\
         MDM Certificate:            {PFX_FILE} (beside this file)\n\
         MDM Certificate Password:   {password_source}\n\
         MDM Certificate Topic ID:   {topic}\n\
         \n\
         The push certificate expires on {not_after}. Before then, renew it at https://identity.apple.com/pushcert:\n\
         Renew on its row, signed in with the same Apple ID, so that the topic stays and enrolled devices keep\n\
         working. The form's \"APNS Certificate\" is another certificate: the iOS agent app's.\n"
    )
}

/// Re-runs the checks of import over its output directory `dir`: the .pfx opens with `password`, Java 8 reads it,
/// its key matches its certificate, which has an MDM topic, equals mdm-push.pem, has the topic of
/// mdm-push-topic.txt and does not expire within `within`. Locations are relative to `dir`; an error only when
/// `dir` is not a directory.
pub fn verify_import(dir: &Path, password: &Password, within: Duration, now: OffsetDateTime) -> Result<Report> {
    verify::require_dir(dir)?;
    let mut findings = Vec::new();
    if let Some(cert) = pfx_certificate(dir, password, now, &mut findings) {
        certificate_findings(dir, &cert, within, now, &mut findings);
    }
    Ok(Report::new(verify::SCHEMA, dir.display().to_string(), findings))
}

/// The file `name` of the output directory `dir`, or the finding that it cannot be read.
fn read_output(dir: &Path, name: &str, kind: Kind) -> Result<Zeroizing<Vec<u8>>, Finding> {
    input::read_bytes(&dir.join(name), kind)
        .map_err(|e| Fault::problem(format!("cannot be read: {e}"), IMPORT_AGAIN).at(name))
}

/// The certificate of the .pfx's key entry, after checking that the .pfx opens, Java 8 reads it and the key is
/// the certificate's.
fn pfx_certificate(dir: &Path, password: &Password, now: OffsetDateTime, findings: &mut Vec<Finding>) -> Option<Cert> {
    let opened = read_output(dir, PFX_FILE, Kind::Data).and_then(|bytes| {
        keystore::open(&bytes, Some(password)).map_err(|e| {
            let what = format!("cannot be opened with the password: {e}");
            Fault::problem(what, IMPORT_AGAIN).at(PFX_FILE)
        })
    });
    let opened = opened.map_err(|finding| findings.push(finding)).ok()?;
    if !opened.java8_readable {
        let what = format!("Java 8 before 8u301 cannot read it ({})", opened.protection);
        let fix =
            "IoT Server 3.x runs on Java 8: import again with the legacy .pfx profile, iospki apns import's default";
        findings.push(Fault::problem(what, fix).at(PFX_FILE));
    }
    key_entry(&opened.store, password, now)
        .map_err(|fault| findings.push(fault.at(entry())))
        .ok()
}

/// The certificate of the key entry in `store`, whose key must be the certificate's.
fn key_entry(store: &Keystore, password: &Password, now: OffsetDateTime) -> Result<Cert, Fault> {
    let Some(Entry::PrivateKey { key, chain }) = store.get(ALIAS).map(|e| &e.entry) else {
        return Err(Fault::problem("is not a key entry", IMPORT_AGAIN));
    };
    let cert = chain
        .first()
        .and_then(|der| Cert::parse(der, now).ok())
        .ok_or_else(|| Fault::problem("has no readable certificate", IMPORT_AGAIN))?;
    let key = key
        .secret_pkcs8(ALIAS, password)
        .ok()
        .and_then(|pkcs8| key_from_pkcs8(Path::new(PFX_FILE), &pkcs8).ok())
        .ok_or_else(|| Fault::problem("has no readable RSA key", IMPORT_AGAIN))?;
    if !belongs_to(Some(key.public_key_der()), &cert.x509) {
        return Err(Fault::problem(
            "holds a key that is not its certificate's",
            IMPORT_AGAIN,
        ));
    }
    Ok(cert)
}

/// Where findings about the .pfx's key entry are.
fn entry() -> String {
    format!("{PFX_FILE} alias {ALIAS}")
}

/// The rules for the .pfx's certificate, and the PEM and topic files beside it.
fn certificate_findings(dir: &Path, cert: &Cert, within: Duration, now: OffsetDateTime, findings: &mut Vec<Finding>) {
    let location = entry();
    let topic = rules::push_topic(&cert.x509)
        .map_err(|fault| findings.push(fault.at(&location)))
        .ok();
    // As verify does: whatever expires within the window is a problem to act on.
    if let Some(fault) = rules::validity(cert, now, within, RENEW_PUSH) {
        findings.push(
            Fault {
                severity: Severity::Problem,
                ..fault
            }
            .at(&location),
        );
    }
    findings.extend(pem_finding(dir, cert));
    findings.extend(topic.and_then(|topic| topic_finding(dir, topic)));
}

/// What is wrong with mdm-push.pem, which must hold the .pfx's certificate.
fn pem_finding(dir: &Path, cert: &Cert) -> Option<Finding> {
    let bytes = match read_output(dir, PEM_FILE, Kind::Data) {
        Ok(bytes) => bytes,
        Err(finding) => return Some(finding),
    };
    let same = der_from(Path::new(PEM_FILE), &bytes, &["CERTIFICATE"]).is_ok_and(|der| der == cert.x509.der.as_ref());
    let what = format!("is not the certificate of {PFX_FILE}");
    (!same).then(|| Fault::problem(what, IMPORT_AGAIN).at(PEM_FILE))
}

/// What is wrong with mdm-push-topic.txt, which must hold `topic`.
fn topic_finding(dir: &Path, topic: &str) -> Option<Finding> {
    let bytes = match read_output(dir, TOPIC_FILE, Kind::Text) {
        Ok(bytes) => bytes,
        Err(finding) => return Some(finding),
    };
    let same = std::str::from_utf8(&bytes).is_ok_and(|text| text.trim_end() == topic);
    let what = format!("does not hold the certificate's topic {topic}");
    (!same).then(|| Fault::problem(what, IMPORT_AGAIN).at(TOPIC_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::apns::rules::tests::NOW;
    use crate::ops::apns::tests::fixture;

    const PASSWORD: &str = "mdm-push-store-password";

    fn options(previous: Option<&str>) -> ImportOptions {
        ImportOptions {
            previous: previous.map(fixture),
            protection: Protection::Legacy,
            password: Password::new(PASSWORD),
            password_source: "the line in store.pass".into(),
            accept_new_topic: false,
            now: NOW,
        }
    }

    fn import_with(cert: &str, key: &str, options: &ImportOptions) -> Result<Imported> {
        let key_file = fixture(key);
        let key = crate::formats::key::load(&key_file, || unreachable!("not encrypted")).unwrap();
        import(&fixture(cert), &key_file, &key, options)
    }

    fn refusal(cert: &str, key: &str, options: &ImportOptions) -> String {
        import_with(cert, key, options).unwrap_err().to_string()
    }

    const TOPIC: &str = "com.apple.mgmt.External.1f8c3a5e-2b7d-4e9a-8c61-0d3f5b7a9e21";

    #[test]
    fn import_writes_the_pfx_pem_topic_and_platform_fields() {
        let imported = import_with("mdm-push.pem", "push.key", &options(None)).unwrap();
        assert_eq!(imported.topic, TOPIC);
        assert_eq!(imported.not_after, "2049-12-31T23:59:59Z");
        let files: Vec<_> = imported.plan.files.iter().map(|f| (f.name.as_str(), f.mode)).collect();
        assert_eq!(
            files,
            [
                (PFX_FILE, 0o600),
                (PEM_FILE, 0o644),
                (TOPIC_FILE, 0o644),
                (PLATFORM_FILE, 0o644)
            ]
        );
        let opened = keystore::open(&imported.plan.files[0].contents, Some(&Password::new(PASSWORD))).unwrap();
        assert!(opened.java8_readable, "{}", opened.protection);
        assert!(opened.protection.contains("3DES") && opened.protection.contains("HMAC-SHA1"));
        assert!(opened.store.get(ALIAS).unwrap().entry.is_key());
        assert_eq!(&imported.plan.files[2].contents[..], format!("{TOPIC}\n").as_bytes());
        let platform = String::from_utf8(imported.plan.files[3].contents.to_vec()).unwrap();
        assert!(
            platform.contains(&format!("MDM Certificate Topic ID:   {TOPIC}")),
            "{platform}"
        );
        assert!(
            platform.contains("MDM Certificate Password:   the line in store.pass"),
            "{platform}"
        );
        assert!(!platform.contains(PASSWORD));
    }

    #[test]
    fn each_refusal_names_the_certificate() {
        let cases = [
            ("mdm-push-other-key.pem", "is a certificate for another key than"),
            ("mdm-push-no-uid.pem", "has no UID in its subject"),
            ("mdm-push-no-prefix.pem", "its subject's UID 'com.example.push."),
            ("mdm-push-expired.pem", "expired on 2024-01-01T00:00:00Z"),
        ];
        for (cert, expected) in cases {
            let err = refusal(cert, "push.key", &options(None));
            assert!(err.contains(&format!("{cert}: {expected}")), "{err}");
        }
    }

    #[test]
    fn renewal_keeps_the_topic_with_a_new_key() {
        for previous in ["mdm-push.pem", "previous.pfx"] {
            let imported = import_with("mdm-push-renewed.pem", "push-new.key", &options(Some(previous))).unwrap();
            assert_eq!(imported.previous_topic.as_deref(), Some(TOPIC), "{previous}");
        }
    }

    #[test]
    fn a_new_topic_is_refused_unless_accepted() {
        let err = refusal("mdm-push-new-topic.pem", "push-new.key", &options(Some("previous.pfx")));
        assert!(
            err.contains("mdm-push-new-topic.pem: its topic com.apple.mgmt.External.6d0b9c4f"),
            "{err}"
        );
        assert!(err.contains("created instead of renewed"), "{err}");
        let accepted = ImportOptions {
            accept_new_topic: true,
            ..options(Some("mdm-push.pem"))
        };
        let imported = import_with("mdm-push-new-topic.pem", "push-new.key", &accepted).unwrap();
        assert_ne!(imported.previous_topic.as_deref(), Some(imported.topic.as_str()));
    }

    #[test]
    fn previous_without_a_topic_or_with_the_wrong_password_is_refused() {
        let err = refusal("mdm-push.pem", "push.key", &options(Some("vendor.cer")));
        assert!(err.contains("vendor.cer: holds no MDM push certificate"), "{err}");
        let wrong = ImportOptions {
            password: Password::new("another"),
            ..options(Some("previous.pfx"))
        };
        let err = refusal("mdm-push.pem", "push.key", &wrong);
        assert!(err.contains("previous.pfx: store password is wrong"), "{err}");
    }

    #[test]
    fn non_ascii_password_is_refused() {
        let options = ImportOptions {
            password: Password::new("pässword"),
            ..options(None)
        };
        let err = refusal("mdm-push.pem", "push.key", &options);
        assert!(
            err.starts_with("the line in store.pass: the password is not ASCII"),
            "{err}"
        );
    }

    /// An import output directory, published.
    fn published() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let imported = import_with("mdm-push.pem", "push.key", &options(None)).unwrap();
        imported.plan.publish(&dir.path().join("out"), false).unwrap();
        dir
    }

    fn verified(dir: &Path, password: &str, within: Duration) -> Vec<(String, String)> {
        let report = verify_import(dir, &Password::new(password), within, NOW).unwrap();
        assert_eq!(report.schema, "iospki.verify/1");
        report.findings.into_iter().map(|f| (f.location, f.what)).collect()
    }

    #[test]
    fn verify_import_finds_a_sound_output_sound() {
        let dir = published();
        assert_eq!(verified(&dir.path().join("out"), PASSWORD, Duration::days(30)), vec![]);
    }

    #[test]
    fn verify_import_finds_what_changed() {
        let dir = published();
        let out = dir.path().join("out");
        std::fs::write(out.join(TOPIC_FILE), "com.apple.mgmt.External.other\n").unwrap();
        std::fs::copy(fixture("mdm-push-renewed.pem"), out.join(PEM_FILE)).unwrap();
        let found = verified(&out, PASSWORD, Duration::days(10_000));
        let locations: Vec<_> = found.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            locations,
            ["mdm-push.pfx alias mdm-push", PEM_FILE, TOPIC_FILE],
            "{found:?}"
        );
        assert!(found[0].1.starts_with("expires in"), "{found:?}");
        let wrong = verified(&out, "wrong", Duration::days(30));
        assert_eq!(wrong.len(), 1);
        assert!(wrong[0].1.contains("store password is wrong"), "{wrong:?}");
    }

    #[test]
    fn verify_import_finds_an_aes_pfx_and_a_key_of_another_certificate() {
        let dir = published();
        let out = dir.path().join("out");
        let other = crate::formats::key::load(&fixture("push-new.key"), || unreachable!("not encrypted")).unwrap();
        let cert = rules::tests::cert("mdm-push.pem");
        let mut store = Keystore::new();
        let mismatched = Entry::key(&other.secret_pkcs8_der().unwrap(), vec![cert.x509.der]);
        store.insert(ALIAS, NOW, mismatched).unwrap();
        let pfx = pkcs12::write(&store, &Password::new(PASSWORD), Protection::Modern).unwrap();
        std::fs::write(out.join(PFX_FILE), pfx).unwrap();
        let found = verified(&out, PASSWORD, Duration::days(30));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, PFX_FILE);
        assert!(
            found[0].1.starts_with("Java 8 before 8u301 cannot read it"),
            "{found:?}"
        );
        assert_eq!(
            found[1],
            (entry(), "holds a key that is not its certificate's".to_owned())
        );
    }
}
