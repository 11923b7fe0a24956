//! Secure Vault's files, as WSO2's cipher tool leaves them on a node and the server reads them at start:
//! secret-conf.properties (the keystore and alias whose key decrypts) and cipher-text.properties (each alias with
//! its encrypted password); the lines of cipher-tool.properties (where each alias's element is, Carbon 4.4), which
//! SETTINGS.txt gives to add to the file the product ships; and the aliases of a set, each a password its files
//! would otherwise hold in plain text.

use zeroize::Zeroizing;

use super::deployment;
use super::properties;
use crate::error::{Error, Result};
use crate::formats::vault::{Secrets, VaultKey};
use crate::io::secret::Password;
use crate::model::product::{
    ConfigFile, EntrySpec, Holds, Product, SecretAlias, StoreFormat, StorePurpose, Syntax, VAULT_KEY_ALIAS, Value,
    VaultFile,
};
use crate::model::settings::{Settings, VaultCipher};
use crate::vocab::roles::CertRole;

/// The keystore whose key decrypts, as secret-conf.properties names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The store's name in the set.
    pub file: &'static str,
    /// `keystore.identity.location`: the store's path under the server home, where the server runs.
    pub location: &'static str,
    /// `keystore.identity.type`.
    pub format: StoreFormat,
    /// `keystore.identity.alias`.
    pub alias: String,
    /// Whose private key it is; `None` for the AES key of the symmetric cipher.
    pub role: Option<CertRole>,
}

/// The key that decrypts a set of `product` with the SSL alias `ssl_alias` and `cipher`: carbon.xml's KeyStore key
/// for a Carbon 4.4 product; `[keystore.internal]`'s, else `[keystore.primary]`'s, for a deployment.toml product;
/// with the symmetric cipher, the AES key beside it.
pub fn identity(product: &Product, ssl_alias: &str, cipher: VaultCipher) -> Option<Identity> {
    let (name, format, alias, role) = match product.platform {
        Some(_) if cipher == VaultCipher::Symmetric => product.files.iter().find_map(|spec| match spec.holds {
            Holds::Store(format, _, entries) if entries.iter().any(|e| matches!(e, EntrySpec::VaultKey)) => {
                Some((spec.name, format, VAULT_KEY_ALIAS.to_owned(), None))
            }
            _ => None,
        })?,
        Some(_) => [CertRole::Internal, CertRole::Primary].into_iter().find_map(|role| {
            let section = deployment::keystore_section(product, role, ssl_alias)?;
            Some((section.file_name, section.format, section.alias, Some(role)))
        })?,
        None => {
            let spec = product.store(StorePurpose::KeyStore)?;
            let Holds::Store(format, _, entries) = spec.holds else {
                return None;
            };
            let (alias, role) = entries.iter().find_map(|entry| match entry {
                EntrySpec::Key { alias, key, .. } => Some((alias.resolve(ssl_alias).to_owned(), Some(*key))),
                _ => None,
            })?;
            (spec.name, format, alias, role)
        }
    };
    let location = product.file(name)?.placements.first()?.path;
    Some(Identity {
        file: name,
        location,
        format,
        alias,
        role,
    })
}

/// Every alias of a set of `product`, in the order its files name them: the settings' passwords of a Carbon 4.4
/// product whose files are read through a SecretResolver, deployment-security.toml's of a deployment.toml product.
pub fn aliases(product: &Product) -> Vec<String> {
    if product.platform.is_some() {
        return deployment::secret_aliases(product);
    }
    let mut aliases: Vec<String> = Vec::new();
    for (_, _, alias) in snippet_aliases(product) {
        if !aliases.iter().any(|a| a == alias.alias) {
            aliases.push(alias.alias.to_owned());
        }
    }
    aliases
}

/// The settings of `product` that hold the stores' password and name an alias, with their files and syntax.
fn snippet_aliases(product: &Product) -> impl Iterator<Item = (&'static str, Syntax, SecretAlias)> + '_ {
    product.snippets.iter().flat_map(|snippet| {
        snippet.settings.iter().filter_map(|setting| match setting.value {
            Value::StorePassword(Some(alias)) => Some((snippet.file, snippet.syntax, alias)),
            _ => None,
        })
    })
}

/// `password` encrypted for every alias of `product` to `key`, the key of [`identity`], keeping each value of
/// `earlier` (the set being renewed) that still decrypts to it ([`Secrets::encrypt`]).
pub fn secrets(
    product: &Product,
    key: VaultKey<'_>,
    password: &Password,
    earlier: Option<&Secrets>,
) -> Result<Secrets> {
    Secrets::encrypt(aliases(product), key, password.secret_str(), earlier).map_err(|e| {
        Error::invalid(
            "the store password",
            format!("Secure Vault: it {e}; choose a shorter one"),
        )
    })
}

/// The aliases and values of a cipher-text.properties text.
pub fn read_cipher_text(text: &str) -> std::result::Result<Secrets, String> {
    properties::parse(text).map(Secrets::from)
}

/// The text of Secure Vault's file `kind` for a set made with `settings`, its passwords encrypted as `secrets`.
pub fn file(kind: VaultFile, settings: &Settings, secrets: &Secrets) -> Zeroizing<String> {
    let product = settings.cluster.product();
    let mut text = format!(
        "# Secure Vault of the {} cluster {}, made by iospki.\n",
        product.name,
        settings.cluster.domain()
    );
    match kind {
        VaultFile::SecretConf => text += &secret_conf(settings),
        VaultFile::CipherText => {
            for (alias, value) in secrets.entries() {
                text += &properties::line(alias, value);
            }
        }
    }
    Zeroizing::new(text)
}

/// The lines of cipher-tool.properties that find each alias of `product`'s settings, `alias=FILE//XPATH,ATTRIBUTE`,
/// each file under the server's configuration directory, as the cipher tool names it.
pub fn cipher_tool_lines(product: &Product) -> String {
    let conf = conf_dir(product);
    let mut lines = String::new();
    for (file, syntax, alias) in snippet_aliases(product) {
        let file = file
            .strip_prefix("repository/conf/")
            .map_or(file.to_owned(), |f| format!("{conf}/{f}"));
        let place = format!("{file}{},{}", alias.xpath, syntax == Syntax::Attributes);
        lines += &properties::line(alias.alias, &place);
    }
    lines
}

/// The server's configuration directory, which holds `security/` with Secure Vault's files: `repository/conf`, or
/// the IoT Server core's `conf` (its start script sets carbon.config.dir.path there).
pub fn conf_dir(product: &Product) -> &'static str {
    let path = cipher_text_path(product);
    path.strip_suffix("/security/cipher-text.properties")
        .unwrap_or("repository/conf")
}

/// Where the server nodes of `product` keep cipher-text.properties, under the server home.
fn cipher_text_path(product: &Product) -> &'static str {
    product
        .config(ConfigFile::Vault(VaultFile::CipherText))
        .and_then(|spec| spec.placements.first())
        .map_or("repository/conf/security/cipher-text.properties", |p| p.path)
}

/// secret-conf.properties: the file secret repository over cipher-text.properties (under the server home), the
/// key of [`identity`] (under the settings' server home, else relative to where the server runs), and the store
/// and key passwords from the server's password file (DefaultSecretCallbackHandler).
fn secret_conf(settings: &Settings) -> String {
    let product = settings.cluster.product();
    const HANDLER: &str = "org.wso2.carbon.securevault.DefaultSecretCallbackHandler";
    let cipher_text = cipher_text_path(product);
    let identity = identity(product, settings.ssl_alias.as_str(), settings.vault_cipher);
    let location = identity.as_ref().map(|identity| match &settings.server_home {
        Some(home) => home.join(identity.location),
        None => identity.location.to_owned(),
    });
    let mut pairs = vec![
        ("secVault.enabled", "true"),
        (
            "carbon.secretProvider",
            "org.wso2.securevault.secret.handler.SecretManagerSecretCallbackHandler",
        ),
        ("secretRepositories", "file"),
        (
            "secretRepositories.file.provider",
            "org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider",
        ),
        ("secretRepositories.file.location", cipher_text),
    ];
    if settings.vault_cipher == VaultCipher::Symmetric {
        pairs.push(("secretRepositories.file.encryptionMode", "symmetric"));
    }
    if let (Some(identity), Some(location)) = (&identity, &location) {
        pairs.extend([
            ("keystore.identity.location", location.as_str()),
            ("keystore.identity.type", deployment::type_name(identity.format)),
            ("keystore.identity.alias", identity.alias.as_str()),
        ]);
    }
    pairs.extend([
        ("keystore.identity.store.password", "identity.store.password"),
        ("keystore.identity.store.secretProvider", HANDLER),
        ("keystore.identity.key.password", "identity.key.password"),
        ("keystore.identity.key.secretProvider", HANDLER),
    ]);
    pairs.iter().map(|(key, value)| properties::line(key, value)).collect()
}

/// What secret-conf.properties says, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretConf {
    /// `keystore.identity.location`.
    pub location: String,
    /// `keystore.identity.type`.
    pub type_name: String,
    /// `keystore.identity.alias`.
    pub alias: String,
    /// `secretRepositories.file.location`.
    pub cipher_text: String,
    /// `secretRepositories.file.algorithm`, when set.
    pub algorithm: Option<String>,
    /// Whether `secretRepositories.file.encryptionMode` is `symmetric`.
    pub symmetric: bool,
}

impl SecretConf {
    /// Reads a secret-conf.properties text; the error names the key that is missing.
    pub fn parse(text: &str) -> std::result::Result<SecretConf, String> {
        let pairs = properties::parse(text)?;
        let get = |key: &str| pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let required = |key: &str| get(key).ok_or_else(|| format!("{key} is not set"));
        if get("secVault.enabled").as_deref() != Some("true") {
            return Err("secVault.enabled is not true: the server reads no secret".into());
        }
        Ok(SecretConf {
            location: required("keystore.identity.location")?,
            type_name: required("keystore.identity.type")?,
            alias: required("keystore.identity.alias")?,
            cipher_text: required("secretRepositories.file.location")?,
            algorithm: get("secretRepositories.file.algorithm"),
            symmetric: get("secretRepositories.file.encryptionMode").as_deref() == Some("symmetric"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::product::{ProductId, es, iot};

    #[test]
    fn carbon_products_decrypt_with_the_carbon_key_store_and_name_their_aliases() {
        let identity = identity(&es::ES, "wso2carbon", VaultCipher::Asymmetric).unwrap();
        assert_eq!(identity.location, "repository/resources/security/wso2carbon.jks");
        assert_eq!(
            (identity.format, identity.alias.as_str()),
            (StoreFormat::Jks, "wso2carbon")
        );
        assert_eq!(
            aliases(&iot::IOT),
            [
                "Server.Service.Connector.keystorePass",
                "Carbon.Security.KeyStore.Password",
                "Carbon.Security.KeyStore.KeyPassword",
                "Carbon.Security.TrustStore.Password"
            ]
        );
    }

    #[test]
    fn the_cipher_tool_finds_the_iot_servers_files_under_its_conf() {
        let text = cipher_tool_lines(&iot::IOT);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines.contains(&"Server.Service.Connector.keystorePass=conf/tomcat/catalina-server.xml//Server/Service/Connector[@keystorePass],true"), "{text}");
        assert!(
            lines.contains(
                &"Carbon.Security.TrustStore.Password=conf/carbon.xml//Server/Security/TrustStore/Password,false"
            ),
            "{text}"
        );
    }

    #[test]
    fn deployment_toml_products_decrypt_with_the_internal_key_else_the_primary() {
        let separate = ProductId::find("is", Some("7.1"), None, None).unwrap().product();
        let identity = identity(separate, "wso2carbon", VaultCipher::Asymmetric).unwrap();
        assert_eq!(identity.location, "repository/resources/security/internal.p12");
        assert_eq!(
            (identity.alias.as_str(), identity.role),
            ("internal", Some(CertRole::Internal))
        );
    }

    #[test]
    fn secret_conf_reads_back_with_the_keystore_under_the_server_home() {
        let choices = crate::model::settings::Choices {
            product: Some(es::ES.id()),
            secure_vault: Some(true),
            server_home: Some(crate::vocab::names::ServerHome::parse("/opt/es").unwrap()),
            ..Default::default()
        };
        let text = secret_conf(&choices.settings().unwrap());
        let conf = SecretConf::parse(&text).unwrap();
        assert_eq!(conf.alias, "wso2carbon");
        assert_eq!(conf.location, "/opt/es/repository/resources/security/wso2carbon.jks");
        assert_eq!(conf.cipher_text, "repository/conf/security/cipher-text.properties");
        assert_eq!(conf.algorithm, None);
        let err = SecretConf::parse("secVault.enabled=true\n").unwrap_err();
        assert_eq!(err, "keystore.identity.location is not set");
    }
}
