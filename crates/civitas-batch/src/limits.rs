//! The resource check a batch passes before it allocates anything: its memory estimated
//! from the scenario and the run plan, against a limit derived from the machine (or
//! given with `--max-memory`), and sane bounds on threads, sweep points and runs.
//!
//! The estimate is deliberately simple and on the high side: what one replicate holds
//! per resident (measured, see [`BYTES_PER_RESIDENT`]) times the most residents it can
//! hold at once, times the replicates running at once, plus the per-run bookkeeping of
//! the batch and the tables of its results.

use std::fmt;

use civitas_engine::Scope;
use civitas_scenario::{Indicator, Scenario};

use crate::error::BatchError;

/// Most worker threads a batch starts (more than any machine's cores; a million threads
/// would take minutes only to start).
pub const MAX_THREADS: usize = 1024;

/// Most points of one sweep.
pub const MAX_SWEEP_POINTS: usize = 100_000;

/// Most runs (points × replicates) of one batch.
pub const MAX_RUNS: u64 = 10_000_000;

/// Memory one resident takes in a replicate's world, counted per resident the replicate
/// can hold at once ([`civitas_engine::most_agents`]: the peak of the expected population
/// over the horizon and six standard deviations of chance; bevy's entity index is sized
/// for them at the start): its component and change ticks in bevy's table (28 bytes), bevy's own
/// rows and index entry (about 57 bytes with the room on bevy's free list), the per-chunk
/// tallies and the allocator's slack. Measured by `civitas bench` as peak resident set
/// over that count (baseline, 84 months, one replicate, one thread, with the count from
/// the expected population: 90 bytes at 100,000 agents, 79 at 1,000,000, 78 at
/// 5,000,000, with the 20-byte `Resident`), with a quarter of headroom for the model
/// growing. 120 while a resident took 32 bytes.
pub const BYTES_PER_RESIDENT: u64 = 100;

/// Memory of assembling a run's outputs per district of its scenario: the by-district
/// series of the summary, the plots and the report. Measured as the peak resident set of
/// `civitas run --agents 20000` of the baseline with its districts replaced by 1,000 and
/// by 3,000 equal ones: 113 and 267 MiB against 21 MiB with 8 districts, about 90 KiB a
/// district whatever the replicates (129 and 269 MiB with 3), with a fifth of headroom.
/// 768 KiB until the by-district figures drew at most 24 panels (653 and 1,875 MiB then).
const OUTPUT_BYTES_PER_DISTRICT: u64 = 112 << 10;

/// Memory of the batch around the simulations: the binary, thread stacks, rayon, buffers.
const BASE_BYTES: u64 = 64 << 20;

/// Bookkeeping per run of the batch: the lists of runs to do and finished runs with their
/// file paths.
const BYTES_PER_RUN: u64 = 256;

/// Share of the machine's available memory a batch may plan to use.
const SHARE_OF_AVAILABLE_MEMORY: f64 = 0.8;

/// Memory assumed where the machine's cannot be read.
const FALLBACK_MEMORY_BYTES: u64 = 4 << 30;

/// A byte count printed in binary units: `1.5 GiB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        let mut value = self.0 as f64;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < units.len() {
            value /= 1024.0;
            unit += 1;
        }
        if unit == 0 {
            write!(f, "{} bytes", self.0)
        } else {
            write!(f, "{value:.1} {}", units[unit])
        }
    }
}

impl std::str::FromStr for Bytes {
    type Err = String;

    /// `512M`, `8G`, `1.5GiB`, `1000000` (bytes); K, M, G, T are powers of 1024.
    fn from_str(text: &str) -> Result<Bytes, String> {
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let number: f64 = number
            .parse()
            .map_err(|_| format!("`{text}` is not a size; expected e.g. 512M, 8G or 16GiB"))?;
        let shift = match unit
            .trim()
            .to_ascii_uppercase()
            .trim_end_matches("IB")
            .trim_end_matches('B')
        {
            "" => 0,
            "K" => 10,
            "M" => 20,
            "G" => 30,
            "T" => 40,
            _ => return Err(format!("`{text}`: unknown unit; expected K, M, G or T")),
        };
        let bytes = number * (1u64 << shift) as f64;
        if !(bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64) {
            return Err(format!("`{text}` is not a usable memory size"));
        }
        Ok(Bytes(bytes as u64))
    }
}

/// The memory a batch may use: `--max-memory`, or a share of what the machine has available.
pub fn memory_limit(max_memory: Option<Bytes>) -> (Bytes, &'static str) {
    match max_memory {
        Some(b) => (b, "--max-memory"),
        None => {
            let available = available_memory().unwrap_or(FALLBACK_MEMORY_BYTES);
            (
                Bytes((available as f64 * SHARE_OF_AVAILABLE_MEMORY) as u64),
                "80 % of the memory available on this machine; --max-memory overrides it",
            )
        }
    }
}

/// Memory available to new work (Linux: `MemAvailable`, capped by a cgroup limit).
fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    let mut bytes = kib.saturating_mul(1024);
    if let Ok(text) = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        && let Ok(cap) = text.trim().parse::<u64>()
    {
        bytes = bytes.min(cap);
    }
    Some(bytes)
}

/// What a batch will hold in memory, part by part.
#[derive(Debug, Clone)]
pub struct MemoryEstimate {
    /// Agents per replicate (the largest over sweep points).
    pub agents: u64,
    /// Replicates running at once.
    pub concurrent: u64,
    /// Bytes of one running replicate.
    pub per_replicate: u64,
    /// Runs of the batch (points × replicates).
    pub runs: u64,
    /// Bytes of the per-run bookkeeping and of the result tables.
    pub tables: u64,
}

impl MemoryEstimate {
    /// Estimates the memory of running `runs` runs of `scenarios` (one per point) on
    /// `threads` threads, with `replicates` replicates per point.
    pub fn of(scenarios: &[Scenario], replicates: u32, runs: u64, threads: usize) -> Self {
        let mut per_replicate = 0u64;
        let mut agents = 0u64;
        let mut tables = 0u64;
        for s in scenarios {
            let ticks = s.scenario.tick_dates().len() as u64;
            let cells = (Indicator::ALL.len() * Scope::all(s).len()) as u64;
            let series = ticks.saturating_mul(cells).saturating_mul(8);
            // The run's values, its file bytes, and the agent sample's rows (about 100
            // bytes of CSV per resident and tick).
            let sample = u64::from(s.outputs.agent_sample)
                .min(s.population.agents)
                .saturating_mul(ticks)
                .saturating_mul(100);
            let most = civitas_engine::most_agents(s);
            // Each chunk of residents keeps tallies per cell and department: small for a
            // few districts, the larger part of a replicate for thousands.
            let chunks = most.div_ceil(civitas_engine::chunk_residents_of(s) as u64);
            let one = most
                .saturating_mul(BYTES_PER_RESIDENT)
                .saturating_add(chunks.saturating_mul(civitas_engine::chunk_tally_bytes(s)))
                .saturating_add(series.saturating_mul(2))
                .saturating_add(sample);
            per_replicate = per_replicate.max(one);
            agents = agents.max(s.population.agents);
            // Assembling: one block of at least one tick per replicate, the summary table
            // (mean, p5, p50, p95) and each target's value per replicate.
            let assembling = u64::from(replicates)
                .saturating_mul(cells * 8 + 8 * s.targets.len() as u64)
                .saturating_add(series.saturating_mul(4))
                .saturating_add(
                    (s.population.districts.len() as u64).saturating_mul(OUTPUT_BYTES_PER_DISTRICT),
                );
            tables = tables.max(assembling);
        }
        tables = tables.saturating_add(runs.saturating_mul(BYTES_PER_RUN));
        let concurrent = (threads as u64).min(runs).max(1);
        MemoryEstimate {
            agents,
            concurrent,
            per_replicate,
            runs,
            tables,
        }
    }

    /// Total bytes.
    pub fn total(&self) -> u64 {
        BASE_BYTES
            .saturating_add(self.per_replicate.saturating_mul(self.concurrent))
            .saturating_add(self.tables)
    }

    /// Fails with the estimate, the limit and what to change when the batch does not fit.
    pub fn check(&self, limit: Bytes, limit_source: &str) -> Result<(), BatchError> {
        if self.total() <= limit.0 {
            return Ok(());
        }
        Err(BatchError::TooBig(format!(
            "this batch needs about {} of memory ({} replicate{} at once × {} each for {} agents, \
             plus {} for {} runs' bookkeeping and results), more than the {} allowed ({limit_source}); \
             use fewer agents (--agents, keeping the represented population), fewer threads \
             (--threads: fewer replicates at once), fewer replicates or sweep points, \
             fewer districts (each adds its series, plots and report sections to the results), \
             or raise --max-memory",
            Bytes(self.total()),
            self.concurrent,
            if self.concurrent == 1 { "" } else { "s" },
            Bytes(self.per_replicate),
            self.agents,
            Bytes(self.tables),
            self.runs,
            limit,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_binary_units() {
        assert_eq!("512M".parse::<Bytes>(), Ok(Bytes(512 << 20)));
        assert_eq!("8G".parse::<Bytes>(), Ok(Bytes(8 << 30)));
        assert_eq!("1.5GiB".parse::<Bytes>(), Ok(Bytes(3 << 29)));
        assert_eq!("1000".parse::<Bytes>(), Ok(Bytes(1000)));
        assert!("lots".parse::<Bytes>().is_err());
        assert!("0".parse::<Bytes>().is_err());
        assert!("5X".parse::<Bytes>().is_err());
        assert_eq!(Bytes(3 << 29).to_string(), "1.5 GiB");
    }

    /// The baseline with `agents` agents in `n` districts of equal share.
    fn with_districts(n: usize, agents: u64) -> Scenario {
        let mut s = Scenario::baseline();
        s.population.agents = agents;
        let first = s.population.districts[0].clone();
        s.population.districts = (0..n)
            .map(|i| civitas_scenario::District {
                name: format!("d{i}"),
                share: 1.0 / n as f64,
                commute_minutes: None,
                ..first.clone()
            })
            .collect();
        s
    }

    /// Every chunk of residents keeps tallies per district × band cell (chunks grow with
    /// the cells, so they cost at most a few bytes per resident): the estimate counts them.
    #[test]
    fn a_replicate_is_reserved_memory_for_its_chunks_tallies_per_district() {
        let (few, many) = (
            with_districts(8, 1_000_000),
            with_districts(10_000, 1_000_000),
        );
        let per_replicate =
            |s: &Scenario| MemoryEstimate::of(std::slice::from_ref(s), 1, 1, 1).per_replicate;
        let chunks = civitas_engine::most_agents(&many)
            .div_ceil(civitas_engine::chunk_residents_of(&many) as u64);
        // At least a census tally (72 bytes) per cell of every chunk.
        let tallies = chunks * 30_000 * 72;
        assert!(per_replicate(&many) >= per_replicate(&few) + tallies);
        // Seven districts more cost under 2 bytes per resident, their indicator series
        // included.
        let mut bare = few.clone();
        bare.population.districts.truncate(1);
        bare.population.districts[0].share = 1.0;
        let few_cells = per_replicate(&few) - per_replicate(&bare);
        assert!(few_cells < 2_000_000, "{few_cells}");
    }

    /// Runs of 1,000 and 3,000 districts and 20,000 agents peaked at 113 and 267 MiB (their
    /// outputs, see `OUTPUT_BYTES_PER_DISTRICT`); the check must not reserve less.
    #[test]
    fn a_run_of_many_districts_is_reserved_what_its_outputs_were_measured_to_take() {
        for (districts, peak_mib) in [(1_000, 113), (3_000, 267)] {
            let scenario = with_districts(districts, 20_000);
            let reserved = MemoryEstimate::of(&[scenario], 1, 1, 2).total();
            assert!(reserved >= peak_mib << 20, "{districts}: {reserved}");
        }
        let baseline = MemoryEstimate::of(&[Scenario::baseline()], 1, 1, 2).total();
        assert!(baseline < 400 << 20, "{baseline}");
    }

    #[test]
    fn a_trillion_agents_do_not_fit_and_the_message_says_why() {
        let mut s = Scenario::baseline();
        s.population.agents = 1_000_000_000_000;
        let e = MemoryEstimate::of(&[s], 20, 20, 2);
        let err = e.check(Bytes(16 << 30), "test").unwrap_err().to_string();
        assert!(err.contains("2 replicates at once"), "{err}");
        assert!(err.contains("--agents"), "{err}");
        let baseline = MemoryEstimate::of(&[Scenario::baseline()], 20, 20, 2);
        assert!(baseline.check(Bytes(1 << 30), "test").is_ok());
    }

    /// A replicate is reserved memory for the most residents it can hold at once: its
    /// starting agents where nobody enters, and more the more residents enter over the
    /// horizon (the population grows into them).
    #[test]
    fn a_replicate_is_reserved_memory_for_its_entrants_too() {
        let per_replicate = |entrants_per_year: f64| {
            let mut s = Scenario::baseline();
            s.population.agents = 1_000_000;
            s.population.demography.entrants_per_year = entrants_per_year;
            MemoryEstimate::of(&[s], 1, 1, 1).per_replicate
        };
        let (closed, baseline, more) = (
            per_replicate(0.0),
            per_replicate(0.0135),
            per_replicate(0.03),
        );
        assert!(closed >= 1_000_000 * BYTES_PER_RESIDENT, "{closed}");
        // 84 months of 1.35 % a year entering, less the deaths: the baseline grows about
        // 2 % (every entrant as if nobody died would be 9.45 %).
        let grown = baseline as f64 / closed as f64;
        assert!((1.015..1.03).contains(&grown), "{grown}");
        assert!(more > baseline, "{more} {baseline}");
    }
}
