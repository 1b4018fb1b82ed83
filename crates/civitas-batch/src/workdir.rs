//! Work directories: the finished runs of a batch, kept on disk so that a batch streams
//! (nothing but one run per worker is held in memory), resumes after an interruption and
//! splits into shards that merge back.
//!
//! Layout of a work directory (`<out>/<name>.incomplete/`, or a shard's
//! `<out>/<name>.shard-<i>-of-<n>/`):
//! - `plan.json` — what the batch is: scenario hash, replicates, levers, points, shard;
//! - `scenario.toml` — the resolved scenario the points are derived from;
//! - `runs/p<point>-r<replicate>.run` — one finished run each (binary, see
//!   [`WorkDir::write_run`]), written to a temporary name and renamed, so a file with a
//!   final name is complete; it ends with a SHA-256 of everything before it (and holds the
//!   SHA-256 of its agent sample), so a damaged file is noticed: `--resume` runs it again
//!   and `merge` refuses it;
//! - `runs/p<point>-r<replicate>.agents` — the run's `agents.csv` rows (CSV without header)
//!   when the scenario asks for an agent sample, written before the `.run` file, so a
//!   finished run always has its sample;
//! - `staged/` — the output being assembled, renamed to `<out>/<name>/` when complete;
//! - `lock` — held (an OS file lock, see [`WorkLock`]) by the one process writing this
//!   batch, with its PID inside for the message the others get.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use civitas_engine::{ReplicateResult, Scope};
use civitas_scenario::{Indicator, Scenario, TickDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::BatchError;
use crate::output::agent_rows_csv;

/// Version of the work directory layout and run file format.
const WORK_FORMAT_VERSION: u32 = 2;
/// First bytes of every run file.
const RUN_MAGIC: &[u8; 8] = b"CIVRUN02";
/// Bytes of a SHA-256 digest.
const DIGEST_BYTES: u64 = 32;
/// Run file header: magic, point, replicate, seed, ticks, indicators, scopes, and the
/// SHA-256 of the run's agent sample file (zeros when there is none).
const RUN_HEADER_BYTES: u64 = 8 + 4 + 4 + 8 + 4 + 4 + 4 + DIGEST_BYTES;
const F64_BYTES: u64 = 8;
/// Digest written for a run without an agent sample.
const NO_AGENTS: [u8; 32] = [0; 32];

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
    pub replicates: u32,
    /// Lever paths, in column order.
    pub levers: Vec<String>,
    /// Lever values of each point, as exact decimal text (`{:?}` of the `f64`).
    pub points: Vec<Vec<String>>,
    /// Whether sweep points also get a `timeseries.csv`.
    pub sweep_timeseries: bool,
    pub shard: Option<Shard>,
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
            replicates,
            levers: Vec::new(),
            points: Vec::new(),
            sweep_timeseries: false,
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

/// An open work directory.
#[derive(Debug, Clone)]
pub(crate) struct WorkDir {
    pub path: PathBuf,
    pub plan: Plan,
}

pub(crate) const PLAN_FILE: &str = "plan.json";
pub(crate) const SCENARIO_FILE: &str = "scenario.toml";
pub(crate) const SHARD_FACTS_FILE: &str = "shard.json";
const RUNS_DIR: &str = "runs";
const AGENTS_EXTENSION: &str = "agents";
const STAGED_DIR: &str = "staged";
const TEMP_PREFIX: &str = ".tmp-";

/// Name of the lock file inside a work directory.
const LOCK_FILE: &str = "lock";
/// Attempts at taking a lock whose file is removed and recreated under us by a holder
/// that just finished.
const LOCK_ATTEMPTS: u32 = 100;

/// Exclusive right to write one work directory (and the output it commits to), so two
/// `civitas run` of one scenario into one `--out` cannot interleave their files.
///
/// An OS file lock (`flock` on Unix): the kernel releases it when the holder exits or is
/// killed, so a lock can never go stale. The lock file lives inside the work directory and
/// goes with it when the output is committed; a process that opened the old file before it
/// was removed notices that the path no longer names the file it locked, and tries again.
#[derive(Debug)]
pub(crate) struct WorkLock {
    _file: fs::File,
}

impl WorkLock {
    /// Takes the lock of the work directory `work` (created when absent), or fails with
    /// [`BatchError::Busy`] naming `output` and the holder's PID.
    pub fn acquire(work: &Path, output: &Path) -> Result<WorkLock, BatchError> {
        let path = work.join(LOCK_FILE);
        for _ in 0..LOCK_ATTEMPTS {
            fs::create_dir_all(work).map_err(BatchError::io(work))?;
            let mut file = match fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
            {
                Ok(f) => f,
                // The holder removed the work directory between our two calls.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(BatchError::io(&path)(e)),
            };
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(BatchError::Busy {
                        output: output.to_path_buf(),
                        pid: text.trim().parse().ok(),
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(BatchError::io(&path)(e)),
            }
            if !still_names(&path, &file) {
                continue;
            }
            file.set_len(0).map_err(BatchError::io(&path))?;
            file.write_all(std::process::id().to_string().as_bytes())
                .map_err(BatchError::io(&path))?;
            return Ok(WorkLock { _file: file });
        }
        Err(BatchError::Busy {
            output: output.to_path_buf(),
            pid: None,
        })
    }
}

/// Whether `path` still names the open `file` (not a newer file of the same name).
#[cfg(unix)]
fn still_names(path: &Path, file: &fs::File) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(path), file.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `path` still names the open `file`; elsewhere than Unix an open file cannot be
/// removed, so the name cannot have moved on.
#[cfg(not(unix))]
fn still_names(path: &Path, _file: &fs::File) -> bool {
    path.exists()
}

/// Removes everything in the work directory but its lock file.
fn clear_except_lock(dir: &Path) -> Result<(), BatchError> {
    for entry in fs::read_dir(dir).map_err(BatchError::io(dir))? {
        let entry = entry.map_err(BatchError::io(dir))?;
        if entry.file_name() == LOCK_FILE {
            continue;
        }
        let path = entry.path();
        let removed = if entry.file_type().map_err(BatchError::io(&path))?.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        removed.map_err(BatchError::io(&path))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary sibling and a rename, so `path` is either
/// absent or complete.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BatchError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!("{TEMP_PREFIX}{name}"));
    fs::write(&tmp, bytes).map_err(BatchError::io(&tmp))?;
    fs::rename(&tmp, path).map_err(BatchError::io(path))
}

fn remove_dir_if_present(path: &Path) -> Result<(), BatchError> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(BatchError::io(path)(e)),
        _ => Ok(()),
    }
}

pub(crate) fn read_plan(dir: &Path) -> Result<Plan, BatchError> {
    let path = dir.join(PLAN_FILE);
    let text = fs::read_to_string(&path).map_err(BatchError::io(&path))?;
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
    Ok(plan)
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
        let left_behind = fs::read_dir(&path)
            .is_ok_and(|mut d| d.any(|e| e.is_ok_and(|e| e.file_name() != LOCK_FILE)));
        if left_behind {
            if resume && path.join(PLAN_FILE).exists() {
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
                clear_except_lock(&path)?;
            }
        }
        fs::create_dir_all(path.join(RUNS_DIR)).map_err(BatchError::io(&path))?;
        remove_dir_if_present(&path.join(STAGED_DIR))?;
        let plan_json = serde_json::to_string_pretty(plan).expect("a plan serializes");
        write_atomically(&path.join(SCENARIO_FILE), scenario_toml.as_bytes())?;
        write_atomically(&path.join(PLAN_FILE), plan_json.as_bytes())?;
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
        fs::read_to_string(&path).map_err(BatchError::io(&path))
    }

    /// The staging directory for the final output (created empty).
    pub fn staged(&self) -> Result<PathBuf, BatchError> {
        let staged = self.path.join(STAGED_DIR);
        remove_dir_if_present(&staged)?;
        fs::create_dir_all(&staged).map_err(BatchError::io(&staged))?;
        Ok(staged)
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
                let _ = fs::remove_file(entry.path());
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
        let mut bytes =
            Vec::with_capacity((RUN_HEADER_BYTES + DIGEST_BYTES) as usize + run.values.len() * 8);
        bytes.extend_from_slice(RUN_MAGIC);
        bytes.extend_from_slice(&(point as u32).to_le_bytes());
        bytes.extend_from_slice(&run.replicate.to_le_bytes());
        bytes.extend_from_slice(&run.seed.to_le_bytes());
        for n in [run.dates.len(), Indicator::ALL.len(), run.scopes.len()] {
            bytes.extend_from_slice(&(n as u32).to_le_bytes());
        }
        bytes.extend_from_slice(&agents_digest.unwrap_or(NO_AGENTS));
        for v in &run.values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        let digest = Sha256::digest(&bytes);
        bytes.extend_from_slice(&digest);
        write_atomically(&path, &bytes)
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
        let text = fs::read_to_string(self.path.join(SHARD_FACTS_FILE)).ok()?;
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

fn describe_difference(found: &Plan, wanted: &Plan) -> String {
    if found.replicates != wanted.replicates {
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

/// A run file opened for reading, its shape checked against the point's scenario.
pub(crate) struct RunReader {
    path: PathBuf,
    file: BufReader<fs::File>,
    replicate: u32,
    seed: u64,
    cells_per_tick: usize,
    ticks: usize,
    /// File length in bytes.
    len: u64,
}

impl RunReader {
    /// Opens `path`, expecting `ticks` ticks and `scopes` scopes; checks the shape and
    /// length, not the checksum (see [`RunReader::open_verified`]).
    pub fn open(path: &Path, ticks: usize, scopes: usize) -> Result<RunReader, BatchError> {
        Ok(Self::open_inner(path, ticks, scopes)?.0)
    }

    /// Opens `path` like [`RunReader::open`] and checks the file's SHA-256 and that of its
    /// agent sample: a byte changed since the run was written is reported as corrupt.
    pub fn open_verified(
        path: &Path,
        ticks: usize,
        scopes: usize,
    ) -> Result<RunReader, BatchError> {
        let (mut reader, agents_digest) = Self::open_inner(path, ticks, scopes)?;
        let damaged = |what: &str| {
            BatchError::corrupt(
                path,
                format!(
                    "checksum mismatch: {what} changed or was damaged after the run was written"
                ),
            )
        };
        let body_len = reader.len - DIGEST_BYTES;
        reader
            .file
            .seek(SeekFrom::Start(0))
            .map_err(BatchError::io(path))?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut (&mut reader.file).take(body_len), &mut hasher)
            .map_err(BatchError::io(path))?;
        let mut stored = [0u8; DIGEST_BYTES as usize];
        reader
            .file
            .read_exact(&mut stored)
            .map_err(BatchError::io(path))?;
        if hasher.finalize().as_slice() != stored {
            return Err(damaged("the run file"));
        }
        if agents_digest != NO_AGENTS {
            let sample = agents_path(path);
            let mut file = fs::File::open(&sample).map_err(BatchError::io(&sample))?;
            let mut hasher = Sha256::new();
            std::io::copy(&mut file, &mut hasher).map_err(BatchError::io(&sample))?;
            if hasher.finalize().as_slice() != agents_digest {
                return Err(damaged(&format!("its agent sample {}", sample.display())));
            }
        }
        Ok(reader)
    }

    fn open_inner(
        path: &Path,
        ticks: usize,
        scopes: usize,
    ) -> Result<(RunReader, [u8; 32]), BatchError> {
        let file = fs::File::open(path).map_err(BatchError::io(path))?;
        let len = file.metadata().map_err(BatchError::io(path))?.len();
        let mut file = BufReader::new(file);
        let mut header = [0u8; RUN_HEADER_BYTES as usize];
        file.read_exact(&mut header)
            .map_err(|_| BatchError::corrupt(path, "run file too short"))?;
        let u32_at = |i: usize| u32::from_le_bytes(header[i..i + 4].try_into().expect("4 bytes"));
        if &header[..8] != RUN_MAGIC {
            return Err(BatchError::corrupt(
                path,
                "not a Civitas run file of this version",
            ));
        }
        let replicate = u32_at(12);
        let seed = u64::from_le_bytes(header[16..24].try_into().expect("8 bytes"));
        let shape = (
            u32_at(24) as usize,
            u32_at(28) as usize,
            u32_at(32) as usize,
        );
        let agents_digest: [u8; 32] = header[36..68].try_into().expect("32 bytes");
        if shape != (ticks, Indicator::ALL.len(), scopes) {
            return Err(BatchError::corrupt(
                path,
                format!(
                    "holds {}×{}×{} values, the scenario has {ticks} ticks × {} indicators × {scopes} scopes",
                    shape.0,
                    shape.1,
                    shape.2,
                    Indicator::ALL.len()
                ),
            ));
        }
        let cells_per_tick = Indicator::ALL.len() * scopes;
        if len != RUN_HEADER_BYTES + (ticks * cells_per_tick) as u64 * F64_BYTES + DIGEST_BYTES {
            return Err(BatchError::corrupt(path, "run file has the wrong length"));
        }
        Ok((
            RunReader {
                path: path.to_path_buf(),
                file,
                replicate,
                seed,
                cells_per_tick,
                ticks,
                len,
            },
            agents_digest,
        ))
    }

    /// Reads the values of ticks `first..first + count` into `out` (tick-major, then
    /// indicator, then scope — the layout of [`ReplicateResult::values`]).
    pub fn read_ticks(
        &mut self,
        first: usize,
        count: usize,
        out: &mut Vec<f64>,
    ) -> Result<(), BatchError> {
        debug_assert!(first + count <= self.ticks);
        let offset = RUN_HEADER_BYTES + (first * self.cells_per_tick) as u64 * F64_BYTES;
        self.file
            .seek(SeekFrom::Start(offset))
            .map_err(BatchError::io(&self.path))?;
        let mut bytes = vec![0u8; count * self.cells_per_tick * F64_BYTES as usize];
        self.file
            .read_exact(&mut bytes)
            .map_err(BatchError::io(&self.path))?;
        out.clear();
        out.extend(
            bytes
                .chunks_exact(F64_BYTES as usize)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))),
        );
        Ok(())
    }

    /// The whole run as a [`ReplicateResult`].
    pub fn read_all(
        mut self,
        dates: &[TickDate],
        scopes: &[Scope],
    ) -> Result<ReplicateResult, BatchError> {
        let mut run =
            ReplicateResult::empty(self.replicate, self.seed, dates.to_vec(), scopes.to_vec());
        let ticks = self.ticks;
        self.read_ticks(0, ticks, &mut run.values)?;
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn run_files_round_trip_and_reject_other_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let scenario = civitas_scenario::Scenario::baseline();
        let plan = Plan::new(BatchKind::Run, "x".into(), "h".into(), 2);
        let work = WorkDir::open(dir.path().join("w"), &plan, "", false, &crate::Silent).unwrap();
        let dates = scenario.scenario.tick_dates();
        let scopes = Scope::all(&scenario);
        let mut run = ReplicateResult::empty(1, 99, dates.clone(), scopes.clone());
        for (i, v) in run.values.iter_mut().enumerate() {
            *v = i as f64 * 0.5;
        }
        work.write_run(0, &run, None).unwrap();
        let finished = work.finished().unwrap();
        assert_eq!(finished.keys().copied().collect::<Vec<_>>(), vec![(0, 1)]);
        let back = RunReader::open(&finished[&(0, 1)], dates.len(), scopes.len())
            .unwrap()
            .read_all(&dates, &scopes)
            .unwrap();
        assert_eq!(back, run);
        assert!(RunReader::open(&finished[&(0, 1)], dates.len() - 1, scopes.len()).is_err());
    }

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
