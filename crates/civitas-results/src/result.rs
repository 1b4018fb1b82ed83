//! The result of a batch: what the report crate reads. Plain data, loadable back from an
//! output directory so `civitas compare` can draw finished runs.

use civitas_scenario::{Indicator, Scenario, TargetBasis, TickDate};

use crate::ScopeKey;

/// Statistics across replicates of one indicator in one scope, per tick.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSummary {
    /// The indicator.
    pub indicator: Indicator,
    /// The city, a district or an age band.
    pub scope: ScopeKey,
    /// Mean across replicates, per tick (NaN where no replicate had a value).
    pub mean: Vec<f64>,
    /// 5th percentile, per tick.
    pub p5: Vec<f64>,
    /// Median, per tick.
    pub p50: Vec<f64>,
    /// 95th percentile, per tick.
    pub p95: Vec<f64>,
    /// Sample standard deviation across replicates, per tick (NaN below two values).
    pub sd: Vec<f64>,
    /// Replicates with a value, per tick.
    pub n: Vec<u32>,
}

impl SeriesSummary {
    /// A series of `ticks` ticks with no value yet (NaN statistics, no replicates).
    pub fn empty(indicator: Indicator, scope: ScopeKey, ticks: usize) -> Self {
        Self {
            indicator,
            scope,
            mean: vec![f64::NAN; ticks],
            p5: vec![f64::NAN; ticks],
            p50: vec![f64::NAN; ticks],
            p95: vec![f64::NAN; ticks],
            sd: vec![f64::NAN; ticks],
            n: vec![0; ticks],
        }
    }
}

/// Probability met at or above which a target is [`TargetStatus::Met`].
pub const MET_PROBABILITY: f64 = 0.9;
/// Probability met at or below which a target is [`TargetStatus::Missed`].
pub const MISSED_PROBABILITY: f64 = 0.1;

/// Fewest replicates for which the 90 % interval of a probability met is at most about
/// ±0.15 wide at p = 0.5; below it the console and the report warn that the probabilities
/// mean little.
pub const FEW_REPLICATES: u32 = 30;

/// Whether a target is likely to be met, from the share of replicates meeting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetStatus {
    /// Probability met ≥ 0.9.
    Met,
    /// Probability met between 0.1 and 0.9.
    AtRisk,
    /// Probability met ≤ 0.1.
    Missed,
    /// No replicate gave a value for the target's year and scope (e.g. no incidents
    /// happened); the probability met is reported as 0.
    NoData,
}

impl TargetStatus {
    /// Status for a probability of meeting the target.
    pub fn from_probability(p: f64) -> Self {
        if p >= MET_PROBABILITY {
            TargetStatus::Met
        } else if p > MISSED_PROBABILITY {
            TargetStatus::AtRisk
        } else {
            TargetStatus::Missed
        }
    }

    /// Label used in CSV and reports: `met`, `at_risk`, `missed`, `no_data`.
    pub fn label(self) -> &'static str {
        match self {
            TargetStatus::Met => "met",
            TargetStatus::AtRisk => "at_risk",
            TargetStatus::Missed => "missed",
            TargetStatus::NoData => "no_data",
        }
    }
}

/// Evaluation of one `[[targets]]` entry across replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetResult {
    /// Target label (see `Target::label`).
    pub label: String,
    /// Indicator.
    pub indicator: Indicator,
    /// The city, the target's district or its age band.
    pub scope: ScopeKey,
    /// Target year.
    pub year: i32,
    /// How the year's value is read.
    pub basis: TargetBasis,
    /// Lower bound, if any.
    pub min: Option<f64>,
    /// Upper bound, if any.
    pub max: Option<f64>,
    /// Mean across replicates of the value in the target year.
    pub mean: f64,
    /// 5th percentile across replicates.
    pub p5: f64,
    /// 95th percentile across replicates.
    pub p95: f64,
    /// Share of replicates meeting the target.
    pub probability_met: f64,
    /// Lower end of the 90 % Wilson interval of the probability met: the Monte-Carlo
    /// uncertainty of estimating it from this many replicates.
    pub probability_lo: f64,
    /// Upper end of the 90 % Wilson interval.
    pub probability_hi: f64,
    /// Each replicate's value in the target year, in replicate order (NaN: no data), for
    /// paired comparisons and scenario discovery. Empty when read from an output written
    /// before `target_values.csv` existed.
    pub values: Vec<f64>,
    /// Status from the probability.
    pub status: TargetStatus,
}

impl TargetResult {
    /// Whether a value meets the target's bounds (NaN never does).
    pub fn meets(&self, value: f64) -> bool {
        meets_bounds(self.min, self.max, value)
    }
}

/// Whether `value` lies within the optional bounds (NaN never does): the one rule behind
/// probability met.
pub fn meets_bounds(min: Option<f64>, max: Option<f64>, value: f64) -> bool {
    !value.is_nan() && min.is_none_or(|min| value >= min) && max.is_none_or(|max| value <= max)
}

/// Facts about a run, written to `manifest.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// Civitas version (the package's: model changes do not bump it).
    pub civitas_version: String,
    /// The model that simulated the runs: `civitas_engine::MODEL_FINGERPRINT`, a hash of
    /// the engine's source (`crates/civitas-engine/src/fingerprint.rs`). Empty in a
    /// manifest written before this field existed.
    #[serde(default)]
    pub model_fingerprint: String,
    /// Scenario name.
    pub scenario: String,
    /// Hash of the resolved scenario.
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Number of replicates.
    pub replicates: u32,
    /// Resident agents of each replicate (`population.agents` of the scenario that ran);
    /// 0 in a manifest written before this field existed.
    #[serde(default)]
    pub agents: u64,
    /// People each agent stands for (`population.scale`); 0 in an older manifest.
    #[serde(default)]
    pub scale: f64,
    /// What changed the scenario file's values for this batch, as given: command-line
    /// flags such as `--agents 2000` or `--seed 7` (sweep levers are in `levers`); empty
    /// when nothing did. `None` where it is not known: a merge of shards, or a manifest
    /// written before this field existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Vec<String>>,
    /// Worker threads used.
    pub threads: usize,
    /// Wall-clock seconds of the whole batch: from its start to the moment its output
    /// files were written, i.e. the simulations plus assembling and writing the CSV files
    /// (plots and `report.html`, drawn afterwards, are not included). For a merged batch:
    /// the slowest shard plus the merge.
    pub wall_time_seconds: f64,
    /// Seed of each replicate, by index.
    pub run_seeds: Vec<u64>,
}

/// One point of a sweep: lever values and what happened there.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// Point index.
    pub index: usize,
    /// Value of each lever (same order as [`SweepResult::levers`]).
    pub lever_values: Vec<f64>,
    /// Target evaluations at this point.
    pub targets: Vec<TargetResult>,
}

/// The result of a sweep over one or more levers.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResult {
    /// Lever paths as given to `--set`, e.g. `policies[name=ops].amount_per_year`.
    pub levers: Vec<String>,
    /// Every point of the grid or Latin hypercube.
    pub points: Vec<SweepPoint>,
}

/// Everything a finished batch produced (the time series itself is streamed to
/// `timeseries.csv` and not held here).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResult {
    /// The resolved scenario that ran.
    pub scenario: Scenario,
    /// Start date of each tick.
    pub dates: Vec<TickDate>,
    /// Per indicator and scope statistics across replicates.
    pub series: Vec<SeriesSummary>,
    /// Target evaluations.
    pub targets: Vec<TargetResult>,
    /// Run facts.
    pub manifest: Manifest,
    /// Present for sweeps.
    pub sweep: Option<SweepResult>,
    /// Each replicate's draws of the `[[uncertainty]]` priors (`parameters.csv`); `None`
    /// when the run had none.
    pub parameters: Option<Parameters>,
}

/// The values each replicate drew for the scenario's uncertain parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    /// The paths, in `[[uncertainty]]` order.
    pub paths: Vec<String>,
    /// `values[replicate][parameter]`.
    pub values: Vec<Vec<f64>>,
}

/// One target of a variant against the base, replicate by replicate.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedTarget {
    /// The target's label.
    pub label: String,
    /// The paired statistics (variant minus base).
    pub difference: civitas_uncertainty::PairedDifference,
}

/// Why two runs cannot be compared pair by pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpaired {
    /// The runs used different seeds, so replicate r of one shares nothing with the other.
    Seeds(u64, u64),
    /// The runs had different agent counts, so replicate r's residents differ.
    Agents(u64, u64),
}

impl std::fmt::Display for Unpaired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unpaired::Seeds(a, b) => write!(
                f,
                "different seeds ({a} and {b}), so replicates are not paired; rerun with the \
                 same --seed for a paired comparison"
            ),
            Unpaired::Agents(a, b) => write!(
                f,
                "different agent counts ({a} and {b}), so replicates are not paired; rerun \
                 with the same --agents for a paired comparison"
            ),
        }
    }
}

/// Two-sided level of the paired intervals.
pub const PAIRED_LEVEL: f64 = 0.9;

/// A variant's targets against the base's, paired by replicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairs {
    /// One entry per target both runs have.
    pub targets: Vec<PairedTarget>,
    /// Replicates of the base run.
    pub base_replicates: usize,
    /// Replicates of the variant.
    pub variant_replicates: usize,
    /// Whether the paired replicates drew the same `[[uncertainty]]` values (always true
    /// without priors; false when a different replicate count stratified the Latin
    /// hypercube differently).
    pub same_draws: bool,
}

impl Pairs {
    /// The replicates paired: `0..common`, those both runs have.
    pub fn common(&self) -> usize {
        self.base_replicates.min(self.variant_replicates)
    }

    /// What a reader must know about the pairing, when the runs' replicate counts differ.
    pub fn note(&self) -> Option<String> {
        if self.base_replicates == self.variant_replicates {
            return None;
        }
        let common = self.common();
        let mut note = format!(
            "the runs have {} and {} replicates: paired on the {common} they share \
             (replicates 0-{})",
            self.base_replicates,
            self.variant_replicates,
            common.saturating_sub(1)
        );
        if !self.same_draws {
            note.push_str(
                "; their parameter draws differ (a Latin hypercube over a different count), so \
                 the pairs share random streams only",
            );
        }
        Some(note)
    }
}

/// Each target of `variant` against the same target of `base`, paired by replicate: with
/// the same seed and agent count, replicate r of both shares its random streams and
/// parameter draws (common random numbers), so the difference is measured far more
/// precisely than the two runs' spreads suggest. Runs of different replicate counts are
/// paired on the replicates both have ([`Pairs::note`] says so); targets missing from
/// either run, or without per-replicate values, are left out.
pub fn paired_targets(base: &BatchResult, variant: &BatchResult) -> Result<Pairs, Unpaired> {
    if variant.manifest.seed != base.manifest.seed {
        return Err(Unpaired::Seeds(base.manifest.seed, variant.manifest.seed));
    }
    let agents = |r: &BatchResult| r.scenario.population.agents;
    if agents(variant) != agents(base) {
        return Err(Unpaired::Agents(agents(base), agents(variant)));
    }
    let base_replicates = base.manifest.replicates as usize;
    let variant_replicates = variant.manifest.replicates as usize;
    let common = base_replicates.min(variant_replicates);
    let same_draws = match (&base.parameters, &variant.parameters) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.paths == b.paths
                && a.values
                    .iter()
                    .take(common)
                    .eq(b.values.iter().take(common))
        }
        _ => false,
    };
    let targets = variant
        .targets
        .iter()
        .filter_map(|t| {
            let b = base.targets.iter().find(|b| b.label == t.label)?;
            let n = t.values.len().min(b.values.len()).min(common);
            if n == 0 {
                return None;
            }
            let higher_is_better = t.indicator.meta().higher_is_better;
            Some(PairedTarget {
                label: t.label.clone(),
                difference: civitas_uncertainty::paired(
                    &b.values[..n],
                    &t.values[..n],
                    higher_is_better,
                    PAIRED_LEVEL,
                ),
            })
        })
        .collect();
    Ok(Pairs {
        targets,
        base_replicates,
        variant_replicates,
        same_draws,
    })
}

impl BatchResult {
    /// The summary of `indicator` in scope `scope`, if it was computed.
    pub fn series(&self, indicator: Indicator, scope: &ScopeKey) -> Option<&SeriesSummary> {
        self.series
            .iter()
            .find(|s| s.indicator == indicator && s.scope == *scope)
    }
}
