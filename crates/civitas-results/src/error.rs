//! Why an output file could not be written or read back.

use std::path::PathBuf;

use civitas_scenario::ScenarioError;

/// Everything that can go wrong writing or reading an output directory.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The resolved `scenario.toml` of an output directory does not load.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// File or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file or folder was refused (a link, not a regular file, too large) or could not
    /// be read or written.
    #[error(transparent)]
    File(#[from] crate::owned::FileError),
    /// A file in an output directory is not what Civitas wrote.
    #[error("{}: {message}", path.display())]
    Corrupt {
        /// File involved.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl ResultsError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ResultsError {
        let path = path.into();
        move |source| ResultsError::Io { path, source }
    }

    /// A malformed file at `path`.
    pub fn corrupt(path: impl Into<PathBuf>, message: impl Into<String>) -> ResultsError {
        ResultsError::Corrupt {
            path: path.into(),
            message: message.into(),
        }
    }
}
