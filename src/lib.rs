//! iospki: the PKI of a clustered WSO2 / Entgra IoT Server with iOS support, in pure Rust.
//!
//! It replaces the openssl + keytool script of the clustering guide: from the nginx key it makes the SCEP
//! CA, the RA and the SSL certificates, the PKCS#12 files, real JKS keystores (readable by every Java 8)
//! and the WSO2 XML that names them; and the same for the other Carbon 4.4 products of the guides and for
//! Identity Server 7 and API Manager 4 (deployment.toml).
//!
//! Each command is one operation of [`ops`] taking a request and returning a report (`ops::init::run`,
//! `ops::rotate::run`, ...), over pure plans that touch no file. Here `init`'s plan, built in memory:
//!
//! ```
//! use iospki::formats::key;
//! use iospki::io::secret::Password;
//! use iospki::model::settings::Choices;
//! use iospki::ops::init;
//! use iospki::vocab::roles::CertRole;
//!
//! # fn main() -> iospki::error::Result<()> {
//! // The throwaway demo key shipped with iospki stands in for nginx's key.
//! let nginx_key = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-throwaway-iots310_wso2_com.key");
//! let ca_key = key::load(nginx_key.as_ref(), || Ok(Password::new("asked only for encrypted keys")))?;
//! let options = init::InitOptions::new(Choices::default().settings()?, Password::new("a password of your own"));
//! let product = options.settings.cluster.product();
//! let keys = init::generate_keys(product, [(CertRole::Ca, ca_key)].into_iter().collect(), 2048)?;
//! // Everything is built in memory; `outcome.set.plan().publish(dir, force)` writes it atomically.
//! let outcome = init::plan(&options, &keys, None, None, iospki::formats::issue::now())?;
//! assert_eq!(outcome.set.files().len(), 22);
//! assert_eq!(outcome.issued[1].serial_hex, "0B08BAC6E699");
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod formats;
#[doc(hidden)]
pub mod fuzzing;
pub mod io;
pub mod model;
pub mod ops;
pub mod vocab;
pub mod wso2;

#[cfg(test)]
mod test_keys {
    use crate::formats::key::{RsaKey, load};

    /// The throwaway demo key shipped in examples/, RSA-2048.
    pub fn ca() -> RsaKey {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/demo-throwaway-iots310_wso2_com.key"
        );
        load(path.as_ref(), || panic!("the demo key is not encrypted")).unwrap()
    }
}
