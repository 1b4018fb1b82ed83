//! `civitas optimize`: the split of a budget that best meets the targets, robust to the
//! scenario's `[[uncertainty]]` priors.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use civitas_batch::optimize::{Objective, Optimize, OptimizeSettings, TotalSpec};
//! let scenario = civitas_scenario::Scenario::load("scenarios/all-area-2030.toml")?;
//! let settings = OptimizeSettings {
//!     variables: vec![
//!         "policies[name=data-platform].amount_per_year=0..6e8".into(),
//!         "policies[name=senior-devices].amount_per_year=0..3e8".into(),
//!     ],
//!     total: TotalSpec::FileTotal,
//!     ..OptimizeSettings::default()
//! };
//! let optimized = Optimize::new(&scenario, settings).out_dir("outputs").stage()?;
//! println!("best: {:?}", optimized.summary.best().values);
//! optimized.staged.commit()?;
//! # Ok(()) }
//! ```
//!
//! How a search goes: the file's split is evaluated first; then each CMA-ES generation
//! ([`cmaes`]) asks for candidates in the unit cube of the variables' bounds, each decoded
//! to an allocation inside the bounds and on the budget constraint ([`variables`]), run on
//! block 0 of the search's replicates (`evaluate.rs`: common random numbers) and ranked by
//! the objective there. The generation's best then challenges the incumbent on every block
//! the incumbent has run (topped up to the same replicates, pair by pair); an incumbent
//! that holds gets one more block, up to `max_blocks` (more replicates for the leader).
//! At the end the incumbent and the next best few are run again on fresh replicates (a
//! seed no block used) beside the file's split, as an explicit sweep through [`Batch`]
//! (staged, resumable), and the best of them there is the answer, with paired differences
//! against the file's split.
//!
//! Every evaluation is stored as it finishes under `<out>/<name>-optimize.search/`; a
//! search is a pure function of the seed and the evaluations, so `--resume` replays it,
//! reading what it finished, and gives byte-identical files.

pub mod cmaes;
pub(crate) mod evaluate;
mod output;
pub mod variables;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use civitas_results::optimize::{
    Candidate, DecisionVariable, OptimizeSummary, Probability, Verified,
};
use civitas_results::{BatchResult, meets_bounds, owned};
use civitas_scenario::{Scenario, Target};
use sha2::{Digest, Sha256};

use crate::error::BatchError;
use crate::progress::{BatchProgress, Silent};
use crate::sweep::Sweep;
use crate::targets::{TargetProbe, WILSON_Z_90};
use crate::workdir::WorkLock;
use crate::{Batch, StagedOutput};

/// What a search found (the types the report draws), from `civitas-results`.
pub use civitas_results::optimize as summary;
pub use evaluate::block_seed;
use evaluate::{BlockValues, Evaluator, Store, is_search_file};
use variables::{Constraint, Variable, VariableKind};

/// The search folder's description, its marker.
pub(crate) const SEARCH_JSON: &str = "search.json";
/// The lock file the search holds (the work folders' [`WorkLock`]).
pub(crate) const SEARCH_LOCK: &str = "lock";
/// Suffix of the search folder beside the output.
pub const SEARCH_SUFFIX: &str = ".search";
/// The block whose seed the fresh re-evaluation uses (no search reaches it).
pub const VERIFY_BLOCK: u32 = 1_000;
/// Weight of a candidate's squared distance outside the feasible set in its CMA-ES value.
const PENALTY_WEIGHT: f64 = 1.0;
/// Weight of the smooth part of the probability objective, which breaks ties (and guides
/// the search where no replicate meets every target yet): the mean over replicates of
/// the least-attained chosen target.
const TIE_WEIGHT: f64 = 0.01;
/// Weight of a probability shortfall in the min-money objective, against the least
/// attainment of the chosen targets (in [0, 1]).
const SHORTFALL_WEIGHT: f64 = 10.0;
/// Initial CMA-ES step, as a share of each variable's range.
const INITIAL_STEP: f64 = 0.3;

/// What the search maximises.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    /// P(every chosen target met).
    Probability,
    /// Mean attainment of the chosen targets (1 when met, less the further off).
    Attainment,
    /// Least money (sum of the money variables) with P(every chosen target met) at least
    /// this.
    MinMoney {
        /// The probability to reach.
        min_probability: f64,
    },
}

impl Objective {
    fn describe(&self) -> String {
        match self {
            Objective::Probability => "maximise P(every chosen target met)".into(),
            Objective::Attainment => "maximise the mean attainment of the chosen targets".into(),
            Objective::MinMoney { min_probability } => {
                format!("minimise the money with P(every chosen target met) ≥ {min_probability}")
            }
        }
    }
}

/// `--total`: what the money variables must sum to.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum TotalSpec {
    /// No total: each variable within its bounds.
    #[default]
    Free,
    /// The file's own sum of the variables (equal total).
    FileTotal,
    /// This sum.
    Amount(f64),
}

/// Everything a search is asked.
#[derive(Debug, Clone, PartialEq)]
pub struct OptimizeSettings {
    /// `--var PATH=LO..HI` texts.
    pub variables: Vec<String>,
    /// The budget constraint.
    pub total: TotalSpec,
    /// What to maximise.
    pub objective: Objective,
    /// Target labels; `None`: every target of the last target year.
    pub targets: Option<Vec<String>>,
    /// Replicates per block.
    pub replicates: u32,
    /// CMA-ES generations.
    pub generations: u32,
    /// Most blocks the incumbent runs.
    pub max_blocks: u32,
    /// Candidates re-evaluated on fresh replicates.
    pub finalists: usize,
    /// Fresh replicates.
    pub verify_replicates: u32,
}

impl Default for OptimizeSettings {
    fn default() -> Self {
        OptimizeSettings {
            variables: Vec::new(),
            total: TotalSpec::Free,
            objective: Objective::Probability,
            targets: None,
            replicates: 20,
            generations: 12,
            max_blocks: 3,
            finalists: 3,
            verify_replicates: 40,
        }
    }
}

/// An optimisation: the scenario (with any command-line overrides applied), the
/// settings, and where to write.
pub struct Optimize<'a> {
    scenario: &'a Scenario,
    settings: OptimizeSettings,
    out_dir: PathBuf,
    threads: Option<usize>,
    resume: bool,
    force: bool,
    progress: &'a dyn BatchProgress,
    log: &'a (dyn Fn(&str) + Sync),
    source: Option<PathBuf>,
}

/// The output of an optimisation, staged: add the report to `staged.path()`, then commit.
#[derive(Debug)]
pub struct Optimized {
    /// The staged verification sweep with `optimize.csv`, `verify.csv` and `best.toml`.
    pub staged: StagedOutput,
    /// What the search found.
    pub summary: OptimizeSummary,
    /// The search folder (removed by [`Optimized::commit`]).
    search_dir: PathBuf,
    /// Held until the search folder is removed: two searches of one name into one `--out`
    /// cannot interleave.
    _lock: WorkLock,
}

impl Optimized {
    /// Moves the output into place and removes the search folder.
    pub fn commit(self) -> Result<BatchResult, BatchError> {
        let result = self.staged.commit()?;
        clear_search_dir(&self.search_dir, true)?;
        Ok(result)
    }
}

fn silent_log(_: &str) {}

impl<'a> Optimize<'a> {
    /// An optimisation of `scenario` with `settings`, into `outputs/`, on all cores.
    pub fn new(scenario: &'a Scenario, settings: OptimizeSettings) -> Self {
        Optimize {
            scenario,
            settings,
            out_dir: PathBuf::from("outputs"),
            threads: None,
            resume: false,
            force: false,
            progress: &Silent,
            log: &silent_log,
            source: None,
        }
    }

    /// The scenario file the scenario was loaded from, which `best.toml` extends (by a
    /// path relative to the output folder). Without it, `best.toml` extends the output's
    /// resolved `scenario.toml`.
    pub fn source(mut self, path: impl Into<PathBuf>) -> Self {
        self.source = Some(path.into());
        self
    }

    /// Where `<name>-optimize/` goes.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = dir.into();
        self
    }

    /// Worker threads (default: one per core).
    pub fn threads(mut self, n: Option<usize>) -> Self {
        self.threads = n;
        self
    }

    /// Continue an interrupted search from its stored evaluations.
    pub fn resume(mut self, on: bool) -> Self {
        self.resume = on;
        self
    }

    /// Replace an output of a different experiment.
    pub fn force(mut self, on: bool) -> Self {
        self.force = on;
        self
    }

    /// Progress of the verification batch.
    pub fn progress(mut self, progress: &'a dyn BatchProgress) -> Self {
        self.progress = progress;
        self
    }

    /// A line per generation (the CLI prints it).
    pub fn log(mut self, log: &'a (dyn Fn(&str) + Sync)) -> Self {
        self.log = log;
        self
    }

    /// Runs the search and the verification, writes the files into the staging folder.
    pub fn stage(self) -> Result<Optimized, BatchError> {
        let problem = Problem::new(self.scenario, &self.settings)?;
        let name = &self.scenario.scenario.name;
        let output_name = format!("{name}-optimize");
        owned::real_dir(&self.out_dir)?;
        let search_dir = self.out_dir.join(format!("{output_name}{SEARCH_SUFFIX}"));
        let identity = problem.identity(self.scenario)?;
        let lock = WorkLock::acquire(&search_dir, &self.out_dir.join(&output_name))?;
        open_search_dir(&search_dir, &identity, self.resume, "optimize-search")?;
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|source| BatchError::ThreadPool { threads, source })?;
        let dates = self.scenario.scenario.tick_dates();
        let all_probes = TargetProbe::all(self.scenario, &dates);
        let probes = problem
            .target_index
            .iter()
            .map(|&i| all_probes[i].clone())
            .collect();
        let no_progress = |_: u64| {};
        let evaluator = Evaluator {
            base: self.scenario,
            vars: &problem.vars,
            probes,
            replicates: self.settings.replicates,
            uncertainty: !self.scenario.uncertainty.is_empty(),
            store: Store::new(search_dir.clone(), identity),
            pool,
            progress: &no_progress,
        };
        let search = Search::run(&problem, &self.settings, &evaluator, self.log)?;
        let finalists = search.finalists(&problem, self.settings.finalists);
        // The verification: the file's split and the finalists on fresh replicates.
        let mut fresh = self.scenario.clone();
        fresh.scenario.seed = block_seed(self.scenario.scenario.seed, VERIFY_BLOCK);
        fresh.scenario.replicates = self.settings.verify_replicates;
        let paths: Vec<String> = problem.vars.iter().map(|v| v.path().to_string()).collect();
        let mut points = vec![problem.file_values()];
        points.extend(finalists.iter().map(|&id| search.candidates[id].x.clone()));
        let sweep = Sweep::explicit(&paths, points)?;
        let staged = Batch::new(&fresh)
            .sweep(sweep)
            .output_name(output_name)
            .out_dir(&self.out_dir)
            .threads(threads)
            .resume(self.resume)
            .replace_different(self.force)
            .progress(self.progress)
            .stage()?;
        let summary = match build_summary(&problem, &search, &finalists, staged.result(), &fresh) {
            Ok(summary) => summary,
            Err(e) => {
                staged.abandon();
                return Err(e);
            }
        };
        let extends = extends_path(self.source.as_deref(), staged.final_dir());
        let written = output::write_all(staged.path(), &problem, &summary, self.scenario, &extends);
        if let Err(e) = written {
            staged.abandon();
            return Err(e);
        }
        Ok(Optimized {
            staged,
            summary,
            search_dir,
            _lock: lock,
        })
    }
}

/// The variables, constraint, objective and chosen targets, checked.
pub(crate) struct Problem {
    vars: Vec<Variable>,
    constraint: Constraint,
    objective: Objective,
    /// Indexes of the chosen targets in the scenario's `[[targets]]`.
    target_index: Vec<usize>,
    targets: Vec<Target>,
    seed: u64,
}

impl Problem {
    fn new(scenario: &Scenario, settings: &OptimizeSettings) -> Result<Problem, BatchError> {
        let vars = variables::parse_variables(scenario, &settings.variables)?;
        let total = match settings.total {
            TotalSpec::Free => None,
            TotalSpec::FileTotal => Some(variables::file_total(&vars)),
            TotalSpec::Amount(t) => Some(t),
        };
        let constraint = variables::constraint(scenario, &vars, total)?;
        if let Objective::MinMoney { min_probability } = settings.objective {
            if !(0.0..=1.0).contains(&min_probability) {
                return Err(flag(
                    "--min-probability",
                    format!("{min_probability} is not a probability in 0..1"),
                ));
            }
            if vars.iter().any(|v| v.kind != VariableKind::Money) || total.is_some() {
                return Err(flag(
                    "--objective min-money",
                    "needs money variables and no --total (it chooses the total)",
                ));
            }
        }
        for (name, value, least) in [
            ("--replicates", settings.replicates, 2),
            ("--generations", settings.generations, 1),
            ("--max-blocks", settings.max_blocks, 1),
            ("--verify-replicates", settings.verify_replicates, 2),
        ] {
            if value < least {
                return Err(flag(name, format!("{value} is too few; at least {least}")));
            }
        }
        if settings.finalists == 0 {
            return Err(flag("--finalists", "at least one finalist is re-evaluated"));
        }
        let labels: Vec<String> = scenario.targets.iter().map(Target::label).collect();
        let target_index: Vec<usize> = match &settings.targets {
            Some(chosen) => chosen
                .iter()
                .map(|c| {
                    labels.iter().position(|l| l == c).ok_or_else(|| {
                        flag(
                            "--targets",
                            format!(
                                "no target is labelled `{c}`; the scenario's targets: {}",
                                labels.join(", ")
                            ),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            None => {
                let last = scenario.targets.iter().map(|t| t.year).max();
                (0..scenario.targets.len())
                    .filter(|&i| Some(scenario.targets[i].year) == last)
                    .collect()
            }
        };
        if target_index.is_empty() {
            return Err(flag("--targets", "the scenario has no [[targets]] to meet"));
        }
        let targets = target_index
            .iter()
            .map(|&i| scenario.targets[i].clone())
            .collect();
        Ok(Problem {
            vars,
            constraint,
            objective: settings.objective,
            target_index,
            targets,
            seed: scenario.scenario.seed,
        })
    }

    /// What makes an evaluation: the model, the scenario as resolved (seed and replicates
    /// aside, which the blocks set), the variables' paths and the chosen targets.
    fn identity(&self, scenario: &Scenario) -> Result<String, BatchError> {
        let mut s = scenario.clone();
        s.scenario.replicates = 1;
        let text = toml::to_string(&s).map_err(|e| BatchError::Corrupt {
            path: PathBuf::from("scenario"),
            message: format!("cannot write: {e}"),
        })?;
        let mut h = Sha256::new();
        h.update(civitas_engine::MODEL_FINGERPRINT.as_bytes());
        h.update(text.as_bytes());
        for v in &self.vars {
            h.update(b"\nvar ");
            h.update(v.path().as_bytes());
        }
        for i in &self.target_index {
            h.update(format!("\ntarget {i}").as_bytes());
        }
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    fn file_values(&self) -> Vec<f64> {
        self.vars.iter().map(|v| v.file_value).collect()
    }

    fn money(&self, x: &[f64]) -> f64 {
        self.vars
            .iter()
            .zip(x)
            .filter(|(v, _)| v.kind == VariableKind::Money)
            .map(|(_, &xi)| xi)
            .sum()
    }

    /// Each replicate's "all met" flag and attainment of each chosen target.
    fn met(&self, row: &[f64]) -> (bool, Vec<f64>) {
        let attain: Vec<f64> = self
            .targets
            .iter()
            .zip(row)
            .map(|(t, &v)| attainment(t, v))
            .collect();
        let all = self
            .targets
            .iter()
            .zip(row)
            .all(|(t, &v)| meets_bounds(t.min, t.max, v));
        (all, attain)
    }

    /// The objective (higher is better) of allocation `x` over replicate rows.
    fn score(&self, x: &[f64], rows: &[&Vec<f64>]) -> f64 {
        if rows.is_empty() {
            return f64::NEG_INFINITY;
        }
        let n = rows.len() as f64;
        let mut all_met = 0.0;
        let mut least = 0.0;
        let mut mean = 0.0;
        for row in rows {
            let (all, attain) = self.met(row);
            all_met += f64::from(u8::from(all));
            least += attain.iter().copied().fold(1.0, f64::min);
            mean += attain.iter().sum::<f64>() / attain.len() as f64;
        }
        let (p, least, mean) = (all_met / n, least / n, mean / n);
        match self.objective {
            Objective::Probability => p + TIE_WEIGHT * least,
            Objective::Attainment => mean,
            Objective::MinMoney { min_probability } => {
                // Money as a share of the bounds' sum, in [-1, 0] when P is reached; below
                // -1 when it is not, by the shortfall and then by the least attainment, so
                // that every candidate that reaches P beats every one that does not.
                let scale: f64 = self.vars.iter().map(|v| v.hi).sum::<f64>().max(1.0);
                if p >= min_probability {
                    -self.money(x) / scale
                } else {
                    -1.0 - SHORTFALL_WEIGHT * (min_probability - p)
                        - (1.0 - least)
                        - TIE_WEIGHT * self.money(x) / scale
                }
            }
        }
    }
}

fn flag(flag: &str, message: impl Into<String>) -> BatchError {
    BatchError::Optimize {
        flag: flag.into(),
        message: message.into(),
    }
}

/// How far a replicate's value is toward meeting a target: 1 when met, falling with the
/// distance to the bound it misses (relative to the bound), 0 for no value.
fn attainment(t: &Target, v: f64) -> f64 {
    if v.is_nan() {
        return 0.0;
    }
    if meets_bounds(t.min, t.max, v) {
        return 1.0;
    }
    let bound = match (t.min, t.max) {
        (Some(min), _) if v < min => min,
        (_, Some(max)) => max,
        (Some(min), None) => min,
        (None, None) => return 1.0,
    };
    (1.0 - (v - bound).abs() / bound.abs().max(1e-9)).clamp(0.0, 1.0)
}

/// A probability with its 90 % Wilson interval.
fn probability(met: u64, n: u64) -> Probability {
    let (lo, hi) = civitas_uncertainty::wilson(met, n, WILSON_Z_90);
    Probability {
        met,
        n,
        p: if n == 0 { 0.0 } else { met as f64 / n as f64 },
        lo,
        hi,
    }
}

/// One candidate in the search.
struct Entry {
    x: Vec<f64>,
    generation: Option<u64>,
    blocks: BTreeMap<u32, BlockValues>,
}

/// A finished search: every candidate and the incumbent's path.
struct Search {
    candidates: Vec<Entry>,
    path: Vec<usize>,
}

impl Search {
    fn run(
        problem: &Problem,
        settings: &OptimizeSettings,
        evaluator: &Evaluator<'_>,
        log: &(dyn Fn(&str) + Sync),
    ) -> Result<Search, BatchError> {
        let mut s = Search {
            candidates: Vec::new(),
            path: Vec::new(),
        };
        let mut ids: HashMap<String, usize> = HashMap::new();
        let file = problem.file_values();
        s.intern(&mut ids, file.clone(), None);
        s.ensure(evaluator, &[(0, 0)])?;
        let mut incumbent = 0usize;
        let start = variables::encode(&problem.vars, &file);
        let mut es = cmaes::Cmaes::new(start, INITIAL_STEP, problem.seed, 0);
        for g in 0..settings.generations {
            let generation = es.ask();
            let decoded: Vec<(Vec<f64>, f64)> = generation
                .points
                .iter()
                .map(|u| variables::decode(&problem.vars, problem.constraint, u))
                .collect();
            let members: Vec<usize> = decoded
                .iter()
                .map(|(x, _)| s.intern(&mut ids, x.clone(), Some(u64::from(g))))
                .collect();
            let todo: Vec<(usize, u32)> = members.iter().map(|&id| (id, 0)).collect();
            s.ensure(evaluator, &todo)?;
            let scores: Vec<f64> = members.iter().map(|&id| s.score(problem, id, 1)).collect();
            let values: Vec<f64> = scores
                .iter()
                .zip(&decoded)
                .map(|(score, (_, penalty))| -score + PENALTY_WEIGHT * penalty)
                .collect();
            es.tell(&generation, &values);
            let challenger = (0..members.len())
                .max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))
                .map(|k| members[k])
                .unwrap_or(incumbent);
            if challenger != incumbent {
                let k = s.candidates[incumbent].blocks.len() as u32;
                let top_up: Vec<(usize, u32)> = (0..k).map(|b| (challenger, b)).collect();
                s.ensure(evaluator, &top_up)?;
                if s.score(problem, challenger, k) > s.score(problem, incumbent, k) {
                    incumbent = challenger;
                } else if k < settings.max_blocks {
                    s.ensure(evaluator, &[(incumbent, k)])?;
                }
            } else {
                let k = s.candidates[incumbent].blocks.len() as u32;
                if k < settings.max_blocks {
                    s.ensure(evaluator, &[(incumbent, k)])?;
                }
            }
            s.path.push(incumbent);
            let blocks = s.candidates[incumbent].blocks.len() as u32;
            log(&format!(
                "generation {}/{}: best so far #{incumbent}, objective {:.3} over {} replicates; step {:.3}",
                g + 1,
                settings.generations,
                s.score(problem, incumbent, blocks),
                blocks * settings.replicates,
                es.sigma()
            ));
        }
        Ok(s)
    }

    fn intern(
        &mut self,
        ids: &mut HashMap<String, usize>,
        x: Vec<f64>,
        generation: Option<u64>,
    ) -> usize {
        let key = format!("{x:?}");
        if let Some(&id) = ids.get(&key) {
            return id;
        }
        let id = self.candidates.len();
        self.candidates.push(Entry {
            x,
            generation,
            blocks: BTreeMap::new(),
        });
        ids.insert(key, id);
        id
    }

    /// Runs the (candidate, block) pairs not yet evaluated.
    fn ensure(
        &mut self,
        evaluator: &Evaluator<'_>,
        items: &[(usize, u32)],
    ) -> Result<(), BatchError> {
        let mut todo: Vec<(usize, u32)> = items
            .iter()
            .copied()
            .filter(|(id, b)| !self.candidates[*id].blocks.contains_key(b))
            .collect();
        todo.dedup();
        let asked: Vec<(Vec<f64>, u32)> = todo
            .iter()
            .map(|&(id, b)| (self.candidates[id].x.clone(), b))
            .collect();
        let values = evaluator.evaluate(&asked)?;
        for ((id, b), v) in todo.into_iter().zip(values) {
            self.candidates[id].blocks.insert(b, v);
        }
        Ok(())
    }

    /// The objective of candidate `id` over its blocks `0..k` (all it has when it has
    /// fewer).
    fn score(&self, problem: &Problem, id: usize, k: u32) -> f64 {
        let c = &self.candidates[id];
        let rows: Vec<&Vec<f64>> = c
            .blocks
            .range(0..k.max(1))
            .flat_map(|(_, rows)| rows.iter())
            .collect();
        problem.score(&c.x, &rows)
    }

    fn score_all(&self, problem: &Problem, id: usize) -> f64 {
        self.score(problem, id, u32::MAX)
    }

    /// The incumbent, then the best others by their objective over all they ran.
    fn finalists(&self, problem: &Problem, count: usize) -> Vec<usize> {
        let incumbent = self.path.last().copied().unwrap_or(0);
        let mut others: Vec<usize> = (0..self.candidates.len())
            .filter(|&id| id != incumbent && id != 0)
            .collect();
        others.sort_by(|&a, &b| {
            self.score_all(problem, b)
                .total_cmp(&self.score_all(problem, a))
                .then(a.cmp(&b))
        });
        let mut chosen = Vec::with_capacity(count);
        if incumbent != 0 {
            chosen.push(incumbent);
        }
        chosen.extend(others.into_iter().take(count - chosen.len()));
        chosen
    }
}

/// The search folder: made, or checked and kept (`--resume`), or cleared of an earlier
/// search's files (only when it carries a `search.json`).
pub(crate) fn open_search_dir(
    dir: &Path,
    identity: &str,
    resume: bool,
    kind: &str,
) -> Result<(), BatchError> {
    let marker = dir.join(SEARCH_JSON);
    if owned::exists(dir) {
        owned::real_dir(dir)?;
        let has_marker = owned::exists(&marker);
        if resume && has_marker {
            let text = owned::read_text(&marker, 1 << 20)?;
            let found: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| BatchError::Corrupt {
                    path: marker.clone(),
                    message: format!("not a search description: {e}"),
                })?;
            if found.get("identity").and_then(|v| v.as_str()) != Some(identity) {
                return Err(BatchError::ResumeMismatch {
                    path: dir.to_path_buf(),
                    message: "the model (another build of civitas), the scenario, the variables' \
                              paths or the targets differ"
                        .into(),
                });
            }
            return Ok(());
        }
        if !has_marker {
            // Only the lock this search just took.
            let empty = std::fs::read_dir(dir)
                .map_err(BatchError::io(dir))?
                .all(|e| e.is_ok_and(|e| e.file_name() == SEARCH_LOCK));
            if !empty {
                return Err(BatchError::Foreign {
                    path: dir.to_path_buf(),
                    message: "holds files but no search.json; Civitas clears only its own \
                              search folders (move it away, or choose another --out)"
                        .into(),
                });
            }
        } else {
            clear_search_dir(dir, false)?;
        }
    } else {
        owned::real_dir(dir)?;
    }
    let description = serde_json::json!({ "kind": kind, "identity": identity });
    owned::write_file(&marker, format!("{description:#}\n").as_bytes())?;
    Ok(())
}

/// Removes the search's own files from `dir` (and `dir` itself when `remove_dir` and it is
/// then empty); anything else is left where it is.
pub(crate) fn clear_search_dir(dir: &Path, remove_dir: bool) -> Result<(), BatchError> {
    if !owned::exists(dir) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(BatchError::io(dir))? {
        let path = entry.map_err(BatchError::io(dir))?.path();
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if is_file && is_search_file(&path) {
            std::fs::remove_file(&path).map_err(BatchError::io(&path))?;
        }
    }
    if remove_dir {
        // The lock goes with the folder (its holder is the one removing it); the folder is
        // left in place when something foreign is still inside.
        let lock = dir.join(SEARCH_LOCK);
        if std::fs::symlink_metadata(&lock).is_ok_and(|m| m.is_file()) {
            std::fs::remove_file(&lock).map_err(BatchError::io(&lock))?;
        }
        let _ = std::fs::remove_dir(dir);
    }
    Ok(())
}

/// The path `best.toml` (in `final_dir`) extends: `source` relative to `final_dir` when
/// both resolve, else `source` as given; the output's `scenario.toml` without a source.
fn extends_path(source: Option<&Path>, final_dir: &Path) -> String {
    let Some(source) = source else {
        return civitas_results::files::SCENARIO_TOML.to_string();
    };
    let relative = || -> Option<PathBuf> {
        let to = std::fs::canonicalize(source).ok()?;
        let parent = final_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let from = std::fs::canonicalize(parent)
            .ok()?
            .join(final_dir.file_name()?);
        let from: Vec<_> = from.components().collect();
        let to_parts: Vec<_> = to.components().collect();
        let common = from
            .iter()
            .zip(&to_parts)
            .take_while(|(a, b)| a == b)
            .count();
        let mut path = PathBuf::new();
        for _ in common..from.len() {
            path.push("..");
        }
        for part in &to_parts[common..] {
            path.push(part.as_os_str());
        }
        Some(path)
    };
    relative()
        .unwrap_or_else(|| source.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// Per-replicate rows of the chosen targets at one verification point.
fn point_rows(
    problem: &Problem,
    result: &BatchResult,
    point: usize,
) -> Result<Vec<Vec<f64>>, BatchError> {
    let sweep = result.sweep.as_ref().ok_or_else(|| BatchError::Corrupt {
        path: PathBuf::from("verification"),
        message: "the verification batch has no sweep points".into(),
    })?;
    let p = &sweep.points[point];
    let columns: Vec<&Vec<f64>> = problem
        .target_index
        .iter()
        .map(|&i| &p.targets[i].values)
        .collect();
    let n = columns.first().map_or(0, |c| c.len());
    Ok((0..n)
        .map(|r| columns.iter().map(|c| c[r]).collect())
        .collect())
}

fn verified(
    problem: &Problem,
    id: usize,
    x: &[f64],
    rows: &[Vec<f64>],
    file_rows: Option<&[Vec<f64>]>,
) -> Verified {
    let n = rows.len() as u64;
    let refs: Vec<&Vec<f64>> = rows.iter().collect();
    let all_flags: Vec<f64> = rows
        .iter()
        .map(|r| f64::from(u8::from(problem.met(r).0)))
        .collect();
    let targets = (0..problem.targets.len())
        .map(|t| {
            let met = rows
                .iter()
                .filter(|r| meets_bounds(problem.targets[t].min, problem.targets[t].max, r[t]))
                .count() as u64;
            probability(met, n)
        })
        .collect();
    let means = (0..problem.targets.len())
        .map(|t| {
            let v: Vec<f64> = rows.iter().map(|r| r[t]).filter(|v| !v.is_nan()).collect();
            if v.is_empty() {
                f64::NAN
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        })
        .collect();
    let level = civitas_results::PAIRED_LEVEL;
    let (all_met_paired, values_paired) = match file_rows {
        None => (None, vec![None; problem.targets.len()]),
        Some(base) => {
            let base_flags: Vec<f64> = base
                .iter()
                .map(|r| f64::from(u8::from(problem.met(r).0)))
                .collect();
            let all = civitas_uncertainty::paired(&base_flags, &all_flags, true, level);
            let per = (0..problem.targets.len())
                .map(|t| {
                    let higher = problem.targets[t].min.is_some();
                    let b: Vec<f64> = base.iter().map(|r| r[t]).collect();
                    let v: Vec<f64> = rows.iter().map(|r| r[t]).collect();
                    Some(civitas_uncertainty::paired(&b, &v, higher, level))
                })
                .collect();
            (Some(all), per)
        }
    };
    Verified {
        id,
        values: x.to_vec(),
        objective: problem.score(x, &refs),
        all_met: probability(all_flags.iter().filter(|&&f| f > 0.0).count() as u64, n),
        targets,
        means,
        all_met_paired,
        values_paired,
    }
}

fn build_summary(
    problem: &Problem,
    search: &Search,
    finalists: &[usize],
    result: &BatchResult,
    fresh: &Scenario,
) -> Result<OptimizeSummary, BatchError> {
    let file_rows = point_rows(problem, result, 0)?;
    let file = verified(problem, 0, &search.candidates[0].x, &file_rows, None);
    let mut verified_finalists = Vec::with_capacity(finalists.len());
    for (k, &id) in finalists.iter().enumerate() {
        let rows = point_rows(problem, result, k + 1)?;
        verified_finalists.push(verified(
            problem,
            id,
            &search.candidates[id].x,
            &rows,
            Some(&file_rows),
        ));
    }
    let best = (0..verified_finalists.len())
        .max_by(|&a, &b| {
            verified_finalists[a]
                .objective
                .total_cmp(&verified_finalists[b].objective)
                .then(b.cmp(&a))
        })
        .unwrap_or(0);
    let candidates = search
        .candidates
        .iter()
        .enumerate()
        .map(|(id, c)| {
            let rows: Vec<&Vec<f64>> = c.blocks.values().flat_map(|b| b.iter()).collect();
            let n = rows.len() as u64;
            let all = rows.iter().filter(|r| problem.met(r).0).count() as u64;
            Candidate {
                id,
                generation: c.generation,
                values: c.x.clone(),
                replicates: n,
                objective: problem.score(&c.x, &rows),
                all_met: probability(all, n),
                targets: (0..problem.targets.len())
                    .map(|t| {
                        let met = rows
                            .iter()
                            .filter(|r| {
                                meets_bounds(problem.targets[t].min, problem.targets[t].max, r[t])
                            })
                            .count() as u64;
                        probability(met, n)
                    })
                    .collect(),
            }
        })
        .collect();
    let constraint = match problem.constraint {
        Constraint::Bounds => "each variable within its bounds".to_string(),
        Constraint::Total(t) => format!("the variables sum to {}", crate::format::format_value(t)),
        Constraint::SharesAtMost(cap) => format!("the shares sum to at most {cap}"),
    };
    Ok(OptimizeSummary {
        scenario: fresh.scenario.name.clone(),
        objective: problem.objective.describe(),
        constraint,
        targets: problem.targets.iter().map(Target::label).collect(),
        variables: problem
            .vars
            .iter()
            .map(|v| DecisionVariable {
                path: v.path().to_string(),
                lo: v.lo,
                hi: v.hi,
                file_value: v.file_value,
                money: v.kind == VariableKind::Money,
            })
            .collect(),
        candidates,
        path: search.path.clone(),
        verify_seed: fresh.scenario.seed,
        file,
        finalists: verified_finalists,
        best,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(objective: Objective) -> Problem {
        let settings = OptimizeSettings {
            variables: vec!["policies[name=ops].amount_per_year=0..3e8".into()],
            objective,
            targets: Some(vec!["adoption_rate 2030".into()]),
            ..OptimizeSettings::default()
        };
        Problem::new(&Scenario::baseline(), &settings).unwrap()
    }

    #[test]
    fn min_money_ranks_every_allocation_that_reaches_p_above_every_one_that_does_not() {
        let p = problem(Objective::MinMoney {
            min_probability: 0.5,
        });
        // adoption_rate 2030 ≥ 0.85: two replicates, met in one (P 0.5) or none.
        let (met, near, far) = (vec![0.9], vec![0.84], vec![0.2]);
        let reached = p.score(&[3e8], &[&met, &near]);
        let cheap_short = p.score(&[0.0], &[&near, &near]);
        assert!(reached > cheap_short, "{reached} {cheap_short}");
        assert!(p.score(&[1e8], &[&met, &far]) > reached, "less money wins");
        // Short of P: the nearer miss wins whatever the money.
        assert!(p.score(&[3e8], &[&near, &near]) > p.score(&[0.0], &[&far, &far]));
    }

    #[test]
    fn probability_breaks_ties_by_the_least_attained_target() {
        let p = problem(Objective::Probability);
        let (near, far) = (vec![0.84], vec![0.5]);
        let a = p.score(&[0.0], &[&near]);
        let b = p.score(&[0.0], &[&far]);
        assert!(a > b && a < TIE_WEIGHT, "{a} {b}");
        assert_eq!(p.score(&[0.0], &[&vec![0.9]]), 1.0 + TIE_WEIGHT);
    }

    #[test]
    fn unknown_targets_and_bad_settings_name_their_flag() {
        let bad = |settings: OptimizeSettings| {
            Problem::new(&Scenario::baseline(), &settings)
                .err()
                .unwrap()
                .to_string()
        };
        let base = OptimizeSettings {
            variables: vec!["policies[name=ops].amount_per_year=0..3e8".into()],
            ..OptimizeSettings::default()
        };
        let e = bad(OptimizeSettings {
            targets: Some(vec!["adoption 2031".into()]),
            ..base.clone()
        });
        assert!(
            e.starts_with("--targets: no target is labelled `adoption 2031`"),
            "{e}"
        );
        let e = bad(OptimizeSettings {
            replicates: 1,
            ..base.clone()
        });
        assert!(e.starts_with("--replicates: 1 is too few"), "{e}");
        let e = bad(OptimizeSettings {
            objective: Objective::MinMoney {
                min_probability: 0.8,
            },
            total: TotalSpec::FileTotal,
            ..base
        });
        assert!(e.starts_with("--objective min-money"), "{e}");
    }
}
