//! Reading a source into an [`Observation`]: the stores the configuration names, opened with its passwords, the
//! key entries it names with their certificates as typed facts, the XML it holds, and for an output directory the
//! PEM and PKCS#12 files beside the stores. Nothing here judges: a file that cannot be read or parsed becomes a
//! finding, everything else is left to the rules.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::Options;
use super::tree::{ReadError, Tree};
use super::vault::{self, Layout, Vault};
use crate::error::{Error, Result, StoreError};
use crate::formats::keystore::pkcs12::Protection;
use crate::formats::keystore::{self, Entry, Opened};
use crate::formats::x509::Certificate;
use crate::io::input::Kind;
use crate::io::secret::Password;
use crate::model::ledger::Ledger;
use crate::model::product::{ConfigFile, Holds, Product, StorePurpose, Value, VaultFile, WithoutStoreName, iot};
use crate::ops::findings::Finding;
use crate::vocab::nesting::TooDeep;
use crate::vocab::roles::{ByRole, CertRole, NodeRole};
use crate::wso2::read::{self, ElementAt, JsonError, SsoSettings, StoreRef, XmlError};

/// What to do about a configuration file that cannot be used.
const XML_FIX: &str = "write it with iospki init: the server requires every element";

/// A keystore as the configuration names it, and what opening it gave.
#[derive(Debug)]
pub(super) struct Store {
    /// The file, as the user will recognise it.
    pub location: String,
    /// The type the configuration asks Java for.
    pub configured_type: String,
    /// The opened store, or why it did not open.
    pub opened: std::result::Result<Opened, OpenError>,
    /// Whether the configured password is ASCII (Java's PKCS12 keystore takes nothing else).
    pub password_ascii: bool,
    /// Whether the configured password is a published default.
    pub password_well_known: bool,
    /// Whether the set chose a protection Java 8 before 8u301 cannot read (`--p12-profile modern`).
    pub modern_by_choice: bool,
}

/// Why a store did not open.
#[derive(Debug)]
pub(super) enum OpenError {
    /// The file could not be read.
    Unreadable(String),
    /// The codec refused it.
    Store(StoreError),
}

/// A key entry as the configuration names it, with the certificates of its chain.
#[derive(Debug)]
pub(super) struct KeyEntry {
    /// The store and alias.
    pub location: String,
    /// The chain, leaf first.
    pub chain: Vec<Certificate>,
    /// The private key's public half (PKCS#1), if the key is RSA.
    pub key_public: Option<Vec<u8>>,
}

impl KeyEntry {
    /// The entry's own certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.chain[0]
    }
}

/// What looking up a key entry under the configured alias and key password found.
#[derive(Debug)]
pub(super) enum KeyLookup {
    /// The entry, recovered.
    Found(KeyEntry),
    /// No entry has the alias.
    Absent {
        /// The store and alias.
        location: String,
        /// The aliases the store has.
        aliases: Vec<String>,
    },
    /// The alias names a trusted certificate.
    NotAKey {
        /// The store and alias.
        location: String,
    },
    /// The configured key password does not open the key.
    WrongPassword {
        /// The store and alias.
        location: String,
    },
    /// The entry's certificate cannot be parsed, or it has none.
    Unparsable {
        /// The store and alias.
        location: String,
        /// Why.
        reason: String,
    },
}

/// A PEM certificate file and the key file of the same role, beside the stores of an output directory.
#[derive(Debug)]
pub(super) struct PemPair {
    /// Whose.
    pub role: CertRole,
    /// The certificate file's name.
    pub cert_file: &'static str,
    /// Its first certificate, if it holds one.
    pub cert: Loaded<Option<Certificate>>,
    /// The key file's name.
    pub key_file: &'static str,
    /// The key's public half (PKCS#1).
    pub key_public: Loaded<Vec<u8>>,
}

/// What an nginx bundle holds.
#[derive(Debug)]
pub(super) struct Nginx {
    /// The chain file.
    pub chain_file: String,
    /// Its certificates, leaf first.
    pub chain: Loaded<Vec<Certificate>>,
    /// The key file.
    pub key_file: String,
    /// The key's public half (PKCS#1).
    pub key_public: Loaded<Vec<u8>>,
}

/// What a file gave, or why it could not be read or loaded (a permission or I/O error among them), so that a
/// rule reports that and never mistakes it for a file that holds something else.
pub(super) type Loaded<T> = std::result::Result<T, String>;

/// iot_default.xml: the identity provider the key manager checks the server's JWTs with.
#[derive(Debug)]
pub(super) struct IdentityProvider {
    /// The file.
    pub location: String,
    /// `IdentityProviderName`.
    pub name: String,
    /// `Alias`.
    pub alias: String,
    /// `Certificate`, decoded as the key manager decodes it; `None` when that gives no certificate.
    pub certificate: Option<Certificate>,
}

/// A Jaggery app's SSO settings and the store they name.
#[derive(Debug)]
pub(super) struct RelyingParty {
    /// The settings file.
    pub location: String,
    /// What it says.
    pub settings: SsoSettings,
    /// The store `keyStoreName` names, opened as JKS with `keyStorePassword`; `None` when the name is empty.
    pub store: Option<Store>,
    /// The certificate under `identityAlias` in it, if there is one.
    pub certificate: Option<Certificate>,
}

/// A host name a setting of the product's files sends clients or nodes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NamedHost {
    /// The file and setting.
    pub location: String,
    /// The value as written (a URL or a host).
    pub value: String,
    /// The host it names.
    pub host: String,
}

/// sso-idp-config.xml of a home, with its service providers.
#[derive(Debug)]
pub(super) struct IdpConfig {
    /// The file.
    pub location: String,
    /// Its service providers.
    pub providers: Vec<read::ServiceProvider>,
}

/// Everything read from a source.
#[derive(Debug, Default)]
pub(super) struct Observation {
    /// What could not be read or parsed.
    pub findings: Vec<Finding>,
    /// carbon.xml's KeyStore.
    pub keystore: Option<Store>,
    /// carbon.xml's TrustStore.
    pub truststore: Option<Store>,
    /// The store certificate-config.xml names.
    pub scep_store: Option<Store>,
    /// The PKCS#12 files of an output directory.
    pub pkcs12: Vec<Store>,
    /// The key entries the configuration names: the SSL key under KeyAlias, the CA and RA under their aliases.
    pub keys: ByRole<KeyLookup>,
    /// Key passwords certificate-config.xml holds: where, which element, whether a published default.
    pub xml_key_passwords: Vec<(String, &'static str, bool)>,
    /// The hosts iot-api-config.xml sends clients to.
    pub api_hosts: Option<Vec<String>>,
    /// The hosts of the cluster, from the set's ledger.
    pub cluster_hosts: Option<Vec<String>>,
    /// The PEM files beside the stores (output directory only).
    pub pems: Vec<PemPair>,
    /// An nginx bundle's files.
    pub nginx: Option<Nginx>,
    /// nginx's configuration file, where the set or bundle has one: its name and text.
    pub nginx_conf: Option<(String, String)>,
    /// iot_default.xml, where the node has one.
    pub identity_provider: Option<IdentityProvider>,
    /// Whether this node pushes to iOS devices (a manager), so its truststore needs Apple's push roots.
    pub pushes_to_apple: bool,
    /// The SSO relying parties of a server home.
    pub relying_parties: Vec<RelyingParty>,
    /// carbon.xml's elements under `<Server>` and `<Security>`, of a server home.
    pub carbon_elements: Vec<ElementAt>,
    /// The hosts the product's files name where iospki's settings set one, of a server home.
    pub named_hosts: Vec<NamedHost>,
    /// The identity provider's service providers, of a server home of a product that is its own.
    pub idp_config: Option<IdpConfig>,
    /// Secure Vault's files and what they decrypt to, in a set made with it.
    pub vault: Option<Vault>,
}

/// Where a layout finds the server's key store, trust store and configuration files.
struct Reader<'a> {
    tree: &'a Tree,
    product: &'static Product,
    options: &'a Options,
    observation: Observation,
    /// A file iospki refuses to read at all (it nests too deep): verification stops with this error.
    refused: Option<Error>,
}

/// Observes the output directory of `iospki init` in `tree`, whose ledger is `ledger`: stores and XML by the
/// product's file names.
pub(super) fn output(tree: &Tree, ledger: Option<Ledger>, options: &Options) -> Result<Observation> {
    let product = ledger.as_ref().map_or(&iot::IOT, |l| l.settings.cluster.product());
    let mut reader = Reader::new(tree, product, options);
    let name = |purpose| product.store(purpose).map(|spec| PathBuf::from(spec.name));
    reader.server_stores(name(StorePurpose::KeyStore), name(StorePurpose::TrustStore));
    let config = |kind| product.config(kind).map(|spec| PathBuf::from(spec.name));
    reader.certificate_config(config(ConfigFile::CertificateConfig), true);
    reader.iot_api_config(config(ConfigFile::IotApiConfig));
    reader.identity_provider(config(ConfigFile::IdentityProvider));
    reader.nginx_conf(config(ConfigFile::Nginx));
    // The IoT Server's manager pushes to Apple's devices; it is the product with an iot-api-config.xml.
    reader.observation.pushes_to_apple = product.config(ConfigFile::IotApiConfig).is_some();
    let settings_files = (product.files.iter())
        .filter(|spec| matches!(spec.holds, Holds::Config(ConfigFile::Settings(_))))
        .map(|spec| PathBuf::from(spec.name))
        .collect();
    let files = VaultFiles {
        conf: config(ConfigFile::Vault(VaultFile::SecretConf)),
        cipher_text: config(ConfigFile::Vault(VaultFile::CipherText)),
        settings: settings_files,
        configs: Vec::new(),
    };
    let expected = ledger.as_ref().is_some_and(|l| l.settings.secure_vault);
    reader.vault(Layout::Flat, files, expected);
    let ledger_protection = ledger.as_ref().map(|l| l.settings.protection);
    reader.observation.cluster_hosts =
        ledger.map(|l| l.settings.cluster.role_hosts().iter().map(|h| h.to_string()).collect());
    let modern = ledger_protection == Some(Protection::Modern);
    reader.output_files(modern);
    reader.finish()
}

/// Observes a server home of `product`: carbon.xml names the stores and passwords; the other files are where the
/// product keeps them.
pub(super) fn home(home: &Path, product: &'static Product, options: &Options) -> Result<Observation> {
    let tree = Tree::dir(home).map_err(|e| Error::io(home, e))?;
    let carbon_xml = home.join("repository/conf/carbon.xml");
    let text = tree
        .read(&carbon_xml, Kind::Text)
        .map_err(|e| Error::unreadable(&carbon_xml, e.to_string()))?;
    let text = std::str::from_utf8(&text).map_err(|_| Error::unreadable(&carbon_xml, "is not UTF-8"))?;
    let carbon = read::carbon(text).map_err(|e| Error::unreadable(&carbon_xml, e.to_string()))?;
    let mut reader = Reader::new(&tree, product, options);
    let config = |kind| {
        product
            .config(kind)
            .and_then(|spec| spec.placements.first())
            .map(|p| home.join(p.path))
    };
    let files = VaultFiles {
        conf: config(ConfigFile::Vault(VaultFile::SecretConf)),
        cipher_text: config(ConfigFile::Vault(VaultFile::CipherText)),
        settings: Vec::new(),
        configs: vec![carbon_xml.clone()],
    };
    reader.vault(Layout::Placed, files, false);
    let mut stores = carbon.stores.clone();
    if let Some(vault) = &reader.observation.vault {
        resolve_carbon_passwords(&mut stores, vault);
    }
    reader.observe_keystore(&stores.keystore, &stores.key_alias, &stores.key_password);
    reader.observation.truststore = Some(reader.open(&stores.truststore));
    reader.certificate_config(config(ConfigFile::CertificateConfig), false);
    reader.iot_api_config(config(ConfigFile::IotApiConfig));
    reader.identity_provider(config(ConfigFile::IdentityProvider));
    reader.observation.pushes_to_apple = reader.observation.api_hosts.is_some();
    reader.relying_parties(&stores.keystore);
    reader.named_hosts();
    reader.idp_config();
    reader.observation.carbon_elements = carbon.elements;
    reader.finish()
}

/// carbon.xml's passwords as the server reads them: an element whose alias the home names (ServerConfiguration
/// resolves `Carbon.` + its path) is the password its secret decrypts to.
fn resolve_carbon_passwords(stores: &mut read::CarbonStores, vault: &Vault) {
    for (alias, password) in [
        ("Carbon.Security.KeyStore.Password", &mut stores.keystore.password),
        ("Carbon.Security.KeyStore.KeyPassword", &mut stores.key_password),
        ("Carbon.Security.TrustStore.Password", &mut stores.truststore.password),
    ] {
        let named = vault.references.iter().any(|r| r.name == alias);
        if let Some(decrypted) = vault.decrypted(alias).filter(|_| named) {
            *password = decrypted.clone();
        }
    }
}

/// Observes one node's files from a bundle of `product`, as the node of `role` will use them.
pub(super) fn node(tree: &Tree, product: &'static Product, role: NodeRole, options: &Options) -> Result<Observation> {
    let mut reader = Reader::new(tree, product, options);
    if role == NodeRole::Nginx {
        reader.nginx();
        let conf = product.config(ConfigFile::Nginx).and_then(|s| s.placement(role));
        reader.nginx_conf(conf.map(|p| PathBuf::from(p.path)));
        return reader.finish();
    }
    let placed = |spec: Option<&'static crate::model::product::FileSpec>| {
        spec.and_then(|s| s.placement(role)).map(|p| PathBuf::from(p.path))
    };
    reader.server_stores(
        placed(product.store(StorePurpose::KeyStore)),
        placed(product.store(StorePurpose::TrustStore)),
    );
    reader.certificate_config(placed(product.config(ConfigFile::CertificateConfig)), false);
    reader.iot_api_config(placed(product.config(ConfigFile::IotApiConfig)));
    reader.identity_provider(placed(product.config(ConfigFile::IdentityProvider)));
    reader.observation.pushes_to_apple = role == NodeRole::Manager;
    let files = VaultFiles {
        conf: placed(product.config(ConfigFile::Vault(VaultFile::SecretConf))),
        cipher_text: placed(product.config(ConfigFile::Vault(VaultFile::CipherText))),
        settings: placed(product.config(ConfigFile::Settings(role))).into_iter().collect(),
        configs: Vec::new(),
    };
    reader.vault(Layout::Placed, files, false);
    reader.finish()
}

/// Where a source keeps Secure Vault's files and the settings that name its aliases.
struct VaultFiles {
    /// secret-conf.properties, where the product has one for the node.
    conf: Option<PathBuf>,
    /// cipher-text.properties, where secret-conf.properties does not say.
    cipher_text: Option<PathBuf>,
    /// The SETTINGS.txt files.
    settings: Vec<PathBuf>,
    /// The server's own files that name aliases (a home's carbon.xml).
    configs: Vec<PathBuf>,
}

impl<'a> Reader<'a> {
    /// Secure Vault's files, where the source has them or `expected` (its ledger says it was made with Secure
    /// Vault): secret-conf.properties, the key it names, each secret decrypted, the aliases the settings name and
    /// the passwords they hold in plain text.
    fn vault(&mut self, layout: Layout, files: VaultFiles, expected: bool) {
        let Some(conf) = files.conf else { return };
        let mut found = vault::read_conf(self.tree, layout, &conf, &self.options.store_password);
        let cipher_text = match &found.conf {
            Ok(conf) => vault::located(self.tree, layout, &conf.cipher_text),
            Err(_) => self.tree_path(&files.cipher_text.unwrap_or_default()),
        };
        found.secrets_file = self.tree.shown(&cipher_text);
        let key = found.key.as_ref().and_then(|(_, key)| key.as_ref().ok());
        let secrets = vault::cipher_text(self.tree, &cipher_text);
        let present = secrets.is_ok() || found.conf.as_ref().err().is_none_or(|e| e != "is missing");
        match secrets {
            Ok(entries) => found.secrets = vault::decrypt_all(key, entries),
            Err(reason) if present || expected => self.problem(
                &found.secrets_file,
                reason,
                "write the set again with iospki init --secure-vault",
            ),
            Err(_) => {}
        }
        let settings = files.settings.into_iter().map(|path| (path, true));
        for (path, is_settings) in settings.chain(files.configs.into_iter().map(|path| (path, false))) {
            let path = self.tree_path(&path);
            let Ok(text) = vault::read_text(self.tree, &path) else {
                continue;
            };
            let shown = self.tree.shown(&path);
            found.references.extend(vault::references(&shown, &text));
            if is_settings {
                let password = &self.options.store_password;
                found
                    .plain
                    .extend(vault::plain_in_settings(&shown, &text, self.product, password));
            }
        }
        if present || expected || !found.references.is_empty() {
            self.observation.vault = Some(found);
        }
    }

    fn new(tree: &'a Tree, product: &'static Product, options: &'a Options) -> Self {
        Reader {
            tree,
            product,
            options,
            observation: Observation::default(),
            refused: None,
        }
    }

    fn finish(self) -> Result<Observation> {
        self.refused.map_or(Ok(self.observation), Err)
    }

    /// Stops verification at the first file that nests too deep: what it holds is unknown, so no verdict is.
    fn refuse(&mut self, location: String, too_deep: TooDeep) {
        self.refused
            .get_or_insert_with(|| Error::unreadable(location, too_deep.to_string()));
    }

    fn problem(&mut self, location: impl Into<String>, what: impl Into<String>, fix: &str) {
        self.observation.findings.push(Finding::problem(location, what, fix));
    }

    /// The key and trust stores iospki writes, as JKS opened with the options' password and alias.
    fn server_stores(&mut self, keystore: Option<PathBuf>, truststore: Option<PathBuf>) {
        let jks = |path: PathBuf| StoreRef {
            location: path.display().to_string(),
            store_type: "JKS".into(),
            password: self.options.store_password.clone(),
        };
        if let Some(path) = keystore {
            let store = jks(path);
            let password = self.options.store_password.clone();
            self.observe_keystore(&store, &self.options.ssl_alias.clone(), &password);
        }
        if let Some(path) = truststore {
            let store = jks(path);
            self.observation.truststore = Some(self.open(&store));
        }
    }

    /// carbon.xml's key store and the SSL key entry under `alias`.
    fn observe_keystore(&mut self, store: &StoreRef, alias: &str, key_password: &Password) {
        let opened = self.open(store);
        if let Ok(store_opened) = &opened.opened {
            let lookup = lookup(store_opened, &opened.location, alias, key_password);
            self.observation.keys.insert(CertRole::Ssl, lookup);
        }
        self.observation.keystore = Some(opened);
    }

    fn path(&self, store: &StoreRef) -> PathBuf {
        self.tree.resolve(&store.location)
    }

    /// Opens a store the way the server does: its type, its password.
    fn open(&mut self, store: &StoreRef) -> Store {
        let path = self.path(store);
        let location = self.tree.shown(&path);
        let opened = match self.tree.read(&path, Kind::Data) {
            Ok(data) => keystore::open(&data, Some(&store.password)).map_err(OpenError::Store),
            Err(e) => Err(OpenError::Unreadable(read_reason(&e))),
        };
        Store {
            location,
            configured_type: store.store_type.clone(),
            opened,
            password_ascii: store.password.secret_str().is_ascii(),
            password_well_known: store.password.is_well_known(),
            modern_by_choice: false,
        }
    }

    /// certificate-config.xml, the store it names and the CA and RA entries in it. In an output directory the
    /// store sits beside the XML (`beside`); elsewhere it is where the XML says, inside the tree.
    fn certificate_config(&mut self, path: Option<PathBuf>, beside: bool) {
        let Some((path, config)) = self.xml(path, read::certificate_config) else {
            return;
        };
        let mut store_ref = config.store.clone();
        if beside {
            let name = Path::new(&store_ref.location).file_name().unwrap_or_default();
            store_ref.location = name.to_string_lossy().into_owned();
        }
        let store = self.open(&store_ref);
        if let Ok(opened) = &store.opened {
            let location = self.tree.shown(&self.path(&store_ref));
            for (role, alias, password) in [
                (CertRole::Ca, &config.ca_alias, &config.ca_key_password),
                (CertRole::Ra, &config.ra_alias, &config.ra_key_password),
            ] {
                self.observation
                    .keys
                    .insert(role, lookup(opened, &location, alias, password));
            }
        }
        self.observation.scep_store = Some(store);
        let shown = self.tree.shown(&self.tree_path(&path));
        for (password, element) in [
            (&config.ca_key_password, "CAPrivateKeyPassword"),
            (&config.ra_key_password, "RAPrivateKeyPassword"),
        ] {
            self.observation
                .xml_key_passwords
                .push((shown.clone(), element, password.is_well_known()));
        }
    }

    /// iot-api-config.xml: the hosts its endpoints send clients to.
    fn iot_api_config(&mut self, path: Option<PathBuf>) {
        let Some((_, config)) = self.xml(path, read::iot_api_config) else {
            return;
        };
        let endpoints = [
            &config.verification_endpoint,
            &config.dcr_endpoint,
            &config.token_endpoint,
        ];
        self.observation.api_hosts = Some(endpoints.into_iter().filter_map(|url| read::url_host(url)).collect());
    }

    /// iot_default.xml, its certificate decoded as the key manager does.
    fn identity_provider(&mut self, path: Option<PathBuf>) {
        let Some((path, provider)) = self.xml(path, read::identity_provider) else {
            return;
        };
        self.observation.identity_provider = Some(IdentityProvider {
            location: self.tree.shown(&self.tree_path(&path)),
            name: provider.name,
            alias: provider.alias,
            certificate: provider.certificate.and_then(|der| Certificate::parse(&der).ok()),
        });
    }

    /// The SSO settings of each relying party the home has, the store each names and the certificate there.
    fn relying_parties(&mut self, carbon_store: &StoreRef) {
        for party in self.product.relying_parties {
            let path = self.tree_path(Path::new(party.path));
            let location = self.tree.shown(&path);
            let text = match self.tree.read(&path, Kind::Text) {
                Ok(text) => text,
                Err(e) if e.is_absent() => continue,
                Err(e) => {
                    self.problem(location, read_reason(&e), "fix the file's permissions or type");
                    continue;
                }
            };
            let settings = match std::str::from_utf8(&text).map(read::sso_settings) {
                Ok(Ok(settings)) => settings,
                Ok(Err(JsonError::TooDeep(too_deep))) => {
                    self.refuse(location, too_deep);
                    continue;
                }
                Ok(Err(e)) => {
                    self.problem(location, e.to_string(), "restore the app's shipped settings file");
                    continue;
                }
                Err(_) => {
                    self.problem(location, "is not UTF-8 text", "restore the app's shipped settings file");
                    continue;
                }
            };
            let fallback = (party.without_store_name == WithoutStoreName::UsesCarbonKeyStore).then_some(carbon_store);
            let party = self.relying_party(location, settings, fallback);
            self.observation.relying_parties.push(party);
        }
    }

    /// Every host the home's files give where the product's settings set one (carbon.xml's HostName, the SSO
    /// URLs, proxyHost): values with placeholders the server fills in are left out. sso-idp-config.xml is left
    /// to the ACS check: it lists service providers of other applications too, on their own hosts.
    fn named_hosts(&mut self) {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        let snippets = self
            .product
            .snippets
            .iter()
            .filter(|s| Some(s.file) != self.product.sso_idp_config);
        for snippet in snippets {
            for setting in snippet.settings {
                let is_url = match setting.value {
                    Value::Url(..) => true,
                    Value::Host(_) | Value::OwnHost => false,
                    _ => continue,
                };
                if seen.contains(&(snippet.file, setting.name)) {
                    continue;
                }
                seen.push((snippet.file, setting.name));
                let path = self.tree_path(Path::new(snippet.file));
                let Ok(text) = self.tree.read(&path, Kind::Text) else {
                    continue;
                };
                let text = String::from_utf8_lossy(&text);
                let values = match read::setting_values(&text, snippet.syntax, setting.name) {
                    Ok(values) => values,
                    Err(too_deep) => {
                        self.refuse(self.tree.shown(&path), too_deep);
                        continue;
                    }
                };
                let location = format!("{} {}", self.tree.shown(&path), setting.name);
                for value in values {
                    if value.is_empty() || value.contains(['$', '%']) {
                        continue;
                    }
                    let host = if is_url {
                        read::url_host(&value)
                    } else {
                        Some(value.clone())
                    };
                    let host = host.unwrap_or_else(|| value.clone());
                    let named = NamedHost {
                        location: location.clone(),
                        value,
                        host,
                    };
                    self.observation.named_hosts.push(named);
                }
            }
        }
    }

    /// sso-idp-config.xml, where the product is its own identity provider.
    fn idp_config(&mut self) {
        let Some(file) = self.product.sso_idp_config else {
            return;
        };
        let path = self.tree_path(Path::new(file));
        match self.tree.read(&path, Kind::Text) {
            Err(e) if e.is_absent() => {}
            _ => {
                let Some((path, providers)) = self.xml(Some(path), read::sso_idp_config) else {
                    return;
                };
                let location = self.tree.shown(&path);
                self.observation.idp_config = Some(IdpConfig { location, providers });
            }
        }
    }

    /// What the app finds: the JKS at `carbon.home + keyStoreName`, and the certificate under `identityAlias`;
    /// without a keyStoreName, carbon.xml's KeyStore where the app falls back to it.
    fn relying_party(&mut self, location: String, settings: SsoSettings, fallback: Option<&StoreRef>) -> RelyingParty {
        let store_ref = match fallback {
            _ if !settings.key_store_name.is_empty() => StoreRef {
                location: format!("${{carbon.home}}{}", settings.key_store_name),
                store_type: "JKS".into(),
                password: settings.key_store_password.clone(),
            },
            Some(carbon_store) => carbon_store.clone(),
            None => {
                return RelyingParty {
                    location,
                    settings,
                    store: None,
                    certificate: None,
                };
            }
        };
        let store = self.open(&store_ref);
        let certificate = store.opened.as_ref().ok().and_then(|opened| {
            let entry = opened.store.get(&settings.identity_alias)?;
            Certificate::parse(entry.entry.certificate()?).ok()
        });
        RelyingParty {
            location,
            settings,
            store: Some(store),
            certificate,
        }
    }

    /// The XML file at `path` as `parse` reads it, or a finding.
    fn xml<T>(&mut self, path: Option<PathBuf>, parse: fn(&str) -> Result<T, XmlError>) -> Option<(PathBuf, T)> {
        let path = path?;
        let text = self.text(&path)?;
        match parse(&text) {
            Ok(parsed) => Some((path, parsed)),
            Err(e) => {
                let location = self.tree.shown(&self.tree_path(&path));
                match e {
                    XmlError::TooDeep(too_deep) => self.refuse(location, too_deep),
                    e => self.problem(location, e.to_string(), XML_FIX),
                }
                None
            }
        }
    }

    /// A path of the tree: relative paths are under its root.
    fn tree_path(&self, path: &Path) -> PathBuf {
        match self.tree.root() {
            Some(root) if path.is_relative() => root.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// The text of an XML file, or a finding.
    fn text(&mut self, path: &Path) -> Option<Zeroizing<String>> {
        let full = self.tree_path(path);
        let location = self.tree.shown(&full);
        let fix = XML_FIX;
        match self.tree.read(&full, Kind::Text) {
            Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
                Ok(text) => Some(Zeroizing::new(text)),
                Err(_) => {
                    self.problem(location, "is not UTF-8 text", fix);
                    None
                }
            },
            Err(e) => {
                self.problem(location, read_reason(&e), fix);
                None
            }
        }
    }

    /// The PEM and PKCS#12 files of an output directory; `modern`: the set chose the modern PKCS#12 profile.
    fn output_files(&mut self, modern: bool) {
        for spec in self.product.certificates {
            let role = spec.role;
            let cert_file = self
                .product
                .file_holding(|h| matches!(h, Holds::Certificate(r) if *r == role));
            let key_file = self
                .product
                .file_holding(|h| matches!(h, Holds::PrivateKey(r) if *r == role));
            let (Some(cert_file), Some(key_file)) = (cert_file, key_file) else {
                continue;
            };
            let cert = self
                .pem_certificates(Path::new(cert_file.name))
                .map(|certs| certs.into_iter().next());
            let key_public = self.key_public(Path::new(key_file.name));
            self.observation.pems.push(PemPair {
                role,
                cert_file: cert_file.name,
                cert,
                key_file: key_file.name,
                key_public,
            });
        }
        let password = self.options.store_password.clone();
        for spec in self
            .product
            .files
            .iter()
            .filter(|f| matches!(f.holds, Holds::Pkcs12(_)))
        {
            let store = StoreRef {
                location: spec.name.into(),
                store_type: "PKCS12".into(),
                password: password.clone(),
            };
            let opened = Store {
                modern_by_choice: modern,
                ..self.open(&store)
            };
            self.observation.pkcs12.push(opened);
        }
    }

    /// nginx's chain and key, where the product places them.
    fn nginx(&mut self) {
        let placed = |pick: fn(&Holds) -> bool| {
            self.product
                .files_of(NodeRole::Nginx, false)
                .find(|(spec, _)| pick(&spec.holds))
                .map(|(_, p)| p.path.to_owned())
        };
        let (Some(chain_file), Some(key_file)) = (
            placed(|h| matches!(h, Holds::Chain(_))),
            placed(|h| matches!(h, Holds::PrivateKey(_))),
        ) else {
            return;
        };
        let chain = self.pem_certificates(Path::new(&chain_file));
        let key_public = self.key_public(Path::new(&key_file));
        self.observation.nginx = Some(Nginx {
            chain_file,
            chain,
            key_file,
            key_public,
        });
    }

    /// The text of nginx's configuration at `path`, when it can be read (its absence is another rule's finding).
    fn nginx_conf(&mut self, path: Option<PathBuf>) {
        let Some(path) = path else { return };
        let full = self.tree_path(&path);
        if let Ok(bytes) = self.tree.read(&full, Kind::Text) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            self.observation.nginx_conf = Some((self.tree.shown(&full), text));
        }
    }

    /// The certificates of a PEM file, in order.
    fn pem_certificates(&self, path: &Path) -> Loaded<Vec<Certificate>> {
        let bytes = self
            .tree
            .read(&self.tree_path(path), Kind::Data)
            .map_err(|e| read_reason(&e))?;
        let blocks = pem::parse_many(&bytes[..]).map_err(|e| format!("is not PEM: {e}"))?;
        Ok(blocks
            .iter()
            .filter_map(|block| Certificate::parse(block.contents()).ok())
            .collect())
    }

    /// The public half of the private key at `path`.
    fn key_public(&self, path: &Path) -> Loaded<Vec<u8>> {
        let full = self.tree_path(path);
        let bytes = self.tree.read(&full, Kind::Key).map_err(|e| read_reason(&e))?;
        let key = crate::formats::key::load_bytes(&full, &bytes, || Err(Error::key(&full, "is encrypted")))
            .map_err(|e| format!("does not load as a private key: {e}"))?;
        Ok(key.public_key_der().to_vec())
    }
}

/// Why a file could not be read, as a finding says it.
fn read_reason(error: &ReadError) -> String {
    format!("cannot be read: {error}")
}

/// The key entry `alias` of `store`, recovered with `password`, with its chain parsed.
pub(super) fn lookup(store: &Opened, path: &str, alias: &str, password: &Password) -> KeyLookup {
    let location = format!("{path} alias {alias}");
    let Some(item) = store.store.get(alias) else {
        let aliases = store.store.entries().iter().map(|e| e.alias.clone()).collect();
        return KeyLookup::Absent { location, aliases };
    };
    let Entry::PrivateKey { key, chain } = &item.entry else {
        return KeyLookup::NotAKey { location };
    };
    let Ok(pkcs8) = key.secret_pkcs8(alias, password) else {
        return KeyLookup::WrongPassword { location };
    };
    let chain: std::result::Result<Vec<Certificate>, _> = chain.iter().map(|der| Certificate::parse(der)).collect();
    match chain {
        Ok(chain) if !chain.is_empty() => KeyLookup::Found(KeyEntry {
            location,
            chain,
            key_public: crate::formats::crypto::public_key_of_pkcs8(&pkcs8),
        }),
        Ok(_) => KeyLookup::Unparsable {
            location,
            reason: "the key entry has no certificate".into(),
        },
        Err(e) => KeyLookup::Unparsable {
            location,
            reason: e.to_string(),
        },
    }
}
