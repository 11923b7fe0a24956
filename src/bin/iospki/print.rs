//! Standard output for the commands: a closed pipe (`iospki inspect FILE | head -1`) ends the command quietly
//! instead of panicking, as `println!` would.

use std::io::Write;

use iospki::error::{Error, Result};

/// Writes `text` to standard output.
pub fn text(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::io("standard output", e))
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
