//! Standard output for the commands: a closed pipe (`iospki inspect FILE | head -1`) ends the command quietly
//! instead of panicking, as `println!` would. Control characters that came from input (a certificate's subject,
//! a file name in an archive) are written escaped, so that they cannot move the cursor, clear the screen or
//! forge a line.

use std::borrow::Cow;
use std::io::Write;

use iospki::error::{Error, Result};

/// Writes `text` to standard output, its control characters but line ends escaped.
pub fn text(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(printable(text, true).as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::io("standard output", e))
}

/// `text` with every control character (line ends too, unless `keep_lines`) written as a `\u{..}` escape.
pub fn printable(text: &str, keep_lines: bool) -> Cow<'_, str> {
    let escaped = |c: char| c.is_control() && !(keep_lines && c == '\n');
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `err` is standard output's reader having gone away.
pub fn is_closed_pipe(err: &Error) -> bool {
    matches!(err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// `println!` that returns the error instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::print::text(&format!("{}\n", format_args!($($arg)*)))?
    };
}

pub(crate) use out;
