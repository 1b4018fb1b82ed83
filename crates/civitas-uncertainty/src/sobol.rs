//! Variance-based sensitivity: Saltelli's sampling design and the estimators of first-order
//! and total Sobol indices (Saltelli et al. 2010, "Variance based sensitivity analysis of
//! model output", Computer Physics Communications 181: first order by their eq. (b),
//! total effect by Jansen 1999).
//!
//! With `k` parameters and `n` base points the design has `n·(k + 2)` model runs: two
//! independent matrices A and B (n × k, unit-cube coordinates) and, for each parameter i,
//! the matrix A_B^(i) — A with column i taken from B. The indices of parameter i are
//!
//! - first order `S_i = mean(f(B)·(f(A_B^(i)) − f(A))) / V`,
//! - total `ST_i = mean((f(A) − f(A_B^(i)))²) / (2V)`,
//!
//! where V is the variance of f over A and B together. `S_i` is the share of the output
//! variance that parameter i explains alone; `ST_i − S_i` is what it explains through
//! interactions.

use crate::interval::{IndexIntervals, resample_index};

/// The unit-cube points of a Saltelli design, in run order: A (n rows), B (n rows), then
/// A_B^(1) … A_B^(k) (n rows each). A and B are Latin hypercubes seeded by `seed`.
pub fn saltelli_design(seed: u64, k: usize, n: usize) -> Vec<Vec<f64>> {
    let matrix = |which: u64| -> Vec<Vec<f64>> {
        let columns: Vec<Vec<f64>> = (0..k)
            .map(|i| {
                let name = format!("saltelli:{which}:{i}");
                crate::latin_hypercube(seed, &[name.as_str()], n).remove(0)
            })
            .collect();
        (0..n)
            .map(|r| columns.iter().map(|c| c[r]).collect())
            .collect()
    };
    let a = matrix(0);
    let b = matrix(1);
    let mut out = Vec::with_capacity(n * (k + 2));
    out.extend(a.iter().cloned());
    out.extend(b.iter().cloned());
    for i in 0..k {
        for r in 0..n {
            let mut row = a[r].clone();
            row[i] = b[r][i];
            out.push(row);
        }
    }
    out
}

/// First-order and total Sobol indices of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// First-order index of each parameter.
    pub first: Vec<f64>,
    /// Total index of each parameter.
    pub total: Vec<f64>,
    /// Output variance over A and B.
    pub variance: f64,
}

/// The indices from the outputs `y` of a [`saltelli_design`] of `k` parameters (in the
/// design's run order; `y.len()` must be `n·(k + 2)`). NaN outputs make the result NaN.
pub fn sobol_indices(y: &[f64], k: usize) -> SobolIndices {
    let n = y.len() / (k + 2);
    let (fa, rest) = y.split_at(n);
    let (fb, rest) = rest.split_at(n);
    let all: Vec<f64> = fa.iter().chain(fb).copied().collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    let variance = all.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / all.len() as f64;
    let mut first = Vec::with_capacity(k);
    let mut total = Vec::with_capacity(k);
    for i in 0..k {
        let fab = &rest[i * n..(i + 1) * n];
        // Saltelli (2010) estimator with f_B centred on the output mean (as SALib does):
        // f_AB − f_A has mean 0, so centring keeps it unbiased, and an output whose mean
        // is large against its spread (a rate of 0.72 ± 0.01) no longer buries the
        // signal under mean × noise.
        let s: f64 = (0..n)
            .map(|r| (fb[r] - mean) * (fab[r] - fa[r]))
            .sum::<f64>()
            / n as f64;
        let st: f64 = (0..n)
            .map(|r| (fa[r] - fab[r]) * (fa[r] - fab[r]))
            .sum::<f64>()
            / n as f64;
        if variance > 0.0 {
            first.push(s / variance);
            total.push(st / (2.0 * variance));
        } else if variance == 0.0 {
            // The output does not move: no parameter explains anything.
            first.push(0.0);
            total.push(0.0);
        } else {
            first.push(f64::NAN);
            total.push(f64::NAN);
        }
    }
    SobolIndices {
        first,
        total,
        variance,
    }
}

/// Bootstrap intervals (percentile method) of the indices of [`sobol_indices`]: the
/// design's `n` base points are resampled with replacement `resamples` times, each
/// resample keeping a base point's rows of A, B and every A_B^(i) together, and the
/// indices recomputed; the interval runs between the `(1 − level)/2` and `(1 + level)/2`
/// quantiles. The resampling is seeded by `seed`, so the same outputs give the same
/// intervals.
pub fn sobol_intervals(
    y: &[f64],
    k: usize,
    resamples: usize,
    level: f64,
    seed: u64,
) -> IndexIntervals {
    let n = y.len() / (k + 2);
    let mut first: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); k];
    let mut total: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); k];
    let mut resampled = vec![0.0; n * (k + 2)];
    for b in 0..resamples {
        for j in 0..n {
            let r = resample_index(seed, b, j, n);
            for block in 0..k + 2 {
                resampled[block * n + j] = y[block * n + r];
            }
        }
        let s = sobol_indices(&resampled, k);
        for i in 0..k {
            first[i].push(s.first[i]);
            total[i].push(s.total[i]);
        }
    }
    IndexIntervals::percentile(first, total, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Ishigami function on [−π, π]³ (a = 7, b = 0.1), the standard test of
    /// sensitivity methods; its indices are known analytically.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u
            .iter()
            .map(|&v| -std::f64::consts::PI + 2.0 * std::f64::consts::PI * v)
            .collect();
        libm::sin(x[0]) + 7.0 * libm::sin(x[1]).powi(2) + 0.1 * x[2].powi(4) * libm::sin(x[0])
    }

    #[test]
    fn recovers_the_ishigami_indices() {
        let k = 3;
        let design = saltelli_design(11, k, 20_000);
        assert_eq!(design.len(), 20_000 * (k + 2));
        let y: Vec<f64> = design.iter().map(|u| ishigami(u)).collect();
        let s = sobol_indices(&y, k);
        // Analytic: S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
        let expected_first = [0.3139, 0.4424, 0.0];
        let expected_total = [0.5576, 0.4424, 0.2437];
        for i in 0..k {
            assert!(
                (s.first[i] - expected_first[i]).abs() < 0.03,
                "S{}: {}",
                i + 1,
                s.first[i]
            );
            assert!(
                (s.total[i] - expected_total[i]).abs() < 0.03,
                "ST{}: {}",
                i + 1,
                s.total[i]
            );
        }
        // Analytic variance a²/8 + b·π⁴/5 + b²·π⁸/18 + 1/2 = 13.8446.
        assert!((s.variance - 13.8446).abs() < 0.3, "{}", s.variance);
    }

    #[test]
    fn bootstrap_intervals_contain_the_known_ishigami_indices() {
        let k = 3;
        let design = saltelli_design(5, k, 2_000);
        let y: Vec<f64> = design.iter().map(|u| ishigami(u)).collect();
        let ci = sobol_intervals(&y, k, 300, 0.95, 1);
        let expected_first = [0.3139, 0.4424, 0.0];
        let expected_total = [0.5576, 0.4424, 0.2437];
        for i in 0..k {
            let (lo, hi) = ci.primary[i];
            assert!(
                lo <= expected_first[i] && expected_first[i] <= hi,
                "S{}: {lo}..{hi}",
                i + 1
            );
            let (lo, hi) = ci.secondary[i];
            assert!(
                lo <= expected_total[i] && expected_total[i] <= hi,
                "ST{}: {lo}..{hi}",
                i + 1
            );
        }
        // Informative, not everything: at 2,000 base points no interval spans 0.3.
        assert!(ci.widest() < 0.3, "{}", ci.widest());
        // A small design is flagged by its width, and the same outputs give the same
        // intervals.
        let small = saltelli_design(5, k, 32);
        let y: Vec<f64> = small.iter().map(|u| ishigami(u)).collect();
        let rough = sobol_intervals(&y, k, 300, 0.95, 1);
        assert!(
            rough.widest() > ci.widest() * 3.0,
            "{} vs {}",
            rough.widest(),
            ci.widest()
        );
        assert_eq!(rough, sobol_intervals(&y, k, 300, 0.95, 1));
    }
}
