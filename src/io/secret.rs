//! Passwords and symmetric keys: zeroized on drop, elided from Debug; passwords read from a file, the environment
//! or a terminal.

use std::fmt;
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The password every WSO2 configuration assumes until the operator changes it.
pub const WSO2_DEFAULT_PASSWORD: &str = "wso2carbon";

/// Passwords that are published in vendor documentation and so protect nothing.
pub const WELL_KNOWN_PASSWORDS: [&str; 2] = [WSO2_DEFAULT_PASSWORD, "changeit"];

/// A password, and where it came from (a file, an environment variable, the terminal) for messages. Its text is
/// reached only through [`Password::secret_str`], so every use is greppable.
#[derive(Clone)]
pub struct Password {
    text: Zeroizing<String>,
    origin: String,
}

/// Two passwords are equal when their texts are, wherever they came from.
impl PartialEq for Password {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Password {}

impl Password {
    /// Wraps a password given as text.
    pub fn new(text: impl Into<String>) -> Self {
        Self::from_origin(text, "the store password")
    }

    /// Wraps a password that came from `origin` (a file name, an environment variable, "the terminal").
    pub fn from_origin(text: impl Into<String>, origin: impl Into<String>) -> Self {
        Password {
            text: Zeroizing::new(text.into()),
            origin: origin.into(),
        }
    }

    /// Where the password came from, as messages name it.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Reads a password from `path`, which holds it on one line: a final `\n` or `\r\n` and a leading UTF-8
    /// byte order mark (which editors add) are not part of it; a second line is refused, not ignored. `path` may
    /// be a FIFO or pipe (`<(pass show wso2)`), or `-` for standard input (see [`crate::io::input::read_password`]).
    pub fn from_file(path: &Path) -> Result<Self> {
        Self::read_file(path, Empty::Refused)
    }

    /// A password to open an existing store with, read as [`Password::from_file`] reads it except that an empty
    /// line is the empty password: Java opens stores with `""`, and reading one changes nothing.
    pub fn to_open_from_file(path: &Path) -> Result<Self> {
        Self::read_file(path, Empty::Allowed)
    }

    fn read_file(path: &Path, empty: Empty) -> Result<Self> {
        let bytes = crate::io::input::read_password(path)?;
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
        Self::checked(line, &source_name, empty)
    }

    /// The password file `path` as messages name it: `-` is standard input.
    pub fn file_name(path: &Path) -> String {
        if path == Path::new(crate::io::input::STDIN) {
            "standard input".into()
        } else {
            path.display().to_string()
        }
    }

    /// Reads a password from the environment variable `name`, if it is set.
    pub fn from_env(name: &str) -> Result<Option<Self>> {
        Self::read_env(name, Empty::Refused)
    }

    /// A password to open an existing store with, from the environment variable `name` if it is set; set and
    /// empty is the empty password (see [`Password::to_open_from_file`]).
    pub fn to_open_from_env(name: &str) -> Result<Option<Self>> {
        Self::read_env(name, Empty::Allowed)
    }

    fn read_env(name: &str, empty: Empty) -> Result<Option<Self>> {
        match std::env::var(name) {
            Ok(text) => Self::checked(&Zeroizing::new(text), name, empty).map(Some),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::Password {
                source_name: name.into(),
                reason: "environment variable is not valid Unicode".into(),
            }),
        }
    }

    /// `text` from `source_name`, unless it holds a line break or NUL, which no source can give back, or is empty
    /// where `empty` refuses that.
    pub fn checked(text: &str, source_name: &str, empty: Empty) -> Result<Self> {
        if text.is_empty() && empty == Empty::Refused {
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
        Ok(Self::from_origin(text, source_name))
    }

    /// Refuses, naming where it came from, a password iospki could not write into its configuration files and
    /// stores and have the server read back: the one rule for every password iospki writes.
    pub fn check_writable(&self) -> Result<()> {
        match unwritable(self.secret_str()) {
            Some(reason) => Err(Error::Password {
                source_name: self.origin.clone(),
                reason,
            }),
            None => Ok(()),
        }
    }

    /// The password's text.
    pub fn secret_str(&self) -> &str {
        &self.text
    }

    /// The password as Java's `char[]` in big-endian bytes, as JKS hashes it.
    pub fn secret_utf16_be(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.text.encode_utf16().flat_map(u16::to_be_bytes).collect())
    }

    /// Whether this is the empty password, which some stores are written with and which protects nothing.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Whether this is a password published in vendor documentation (wso2carbon, changeit).
    pub fn is_well_known(&self) -> bool {
        WELL_KNOWN_PASSWORDS.contains(&self.secret_str())
    }
}

/// Whether a password source may give the empty password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// No: a new store or key would be protected by nothing.
    Refused,
    /// Yes: an existing store is opened with it, as Java opens one.
    Allowed,
}

/// Why `text` cannot be a password in the set's XML (XML 1.0's Char production; control characters besides,
/// which parsers turn into other characters or which reach terminals) and PKCS#12 stores (a BMPString), if it
/// cannot.
fn unwritable(text: &str) -> Option<String> {
    let choose = "; choose another";
    if let Some(c) = text.chars().find(|&c| c.is_control() || !is_xml_char(c)) {
        let code = u32::from(c);
        let why = if c.is_control() {
            "the control character"
        } else {
            "the character"
        };
        return Some(format!(
            "has {why} U+{code:04X}, which the configuration files cannot give back to the server (XML 1.0){choose}"
        ));
    }
    if let Some(c) = text.chars().find(|&c| u32::from(c) > 0xFFFF) {
        return Some(format!(
            "has U+{:X}, beyond U+FFFF, which a PKCS#12 password (BMPString) cannot hold{choose}",
            u32::from(c)
        ));
    }
    if text.trim() != text {
        return Some(format!(
            "begins or ends with white space, which the server trims when it reads it from XML{choose}"
        ));
    }
    None
}

/// XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] (a Rust
/// `char` is never a surrogate).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([secret elided])")
    }
}

/// The `[encryption] key` IS 7.1's default.json ships, published with the product: it protects nothing.
pub const PUBLISHED_ENCRYPTION_KEY: &str = "03BAFEB27A8E871CAD83C5CD4E771DAB";

/// An AES-128 key: deployment.toml's `[encryption] key` (SymmetricKeyInternalCryptoProvider, AES/GCM), 16 bytes
/// written as 32 hexadecimal characters, or Secure Vault's symmetric key, a secret-key entry of a PKCS#12 store.
/// Every node of a cluster needs the same one, and data encrypted with it is unreadable under any other.
#[derive(Clone, PartialEq, Eq)]
pub struct SymmetricKey(Zeroizing<[u8; 16]>);

impl SymmetricKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> SymmetricKey {
        use rand::RngExt;
        let mut key = Zeroizing::new([0u8; 16]);
        rand::rng().fill(&mut key[..]);
        SymmetricKey(key)
    }

    /// The key `hex` writes (32 hexadecimal characters, either case).
    pub fn from_hex(hex: &str) -> Option<SymmetricKey> {
        if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut key = Zeroizing::new([0u8; 16]);
        for (byte, pair) in key.iter_mut().zip(hex.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(pair, 16).ok()?;
        }
        Some(SymmetricKey(key))
    }

    /// The key of the 16 bytes `bytes`, as a keystore's secret-key entry holds it.
    pub fn from_bytes(bytes: &[u8]) -> Option<SymmetricKey> {
        let key: [u8; 16] = bytes.try_into().ok()?;
        Some(SymmetricKey(Zeroizing::new(key)))
    }

    /// The key's bytes.
    pub fn secret_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The key as deployment.toml writes it: 32 upper-case hexadecimal characters.
    pub fn secret_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(self.0.iter().map(|b| format!("{b:02X}")).collect())
    }

    /// Whether it is the key the product publishes ([`PUBLISHED_ENCRYPTION_KEY`]).
    pub fn is_published(&self) -> bool {
        SymmetricKey::from_hex(PUBLISHED_ENCRYPTION_KEY).is_some_and(|published| published == *self)
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SymmetricKey([elided])")
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
        assert!(Password::to_open_from_file(&path).unwrap().is_empty());
    }

    #[test]
    fn passwords_xml_or_a_bmpstring_cannot_carry_are_refused_naming_their_origin() {
        let refused = |text: &str| {
            let err = Password::from_origin(text, "pw.txt").check_writable().unwrap_err();
            err.to_string()
        };
        for (text, reason) in [
            (
                "a\u{FFFE}b",
                "pw.txt: has the character U+FFFE, which the configuration files cannot",
            ),
            ("a\u{FFFF}", "pw.txt: has the character U+FFFF"),
            ("a\u{1}b", "pw.txt: has the control character U+0001"),
            ("a\tb", "pw.txt: has the control character U+0009"),
            ("a\u{85}b", "pw.txt: has the control character U+0085"),
            (
                "\u{1F600}",
                "pw.txt: has U+1F600, beyond U+FFFF, which a PKCS#12 password (BMPString) cannot hold",
            ),
            (" a", "pw.txt: begins or ends with white space"),
            ("a\u{3000}", "pw.txt: begins or ends with white space"),
        ] {
            let err = refused(text);
            assert!(err.starts_with(reason), "{text:?}: {err}");
        }
        for fine in ["pässwörd", "a b", "\u{E000}\u{FFFD}\u{D7FF}", "<&>\"'"] {
            assert!(Password::new(fine).check_writable().is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn a_password_file_that_is_not_utf8_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, b"pass\xff\xfeword\n").unwrap();
        let err = Password::from_file(&path).unwrap_err().to_string();
        assert_eq!(err, format!("{}: password file is not UTF-8 text", path.display()));
    }

    #[test]
    fn utf16_is_big_endian_code_units() {
        let bytes = Password::new("a\u{e9}\u{1F600}").secret_utf16_be();
        assert_eq!(&bytes[..], &[0, 0x61, 0, 0xe9, 0xd8, 0x3d, 0xde, 0x00]);
    }

    #[test]
    fn symmetric_keys_are_random_written_as_hex_and_the_published_one_is_known() {
        let key = SymmetricKey::generate();
        assert_ne!(key, SymmetricKey::generate());
        let hex = key.secret_hex();
        assert_eq!(hex.len(), 32);
        assert_eq!(SymmetricKey::from_hex(&hex.to_lowercase()), Some(key.clone()));
        assert!(!key.is_published());
        assert!(SymmetricKey::from_hex(PUBLISHED_ENCRYPTION_KEY).unwrap().is_published());
        for bad in [
            "",
            "03BAFEB27A8E871CAD83C5CD4E771DA",
            "03BAFEB27A8E871CAD83C5CD4E771DAG",
            "é3BAFEB27A8E871CAD83C5CD4E771DA",
        ] {
            assert!(SymmetricKey::from_hex(bad).is_none(), "{bad}");
        }
        assert_eq!(format!("{key:?}"), "SymmetricKey([elided])");
    }
}
