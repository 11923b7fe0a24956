//! The error types of the library: [`Error`] for everything, [`StoreError`] for what a keystore codec says,
//! [`KeyGenerationError`] for why RSA keys could not be made.
//!
//! Messages are lowercase, without a trailing period, and name the file or alias involved so that the
//! binary can print them as they are: `iospki: <message>`. They name settings, never command-line flags: the
//! binary knows which flag set what, and adds that.

use std::path::PathBuf;

/// Everything that can go wrong in iospki's library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read, written or moved.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// A private key could not be used; `reason` says why and what to do.
    #[error("{}: {reason}", path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// Why the key was refused.
        reason: String,
    },

    /// A password could not be read from its source.
    #[error("{source_name}: {reason}")]
    Password {
        /// Where the password was to come from (a file name or an environment variable).
        source_name: String,
        /// Why it could not be used.
        reason: String,
    },

    /// A setting has a value iospki cannot use.
    #[error("{option}: {reason}")]
    InvalidOption {
        /// The setting, as the caller names it (a flag, or a key of the cluster description).
        option: String,
        /// Why the value is refused.
        reason: String,
    },

    /// The product's CA is a key the operator gives (IoT Server: nginx's), and none was given.
    #[error("the {product} set's CA is nginx's private key, and none was given")]
    CaKeyNeeded {
        /// The product, as messages name it.
        product: &'static str,
    },

    /// The stores to merge from are the output directory's own: they are only read, and the output replaces them.
    #[error("{}: the stores to merge from are in the output directory itself", path.display())]
    MergeIntoItself {
        /// The directory.
        path: PathBuf,
    },

    /// The output directory already holds a set that must not be replaced silently.
    #[error("{}: already holds iospki's files ({existing})", path.display())]
    OutputExists {
        /// The output directory.
        path: PathBuf,
        /// Some of the files found there.
        existing: String,
    },

    /// The cluster description has an unknown key or a bad value.
    #[error("{}:{line}: {reason}", path.display())]
    Config {
        /// The description file.
        path: PathBuf,
        /// The line of the key.
        line: usize,
        /// The key and what is wrong with its value.
        reason: String,
    },

    /// A file is not something iospki can read; `reason` says why.
    #[error("{}: {reason}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        reason: String,
    },

    /// A file to be written exists and must not be replaced silently.
    #[error("{}: file exists", path.display())]
    FileExists {
        /// The file.
        path: PathBuf,
    },

    /// A certificate could not be built or signed.
    #[error("cannot issue the {profile} certificate: {reason}")]
    Issue {
        /// The profile being issued (CA, RA, SSL).
        profile: &'static str,
        /// The underlying problem.
        reason: String,
    },

    /// A file is not well-formed in the format it claims (its PEM armour, say).
    #[error("{}: malformed {format}: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The format it fails, e.g. "PEM".
        format: &'static str,
        /// What is wrong.
        reason: String,
    },

    /// RSA keys could not be generated.
    #[error("cannot generate an RSA-{bits} key: {source}")]
    KeyGeneration {
        /// The size asked for.
        bits: usize,
        /// Why the generation failed.
        #[source]
        source: KeyGenerationError,
    },

    /// A key iospki holds could not be encoded: a failure of the encoder, not of the user's input.
    #[error("cannot encode the {what}: {reason}")]
    Encode {
        /// What was being encoded, e.g. "private key as PKCS#8".
        what: &'static str,
        /// What the encoder said.
        reason: String,
    },

    /// A new key was asked for a key every renewal keeps
    /// ([`crate::vocab::roles::CertRole::key_never_replaced`]): the internal key.
    #[error(
        "the {role} key is never replaced: what the servers encrypted with it (Secure Vault's secrets among it) \
         would be unreadable under a new key; WSO2's way to a new key re-encrypts that data: deployment.toml \
         [encryption] old_key beside the new key for the symmetric key, and the key rotation tool of \
         wso2/identity-tools (components/org.wso2.carbon.identity.keyrotation)"
    )]
    KeyNeverReplaced {
        /// The role whose key it is.
        role: crate::vocab::roles::CertRole,
    },

    /// A file was read but is refused for what it holds; `reason` says what is wrong and what to do.
    #[error("{}: {reason}", path.display())]
    Refused {
        /// The file.
        path: PathBuf,
        /// What is wrong, and what to do about it.
        reason: String,
    },

    /// An MDM push certificate's topic is not the one of the certificate it should renew.
    #[error(
        "{}: its topic {topic} is not the topic {previous_topic} of {}: the certificate was created instead of \
         renewed, or renewed under another Apple ID, and every enrolled device would have to enrol again; at \
         identity.apple.com, sign in with the Apple ID of the previous certificate and use Renew on its row",
        path.display(),
        previous.display()
    )]
    TopicChanged {
        /// The new certificate.
        path: PathBuf,
        /// Its topic.
        topic: String,
        /// The previous certificate or .pfx.
        previous: PathBuf,
        /// The previous certificate's topic.
        previous_topic: String,
    },

    /// A certificate would end after the CA that issues it: Apple devices stop connecting when any certificate
    /// of the chain expires.
    #[error(
        "cannot issue the {role} certificate: it would end on {ends}, after the CA that issues it ({issuer_ends}); \
         rotate the CA first"
    )]
    OutlivesIssuer {
        /// The certificate's role (RA, SSL).
        role: &'static str,
        /// The day it would end.
        ends: String,
        /// The day its CA ends.
        issuer_ends: String,
    },

    /// A kept CA's subject is not what the ledger's settings make, so the certificates it issues would not name
    /// it as their issuer.
    #[error(
        "cannot issue the {role} certificate: the CA certificate's subject is not what the ledger's settings make; \
         renew the CA too"
    )]
    CaSubjectChanged {
        /// The certificate's role (RA, SSL).
        role: &'static str,
    },

    /// A signature could not be made.
    #[error("cannot sign: {reason}")]
    Sign {
        /// The underlying problem.
        reason: String,
    },

    /// A keystore could not be read or written.
    #[error("{}: {source}", path.display())]
    Store {
        /// The keystore file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: StoreError,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The same error, an I/O error naming `path` instead (a file's place in the output rather than the hidden
    /// staging directory it was being written in).
    pub fn at(self, path: &std::path::Path) -> Self {
        match self {
            Error::Io { source, .. } => Error::io(path, source),
            other => other,
        }
    }

    /// A key problem on `path`.
    pub fn key(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Key {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// A file iospki cannot read, and why.
    pub fn unreadable(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Unreadable {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// A setting with a value iospki cannot use.
    pub fn invalid(option: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Error::InvalidOption {
            option: option.into(),
            reason: reason.to_string(),
        }
    }
}

/// Why a keystore could not be read or written. The caller adds the file name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The integrity check failed: the password is wrong or the bytes were changed.
    #[error("store password is wrong or the file was modified")]
    WrongPassword,
    /// A key entry did not decrypt with the password given for it.
    #[error("key password for alias '{0}' is wrong")]
    WrongKeyPassword(String),
    /// A PKCS#12 file cannot be read without its password.
    #[error("a password is needed to read a PKCS#12 file")]
    PasswordNeeded,
    /// The bytes are not a well-formed store of this format.
    #[error("malformed {format}: {reason}")]
    Malformed {
        /// "JKS" or "PKCS#12".
        format: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The store is well-formed but holds something iospki cannot handle.
    #[error("{0}")]
    Unsupported(String),
    /// Opening it would take more key-derivation work or memory than iospki allows for one file.
    #[error(transparent)]
    OverBudget(#[from] crate::formats::kdf::OverBudget),
}

/// Why keys could not be generated. The prime search's and rsa's own errors are kept as their words, so
/// that their types stay out of iospki's API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyGenerationError {
    /// A size no prime search takes.
    #[error("{0} bits is too large")]
    TooLarge(usize),
    /// The prime search failed.
    #[error("prime search failed: {0}")]
    Search(String),
    /// The search ended without a prime.
    #[error("no {0}-bit prime found")]
    NoPrime(u32),
    /// A search thread failed, or fewer primes than needed came back.
    #[error("a key generation thread failed")]
    Thread,
    /// rsa refused the key.
    #[error("{0}")]
    Rsa(String),
    /// The key's public half could not be encoded as PKCS#1.
    #[error("cannot encode the public key: {0}")]
    Encode(String),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
