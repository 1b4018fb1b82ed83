//! Running a batch: the [`Batch`] builder, staging and committing its output, shards and
//! their merge.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use civitas_engine::{EngineOptions, Scope, replicate_seed, simulate};
use civitas_scenario::{Format, Scenario};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use civitas_results::owned;

use crate::Manifest;
use crate::error::{BatchError, MergeError};
use crate::finalize::finalize_point;
use crate::limits::{self, Bytes, MAX_RUNS, MAX_THREADS, MemoryEstimate};
use crate::output::{
    MANIFEST_JSON, ManifestFile, PARAMETERS_CSV, POINTS_DIR, SCENARIO_TOML, SWEEP_CSV,
    point_dir_name, write_sweep,
};
use crate::progress::{BatchProgress, ProgressRef};
use crate::result::{BatchResult, SweepPoint, SweepResult};
use crate::sweep::{Lever, Sweep, apply_levers};
use crate::uncertainty::ParameterDraws;
use crate::workdir::{
    BatchKind, Plan, RunReader, Shard, ShardFacts, WorkDir, WorkLock, model_name,
};

/// Suffix of the work directory of an unfinished batch: `<out>/<name>.incomplete/`.
pub const INCOMPLETE_SUFFIX: &str = ".incomplete";
/// Infix of a directory holding the previous output while the new one moves in.
const REPLACED_INFIX: &str = ".replaced-";

/// Replicates (and sweep points) of a scenario, run in parallel and written to
/// `<out>/<scenario-name>/` (`<out>/<scenario-name>-sweep/` for a sweep).
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let scenario = civitas_scenario::Scenario::load("scenarios/baseline.toml")?;
/// let result = civitas_batch::Batch::new(&scenario).replicates(10).out_dir("outputs").run()?;
/// println!("{} targets evaluated", result.targets.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Batch<'a> {
    scenario: &'a Scenario,
    replicates: Option<u32>,
    threads: Option<usize>,
    out_dir: PathBuf,
    sweep: Option<Sweep>,
    sweep_timeseries: bool,
    sweep_summaries: bool,
    resume: bool,
    progress: ProgressRef<'a>,
    max_memory: Option<Bytes>,
    overrides: Vec<String>,
    replace_different: bool,
    output_name: Option<String>,
}

impl<'a> Batch<'a> {
    /// A batch of `scenario` with its own replicate count, on all cores, into `outputs/`.
    pub fn new(scenario: &'a Scenario) -> Self {
        Batch {
            scenario,
            replicates: None,
            threads: None,
            out_dir: PathBuf::from("outputs"),
            sweep: None,
            sweep_timeseries: false,
            sweep_summaries: true,
            resume: false,
            progress: ProgressRef::default(),
            max_memory: None,
            overrides: Vec::new(),
            replace_different: false,
            output_name: None,
        }
    }

    /// Names the output folder (default: the scenario's name, with `-sweep` for a sweep),
    /// for a tool whose output holds a batch among its own files (`civitas optimize`) or a
    /// design run as a sweep: a name with a dot, such as `baseline.sensitivity`, is never a
    /// scenario's output (scenario names are letters, digits, `-` and `_`).
    pub fn output_name(mut self, name: impl Into<String>) -> Self {
        self.output_name = Some(name.into());
        self
    }

    /// Records what changed the scenario file's values for this batch (e.g. the
    /// command-line flags `--agents 2000`, `--seed 7`) in `manifest.json`.
    pub fn overrides(mut self, given: Vec<String>) -> Self {
        self.overrides = given;
        self
    }

    /// Allows the batch to replace a result of the same name that ran a different
    /// scenario, seed, agent count, scale or replicate count (refused by default, before
    /// any work).
    pub fn replace_different(mut self, on: bool) -> Self {
        self.replace_different = on;
        self
    }

    /// Memory the batch may use (default: 80 % of what the machine has available); a batch
    /// estimated to need more fails before it starts (see [`crate::limits`]).
    pub fn max_memory(mut self, limit: Bytes) -> Self {
        self.max_memory = Some(limit);
        self
    }

    /// Number of replicates (instead of `scenario.replicates`).
    pub fn replicates(mut self, n: u32) -> Self {
        self.replicates = Some(n);
        self
    }

    /// Worker threads (default: all cores; 1 to [`MAX_THREADS`]). Results do not depend on it.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n);
        self
    }

    /// Directory that receives the output directory.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = dir.into();
        self
    }

    /// Runs every point of `sweep` instead of the scenario alone.
    pub fn sweep(mut self, sweep: Sweep) -> Self {
        self.sweep = Some(sweep);
        self
    }

    /// Also write each sweep point's `timeseries.csv` (off by default: a sweep's series
    /// can be large).
    pub fn sweep_timeseries(mut self, on: bool) -> Self {
        self.sweep_timeseries = on;
        self
    }

    /// Whether each sweep point gets its `summary.csv` (on by default). A design that
    /// needs only each point's target values (a sensitivity analysis) turns it off: the
    /// summary of every indicator, scope and tick is most of a point's bytes.
    pub fn sweep_summaries(mut self, on: bool) -> Self {
        self.sweep_summaries = on;
        self
    }

    /// Continue an interrupted batch from the runs it finished.
    pub fn resume(mut self, on: bool) -> Self {
        self.resume = on;
        self
    }

    /// Reports progress to `progress` (default: nothing is reported). The batch itself
    /// never prints.
    pub fn progress(mut self, progress: &'a dyn BatchProgress) -> Self {
        self.progress = ProgressRef(progress);
        self
    }

    /// Runs the batch and commits its output; returns the result.
    pub fn run(self) -> Result<BatchResult, BatchError> {
        self.stage()?.commit()
    }

    /// Runs the batch and writes its output into a staging directory, to which more files
    /// (plots, report) can be added before [`StagedOutput::commit`] moves it into place.
    pub fn stage(self) -> Result<StagedOutput, BatchError> {
        let started = Instant::now();
        let prepared = self.prepare(None)?;
        let final_dir = self.out_dir.join(&prepared.plan.output_name);
        // Before any work: a destination that cannot take the result fails now, not after
        // hours of simulation.
        let replacing = Replacing::new(&prepared, self.replace_different);
        check_destination(&final_dir, &replacing)?;
        let work_path = sibling(&final_dir, INCOMPLETE_SUFFIX);
        let lock = WorkLock::acquire(&work_path, &final_dir)?;
        remove_stale_siblings(&final_dir)?;
        let work = WorkDir::open(
            work_path,
            &prepared.plan,
            &prepared.scenario_toml,
            self.resume,
            self.progress.0,
        )?;
        let threads = execute(&prepared, &work, self.threads, self.progress.0)?;
        let finished = work.finished()?;
        let facts = ShardFacts {
            threads,
            wall_time_seconds: started.elapsed().as_secs_f64(),
        };
        let staged = work.staged()?;
        let result = assemble(
            &prepared,
            &finished,
            &staged,
            &facts,
            None,
            Some(&self.overrides),
        )
        .inspect_err(|_| work.discard_staged_quietly())?;
        Ok(StagedOutput {
            result,
            staged,
            final_dir,
            replacing,
            work,
            _lock: lock,
        })
    }

    /// Runs only shard `shard` of the batch's (point × replicate) runs into
    /// `<out>/<name>.shard-<i>-of-<n>/`, which [`merge`] combines with the other shards.
    /// Returns the shard directory.
    pub fn run_shard(self, shard: Shard) -> Result<PathBuf, BatchError> {
        let prepared = self.prepare(Some(shard))?;
        let dir = self.out_dir.join(format!(
            "{}.shard-{}-of-{}",
            prepared.plan.output_name, shard.index, shard.count
        ));
        let _lock = WorkLock::acquire(&dir, &dir)?;
        let work = WorkDir::open(
            dir,
            &prepared.plan,
            &prepared.scenario_toml,
            self.resume,
            self.progress.0,
        )?;
        let started = Instant::now();
        let threads = execute(&prepared, &work, self.threads, self.progress.0)?;
        work.write_shard_facts(&ShardFacts {
            threads,
            wall_time_seconds: started.elapsed().as_secs_f64(),
        })?;
        Ok(work.path)
    }

    fn prepare(&self, shard: Option<Shard>) -> Result<Prepared, BatchError> {
        let mut scenario = self.scenario.clone();
        if let Some(n) = self.replicates {
            scenario.scenario.replicates = n;
        }
        scenario.check()?;
        let scenario_toml = toml::to_string(&scenario)
            .map_err(|e| BatchError::corrupt(SCENARIO_TOML, format!("cannot write: {e}")))?;
        let name = &scenario.scenario.name;
        let (kind, default_name) = match self.sweep {
            Some(_) => (BatchKind::Sweep, format!("{name}-sweep")),
            None => (BatchKind::Run, name.clone()),
        };
        let output_name = self.output_name.clone().unwrap_or(default_name);
        let mut plan = Plan::new(
            kind,
            output_name,
            scenario_hash(&scenario_toml),
            scenario.scenario.replicates,
        );
        if let Some(sweep) = &self.sweep {
            plan.levers = sweep
                .levers()
                .iter()
                .map(|l| l.path().to_string())
                .collect();
            plan.points = sweep
                .points(scenario.scenario.seed)?
                .iter()
                .map(|p| p.iter().map(|v| format!("{v:?}")).collect())
                .collect();
            plan.sweep_timeseries = self.sweep_timeseries;
            plan.sweep_summaries = self.sweep_summaries;
        }
        plan.shard = shard;
        let prepared = Prepared::from_plan(scenario_toml, plan)?;
        let runs = prepared.plan.point_count() as u64 * u64::from(prepared.plan.replicates);
        if runs > MAX_RUNS {
            return Err(BatchError::TooBig(format!(
                "{} point{} × {} replicates make {runs} runs, more than the {MAX_RUNS} a batch may have; \
                 use fewer replicates or sweep points",
                prepared.plan.point_count(),
                if prepared.plan.point_count() == 1 {
                    ""
                } else {
                    "s"
                },
                prepared.plan.replicates
            )));
        }
        let (limit, source) = limits::memory_limit(self.max_memory);
        MemoryEstimate::of(
            &prepared.point_scenarios,
            prepared.plan.replicates,
            runs,
            resolve_threads(self.threads)?,
        )
        .check(limit, source)?;
        Ok(prepared)
    }
}

/// The worker thread count: as asked (1 to [`MAX_THREADS`]), or one per core.
fn resolve_threads(threads: Option<usize>) -> Result<usize, BatchError> {
    match threads {
        Some(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Some(n) => Err(BatchError::TooBig(format!(
            "{n} worker threads asked for; expected 1 to {MAX_THREADS}"
        ))),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Name of the manifest field that says whether an output holds a run or a sweep.
fn kind_name(kind: BatchKind) -> &'static str {
    match kind {
        BatchKind::Run => "run",
        BatchKind::Sweep => "sweep",
    }
}

/// Whether `final_dir` may receive a result of `kind`: absent, an empty directory, or a
/// Civitas result of the same kind (which the new one replaces). Anything else — a file,
/// a directory of other things, a sweep where a run would go (a scenario named
/// `baseline-sweep`) — is never replaced. A result of the same kind that ran a different
/// scenario, seed, agent count, scale or replicate count is replaced only with
/// `replace_different` (`--force`).
fn check_destination(final_dir: &Path, replacing: &Replacing) -> Result<(), BatchError> {
    let kind = replacing.kind;
    let refuse = |message: String| BatchError::Destination {
        path: final_dir.to_path_buf(),
        message,
    };
    let meta = match fs::symlink_metadata(final_dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(BatchError::io(final_dir)(e)),
    };
    if !meta.is_dir() {
        return Err(refuse(
            "exists and is not a directory; Civitas replaces only its own results \
             (move it away, or choose another --out)"
                .into(),
        ));
    }
    let empty = fs::read_dir(final_dir)
        .map_err(BatchError::io(final_dir))?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    let Some(found) = result_manifest(final_dir) else {
        return Err(refuse(
            "is a directory that does not hold a Civitas result (no readable manifest.json); \
             Civitas replaces only its own results (move it away, or choose another --out)"
                .into(),
        ));
    };
    let found_kind = found.get("kind").and_then(|k| k.as_str()).unwrap_or("run");
    if found_kind != kind_name(kind) {
        return Err(refuse(format!(
            "holds the result of a {found_kind}, which this {} would replace; rename the \
             scenario or choose another --out",
            kind_name(kind)
        )));
    }
    let differences = replacing
        .identity
        .differences(&ResultIdentity::read(&found));
    if differences.is_empty() || replacing.replace_different {
        return Ok(());
    }
    Err(refuse(format!(
        "holds a result with a different {}, which this {} would replace; rerun with --force \
         to replace it, or choose another --out",
        differences.join(", "),
        kind_name(kind)
    )))
}

/// What makes two results of the same name the same experiment: a result is replaced
/// without `--force` only by one that agrees on all of these (a rerun, a resumed or
/// merged batch of the same size), never by a smaller test run of the same scenario.
#[derive(Debug, Clone, PartialEq)]
struct ResultIdentity {
    scenario: Option<String>,
    seed: Option<u64>,
    agents: Option<u64>,
    scale: Option<f64>,
    replicates: Option<u64>,
}

impl ResultIdentity {
    /// The identity recorded in a `manifest.json`; a field an older manifest lacks (or
    /// records as 0) is unknown and never counts as a difference.
    fn read(manifest: &serde_json::Value) -> ResultIdentity {
        let count = |key: &str| manifest.get(key).and_then(|v| v.as_u64());
        ResultIdentity {
            scenario: manifest
                .get("scenario")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            seed: count("seed"),
            agents: count("agents").filter(|&n| n > 0),
            scale: manifest
                .get("scale")
                .and_then(|v| v.as_f64())
                .filter(|&x| x > 0.0),
            replicates: count("replicates"),
        }
    }

    /// `what (there → here)` for each field both know and that differs.
    fn differences(&self, there: &ResultIdentity) -> Vec<String> {
        fn differ<T: PartialEq + std::fmt::Display>(
            name: &str,
            here: &Option<T>,
            there: &Option<T>,
        ) -> Option<String> {
            match (here, there) {
                (Some(h), Some(t)) if h != t => Some(format!("{name} ({t}; this one: {h})")),
                _ => None,
            }
        }
        [
            differ("scenario", &self.scenario, &there.scenario),
            differ("seed", &self.seed, &there.seed),
            differ("agent count", &self.agents, &there.agents),
            differ("scale", &self.scale, &there.scale),
            differ("replicate count", &self.replicates, &there.replicates),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// What a batch about to write `<out>/<name>` may replace there.
#[derive(Debug, Clone)]
struct Replacing {
    kind: BatchKind,
    identity: ResultIdentity,
    replace_different: bool,
}

impl Replacing {
    fn new(prepared: &Prepared, replace_different: bool) -> Replacing {
        let base = &prepared.base;
        Replacing {
            kind: prepared.plan.kind,
            identity: ResultIdentity {
                scenario: Some(base.scenario.name.clone()),
                seed: Some(base.scenario.seed),
                agents: Some(base.population.agents),
                scale: Some(base.population.scale),
                replicates: Some(u64::from(prepared.plan.replicates)),
            },
            replace_different,
        }
    }
}

/// Largest `manifest.json` Civitas writes: the facts of the batch and one seed per
/// replicate (at most a million replicates of about 25 bytes each).
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// The `manifest.json` of the Civitas result in `dir` (a regular file, not a link, with a
/// scenario hash: the marker of a result); `None` when `dir` holds no such manifest.
fn result_manifest(dir: &Path) -> Option<serde_json::Value> {
    let text = owned::read_text(&dir.join(MANIFEST_JSON), MAX_MANIFEST_BYTES).ok()?;
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .filter(|v| v.get("scenario_hash").is_some())
}

/// The output of a batch in its staging directory, not yet visible under its final name.
/// Dropping it without [`commit`](StagedOutput::commit) leaves the work directory for
/// `--resume`.
#[derive(Debug)]
pub struct StagedOutput {
    result: BatchResult,
    staged: PathBuf,
    final_dir: PathBuf,
    replacing: Replacing,
    work: WorkDir,
    /// Held until the output is committed (or the staging abandoned).
    _lock: WorkLock,
}

impl StagedOutput {
    /// The result, for writing a report next to the CSV files.
    pub fn result(&self) -> &BatchResult {
        &self.result
    }

    /// The staging directory: add files here before committing.
    pub fn path(&self) -> &Path {
        &self.staged
    }

    /// Where [`commit`](StagedOutput::commit) puts the output.
    pub fn final_dir(&self) -> &Path {
        &self.final_dir
    }

    /// Moves the staged output to its final directory (replacing a previous result of the
    /// same kind and name) and removes the work directory. When the output cannot be moved
    /// into place, the previous result stays as it was and the work directory is removed:
    /// nothing complete-looking is left behind, and nothing blocks the next run.
    pub fn commit(self) -> Result<BatchResult, BatchError> {
        match self.move_into_place() {
            Ok(()) => {
                self.work.remove()?;
                Ok(self.result)
            }
            Err(e) => {
                let _ = fs::remove_dir_all(&self.work.path);
                Err(e)
            }
        }
    }

    /// Removes the staged output without committing (a report that could not be written,
    /// for instance), keeping the finished runs in the work directory so that `--resume`
    /// assembles and draws them again without running them. Returns that directory.
    pub fn abandon(self) -> PathBuf {
        let _ = self.work.discard_staged();
        self.work.path.clone()
    }

    fn move_into_place(&self) -> Result<(), BatchError> {
        let final_dir = &self.final_dir;
        // Again, in case something appeared there while the batch ran.
        check_destination(final_dir, &self.replacing)?;
        if !final_dir.exists() {
            return fs::rename(&self.staged, final_dir).map_err(BatchError::io(final_dir));
        }
        let replaced = sibling(
            final_dir,
            &format!("{REPLACED_INFIX}{}", std::process::id()),
        );
        fs::rename(final_dir, &replaced).map_err(BatchError::io(final_dir))?;
        if let Err(e) = fs::rename(&self.staged, final_dir) {
            // Put the previous result back.
            let _ = fs::rename(&replaced, final_dir);
            return Err(BatchError::io(final_dir)(e));
        }
        // The new result is in place; a previous one that cannot be removed now is removed
        // by the next batch of this name (see `remove_stale_siblings`).
        let _ = fs::remove_dir_all(&replaced);
        Ok(())
    }
}

/// Merges shard directories written by [`Batch::run_shard`] (all shards of one batch) into
/// one output under `out_dir`, identical in its CSV files to the batch run in one piece.
pub fn merge(
    shard_dirs: &[PathBuf],
    out_dir: &Path,
    progress: &dyn BatchProgress,
) -> Result<StagedOutput, BatchError> {
    merge_replacing(shard_dirs, out_dir, progress, false)
}

/// [`merge`], which with `replace_different` may also replace a result of the same name
/// that ran a different scenario, seed, size or replicate count (see
/// [`Batch::replace_different`]).
pub fn merge_replacing(
    shard_dirs: &[PathBuf],
    out_dir: &Path,
    progress: &dyn BatchProgress,
    replace_different: bool,
) -> Result<StagedOutput, BatchError> {
    let shards = shard_dirs
        .iter()
        .map(|d| WorkDir::existing(d.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(first) = shards.first() else {
        return Err(MergeError::NoShards.into());
    };
    let plan = first.plan.unsharded();
    let Some(Shard { count, .. }) = first.plan.shard else {
        return Err(MergeError::NotAShard(first.path.clone()).into());
    };
    let mut seen = vec![false; count as usize];
    for s in &shards {
        // Runs of two models are never one result, whatever `--force` says.
        if s.plan.model != plan.model {
            return Err(MergeError::OtherModel {
                shard: s.path.clone(),
                shard_model: model_name(&s.plan.model),
                first: first.path.clone(),
                first_model: model_name(&plan.model),
            }
            .into());
        }
        match s.plan.shard {
            Some(shard)
                if s.plan.unsharded() == plan && shard.count == count && shard.index < count =>
            {
                if std::mem::replace(&mut seen[shard.index as usize], true) {
                    let index = shard.index;
                    return Err(MergeError::ShardTwice { index, count }.into());
                }
            }
            _ => {
                return Err(MergeError::OtherBatch {
                    shard: s.path.clone(),
                    first: first.path.clone(),
                }
                .into());
            }
        }
    }
    let missing: Vec<u32> = (0..count).filter(|&i| !seen[i as usize]).collect();
    if !missing.is_empty() {
        return Err(MergeError::MissingShards { missing, count }.into());
    }
    let prepared = Prepared::from_plan(first.scenario_toml()?, plan)?;
    let mut finished = BTreeMap::new();
    for s in &shards {
        finished.extend(s.finished()?);
    }
    // Every run file must be exactly as its shard wrote it: a damaged one is refused by
    // name, before any output is made.
    for (&(point, _), path) in &finished {
        let scenario = &prepared.point_scenarios[point];
        let ticks = scenario.scenario.tick_dates().len();
        RunReader::open_verified(path, ticks, Scope::all(scenario).len()).map_err(|e| {
            MergeError::DamagedRun {
                source: Box::new(e),
            }
        })?;
    }
    if let Some((point, replicate)) = prepared.plan.items().find(|k| !finished.contains_key(k)) {
        let shard = (prepared.plan.item_number(point, replicate) % count as u64) as u32;
        return Err(MergeError::UnfinishedShard {
            point,
            replicate,
            shard,
            count,
        }
        .into());
    }
    let facts = ShardFacts {
        threads: shards
            .iter()
            .filter_map(|s| s.shard_facts())
            .map(|f| f.threads)
            .sum(),
        wall_time_seconds: shards
            .iter()
            .filter_map(|s| s.shard_facts())
            .map(|f| f.wall_time_seconds)
            .fold(0.0, f64::max),
    };
    fs::create_dir_all(out_dir).map_err(BatchError::io(out_dir))?;
    let final_dir = out_dir.join(&prepared.plan.output_name);
    let replacing = Replacing::new(&prepared, replace_different);
    check_destination(&final_dir, &replacing)?;
    let work_path = sibling(&final_dir, INCOMPLETE_SUFFIX);
    let lock = WorkLock::acquire(&work_path, &final_dir)?;
    remove_stale_siblings(&final_dir)?;
    let work = WorkDir::open(
        work_path,
        &prepared.plan,
        &prepared.scenario_toml,
        false,
        progress,
    )?;
    let staged = work.staged()?;
    // The shards do not record the flags that made them: the manifest says so (`None`).
    let result = assemble(&prepared, &finished, &staged, &facts, Some(count), None)
        .inspect_err(|_| work.discard_staged_quietly())?;
    Ok(StagedOutput {
        result,
        staged,
        final_dir,
        replacing,
        work,
        _lock: lock,
    })
}

/// A batch with every point's scenario resolved.
struct Prepared {
    plan: Plan,
    scenario_toml: String,
    base: Scenario,
    point_values: Vec<Vec<f64>>,
    point_scenarios: Vec<Scenario>,
    /// Each replicate's draws from the `[[uncertainty]]` priors, if any.
    draws: Option<ParameterDraws>,
}

impl Prepared {
    /// Rebuilds the points of `plan` from the resolved scenario text. Fresh batches go
    /// through here too, so a merged or resumed batch runs exactly the same scenarios.
    fn from_plan(scenario_toml: String, plan: Plan) -> Result<Prepared, BatchError> {
        if scenario_hash(&scenario_toml) != plan.scenario_hash {
            return Err(BatchError::corrupt(
                SCENARIO_TOML,
                "does not match the hash recorded in plan.json",
            ));
        }
        let base = Scenario::from_str_as(&scenario_toml, Format::Toml, SCENARIO_TOML)?;
        let levers = plan
            .levers
            .iter()
            .map(|p| Lever::for_path(p))
            .collect::<Result<Vec<_>, _>>()?;
        let point_values = plan
            .points
            .iter()
            .map(|p| {
                p.iter()
                    .map(|v| {
                        v.parse::<f64>().map_err(|_| {
                            BatchError::corrupt(
                                crate::workdir::PLAN_FILE,
                                format!("lever value {v:?} is not a number"),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let draws = ParameterDraws::of(&base)?;
        let point_scenarios = match plan.kind {
            BatchKind::Run => vec![base.clone()],
            BatchKind::Sweep => point_values
                .iter()
                .map(|v| apply_levers(&base, &levers, v))
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(Prepared {
            plan,
            scenario_toml,
            base,
            point_values,
            point_scenarios,
            draws,
        })
    }
}

/// `sha256:<hex>` of the resolved scenario text.
fn scenario_hash(scenario_toml: &str) -> String {
    let digest = Sha256::digest(scenario_toml.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// `<parent>/<name><suffix>` for an output directory `<parent>/<name>`.
fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!("{name}{suffix}"))
}

/// Removes previous outputs left half-replaced by an interrupted commit.
fn remove_stale_siblings(final_dir: &Path) -> Result<(), BatchError> {
    let Some(parent) = final_dir.parent() else {
        return Ok(());
    };
    fs::create_dir_all(parent).map_err(BatchError::io(parent))?;
    let prefix = format!(
        "{}{REPLACED_INFIX}",
        final_dir.file_name().unwrap_or_default().to_string_lossy()
    );
    for entry in fs::read_dir(parent).map_err(BatchError::io(parent))? {
        let entry = entry.map_err(BatchError::io(parent))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Only `<name>.replaced-<pid>` folders (not links) that hold a Civitas result: those
        // are previous results Civitas moved aside. `<name>.replaced-backup` is somebody's.
        let moved_aside = name
            .strip_prefix(&prefix)
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if moved_aside && is_dir && result_manifest(&entry.path()).is_some() {
            fs::remove_dir_all(entry.path()).map_err(BatchError::io(entry.path()))?;
        }
    }
    Ok(())
}

/// Runs the unfinished runs of `work` (those of its shard) on a local thread pool; returns
/// the number of threads used.
fn execute(
    prepared: &Prepared,
    work: &WorkDir,
    threads: Option<usize>,
    progress: &dyn BatchProgress,
) -> Result<usize, BatchError> {
    let plan = &prepared.plan;
    let mut finished = work.finished()?;
    // A finished run whose file was damaged since (a flipped byte, a truncated copy) runs
    // again rather than slip into the result.
    let mut checked: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    finished.retain(|&(point, _), path| {
        let &mut (ticks, scopes) = checked.entry(point).or_insert_with(|| {
            let s = &prepared.point_scenarios[point];
            (s.scenario.tick_dates().len(), Scope::all(s).len())
        });
        match RunReader::open_verified(path, ticks, scopes) {
            Ok(_) => true,
            Err(e) => {
                progress.note(&format!("{e}; running it again"));
                let _ = work.discard_run(path);
                false
            }
        }
    });
    let mine: Vec<(usize, u32)> = plan
        .items()
        .filter(|&(p, r)| plan.shard.is_none_or(|s| s.owns(plan.item_number(p, r))))
        .collect();
    let todo: Vec<(usize, u32)> = mine
        .iter()
        .copied()
        .filter(|k| !finished.contains_key(k))
        .collect();
    let threads = resolve_threads(threads)?;
    // A local pool: the engine's inner parallel loops run on it too, so replicates and
    // resident systems share exactly `threads` cores.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| BatchError::ThreadPool { threads, source })?;
    progress.started(mine.len() as u64, (mine.len() - todo.len()) as u64);
    pool.install(|| {
        todo.par_iter().try_for_each(|&(point, replicate)| {
            let drawn;
            let scenario = match &prepared.draws {
                Some(draws) => {
                    drawn = draws.apply(&prepared.point_scenarios[point], replicate)?;
                    &drawn
                }
                None => &prepared.point_scenarios[point],
            };
            let options = EngineOptions {
                agent_sample: scenario.outputs.agent_sample as usize,
            };
            let run = simulate(scenario, replicate, &options);
            let agents_digest = if options.agent_sample > 0 {
                Some(work.write_agents(point, scenario, &run)?)
            } else {
                None
            };
            work.write_run(point, &run, agents_digest)?;
            progress.run_finished();
            Ok::<(), BatchError>(())
        })
    })?;
    progress.finished();
    Ok(threads)
}

/// Writes the output files of a complete set of runs into `staged`.
fn assemble(
    prepared: &Prepared,
    finished: &BTreeMap<(usize, u32), PathBuf>,
    staged: &Path,
    facts: &ShardFacts,
    shards: Option<u32>,
    overrides: Option<&[String]>,
) -> Result<BatchResult, BatchError> {
    // The manifest's wall time covers writing the outputs, not only the simulations.
    let assembling = Instant::now();
    let plan = &prepared.plan;
    let runs_of = |point: usize| -> Result<Vec<PathBuf>, BatchError> {
        (0..plan.replicates)
            .map(|r| {
                finished.get(&(point, r)).cloned().ok_or(BatchError::Merge(
                    MergeError::MissingRun {
                        point,
                        replicate: r,
                    },
                ))
            })
            .collect()
    };
    let base = &prepared.base;
    let write_toml = |dir: &Path, text: &str| {
        let path = dir.join(SCENARIO_TOML);
        fs::write(&path, text).map_err(BatchError::io(&path))
    };
    write_toml(staged, &prepared.scenario_toml)?;
    if let Some(draws) = &prepared.draws {
        draws.write(&staged.join(PARAMETERS_CSV), base.outputs.format)?;
    }
    let (series, targets, sweep) = match plan.kind {
        BatchKind::Run => {
            let outcome = finalize_point(base, &runs_of(0)?, staged, true, true)?;
            (outcome.series, outcome.targets, None)
        }
        BatchKind::Sweep => {
            let mut points = Vec::with_capacity(prepared.point_scenarios.len());
            for (index, scenario) in prepared.point_scenarios.iter().enumerate() {
                let dir = staged.join(POINTS_DIR).join(point_dir_name(index));
                fs::create_dir_all(&dir).map_err(BatchError::io(&dir))?;
                let text = toml::to_string(scenario).map_err(|e| {
                    BatchError::corrupt(&dir, format!("cannot write scenario: {e}"))
                })?;
                write_toml(&dir, &text)?;
                let outcome = finalize_point(
                    scenario,
                    &runs_of(index)?,
                    &dir,
                    plan.sweep_timeseries,
                    plan.sweep_summaries,
                )?;
                points.push(SweepPoint {
                    index,
                    lever_values: prepared.point_values[index].clone(),
                    targets: outcome.targets,
                });
            }
            write_sweep(
                &staged.join(SWEEP_CSV),
                &plan.levers,
                &points,
                base.outputs.format,
            )?;
            let sweep = SweepResult {
                levers: plan.levers.clone(),
                points,
            };
            (Vec::new(), Vec::new(), Some(sweep))
        }
    };
    let seed = base.scenario.seed;
    let manifest = ManifestFile {
        run: Manifest {
            civitas_version: env!("CARGO_PKG_VERSION").to_string(),
            model_fingerprint: plan.model.clone(),
            scenario: base.scenario.name.clone(),
            scenario_hash: plan.scenario_hash.clone(),
            seed,
            replicates: plan.replicates,
            agents: base.population.agents,
            scale: base.population.scale,
            overrides: overrides.map(<[String]>::to_vec),
            threads: facts.threads,
            wall_time_seconds: facts.wall_time_seconds + assembling.elapsed().as_secs_f64(),
            run_seeds: (0..plan.replicates)
                .map(|r| replicate_seed(seed, r))
                .collect(),
        },
        kind: match plan.kind {
            BatchKind::Run => "run".into(),
            BatchKind::Sweep => "sweep".into(),
        },
        levers: plan.levers.clone(),
        points: sweep.as_ref().map(|s| s.points.len()),
        shards,
    };
    manifest.write(&staged.join(MANIFEST_JSON))?;
    Ok(BatchResult {
        scenario: base.clone(),
        dates: base.scenario.tick_dates(),
        series,
        targets,
        manifest: manifest.run.clone(),
        sweep,
        parameters: prepared.draws.as_ref().map(|d| crate::result::Parameters {
            paths: d.paths.clone(),
            values: d.values.clone(),
        }),
    })
}
