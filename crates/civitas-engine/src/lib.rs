//! The Civitas engine: one replicate of the city model as a bevy_ecs `World` and `Schedule`.
//!
//! The engine takes a validated [`civitas_scenario::Scenario`] and returns the per-tick
//! indicator table of one replicate ([`ReplicateResult`]). It does no file I/O.
//!
//! ```no_run
//! use civitas_engine::{simulate, EngineOptions};
//! let scenario = civitas_scenario::Scenario::baseline();
//! let result = simulate(&scenario, 0, &EngineOptions::default());
//! println!("{} ticks", result.dates.len());
//! ```

pub mod output;

pub use output::{AgentRow, ReplicateResult, Scope, indicator_position};

use civitas_scenario::{Indicator, Scenario};

/// Options that do not change the model, only what is returned.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Residents per replicate to record in the agent-level sample (0 = none).
    pub agent_sample: usize,
}

/// The seed of replicate `replicate` of a scenario with master seed `seed` (SplitMix64).
pub fn replicate_seed(seed: u64, replicate: u32) -> u64 {
    let mut z = seed ^ (replicate as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs replicate `replicate` of `scenario` and returns its indicator table.
///
/// Placeholder model until the full engine lands: adoption follows the Bass closed form
/// per band; other indicators are NaN.
pub fn simulate(scenario: &Scenario, replicate: u32, _options: &EngineOptions) -> ReplicateResult {
    let seed = replicate_seed(scenario.scenario.seed, replicate);
    let dates = scenario.scenario.tick_dates();
    let scopes = Scope::all(scenario);
    let mut result = ReplicateResult::empty(replicate, seed, dates, scopes.clone());
    let dt = scenario.scenario.tick.years();
    for tick in 0..result.dates.len() {
        let t = (tick + 1) as f64 * dt;
        for (si, scope) in scopes.iter().enumerate() {
            let bands: Vec<_> = match scope {
                output::Scope::Band(b) => vec![*b],
                _ => civitas_scenario::Band::ALL.to_vec(),
            };
            let mut adopted = 0.0;
            let mut weight = 0.0;
            for b in bands {
                let p = scenario.population.bands.get(b);
                let e = (-(p.bass_p + p.bass_q) * t).exp();
                let f = (1.0 - e) / (1.0 + p.bass_q / p.bass_p * e);
                adopted += p.share * (p.adoption + (1.0 - p.adoption) * f);
                weight += p.share;
            }
            result.set(tick, Indicator::AdoptionRate, si, adopted / weight);
        }
    }
    result
}
