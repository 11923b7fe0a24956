//! One module per command, each with one entry point taking a request and returning a report, and the pure
//! plans under it. It may import every layer below: `wso2`, `model`, `formats`, `io`, `vocab`, `error`.
//!
//! Here too the vocabulary the requests and reports of several commands share: passwords, where the cluster
//! description says they are, how a slow step is shown, and the steps after `init` and `rotate`.

pub mod apns;
pub mod build;
pub mod bundle;
pub mod check;
pub mod findings;
pub mod genkey;
pub mod init;
pub mod inspect;
pub mod merge;
pub mod next;
pub mod rotate;
pub mod verify;

use std::path::Path;

pub use crate::io::secret::{Empty, Password};
pub use crate::model::settings::{PasswordSource, VaultCipher};
pub use next::NextSteps;

// What a front end needs beside the operations, named here so that it depends on `ops` and `error` alone
// (tests/suite/layers.rs holds the binary to that): the declarations and defaults its choices and help are
// built from, text from input made safe to print, and the writing of files of its own (man pages).
pub use crate::formats::key::Digest;
pub use crate::formats::keystore::pkcs12::Protection;
pub use crate::io::input::STDIN;
pub use crate::io::output::{PUBLIC_MODE, write_file};
pub use crate::model::defaults;
pub use crate::model::product::{CommonName, Layout, Product, ProductId, StoreFormat};
pub use crate::vocab::printable::{printable, unprintable};
pub use crate::vocab::roles::CertRole;

use crate::error::Result;

/// How an operation shows a slow step: called with what the step does ("generating the keys (RSA-4096)") and
/// the step's work, which it runs once (a terminal's progress line around it, or nothing).
pub type Progress<'a> = &'a dyn Fn(&str, &mut dyn FnMut());

/// Asks for the password of the encrypted input key at the path when no file the request names holds it: the
/// environment, the terminal.
pub type AskKeyPassword<'a> = &'a dyn Fn(&Path) -> Result<Password>;

/// The stores' password given, else WSO2's published default.
fn password_or_default(given: Option<Password>) -> Password {
    given.unwrap_or_else(|| Password::new(crate::model::defaults::STORE_PASSWORD))
}

/// Runs `work` as the step `what` of `progress`.
fn step<T>(progress: Progress<'_>, what: &str, work: impl FnOnce() -> T) -> T {
    let mut work = Some(work);
    let mut done = None;
    progress(what, &mut || done = work.take().map(|work| work()));
    // A `progress` that did not run the work leaves it to be run here.
    done.unwrap_or_else(|| work.take().map(|work| work()).expect("the work is run once"))
}
