//! Acceptance: a department's queue waits below capacity as an M/M/c queue does. With
//! Poisson arrivals (residents' requests), `c` servers and exponential service, the
//! engine's mean wait agrees with the Erlang C formula of docs/calibration.md within 10 %
//! across utilisations 0.5–0.95.

mod common;

use civitas_scenario::{Indicator, PerBand, Scenario};

const AGENTS: u64 = 10_000;
const REQUESTS_PER_YEAR: f64 = 24.0;
const DAYS_PER_YEAR: f64 = 365.25;
const DAYS_PER_MONTH: f64 = DAYS_PER_YEAR / 12.0;

/// One department with `servers` servers and one service without data links or
/// processing time, done offline by everyone: a request's resolution time is its wait.
fn queue_scenario(servers: u32, utilisation: f64) -> Scenario {
    let mut s = common::baseline(AGENTS);
    s.population.scale = 1.0;
    s.population.demography = Default::default();
    s.scenario.end = common::ym("2025-12");
    s.departments.truncate(1);
    let arrivals_per_month = AGENTS as f64 * REQUESTS_PER_YEAR / 12.0;
    let d = &mut s.departments[0];
    d.servers = servers;
    d.service_scv = 1.0;
    d.digitization = 0.0;
    d.capacity_per_month = arrivals_per_month / utilisation;
    let owner = d.name.clone();
    s.services.truncate(1);
    let svc = &mut s.services[0];
    svc.owner = owner;
    svc.requires.clear();
    svc.base_days = 0.0;
    svc.offline_effort = 1.0;
    svc.demand_per_year = PerBand {
        young: REQUESTS_PER_YEAR,
        middle: REQUESTS_PER_YEAR,
        senior: REQUESTS_PER_YEAR,
    };
    s.population.behaviour.complaint_probability = 0.0;
    // The hotline department was truncated away.
    s.population.behaviour.complaint_department = None;
    // No firms: their errands went to the departments truncated away.
    s.economy = None;
    s.policies.clear();
    s.shocks.clear();
    s.incidents.types.clear();
    s.targets.clear();
    s
}

/// Erlang C mean wait (days) from docs/calibration.md's formula, summed term by term.
fn erlang_c_wait_days(servers: u32, lambda_per_day: f64, mu_per_day: f64) -> f64 {
    let c = servers as f64;
    let a = lambda_per_day / mu_per_day;
    let rho = a / c;
    let mut term = 1.0; // a^k / k!
    let mut below = 0.0;
    for k in 0..servers {
        below += term;
        term *= a / (k + 1) as f64;
    }
    let top = term / (1.0 - rho);
    let waiting = top / (below + top);
    waiting / (c * mu_per_day - lambda_per_day)
}

#[test]
fn mean_wait_follows_erlang_c_below_capacity() {
    for servers in [1u32, 4, 16] {
        let mut last = 0.0;
        for utilisation in [0.5, 0.7, 0.85, 0.95] {
            let s = queue_scenario(servers, utilisation);
            let r = common::run(&s);
            // Tick 0 has no earlier arrivals to queue behind; read the rest.
            let waits: Vec<f64> = (1..r.dates.len())
                .map(|t| r.value(t, Indicator::MeanResolutionDays, 0))
                .collect();
            let engine = waits.iter().sum::<f64>() / waits.len() as f64;
            let lambda = AGENTS as f64 * REQUESTS_PER_YEAR / DAYS_PER_YEAR;
            let mu = s.departments[0].capacity_per_month / DAYS_PER_MONTH / servers as f64;
            let formula = erlang_c_wait_days(servers, lambda, mu);
            let error = engine / formula - 1.0;
            eprintln!(
                "c={servers} rho={utilisation}: engine {engine:.6} days, Erlang C {formula:.6} days ({:+.1} %)",
                100.0 * error
            );
            assert!(
                error.abs() < 0.10,
                "c={servers} rho={utilisation}: engine {engine}, Erlang C {formula}"
            );
            assert!(engine > last, "waits rise with utilisation");
            last = engine;
        }
    }
}
