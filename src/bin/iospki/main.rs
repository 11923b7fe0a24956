//! The `iospki` command: parses arguments, runs one command, turns errors into exit codes.
//! Exit 0: done; 1: a check found problems; 2: iospki could not do what was asked.

mod cli;
mod commands;
mod print;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use iospki::error::{Error, StoreError};

fn main() -> ExitCode {
    no_core_dumps();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) if print::is_closed_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let line = print::printable(&chain(&err), false).into_owned();
            let _ = writeln!(std::io::stderr(), "iospki: {line}{}", hint(&err));
            ExitCode::from(2)
        }
    }
}

/// Keys and passwords are in this process's memory: a crash must not write them to a core file, nor may
/// another process of the same user read them through ptrace or /proc/PID/mem. Best effort: a failure leaves
/// the system's defaults.
fn no_core_dumps() {
    use rustix::process::{DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit};
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    let _ = setrlimit(Resource::Core, none);
    let _ = set_dumpable_behavior(DumpableBehavior::NotDumpable);
}

/// The error and its sources on one line.
fn chain(err: &Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// What to do next, where that is a flag: the library names no flags.
fn hint(err: &Error) -> &'static str {
    match err {
        Error::OutputExists { .. } => "; pass --force to replace them",
        Error::FileExists { .. } => "; pass --force to replace it",
        Error::Store {
            source: StoreError::PasswordNeeded,
            ..
        } => "; give it with --password-file or IOSPKI_PASSWORD",
        Error::TopicChanged { .. } => "; pass --accept-new-topic only if all devices are to enrol again",
        _ => "",
    }
}
