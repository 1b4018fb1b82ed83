//! The run file format (`runs/p<point>-r<replicate>.run`): a header (magic, point,
//! replicate, seed, shape, the SHA-256 of the agent sample), the values tick-major as
//! little-endian `f64`, and a SHA-256 of everything before it.

use std::fs;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use civitas_engine::{ReplicateResult, Scope};
use civitas_scenario::{Indicator, TickDate};
use sha2::{Digest, Sha256};

use civitas_results::owned;

use super::agents_path;
use crate::error::BatchError;

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

/// The bytes of the run file of `run` at `point`: header, values, then the SHA-256 of
/// both. `agents_digest` is that of the run's agent sample, when it has one.
pub(super) fn encode(
    point: usize,
    run: &ReplicateResult,
    agents_digest: Option<[u8; 32]>,
) -> Vec<u8> {
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
    bytes
}

/// Reads the run file at `path` as `merge` does (shape, length, checksum, agent sample)
/// and returns its values, for fuzzing the reader; the shape is `ticks` ticks of every
/// indicator in `scopes` scopes.
#[doc(hidden)]
pub fn read_run_file(path: &Path, ticks: usize, scopes: usize) -> Result<Vec<f64>, BatchError> {
    let mut reader = RunReader::open_verified(path, ticks, scopes)?;
    let mut values = Vec::new();
    reader.read_ticks(0, ticks, &mut values)?;
    Ok(values)
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
            let mut file = owned::open_regular(&sample)?;
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
        let file = owned::open_regular(path)?;
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
    use crate::workdir::{BatchKind, Plan, WorkDir};

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
}
