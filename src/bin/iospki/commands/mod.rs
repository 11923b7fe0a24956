//! One module per command, and what they share: where passwords come from.

mod apns;
mod bundle;
mod check;
mod completions;
mod genkey;
mod init;
mod inspect;
mod man;
mod next;
mod rotate;
mod verify;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use iospki::error::{Error, Result, StoreError};
use iospki::ops::Password;
use iospki::ops::verify::Report;
use zeroize::Zeroizing;

use crate::cli::{Cli, Command};
use crate::print::{info, out, stderr};

/// Environment variable with the store password.
const PASSWORD_ENV: &str = "IOSPKI_PASSWORD";
/// Environment variable with the password of an encrypted input key.
const KEY_PASSWORD_ENV: &str = "IOSPKI_KEY_PASSWORD";

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init(args) => init::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Genkey(args) => genkey::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Check(args) => check::run(args),
        Command::Rotate(args) => rotate::run(args),
        Command::Bundle(args) => bundle::run(args),
        Command::Apns(command) => apns::run(command),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// How `command` (`iospki init`) takes the password of a store, for the errors that say it is needed or wrong.
fn password_ways(command: &str) -> &'static str {
    match command {
        "iospki init" => {
            "--password-file FILE (- for standard input), IOSPKI_PASSWORD, or passwords.store_file or \
             passwords.store_env in iospki.toml; the stores of --merge-from take --merge-password-file FILE"
        }
        "iospki apns sign" => "--vendor-p12-password-file FILE (- for standard input) or IOSPKI_PASSWORD",
        _ => "--password-file FILE (- for standard input) or IOSPKI_PASSWORD",
    }
}

/// What to add to `error` of a store read by `command`: the ways to give its password, when it needs one or
/// the one given is wrong.
pub fn password_hint(error: &StoreError, command: &str) -> String {
    match error {
        StoreError::PasswordNeeded => format!("; give it with {}", password_ways(command)),
        StoreError::WrongPassword => format!("; give the right one with {}", password_ways(command)),
        _ => String::new(),
    }
}

/// `error` of one file among several, with [`password_hint`] where it applies.
fn file_error(error: &Error, command: &str) -> String {
    match error {
        Error::Store { source, .. } => format!("{error}{}", password_hint(source, command)),
        other => other.to_string(),
    }
}

/// The cluster description init and bundle read without `--config`, in the working directory.
const DEFAULT_CONFIG: &str = "iospki.toml";

/// The cluster description to read: `--config`'s, else ./iospki.toml if there is one, which is said on stderr
/// so that a file left in the directory never changes a run unseen.
fn config_file(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = flag {
        return Some(path.to_path_buf());
    }
    let default = Path::new(DEFAULT_CONFIG);
    default.symlink_metadata().ok()?;
    if !crate::print::quiet() {
        stderr!("using ./{DEFAULT_CONFIG} (no --config given)");
    }
    Some(default.to_path_buf())
}

/// A report of findings as JSON, or one line per finding, the `notes`, and a count; exit 1 when it holds problems.
fn print_report(report: &Report, json: bool, notes: &[String]) -> Result<ExitCode> {
    let code = if report.problems() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    crate::print::verdict(code, print_findings(report, json, notes))
}

fn print_findings(report: &Report, json: bool, notes: &[String]) -> Result<()> {
    if json {
        return crate::print::json(report);
    }
    for finding in &report.findings {
        if finding.is_problem() {
            out!("{finding}");
        } else {
            info!("{finding}");
        }
    }
    for note in notes {
        info!("{note}");
    }
    let problems = report.problems();
    let warnings = report.findings.len() - problems;
    info!("{}: {problems} problem(s), {warnings} warning(s)", report.target);
    Ok(())
}

/// The verdict on the set a command just wrote, as `iospki verify` judged it: its problems go to stderr, after
/// `what`, and make the exit code 1.
fn written_verdict(verified: &Report, what: &str) -> ExitCode {
    for finding in verified.findings.iter().filter(|f| f.is_problem()) {
        stderr!("after {what}: {finding}");
    }
    if verified.problems() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A password given by flag or environment: from `file`, else the environment, else none.
fn given_password(file: Option<&Path>) -> Result<Option<Password>> {
    match file {
        Some(file) => Password::from_file(file).map(Some),
        None => Password::from_env(PASSWORD_ENV),
    }
}

/// The password to open existing stores with (inspect, check): as [`given_password`], and an empty line or an
/// empty variable is the empty password, which Java opens stores with.
fn password_to_open(file: Option<&Path>) -> Result<Option<Password>> {
    match file {
        Some(file) => Password::to_open_from_file(file).map(Some),
        None => Password::to_open_from_env(PASSWORD_ENV),
    }
}

/// The password of the encrypted input key `key`: from the environment, else a prompt on the terminal. `flag`
/// names the command's option for a password file, if it has one, for the message without a terminal.
fn input_key_password(key: &Path, flag: &str) -> Result<Password> {
    if let Some(password) = Password::from_env(KEY_PASSWORD_ENV)? {
        return Ok(password);
    }
    prompt(key, false, || {
        Error::key(
            key,
            format!("key is encrypted; give its password with {flag}{KEY_PASSWORD_ENV}"),
        )
    })
}

/// The password of `file` from `flag`'s file (`flag_name` on the command line), else $IOSPKI_PASSWORD, else typed
/// on the terminal (twice when it protects a new file), with where it came from as the operator is told.
fn password_for(file: &Path, flag: Option<&Path>, flag_name: &str, new: bool) -> Result<(Password, String)> {
    if let Some(path) = flag {
        // A pipe or standard input is gone once read: the operator is told the flag instead.
        let told = match path.metadata() {
            Ok(meta) if meta.is_file() && path != Path::new(iospki::ops::STDIN) => {
                format!("the line in {}", path.display())
            }
            _ => format!("the password given with {flag_name}"),
        };
        return Ok((Password::from_file(path)?, told));
    }
    if let Some(password) = Password::from_env(PASSWORD_ENV)? {
        return Ok((password, format!("the environment variable {PASSWORD_ENV}")));
    }
    let password = prompt(file, new, || Error::Password {
        source_name: file.display().to_string(),
        reason: format!("needs a password; give it with {flag_name} FILE (- for standard input) or {PASSWORD_ENV}"),
    })?;
    Ok((
        password,
        "the password typed at the terminal when the file was made".into(),
    ))
}

/// Asks for the password of `file` on the terminal, twice when `confirm`; without a terminal, `no_terminal`'s error.
fn prompt(file: &Path, confirm: bool, no_terminal: impl FnOnce() -> Error) -> Result<Password> {
    if !std::io::stdin().is_terminal() {
        return Err(no_terminal());
    }
    let ask = |prompt: String| {
        let text = Zeroizing::new(rpassword::prompt_password(prompt).map_err(|e| Error::io("/dev/tty", e))?);
        Password::checked(&text, "the password typed at the terminal", iospki::ops::Empty::Refused)
    };
    let password = ask(format!("Password for {}: ", file.display()))?;
    if confirm && ask(format!("Password for {} again: ", file.display()))? != password {
        return Err(Error::Password {
            source_name: "the terminal".into(),
            reason: "the two passwords differ".into(),
        });
    }
    Ok(password)
}
