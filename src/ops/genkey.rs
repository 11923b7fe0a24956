//! `iospki genkey`: a new RSA key, as unencrypted PKCS#8 PEM in a file only its owner reads.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::formats::key::RsaKey;
use crate::io::output::{SECRET_MODE, write_file};
use crate::ops::Progress;

/// A key to make.
pub struct GenkeyRequest<'a> {
    /// The file to write.
    pub out: PathBuf,
    /// The key's size.
    pub bits: u16,
    /// Replace an existing file.
    pub force: bool,
    /// Shows the key generation.
    pub progress: Progress<'a>,
}

/// The key written.
#[derive(Debug)]
pub struct GenkeyReport {
    /// Its file.
    pub out: PathBuf,
    /// Its size.
    pub bits: u16,
    /// The file's mode.
    pub mode: u32,
}

/// Generates the key and writes it atomically.
pub fn run(request: &GenkeyRequest<'_>) -> Result<GenkeyReport> {
    if request.out.exists() && !request.force {
        // Checked first so that nothing is generated for a file that would be refused.
        return Err(Error::FileExists {
            path: request.out.clone(),
        });
    }
    let bits = request.bits;
    let key = crate::ops::step(request.progress, &format!("generating the key (RSA-{bits})"), || {
        RsaKey::generate(usize::from(bits))
    })?;
    write_file(
        &request.out,
        key.secret_pkcs8_pem()?.as_bytes(),
        SECRET_MODE,
        request.force,
    )?;
    Ok(GenkeyReport {
        out: request.out.clone(),
        bits,
        mode: SECRET_MODE,
    })
}
