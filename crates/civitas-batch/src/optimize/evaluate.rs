//! Evaluating candidates: a candidate's allocation run on a block of replicates, each
//! replicate's target values kept, every evaluation stored as it finishes so that an
//! interrupted search resumes by replaying itself.
//!
//! A block is the scenario's replicates under one seed: block 0 uses the scenario's own
//! seed (so block 0 of a candidate is exactly `civitas run` of its allocation), block *b*
//! the seed [`block_seed`]. Replicate *r* of a block draws the same `[[uncertainty]]`
//! values and random streams for every candidate (common random numbers), so two
//! candidates are compared pair by pair.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use civitas_engine::{EngineOptions, simulate};
use civitas_results::owned;
use civitas_scenario::{MAX_SEED, Scenario};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::BatchError;
use crate::sweep::apply_levers;
use crate::targets::TargetProbe;
use crate::uncertainty::ParameterDraws;

use super::variables::Variable;

/// Target values of one candidate on one block: `values[replicate][target]`.
pub type BlockValues = Vec<Vec<f64>>;

/// The seed of block `block` of a search whose scenario seed is `seed`: block 0 is the
/// seed itself; others step by a large prime, within the seeds a scenario may have.
pub fn block_seed(seed: u64, block: u32) -> u64 {
    if block == 0 {
        return seed;
    }
    seed.wrapping_add(u64::from(block).wrapping_mul(1_000_003)) % (MAX_SEED + 1)
}

/// Largest evaluation file read back (a block of at most a few thousand replicates).
const EVALUATION_FILE_LIMIT: u64 = 64 << 20;
/// First line of an evaluation file.
const EVALUATION_HEADER: &str = "civitas-optimize-evaluation 1";
/// Extension of an evaluation file in the search folder.
pub(crate) const EVALUATION_EXT: &str = "eval";

/// The folder of a search's finished evaluations.
#[derive(Debug)]
pub(crate) struct Store {
    dir: PathBuf,
    /// Hash of everything that makes an evaluation (scenario, variables, replicates):
    /// part of each file's name, so a file of another search never matches.
    identity: String,
    /// First line of each file: what wrote it.
    header: &'static str,
}

impl Store {
    pub(crate) fn new(dir: PathBuf, identity: String) -> Store {
        Store::with_header(dir, identity, EVALUATION_HEADER)
    }

    /// A store whose files start with `header` (another tool's evaluations).
    pub(crate) fn with_header(dir: PathBuf, identity: String, header: &'static str) -> Store {
        Store {
            dir,
            identity,
            header,
        }
    }

    fn candidate_line(x: &[f64], block: u32) -> String {
        let values: Vec<String> = x.iter().map(|v| format!("{v:?}")).collect();
        format!("candidate {}\nblock {block}\n", values.join(","))
    }

    fn path(&self, x: &[f64], block: u32) -> PathBuf {
        let key = format!("{}\n{}", self.identity, Self::candidate_line(x, block));
        let digest = Sha256::digest(key.as_bytes());
        let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{name}.{EVALUATION_EXT}"))
    }

    /// The stored evaluation, when there is a whole one for exactly this candidate and
    /// block (a damaged file counts as none and is run again).
    pub(crate) fn load(
        &self,
        x: &[f64],
        block: u32,
        replicates: u32,
        targets: usize,
    ) -> Option<BlockValues> {
        let path = self.path(x, block);
        if !owned::exists(&path) {
            return None;
        }
        let text = owned::read_text(&path, EVALUATION_FILE_LIMIT).ok()?;
        let (body, sum) = text.rsplit_once("sha256 ")?;
        if hex_digest(body) != sum.trim_end() {
            return None;
        }
        let expected = format!("{}\n{}", self.header, Self::candidate_line(x, block));
        let rows = body.strip_prefix(&expected)?;
        let values: BlockValues = rows
            .lines()
            .map(|line| {
                line.split(',')
                    .map(|v| v.parse::<f64>().ok())
                    .collect::<Option<Vec<f64>>>()
            })
            .collect::<Option<_>>()?;
        let whole =
            values.len() == replicates as usize && values.iter().all(|r| r.len() == targets);
        whole.then_some(values)
    }

    pub(crate) fn save(
        &self,
        x: &[f64],
        block: u32,
        values: &BlockValues,
    ) -> Result<(), BatchError> {
        let mut body = format!("{}\n{}", self.header, Self::candidate_line(x, block));
        for row in values {
            let cells: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
            body.push_str(&cells.join(","));
            body.push('\n');
        }
        let sum = hex_digest(&body);
        body.push_str("sha256 ");
        body.push_str(&sum);
        body.push('\n');
        Ok(owned::write_file(&self.path(x, block), body.as_bytes())?)
    }
}

impl Store {
    /// Each item's values (its key: candidate and block), from this store or one of
    /// `lookups` when a whole one is there, else run now by `run(item)` on `pool` and
    /// saved here, for the items `wanted` selects; `None` for an item neither stored nor
    /// wanted (another shard's). `rows` and `width` are the shape of a whole entry.
    pub(crate) fn load_or_run(
        &self,
        lookups: &[Store],
        pool: &rayon::ThreadPool,
        keys: &[(&[f64], u32)],
        (rows, width): (u32, usize),
        wanted: impl Fn(usize) -> bool,
        run: impl Fn(usize) -> Result<BlockValues, BatchError> + Sync,
    ) -> Result<Vec<Option<BlockValues>>, BatchError> {
        let mut found: Vec<Option<BlockValues>> = keys
            .iter()
            .map(|&(x, block)| {
                std::iter::once(self)
                    .chain(lookups)
                    .find_map(|s| s.load(x, block, rows, width))
            })
            .collect();
        let missing: Vec<usize> = (0..keys.len())
            .filter(|&i| found[i].is_none() && wanted(i))
            .collect();
        let computed: Vec<(usize, BlockValues)> = pool.install(|| {
            missing
                .par_iter()
                .map(|&i| {
                    let values = run(i)?;
                    let (x, block) = keys[i];
                    self.save(x, block, &values)?;
                    Ok((i, values))
                })
                .collect::<Result<Vec<_>, BatchError>>()
        })?;
        for (i, values) in computed {
            found[i] = Some(values);
        }
        Ok(found)
    }
}

fn hex_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs candidates on blocks of replicates.
pub(crate) struct Evaluator<'a> {
    pub(crate) base: &'a Scenario,
    pub(crate) vars: &'a [Variable],
    pub(crate) probes: Vec<TargetProbe>,
    pub(crate) replicates: u32,
    pub(crate) uncertainty: bool,
    pub(crate) store: Store,
    pub(crate) pool: rayon::ThreadPool,
    /// Called with the number of replicates run, as each candidate finishes.
    pub(crate) progress: &'a (dyn Fn(u64) + Sync),
}

impl Evaluator<'_> {
    /// The scenario of allocation `x` on `block`: the levers set, the block's seed and
    /// this search's replicate count.
    pub(crate) fn scenario(&self, x: &[f64], block: u32) -> Result<Scenario, BatchError> {
        let levers: Vec<_> = self.vars.iter().map(|v| v.lever.clone()).collect();
        let mut s = apply_levers(self.base, &levers, x)?;
        s.scenario.seed = block_seed(self.base.scenario.seed, block);
        s.scenario.replicates = self.replicates;
        Ok(s)
    }

    /// Each item's values (allocation, block), from the store or run now, in parallel.
    pub(crate) fn evaluate(
        &self,
        items: &[(Vec<f64>, u32)],
    ) -> Result<Vec<BlockValues>, BatchError> {
        let targets = self.probes.len();
        let keys: Vec<(&[f64], u32)> = items.iter().map(|(x, b)| (x.as_slice(), *b)).collect();
        let mut draws: BTreeMap<u32, Option<ParameterDraws>> = BTreeMap::new();
        // Each block's parameter draws (the same for every candidate: only the levers
        // differ, and the priors do not name them).
        for (x, block) in items {
            if let std::collections::btree_map::Entry::Vacant(slot) = draws.entry(*block) {
                let s = self.scenario(x, *block)?;
                slot.insert(if self.uncertainty {
                    ParameterDraws::of(&s)?
                } else {
                    None
                });
            }
        }
        let found = self.store.load_or_run(
            &[],
            &self.pool,
            &keys,
            (self.replicates, targets),
            |_| true,
            |i| {
                let (x, block) = &items[i];
                let scenario = self.scenario(x, *block)?;
                let draws = draws.get(block).and_then(Option::as_ref);
                let values = (0..self.replicates)
                    .into_par_iter()
                    .map(|r| self.replicate(&scenario, draws, r))
                    .collect::<Result<BlockValues, BatchError>>()?;
                (self.progress)(u64::from(self.replicates));
                Ok(values)
            },
        )?;
        Ok(found.into_iter().map(Option::unwrap_or_default).collect())
    }

    fn replicate(
        &self,
        scenario: &Scenario,
        draws: Option<&ParameterDraws>,
        r: u32,
    ) -> Result<Vec<f64>, BatchError> {
        let drawn;
        let s = match draws {
            Some(d) => {
                drawn = d.apply(scenario, r)?;
                &drawn
            }
            None => scenario,
        };
        let run = simulate(s, r, &EngineOptions::default());
        Ok(self.probes.iter().map(|p| p.value(&run)).collect())
    }
}

/// Whether `path` is a file this search folder may hold (and clear): evaluations, the
/// search's description, and temporaries of either.
pub(crate) fn is_search_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let stem_ok = |n: &str| {
        n == super::SEARCH_JSON
            || n.strip_suffix(&format!(".{EVALUATION_EXT}"))
                .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    stem_ok(name)
        || name.strip_prefix(owned::TEMP_PREFIX).is_some_and(|rest| {
            rest.ends_with(&format!(".{EVALUATION_EXT}")) || rest.ends_with(super::SEARCH_JSON)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_evaluations_read_back_exactly_and_damage_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf(), "id".into());
        let x = [1.5e8, 0.1 + 0.2];
        let values = vec![vec![0.9, f64::NAN], vec![1.0 / 3.0, 2.0]];
        store.save(&x, 3, &values).unwrap();
        let back = store.load(&x, 3, 2, 2).unwrap();
        assert_eq!(format!("{back:?}"), format!("{values:?}"));
        assert!(store.load(&x, 4, 2, 2).is_none());
        assert!(store.load(&x, 3, 3, 2).is_none());
        let path = store.path(&x, 3);
        assert!(is_search_file(&path));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("2.0", "2.5")).unwrap();
        assert!(store.load(&x, 3, 2, 2).is_none());
    }

    #[test]
    fn block_zero_is_the_scenario_seed() {
        assert_eq!(block_seed(42, 0), 42);
        assert_ne!(block_seed(42, 1), 42);
        assert!(block_seed(MAX_SEED, 7) <= MAX_SEED);
    }
}
