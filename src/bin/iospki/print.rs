//! What the commands print. Every line that carries input (a certificate's subject, a file name in an archive)
//! is written with its control characters, line ends among them, and its bidirectional formatting characters
//! escaped, so that input can neither move the cursor nor make a line of its own ("evil.tar.gz: 0 problem(s)")
//! nor reorder what a line shows. A closed pipe (`iospki inspect FILE | head -1`) ends the output quietly
//! instead of panicking, as `println!` would, and a check's verdict survives it.
//!
//! How much is said is the same for every command (docs/output.md): `-q` leaves only errors, what makes the exit
//! code 1 and the data asked for (`inspect`, `--json`); `-v` adds detail where a command has more to give.

use std::fmt::{self, Write as _};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

use iospki::error::{Error, Result};
use iospki::ops::{printable, unprintable};

/// How much the commands say: set once from `-q`/`-v`, read everywhere, as ripgrep's `messages.rs` keeps its
/// switches, rather than threading one flag through every function that prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Quiet,
    Normal,
    Verbose,
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Normal as u8);

pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

fn level() -> Level {
    match LEVEL.load(Ordering::Relaxed) {
        0 => Level::Quiet,
        1 => Level::Normal,
        _ => Level::Verbose,
    }
}

/// `-q`: only errors, findings that make the exit code 1, and the data asked for.
pub fn quiet() -> bool {
    level() == Level::Quiet
}

/// `-v`: more detail.
pub fn verbose() -> bool {
    level() == Level::Verbose
}

/// Appends one line to `out`: `args`, escaped as [`printable`], then a line end.
pub fn push_line(out: &mut String, args: fmt::Arguments<'_>) {
    out.push_str(&printable(&args.to_string()));
    out.push('\n');
}

/// Writes `text` to standard output as it is, escaping nothing: only lines made with [`push_line`], or text of
/// iospki's own that holds no input (a completion script), may go through it.
pub fn text(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::io("standard output", e))
}

/// Writes one line to standard output, escaped as [`printable`].
pub fn line(args: fmt::Arguments<'_>) -> Result<()> {
    let mut out = String::new();
    push_line(&mut out, args);
    text(&out)
}

/// Whether a JSON document went to standard output: a run prints at most one.
static JSON_PRINTED: AtomicBool = AtomicBool::new(false);

/// Writes `value` as pretty JSON to standard output.
pub fn json(value: &impl serde::Serialize) -> Result<()> {
    JSON_PRINTED.store(true, Ordering::SeqCst);
    text(&json_text(value))
}

/// Whether [`json`] was called.
pub fn json_printed() -> bool {
    JSON_PRINTED.load(Ordering::SeqCst)
}

/// `value` as pretty JSON and a line end. JSON escapes control characters in strings itself; the bidirectional
/// formatting characters it leaves are escaped too (`\u202e`), which keeps the JSON the same.
fn json_text(value: &impl serde::Serialize) -> String {
    let json = serde_json::to_string_pretty(value).expect("iospki's reports serialize");
    let mut out = String::with_capacity(json.len() + 1);
    for c in json.chars() {
        if unprintable(c) && c != '\n' {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    out
}

/// Writes one line to standard error after `iospki: `, escaped as [`printable`].
pub fn error_line(args: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "iospki: {}", printable(&args.to_string()));
}

/// Runs `work`, showing on a terminal's standard error (never with `-q`) `what` and the time it has taken so far,
/// rewritten in place ten times a second, and at the end the total: `iospki: what... 3.2 s`. Logs and pipes get
/// nothing.
pub fn with_progress<T>(what: &str, work: impl FnOnce() -> T) -> T {
    if quiet() || !std::io::stderr().is_terminal() {
        return work();
    }
    let start = Instant::now();
    let show = |end: &str| {
        let seconds = start.elapsed().as_secs_f64();
        let _ = write!(
            std::io::stderr(),
            "\r\x1b[2Kiospki: {}... {seconds:.1} s{end}",
            printable(what)
        );
    };
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let result = std::thread::scope(|scope| {
        let show = &show;
        scope.spawn(move || {
            // Ticks until the sender is dropped: the work is over, or it panicked.
            while finished.recv_timeout(Duration::from_millis(100)) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                show("");
            }
        });
        let _done = done;
        work()
    });
    show("\n");
    result
}

/// [`with_progress`] as the library's operations take it (`iospki::ops::Progress`).
pub fn progress(what: &str, work: &mut dyn FnMut()) {
    with_progress(what, work);
}

/// A count on a terminal's standard error (never with `-q`), rewritten in place: `iospki: what 3 of 5: name`;
/// cleared when dropped.
pub struct Counter {
    shown: bool,
}

impl Counter {
    pub fn new() -> Counter {
        Counter {
            shown: !quiet() && std::io::stderr().is_terminal(),
        }
    }

    pub fn show(&self, args: fmt::Arguments<'_>) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[2Kiospki: {}", printable(&args.to_string()));
        }
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// Whether `err` is standard output's reader having gone away.
pub fn is_closed_pipe(err: &Error) -> bool {
    matches!(err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// A check's exit code once its findings were printed: a reader that went away does not change the verdict
/// (`iospki check DIR | head -1` still exits 1 when something is due).
pub fn verdict(code: ExitCode, printed: Result<()>) -> Result<ExitCode> {
    match printed {
        Err(err) if !is_closed_pipe(&err) => Err(err),
        _ => Ok(code),
    }
}

/// `println!` of one line that escapes it and returns the error instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::print::line(format_args!($($arg)*))?
    };
}

/// [`out!`] of a line that only tells what was done (a list of files written, a summary): left out with `-q`.
macro_rules! info {
    ($($arg:tt)*) => {
        if !$crate::print::quiet() {
            $crate::print::line(format_args!($($arg)*))?
        }
    };
}

/// [`stderr!`] of `warning: ` and a line: left out with `-q`.
macro_rules! warning {
    ($($arg:tt)*) => {
        if !$crate::print::quiet() {
            $crate::print::error_line(format_args!("warning: {}", format_args!($($arg)*)))
        }
    };
}

/// `eprintln!` of one line after `iospki: `, escaped.
macro_rules! stderr {
    ($($arg:tt)*) => {
        $crate::print::error_line(format_args!($($arg)*))
    };
}

/// `writeln!` of one line into a String, escaped.
macro_rules! push {
    ($out:expr, $($arg:tt)*) => {
        $crate::print::push_line($out, format_args!($($arg)*))
    };
}

pub(crate) use {info, out, push, stderr, warning};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_bidi_and_stays_the_same_json() {
        let value = serde_json::json!({ "subject": "CN=a\u{202e}b\nc" });
        let escaped = json_text(&value);
        assert!(escaped.contains("a\\u202eb\\nc"), "{escaped}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&escaped).unwrap(), value);
    }
}
