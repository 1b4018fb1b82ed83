//! Work directories: the finished runs of a batch, kept on disk so that a batch streams
//! (nothing but one run per worker is held in memory), resumes after an interruption and
//! splits into shards that merge back.
//!
//! Layout of a work directory (`<out>/<name>.incomplete/`, or a shard's
//! `<out>/<name>.shard-<i>-of-<n>/`):
//! - `plan.json` — what the batch is: scenario hash, replicates, levers, points, shard;
//! - `scenario.toml` — the resolved scenario the points are derived from;
//! - `runs/p<point>-r<replicate>.run` — one finished run each (binary, see `run_file`),
//!   written to a temporary name and renamed, so a file with a final name is complete; it
//!   ends with a SHA-256 of everything before it (and holds the SHA-256 of its agent
//!   sample), so a damaged file is noticed: `--resume` runs it again and `merge` refuses it;
//! - `runs/p<point>-r<replicate>.agents` — the run's `agents.csv` rows (CSV without header)
//!   when the scenario asks for an agent sample, written before the `.run` file, so a
//!   finished run always has its sample;
//! - `staged/` — the output being assembled, renamed to `<out>/<name>/` when complete;
//! - `lock` — held (an OS file lock, see [`WorkLock`]) by the one process writing this
//!   batch, with its PID inside for the message the others get.
//!
//! One file per concern: `plan.rs` (what a batch is, compared on resume and merge),
//! `lock.rs` (the OS lock), `run_file.rs` (the run file format, written and read back),
//! and here the directory's lifecycle ([`WorkDir`]: open or resume, finished runs, staging,
//! removal).

mod lock;
mod plan;
mod run_file;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use civitas_engine::ReplicateResult;
use civitas_results::owned::{self, TEMP_PREFIX, excerpt};
use civitas_scenario::Scenario;
use sha2::{Digest, Sha256};

use crate::error::BatchError;
use crate::output::agent_rows_csv;
use lock::LOCK_FILE;
use plan::{describe_difference, read_plan};

pub(crate) use lock::WorkLock;
pub use plan::Shard;
pub(crate) use plan::{BatchKind, Plan, ShardFacts, model_name};
pub(crate) use run_file::RunReader;
pub use run_file::read_run_file;

/// An open work directory.
#[derive(Debug, Clone)]
pub(crate) struct WorkDir {
    pub path: PathBuf,
    pub plan: Plan,
}

pub(crate) const PLAN_FILE: &str = "plan.json";
const SCENARIO_FILE: &str = "scenario.toml";
const SHARD_FACTS_FILE: &str = "shard.json";
const RUNS_DIR: &str = "runs";
const AGENTS_EXTENSION: &str = "agents";
const STAGED_DIR: &str = "staged";

/// The names Civitas itself puts in a work directory (beside temporaries, which start
/// with [`TEMP_PREFIX`]); only these are ever removed from one.
const OWN_NAMES: [&str; 6] = [
    LOCK_FILE,
    PLAN_FILE,
    SCENARIO_FILE,
    SHARD_FACTS_FILE,
    RUNS_DIR,
    STAGED_DIR,
];
/// Largest `plan.json`, `shard.json` or `scenario.toml` Civitas writes (a sweep's plan
/// holds every point's lever values as text).
pub(crate) const MAX_WORK_FILE_BYTES: u64 = 256 << 20;

/// The entries of `dir` other than its lock, by name.
fn entries_but_lock(dir: &Path) -> Result<Vec<String>, BatchError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(BatchError::io(dir))? {
        let name = entry.map_err(BatchError::io(dir))?.file_name();
        if name != LOCK_FILE {
            names.push(name.to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Refuses a folder holding things Civitas did not put there, naming a few of them.
fn refuse_foreign(dir: &Path, names: &[String], why: &str) -> BatchError {
    let shown: Vec<String> = names
        .iter()
        .take(5)
        .map(|n| format!("{:?}", excerpt(n, 60)))
        .collect();
    let more = names.len().saturating_sub(5);
    BatchError::Foreign {
        path: dir.to_path_buf(),
        message: format!(
            "{why} (it holds {}{}); Civitas removes and writes only its own work folders: \
             move it away or choose another --out",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ),
    }
}

/// Removes what an interrupted batch left in its work directory: only the entries
/// Civitas makes there, and only when the directory carries a plan of this Civitas's
/// format (its marker). Anything else is refused before a file is removed.
fn clear_own_files(dir: &Path, names: &[String]) -> Result<(), BatchError> {
    read_plan(dir)?;
    let foreign: Vec<String> = names
        .iter()
        .filter(|n| !OWN_NAMES.contains(&n.as_str()) && !n.starts_with(TEMP_PREFIX))
        .cloned()
        .collect();
    if !foreign.is_empty() {
        return Err(refuse_foreign(
            dir,
            &foreign,
            "is the work folder of an interrupted batch, but holds files Civitas did not write",
        ));
    }
    // The plan last: an interruption here leaves a folder that is still recognised.
    for name in names.iter().filter(|n| n.as_str() != PLAN_FILE) {
        remove_entry(&dir.join(name))?;
    }
    remove_entry(&dir.join(PLAN_FILE))
}

/// Removes one entry without following it: a link is removed as a link.
fn remove_entry(path: &Path) -> Result<(), BatchError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(BatchError::io(path)(e)),
    };
    let removed = if meta.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    removed.map_err(BatchError::io(path))
}

/// Writes `bytes` to `path` so that `path` is either absent or complete (see
/// [`owned::write_file`]).
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BatchError> {
    Ok(owned::write_file(path, bytes)?)
}

fn remove_dir_if_present(path: &Path) -> Result<(), BatchError> {
    remove_entry(path)
}

impl WorkDir {
    /// Opens the work directory at `path`, whose [`WorkLock`] the caller holds, for
    /// `plan`. With `resume`, an existing directory of the same plan keeps its finished
    /// runs; otherwise anything an interrupted batch left there is removed first.
    pub fn open(
        path: PathBuf,
        plan: &Plan,
        scenario_toml: &str,
        resume: bool,
        progress: &dyn crate::BatchProgress,
    ) -> Result<WorkDir, BatchError> {
        owned::real_dir(&path)?;
        let left_behind = entries_but_lock(&path)?;
        if !left_behind.is_empty() {
            if resume && owned::exists(&path.join(PLAN_FILE)) {
                let found = read_plan(&path)?;
                if found != *plan {
                    return Err(BatchError::ResumeMismatch {
                        path,
                        message: describe_difference(&found, plan),
                    });
                }
            } else {
                if !resume {
                    progress.note(&format!(
                        "removing {} left by an interrupted batch (use --resume to continue one)",
                        path.display()
                    ));
                }
                clear_own_files(&path, &left_behind)?;
            }
        }
        // The plan first: it marks the folder as a work folder for whoever finds it.
        let plan_json = serde_json::to_string_pretty(plan).expect("a plan serializes");
        write_atomically(&path.join(PLAN_FILE), plan_json.as_bytes())?;
        write_atomically(&path.join(SCENARIO_FILE), scenario_toml.as_bytes())?;
        owned::real_dir(&path.join(RUNS_DIR))?;
        remove_dir_if_present(&path.join(STAGED_DIR))?;
        Ok(WorkDir {
            path,
            plan: plan.clone(),
        })
    }

    /// Opens an existing work or shard directory for reading (merge).
    pub fn existing(path: PathBuf) -> Result<WorkDir, BatchError> {
        let plan = read_plan(&path)?;
        Ok(WorkDir { path, plan })
    }

    /// The resolved scenario text stored with the plan.
    pub fn scenario_toml(&self) -> Result<String, BatchError> {
        let path = self.path.join(SCENARIO_FILE);
        Ok(owned::read_text(&path, MAX_WORK_FILE_BYTES)?)
    }

    /// The staging directory for the final output (created empty).
    pub fn staged(&self) -> Result<PathBuf, BatchError> {
        let staged = self.path.join(STAGED_DIR);
        remove_dir_if_present(&staged)?;
        owned::real_dir(&staged)?;
        Ok(staged)
    }

    /// Removes the staged output (a half-written one after a failure, which would hold
    /// the disk that is perhaps full); the finished runs stay for `--resume`.
    pub fn discard_staged(&self) -> Result<(), BatchError> {
        remove_dir_if_present(&self.path.join(STAGED_DIR))
    }

    /// [`WorkDir::discard_staged`] on a path that already failed: the first error is the
    /// one to report.
    pub fn discard_staged_quietly(&self) {
        let _ = self.discard_staged();
    }

    /// Path of the run file of (point, replicate).
    pub fn run_path(&self, point: usize, replicate: u32) -> PathBuf {
        self.path
            .join(RUNS_DIR)
            .join(format!("p{point:05}-r{replicate:06}.run"))
    }

    /// Finished runs with their files. Leftover temporary files of runs that were being
    /// written when the batch stopped are removed; run files of the wrong size (not written
    /// by this plan) are reported as corrupt.
    pub fn finished(&self) -> Result<BTreeMap<(usize, u32), PathBuf>, BatchError> {
        let dir = self.path.join(RUNS_DIR);
        let mut found = BTreeMap::new();
        if owned::exists(&dir) {
            owned::real_dir(&dir)?;
        }
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
            Err(e) => return Err(BatchError::io(&dir)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(BatchError::io(&dir))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with(TEMP_PREFIX) {
                let _ = remove_entry(&entry.path());
                continue;
            }
            // Only regular files are runs: a link or folder of that name was not written here.
            if !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let Some(key) = parse_run_name(name) else {
                continue;
            };
            if key.0 < self.plan.point_count() && key.1 < self.plan.replicates {
                found.insert(key, entry.path());
            }
        }
        Ok(found)
    }

    /// Writes the agent sample of one finished run (before [`WorkDir::write_run`], so that a
    /// finished run has its sample).
    pub fn write_agents(
        &self,
        point: usize,
        scenario: &Scenario,
        run: &ReplicateResult,
    ) -> Result<[u8; 32], BatchError> {
        let path = agents_path(&self.run_path(point, run.replicate));
        let bytes = agent_rows_csv(scenario, run, &path)?;
        write_atomically(&path, &bytes)?;
        Ok(Sha256::digest(&bytes).into())
    }

    /// Writes one finished run, with the digest of its agent sample (from
    /// [`WorkDir::write_agents`]) when it has one.
    pub fn write_run(
        &self,
        point: usize,
        run: &ReplicateResult,
        agents_digest: Option<[u8; 32]>,
    ) -> Result<(), BatchError> {
        let path = self.run_path(point, run.replicate);
        write_atomically(&path, &run_file::encode(point, run, agents_digest))
    }

    /// Removes a damaged run (and its agent sample) so that it runs again.
    pub fn discard_run(&self, path: &Path) -> Result<(), BatchError> {
        for p in [path.to_path_buf(), agents_path(path)] {
            match fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(BatchError::io(&p)(e));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Removes the work directory after its output was committed.
    pub fn remove(self) -> Result<(), BatchError> {
        remove_dir_if_present(&self.path)
    }

    /// Records shard facts once every run of the shard is finished.
    pub fn write_shard_facts(&self, facts: &ShardFacts) -> Result<(), BatchError> {
        let json = serde_json::to_string_pretty(facts).expect("shard facts serialize");
        write_atomically(&self.path.join(SHARD_FACTS_FILE), json.as_bytes())
    }

    /// Shard facts, when the shard finished.
    pub fn shard_facts(&self) -> Option<ShardFacts> {
        let text = owned::read_text(&self.path.join(SHARD_FACTS_FILE), MAX_WORK_FILE_BYTES).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// The agent sample file that belongs to a run file.
pub(crate) fn agents_path(run_path: &Path) -> PathBuf {
    run_path.with_extension(AGENTS_EXTENSION)
}

fn parse_run_name(name: &str) -> Option<(usize, u32)> {
    let stem = name.strip_suffix(".run")?;
    let (p, r) = stem.split_once('-')?;
    Some((
        p.strip_prefix('p')?.parse().ok()?,
        r.strip_prefix('r')?.parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_keeps_runs_of_the_same_plan_only() {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan::new(BatchKind::Run, "x".into(), "h".into(), 2);
        let path = dir.path().join("w");
        let work = WorkDir::open(path.clone(), &plan, "", false, &crate::Silent).unwrap();
        fs::write(work.run_path(0, 0), b"x").unwrap();
        let again = WorkDir::open(path.clone(), &plan, "", true, &crate::Silent).unwrap();
        assert_eq!(again.finished().unwrap().len(), 1);
        let other = Plan::new(BatchKind::Run, "x".into(), "changed".into(), 2);
        let err = WorkDir::open(path.clone(), &other, "", true, &crate::Silent).unwrap_err();
        assert!(err.to_string().contains("scenario changed"), "{err}");
        let fresh = WorkDir::open(path, &plan, "", false, &crate::Silent).unwrap();
        assert!(fresh.finished().unwrap().is_empty());
    }
}
