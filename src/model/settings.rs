//! Settings: what a set is made with. [`Choices`] are what the operator chose, each optional, from the cluster
//! description or from flags (the binary lays flags over the description); [`Choices::settings`] fills in the
//! defaults once and gives the [`Settings`] every command works from. The ledger records the settings, so that
//! `rotate`, `bundle` and `verify` make and check the same set again.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::formats::alias::Alias;
use crate::formats::keystore::pkcs12::Protection;
use crate::formats::subject::Subject;
use crate::model::cluster::{Cluster, ClusterError, Hosts, Nodes};
use crate::model::product::{Product, ProductId};
use crate::vocab::names::{HostName, ServerHome};
use crate::vocab::roles::{ByRole, CertRole};

/// Where a password comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// A file holding it on one line.
    File(PathBuf),
    /// An environment variable.
    Env(String),
}

impl PasswordSource {
    /// The password where the cluster description says it is.
    pub fn read(&self) -> Result<crate::io::secret::Password> {
        use crate::io::secret::Password;
        match self {
            PasswordSource::File(path) => Password::from_file(path),
            PasswordSource::Env(name) => Password::from_env(name)?.ok_or_else(|| Error::Password {
                source_name: name.clone(),
                reason: "the cluster description names this environment variable, and it is not set".into(),
            }),
        }
    }
}

/// How Secure Vault encrypts the passwords: the cipher tool's default, RSA under the key of the identity store,
/// or its symmetric mode, AES-GCM under a secret key in that store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VaultCipher {
    /// RSA, PKCS#1 v1.5.
    #[default]
    Asymmetric,
    /// AES-GCM with a secret key of a PKCS#12 store.
    Symmetric,
}

impl VaultCipher {
    /// Every cipher, as `--vault-cipher` lists them.
    pub const ALL: [VaultCipher; 2] = [VaultCipher::Asymmetric, VaultCipher::Symmetric];

    /// Its name: `asymmetric` or `symmetric`.
    pub fn key(self) -> &'static str {
        match self {
            VaultCipher::Asymmetric => "asymmetric",
            VaultCipher::Symmetric => "symmetric",
        }
    }

    /// What it is, as `--vault-cipher`'s help says it.
    pub fn summary(self) -> &'static str {
        match self {
            VaultCipher::Asymmetric => "RSA PKCS#1 v1.5 under the identity store's key, the cipher tool's default",
            VaultCipher::Symmetric => "AES-GCM under a secret key of the identity store (IS 7.1+, PKCS#12)",
        }
    }
}

/// How long one certificate is valid, and the serial it gets when first issued (`None`: random).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// Validity in days.
    pub days: u32,
    /// The first serial; later issues get random ones.
    pub first_serial: Option<u64>,
}

impl Term {
    /// The one rule for a validity, in the description (init) and the ledger (rotate, bundle, verify): at least
    /// [`MIN_DAYS`](crate::model::defaults::MIN_DAYS), so that verify never finds a fresh certificate due, and at most
    /// 100 years, or Apple's limit for the SSL certificate.
    pub fn check_days(role: CertRole, days: u32) -> std::result::Result<(), String> {
        use crate::model::defaults::{APPLE_MAX_DAYS, MAX_DAYS, MIN_DAYS, WITHIN_DAYS};
        if days < MIN_DAYS {
            return Err(format!(
                "{days} is less than {MIN_DAYS} days: verify and check report a certificate that expires within \
                 {WITHIN_DAYS} days, so a shorter one would be due the day it is made"
            ));
        }
        match role {
            CertRole::Ssl if days > APPLE_MAX_DAYS => Err(format!(
                "{days} exceeds Apple's limit of {APPLE_MAX_DAYS} days for TLS server certificates"
            )),
            _ if days > MAX_DAYS => Err(format!("{days} is more than {MAX_DAYS} days (100 years)")),
            _ => Ok(()),
        }
    }
}

/// The terms of every certificate of a set. The defaults are the product's profiles'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuance(ByRole<Term>);

impl Issuance {
    /// The profiles' terms for `product`'s certificates.
    pub fn defaults(product: &Product) -> Issuance {
        Issuance(
            product
                .certificates
                .iter()
                .map(|c| {
                    let term = Term {
                        days: c.profile.days,
                        first_serial: c.profile.serial,
                    };
                    (c.role, term)
                })
                .collect(),
        )
    }

    /// The term of `role`; a role the product does not issue has none.
    pub fn term(&self, role: CertRole) -> Option<Term> {
        self.0.get(role).copied()
    }

    /// Every role's term.
    pub fn terms(&self) -> impl Iterator<Item = (CertRole, Term)> + '_ {
        self.0.iter().map(|(role, term)| (role, *term))
    }

    /// `self` with the days and serials `choices` set.
    fn with(mut self, choices: &TermChoices) -> Issuance {
        for (role, days) in choices.days.iter() {
            if let Some(term) = self.0.get(role).copied() {
                self.0.insert(role, Term { days: *days, ..term });
            }
        }
        for (role, serial) in choices.serials.iter() {
            if let Some(term) = self.0.get(role).copied() {
                self.0.insert(
                    role,
                    Term {
                        first_serial: Some(*serial),
                        ..term
                    },
                );
            }
        }
        self
    }
}

/// Days and first serials the operator chose, by certificate role.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TermChoices {
    /// Validity in days.
    pub days: ByRole<u32>,
    /// First serials.
    pub serials: ByRole<u64>,
}

/// What the operator chose, from the cluster description or flags; `None` and empty mean "the default".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Choices {
    /// `product`.
    pub product: Option<ProductId>,
    /// `domain`.
    pub domain: Option<HostName>,
    /// `hosts.ssl_cn`.
    pub ssl_common_name: Option<HostName>,
    /// `[hosts]`.
    pub hosts: Hosts,
    /// `[nodes]`.
    pub nodes: Nodes,
    /// `ssl_alias`.
    pub ssl_alias: Option<Alias>,
    /// `out`.
    pub out: Option<PathBuf>,
    /// `p12_profile`.
    pub protection: Option<Protection>,
    /// `public_roots`: whether the truststore gets Mozilla's root CAs.
    pub public_roots: Option<bool>,
    /// `key_bits`.
    pub key_bits: Option<u16>,
    /// `[subject]`, over the documented subject.
    pub subject: Subject,
    /// `[ca]`, `[ra]`, `[ssl]` days and serials.
    pub terms: TermChoices,
    /// `passwords.store_file` or `passwords.store_env`.
    pub store_password: Option<PasswordSource>,
    /// `passwords.key_file` or `passwords.key_env`.
    pub key_password: Option<PasswordSource>,
    /// `[secure_vault] enabled`: the passwords of the server's files encrypted with Secure Vault.
    pub secure_vault: Option<bool>,
    /// `[secure_vault] server_home`: where the nodes keep the server.
    pub server_home: Option<ServerHome>,
    /// `[secure_vault] cipher`.
    pub vault_cipher: Option<VaultCipher>,
}

impl Choices {
    /// The settings these choices make, with the defaults for what they leave open.
    pub fn settings(&self) -> Result<Settings> {
        let product = self.product.unwrap_or_default().product();
        let domain = match &self.domain {
            Some(domain) => domain.clone(),
            None => HostName::parse(product.default_domain).map_err(|e| Error::invalid("domain", e))?,
        };
        let cluster = Cluster::new(
            product,
            domain,
            self.ssl_common_name.clone(),
            self.hosts.clone(),
            self.nodes.clone(),
        )
        .map_err(|e| Error::invalid("the cluster description", e))?;
        let ssl_alias = match &self.ssl_alias {
            Some(alias) => alias.clone(),
            None => default_alias(crate::model::defaults::SSL_ALIAS)?,
        };
        let public_roots = self.public_roots.unwrap_or(true);
        let root_alias = public_roots
            && crate::formats::roots::public_roots()
                .iter()
                .any(|(alias, _)| *alias == ssl_alias.as_str());
        if root_alias {
            let reason =
                format!("'{ssl_alias}' is the alias of a public root CA in client-truststore.jks; choose another");
            return Err(Error::invalid("ssl_alias", reason));
        }
        if let Some(taken) = product.taken_alias(ssl_alias.as_str()) {
            let reason = format!(
                "'{ssl_alias}' is taken: the set's stores keep another certificate under {taken}, which the SSL \
                 certificate would replace; choose another"
            );
            return Err(Error::invalid("ssl_alias", reason));
        }
        let secure_vault = self.secure_vault.unwrap_or(false);
        if self.server_home.is_some() && !secure_vault {
            let reason = "only Secure Vault's secret-conf.properties names the server home: turn it on too";
            return Err(Error::invalid("server_home", reason));
        }
        let vault_cipher = self.vault_cipher.unwrap_or_default();
        if vault_cipher == VaultCipher::Symmetric {
            symmetric_vault(product, secure_vault).map_err(|reason| Error::invalid("vault cipher", reason))?;
        }
        Ok(Settings {
            issuance: Issuance::defaults(product).with(&self.terms),
            cluster,
            ssl_alias,
            protection: self.protection.unwrap_or_default(),
            public_roots,
            subject: self.subject.clone(),
            secure_vault,
            server_home: self.server_home.clone(),
            vault_cipher,
        })
    }

    /// Where `init` writes.
    pub fn out(&self) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| PathBuf::from(crate::model::defaults::OUT_DIR))
    }

    /// The size of the keys `init` generates.
    pub fn key_bits(&self) -> u16 {
        self.key_bits.unwrap_or(crate::model::defaults::KEY_BITS)
    }
}

/// Whether `product`'s set can take Secure Vault's symmetric mode, with Secure Vault on or off (`secure_vault`).
fn symmetric_vault(product: &Product, secure_vault: bool) -> std::result::Result<(), String> {
    let Some(platform) = product.platform.as_ref().filter(|p| p.release.symmetric_vault) else {
        return Err(format!(
            "symmetric: {}'s Secure Vault decrypts only the asymmetric values (carbon-secvault before 1.1.9); \
             Identity Server 7.1 and later decrypt both",
            product.name
        ));
    };
    if platform.format != crate::formats::keystore::Format::Pkcs12 {
        return Err(
            "symmetric: the AES key is a secret-key entry, which only PKCS#12 stores hold: \
                    --store-type pkcs12"
                .into(),
        );
    }
    if !secure_vault {
        return Err("symmetric names Secure Vault's cipher: turn Secure Vault on too".into());
    }
    Ok(())
}

fn default_alias(text: &str) -> Result<Alias> {
    Alias::chosen(text).map_err(|e| Error::invalid("ssl_alias", e))
}

/// What a set is made with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "Recorded", into = "Recorded")]
pub struct Settings {
    /// The product, domain and hosts.
    pub cluster: Cluster,
    /// The SSL key's alias: carbon.xml's KeyAlias.
    pub ssl_alias: Alias,
    /// The .p12 protection.
    pub protection: Protection,
    /// Whether the truststore gets the public root CAs.
    pub public_roots: bool,
    /// The subject fields.
    pub subject: Subject,
    /// Validity and first serials.
    pub issuance: Issuance,
    /// Whether the server's files name Secure Vault aliases instead of holding the stores' password.
    pub secure_vault: bool,
    /// The server home on the nodes, for Secure Vault: the server opens the keystore of secret-conf.properties
    /// from its working directory, so that a relative location holds only when it starts in its home.
    pub server_home: Option<ServerHome>,
    /// How Secure Vault encrypts, when it is on.
    pub vault_cipher: VaultCipher,
}

impl Settings {
    /// Whether the set keeps Secure Vault's AES key: Secure Vault on, with the symmetric cipher.
    pub fn takes_vault_key(&self) -> bool {
        self.secure_vault && self.vault_cipher == VaultCipher::Symmetric
    }
}

/// Settings as the ledger records them (`iospki.ledger/1`).
#[derive(serde::Serialize, serde::Deserialize)]
struct Recorded {
    #[serde(default = "default_product")]
    product: String,
    /// The release of a deployment.toml product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    /// The store layout of a deployment.toml product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keystores: Option<String>,
    /// The stores' format of a deployment.toml product: `jks` or `pkcs12`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    store_type: Option<String>,
    domain: HostName,
    ssl_common_name: HostName,
    ssl_alias: String,
    protection: Protection,
    #[serde(default = "yes")]
    public_roots: bool,
    subject: Subject,
    #[serde(default)]
    hosts: Hosts,
    #[serde(default, skip_serializing_if = "Nodes::is_empty")]
    nodes: Nodes,
    #[serde(default)]
    issuance: RecordedIssuance,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    secure_vault: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    server_home: Option<ServerHome>,
    #[serde(default, skip_serializing_if = "is_asymmetric")]
    vault_cipher: VaultCipher,
}

/// The ledger leaves the default cipher out, as sets written before there was a choice have it.
fn is_asymmetric(cipher: &VaultCipher) -> bool {
    *cipher == VaultCipher::Asymmetric
}

/// Ledgers written before there was a choice of product are the IoT Server's.
fn default_product() -> String {
    ProductId::default().key().to_owned()
}

/// Sets recorded before public roots were written asked for them as much as any set does now.
fn yes() -> bool {
    true
}

/// Validity in days and first serials by role; what an older ledger leaves out is the profile's.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct RecordedIssuance {
    #[serde(skip_serializing_if = "Option::is_none")]
    ca_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ra_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssl_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ra_serial: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssl_serial: Option<u64>,
}

impl RecordedIssuance {
    /// The days of every role, checked as the description's are: a ledger is edited by hand too.
    fn choices(&self) -> std::result::Result<TermChoices, RecordedError> {
        let mut choices = TermChoices::default();
        let days = [
            (CertRole::Ca, self.ca_days),
            (CertRole::Ra, self.ra_days),
            (CertRole::Ssl, self.ssl_days),
        ];
        for (role, value) in days {
            if let Some(value) = value {
                Term::check_days(role, value).map_err(|reason| RecordedError::Days {
                    key: format!("{}_days", role.name().to_lowercase()),
                    reason,
                })?;
                choices.days.insert(role, value);
            }
        }
        for (role, value) in [(CertRole::Ra, self.ra_serial), (CertRole::Ssl, self.ssl_serial)] {
            if let Some(value) = value {
                choices.serials.insert(role, value);
            }
        }
        Ok(choices)
    }
}

impl From<Settings> for Recorded {
    fn from(settings: Settings) -> Recorded {
        let term = |role| settings.issuance.term(role);
        let product = settings.cluster.product().id();
        Recorded {
            product: product.key().to_owned(),
            version: product.version().map(str::to_owned),
            keystores: product.layout().map(|layout| layout.key().to_owned()),
            store_type: product.format().map(|format| format.key().to_owned()),
            domain: settings.cluster.domain().clone(),
            ssl_common_name: settings.cluster.ssl_common_name().clone(),
            ssl_alias: settings.ssl_alias.to_string(),
            protection: settings.protection,
            public_roots: settings.public_roots,
            issuance: RecordedIssuance {
                ca_days: term(CertRole::Ca).map(|t| t.days),
                ra_days: term(CertRole::Ra).map(|t| t.days),
                ssl_days: term(CertRole::Ssl).map(|t| t.days),
                ra_serial: term(CertRole::Ra).and_then(|t| t.first_serial),
                ssl_serial: term(CertRole::Ssl).and_then(|t| t.first_serial),
            },
            hosts: settings.cluster.hosts().clone(),
            nodes: settings.cluster.node_names().clone(),
            subject: settings.subject,
            secure_vault: settings.secure_vault,
            server_home: settings.server_home,
            vault_cipher: settings.vault_cipher,
        }
    }
}

/// Why recorded settings cannot be used.
#[derive(Debug, thiserror::Error)]
enum RecordedError {
    #[error("{0}")]
    Cluster(#[from] ClusterError),
    #[error("ssl_alias: {0}")]
    Alias(#[from] crate::formats::alias::AliasError),
    #[error("issuance.{key}: {reason}")]
    Days { key: String, reason: String },
    /// The product, version or layout names no declaration.
    #[error("{0}")]
    Product(String),
}

impl TryFrom<Recorded> for Settings {
    type Error = RecordedError;

    fn try_from(recorded: Recorded) -> std::result::Result<Settings, RecordedError> {
        let product = ProductId::recorded(
            &recorded.product,
            recorded.version.as_deref(),
            recorded.keystores.as_deref(),
            recorded.store_type.as_deref(),
        )
        .map_err(|e| RecordedError::Product(e.to_string()))?
        .product();
        if recorded.vault_cipher == VaultCipher::Symmetric {
            symmetric_vault(product, recorded.secure_vault).map_err(RecordedError::Product)?;
        }
        let cluster = Cluster::new(
            product,
            recorded.domain,
            Some(recorded.ssl_common_name),
            recorded.hosts,
            recorded.nodes,
        )?;
        Ok(Settings {
            cluster,
            ssl_alias: Alias::chosen(&recorded.ssl_alias)?,
            protection: recorded.protection,
            public_roots: recorded.public_roots,
            subject: recorded.subject,
            issuance: Issuance::defaults(product).with(&recorded.issuance.choices()?),
            secure_vault: recorded.secure_vault,
            server_home: recorded.server_home,
            vault_cipher: recorded.vault_cipher,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::defaults::{MIN_DAYS, WITHIN_DAYS};

    #[test]
    fn the_shortest_validity_is_longer_than_the_window() {
        const { assert!(MIN_DAYS > WITHIN_DAYS) };
        assert!(Term::check_days(CertRole::Ssl, MIN_DAYS).is_ok());
        let err = Term::check_days(CertRole::Ssl, MIN_DAYS - 1).unwrap_err();
        assert!(err.contains("is less than 31 days"), "{err}");
        assert!(
            Term::check_days(CertRole::Ssl, 826)
                .unwrap_err()
                .contains("Apple's limit")
        );
        assert!(Term::check_days(CertRole::Ca, 36_500).is_ok());
        assert!(
            Term::check_days(CertRole::Ca, 36_501)
                .unwrap_err()
                .contains("100 years")
        );
    }
}
