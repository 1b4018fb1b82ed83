//! `civitas calibrate`: the posterior of a scenario's `[[uncertainty]]` parameters given
//! observed data, and how well the calibrated model predicts observations it did not see.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use civitas_batch::calibrate::{Calibrate, CalibrateSettings, read_observed};
//! let scenario = civitas_scenario::Scenario::load("scenarios/history-2015.toml")?;
//! let observed = read_observed("data/observed/cnnic.csv".as_ref(), &scenario)?;
//! let settings = CalibrateSettings {
//!     holdout: Some("2021-01".parse()?),
//!     ..CalibrateSettings::default()
//! };
//! let calibration = Calibrate::new(&scenario, observed, settings).out_dir("outputs").run()?;
//! if let civitas_batch::calibrate::Outcome::Finished(c) = calibration {
//!     println!("held-out coverage {:?}", c.summary.holdout_score().map(|s| s.coverage()));
//!     c.commit()?;
//! }
//! # Ok(()) }
//! ```
//!
//! How a calibration goes: each particle is one run (one replicate) of the scenario with
//! its priors set to the particle's values; its distance to the observations before
//! `--holdout` is `√(mean_k (x_k − y_k)² / (sd_k² + δ²))`, each observation's sd widened
//! by the model discrepancy δ (what the model cannot reproduce even at the right
//! parameters: definitions, denominators, shocks it does not have). The posterior is
//! found by adaptive ABC-SMC ([`civitas_uncertainty::abc`]): generations of runs in
//! parallel. Then the posterior is resampled into equally weighted draws and each draw is
//! run once more (the posterior predictive); the first generation's runs, drawn from the
//! priors, are the prior predictive. Each observation, held out or not, is compared with
//! both: the 90 % band of the model's value plus the observation's and the discrepancy's
//! noise, whether the value is inside, the error of the median and the CRPS.
//!
//! Every run is stored as it finishes in `<out>/<name>-calibrate.search/` (checksummed,
//! keyed by the scenario, the observations' places and the run's values); the algorithm
//! is a pure function of the seed and the runs, so `--resume` after an interruption
//! replays it from the stored runs to byte-identical files. `--shard I/N` runs only the
//! runs whose number is I modulo N of the first generation not yet complete (into
//! `<out>/<name>-calibrate.shard-I-of-N/`, reading the other shards' folders beside it)
//! and stops: run the N shards once per generation (a Slurm job array each time), then
//! `--merge` reads the shards' runs beside its own and finishes (running whatever is
//! still missing).

pub mod observed;

use std::path::{Path, PathBuf};

use civitas_engine::{EngineOptions, simulate};
use civitas_results::calibration::{
    CALIBRATION_CSV, CalibrationSummary, GenerationRow, ObservationFit, POSTERIOR_CSV, ParameterFit,
};
use civitas_results::owned;
use civitas_scenario::{Scenario, YearMonth};
use civitas_uncertainty::Distribution;
pub use civitas_uncertainty::abc::PerturbationKernel;
use civitas_uncertainty::abc::{
    AbcSettings, Apmc, ID_STRIDE, Mixture, Proposal, to_unit, weighted_quantile,
};
use sha2::{Digest, Sha256};

pub use civitas_results::calibration as summary;
pub use observed::{Observation, ObservedError, read_observed};

use crate::error::BatchError;
use crate::optimize::evaluate::Store;
use crate::optimize::{clear_search_dir, open_search_dir};
use crate::sweep::{Lever, apply_levers};
use crate::uncertainty::ParameterDraws;
use crate::workdir::{Shard, WorkLock};

/// First line of a stored calibration run.
const RUN_HEADER: &str = "civitas-calibration-run 1";
/// The `kind` in the search folder's `search.json`.
const SEARCH_KIND: &str = "calibration-search";
/// The generation number of the posterior predictive runs.
pub const PREDICTIVE_GENERATION: u64 = 1_000;
/// Most particles or draws: a run's replicate number is its generation × 2²⁰ + its index.
const MAX_PARTICLES: usize = 1 << 20;
/// The report file.
pub const REPORT_HTML: &str = "report.html";
/// Files a calibration output holds (its marker: `calibration.csv`).
const OUTPUT_FILES: [&str; 4] = [CALIBRATION_CSV, POSTERIOR_CSV, REPORT_HTML, "scenario.toml"];

/// How a calibration runs.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrateSettings {
    /// Particles per generation.
    pub particles: usize,
    /// Share kept from one generation to the next.
    pub alpha: f64,
    /// Stop when fewer new particles than this share beat the previous tolerance.
    pub min_acceptance: f64,
    /// Most generations.
    pub max_generations: usize,
    /// Model discrepancy: an sd (in each indicator's unit) added in quadrature to every
    /// observation's.
    pub discrepancy: f64,
    /// Observations from this month on are held out of the fit.
    pub holdout: Option<YearMonth>,
    /// Posterior draws (each run once for the posterior predictive); 0: as many as
    /// particles.
    pub draws: usize,
    /// How kept particles are moved to propose new ones.
    pub kernel: PerturbationKernel,
}

impl Default for CalibrateSettings {
    fn default() -> Self {
        CalibrateSettings {
            particles: 200,
            alpha: 0.5,
            min_acceptance: 0.05,
            max_generations: 8,
            discrepancy: 0.01,
            holdout: None,
            draws: 0,
            kernel: PerturbationKernel::Scaled,
        }
    }
}

/// A calibration of a scenario against observations.
pub struct Calibrate<'a> {
    scenario: &'a Scenario,
    observations: Vec<Observation>,
    observed_name: String,
    settings: CalibrateSettings,
    out_dir: PathBuf,
    threads: Option<usize>,
    resume: bool,
    shard: Option<Shard>,
    merge: Vec<PathBuf>,
    log: &'a (dyn Fn(&str) + Sync),
}

/// What a call ran to.
#[derive(Debug)]
pub enum Outcome {
    /// The calibration finished; its files are staged.
    Finished(Box<Calibrated>),
    /// A shard ran its part of `generation` (`0` is the prior's).
    ShardDone {
        /// The generation the shard worked on (the posterior predictive is
        /// [`PREDICTIVE_GENERATION`]).
        generation: u64,
        /// The shard's folder.
        dir: PathBuf,
    },
}

/// A finished calibration, its files staged.
#[derive(Debug)]
pub struct Calibrated {
    /// What it found.
    pub summary: CalibrationSummary,
    staged: PathBuf,
    final_dir: PathBuf,
    search_dir: PathBuf,
    _lock: WorkLock,
}

impl Calibrated {
    /// The staging folder (add the report here before committing).
    pub fn path(&self) -> &Path {
        &self.staged
    }

    /// Where the output goes.
    pub fn final_dir(&self) -> &Path {
        &self.final_dir
    }

    /// Moves the output into place (replacing an earlier calibration's) and removes the
    /// search folder.
    pub fn commit(self) -> Result<PathBuf, BatchError> {
        if owned::exists(&self.final_dir) {
            clear_output(&self.final_dir)?;
        }
        std::fs::rename(&self.staged, &self.final_dir).map_err(BatchError::io(&self.final_dir))?;
        clear_search_dir(&self.search_dir, true)?;
        Ok(self.final_dir)
    }
}

/// The name a staging folder of `output_name` starts with (a fresh suffix follows).
fn staging_stem(output_name: &str) -> String {
    format!(".{output_name}.staging")
}

/// Removes the staging folders that a calibration killed between staging and committing
/// left in `out_dir`. Called with the search folder's lock held, so no other calibration
/// of this name is staging now; only folders named like its own staging are touched.
fn remove_stale_staging(out_dir: &Path, output_name: &str) -> Result<(), BatchError> {
    let prefix = format!("{}-", staging_stem(output_name));
    for entry in std::fs::read_dir(out_dir).map_err(BatchError::io(out_dir))? {
        let entry = entry.map_err(BatchError::io(out_dir))?;
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(&prefix));
        // A link of that name is not a folder this wrote: left alone.
        if ours && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let path = entry.path();
            std::fs::remove_dir_all(&path).map_err(BatchError::io(&path))?;
        }
    }
    Ok(())
}

/// Removes an earlier calibration's output: only its own files, and only when it holds
/// `calibration.csv`.
fn clear_output(dir: &Path) -> Result<(), BatchError> {
    for n in check_output(dir)? {
        let path = dir.join(n);
        std::fs::remove_file(&path).map_err(BatchError::io(&path))?;
    }
    std::fs::remove_dir(dir).map_err(BatchError::io(dir))
}

/// The files of an earlier calibration's output at `dir`; an error when it holds
/// anything else.
fn check_output(dir: &Path) -> Result<Vec<String>, BatchError> {
    let foreign = |message: &str| BatchError::Destination {
        path: dir.to_path_buf(),
        message: message.to_string(),
    };
    owned::real_dir(dir)?;
    let names: Vec<String> = std::fs::read_dir(dir)
        .map_err(BatchError::io(dir))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if !names.is_empty() && !names.iter().any(|n| n == CALIBRATION_CSV) {
        return Err(foreign(
            "holds files but no calibration.csv; Civitas replaces only its own calibrations \
             (move it away, or choose another --out)",
        ));
    }
    if let Some(other) = names.iter().find(|n| !OUTPUT_FILES.contains(&n.as_str())) {
        return Err(foreign(&format!(
            "holds {:?}, which a calibration does not write; move it away first",
            owned::excerpt(other, 60)
        )));
    }
    Ok(names)
}

fn silent(_: &str) {}

fn setting(flag: &str, message: impl Into<String>) -> BatchError {
    BatchError::Optimize {
        flag: flag.into(),
        message: message.into(),
    }
}

impl<'a> Calibrate<'a> {
    /// A calibration of `scenario` (its `[[uncertainty]]` priors) against `observations`.
    pub fn new(
        scenario: &'a Scenario,
        observations: Vec<Observation>,
        settings: CalibrateSettings,
    ) -> Self {
        Calibrate {
            scenario,
            observations,
            observed_name: String::new(),
            settings,
            out_dir: PathBuf::from("outputs"),
            threads: None,
            resume: false,
            shard: None,
            merge: Vec::new(),
            log: &silent,
        }
    }

    /// The observed file's name, for the report.
    pub fn observed_name(mut self, name: impl Into<String>) -> Self {
        self.observed_name = name.into();
        self
    }

    /// Where `<name>-calibrate/` goes.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = dir.into();
        self
    }

    /// Worker threads (default: one per core).
    pub fn threads(mut self, n: Option<usize>) -> Self {
        self.threads = n;
        self
    }

    /// Continue from the stored runs of an interrupted calibration.
    pub fn resume(mut self, on: bool) -> Self {
        self.resume = on;
        self
    }

    /// Run only this shard of the first incomplete generation.
    pub fn shard(mut self, shard: Option<Shard>) -> Self {
        self.shard = shard;
        self
    }

    /// Read the runs of these shard folders too.
    pub fn merge(mut self, dirs: Vec<PathBuf>) -> Self {
        self.merge = dirs;
        self
    }

    /// A line per generation.
    pub fn log(mut self, log: &'a (dyn Fn(&str) + Sync)) -> Self {
        self.log = log;
        self
    }

    /// Runs the calibration (or the shard) and stages its files.
    pub fn run(self) -> Result<Outcome, BatchError> {
        let s = &self.settings;
        if self.scenario.uncertainty.is_empty() {
            return Err(setting(
                "SCENARIO",
                "no [[uncertainty]] priors, so there is nothing to calibrate",
            ));
        }
        if !(4..=MAX_PARTICLES).contains(&s.particles) || s.draws > MAX_PARTICLES {
            return Err(setting(
                "--particles",
                format!(
                    "{} particles, {} draws: expected 4 to {MAX_PARTICLES}",
                    s.particles, s.draws
                ),
            ));
        }
        if !(s.alpha > 0.0 && s.alpha < 1.0) {
            return Err(setting("--alpha", format!("{} is not in (0, 1)", s.alpha)));
        }
        if !(s.discrepancy >= 0.0 && s.discrepancy.is_finite()) {
            return Err(setting(
                "--discrepancy",
                format!("{} is not >= 0", s.discrepancy),
            ));
        }
        if !(1..PREDICTIVE_GENERATION as usize).contains(&s.max_generations) {
            return Err(setting(
                "--generations",
                format!("expected 1 to {}", PREDICTIVE_GENERATION - 1),
            ));
        }
        let fit: Vec<usize> = (0..self.observations.len())
            .filter(|&i| s.holdout.is_none_or(|h| self.observations[i].date < h))
            .collect();
        if fit.is_empty() {
            return Err(setting(
                "--holdout",
                "holds out every observation; nothing is left to fit",
            ));
        }
        if let Some(o) = fit
            .iter()
            .map(|&i| &self.observations[i])
            .find(|o| o.sd == 0.0 && s.discrepancy == 0.0)
        {
            return Err(setting(
                "--discrepancy",
                format!(
                    "0 with {} observed with sd 0: the distance is undefined",
                    o.label()
                ),
            ));
        }
        // Checks every path and that each prior's ends make a valid scenario.
        ParameterDraws::of(self.scenario)?;
        let problem = Problem::new(self.scenario, &self.observations)?;
        let name = &self.scenario.scenario.name;
        let output_name = format!("{name}-calibrate");
        owned::real_dir(&self.out_dir)?;
        let search_dir = self.out_dir.join(format!("{output_name}.search"));
        let final_dir = self.out_dir.join(&output_name);
        if owned::exists(&final_dir) {
            check_output(&final_dir)?;
        }
        let identity = problem.identity()?;
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|source| BatchError::ThreadPool { threads, source })?;
        let mut lookups = Vec::new();
        for dir in &self.merge {
            check_identity(dir, &identity)?;
            lookups.push(Store::with_header(
                dir.clone(),
                identity.clone(),
                RUN_HEADER,
            ));
        }
        let (own_dir, lock) = match self.shard {
            Some(shard) => {
                let dir = self.out_dir.join(format!(
                    "{output_name}.shard-{}-of-{}",
                    shard.index, shard.count
                ));
                let lock = WorkLock::acquire(&dir, &dir)?;
                open_search_dir(&dir, &identity, true, SEARCH_KIND)?;
                // The other shards' runs (a shared file system) and the merged ones: a
                // shard goes on to the next generation once they are all there.
                let others = (0..shard.count)
                    .filter(|&j| j != shard.index)
                    .map(|j| {
                        self.out_dir
                            .join(format!("{output_name}.shard-{j}-of-{}", shard.count))
                    })
                    .chain(std::iter::once(search_dir.clone()));
                for other in others {
                    if owned::exists(&other) {
                        check_identity(&other, &identity)?;
                        lookups.push(Store::with_header(other, identity.clone(), RUN_HEADER));
                    }
                }
                (dir, lock)
            }
            None => {
                let lock = WorkLock::acquire(&search_dir, &final_dir)?;
                remove_stale_staging(&self.out_dir, &output_name)?;
                let resume = self.resume || !self.merge.is_empty();
                open_search_dir(&search_dir, &identity, resume, SEARCH_KIND)?;
                (search_dir.clone(), lock)
            }
        };
        let runner = Runner {
            problem: &problem,
            store: Store::with_header(own_dir.clone(), identity, RUN_HEADER),
            lookups,
            shard: self.shard,
            pool,
        };
        let names: Vec<String> = problem.paths.clone();
        let mut abc = Apmc::new(
            &names,
            AbcSettings {
                particles: s.particles,
                alpha: s.alpha,
                min_acceptance: s.min_acceptance,
                max_generations: s.max_generations,
                seed: self.scenario.scenario.seed,
                kernel: s.kernel,
            },
        );
        let distance = |row: &[f64]| problem.distance(row, &fit, s.discrepancy);
        let mut prior_runs: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
        while !abc.is_done() {
            let proposals = abc.ask();
            let g = abc.generations().len() as u64;
            let Some(rows) = runner.runs(&proposals)? else {
                return Ok(Outcome::ShardDone {
                    generation: g,
                    dir: own_dir,
                });
            };
            if g == 0 {
                prior_runs = proposals
                    .iter()
                    .zip(&rows)
                    .map(|(p, r)| (problem.theta(&p.z), r.clone()))
                    .collect();
            }
            let distances: Vec<f64> = rows.iter().map(|r| distance(r)).collect();
            abc.tell(&proposals, &distances);
            let stats = abc.generations()[g as usize];
            (self.log)(&format!(
                "generation {}: {} runs, tolerance {:.3}, acceptance {:.2}, effective particles {:.0}",
                g + 1,
                stats.simulations,
                stats.epsilon,
                stats.acceptance,
                stats.effective_size
            ));
        }
        // The posterior predictive: each equally weighted draw run once more.
        let count = if s.draws == 0 { s.particles } else { s.draws };
        let picks = abc.resample(count);
        let base = PREDICTIVE_GENERATION * ID_STRIDE;
        let predictive: Vec<Proposal> = picks
            .iter()
            .enumerate()
            .map(|(m, &i)| Proposal::at(base + m as u64, abc.particles()[i].z.clone()))
            .collect();
        let Some(post_rows) = runner.runs(&predictive)? else {
            return Ok(Outcome::ShardDone {
                generation: PREDICTIVE_GENERATION,
                dir: own_dir,
            });
        };
        if self.shard.is_some() {
            // Every run a shard could need was there: nothing was left for it to do.
            return Ok(Outcome::ShardDone {
                generation: PREDICTIVE_GENERATION,
                dir: own_dir,
            });
        }
        let post_theta: Vec<Vec<f64>> = predictive.iter().map(|p| problem.theta(&p.z)).collect();
        let summary = self.summarise(&problem, &abc, &prior_runs, &post_theta, &post_rows);
        let staged = owned::fresh_dir(&self.out_dir, &staging_stem(&output_name))?;
        let written = write_files(&staged, &summary, self.scenario);
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        Ok(Outcome::Finished(Box::new(Calibrated {
            summary,
            staged,
            final_dir,
            search_dir,
            _lock: lock,
        })))
    }

    fn summarise(
        &self,
        problem: &Problem,
        abc: &Apmc,
        prior_runs: &[(Vec<f64>, Vec<f64>)],
        post_theta: &[Vec<f64>],
        post_rows: &[Vec<f64>],
    ) -> CalibrationSummary {
        let s = &self.settings;
        let parameters = problem
            .paths
            .iter()
            .enumerate()
            .map(|(j, path)| {
                let prior_draws: Vec<f64> = prior_runs.iter().map(|(t, _)| t[j]).collect();
                let posterior_draws: Vec<f64> = post_theta.iter().map(|t| t[j]).collect();
                let ones = vec![1.0; posterior_draws.len()];
                let q = |v: f64| weighted_quantile(&posterior_draws, &ones, v);
                let prior = &problem.priors[j];
                ParameterFit {
                    path: path.clone(),
                    bounds: prior.support(),
                    prior: [
                        prior.quantile(0.05),
                        prior.quantile(0.5),
                        prior.quantile(0.95),
                    ],
                    posterior: [q(0.05), q(0.5), q(0.95)],
                    prior_draws,
                    posterior_draws,
                }
            })
            .collect();
        let observations = self
            .observations
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let noise = (o.sd * o.sd + s.discrepancy * s.discrepancy).sqrt();
                let prior_values: Vec<f64> = prior_runs.iter().map(|(_, r)| r[k]).collect();
                let post_values: Vec<f64> = post_rows.iter().map(|r| r[k]).collect();
                let prior = Mixture::new(&prior_values, noise);
                let post = Mixture::new(&post_values, noise);
                let band = |m: &Mixture| [m.quantile(0.05), m.quantile(0.5), m.quantile(0.95)];
                ObservationFit {
                    indicator: o.indicator.name().to_string(),
                    title: o.indicator.meta().title.to_string(),
                    scope: o.scope.to_string(),
                    date: o.date.to_string(),
                    x: f64::from(o.date.year) + f64::from(o.date.month) / 12.0,
                    value: o.value,
                    sd: o.sd,
                    line: o.line,
                    source: o.source.clone(),
                    held_out: s.holdout.is_some_and(|h| o.date >= h),
                    prior: band(&prior),
                    posterior: band(&post),
                    crps: post.crps(o.value),
                    prior_crps: prior.crps(o.value),
                }
            })
            .collect();
        CalibrationSummary {
            scenario: self.scenario.scenario.name.clone(),
            observed: self.observed_name.clone(),
            holdout: s.holdout.map(|h| h.to_string()),
            discrepancy: s.discrepancy,
            particles: s.particles,
            agents: self.scenario.population.agents,
            generations: abc
                .generations()
                .iter()
                .map(|g| GenerationRow {
                    epsilon: g.epsilon,
                    acceptance: g.acceptance,
                    simulations: g.simulations,
                    effective_size: g.effective_size,
                })
                .collect(),
            parameters,
            observations,
        }
    }
}

/// Checks that `dir` is a calibration search folder of this identity.
fn check_identity(dir: &Path, identity: &str) -> Result<(), BatchError> {
    let marker = dir.join(crate::optimize::SEARCH_JSON);
    let text = owned::read_text(&marker, 1 << 20)?;
    let found: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| BatchError::Corrupt {
            path: marker.clone(),
            message: format!("not a search description: {e}"),
        })?;
    if found.get("kind").and_then(|v| v.as_str()) != Some(SEARCH_KIND)
        || found.get("identity").and_then(|v| v.as_str()) != Some(identity)
    {
        return Err(BatchError::ResumeMismatch {
            path: dir.to_path_buf(),
            message: "not the runs of this calibration (the model, the scenario, its priors \
                      or the observations' places differ)"
                .into(),
        });
    }
    Ok(())
}

/// Writes `posterior.csv`, `calibration.csv` and the resolved `scenario.toml`.
fn write_files(
    dir: &Path,
    summary: &CalibrationSummary,
    scenario: &Scenario,
) -> Result<(), BatchError> {
    let csv_error = |file: &str| {
        let path = dir.join(file);
        move |e: csv::Error| BatchError::corrupt(path, e.to_string())
    };
    let posterior = summary.posterior_csv().map_err(csv_error(POSTERIOR_CSV))?;
    owned::write_file(&dir.join(POSTERIOR_CSV), &posterior)?;
    let calibration = summary
        .calibration_csv()
        .map_err(csv_error(CALIBRATION_CSV))?;
    owned::write_file(&dir.join(CALIBRATION_CSV), &calibration)?;
    let toml = toml::to_string(scenario)
        .map_err(|e| BatchError::corrupt(dir.join("scenario.toml"), e.to_string()))?;
    owned::write_file(&dir.join("scenario.toml"), toml.as_bytes())?;
    Ok(())
}

/// The scenario, its priors and the observations' places.
struct Problem {
    base: Scenario,
    paths: Vec<String>,
    priors: Vec<Distribution>,
    levers: Vec<Lever>,
    observations: Vec<Observation>,
}

impl Problem {
    fn new(scenario: &Scenario, observations: &[Observation]) -> Result<Problem, BatchError> {
        let mut base = scenario.clone();
        base.uncertainty.clear();
        base.scenario.replicates = 1;
        let paths: Vec<String> = scenario
            .uncertainty
            .iter()
            .map(|u| u.path.clone())
            .collect();
        let priors = scenario
            .uncertainty
            .iter()
            .enumerate()
            .map(|(i, u)| {
                u.prior().map_err(|e| BatchError::Uncertainty {
                    entry: format!("uncertainty[{i}] ({})", u.path),
                    problem: crate::error::UncertaintyError::Prior(e),
                })
            })
            .collect::<Result<_, _>>()?;
        let levers = paths
            .iter()
            .map(|p| Lever::for_path(p))
            .collect::<Result<_, _>>()?;
        Ok(Problem {
            base,
            paths,
            priors,
            levers,
            observations: observations.to_vec(),
        })
    }

    /// What makes a run's values: the model, the scenario without its priors, the priors'
    /// paths and the observations' places (not their values: a changed figure reuses the
    /// runs).
    fn identity(&self) -> Result<String, BatchError> {
        let text = toml::to_string(&self.base)
            .map_err(|e| BatchError::corrupt("scenario", format!("cannot write: {e}")))?;
        let mut h = Sha256::new();
        h.update(civitas_engine::MODEL_FINGERPRINT.as_bytes());
        h.update(text.as_bytes());
        for p in &self.paths {
            h.update(format!("\nparameter {p}").as_bytes());
        }
        for o in &self.observations {
            h.update(format!("\nobserve {} {} {}", o.indicator, o.scope, o.tick).as_bytes());
        }
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The parameter values of a standard-normal point.
    fn theta(&self, z: &[f64]) -> Vec<f64> {
        self.priors
            .iter()
            .zip(z)
            .map(|(p, &zj)| p.quantile(to_unit(zj)))
            .collect()
    }

    /// The scaled distance of a run's values to the observations `fit`.
    fn distance(&self, row: &[f64], fit: &[usize], discrepancy: f64) -> f64 {
        let sum: f64 = fit
            .iter()
            .map(|&k| {
                let o = &self.observations[k];
                let var = o.sd * o.sd + discrepancy * discrepancy;
                (row[k] - o.value).powi(2) / var
            })
            .sum();
        (sum / fit.len() as f64).sqrt()
    }
}

/// Runs particles, or finds them stored.
struct Runner<'p> {
    problem: &'p Problem,
    store: Store,
    lookups: Vec<Store>,
    shard: Option<Shard>,
    pool: rayon::ThreadPool,
}

impl Runner<'_> {
    /// The replicate number of run `id`: generation × 2²⁰ + index (fits in 32 bits).
    fn replicate(id: u64) -> u32 {
        let generation = id / ID_STRIDE;
        let index = id % ID_STRIDE;
        ((generation << 20) | index) as u32
    }

    /// Each proposal's observation values; `None` when a shard leaves some to others.
    fn runs(&self, proposals: &[Proposal]) -> Result<Option<Vec<Vec<f64>>>, BatchError> {
        let k = self.problem.observations.len();
        let thetas: Vec<Vec<f64>> = proposals.iter().map(|p| self.problem.theta(&p.z)).collect();
        let keys: Vec<(&[f64], u32)> = thetas
            .iter()
            .zip(proposals)
            .map(|(t, p)| (t.as_slice(), Self::replicate(p.id)))
            .collect();
        let mine = |i: usize| {
            self.shard
                .is_none_or(|s| (i as u64) % u64::from(s.count) == u64::from(s.index))
        };
        let found =
            self.store
                .load_or_run(&self.lookups, &self.pool, &keys, (1, k), mine, |i| {
                    Ok(vec![self.simulate(keys[i].0, keys[i].1)?])
                })?;
        Ok(found
            .into_iter()
            .map(|rows| rows.and_then(|mut rows| rows.pop()))
            .collect())
    }

    fn simulate(&self, theta: &[f64], replicate: u32) -> Result<Vec<f64>, BatchError> {
        let scenario = apply_levers(&self.problem.base, &self.problem.levers, theta)?;
        let run = simulate(&scenario, replicate, &EngineOptions::default());
        Ok(self
            .problem
            .observations
            .iter()
            .map(|o| o.simulated(&run, &scenario))
            .collect())
    }
}
