//! Reading input files: regular files only, through a hard size limit, so that a FIFO cannot hang iospki and
//! `/dev/zero` or a huge file cannot fill its memory. The limit is checked before reading and enforced while
//! reading (a file may grow in between).

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// What a file is read as, and the most iospki reads of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A private key (an RSA-16384 PEM is under 13 KiB).
    Key,
    /// A password file.
    Password,
    /// A cluster description, ledger or XML configuration file.
    Text,
    /// A certificate, keystore or archive.
    Data,
}

impl Kind {
    /// The most bytes iospki reads of a file of this kind.
    pub fn limit(self) -> u64 {
        match self {
            Kind::Key => 1 << 20,
            Kind::Password => 64 << 10,
            Kind::Text => 4 << 20,
            Kind::Data => 64 << 20,
        }
    }

    /// What a file of this kind is, in messages.
    fn noun(self) -> &'static str {
        match self {
            Kind::Key => "a key",
            Kind::Password => "a password",
            Kind::Text => "a configuration file",
            Kind::Data => "a certificate, keystore or bundle",
        }
    }
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The operating system's error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A directory, device, FIFO or socket.
    #[error("is {what}, not {expected}")]
    NotRegular {
        /// What it is.
        what: &'static str,
        /// What it should have been.
        expected: String,
    },
    /// More than the kind's limit.
    #[error("file is {size} bytes, too large to be {noun} (at most {limit})")]
    TooLarge {
        /// Its size.
        size: u64,
        /// What it was read as.
        noun: &'static str,
        /// The limit.
        limit: u64,
    },
}

impl InputError {
    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, InputError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }

    /// The error, naming `path`.
    pub fn at(self, path: &Path) -> Error {
        match self {
            InputError::Io(source) => Error::io(path, source),
            other => Error::unreadable(path, other.to_string()),
        }
    }
}

/// The bytes of the regular file at `path`, at most `kind`'s limit, wiped when dropped (they may be secret).
pub fn read(path: &Path, kind: Kind) -> Result<Zeroizing<Vec<u8>>> {
    read_bytes(path, kind).map_err(|e| e.at(path))
}

/// [`read`], as UTF-8 text.
pub fn read_text(path: &Path, kind: Kind) -> Result<Zeroizing<String>> {
    let bytes = read(path, kind)?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(Error::unreadable(path, "is not UTF-8 text")),
    }
}

/// [`read`], with an error that does not name the file (the caller does).
pub fn read_bytes(path: &Path, kind: Kind) -> Result<Zeroizing<Vec<u8>>, InputError> {
    let mut file = open(path, kind)?;
    let limit = kind.limit();
    let too_large = |size: u64| InputError::TooLarge {
        size,
        noun: kind.noun(),
        limit,
    };
    let size = file.metadata()?.len();
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(size).unwrap_or(0)));
    (&mut file).take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opens `path` for reading and refuses anything but a regular file: a device or FIFO is refused before it is
/// opened (opening some devices acts on them), and opened without blocking should it replace the file in between.
fn open(path: &Path, kind: Kind) -> Result<File, InputError> {
    regular(std::fs::metadata(path)?.file_type(), kind)?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY).bits() as i32)
        .open(path)?;
    regular(file.metadata()?.file_type(), kind)?;
    Ok(file)
}

fn regular(file_type: std::fs::FileType, kind: Kind) -> Result<(), InputError> {
    if file_type.is_file() {
        return Ok(());
    }
    let what = if file_type.is_dir() {
        "a directory"
    } else {
        "a device, FIFO or socket"
    };
    let expected = match kind {
        Kind::Key => "a key file".to_owned(),
        other => format!("a regular file ({})", other.noun()),
    };
    Err(InputError::NotRegular { what, expected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_and_directories_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let err = read(&fifo, Kind::Password).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let err = read(dir.path(), Kind::Key).unwrap_err().to_string();
        assert!(err.contains("is a directory, not a key file"), "{err}");
        let err = read(Path::new("/dev/zero"), Kind::Data).unwrap_err().to_string();
        assert!(err.contains("device"), "{err}");
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'x'; (Kind::Password.limit() + 1) as usize]).unwrap();
        let err = read(&path, Kind::Password).unwrap_err().to_string();
        assert!(err.contains("too large to be a password"), "{err}");
        assert_eq!(
            read(&path, Kind::Data).unwrap().len() as u64,
            Kind::Password.limit() + 1
        );
    }
}
