//! Where the atlas folder's files come from: a directory on disk or files compiled into the
//! binary (the embedded demo).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A read-only set of files addressed by paths relative to the atlas folder (with `/`).
pub trait FileSource: Sync {
    /// Reads one file.
    fn read(&self, rel: &str) -> std::io::Result<Cow<'_, [u8]>>;
    /// A description for messages (the folder path or "embedded demo").
    fn describe(&self) -> String;
    /// The path of a file on disk, when there is one (for formats read by path).
    fn path(&self, _rel: &str) -> Option<PathBuf> {
        None
    }
    /// The names of the files directly in a folder (relative to the atlas folder), sorted, or
    /// `None` when the source cannot list (or the folder does not exist).
    fn list(&self, _dir: &str) -> Option<Vec<String>> {
        None
    }

    /// Opens one file for reading as a stream (large inputs such as points files, which are
    /// read in chunks and never held whole); by default, the bytes of [`read`](Self::read).
    fn open(&self, rel: &str) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        Ok(Box::new(std::io::Cursor::new(self.read(rel)?)))
    }
}

/// Why a path named in the atlas folder is not used: it would read a file outside the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    /// An absolute path (`/etc/passwd`, `C:\\…`).
    Absolute,
    /// A `..` that leaves the folder (`../../etc/passwd`).
    Parent,
    /// A symbolic link (the file or a folder on the way) that points outside the folder.
    Link,
}

impl std::fmt::Display for Outside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outside::Absolute => "an absolute path",
            Outside::Parent => "a path whose `..` leaves the atlas folder",
            Outside::Link => "a symbolic link to a place outside the atlas folder",
        })
    }
}

impl std::error::Error for Outside {}

/// Checks a path as written in `atlas.toml`: relative, and no `..` climbing above the folder.
/// (Links are checked where files are on disk, by [`DirSource`].)
pub fn check_relative(rel: &str) -> Result<(), Outside> {
    let bytes = rel.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if rel.starts_with(['/', '\\']) || drive || Path::new(rel).is_absolute() {
        return Err(Outside::Absolute);
    }
    let mut depth = 0usize;
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => depth = depth.checked_sub(1).ok_or(Outside::Parent)?,
            _ => depth += 1,
        }
    }
    Ok(())
}

/// An atlas folder on disk. Every path is checked to stay inside it: relative, no `..` leaving
/// it, and no symbolic link leading out of it (the canonical path must lie under the canonical
/// folder); a path that leaves it is an error of kind `InvalidInput` wrapping [`Outside`], and
/// nothing outside is read.
pub struct DirSource {
    root: PathBuf,
}

impl DirSource {
    /// Opens a folder.
    pub fn new(root: impl AsRef<Path>) -> Self {
        DirSource {
            root: root.as_ref().to_path_buf(),
        }
    }

    /// The file's path on disk, when it stays inside the folder.
    fn resolve(&self, rel: &str) -> std::io::Result<PathBuf> {
        let outside = |o: Outside| std::io::Error::new(std::io::ErrorKind::InvalidInput, o);
        check_relative(rel).map_err(outside)?;
        let root = self.root.canonicalize()?;
        let path = self.root.join(rel).canonicalize()?;
        if path.starts_with(&root) {
            Ok(path)
        } else {
            Err(outside(Outside::Link))
        }
    }
}

impl FileSource for DirSource {
    fn read(&self, rel: &str) -> std::io::Result<Cow<'_, [u8]>> {
        std::fs::read(self.resolve(rel)?).map(Cow::Owned)
    }
    fn describe(&self) -> String {
        self.root.display().to_string()
    }
    fn path(&self, rel: &str) -> Option<PathBuf> {
        self.resolve(rel).ok()
    }
    fn list(&self, dir: &str) -> Option<Vec<String>> {
        let dir = self.resolve(dir).ok()?;
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        Some(names)
    }

    fn open(&self, rel: &str) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        Ok(Box::new(std::fs::File::open(self.resolve(rel)?)?))
    }
}

/// Files in memory, e.g. compiled into the binary.
#[derive(Default)]
pub struct MemorySource {
    /// Name for messages.
    pub name: String,
    /// Relative path → content.
    pub files: BTreeMap<String, Cow<'static, [u8]>>,
}

impl FileSource for MemorySource {
    fn read(&self, rel: &str) -> std::io::Result<Cow<'_, [u8]>> {
        self.files
            .get(rel)
            .map(|c| Cow::Borrowed(c.as_ref()))
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("{rel} is not in {}", self.name),
                )
            })
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
    fn list(&self, dir: &str) -> Option<Vec<String>> {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        let names: Vec<String> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter(|rest| !rest.contains('/'))
            .map(str::to_string)
            .collect();
        (!names.is_empty()).then_some(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(check_relative("data/a.csv"), Ok(()));
        assert_eq!(check_relative("./data/../geo/b.geojson"), Ok(()));
        assert_eq!(check_relative("/etc/passwd"), Err(Outside::Absolute));
        assert_eq!(check_relative("\\\\server\\x"), Err(Outside::Absolute));
        assert_eq!(check_relative("C:\\data\\a.csv"), Err(Outside::Absolute));
        assert_eq!(check_relative("../../etc/passwd"), Err(Outside::Parent));
        assert_eq!(check_relative("data/../../x.csv"), Err(Outside::Parent));
        assert_eq!(check_relative("data\\..\\..\\x.csv"), Err(Outside::Parent));
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("atlas");
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::write(dir.path().join("secret.csv"), "secret").unwrap();
        std::fs::write(root.join("data/in.csv"), "fine").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.csv"), root.join("data/out.csv"))
            .unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("up")).unwrap();
        std::os::unix::fs::symlink(root.join("data/in.csv"), root.join("link_in.csv")).unwrap();
        let src = DirSource::new(&root);
        assert_eq!(&*src.read("data/in.csv").unwrap(), b"fine");
        assert_eq!(&*src.read("link_in.csv").unwrap(), b"fine");
        for rel in ["data/out.csv", "up/secret.csv", "../secret.csv"] {
            let e = src.read(rel).unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{rel}");
            assert!(e.get_ref().unwrap().downcast_ref::<Outside>().is_some());
            assert!(src.open(rel).is_err());
            assert!(src.path(rel).is_none());
        }
        assert!(src.list("up").is_none());
        assert_eq!(src.list("data").unwrap(), vec!["in.csv"]);
    }
}
