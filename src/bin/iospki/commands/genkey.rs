//! `iospki genkey`.

use std::process::ExitCode;

use iospki::error::Result;
use iospki::formats::key::RsaKey;
use iospki::io::output::{SECRET_MODE, write_file};

use crate::cli::GenkeyArgs;
use crate::print::{info, with_progress};

pub fn run(args: GenkeyArgs) -> Result<ExitCode> {
    if args.out.exists() && !args.force {
        // Checked first so that nothing is generated for a file that would be refused.
        return Err(iospki::error::Error::FileExists { path: args.out.clone() });
    }
    let key = with_progress(&format!("generating the key (RSA-{})", args.bits), || {
        RsaKey::generate(usize::from(args.bits))
    })?;
    write_file(&args.out, key.secret_pkcs8_pem()?.as_bytes(), SECRET_MODE, args.force)?;
    info!("wrote RSA-{} key to {} (mode 0600)", args.bits, args.out.display());
    Ok(ExitCode::SUCCESS)
}
