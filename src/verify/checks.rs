//! The checks of `iospki verify`, in the order the server meets the files: its key store, its trust store, the
//! SCEP store through certificate-config.xml, the manager's iot-api-config.xml, then the rules each certificate
//! must meet, expiry, and (for an init output directory) the PEM and PKCS#12 files beside the stores.

use std::path::{Path, PathBuf};

use rustls_pki_types::CertificateDer;
use zeroize::Zeroizing;

use super::{Finding, Layout, Options, Report, SCHEMA, Severity, crypto};
use crate::certinfo::CertificateInfo;
use crate::cluster::Cluster;
use crate::keystore::{self, Entry, Format, Keystore, StoreError};
use crate::secret::Password;
use crate::wso2::read::{self, StoreRef};

/// Apple's limit for TLS server certificates issued after 2019-07-01.
const APPLE_MAX_DAYS: i64 = 825;

/// A certificate found in a store, with where it was found.
struct Cert {
    der: CertificateDer<'static>,
    info: CertificateInfo,
    location: String,
}

/// What every check needs: where the files are, the server home (if any), the options; and what was found.
struct Checker<'a> {
    target: &'a Path,
    home: Option<&'a Path>,
    options: &'a Options,
    findings: Vec<Finding>,
}

pub(super) fn run(layout: &Layout, options: &Options) -> Report {
    let mut check = Checker {
        target: &layout.target,
        home: layout.home.as_deref(),
        options,
        findings: Vec::new(),
    };
    let ssl = check.carbon_keystore(layout);
    let truststore = check.open(&layout.truststore);
    let (ca, ra) = check.scep_store(layout);
    let api_hosts = check.iot_api_config(layout);
    if let Some(ca) = &ca {
        check.ca_rules(ca);
    }
    if let Some(ra) = &ra {
        check.ra_rules(ra);
    }
    if let Some(ssl) = &ssl {
        check.ssl_rules(ssl);
    }
    if let Some(ca) = &ca {
        for cert in [&ra, &ssl].into_iter().flatten() {
            check.issued_by(cert, ca);
        }
    }
    if let (Some(ssl), Some(hosts)) = (&ssl, required_hosts(layout, api_hosts)) {
        check.hosts(ssl, &hosts);
    }
    if let Some(truststore) = &truststore {
        check.truststore_rules(&layout.truststore.location, truststore, ca.as_ref(), ssl.as_ref());
    }
    for cert in [&ca, &ra, &ssl].into_iter().flatten() {
        check.expiry(cert);
    }
    if layout.home.is_none() {
        check.output_files([&ca, &ra, &ssl]);
    }
    Report {
        schema: SCHEMA,
        target: layout.target.display().to_string(),
        findings: check.findings,
    }
}

impl<'a> Checker<'a> {
    fn problem(&mut self, location: impl Into<String>, what: impl Into<String>, fix: impl Into<String>) {
        self.push(Severity::Problem, location.into(), what.into(), fix.into());
    }

    fn warning(&mut self, location: impl Into<String>, what: impl Into<String>, fix: impl Into<String>) {
        self.push(Severity::Warning, location.into(), what.into(), fix.into());
    }

    fn push(&mut self, severity: Severity, location: String, what: String, fix: String) {
        let finding = Finding {
            severity,
            location,
            what,
            fix,
        };
        if !self.findings.contains(&finding) {
            self.findings.push(finding);
        }
    }

    /// A path as the user will recognise it: relative to the verified directory.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(self.target).unwrap_or(path).display().to_string()
    }

    /// Where a store named in certificate-config.xml is: under the server home, or beside the XML.
    fn resolve(&self, location: &Path) -> PathBuf {
        match self.home {
            Some(_) => location.to_path_buf(),
            None => self.target.join(location.file_name().unwrap_or_default()),
        }
    }

    /// Opens a store the way the server does: its type, its password; notes what Java 8 cannot read.
    fn open(&mut self, store: &StoreRef) -> Option<Keystore> {
        let shown = self.shown(&store.location);
        let data = match std::fs::read(&store.location) {
            Ok(data) => data,
            Err(e) => {
                self.problem(
                    &shown,
                    format!("cannot be read: {e}"),
                    "write it with iospki init, or fix the path in the configuration",
                );
                return None;
            }
        };
        let opened = match keystore::open(&data, Some(&store.password)) {
            Ok(opened) => opened,
            Err(StoreError::WrongPassword) => {
                let what = "the configured store password is wrong or the file was modified";
                self.problem(
                    &shown,
                    what,
                    "set the password the store was written with, or write it again",
                );
                return None;
            }
            Err(e) => {
                self.problem(&shown, e.to_string(), "write it again with iospki init");
                return None;
            }
        };
        let configured = store.store_type.to_ascii_uppercase();
        let matches = matches!(
            (opened.format, configured.as_str()),
            (Format::Jks, "JKS") | (Format::Pkcs12, "PKCS12")
        );
        if !matches {
            let what = format!(
                "is {} but is configured as type {}",
                opened.format.name(),
                store.store_type
            );
            self.problem(
                &shown,
                what,
                "Java 8 opens it only with its own type: write it as JKS (iospki init) or fix the type",
            );
        }
        if !opened.java8_readable {
            let what = format!("Java 8 before 8u301 cannot read it ({})", opened.protection);
            self.problem(
                &shown,
                what,
                "IoT Server 3.x runs on Java 8: write it as JKS, or PKCS#12 with 3DES and HMAC-SHA1",
            );
        }
        if opened.format == Format::Pkcs12 && !store.password.secret_str().is_ascii() {
            let what = "has a non-ASCII password, which Java's PKCS12 keystore cannot use (OpenSSL can)";
            self.warning(
                &shown,
                what,
                "use JKS for Java (iospki writes it), or an ASCII password",
            );
        }
        if store.password.is_well_known() {
            self.warning(
                &shown,
                "uses a published default password",
                "choose your own (iospki init --password-file) and set it in carbon.xml and certificate-config.xml",
            );
        }
        Some(opened.store)
    }

    /// The key entry `alias` of `store`, recovered with `password`, matching its certificate.
    fn key_entry(&mut self, store: &Keystore, path: &Path, alias: &str, password: &Password) -> Option<Cert> {
        let location = format!("{} alias {alias}", self.shown(path));
        let Some(item) = store.get(alias) else {
            let aliases: Vec<_> = store.entries().iter().map(|e| e.alias.as_str()).collect();
            let what = format!(
                "has no entry under the alias the configuration names (it has: {})",
                aliases.join(", ")
            );
            self.problem(
                &location,
                what,
                "write the key under that alias (iospki init --ssl-alias) or fix the configuration",
            );
            return None;
        };
        let Entry::PrivateKey { key, chain } = &item.entry else {
            self.problem(
                &location,
                "is a trusted certificate, not a key entry",
                "write the key entry with iospki init",
            );
            return None;
        };
        let Ok(pkcs8) = key.secret_pkcs8(alias, password) else {
            let what = "the configured key password does not open the key";
            self.problem(
                &location,
                what,
                "set the key password (WSO2 expects it to equal the store password)",
            );
            return None;
        };
        let leaf = chain.first()?;
        self.certificate(leaf, &location, Some(&pkcs8))
    }

    /// Describes `der`; with `pkcs8`, checks that the key belongs to it.
    fn certificate(
        &mut self,
        der: &CertificateDer<'static>,
        location: &str,
        pkcs8: Option<&Zeroizing<Vec<u8>>>,
    ) -> Option<Cert> {
        let info = match CertificateInfo::from_der(der, self.options.now) {
            Ok(info) => info,
            Err(e) => {
                self.problem(location, e.to_string(), "write it again with iospki init");
                return None;
            }
        };
        if pkcs8.is_some_and(|key| !crypto::key_matches(key, der)) {
            self.problem(
                location,
                "the private key does not belong to the certificate",
                "write the pair again with iospki init",
            );
        }
        Some(Cert {
            der: der.clone(),
            info,
            location: location.to_owned(),
        })
    }

    fn carbon_keystore(&mut self, layout: &Layout) -> Option<Cert> {
        let store = self.open(&layout.keystore)?;
        let ssl = self.key_entry(
            &store,
            &layout.keystore.location,
            &layout.key_alias,
            &layout.key_password,
        )?;
        if let Some(Entry::PrivateKey { chain, .. }) = store.get(&layout.key_alias).map(|e| &e.entry)
            && chain.len() < 2
        {
            let what = "the key's chain holds only the SSL certificate, not its CA";
            self.problem(
                &ssl.location,
                what,
                "write it with the chain SSL + CA (iospki init does)",
            );
        }
        Some(ssl)
    }

    fn scep_store(&mut self, layout: &Layout) -> (Option<Cert>, Option<Cert>) {
        let Some(path) = &layout.certificate_config else {
            return (None, None);
        };
        let home = self.home.unwrap_or(self.target).to_path_buf();
        let config = match read::certificate_config(path, &home) {
            Ok(config) => config,
            Err(reason) => {
                self.problem(
                    self.shown(path),
                    reason,
                    "write it with iospki init: the server requires every element",
                );
                return (None, None);
            }
        };
        let store_ref = StoreRef {
            location: self.resolve(&config.store.location),
            ..config.store.clone()
        };
        let Some(store) = self.open(&store_ref) else {
            return (None, None);
        };
        let ca = self.key_entry(&store, &store_ref.location, &config.ca_alias, &config.ca_key_password);
        let ra = self.key_entry(&store, &store_ref.location, &config.ra_alias, &config.ra_key_password);
        for (password, element) in [
            (&config.ca_key_password, "CAPrivateKeyPassword"),
            (&config.ra_key_password, "RAPrivateKeyPassword"),
        ] {
            if password.is_well_known() {
                self.warning(
                    self.shown(path),
                    format!("{element} is a published default password"),
                    "choose your own with iospki init --password-file",
                );
            }
        }
        (ca, ra)
    }

    /// Reads iot-api-config.xml; returns the hosts its endpoints send clients to.
    fn iot_api_config(&mut self, layout: &Layout) -> Option<Vec<String>> {
        let path = layout.iot_api_config.clone()?;
        match read::iot_api_config(&path) {
            Ok(config) => Some(
                [
                    &config.verification_endpoint,
                    &config.dcr_endpoint,
                    &config.token_endpoint,
                ]
                .into_iter()
                .filter_map(|url| read::url_host(url).map(str::to_owned))
                .collect(),
            ),
            Err(reason) => {
                self.problem(
                    self.shown(&path),
                    reason,
                    "write it with iospki init: the server requires every element",
                );
                None
            }
        }
    }

    fn ca_rules(&mut self, ca: &Cert) {
        if !ca.info.self_issued || !crypto::signed_by(&ca.der, &ca.der).unwrap_or(false) {
            let what = "the CA is not self-signed; the server takes the issuer name of device certificates from it";
            self.problem(&ca.location, what, "make the CA self-signed (iospki init does)");
        }
        if !ca.info.basic_constraints.as_ref().is_some_and(|bc| bc.ca) {
            self.problem(
                &ca.location,
                "basicConstraints does not say CA:TRUE",
                "issue the CA with WSO2's v3_ca profile (iospki init)",
            );
        }
        if !ca.info.key_usage.is_empty() && !ca.info.key_usage.iter().any(|u| u == "keyCertSign") {
            self.problem(
                &ca.location,
                "keyUsage lacks keyCertSign",
                "issue the CA with WSO2's v3_ca profile (iospki init)",
            );
        }
    }

    fn ra_rules(&mut self, ra: &Cert) {
        for usage in ["digitalSignature", "keyEncipherment"] {
            if !ra.info.key_usage.iter().any(|u| u == usage) {
                let what = format!("keyUsage lacks {usage}, which SCEP needs (RFC 8894 2.1.2)");
                self.problem(
                    &ra.location,
                    what,
                    "issue the RA with WSO2's v3_req profile (iospki init)",
                );
            }
        }
    }

    /// Apple's rules for TLS server certificates (support.apple.com/103769).
    fn ssl_rules(&mut self, ssl: &Cert) {
        let info = &ssl.info;
        let fix = "issue it again with iospki init or iospki rotate --ssl";
        if info.version < 3 {
            self.problem(
                &ssl.location,
                "is an X.509 v1 certificate without extensions (no subjectAltName, no EKU)",
                fix,
            );
        }
        if !info.extended_key_usage.iter().any(|u| u == "serverAuth") {
            self.problem(
                &ssl.location,
                "extendedKeyUsage lacks serverAuth, which Apple requires",
                fix,
            );
        }
        let days = (info.not_after_unix - info.not_before_unix) / 86_400;
        if days > APPLE_MAX_DAYS {
            self.problem(
                &ssl.location,
                format!("is valid for {days} days; Apple accepts at most {APPLE_MAX_DAYS}"),
                fix,
            );
        }
        let bits = info.public_key.strip_prefix("RSA ").and_then(|b| b.parse::<u32>().ok());
        if bits.is_some_and(|b| b < 2048) {
            self.problem(
                &ssl.location,
                format!("key is {}; Apple requires RSA of at least 2048 bits", info.public_key),
                fix,
            );
        }
        if !["SHA256withRSA", "SHA384withRSA", "SHA512withRSA"].contains(&info.signature_algorithm.as_str()) {
            let what = format!("is signed with {}; Apple requires SHA-2", info.signature_algorithm);
            self.problem(&ssl.location, what, fix);
        }
    }

    /// The SSL certificate must name every host of the cluster in subjectAltName (the CN is not trusted).
    fn hosts(&mut self, ssl: &Cert, hosts: &[String]) {
        let missing: Vec<_> = hosts
            .iter()
            .filter(|host| {
                !ssl.info
                    .subject_alt_names
                    .iter()
                    .any(|san| san == &format!("DNS:{host}"))
            })
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let what = format!(
                "subjectAltName lacks {}; clients check the SAN, not the CN",
                missing.join(", ")
            );
            self.problem(
                &ssl.location,
                what,
                "issue it again with iospki init or iospki rotate --ssl",
            );
        }
    }

    fn issued_by(&mut self, cert: &Cert, ca: &Cert) {
        if cert.info.issuer != ca.info.subject || !crypto::signed_by(&cert.der, &ca.der).unwrap_or(false) {
            let what = format!("is not issued by the CA in {}", ca.location);
            self.problem(
                &cert.location,
                what,
                "issue it again under the current CA (iospki rotate)",
            );
        }
    }

    fn truststore_rules(&mut self, location: &Path, store: &Keystore, ca: Option<&Cert>, ssl: Option<&Cert>) {
        let shown = self.shown(location);
        for item in store.entries().iter().filter(|e| e.entry.is_key()) {
            let what = format!(
                "holds a private key (alias {}); a truststore holds certificates only",
                item.alias
            );
            self.problem(
                &shown,
                what,
                "write the truststore with iospki init (trusted certificates only)",
            );
        }
        let trusted = |cert: &Cert| store.entries().iter().any(|e| e.entry.certificate() == Some(&cert.der));
        for (cert, name) in [(ca, "the CA"), (ssl, "the SSL certificate")] {
            if let Some(cert) = cert
                && !trusted(cert)
            {
                let what = format!("does not trust {name}; calls between nodes fail with certificate_unknown");
                self.problem(&shown, what, "merge it in with iospki init --merge-from");
            }
        }
    }

    fn expiry(&mut self, cert: &Cert) {
        let now = self.options.now.unix_timestamp();
        if cert.info.not_after_unix < now {
            self.problem(
                &cert.location,
                format!("expired on {}", cert.info.not_after),
                "renew it with iospki rotate",
            );
        } else if cert.info.not_after_unix < now + self.options.within.whole_seconds() {
            let what = format!("expires in {} days, on {}", cert.info.days_left, cert.info.not_after);
            self.problem(&cert.location, what, "renew it with iospki rotate");
        }
    }

    /// The PEM and PKCS#12 files of an init output directory agree with the stores.
    fn output_files(&mut self, [ca, ra, ssl]: [&Option<Cert>; 3]) {
        let files = [
            (ca, "ca.crt", "ca_private.pem"),
            (ra, "ra.crt", "ra_private.key"),
            (ssl, "ia.crt", "ia.key"),
        ];
        for (cert, cert_file, key_file) in files {
            let Some(cert) = cert else { continue };
            self.pem_pair(cert, cert_file, key_file);
        }
        let password = self.options.store_password.clone();
        for name in ["KEYSTORE.p12", "ca.p12", "ra.p12"] {
            let store = StoreRef {
                location: self.target.join(name),
                store_type: "PKCS12".into(),
                password: password.clone(),
            };
            self.open(&store);
        }
    }

    fn pem_pair(&mut self, cert: &Cert, cert_file: &str, key_file: &str) {
        let dir = self.target.to_path_buf();
        let pem = std::fs::read(dir.join(cert_file))
            .ok()
            .and_then(|bytes| pem::parse(bytes).ok());
        if pem.is_none_or(|p| p.contents() != cert.der.as_ref()) {
            let what = format!("is not the certificate in {}", cert.location);
            self.problem(
                cert_file,
                what,
                "the files come from different runs: write them all again with iospki init",
            );
        }
        let key = crate::key::load(&dir.join(key_file), || {
            Err(crate::error::Error::key(dir.join(key_file), "encrypted"))
        });
        let public = x509_parser::parse_x509_certificate(&cert.der)
            .ok()
            .map(|(_, c)| c.public_key().subject_public_key.data.to_vec());
        let matches = key.is_ok_and(|key| public.is_some_and(|p| key.matches_public_key(&p)));
        if !matches {
            self.problem(
                key_file,
                format!("is not the key of {cert_file}"),
                "write the pair again with iospki init",
            );
        }
    }
}

/// The hosts the SSL certificate must name: every host of the cluster the set's ledger records, or else every
/// host iot-api-config.xml sends clients to.
fn required_hosts(layout: &Layout, api_hosts: Option<Vec<String>>) -> Option<Vec<String>> {
    let from_ledger = crate::ledger::Ledger::load(&layout.target)
        .ok()
        .flatten()
        .and_then(|ledger| {
            let settings = ledger.settings;
            Cluster::with_hosts(&settings.domain, Some(&settings.ssl_common_name), settings.hosts).ok()
        });
    from_ledger.map(|cluster| cluster.role_hosts()).or(api_hosts)
}

/// The checks of an nginx bundle in `dir`: the chain is the SSL certificate then the CA that issued it, the key
/// belongs to the SSL certificate, Apple's rules hold, nothing expires.
pub(super) fn nginx(dir: &Path, options: &Options) -> Vec<Finding> {
    let mut check = Checker {
        target: dir,
        home: Some(dir),
        options,
        findings: Vec::new(),
    };
    let chain_file = "ssl/iots-chain.pem";
    let blocks = std::fs::read(dir.join(chain_file))
        .ok()
        .and_then(|bytes| pem::parse_many(bytes).ok())
        .unwrap_or_default();
    let [leaf, ca] = blocks.as_slice() else {
        let what = format!(
            "holds {} certificates; nginx's ssl_certificate needs the SSL certificate, then its CA",
            blocks.len()
        );
        check.problem(chain_file, what, "make the bundle again with iospki bundle");
        return check.findings;
    };
    let der = |block: &pem::Pem| CertificateDer::from(block.contents().to_vec());
    let leaf = check.certificate(&der(leaf), &format!("{chain_file} (SSL certificate)"), None);
    let ca = check.certificate(&der(ca), &format!("{chain_file} (CA)"), None);
    let (Some(leaf), Some(ca)) = (leaf, ca) else {
        return check.findings;
    };
    let key_path = dir.join("ssl/iots.key");
    let key = crate::key::load(&key_path, || Err(crate::error::Error::key(&key_path, "encrypted")));
    let public = x509_parser::parse_x509_certificate(&leaf.der)
        .ok()
        .map(|(_, c)| c.public_key().subject_public_key.data.to_vec());
    if !key.is_ok_and(|key| public.is_some_and(|p| key.matches_public_key(&p))) {
        check.problem(
            "ssl/iots.key",
            "is not the key of the chain's SSL certificate",
            "make the bundle again with iospki bundle",
        );
    }
    check.ssl_rules(&leaf);
    check.ca_rules(&ca);
    check.issued_by(&leaf, &ca);
    check.expiry(&leaf);
    check.expiry(&ca);
    check.findings
}
