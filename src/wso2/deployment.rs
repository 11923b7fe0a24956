//! deployment.toml's security sections, written and read back: `[keystore.primary]`, `[keystore.internal]`,
//! `[keystore.tls]`, `[truststore]` and `[encryption]`, as the deployment.toml products (Identity Server 7, API
//! Manager 4) read them and iospki writes them into deployment-security.toml.
//!
//! What each section names comes from the product's declaration: the store holding the key of the section's
//! role, its format and that key's alias. The TLS key's password is its store's, as the products require.

use std::fmt::Write;

use zeroize::Zeroizing;

use super::toml_string;
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

/// deployment-security.toml for the set made with `settings`: every value filled in, the stores protected by
/// `password`, and `[encryption] key` where the release encrypts with one.
pub fn security_toml(settings: &Settings, password: &Password, key: Option<&SymmetricKey>) -> Zeroizing<String> {
    let cluster = &settings.cluster;
    let product = cluster.product();
    let password = Zeroizing::new(toml_string(password.secret_str()));
    let mut text = Zeroizing::new(String::with_capacity(1024));
    // write! to a String cannot fail.
    let _ = writeln!(
        text,
        "# The keystore, truststore and encryption sections of the {} cluster {}, made by iospki.\n\
         # Merge them into repository/conf/deployment.toml on every node: replace the sections of the same names\n\
         # there (TOML allows a table once) and keep the rest as it is. This file holds the stores' password and\n\
         # the encryption key: keep it 0600 and out of version control.",
        product.name,
        cluster.domain()
    );
    for (section, role) in KEYSTORE_SECTIONS {
        let Some(store) = keystore_section(product, role, settings.ssl_alias.as_str()) else {
            continue;
        };
        let _ = write!(
            text,
            "\n[{section}]\nfile_name = {}\ntype = {}\npassword = {}\nalias = {}\nkey_password = {}\n",
            toml_string(store.file_name),
            toml_string(type_name(store.format)),
            *password,
            toml_string(&store.alias),
            *password
        );
    }
    let truststore = product.files.iter().find_map(|spec| match spec.holds {
        Holds::Store(format, StorePurpose::TrustStore, _) => Some((spec, format)),
        _ => None,
    });
    if let Some((spec, format)) = truststore {
        let _ = write!(
            text,
            "\n[truststore]\nfile_name = {}\ntype = {}\npassword = {}\n",
            toml_string(spec.name),
            toml_string(type_name(format)),
            *password
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
    text
}

/// The `[encryption] key` of a deployment.toml text, if it has a well-formed one.
pub fn encryption_key(text: &str) -> Option<SymmetricKey> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let key = table.get("encryption")?.get("key")?.as_str()?;
    SymmetricKey::from_hex(key)
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

/// The sections of `text` (deployment-security.toml as iospki writes it, or a deployment.toml); the reason when a
/// section lacks a key or `[truststore]` is missing.
pub fn security_sections(text: &str) -> std::result::Result<SecuritySections, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| format!("not TOML: {}", e.message()))?;
    let mut keystores = Vec::new();
    for (section, role) in KEYSTORE_SECTIONS {
        let (group, name) = section.split_once('.').unwrap_or((section, ""));
        if let Some(found) = table.get(group).and_then(|g| g.get(name)) {
            keystores.push((role, store_section(section, found, true)?));
        }
    }
    let truststore = table.get("truststore").ok_or("has no [truststore]")?;
    let encryption_key = match table.get("encryption").and_then(|e| e.get("key")) {
        None => None,
        Some(key) => Some(
            key.as_str()
                .and_then(SymmetricKey::from_hex)
                .ok_or("[encryption] key is not 32 hexadecimal characters")?,
        ),
    };
    Ok(SecuritySections {
        keystores,
        truststore: store_section("truststore", truststore, false)?,
        encryption_key,
    })
}

/// One section; a keystore's also has `alias` and `key_password`.
fn store_section(section: &str, value: &toml::Value, keystore: bool) -> std::result::Result<StoreSection, String> {
    let text = |key: &str| {
        value
            .get(key)
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
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
}
