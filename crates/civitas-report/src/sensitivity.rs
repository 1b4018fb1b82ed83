//! The result of `civitas sensitivity`, as the report draws it: per target, one index
//! pair per uncertain parameter (Sobol first-order and total, or Morris μ* and σ), made
//! from the indices `civitas-batch` computes ([`Sensitivity::of`]).

use civitas_results::result::BatchResult;
use civitas_results::sensitivity::{SensitivityIndices, SensitivityMethod};

use crate::format::target_title;

/// How the indices were estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Sobol first-order and total indices (Saltelli's design).
    Sobol,
    /// Morris elementary effects: μ* and σ.
    Morris,
}

/// Indices of every target.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// How they were estimated.
    pub method: Method,
    /// The uncertain parameters' paths, in `[[uncertainty]]` order.
    pub parameters: Vec<String>,
    /// Model runs behind the estimates.
    pub runs: usize,
    /// One entry per target.
    pub targets: Vec<TargetSensitivity>,
}

impl Sensitivity {
    /// `indices` as the report draws them, each target with its title: `result` is the
    /// sweep the indices were computed from.
    pub fn of(result: &BatchResult, indices: &SensitivityIndices) -> Self {
        let targets = result
            .sweep
            .as_ref()
            .and_then(|s| s.points.first())
            .map(|p| &p.targets[..])
            .unwrap_or_default();
        Sensitivity {
            method: match indices.method {
                SensitivityMethod::Sobol => Method::Sobol,
                SensitivityMethod::Morris => Method::Morris,
            },
            parameters: indices.parameters.clone(),
            runs: indices.runs,
            targets: indices
                .targets
                .iter()
                .zip(targets)
                .map(|(t, target)| {
                    let ci = t.indices.intervals();
                    TargetSensitivity {
                        label: t.label.clone(),
                        title: target_title(&result.scenario, target),
                        primary: t.indices.primary().to_vec(),
                        secondary: t.indices.secondary().to_vec(),
                        has_data: t.has_data,
                        intervals: Some(
                            ci.primary
                                .iter()
                                .zip(&ci.secondary)
                                .map(|(&primary, &secondary)| [primary, secondary])
                                .collect(),
                        ),
                    }
                })
                .collect(),
        }
    }
}

/// The indices of one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSensitivity {
    /// The target's label (as in targets.csv).
    pub label: String,
    /// Readable title, e.g. "Online service rate ≥ 80% by 2030".
    pub title: String,
    /// Per parameter: first-order index (Sobol) or μ* (Morris).
    pub primary: Vec<f64>,
    /// Per parameter: total index (Sobol) or σ (Morris).
    pub secondary: Vec<f64>,
    /// False when the target had no value in any run (its year outside the horizon).
    pub has_data: bool,
    /// Per parameter, when the analysis gives them: the bootstrap intervals of the primary
    /// and the secondary index.
    pub intervals: Option<Vec<[(f64, f64); 2]>>,
}

/// An interval wider than this (a quarter of the indices' whole range for Sobol indices, a
/// quarter of the largest μ* for Morris effects) says the index is not yet a number to
/// read: the design has not converged.
pub const CONVERGED_WIDTH: f64 = 0.25;

impl TargetSensitivity {
    /// How unsettled the indices are, on the scale [`CONVERGED_WIDTH`] judges: the widest
    /// interval (Sobol indices are shares, in 0–1), or for Morris effects (in the target's
    /// units) the widest μ* interval over the largest μ*. Intervals that are not numbers
    /// are left out; 0 without intervals.
    pub fn unsettled(&self, method: Method) -> f64 {
        let Some(intervals) = &self.intervals else {
            return 0.0;
        };
        let widths = |which: &[usize]| {
            intervals
                .iter()
                .flat_map(|pair| which.iter().map(move |&j| pair[j].1 - pair[j].0))
                .filter(|w| w.is_finite())
                .fold(0.0, f64::max)
        };
        match method {
            Method::Sobol => widths(&[0, 1]),
            Method::Morris => {
                let largest = self
                    .primary
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .fold(0.0, f64::max);
                let widest = widths(&[0]);
                if largest > 0.0 {
                    widest / largest
                } else {
                    widest
                }
            }
        }
    }

    /// Whether any parameter moves the target (false when every run gave it the same
    /// value: every index is 0).
    pub fn moves(&self) -> bool {
        self.primary
            .iter()
            .chain(&self.secondary)
            .any(|&v| v != 0.0)
    }

    /// Parameter indices, most influential first: by total index (Sobol, so a parameter
    /// acting through interactions ranks too) or μ* (Morris); NaN last; ties in parameter
    /// order.
    pub fn order(&self, method: Method) -> Vec<usize> {
        let key = |i: usize| {
            let v = match method {
                Method::Sobol => self.secondary[i],
                Method::Morris => self.primary[i],
            };
            if v.is_nan() { f64::NEG_INFINITY } else { v }
        };
        let mut order: Vec<usize> = (0..self.primary.len()).collect();
        order.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
        order
    }
}
