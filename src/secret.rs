//! Passwords: zeroized on drop, elided from Debug, read from a file, the environment or a terminal.

use std::fmt;
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The password every WSO2 configuration assumes until the operator changes it.
pub const WSO2_DEFAULT_PASSWORD: &str = "wso2carbon";

/// Passwords that are published in vendor documentation and so protect nothing.
pub const WELL_KNOWN_PASSWORDS: [&str; 2] = [WSO2_DEFAULT_PASSWORD, "changeit"];

/// A password. Its text is reached only through [`Password::secret_str`], so every use is greppable.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a password given as text.
    pub fn new(text: impl Into<String>) -> Self {
        Password(Zeroizing::new(text.into()))
    }

    /// Reads a password from `path`, which holds it on one line: a final `\n` or `\r\n` and a leading UTF-8
    /// byte order mark (which editors add) are not part of it; a second line is refused, not ignored. `path` may
    /// be a FIFO or pipe (`<(pass show wso2)`), or `-` for standard input (see [`crate::input::read_password`]).
    pub fn from_file(path: &Path) -> Result<Self> {
        let bytes = crate::input::read_password(path)?;
        let source_name = Self::file_name(path);
        let text = std::str::from_utf8(&bytes).map_err(|_| Error::Password {
            source_name: source_name.clone(),
            reason: "password file is not UTF-8 text".into(),
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let line = text.strip_suffix('\n').unwrap_or(text);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.contains('\n') {
            return Err(Error::Password {
                source_name,
                reason: "password file has more than one line; put the password alone on one line".into(),
            });
        }
        Self::checked(line, &source_name)
    }

    /// The password file `path` as messages name it: `-` is standard input.
    pub fn file_name(path: &Path) -> String {
        if path == Path::new(crate::input::STDIN) {
            "standard input".into()
        } else {
            path.display().to_string()
        }
    }

    /// Reads a password from the environment variable `name`, if it is set.
    pub fn from_env(name: &str) -> Result<Option<Self>> {
        match std::env::var(name) {
            Ok(text) => Self::checked(&Zeroizing::new(text), name).map(Some),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::Password {
                source_name: name.into(),
                reason: "environment variable is not valid Unicode".into(),
            }),
        }
    }

    fn checked(text: &str, source_name: &str) -> Result<Self> {
        if text.is_empty() {
            return Err(Error::Password {
                source_name: source_name.into(),
                reason: "password is empty".into(),
            });
        }
        if text.contains(['\n', '\0']) {
            return Err(Error::Password {
                source_name: source_name.into(),
                reason: "password has a line break or NUL inside it".into(),
            });
        }
        Ok(Self::new(text))
    }

    /// The first control character of the password, if it has one: XML 1.0 cannot carry most of them, and
    /// parsers turn `\r` and tabs in attributes into other characters, so a configuration file would not give
    /// the password back.
    pub fn control_character(&self) -> Option<char> {
        self.0.chars().find(|c| c.is_control())
    }

    /// The password's text.
    pub fn secret_str(&self) -> &str {
        &self.0
    }

    /// The password as Java's `char[]` in big-endian bytes, as JKS hashes it.
    pub fn secret_utf16_be(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.encode_utf16().flat_map(u16::to_be_bytes).collect())
    }

    /// Whether this is a password published in vendor documentation (wso2carbon, changeit).
    pub fn is_well_known(&self) -> bool {
        WELL_KNOWN_PASSWORDS.contains(&self.secret_str())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([secret elided])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_elides_the_password() {
        let shown = format!("{:?}", Password::new("hunter2"));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("[secret elided]"));
    }

    #[test]
    fn file_password_loses_only_its_line_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "pässwörd \r\n").unwrap();
        assert_eq!(Password::from_file(&path).unwrap().secret_str(), "pässwörd ");
    }

    #[test]
    fn empty_password_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "\n").unwrap();
        let err = Password::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("password is empty"), "{err}");
    }

    #[test]
    fn utf16_is_big_endian_code_units() {
        let bytes = Password::new("a\u{e9}\u{1F600}").secret_utf16_be();
        assert_eq!(&bytes[..], &[0, 0x61, 0, 0xe9, 0xd8, 0x3d, 0xde, 0x00]);
    }
}
