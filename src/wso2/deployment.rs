//! deployment.toml's security sections, written and read back: `[keystore.primary]`, `[keystore.internal]`,
//! `[keystore.tls]`, `[truststore]` and `[encryption]`, as the deployment.toml products (Identity Server 7, API
//! Manager 4) read them and iospki writes them into deployment-security.toml.
//!
//! What each section names comes from the product's declaration: the store holding the key of the section's
//! role, its format and that key's alias. The TLS key's password is its store's, as the products require.

use std::fmt::Write;

use zeroize::Zeroizing;

use super::toml_string;
use crate::formats::vault::Secrets;
use crate::io::secret::{Password, SymmetricKey};
use crate::model::product::{EntrySpec, Holds, Product, StoreFormat, StorePurpose};
use crate::model::settings::Settings;
use crate::vocab::roles::CertRole;

/// The keystore sections and the role of the key each names.
pub const KEYSTORE_SECTIONS: [(&str, CertRole); 3] = [
    ("keystore.primary", CertRole::Primary),
    ("keystore.internal", CertRole::Internal),
    ("keystore.tls", CertRole::Ssl),
];

/// deployment.toml's name for a store format: `type = "PKCS12"` or `"JKS"`.
pub fn type_name(format: StoreFormat) -> &'static str {
    match format {
        StoreFormat::Jks => "JKS",
        StoreFormat::Pkcs12 => "PKCS12",
    }
}

/// What a keystore section names: the store's file name and type, and the key's alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeystoreSection {
    /// `file_name`, under repository/resources/security/.
    pub file_name: &'static str,
    /// The store's format (`type`).
    pub format: StoreFormat,
    /// `alias`.
    pub alias: String,
}

/// The store and alias `product`'s set keeps `role`'s key under, with the SSL alias `ssl_alias`.
pub fn keystore_section(product: &Product, role: CertRole, ssl_alias: &str) -> Option<KeystoreSection> {
    product.files.iter().find_map(|spec| {
        let Holds::Store(format, StorePurpose::KeyStore, entries) = spec.holds else {
            return None;
        };
        entries.iter().find_map(|entry| match entry {
            EntrySpec::Key { alias, key, .. } if *key == role => Some(KeystoreSection {
                file_name: spec.name,
                format,
                alias: alias.resolve(ssl_alias).to_owned(),
            }),
            _ => None,
        })
    })
}

/// The Secure Vault alias of a section's password `key`, as WSO2's Helm charts name them:
/// `keystore_tls_password`, `keystore_tls_key_password`, `truststore_password`, ...
pub fn secret_alias(section: &str, key: &str) -> String {
    format!("{}_{key}", section.replace('.', "_"))
}

/// The aliases of every password deployment-security.toml of `product` holds, in the file's order.
pub fn secret_aliases(product: &Product) -> Vec<String> {
    let keystores = keystores(product, "")
        .into_iter()
        .flat_map(|(section, _)| ["password", "key_password"].map(|key| secret_alias(section, key)));
    let truststore = truststore(product).map(|_| secret_alias("truststore", "password"));
    keystores.chain(truststore).collect()
}

/// The keystore sections of `product`'s set, each with what it names.
fn keystores(product: &Product, ssl_alias: &str) -> Vec<(&'static str, KeystoreSection)> {
    (KEYSTORE_SECTIONS.iter())
        .filter_map(|(section, role)| Some((*section, keystore_section(product, *role, ssl_alias)?)))
        .collect()
}

/// The file name and format of `product`'s truststore.
fn truststore(product: &Product) -> Option<(&'static str, StoreFormat)> {
    product.files.iter().find_map(|spec| match spec.holds {
        Holds::Store(format, StorePurpose::TrustStore, _) => Some((spec.name, format)),
        _ => None,
    })
}

/// deployment-security.toml for the set made with `settings`: every value filled in, the stores protected by
/// `password`, and `[encryption] key` where the release encrypts with one. With `secrets`, each password is
/// `$secret{alias}` and `[secrets]` holds the encrypted values.
pub fn security_toml(
    settings: &Settings,
    password: &Password,
    key: Option<&SymmetricKey>,
    secrets: Option<&Secrets>,
) -> Zeroizing<String> {
    let cluster = &settings.cluster;
    let product = cluster.product();
    let plain = Zeroizing::new(toml_string(password.secret_str()));
    let password = |section: &str, key: &str| match secrets {
        Some(_) => Zeroizing::new(toml_string(&format!("$secret{{{}}}", secret_alias(section, key)))),
        None => plain.clone(),
    };
    let mut text = Zeroizing::new(String::with_capacity(1024));
    // write! to a String cannot fail.
    let _ = writeln!(
        text,
        "# The keystore, truststore and encryption sections of the {} cluster {}, made by iospki.\n\
         # Merge them into repository/conf/deployment.toml on every node: replace the sections of the same names\n\
         # there (TOML allows a table once) and keep the rest as it is. {}",
        product.name,
        cluster.domain(),
        match secrets {
            Some(_) =>
                "The passwords are Secure Vault's: the server\n# decrypts [secrets] with the key secret-conf.properties names, opened with the password in password-tmp.",
            None =>
                "This file holds the stores' password and\n# the encryption key: keep it 0600 and out of version control.",
        }
    );
    for (section, store) in keystores(product, settings.ssl_alias.as_str()) {
        let _ = write!(
            text,
            "\n[{section}]\nfile_name = {}\ntype = {}\npassword = {}\nalias = {}\nkey_password = {}\n",
            toml_string(store.file_name),
            toml_string(type_name(store.format)),
            *password(section, "password"),
            toml_string(&store.alias),
            *password(section, "key_password")
        );
    }
    if let Some((name, format)) = truststore(product) {
        let _ = write!(
            text,
            "\n[truststore]\nfile_name = {}\ntype = {}\npassword = {}\n",
            toml_string(name),
            toml_string(type_name(format)),
            *password("truststore", "password")
        );
    }
    if let Some(key) = key {
        let _ = write!(
            text,
            "\n# The same on every node, and never changed: what is encrypted with it is unreadable under another.\n\
             [encryption]\nkey = {}\n",
            toml_string(&key.secret_hex())
        );
    }
    if let Some(secrets) = secrets {
        text.push_str("\n[secrets]\n");
        for (alias, value) in secrets.entries() {
            let _ = writeln!(text, "{alias} = {}", toml_string(value));
        }
    }
    text
}

/// The `[encryption] key` of a deployment.toml text, if it has a well-formed one.
pub fn encryption_key(text: &str) -> Option<SymmetricKey> {
    SymmetricKey::from_hex(&read_security(text).ok()?.get("encryption", "key")?.value)
}

/// A store's section of a deployment.toml text, as the Helm charts' values take it: `[keystore.*]` has every
/// key, `[truststore]` no alias and no key password.
#[derive(Debug)]
pub struct StoreSection {
    /// `file_name`.
    pub file_name: String,
    /// `type`: `JKS` or `PKCS12`.
    pub type_name: String,
    /// `password`.
    pub password: Password,
    /// `alias`, for a keystore.
    pub alias: Option<String>,
    /// `key_password`, for a keystore.
    pub key_password: Option<Password>,
}

/// The store sections and `[encryption] key` of a deployment.toml text, read back.
#[derive(Debug)]
pub struct SecuritySections {
    /// The keystore sections the text has, with the role of the key each names, in [`KEYSTORE_SECTIONS`]' order.
    pub keystores: Vec<(CertRole, StoreSection)>,
    /// `[truststore]`.
    pub truststore: StoreSection,
    /// `[encryption] key`, where the text has one.
    pub encryption_key: Option<SymmetricKey>,
}

/// The sections of `text` (deployment-security.toml as iospki writes it, or a deployment.toml), read as
/// [`read_security`] reads them; the reason when a section lacks a key or `[truststore]` is missing.
pub fn security_sections(text: &str) -> std::result::Result<SecuritySections, String> {
    let settings = read_security(text)?;
    let keystores = KEYSTORE_SECTIONS
        .into_iter()
        .filter(|(section, _)| settings.has(section))
        .map(|(section, role)| Ok((role, store_section(&settings, section, true)?)))
        .collect::<std::result::Result<_, String>>()?;
    if !settings.has("truststore") {
        return Err("has no [truststore]".into());
    }
    let encryption_key = match settings.get("encryption", "key") {
        None => None,
        Some(key) => {
            Some(SymmetricKey::from_hex(&key.value).ok_or("[encryption] key is not 32 hexadecimal characters")?)
        }
    };
    Ok(SecuritySections {
        keystores,
        truststore: store_section(&settings, "truststore", false)?,
        encryption_key,
    })
}

/// One section; a keystore's also has `alias` and `key_password`.
fn store_section(
    settings: &SecuritySettings,
    section: &str,
    keystore: bool,
) -> std::result::Result<StoreSection, String> {
    let text = |key: &str| {
        (settings.get(section, key))
            .map(|v| v.value.to_string())
            .ok_or_else(|| format!("[{section}] has no {key} string"))
    };
    let optional = |key: &str| keystore.then(|| text(key)).transpose();
    Ok(StoreSection {
        file_name: text("file_name")?,
        type_name: text("type")?,
        password: Password::new(text("password")?),
        alias: optional("alias")?,
        key_password: optional("key_password")?.map(Password::new),
    })
}

/// The keys of deployment.toml verify reads, by section: the three keystores, the truststore, the encryption key
/// and the server's public name.
pub const READ_KEYS: [(&str, &[&str]); 6] = [
    ("keystore.primary", &KEYSTORE_KEYS),
    ("keystore.internal", &KEYSTORE_KEYS),
    ("keystore.tls", &KEYSTORE_KEYS),
    ("truststore", &["file_name", "type", "password"]),
    ("encryption", &["key"]),
    ("server", &["hostname"]),
];

const KEYSTORE_KEYS: [&str; 5] = ["file_name", "type", "password", "alias", "key_password"];

/// A value deployment.toml sets, and the line it is on (1 for the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlValue {
    /// The string as the server reads it (a password among them).
    pub value: Zeroizing<String>,
    /// Its line.
    pub line: usize,
}

/// What a deployment.toml sets of [`READ_KEYS`]; every other section and key is left as it is.
#[derive(Debug, Default)]
pub struct SecuritySettings {
    values: Vec<(&'static str, &'static str, TomlValue)>,
    secrets: Vec<(String, TomlValue)>,
}

impl SecuritySettings {
    /// Whether the file sets a key of `[section]` that verify reads.
    pub fn has(&self, section: &str) -> bool {
        self.values.iter().any(|(s, _, _)| *s == section)
    }

    /// The value of `key` in `[section]`, if the file sets it.
    pub fn get(&self, section: &str, key: &str) -> Option<&TomlValue> {
        self.values
            .iter()
            .find(|(s, k, _)| *s == section && *k == key)
            .map(|(_, _, value)| value)
    }

    /// `[secrets]`: each Secure Vault alias with its encrypted value, in the file's order.
    pub fn secrets(&self) -> &[(String, TomlValue)] {
        &self.secrets
    }
}

/// The settings of [`READ_KEYS`] a deployment.toml text makes, each with its line; why it is not TOML or sets
/// one of them to something other than a string, with the line, otherwise.
pub fn read_security(text: &str) -> Result<SecuritySettings, String> {
    let table = toml::de::DeTable::parse(text)
        .map_err(|e| {
            format!(
                "line {}: is not TOML: {}",
                line_of(text, e.span().map_or(0, |s| s.start)),
                e.message()
            )
        })?
        .into_inner();
    let line = |offset: usize| line_of(text, offset);
    let mut settings = SecuritySettings::default();
    for (section, keys) in READ_KEYS {
        let Some(table) = section
            .split('.')
            .try_fold(&table, |table, part| child(table, part)?.get_ref().as_table())
        else {
            continue;
        };
        for key in keys.iter().copied() {
            let Some(value) = child(table, key) else { continue };
            let at = line(value.span().start);
            let Some(string) = value.get_ref().as_str() else {
                return Err(format!("line {at}: [{section}] {key} is not a string"));
            };
            settings.values.push((section, key, toml_value(string, at)));
        }
    }
    if let Some(secrets) = child(&table, "secrets").and_then(|t| t.get_ref().as_table()) {
        for (alias, value) in secrets.iter() {
            let at = line(value.span().start);
            let Some(string) = value.get_ref().as_str() else {
                return Err(format!("line {at}: [secrets] {} is not a string", alias.get_ref()));
            };
            settings
                .secrets
                .push((alias.get_ref().to_string(), toml_value(string, at)));
        }
    }
    Ok(settings)
}

fn toml_value(string: &str, line: usize) -> TomlValue {
    TomlValue {
        value: Zeroizing::new(string.to_owned()),
        line,
    }
}

/// The value of `key` in `table`.
fn child<'t, 'i>(table: &'t toml::de::DeTable<'i>, key: &str) -> Option<&'t toml::Spanned<toml::de::DeValue<'i>>> {
    table.iter().find(|(k, _)| k.get_ref() == key).map(|(_, value)| value)
}

/// The line (1 for the first) of the byte at `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[keystore.tls]\nfile_name = \"tls.p12\"\ntype = \"PKCS12\"\npassword = \"a \\\"b\\\"\"\n\
        alias = \"wso2carbon\"\nkey_password = \"a \\\"b\\\"\"\n[truststore]\nfile_name = \"t.p12\"\n\
        type = \"PKCS12\"\npassword = \"c\"\n[encryption]\nkey = \"00112233445566778899AABBCCDDEEFF\"\n";

    #[test]
    fn sections_read_back_with_their_passwords_and_key() {
        let sections = security_sections(TEXT).unwrap();
        let [(role, tls)] = &sections.keystores[..] else {
            panic!("{sections:?}")
        };
        assert_eq!(*role, CertRole::Ssl);
        assert_eq!(
            (tls.file_name.as_str(), tls.alias.as_deref()),
            ("tls.p12", Some("wso2carbon"))
        );
        assert_eq!(tls.password.secret_str(), "a \"b\"");
        assert_eq!(sections.truststore.alias, None);
        assert_eq!(
            sections.encryption_key.unwrap().secret_hex().as_str(),
            "00112233445566778899AABBCCDDEEFF"
        );
    }

    #[test]
    fn a_section_without_a_key_or_no_truststore_is_named() {
        let no_alias = TEXT.replace("alias = \"wso2carbon\"\n", "");
        assert_eq!(
            security_sections(&no_alias).unwrap_err(),
            "[keystore.tls] has no alias string"
        );
        let no_truststore = "[keystore]\n";
        assert_eq!(security_sections(no_truststore).unwrap_err(), "has no [truststore]");
        let bad_key = TEXT.replace("00112233", "zz");
        assert!(security_sections(&bad_key).unwrap_err().contains("[encryption] key"));
    }

    #[test]
    fn the_security_sections_are_read_with_their_lines_and_the_rest_left_alone() {
        let text = "[server]\nhostname = \"is.example\"\n\n[keystore.primary]\nfile_name = \"a.p12\"\n\
                    alias = \"k\"\n[keystore.tenant]\ntype = 1\n[[apim.gateway.environment]]\nname = \"x\"\n";
        let settings = read_security(text).unwrap();
        let value = |section, key| settings.get(section, key).map(|v| (v.value.to_string(), v.line));
        assert_eq!(value("server", "hostname"), Some(("is.example".into(), 2)));
        assert_eq!(value("keystore.primary", "file_name"), Some(("a.p12".into(), 5)));
        assert_eq!(value("keystore.primary", "alias"), Some(("k".into(), 6)));
        assert_eq!(value("keystore.tls", "alias"), None);
        let vault = read_security("[secrets]\na = \"x\"\nb = \"[y]\"\n").unwrap();
        let secrets: Vec<_> = vault
            .secrets()
            .iter()
            .map(|(k, v)| (k.as_str(), v.value.as_str(), v.line))
            .collect();
        assert_eq!(secrets, [("a", "x", 2), ("b", "[y]", 3)]);
    }

    #[test]
    fn what_is_not_toml_or_not_a_string_is_refused_with_its_line() {
        let err = read_security("[keystore.tls]\npassword = 5\n").unwrap_err();
        assert_eq!(err, "line 2: [keystore.tls] password is not a string");
        let err = read_security("[a]\nx = 1\n[a]\n").unwrap_err();
        assert!(err.starts_with("line 3: is not TOML"), "{err}");
    }
}
