//! `iospki completions`: the shell's completion script, made from the same definitions as the help.

use std::process::ExitCode;

use clap::CommandFactory as _;
use iospki::error::Result;

use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: CompletionsArgs) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "iospki", &mut script);
    crate::print::text(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}
