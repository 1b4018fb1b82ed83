//! Helpers shared by the engine's acceptance tests.
#![allow(
    dead_code,
    reason = "each test binary uses a part of the shared helpers"
)]

use civitas_engine::{EngineOptions, ReplicateResult, Scope, simulate};
use civitas_scenario::{Indicator, Scenario, YearMonth};

/// The baseline with `agents` agents (same represented population).
pub fn baseline(agents: u64) -> Scenario {
    let mut s = Scenario::baseline();
    s.set_agents(agents);
    s
}

/// A month written `YYYY-MM`.
pub fn ym(text: &str) -> YearMonth {
    text.parse().expect("valid month")
}

/// Runs replicate 0 with default options.
pub fn run(s: &Scenario) -> ReplicateResult {
    simulate(s, 0, &EngineOptions::default())
}

/// Tick index of a month.
pub fn tick_of(r: &ReplicateResult, month: &str) -> usize {
    let m = ym(month);
    r.dates
        .iter()
        .position(|d| d.year == m.year && d.month == m.month)
        .expect("month inside the horizon")
}

/// City value of `indicator` in `month`.
pub fn city(r: &ReplicateResult, indicator: Indicator, month: &str) -> f64 {
    r.value(tick_of(r, month), indicator, 0)
}

/// Position of `scope` in the result's scopes.
pub fn scope_index(r: &ReplicateResult, scope: Scope) -> usize {
    r.scopes
        .iter()
        .position(|&s| s == scope)
        .expect("scope present")
}
