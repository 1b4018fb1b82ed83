//! Why a batch could not run, resume, merge or be read back.

use std::path::PathBuf;

use civitas_scenario::ScenarioError;
use civitas_uncertainty::DistributionError;

/// Everything that can go wrong in `civitas-batch`.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The scenario (or a sweep point derived from it) is not valid.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A `--set` lever is malformed, addresses nothing, or gives an invalid value.
    #[error("lever `{lever}`: {problem}")]
    Lever {
        /// The lever as the user wrote it (or, for a point's scenario, `PATH=VALUE, …`).
        lever: String,
        /// What is wrong (boxed: a lever error is rare and larger than the others).
        #[source]
        problem: Box<LeverError>,
    },
    /// An `[[uncertainty]]` entry addresses no numeric field, or its draws would make the
    /// scenario invalid.
    #[error("{entry}: {problem}")]
    Uncertainty {
        /// The entry, e.g. `uncertainty[2] (population.bands.senior.bass_q)`.
        entry: String,
        /// What is wrong.
        #[source]
        problem: UncertaintyError,
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
    /// A file or folder was refused (a link, not a regular file, too large) or could not
    /// be read or written.
    #[error(transparent)]
    File(#[from] civitas_results::owned::FileError),
    /// A work or output folder holds something Civitas did not put there, which it will
    /// neither remove nor write into.
    #[error("{}: {message}", path.display())]
    Foreign {
        /// The folder.
        path: PathBuf,
        /// What was found and what to do.
        message: String,
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
    Merge(#[from] MergeError),
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
    /// A flag of `civitas optimize` is malformed or cannot be met (bad bounds, shares
    /// past 1, a total outside the bounds, a variable naming no field).
    #[error("{flag}: {message}")]
    Optimize {
        /// The flag as given, e.g. `--var 'policies[name=ops].amount_per_year=3..1'`.
        flag: String,
        /// What is wrong.
        message: String,
    },
    /// The worker thread pool could not be started.
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        /// Requested thread count.
        threads: usize,
        /// Why the pool builder failed.
        source: rayon::ThreadPoolBuildError,
    },
}

/// Why a lever cannot be read or applied: its text (`PATH=SPEC`, see [`crate::sweep`]),
/// the place its path addresses in the scenario, or the scenario it makes.
#[derive(Debug, thiserror::Error)]
pub enum LeverError {
    /// No `=` between the path and the values.
    #[error("expected PATH=LO..HI:N, PATH=a,b,c or PATH=LO..HI (with --lhs)")]
    NoEquals,
    /// Nothing before `=`.
    #[error("the path is empty")]
    EmptyPath,
    /// A `.` or `[` where a field name should start.
    #[error("expected a field name in `{path}`")]
    NoFieldName {
        /// The whole path.
        path: String,
    },
    /// A `[` without its `]`.
    #[error("unclosed `[` in `{path}`")]
    Unclosed {
        /// The whole path.
        path: String,
    },
    /// A selector that is neither `[index]` nor `[key=value]`.
    #[error("expected [index] or [key=value] in `{path}`, found [{selector}]")]
    BadSelector {
        /// The whole path.
        path: String,
        /// What stood between the brackets.
        selector: String,
    },
    /// Something other than `.` or `[` after a field name.
    #[error("expected `.` or `[` after `{field}` in `{path}`")]
    NoSeparator {
        /// The whole path.
        path: String,
        /// The field name before it.
        field: String,
    },
    /// Nothing after `=`.
    #[error("no values after `=`")]
    NoValues,
    /// `LO..HI:N` whose `N` is not a whole number.
    #[error("`{0}` is not a point count")]
    NotACount(String),
    /// `LO..HI:0`.
    #[error("a grid needs at least one point")]
    NoGridPoints,
    /// A value that is not a number.
    #[error("`{0}` is not a number")]
    NotANumber(String),
    /// A value that is infinite or NaN.
    #[error("`{0}` is not a finite number")]
    NotFinite(String),
    /// `LO..HI` in a grid sweep.
    #[error("a range needs a point count for a grid (LO..HI:N), or use --lhs N")]
    RangeWithoutCount,
    /// A sweep without `--set`.
    #[error("a sweep needs at least one --set lever")]
    NoLevers,
    /// Two `--set` levers address the same field.
    #[error("sets the same field as `{first}`; give each field one --set")]
    SetTwice {
        /// The first lever that sets it.
        first: String,
    },
    /// `--lhs 0`.
    #[error("a Latin hypercube needs at least one point")]
    NoHypercubePoints,
    /// A list or a counted range with `--lhs`.
    #[error("--lhs samples ranges: write PATH=LO..HI (the point count comes from --lhs)")]
    HypercubeNeedsRange,
    /// An explicit design point with the wrong number of values.
    #[error("a point has {values} values for {levers} levers")]
    PointLength {
        /// Values in the point.
        values: usize,
        /// Levers of the sweep.
        levers: usize,
    },
    /// A field of something that is not a table.
    #[error("`{at}` is not a table, it has no field `{field}`")]
    NotATable {
        /// Where the path got to.
        at: String,
        /// The field asked for.
        field: String,
    },
    /// The path names something other than a number (or a field the file leaves unset).
    #[error("{at} is not a number set in the scenario")]
    NotANumberField {
        /// The path.
        at: String,
    },
    /// A field the table does not have.
    #[error("{} has no field `{field}` (fields: {})", place(at), fields.join(", "))]
    NoSuchField {
        /// The table.
        at: String,
        /// The field asked for.
        field: String,
        /// The fields it has.
        fields: Vec<String>,
    },
    /// `[index]` or `[key=value]` on something that is not a list.
    #[error("`{at}` is not a list")]
    NotAList {
        /// Where the path got to.
        at: String,
    },
    /// `[index]` past the end of the list.
    #[error("`{at}` has {len} entries, there is no [{index}]")]
    NoSuchIndex {
        /// The list.
        at: String,
        /// Its length.
        len: usize,
        /// The index asked for.
        index: usize,
    },
    /// `[key=value]` that no entry matches.
    #[error("no entry of `{at}` has {key} = {value:?} (found: {})", found.join(", "))]
    NoSuchEntry {
        /// The list.
        at: String,
        /// The key compared.
        key: String,
        /// The value asked for.
        value: String,
        /// The entries' values of `key`.
        found: Vec<String>,
    },
    /// A fractional or huge value for a whole-number field.
    #[error("`{at}` holds a whole number, {value} is not one")]
    NotWhole {
        /// The field.
        at: String,
        /// The value.
        value: f64,
    },
    /// A value JSON cannot hold.
    #[error("`{at}` cannot hold {value}")]
    CannotHold {
        /// The field.
        at: String,
        /// The value.
        value: f64,
    },
    /// A field that does not hold a number.
    #[error("`{at}` is {holds}, not a number; sweeps set numeric fields")]
    NotNumeric {
        /// The field.
        at: String,
        /// What it holds: `a true/false switch`, `text`, `a list` or `a table`.
        holds: &'static str,
    },
    /// The scenario could not be turned into a tree to set the lever in.
    #[error("cannot represent the scenario: {0}")]
    Represent(#[source] serde_json::Error),
    /// The scenario with the lever set no longer reads as a scenario.
    #[error("the scenario is no longer valid: {0}")]
    Unreadable(#[source] serde_json::Error),
    /// The scenario with the lever set breaks a validation rule.
    #[error("the scenario is no longer valid: {0}")]
    Invalid(#[source] ScenarioError),
}

/// Why an `[[uncertainty]]` entry cannot be drawn.
#[derive(Debug, thiserror::Error)]
pub enum UncertaintyError {
    /// Its path is malformed.
    #[error("{0}")]
    Path(#[source] Box<BatchError>),
    /// Its prior's parameters are out of range.
    #[error("{0}")]
    Prior(#[source] DistributionError),
    /// An end of its prior's support does not fit the field it sets.
    #[error("a draw of {end} does not fit the field: {source}")]
    DrawDoesNotFit {
        /// The end of the support.
        end: f64,
        /// What setting it breaks.
        source: Box<BatchError>,
    },
    /// A replicate beyond those the draws were made for.
    #[error("has no draws ({planned} replicates planned)")]
    NoDraws {
        /// Replicates drawn for.
        planned: usize,
    },
}

/// Why shard directories given to `merge` do not form one complete batch.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No directories at all.
    #[error("no shard directories given")]
    NoShards,
    /// A directory written by a batch run in one piece.
    #[error("{} is not a shard directory", .0.display())]
    NotAShard(PathBuf),
    /// The same shard twice.
    #[error("shard {index}/{count} is given twice")]
    ShardTwice {
        /// The shard's index.
        index: u32,
        /// Shards in the batch.
        count: u32,
    },
    /// A shard of another batch (other settings or another shard count).
    #[error("{} is not a shard of the same batch as {}", shard.display(), first.display())]
    OtherBatch {
        /// The shard that differs.
        shard: PathBuf,
        /// The first shard given.
        first: PathBuf,
    },
    /// A shard simulated by another model (another build of the engine) than the first.
    #[error(
        "{} was simulated by {shard_model} and {} by {first_model}: runs of two models are \
         not one result; run the shards again with one build of civitas",
        shard.display(),
        first.display()
    )]
    OtherModel {
        /// The shard that differs.
        shard: PathBuf,
        /// Its model, as said in a message.
        shard_model: String,
        /// The first shard given.
        first: PathBuf,
        /// The first shard's model, as said in a message.
        first_model: String,
    },
    /// Shards not given.
    #[error("shards {} are missing", shard_list(missing, *count))]
    MissingShards {
        /// Their indexes.
        missing: Vec<u32>,
        /// Shards in the batch.
        count: u32,
    },
    /// A run file that is not as its shard wrote it.
    #[error("{source}; run its shard again with --resume, which runs damaged runs again")]
    DamagedRun {
        /// What is wrong with it.
        source: Box<BatchError>,
    },
    /// A run its shard has not finished.
    #[error(
        "run of point {point}, replicate {replicate} is missing: shard {shard}/{count} has not \
         finished (run it again with --resume)"
    )]
    UnfinishedShard {
        /// The run's sweep point.
        point: usize,
        /// The run's replicate.
        replicate: u32,
        /// The shard it belongs to.
        shard: u32,
        /// Shards in the batch.
        count: u32,
    },
    /// A run missing from a set that should be complete.
    #[error("run of point {point}, replicate {replicate} is missing")]
    MissingRun {
        /// The run's sweep point.
        point: usize,
        /// The run's replicate.
        replicate: u32,
    },
}

/// `` `population.bands` ``, or `the scenario` for the top level (the empty path).
fn place(at: &str) -> String {
    if at.is_empty() {
        "the scenario".to_string()
    } else {
        format!("`{at}`")
    }
}

/// `0/4, 2/4`.
fn shard_list(indexes: &[u32], count: u32) -> String {
    indexes
        .iter()
        .map(|i| format!("{i}/{count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl BatchError {
    /// A [`BatchError::Lever`].
    pub(crate) fn lever(lever: impl Into<String>, problem: LeverError) -> BatchError {
        BatchError::Lever {
            lever: lever.into(),
            problem: Box::new(problem),
        }
    }

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
            civitas_results::ResultsError::File(e) => BatchError::File(e),
            civitas_results::ResultsError::Corrupt { path, message } => {
                BatchError::Corrupt { path, message }
            }
        }
    }
}
