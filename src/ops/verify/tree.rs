//! Where verify reads a node's files: a directory on disk, or a bundle's files held in memory. Paths are relative
//! to the tree; a path a configuration file names is resolved against the tree's `${carbon.home}`, and in memory
//! never leaves it.

use std::path::{Component, Path, PathBuf};

use zeroize::Zeroizing;

use crate::io::input::{self, InputError, Kind};

/// A tree of files.
#[derive(Debug)]
pub(super) enum Tree {
    /// A directory: an output directory or a server home, by its absolute path (see [`Tree::dir`]).
    Dir(PathBuf),
    /// A bundle's files, by path.
    Memory(Vec<(PathBuf, Zeroizing<Vec<u8>>)>),
}

/// Why a file of a tree was not read.
#[derive(Debug, thiserror::Error)]
pub(super) enum ReadError {
    /// Reading it failed.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The bundle holds no such file.
    #[error("is not in the bundle")]
    Absent,
    /// The path leaves the tree.
    #[error("is outside the node's files; iospki reads only what the bundle holds")]
    Outside,
}

impl ReadError {
    /// Whether the file is simply not there.
    pub(super) fn is_absent(&self) -> bool {
        match self {
            ReadError::Absent => true,
            ReadError::Input(e) => e.is_not_found(),
            ReadError::Outside => false,
        }
    }
}

impl Tree {
    /// The directory `dir`, by its absolute path, so that a path in it is never taken for one relative to the
    /// working directory, nor joined to the tree twice.
    pub(super) fn dir(dir: &Path) -> std::io::Result<Self> {
        Ok(Tree::Dir(std::path::absolute(dir)?))
    }

    /// The bytes of the file at `path`: relative to the tree, never to the working directory (absolute only in
    /// a directory).
    pub(super) fn read(&self, path: &Path, kind: Kind) -> Result<Zeroizing<Vec<u8>>, ReadError> {
        match self {
            Tree::Dir(root) => Ok(input::read_bytes(&root.join(path), kind)?),
            Tree::Memory(files) => {
                let path = inside(path).ok_or(ReadError::Outside)?;
                files
                    .iter()
                    .find(|(name, _)| *name == path)
                    .map(|(_, bytes)| bytes.clone())
                    .ok_or(ReadError::Absent)
            }
        }
    }

    /// The tree's directory, where it has one.
    pub(super) fn root(&self) -> Option<&Path> {
        match self {
            Tree::Dir(root) => Some(root),
            Tree::Memory(_) => None,
        }
    }

    /// A path as the user will recognise it: relative to the tree.
    pub(super) fn shown(&self, path: &Path) -> String {
        match self {
            Tree::Dir(root) => path.strip_prefix(root).unwrap_or(path).display().to_string(),
            Tree::Memory(_) => path.display().to_string(),
        }
    }

    /// A location a WSO2 configuration file names, `${carbon.home}` being the tree's root.
    pub(super) fn resolve(&self, location: &str) -> PathBuf {
        let relative = location
            .strip_prefix("${carbon.home}")
            .map(|rest| rest.trim_start_matches('/'));
        match (self, relative) {
            (_, Some(relative)) => match self.root() {
                Some(root) => root.join(relative),
                None => PathBuf::from(relative),
            },
            (Tree::Dir(root), None) => root.join(location),
            (Tree::Memory(_), None) => PathBuf::from(location),
        }
    }
}

/// `path` as a relative path without `..`, or `None` when it leaves the tree.
fn inside(path: &Path) -> Option<PathBuf> {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_trees_never_read_outside_themselves() {
        let tree = Tree::Memory(vec![(PathBuf::from("a/b.jks"), Zeroizing::new(vec![1]))]);
        assert_eq!(&tree.read(Path::new("./a/b.jks"), Kind::Data).unwrap()[..], &[1]);
        for outside in ["/etc/shadow", "../x", "a/../../x"] {
            assert!(
                matches!(tree.read(Path::new(outside), Kind::Data), Err(ReadError::Outside)),
                "{outside}"
            );
        }
        assert_eq!(
            tree.resolve("${carbon.home}/repository/resources/security/wso2certs.jks"),
            Path::new("repository/resources/security/wso2certs.jks")
        );
        assert!(matches!(
            tree.read(Path::new("/dev/zero"), Kind::Data),
            Err(ReadError::Outside)
        ));
    }
}
