//! The cluster description, `iospki.toml`: every `init` option as a key, hosts per role, subject fields, validity
//! and first serials, and where the passwords come from (never the passwords themselves). Flags override it;
//! without it the defaults reproduce the documented cluster. Unknown keys and bad values are errors naming the
//! key and its line. A commented example is examples/iospki.toml.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::formats::alias::Alias;
use crate::formats::keystore::Format;
use crate::formats::keystore::pkcs12::Protection;
use crate::formats::subject::Subject;
use crate::io::input::{self, Kind};
use crate::model::cluster::{Hosts, Nodes};
use crate::model::defaults::KEY_BITS_RANGE;
use crate::model::product::{Layout, ProductChoice, ProductId};
use crate::model::settings::{Choices, PasswordSource, VaultCipher};
use crate::vocab::names::{HostName, NodeName, ServerHome};
use crate::vocab::roles::{ByRole, CertRole, HostGroupId, NodeRole};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    product: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    keystores: Option<Spanned<String>>,
    store_type: Option<Spanned<String>>,
    domain: Option<Spanned<String>>,
    out: Option<PathBuf>,
    ssl_alias: Option<Spanned<String>>,
    p12_profile: Option<Protection>,
    public_roots: Option<bool>,
    key_bits: Option<Spanned<u16>>,
    #[serde(default)]
    hosts: Lists,
    #[serde(default)]
    nodes: Lists,
    #[serde(default)]
    subject: RawSubject,
    #[serde(default)]
    passwords: RawPasswords,
    #[serde(default)]
    ca: RawCa,
    #[serde(default)]
    ra: RawLeaf,
    #[serde(default)]
    ssl: RawLeaf,
    #[serde(default)]
    secure_vault: RawSecureVault,
}

/// `[hosts]` or `[nodes]`: lists of names by key, each key and value with its place in the file. The keys are
/// checked against the host groups and node roles the library declares, then against the product's.
type Lists = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// The key of `[hosts]` that is not a host group: the SSL certificate's common name.
const SSL_CN: &str = "ssl_cn";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSubject {
    country: Option<Spanned<String>>,
    state: Option<Spanned<String>>,
    locality: Option<Spanned<String>>,
    organization: Option<Spanned<String>>,
    unit: Option<Spanned<String>>,
    email: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPasswords {
    store_file: Option<PathBuf>,
    store_env: Option<String>,
    key_file: Option<PathBuf>,
    key_env: Option<String>,
}

/// `[secure_vault]`: whether the server's files name Secure Vault aliases instead of holding passwords.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSecureVault {
    enabled: Option<bool>,
    server_home: Option<Spanned<String>>,
    cipher: Option<VaultCipher>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCa {
    days: Option<Spanned<u32>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLeaf {
    days: Option<Spanned<u32>>,
    serial: Option<Spanned<u64>>,
}

/// Reads and checks the cluster description at `path`.
pub fn load(path: &Path) -> Result<Choices> {
    load_for(path, ProductChoice::default())
}

/// Reads and checks the cluster description at `path` with the product the flags choose laid over the
/// description's ([`ProductChoice::over`]): its hosts and nodes are checked against that product's groups and
/// roles.
pub fn load_for(path: &Path, product: ProductChoice<'_>) -> Result<Choices> {
    let text = input::read_text(path, Kind::Text)?;
    parse_for(path, &text, product)
}

/// Checks the cluster description `text` as [`load_for`] does; `path` names it in messages, and the paths it
/// gives are relative to its directory.
pub fn parse_for(path: &Path, text: &str, product: ProductChoice<'_>) -> Result<Choices> {
    let at = Located { path, text };
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |span| at.line(span.start));
        at.error_at_line(line, toml_reason(e.message()))
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let resolve = |p: PathBuf| if p.is_relative() { base.join(p) } else { p };
    let product = at.product(product, &raw)?;
    let mut hosts = raw.hosts;
    let ssl_cn = hosts.remove_entry(SSL_CN);
    let mut choices = Choices {
        product,
        domain: raw.domain.map(|d| at.host(d, "domain")).transpose()?,
        ssl_common_name: ssl_cn.map(|(_, cn)| at.ssl_cn(cn)).transpose()?,
        ssl_alias: raw.ssl_alias.map(|a| at.alias(a)).transpose()?,
        out: raw.out.map(resolve),
        protection: raw.p12_profile,
        public_roots: raw.public_roots,
        secure_vault: raw.secure_vault.enabled,
        server_home: (raw.secure_vault.server_home)
            .map(|home| at.server_home(home))
            .transpose()?,
        vault_cipher: raw.secure_vault.cipher,
        key_bits: raw.key_bits.map(|b| at.bits(b)).transpose()?,
        subject: at.subject(raw.subject)?,
        store_password: at.source(
            raw.passwords.store_file.map(resolve),
            raw.passwords.store_env,
            "passwords.store",
        )?,
        key_password: at.source(
            raw.passwords.key_file.map(resolve),
            raw.passwords.key_env,
            "passwords.key",
        )?,
        ..Choices::default()
    };
    choices.hosts = at.hosts(hosts)?;
    choices.nodes = at.nodes(raw.nodes)?;
    at.cluster(&choices)?;
    let mut lines = ByRole::default();
    for (role, days) in [
        (CertRole::Ca, raw.ca.days),
        (CertRole::Ra, raw.ra.days),
        (CertRole::Ssl, raw.ssl.days),
    ] {
        if let Some(days) = days {
            lines.insert(role, at.line(days.span().start));
            choices.terms.days.insert(role, at.days(days, role)?);
        }
    }
    for (role, serial) in [(CertRole::Ra, raw.ra.serial), (CertRole::Ssl, raw.ssl.serial)] {
        if let Some(serial) = at.serial(serial, role)? {
            choices.terms.serials.insert(role, serial);
        }
    }
    at.nested(&choices, &lines)?;
    Ok(choices)
}

/// The deepest cluster description iospki reads: the toml crate's own limit on inline arrays and tables and on
/// dotted keys (each at most 80; a description nests 2). It checks it while parsing, before anything recurses.
pub const MAX_DEPTH: usize = 80;

/// toml's message, or for its recursion limit ("cannot recurse further", "recursion limit"), the message every
/// reader gives for too deep a file.
fn toml_reason(message: &str) -> String {
    if message.contains("recurs") {
        let too_deep = crate::vocab::nesting::TooDeep::Levels {
            limit: MAX_DEPTH,
            what: "cluster descriptions",
        };
        return too_deep.to_string();
    }
    message.trim().to_owned()
}

/// The entries of a table in the order the file gives them.
fn in_file_order(lists: Lists) -> Vec<(Spanned<String>, Spanned<toml::Value>)> {
    let mut entries: Vec<_> = lists.into_iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// The longest subject field (X.520's ub-organization-name and ub-organizational-unit-name).
const MAX_NAME_FIELD: usize = 64;

/// The longest emailAddress (PKCS #9's ub-emailaddress-length).
const MAX_EMAIL: usize = 255;

/// The key of a certificate role's table in the description: `ca`, `ra`, `ssl`.
fn table(role: CertRole) -> String {
    role.name().to_lowercase()
}

/// The file and its text, to name a line in messages.
struct Located<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Located<'_> {
    fn line(&self, offset: usize) -> usize {
        self.text
            .get(..offset)
            .map_or(1, |before| before.matches('\n').count() + 1)
    }

    fn error_at_line(&self, line: usize, reason: String) -> Error {
        Error::Config {
            path: self.path.to_path_buf(),
            line,
            reason,
        }
    }

    fn error<T>(&self, value: &Spanned<T>, key: &str, reason: String) -> Error {
        self.error_at_line(self.line(value.span().start), format!("{key}: {reason}"))
    }

    fn host(&self, value: Spanned<String>, key: &str) -> Result<HostName> {
        HostName::parse(value.get_ref()).map_err(|e| self.error(&value, key, e.to_string()))
    }

    /// The product the flags' `chosen` and the description's `product`, `version`, `keystores` and `store_type`
    /// make; an error names the description's key at fault, or its flag when the description does not give it.
    fn product(&self, chosen: ProductChoice<'_>, raw: &Raw) -> Result<Option<ProductId>> {
        let layout = raw
            .keystores
            .as_ref()
            .map(|v| self.named(v, "keystores", Layout::from_key, "separate or single"));
        let format = raw
            .store_type
            .as_ref()
            .map(|v| self.named(v, "store_type", Format::from_key, "jks or pkcs12"));
        let described = ProductChoice {
            key: raw.product.as_ref().map(|p| p.get_ref().as_str()),
            version: raw.version.as_ref().map(|v| v.get_ref().as_str()),
            layout: layout.transpose()?,
            format: format.transpose()?,
        };
        let flags_alone = chosen.key.is_some() && chosen.key != described.key;
        chosen.over(described).resolve().map_err(|e| {
            if flags_alone {
                return Error::invalid(format!("--{}", e.setting), e.reason);
            }
            let given = match e.setting {
                "version" => &raw.version,
                "keystores" => &raw.keystores,
                "store-type" => &raw.store_type,
                _ => &raw.product,
            };
            // A setting the description lacks is wanted by the product it names, on that line.
            match given.as_ref().or(raw.product.as_ref()) {
                Some(value) => self.error(value, &e.setting.replace('-', "_"), e.reason),
                None => Error::invalid(format!("--{}", e.setting), e.reason),
            }
        })
    }

    /// The choice `value` names by its key, or an error at `key` saying which there are.
    fn named<T>(
        &self,
        value: &Spanned<String>,
        key: &str,
        from_key: fn(&str) -> Option<T>,
        choices: &str,
    ) -> Result<T> {
        from_key(value.get_ref()).ok_or_else(|| {
            let reason = format!("'{}' is not one of {choices}", value.get_ref().escape_debug());
            self.error(value, key, reason)
        })
    }

    /// `[hosts] ssl_cn`.
    fn ssl_cn(&self, value: Spanned<toml::Value>) -> Result<HostName> {
        let key = format!("hosts.{SSL_CN}");
        let name = self.typed::<String>(value, &key)?;
        self.host(name, &key)
    }

    fn hosts(&self, raw: Lists) -> Result<Hosts> {
        let mut hosts = Hosts::default();
        let mut expected = vec![SSL_CN];
        expected.extend(HostGroupId::ALL.map(HostGroupId::key));
        for (key, value) in in_file_order(raw) {
            let group = HostGroupId::from_key(key.get_ref()).ok_or_else(|| self.unknown(&key, &expected))?;
            let key = format!("hosts.{}", group.key());
            let value = self.typed(value, &key)?;
            hosts.set(group, self.names(&value, &key, HostName::parse)?);
        }
        Ok(hosts)
    }

    fn nodes(&self, raw: Lists) -> Result<Nodes> {
        let mut nodes = Nodes::default();
        let expected = NodeRole::ALL.map(NodeRole::key);
        for (key, value) in in_file_order(raw) {
            let role = NodeRole::from_key(key.get_ref()).ok_or_else(|| self.unknown(&key, &expected))?;
            let key = format!("nodes.{}", role.key());
            let value = self.typed(value, &key)?;
            nodes.set(role, self.names(&value, &key, NodeName::parse)?);
        }
        Ok(nodes)
    }

    /// A key no table of this kind has, in the words serde uses for the other tables' unknown keys.
    fn unknown(&self, key: &Spanned<String>, expected: &[&str]) -> Error {
        let expected: Vec<String> = expected.iter().map(|k| format!("`{k}`")).collect();
        let reason = format!(
            "unknown field `{}`, expected one of {}",
            key.get_ref().escape_debug(),
            expected.join(", ")
        );
        self.error_at_line(self.line(key.span().start), reason)
    }

    /// The value at `key` as a `T`, or toml's words for what it is instead.
    fn typed<T: serde::de::DeserializeOwned>(&self, value: Spanned<toml::Value>, key: &str) -> Result<Spanned<T>> {
        let span = value.span();
        match value.get_ref().clone().try_into::<T>() {
            Ok(typed) => Ok(Spanned::new(span, typed)),
            Err(e) => Err(self.error(&value, key, e.message().trim().to_owned())),
        }
    }

    /// The names of the list `value` at `key`, each parsed by `parse`; at least one.
    fn names<T, E: std::fmt::Display>(
        &self,
        value: &Spanned<Vec<String>>,
        key: &str,
        parse: fn(&str) -> std::result::Result<T, E>,
    ) -> Result<Vec<T>> {
        if value.get_ref().is_empty() {
            return Err(self.error(value, key, "give at least one name, or leave the key out".into()));
        }
        value
            .get_ref()
            .iter()
            .map(|name| parse(name).map_err(|e| self.error(value, key, e.to_string())))
            .collect()
    }

    /// The hosts and nodes make a cluster of the product: the error names the line of the key at fault.
    fn cluster(&self, choices: &Choices) -> Result<()> {
        let Err(Error::InvalidOption { reason, .. }) = choices.settings() else {
            return Ok(());
        };
        let key = reason.split(':').next().unwrap_or_default();
        let line = match key.split_once('.') {
            Some((table, name)) => self.key_line(table, name),
            None => self.key_line(key, ""),
        };
        Err(self.error_at_line(line, reason))
    }

    /// The line of `name` in `[table]`, or of the table, or 1.
    fn key_line(&self, table: &str, name: &str) -> usize {
        let header = format!("[{table}]");
        let Some(start) = self.text.find(&header) else { return 1 };
        let after = &self.text[start..];
        let at = after
            .lines()
            .position(|line| !name.is_empty() && line.trim_start().starts_with(name))
            .map_or(start, |n| {
                start + after.lines().take(n).map(|l| l.len() + 1).sum::<usize>()
            });
        self.line(at)
    }

    fn server_home(&self, value: Spanned<String>) -> Result<ServerHome> {
        ServerHome::parse(value.get_ref()).map_err(|e| self.error(&value, "secure_vault.server_home", e))
    }

    fn alias(&self, value: Spanned<String>) -> Result<Alias> {
        Alias::chosen(value.get_ref()).map_err(|e| self.error(&value, "ssl_alias", e.to_string()))
    }

    fn bits(&self, value: Spanned<u16>) -> Result<u16> {
        let bits = *value.get_ref();
        if !KEY_BITS_RANGE.contains(&bits) {
            let (low, high) = (KEY_BITS_RANGE.start(), KEY_BITS_RANGE.end());
            return Err(self.error(&value, "key_bits", format!("{bits} is outside {low} to {high}")));
        }
        Ok(bits)
    }

    fn days(&self, value: Spanned<u32>, role: CertRole) -> Result<u32> {
        let days = *value.get_ref();
        match crate::model::settings::Term::check_days(role, days) {
            Ok(()) => Ok(days),
            Err(reason) => Err(self.error(&value, &format!("{}.days", table(role)), reason)),
        }
    }

    /// No certificate may outlive its issuer: Apple devices stop connecting when any certificate of the MDM
    /// server's chain expires. The error names the certificate's `days` line, or its issuer's when only that
    /// was given.
    fn nested(&self, choices: &Choices, lines: &ByRole<usize>) -> Result<()> {
        let settings = choices.settings()?;
        let product = settings.cluster.product();
        let days = |role| settings.issuance.term(role).map_or(0, |term| term.days);
        for spec in product.certificates {
            let Some(issuer) = spec.issuer else { continue };
            if days(spec.role) <= days(issuer) {
                continue;
            }
            let (key_role, line) = match (lines.get(spec.role), lines.get(issuer)) {
                (Some(line), _) => (spec.role, *line),
                (None, Some(line)) => (issuer, *line),
                (None, None) => continue,
            };
            let reason = format!(
                "{}.days: the {} certificate's {} days would outlive its {}'s {} days; a certificate must end \
                 with or before its issuer (Apple devices stop connecting when any certificate of the chain expires)",
                table(key_role),
                spec.role,
                days(spec.role),
                issuer,
                days(issuer),
            );
            return Err(self.error_at_line(line, reason));
        }
        Ok(())
    }

    fn serial(&self, value: Option<Spanned<u64>>, role: CertRole) -> Result<Option<u64>> {
        let Some(value) = value else { return Ok(None) };
        if *value.get_ref() == 0 {
            let key = format!("{}.serial", role.name().to_lowercase());
            return Err(self.error(&value, &key, "must be a positive number".into()));
        }
        Ok(Some(*value.get_ref()))
    }

    fn subject(&self, raw: RawSubject) -> Result<Subject> {
        let mut subject = Subject::default();
        if let Some(country) = raw.country {
            let code = country.get_ref();
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(self.error(
                    &country,
                    "subject.country",
                    format!("'{code}' is not a two-letter country code"),
                ));
            }
            subject.country = code.clone();
        }
        if let Some(email) = raw.email {
            let valid = email.get_ref().is_ascii() && email.get_ref().contains('@');
            if !valid || email.get_ref().len() > MAX_EMAIL || email.get_ref().chars().any(char::is_control) {
                return Err(self.error(
                    &email,
                    "subject.email",
                    format!("'{}' is not an ASCII e-mail address", email.get_ref()),
                ));
            }
            subject.email = email.into_inner();
        }
        for (field, value, key) in [
            (&mut subject.state, raw.state, "subject.state"),
            (&mut subject.locality, raw.locality, "subject.locality"),
            (&mut subject.organization, raw.organization, "subject.organization"),
            (&mut subject.unit, raw.unit, "subject.unit"),
        ] {
            if let Some(value) = value {
                *field = self.name_field(value, key)?;
            }
        }
        Ok(subject)
    }

    /// A subject field: 1 to 64 characters (X.520's bound for O and OU, which clients enforce), none of them a
    /// control character (they would reach terminals and logs through every tool that prints the subject).
    fn name_field(&self, value: Spanned<String>, key: &str) -> Result<String> {
        let text = value.get_ref();
        let length = text.chars().count();
        let reason = if length == 0 {
            "must not be empty; leave the key out for the default".to_owned()
        } else if length > MAX_NAME_FIELD {
            format!("has {length} characters; a subject field has at most {MAX_NAME_FIELD}")
        } else if let Some(c) = text.chars().find(|c| c.is_control()) {
            format!("has the control character U+{:04X}", u32::from(c))
        } else {
            return Ok(value.into_inner());
        };
        Err(self.error(&value, key, reason))
    }

    fn source(&self, file: Option<PathBuf>, env: Option<String>, key: &str) -> Result<Option<PasswordSource>> {
        match (file, env) {
            (Some(_), Some(_)) => {
                let line = self
                    .text
                    .find(&format!("{}_env", key.rsplit('.').next().unwrap_or(key)))
                    .map_or(1, |at| self.line(at));
                Err(self.error_at_line(line, format!("{key}_file and {key}_env: give one of them, not both")))
            }
            (Some(file), None) => Ok(Some(PasswordSource::File(file))),
            (None, Some(env)) => Ok(Some(PasswordSource::Env(env))),
            (None, None) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Choices> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iospki.toml");
        std::fs::write(&path, text).unwrap();
        load(&path).map(|mut file| {
            // Paths resolve against the temporary directory; keep only what the tests compare.
            file.out = file.out.map(|p| PathBuf::from(p.file_name().unwrap()));
            file
        })
    }

    #[test]
    fn empty_file_is_the_documented_cluster() {
        assert_eq!(load_text("").unwrap(), Choices::default());
    }

    #[test]
    fn every_section_is_read() {
        let file = load_text(
            "domain = \"Example.org\"\nssl_alias = \"nginx\"\np12_profile = \"modern\"\nkey_bits = 3072\nout = \"pki\"\n\
             [hosts]\nworkers = [\"w1.example.org\", \"w2.example.org\"]\n\
             [subject]\ncountry = \"LK\"\norganization = \"Example\"\n\
             [passwords]\nstore_env = \"STORE_PW\"\n[ca]\ndays = 730\n[ssl]\ndays = 397\nserial = 42\n",
        )
        .unwrap();
        assert_eq!(file.domain.as_ref().map(HostName::as_str), Some("example.org"));
        let workers: Vec<&str> = file
            .hosts
            .get(HostGroupId::Workers)
            .iter()
            .map(HostName::as_str)
            .collect();
        assert_eq!(workers, ["w1.example.org", "w2.example.org"]);
        assert_eq!(file.protection, Some(Protection::Modern));
        assert_eq!(file.subject.country, "LK");
        assert_eq!(file.subject.organization, "Example");
        assert_eq!(file.subject.unit, "CDM");
        assert_eq!(file.store_password, Some(PasswordSource::Env("STORE_PW".into())));
        let issuance = file.settings().unwrap().issuance;
        let term = |role| issuance.term(role).unwrap();
        assert_eq!(
            (
                term(CertRole::Ca).days,
                term(CertRole::Ssl).days,
                term(CertRole::Ssl).first_serial
            ),
            (730, 397, Some(42))
        );
        assert_eq!(term(CertRole::Ra).first_serial, Some(12_132_121_241_241));
        assert_eq!(file.out, Some(PathBuf::from("pki")));
    }

    #[test]
    fn secure_vault_is_read_and_its_server_home_checked_where_it_is() {
        let choices = load_text("[secure_vault]\nenabled = true\nserver_home = \"/opt/wso2/es/\"\n").unwrap();
        assert_eq!(choices.secure_vault, Some(true));
        assert_eq!(choices.server_home.unwrap().to_string(), "/opt/wso2/es");
        let text = "product = \"is\"\nversion = \"7.1\"\n[secure_vault]\nenabled = true\ncipher = \"symmetric\"\n";
        assert_eq!(load_text(text).unwrap().vault_cipher, Some(VaultCipher::Symmetric));
        let err = load_text("[secure_vault]\ncipher = \"aes\"\n").unwrap_err().to_string();
        assert!(err.contains(":2: ") && err.contains("aes"), "{err}");
        let err = load_text("[secure_vault]\nserver_home = \"opt\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(":2: secure_vault.server_home: 'opt' is not an absolute path"),
            "{err}"
        );
        let err = load_text("[secure_vault]\nserver_home = \"/opt\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("only Secure Vault's secret-conf.properties names the server home"),
            "{err}"
        );
    }

    #[test]
    fn more_hosts_than_iospki_takes_name_the_key_and_line() {
        let names: Vec<String> = (0..crate::model::cluster::MAX_HOSTS)
            .map(|i| format!("\"w{i}.example.org\""))
            .collect();
        let text = format!("domain = \"example.org\"\n[hosts]\nworkers = [{}]\n", names.join(", "));
        let err = load_text(&text).unwrap_err().to_string();
        assert!(
            err.ends_with(":3: hosts.workers: 1003 host names in all; iospki takes at most 1000"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_key_and_line() {
        let cases = [
            ("domain = \"x.org\"\ncolour = 1\n", ":2: unknown field `colour`"),
            ("[hosts]\nworker = [\"a.b\"]\n", ":2: unknown field `worker`"),
            ("[ca]\nserial = 5\n", ":2: unknown field `serial`"),
            (
                "[ssl]\ndays = 900\n",
                ":2: ssl.days: 900 exceeds Apple's limit of 825 days",
            ),
            (
                "\n\ndomain = \"not a host\"\n",
                ":3: domain: 'not a host' is not a DNS host name",
            ),
            ("key_bits = 1024\n", ":1: key_bits: 1024 is outside 2048 to 8192"),
            ("p12_profile = \"strong\"\n", ":1: unknown variant `strong`"),
            (
                "ssl_alias = \"WSO2\"\n",
                ":1: ssl_alias: 'WSO2' has upper-case letters; it must be a non-empty lower-case alias",
            ),
            (
                "[subject]\ncountry = \"Sri Lanka\"\n",
                ":2: subject.country: 'Sri Lanka' is not a two-letter country code",
            ),
            (
                "[passwords]\nstore_file = \"a\"\nstore_env = \"B\"\n",
                ":3: passwords.store_file and passwords.store_env: give one",
            ),
            (
                "[passwords]\nstore_password = \"secret\"\n",
                ":2: unknown field `store_password`",
            ),
            ("[hosts]\nworkers = []\n", ":2: hosts.workers: give at least one name"),
            (
                "product = \"esb\"\n",
                ":1: product: 'esb' is not one of iot, is, es, appm",
            ),
            (
                "product = \"es\"\n[hosts]\nstore = [\"s.example.org\"]\nmanager = [\"m.example.org\"]\n",
                ":4: hosts.manager: Enterprise Store has no such host group; its groups are publisher, store, extra",
            ),
            (
                "[nodes]\nmanager = [\"m1\"]\n",
                ":2: nodes.manager: IoT Server names its machines by their host names; give them in [hosts]",
            ),
            (
                "product = \"es\"\n[nodes]\nstore = [\"a\", \"a\"]\n",
                ":2: nodes: 'a' names two machines",
            ),
            (
                "product = \"es\"\n[nodes]\nstore = [\"A_1\"]\n",
                ":3: nodes.store: 'A_1' is not a node name",
            ),
            (
                "[ca]\ndays = 300\n",
                ":2: ca.days: the RA certificate's 730 days would outlive its CA's 300 days",
            ),
            (
                "[ca]\ndays = 800\n[ssl]\ndays = 825\n",
                ":4: ssl.days: the SSL certificate's 825 days would outlive its CA's 800 days",
            ),
            ("[ca]\ndays = 3000000\n", ":2: ca.days: 3000000 is more than 36500 days"),
            (
                "[subject]\norganization = \"Evil\\u001b[2J\"\n",
                ":2: subject.organization: has the control character U+001B",
            ),
            ("[subject]\nunit = \"\"\n", ":2: subject.unit: must not be empty"),
            (
                "\n[subject]\nstate = \"line\\nbreak\"\n",
                ":3: subject.state: has the control character U+000A",
            ),
            ("domain = \n", ":1:"),
        ];
        for (text, expected) in cases {
            let err = load_text(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
            assert!(!err.contains('\n'), "{text:?}: not one line: {err}");
        }
    }
}
