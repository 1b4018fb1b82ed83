//! The OS lock that gives one process the right to write a work directory.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use civitas_results::owned;

use crate::error::BatchError;

/// Name of the lock file inside a work directory.
pub(super) const LOCK_FILE: &str = "lock";
/// Attempts at taking a lock whose file is removed and recreated under us by a holder
/// that just finished.
const LOCK_ATTEMPTS: u32 = 100;

/// Exclusive right to write one work directory (and the output it commits to), so two
/// `civitas run` of one scenario into one `--out` cannot interleave their files.
///
/// An OS file lock (`flock` on Unix): the kernel releases it when the holder exits or is
/// killed, so a lock can never go stale. The lock file lives inside the work directory and
/// goes with it when the output is committed; a process that opened the old file before it
/// was removed notices that the path no longer names the file it locked, and tries again.
#[derive(Debug)]
pub(crate) struct WorkLock {
    _file: fs::File,
}

impl WorkLock {
    /// Takes the lock of the work directory `work` (created when absent), or fails with
    /// [`BatchError::Busy`] naming `output` and the holder's PID.
    ///
    /// The work directory must be a real folder (a link is refused) that is empty or holds
    /// a lock or a plan: a folder of that name holding other things is not Civitas's and
    /// gets no lock file. When the directory was made here and the lock cannot be taken
    /// (a full disk), the directory is removed again.
    pub fn acquire(work: &Path, output: &Path) -> Result<WorkLock, BatchError> {
        let made_here = !owned::exists(work);
        let taken = Self::take(work, output);
        if taken.is_err() && made_here {
            let _ = fs::remove_file(work.join(LOCK_FILE));
            let _ = fs::remove_dir(work);
        }
        taken
    }

    fn take(work: &Path, output: &Path) -> Result<WorkLock, BatchError> {
        let path = work.join(LOCK_FILE);
        for _ in 0..LOCK_ATTEMPTS {
            owned::real_dir(work)?;
            refuse_unmarked(work)?;
            let mut options = fs::OpenOptions::new();
            options.read(true).write(true).create(true).truncate(false);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                // A link planted as the lock would have its target truncated.
                options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
            }
            let mut file = match options.open(&path) {
                Ok(f) => f,
                // The holder removed the work directory between our two calls.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                        return Err(owned::FileError::Symlink { path }.into());
                    }
                    return Err(BatchError::io(&path)(e));
                }
            };
            if !file.metadata().is_ok_and(|m| m.is_file()) {
                return Err(owned::FileError::Kind {
                    path,
                    found: "not a regular file",
                    expected: "a lock file",
                }
                .into());
            }
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(BatchError::Busy {
                        output: output.to_path_buf(),
                        pid: text.trim().parse().ok(),
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(BatchError::io(&path)(e)),
            }
            if !still_names(&path, &file) {
                continue;
            }
            file.set_len(0).map_err(BatchError::io(&path))?;
            file.write_all(std::process::id().to_string().as_bytes())
                .map_err(BatchError::io(&path))?;
            return Ok(WorkLock { _file: file });
        }
        Err(BatchError::Busy {
            output: output.to_path_buf(),
            pid: None,
        })
    }
}

/// Refuses a non-empty folder that has neither a lock nor a plan: somebody's folder that
/// happens to have the work folder's name.
fn refuse_unmarked(work: &Path) -> Result<(), BatchError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(work).map_err(BatchError::io(work))? {
        let name = entry.map_err(BatchError::io(work))?.file_name();
        if name == LOCK_FILE || name == super::PLAN_FILE {
            return Ok(());
        }
        names.push(name.to_string_lossy().into_owned());
    }
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    Err(super::refuse_foreign(
        work,
        &names,
        "has the name of a work folder but no plan.json or lock",
    ))
}

/// Whether `path` still names the open `file` (not a newer file of the same name).
#[cfg(unix)]
fn still_names(path: &Path, file: &fs::File) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(path), file.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `path` still names the open `file`; elsewhere than Unix an open file cannot be
/// removed, so the name cannot have moved on.
#[cfg(not(unix))]
fn still_names(path: &Path, _file: &fs::File) -> bool {
    path.exists()
}
