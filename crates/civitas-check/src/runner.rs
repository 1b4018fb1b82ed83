//! Running cases in parallel and judging them against their goldens.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use civitas_batch::{Batch, StagedOutput, owned};

use crate::case::Case;
use crate::compare::{Comparison, compare};
use crate::error::CheckError;
use crate::golden::{Observation, observe, read_golden, write_golden};

/// Adds files (plots, a report) to a case's staged output before it is committed.
pub type ReportHook =
    dyn Fn(&StagedOutput) -> Result<(), Box<dyn std::error::Error + Send + Sync>> + Sync;

/// How [`run_all`] runs the cases.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Worker threads for all cases together (default: all cores).
    pub threads: Option<usize>,
    /// Keep each case's full output under `<keep>/<case>/` (default: a temporary folder,
    /// removed afterwards).
    pub keep: Option<PathBuf>,
    /// Record the results as the new goldens instead of only comparing.
    pub bless: bool,
    /// Called with each case's staged output (e.g. to add `report.html`).
    pub report: Option<&'a ReportHook>,
}

/// What happened to one case.
#[derive(Debug)]
pub struct CaseRun {
    /// The case.
    pub case: Case,
    /// Seconds the case took.
    pub seconds: f64,
    /// Its comparisons, or why it could not be checked.
    pub outcome: Result<CaseOutcome, CheckError>,
}

/// The comparisons of one case (with `bless`: the old goldens against the new results).
#[derive(Debug)]
pub struct CaseOutcome {
    /// Every quantity, worst first.
    pub comparisons: Vec<Comparison>,
    /// Whether the goldens were (re)written.
    pub blessed: bool,
    /// Whether there were goldens before (false on a first bless).
    pub had_golden: bool,
}

impl CaseOutcome {
    /// Quantities compared with a golden value.
    pub fn checked(&self) -> usize {
        self.comparisons
            .iter()
            .filter(|c| c.verdict != crate::Verdict::New)
            .count()
    }

    /// The comparisons that fail the check (drift or missing).
    pub fn drifts(&self) -> impl Iterator<Item = &Comparison> {
        self.comparisons.iter().filter(|c| c.verdict.fails())
    }

    /// Whether the case holds.
    pub fn holds(&self) -> bool {
        self.drifts().next().is_none()
    }
}

/// Runs every case, in parallel, and compares each with its goldens (or blesses them).
/// Results come back in the order of `cases`.
pub fn run_all(cases: &[Case], options: &RunOptions<'_>) -> Vec<CaseRun> {
    let threads = options
        .threads
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let workers = threads.min(cases.len()).max(1);
    // Cases run side by side, each on its share of the threads; results do not depend on
    // the split (a batch is identical at any thread count).
    let per_case = (threads / workers).max(1);
    // Without --out the cases run in a fresh folder of the temporary directory (never a
    // predictable name another user could have planted a link at).
    let scratch = match &options.keep {
        Some(dir) => owned::real_dir(dir).map(|()| dir.clone()),
        None => owned::fresh_dir(&std::env::temp_dir(), "civitas-check"),
    };
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<CaseRun>>> = cases.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let started = Instant::now();
                    let outcome = match &scratch {
                        Ok(dir) => run_case(case, &dir.join(&case.name), per_case, options),
                        Err(e) => Err(CheckError::Io {
                            path: options.keep.clone().unwrap_or_else(std::env::temp_dir),
                            source: std::io::Error::other(e.to_string()),
                        }),
                    };
                    let run = CaseRun {
                        case: case.clone(),
                        seconds: started.elapsed().as_secs_f64(),
                        outcome,
                    };
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(run);
                }
            });
        }
    });
    if options.keep.is_none()
        && let Ok(dir) = &scratch
    {
        // Best effort: a leftover temporary folder is harmless.
        let _ = std::fs::remove_dir_all(dir);
    }
    slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every case is run by a worker")
        })
        .collect()
}

fn run_case(
    case: &Case,
    out: &Path,
    threads: usize,
    options: &RunOptions<'_>,
) -> Result<CaseOutcome, CheckError> {
    // Read the goldens first: a check without them cannot run, so do not spend the time.
    let golden = match read_golden(&case.golden_path()) {
        Ok(g) => Some(g),
        Err(CheckError::NoGolden { .. }) if options.bless => None,
        Err(e) => return Err(e),
    };
    owned::real_dir(out)?;
    let staged = Batch::new(&case.scenario)
        .out_dir(out)
        .threads(threads)
        .stage()?;
    if let Some(hook) = options.report {
        hook(&staged).map_err(CheckError::Report)?;
    }
    let result = staged.commit()?;
    let now: Vec<Observation> = observe(&result);
    let comparisons = match &golden {
        Some(g) => compare(g, &now, &case.tolerances),
        None => Vec::new(),
    };
    if options.bless {
        write_golden(&case.golden_path(), &now)?;
        case.write_resolved()?;
    }
    Ok(CaseOutcome {
        comparisons,
        blessed: options.bless,
        had_golden: golden.is_some(),
    })
}
