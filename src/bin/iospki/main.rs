//! The `iospki` command: parses arguments, runs one command, turns errors into exit codes.
//! Exit 0: done; 1: a check found problems; 2: iospki could not do what was asked.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("iospki: {}", chain(&err));
            ExitCode::from(2)
        }
    }
}

/// The error and its sources on one line.
fn chain(err: &iospki::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text = format!("{text}: {cause}");
        }
        source = cause_of(source);
    }
    text
}

fn cause_of<'a>(err: Option<&'a (dyn std::error::Error + 'static)>) -> Option<&'a (dyn std::error::Error + 'static)> {
    err.and_then(std::error::Error::source)
}
