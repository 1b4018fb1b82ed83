//! Acceptance of the enterprise agents (`[economy]`): a scenario without one is unchanged,
//! firms' errands load the departments, maturity and tools rise as the model says, and
//! the outputs do not depend on the number of threads.

mod common;

use civitas_engine::{EngineOptions, ReplicateResult, Scope, simulate};
use civitas_scenario::{Format, Indicator, Scenario};

const BASELINE: &str = include_str!("../../../scenarios/baseline.toml");
const ECONOMY: &str = include_str!("economy.toml");

/// The baseline city with the test economy, `agents` resident agents, until `end`.
fn with_economy(agents: u64, end: &str) -> Scenario {
    let with_park = BASELINE.replacen(
        "name = \"Hi-Tech Zone\"\n",
        "name = \"Hi-Tech Zone\"\npark = { name = \"Hi-Tech Park\", services = 0.3 }\n",
        1,
    );
    assert_ne!(with_park, BASELINE);
    let text = format!("{with_park}\n{ECONOMY}");
    let mut s = Scenario::from_str_as(&text, Format::Toml, "economy.toml").expect("valid");
    s.set_agents(agents);
    s.scenario.end = common::ym(end);
    s
}

fn mean_over(r: &ReplicateResult, indicator: Indicator, scope: usize) -> f64 {
    let values: Vec<f64> = (0..r.dates.len())
        .map(|t| r.value(t, indicator, scope))
        .collect();
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn a_scenario_without_economy_has_no_firms_and_nan_economy_indicators() {
    let mut s = common::baseline(4_000);
    s.scenario.end = common::ym("2024-06");
    assert!(s.economy.is_none());
    let r = common::run(&s);
    for i in [
        Indicator::DigitalCoreShare,
        Indicator::EnterpriseMaturity,
        Indicator::EnterpriseOneTripRate,
    ] {
        assert!(r.value(0, i, 0).is_nan(), "{i}");
    }
    assert!(r.value(0, Indicator::OnlineServiceRate, 0).is_finite());
}

#[test]
fn a_file_without_park_rejects_firms_in_a_park_naming_the_field() {
    let text = format!("{BASELINE}\n{ECONOMY}");
    let err = Scenario::from_str_as(&text, Format::Toml, "economy.toml")
        .expect_err("Hi-Tech Zone has no park in the baseline");
    let shown = err.to_string();
    assert!(shown.contains("economy.firms[2].in_park"), "{shown}");
    assert!(shown.contains("economy.toml:"), "{shown}");
}

#[test]
fn the_starting_economy_matches_the_groups_it_was_given() {
    let s = with_economy(4_000, "2024-01");
    let r = common::run(&s);
    let economy = s.economy.as_ref().expect("an economy");
    // Industrial firms: the two manufacturing groups and digital products.
    let nc = (10_000.0 * 0.68 + 20_000.0 * 0.6 + 1_000.0 * 0.8) / 31_000.0;
    let got = r.value(0, Indicator::NumericalControlRate, 0);
    assert!((got - nc).abs() < 0.01, "{got} vs {nc}");
    let share = r.value(0, Indicator::DigitalCoreShare, 0);
    assert!(share > 0.05 && share < 0.2, "{share}");
    let maturity = r.value(0, Indicator::EnterpriseMaturity, 0);
    assert!(maturity > 0.8 && maturity < 2.0, "{maturity}");
    // Firms have no age band; districts without firms have no value.
    let band = r.scopes.iter().position(|x| matches!(x, Scope::Band(_)));
    assert!(
        r.value(0, Indicator::CloudRate, band.expect("a band"))
            .is_nan()
    );
    assert_eq!(economy.firms.len(), 8);
}

#[test]
fn maturity_and_tools_rise_and_firms_errands_are_counted() {
    let s = with_economy(4_000, "2026-12");
    let r = common::run(&s);
    let last = r.dates.len() - 1;
    for i in [
        Indicator::EnterpriseMaturity,
        Indicator::EnterpriseStage3Share,
        Indicator::CloudRate,
        Indicator::NumericalControlRate,
        Indicator::DigitalRdToolsRate,
    ] {
        let (start, end) = (r.value(0, i, 0), r.value(last, i, 0));
        assert!(end > start, "{i}: {start} -> {end}");
    }
    let one_trip = r.value(last, Indicator::EnterpriseOneTripRate, 0);
    assert!(one_trip > 0.3 && one_trip < 1.0, "{one_trip}");
}

#[test]
fn doubling_firms_raises_residents_resolution_days() {
    let mut s = with_economy(4_000, "2025-12");
    // Licences bring enough work to Market Regulation that firms' errands matter.
    s.economy.as_mut().expect("economy").errands[0].per_firm_per_year = 0.2;
    let mut doubled = s.clone();
    for group in &mut doubled.economy.as_mut().expect("economy").firms {
        group.count *= 2.0;
    }
    let (one, two) = (common::run(&s), common::run(&doubled));
    let days = |r| mean_over(r, Indicator::MeanResolutionDays, 0);
    assert!(
        days(&two) > days(&one) + 0.1,
        "{} vs {}",
        days(&two),
        days(&one)
    );
}

#[test]
fn enterprises_give_identical_output_on_one_and_two_threads() {
    let s = with_economy(
        3 * civitas_engine::sizing::CHUNK_RESIDENTS as u64 + 7,
        "2025-03",
    );
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| simulate(&s, 1, &EngineOptions::default()))
    };
    let bits = |r: &ReplicateResult| r.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let (one, two) = (run(1), run(2));
    assert_eq!(bits(&one), bits(&two));
    assert!(one.value(10, Indicator::EnterpriseMaturity, 0).is_finite());
}
