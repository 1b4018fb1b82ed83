//! Evaluation of a scenario's `[[targets]]` across replicates.
//!
//! Per replicate, the value in the target year is the value of the year's last tick
//! (`basis = "december"`) or the mean of the year's non-NaN ticks (`basis = "year_mean"`);
//! a year outside the horizon or without observations gives NaN, which never meets a
//! target. Across replicates: mean, p5 and p95 of the non-NaN values (see [`crate::stats`]),
//! and the share of all replicates meeting `min ≤ value ≤ max`.

use civitas_engine::{ReplicateResult, Scope};
use civitas_scenario::{Scenario, Target, TargetBasis, TickDate};

use crate::stats::CellStats;
use civitas_results::{ScopeKey, TargetResult, TargetStatus, meets_bounds};

/// Normal quantile of a two-sided 90 % interval, Φ⁻¹(0.95).
pub const WILSON_Z_90: f64 = 1.644_853_626_951_472_2;

/// The results' key of an engine scope (the engine's `Scope` indexes districts; the
/// results name them, as the output files do).
pub(crate) fn scope_key(scope: &Scope, scenario: &Scenario) -> ScopeKey {
    match *scope {
        Scope::City => ScopeKey::City,
        Scope::District(i) => ScopeKey::District(scenario.population.districts[i].name.clone()),
        Scope::Band(band) => ScopeKey::Band(band),
        Scope::Sector(s) => ScopeKey::Sector(
            scenario
                .economy
                .as_ref()
                .map_or(String::new(), |e| e.sectors[s].name.clone()),
        ),
        Scope::Size(size) => ScopeKey::Size(size),
    }
}

/// Where one target reads its values: indicator, scope column and ticks of its year.
#[derive(Debug, Clone)]
pub(crate) struct TargetProbe {
    target: Target,
    scope: Scope,
    scope_key: ScopeKey,
    ticks: Vec<usize>,
}

impl TargetProbe {
    /// Probes for every target of `scenario`, in file order.
    pub(crate) fn all(scenario: &Scenario, dates: &[TickDate]) -> Vec<TargetProbe> {
        scenario
            .targets
            .iter()
            .map(|t| {
                // Same precedence as `Target::label`: a district wins over a band. A district
                // that does not exist is rejected by validation; falling back to the city
                // keeps this total.
                let scope = match (&t.district, t.band) {
                    (Some(d), _) => scenario
                        .district_index(d)
                        .map(Scope::District)
                        .unwrap_or(Scope::City),
                    (None, Some(b)) => Scope::Band(b),
                    (None, None) => Scope::City,
                };
                TargetProbe {
                    target: t.clone(),
                    scope,
                    scope_key: scope_key(&scope, scenario),
                    ticks: (0..dates.len())
                        .filter(|&k| dates[k].year == t.year)
                        .collect(),
                }
            })
            .collect()
    }

    /// This target's value in one replicate.
    pub(crate) fn value(&self, run: &ReplicateResult) -> f64 {
        let Some(column) = run.scopes.iter().position(|s| *s == self.scope) else {
            return f64::NAN;
        };
        let read = |tick: usize| run.value(tick, self.target.indicator, column);
        match self.target.basis {
            TargetBasis::December => self.ticks.last().map_or(f64::NAN, |&k| read(k)),
            TargetBasis::YearMean => {
                let observed: Vec<f64> = self
                    .ticks
                    .iter()
                    .map(|&k| read(k))
                    .filter(|v| !v.is_nan())
                    .collect();
                if observed.is_empty() {
                    f64::NAN
                } else {
                    observed.iter().sum::<f64>() / observed.len() as f64
                }
            }
        }
    }

    /// The evaluation across replicates, from each replicate's value in replicate order.
    pub(crate) fn evaluate(&self, values: &[f64]) -> TargetResult {
        let stats = CellStats::of(values, &mut Vec::new());
        let met = values
            .iter()
            .filter(|&&v| meets_bounds(self.target.min, self.target.max, v))
            .count();
        let probability_met = if values.is_empty() {
            0.0
        } else {
            met as f64 / values.len() as f64
        };
        let (probability_lo, probability_hi) =
            civitas_uncertainty::wilson(met as u64, values.len() as u64, WILSON_Z_90);
        TargetResult {
            label: self.target.label(),
            indicator: self.target.indicator,
            scope: self.scope_key.clone(),
            year: self.target.year,
            basis: self.target.basis,
            min: self.target.min,
            max: self.target.max,
            mean: stats.mean,
            p5: stats.p5,
            p95: stats.p95,
            probability_met,
            probability_lo,
            probability_hi,
            values: values.to_vec(),
            status: if values.iter().all(|v| v.is_nan()) {
                TargetStatus::NoData
            } else {
                TargetStatus::from_probability(probability_met)
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_scenario::Indicator;

    /// Replicates whose adoption rises linearly; replicate r sits r/10 above the others.
    fn runs(scenario: &Scenario) -> Vec<ReplicateResult> {
        let dates = scenario.scenario.tick_dates();
        let scopes = Scope::all(scenario);
        (0..10)
            .map(|r| {
                let mut run = ReplicateResult::empty(r, 0, dates.clone(), scopes.clone());
                for t in 0..dates.len() {
                    for s in 0..scopes.len() {
                        let v = 0.01 * t as f64 + 0.1 * r as f64;
                        run.set(t, Indicator::AdoptionRate, s, v);
                    }
                }
                run
            })
            .collect()
    }

    fn target(year: i32, min: Option<f64>, max: Option<f64>, basis: TargetBasis) -> Target {
        Target {
            name: None,
            indicator: Indicator::AdoptionRate,
            year,
            min,
            max,
            district: None,
            band: None,
            basis,
        }
    }

    fn evaluate(t: Target) -> TargetResult {
        let mut scenario = Scenario::baseline();
        scenario.targets = vec![t];
        let dates = scenario.scenario.tick_dates();
        let probe = &TargetProbe::all(&scenario, &dates)[0];
        let values: Vec<f64> = runs(&scenario).iter().map(|r| probe.value(r)).collect();
        probe.evaluate(&values)
    }

    #[test]
    fn december_value_and_probability_met() {
        // December 2024 is tick 11: replicate r has 0.11 + 0.1 r, r = 0..9.
        let r = evaluate(target(2024, Some(0.5), None, TargetBasis::December));
        assert_eq!(r.probability_met, 0.6); // r = 4..9 reach 0.51 and above
        assert_eq!(r.status, TargetStatus::AtRisk);
        assert!((r.mean - (0.11 + 0.45)).abs() < 1e-12);
        let met = evaluate(target(2024, Some(0.0), Some(2.0), TargetBasis::December));
        assert_eq!((met.probability_met, met.status), (1.0, TargetStatus::Met));
        let missed = evaluate(target(2024, None, Some(0.05), TargetBasis::December));
        assert_eq!(
            (missed.probability_met, missed.status),
            (0.0, TargetStatus::Missed)
        );
    }

    #[test]
    fn year_mean_averages_the_ticks_of_the_year() {
        // Mean over ticks 0..=11 of 0.01 t is 0.055.
        let r = evaluate(target(2024, None, None, TargetBasis::YearMean));
        assert!((r.p5 - (0.055 + 0.1 * 0.45)).abs() < 1e-12, "{}", r.p5);
    }

    #[test]
    fn a_year_outside_the_horizon_is_never_met() {
        let r = evaluate(target(2040, Some(0.0), None, TargetBasis::December));
        assert_eq!(r.probability_met, 0.0);
        assert!(r.mean.is_nan());
    }
}
