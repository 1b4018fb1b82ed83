//! What can stop a case from being checked.

use std::path::PathBuf;

/// A case that could not be loaded, run or compared (exit code 2 of `civitas check`).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A file was refused (a link, not a regular file, too large) or could not be read
    /// or written.
    #[error(transparent)]
    File(#[from] civitas_batch::owned::FileError),
    /// The case's scenario is not valid.
    #[error(transparent)]
    Scenario(#[from] civitas_scenario::ScenarioError),
    /// The batch failed.
    #[error(transparent)]
    Batch(#[from] civitas_batch::BatchError),
    /// `tolerances.toml` is not valid.
    #[error("{}: {message}", path.display())]
    Tolerances {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// `golden.csv` is malformed.
    #[error("{}: {message}", path.display())]
    Golden {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the row.
        message: String,
    },
    /// The case has no golden results yet.
    #[error("{}: no golden results; run `civitas check --bless` to record them", path.display())]
    NoGolden {
        /// The missing file.
        path: PathBuf,
    },
    /// The directory holds no case.
    #[error("{}: no regression case found (expected <case>/scenario.toml below it)", path.display())]
    NoCases {
        /// The directory searched.
        path: PathBuf,
    },
    /// Writing the report of a case failed.
    #[error("cannot write the report: {0}")]
    Report(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl CheckError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> CheckError {
        let path = path.into();
        move |source| CheckError::Io { path, source }
    }
}
