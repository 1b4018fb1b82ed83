//! Prior distributions of uncertain parameters, sampled through their quantile function.

use crate::special::{incomplete_beta_inverse, normal_cdf, normal_quantile};

/// A prior distribution over one numeric parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular on `[min, max]` with its peak at `mode`.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal with `mean` and `sd`, truncated to `[min, max]`.
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation.
        sd: f64,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Lognormal with the given median and log-scale `sigma`, truncated to `[min, max]`.
    LogNormal {
        /// Median (e^μ).
        median: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
        /// Lower bound (≥ 0).
        min: f64,
        /// Upper bound (may be +∞ only where the field allows it).
        max: f64,
    },
    /// Beta(`alpha`, `beta`) scaled to `[min, max]`.
    Beta {
        /// First shape parameter.
        alpha: f64,
        /// Second shape parameter.
        beta: f64,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
}

/// Parameters that do not make a distribution.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: found {found}, expected {expected}")]
pub struct DistributionError {
    /// The parameter at fault.
    pub field: &'static str,
    /// Its value.
    pub found: f64,
    /// What it must be.
    pub expected: String,
}

fn check(
    field: &'static str,
    found: f64,
    ok: bool,
    expected: impl Into<String>,
) -> Result<(), DistributionError> {
    if ok {
        Ok(())
    } else {
        Err(DistributionError {
            field,
            found,
            expected: expected.into(),
        })
    }
}

fn bounds(min: f64, max: f64) -> Result<(), DistributionError> {
    check("min", min, min.is_finite(), "a finite number")?;
    check("max", max, max.is_finite(), "a finite number")?;
    check("max", max, max > min, format!("a number above min = {min}"))
}

impl Distribution {
    /// Uniform on `[min, max]`.
    pub fn uniform(min: f64, max: f64) -> Result<Self, DistributionError> {
        bounds(min, max)?;
        Ok(Distribution::Uniform { min, max })
    }

    /// Triangular on `[min, max]` with mode `mode`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, DistributionError> {
        bounds(min, max)?;
        check(
            "mode",
            mode,
            (min..=max).contains(&mode),
            format!("a number in [{min}, {max}]"),
        )?;
        Ok(Distribution::Triangular { min, mode, max })
    }

    /// Normal(`mean`, `sd`) truncated to `[min, max]`.
    pub fn normal(mean: f64, sd: f64, min: f64, max: f64) -> Result<Self, DistributionError> {
        check("mean", mean, mean.is_finite(), "a finite number")?;
        check("sd", sd, sd.is_finite() && sd > 0.0, "a number above 0")?;
        bounds(min, max)?;
        Ok(Distribution::Normal { mean, sd, min, max })
    }

    /// Lognormal with median `median` and log-scale `sigma`, truncated to `[min, max]`.
    pub fn lognormal(
        median: f64,
        sigma: f64,
        min: f64,
        max: f64,
    ) -> Result<Self, DistributionError> {
        check(
            "median",
            median,
            median.is_finite() && median > 0.0,
            "a number above 0",
        )?;
        check(
            "sigma",
            sigma,
            sigma.is_finite() && sigma > 0.0,
            "a number above 0",
        )?;
        check("min", min, min >= 0.0, "a number ≥ 0")?;
        bounds(min, max)?;
        Ok(Distribution::LogNormal {
            median,
            sigma,
            min,
            max,
        })
    }

    /// Beta(`alpha`, `beta`) scaled to `[min, max]`.
    pub fn beta(alpha: f64, beta: f64, min: f64, max: f64) -> Result<Self, DistributionError> {
        check(
            "alpha",
            alpha,
            alpha.is_finite() && alpha > 0.0,
            "a number above 0",
        )?;
        check(
            "beta",
            beta,
            beta.is_finite() && beta > 0.0,
            "a number above 0",
        )?;
        bounds(min, max)?;
        Ok(Distribution::Beta {
            alpha,
            beta,
            min,
            max,
        })
    }

    /// The smallest and largest value a draw can take.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Distribution::Uniform { min, max }
            | Distribution::Triangular { min, max, .. }
            | Distribution::Normal { min, max, .. }
            | Distribution::LogNormal { min, max, .. }
            | Distribution::Beta { min, max, .. } => (min, max),
        }
    }

    /// The value below which a share `u` ∈ [0, 1] of draws fall.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let value = match *self {
            Distribution::Uniform { min, max } => min + u * (max - min),
            Distribution::Triangular { min, mode, max } => {
                let split = (mode - min) / (max - min);
                if u < split {
                    min + libm::sqrt(u * (max - min) * (mode - min))
                } else {
                    max - libm::sqrt((1.0 - u) * (max - min) * (max - mode))
                }
            }
            Distribution::Normal { mean, sd, min, max } => {
                let (lo, hi) = (normal_cdf((min - mean) / sd), normal_cdf((max - mean) / sd));
                mean + sd * normal_quantile(lo + u * (hi - lo))
            }
            Distribution::LogNormal {
                median,
                sigma,
                min,
                max,
            } => {
                let mu = libm::log(median);
                let z = |x: f64| {
                    if x <= 0.0 {
                        0.0
                    } else {
                        normal_cdf((libm::log(x) - mu) / sigma)
                    }
                };
                let (lo, hi) = (z(min), z(max));
                libm::exp(mu + sigma * normal_quantile(lo + u * (hi - lo)))
            }
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => min + (max - min) * incomplete_beta_inverse(alpha, beta, u),
        };
        let (min, max) = self.support();
        value.clamp(min, max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(d: &Distribution) -> f64 {
        let n = 20_000;
        (0..n)
            .map(|i| d.quantile((i as f64 + 0.5) / n as f64))
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn quantiles_give_the_known_means() {
        assert!((mean_of(&Distribution::uniform(2.0, 4.0).unwrap()) - 3.0).abs() < 1e-6);
        // Triangular mean = (min + mode + max) / 3.
        let t = Distribution::triangular(0.3, 0.38, 0.5).unwrap();
        assert!((mean_of(&t) - (0.3 + 0.38 + 0.5) / 3.0).abs() < 1e-4);
        // A normal truncated symmetrically keeps its mean.
        let n = Distribution::normal(0.02, 0.005, 0.01, 0.03).unwrap();
        assert!((mean_of(&n) - 0.02).abs() < 1e-6);
        // Lognormal median; Beta(2, 5) mean = 2/7.
        let l = Distribution::lognormal(150.0, 0.3, 0.0, 1e6).unwrap();
        assert!((l.quantile(0.5) - 150.0).abs() < 1e-9);
        let b = Distribution::beta(2.0, 5.0, 0.0, 1.0).unwrap();
        assert!((mean_of(&b) - 2.0 / 7.0).abs() < 1e-4);
        let b = Distribution::beta(2.0, 5.0, 10.0, 20.0).unwrap();
        assert!((mean_of(&b) - (10.0 + 20.0 / 7.0)).abs() < 1e-3);
    }

    #[test]
    fn draws_stay_inside_the_support() {
        let all = [
            Distribution::uniform(0.0, 1.0).unwrap(),
            Distribution::triangular(0.0, 1.0, 1.0).unwrap(),
            Distribution::normal(0.5, 10.0, 0.0, 1.0).unwrap(),
            Distribution::lognormal(1.0, 2.0, 0.5, 3.0).unwrap(),
            Distribution::beta(0.5, 0.5, 0.0, 1.0).unwrap(),
        ];
        for d in &all {
            let (lo, hi) = d.support();
            for u in [0.0, 1e-12, 0.3, 0.999_999, 1.0] {
                let x = d.quantile(u);
                assert!((lo..=hi).contains(&x), "{d:?} at {u}: {x}");
            }
        }
    }

    #[test]
    fn nonsense_parameters_are_rejected() {
        let e = Distribution::uniform(1.0, 1.0).unwrap_err();
        assert_eq!(e.field, "max");
        assert_eq!(
            Distribution::triangular(0.0, 2.0, 1.0).unwrap_err().field,
            "mode"
        );
        assert_eq!(
            Distribution::normal(0.0, 0.0, -1.0, 1.0).unwrap_err().field,
            "sd"
        );
        assert_eq!(
            Distribution::lognormal(-1.0, 0.3, 0.0, 1.0)
                .unwrap_err()
                .field,
            "median"
        );
        assert_eq!(
            Distribution::beta(1.0, f64::NAN, 0.0, 1.0)
                .unwrap_err()
                .field,
            "beta"
        );
        assert_eq!(
            Distribution::beta(1.0, 1.0, 0.0, 1.0).unwrap(),
            Distribution::Beta {
                alpha: 1.0,
                beta: 1.0,
                min: 0.0,
                max: 1.0
            }
        );
    }
}
