//! Helpers shared by the engine's acceptance tests.
#![allow(
    dead_code,
    reason = "each test binary uses a part of the shared helpers"
)]

use civitas_engine::{EngineOptions, ReplicateResult, Scope, simulate};
use civitas_scenario::{BandParams, Indicator, Scenario, YearMonth};

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

/// Everyone adopted with a device; departments with the given d = h and g, never decaying;
/// no policies, shocks or incidents.
pub fn uniform_city(agents: u64, digitization: f64, integration: f64) -> Scenario {
    let mut s = baseline(agents);
    s.scenario.end = ym("2024-12");
    for band in every_band(&mut s) {
        band.device = 1.0;
        band.adoption = 1.0;
    }
    s.population.rural.device = 1.0;
    s.population.rural.adoption = 1.0;
    s.population.behaviour.churn_on_failure = 0.0;
    for d in &mut s.departments {
        d.digitization = digitization;
        d.integration = integration;
        d.health = 1.0;
        d.health_decay_per_month = 0.0;
        d.capacity_per_month *= 10.0;
    }
    s.policies.clear();
    s.shocks.clear();
    s
}

/// The three bands' parameters of `s`, to set alike.
pub fn every_band(s: &mut Scenario) -> [&mut BandParams; 3] {
    let b = &mut s.population.bands;
    [&mut b.young, &mut b.middle, &mut b.senior]
}
