//! Regression checking for Civitas: small scenarios rerun and compared with golden
//! results, so a change to the model or to a scenario is either caught or re-blessed on
//! purpose.
//!
//! A check directory holds one folder per **case**: `<dir>/<case>/scenario.toml` (a small
//! scenario, usually a few lines that `extends` a bundled one with fewer agents and
//! replicates), `<dir>/<case>/golden.csv` (the blessed results) and, optionally,
//! `<dir>/<case>/tolerances.toml`; `--bless` also writes `<dir>/<case>/resolved.toml`, the
//! scenario with its `extends` chain merged in, so a case folder copied elsewhere still runs
//! (its missing base is replaced by that file, with a note) and a changed input is named
//! apart from a changed model ([`Case::input_changes`]). A case is rerun with the normal batch pipeline and each
//! checked quantity — every indicator in every scope at every December, and the
//! probability that each target is met — is compared with its golden value:
//!
//! - **statistically**: `z = (now − golden) / √(sd_now²/n_now + sd_golden²/n_golden)`,
//!   the difference of replicate means against their combined standard error;
//! - **with a floor**: the difference must also exceed an absolute floor per indicator
//!   (and a relative floor), so a quantity with no spread across replicates (spending)
//!   does not fail on rounding, and a tiny standard error does not turn a negligible
//!   change into a failure.
//!
//! A quantity **drifts** when `|z| > z` *and* `|now − golden| > floor`; see [`Tolerances`]
//! for the defaults and `tolerances.toml`. Results are deterministic (same binary,
//! scenario and seed ⇒ the same bytes on any x86-64 or aarch64 Linux, since the engine's
//! transcendental functions come from pure-Rust `libm`), so an unchanged model reproduces
//! its goldens exactly; the tolerances decide what an *intended* change must re-bless.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use civitas_check::{CaseRun, RunOptions, discover};
//! let cases: Vec<_> = discover("tests/regression")?.into_iter().filter_map(Result::ok).collect();
//! let runs: Vec<CaseRun> = civitas_check::run_all(&cases, &RunOptions::default());
//! for run in &runs {
//!     let outcome = run.outcome.as_ref().map_err(|e| e.to_string())?;
//!     println!("{}: {} quantities, {} drift", run.case.name, outcome.checked(), outcome.drifts().count());
//! }
//! # Ok(()) }
//! ```
//!
//! Main types: [`Case`] (a loaded case), [`Tolerances`], [`Observation`] (one checked
//! quantity of a run, as stored in `golden.csv`), [`Comparison`] (golden against now),
//! [`CaseRun`] and [`CaseOutcome`] (what [`run_all`] returns), and [`junit`] (JUnit XML
//! for CI test reporters).

#![forbid(unsafe_code)]

mod case;
mod compare;
mod error;
mod golden;
pub mod junit;
mod runner;
mod tolerance;

pub use case::{
    BrokenCase, Case, GOLDEN_CSV, RESOLVED_TOML, SCENARIO_FILES, Source, TOLERANCES_TOML, discover,
};
pub use compare::{Comparison, Verdict, compare};
pub use error::CheckError;
pub use golden::{Observation, Quantity, observe, parse_golden, read_golden, write_golden};
pub use runner::{CaseOutcome, CaseRun, ReportHook, RunOptions, run_all};
pub use tolerance::Tolerances;
