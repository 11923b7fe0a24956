//! Building a set in memory: issue every certificate the product declares that is not kept, then make every file
//! of its output directory from the certificates, keys, settings and password. `init` and `rotate` share it, so
//! the PEM files, PKCS#12 files, Java keystores, XML and ledger always change together.

use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::formats::issue::{Issued, Request, issue, random_serial};
use crate::formats::key::RsaKey;
use crate::formats::keystore::{Entry, Keystore, jks, pkcs12};
use crate::formats::vault::{Secrets, VaultKey};
use crate::formats::x509::Certificate;
use crate::io::secret::{Password, SymmetricKey};
use crate::model::ledger::{Ledger, Record};
use crate::model::product::{
    AliasSpec, CertificateSpec, CommonName, EntrySpec, FileSpec, Holds, Product, StoreFormat, StorePurpose,
    VAULT_KEY_ALIAS,
};
use crate::model::set::{Set, SetFile};
use crate::model::settings::Settings;
use crate::ops::merge::{Existing, MergeReport};
use crate::vocab::roles::{ByRole, CertRole};

/// Everything a set is built from.
#[derive(Debug)]
pub struct Build<'a> {
    /// The settings: cluster, subject, alias, protection, terms.
    pub settings: &'a Settings,
    /// Password of every store and every key entry.
    pub store_password: &'a Password,
    /// deployment.toml's `[encryption] key`, for a release that encrypts with one: made by init, kept by rotate.
    pub encryption_key: Option<&'a SymmetricKey>,
    /// A key per certificate role.
    pub keys: &'a ByRole<RsaKey>,
    /// Certificates to keep as they are; the others are issued anew.
    pub kept: ByRole<CertificateDer<'static>>,
    /// A node's stores to merge into.
    pub existing: Option<&'a mut Existing>,
    /// CAs that a CA rotation replaces, still trusted by alias (`cacert-<old serial>`).
    pub earlier_cas: Vec<(String, CertificateDer<'static>)>,
    /// The Secure Vault secrets of the set being renewed: each kept where the key still decrypts it.
    pub earlier_secrets: Option<&'a Secrets>,
    /// Secure Vault's AES key, for the symmetric cipher: made by init, kept by rotate.
    pub vault_key: Option<&'a SymmetricKey>,
    /// The ledger, to which the new certificates are added.
    pub ledger: Ledger,
    /// The time of issue.
    pub now: OffsetDateTime,
}

/// One issued certificate, as the user is told about it.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Its role.
    pub role: CertRole,
    /// Serial in hex, as `openssl x509 -serial` prints it.
    pub serial_hex: String,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// SHA-256 over the DER, colon-separated, as keytool prints it.
    pub sha256: String,
}

/// A built set, what was issued for it, and what merging did.
#[derive(Debug)]
pub struct Outcome {
    /// The set.
    pub set: Set,
    /// The certificates issued, in the product's order.
    pub issued: Vec<Summary>,
    /// What merging into a node's existing stores did, per store (empty without a merge).
    pub merges: Vec<MergeReport>,
    /// The passwords encrypted with Secure Vault, in a set made with it.
    pub secrets: Option<Secrets>,
}

/// Generates a key for each certificate role of `product` that `given` has none for, sharing the prime searches
/// over all cores.
pub fn generate_keys(product: &Product, mut given: ByRole<RsaKey>, bits: usize) -> Result<ByRole<RsaKey>> {
    let missing: Vec<CertRole> = product
        .certificates
        .iter()
        .map(|c| c.role)
        .filter(|role| given.get(*role).is_none())
        .collect();
    let generated = RsaKey::generate_many(missing.len(), bits)?;
    debug_assert_eq!(
        generated.len(),
        missing.len(),
        "generate_many makes as many keys as asked for"
    );
    for (role, key) in missing.into_iter().zip(generated) {
        given.insert(role, key);
    }
    Ok(given)
}

/// Issues what is not kept, then builds every file of the set.
pub fn build(build: Build<'_>) -> Result<Outcome> {
    let product = build.settings.cluster.product();
    let mut issuing = Issuing {
        build: &build,
        ledger: build.ledger.clone(),
        certificates: ByRole::default(),
        issued: Vec::new(),
    };
    let mut kept = build.kept.clone();
    for spec in product.certificates {
        issuing.certificate(spec, kept.remove(spec.role))?;
    }
    let Issuing {
        ledger,
        certificates,
        issued,
        ..
    } = issuing;
    let secrets = secrets(&build)?;
    let mut files = Files {
        build,
        certificates: &certificates,
        secrets: secrets.as_ref(),
        merges: Vec::new(),
    };
    let mut contents = Vec::new();
    for spec in product.output_files(files.build.settings.secure_vault) {
        let bytes = files.contents(spec, &ledger)?;
        contents.push(SetFile { spec, contents: bytes });
    }
    let Files { build, merges, .. } = files;
    Ok(Outcome {
        set: Set::new(build.settings.clone(), contents),
        issued,
        merges,
        secrets,
    })
}

/// The set's passwords encrypted with Secure Vault, in a set made with it.
fn secrets(build: &Build<'_>) -> Result<Option<Secrets>> {
    let settings = build.settings;
    if !settings.secure_vault {
        return Ok(None);
    }
    let product = settings.cluster.product();
    let identity = crate::wso2::vault::identity(product, settings.ssl_alias.as_str(), settings.vault_cipher)
        .expect("every product declares a keystore with a key, and each that takes AES a place for it");
    let key = match identity.role {
        Some(role) => VaultKey::Rsa(key_of(build.keys, role)?),
        None => VaultKey::Aes(vault_key(build)?),
    };
    let secrets = crate::wso2::vault::secrets(product, key, build.store_password, build.earlier_secrets)?;
    Ok(Some(secrets))
}

/// Secure Vault's AES key, which init makes and rotate keeps.
fn vault_key<'a>(build: &Build<'a>) -> Result<&'a SymmetricKey> {
    build.vault_key.ok_or_else(|| Error::Issue {
        profile: "Secure Vault",
        reason: "no AES key was given or made for the symmetric cipher".into(),
    })
}

/// Issues, or keeps, the certificates of one set, recording in the ledger what it issues.
struct Issuing<'a, 'b> {
    build: &'a Build<'b>,
    ledger: Ledger,
    certificates: ByRole<Issued>,
    issued: Vec<Summary>,
}

impl Issuing<'_, '_> {
    /// The certificate `spec` declares: `kept` as it is, or a new one from its issuer (self-signed without one).
    fn certificate(&mut self, spec: &'static CertificateSpec, kept: Option<CertificateDer<'static>>) -> Result<()> {
        let settings = self.build.settings;
        let cluster = &settings.cluster;
        let key = key_of(self.build.keys, spec.role)?;
        let common_name = match spec.common_name {
            CommonName::WildcardDomain => format!("*.{}", cluster.domain()),
            CommonName::Domain => cluster.domain().to_string(),
            CommonName::SslCommonName | CommonName::FirstHost => cluster.ssl_common_name().to_string(),
        };
        let name = settings.subject.name(&common_name, spec.profile.email_in_subject)?;
        if let Some(der) = kept {
            let cert = Issued::existing(der, name, key.key_identifier());
            self.certificates.insert(spec.role, cert);
            return Ok(());
        }
        let issuer = match spec.issuer {
            Some(role) => Some((self.issued_certificate(role), key_of(self.build.keys, role)?)),
            None => None,
        };
        let term = (settings.issuance.term(spec.role))
            .expect("the settings' issuance is made from the product's declarations: a term per certificate");
        let serial = match issuer {
            Some((ca, _)) => self.ledger.serial_for(&subject_of(&ca.der)?, term.first_serial),
            None => random_serial(),
        };
        let hosts = if spec.profile.subject_alt_names {
            cluster.ssl_hosts()
        } else {
            Vec::new()
        };
        let request = Request {
            profile: spec.profile,
            subject: name,
            serial,
            not_before: self.build.now,
            days: term.days,
            hosts,
        };
        if let Some((ca, _)) = issuer {
            within_issuer(&request, ca)?;
        }
        let cert = issue(&request, key, issuer)?;
        if let Some((ca, _)) = issuer {
            check_issuer_name(&cert, ca, spec.role)?;
        }
        let summary = summary(&request, &cert)?;
        self.ledger.issued.push(record(&summary, &cert)?);
        self.issued.push(summary);
        self.certificates.insert(spec.role, cert);
        Ok(())
    }

    fn issued_certificate(&self, role: CertRole) -> &Issued {
        let issued = self.certificates.get(role);
        issued.expect("every product declares a certificate after its issuer (tested in model::product)")
    }
}

fn key_of(keys: &ByRole<RsaKey>, role: CertRole) -> Result<&RsaKey> {
    keys.get(role).ok_or_else(|| Error::Issue {
        profile: role.name(),
        reason: "no key was given or generated for it".into(),
    })
}

fn subject_of(der: &[u8]) -> Result<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| Error::Issue {
        profile: "CA",
        reason: format!("cannot read the CA certificate: {e}"),
    })?;
    Ok(cert.subject().to_string())
}

/// No certificate outlives its issuer: Apple devices stop connecting when any certificate of the chain expires.
fn within_issuer(request: &Request<'_>, issuer: &Issued) -> Result<()> {
    let role = request.profile.role;
    let fail = |reason: String| Error::Issue {
        profile: role.name(),
        reason,
    };
    let issuer_ends = Certificate::parse(&issuer.der)
        .map_err(|e| fail(format!("cannot read its issuer: {e}")))?
        .not_after;
    let ends = request
        .not_after()
        .ok_or_else(|| fail("its validity ends after the year 9999".into()))?;
    if ends <= issuer_ends {
        return Ok(());
    }
    let date = |time: OffsetDateTime| time.date().to_string();
    Err(Error::OutlivesIssuer {
        role: role.name(),
        ends: date(ends),
        issuer_ends: date(issuer_ends),
    })
}

/// A kept CA's subject is rebuilt from the settings; its children must name it byte for byte.
fn check_issuer_name(cert: &Issued, ca: &Issued, role: CertRole) -> Result<()> {
    let (Ok((_, cert)), Ok((_, ca))) = (
        x509_parser::parse_x509_certificate(&cert.der),
        x509_parser::parse_x509_certificate(&ca.der),
    ) else {
        return Ok(());
    };
    if cert.issuer().as_raw() == ca.subject().as_raw() {
        return Ok(());
    }
    Err(Error::CaSubjectChanged { role: role.name() })
}

fn summary(request: &Request<'_>, cert: &Issued) -> Result<Summary> {
    Ok(Summary {
        role: request.profile.role,
        serial_hex: crate::vocab::hex::serial(request.serial.as_ref()),
        not_after: (request.not_after()).expect("issue refuses a validity that ends after the year 9999"),
        sha256: crate::formats::certinfo::fingerprint(&cert.der),
    })
}

fn record(summary: &Summary, cert: &Issued) -> Result<Record> {
    let (_, parsed) = x509_parser::parse_x509_certificate(&cert.der).map_err(|e| Error::Issue {
        profile: summary.role.name(),
        reason: e.to_string(),
    })?;
    Ok(Record {
        role: summary.role,
        issuer: parsed.issuer().to_string(),
        serial_hex: summary.serial_hex.clone(),
        sha256: summary.sha256.clone(),
        not_after: summary
            .not_after
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    })
}

/// Makes the files of a set from its issued certificates.
struct Files<'a, 'b> {
    build: Build<'b>,
    certificates: &'a ByRole<Issued>,
    secrets: Option<&'a Secrets>,
    merges: Vec<MergeReport>,
}

impl Files<'_, '_> {
    fn contents(&mut self, spec: &'static FileSpec, ledger: &Ledger) -> Result<Zeroizing<Vec<u8>>> {
        let settings = self.build.settings;
        let password = self.build.store_password;
        Ok(match spec.holds {
            Holds::Certificate(role) => Zeroizing::new(self.certificate(role).pem().into_bytes()),
            Holds::PrivateKey(role) => {
                Zeroizing::new(key_of(self.build.keys, role)?.secret_pkcs8_pem()?.as_bytes().to_vec())
            }
            Holds::Chain(roles) => {
                let mut chain = String::new();
                for role in roles {
                    chain += &self.certificate(*role).pem();
                }
                Zeroizing::new(chain.into_bytes())
            }
            Holds::Pkcs12(entries) => {
                let store = self.store(entries)?;
                Zeroizing::new(pkcs12::write(&store, password, settings.protection).map_err(|e| store_error(spec, e))?)
            }
            Holds::Store(format, purpose, entries) => {
                let store = self.store(entries)?;
                let store = match self.build.existing.as_deref_mut() {
                    Some(existing) => {
                        let certificates_only = purpose == StorePurpose::TrustStore;
                        let (merged, report) = existing.merge_into(spec.name, store, password, certificates_only);
                        self.merges.extend(report);
                        merged
                    }
                    None => store,
                };
                let written = match format {
                    StoreFormat::Jks => jks::write(&store, password),
                    StoreFormat::Pkcs12 => pkcs12::write(&store, password, settings.protection),
                };
                Zeroizing::new(written.map_err(|e| store_error(spec, e))?)
            }
            Holds::Config(kind) => {
                let sources = crate::wso2::Sources {
                    settings,
                    password,
                    encryption_key: self.build.encryption_key,
                    ssl: &self.certificate(CertRole::Ssl).der,
                    secrets: self.secrets,
                };
                crate::wso2::config_file(kind, &sources)
            }
            Holds::Ledger => Zeroizing::new(ledger.to_json().into_bytes()),
        })
    }

    fn certificate(&self, role: CertRole) -> &Issued {
        let issued = self.certificates.get(role);
        issued.expect("a product's files hold only certificates it declares (tested in model::product)")
    }

    /// A store with `entries`, dated at the time of issue.
    fn store(&self, entries: &[EntrySpec]) -> Result<Keystore> {
        let mut store = Keystore::new();
        let now = self.build.now;
        for entry in entries {
            match *entry {
                EntrySpec::Key { alias, key, chain } => {
                    let pkcs8 = key_of(self.build.keys, key)?.secret_pkcs8_der()?;
                    let chain = chain.iter().map(|role| self.certificate(*role).der.clone()).collect();
                    store.insert(self.alias(alias), now, Entry::key(&pkcs8, chain))?;
                }
                EntrySpec::Trusted { alias, certificate } => {
                    let der = self.certificate(certificate).der.clone();
                    store.insert(self.alias(alias), now, Entry::TrustedCert(der))?;
                }
                EntrySpec::EarlierCas => {
                    for (alias, der) in &self.build.earlier_cas {
                        store.insert(alias, now, Entry::TrustedCert(der.clone()))?;
                    }
                }
                EntrySpec::PublicRoots if self.build.settings.public_roots => {
                    for (alias, der) in crate::formats::roots::public_roots() {
                        store.insert(&alias, now, Entry::TrustedCert(der))?;
                    }
                }
                EntrySpec::PublicRoots => {}
                EntrySpec::VaultKey if self.build.settings.takes_vault_key() => {
                    let key = vault_key(&self.build)?.secret_bytes().to_vec();
                    store.insert(VAULT_KEY_ALIAS, now, Entry::SecretKey(Zeroizing::new(key)))?;
                }
                EntrySpec::VaultKey => {}
            }
        }
        Ok(store)
    }

    fn alias(&self, alias: AliasSpec) -> &str {
        alias.resolve(self.build.settings.ssl_alias.as_str())
    }
}

fn store_error(spec: &FileSpec, source: crate::formats::keystore::StoreError) -> Error {
    Error::Store {
        path: spec.name.into(),
        source,
    }
}
