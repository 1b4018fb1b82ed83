//! Parameter uncertainty: the values each replicate draws from the scenario's
//! `[[uncertainty]]` priors, and the scenario each replicate then runs.
//!
//! Draws come from a Latin hypercube across the replicates
//! ([`civitas_uncertainty::latin_hypercube`]) keyed by the scenario's seed and each
//! parameter's path: a pure function of the resolved scenario, so every thread, shard,
//! resume and merge sees the same values, and replicate *r* of two scenarios with the same
//! seed and priors draws the same parameters (common random numbers, on top of the shared
//! random streams of the engine), which makes variants comparable pair by pair. At sweep
//! points the draws are the same too. Entries with `distribution = "posterior"` take the
//! draws of a calibration's posterior jointly: in replicate *r* every one of them takes
//! draw *d(r)*, stratified over the replicates and keyed by the seed alone.

use std::path::Path;

use civitas_scenario::Scenario;

use crate::error::{BatchError, UncertaintyError};
use crate::format::format_value;
use crate::sweep::{Lever, apply_levers};

/// The design column every posterior entry's draw index comes from.
const POSTERIOR_KEY: &str = "posterior";

/// Where an entry's values come from.
enum Source<'a> {
    Prior(civitas_uncertainty::Distribution),
    Posterior(&'a [f64]),
}

impl Source<'_> {
    /// The smallest and largest value a draw can take.
    fn support(&self) -> (f64, f64) {
        match self {
            Source::Prior(d) => d.support(),
            Source::Posterior(draws) => draws
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                }),
        }
    }
}

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
            let prior = match u.draws.as_deref().filter(|_| u.is_posterior()) {
                Some(draws) => Source::Posterior(draws),
                None => Source::Prior(u.prior().map_err(|e| bad(i, UncertaintyError::Prior(e)))?),
            };
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
        // Every posterior entry takes the same draw in a replicate (joint draws), stratified
        // over the replicates by one column of its own, keyed by seed alone: two scenarios
        // with the same seed and posterior take the same draws (common random numbers).
        let joint =
            &civitas_uncertainty::latin_hypercube(scenario.scenario.seed, &[POSTERIOR_KEY], n)[0];
        let values = (0..n)
            .map(|r| {
                priors
                    .iter()
                    .zip(&design)
                    .map(|(prior, column)| match prior {
                        Source::Prior(d) => d.quantile(column[r]),
                        Source::Posterior(draws) => {
                            let k = ((joint[r] * draws.len() as f64) as usize).min(draws.len() - 1);
                            draws[k]
                        }
                    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posterior_entries_draw_jointly_and_the_same_for_the_same_seed() {
        let mut s = Scenario::baseline();
        s.scenario.replicates = 12;
        let senior: Vec<f64> = (0..6).map(|d| 0.3 + 0.01 * d as f64).collect();
        let middle: Vec<f64> = (0..6).map(|d| 0.4 + 0.02 * d as f64).collect();
        s.use_posterior(
            "posterior.csv",
            vec![
                ("population.bands.senior.bass_q".into(), senior.clone()),
                ("population.bands.middle.bass_q".into(), middle.clone()),
            ],
        );
        s.check().unwrap();
        let draws = ParameterDraws::of(&s).unwrap().unwrap();
        let at = |p: &str| draws.paths.iter().position(|x| x == p).unwrap();
        let (a, b) = (
            at("population.bands.senior.bass_q"),
            at("population.bands.middle.bass_q"),
        );
        let mut used = std::collections::BTreeSet::new();
        for row in &draws.values {
            let d = senior.iter().position(|&v| v == row[a]).unwrap();
            assert_eq!(row[b], middle[d], "one draw for both paths");
            used.insert(d);
        }
        assert_eq!(
            used.len(),
            6,
            "12 replicates stratified over 6 draws use each"
        );
        // A variant with the same seed draws the same; another seed other draws.
        let mut variant = s.clone();
        variant.policies.clear();
        assert_eq!(
            ParameterDraws::of(&variant).unwrap().unwrap().values,
            draws.values
        );
        variant.scenario.seed += 1;
        assert_ne!(
            ParameterDraws::of(&variant).unwrap().unwrap().values,
            draws.values
        );
    }
}
