//! Parameter uncertainty: the values each replicate draws from the scenario's
//! `[[uncertainty]]` priors, and the scenario each replicate then runs.
//!
//! Draws come from a Latin hypercube across the replicates
//! ([`civitas_uncertainty::latin_hypercube`]) keyed by the scenario's seed and each
//! parameter's path: a pure function of the resolved scenario, so every thread, shard,
//! resume and merge sees the same values, and replicate *r* of two scenarios with the same
//! seed and priors draws the same parameters (common random numbers, on top of the shared
//! random streams of the engine), which makes variants comparable pair by pair. At sweep
//! points the draws are the same too.

use std::path::Path;

use civitas_scenario::Scenario;

use crate::error::{BatchError, UncertaintyError};
use crate::format::format_value;
use crate::sweep::{Lever, apply_levers};

/// The parameter set of every replicate.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterDraws {
    /// The paths, in `[[uncertainty]]` order.
    pub paths: Vec<String>,
    /// `values[replicate][parameter]`.
    pub values: Vec<Vec<f64>>,
    levers: Vec<Lever>,
}

impl ParameterDraws {
    /// The draws of `scenario`'s priors for its replicates, after checking that each path
    /// names a numeric field and that the scenario stays valid with every parameter at the
    /// low and at the high end of its prior. `None` when it has no `[[uncertainty]]`.
    pub fn of(scenario: &Scenario) -> Result<Option<ParameterDraws>, BatchError> {
        if scenario.uncertainty.is_empty() {
            return Ok(None);
        }
        let bad = |i: usize, problem| BatchError::Uncertainty {
            entry: format!("uncertainty[{i}] ({})", scenario.uncertainty[i].path),
            problem,
        };
        let mut levers = Vec::with_capacity(scenario.uncertainty.len());
        let mut priors = Vec::with_capacity(scenario.uncertainty.len());
        for (i, u) in scenario.uncertainty.iter().enumerate() {
            let lever = Lever::for_path(&u.path)
                .map_err(|e| bad(i, UncertaintyError::Path(Box::new(e))))?;
            let prior = u.prior().map_err(|e| bad(i, UncertaintyError::Prior(e)))?;
            let (lo, hi) = prior.support();
            for end in [lo, hi] {
                apply_levers(scenario, std::slice::from_ref(&lever), &[end]).map_err(|e| {
                    let source = Box::new(e);
                    bad(i, UncertaintyError::DrawDoesNotFit { end, source })
                })?;
            }
            levers.push(lever);
            priors.push(prior);
        }
        let paths: Vec<String> = scenario
            .uncertainty
            .iter()
            .map(|u| u.path.clone())
            .collect();
        let names: Vec<&str> = paths.iter().map(String::as_str).collect();
        let n = scenario.scenario.replicates as usize;
        let design = civitas_uncertainty::latin_hypercube(scenario.scenario.seed, &names, n);
        let values = (0..n)
            .map(|r| {
                priors
                    .iter()
                    .zip(&design)
                    .map(|(prior, column)| prior.quantile(column[r]))
                    .collect()
            })
            .collect();
        Ok(Some(ParameterDraws {
            paths,
            values,
            levers,
        }))
    }

    /// `scenario` (the base or a sweep point) with replicate `replicate`'s draws applied.
    pub fn apply(&self, scenario: &Scenario, replicate: u32) -> Result<Scenario, BatchError> {
        let values =
            self.values
                .get(replicate as usize)
                .ok_or_else(|| BatchError::Uncertainty {
                    entry: format!("replicate {replicate}"),
                    problem: UncertaintyError::NoDraws {
                        planned: self.values.len(),
                    },
                })?;
        apply_levers(scenario, &self.levers, values)
    }

    /// Writes `parameters.csv` (or `.parquet`, by `format`): replicate, path, value — one
    /// row per replicate and parameter, so an analyst can regress outcomes on the draws.
    pub fn write(
        &self,
        path: &Path,
        format: civitas_scenario::TableFormat,
    ) -> Result<(), BatchError> {
        let mut w = civitas_results::table::TableWriter::create(
            path,
            crate::output::parameters_table(),
            format,
        )?;
        for (r, values) in self.values.iter().enumerate() {
            for (p, v) in self.paths.iter().zip(values) {
                w.row(&[&r.to_string(), p, &format_value(*v)])?;
            }
        }
        Ok(w.finish()?)
    }
}
