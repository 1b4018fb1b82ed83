//! Scenario discovery for a run with `[[uncertainty]]` priors: per target, the few ranges
//! of the uncertain parameters in which it fails (PRIM, as in exploratory modelling), for
//! `civitas discover` and the report's "What makes targets fail" section.

use civitas_results::{BatchResult, TargetResult};
use civitas_uncertainty::prim::{PrimOptions, discover};

/// Least share of the failures a named box holds, unless asked otherwise.
pub const DEFAULT_MIN_COVERAGE: f64 = 0.5;

/// Fewer replicates than this make discovered ranges rough.
pub const FEW_FOR_DISCOVERY: usize = 50;

/// Fewer replicates than this and no range is named at all: half of them find the ranges,
/// the other half must be enough to test them.
pub const MIN_FOR_DISCOVERY: usize = 20;

/// A range found on one half of the replicates is named only if, on the other half, the
/// share of failures inside it is this unlikely under "failures fall anywhere" (a
/// one-sided binomial test against the held-out half's failure rate).
const HELD_OUT_SIGNIFICANCE: f64 = 0.05;

/// A restriction of the box found on half the replicates stays only if dropping it would
/// lower that half's density by this much (PRIM's default, 0.05, keeps ranges that fit
/// the half's noise and leave too few held-out replicates inside to confirm anything; at
/// 200 replicates of the baseline, 0.05 kept four ranges that did not hold out of
/// sample, 0.15 the one that did, `churn_on_failure ≥ 0.08`).
const MIN_DENSITY_GAIN: f64 = 0.15;

/// One range of a parameter inside which failures concentrate.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// The parameter's path, as in `[[uncertainty]]`.
    pub path: String,
    /// Lower end, when the range cuts the low values off.
    pub above: Option<f64>,
    /// Upper end, when the range cuts the high values off.
    pub below: Option<f64>,
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = crate::format::number;
        match (self.above, self.below) {
            (Some(lo), Some(hi)) => write!(f, "{} ≤ {} ≤ {}", n(lo), self.path, n(hi)),
            (Some(lo), None) => write!(f, "{} ≥ {}", self.path, n(lo)),
            (None, Some(hi)) => write!(f, "{} ≤ {}", self.path, n(hi)),
            (None, None) => write!(f, "{} (any value)", self.path),
        }
    }
}

/// What discovery found for one target.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The target holds in every replicate: nothing to explain.
    AlwaysHolds,
    /// The target fails in every replicate, whatever the draws.
    AlwaysFails,
    /// Too few replicates to find ranges and test them on others.
    TooFew {
        /// The least number of replicates discovery needs.
        needed: usize,
    },
    /// Failures do not concentrate in any parameter range (they look like noise): none
    /// was found, or the one found did not hold on the held-out replicates.
    NoPattern,
    /// The target fails mainly inside these ranges, found on half of the replicates and
    /// confirmed on the other half; the shares below are the held-out half's.
    Box {
        /// The ranges, most restrictive first.
        ranges: Vec<Range>,
        /// Share of the held-out failing replicates inside the ranges.
        coverage: f64,
        /// Share of the held-out replicates inside the ranges that fail.
        density: f64,
        /// Share of the held-out replicates inside the ranges.
        mass: f64,
        /// Every box of the peeling path, from all replicates down to the smallest: the
        /// coverage–density trade-off the box was chosen from.
        peeling: Vec<PeelStep>,
        /// The box the ranges describe (the path's densest box with enough coverage, less
        /// the restrictions that did not earn their place).
        chosen: PeelStep,
    },
}

/// One box of PRIM's peeling path, measured on the replicates that found it and on the
/// held-out ones: where they part, peeling has begun to fit noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeelStep {
    /// Share of the finding half's failures inside the box.
    pub coverage: f64,
    /// Share of the finding half's replicates inside the box that fail.
    pub density: f64,
    /// Share of the held-out failures inside the box.
    pub held_out_coverage: f64,
    /// Share of the held-out replicates inside the box that fail (NaN when none is inside).
    pub held_out_density: f64,
    /// Parameters the box restricts.
    pub restricted: usize,
}

/// Discovery for one target of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetDiscovery {
    /// Replicates (rows of draws with a value of the target).
    pub replicates: usize,
    /// Of which the target fails in.
    pub failures: usize,
    /// What was found.
    pub finding: Finding,
}

/// The failure ranges of `target` in `result`, whose parameter draws and per-replicate
/// target values must both be present (`None` otherwise); `min_coverage` is the least
/// share of the failures the ranges must hold.
pub fn discover_failures(
    result: &BatchResult,
    target: &TargetResult,
    min_coverage: f64,
) -> Option<TargetDiscovery> {
    let parameters = result.parameters.as_ref()?;
    if target.values.is_empty() || target.values.len() != parameters.values.len() {
        return None;
    }
    let failed: Vec<bool> = target.values.iter().map(|&v| !target.meets(v)).collect();
    let failures = failed.iter().filter(|&&f| f).count();
    let replicates = failed.len();
    let finding = if failures == 0 {
        Finding::AlwaysHolds
    } else if failures == replicates {
        Finding::AlwaysFails
    } else {
        find_box(&parameters.values, &parameters.paths, &failed, min_coverage)
    };
    Some(TargetDiscovery {
        replicates,
        failures,
        finding,
    })
}

/// PRIM on the even-numbered replicates, the box kept only if it holds on the odd ones:
/// there the share of failures inside it must be significantly above their failure rate
/// (PRIM always finds a box that fits its own points, noise included).
fn find_box(draws: &[Vec<f64>], paths: &[String], failed: &[bool], min_coverage: f64) -> Finding {
    if failed.len() < MIN_FOR_DISCOVERY {
        return Finding::TooFew {
            needed: MIN_FOR_DISCOVERY,
        };
    }
    let half = |parity: usize| -> (Vec<Vec<f64>>, Vec<bool>) {
        (0..failed.len())
            .filter(|i| i % 2 == parity)
            .map(|i| (draws[i].clone(), failed[i]))
            .unzip()
    };
    let (train_x, train_failed) = half(0);
    let (test_x, test_failed) = half(1);
    let options = PrimOptions {
        min_coverage,
        min_density_gain: MIN_DENSITY_GAIN,
        ..PrimOptions::default()
    };
    let Some(found) = discover(&train_x, &train_failed, &options) else {
        return Finding::NoPattern;
    };
    if found.restrictions.is_empty() {
        return Finding::NoPattern;
    }
    let test_failures = test_failed.iter().filter(|&&f| f).count();
    // Held-out replicates inside a box, and the failing ones among them.
    let held_out = |inside: &dyn Fn(&[f64]) -> bool| {
        let (mut members, mut hits) = (0usize, 0usize);
        for (row, &f) in test_x.iter().zip(&test_failed) {
            if inside(row) {
                members += 1;
                hits += usize::from(f);
            }
        }
        (members, hits)
    };
    let (members, hits) = held_out(&|row: &[f64]| {
        found.restrictions.iter().all(|r| {
            let v = row[r.parameter];
            r.above.is_none_or(|lo| v >= lo) && r.below.is_none_or(|hi| v <= hi)
        })
    });
    let base_rate = test_failures as f64 / test_x.len() as f64;
    if members == 0
        || test_failures == 0
        || binomial_upper_tail(members, hits, base_rate) >= HELD_OUT_SIGNIFICANCE
    {
        return Finding::NoPattern;
    }
    // Each box of the path on both halves. A bound still at the finding half's extreme
    // is no restriction: held-out values beyond it are inside.
    let full = &found.trajectory[0];
    let steps: Vec<PeelStep> = found
        .trajectory
        .iter()
        .map(|b| {
            let cut = |d: usize| (b.lower[d] > full.lower[d], b.upper[d] < full.upper[d]);
            let (members, hits) = held_out(&|row: &[f64]| {
                row.iter().enumerate().all(|(d, &v)| {
                    let (low_cut, high_cut) = cut(d);
                    (!low_cut || v >= b.lower[d]) && (!high_cut || v <= b.upper[d])
                })
            });
            PeelStep {
                coverage: b.coverage,
                density: b.density,
                held_out_coverage: hits as f64 / test_failures as f64,
                held_out_density: if members == 0 {
                    f64::NAN
                } else {
                    hits as f64 / members as f64
                },
                restricted: (0..b.lower.len())
                    .filter(|&d| cut(d) != (false, false))
                    .count(),
            }
        })
        .collect();
    Finding::Box {
        ranges: found
            .restrictions
            .iter()
            .map(|r| Range {
                path: paths[r.parameter].clone(),
                above: r.above,
                below: r.below,
            })
            .collect(),
        coverage: hits as f64 / test_failures as f64,
        density: hits as f64 / members as f64,
        mass: members as f64 / test_x.len() as f64,
        peeling: steps[..found.peeled].to_vec(),
        chosen: steps[found.chosen],
    }
}

/// P(X ≥ k) for X ~ Binomial(n, p), summed term by term in logs.
fn binomial_upper_tail(n: usize, k: usize, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let ln_choose = |j: usize| -> f64 {
        (1..=j)
            .map(|i| ((n - j + i) as f64).ln() - (i as f64).ln())
            .sum()
    };
    (k..=n)
        .map(|j| (ln_choose(j) + j as f64 * p.ln() + (n - j) as f64 * (1.0 - p).ln()).exp())
        .sum::<f64>()
        .min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counter-based uniform draws in [0, 1), so the tests need no random crate.
    fn uniform(i: u64, j: u64) -> f64 {
        let mut z = (i << 20 ^ j).wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn draws(n: usize, k: usize) -> (Vec<Vec<f64>>, Vec<String>) {
        let x = (0..n)
            .map(|i| (0..k).map(|j| uniform(i as u64, j as u64)).collect())
            .collect();
        (x, (0..k).map(|j| format!("p{j}")).collect())
    }

    #[test]
    fn a_box_fitted_to_pure_noise_is_rejected_on_held_out_replicates() {
        // Failures that ignore the parameters: any box PRIM finds fits the noise of its
        // half. Several noise sets, so one lucky pass cannot hide a bias.
        let (x, paths) = draws(80, 8);
        let mut fitted = 0;
        for set in 0..5u64 {
            let failed: Vec<bool> = (0..80).map(|i| uniform(1000 + set, i) < 0.4).collect();
            // PRIM alone names ranges in the noise (what discovery reported before)...
            let alone = discover(&x, &failed, &PrimOptions::default());
            fitted += usize::from(alone.is_some_and(|d| !d.restrictions.is_empty()));
            // ...which the held-out half does not confirm.
            let found = find_box(&x, &paths, &failed, 0.5);
            assert_eq!(found, Finding::NoPattern, "noise set {set}");
        }
        assert!(
            fitted >= 4,
            "PRIM fitted the noise only {fitted} times of 5"
        );
    }

    #[test]
    fn a_real_pattern_holds_on_held_out_replicates() {
        let (x, paths) = draws(80, 8);
        let failed: Vec<bool> = x.iter().map(|r| r[3] < 0.35).collect();
        match find_box(&x, &paths, &failed, 0.5) {
            Finding::Box {
                ranges,
                coverage,
                density,
                peeling,
                chosen,
                ..
            } => {
                assert!(
                    ranges.iter().any(|r| r.path == "p3" && r.below.is_some()),
                    "{ranges:?}"
                );
                assert!(density > 0.8, "{density}");
                // The path starts with every replicate (all failures inside, on both
                // halves) and only tightens: coverage never rises along it.
                let first = peeling[0];
                assert_eq!((first.coverage, first.held_out_coverage), (1.0, 1.0));
                assert_eq!(first.restricted, 0);
                assert!(peeling.len() > 5, "{}", peeling.len());
                assert!(peeling.windows(2).all(|w| w[1].coverage <= w[0].coverage));
                // The named box, measured on the held-out half, is what the finding reports.
                assert_eq!(chosen.held_out_coverage, coverage);
                assert_eq!(chosen.held_out_density, density);
                assert!(chosen.restricted >= 1 && chosen.restricted <= ranges.len());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn too_few_replicates_name_no_range() {
        let (x, paths) = draws(12, 3);
        let failed: Vec<bool> = x.iter().map(|r| r[0] < 0.5).collect();
        assert_eq!(
            find_box(&x, &paths, &failed, 0.5),
            Finding::TooFew {
                needed: MIN_FOR_DISCOVERY
            }
        );
    }

    #[test]
    fn binomial_tail_matches_hand_values() {
        // 10 trials at 0.5: P(X ≥ 8) = 56/1024.
        assert!((binomial_upper_tail(10, 8, 0.5) - 56.0 / 1024.0).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(10, 0, 0.3), 1.0);
    }
}
