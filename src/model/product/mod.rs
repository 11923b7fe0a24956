//! Products: what the PKI set of each WSO2 product's cluster is, as data.
//! It may import `formats`, `io`, `vocab`, `error` and the rest of `model`; never `wso2` or `ops`.
//!
//! A [`Product`] declares its node roles, the host names its certificate must carry, the certificates it issues
//! (with their profiles), and every file of its set: what the file holds, its mode, and where each node role keeps
//! it under its server home. `init`, `rotate`, `bundle`, `verify` and `merge` read these declarations instead of
//! naming files of their own, so a new product is one more declaration beside [`iot::IOT`].

pub mod apim;
pub mod appm;
mod carbon;
pub mod es;
pub mod iot;
pub mod is;
pub mod is7;
mod platform;

pub use crate::formats::keystore::Format as StoreFormat;
use crate::formats::profile::Profile;
use crate::vocab::roles::{CertRole, HostGroupId, NodeRole};
pub use platform::{DEPLOYMENT_SECURITY_FILE, DEPLOYMENT_TOML};

/// The ledger's file name inside a set's directory, a file of every product's set.
pub const LEDGER_FILE: &str = "iospki-ledger.json";

/// A group of host names of the cluster: what it defaults to, and (where each of its hosts is a machine of its
/// own) the node role of those machines.
#[derive(Debug)]
pub struct HostGroup {
    /// Which group.
    pub id: HostGroupId,
    /// The default host: the domain with this prefix (`""` for the domain itself); `None` for a group that has
    /// no hosts unless the description gives some.
    pub default_prefix: Option<&'static str>,
    /// The role of the machines named by these hosts, where each host is a machine (IoT); `None` when the
    /// names are the load balancer's.
    pub nodes: Option<NodeRole>,
    /// The roles of the nodes nginx sends this group's names to (products whose nodes are not their names).
    pub served_by: &'static [NodeRole],
}

/// The machines of one role, for products whose machines are not their public names.
#[derive(Debug)]
pub struct NodeGroup {
    /// Their role.
    pub role: NodeRole,
    /// Their default names.
    pub default_nodes: &'static [&'static str],
}

/// How a certificate's common name is made from the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommonName {
    /// `*.DOMAIN`.
    WildcardDomain,
    /// `DOMAIN`.
    Domain,
    /// The SSL common name setting (the domain by default).
    SslCommonName,
    /// The first host of the product's first host group.
    FirstHost,
}

/// The cluster CA every product declares: self-signed, `*.DOMAIN`, with the CA profile.
pub(super) const CLUSTER_CA: CertificateSpec = CertificateSpec {
    role: CertRole::Ca,
    profile: &crate::formats::profile::CA,
    issuer: None,
    common_name: CommonName::WildcardDomain,
};

/// One certificate a product issues.
#[derive(Debug)]
pub struct CertificateSpec {
    /// Its role.
    pub role: CertRole,
    /// Its extensions, default validity and serial.
    pub profile: &'static Profile,
    /// The certificate that issues it; `None` for a self-signed one.
    pub issuer: Option<CertRole>,
    /// Its common name.
    pub common_name: CommonName,
}

/// A keystore alias as a product declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AliasSpec {
    /// A fixed alias, e.g. `cacert`.
    Fixed(&'static str),
    /// The SSL alias setting (carbon.xml's KeyAlias).
    Ssl,
}

impl AliasSpec {
    /// The alias, with `ssl_alias` for [`AliasSpec::Ssl`].
    pub fn resolve(self, ssl_alias: &str) -> &str {
        match self {
            AliasSpec::Fixed(alias) => alias,
            AliasSpec::Ssl => ssl_alias,
        }
    }
}

/// One entry of a keystore a product writes.
#[derive(Debug, Clone, Copy)]
pub enum EntrySpec {
    /// A key entry: the key of `key`, with the certificates of `chain` (leaf first).
    Key {
        /// Its alias.
        alias: AliasSpec,
        /// Whose key.
        key: CertRole,
        /// The chain, leaf first.
        chain: &'static [CertRole],
    },
    /// A trusted certificate entry.
    Trusted {
        /// Its alias.
        alias: AliasSpec,
        /// Whose certificate.
        certificate: CertRole,
    },
    /// The CAs a CA rotation is replacing, trusted until every node runs the new set (`cacert-<old serial>`).
    EarlierCas,
    /// The public root CAs of Mozilla's root program, for the server's outbound TLS (Apple's push service among
    /// them), when the settings ask for them.
    PublicRoots,
    /// Secure Vault's AES key under [`VAULT_KEY_ALIAS`], beside the key that decrypts, when the settings ask for
    /// the symmetric cipher.
    VaultKey,
}

/// The alias of Secure Vault's AES key in a set made with the symmetric cipher.
pub const VAULT_KEY_ALIAS: &str = "securevault";

/// What a Java keystore is for, as the server's configuration names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorePurpose {
    /// carbon.xml `Security/KeyStore`: the server's own key under KeyAlias.
    KeyStore,
    /// carbon.xml `Security/TrustStore`: certificates only.
    TrustStore,
    /// certificate-config.xml: the SCEP CA and RA keys.
    Scep,
}

/// The WSO2 configuration files iospki writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFile {
    /// certificate-config.xml: the SCEP store, its type, passwords and aliases.
    CertificateConfig,
    /// iot-api-config.xml: the manager's endpoints.
    IotApiConfig,
    /// iot_default.xml: the identity provider whose certificate the key manager checks the server's JWTs with.
    IdentityProvider,
    /// The settings a node role sets in its product's own files (host names, SSO), as snippets to paste.
    Settings(NodeRole),
    /// nginx's server blocks for every public name, with the chain and key.
    Nginx,
    /// deployment-security.toml: the `[keystore.*]`, `[truststore]` and `[encryption]` sections of a
    /// deployment.toml product.
    DeploymentSecurity,
    /// One of Secure Vault's files, in a set made with `--secure-vault`.
    Vault(VaultFile),
}

/// Secure Vault's files, as WSO2's cipher tool leaves them under a node's `repository/conf/security/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaultFile {
    /// secret-conf.properties: the keystore and alias whose key decrypts, and where the secrets are.
    SecretConf,
    /// cipher-text.properties: each alias with its encrypted password.
    CipherText,
}

/// Where Secure Vault finds a password of a product's file: the alias its loader resolves through a
/// SecretResolver, and the element or attribute, as cipher-tool.properties names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretAlias {
    /// The alias, e.g. `Carbon.Security.KeyStore.Password`.
    pub alias: &'static str,
    /// The XPath of the element or attribute under the file's root, e.g. `//Server/Security/KeyStore/Password`.
    pub xpath: &'static str,
}

/// What a file of a set holds.
#[derive(Debug, Clone, Copy)]
pub enum Holds {
    /// A certificate, PEM.
    Certificate(CertRole),
    /// A private key, PKCS#8 PEM.
    PrivateKey(CertRole),
    /// Certificates, PEM, one after another (nginx's `ssl_certificate`: the leaf, then its CA).
    Chain(&'static [CertRole]),
    /// A PKCS#12 file with these entries, for tools other than the server (its protection is the settings').
    Pkcs12(&'static [EntrySpec]),
    /// A keystore the server's configuration names, in this format, with these entries.
    Store(StoreFormat, StorePurpose, &'static [EntrySpec]),
    /// A WSO2 configuration file.
    Config(ConfigFile),
    /// The set's ledger: its settings and every certificate issued for it.
    Ledger,
}

/// The node roles a placement is for.
#[derive(Debug, Clone, Copy)]
pub enum Roles {
    /// Every server node of the product (all but nginx).
    Servers,
    /// These roles.
    Only(&'static [NodeRole]),
}

impl Roles {
    /// Whether `role` is one of them.
    pub fn contains(self, role: NodeRole) -> bool {
        match self {
            Roles::Servers => role != NodeRole::Nginx,
            Roles::Only(roles) => roles.contains(&role),
        }
    }
}

/// Where a node role keeps a file, under its server home (or nginx's directory).
#[derive(Debug)]
pub struct Placement {
    /// The roles that get the file there.
    pub roles: Roles,
    /// The path under the server home.
    pub path: &'static str,
    /// What the node's configuration calls it, for INSTALL.txt.
    pub purpose: &'static str,
}

/// One file of a set.
#[derive(Debug)]
pub struct FileSpec {
    /// Its name in the output directory (and its key in a Kubernetes Secret).
    pub name: &'static str,
    /// What it holds.
    pub holds: Holds,
    /// Whether it holds a key or a password: mode 0600, else 0644.
    pub secret: bool,
    /// Whether `init` writes it to the output directory; files only nodes get (nginx's chain) are made when bundled.
    pub in_output: bool,
    /// What it is, as the file listing says.
    pub description: &'static str,
    /// Where nodes keep it.
    pub placements: &'static [Placement],
}

impl FileSpec {
    /// The mode the file is written with.
    pub fn mode(&self) -> u32 {
        if self.secret {
            crate::io::output::SECRET_MODE
        } else {
            crate::io::output::PUBLIC_MODE
        }
    }

    /// Whether a set made with Secure Vault on or off (`secure_vault`) holds it.
    pub fn in_set(&self, secure_vault: bool) -> bool {
        secure_vault || !matches!(self.holds, Holds::Config(ConfigFile::Vault(_)))
    }

    /// Where `role` keeps this file, if it gets it.
    pub fn placement(&self, role: NodeRole) -> Option<&'static Placement> {
        self.placements.iter().find(|p| p.roles.contains(role))
    }
}

/// A Jaggery app that checks SAML responses with a certificate its JSON settings name (keyStoreName,
/// keyStorePassword, identityAlias): the identity provider's signing certificate must be there.
#[derive(Debug)]
pub struct RelyingParty {
    /// The app, e.g. `store`.
    pub app: &'static str,
    /// Its settings file under the server home.
    pub path: &'static str,
    /// Where it finds its keystore when `keyStoreName` is empty.
    pub without_store_name: WithoutStoreName,
}

/// What a relying party does when its settings name no keystore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithoutStoreName {
    /// It cannot check the signature (IoT Server's apps, App Manager's): a problem while signing is on.
    Fails,
    /// It opens carbon.xml's KeyStore (Enterprise Store 2.1's acs.jag).
    UsesCarbonKeyStore,
}

/// A value a settings snippet gives, made from the cluster.
#[derive(Debug, Clone, Copy)]
pub enum Value {
    /// This text.
    Text(&'static str),
    /// The first host of a group.
    Host(HostGroupId),
    /// The node's own public name: the first host of the first group of its role's machines (IoT), or that nginx
    /// sends to its role.
    OwnHost,
    /// `https://` + the first host of a group + this path.
    Url(HostGroupId, &'static str),
    /// The stores' password, with the Secure Vault alias the file's loader resolves; `None` where the file is not
    /// read through a SecretResolver and keeps the password.
    StorePassword(Option<SecretAlias>),
    /// The SSL key's alias (carbon.xml's KeyAlias).
    SslAlias,
    /// This number.
    Integer(i64),
}

/// How a snippet writes its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// XML elements: `<Name>value</Name>`.
    Elements,
    /// XML attributes: `name="value"`.
    Attributes,
    /// JSON members: `"name": "value",`.
    Json,
    /// Java properties: `name=value`.
    Properties,
    /// TOML keys: `name = "value"`.
    Toml,
}

/// One setting: a name and its value.
#[derive(Debug)]
pub struct Setting {
    /// The element, attribute, member or property.
    pub name: &'static str,
    /// Its value.
    pub value: Value,
}

/// The settings a node role sets in one of its product's files: exactly these, the rest of the file as shipped.
#[derive(Debug)]
pub struct Snippet {
    /// The roles that set them.
    pub roles: Roles,
    /// The file, under the server home.
    pub file: &'static str,
    /// Where in the file.
    pub place: &'static str,
    /// How they are written.
    pub syntax: Syntax,
    /// The settings.
    pub settings: &'static [Setting],
}

/// A product iospki knows, as `--product` and the description's `product` name it: a handle on its
/// declaration, compared, hashed, printed and serialized by its key.
#[derive(Clone, Copy)]
pub struct ProductId(&'static Product);

impl ProductId {
    /// Every declaration, each release, store layout and store type of a deployment.toml product one of its own,
    /// in the order `--product` lists their keys; the first is the default, and the first of a key is what the
    /// key names without a version. A new product is its declaration file and its line here; a new release, its
    /// line in its product's `platform_releases!`.
    pub fn all() -> &'static [ProductId] {
        static ALL: std::sync::OnceLock<Vec<ProductId>> = std::sync::OnceLock::new();
        ALL.get_or_init(|| {
            let lines = [
                &[&iot::IOT, &is::IS, &es::ES, &appm::APPM][..],
                is7::RELEASES,
                apim::RELEASES,
            ];
            lines.into_iter().flatten().map(|product| ProductId(product)).collect()
        })
    }

    /// Its declaration.
    pub fn product(self) -> &'static Product {
        self.0
    }

    /// Its key: `iot`, `is`, ...
    pub fn key(self) -> &'static str {
        self.0.key
    }

    /// What `key` names without a version: its first declaration, if that has none (API Manager has no
    /// default release).
    pub fn from_key(key: &str) -> Option<ProductId> {
        Self::all().iter().copied().find(|id| id.key() == key)
    }

    /// The declaration of `key` at `version` (none: the key's unversioned one) in `layout` with stores of `format`
    /// (none: the default layout, the release's store type); the error names the setting at fault and lists
    /// what there is.
    pub fn find(
        key: &str,
        version: Option<&str>,
        layout: Option<Layout>,
        format: Option<StoreFormat>,
    ) -> Result<ProductId, NoSuchProduct> {
        let fail = |setting, reason| NoSuchProduct { setting, reason };
        let family = Self::from_key(key).ok_or_else(|| {
            let reason = format!("'{}' is not one of {}", key.escape_debug(), Self::keys());
            fail("product", reason)
        })?;
        let versions = Self::versions(key);
        let Some(version) = version else {
            if family.version().is_some() {
                let reason = format!("{} needs a version: one of {versions}", family.family_name());
                return Err(fail("version", reason));
            }
            return match (layout, format) {
                (Some(_), _) => Err(fail(
                    "keystores",
                    format!("{} has one layout of its stores", family.name()),
                )),
                (_, Some(_)) => Err(fail("store-type", format!("{} has one type of stores", family.name()))),
                (None, None) => Ok(family),
            };
        };
        if versions.is_empty() {
            let reason = format!("{} has no versions to choose from", family.name());
            return Err(fail("version", reason));
        }
        let layout = layout.unwrap_or_default();
        let chosen = |id: &ProductId| {
            let Some(platform) = &id.0.platform else { return false };
            id.key() == key
                && platform.release.version == version
                && platform.layout == layout
                && platform.format == format.unwrap_or(platform.release.format)
        };
        Self::all().iter().copied().find(chosen).ok_or_else(|| {
            let reason = format!(
                "{} {} is not a version iospki knows: one of {versions}",
                family.family_name(),
                version.escape_debug()
            );
            fail("version", reason)
        })
    }

    /// The declaration a file records by its keys (the ledger, a bundle manifest): `product`, and a
    /// deployment.toml product's `version`, `keystores` and `store_type`, read as [`ProductId::find`] takes them.
    pub fn recorded(
        product: &str,
        version: Option<&str>,
        keystores: Option<&str>,
        store_type: Option<&str>,
    ) -> Result<ProductId, NoSuchProduct> {
        let layout = keystores.map(|key| named("keystores", key, Layout::from_key, "separate nor single"));
        let format = store_type.map(|key| named("store_type", key, StoreFormat::from_key, "jks nor pkcs12"));
        Self::find(product, version, layout.transpose()?, format.transpose()?)
    }

    /// The versions `key` has, as messages list them: `7.0, 7.1, 7.2, 7.3`.
    pub fn versions(key: &str) -> String {
        let mut versions: Vec<&str> = Self::all()
            .iter()
            .filter(|id| id.key() == key)
            .filter_map(|id| id.version())
            .collect();
        versions.dedup();
        versions.join(", ")
    }

    /// Every product's key once, as messages list them: `iot, is, es, appm, apim`.
    pub fn keys() -> String {
        let keys: Vec<&str> = Self::families().map(|id| id.key()).collect();
        keys.join(", ")
    }

    /// The first declaration of each key, in the order of [`ProductId::all()`]: what `--product` lists.
    pub fn families() -> impl Iterator<Item = ProductId> {
        Self::all()
            .iter()
            .enumerate()
            .filter(|(n, id)| !Self::all()[..*n].iter().any(|earlier| earlier.key() == id.key()))
            .map(|(_, id)| *id)
    }

    /// Its release's version, for a deployment.toml product.
    pub fn version(self) -> Option<&'static str> {
        self.0.platform.as_ref().map(|p| p.release.version)
    }

    /// Its store layout, for a deployment.toml product.
    pub fn layout(self) -> Option<Layout> {
        self.0.platform.as_ref().map(|p| p.layout)
    }

    /// Its stores' format, for a deployment.toml product.
    pub fn format(self) -> Option<StoreFormat> {
        self.0.platform.as_ref().map(|p| p.format)
    }

    /// Its name in messages.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The name of its product line, without the version: `Identity Server`.
    pub fn family_name(self) -> &'static str {
        self.0.platform.as_ref().map_or(self.0.name, |p| p.release.family)
    }
}

impl Default for ProductId {
    /// The first product of [`ProductId::all()`].
    fn default() -> Self {
        Self::all()[0]
    }
}

/// The choice `key` names by `from_key`, else why not: the setting's name and the choices.
fn named<T>(
    setting: &'static str,
    key: &str,
    from_key: fn(&str) -> Option<T>,
    choices: &str,
) -> Result<T, NoSuchProduct> {
    from_key(key).ok_or_else(|| NoSuchProduct {
        setting,
        reason: format!("'{}' is neither {choices}", key.escape_debug()),
    })
}

/// Why a product, version or layout names no declaration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct NoSuchProduct {
    /// The setting at fault: `product`, `version`, `keystores`, `store-type` (a flag's choice) or `store_type`
    /// (a file's).
    pub setting: &'static str,
    /// What is wrong, with what there is to choose from.
    pub reason: String,
}

/// A product as flags or a cluster description name it: its key, and a deployment.toml product's version and
/// store layout; resolved to a declaration once both are laid over each other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProductChoice<'a> {
    /// `--product`, the description's `product`.
    pub key: Option<&'a str>,
    /// `--version`, the description's `version`.
    pub version: Option<&'a str>,
    /// `--keystores`, the description's `keystores`.
    pub layout: Option<Layout>,
    /// `--store-type`, the description's `store_type`.
    pub format: Option<StoreFormat>,
}

impl<'a> ProductChoice<'a> {
    /// This choice (the flags') laid over `described`: what it leaves open the description fills in, unless it
    /// names another product, whose version and layout would not be the description's.
    pub fn over(self, described: ProductChoice<'a>) -> ProductChoice<'a> {
        if self.key.is_some() && self.key != described.key {
            return self;
        }
        ProductChoice {
            key: self.key.or(described.key),
            version: self.version.or(described.version),
            layout: self.layout.or(described.layout),
            format: self.format.or(described.format),
        }
    }

    /// The declaration chosen; `None` when nothing is (the default product).
    pub fn resolve(self) -> Result<Option<ProductId>, NoSuchProduct> {
        if self == ProductChoice::default() {
            return Ok(None);
        }
        let key = self.key.unwrap_or(ProductId::default().key());
        ProductId::find(key, self.version, self.layout, self.format).map(Some)
    }
}

/// One declaration is one product: equal when they are the same declaration.
impl PartialEq for ProductId {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for ProductId {}

impl std::hash::Hash for ProductId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.key(), self.version(), self.layout(), self.format()).hash(state);
    }
}

impl std::fmt::Debug for ProductId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut tuple = f.debug_tuple("ProductId");
        tuple.field(&self.key());
        if let Some(platform) = &self.0.platform {
            tuple
                .field(&platform.release.version)
                .field(&platform.layout)
                .field(&platform.format);
        }
        tuple.finish()
    }
}

/// How a deployment.toml product's three keys are kept: `[keystore.primary]`, `[keystore.internal]` and
/// `[keystore.tls]` name a store each, or all three the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Layout {
    /// primary, internal and tls stores: WSO2's production advice and the Identity Server chart's layout. A TLS
    /// renewal rewrites only the TLS store, and the ingress's store holds no signing or encryption key.
    #[default]
    Separate,
    /// One store, as the products ship it (`wso2carbon.p12`, `wso2carbon.jks`), the three keys under three
    /// aliases.
    Single,
}

impl Layout {
    /// Every layout, the default first.
    pub const ALL: [Layout; 2] = [Layout::Separate, Layout::Single];

    /// Its key, as `--keystores` and the description's `keystores` name it.
    pub fn key(self) -> &'static str {
        match self {
            Layout::Separate => "separate",
            Layout::Single => "single",
        }
    }

    /// What it is, in a few words, as `--keystores`' help says it.
    pub fn summary(self) -> &'static str {
        match self {
            Layout::Separate => {
                "primary, internal and tls stores, as WSO2 advises for production and the IS chart expects"
            }
            Layout::Single => "one wso2carbon store with the three keys, as the products ship",
        }
    }

    /// The layout `key` names.
    pub fn from_key(key: &str) -> Option<Layout> {
        Self::ALL.into_iter().find(|layout| layout.key() == key)
    }
}

/// A release of a deployment.toml product, as its release tag ships it.
#[derive(Debug)]
pub struct Release {
    /// The product line: `Identity Server`.
    pub family: &'static str,
    /// As `--version` names it: `7.1`.
    pub version: &'static str,
    /// The tag whose deployment.toml these facts were read from: `v7.1.0`.
    pub tag: &'static str,
    /// The type of the stores it ships and defaults to.
    pub format: StoreFormat,
    /// The store it ships for all three keystore sections, its alias, and what its bytes are (APIM 4.4 and 4.5
    /// ship PKCS#12 named `.jks`, typed JKS, which Java's keystore.type.compat loads).
    pub shipped_store: (&'static str, &'static str, StoreFormat),
    /// Whether it encrypts with the symmetric `[encryption] key` (IS 7: SymmetricKeyInternalCryptoProvider).
    pub encryption: bool,
    /// Whether its Secure Vault decrypts the symmetric mode (carbon-secvault 1.1.9+, `encryptionMode=symmetric`).
    pub symmetric_vault: bool,
    /// The truststore alias of the certificate API Manager's gateway checks JWTs without a `kid` with, where the
    /// product has one: fixed in carbon-apimgt (`APIConstants.GATEWAY_PUBLIC_CERTIFICATE_ALIAS`), no
    /// deployment.toml key sets it.
    pub gateway_certificate_alias: Option<&'static str>,
    /// SHA-256 fingerprints (upper-case hex, colon-separated, as keytool prints them) of the key entries its
    /// stores ship: a node still on one of them is on a key every download has.
    pub shipped_fingerprints: &'static [&'static str],
    /// The official Helm chart `bundle --format k8s` writes values for.
    pub chart: Chart,
}

/// An official WSO2 Helm chart, at the branch whose values and templates iospki's output was written against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// wso2/kubernetes-is, chart `identity-server`.
    IdentityServer {
        /// The branch: `7.1.x`.
        branch: &'static str,
    },
    /// wso2/helm-apim, the all-in-one chart.
    ApiManager {
        /// The branch: `4.4.x`.
        branch: &'static str,
    },
}

/// What makes a product a deployment.toml product: its release and the layout of its stores.
#[derive(Debug)]
pub struct Platform {
    /// The release.
    pub release: &'static Release,
    /// The stores' layout.
    pub layout: Layout,
    /// The stores' format: the release's default, or the other type the product reads.
    pub format: StoreFormat,
}

/// A WSO2 product's cluster set, declared.
#[derive(Debug)]
pub struct Product {
    /// Its key, as `--product` and the description's `product` name it: `iot`.
    pub key: &'static str,
    /// The product's name in messages.
    pub name: &'static str,
    /// What its set holds, in a few words, after its name in `--product`'s help.
    pub summary: &'static str,
    /// Its short name, the default prefix of the Kubernetes objects `bundle --format k8s` names (`iots-manager`).
    pub short_name: &'static str,
    /// The documented cluster's domain.
    pub default_domain: &'static str,
    /// The host names its SSL certificate carries, by group, in subjectAltName order.
    pub host_groups: &'static [HostGroup],
    /// Its machines by role, where they are not its public names (empty for IoT, whose hosts are its machines).
    pub node_groups: &'static [NodeGroup],
    /// Whether `init` needs the CA key given (IoT: nginx's key is the SCEP CA); else iospki generates one.
    pub ca_key_given: bool,
    /// The certificates it issues, each after its issuer.
    pub certificates: &'static [CertificateSpec],
    /// Every file of its set, in the order `init` lists them.
    pub files: &'static [FileSpec],
    /// The SSO relying parties a server home of the product has.
    pub relying_parties: &'static [RelyingParty],
    /// The settings each node role sets in the product's own files.
    pub snippets: &'static [Snippet],
    /// sso-idp-config.xml under the server home, where the product is its own SAML identity provider and iospki
    /// sets its service providers' ACS URLs.
    pub sso_idp_config: Option<&'static str>,
    /// The release and store layout of a product configured through deployment.toml; `None` for the Carbon 4.4
    /// products of the guides (carbon.xml).
    pub platform: Option<Platform>,
}

impl Product {
    /// Its handle.
    pub fn id(&'static self) -> ProductId {
        ProductId(self)
    }

    /// The declaration of the certificate of `role`.
    pub fn certificate(&self, role: CertRole) -> Option<&'static CertificateSpec> {
        self.certificates.iter().find(|c| c.role == role)
    }

    /// The file of the output directory called `name`.
    pub fn file(&self, name: &str) -> Option<&'static FileSpec> {
        self.files.iter().find(|f| f.name == name)
    }

    /// The first file that holds what `pick` accepts.
    pub fn file_holding(&self, pick: impl Fn(&Holds) -> bool) -> Option<&'static FileSpec> {
        self.files.iter().find(|f| pick(&f.holds))
    }

    /// The files `init` writes to the output directory of a set with Secure Vault on or off (`secure_vault`).
    pub fn output_files(&self, secure_vault: bool) -> impl Iterator<Item = &'static FileSpec> {
        self.files.iter().filter(move |f| f.in_output && f.in_set(secure_vault))
    }

    /// The Java keystore the server's configuration uses for `purpose`.
    pub fn store(&self, purpose: StorePurpose) -> Option<&'static FileSpec> {
        self.file_holding(|holds| matches!(holds, Holds::Store(_, p, _) if *p == purpose))
    }

    /// The configuration file of `kind`.
    pub fn config(&self, kind: ConfigFile) -> Option<&'static FileSpec> {
        self.file_holding(|holds| matches!(holds, Holds::Config(k) if *k == kind))
    }

    /// The alias of `role`'s key entry in the product's stores, else of its trusted entry (the SSL alias when
    /// no store names it).
    pub fn alias_of(&self, role: CertRole) -> AliasSpec {
        let key = self.entries().find_map(|e| match e {
            EntrySpec::Key { alias, key, .. } if *key == role => Some(*alias),
            _ => None,
        });
        let trusted = || {
            self.entries().find_map(|e| match e {
                EntrySpec::Trusted { alias, certificate } if *certificate == role => Some(*alias),
                _ => None,
            })
        };
        key.or_else(trusted).unwrap_or(AliasSpec::Ssl)
    }

    /// The fixed alias under which the truststore trusts `role`'s certificate.
    pub fn trusted_alias(&self, role: CertRole) -> Option<&'static str> {
        let Holds::Store(_, _, entries) = self.store(StorePurpose::TrustStore)?.holds else {
            return None;
        };
        entries.iter().find_map(|e| match e {
            EntrySpec::Trusted {
                alias: AliasSpec::Fixed(alias),
                certificate,
            } if *certificate == role => Some(*alias),
            _ => None,
        })
    }

    /// The fixed alias of the product's stores that `alias` would take (`cacert`, `racert`, or an earlier CA's
    /// `cacert-<serial>`): the SSL alias must be none of them.
    pub fn taken_alias(&self, alias: &str) -> Option<&'static str> {
        let fixed = self.entries().find_map(|e| match e {
            EntrySpec::Key {
                alias: AliasSpec::Fixed(fixed),
                ..
            }
            | EntrySpec::Trusted {
                alias: AliasSpec::Fixed(fixed),
                ..
            } if alias == *fixed => Some(*fixed),
            _ => None,
        });
        let earlier_ca = self
            .trusted_alias(CertRole::Ca)
            .filter(|ca| alias.strip_prefix(ca).is_some_and(|rest| rest.starts_with('-')));
        fixed.or(earlier_ca)
    }

    /// Every entry of every keystore the product writes.
    fn entries(&self) -> impl Iterator<Item = &'static EntrySpec> {
        self.files.iter().flat_map(|f| match f.holds {
            Holds::Store(_, _, entries) | Holds::Pkcs12(entries) => entries,
            _ => &[],
        })
    }

    /// The files `role` gets from a set with Secure Vault on or off (`secure_vault`), with where it keeps them.
    pub fn files_of(
        &self,
        role: NodeRole,
        secure_vault: bool,
    ) -> impl Iterator<Item = (&'static FileSpec, &'static Placement)> {
        (self.files.iter())
            .filter(move |f| f.in_set(secure_vault))
            .filter_map(move |f| f.placement(role).map(|p| (f, p)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::names::NodeName;

    #[test]
    fn every_registered_product_is_found_by_its_key_version_layout_and_store_type_alone() {
        for id in ProductId::all() {
            assert_eq!(
                ProductId::find(id.key(), id.version(), id.layout(), id.format()),
                Ok(*id)
            );
            assert_eq!(id.product().id(), *id);
        }
        let named: std::collections::HashSet<_> = ProductId::all()
            .iter()
            .map(|id| (id.key(), id.version(), id.layout(), id.format()))
            .collect();
        assert_eq!(named.len(), ProductId::all().len());
        assert_eq!(ProductId::keys(), "iot, is, es, appm, apim");
        assert_eq!(ProductId::versions("is"), "7.0, 7.1, 7.2, 7.3");
        assert_eq!(ProductId::versions("apim"), "4.3, 4.4, 4.5, 4.6");
    }

    #[test]
    fn a_product_without_a_version_is_the_guides_and_a_bad_version_names_the_choices() {
        let find = |key, version, layout, format| ProductId::find(key, version, layout, format);
        assert_eq!(find("is", None, None, None), Ok(is::IS.id()));
        assert_eq!(find("is", Some("7.1"), None, None), Ok(is7::IS_7_1.id()));
        assert_eq!(
            find("is", Some("7.1"), Some(Layout::Single), None),
            Ok(is7::IS_7_1_SINGLE.id())
        );
        assert_eq!(
            find("is", Some("7.1"), None, Some(StoreFormat::Jks)),
            Ok(is7::IS_7_1_JKS.id())
        );
        let p12 = find("apim", Some("4.4"), Some(Layout::Single), Some(StoreFormat::Pkcs12));
        assert_eq!(p12, Ok(apim::APIM_4_4_SINGLE_P12.id()));
        // The release's own type names its default declaration.
        assert_eq!(
            find("is", Some("7.0"), None, Some(StoreFormat::Jks)),
            Ok(is7::IS_7_0.id())
        );
        let fails = |key, version, layout, format| find(key, version, layout, format).unwrap_err().to_string();
        assert_eq!(
            fails("apim", None, None, None),
            "version: API Manager needs a version: one of 4.3, 4.4, 4.5, 4.6"
        );
        assert_eq!(
            fails("is", Some("7.9"), None, None),
            "version: Identity Server 7.9 is not a version iospki knows: one of 7.0, 7.1, 7.2, 7.3"
        );
        assert_eq!(
            fails("iot", Some("3.1"), None, None),
            "version: IoT Server has no versions to choose from"
        );
        assert!(fails("is", None, Some(Layout::Single), None).starts_with("keystores: "));
        assert_eq!(
            fails("es", None, None, Some(StoreFormat::Pkcs12)),
            "store-type: Enterprise Store has one type of stores"
        );
        assert!(fails("esb", None, None, None).starts_with("product: 'esb' is not one of iot, is, es, appm, apim"));
    }

    #[test]
    fn the_flags_choice_lays_over_the_description_unless_it_names_another_product() {
        let described = ProductChoice {
            key: Some("is"),
            version: Some("7.1"),
            layout: Some(Layout::Single),
            format: Some(StoreFormat::Jks),
        };
        let version = ProductChoice {
            version: Some("7.2"),
            ..ProductChoice::default()
        };
        assert_eq!(version.over(described).resolve(), Ok(Some(is7::IS_7_2_SINGLE_JKS.id())));
        let other = ProductChoice {
            key: Some("es"),
            ..ProductChoice::default()
        };
        assert_eq!(other.over(described).resolve(), Ok(Some(es::ES.id())));
        assert_eq!(ProductChoice::default().resolve(), Ok(None));
    }

    /// What `ops::build` takes for granted of a declaration.
    #[test]
    fn every_certificate_follows_its_issuer_and_every_file_names_declared_certificates() {
        for id in ProductId::all() {
            let product = id.product();
            for (n, spec) in product.certificates.iter().enumerate() {
                let earlier = &product.certificates[..n];
                let issuer_first = spec
                    .issuer
                    .is_none_or(|issuer| earlier.iter().any(|c| c.role == issuer));
                assert!(issuer_first, "{}: {} before its issuer", id.key(), spec.role);
            }
            for file in product.files {
                let roles: Vec<CertRole> = match file.holds {
                    Holds::Certificate(role) | Holds::PrivateKey(role) => vec![role],
                    Holds::Chain(roles) => roles.to_vec(),
                    Holds::Pkcs12(entries) | Holds::Store(_, _, entries) => entries
                        .iter()
                        .flat_map(|e| match e {
                            EntrySpec::Key { key, chain, .. } => {
                                std::iter::once(*key).chain(chain.iter().copied()).collect()
                            }
                            EntrySpec::Trusted { certificate, .. } => vec![*certificate],
                            _ => vec![],
                        })
                        .collect(),
                    Holds::Config(_) => vec![CertRole::Ssl],
                    Holds::Ledger => vec![],
                };
                for role in roles {
                    assert!(
                        product.certificate(role).is_some(),
                        "{}: {} names {role}",
                        id.key(),
                        file.name
                    );
                }
            }
        }
    }

    #[test]
    fn every_declared_default_node_name_is_a_valid_node_name() {
        for id in ProductId::all() {
            for group in id.product().node_groups {
                for name in group.default_nodes {
                    assert!(NodeName::parse(name).is_ok(), "{}: {name}", id.key());
                }
            }
        }
    }
}
