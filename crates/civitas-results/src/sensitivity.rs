//! What a sensitivity analysis (`civitas sensitivity`) gives, without the simulation:
//! per target, one set of indices per uncertain parameter — Sobol first-order and total
//! indices, or Morris μ*, μ and σ of the target's value, each with bootstrap intervals —
//! and their file, `sensitivity.csv`.

use civitas_uncertainty::IndexIntervals;

use crate::format::format_value;

/// The file of the indices, in the sensitivity sweep's directory.
pub const SENSITIVITY_CSV: &str = "sensitivity.csv";

/// How the indices were estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SensitivityMethod {
    /// First-order and total Sobol indices (Saltelli's design).
    Sobol,
    /// Morris elementary effects: μ*, μ and σ.
    Morris,
}

impl SensitivityMethod {
    /// The columns of `sensitivity.csv` for this method.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            SensitivityMethod::Sobol => &[
                "target",
                "parameter",
                "first_order",
                "total",
                "first_order_lo",
                "first_order_hi",
                "total_lo",
                "total_hi",
            ],
            SensitivityMethod::Morris => &[
                "target",
                "parameter",
                "mu_star",
                "mu",
                "sigma",
                "mu_star_lo",
                "mu_star_hi",
                "sigma_lo",
                "sigma_hi",
            ],
        }
    }
}

/// One target's indices, one value per parameter in each list.
#[derive(Debug, Clone, PartialEq)]
pub enum Indices {
    /// Sobol indices.
    Sobol {
        /// First-order indices.
        first_order: Vec<f64>,
        /// Total indices.
        total: Vec<f64>,
        /// Their bootstrap intervals (first-order, total).
        intervals: IndexIntervals,
    },
    /// Morris elementary effects.
    Morris {
        /// Mean absolute effect μ*.
        mu_star: Vec<f64>,
        /// Mean effect μ.
        mu: Vec<f64>,
        /// Standard deviation of the effects σ.
        sigma: Vec<f64>,
        /// Bootstrap intervals of μ* and σ.
        intervals: IndexIntervals,
    },
}

impl Indices {
    /// How they were estimated.
    pub fn method(&self) -> SensitivityMethod {
        match self {
            Indices::Sobol { .. } => SensitivityMethod::Sobol,
            Indices::Morris { .. } => SensitivityMethod::Morris,
        }
    }

    /// The leading index: first-order (Sobol) or μ* (Morris).
    pub fn primary(&self) -> &[f64] {
        match self {
            Indices::Sobol { first_order, .. } => first_order,
            Indices::Morris { mu_star, .. } => mu_star,
        }
    }

    /// The second index: total (Sobol) or σ (Morris).
    pub fn secondary(&self) -> &[f64] {
        match self {
            Indices::Sobol { total, .. } => total,
            Indices::Morris { sigma, .. } => sigma,
        }
    }

    /// The bootstrap intervals of [`Indices::primary`] and [`Indices::secondary`].
    pub fn intervals(&self) -> &IndexIntervals {
        match self {
            Indices::Sobol { intervals, .. } | Indices::Morris { intervals, .. } => intervals,
        }
    }

    /// Parameter `i`'s values in the columns of `sensitivity.csv` after `target` and
    /// `parameter`.
    fn row(&self, i: usize) -> Vec<f64> {
        let mut values = match self {
            Indices::Sobol {
                first_order, total, ..
            } => vec![first_order[i], total[i]],
            Indices::Morris {
                mu_star, mu, sigma, ..
            } => vec![mu_star[i], mu[i], sigma[i]],
        };
        let ci = self.intervals();
        values.extend([
            ci.primary[i].0,
            ci.primary[i].1,
            ci.secondary[i].0,
            ci.secondary[i].1,
        ]);
        values
    }
}

/// The indices of one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetIndices {
    /// The target's label (as in targets.csv).
    pub label: String,
    /// Its indices.
    pub indices: Indices,
    /// False when the target had no value in any run (its year outside the horizon).
    pub has_data: bool,
}

/// The indices of every target.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityIndices {
    /// How they were estimated.
    pub method: SensitivityMethod,
    /// The uncertain parameters' paths, in `[[uncertainty]]` order.
    pub parameters: Vec<String>,
    /// Model runs behind the estimates.
    pub runs: usize,
    /// One entry per target, in the scenario's order.
    pub targets: Vec<TargetIndices>,
}

impl SensitivityIndices {
    /// The text of `sensitivity.csv`: a row per target and parameter.
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(self.method.columns())?;
        for target in &self.targets {
            for (i, parameter) in self.parameters.iter().enumerate() {
                let mut record = vec![target.label.clone(), parameter.clone()];
                record.extend(target.indices.row(i).into_iter().map(format_value));
                w.write_record(&record)?;
            }
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_per_target_and_parameter_in_the_methods_columns() {
        let indices = SensitivityIndices {
            method: SensitivityMethod::Morris,
            parameters: vec!["a".into(), "b".into()],
            runs: 6,
            targets: vec![TargetIndices {
                label: "t".into(),
                indices: Indices::Morris {
                    mu_star: vec![1.0, 0.5],
                    mu: vec![-1.0, 0.5],
                    sigma: vec![0.25, f64::NAN],
                    intervals: IndexIntervals {
                        level: 0.9,
                        primary: vec![(0.5, 1.5), (0.25, 0.75)],
                        secondary: vec![(0.125, 0.5), (f64::NAN, f64::NAN)],
                    },
                },
                has_data: true,
            }],
        };
        let text = String::from_utf8(indices.to_csv().unwrap()).unwrap();
        assert_eq!(
            text,
            "target,parameter,mu_star,mu,sigma,mu_star_lo,mu_star_hi,sigma_lo,sigma_hi\n\
             t,a,1,-1,0.25,0.5,1.5,0.125,0.5\nt,b,0.5,0.5,,0.25,0.75,,\n"
        );
        let t = &indices.targets[0].indices;
        assert_eq!(t.primary(), [1.0, 0.5]);
        assert_eq!(t.secondary()[0], 0.25);
        assert_eq!(t.intervals().primary[1], (0.25, 0.75));
        let sobol = Indices::Sobol {
            first_order: vec![0.5],
            total: vec![0.75],
            intervals: IndexIntervals {
                level: 0.9,
                primary: vec![(0.25, 0.625)],
                secondary: vec![(0.5, 1.0)],
            },
        };
        let one = SensitivityIndices {
            method: SensitivityMethod::Sobol,
            parameters: vec!["a".into()],
            runs: 3,
            targets: vec![TargetIndices {
                label: "t".into(),
                indices: sobol,
                has_data: true,
            }],
        };
        let text = String::from_utf8(one.to_csv().unwrap()).unwrap();
        assert_eq!(
            text,
            "target,parameter,first_order,total,first_order_lo,first_order_hi,total_lo,total_hi\n\
             t,a,0.5,0.75,0.25,0.625,0.5,1\n"
        );
    }
}
