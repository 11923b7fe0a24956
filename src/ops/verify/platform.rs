//! `verify` of the deployment.toml products (Identity Server 7, API Manager 4): the configuration read with its
//! lines (a home's `repository/conf/deployment.toml`, a set's or bundle's `deployment-security.toml`), the
//! release's fallbacks and defaults laid under what it leaves unset, the stores it names opened as the server
//! opens them, and each problem reported at the file and line that causes it.
//!
//! Defaults as the products' default.json has them: `[keystore.internal]` and `[keystore.tls]` take each unset
//! value from `[keystore.primary]` (a `$ref{keystore.primary.*}` is the same), `[keystore.primary]` and
//! `[truststore]` the release's shipped store, alias and password.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::Options;
use super::observe::{self, KeyLookup, OpenError, Store};
use super::tree::{ReadError, Tree};
use super::vault::{self, Layout, Named, Vault};
use crate::error::{Error, Result, StoreError};
use crate::formats::keystore::{self, Format};
use crate::formats::x509::{AltName, Certificate, KeyUsage};
use crate::io::input::Kind;
use crate::io::secret::{PUBLISHED_ENCRYPTION_KEY, Password, SymmetricKey, WSO2_DEFAULT_PASSWORD};
use crate::model::product::{DEPLOYMENT_SECURITY_FILE, DEPLOYMENT_TOML, Release, StoreFormat};
use crate::ops::findings::Finding;
use crate::vocab::roles::CertRole;
use crate::wso2::deployment::{self, KEYSTORE_SECTIONS, SecuritySettings};

/// Where a source keeps its configuration and its stores, relative to its root.
#[derive(Debug, Clone, Copy)]
pub(super) struct Source {
    /// The configuration file.
    config: &'static str,
    /// The folder the stores' `file_name`s are in.
    stores: &'static str,
    /// Secure Vault's secret-conf.properties, and how the paths it names are found.
    secret_conf: (&'static str, Layout),
}

/// An output directory of `iospki init`: deployment-security.toml beside the stores.
pub(super) const OUTPUT: Source = Source {
    config: DEPLOYMENT_SECURITY_FILE,
    stores: "",
    secret_conf: ("secret-conf.properties", Layout::Flat),
};

/// A server home: its deployment.toml, the stores where the server opens them.
pub(super) const HOME: Source = Source {
    config: DEPLOYMENT_TOML,
    stores: SECURITY_DIR,
    secret_conf: (SECRET_CONF, Layout::Placed),
};

/// A node's bundle: deployment-security.toml at its root, the stores where the node installs them.
pub(super) const BUNDLE: Source = Source {
    config: DEPLOYMENT_SECURITY_FILE,
    stores: SECURITY_DIR,
    secret_conf: (SECRET_CONF, Layout::Placed),
};

const SECURITY_DIR: &str = "repository/resources/security";

/// Where the server reads secret-conf.properties.
const SECRET_CONF: &str = "repository/conf/security/secret-conf.properties";

/// A value as the server takes it, and where it comes from: `FILE:LINE [section] key`, or the unset key and
/// the release whose default it is.
#[derive(Debug, Clone)]
pub(super) struct Configured {
    /// The value.
    pub value: Zeroizing<String>,
    /// Where it is set, as a finding's location.
    pub at: String,
}

/// A store a section names, and what opening it gave.
#[derive(Debug)]
pub(super) struct StoreSection {
    /// `file_name`.
    pub file_name: Configured,
    /// `type`.
    pub store_type: Configured,
    /// `password`.
    pub password: Configured,
    /// The file's path, as the user will recognise it.
    pub path: String,
    /// Its format as its bytes tell it; `None` when unreadable or no keystore.
    pub format: Option<Format>,
    /// Its bytes, when read.
    pub bytes: Option<Zeroizing<Vec<u8>>>,
    /// What opening it with `password` gave.
    pub store: Store,
}

/// A keystore section: its store, and the key entry its alias and key password name.
#[derive(Debug)]
pub(super) struct KeystoreSection {
    /// Whose key.
    pub role: CertRole,
    /// The store.
    pub store: StoreSection,
    /// `alias`.
    pub alias: Configured,
    /// `key_password`.
    pub key_password: Configured,
    /// The entry, when the store opened.
    pub key: Option<KeyLookup>,
}

/// Everything read from a node of a deployment.toml product.
#[derive(Debug)]
pub(super) struct Observed {
    /// The release, whose defaults and shipped keys apply.
    pub release: &'static Release,
    /// The configuration file, as shown.
    pub config: String,
    /// The keystore sections.
    pub keystores: Vec<KeystoreSection>,
    /// `[truststore]`.
    pub truststore: StoreSection,
    /// `[encryption] key`, where set.
    pub encryption: Option<Configured>,
    /// `[server] hostname`, where set.
    pub hostname: Option<Configured>,
    /// The cluster's public names and where they come from, for a set whose ledger records them (an output
    /// directory); none for a home or a bundle.
    pub public_names: Option<(String, Vec<String>)>,
    /// Secure Vault's files and what `[secrets]` decrypts to, where the node has them.
    pub vault: Option<Vault>,
}

/// What a node must hold the same of as every other node of its cluster: where, and its bytes.
#[derive(Debug)]
pub(super) struct Held {
    /// Where the node keeps it, as a finding's location.
    pub location: String,
    /// What it is.
    pub value: Zeroizing<Vec<u8>>,
}

impl Observed {
    /// The TLS store's bytes, where it was read.
    pub(super) fn tls_store(&self) -> Option<Held> {
        let tls = &self.keystore(CertRole::Ssl)?.store;
        let value = tls.bytes.clone()?;
        Some(Held {
            location: tls.path.clone(),
            value,
        })
    }

    /// The `[encryption] key`, where set and well-formed.
    pub(super) fn encryption_key(&self) -> Option<Held> {
        let key = self.encryption.as_ref()?;
        let parsed = SymmetricKey::from_hex(&key.value)?;
        Some(Held {
            location: key.at.clone(),
            value: Zeroizing::new(parsed.secret_hex().as_bytes().to_vec()),
        })
    }

    /// The keystore section of `role`.
    pub(super) fn keystore(&self, role: CertRole) -> Option<&KeystoreSection> {
        self.keystores.iter().find(|k| k.role == role)
    }
}

/// Reads the node at `tree` of `release` as `source` lays it out, Secure Vault's key opened with `password`; a
/// configuration that cannot be read or parsed is the finding returned instead.
pub(super) fn observe(
    tree: &Tree,
    source: Source,
    release: &'static Release,
    password: &Password,
) -> std::result::Result<Observed, Finding> {
    let config_path = tree_path(tree, Path::new(source.config));
    let config = tree.shown(&config_path);
    let unusable = |what: String| {
        Finding::problem(
            &config,
            what,
            "restore it (iospki init writes deployment-security.toml; merge its sections into deployment.toml)",
        )
    };
    let text = tree
        .read(&config_path, Kind::Text)
        .map_err(|e| unusable(format!("cannot be read: {e}")))?;
    let text = std::str::from_utf8(&text).map_err(|_| unusable("is not UTF-8 text".into()))?;
    let settings = deployment::read_security(text).map_err(unusable)?;
    let vault = observe_vault(tree, source, password, &settings, (&config, text));
    let resolve = Resolver {
        settings: &settings,
        file: &config,
        release,
        vault: vault.as_ref(),
    };
    let keystores = KEYSTORE_SECTIONS
        .iter()
        .map(|(section, role)| {
            let store = open_section(tree, source, &resolve, section);
            let alias = resolve.value(section, "alias");
            let key_password = resolve.value(section, "key_password");
            let key = store
                .store
                .opened
                .as_ref()
                .ok()
                .map(|opened| key_lookup(opened, &store, &alias, &key_password));
            KeystoreSection {
                role: *role,
                store,
                alias,
                key_password,
                key,
            }
        })
        .collect();
    Ok(Observed {
        release,
        truststore: open_section(tree, source, &resolve, "truststore"),
        encryption: resolve.set("encryption", "key"),
        hostname: resolve.set("server", "hostname"),
        public_names: None,
        keystores,
        vault,
        config,
    })
}

/// Secure Vault's files, where the node has them: secret-conf.properties and its key, `[secrets]` decrypted,
/// every `$secret{alias}` of the configuration `config` (as shown, and its text), and each store password it
/// holds in plain text.
fn observe_vault(
    tree: &Tree,
    source: Source,
    password: &Password,
    settings: &SecuritySettings,
    (config, text): (&str, &str),
) -> Option<Vault> {
    let (conf, layout) = source.secret_conf;
    let mut found = vault::read_conf(tree, layout, Path::new(conf), password);
    found.references = vault::references(config, text);
    let present = found.conf.as_ref().err().is_none_or(|e| e != "is missing");
    if !present && settings.secrets().is_empty() && found.references.is_empty() {
        return None;
    }
    let key = found.key.as_ref().and_then(|(_, key)| key.as_ref().ok());
    let entries = (settings.secrets().iter())
        .map(|(alias, value)| {
            let at = format!("{config}:{} [secrets] {alias}", value.line);
            (at, alias.clone(), value.value.to_string())
        })
        .collect();
    found.secrets = vault::decrypt_all(key, entries);
    found.secrets_file = format!("{config} [secrets]");
    found.plain = plain_passwords(settings, config);
    Some(found)
}

/// The store passwords `settings` holds in plain text rather than as `$secret{alias}`.
fn plain_passwords(settings: &SecuritySettings, config: &str) -> Vec<Named> {
    let sections = KEYSTORE_SECTIONS
        .iter()
        .map(|(section, _)| *section)
        .chain(["truststore"]);
    sections
        .flat_map(|section| ["password", "key_password"].map(|key| (section, key)))
        .filter_map(|(section, key)| {
            let value = settings.get(section, key)?;
            (!value.value.starts_with("$secret{") && !value.value.starts_with("$ref{")).then(|| Named {
                location: format!("{config}:{} [{section}] {key}", value.line),
                name: "a store's password".to_owned(),
            })
        })
        .collect()
}

/// The key entry `alias` of the opened `store`, recovered with `key_password`.
fn key_lookup(
    opened: &keystore::Opened,
    store: &StoreSection,
    alias: &Configured,
    key_password: &Configured,
) -> KeyLookup {
    let password = Password::new(key_password.value.as_str());
    match observe::lookup(opened, &store.path, &alias.value, &password) {
        // A PKCS#12 store's keys are under its password (keytool and OpenSSL write them so): Java's PKCS12
        // keystore recovers none with another.
        KeyLookup::Found(entry) if opened.format == Format::Pkcs12 && key_password.value != store.password.value => {
            KeyLookup::WrongPassword {
                location: entry.location,
            }
        }
        lookup => lookup,
    }
}

/// What the configuration sets, with the release's fallbacks and defaults under it.
struct Resolver<'a> {
    settings: &'a SecuritySettings,
    file: &'a str,
    release: &'static Release,
    /// Secure Vault's secrets, decrypted.
    vault: Option<&'a Vault>,
}

impl Resolver<'_> {
    /// `key` of `[section]` as set there (a `$ref{...}` is as good as unset: it names the fallback), a
    /// `$secret{alias}` as the password it decrypts to.
    fn set(&self, section: &str, key: &str) -> Option<Configured> {
        let value = self.settings.get(section, key)?;
        let at = format!("{}:{} [{section}] {key}", self.file, value.line);
        let alias = (value.value.strip_prefix("$secret{")).and_then(|rest| rest.strip_suffix('}'));
        let decrypted = alias.and_then(|alias| Some((alias, self.vault?.decrypted(alias)?)));
        if let Some((alias, password)) = decrypted {
            return Some(Configured {
                value: Zeroizing::new(password.secret_str().to_owned()),
                at: format!("{at} ($secret{{{alias}}}, decrypted)"),
            });
        }
        (!value.value.starts_with("$ref{")).then(|| Configured {
            value: value.value.clone(),
            at,
        })
    }

    /// `key` of `[section]` as the server takes it: set, else `[keystore.primary]`'s for the other keystores,
    /// else the release's default.
    fn value(&self, section: &str, key: &str) -> Configured {
        let primary = || {
            (section.starts_with("keystore."))
                .then(|| self.set("keystore.primary", key))
                .flatten()
        };
        self.set(section, key).or_else(primary).unwrap_or_else(|| Configured {
            value: Zeroizing::new(default_value(self.release, section, key)),
            at: format!(
                "{} [{section}] {key} (unset: {} {}'s default)",
                self.file, self.release.family, self.release.version
            ),
        })
    }
}

/// The value `release` takes for `key` of `[section]` when neither it nor `[keystore.primary]` sets it.
fn default_value(release: &Release, section: &str, key: &str) -> String {
    let (store, alias, _) = release.shipped_store;
    match key {
        "file_name" if section == "truststore" => {
            let extension = Path::new(store).extension().unwrap_or_default().to_string_lossy();
            format!("client-truststore.{extension}")
        }
        "file_name" => store.to_owned(),
        "type" => deployment::type_name(release.format).to_owned(),
        "alias" => alias.to_owned(),
        _ => WSO2_DEFAULT_PASSWORD.to_owned(),
    }
}

/// The store `[section]` names, read from `source`'s store folder and opened with its password.
fn open_section(tree: &Tree, source: Source, resolve: &Resolver<'_>, section: &'static str) -> StoreSection {
    let file_name = resolve.value(section, "file_name");
    let store_type = resolve.value(section, "type");
    let password = resolve.value(section, "password");
    let path = tree_path(tree, &Path::new(source.stores).join(file_name.value.as_str()));
    let shown = tree.shown(&path);
    let secret = Password::new(password.value.as_str());
    let read = tree.read(&path, Kind::Data);
    let opened = match &read {
        Ok(data) => keystore::open(data, Some(&secret)).map_err(OpenError::Store),
        Err(e) => Err(OpenError::Unreadable(read_reason(e))),
    };
    let bytes = read.ok();
    StoreSection {
        format: bytes.as_deref().and_then(|b| Format::detect(b)),
        bytes,
        store: Store {
            location: shown.clone(),
            configured_type: store_type.value.to_string(),
            opened,
            password_ascii: secret.secret_str().is_ascii(),
            password_well_known: secret.is_well_known(),
            modern_by_choice: false,
        },
        path: shown,
        file_name,
        store_type,
        password,
    }
}

fn read_reason(error: &ReadError) -> String {
    format!("cannot be read: {error}")
}

/// A path of the tree: relative paths are under its root.
fn tree_path(tree: &Tree, path: &Path) -> PathBuf {
    match tree.root() {
        Some(root) => root.join(path),
        None => path.to_path_buf(),
    }
}

type Rule = fn(&Observed, &Options) -> Vec<Finding>;

/// Every rule, in the order the server meets what it judges.
const RULES: &[Rule] = &[
    stores_open,
    types_match_the_bytes,
    stores_are_sound,
    key_entries_found,
    tls_key_password_is_the_store_password,
    internal_key_may_encrypt,
    encryption_key_is_private,
    tls_names_the_hostname,
    tls_names_every_public_name,
    no_shipped_key,
    nothing_expires,
    truststore_has_the_gateway_certificate,
    secure_vault,
];

/// Judges `observed`.
pub(super) fn judge(observed: &Observed, options: &Options) -> Vec<Finding> {
    RULES.iter().flat_map(|rule| rule(observed, options)).collect()
}

/// The store sections, the truststore last.
fn stores(observed: &Observed) -> impl Iterator<Item = &StoreSection> {
    observed
        .keystores
        .iter()
        .map(|k| &k.store)
        .chain(std::iter::once(&observed.truststore))
}

/// The key entries found, with their certificates.
fn found(observed: &Observed) -> impl Iterator<Item = (&KeystoreSection, &observe::KeyEntry)> {
    observed.keystores.iter().filter_map(|k| match &k.key {
        Some(KeyLookup::Found(entry)) => Some((k, entry)),
        _ => None,
    })
}

/// A store that does not open with its password is a problem at the line that names it, or sets the password.
fn stores_open(observed: &Observed, _: &Options) -> Vec<Finding> {
    stores(observed)
        .filter_map(|s| {
            let finding = match &s.store.opened {
                Ok(_) => return None,
                Err(_) if vaulted(&s.password) => unresolved(&s.password, &s.path),
                Err(OpenError::Unreadable(reason)) => Finding::problem(
                    &s.file_name.at,
                    format!("names {}, which {reason}", s.path),
                    "put the store there (iospki bundle places it) or name the file that is",
                ),
                Err(OpenError::Store(StoreError::WrongPassword)) => Finding::problem(
                    &s.password.at,
                    format!(
                        "does not open {}: the password is wrong or the file was modified",
                        s.path
                    ),
                    "set the password the store was written with, or change the store's (keytool -storepasswd)",
                ),
                Err(OpenError::Store(other)) => Finding::problem(
                    &s.file_name.at,
                    format!("names {}, which does not open: {other}", s.path),
                    "write it again with iospki init",
                ),
            };
            Some(finding)
        })
        .collect()
}

/// Whether `value` is a secure-vault alias (`$secret{...}`), which only the server's cipher tool resolves.
fn vaulted(value: &Configured) -> bool {
    value.value.starts_with("$secret{")
}

/// A warning that `path` was not judged: `password` is in the secure vault.
fn unresolved(password: &Configured, path: &str) -> Finding {
    Finding::warning(
        &password.at,
        format!(
            "is a secure-vault alias ({}), which iospki cannot resolve: {path} was not judged",
            password.value.as_str()
        ),
        "verify the set or bundle the store came from (iospki verify DIR, verify --bundle), whose \
         deployment-security.toml holds the passwords",
    )
}

/// `type` must say what the file's bytes are: Java opens a store as its type. A PKCS#12 file typed JKS on a
/// release that ships one so is a warning (keystore.type.compat loads it).
fn types_match_the_bytes(observed: &Observed, _: &Options) -> Vec<Finding> {
    stores(observed)
        .filter_map(|s| type_finding(s, observed.release))
        .collect()
}

fn type_finding(s: &StoreSection, release: &Release) -> Option<Finding> {
    let real = s.format?;
    let declared = s.store_type.value.to_ascii_uppercase();
    let real_name = deployment::type_name(real);
    if declared == real_name {
        return None;
    }
    let what = format!("is {} but {} is {}", s.store_type.value.as_str(), s.path, real.name());
    let fix = format!("set type = \"{real_name}\" there");
    let shipped_so = release.shipped_store.2 == StoreFormat::Pkcs12 && release.format == StoreFormat::Jks;
    Some(if real == Format::Pkcs12 && declared == "JKS" && shipped_so {
        Finding::warning(
            &s.store_type.at,
            format!(
                "{what}, as {} {} ships it: Java's keystore.type.compat loads it, other readers may not",
                release.family, release.version
            ),
            fix,
        )
    } else {
        Finding::problem(
            &s.store_type.at,
            format!("{what}: Java opens a store only as its type"),
            fix,
        )
    })
}

/// What Java reads oddly in a store, a store without a MAC, and the published password.
fn stores_are_sound(observed: &Observed, _: &Options) -> Vec<Finding> {
    let mut findings = Vec::new();
    for s in stores(observed) {
        findings.extend(super::rules::store_is_authenticated(&s.store));
        findings.extend(super::rules::oddities(&s.store));
        if s.store.opened.is_ok() && s.store.password_well_known {
            findings.push(Finding::warning(
                &s.password.at,
                format!("opens {} with a published default password", s.path),
                "choose your own (iospki init --password-file), change the store's to it and set it here",
            ));
        }
    }
    findings
}

/// The alias must name a key entry, and the key password open it.
fn key_entries_found(observed: &Observed, _: &Options) -> Vec<Finding> {
    observed
        .keystores
        .iter()
        .filter_map(|k| {
            let path = &k.store.path;
            let alias = k.alias.value.as_str();
            let fix_alias = "name the key entry's alias (keytool -list shows them; keytool -changealias renames one)";
            Some(match k.key.as_ref()? {
                KeyLookup::Found(_) => return None,
                KeyLookup::Absent { aliases, .. } => Finding::problem(
                    &k.alias.at,
                    format!(
                        "names {alias}, which {path} does not have (it has {})",
                        aliases.join(", ")
                    ),
                    fix_alias,
                ),
                KeyLookup::NotAKey { .. } => Finding::problem(
                    &k.alias.at,
                    format!("names {alias}, a trusted certificate in {path}, not a key entry"),
                    fix_alias,
                ),
                KeyLookup::WrongPassword { .. } if vaulted(&k.key_password) => unresolved(&k.key_password, path),
                KeyLookup::WrongPassword { .. } => Finding::problem(
                    &k.key_password.at,
                    format!("does not open the key {alias} in {path}"),
                    "set the key's password (a PKCS#12 key has the store's)",
                ),
                KeyLookup::Unparsable { reason, .. } => Finding::problem(
                    &k.alias.at,
                    format!("names {alias} in {path}, whose certificate is unusable: {reason}"),
                    "write the store again with iospki init",
                ),
            })
        })
        .collect()
}

/// The HTTPS connector opens the TLS key with the store's password: `[keystore.tls]` key_password must be it.
fn tls_key_password_is_the_store_password(observed: &Observed, _: &Options) -> Vec<Finding> {
    let Some(tls) = observed.keystore(CertRole::Ssl) else {
        return Vec::new();
    };
    let password = &tls.store.password;
    if tls.key_password.value == password.value || vaulted(&tls.key_password) || vaulted(password) {
        return Vec::new();
    }
    vec![Finding::problem(
        &tls.key_password.at,
        format!(
            "differs from the store's password ({}): the HTTPS transport opens the TLS key with the store's",
            tls.store.password.at
        ),
        "give the key the store's password (keytool -keypasswd) and set key_password to it",
    )]
}

/// The internal key encrypts: a certificate whose keyUsage is there and lacks dataEncipherment forbids it.
fn internal_key_may_encrypt(observed: &Observed, _: &Options) -> Vec<Finding> {
    found(observed)
        .filter(|(k, entry)| k.role == CertRole::Internal && !may_encrypt(entry.certificate()))
        .map(|(k, _)| {
            Finding::problem(
                &k.alias.at,
                format!(
                    "names {} in {}, whose certificate's keyUsage lacks dataEncipherment: it is not a key to encrypt with",
                    k.alias.value.as_str(),
                    k.store.path
                ),
                "use the internal key of an iospki set (profile INTERNAL), which has it",
            )
        })
        .collect()
}

fn may_encrypt(cert: &Certificate) -> bool {
    cert.key_usage
        .as_ref()
        .is_none_or(|usages| usages.contains(&KeyUsage::DataEncipherment))
}

/// `[encryption] key` must be 32 hex digits and not the published one; a release that encrypts with it needs it.
fn encryption_key_is_private(observed: &Observed, _: &Options) -> Vec<Finding> {
    let release = observed.release;
    let fix = "set a key of your own (openssl rand -hex 16), the same on every node, before the first start: data \
               encrypted under one key is unreadable under another";
    let Some(key) = &observed.encryption else {
        return match release.encryption {
            true => vec![Finding::problem(
                format!("{} [encryption] key", observed.config),
                format!(
                    "is unset: {} {} then encrypts with the published default key {PUBLISHED_ENCRYPTION_KEY}",
                    release.family, release.version
                ),
                fix,
            )],
            false => Vec::new(),
        };
    };
    if key.value.starts_with("$secret{") {
        return Vec::new();
    }
    match SymmetricKey::from_hex(&key.value) {
        None => vec![Finding::problem(
            &key.at,
            "is not 32 hex digits (a 128-bit AES key)",
            fix,
        )],
        Some(parsed) if parsed.is_published() => vec![Finding::problem(
            &key.at,
            "is the published default key every download ships: anyone can decrypt what the servers encrypt",
            fix,
        )],
        Some(_) => Vec::new(),
    }
}

/// The TLS certificate must name `[server] hostname` in its subjectAltName.
fn tls_names_the_hostname(observed: &Observed, _: &Options) -> Vec<Finding> {
    let Some(hostname) = observed.hostname.as_ref().filter(|h| !h.value.contains(['$', '{'])) else {
        return Vec::new();
    };
    found(observed)
        .filter(|(k, entry)| k.role == CertRole::Ssl && !names(entry.certificate(), &hostname.value))
        .map(|(k, _)| {
            Finding::problem(
                &k.alias.at,
                format!(
                    "names {} in {}, whose subjectAltName lacks {}, which {} names: clients check the SAN",
                    k.alias.value.as_str(),
                    k.store.path,
                    hostname.value.as_str(),
                    hostname.at
                ),
                "issue it again for that name (iospki init, or iospki rotate --ssl)",
            )
        })
        .collect()
}

/// The TLS certificate of a set must name every public name its ledger records, and localhost (the charts'
/// probes).
fn tls_names_every_public_name(observed: &Observed, _: &Options) -> Vec<Finding> {
    let Some((source, hosts)) = &observed.public_names else {
        return Vec::new();
    };
    found(observed)
        .filter(|(k, _)| k.role == CertRole::Ssl)
        .flat_map(|(k, entry)| {
            let missing: Vec<&str> = (hosts.iter().map(String::as_str))
                .chain(["localhost"])
                .filter(|host| !names(entry.certificate(), host))
                .collect();
            (!missing.is_empty()).then(|| {
                Finding::problem(
                    &k.alias.at,
                    format!(
                        "names {} in {}, whose subjectAltName lacks {}, which {source} names: clients check the SAN",
                        k.alias.value.as_str(),
                        k.store.path,
                        missing.join(", ")
                    ),
                    "issue it again for the cluster's names (iospki rotate --ssl)",
                )
            })
        })
        .collect()
}

/// Whether `cert`'s subjectAltName covers `host` (a wildcard one label deep).
fn names(cert: &Certificate, host: &str) -> bool {
    cert.subject_alt_names.iter().any(|name| match name {
        AltName::Dns(dns) => match dns.strip_prefix("*.") {
            Some(suffix) => host
                .split_once('.')
                .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(suffix)),
            None => dns.eq_ignore_ascii_case(host),
        },
        _ => false,
    })
}

/// A key entry whose certificate is one the release ships is a key every download has.
fn no_shipped_key(observed: &Observed, _: &Options) -> Vec<Finding> {
    let release = observed.release;
    found(observed)
        .filter_map(|(k, entry)| {
            let fingerprint = crate::formats::certinfo::fingerprint(&entry.certificate().der);
            release.shipped_fingerprints.contains(&fingerprint.as_str()).then(|| {
                Finding::problem(
                    &k.alias.at,
                    format!(
                        "names {} in {}, the key {} {} ships in every download (SHA-256 {fingerprint})",
                        k.alias.value.as_str(),
                        k.store.path,
                        release.family,
                        release.version
                    ),
                    "replace the stores with the cluster's (iospki init) and merge deployment-security.toml",
                )
            })
        })
        .collect()
}

/// A key entry's certificate expired or expiring within `--within`.
fn nothing_expires(observed: &Observed, options: &Options) -> Vec<Finding> {
    found(observed)
        .filter_map(|(k, entry)| super::rules::expiry(&k.alias.at, entry.certificate(), options))
        .collect()
}

/// API Manager's gateway checks JWTs without a `kid` against the truststore entry of its fixed alias.
fn truststore_has_the_gateway_certificate(observed: &Observed, _: &Options) -> Vec<Finding> {
    let trust = &observed.truststore;
    let (Some(alias), Ok(opened)) = (observed.release.gateway_certificate_alias, &trust.store.opened) else {
        return Vec::new();
    };
    if opened.store.get(alias).is_some() {
        return Vec::new();
    }
    vec![Finding::problem(
        &trust.file_name.at,
        format!(
            "names {}, which has no entry {alias}: the gateway checks the key manager's JWTs with that certificate",
            trust.path
        ),
        format!(
            "import the primary key's certificate: keytool -importcert -alias {alias} -file primary.crt -keystore {}",
            trust.path
        ),
    )]
}

/// A Secure Vault node, as the server meets it at start: secret-conf.properties and its key, each secret of
/// `[secrets]`, each `$secret{alias}` and each store password in plain text. A secret that decrypts to another
/// password is the finding of the store it does not open.
fn secure_vault(observed: &Observed, _: &Options) -> Vec<Finding> {
    (observed.vault.as_ref())
        .map(|vault| super::rules::vault_findings(vault, None))
        .unwrap_or_default()
}

/// Verifies the node at `tree` of a deployment.toml product's `release` as `source` lays it out, its TLS
/// certificate against `public_names` where a ledger gives them.
pub(super) fn verify(
    tree: &Tree,
    source: Source,
    release: &'static Release,
    public_names: Option<(String, Vec<String>)>,
    options: &Options,
) -> Vec<Finding> {
    match observe(tree, source, release, &options.store_password) {
        Ok(observed) => judge(
            &Observed {
                public_names,
                ..observed
            },
            options,
        ),
        Err(finding) => vec![finding],
    }
}

/// The configuration of a server home, which must be there: without it there is nothing to judge.
pub(super) fn require_config(home: &Path) -> Result<()> {
    let path = home.join(DEPLOYMENT_TOML);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(_) => Err(Error::unreadable(&path, "is not a file")),
        Err(e) => Err(Error::io(&path, e)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::model::product::{apim, is7};
    use crate::model::settings::Choices;
    use crate::ops::init::{InitOptions, generate_keys, plan};

    const PASSWORD: &str = "platform-test-password";

    type Files = Vec<(PathBuf, Zeroizing<Vec<u8>>)>;

    /// The files of one Identity Server 7.1 set by name, made once.
    fn files() -> &'static Files {
        static FILES: OnceLock<Files> = OnceLock::new();
        FILES.get_or_init(|| make(false))
    }

    /// The files of one Identity Server 7.1 set made with Secure Vault, made once.
    fn vault_files() -> &'static Files {
        static FILES: OnceLock<Files> = OnceLock::new();
        FILES.get_or_init(|| make(true))
    }

    fn make(secure_vault: bool) -> Files {
        let choices = Choices {
            product: Some(is7::IS_7_1.id()),
            secure_vault: Some(secure_vault),
            ..Choices::default()
        };
        let options = InitOptions::new(choices.settings().unwrap(), Password::new(PASSWORD));
        let given = [(CertRole::Ca, crate::test_keys::ca())].into_iter().collect();
        let keys = generate_keys(options.settings.cluster.product(), given, 2048).unwrap();
        let outcome = plan(&options, &keys, None, None, crate::formats::issue::now()).unwrap();
        outcome
            .set
            .files()
            .iter()
            .map(|f| (PathBuf::from(f.spec.name), f.contents.clone()))
            .collect()
    }

    fn options() -> Options {
        Options {
            store_password: Password::new(PASSWORD),
            ssl_alias: "wso2carbon".into(),
            within: time::Duration::days(30),
            now: crate::formats::issue::now(),
        }
    }

    fn release(of: &'static crate::model::product::Product) -> &'static Release {
        of.platform.as_ref().unwrap().release
    }

    /// The set's files, deployment-security.toml edited by `edit`, observed as `release`.
    fn observed_with(release: &'static Release, edit: impl Fn(&str) -> String) -> Observed {
        observed_of(files(), release, edit)
    }

    /// `files`, deployment-security.toml edited by `edit`, observed as `release`.
    fn observed_of(files: &Files, release: &'static Release, edit: impl Fn(&str) -> String) -> Observed {
        let files = files
            .iter()
            .map(|(path, bytes)| match path.to_str() {
                Some(DEPLOYMENT_SECURITY_FILE) => {
                    let text = edit(std::str::from_utf8(bytes).unwrap());
                    (path.clone(), Zeroizing::new(text.into_bytes()))
                }
                _ => (path.clone(), bytes.clone()),
            })
            .collect();
        observe(&Tree::Memory(files), OUTPUT, release, &Password::new(PASSWORD)).unwrap()
    }

    fn sound() -> Observed {
        observed_with(release(&is7::IS_7_1), str::to_owned)
    }

    fn judged(rule: Rule, observed: &Observed) -> Vec<String> {
        rule(observed, &options()).iter().map(ToString::to_string).collect()
    }

    fn finds(rule: Rule, observed: &Observed, what: &str) {
        let found = judged(rule, observed);
        assert!(
            found.len() == 1 && found[0].contains(what),
            "expected one finding with {what:?}, got {found:#?}"
        );
    }

    /// The line of deployment-security.toml that `needle` starts, after `section`.
    fn line(section: &str, needle: &str) -> usize {
        let text = std::str::from_utf8(&files().iter().find(|(p, _)| p == DEPLOYMENT_SECURITY_FILE).unwrap().1)
            .unwrap()
            .to_owned();
        let start = text.find(section).unwrap();
        let at = start + text[start..].find(needle).unwrap();
        text[..at].matches('\n').count() + 1
    }

    #[test]
    fn a_sound_set_has_no_problem() {
        let problems: Vec<Finding> = judge(&sound(), &options())
            .into_iter()
            .filter(Finding::is_problem)
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn unset_values_fall_back_to_primary_then_to_the_release() {
        let observed = observed_with(release(&is7::IS_7_1), |text| {
            let tls = text.find("[keystore.tls]").unwrap();
            let next = tls + text[tls..].find("\n\n").unwrap();
            format!(
                "{}[keystore.tls]\nalias = \"wso2carbon\"{}",
                &text[..tls],
                &text[next..]
            )
        });
        let tls = observed.keystore(CertRole::Ssl).unwrap();
        assert_eq!(
            tls.store.path, "primary.p12",
            "file_name falls back to [keystore.primary]'s"
        );
        assert!(
            tls.store.file_name.at.contains("[keystore.primary] file_name"),
            "{}",
            tls.store.file_name.at
        );
        finds(
            key_entries_found,
            &observed,
            "names wso2carbon, which primary.p12 does not have",
        );
        let bare = observed_with(release(&is7::IS_7_1), |_| String::new());
        let primary = bare.keystore(CertRole::Primary).unwrap();
        assert_eq!(primary.store.path, "wso2carbon.p12");
        assert_eq!(primary.alias.value.as_str(), "wso2carbon");
        assert!(
            primary.alias.at.ends_with("(unset: Identity Server 7.1's default)"),
            "{}",
            primary.alias.at
        );
        assert_eq!(bare.truststore.path, "client-truststore.p12");
        let apim = observed_with(release(&apim::APIM_4_3), |_| String::new());
        assert_eq!(apim.truststore.path, "client-truststore.jks");
    }

    #[test]
    fn a_wrong_store_password_is_a_problem_at_its_line() {
        let observed = observed_with(release(&is7::IS_7_1), |text| {
            text.replacen(&format!("password = \"{PASSWORD}\""), "password = \"other\"", 1)
        });
        let at = format!(
            "deployment-security.toml:{} [keystore.primary] password",
            line("[keystore.primary]", "password")
        );
        let found = judged(stores_open, &observed);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with(&format!("problem: {at}: does not open primary.p12")),
            "{found:?}"
        );
    }

    #[test]
    fn a_type_that_is_not_the_files_is_a_problem_but_apim_4_4s_shipped_quirk_a_warning() {
        let typed_jks = |text: &str| text.replacen("type = \"PKCS12\"", "type = \"JKS\"", 1);
        let observed = observed_with(release(&is7::IS_7_1), typed_jks);
        let found = judge(&observed, &options());
        let typed: Vec<_> = found
            .iter()
            .filter(|f| f.location.ends_with("[keystore.primary] type"))
            .collect();
        assert_eq!(typed.len(), 1, "{found:#?}");
        assert!(typed[0].is_problem() && typed[0].what.contains("is JKS but primary.p12 is PKCS#12"));
        for (product, problem) in [
            (&apim::APIM_4_4, false),
            (&apim::APIM_4_5, false),
            (&apim::APIM_4_3, true),
        ] {
            let observed = observed_with(release(product), typed_jks);
            let finding = type_finding(&observed.keystore(CertRole::Primary).unwrap().store, release(product)).unwrap();
            assert_eq!(finding.is_problem(), problem, "{}: {finding}", product.name);
        }
    }

    #[test]
    fn a_key_password_that_opens_nothing_and_a_tls_key_password_not_the_stores_are_problems() {
        let observed = observed_with(release(&is7::IS_7_1), |text| {
            let tls = text.find("[keystore.tls]").unwrap();
            let (head, tail) = text.split_at(tls);
            format!(
                "{head}{}",
                tail.replacen(&format!("key_password = \"{PASSWORD}\""), "key_password = \"x\"", 1)
            )
        });
        finds(
            key_entries_found,
            &observed,
            "[keystore.tls] key_password: does not open the key wso2carbon in tls.p12",
        );
        finds(
            tls_key_password_is_the_store_password,
            &observed,
            "differs from the store's password",
        );
    }

    #[test]
    fn secure_vault_aliases_nothing_decrypts_are_problems_and_their_stores_unjudged() {
        let observed = observed_with(release(&is7::IS_7_1), |text| {
            text.replace(&format!("password = \"{PASSWORD}\""), "password = \"$secret{tls}\"")
        });
        let found = judge(&observed, &options());
        let problems: Vec<&Finding> = found.iter().filter(|f| f.is_problem()).collect();
        assert!(
            problems[0].to_string().contains("secret-conf.properties: is missing")
                && problems[1..].iter().all(|f| f.what.contains("is a Secure Vault alias")),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|f| f.what.starts_with("is a secure-vault alias ($secret{tls})")),
            "{found:#?}"
        );
    }

    #[test]
    fn a_secure_vault_set_is_judged_with_its_decrypted_passwords() {
        let sound = observed_of(vault_files(), release(&is7::IS_7_1), str::to_owned);
        assert_eq!(judge(&sound, &options()), Vec::<Finding>::new());
        let tls = &sound.keystore(CertRole::Ssl).unwrap().store.password;
        assert!(
            tls.at
                .ends_with("[keystore.tls] password ($secret{keystore_tls_password}, decrypted)"),
            "{}",
            tls.at
        );
        let Some((_, Ok(key))) = &sound.vault.as_ref().unwrap().key else {
            panic!("no key")
        };
        let other = key.vault_key().encrypt("other").unwrap();
        let observed = observed_of(vault_files(), release(&is7::IS_7_1), |text| {
            let at = text.find("keystore_tls_password = ").unwrap();
            let end = at + text[at..].find('\n').unwrap();
            format!("{}keystore_tls_password = \"{other}\"{}", &text[..at], &text[end..])
        });
        finds(
            stores_open,
            &observed,
            "[keystore.tls] password ($secret{keystore_tls_password}, decrypted): does not open tls.p12",
        );
    }

    #[test]
    fn a_plain_store_password_in_a_secure_vault_set_is_a_problem_at_its_line() {
        let observed = observed_of(vault_files(), release(&is7::IS_7_1), |text| {
            text.replacen("\"$secret{keystore_primary_password}\"", &format!("\"{PASSWORD}\""), 1)
        });
        finds(
            secure_vault,
            &observed,
            "deployment-security.toml:9 [keystore.primary] password: holds a store's password in plain text",
        );
    }

    #[test]
    fn an_alias_of_a_trusted_certificate_or_of_nothing_is_a_problem() {
        let mut observed = sound();
        let internal = observed
            .keystores
            .iter_mut()
            .find(|k| k.role == CertRole::Internal)
            .unwrap();
        internal.key = Some(KeyLookup::NotAKey {
            location: String::new(),
        });
        finds(
            key_entries_found,
            &observed,
            "a trusted certificate in internal.p12, not a key entry",
        );
    }

    #[test]
    fn an_internal_key_whose_certificate_may_not_encrypt_is_a_problem() {
        assert!(judged(internal_key_may_encrypt, &sound()).is_empty());
        let mut observed = sound();
        let internal = observed
            .keystores
            .iter_mut()
            .find(|k| k.role == CertRole::Internal)
            .unwrap();
        let Some(KeyLookup::Found(entry)) = &mut internal.key else {
            panic!("no internal key")
        };
        entry.chain[0].key_usage = Some(vec![KeyUsage::DigitalSignature]);
        finds(internal_key_may_encrypt, &observed, "keyUsage lacks dataEncipherment");
    }

    #[test]
    fn a_sets_tls_certificate_must_name_every_public_name_its_ledger_records_and_localhost() {
        let with = |hosts: &[&str]| Observed {
            public_names: Some((
                "iospki-ledger.json".into(),
                hosts.iter().map(|h| h.to_string()).collect(),
            )),
            ..sound()
        };
        assert!(
            judged(tls_names_every_public_name, &sound()).is_empty(),
            "no ledger, no names"
        );
        assert!(judged(tls_names_every_public_name, &with(&["is.wso2.com"])).is_empty());
        finds(
            tls_names_every_public_name,
            &with(&["is.wso2.com", "login.example.org"]),
            "subjectAltName lacks login.example.org, which iospki-ledger.json names",
        );
    }

    #[test]
    fn the_encryption_key_must_be_set_well_formed_and_not_the_published_one() {
        assert!(judged(encryption_key_is_private, &sound()).is_empty());
        let key = |value: &'static str| {
            move |text: &str| {
                let at = text.find("[encryption]").unwrap();
                format!("{}[encryption]\nkey = \"{value}\"\n", &text[..at])
            }
        };
        let published = observed_with(release(&is7::IS_7_1), key(PUBLISHED_ENCRYPTION_KEY));
        finds(encryption_key_is_private, &published, "is the published default key");
        let short = observed_with(release(&is7::IS_7_1), key("abcd"));
        finds(encryption_key_is_private, &short, "is not 32 hex digits");
        let unset = |text: &str| text[..text.find("[encryption]").unwrap()].to_owned();
        finds(
            encryption_key_is_private,
            &observed_with(release(&is7::IS_7_1), unset),
            "deployment-security.toml [encryption] key: is unset",
        );
        assert!(
            judged(
                encryption_key_is_private,
                &observed_with(release(&apim::APIM_4_3), unset)
            )
            .is_empty()
        );
    }

    #[test]
    fn a_tls_certificate_without_the_servers_hostname_is_a_problem() {
        let hostname = |host: &'static str| move |text: &str| format!("[server]\nhostname = \"{host}\"\n{text}");
        assert!(
            judged(
                tls_names_the_hostname,
                &observed_with(release(&is7::IS_7_1), hostname("localhost"))
            )
            .is_empty()
        );
        let observed = observed_with(release(&is7::IS_7_1), hostname("elsewhere.example"));
        finds(
            tls_names_the_hostname,
            &observed,
            "subjectAltName lacks elsewhere.example, which deployment-security.toml:2 [server] hostname names",
        );
    }

    /// A release like 7.1 that ships the set's own TLS certificate, or checks for a gateway certificate.
    fn release_like_7_1(shipped: &'static [&'static str], gateway: Option<&'static str>) -> &'static Release {
        Box::leak(Box::new(Release {
            shipped_fingerprints: shipped,
            gateway_certificate_alias: gateway,
            ..*release(&is7::IS_7_1)
        }))
    }

    #[test]
    fn a_shipped_key_an_expiring_one_and_a_missing_gateway_certificate_are_problems() {
        let sound = sound();
        let Some(KeyLookup::Found(tls)) = &sound.keystore(CertRole::Ssl).unwrap().key else {
            panic!()
        };
        let fingerprint: &'static str = crate::formats::certinfo::fingerprint(&tls.certificate().der).leak();
        let shipped = observed_with(
            release_like_7_1(Box::leak(Box::new([fingerprint])), None),
            str::to_owned,
        );
        finds(
            no_shipped_key,
            &shipped,
            "the key Identity Server 7.1 ships in every download",
        );
        let long = Options {
            within: time::Duration::days(365 * 30),
            ..options()
        };
        assert_eq!(nothing_expires(&sound, &long).len(), 3);
        assert!(nothing_expires(&sound, &options()).is_empty());
        let gateway = observed_with(
            release_like_7_1(&[], Some(apim::GATEWAY_CERTIFICATE_ALIAS)),
            str::to_owned,
        );
        finds(
            truststore_has_the_gateway_certificate,
            &gateway,
            "has no entry gateway_certificate_alias",
        );
    }
}
