//! Engine throughput: the baseline city at 1,000,000 residents for its 84 monthly ticks.
//!
//! `cargo bench -p civitas-engine --bench engine` prints nanoseconds per resident-tick
//! and the process's peak resident memory. `CIVITAS_BENCH_AGENTS` changes the size,
//! `RAYON_NUM_THREADS` the threads.

use civitas_engine::{EngineOptions, simulate};
use civitas_scenario::Scenario;

fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let agents: u64 = std::env::var("CIVITAS_BENCH_AGENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut scenario = Scenario::baseline();
    scenario.set_agents(agents);
    let ticks = scenario.scenario.tick_dates().len();
    let mut best = f64::INFINITY;
    for run in 0..2 {
        let start = std::time::Instant::now();
        let result = simulate(&scenario, run, &EngineOptions::default());
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(result.dates.len(), ticks);
        best = best.min(secs);
        println!("run {run}: {secs:.2} s");
    }
    println!(
        "engine/baseline: {agents} residents x {ticks} ticks on {} threads: best {best:.2} s, {:.1} ns per resident-tick, peak memory {} MiB",
        rayon::current_num_threads(),
        best * 1e9 / (agents as f64 * ticks as f64),
        peak_memory_mib().map_or("?".into(), |m| format!("{m:.0}")),
    );
}
