//! The one place that decides how Civitas touches a path it writes or reads back.
//!
//! Output folders, work folders, goldens, tolerances, manifests and run files live in
//! places other people can write to (a shared `outputs/`, a repository of regression cases
//! that anyone may send a pull request to). So Civitas:
//! - never follows a symbolic link it did not make: files are opened with `O_NOFOLLOW`
//!   and must be regular files (a FIFO or a device would block or never end);
//! - reads foreign files bounded: a size limit checked on the open file before anything
//!   is allocated, and never echoes their content beyond a short, escaped excerpt
//!   ([`excerpt`]), so a golden that points at `/proc/self/environ` cannot print secrets;
//! - writes a file through a temporary of a fresh, private name created with `create_new`
//!   (never an existing file or link) and renamed over the destination ([`write_file`],
//!   [`TempFile`]), so a planted `x.tmp` symlink is never written through;
//! - makes folders with [`real_dir`], which refuses a link or a file in the way.
//!
//! Removing whole folders is left to their owners, which check their own marker first
//! (a work folder's `plan.json`, a result's `manifest.json`).

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a file or folder was refused or could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The path is a symbolic link.
    #[error(
        "{}: is a symbolic link; Civitas reads and writes only files and folders it can see \
         are what they claim to be (use the file or folder it points to)",
        path.display()
    )]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// The path exists but is not a regular file (or not a folder, where one is needed).
    #[error("{}: is {found}, expected {expected}", path.display())]
    Kind {
        /// The path.
        path: PathBuf,
        /// What it is (`a folder`, `a FIFO`, …).
        found: &'static str,
        /// What was needed.
        expected: &'static str,
    },
    /// The file is larger than anything Civitas writes there.
    #[error(
        "{}: is {size} bytes, more than the {limit} such a file may have; it was not written \
         by Civitas",
        path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("{}: is not UTF-8 text", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
    },
    /// Reading, writing or renaming failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl FileError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> FileError {
        let path = path.into();
        move |source| FileError::Io { path, source }
    }
}

/// What a path is, without following a link.
fn kind_name(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_symlink() {
        return "a symbolic link";
    }
    if t.is_dir() {
        return "a folder";
    }
    if t.is_file() {
        return "a regular file";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    "not a regular file"
}

/// Opens `path` for reading: a regular file, reached without following a symbolic link
/// in its last component.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) => return Err(classify_open_error(path, e)),
    };
    let meta = file.metadata().map_err(FileError::io(path))?;
    if !meta.is_file() {
        return Err(FileError::Kind {
            path: path.to_path_buf(),
            found: kind_name(&meta),
            expected: "a regular file",
        });
    }
    Ok(file)
}

/// An open failure in words: a link refused by `O_NOFOLLOW` is named as such.
fn classify_open_error(path: &Path, e: std::io::Error) -> FileError {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return FileError::Symlink {
            path: path.to_path_buf(),
        };
    }
    if let Ok(meta) = fs::symlink_metadata(path)
        && meta.file_type().is_symlink()
    {
        return FileError::Symlink {
            path: path.to_path_buf(),
        };
    }
    FileError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// The bytes of the regular file `path`, refused past `limit` bytes before any is read.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let file = open_regular(path)?;
    let size = file.metadata().map_err(FileError::io(path))?.len();
    if size > limit {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // The file may grow after the check: read one byte past the limit at most.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(FileError::io(path))?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// The text of the regular file `path` (UTF-8, a leading byte-order mark dropped),
/// refused past `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, FileError> {
    let bytes = read_bytes(path, limit)?;
    let mut text = String::from_utf8(bytes).map_err(|_| FileError::NotText {
        path: path.to_path_buf(),
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Whether `path` exists, without following a link (a dangling link exists).
pub fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Makes sure `path` is a real folder: created (with its parents) when absent; an
/// existing link, file or anything else in its place is refused.
pub fn real_dir(path: &Path) -> Result<(), FileError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => Err(FileError::Symlink {
            path: path.to_path_buf(),
        }),
        Ok(meta) => Err(FileError::Kind {
            path: path.to_path_buf(),
            found: kind_name(&meta),
            expected: "a folder",
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs::create_dir_all(parent).map_err(FileError::io(parent))?;
            }
            match fs::create_dir(path) {
                Ok(()) => Ok(()),
                // Made by another process in between: check what it is.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => real_dir(path),
                Err(e) => Err(FileError::io(path)(e)),
            }
        }
        Err(e) => Err(FileError::io(path)(e)),
    }
}

/// Makes a new, empty folder in `parent` named `<stem>-<pid>-<n>`, never one that
/// exists already (so a link planted at a predictable name in a shared temporary folder
/// is never used); returns its path.
pub fn fresh_dir(parent: &Path, stem: &str) -> Result<PathBuf, FileError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut last = None;
    for _ in 0..TEMP_ATTEMPTS {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = parent.join(format!("{stem}-{}-{nanos:x}{n}", std::process::id()));
        match fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(FileError::io(&path)(e)),
        }
    }
    Err(FileError::Io {
        path: parent.to_path_buf(),
        source: last.unwrap_or_else(|| std::io::Error::other("no free folder name")),
    })
}

/// Prefix of every temporary file Civitas makes; nothing else it writes starts with it.
pub const TEMP_PREFIX: &str = ".tmp-";
/// Attempts at finding a free temporary name (each a fresh counter value).
const TEMP_ATTEMPTS: u32 = 64;

/// A file being written under a fresh private name beside its destination, renamed over
/// the destination by [`TempFile::persist`], removed when dropped unpersisted.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    file: Option<File>,
}

impl TempFile {
    /// Creates the temporary for `destination`: `.tmp-<pid>-<n>-<name>` in the same
    /// folder, made with `create_new` (so never an existing file or link).
    pub fn new(destination: &Path) -> Result<TempFile, FileError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        // Keep the temporary's name within the 255 bytes most file systems allow.
        let name: String = name.chars().take(150).collect();
        let mut last = None;
        for _ in 0..TEMP_ATTEMPTS {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = destination
                .with_file_name(format!("{TEMP_PREFIX}{}-{n}-{name}", std::process::id()));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    return Ok(TempFile {
                        path,
                        file: Some(file),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(FileError::io(&path)(e)),
            }
        }
        Err(FileError::Io {
            path: destination.to_path_buf(),
            source: last.unwrap_or_else(|| std::io::Error::other("no free temporary name")),
        })
    }

    /// The temporary's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open file, to write to.
    pub fn file(&mut self) -> &mut File {
        self.file
            .as_mut()
            .expect("a temporary file is open until persisted")
    }

    /// Flushes the file and renames it over `destination` (a link there is replaced, not
    /// followed).
    pub fn persist(mut self, destination: &Path) -> Result<(), FileError> {
        let file = self.file.take().expect("persisted once");
        file.sync_data().map_err(FileError::io(&self.path))?;
        drop(file);
        fs::rename(&self.path, destination).map_err(FileError::io(destination))?;
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to `path` through a [`TempFile`]: `path` is either as before or complete,
/// and nothing at a predictable temporary name is written through.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let mut tmp = TempFile::new(path)?;
    tmp.file().write_all(bytes).map_err(FileError::io(path))?;
    tmp.persist(path)
}

/// At most `max_chars` characters of `text`, with control and other unprintable
/// characters escaped (`\u{1b}`), `…` marking a cut: what an error may show of a foreign
/// file's content.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        if !civitas_scenario::printable(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_fifos_and_large_files_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        fs::write(&secret, "TOKEN=hunter2").unwrap();
        let link = dir.path().join("golden.csv");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let err = read_text(&link, 1 << 20).unwrap_err();
        assert!(matches!(err, FileError::Symlink { .. }), "{err}");
        assert!(!err.to_string().contains("hunter2"));
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let err = read_text(&fifo, 1 << 20).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        let big = dir.path().join("big");
        fs::write(&big, vec![b'x'; 2000]).unwrap();
        assert!(matches!(
            read_bytes(&big, 1000).unwrap_err(),
            FileError::TooLarge { size: 2000, .. }
        ));
        assert_eq!(read_text(&secret, 100).unwrap(), "TOKEN=hunter2");
    }

    #[cfg(unix)]
    #[test]
    fn writing_never_goes_through_a_planted_temporary_and_replaces_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let dest = dir.path().join("golden.csv");
        // Links at every name an older Civitas used for its temporaries.
        for name in ["golden.csv.tmp", ".tmp-golden.csv"] {
            std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
        }
        std::os::unix::fs::symlink(&victim, &dest).unwrap();
        write_file(&dest, b"new").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert!(
            !fs::symlink_metadata(&dest)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&dest).unwrap(), "new");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with(TEMP_PREFIX) && n != ".tmp-golden.csv"
            })
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn real_dir_refuses_a_link_to_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let link = dir.path().join("x.incomplete");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        assert!(matches!(
            real_dir(&link).unwrap_err(),
            FileError::Symlink { .. }
        ));
        real_dir(&dir.path().join("a/b")).unwrap();
        assert!(dir.path().join("a/b").is_dir());
    }

    #[test]
    fn excerpts_are_short_and_escaped() {
        assert_eq!(excerpt("ab\u{1b}[2Jc", 10), "ab\\u{1b}[2Jc");
        assert_eq!(excerpt("abcdef", 3), "abc…");
        assert_eq!(excerpt("a\u{202e}b", 5), "a\\u{202e}b");
    }
}
