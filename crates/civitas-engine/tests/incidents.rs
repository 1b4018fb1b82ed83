//! Field crews: a flood season that triples incidents loads the district crews toward
//! and past capacity, so incidents wait for a crew and response slows; with as many
//! crews as needed (`crews_per_100k = 0`) the same flood changes nothing in response.
//! The crew wait is the departments' Erlang C queue, tested against the closed form in
//! `departments.rs`; here the point is the behaviour a resilience study relies on.

mod common;

use civitas_scenario::{Indicator, Scenario, Shock, ShockKind};

fn flooded(mut s: Scenario) -> Scenario {
    s.shocks.push(Shock {
        name: "flood-season".into(),
        kind: ShockKind::Flood,
        start: common::ym("2026-07"),
        end: common::ym("2026-09"),
        departments: vec![],
        districts: vec![],
        incident_rate_factor: 3.0,
        health_factor: 1.0,
        capacity_factor: 1.0,
    });
    s
}

/// Mean city response hours over the flood months, and in June before it.
fn response(s: &Scenario) -> (f64, f64) {
    let r = common::run(s);
    let flood = ["2026-07", "2026-08", "2026-09"]
        .iter()
        .map(|m| common::city(&r, Indicator::IncidentResponseHours, m))
        .sum::<f64>()
        / 3.0;
    (
        common::city(&r, Indicator::IncidentResponseHours, "2026-06"),
        flood,
    )
}

#[test]
fn a_flood_slows_response_only_when_crews_are_limited() {
    let base = common::baseline(5_000);
    assert!(
        base.incidents.crews_per_100k > 0.0,
        "the baseline sets crews"
    );
    let (calm, flood) = response(&flooded(base.clone()));
    eprintln!("limited crews: June {calm:.2} h, flood {flood:.2} h");
    assert!(flood > calm + 5.0, "June {calm}, flood {flood}");

    let mut unlimited = base;
    unlimited.incidents.crews_per_100k = 0.0;
    let (calm, flood) = response(&flooded(unlimited));
    eprintln!("unlimited crews: June {calm:.2} h, flood {flood:.2} h");
    assert!((flood - calm).abs() < 1.5, "June {calm}, flood {flood}");
}
