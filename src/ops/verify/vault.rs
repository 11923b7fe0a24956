//! Secure Vault as the server meets it at start, read into typed facts: secret-conf.properties, the key it names
//! (its store opened with the password verify is given, as the server opens it with password-tmp's), each secret
//! decrypted with that key as the file secret repository decrypts it, the aliases the configuration files name
//! and the passwords they still hold in plain text. Nothing here judges: rules.rs and platform.rs do.

use std::path::{Path, PathBuf};

use super::tree::Tree;
use crate::formats::key::RsaKey;
use crate::formats::keystore::{self, Entry};
use crate::formats::vault::{VaultError, VaultKey};
use crate::io::input::Kind;
use crate::io::secret::{Password, SymmetricKey};
use crate::model::product::{Product, Syntax, Value};
use crate::wso2::vault::SecretConf;

/// What a file gave, or why not.
type Loaded<T> = std::result::Result<T, String>;

/// Where a source keeps the files secret-conf.properties names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// An output directory: every file by its name at the root, whatever folder the node keeps it in.
    Flat,
    /// A server home or a node's bundle: paths relative to its root, as the server resolves them.
    Placed,
}

/// A secret of cipher-text.properties (or `[secrets]`), and what decrypting it gave.
#[derive(Debug)]
pub(super) struct Secret {
    /// `FILE:LINE alias`.
    pub location: String,
    /// The alias.
    pub alias: String,
    /// What it holds.
    pub outcome: Outcome,
}

/// What a secret's value gave.
#[derive(Debug)]
pub(super) enum Outcome {
    /// `[...]`: plain text the cipher tool has yet to encrypt.
    Plain,
    /// The key refused it.
    Undecrypted(VaultError),
    /// The password it decrypts to.
    Decrypted(Password),
    /// The key did not load: not judged.
    Unjudged,
}

/// An alias a configuration file names, or a password it holds in plain text, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Named {
    /// `FILE:LINE`.
    pub location: String,
    /// The alias, or the setting holding the password.
    pub name: String,
}

/// The key secret-conf.properties names: an RSA private key, or (the symmetric mode) an AES key.
#[derive(Debug)]
pub(super) enum IdentityKey {
    /// RSA, PKCS#1 v1.5.
    Rsa(Box<RsaKey>),
    /// AES-GCM.
    Aes(SymmetricKey),
}

impl IdentityKey {
    /// The key as the cipher takes it.
    pub(super) fn vault_key(&self) -> VaultKey<'_> {
        match self {
            IdentityKey::Rsa(key) => VaultKey::Rsa(key),
            IdentityKey::Aes(key) => VaultKey::Aes(key),
        }
    }
}

/// Everything read of a Secure Vault set.
#[derive(Debug)]
pub(super) struct Vault {
    /// secret-conf.properties, as shown.
    pub conf_location: String,
    /// What it says, or why it cannot be used (its absence among them).
    pub conf: Loaded<SecretConf>,
    /// The key of `keystore.identity.alias`, where it is (`STORE alias ALIAS`), or why it did not load.
    pub key: Option<(String, Loaded<IdentityKey>)>,
    /// The file holding the secrets, as shown.
    pub secrets_file: String,
    /// Each secret.
    pub secrets: Vec<Secret>,
    /// Each alias the configuration files name.
    pub references: Vec<Named>,
    /// Each password iospki protects that a file holds in plain text.
    pub plain: Vec<Named>,
}

impl Vault {
    /// The password `alias` decrypts to.
    pub(super) fn decrypted(&self, alias: &str) -> Option<&Password> {
        self.secrets
            .iter()
            .find(|s| s.alias == alias)
            .and_then(|s| match &s.outcome {
                Outcome::Decrypted(password) => Some(password),
                _ => None,
            })
    }
}

/// Reads secret-conf.properties at `conf_path` in `tree` and the key it names, opened with `password`.
pub(super) fn read_conf(tree: &Tree, layout: Layout, conf_path: &Path, password: &Password) -> Vault {
    let path = at_root(tree, conf_path);
    let conf = read_text(tree, &path).and_then(|text| SecretConf::parse(&text));
    let key = conf
        .as_ref()
        .ok()
        .map(|conf| identity_key(tree, layout, conf, password));
    Vault {
        conf_location: tree.shown(&path),
        conf,
        key,
        secrets_file: String::new(),
        secrets: Vec::new(),
        references: Vec::new(),
        plain: Vec::new(),
    }
}

/// The path of a location secret-conf.properties names. A bundle is unpacked into the server home, so an
/// absolute location (`init --server-home`) is the longest of its tails that the bundle holds.
pub(super) fn located(tree: &Tree, layout: Layout, location: &str) -> PathBuf {
    let path = Path::new(location);
    match layout {
        Layout::Flat => at_root(tree, Path::new(path.file_name().unwrap_or_default())),
        Layout::Placed if path.is_absolute() && tree.root().is_none() => {
            let parts: Vec<_> = path.components().skip(1).collect();
            let tails = (0..parts.len()).map(|skip| parts[skip..].iter().collect::<PathBuf>());
            let mut tails = tails.peekable();
            let first = tails.peek().cloned().unwrap_or_default();
            tails.find(|tail| tree.read(tail, Kind::Data).is_ok()).unwrap_or(first)
        }
        Layout::Placed => tree.resolve(location),
    }
}

/// The key of `keystore.identity.alias`, its store and key opened with `password` (the server reads one
/// password from password-tmp for both unless started with -Dkey.password=true).
fn identity_key(tree: &Tree, layout: Layout, conf: &SecretConf, password: &Password) -> (String, Loaded<IdentityKey>) {
    let path = located(tree, layout, &conf.location);
    let location = format!("{} alias {}", tree.shown(&path), conf.alias);
    let key = (|| {
        let data = tree
            .read(&path, Kind::Data)
            .map_err(|e| format!("cannot be read: {e}"))?;
        let opened =
            keystore::open(&data, Some(password)).map_err(|e| format!("does not open with the store password: {e}"))?;
        let item = (opened.store.get(&conf.alias)).ok_or("is not in the store (keystore.identity.alias)")?;
        let key = match (&item.entry, conf.symmetric) {
            (Entry::PrivateKey { key, .. }, false) => key,
            (Entry::SecretKey(bytes), true) => {
                let key = SymmetricKey::from_bytes(bytes);
                let why = || {
                    format!(
                        "is an AES key of {} bits: iospki decrypts with AES-128 keys",
                        bytes.len() * 8
                    )
                };
                return key.map(IdentityKey::Aes).ok_or_else(why);
            }
            (_, true) => return Err("is no secret key, which the symmetric encryptionMode decrypts with".to_owned()),
            (Entry::SecretKey(_), false) => return Err("is a secret key, not the RSA key entry".to_owned()),
            (Entry::TrustedCert(_), false) => return Err("is a trusted certificate, not a key entry".to_owned()),
        };
        let pkcs8 = (key.secret_pkcs8(&conf.alias, password))
            .map_err(|_| "does not open with the store password".to_owned())?;
        let fail = || Err(crate::error::Error::key(&path, "is encrypted"));
        let key =
            crate::formats::key::load_bytes(&path, &pkcs8, fail).map_err(|e| format!("is not an RSA key: {e}"))?;
        Ok(IdentityKey::Rsa(Box::new(key)))
    })();
    (location, key)
}

/// Each of `entries` (`FILE:LINE alias`, alias, value) decrypted with `key`.
pub(super) fn decrypt_all(key: Option<&IdentityKey>, entries: Vec<(String, String, String)>) -> Vec<Secret> {
    entries
        .into_iter()
        .map(|(location, alias, value)| {
            let trimmed = value.trim();
            let outcome = match key {
                _ if trimmed.starts_with('[') && trimmed.ends_with(']') => Outcome::Plain,
                None => Outcome::Unjudged,
                Some(key) => match key.vault_key().decrypt(trimmed) {
                    Ok(plain) => Outcome::Decrypted(Password::new(plain.as_str())),
                    Err(e) => Outcome::Undecrypted(e),
                },
            };
            Secret {
                location,
                alias,
                outcome,
            }
        })
        .collect()
}

/// The secrets of the cipher-text.properties at `path`, as (`FILE:LINE alias`, alias, value); why not else.
pub(super) fn cipher_text(tree: &Tree, path: &Path) -> Loaded<Vec<(String, String, String)>> {
    let text = read_text(tree, path)?;
    let shown = tree.shown(path);
    let pairs = crate::wso2::properties::parse_lines(&text)?;
    Ok(pairs
        .into_iter()
        .map(|(alias, value, line)| (format!("{shown}:{line} {alias}"), alias, value))
        .collect())
}

/// Each `svns:secretAlias="ALIAS"` (Carbon 4.4's XML, SETTINGS.txt) and `$secret{ALIAS}` of `text`, at
/// `shown:LINE`.
pub(super) fn references(shown: &str, text: &str) -> Vec<Named> {
    let mut named = Vec::new();
    for (number, line) in text.lines().enumerate() {
        for (open, close) in [("svns:secretAlias=\"", '"'), ("$secret{", '}')] {
            let mut rest = line;
            while let Some(start) = rest.find(open) {
                rest = &rest[start + open.len()..];
                let end = rest.find(close).unwrap_or(rest.len());
                let name = rest[..end].to_owned();
                named.push(Named {
                    location: format!("{shown}:{} {name}", number + 1),
                    name,
                });
                rest = &rest[end..];
            }
        }
    }
    named
}

/// The passwords a SETTINGS.txt text of `product` (`shown`) holds in plain text where the server would read an
/// alias: an element or attribute the product protects without its `svns:secretAlias`, or with the store
/// password `password` still written in it.
pub(super) fn plain_in_settings(shown: &str, text: &str, product: &Product, password: &Password) -> Vec<Named> {
    let protected = (product.snippets.iter())
        .flat_map(|s| s.settings.iter().map(move |setting| (s.syntax, setting)))
        .filter(|(_, setting)| matches!(setting.value, Value::StorePassword(Some(_))));
    let protected: Vec<_> = protected.collect();
    let lines: Vec<&str> = text.lines().collect();
    let mut plain = Vec::new();
    for (number, line) in lines.iter().enumerate() {
        let next = lines.get(number + 1).copied().unwrap_or_default();
        let Some((_, setting)) = protected.iter().find(|(syntax, setting)| match syntax {
            Syntax::Elements => {
                line.starts_with(&format!("<{}>", setting.name)) || line.starts_with(&format!("<{} ", setting.name))
            }
            _ => line.starts_with(&format!("{}=\"", setting.name)),
        }) else {
            continue;
        };
        let aliased = line.contains("svns:secretAlias=") || next.starts_with("svns:secretAlias=");
        let written = !password.secret_str().is_empty() && line.contains(password.secret_str());
        if !aliased || written {
            plain.push(Named {
                location: format!("{shown}:{}", number + 1),
                name: setting.name.to_owned(),
            });
        }
    }
    plain
}

/// The text of the file at `path`, or why not.
pub(super) fn read_text(tree: &Tree, path: &Path) -> Loaded<String> {
    let bytes = tree.read(path, Kind::Text).map_err(|e| match e.is_absent() {
        true => "is missing".to_owned(),
        false => format!("cannot be read: {e}"),
    })?;
    String::from_utf8(bytes.to_vec()).map_err(|_| "is not UTF-8 text".to_owned())
}

/// `path` under the tree's root.
fn at_root(tree: &Tree, path: &Path) -> PathBuf {
    match tree.root() {
        Some(root) => root.join(path),
        None => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_found_in_xml_attributes_and_secret_references_with_their_lines() {
        let text = "<a>\n<Password svns:secretAlias=\"Carbon.X\">password</Password>\npassword = \"$secret{k_p}\"\n";
        let found = references("f", text);
        let names: Vec<_> = found.iter().map(|n| (n.location.as_str(), n.name.as_str())).collect();
        assert_eq!(names, [("f:2 Carbon.X", "Carbon.X"), ("f:3 k_p", "k_p")]);
    }

    #[test]
    fn an_absolute_location_in_a_bundle_is_its_tail_the_bundle_holds() {
        let store = PathBuf::from("repository/resources/security/k.jks");
        let tree = Tree::Memory(vec![(store.clone(), zeroize::Zeroizing::new(vec![1]))]);
        let located = located(
            &tree,
            Layout::Placed,
            "/opt/wso2/es/repository/resources/security/k.jks",
        );
        assert_eq!(located, store);
        assert_eq!(located_flat(&tree), PathBuf::from("k.jks"));
    }

    fn located_flat(tree: &Tree) -> PathBuf {
        located(tree, Layout::Flat, "/opt/es/repository/resources/security/k.jks")
    }

    #[test]
    fn plain_values_are_known_without_a_key_and_others_are_left_unjudged() {
        let entries = vec![
            ("f:1 a".to_owned(), "a".to_owned(), "[pw]".to_owned()),
            ("f:2 b".to_owned(), "b".to_owned(), "AAAA".to_owned()),
        ];
        let secrets = decrypt_all(None, entries);
        assert!(matches!(secrets[0].outcome, Outcome::Plain));
        assert!(matches!(secrets[1].outcome, Outcome::Unjudged));
    }
}
