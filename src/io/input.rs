//! Reading input files: regular files only, through a hard size limit, so that a FIFO cannot hang iospki and
//! `/dev/zero` or a huge file cannot fill its memory. The limit is checked before reading and enforced while
//! reading (a file may grow in between).
//!
//! A password file named on purpose (a flag or a configuration key) may also be a FIFO or a pipe, as
//! `--password-file <(pass show wso2)` gives, or `-` for standard input: the operator asked to wait for its writer.

use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

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

    fn too_large(self, size: u64) -> InputError {
        InputError::TooLarge {
            size,
            noun: self.noun(),
            limit: self.limit(),
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
    read_opened(open(path, kind, false)?, kind)
}

/// The name of standard input as a password file: `--password-file -`.
pub const STDIN: &str = "-";

/// Whether standard input was read for a password: a second read would find it empty.
static STDIN_READ: AtomicBool = AtomicBool::new(false);

/// The bytes of the password file `path` named by a flag or a configuration key, at most [`Kind::Password`]'s
/// limit: a regular file, a FIFO or a pipe (`/dev/fd/63` of `<(...)`), whose writer it waits for, or
/// [`STDIN`]. Devices, sockets and directories are refused.
pub fn read_password(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    if path == Path::new(STDIN) {
        return read_stdin().map_err(|e| e.at(Path::new("standard input")));
    }
    let file = open(path, Kind::Password, true).map_err(|e| e.at(path))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    let bytes = if meta.file_type().is_fifo() {
        // /dev/stdin, /dev/fd/0 or /proc/self/fd/0 of a piped standard input: the same pipe as `-`.
        if is_stdin(&meta) {
            claim_stdin().map_err(|e| e.at(path))?;
        }
        read_fifo(&file)
    } else {
        read_opened(file, Kind::Password)
    };
    bytes.map_err(|e| e.at(path))
}

/// Whether `meta` is standard input's, by device and inode.
fn is_stdin(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    rustix::fs::fstat(std::io::stdin()).is_ok_and(|stdin| stdin.st_dev == meta.dev() && stdin.st_ino == meta.ino())
}

/// Takes standard input for one password: a second read would find it empty, and take that for a password.
fn claim_stdin() -> Result<(), InputError> {
    if STDIN_READ.swap(true, Ordering::SeqCst) {
        return Err(InputError::Io(std::io::Error::other(
            "was read already for another password; give this one another way",
        )));
    }
    Ok(())
}

/// Standard input, once: to its end, or, on a terminal, one line typed without echo.
fn read_stdin() -> Result<Zeroizing<Vec<u8>>, InputError> {
    claim_stdin()?;
    if std::io::stdin().is_terminal() {
        let typed = Zeroizing::new(rpassword::prompt_password("Password (standard input): ")?);
        return Ok(Zeroizing::new(typed.as_bytes().to_vec()));
    }
    let limit = Kind::Password.limit();
    let mut bytes = Zeroizing::new(Vec::with_capacity(limit as usize + 1));
    std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes)?;
    within_limit(bytes, Kind::Password)
}

/// A FIFO opened without blocking, read to its end: `poll` waits for a writer to write or to go away (Linux
/// reports neither before a first writer came), then what is there is read. The buffer is never grown: no copy
/// of the password is left behind in freed memory.
fn read_fifo(file: &File) -> Result<Zeroizing<Vec<u8>>, InputError> {
    use rustix::event::{PollFd, PollFlags, poll};
    let limit = Kind::Password.limit();
    let mut bytes = Zeroizing::new(Vec::with_capacity(limit as usize + 1));
    loop {
        match poll(&mut [PollFd::new(file, PollFlags::IN)], None) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(std::io::Error::from(e).into()),
        }
        let room = limit + 1 - bytes.len() as u64;
        match file.take(room).read_to_end(&mut bytes) {
            Ok(_) => return within_limit(bytes, Kind::Password),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The bytes of `file`, a regular file, at most `kind`'s limit.
fn read_opened(mut file: File, kind: Kind) -> Result<Zeroizing<Vec<u8>>, InputError> {
    let size = file.metadata()?.len();
    if size > kind.limit() {
        return Err(kind.too_large(size));
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(size).unwrap_or(0)));
    (&mut file).take(kind.limit() + 1).read_to_end(&mut bytes)?;
    within_limit(bytes, kind)
}

fn within_limit(bytes: Zeroizing<Vec<u8>>, kind: Kind) -> Result<Zeroizing<Vec<u8>>, InputError> {
    if bytes.len() as u64 > kind.limit() {
        return Err(kind.too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opens `path` for reading and refuses anything but a regular file, or a FIFO too with `fifo`: anything else is
/// refused before it is opened (opening some devices acts on them), and opened without blocking should it
/// replace the file in between.
fn open(path: &Path, kind: Kind, fifo: bool) -> Result<File, InputError> {
    regular(std::fs::metadata(path)?.file_type(), kind, fifo)?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY).bits() as i32)
        .open(path)?;
    regular(file.metadata()?.file_type(), kind, fifo)?;
    Ok(file)
}

fn regular(file_type: std::fs::FileType, kind: Kind, fifo: bool) -> Result<(), InputError> {
    if file_type.is_file() || (fifo && file_type.is_fifo()) {
        return Ok(());
    }
    let what = if file_type.is_dir() {
        "a directory"
    } else if fifo {
        "a device or socket"
    } else {
        "a device, FIFO or socket"
    };
    let expected = match kind {
        Kind::Key => "a key file".to_owned(),
        _ if fifo => format!("a regular file, FIFO or pipe ({})", kind.noun()),
        other => format!("a regular file ({})", other.noun()),
    };
    Err(InputError::NotRegular { what, expected })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO `fifo` made in `dir`.
    fn fifo_in(dir: &Path) -> std::path::PathBuf {
        let fifo = dir.join("fifo");
        let mode = rustix::fs::Mode::from_raw_mode(0o600);
        rustix::fs::mknodat(rustix::fs::CWD, &fifo, rustix::fs::FileType::Fifo, mode, 0).unwrap();
        fifo
    }

    #[test]
    fn special_files_and_directories_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = fifo_in(dir.path());
        let err = read(&fifo, Kind::Password).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let err = read(dir.path(), Kind::Key).unwrap_err().to_string();
        assert!(err.contains("is a directory, not a key file"), "{err}");
        let err = read(Path::new("/dev/zero"), Kind::Data).unwrap_err().to_string();
        assert!(err.contains("device"), "{err}");
    }

    #[test]
    fn a_password_fifo_waits_for_its_writer_and_devices_stay_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = fifo_in(dir.path());
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(200));
                std::fs::write(fifo, "pw\n").unwrap();
            })
        };
        assert_eq!(&read_password(&fifo).unwrap()[..], b"pw\n");
        writer.join().unwrap();
        let err = read_password(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(
            err.contains("/dev/zero: is a device or socket, not a regular file, FIFO or pipe"),
            "{err}"
        );
        let err = read_password(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is a directory"), "{err}");
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
