//! What a batch is (`plan.json`): its kind, scenario, replicates, sweep points and shard,
//! compared on `--resume` and `merge`; and the facts a finished shard records.

use std::path::Path;

use civitas_results::owned;

use serde::{Deserialize, Serialize};

use super::PLAN_FILE;
use crate::error::BatchError;
use crate::limits::MAX_RUNS;
use civitas_scenario::limits::MAX_REPLICATES;

/// Version of the work directory layout and run file format.
const WORK_FORMAT_VERSION: u32 = 2;

/// Which slice of the (point × replicate) runs a shard executes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This shard's index, from 0.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// Parses `i/N` (0-based: `0/4` … `3/4`, matching `SLURM_ARRAY_TASK_ID` and Kubernetes'
    /// `JOB_COMPLETION_INDEX`).
    pub fn parse(text: &str) -> Result<Shard, BatchError> {
        let err = || BatchError::Shard(text.to_string());
        let (i, n) = text.split_once('/').ok_or_else(err)?;
        let index: u32 = i.trim().parse().map_err(|_| err())?;
        let count: u32 = n.trim().parse().map_err(|_| err())?;
        if count == 0 || index >= count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }

    /// Whether run number `item` (point-major: `point × replicates + replicate`) belongs
    /// to this shard. Runs are dealt round-robin so every shard gets a share of every point.
    pub fn owns(&self, item: u64) -> bool {
        item % self.count as u64 == self.index as u64
    }
}

impl std::str::FromStr for Shard {
    type Err = BatchError;

    fn from_str(s: &str) -> Result<Shard, BatchError> {
        Shard::parse(s)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Whether a work directory holds a single run or a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum BatchKind {
    /// Replicates of one scenario.
    Run,
    /// Replicates of every point of a sweep.
    Sweep,
}

/// What a batch is; two work directories with equal plans (shard aside) hold runs of the
/// same batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Plan {
    pub format: u32,
    pub kind: BatchKind,
    /// Name of the output directory, e.g. `baseline` or `baseline-sweep`.
    pub output_name: String,
    /// `sha256:<hex>` of `scenario.toml`.
    pub scenario_hash: String,
    /// The model fingerprint of the engine that runs the batch
    /// ([`civitas_engine::MODEL_FINGERPRINT`]): runs of another model are never resumed or
    /// merged into this batch. Empty in plans written before the field existed.
    #[serde(default)]
    pub model: String,
    pub replicates: u32,
    /// Lever paths, in column order.
    pub levers: Vec<String>,
    /// Lever values of each point, as exact decimal text (`{:?}` of the `f64`).
    pub points: Vec<Vec<String>>,
    /// Whether sweep points also get a `timeseries.csv`.
    pub sweep_timeseries: bool,
    /// Whether sweep points get their `summary.csv` (every indicator, scope and tick);
    /// a sensitivity design needs only each point's target values. True in plans written
    /// before the field existed.
    #[serde(default = "summaries_by_default")]
    pub sweep_summaries: bool,
    pub shard: Option<Shard>,
}

fn summaries_by_default() -> bool {
    true
}

impl Plan {
    /// Number of points (1 for a plain run).
    pub fn point_count(&self) -> usize {
        self.points.len().max(1)
    }

    /// Every (point, replicate) of the batch, point-major.
    pub fn items(&self) -> impl Iterator<Item = (usize, u32)> + '_ {
        let r = self.replicates;
        (0..self.point_count()).flat_map(move |p| (0..r).map(move |rep| (p, rep)))
    }

    /// Point-major number of a run.
    pub fn item_number(&self, point: usize, replicate: u32) -> u64 {
        point as u64 * self.replicates as u64 + replicate as u64
    }

    /// Counts within what a batch may have, checked before a plan read from disk sizes
    /// anything (a tampered plan must not allocate billions of slots or index past them).
    fn check_bounds(&self) -> Result<(), String> {
        let runs = self.point_count() as u64 * u64::from(self.replicates);
        if self.replicates == 0 || self.replicates > MAX_REPLICATES || runs > MAX_RUNS {
            return Err(format!(
                "{} replicates of {} points: not a plan Civitas writes (at most {MAX_REPLICATES} \
                 replicates and {MAX_RUNS} runs)",
                self.replicates,
                self.point_count()
            ));
        }
        if self.points.iter().any(|p| p.len() != self.levers.len()) {
            return Err("a sweep point does not give one value per lever".into());
        }
        if let Some(Shard { index, count }) = self.shard
            && (count == 0 || index >= count || u64::from(count) > runs)
        {
            return Err(format!(
                "shard {index} of {count}: expected 0 <= index < count <= {runs} (the runs)"
            ));
        }
        Ok(())
    }

    /// The same plan without a shard, to compare shards of one batch.
    pub fn unsharded(&self) -> Plan {
        Plan {
            shard: None,
            ..self.clone()
        }
    }

    /// A new plan.
    pub fn new(
        kind: BatchKind,
        output_name: String,
        scenario_hash: String,
        replicates: u32,
    ) -> Plan {
        Plan {
            format: WORK_FORMAT_VERSION,
            kind,
            output_name,
            scenario_hash,
            model: civitas_engine::MODEL_FINGERPRINT.to_string(),
            replicates,
            levers: Vec::new(),
            points: Vec::new(),
            sweep_timeseries: false,
            sweep_summaries: true,
            shard: None,
        }
    }
}

/// Facts a finished shard records for the merged manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ShardFacts {
    pub threads: usize,
    /// Seconds from the start of the batch (or shard) until its runs were finished;
    /// assembling the output adds its own time to this in the manifest.
    pub wall_time_seconds: f64,
}

/// Reads the plan of the work or shard directory `dir`.
pub(super) fn read_plan(dir: &Path) -> Result<Plan, BatchError> {
    let path = dir.join(PLAN_FILE);
    let text = owned::read_text(&path, super::MAX_WORK_FILE_BYTES)?;
    let plan: Plan = serde_json::from_str(&text)
        .map_err(|e| BatchError::corrupt(&path, format!("not a Civitas plan: {e}")))?;
    if plan.format != WORK_FORMAT_VERSION {
        return Err(BatchError::corrupt(
            &path,
            format!(
                "written in work format {} by another Civitas version; this one reads {}",
                plan.format, WORK_FORMAT_VERSION
            ),
        ));
    }
    plan.check_bounds()
        .map_err(|message| BatchError::corrupt(&path, message))?;
    Ok(plan)
}

/// What differs between the plan `found` on disk and the one `wanted` now, in words.
pub(super) fn describe_difference(found: &Plan, wanted: &Plan) -> String {
    if found.model != wanted.model {
        format!(
            "its runs were simulated by another model ({}), this build is model {}",
            model_name(&found.model),
            wanted.model
        )
    } else if found.replicates != wanted.replicates {
        format!(
            "{} replicates there, {} now",
            found.replicates, wanted.replicates
        )
    } else if found.scenario_hash != wanted.scenario_hash {
        "the scenario changed".into()
    } else if found.levers != wanted.levers || found.points != wanted.points {
        "the sweep levers or points differ".into()
    } else if found.shard != wanted.shard {
        "the shard differs".into()
    } else {
        "the output options differ".into()
    }
}

/// A plan's or manifest's model fingerprint as said in a message: itself, or that the
/// file predates fingerprints.
pub(crate) fn model_name(model: &str) -> String {
    if model.is_empty() {
        "unknown: written before Civitas recorded model fingerprints".into()
    } else {
        format!("model {model}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_of_another_model_is_described_as_such() {
        let now = Plan::new(BatchKind::Run, "x".into(), "h".into(), 2);
        assert_eq!(now.model, civitas_engine::MODEL_FINGERPRINT);
        let mut older = now.clone();
        older.model = "src-0000000000000001".into();
        older.replicates = 4;
        let said = describe_difference(&older, &now);
        assert!(
            said.contains("another model (model src-0000000000000001)"),
            "{said}"
        );
        assert!(said.contains(civitas_engine::MODEL_FINGERPRINT), "{said}");
        // A plan written before plans recorded the model reads with an empty one.
        let mut json = serde_json::to_value(&now).unwrap();
        json.as_object_mut().unwrap().remove("model");
        let old: Plan = serde_json::from_value(json).unwrap();
        assert!(describe_difference(&old, &now).contains("written before"));
    }

    #[test]
    fn shards_split_runs_round_robin_without_overlap() {
        let shards: Vec<Shard> = (0..3)
            .map(|i| Shard::parse(&format!("{i}/3")).unwrap())
            .collect();
        for item in 0..20u64 {
            assert_eq!(shards.iter().filter(|s| s.owns(item)).count(), 1);
        }
        for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
