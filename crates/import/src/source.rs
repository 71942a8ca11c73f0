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

/// An atlas folder on disk.
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
}

impl FileSource for DirSource {
    fn read(&self, rel: &str) -> std::io::Result<Cow<'_, [u8]>> {
        std::fs::read(self.root.join(rel)).map(Cow::Owned)
    }
    fn describe(&self) -> String {
        self.root.display().to_string()
    }
    fn path(&self, rel: &str) -> Option<PathBuf> {
        Some(self.root.join(rel))
    }
    fn list(&self, dir: &str) -> Option<Vec<String>> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join(dir))
            .ok()?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        Some(names)
    }

    fn open(&self, rel: &str) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        Ok(Box::new(std::fs::File::open(self.root.join(rel))?))
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
