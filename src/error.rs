//! The one error type of the library.
//!
//! Messages are lowercase, without a trailing period, and name the file or alias involved so that the
//! binary can print them as they are: `iospki: <message>`.

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

    /// An option has a value iospki cannot use.
    #[error("{option}: {reason}")]
    InvalidOption {
        /// The option, as the user wrote it (e.g. `--ssl-alias`).
        option: &'static str,
        /// Why the value is refused.
        reason: String,
    },

    /// The output directory already holds a set that must not be replaced silently.
    #[error("{}: already holds iospki's files ({existing}); pass --force to replace them", path.display())]
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
    #[error("{}: file exists; pass --force to replace it", path.display())]
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

    /// A file was read but is refused for what it holds; `reason` says what is wrong and what to do.
    #[error("{}: {reason}", path.display())]
    Refused {
        /// The file.
        path: PathBuf,
        /// What is wrong, and what to do about it.
        reason: String,
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
        source: crate::keystore::StoreError,
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

    /// A key problem on `path`.
    pub fn key(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Key {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
