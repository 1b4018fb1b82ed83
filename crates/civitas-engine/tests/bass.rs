//! Acceptance: with literacy 1, devices for all and no services or policies, the engine's
//! adoption follows the closed-form Bass (1969) curve.

mod common;

use civitas_scenario::{Indicator, PerBand, Scenario};

/// One district, one band (everyone young), literacy 1, all devices, nobody adopted.
fn bass_scenario(p: f64, q: f64) -> Scenario {
    let mut s = common::baseline(200_000);
    s.population.districts.truncate(1);
    let d = &mut s.population.districts[0];
    d.share = 1.0;
    d.kind = civitas_scenario::Settlement::Urban;
    d.age_mix = Some(PerBand {
        young: 1.0,
        middle: 0.0,
        senior: 0.0,
    });
    for band in common::every_band(&mut s) {
        band.device = 1.0;
        band.adoption = 0.0;
        band.literacy = 1.0;
        band.literacy_spread = 0.0;
        band.bass_p = p;
        band.bass_q = q;
        band.device_uptake_per_year = 0.0;
    }
    s.population.ageing.young_to_middle_per_year = 0.0;
    s.population.ageing.middle_to_senior_per_year = 0.0;
    // A closed population, and trust and failure memory neutral: the plain Bass model.
    s.population.demography = Default::default();
    s.population.behaviour.trust_adoption_elasticity = 0.0;
    s.population.behaviour.failure_aversion = 0.0;
    s.departments.clear();
    // The hotline department is gone with the others: no complaint department.
    s.population.behaviour.complaint_department = None;
    s.services.clear();
    // No firms either: their errands went to the departments.
    s.economy = None;
    s.policies.clear();
    s.shocks.clear();
    s.incidents.types.clear();
    s.targets.clear();
    s
}

fn closed_form(p: f64, q: f64, t: f64) -> f64 {
    let e = libm::exp(-(p + q) * t);
    (1.0 - e) / (1.0 + q / p * e)
}

fn check(p: f64, q: f64) {
    let s = bass_scenario(p, q);
    let r = common::run(&s);
    let dt = s.scenario.tick.years();
    let mut worst: f64 = 0.0;
    for tick in 0..r.dates.len() {
        // The value of a tick is the state at its end: t = (tick + 1)·Δt years.
        let f = closed_form(p, q, (tick + 1) as f64 * dt);
        let simulated = r.value(tick, Indicator::AdoptionRate, 0);
        worst = worst.max((simulated - f).abs());
        assert!(
            (simulated - f).abs() < 0.01,
            "p={p} q={q} tick {tick}: simulated {simulated:.4}, Bass {f:.4}"
        );
    }
    // The curve is not trivially flat: adoption moved substantially.
    assert!(r.value(r.dates.len() - 1, Indicator::AdoptionRate, 0) > 0.4);
    eprintln!("p={p} q={q}: worst deviation {worst:.4}");
}

#[test]
fn adoption_follows_the_bass_curve_p03_q38() {
    check(0.03, 0.38);
}

#[test]
fn adoption_follows_the_bass_curve_p01_q60() {
    check(0.01, 0.6);
}
