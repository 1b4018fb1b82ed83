//! Removes each baseline policy in turn and prints the 2030 city values against the
//! baseline's, to check that every lever moves indicators the way it should.
//!
//! `cargo run --release -p civitas-engine --example ablation -- [agents]`

use civitas_engine::{EngineOptions, simulate};
use civitas_scenario::{Indicator, Scenario};

fn december_2030(s: &Scenario) -> Vec<f64> {
    let r = simulate(s, 0, &EngineOptions::default());
    let t = r.dates.len() - 1;
    Indicator::ALL.iter().map(|&i| r.value(t, i, 0)).collect()
}

fn main() {
    let agents: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let mut base = Scenario::baseline();
    base.set_agents(agents);
    let reference = december_2030(&base);
    print!("{:<22}", "without");
    for i in Indicator::ALL.iter().take(11) {
        print!("{:>9}", &i.name()[..8.min(i.name().len())]);
    }
    println!();
    print!("{:<22}", "(baseline)");
    for v in reference.iter().take(11) {
        print!("{v:>9.3}");
    }
    println!();
    for p in &base.policies {
        let mut s = base.clone();
        s.policies.retain(|x| x.name() != p.name());
        let v = december_2030(&s);
        print!("{:<22}", p.name());
        for (a, b) in v.iter().zip(&reference).take(11) {
            print!("{:>+9.3}", a - b);
        }
        println!();
    }
}
