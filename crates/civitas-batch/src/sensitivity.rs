//! A sensitivity analysis run as a sweep: the design's points over the scenario's
//! `[[uncertainty]]` priors (Saltelli's design for Sobol indices, Morris trajectories for
//! elementary effects), and the indices from the sweep's runs.
//!
//! Each point of the design is one run of the scenario with its priors set to the
//! point's values (the priors' quantiles of a unit-cube design seeded by the scenario's
//! seed), so a design, and the indices of its runs, are the same on every machine and
//! for any sharding of the sweep.

pub use civitas_results::sensitivity::{
    Indices, SENSITIVITY_CSV, SensitivityIndices, SensitivityMethod, TargetIndices,
};
use civitas_results::{BatchResult, SweepResult};
use civitas_scenario::Scenario;
use civitas_uncertainty::DistributionError;
pub use civitas_uncertainty::IndexIntervals;
use civitas_uncertainty::morris::{MorrisDesign, morris_design, morris_effects, morris_intervals};
use civitas_uncertainty::sobol::{saltelli_design, sobol_indices, sobol_intervals};

use crate::BatchError;
use crate::limits::{MAX_RUNS, MAX_SWEEP_POINTS};
use crate::sweep::Sweep;

/// Levels of the Morris grid.
const MORRIS_LEVELS: usize = 4;

/// Bootstrap resamples behind each index's interval.
pub const BOOTSTRAP_RESAMPLES: usize = 200;

/// Two-sided level of the indices' intervals.
pub const INTERVAL_LEVEL: f64 = 0.9;

/// Why a sensitivity design cannot be made, or does not fit a sweep's runs.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    /// The scenario has no `[[uncertainty]]` priors.
    #[error("no [[uncertainty]] priors, so there is nothing to attribute the spread to")]
    NoPriors,
    /// Fewer than 2 base points or trajectories.
    #[error("a design of {0} base points or trajectories; expected at least 2")]
    TooSmall(usize),
    /// More points or runs than a batch may run.
    #[error(
        "{size}: with {priors} priors the design has {points} points × {replicates} replicates, \
         more than a sensitivity analysis may run ({MAX_SWEEP_POINTS} points, {MAX_RUNS} runs); \
         use {most} or fewer, or fewer replicates"
    )]
    TooLarge {
        /// Base points or trajectories asked for.
        size: usize,
        /// Priors of the scenario.
        priors: usize,
        /// Points of the design.
        points: u128,
        /// Replicates of each point.
        replicates: u64,
        /// The largest size that fits.
        most: u64,
    },
    /// A prior that gives no distribution.
    #[error(transparent)]
    Prior(#[from] DistributionError),
    /// The runs are not a sweep.
    #[error("a sensitivity run is a sweep")]
    NotASweep,
    /// The sweep's runs are another design's.
    #[error("the runs are not this design's ({0})")]
    NotThisDesign(String),
}

/// The runs of a sensitivity analysis and what turns their outcomes into indices.
#[derive(Debug, Clone)]
pub struct SensitivityDesign {
    method: SensitivityMethod,
    parameters: Vec<String>,
    points: Vec<Vec<f64>>,
    morris: Option<MorrisDesign>,
}

/// Refuses a design larger than a batch may run before any of it is built: Saltelli's
/// design has N (k + 2) points, Morris's R (k + 1), each run `replicates` times.
fn check_size(
    scenario: &Scenario,
    method: SensitivityMethod,
    size: usize,
) -> Result<(), SensitivityError> {
    let priors = scenario.uncertainty.len();
    let per = match method {
        SensitivityMethod::Sobol => priors + 2,
        SensitivityMethod::Morris => priors + 1,
    };
    let replicates = u64::from(scenario.scenario.replicates);
    let points = (size as u128) * (per as u128);
    if points > MAX_SWEEP_POINTS as u128 || points * u128::from(replicates) > u128::from(MAX_RUNS) {
        let most = (MAX_SWEEP_POINTS as u64 / per as u64).min(MAX_RUNS / (replicates * per as u64));
        return Err(SensitivityError::TooLarge {
            size,
            priors,
            points,
            replicates,
            most,
        });
    }
    Ok(())
}

impl SensitivityDesign {
    /// The design of `method` over `scenario`'s priors: `size` base points (Sobol,
    /// N·(k + 2) runs for k priors) or trajectories (Morris, R·(k + 1) runs).
    pub fn new(
        scenario: &Scenario,
        method: SensitivityMethod,
        size: usize,
    ) -> Result<Self, SensitivityError> {
        if scenario.uncertainty.is_empty() {
            return Err(SensitivityError::NoPriors);
        }
        if size < 2 {
            return Err(SensitivityError::TooSmall(size));
        }
        check_size(scenario, method, size)?;
        let priors = scenario
            .uncertainty
            .iter()
            .map(|u| u.prior())
            .collect::<Result<Vec<_>, _>>()?;
        let parameters: Vec<String> = scenario
            .uncertainty
            .iter()
            .map(|u| u.path.clone())
            .collect();
        let k = priors.len();
        let seed = scenario.scenario.seed;
        let (unit, morris) = match method {
            SensitivityMethod::Sobol => (saltelli_design(seed, k, size), None),
            SensitivityMethod::Morris => {
                let d = morris_design(seed, k, size, MORRIS_LEVELS);
                (d.points.clone(), Some(d))
            }
        };
        let points = unit
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&priors)
                    .map(|(&u, p)| p.quantile(u))
                    .collect()
            })
            .collect();
        Ok(Self {
            method,
            parameters,
            points,
            morris,
        })
    }

    /// The uncertain parameters' paths, in `[[uncertainty]]` order.
    pub fn parameters(&self) -> &[String] {
        &self.parameters
    }

    /// The design's points: one run each, a value per parameter.
    pub fn points(&self) -> &[Vec<f64>] {
        &self.points
    }

    /// The design as an explicit sweep over the parameters' paths.
    pub fn sweep(&self) -> Result<Sweep, BatchError> {
        Sweep::explicit(&self.parameters, self.points.clone())
    }

    /// The indices of every target from `result`, the runs of this design's sweep (one
    /// replicate a point; the first replicate's value of each target), Sobol indices or
    /// Morris effects with their bootstrap intervals, seeded by the scenario's seed (the
    /// same runs give the same intervals).
    pub fn indices(&self, result: &BatchResult) -> Result<SensitivityIndices, SensitivityError> {
        let sweep = result.sweep.as_ref().ok_or(SensitivityError::NotASweep)?;
        self.check(sweep)?;
        let targets = match sweep.points.first() {
            Some(first) => (0..first.targets.len())
                .map(|j| self.target(sweep, j, result.scenario.scenario.seed))
                .collect(),
            None => Vec::new(),
        };
        Ok(SensitivityIndices {
            method: self.method,
            parameters: self.parameters.clone(),
            runs: sweep.points.len(),
            targets,
        })
    }

    /// Whether `sweep` ran exactly this design's points over its parameters.
    fn check(&self, sweep: &SweepResult) -> Result<(), SensitivityError> {
        if sweep.levers != self.parameters {
            return Err(SensitivityError::NotThisDesign(
                "over other parameters".to_string(),
            ));
        }
        let same_points = sweep.points.len() == self.points.len()
            && sweep
                .points
                .iter()
                .all(|p| p.lever_values == self.points[p.index]);
        if !same_points {
            return Err(SensitivityError::NotThisDesign(format!(
                "{} points where the design has {}",
                sweep.points.len(),
                self.points.len()
            )));
        }
        Ok(())
    }

    /// The indices of target `j` of every point.
    fn target(&self, sweep: &SweepResult, j: usize, seed: u64) -> TargetIndices {
        let y: Vec<f64> = sweep
            .points
            .iter()
            .map(|p| {
                p.targets[j]
                    .values
                    .first()
                    .copied()
                    .unwrap_or(p.targets[j].mean)
            })
            .collect();
        let indices = match &self.morris {
            Some(d) => {
                let e = morris_effects(d, &y);
                Indices::Morris {
                    mu_star: e.mu_star,
                    mu: e.mu,
                    sigma: e.sigma,
                    intervals: morris_intervals(d, &y, BOOTSTRAP_RESAMPLES, INTERVAL_LEVEL, seed),
                }
            }
            None => {
                let k = self.parameters.len();
                let s = sobol_indices(&y, k);
                Indices::Sobol {
                    first_order: s.first,
                    total: s.total,
                    intervals: sobol_intervals(&y, k, BOOTSTRAP_RESAMPLES, INTERVAL_LEVEL, seed),
                }
            }
        };
        TargetIndices {
            label: sweep.points[0].targets[j].label.clone(),
            indices,
            has_data: !y.iter().all(|v| v.is_nan()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_design_needs_priors_and_two_points() {
        let scenario = Scenario::baseline();
        let k = scenario.uncertainty.len();
        assert!(k > 0, "the baseline has priors");
        let mut none = scenario.clone();
        none.uncertainty.clear();
        assert!(matches!(
            SensitivityDesign::new(&none, SensitivityMethod::Sobol, 8),
            Err(SensitivityError::NoPriors)
        ));
        assert!(matches!(
            SensitivityDesign::new(&scenario, SensitivityMethod::Morris, 1),
            Err(SensitivityError::TooSmall(1))
        ));
        // Too large: refused with the largest size that fits, which is made.
        let per = k as u64 + 2;
        let most = (MAX_SWEEP_POINTS as u64 / per)
            .min(MAX_RUNS / (u64::from(scenario.scenario.replicates) * per));
        match SensitivityDesign::new(&scenario, SensitivityMethod::Sobol, most as usize + 1) {
            Err(e @ SensitivityError::TooLarge { most: m, .. }) => {
                assert_eq!(m, most);
                assert!(
                    e.to_string().contains(&format!("use {most} or fewer")),
                    "{e}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(check_size(&scenario, SensitivityMethod::Sobol, most as usize).is_ok());
        // Sobol: N·(k + 2) runs; Morris: R·(k + 1); every value inside its prior.
        let sobol = SensitivityDesign::new(&scenario, SensitivityMethod::Sobol, 8).unwrap();
        assert_eq!(sobol.points().len(), 8 * (k + 2));
        let morris = SensitivityDesign::new(&scenario, SensitivityMethod::Morris, 5).unwrap();
        assert_eq!(morris.points().len(), 5 * (k + 1));
        let prior = scenario.uncertainty[0].prior().unwrap();
        let (lo, hi) = (prior.quantile(0.0), prior.quantile(1.0));
        for p in sobol.points().iter().chain(morris.points()) {
            assert_eq!(p.len(), k);
            assert!((lo..=hi).contains(&p[0]), "{p:?}");
        }
        assert_eq!(sobol.parameters()[0], scenario.uncertainty[0].path);
        assert_eq!(sobol.sweep().unwrap().points(0).unwrap().len(), 8 * (k + 2));
    }
}
