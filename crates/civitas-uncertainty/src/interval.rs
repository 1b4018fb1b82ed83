//! Intervals for what a batch of replicates estimates.

use crate::special::{normal_cdf, student_t_quantile};

/// Wilson score interval of a proportion: `k` successes in `n` trials, `z` the normal
/// quantile of the interval (1.645 for 90 %). Unlike the normal approximation it stays in
/// [0, 1] and does not collapse to a point at k = 0 or k = n: with 10 replicates all
/// meeting a target, the 90 % interval is 0.79–1.00, not "certainly met".
pub fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * libm::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Bootstrap intervals of a sensitivity method's two indices, per parameter: Sobol
/// first-order and total indices, or Morris μ* and σ.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexIntervals {
    /// Two-sided level, e.g. 0.9.
    pub level: f64,
    /// Per parameter: the interval of the leading index (first-order, or μ*).
    pub primary: Vec<(f64, f64)>,
    /// Per parameter: the interval of the second index (total, or σ).
    pub secondary: Vec<(f64, f64)>,
}

impl IndexIntervals {
    /// The widest interval of any index (infinite when one is unknown): for Sobol indices,
    /// a width above about 0.2 says the design is too small for the indices to be read as
    /// numbers (more base points, or more agents so that the agents' own noise weighs
    /// less).
    pub fn widest(&self) -> f64 {
        self.primary
            .iter()
            .chain(&self.secondary)
            .map(|(lo, hi)| hi - lo)
            .fold(
                0.0,
                |w, x| if x.is_nan() { f64::INFINITY } else { w.max(x) },
            )
    }

    /// The intervals from `resamples` bootstrap values of each index (`primary[i]` and
    /// `secondary[i]` the values of parameter `i`): the percentile method, between the
    /// `(1 − level)/2` and `(1 + level)/2` type-7 quantiles; NaN when a value is NaN.
    pub fn percentile(primary: Vec<Vec<f64>>, secondary: Vec<Vec<f64>>, level: f64) -> Self {
        let interval = |mut v: Vec<f64>| -> (f64, f64) {
            if v.is_empty() || v.iter().any(|x| x.is_nan()) {
                return (f64::NAN, f64::NAN);
            }
            v.sort_by(f64::total_cmp);
            let at = |q: f64| {
                let h = q * (v.len() - 1) as f64;
                let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
                v[lo] + (h - lo as f64) * (v[hi] - v[lo])
            };
            (at((1.0 - level) / 2.0), at((1.0 + level) / 2.0))
        };
        IndexIntervals {
            level,
            primary: primary.into_iter().map(interval).collect(),
            secondary: secondary.into_iter().map(interval).collect(),
        }
    }
}

/// The `j`-th of `n` draws of bootstrap resample `b`: an index in `0..n`, a pure function
/// of `(seed, b, j)` (SplitMix64 mixing), so the same outputs give the same intervals.
pub(crate) fn resample_index(seed: u64, b: usize, j: usize, n: usize) -> usize {
    (splitmix64(seed ^ splitmix64(b as u64) ^ (j as u64).rotate_left(32)) % n as u64) as usize
}

/// SplitMix64: one well-mixed 64-bit word from a counter, for the bootstrap's draws.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The paired difference `variant − base` over replicates that share their random
/// streams and parameter draws (common random numbers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedDifference {
    /// Number of pairs (replicates where both have a value).
    pub n: usize,
    /// Mean difference.
    pub mean: f64,
    /// Lower end of the interval (Student t on the differences).
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Share of pairs in which the variant is better (a tie is not a win).
    pub share_better: f64,
    /// Pairs in which the variant is better.
    pub better: usize,
    /// Pairs in which the variant is worse.
    pub worse: usize,
    /// Pairs with no difference (`n − better − worse`).
    pub ties: usize,
    /// Probability that the mean difference favours the variant, from the t distribution
    /// of the paired mean (a one-sided confidence that the variant is better); NaN when
    /// every pair ties (there is no difference to favour anyone) or with fewer than two
    /// pairs.
    pub probability_better: f64,
}

impl PairedDifference {
    /// Whether the two runs gave the same value in every pair.
    pub fn all_tied(&self) -> bool {
        self.n > 0 && self.ties == self.n
    }
}

/// Paired comparison of per-replicate values `base[r]` and `variant[r]`; `higher_is_better`
/// says which direction is better; `level` is the two-sided interval level (0.9 for
/// 90 %). NaN pairs are left out. The variance of the mean difference is that of the
/// differences, which common random numbers make far smaller than the sum of the two
/// variances when the scenarios respond alike to the shared draws.
pub fn paired(
    base: &[f64],
    variant: &[f64],
    higher_is_better: bool,
    level: f64,
) -> PairedDifference {
    let diffs: Vec<f64> = base
        .iter()
        .zip(variant)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| b - a)
        .collect();
    let n = diffs.len();
    let sign = if higher_is_better { 1.0 } else { -1.0 };
    let better = diffs.iter().filter(|&&d| sign * d > 0.0).count();
    let worse = diffs.iter().filter(|&&d| sign * d < 0.0).count();
    let counts = PairedDifference {
        n,
        mean: f64::NAN,
        lo: f64::NAN,
        hi: f64::NAN,
        share_better: if n == 0 {
            f64::NAN
        } else {
            better as f64 / n as f64
        },
        better,
        worse,
        ties: n - better - worse,
        probability_better: f64::NAN,
    };
    if n == 0 {
        return counts;
    }
    let mean = diffs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return PairedDifference { mean, ..counts };
    }
    let var = diffs.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / (n - 1) as f64;
    let se = libm::sqrt(var / n as f64);
    let df = (n - 1) as f64;
    let t = student_t_quantile(0.5 + level / 2.0, df);
    let probability_better = if se == 0.0 {
        // Every difference is the same: the variant is surely better, surely worse, or
        // (all zero) neither, which no probability describes.
        match (sign * mean).partial_cmp(&0.0) {
            Some(std::cmp::Ordering::Greater) => 1.0,
            Some(std::cmp::Ordering::Less) => 0.0,
            _ => f64::NAN,
        }
    } else {
        // The t distribution's CDF at sign·mean/se, through the normal for large n and
        // the incomplete beta otherwise.
        t_cdf(sign * mean / se, df)
    };
    PairedDifference {
        mean,
        lo: mean - t * se,
        hi: mean + t * se,
        probability_better,
        ..counts
    }
}

/// CDF of Student's t with `df` degrees of freedom.
fn t_cdf(t: f64, df: f64) -> f64 {
    if df > 1e5 {
        return normal_cdf(t);
    }
    let x = df / (df + t * t);
    let tail = 0.5 * crate::special::incomplete_beta(0.5 * df, 0.5, x);
    if t > 0.0 { 1.0 - tail } else { tail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_the_published_formula() {
        // (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), computed independently:
        // 12 of 20 at 90 % gives 0.41856..0.75761; 10 of 10 gives 0.78706..1.
        let (lo, hi) = wilson(12, 20, 1.644_853_626_951_472_2);
        assert!(
            (lo - 0.418_556).abs() < 1e-6 && (hi - 0.757_613).abs() < 1e-6,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(10, 10, 1.644_853_626_951_472_2);
        assert!(hi == 1.0 && (lo - 0.787_058).abs() < 1e-6, "{lo}");
        assert_eq!(wilson(0, 0, 1.645), (0.0, 1.0));
    }

    #[test]
    fn paired_differences_have_a_t_interval() {
        let base = [1.0, 2.0, 3.0, 4.0];
        let variant = [1.5, 2.4, 3.6, 4.5];
        let p = paired(&base, &variant, true, 0.9);
        assert_eq!(p.n, 4);
        assert!((p.mean - 0.5).abs() < 1e-12);
        // sd of (0.5, 0.4, 0.6, 0.5) = 0.08165, se = 0.040825, t_{0.95,3} = 2.353363.
        assert!((p.hi - (0.5 + 2.353_363 * 0.040_824_83)).abs() < 1e-5);
        assert_eq!(p.share_better, 1.0);
        assert!(p.probability_better > 0.999);
        let worse = paired(&base, &variant, false, 0.9);
        assert!(worse.probability_better < 0.001 && worse.share_better == 0.0);
    }

    #[test]
    fn ties_are_neither_wins_nor_losses() {
        let base = [0.5; 40];
        let same = paired(&base, &base, true, 0.9);
        assert_eq!((same.better, same.worse, same.ties), (0, 0, 40));
        assert!(same.all_tied());
        assert_eq!(same.share_better, 0.0);
        assert!(same.probability_better.is_nan(), "{same:?}");
        assert_eq!((same.mean, same.lo, same.hi), (0.0, 0.0, 0.0));
        // One pair better, one worse, two tied: a quarter of the pairs are wins.
        let mixed = paired(&[1.0, 1.0, 1.0, 1.0], &[2.0, 0.0, 1.0, 1.0], true, 0.9);
        assert_eq!((mixed.better, mixed.worse, mixed.ties), (1, 1, 2));
        assert_eq!(mixed.share_better, 0.25);
        assert!(!mixed.all_tied());
    }
}
