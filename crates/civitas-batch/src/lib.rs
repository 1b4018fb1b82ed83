//! Batch execution: replicates, sweeps and shards of a scenario on rayon, aggregated
//! into one [`BatchResult`] and tidy CSV outputs.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use civitas_batch::Batch;
//! let scenario = civitas_scenario::Scenario::load("scenarios/baseline.toml")?;
//! let result = Batch::new(&scenario).replicates(20).out_dir("outputs").run()?;
//! for t in &result.targets {
//!     println!("{}: {:.0} % likely ({})", t.label, 100.0 * t.probability_met, t.status.label());
//! }
//! # Ok(()) }
//! ```
//!
//! Main types: [`Batch`] (what to run and where), [`StagedOutput`] (output waiting to be
//! committed, so a report can be added to it), [`Sweep`] (levers and design), [`Shard`] and
//! [`merge`] (splitting a batch across machines), [`load_result`] (reading an output back),
//! and the result types in [`result`] (from `civitas-results`, shared with the report).
//!
//! Output directory `<out>/<scenario-name>/` of a run: `timeseries.csv` (scenario,
//! replicate, tick, date, indicator, scope, value), `summary.csv` (scenario, indicator,
//! scope, tick, date, mean, p5, p50, p95, sd, n), `targets.csv` (label, indicator, scope, year,
//! basis, min, max, value, p5, p95, probability_met, probability_lo, probability_hi (the 90 % Wilson
//! interval of the probability met), status), `parameters.csv` (replicate, path, value:
//! each replicate's draws from the `[[uncertainty]]` priors, when there are any), `manifest.json` and the
//! resolved `scenario.toml`. When the scenario sets `[outputs] agent_sample = N`, the run
//! also writes `agents.csv` (scenario, replicate, tick, date, resident, district, band,
//! literacy, has_device, adopted, trust, satisfaction): the residents with ids below `N`
//! in every replicate at every tick, in replicate, tick and resident order — a tidy table
//! of individual trajectories next to the aggregate series. A sweep writes `<out>/<scenario-name>-sweep/` with `sweep.csv`
//! (point, one column per lever, then the target columns), `manifest.json`,
//! `scenario.toml` and `points/pNNNN/` (the point's scenario, summary and targets, and its
//! `agents.csv` when the scenario asks for an agent sample).
//!
//! Guarantees: the CSV files (`agents.csv` included) are byte-identical whatever the thread count, the shard split
//! or interruptions resumed with `--resume`; memory does not grow with the number of
//! replicates (finished runs, with their agent samples, go to a work directory,
//! `<out>/<name>.incomplete/`, and the output is assembled from there by streaming); the output directory appears only complete, by a
//! rename. Percentiles are type 7 (see [`stats`]).

#![forbid(unsafe_code)]

mod batch;
pub mod bench;
pub mod calibrate;
mod error;
mod finalize;
pub mod limits;
pub mod optimize;
pub mod output;
pub mod progress;
pub mod sensitivity;
pub mod stats;
pub mod sweep;
mod targets;
pub mod uncertainty;
mod workdir;

pub use batch::{Batch, INCOMPLETE_SUFFIX, StagedOutput, merge, merge_replacing};
pub use civitas_results::{
    BatchResult, FEW_REPLICATES, MET_PROBABILITY, MISSED_PROBABILITY, Manifest, PAIRED_LEVEL,
    PairedTarget, Pairs, Parameters, SeriesSummary, SweepPoint, SweepResult, TargetResult,
    TargetStatus, Unpaired, format, owned, paired_targets, result,
};
pub use error::{BatchError, LeverError, MergeError, UncertaintyError};
pub use limits::{Bytes, MAX_SWEEP_POINTS, MAX_THREADS, MemoryEstimate};
pub use progress::{BatchProgress, Silent};
pub use sweep::{Lever, Sweep};
pub use targets::WILSON_Z_90;
pub use uncertainty::ParameterDraws;
pub use workdir::Shard;
#[doc(hidden)]
pub use workdir::read_run_file;

/// Rebuilds the result of a finished run or sweep from its output directory (see
/// [`civitas_results::load_result`]).
pub fn load_result(dir: impl AsRef<std::path::Path>) -> Result<BatchResult, BatchError> {
    Ok(civitas_results::load_result(dir)?)
}
