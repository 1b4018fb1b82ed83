//! The results of Civitas batches, without the simulation: what `civitas-batch` writes and
//! `civitas-report` reads.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let result = civitas_results::load_result("outputs/baseline")?;
//! for t in &result.targets {
//!     println!("{}: p = {:.2} ({})", t.label, t.probability_met, t.status.label());
//! }
//! # Ok(()) }
//! ```
//!
//! Main types: [`BatchResult`] (a finished run or sweep: the resolved scenario, per
//! indicator and scope statistics [`SeriesSummary`], target evaluations [`TargetResult`],
//! the [`Manifest`], an optional [`SweepResult`] and the [`Parameters`] drawn), the status
//! rule [`TargetStatus::from_probability`] with its thresholds [`MET_PROBABILITY`] and
//! [`MISSED_PROBABILITY`], the scope of a value ([`ScopeKey`]: `city`, `district:<name>`,
//! `band:<name>`), paired comparisons ([`paired_targets`]), the output files
//! ([`files`]: names, columns and writers; [`table`]: each table as CSV, Parquet or both,
//! and read back from either), deterministic number text ([`format`](mod@format)) and
//! [`load_result`], which reads an output directory back, and what an optimisation found
//! ([`optimize::OptimizeSummary`]) and what a calibration found
//! ([`calibration::CalibrationSummary`]).
//!
//! This crate depends on the scenario format only: a report built on it cannot run a
//! simulation.

#![forbid(unsafe_code)]

mod arrow_schema;
pub mod calibration;
mod error;
pub mod files;
pub mod format;
mod load;
pub mod optimize;
pub mod owned;
pub mod result;
mod scope;
pub mod sensitivity;
pub mod table;

pub use error::ResultsError;
pub use load::{load_result, parse_manifest};
pub use result::{
    BatchResult, FEW_REPLICATES, MET_PROBABILITY, MISSED_PROBABILITY, Manifest, PAIRED_LEVEL,
    PairedTarget, Pairs, Parameters, SeriesSummary, SweepPoint, SweepResult, TargetResult,
    TargetStatus, Unpaired, meets_bounds, paired_targets,
};
pub use scope::{ScopeKey, UnknownScope};
