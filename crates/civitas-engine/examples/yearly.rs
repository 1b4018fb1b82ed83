//! Prints the baseline's December city values per year, and the departments at the end.
//!
//! `cargo run --release -p civitas-engine --example yearly -- [agents] [scenario.toml]`

use civitas_engine::{EngineOptions, Simulation};
use civitas_scenario::{Indicator, Scenario};

fn main() {
    let mut args = std::env::args().skip(1);
    let agents: Option<u64> = args.next().and_then(|a| a.parse().ok());
    let mut scenario = match args.next() {
        Some(path) => Scenario::load(&path).unwrap_or_else(|e| panic!("{path}: {e}")),
        None => Scenario::baseline(),
    };
    if let Some(agents) = agents {
        scenario.set_agents(agents);
    }
    let start = std::time::Instant::now();
    let mut sim = Simulation::new(&scenario, 0, &EngineOptions::default());
    let mut snapshots = Vec::new();
    while sim.step() {
        let t = sim.ticks_done() - 1;
        let d = sim.result().dates[t];
        if t == 0 || d.month == 12 && d.year % 3 == 0 {
            snapshots.push((d, sim.departments().to_vec()));
        }
    }
    let r = sim.finish();
    eprintln!("simulated in {:.2?}", start.elapsed());
    print!("{:<24}", "indicator");
    let rows: Vec<usize> = (0..r.dates.len())
        .filter(|&t| t == 0 || r.dates[t].month == 12)
        .collect();
    for &t in &rows {
        print!("{:>9}", r.dates[t].to_string());
    }
    println!();
    for &i in Indicator::ALL {
        print!("{:<24}", i.name());
        for &t in &rows {
            let v = r.value(t, i, 0);
            if v.abs() >= 1000.0 {
                print!("{:>9.2e}", v)
            } else {
                print!("{:>9.3}", v)
            }
        }
        println!();
    }
    let senior = r
        .scopes
        .iter()
        .position(|&s| s == civitas_engine::Scope::Band(civitas_scenario::Band::Senior))
        .expect("band scopes are always present");
    print!("{:<24}", "adoption_rate (senior)");
    for &t in &rows {
        print!("{:>9.3}", r.value(t, Indicator::AdoptionRate, senior));
    }
    println!();
    for (date, deps) in snapshots {
        println!("departments {date}: name d g h load wait_days");
        for (spec, d) in scenario.departments.iter().zip(deps) {
            println!(
                "  {:<38} {:.2} {:.2} {:.2} {:>5.2} {:>6.1}",
                spec.name,
                d.digitization,
                d.integration,
                d.effective_health,
                d.arrivals_cases / d.capacity_cases.max(1e-9),
                d.wait_days
            );
        }
    }
}
