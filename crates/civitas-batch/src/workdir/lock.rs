//! The OS lock that gives one process the right to write a work directory.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

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
    pub fn acquire(work: &Path, output: &Path) -> Result<WorkLock, BatchError> {
        let path = work.join(LOCK_FILE);
        for _ in 0..LOCK_ATTEMPTS {
            fs::create_dir_all(work).map_err(BatchError::io(work))?;
            let mut file = match fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
            {
                Ok(f) => f,
                // The holder removed the work directory between our two calls.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(BatchError::io(&path)(e)),
            };
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
