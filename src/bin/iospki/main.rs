//! The `iospki` command: parses arguments, runs one command, turns errors into exit codes.
//! Exit 0: done; 1: a check found problems; 2: iospki could not do what was asked.

mod cli;
mod commands;
mod print;

use std::process::ExitCode;

use clap::Parser as _;
use iospki::error::Error;

fn main() -> ExitCode {
    no_core_dumps();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    print::set_level(match (cli.quiet, cli.verbose) {
        // Here, not as clap's conflicts_with: clap misses the conflict of global flags given after a
        // subcommand's own.
        (true, true) => {
            let conflict = <cli::Cli as clap::CommandFactory>::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                "the argument '--quiet' cannot be used with '--verbose'",
            );
            return usage_error(conflict);
        }
        (true, false) => print::Level::Quiet,
        (false, true) => print::Level::Verbose,
        (false, false) => print::Level::Normal,
    });
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) if print::is_closed_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let said = as_flags(&err).unwrap_or_else(|| format!("{}{}", chain(&err), hint(&err, &subcommand())));
            print::stderr!("{said}");
            json_error(&said);
            ExitCode::from(2)
        }
    }
}

/// The schema of the JSON document an error prints with `--json`.
const ERROR_SCHEMA: &str = "iospki.error/1";

/// An error as `--json` prints it.
#[derive(serde::Serialize)]
struct ErrorReport<'a> {
    schema: &'static str,
    error: &'a str,
}

/// With `--json`, stdout holds one JSON document whatever happens: when the command failed before printing its
/// own, the error, as said on stderr. The flag is looked for in the words of the command line, so that an error
/// in the command line itself is said so too.
fn json_error(said: &str) {
    let json = std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json");
    if json && !print::json_printed() {
        let _ = print::json(&ErrorReport {
            schema: ERROR_SCHEMA,
            error: said,
        });
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

/// clap's help and version as clap prints them; its usage errors as iospki's one line, exit 2: what is wrong,
/// clap's tip and the values it takes, and where the help is.
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        err.exit();
    }
    let rendered = err.render().to_string();
    let said = rendered.split("Usage: ").next().unwrap_or_default();
    let mut what = String::new();
    for line in said.lines().map(|line| line.trim().trim_start_matches("error: ")) {
        if line.is_empty() || line.starts_with("For more information") {
            continue;
        }
        if !what.is_empty() {
            what.push_str(if what.ends_with(':') { " " } else { "; " });
        }
        what.push_str(line);
    }
    let said = format!("{what}; see {} --help", subcommand());
    print::stderr!("{said}");
    json_error(&said);
    ExitCode::from(2)
}

/// The command line's (sub)command, as far as its words name one: `iospki apns sign`.
fn subcommand() -> String {
    let mut command = <cli::Cli as clap::CommandFactory>::command();
    let mut path = vec!["iospki".to_owned()];
    for word in std::env::args().skip(1) {
        let Some(sub) = command.find_subcommand(&word).cloned() else {
            break;
        };
        path.push(sub.get_name().to_owned());
        command = sub;
    }
    path.join(" ")
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

/// What to do next, where that is a flag of `command` (`iospki verify`): the library names no flags.
/// What a library error about a setting the command line gave says, in the command line's terms.
fn as_flags(err: &Error) -> Option<String> {
    match err {
        Error::CaKeyNeeded { product } => Some(format!(
            "--key: the {product} set's CA is nginx's private key: give it with --key FILE"
        )),
        Error::KeyNeverReplaced { role } => Some(format!(
            "--rekey: {err}; rotate --{} without --rekey renews its certificate and keeps the key",
            role.name().to_lowercase()
        )),
        Error::MergeIntoItself { .. } => Some(
            "--merge-from: is the output directory; the node's stores are only read, write to another --out".into(),
        ),
        _ => None,
    }
}

fn hint(err: &Error, command: &str) -> String {
    match err {
        Error::OutputExists { .. } => "; pass --force to replace them".into(),
        Error::FileExists { .. } => "; pass --force to replace it".into(),
        Error::Store { source, .. } => commands::password_hint(source, command),
        Error::TopicChanged { .. } => "; pass --accept-new-topic only if all devices are to enrol again".into(),
        Error::OutlivesIssuer { .. } => " (iospki rotate --ca renews the CA and everything it issued)".into(),
        Error::CaSubjectChanged { .. } => " (--ca)".into(),
        _ => String::new(),
    }
}
