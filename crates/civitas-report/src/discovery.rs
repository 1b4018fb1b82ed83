//! Scenario discovery for a run with `[[uncertainty]]` priors: per target, the few ranges
//! of the uncertain parameters in which it fails (PRIM, as in exploratory modelling), for
//! `civitas discover` and the report's "What makes targets fail" section.

use civitas_results::{BatchResult, TargetResult};
use civitas_uncertainty::prim::{PrimOptions, discover};

/// Fewer replicates than this make discovered ranges rough.
pub const FEW_FOR_DISCOVERY: usize = 50;

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
    /// Failures do not concentrate in any parameter range (they look like noise).
    NoPattern,
    /// The target fails mainly inside these ranges.
    Box {
        /// The ranges, most restrictive first.
        ranges: Vec<Range>,
        /// Share of all failing replicates inside the ranges.
        coverage: f64,
        /// Share of the replicates inside the ranges that fail.
        density: f64,
        /// Share of all replicates inside the ranges.
        mass: f64,
    },
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
        let options = PrimOptions {
            min_coverage,
            ..PrimOptions::default()
        };
        match discover(&parameters.values, &failed, &options) {
            Some(found) if !found.restrictions.is_empty() => {
                let best = found.best();
                Finding::Box {
                    ranges: found
                        .restrictions
                        .iter()
                        .map(|r| Range {
                            path: parameters.paths[r.parameter].clone(),
                            above: r.above,
                            below: r.below,
                        })
                        .collect(),
                    coverage: best.coverage,
                    density: best.density,
                    mass: best.mass,
                }
            }
            _ => Finding::NoPattern,
        }
    };
    Some(TargetDiscovery {
        replicates,
        failures,
        finding,
    })
}
