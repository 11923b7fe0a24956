//! The cluster description, `iospki.toml`: every `init` option as a key, hosts per role, subject fields, validity
//! and first serials, and where the passwords come from (never the passwords themselves). Flags override it;
//! without it the defaults reproduce the documented cluster. Unknown keys and bad values are errors naming the
//! key and its line. A commented example is examples/iospki.toml.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::cluster::{Hosts, valid_host};
use crate::error::{Error, Result};
use crate::init::Issuance;
use crate::keystore::pkcs12::Protection;
use crate::subject::Subject;

/// Apple's limit for TLS server certificates, in days.
const APPLE_MAX_DAYS: u32 = 825;

/// Where a password comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// The first line of a file.
    File(PathBuf),
    /// An environment variable.
    Env(String),
}

/// A cluster description, checked, with paths resolved against the file's directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterFile {
    /// `domain`.
    pub domain: Option<String>,
    /// `hosts.ssl_cn`.
    pub ssl_common_name: Option<String>,
    /// `hosts.workers`, `hosts.gateway`, `hosts.manager`, `hosts.key_managers`.
    pub hosts: Hosts,
    /// `ssl_alias`.
    pub ssl_alias: Option<String>,
    /// `out`.
    pub out: Option<PathBuf>,
    /// `p12_profile`.
    pub protection: Option<Protection>,
    /// `key_bits`.
    pub key_bits: Option<u16>,
    /// `[subject]`, over the documented subject.
    pub subject: Subject,
    /// `[ca]`, `[ra]`, `[ssl]` days and serials, over the documented ones.
    pub issuance: Issuance,
    /// `passwords.store_file` or `passwords.store_env`.
    pub store_password: Option<PasswordSource>,
    /// `passwords.key_file` or `passwords.key_env`.
    pub key_password: Option<PasswordSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    domain: Option<Spanned<String>>,
    out: Option<PathBuf>,
    ssl_alias: Option<Spanned<String>>,
    p12_profile: Option<Protection>,
    key_bits: Option<Spanned<u16>>,
    #[serde(default)]
    hosts: RawHosts,
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
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHosts {
    ssl_cn: Option<Spanned<String>>,
    workers: Option<Spanned<Vec<String>>>,
    gateway: Option<Spanned<Vec<String>>>,
    manager: Option<Spanned<Vec<String>>>,
    key_managers: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSubject {
    country: Option<Spanned<String>>,
    state: Option<String>,
    locality: Option<String>,
    organization: Option<String>,
    unit: Option<String>,
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
pub fn load(path: &Path) -> Result<ClusterFile> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let at = Located { path, text: &text };
    let raw: Raw = toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(1, |span| at.line(span.start));
        at.error_at_line(line, e.message().trim().to_owned())
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let resolve = |p: PathBuf| if p.is_relative() { base.join(p) } else { p };
    let mut file = ClusterFile {
        domain: raw.domain.map(|d| at.host(d, "domain")).transpose()?,
        ssl_common_name: raw.hosts.ssl_cn.map(|cn| at.host(cn, "hosts.ssl_cn")).transpose()?,
        hosts: Hosts {
            workers: at.hosts(raw.hosts.workers, "hosts.workers")?,
            gateway: at.hosts(raw.hosts.gateway, "hosts.gateway")?,
            manager: at.hosts(raw.hosts.manager, "hosts.manager")?,
            key_managers: at.hosts(raw.hosts.key_managers, "hosts.key_managers")?,
        },
        ssl_alias: raw.ssl_alias.map(|a| at.alias(a)).transpose()?,
        out: raw.out.map(resolve),
        protection: raw.p12_profile,
        key_bits: raw.key_bits.map(|b| at.bits(b)).transpose()?,
        subject: at.subject(raw.subject)?,
        issuance: Issuance::default(),
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
    };
    let issuance = &mut file.issuance;
    at.days(raw.ca.days, "ca.days", u32::MAX, &mut issuance.ca_days)?;
    at.days(raw.ra.days, "ra.days", u32::MAX, &mut issuance.ra_days)?;
    at.days(raw.ssl.days, "ssl.days", APPLE_MAX_DAYS, &mut issuance.ssl_days)?;
    at.serial(raw.ra.serial, "ra.serial", &mut issuance.ra_serial)?;
    at.serial(raw.ssl.serial, "ssl.serial", &mut issuance.ssl_serial)?;
    Ok(file)
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

    fn host(&self, value: Spanned<String>, key: &str) -> Result<String> {
        valid_host(value.get_ref())
            .ok_or_else(|| self.error(&value, key, format!("'{}' is not a DNS host name", value.get_ref())))
    }

    fn hosts(&self, value: Option<Spanned<Vec<String>>>, key: &str) -> Result<Vec<String>> {
        let Some(value) = value else { return Ok(Vec::new()) };
        if value.get_ref().is_empty() {
            return Err(self.error(&value, key, "give at least one host, or leave the key out".into()));
        }
        value
            .get_ref()
            .iter()
            .map(|h| valid_host(h).ok_or_else(|| self.error(&value, key, format!("'{h}' is not a DNS host name"))))
            .collect()
    }

    fn alias(&self, value: Spanned<String>) -> Result<String> {
        let alias = value.get_ref();
        if alias.is_empty() || *alias != alias.to_lowercase() {
            let reason = format!("'{alias}' must be a non-empty lower-case alias, as Java keystores keep them");
            return Err(self.error(&value, "ssl_alias", reason));
        }
        Ok(alias.clone())
    }

    fn bits(&self, value: Spanned<u16>) -> Result<u16> {
        let bits = *value.get_ref();
        if !(2048..=8192).contains(&bits) {
            return Err(self.error(&value, "key_bits", format!("{bits} is outside 2048 to 8192")));
        }
        Ok(bits)
    }

    fn days(&self, value: Option<Spanned<u32>>, key: &str, max: u32, into: &mut u32) -> Result<()> {
        let Some(value) = value else { return Ok(()) };
        let days = *value.get_ref();
        if days == 0 || days > max {
            let reason = if days == 0 {
                "must be at least 1".to_owned()
            } else {
                format!("{days} exceeds Apple's limit of {max} days for TLS server certificates")
            };
            return Err(self.error(&value, key, reason));
        }
        *into = days;
        Ok(())
    }

    fn serial(&self, value: Option<Spanned<u64>>, key: &str, into: &mut u64) -> Result<()> {
        let Some(value) = value else { return Ok(()) };
        if *value.get_ref() == 0 {
            return Err(self.error(&value, key, "must be a positive number".into()));
        }
        *into = *value.get_ref();
        Ok(())
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
            if !email.get_ref().is_ascii() || !email.get_ref().contains('@') {
                return Err(self.error(
                    &email,
                    "subject.email",
                    format!("'{}' is not an ASCII e-mail address", email.get_ref()),
                ));
            }
            subject.email = email.into_inner();
        }
        for (field, value) in [
            (&mut subject.state, raw.state),
            (&mut subject.locality, raw.locality),
            (&mut subject.organization, raw.organization),
            (&mut subject.unit, raw.unit),
        ] {
            if let Some(value) = value {
                *field = value;
            }
        }
        Ok(subject)
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

    fn load_text(text: &str) -> Result<ClusterFile> {
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
        assert_eq!(load_text("").unwrap(), ClusterFile::default());
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
        assert_eq!(file.domain.as_deref(), Some("example.org"));
        assert_eq!(file.hosts.workers, ["w1.example.org", "w2.example.org"]);
        assert_eq!(file.protection, Some(Protection::Modern));
        assert_eq!(file.subject.country, "LK");
        assert_eq!(file.subject.organization, "Example");
        assert_eq!(file.subject.unit, "CDM");
        assert_eq!(file.store_password, Some(PasswordSource::Env("STORE_PW".into())));
        assert_eq!(
            (file.issuance.ca_days, file.issuance.ssl_days, file.issuance.ssl_serial),
            (730, 397, 42)
        );
        assert_eq!(file.issuance.ra_serial, 12_132_121_241_241);
        assert_eq!(file.out, Some(PathBuf::from("pki")));
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
                ":1: ssl_alias: 'WSO2' must be a non-empty lower-case alias",
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
            ("[hosts]\nworkers = []\n", ":2: hosts.workers: give at least one host"),
            ("domain = \n", ":1:"),
        ];
        for (text, expected) in cases {
            let err = load_text(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
            assert!(!err.contains('\n'), "{text:?}: not one line: {err}");
        }
    }
}
