//! The bytes of PKI: X.509 certificates and their profiles, RSA keys, JKS and PKCS#12 keystores, PEM, key
//! derivation and OIDs, each read and written without knowing any product. It may import `io`, `vocab`, `error`.

pub mod alias;
pub mod certinfo;
pub mod crypto;
pub mod issue;
pub mod kdf;
pub mod key;
pub mod keystore;
pub mod oid;
pub mod pem;
pub mod profile;
pub mod roots;
pub mod subject;
pub mod vault;
pub mod x509;
