//! What a batch tells its caller while it runs. The library never prints: the caller (the
//! CLI draws a bar or log lines) renders these events, as ripgrep's searcher reports
//! through a `Sink` and only its printer writes.

/// Receives a batch's progress. Called from the worker threads, hence `Sync`; every method
/// has an empty default, so an implementation picks the events it shows.
pub trait BatchProgress: Sync {
    /// The batch starts `total` runs, of which `already` were finished by an interrupted
    /// batch that this one resumes.
    fn started(&self, total: u64, already: u64) {
        let _ = (total, already);
    }

    /// One more run finished.
    fn run_finished(&self) {}

    /// Every run finished (the output files are written next).
    fn finished(&self) {}

    /// Something the user should know that is not an error, e.g. a damaged run that is
    /// run again, or the work directory of an interrupted batch being removed.
    fn note(&self, message: &str) {
        let _ = message;
    }
}

/// Shows nothing: the default of [`crate::Batch`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl BatchProgress for Silent {}

/// A [`BatchProgress`] held by a [`crate::Batch`] (a reference, so the batch stays `Clone`).
#[derive(Clone, Copy)]
pub(crate) struct ProgressRef<'a>(pub &'a dyn BatchProgress);

impl std::fmt::Debug for ProgressRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BatchProgress")
    }
}

impl Default for ProgressRef<'_> {
    fn default() -> Self {
        ProgressRef(&Silent)
    }
}
