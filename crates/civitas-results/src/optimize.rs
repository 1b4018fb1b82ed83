//! What `civitas optimize` found, as the report draws it: every candidate evaluated,
//! the path of the search, and the re-evaluation of the best few against the file's own
//! split on fresh replicates, pair by pair.

use civitas_uncertainty::PairedDifference;

/// File names of an optimisation's output folder `<out>/<name>-optimize/` (beside the
/// verification sweep's own files).
pub const OPTIMIZE_CSV: &str = "optimize.csv";
/// The fresh re-evaluation of the finalists and the file's split.
pub const VERIFY_CSV: &str = "verify.csv";
/// The best allocation as a scenario that `extends` the input.
pub const BEST_TOML: &str = "best.toml";

/// A share of replicates meeting something, with its 90 % Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probability {
    /// Replicates meeting it.
    pub met: u64,
    /// Replicates.
    pub n: u64,
    /// `met / n` (0 when `n` is 0).
    pub p: f64,
    /// Lower end of the 90 % Wilson interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

/// One decision variable.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionVariable {
    /// The scenario path, e.g. `policies[name=ops].amount_per_year`.
    pub path: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// Its value in the scenario file.
    pub file_value: f64,
    /// Whether it is money per year (CNY) rather than a budget share.
    pub money: bool,
}

/// One candidate allocation and what the search measured of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Number in order of first evaluation; 0 is the file's split.
    pub id: usize,
    /// The CMA-ES generation that asked for it (`None`: the file's split).
    pub generation: Option<u64>,
    /// The value of each variable.
    pub values: Vec<f64>,
    /// Replicates it ran (blocks of the search, each of the search's replicate count).
    pub replicates: u64,
    /// The objective over those replicates (higher is better).
    pub objective: f64,
    /// P(every chosen target met).
    pub all_met: Probability,
    /// P(met) of each chosen target, in [`OptimizeSummary::targets`] order.
    pub targets: Vec<Probability>,
}

/// A candidate re-evaluated on fresh replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The candidate's id (0: the file's split).
    pub id: usize,
    /// The value of each variable.
    pub values: Vec<f64>,
    /// The objective on the fresh replicates.
    pub objective: f64,
    /// P(every chosen target met) on the fresh replicates.
    pub all_met: Probability,
    /// P(met) of each chosen target.
    pub targets: Vec<Probability>,
    /// Each chosen target's mean value.
    pub means: Vec<f64>,
    /// Paired difference of "every chosen target met" (1 or 0 per replicate), this
    /// candidate minus the file's split; `None` for the file's split.
    pub all_met_paired: Option<PairedDifference>,
    /// Paired difference of each chosen target's value (better in the target's direction).
    pub values_paired: Vec<Option<PairedDifference>>,
}

/// Everything an optimisation found.
#[derive(Debug, Clone, PartialEq)]
pub struct OptimizeSummary {
    /// The scenario's name.
    pub scenario: String,
    /// The objective in words.
    pub objective: String,
    /// The constraint in words.
    pub constraint: String,
    /// The chosen targets' labels.
    pub targets: Vec<String>,
    /// The decision variables.
    pub variables: Vec<DecisionVariable>,
    /// Every candidate evaluated, by id.
    pub candidates: Vec<Candidate>,
    /// The incumbent (best so far, by paired comparison on common blocks) after each
    /// generation: candidate ids.
    pub path: Vec<usize>,
    /// Seed of the fresh replicates.
    pub verify_seed: u64,
    /// The file's split on the fresh replicates.
    pub file: Verified,
    /// The finalists on the fresh replicates.
    pub finalists: Vec<Verified>,
    /// Index into `finalists` of the best allocation.
    pub best: usize,
}

impl OptimizeSummary {
    /// The best allocation, re-evaluated.
    pub fn best(&self) -> &Verified {
        &self.finalists[self.best]
    }
}
