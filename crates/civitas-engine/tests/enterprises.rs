//! Acceptance of the enterprise agents (`[economy]`): a scenario without one is unchanged,
//! the baseline's economy starts where its sources put it, firms' errands load the
//! departments, maturity and tools rise as the model says, and the outputs do not depend on
//! the number of threads.

mod common;

use civitas_engine::{EngineOptions, ReplicateResult, Scope, simulate};
use civitas_scenario::{Format, Indicator, Scenario};

const BASELINE: &str = include_str!("../../../scenarios/baseline.toml");

/// The baseline city (with its economy), `agents` resident agents, until `end`.
fn with_economy(agents: u64, end: &str) -> Scenario {
    let mut s = common::baseline(agents);
    assert!(s.economy.is_some(), "the baseline has an economy");
    s.scenario.end = common::ym(end);
    s
}

fn mean_over(r: &ReplicateResult, indicator: Indicator, scope: usize) -> f64 {
    let values: Vec<f64> = (0..r.dates.len())
        .map(|t| r.value(t, indicator, scope))
        .collect();
    values.iter().sum::<f64>() / values.len() as f64
}

/// Firms-weighted mean of a starting tool share over the industrial groups.
fn industrial_mean(s: &Scenario, share: impl Fn(&civitas_scenario::FirmGroup) -> f64) -> f64 {
    let economy = s.economy.as_ref().expect("an economy");
    let (mut sum, mut firms) = (0.0, 0.0);
    for f in &economy.firms {
        let sector = economy.sector_index(&f.sector).expect("sector");
        if economy.sectors[sector].class.is_industrial() {
            sum += f.count * share(f);
            firms += f.count;
        }
    }
    sum / firms
}

#[test]
fn a_scenario_without_economy_has_no_firms_and_nan_economy_indicators() {
    let mut s = common::baseline(4_000);
    s.scenario.end = common::ym("2024-06");
    s.economy = None;
    let r = common::run(&s);
    for &i in Indicator::ALL.iter().filter(|i| i.is_economy()) {
        assert!(r.value(0, i, 0).is_nan(), "{i}");
    }
    assert!(r.value(0, Indicator::OnlineServiceRate, 0).is_finite());
}

#[test]
fn a_file_without_park_rejects_firms_in_a_park_naming_the_field() {
    let park = "park = { name = \"Hi-Tech Industrial Park\", services = 0.3 }\n";
    let text = BASELINE.replacen(park, "", 1);
    assert_ne!(text, BASELINE);
    let err = Scenario::from_str_as(&text, Format::Toml, "economy.toml")
        .expect_err("Hi-Tech Zone has no park without that line");
    let shown = err.to_string();
    assert!(shown.contains("economy.firms[0].in_park"), "{shown}");
    assert!(shown.contains("economy.toml:"), "{shown}");
}

#[test]
fn the_starting_economy_matches_the_groups_and_its_sources() {
    let s = with_economy(4_000, "2024-01");
    let r = common::run(&s);
    let nc = industrial_mean(&s, |f| f.numerical_control);
    let got = r.value(0, Indicator::NumericalControlRate, 0);
    assert!((got - nc).abs() < 0.01, "{got} vs {nc}");
    let rd = industrial_mean(&s, |f| f.rd_tools);
    let got = r.value(0, Indicator::DigitalRdToolsRate, 0);
    assert!((got - rd).abs() < 0.01, "{got} vs {rd}");
    // The scenario's stated range: 8-12 % of GDP, about the national 9.9 % (NBS 2023).
    let share = r.value(0, Indicator::DigitalCoreShare, 0);
    assert!((0.08..=0.12).contains(&share), "{share}");
    let maturity = r.value(0, Indicator::EnterpriseMaturity, 0);
    assert!(maturity > 0.8 && maturity < 2.5, "{maturity}");
    // Firms have no age band.
    let band = r.scopes.iter().position(|x| matches!(x, Scope::Band(_)));
    assert!(
        r.value(0, Indicator::CloudRate, band.expect("a band"))
            .is_nan()
    );
}

/// MIIT's national path (docs/calibration.md): `from` at the end of 2021 to `to` in March
/// 2025, linear in months, at `month` months after December 2021.
fn miit_path(from: f64, to: f64, month: f64) -> f64 {
    from + (to - from) * month / 39.0
}

#[test]
fn the_baselines_2024_industrial_figures_sit_on_miits_path() {
    let s = with_economy(4_000, "2024-12");
    let r = common::run(&s);
    // Within 2 points of the line through MIIT's two figures, in January and December 2024.
    for (month, tick) in [(25.0, 0), (36.0, r.dates.len() - 1)] {
        for (indicator, from, to) in [
            (Indicator::NumericalControlRate, 0.553, 0.662),
            (Indicator::DigitalRdToolsRate, 0.747, 0.835),
        ] {
            let path = miit_path(from, to, month);
            let got = r.value(tick, indicator, 0);
            assert!(
                (got - path).abs() <= 0.02,
                "{indicator} {}: {got} vs MIIT path {path}",
                r.dates[tick]
            );
        }
    }
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
    // The flow of errands: at the first tick, before any firm has left or entered, each
    // group's firms times each errand's yearly rate over a month; the districts' add up to
    // the city's, and age bands have none.
    let economy = s.economy.as_ref().expect("an economy");
    let per_firm: f64 = economy.errands.iter().map(|e| e.per_firm_per_year).sum();
    let firms: f64 = economy.firms.iter().map(|f| f.count).sum();
    let first = r.value(0, Indicator::FirmErrands, 0);
    let expected = firms * per_firm / 12.0;
    // Exits of the first tick leave before they bring errands (under 1 % a month).
    assert!(
        first < expected && first > 0.99 * expected,
        "{first} vs {expected}"
    );
    let districts: f64 = (0..r.scopes.len())
        .filter(|&si| matches!(r.scopes[si], Scope::District(_)))
        .map(|si| r.value(last, Indicator::FirmErrands, si))
        .sum();
    let city = r.value(last, Indicator::FirmErrands, 0);
    assert!(
        (districts - city).abs() <= 1e-9 * city,
        "{districts} vs {city}"
    );
    let band = common::scope_index(&r, Scope::Band(civitas_scenario::Band::Young));
    assert!(r.value(last, Indicator::FirmErrands, band).is_nan());
}

/// Firms' errands take their share of the staff pay: with twice the firms, residents'
/// requests carry less of it, so residents' cost per request falls. (Before issue 32's
/// fix all staff pay was spread over residents' requests, and twice the firms left it
/// where it was.)
#[test]
fn firms_errands_take_their_share_of_the_staff_pay_in_cost_per_request() {
    let s = with_economy(4_000, "2024-03");
    let mut doubled = s.clone();
    for group in &mut doubled.economy.as_mut().expect("economy").firms {
        group.count *= 2.0;
    }
    let (one, two) = (common::run(&s), common::run(&doubled));
    let cost = |r: &ReplicateResult| r.value(0, Indicator::CostPerRequest, 0);
    let errands = |r: &ReplicateResult| r.value(0, Indicator::FirmErrands, 0);
    println!(
        "cost_per_request 2024-01: {:.3} with the baseline's firms ({:.0} errands), {:.3} with twice ({:.0})",
        cost(&one),
        errands(&one),
        cost(&two),
        errands(&two)
    );
    assert!(errands(&two) > 1.9 * errands(&one));
    assert!(
        cost(&two) < cost(&one) - 0.1,
        "{} vs {}",
        cost(&two),
        cost(&one)
    );
}

#[test]
fn doubling_firms_raises_residents_resolution_days() {
    let mut s = with_economy(4_000, "2025-12");
    // Registration errands at 0.6 a firm a year (about 6,900 cases a month against Market
    // Regulation's 10,000) bring it enough work that firms' errands matter.
    s.economy.as_mut().expect("economy").errands[0].per_firm_per_year = 0.6;
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
    let s = with_economy(3 * civitas_engine::CHUNK_RESIDENTS as u64 + 7, "2025-03");
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

/// The economy's indicators by sector and by size band: the firms' groups add up to the
/// city (errands), a sector's firms are all counted (the mean stage weighted by errands
/// per firm is the city's), and residents' indicators have no value there.
#[test]
fn the_economy_breaks_down_by_sector_and_size_band() {
    let s = with_economy(4_000, "2024-12");
    let r = common::run(&s);
    let economy = s.economy.as_ref().expect("an economy");
    let sectors: Vec<usize> = (0..r.scopes.len())
        .filter(|&si| matches!(r.scopes[si], Scope::Sector(_)))
        .collect();
    let sizes: Vec<usize> = (0..r.scopes.len())
        .filter(|&si| matches!(r.scopes[si], Scope::Size(_)))
        .collect();
    assert_eq!(sectors.len(), economy.sectors.len());
    // The size bands the groups have (the baseline's: micro, small and medium).
    let bands = civitas_scenario::SizeBand::ALL
        .iter()
        .filter(|&&z| economy.firms.iter().any(|f| f.size == z))
        .count();
    assert_eq!((sizes.len(), bands), (3, 3));
    let last = r.dates.len() - 1;
    for group in [&sectors, &sizes] {
        let sum: f64 = group
            .iter()
            .map(|&si| r.value(last, Indicator::FirmErrands, si))
            .sum();
        let city = r.value(last, Indicator::FirmErrands, 0);
        assert!((sum - city).abs() <= 1e-9 * city, "{sum} vs {city}");
        for &si in group {
            assert!(r.value(last, Indicator::EnterpriseMaturity, si).is_finite());
            assert!(r.value(last, Indicator::AdoptionRate, si).is_nan());
            assert!(r.value(last, Indicator::Residents, si).is_nan());
            assert!(r.value(last, Indicator::SpendEconomy, si).is_nan());
        }
    }
    // Sectors differ: the core's software firms are more mature than traditional services.
    let maturity: Vec<f64> = sectors
        .iter()
        .map(|&si| r.value(last, Indicator::EnterpriseMaturity, si))
        .collect();
    let (lo, hi) = maturity
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &m| (a.min(m), b.max(m)));
    assert!(hi - lo > 0.3, "{maturity:?}");
    // Numerical control is over industrial firms: NaN for a services-only sector.
    let services = economy
        .sectors
        .iter()
        .position(|x| !x.class.is_industrial())
        .expect("a non-industrial sector");
    assert!(
        r.value(last, Indicator::NumericalControlRate, sectors[services])
            .is_nan()
    );
}
