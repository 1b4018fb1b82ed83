//! `civitas bench`: the engine's speed, parallel efficiency and memory on the baseline
//! city, measured (not estimated) at several sizes.
//!
//! For each number of agents, one fresh process (`civitas bench` starts a child per size,
//! so that each peak resident set is its own) runs, in this order:
//! 1. **one core**: replicate 0 on a rayon pool of one thread; wall time of the ticks
//!    (set-up excluded) gives resident-ticks per second per core (agents × ticks / s),
//!    and the time of each stage of the tick (the engine's `schedule`); the set-up
//!    (building the world) is timed on its own;
//! 2. **memory**: the peak resident set of that run, less the resident set before the
//!    world was built, per agent (Linux: the peak is reset through
//!    `/proc/self/clear_refs` before each size);
//! 3. **one replicate on all threads** (a pool of `threads`), right after the one-core
//!    run: parallel efficiency `t₁ / (threads · tₙ)`;
//! 4. **independent replicates**: `threads` replicates at once on `threads` threads,
//!    right after that, set-up included, efficiency `t₁ / tₙ` with `t₁` one whole
//!    replicate alone (each thread does the work of one core);
//! 5. **mechanisms**: the same replicate again with the resident pass profiled step by
//!    step ([`civitas_engine::STEPS`]; its outputs are identical), so the share of
//!    tick time of each mechanism is measured, not guessed;
//! 6. **reference**: the same replicate again; every 12th tick the residents are copied
//!    into plain vectors and [`civitas_engine::Reference`] runs that tick's
//!    pass over them in one loop; the ratio is the engine's pass time over the
//!    reference's for the same ticks. The loop is also timed without its census step
//!    on copies of the same residents: the difference is what indicator collection
//!    costs the fused pass (`indicator_share_fused`; the step-by-step profile of 5
//!    charges the census a loop of its own).
//!
//! When a one-core run takes under 30 s, 1, 3 and 4 are taken in three rounds: the
//! fastest one-core run gives the speed, and each efficiency is the median of its three
//! rounds' ratios (the two sides of a ratio timed back to back, so a slow spell of a
//! shared machine falls on both). They are ratios taken in one process on one machine;
//! compare them only with figures from the same machine.

use civitas_engine::{BareEntities, Reference};
use civitas_engine::{EngineOptions, Simulation};
use civitas_scenario::Scenario;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Every how many ticks the reference is sampled.
const REFERENCE_EVERY_TICKS: usize = 12;

/// A one-core run shorter than this is repeated, with the parallel runs, in [`REPEATS`]
/// rounds: short runs are the ones a passing hiccup of the machine distorts most, and
/// the headline size (5M agents, 12–15 s set-up included on the development machine)
/// should not get one round or three depending on the machine's mood.
const REPEAT_BELOW_SECONDS: f64 = 30.0;

/// Rounds of short timings.
const REPEATS: usize = 3;

/// Runs of the reference loop with and without its census at each sampled tick: the
/// census's share is a difference of two times, so it takes more runs to steady.
const CENSUS_REPEATS: usize = 5;

/// The measurements at one size.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SizeResult {
    /// Resident agents at the start.
    pub agents: u64,
    /// Ticks simulated.
    pub ticks: usize,
    /// Wall seconds of the ticks on one thread.
    pub seconds_one_core: f64,
    /// Wall seconds of building the world on one thread, in the same run (synthesis,
    /// spawning, steady-state start): with `seconds_one_core`, a whole replicate.
    #[serde(default)]
    pub setup_seconds_one_core: f64,
    /// agents × ticks / seconds on one thread.
    pub resident_ticks_per_second_per_core: f64,
    /// Peak resident set of the one-core run, bytes (`None` where unreadable).
    pub peak_rss_bytes: Option<u64>,
    /// (peak − resident set before the world) / agents.
    pub bytes_per_resident: Option<f64>,
    /// Share of tick time per mechanism (stages of the tick, the resident pass split into
    /// its steps), summing to 1.
    pub shares: Vec<(String, f64)>,
    /// Share of tick time spent collecting indicators (census step and stage, metrics),
    /// with the census step timed step by step (see `shares`).
    pub indicator_share: f64,
    /// The same share with the census step's cost in the fused pass: its share of the
    /// reference loop (timed with and without it) times the pass's share of the tick,
    /// plus the census and indicator stages.
    #[serde(default)]
    pub indicator_share_fused: f64,
    /// Engine pass time / reference loop time, same ticks and residents.
    pub reference_ratio: f64,
    /// Threads of the parallel runs.
    pub threads: usize,
    /// One replicate on `threads` threads: t₁ / (threads · tₙ).
    pub parallel_efficiency_one_replicate: f64,
    /// `threads` replicates on `threads` threads: t₁ / tₙ.
    pub parallel_efficiency_replicates: f64,
}

/// What `civitas bench` measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchReport {
    /// Worker threads of the parallel runs.
    pub threads: usize,
    /// Bytes bevy keeps per bare entity (one 4-byte component), measured at the largest
    /// size: the floor under any one-entity-per-resident design.
    pub bare_entity_bytes: Option<f64>,
    /// One entry per size, in the order asked.
    pub sizes: Vec<SizeResult>,
}

/// Current and peak resident set of this process, bytes (Linux `/proc/self/status`).
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |key: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Resets the peak resident set to the current one (Linux ≥ 4.0; ignored elsewhere).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool of a checked thread count starts")
}

/// Wall times of one replicate.
struct Timing {
    /// Building the world (synthesis, steady-state start).
    setup: f64,
    /// The ticks.
    ticks: f64,
    /// Names of the tick's stages.
    names: Vec<&'static str>,
    /// Seconds per stage, then (when profiled) per step of the resident pass.
    stages: Vec<f64>,
}

/// One round of the parallel timings.
struct Round {
    /// The one-core run.
    t1: Timing,
    /// Its ticks over `threads` × those of one replicate on all threads.
    one_replicate: f64,
    /// It, set-up included, over `threads` replicates at once.
    replicates: f64,
}

/// The median of `values` (the mean of the middle two of an even count; NaN of none).
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Runs replicate `replicate`, timing the set-up, the ticks and each stage (and each
/// step of the resident pass when `profile`).
fn timed_run(scenario: &Scenario, replicate: u32, profile: bool) -> Timing {
    let start = std::time::Instant::now();
    let mut sim = Simulation::new(scenario, replicate, &EngineOptions::default());
    let setup = start.elapsed().as_secs_f64();
    sim.set_profile(profile);
    let names = sim.stage_names();
    let mut stages = vec![0.0; names.len()];
    let start = std::time::Instant::now();
    while sim.step_timed(&mut stages) {}
    let ticks = start.elapsed().as_secs_f64();
    if profile {
        stages.extend(sim.step_seconds());
    }
    Timing {
        setup,
        ticks,
        names,
        stages,
    }
}

/// The share of tick time per mechanism from a profiled run's stage and step times.
fn shares(names: &[&str], stages: &[f64]) -> Vec<(String, f64)> {
    let steps = &stages[names.len()..];
    let pass = names.iter().position(|n| *n == "residents");
    let mut parts: Vec<(String, f64)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if Some(i) == pass {
            let step_total: f64 = steps.iter().sum();
            // Scale the steps to the stage's wall time (the rest is the pass's own
            // bookkeeping: refreshing services, summing chunks).
            let scale = if step_total > 0.0 {
                stages[i] / step_total
            } else {
                0.0
            };
            for (step, t) in civitas_engine::STEPS.iter().zip(steps) {
                parts.push((format!("residents/{}", step.name()), t * scale));
            }
        } else {
            parts.push((name.to_string(), stages[i]));
        }
    }
    let total: f64 = parts.iter().map(|p| p.1).sum();
    for p in &mut parts {
        p.1 /= total.max(f64::MIN_POSITIVE);
    }
    parts
}

/// Engine pass time over reference loop time on the same ticks of replicate 0.
/// Also the census's share of the reference loop's time: at the same sampled ticks, the
/// loop is timed with and without its census step on copies of the same residents
/// (each the fastest of [`CENSUS_REPEATS`], with and without alternating), and the share is the
/// time the census adds over the time with it. Unlike the step-by-step profile, where the
/// census loops over the columns again, this is what the census costs the fused pass.
fn reference_ratio(scenario: &Scenario) -> (f64, f64) {
    let mut sim = Simulation::new(scenario, 0, &EngineOptions::default());
    let pass = sim
        .stage_names()
        .iter()
        .position(|n| *n == "residents")
        .expect("the tick has a resident pass");
    let mut stages = vec![0.0; sim.stage_names().len()];
    let (mut engine, mut reference) = (0.0, 0.0);
    let (mut with_census, mut without_census) = (0.0, 0.0);
    let mut tick = 0;
    loop {
        if tick % REFERENCE_EVERY_TICKS == 0 {
            let captured = Reference::capture(&mut sim);
            let mut timed = |census: bool| {
                let mut plain = captured.clone();
                let start = std::time::Instant::now();
                plain.run(&mut sim, tick, 1, census);
                start.elapsed().as_secs_f64()
            };
            let (mut with, mut without) = (f64::INFINITY, f64::INFINITY);
            for _ in 0..CENSUS_REPEATS {
                with = with.min(timed(true));
                without = without.min(timed(false));
            }
            reference += with;
            with_census += with;
            without_census += without;
            drop(captured);
            let before = stages[pass];
            if !sim.step_timed(&mut stages) {
                break;
            }
            engine += stages[pass] - before;
        } else if !sim.step_timed(&mut stages) {
            break;
        }
        tick += 1;
    }
    let census = ((with_census - without_census) / with_census.max(f64::MIN_POSITIVE)).max(0.0);
    (engine / reference.max(f64::MIN_POSITIVE), census)
}

/// Measures `scenario` at `agents` agents, the parallel runs on `threads` threads;
/// `progress` hears what is being measured. Run it in a fresh process per size: the
/// peak resident set is the process's, and memory freed by an earlier size would be
/// reused and hide the growth.
pub fn measure_size(
    scenario: &Scenario,
    agents: u64,
    threads: usize,
    progress: &mut dyn FnMut(&str),
) -> SizeResult {
    let one = pool(1);
    let all = pool(threads);
    let n = agents;
    let mut s = scenario.clone();
    s.set_agents(n);
    let ticks = s.scenario.tick_dates().len();

    progress(&format!("{n} agents: one core"));
    reset_peak();
    let before = memory();
    let first = one.install(|| timed_run(&s, 0, false));
    let after = memory();
    let (peak_rss_bytes, bytes_per_resident) = match (before, after) {
        (Some((rss, _)), Some((_, peak))) => (
            Some(peak),
            Some(peak.saturating_sub(rss) as f64 / n.max(1) as f64),
        ),
        _ => (None, None),
    };

    // The one-core run, one replicate on all threads and `threads` replicates at once are
    // timed back to back in rounds, and each efficiency is the median of its rounds'
    // ratios: a slow spell of a shared machine then falls on both sides of a ratio,
    // where the fastest of each timing taken minutes apart would set a good spell
    // against a bad one.
    let mut round = |first: Option<Timing>| {
        let t1 = first.unwrap_or_else(|| {
            progress(&format!("{n} agents: one core"));
            one.install(|| timed_run(&s, 0, false))
        });
        progress(&format!("{n} agents: one replicate on {threads} threads"));
        let tn = all.install(|| timed_run(&s, 0, false)).ticks;
        progress(&format!(
            "{n} agents: {threads} replicates on {threads} threads"
        ));
        let start = std::time::Instant::now();
        all.install(|| {
            (0..threads as u32).into_par_iter().for_each(|r| {
                civitas_engine::simulate(&s, r, &EngineOptions::default());
            })
        });
        let t_reps = start.elapsed().as_secs_f64();
        Round {
            one_replicate: t1.ticks / (threads as f64 * tn),
            // Whole replicates, set-up included, against one whole replicate alone.
            replicates: (t1.setup + t1.ticks) / t_reps,
            t1,
        }
    };
    let mut rounds = vec![round(Some(first))];
    if rounds[0].t1.setup + rounds[0].t1.ticks < REPEAT_BELOW_SECONDS {
        for _ in 1..REPEATS {
            rounds.push(round(None));
        }
    }
    let parallel_efficiency_one_replicate = median(rounds.iter().map(|r| r.one_replicate));
    let parallel_efficiency_replicates = median(rounds.iter().map(|r| r.replicates));
    let t1 = rounds
        .into_iter()
        .map(|r| r.t1)
        .min_by(|a, b| a.ticks.total_cmp(&b.ticks))
        .expect("one round at least");

    progress(&format!("{n} agents: mechanisms"));
    let profiled = one.install(|| timed_run(&s, 0, true));
    let shares = shares(&profiled.names, &profiled.stages);
    let indicator_share = shares
        .iter()
        .filter(|(name, _)| matches!(name.as_str(), "residents/census" | "census" | "indicators"))
        .map(|p| p.1)
        .sum();

    progress(&format!("{n} agents: reference loop"));
    let (reference_ratio, census_in_pass) = one.install(|| reference_ratio(&s));
    // The fused figure: the census's share of the pass, times the pass's share of the
    // (unprofiled) tick, plus the census and indicator stages.
    let stage_share = |name: &str| {
        let total: f64 = t1.stages.iter().sum();
        t1.names
            .iter()
            .zip(&t1.stages)
            .filter(|(n, _)| **n == name)
            .map(|(_, t)| t / total.max(f64::MIN_POSITIVE))
            .sum::<f64>()
    };
    let indicator_share_fused = census_in_pass * stage_share("residents")
        + stage_share("census")
        + stage_share("indicators");

    SizeResult {
        agents: n,
        ticks,
        seconds_one_core: t1.ticks,
        setup_seconds_one_core: t1.setup,
        resident_ticks_per_second_per_core: n as f64 * ticks as f64 / t1.ticks,
        peak_rss_bytes,
        bytes_per_resident,
        shares,
        indicator_share,
        indicator_share_fused,
        reference_ratio,
        threads,
        parallel_efficiency_one_replicate,
        parallel_efficiency_replicates,
    }
}

/// Bytes of resident set per bare bevy entity (one 4-byte component), spawning `n` of
/// them (in a fresh process, as for [`measure_size`]).
pub fn bare_entity_bytes(n: u64) -> Option<f64> {
    reset_peak();
    let (rss, _) = memory()?;
    let mut world = BareEntities::spawn(n as usize);
    let (_, peak) = memory()?;
    let spawned = world.len();
    drop(world);
    Some(peak.saturating_sub(rss) as f64 / spawned.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An efficiency is the middle round's ratio: one slow round on either side does not
    /// move it.
    #[test]
    fn the_median_ignores_one_outlying_round() {
        assert_eq!(median([0.9, 0.2, 0.85].into_iter()), 0.85);
        assert_eq!(median([0.9, 5.0, 0.85].into_iter()), 0.9);
        assert!((median([0.8, 0.9, 0.1, 1.0].into_iter()) - 0.85).abs() < 1e-12);
        assert!(median(std::iter::empty()).is_nan());
    }
}
