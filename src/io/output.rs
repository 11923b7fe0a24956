//! Plans of files and their atomic publication: a set is written completely beside the output directory,
//! synced to disk, and swapped into place in one rename, so a crash leaves the old set or the new one, never a mix.
//! A plan may leave files to be written while it is published ([`Plan::stage`]), so that a large output is never
//! held in memory whole.
//!
//! A [`Lock`] on the directory that holds the output makes runs take turns: a command that reads a set and
//! writes it back (`rotate`, `init --force`) holds it from the read to the publication, so that no change of
//! another run is lost. What iospki carries across or removes never crosses a mount point, and it replaces only
//! regular files.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustix::fs::{AtFlags, CWD, RenameFlags, StatxAttributes, StatxFlags, renameat_with, statx};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Mode of files that hold a private key, a keystore or a password.
pub const SECRET_MODE: u32 = 0o600;
/// Mode of public files (certificates).
pub const PUBLIC_MODE: u32 = 0o644;
/// Mode of an output directory iospki creates: it holds keys, so it is not listable by others.
const NEW_DIR_MODE: u32 = 0o700;

/// One file of a plan.
pub struct PlannedFile {
    /// Its path inside the output directory (`backup/…/ca.crt` for a file in a subdirectory).
    pub name: String,
    /// Its bytes, which several files of a plan may share (every worker's bundle holds the same stores); zeroized
    /// when the last of them is dropped, as many hold secrets.
    pub contents: Arc<Zeroizing<Vec<u8>>>,
    /// Its permission bits.
    pub mode: u32,
    /// What it is, for the summary the user sees.
    pub description: &'static str,
}

/// Contents are left out: most files hold keys or passwords.
impl std::fmt::Debug for PlannedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlannedFile")
            .field("name", &self.name)
            .field("contents", &format_args!("[{} bytes elided]", self.contents.len()))
            .field("mode", &format_args!("{:04o}", self.mode))
            .finish()
    }
}

/// The files one command writes, complete in memory before anything touches the disk.
#[derive(Debug, Default)]
pub struct Plan {
    /// The files, in the order they are listed to the user.
    pub files: Vec<PlannedFile>,
}

impl Plan {
    /// Adds a file.
    pub fn add(&mut self, name: impl Into<String>, contents: impl Into<Vec<u8>>, mode: u32, description: &'static str) {
        self.add_shared(name, Arc::new(Zeroizing::new(contents.into())), mode, description);
    }

    /// Adds a file whose bytes other files share, without copying them.
    pub fn add_shared(
        &mut self,
        name: impl Into<String>,
        contents: Arc<Zeroizing<Vec<u8>>>,
        mode: u32,
        description: &'static str,
    ) {
        self.files.push(PlannedFile {
            name: name.into(),
            contents,
            mode,
            description,
        });
    }

    /// The names of the plan's files that already exist in `dir`.
    pub fn existing_in(&self, dir: &Path) -> Vec<&str> {
        self.files
            .iter()
            .filter(|f| dir.join(&f.name).symlink_metadata().is_ok())
            .map(|f| f.name.as_str())
            .collect()
    }

    /// Writes the plan into `dir` atomically, taking `dir`'s lock for the time it takes. Files in `dir` that the
    /// plan does not name are kept. Files it names are replaced only with `force`.
    pub fn publish(&self, dir: &Path, force: bool) -> Result<()> {
        let lock = Lock::take(dir)?;
        self.publish_locked(dir, force, &lock)
    }

    /// [`Plan::publish`] under a lock the caller took with [`Lock::take`] before it read what the plan changes.
    pub fn publish_locked(&self, dir: &Path, force: bool, lock: &Lock) -> Result<()> {
        self.stage(dir, force, lock, Vec::new())?.publish()
    }

    /// Begins [`Plan::publish_locked`] and stops before the swap: the plan's files are written into the staging
    /// directory, beside what `dir` already holds, and the files named `later` are written there by
    /// [`Staged::write`] as they are made, from as many threads as the caller likes, so that a publication of
    /// many large files need not hold them all. [`Staged::publish`] swaps the whole in at once; dropping it
    /// instead leaves `dir` as it was. Files `later` names count as the plan's (replaced only with `force`).
    pub fn stage<'a>(&self, dir: &'a Path, force: bool, lock: &'a Lock, later: Vec<String>) -> Result<Staged<'a>> {
        lock.covers(dir)?;
        let existing = check_target(dir)?;
        let names: HashSet<&Path> = self
            .files
            .iter()
            .map(|f| Path::new(&f.name))
            .chain(later.iter().map(Path::new))
            .collect();
        if existing {
            let mut clashes = self.existing_in(dir);
            clashes.extend(
                later
                    .iter()
                    .map(String::as_str)
                    .filter(|n| dir.join(n).symlink_metadata().is_ok()),
            );
            if !clashes.is_empty() && !force {
                return Err(Error::OutputExists {
                    path: dir.to_path_buf(),
                    existing: clashes.join(", "),
                });
            }
        }
        let staging = Staging::beside(dir, lock)?;
        if existing {
            let mode = dir.metadata().map_err(|e| Error::io(dir, e))?.permissions().mode();
            set_mode(&staging.path, mode)?;
            mirror_dir(&names, dir, &staging.path, Path::new(""))?;
        } else {
            set_mode(&staging.path, NEW_DIR_MODE)?;
        }
        let staged = Staged {
            staging,
            dir,
            existing,
            parent: &lock.parent,
            later: Mutex::new(later.into_iter().collect()),
        };
        for file in &self.files {
            staged.put(&file.name, &file.contents, file.mode)?;
        }
        Ok(staged)
    }
}

/// A publication under way ([`Plan::stage`]): the staging directory, and the files still to come.
pub struct Staged<'a> {
    staging: Staging,
    dir: &'a Path,
    existing: bool,
    parent: &'a Path,
    later: Mutex<HashSet<String>>,
}

impl Staged<'_> {
    /// Writes `contents` as `name`, one of the files [`Plan::stage`] was told would come later.
    pub fn write(&self, name: &str, contents: &[u8], mode: u32) -> Result<()> {
        let expected = self.later.lock().is_ok_and(|mut later| later.remove(name));
        if !expected {
            let reason = "is not a file of the plan still to be written";
            return Err(Error::io(self.dir.join(name), std::io::Error::other(reason)));
        }
        self.put(name, contents, mode)
    }

    /// Makes every file durable with one sync of the filesystem, then swaps the staging directory into place.
    pub fn publish(self) -> Result<()> {
        let missing: Vec<String> = self
            .later
            .lock()
            .map(|later| later.iter().cloned().collect())
            .unwrap_or_default();
        if let Some(name) = missing.first() {
            let reason = "was planned but not made";
            return Err(Error::io(self.dir.join(name), std::io::Error::other(reason)));
        }
        let dir = self.dir;
        // One sync for the whole tree: as durable as an fsync of each file and each directory, at the cost of one
        // journal commit instead of one per file (a thousand nodes' bundles are ten thousand files).
        File::open(&self.staging.path)
            .and_then(|d| rustix::fs::syncfs(&d).map_err(std::io::Error::from))
            .map_err(|e| Error::io(dir, e))?;
        if self.existing {
            // One step: a crash before it leaves the old set, after it the new one.
            renameat_with(CWD, &self.staging.path, CWD, dir, RenameFlags::EXCHANGE)
                .map_err(|e| Error::io(dir, e.into()))?;
        } else {
            fs::rename(&self.staging.path, dir).map_err(|e| Error::io(dir, e))?;
            self.staging.published();
        }
        sync_dir(self.parent)
    }

    /// Writes one file into the staging directory, and the directories it goes in.
    fn put(&self, name: &str, contents: &[u8], mode: u32) -> Result<()> {
        let path = self.staging.path.join(name);
        // Errors name the file where it was to go, not the hidden staging directory.
        let shown = self.dir.join(name);
        if let Some(sub) = path.parent().filter(|p| *p != self.staging.path) {
            create_private_dirs(sub).map_err(|e| e.at(&shown))?;
        }
        write_new(&path, contents, mode).map(drop).map_err(|e| e.at(&shown))
    }
}

/// Mirrors the entries of `from` (the output's subdirectory `below`) into `to`, leaving out the plan's files,
/// `names`: files as hard links (copies where linking fails) and subdirectories recursively, so that the swap
/// carries everything across at once. A filesystem mounted inside the output is refused: it cannot be carried
/// across, and the old tree is removed.
fn mirror_dir(names: &HashSet<&Path>, from: &Path, to: &Path, below: &Path) -> Result<()> {
    for entry in fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let name = below.join(entry.file_name());
        if names.contains(name.as_path()) {
            continue;
        }
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let meta = source.symlink_metadata().map_err(|e| Error::io(&source, e))?;
        if meta.is_dir() {
            refuse_mount_point(&source)?;
            fs::create_dir(&target).map_err(|e| Error::io(&target, e))?;
            set_mode(&target, meta.permissions().mode())?;
            mirror_dir(names, &source, &target, &name)?;
        } else if meta.file_type().is_symlink() {
            if names.iter().any(|planned| planned.starts_with(&name)) {
                let reason = "is a symbolic link where iospki writes files of its own; make it a directory or \
                              remove it";
                return Err(Error::io(&source, std::io::Error::other(reason)));
            }
            let link = fs::read_link(&source).map_err(|e| Error::io(&source, e))?;
            std::os::unix::fs::symlink(link, &target).map_err(|e| Error::io(&target, e))?;
        } else if meta.is_file() {
            fs::hard_link(&source, &target)
                .or_else(|_| fs::copy(&source, &target).map(drop))
                .map_err(|e| Error::io(&source, e))?;
        } else {
            let reason = "is a device, pipe or socket in the output directory; iospki carries across only files, \
                          directories and links: move it elsewhere";
            return Err(Error::io(&source, std::io::Error::other(reason)));
        }
    }
    Ok(())
}

/// Creates `dir` and its missing parents with mode 0700.
fn create_private_dirs(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(NEW_DIR_MODE)
        .create(dir)
        .map_err(|e| Error::io(dir, e))
}

/// Writes one file atomically: a temporary file beside `path`, fsync'ed, then renamed over it. Without `force`
/// an existing `path` is an error and is left as it was.
pub fn write_file(path: &Path, contents: &[u8], mode: u32, force: bool) -> Result<()> {
    let lock = Lock::take(path)?;
    if let Ok(meta) = path.symlink_metadata()
        && !meta.is_file()
    {
        let reason = "exists and is not a regular file (a device, a pipe, a link or a directory): iospki replaces \
                      only regular files";
        return Err(Error::io(path, std::io::Error::other(reason)));
    }
    let temp = Staging::beside(path, &lock)?;
    let staged = temp.path.join("file");
    write_synced(&staged, contents, mode).map_err(|e| e.at(path))?;
    let flags = if force {
        RenameFlags::empty()
    } else {
        RenameFlags::NOREPLACE
    };
    renameat_with(CWD, &staged, CWD, path, flags).map_err(|e| match e {
        rustix::io::Errno::EXIST => Error::FileExists {
            path: path.to_path_buf(),
        },
        other => Error::io(path, other.into()),
    })?;
    sync_dir(&lock.parent)
}

/// An exclusive lock on the directory that holds an output directory or file: runs of iospki on the same
/// parent take turns. It lasts as long as the value.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    parent: PathBuf,
}

impl Lock {
    /// Waits for, and takes, the lock of the directory holding `target`. `target` must be named by a final
    /// component of its own (not `.`, `..` or `/`), and must not be one of its own parents under another name.
    pub fn take(target: &Path) -> Result<Lock> {
        if !matches!(target.components().next_back(), Some(Component::Normal(_))) {
            let reason = "give the output by a name of its own, not ., .. or /";
            return Err(Error::io(target, std::io::Error::other(reason)));
        }
        let parent = parent_of(target);
        refuse_ancestor(target, &parent)?;
        if target.is_dir() && is_mount_point(target)? {
            let reason = "is a mount point; iospki publishes a set by swapping a new directory into its place, which \
                          a mount point cannot take: give a directory inside the mount, such as its output/";
            return Err(Error::io(target, std::io::Error::other(reason)));
        }
        let file = File::open(&parent).map_err(|e| Error::io(&parent, e))?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| Error::io(&parent, e.into()))?;
        Ok(Lock { _file: file, parent })
    }

    /// An error unless this lock is the one of `target`'s parent.
    fn covers(&self, target: &Path) -> Result<()> {
        if same_file(&self.parent, &parent_of(target)) {
            return Ok(());
        }
        Err(Error::io(
            target,
            std::io::Error::other("written without the lock of its directory"),
        ))
    }
}

/// A staging directory beside the target, removed (without crossing a mount point) unless published.
struct Staging {
    path: PathBuf,
    keep: bool,
}

impl Staging {
    /// A fresh staging directory beside `target`, under `lock`. The staging directories that killed runs left
    /// behind are removed first (they may hold key material).
    fn beside(target: &Path, lock: &Lock) -> Result<Staging> {
        let prefix = format!(".{}.iospki-", file_name(target));
        for entry in fs::read_dir(&lock.parent)
            .map_err(|e| Error::io(&lock.parent, e))?
            .flatten()
        {
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if entry.file_name().to_string_lossy().starts_with(&prefix) && is_dir {
                remove_tree(&entry.path())?;
            }
        }
        let made = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(&lock.parent)
            .map_err(|e| Error::io(&lock.parent, e))?;
        Ok(Staging {
            path: made.keep(),
            keep: false,
        })
    }

    /// The staging directory became the output: nothing to remove.
    fn published(mut self) {
        self.keep = true;
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            let _ = remove_tree(&self.path);
        }
    }
}

/// Removes the tree at `dir` as iospki staged it. It is first walked, without following links, for a filesystem
/// mounted inside it: such a mount point is left, with an error naming it. The removal itself is std's
/// `remove_dir_all`, which works through directory handles and never follows a link swapped in meanwhile.
fn remove_tree(dir: &Path) -> Result<()> {
    refuse_mounts_below(dir)?;
    fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// An error when a directory in the tree at `dir` (itself included) is a mount point.
fn refuse_mounts_below(dir: &Path) -> Result<()> {
    refuse_mount_point(dir)?;
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if entry.file_type().map_err(|e| Error::io(entry.path(), e))?.is_dir() {
            refuse_mounts_below(&entry.path())?;
        }
    }
    Ok(())
}

/// An error when `dir`, inside the output directory, is the root of a mount.
fn refuse_mount_point(dir: &Path) -> Result<()> {
    if is_mount_point(dir)? {
        let reason = "is a mount point inside the output directory; iospki neither carries a filesystem across \
                      nor removes what is on it: unmount it, or give another output directory";
        return Err(Error::io(dir, std::io::Error::other(reason)));
    }
    Ok(())
}

/// Whether `dir` is the root of a mount (another filesystem, or a bind mount), which statx tells.
fn is_mount_point(dir: &Path) -> Result<bool> {
    let stat =
        statx(CWD, dir, AtFlags::SYMLINK_NOFOLLOW, StatxFlags::BASIC_STATS).map_err(|e| Error::io(dir, e.into()))?;
    let root = StatxAttributes::MOUNT_ROOT;
    let marked = stat.stx_attributes_mask.contains(root) && stat.stx_attributes.contains(root);
    // Kernels before 5.8 do not mark mount roots: another filesystem still shows as another device.
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let other_device = parent
        .symlink_metadata()
        .is_ok_and(|meta| (u64::from(stat.stx_dev_major), u64::from(stat.stx_dev_minor)) != device(meta.dev()));
    Ok(marked || other_device)
}

/// A device number as major and minor.
fn device(dev: u64) -> (u64, u64) {
    (u64::from(rustix::fs::major(dev)), u64::from(rustix::fs::minor(dev)))
}

/// An error when `target` is `parent` or one of its parents under another name (a bind mount, `w/..`): the
/// staging directory would be inside what it copies.
fn refuse_ancestor(target: &Path, parent: &Path) -> Result<()> {
    let Ok(parent) = parent.canonicalize() else {
        return Ok(());
    };
    if parent.ancestors().any(|ancestor| same_file(target, ancestor)) {
        let reason = "is the directory that holds it, or one of its parents, under another name";
        return Err(Error::io(target, std::io::Error::other(reason)));
    }
    Ok(())
}

/// Whether `a` and `b` are the same file (device and inode), whatever their names.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.metadata(), b.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `dir` exists; an error when it is something other than a real directory.
fn check_target(dir: &Path) -> Result<bool> {
    match dir.symlink_metadata() {
        Ok(meta) if meta.is_dir() => Ok(true),
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::io(
            dir,
            std::io::Error::other("output is a symbolic link; give the real directory"),
        )),
        Ok(_) => Err(Error::io(
            dir,
            std::io::Error::other("output exists and is not a directory"),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// Writes a new file at `path`, synced to disk.
fn write_synced(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    write_new(path, contents, mode)?
        .sync_all()
        .map_err(|e| Error::io(path, e))
}

/// Writes a new file at `path` with exactly `mode`; the open file, for a sync.
fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<File> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    // The umask can only have narrowed the mode; set it exactly so public files stay readable.
    set_mode(path, mode)?;
    file.write_all(contents).map_err(|e| Error::io(path, e))?;
    Ok(file)
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|e| Error::io(path, e))
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

fn parent_of(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn file_name(dir: &Path) -> String {
    dir.file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> Plan {
        let mut plan = Plan::default();
        plan.add("key.pem", text.as_bytes(), SECRET_MODE, "a key");
        plan.add("cert.pem", text.as_bytes(), PUBLIC_MODE, "a cert");
        plan
    }

    fn mode(path: &Path) -> u32 {
        path.metadata().unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_directory_gets_the_files_with_their_modes() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("output");
        plan("one").publish(&out, false).unwrap();
        assert_eq!(fs::read_to_string(out.join("key.pem")).unwrap(), "one");
        assert_eq!(mode(&out.join("key.pem")), 0o600);
        assert_eq!(mode(&out.join("cert.pem")), 0o644);
        assert_eq!(mode(&out), 0o700);
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no staging left behind");
    }

    #[test]
    fn existing_set_needs_force_and_other_files_survive() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("output");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("nginx.key"), "mine").unwrap();
        fs::create_dir(out.join("backup")).unwrap();
        fs::write(out.join("backup/old"), "old").unwrap();
        plan("one").publish(&out, false).unwrap();
        let err = plan("two").publish(&out, false).unwrap_err();
        assert!(matches!(err, Error::OutputExists { .. }), "{err}");
        assert_eq!(fs::read_to_string(out.join("key.pem")).unwrap(), "one");
        plan("two").publish(&out, true).unwrap();
        assert_eq!(fs::read_to_string(out.join("key.pem")).unwrap(), "two");
        assert_eq!(fs::read_to_string(out.join("nginx.key")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(out.join("backup/old")).unwrap(), "old");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no staging left behind");
    }

    #[test]
    fn files_in_subdirectories_are_replaced_and_their_neighbours_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("output");
        let nested = |text: &str| {
            let mut plan = Plan::default();
            plan.add("node/conf/a.xml", text.as_bytes(), SECRET_MODE, "a file");
            plan
        };
        nested("one").publish(&out, false).unwrap();
        fs::write(out.join("node/conf/mine.xml"), "mine").unwrap();
        nested("two").publish(&out, true).unwrap();
        assert_eq!(fs::read_to_string(out.join("node/conf/a.xml")).unwrap(), "two");
        assert_eq!(fs::read_to_string(out.join("node/conf/mine.xml")).unwrap(), "mine");
    }

    #[test]
    fn symlinked_output_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("real")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("real"), tmp.path().join("link")).unwrap();
        let err = plan("x")
            .publish(&tmp.path().join("link"), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(fs::read_dir(tmp.path().join("real")).unwrap().count(), 0);
    }
}
