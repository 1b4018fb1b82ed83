//! Statistics across replicates.
//!
//! Percentiles use linear interpolation between order statistics (Hyndman and Fan type 7,
//! the default of R's `quantile`, NumPy's `percentile` and pandas): for sorted values
//! `x[0..n]` and probability `p`, `h = (n − 1)·p` and the result is
//! `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`. NaN values (no observation in a replicate)
//! are left out; with no values left every statistic is NaN. The standard deviation is the
//! sample one (divisor n − 1), NaN below two values; with `n` it gives the standard error
//! of the mean, `sd/√n`, that `civitas check` compares runs with.

/// Mean and the 5th, 50th and 95th percentiles of one cell across replicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellStats {
    /// Arithmetic mean of the non-NaN values, summed in replicate order.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Sample standard deviation (divisor n − 1; NaN with fewer than two values).
    pub sd: f64,
    /// Number of non-NaN values.
    pub n: u32,
}

impl CellStats {
    /// Statistics of `values` (in replicate order). `scratch` is reused between calls to
    /// avoid an allocation per cell.
    pub fn of(values: &[f64], scratch: &mut Vec<f64>) -> CellStats {
        scratch.clear();
        scratch.extend(values.iter().copied().filter(|v| !v.is_nan()));
        if scratch.is_empty() {
            return CellStats {
                mean: f64::NAN,
                p5: f64::NAN,
                p50: f64::NAN,
                p95: f64::NAN,
                sd: f64::NAN,
                n: 0,
            };
        }
        // Summing before sorting keeps the mean's rounding tied to replicate order,
        // which does not depend on the thread count.
        let mean = scratch.iter().sum::<f64>() / scratch.len() as f64;
        let sd = if scratch.len() < 2 {
            f64::NAN
        } else {
            let squares: f64 = scratch.iter().map(|v| (v - mean) * (v - mean)).sum();
            (squares / (scratch.len() - 1) as f64).sqrt()
        };
        let n = scratch.len() as u32;
        scratch.sort_by(f64::total_cmp);
        CellStats {
            mean,
            p5: percentile_sorted(scratch, 0.05),
            p50: percentile_sorted(scratch, 0.50),
            p95: percentile_sorted(scratch, 0.95),
            sd,
            n,
        }
    }
}

/// Type-7 percentile of already sorted, NaN-free, non-empty values; `p` in [0, 1].
pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = h - lo as f64;
    if frac == 0.0 {
        sorted[lo]
    } else {
        sorted[lo] + frac * (sorted[hi] - sorted[lo])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 50, 95]) = [1.45, 5.5, 9.55]
        let mut scratch = Vec::new();
        let values: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let s = CellStats::of(&values, &mut scratch);
        assert!((s.p5 - 1.45).abs() < 1e-12);
        assert_eq!(s.p50, 5.5);
        assert!((s.p95 - 9.55).abs() < 1e-12);
        assert_eq!(s.mean, 5.5);
        // numpy.std(range(1, 11), ddof=1) = 3.0276503540974917
        assert!((s.sd - 3.027_650_354_097_491_7).abs() < 1e-12);
        assert_eq!(s.n, 10);
    }

    #[test]
    fn nan_values_are_left_out() {
        let mut scratch = Vec::new();
        let s = CellStats::of(&[f64::NAN, 2.0, 4.0], &mut scratch);
        assert_eq!(s.mean, 3.0);
        assert_eq!(s.p50, 3.0);
        let s = CellStats::of(&[f64::NAN, f64::NAN], &mut scratch);
        assert!(s.mean.is_nan() && s.p5.is_nan() && s.p95.is_nan());
        let s = CellStats::of(&[7.0], &mut scratch);
        assert_eq!((s.p5, s.p50, s.p95), (7.0, 7.0, 7.0));
        assert!(s.sd.is_nan());
        assert_eq!(s.n, 1);
    }
}
