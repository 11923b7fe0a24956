//! `iospki genkey`.

use std::process::ExitCode;

use iospki::error::Result;
use iospki::ops::genkey::GenkeyRequest;

use crate::cli::GenkeyArgs;
use crate::print::info;

pub fn run(args: GenkeyArgs) -> Result<ExitCode> {
    let written = iospki::ops::genkey::run(&GenkeyRequest {
        out: args.out,
        bits: args.bits,
        force: args.force,
        progress: &crate::print::progress,
    })?;
    info!(
        "wrote RSA-{} key to {} (mode {:04o})",
        written.bits,
        written.out.display(),
        written.mode
    );
    Ok(ExitCode::SUCCESS)
}
