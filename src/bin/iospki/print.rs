//! What the commands print. Every line that carries input (a certificate's subject, a file name in an archive)
//! is written with its control characters, line ends among them, and its bidirectional formatting characters
//! escaped, so that input can neither move the cursor nor make a line of its own ("evil.tar.gz: 0 problem(s)")
//! nor reorder what a line shows. A closed pipe (`iospki inspect FILE | head -1`) ends the output quietly
//! instead of panicking, as `println!` would, and a check's verdict survives it.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use iospki::error::{Error, Result};

/// Whether `c` must not reach a terminal as it is: a control character (a line end too) or a bidirectional
/// formatting character (the embeddings, overrides and isolates, and the marks), which reorders what follows.
fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character [`unprintable`] written as a `\u{..}` escape: one line, shown as it reads.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unprintable) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unprintable(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends one line to `out`: `args`, escaped as [`printable`], then a line end.
pub fn push_line(out: &mut String, args: fmt::Arguments<'_>) {
    out.push_str(&printable(&args.to_string()));
    out.push('\n');
}

/// Writes `text`, lines made with [`push_line`], to standard output.
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

pub(crate) use {out, push, stderr};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_cannot_make_a_line_nor_reorder_one() {
        let forged = "evil\n.tar.gz: 0 problem(s)\r\u{1b}[2J\u{202e}gpj.exe\u{2066}";
        let shown = printable(forged);
        assert!(!shown.chars().any(unprintable), "{shown}");
        assert_eq!(
            shown,
            "evil\\u{a}.tar.gz: 0 problem(s)\\u{d}\\u{1b}[2J\\u{202e}gpj.exe\\u{2066}"
        );
        assert_eq!(printable("ünïcode stays"), "ünïcode stays");
    }

    #[test]
    fn json_escapes_bidi_and_stays_the_same_json() {
        let value = serde_json::json!({ "subject": "CN=a\u{202e}b\nc" });
        let escaped = json_text(&value);
        assert!(escaped.contains("a\\u202eb\\nc"), "{escaped}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&escaped).unwrap(), value);
    }
}
