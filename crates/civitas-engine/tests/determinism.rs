//! Acceptance: a replicate's output depends only on the scenario and seed — not on the
//! number of rayon threads — and different seeds give different output.

mod common;

use civitas_engine::{EngineOptions, ReplicateResult, simulate};
use civitas_scenario::Scenario;

fn small() -> Scenario {
    // Several chunks of residents, so the parallel passes really split the work.
    let mut s = common::baseline(3 * civitas_engine::CHUNK_RESIDENTS as u64 + 123);
    s.scenario.end = common::ym("2025-06");
    s
}

fn bits(r: &ReplicateResult) -> Vec<u64> {
    r.values.iter().map(|v| v.to_bits()).collect()
}

fn run_on_threads(s: &Scenario, threads: usize, replicate: u32) -> ReplicateResult {
    let options = EngineOptions { agent_sample: 50 };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(|| simulate(s, replicate, &options))
}

#[test]
fn same_seed_gives_identical_output_on_one_and_two_threads() {
    let s = small();
    let one = run_on_threads(&s, 1, 0);
    let again = run_on_threads(&s, 1, 0);
    let two = run_on_threads(&s, 2, 0);
    assert_eq!(bits(&one), bits(&again));
    assert_eq!(bits(&one), bits(&two));
    assert_eq!(one.agent_sample, two.agent_sample);
    // The first 50 residents at every tick, less those who died (about 1 % a year).
    let rows = one.agent_sample.len();
    assert!(
        rows <= 50 * one.dates.len() && rows >= 45 * one.dates.len(),
        "{rows}"
    );
}

#[test]
fn different_seeds_give_different_output() {
    let s = small();
    let a = run_on_threads(&s, 2, 0);
    let b = run_on_threads(&s, 2, 1);
    assert_ne!(a.seed, b.seed);
    assert_ne!(bits(&a), bits(&b));
    let mut reseeded = s.clone();
    reseeded.scenario.seed += 1;
    assert_ne!(bits(&a), bits(&run_on_threads(&reseeded, 2, 0)));
}

#[test]
fn profiling_the_resident_pass_changes_no_output() {
    let s = small();
    let plain = run_on_threads(&s, 2, 0);
    let mut sim = civitas_engine::Simulation::new(&s, 0, &EngineOptions { agent_sample: 50 });
    sim.set_profile(true);
    let profiled = sim.finish();
    assert_eq!(bits(&plain), bits(&profiled));
    assert_eq!(plain.agent_sample, profiled.agent_sample);
}

#[test]
fn many_districts_chunk_larger_and_stay_identical_on_any_thread_count() {
    // 60 districts: 180 cells, chunks of 8,192 residents (32 a cell, rounded up, and
    // evened out over the three chunks 20,000 agents need).
    let mut s = common::baseline(20_000);
    s.scenario.end = common::ym("2024-09");
    // Rows of commute times fit the baseline's eight districts only.
    for d in &mut s.population.districts {
        d.commute_minutes = None;
    }
    let first = s.population.districts[0].clone();
    for k in 0..52 {
        let mut d = first.clone();
        d.name = format!("Extra {k}");
        d.share = 0.0;
        s.population.districts.push(d);
    }
    assert_eq!(civitas_engine::chunk_residents_of(&s), 8_192);
    let one = run_on_threads(&s, 1, 0);
    let two = run_on_threads(&s, 2, 0);
    assert_eq!(bits(&one), bits(&two));
}
