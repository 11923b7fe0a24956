//! Keystore aliases: one policy for every alias iospki writes, reads or looks up.
//!
//! Java's JKS and PKCS12 keystores keep aliases in lower case and compare them without regard to case; a
//! mixed-case alias is written but some readers never find it again. So an alias a store holds is kept in lower
//! case, as Java keeps it, and an alias the operator chooses for iospki to write must already be lower case, so
//! that carbon.xml's `KeyAlias` says exactly what the store holds.

use std::fmt;

/// The longest alias iospki accepts (JKS itself allows 65535 bytes of modified UTF-8).
const MAX_CHARS: usize = 255;

/// A keystore alias in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Alias(String);

/// Why a text cannot be an alias.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AliasError {
    /// Nothing at all.
    #[error("must be a non-empty lower-case alias, as Java keystores keep them")]
    Empty,
    /// More than [`MAX_CHARS`] characters.
    #[error("an alias of {0} characters is too long (at most 255)")]
    TooLong(usize),
    /// A control character inside.
    #[error("'{0}' is not a usable keystore alias (it holds a control character)")]
    Control(String),
    /// An alias the operator chose with upper-case letters in it.
    #[error(
        "'{0}' has upper-case letters; it must be a non-empty lower-case alias, as Java keystores keep them: \
         use '{lower}' here and in carbon.xml", lower = .0.to_lowercase()
    )]
    UpperCase(String),
    /// An alias the operator chose with white space at its start or end.
    #[error(
        "'{0}' starts or ends with white space, which WSO2 trims from carbon.xml's KeyAlias before it looks the \
         alias up: use '{trimmed}'", trimmed = .0.trim()
    )]
    Padded(String),
}

impl Alias {
    /// An alias as a store or a configuration names it, in lower case as Java compares it. The empty alias is
    /// one: Java lists a PKCS#12 key whose friendlyName is empty under it, and finds it by `""`.
    pub fn found(text: &str) -> Result<Alias, AliasError> {
        let count = text.chars().count();
        if count > MAX_CHARS {
            return Err(AliasError::TooLong(count));
        }
        if text.chars().any(char::is_control) {
            return Err(AliasError::Control(text.escape_debug().to_string()));
        }
        Ok(Alias(text.to_lowercase()))
    }

    /// An alias the operator chose for iospki to write: as [`Alias::found`], not empty, and already in lower case.
    pub fn chosen(text: &str) -> Result<Alias, AliasError> {
        if text.is_empty() {
            return Err(AliasError::Empty);
        }
        let alias = Self::found(text)?;
        if alias.0.trim() != alias.0 {
            return Err(AliasError::Padded(text.to_owned()));
        }
        if alias.0 != text {
            return Err(AliasError::UpperCase(text.to_owned()));
        }
        Ok(alias)
    }

    /// The alias text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Alias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Alias {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_aliases_are_lower_cased_as_java_does() {
        assert_eq!(Alias::found("CACert").unwrap().as_str(), "cacert");
    }

    #[test]
    fn chosen_aliases_must_already_be_lower_case() {
        assert_eq!(Alias::chosen("wso2carbon").unwrap().as_str(), "wso2carbon");
        let err = Alias::chosen("WSO2Carbon").unwrap_err().to_string();
        assert!(
            err.contains("'WSO2Carbon' has upper-case letters") && err.contains("use 'wso2carbon'"),
            "{err}"
        );
    }

    #[test]
    fn chosen_aliases_must_not_be_padded_with_white_space() {
        let err = Alias::chosen(" wso2carbon ").unwrap_err().to_string();
        assert!(
            err.contains("starts or ends with white space") && err.contains("use 'wso2carbon'"),
            "{err}"
        );
        assert!(matches!(Alias::chosen("wso2carbon\u{a0}"), Err(AliasError::Padded(_))));
    }

    #[test]
    fn empty_is_found_but_not_chosen_and_long_and_control_characters_are_refused() {
        assert_eq!(Alias::chosen(""), Err(AliasError::Empty));
        assert_eq!(Alias::found("").unwrap().as_str(), "");
        assert_eq!(Alias::found(&"a".repeat(256)), Err(AliasError::TooLong(256)));
        let err = Alias::found("a\nb").unwrap_err().to_string();
        assert!(err.contains("a\\nb"), "{err}");
    }
}
