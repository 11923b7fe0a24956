//! The defaults iospki falls back to when neither a flag nor the cluster description sets a value, in one place.
//! Most are the documented script's; products add their own (host names) in [`crate::model::product`].

/// carbon.xml's `KeyStore/KeyAlias`: the alias of the SSL key in wso2carbon.jks.
pub const SSL_ALIAS: &str = "wso2carbon";

/// The password every WSO2 configuration assumes until the operator changes it.
pub const STORE_PASSWORD: &str = crate::io::secret::WSO2_DEFAULT_PASSWORD;

/// The size of the keys iospki generates, as the documented script's `openssl genrsa 4096`.
pub const KEY_BITS: u16 = 4096;

/// The smallest and largest key sizes iospki generates or accepts for generation.
pub const KEY_BITS_RANGE: std::ops::RangeInclusive<u16> = 2048..=8192;

/// Where `init` writes a set, and where `verify`, `rotate` and `bundle` look for one.
pub const OUT_DIR: &str = "output";

/// Where `bundle` writes.
pub const BUNDLE_DIR: &str = "bundles";

/// The window of `check`, `verify` and `rotate`: what expires within it is due.
pub const WITHIN: &str = "30d";

/// [`WITHIN`] in days.
pub const WITHIN_DAYS: u32 = 30;

/// The shortest validity iospki issues: longer than the window, so that a fresh certificate is never due and a
/// set verify passes the day it is made.
pub const MIN_DAYS: u32 = WITHIN_DAYS + 1;

/// The longest validity iospki issues: 100 years.
pub const MAX_DAYS: u32 = 36_500;

/// Apple's limit for TLS server certificates issued after 2019-07-01, in days (support.apple.com/103769).
pub const APPLE_MAX_DAYS: u32 = 825;
