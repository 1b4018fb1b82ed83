//! The result of `civitas sensitivity`, as the report draws it: per target, one index
//! pair per uncertain parameter (Sobol first-order and total, or Morris μ* and σ).

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
    /// Per parameter, when the method gives them (Sobol): the confidence intervals of the
    /// primary and the secondary index.
    pub intervals: Option<Vec<[(f64, f64); 2]>>,
}

impl TargetSensitivity {
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
