//! Why a batch could not run, resume, merge or be read back.

use std::path::PathBuf;

use civitas_scenario::ScenarioError;

/// Everything that can go wrong in `civitas-batch`.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The scenario (or a sweep point derived from it) is not valid.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A `--set` lever is malformed, addresses nothing, or gives an invalid value.
    #[error("lever `{lever}`: {message}")]
    Lever {
        /// The lever as the user wrote it.
        lever: String,
        /// What is wrong.
        message: String,
    },
    /// An `[[uncertainty]]` entry addresses no numeric field, or its draws would make the
    /// scenario invalid.
    #[error("{entry}: {message}")]
    Uncertainty {
        /// The entry, e.g. `uncertainty[2] (population.bands.senior.bass_q)`.
        entry: String,
        /// What is wrong.
        message: String,
    },
    /// A `--shard i/N` specification is malformed.
    #[error("shard `{0}`: expected i/N with 0 <= i < N (e.g. 0/4)")]
    Shard(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// File or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file in a work, shard or output directory is not what Civitas wrote.
    #[error("{}: {message}", path.display())]
    Corrupt {
        /// File involved.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// `--resume` found a work directory of a different batch.
    #[error(
        "{}: the unfinished batch there was started with different settings ({message}); \
         run without --resume to start over",
        path.display()
    )]
    ResumeMismatch {
        /// The work directory.
        path: PathBuf,
        /// What differs.
        message: String,
    },
    /// Shard directories given to `merge` do not form one complete batch.
    #[error("cannot merge: {0}")]
    Merge(String),
    /// Another process is writing the same output (it holds the work directory's lock).
    #[error(
        "another civitas run is writing {} (pid {}); wait for it or use --out",
        output.display(),
        pid.map_or_else(|| "unknown".to_string(), |p| p.to_string())
    )]
    Busy {
        /// The output (or shard) directory being written.
        output: PathBuf,
        /// Process id of the holder, when it could be read from the lock file.
        pid: Option<u32>,
    },
    /// The batch would take more memory, threads or runs than it may (see
    /// [`crate::limits`]); the message gives the estimate and what to reduce.
    #[error("{0}")]
    TooBig(String),
    /// The output directory cannot receive the result (a file, a foreign directory, a
    /// result of the other kind); nothing was run or replaced.
    #[error("{}: {message}", path.display())]
    Destination {
        /// The output directory.
        path: PathBuf,
        /// Why it cannot be used.
        message: String,
    },
    /// The worker thread pool could not be started.
    #[error("cannot start {threads} worker threads: {message}")]
    ThreadPool {
        /// Requested thread count.
        threads: usize,
        /// The pool builder's message.
        message: String,
    },
}

impl BatchError {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> BatchError {
        let path = path.into();
        move |source| BatchError::Io { path, source }
    }

    /// A malformed file at `path`.
    pub(crate) fn corrupt(path: impl Into<PathBuf>, message: impl Into<String>) -> BatchError {
        BatchError::Corrupt {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl From<civitas_results::ResultsError> for BatchError {
    fn from(e: civitas_results::ResultsError) -> Self {
        match e {
            civitas_results::ResultsError::Scenario(e) => BatchError::Scenario(e),
            civitas_results::ResultsError::Io { path, source } => BatchError::Io { path, source },
            civitas_results::ResultsError::Corrupt { path, message } => {
                BatchError::Corrupt { path, message }
            }
        }
    }
}
