//! Golden against now: the z score, the floor and the verdict of each quantity.

use std::collections::BTreeMap;

use crate::golden::{Observation, Quantity};
use crate::tolerance::Tolerances;

/// The verdict on one quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// The golden quantity is gone from the run (an indicator, scope or target removed).
    Missing,
    /// Moved beyond both the z threshold and the floor.
    Drift,
    /// Within tolerance.
    Holds,
    /// Not in the golden file (a new indicator or target): reported, not a failure, until
    /// the next bless records it.
    New,
}

impl Verdict {
    /// Whether the check fails on it.
    pub fn fails(self) -> bool {
        matches!(self, Verdict::Missing | Verdict::Drift)
    }
}

/// One quantity compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// What is compared.
    pub quantity: Quantity,
    /// Scope label.
    pub scope: String,
    /// Date or year.
    pub date: String,
    /// Golden mean (NaN: no data, or not in the golden).
    pub golden: f64,
    /// Mean now (NaN: no data, or missing from the run).
    pub now: f64,
    /// (now − golden) / combined standard error; ±∞ when the difference is not zero but
    /// neither run has spread, or when one side has data and the other none.
    pub z: f64,
    /// The absolute floor the difference had to exceed.
    pub floor: f64,
    /// The verdict.
    pub verdict: Verdict,
}

impl Comparison {
    /// How bad it is, for ordering: failures first, then by |z|, then by the difference
    /// relative to the floor.
    fn severity(&self) -> (bool, f64, f64) {
        let diff = (self.now - self.golden).abs();
        let over = if self.floor > 0.0 {
            diff / self.floor
        } else {
            diff
        };
        (
            self.verdict.fails(),
            if self.z.is_nan() { 0.0 } else { self.z.abs() },
            if over.is_nan() { f64::INFINITY } else { over },
        )
    }
}

fn z_score(golden: &Observation, now: &Observation) -> f64 {
    match (golden.mean.is_nan(), now.mean.is_nan()) {
        (true, true) => return 0.0,
        (true, false) | (false, true) => return f64::INFINITY,
        (false, false) => {}
    }
    let diff = now.mean - golden.mean;
    let se = golden.standard_error().hypot(now.standard_error());
    if diff == 0.0 {
        0.0
    } else if se == 0.0 {
        diff.signum() * f64::INFINITY
    } else {
        diff / se
    }
}

/// Compares a run's observations with the golden ones under `tolerances`; the result is
/// ordered worst first.
pub fn compare(
    golden: &[Observation],
    now: &[Observation],
    tolerances: &Tolerances,
) -> Vec<Comparison> {
    let current: BTreeMap<_, &Observation> = now.iter().map(|o| (o.key(), o)).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut out: Vec<Comparison> = Vec::with_capacity(golden.len());
    for g in golden {
        let key = g.key();
        seen.insert(key);
        let floor_abs = match &g.quantity {
            Quantity::Indicator(i) => tolerances.floor(*i),
            Quantity::Target(_) => tolerances.probability_floor,
        };
        let Some(n) = current.get(&key) else {
            out.push(Comparison {
                quantity: g.quantity.clone(),
                scope: g.scope.clone(),
                date: g.date.clone(),
                golden: g.mean,
                now: f64::NAN,
                z: f64::INFINITY,
                floor: floor_abs,
                verdict: Verdict::Missing,
            });
            continue;
        };
        let floor = if g.mean.is_finite() {
            floor_abs.max(tolerances.relative_floor * g.mean.abs())
        } else {
            floor_abs
        };
        let z = z_score(g, n);
        let diff = (n.mean - g.mean).abs();
        // NaN against a value: drift whatever the floor (data appeared or vanished).
        let beyond_floor = diff > floor || g.mean.is_nan() != n.mean.is_nan();
        let verdict = if beyond_floor && z.abs() > tolerances.z {
            Verdict::Drift
        } else {
            Verdict::Holds
        };
        out.push(Comparison {
            quantity: g.quantity.clone(),
            scope: g.scope.clone(),
            date: g.date.clone(),
            golden: g.mean,
            now: n.mean,
            z,
            floor,
            verdict,
        });
    }
    for o in now.iter().filter(|o| !seen.contains(&o.key())) {
        out.push(Comparison {
            quantity: o.quantity.clone(),
            scope: o.scope.clone(),
            date: o.date.clone(),
            golden: f64::NAN,
            now: o.mean,
            z: 0.0,
            floor: 0.0,
            verdict: Verdict::New,
        });
    }
    out.sort_by(|a, b| {
        let (fa, za, oa) = a.severity();
        let (fb, zb, ob) = b.severity();
        fb.cmp(&fa).then(zb.total_cmp(&za)).then(ob.total_cmp(&oa))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_scenario::Indicator;

    fn obs(indicator: Indicator, mean: f64, sd: f64) -> Observation {
        Observation {
            quantity: Quantity::Indicator(indicator),
            scope: "city".into(),
            date: "2030-12".into(),
            n: 10,
            mean,
            sd,
        }
    }

    #[test]
    fn drift_needs_both_the_z_threshold_and_the_floor() {
        let t = Tolerances::default();
        let golden = [obs(Indicator::AdoptionRate, 0.60, 0.01)];
        // se = hypot(0.01/√10, 0.01/√10) ≈ 0.00447: a move of 0.01 is z ≈ 2.2 — holds.
        let c = compare(&golden, &[obs(Indicator::AdoptionRate, 0.61, 0.01)], &t);
        assert_eq!(c[0].verdict, Verdict::Holds);
        assert!((c[0].z - 2.236).abs() < 1e-3, "{}", c[0].z);
        // A move of 0.03 is z ≈ 6.7 and above the 0.002 floor — drift.
        let c = compare(&golden, &[obs(Indicator::AdoptionRate, 0.63, 0.01)], &t);
        assert_eq!(c[0].verdict, Verdict::Drift);
        // No spread at all: z is infinite, but a move below the floor still holds.
        let golden = [obs(Indicator::AdoptionRate, 0.60, 0.0)];
        let c = compare(&golden, &[obs(Indicator::AdoptionRate, 0.6015, 0.0)], &t);
        assert!(c[0].z.is_infinite());
        assert_eq!(c[0].verdict, Verdict::Holds);
        let c = compare(&golden, &[obs(Indicator::AdoptionRate, 0.6025, 0.0)], &t);
        assert_eq!(c[0].verdict, Verdict::Drift);
    }

    #[test]
    fn data_that_appears_or_vanishes_drifts_and_missing_quantities_fail() {
        let t = Tolerances::default();
        let golden = [obs(Indicator::IncidentsWithinSla, f64::NAN, f64::NAN)];
        let c = compare(
            &golden,
            &[obs(Indicator::IncidentsWithinSla, f64::NAN, f64::NAN)],
            &t,
        );
        assert_eq!(c[0].verdict, Verdict::Holds);
        let c = compare(
            &golden,
            &[obs(Indicator::IncidentsWithinSla, 0.9, 0.01)],
            &t,
        );
        assert_eq!(c[0].verdict, Verdict::Drift);
        let c = compare(&golden, &[obs(Indicator::Satisfaction, 80.0, 1.0)], &t);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].verdict, Verdict::Missing);
        assert_eq!(c[1].verdict, Verdict::New);
        assert!(!Verdict::New.fails());
    }

    #[test]
    fn worst_first() {
        let t = Tolerances::default();
        let golden = [
            obs(Indicator::AdoptionRate, 0.60, 0.01),
            obs(Indicator::OneTripRate, 0.90, 0.01),
            obs(Indicator::Satisfaction, 90.0, 0.5),
        ];
        let now = [
            obs(Indicator::AdoptionRate, 0.605, 0.01),
            obs(Indicator::OneTripRate, 0.80, 0.01),
            obs(Indicator::Satisfaction, 93.0, 0.5),
        ];
        let c = compare(&golden, &now, &t);
        let order: Vec<_> = c.iter().map(|c| c.quantity.name()).collect();
        assert_eq!(order, ["one_trip_rate", "satisfaction", "adoption_rate"]);
    }
}
