//! `iospki init`: the whole iOS-cluster PKI from the nginx key, as a plan of files.
//!
//! CA (self-signed, from the nginx key) → RA and SSL certificates → PEM files, PKCS#12 files, the three
//! Java keystores and WSO2's XML, all built in memory. Nothing here touches the disk.

use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::issue::{Issued, Request, issue, random_serial};
use crate::key::RsaKey;
use crate::keystore::pkcs12::Protection;
use crate::keystore::{Entry, Keystore, jks, pkcs12};
use crate::ledger::{Ledger, Record, Settings};
use crate::merge::{Existing, MergeReport};
use crate::output::{PUBLIC_MODE, Plan, SECRET_MODE};
use crate::profile::{self, Profile, Role};
use crate::secret::Password;
use crate::subject::Subject;
use crate::wso2::{self, CA_ALIAS, RA_ALIAS};

/// The alias carbon.xml's `KeyStore/KeyAlias` names by default.
pub const DEFAULT_SSL_ALIAS: &str = "wso2carbon";

/// Everything `init` needs besides the keys.
#[derive(Debug)]
pub struct InitOptions {
    /// Domain and host names.
    pub cluster: Cluster,
    /// Subject fields shared by the three certificates.
    pub subject: Subject,
    /// Alias of the SSL key in wso2carbon.jks and KEYSTORE.p12 (carbon.xml's KeyAlias).
    pub ssl_alias: String,
    /// Password of every store and every key entry.
    pub store_password: Password,
    /// How the .p12 files are protected.
    pub protection: Protection,
    /// Validity and first serial of each certificate.
    pub issuance: Issuance,
}

/// How long each certificate is valid, and the serials the RA and SSL certificates get when first issued.
/// The defaults are the documented script's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Issuance {
    /// CA validity in days.
    pub ca_days: u32,
    /// RA validity in days.
    pub ra_days: u32,
    /// SSL validity in days (Apple accepts at most 825).
    pub ssl_days: u32,
    /// The RA's first serial.
    pub ra_serial: u64,
    /// The SSL certificate's first serial.
    pub ssl_serial: u64,
}

impl Default for Issuance {
    fn default() -> Self {
        let serial = |profile: &Profile| profile.serial.unwrap_or(1);
        Issuance {
            ca_days: profile::CA.days,
            ra_days: profile::RA.days,
            ssl_days: profile::SSL.days,
            ra_serial: serial(&profile::RA),
            ssl_serial: serial(&profile::SSL),
        }
    }
}

impl Issuance {
    fn days(&self, role: Role) -> u32 {
        match role {
            Role::Ca => self.ca_days,
            Role::Ra => self.ra_days,
            Role::Ssl => self.ssl_days,
        }
    }

    fn first_serial(&self, role: Role) -> Option<u64> {
        match role {
            Role::Ca => None,
            Role::Ra => Some(self.ra_serial),
            Role::Ssl => Some(self.ssl_serial),
        }
    }
}

impl InitOptions {
    /// Checks what can be checked before the slow key generation.
    pub fn check(&self) -> Result<()> {
        pkcs12::check_password(&self.store_password).map_err(|source| Error::Password {
            source_name: "store password".into(),
            reason: source.to_string(),
        })
    }
}

/// The three keys: the operator's (the CA's) and the two iospki generates.
#[derive(Debug)]
pub struct Keys {
    /// The nginx key, used as the CA key.
    pub ca: RsaKey,
    /// The RA key.
    pub ra: RsaKey,
    /// The SSL key.
    pub ssl: RsaKey,
}

impl Keys {
    /// Generates the RA and SSL keys, their four prime searches shared out over all cores.
    pub fn generate(ca: RsaKey, bits: usize) -> Result<Keys> {
        let [ra, ssl] = <[RsaKey; 2]>::try_from(RsaKey::generate_many(2, bits)?).map_err(|_| Error::Issue {
            profile: "key",
            reason: "key generation returned fewer keys than asked for".into(),
        })?;
        Ok(Keys { ca, ra, ssl })
    }
}

/// One issued certificate, as the user is told about it.
#[derive(Debug, Clone)]
pub struct Summary {
    /// "CA", "RA" or "SSL".
    pub name: &'static str,
    /// Serial in hex, as `openssl x509 -serial` prints it.
    pub serial_hex: String,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// SHA-256 over the DER, colon-separated, as keytool prints it.
    pub sha256: String,
}

/// The files `init` writes, and what was issued.
#[derive(Debug)]
pub struct Outcome {
    /// The files.
    pub plan: Plan,
    /// The CA, RA and SSL certificates.
    pub issued: Vec<Summary>,
    /// What merging into a node's existing stores did, per store (empty without a merge).
    pub merges: Vec<MergeReport>,
}

/// Builds every file of the documented script's output, at time `now`. With `existing` stores, the three JKS
/// stores keep every entry they have except those replaced by alias. `ledger` is the output directory's ledger
/// from an earlier run, if any: serials it records for the CA's name are not issued again.
pub fn plan(
    options: &InitOptions,
    keys: &Keys,
    existing: Option<&mut Existing>,
    ledger: Option<Ledger>,
    now: OffsetDateTime,
) -> Result<Outcome> {
    build(Build {
        options,
        keys,
        reuse: Reuse::default(),
        existing,
        extra_trusted: Vec::new(),
        ledger: match ledger {
            Some(earlier) => Ledger {
                settings: settings(options),
                ..earlier
            },
            None => Ledger::new(settings(options)),
        },
        now,
    })
}

/// The certificates of a set to keep as they are; the others are issued anew.
#[derive(Debug, Default)]
pub struct Reuse {
    /// The CA certificate to keep.
    pub ca: Option<CertificateDer<'static>>,
    /// The RA certificate to keep.
    pub ra: Option<CertificateDer<'static>>,
    /// The SSL certificate to keep.
    pub ssl: Option<CertificateDer<'static>>,
}

/// Everything a set is built from: what `init` and `rotate` share.
#[derive(Debug)]
pub struct Build<'a> {
    /// The cluster, subject, alias, password and protection.
    pub options: &'a InitOptions,
    /// The three keys.
    pub keys: &'a Keys,
    /// Certificates to keep.
    pub reuse: Reuse,
    /// Stores to merge into.
    pub existing: Option<&'a mut Existing>,
    /// More certificates for client-truststore.jks (a CA being replaced), by alias.
    pub extra_trusted: Vec<(String, CertificateDer<'static>)>,
    /// The ledger, to which the new certificates are added.
    pub ledger: Ledger,
    /// The time of issue.
    pub now: OffsetDateTime,
}

/// The settings a ledger records for `options`.
pub fn settings(options: &InitOptions) -> Settings {
    Settings {
        domain: options.cluster.domain().to_owned(),
        ssl_common_name: options.cluster.ssl_common_name().to_owned(),
        ssl_alias: options.ssl_alias.clone(),
        protection: options.protection,
        subject: options.subject.clone(),
        hosts: options.cluster.hosts().clone(),
        issuance: options.issuance,
    }
}

/// Issues what is not reused, then builds every file of the set.
pub fn build(build: Build<'_>) -> Result<Outcome> {
    let Build {
        options,
        keys,
        reuse,
        existing,
        extra_trusted,
        ledger,
        now,
    } = build;
    let cluster = &options.cluster;
    let mut issuing = Issuing {
        options,
        ledger,
        issued: Vec::new(),
        now,
    };
    let ca_cn = format!("*.{}", cluster.domain());
    let ca = issuing.certificate(&profile::CA, &ca_cn, &keys.ca, reuse.ca, None)?;
    let ra = issuing.certificate(
        &profile::RA,
        cluster.domain(),
        &keys.ra,
        reuse.ra,
        Some((&ca, &keys.ca)),
    )?;
    let ssl_cn = cluster.ssl_common_name();
    let ssl = issuing.certificate(&profile::SSL, ssl_cn, &keys.ssl, reuse.ssl, Some((&ca, &keys.ca)))?;
    let Issuing { ledger, issued, .. } = issuing;

    let mut plan = Plan::default();
    add_pem_files(&mut plan, keys, &ca, &ra, &ssl)?;
    let merges = add_stores(&mut plan, options, keys, [&ca, &ra, &ssl], existing, extra_trusted, now)?;
    let config = wso2::CertificateConfig {
        store_password: &options.store_password,
    };
    plan.add(
        "certificate-config.xml",
        config.to_xml().as_bytes(),
        SECRET_MODE,
        "SCEP keystore settings (passwords)",
    );
    plan.add(
        "iot-api-config.xml",
        wso2::iot_api_config_xml(cluster),
        SECRET_MODE,
        "manager's API endpoints",
    );
    plan.add(
        crate::ledger::FILE,
        ledger.to_json(),
        PUBLIC_MODE,
        "what iospki issued for this set (serials)",
    );
    Ok(Outcome { plan, issued, merges })
}

/// Issues, or keeps, the certificates of one set, recording in the ledger what it issues.
struct Issuing<'a> {
    options: &'a InitOptions,
    ledger: Ledger,
    issued: Vec<Summary>,
    now: OffsetDateTime,
}

impl Issuing<'_> {
    /// The certificate of `profile` for `key`: `kept` as it is, or a new one from `issuer` (self-signed without one).
    fn certificate(
        &mut self,
        profile: &'static Profile,
        common_name: &str,
        key: &RsaKey,
        kept: Option<CertificateDer<'static>>,
        issuer: Option<(&Issued, &RsaKey)>,
    ) -> Result<Issued> {
        let name = self.options.subject.name(common_name, profile.email_in_subject)?;
        if let Some(der) = kept {
            return Ok(Issued::existing(der, name, key.key_identifier()));
        }
        let serial = match issuer {
            Some((ca, _)) => self
                .ledger
                .serial_for(&subject_of(&ca.der)?, self.options.issuance.first_serial(profile.role)),
            None => random_serial(),
        };
        let cluster = &self.options.cluster;
        let request = Request {
            profile,
            subject: name,
            serial,
            not_before: self.now,
            days: self.options.issuance.days(profile.role),
            hosts: if profile.subject_alt_names {
                cluster.ssl_hosts()
            } else {
                Vec::new()
            },
        };
        let cert = issue(&request, key, issuer)?;
        if let Some((ca, _)) = issuer {
            check_issuer_name(&cert, ca, profile)?;
        }
        let summary = summary(&request, &cert);
        self.ledger.issued.push(record(&summary, &cert)?);
        self.issued.push(summary);
        Ok(cert)
    }
}

fn subject_of(der: &[u8]) -> Result<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| Error::Issue {
        profile: "CA",
        reason: format!("cannot read the CA certificate: {e}"),
    })?;
    Ok(cert.subject().to_string())
}

/// A kept CA's subject is rebuilt from the settings; its children must name it byte for byte.
fn check_issuer_name(cert: &Issued, ca: &Issued, profile: &Profile) -> Result<()> {
    let (Ok((_, cert)), Ok((_, ca))) = (
        x509_parser::parse_x509_certificate(&cert.der),
        x509_parser::parse_x509_certificate(&ca.der),
    ) else {
        return Ok(());
    };
    if cert.issuer().as_raw() == ca.subject().as_raw() {
        return Ok(());
    }
    Err(Error::Issue {
        profile: profile.name,
        reason: "the CA certificate's subject is not what the ledger's settings make; renew the CA too (--ca)".into(),
    })
}

fn record(summary: &Summary, cert: &Issued) -> Result<Record> {
    let (_, parsed) = x509_parser::parse_x509_certificate(&cert.der).map_err(|e| Error::Issue {
        profile: summary.name,
        reason: e.to_string(),
    })?;
    Ok(Record {
        role: summary.name.into(),
        issuer: parsed.issuer().to_string(),
        serial_hex: summary.serial_hex.clone(),
        sha256: summary.sha256.clone(),
        not_after: summary
            .not_after
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    })
}

fn add_pem_files(plan: &mut Plan, keys: &Keys, ca: &Issued, ra: &Issued, ssl: &Issued) -> Result<()> {
    let ca_key = keys.ca.secret_pkcs8_pem()?;
    let ra_key = keys.ra.secret_pkcs8_pem()?;
    plan.add("ca.crt", ca.pem(), PUBLIC_MODE, "CA certificate");
    plan.add(
        "ca_cert.pem",
        ca.pem(),
        PUBLIC_MODE,
        "CA certificate (copy the script also made)",
    );
    plan.add(
        "ca_private.pem",
        ca_key.as_bytes(),
        SECRET_MODE,
        "CA private key (the nginx key)",
    );
    plan.add("ra_private.key", ra_key.as_bytes(), SECRET_MODE, "RA private key");
    plan.add(
        "ra_private.pem",
        ra_key.as_bytes(),
        SECRET_MODE,
        "RA private key (copy the script also made)",
    );
    plan.add("ra.crt", ra.pem(), PUBLIC_MODE, "RA certificate");
    plan.add(
        "ra_cert.pem",
        ra.pem(),
        PUBLIC_MODE,
        "RA certificate (copy the script also made)",
    );
    plan.add(
        "ia.key",
        keys.ssl.secret_pkcs8_pem()?.as_bytes(),
        SECRET_MODE,
        "SSL private key",
    );
    plan.add("ia.crt", ssl.pem(), PUBLIC_MODE, "SSL certificate");
    Ok(())
}

fn add_stores(
    plan: &mut Plan,
    options: &InitOptions,
    keys: &Keys,
    certs: [&Issued; 3],
    existing: Option<&mut Existing>,
    extra_trusted: Vec<(String, CertificateDer<'static>)>,
    now: OffsetDateTime,
) -> Result<Vec<MergeReport>> {
    let [ca, ra, ssl] = certs;
    let key_entry = |key: &RsaKey, chain: &[&Issued]| -> Result<Entry> {
        Ok(Entry::key(
            &key.secret_pkcs8_der()?,
            chain.iter().map(|c| c.der.clone()).collect(),
        ))
    };
    let store = |entries: Vec<(&str, Entry)>| -> Result<Keystore> {
        let mut store = Keystore::new();
        for (alias, entry) in entries {
            store.insert(alias, now, entry)?;
        }
        Ok(store)
    };
    let ssl_alias = options.ssl_alias.as_str();
    let ssl_entry = || key_entry(&keys.ssl, &[ssl, ca]);
    let pkcs12_stores = [
        (
            "KEYSTORE.p12",
            store(vec![(ssl_alias, ssl_entry()?)])?,
            "SSL key and chain (PKCS#12)",
        ),
        (
            "ca.p12",
            store(vec![(CA_ALIAS, key_entry(&keys.ca, &[ca])?)])?,
            "CA key and certificate (PKCS#12)",
        ),
        (
            "ra.p12",
            store(vec![(RA_ALIAS, key_entry(&keys.ra, &[ra, ca])?)])?,
            "RA key and chain (PKCS#12)",
        ),
    ];
    let java_stores = [
        (
            "wso2carbon.jks",
            store(vec![(ssl_alias, ssl_entry()?)])?,
            "carbon.xml KeyStore: SSL key",
        ),
        (
            "client-truststore.jks",
            store(
                [
                    (ssl_alias, Entry::TrustedCert(ssl.der.clone())),
                    (CA_ALIAS, Entry::TrustedCert(ca.der.clone())),
                ]
                .into_iter()
                .chain(
                    extra_trusted
                        .iter()
                        .map(|(alias, cert)| (alias.as_str(), Entry::TrustedCert(cert.clone()))),
                )
                .collect(),
            )?,
            "carbon.xml TrustStore: SSL and CA certificates",
        ),
        (
            "wso2certs.jks",
            store(vec![
                (CA_ALIAS, key_entry(&keys.ca, &[ca])?),
                (RA_ALIAS, key_entry(&keys.ra, &[ra, ca])?),
            ])?,
            "certificate-config.xml: SCEP CA and RA keys",
        ),
    ];

    let password = &options.store_password;
    for (name, store, description) in pkcs12_stores {
        let bytes = pkcs12::write(&store, password, options.protection).map_err(|source| store_error(name, source))?;
        plan.add(name, bytes, SECRET_MODE, description);
    }
    let mut merges = Vec::new();
    let mut existing = existing;
    for (name, store, description) in java_stores {
        let store = match existing.as_deref_mut() {
            Some(existing) => {
                let (merged, report) = existing.merge_into(name, store, password);
                merges.extend(report);
                merged
            }
            None => store,
        };
        let bytes = jks::write(&store, password).map_err(|source| store_error(name, source))?;
        plan.add(name, bytes, SECRET_MODE, description);
    }
    Ok(merges)
}

fn store_error(name: &str, source: crate::keystore::StoreError) -> Error {
    Error::Store {
        path: name.into(),
        source,
    }
}

fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    &bytes[first..]
}

fn summary(request: &Request<'_>, cert: &Issued) -> Summary {
    let hex = |bytes: &[u8], sep: &str| bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(sep);
    Summary {
        name: request.profile.name,
        serial_hex: hex(trim_leading_zeros(request.serial.as_ref()), ""),
        not_after: request.not_before + time::Duration::days(i64::from(request.days)),
        sha256: hex(&Sha256::digest(&cert.der), ":"),
    }
}

#[cfg(test)]
mod tests {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::signature::Verifier;
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    use x509_parser::prelude::{FromDer, X509Certificate};

    use super::*;

    fn outcome() -> Outcome {
        let options = InitOptions {
            cluster: Cluster::new(crate::cluster::DEFAULT_DOMAIN, None).unwrap(),
            subject: Subject::default(),
            ssl_alias: DEFAULT_SSL_ALIAS.into(),
            store_password: Password::new("test-password"),
            protection: Protection::Legacy,
            issuance: Issuance::default(),
        };
        let keys = Keys::generate(crate::test_keys::ca(), 2048).unwrap();
        plan(&options, &keys, None, None, crate::issue::now()).unwrap()
    }

    fn pem_der(outcome: &Outcome, name: &str) -> Vec<u8> {
        let file = outcome.plan.files.iter().find(|f| f.name == name).unwrap();
        ::pem::parse(&file.contents[..]).unwrap().into_contents()
    }

    /// (OID, critical) per extension, in certificate order.
    fn criticality(cert: &X509Certificate<'_>) -> Vec<(String, bool)> {
        cert.extensions()
            .iter()
            .map(|e| (e.oid.to_id_string(), e.critical))
            .collect()
    }

    fn verify(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) {
        let key = rsa::RsaPublicKey::from_pkcs1_der(&issuer.public_key().subject_public_key.data).unwrap();
        let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
        let signature = rsa::pkcs1v15::Signature::try_from(&cert.signature_value.data[..]).unwrap();
        verifier.verify(cert.tbs_certificate.as_ref(), &signature).unwrap();
    }

    #[test]
    fn certificates_carry_exactly_their_profiles_extensions_and_verify() {
        let outcome = outcome();
        let (ca_der, ra_der, ssl_der) = (
            pem_der(&outcome, "ca.crt"),
            pem_der(&outcome, "ra.crt"),
            pem_der(&outcome, "ia.crt"),
        );
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        let (_, ra) = X509Certificate::from_der(&ra_der).unwrap();
        let (_, ssl) = X509Certificate::from_der(&ssl_der).unwrap();
        verify(&ca, &ca);
        verify(&ra, &ca);
        verify(&ssl, &ca);
        assert_eq!(ca.subject(), ca.issuer());
        assert_eq!(ra.issuer(), ca.subject());

        // In openssl.cnf order: SKI, AKI, basicConstraints (critical on the CA only), keyUsage.
        let expected = |ca_critical| {
            [
                ("2.5.29.14", false),
                ("2.5.29.35", false),
                ("2.5.29.19", ca_critical),
                ("2.5.29.15", false),
            ]
            .map(|(oid, critical)| (oid.to_owned(), critical))
            .to_vec()
        };
        assert_eq!(criticality(&ca), expected(true));
        assert_eq!(criticality(&ra), expected(false));

        let sans = ssl
            .subject_alternative_name()
            .unwrap()
            .unwrap()
            .value
            .general_names
            .clone();
        let names: Vec<_> = sans
            .into_iter()
            .map(|n| match n {
                GeneralName::DNSName(name) => name.to_owned(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            names,
            crate::cluster::Cluster::new("iots310.wso2.com", None)
                .unwrap()
                .ssl_hosts()
        );
        let eku = ssl.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && eku.client_auth && !eku.any);
        let ku = ssl.key_usage().unwrap().unwrap().value;
        assert!(ku.digital_signature() && ku.key_encipherment() && !ku.key_cert_sign());
        assert!(!ssl.basic_constraints().unwrap().unwrap().value.ca);
        assert_eq!(ssl.validity().time_to_expiration().unwrap().whole_days(), 729);
    }

    #[test]
    fn debug_output_shows_no_key_and_no_password() {
        let keys = Keys::generate(crate::test_keys::ca(), 2048).unwrap();
        let outcome = outcome();
        let shown = format!("{outcome:?} {keys:?}");
        for secret in ["PRIVATE KEY", "test-password", "MII"] {
            assert!(!shown.contains(secret), "{secret} in Debug output");
        }
        assert!(shown.contains("[secret elided]") && shown.contains("bytes elided"));
    }

    #[test]
    fn key_identifiers_chain_ssl_and_ra_to_the_ca() {
        let outcome = outcome();
        let (ca_der, ssl_der) = (pem_der(&outcome, "ca.crt"), pem_der(&outcome, "ia.crt"));
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        let (_, ssl) = X509Certificate::from_der(&ssl_der).unwrap();
        let ski = |cert: &X509Certificate<'_>| {
            cert.extensions().iter().find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
                _ => None,
            })
        };
        let aki = |cert: &X509Certificate<'_>| {
            cert.extensions().iter().find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(id) => id.key_identifier.as_ref().map(|k| k.0.to_vec()),
                _ => None,
            })
        };
        let ca_key_id = crate::test_keys::ca().key_identifier();
        assert_eq!(ski(&ca).unwrap(), ca_key_id);
        assert_eq!(aki(&ca).unwrap(), ca_key_id);
        assert_eq!(aki(&ssl).unwrap(), ca_key_id);
    }

    #[test]
    fn stores_read_back_with_the_password_and_hold_the_documented_entries() {
        let outcome = outcome();
        let password = Password::new("test-password");
        let read = |name: &str| {
            let file = outcome.plan.files.iter().find(|f| f.name == name).unwrap();
            jks::read(&file.contents, &password).unwrap()
        };
        let aliases = |store: &Keystore| store.entries().iter().map(|e| e.alias.clone()).collect::<Vec<_>>();
        let carbon = read("wso2carbon.jks");
        assert_eq!(aliases(&carbon), ["wso2carbon"]);
        assert!(matches!(&carbon.entries()[0].entry, Entry::PrivateKey { chain, .. } if chain.len() == 2));
        let trust = read("client-truststore.jks");
        assert_eq!(aliases(&trust), ["wso2carbon", "cacert"]);
        assert!(trust.entries().iter().all(|e| !e.entry.is_key()));
        assert_eq!(aliases(&read("wso2certs.jks")), ["cacert", "racert"]);
    }
}
