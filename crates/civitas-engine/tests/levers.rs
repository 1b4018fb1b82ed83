//! Acceptance (issue 9, "every yuan acts"): every policy kind acts through its money.
//!
//! - For every kind, the baseline run with the policy's money at 0, at the baseline
//!   amount and at 3× moves the outcome the kind promises in its direction (kinds the
//!   baseline does not fund get a reference amount). Every run of a comparison shares its
//!   seeds (common random numbers), so differences come from the money.
//! - For service points, sensors, the governance platform and the one window: built,
//!   then the upkeep stopped, the built capacity and the outcome it drives decay.
//! - At equal total spend, more digitization gives a lower `cost_per_request`.
//!
//! Each comparison prints its numbers (`cargo test --test levers -- --nocapture`).

mod common;

use civitas_engine::{EngineOptions, Scope, Simulation};
use civitas_scenario::{Band, Indicator, Policy, PolicyKind, Scenario};

const AGENTS: u64 = 12_000;
const REPLICATES: u32 = 2;

/// The baseline at test size.
fn baseline() -> Scenario {
    common::baseline(AGENTS)
}

fn policy_mut<'a>(s: &'a mut Scenario, name: &str) -> &'a mut Policy {
    s.policies
        .iter_mut()
        .find(|p| p.name() == name)
        .expect("policy in the scenario")
}

/// A policy of `kind` named `name` from 2024-01, open-ended.
fn new_policy(name: &str, kind: PolicyKind, amount_per_year: f64) -> Policy {
    let mut policy = Policy::new(kind, name, common::ym("2024-01"));
    policy.set_amount_per_year(Some(amount_per_year));
    policy
}

/// What one run measures.
type Measure = fn(&Simulation) -> f64;

/// Mean over the replicates of `measure` at the end of the horizon.
fn measured(s: &Scenario, measure: Measure) -> f64 {
    s.check().expect("test scenario is valid");
    (0..REPLICATES)
        .map(|r| {
            let mut sim = Simulation::new(s, r, &EngineOptions::default());
            while sim.step() {}
            measure(&sim)
        })
        .sum::<f64>()
        / f64::from(REPLICATES)
}

/// Mean of `indicator` over the twelve months of 2030 in `scope`.
fn year_2030(sim: &Simulation, indicator: Indicator, scope: Scope) -> f64 {
    let r = sim.result();
    let si = common::scope_index(r, scope);
    let ticks: Vec<usize> = (0..r.dates.len())
        .filter(|&t| r.dates[t].year == 2030)
        .collect();
    ticks
        .iter()
        .map(|&t| r.value(t, indicator, si))
        .sum::<f64>()
        / ticks.len() as f64
}

fn district(s: &Scenario, name: &str) -> usize {
    s.district_index(name).expect("district")
}

/// Runs `policy` at 0, `amount` and 3 × `amount` and asserts `measure` rises (or falls
/// when `rises` is false) strictly at each step.
fn money_moves(
    label: &str,
    s: &Scenario,
    policy: &str,
    amount: f64,
    measure: Measure,
    rises: bool,
) {
    let values: Vec<f64> = [0.0, amount, 3.0 * amount]
        .iter()
        .map(|&a| {
            let mut v = s.clone();
            policy_mut(&mut v, policy).set_amount_per_year(Some(a));
            measured(&v, measure)
        })
        .collect();
    println!(
        "| {policy} | {label} | {:.4} | {:.4} | {:.4} |",
        values[0], values[1], values[2]
    );
    let ordered = |a: f64, b: f64| if rises { b > a } else { b < a };
    assert!(
        ordered(values[0], values[1]) && ordered(values[1], values[2]),
        "{policy}: {label} at 0, {amount:e} and 3x: {values:?}, expected to {}",
        if rises { "rise" } else { "fall" }
    );
}

#[test]
fn digitization_money_raises_online_service() {
    let s = baseline();
    money_moves(
        "online_service_rate 2030",
        &s,
        "digitization",
        300e6,
        |sim| year_2030(sim, Indicator::OnlineServiceRate, Scope::City),
        true,
    );
}

#[test]
fn integration_money_raises_data_sharing() {
    let s = baseline();
    money_moves(
        "data_sharing_rate 2030",
        &s,
        "data-platform",
        200e6,
        |sim| year_2030(sim, Indicator::DataSharingRate, Scope::City),
        true,
    );
}

#[test]
fn operation_money_raises_availability() {
    let s = baseline();
    money_moves(
        "system_availability 2030",
        &s,
        "ops",
        100e6,
        |sim| year_2030(sim, Indicator::SystemAvailability, Scope::City),
        true,
    );
}

#[test]
fn training_money_raises_senior_adoption() {
    let s = baseline();
    money_moves(
        "senior adoption_rate 2030",
        &s,
        "senior-training",
        20e6,
        |sim| year_2030(sim, Indicator::AdoptionRate, Scope::Band(Band::Senior)),
        true,
    );
}

#[test]
fn device_subsidy_money_raises_senior_adoption() {
    let mut s = baseline();
    let mut subsidy = new_policy("senior-devices", PolicyKind::DeviceSubsidy, 20e6);
    let Policy::DeviceSubsidy(body) = &mut subsidy else {
        unreachable!("a device subsidy")
    };
    body.bands = vec![Band::Senior];
    s.policies.push(subsidy);
    money_moves(
        "senior adoption_rate 2030",
        &s,
        "senior-devices",
        20e6,
        |sim| year_2030(sim, Indicator::AdoptionRate, Scope::Band(Band::Senior)),
        true,
    );
}

fn westhill_online(sim: &Simulation) -> f64 {
    let d = district(&sim_scenario(), "Westhill County");
    year_2030(sim, Indicator::OnlineServiceRate, Scope::District(d))
}

/// The baseline's district order (the same for every variant here).
fn sim_scenario() -> Scenario {
    Scenario::baseline()
}

#[test]
fn service_point_money_raises_online_service_in_the_counties() {
    let s = baseline();
    money_moves(
        "Westhill County online_service_rate 2030",
        &s,
        "rural-service-points",
        15e6,
        westhill_online,
        true,
    );
}

#[test]
fn one_window_money_raises_one_trip_service() {
    let s = baseline();
    money_moves(
        "one_trip_rate 2030",
        &s,
        "one-window",
        10e6,
        |sim| year_2030(sim, Indicator::OneTripRate, Scope::City),
        true,
    );
}

#[test]
fn sensor_money_shortens_incident_response() {
    let s = baseline();
    money_moves(
        "incident_response_hours 2030",
        &s,
        "sensors",
        30e6,
        |sim| year_2030(sim, Indicator::IncidentResponseHours, Scope::City),
        false,
    );
}

#[test]
fn platform_money_shortens_incident_response() {
    let s = baseline();
    money_moves(
        "incident_response_hours 2030",
        &s,
        "one-network",
        40e6,
        |sim| year_2030(sim, Indicator::IncidentResponseHours, Scope::City),
        false,
    );
}

#[test]
fn evaluation_money_moves_operation_money_from_the_caseload_split() {
    let s = baseline();
    money_moves(
        "operation weight moved from the caseload split by 2030",
        &s,
        "evaluation",
        1e6,
        |sim| {
            let w = sim.operation_weights();
            let caseload = sim.caseload_weights();
            w.iter()
                .zip(&caseload)
                .map(|(w, c)| (w - c).abs())
                .sum::<f64>()
                / (2.0 * w.len() as f64)
        },
        true,
    );
}

/// Budgeting by satisfaction helps at the same operation money: the evaluation sends
/// operation money where failed attempts cost residents the most, so availability and
/// online service rise against a run without evaluation (an earlier ranking by mean
/// request satisfaction sent it to slow paper-heavy services and lowered both).
#[test]
fn evaluation_budgeting_raises_availability_at_the_same_operation_money() {
    let with = baseline();
    let mut without = with.clone();
    policy_mut(&mut without, "evaluation").set_amount_per_year(Some(0.0));
    // Online service moves less than availability: a failed attempt is redone at a
    // counter, and only the adopters it drives away leave the channel.
    for (indicator, label, least) in [
        (Indicator::SystemAvailability, "system_availability", 0.005),
        (Indicator::OnlineServiceRate, "online_service_rate", 0.002),
    ] {
        let measure: Measure = match indicator {
            Indicator::SystemAvailability => {
                |sim| year_2030(sim, Indicator::SystemAvailability, Scope::City)
            }
            _ => |sim| year_2030(sim, Indicator::OnlineServiceRate, Scope::City),
        };
        let (a, b) = (measured(&without, measure), measured(&with, measure));
        eprintln!("{label} 2030: no evaluation {a:.4}, evaluation {b:.4}");
        assert!(b > a + least, "{label}: {a} without, {b} with evaluation");
    }
}

#[test]
fn staffing_money_shortens_resolution() {
    let mut s = baseline();
    let mut staffing = new_policy("counter-staff", PolicyKind::Staffing, 10e6);
    let Policy::Staffing(body) = &mut staffing else {
        unreachable!("a staffing policy")
    };
    body.departments = vec![
        "Human Resources and Social Security".into(),
        "Healthcare Security".into(),
        "Civil Affairs".into(),
    ];
    s.policies.push(staffing);
    // Waits matter while the busiest counters are loaded: 2024–2025, before most of
    // their requests have moved online.
    money_moves(
        "mean_resolution_days 2024-2025",
        &s,
        "counter-staff",
        10e6,
        |sim| {
            (yearly(sim, Indicator::MeanResolutionDays, Scope::City, 2024)
                + yearly(sim, Indicator::MeanResolutionDays, Scope::City, 2025))
                / 2.0
        },
        false,
    );
}

/// The policy `name` funded until the end of 2026 only, funded throughout, and never funded.
fn stopped_kept_none(name: &str) -> [Scenario; 3] {
    let kept = baseline();
    let mut stopped = kept.clone();
    policy_mut(&mut stopped, name).set_end(Some(common::ym("2026-12")));
    let mut none = kept.clone();
    policy_mut(&mut none, name).set_amount_per_year(Some(0.0));
    [stopped, kept, none]
}

/// Runs `s` and returns (asset at Dec 2026, asset at Dec 2030, outcome in 2026, outcome
/// in 2030), the outcome a yearly mean.
fn asset_path(
    s: &Scenario,
    asset: fn(&Simulation) -> f64,
    outcome: fn(&Simulation, i32) -> f64,
) -> (f64, f64, f64, f64) {
    let mut sim = Simulation::new(s, 0, &EngineOptions::default());
    let mut at_2026 = f64::NAN;
    while sim.step() {
        let r = sim.result();
        let date = r.dates[sim.ticks_done() - 1];
        if date.year == 2026 && date.month == 12 {
            at_2026 = asset(&sim);
        }
    }
    (
        at_2026,
        asset(&sim),
        outcome(&sim, 2026),
        outcome(&sim, 2030),
    )
}

fn yearly(sim: &Simulation, indicator: Indicator, scope: Scope, year: i32) -> f64 {
    let r = sim.result();
    let si = common::scope_index(r, scope);
    let ticks: Vec<usize> = (0..r.dates.len())
        .filter(|&t| r.dates[t].year == year)
        .collect();
    ticks
        .iter()
        .map(|&t| r.value(t, indicator, si))
        .sum::<f64>()
        / ticks.len() as f64
}

/// Built, then the upkeep stopped at the end of 2026: the built asset falls below its
/// 2026 level and below the run that kept paying, and so does its effect on the outcome
/// (the outcome against the run that never funded the policy, which takes out the trends
/// every run shares).
fn decays_without_upkeep(
    name: &str,
    label: &str,
    asset: fn(&Simulation) -> f64,
    outcome: fn(&Simulation, i32) -> f64,
    outcome_rises_with_asset: bool,
) {
    let [stopped, kept, none] = stopped_kept_none(name);
    let (a26, a30, o26, o30) = asset_path(&stopped, asset, outcome);
    let (_, k30, _, ko30) = asset_path(&kept, asset, outcome);
    let (_, _, n26, n30) = asset_path(&none, asset, outcome);
    let sign = if outcome_rises_with_asset { 1.0 } else { -1.0 };
    let (effect26, effect30, kept30) =
        (sign * (o26 - n26), sign * (o30 - n30), sign * (ko30 - n30));
    println!(
        "| {name} | {a26:.4} | {a30:.4} | {k30:.4} | {label} | {effect26:.4} | {effect30:.4} | {kept30:.4} |"
    );
    assert!(
        a30 < a26 && a30 < k30,
        "{name}: asset {a26} -> {a30}, kept paying {k30}"
    );
    assert!(
        effect26 > 0.0 && effect30 < effect26 && effect30 < kept30,
        "{name}: effect on {label} {effect26} -> {effect30}, kept paying {kept30}"
    );
}

#[test]
fn service_points_decay_without_upkeep() {
    decays_without_upkeep(
        "rural-service-points",
        "Westhill County online_service_rate",
        |sim| {
            let d = district(&sim_scenario(), "Westhill County");
            sim.assets().service_points_built[d]
        },
        |sim, year| {
            let d = district(&sim_scenario(), "Westhill County");
            yearly(sim, Indicator::OnlineServiceRate, Scope::District(d), year)
        },
        true,
    );
}

#[test]
fn sensors_decay_without_upkeep() {
    decays_without_upkeep(
        "sensors",
        "incident_response_hours",
        |sim| sim.assets().sensors_built.iter().sum::<f64>(),
        |sim, year| yearly(sim, Indicator::IncidentResponseHours, Scope::City, year),
        false,
    );
}

#[test]
fn platform_decays_without_upkeep() {
    decays_without_upkeep(
        "one-network",
        "incident_response_hours",
        |sim| sim.assets().platform_built,
        |sim, year| yearly(sim, Indicator::IncidentResponseHours, Scope::City, year),
        false,
    );
}

#[test]
fn one_window_staff_leave_without_money() {
    decays_without_upkeep(
        "one-window",
        "one_trip_rate",
        |sim| sim.assets().window_staffing.iter().sum::<f64>(),
        |sim, year| yearly(sim, Indicator::OneTripRate, Scope::City, year),
        true,
    );
}

/// Cost per request over 2027–2030 (yearly means of the city value).
fn cost_per_request(sim: &Simulation) -> f64 {
    (2027..=2030)
        .map(|y| yearly(sim, Indicator::CostPerRequest, Scope::City, y))
        .sum::<f64>()
        / 4.0
}

/// At equal spend and equal staff, a request costs the same whichever way the
/// construction money goes (to the split of the pay with firms' errands): every case
/// officer is paid whether or not cases move online (issue 29: `cost_per_request` counts
/// all staff pay, not only the time requests took).
/// What digitization buys instead is time: processing is faster with more of it online.
#[test]
fn at_equal_spend_and_staff_the_cost_per_request_is_the_same_and_digitization_buys_time() {
    // The same 300 million a year of construction, once for digitization and once for
    // the city data platform: the same spend, amortised alike.
    let digitized = baseline();
    let mut integrated = baseline();
    let build = policy_mut(&mut integrated, "digitization");
    let Policy::InvestDigitization(body) = build else {
        unreachable!("the baseline's digitization policy")
    };
    *build = Policy::InvestIntegration(body.clone());
    let spend = |s: &Scenario| {
        (0..s.policies.len())
            .map(|i| s.policy_amount_per_year(i))
            .sum::<f64>()
    };
    assert_eq!(spend(&digitized), spend(&integrated));
    let (a, b) = (
        measured(&digitized, cost_per_request),
        measured(&integrated, cost_per_request),
    );
    // Equal up to the split of the staff pay between residents' requests and firms'
    // errands, which follows the staff time each takes: digitization moves some of both
    // online, not in the same proportion (issue 32: 59.911 vs 59.917 CNY, 0.01 %; exactly
    // equal while residents' requests carried all the pay).
    assert!((a - b).abs() <= 1e-3 * a, "{a} vs {b}");
    let days = |s: &Scenario| {
        measured(s, |sim| {
            yearly(sim, Indicator::MeanResolutionDays, Scope::City, 2030)
        })
    };
    let (faster, slower) = (days(&digitized), days(&integrated));
    println!("resolution 2030: more digitization {faster:.3} days, less {slower:.3}");
    assert!(faster < slower, "{faster} vs {slower}");
}

/// `kind` added to the baseline (with its economy) from 2024-01 at 0, `amount` and 3 ×
/// `amount` a year: `measure` moves the right way with diminishing returns (3 × the money
/// gains less than 3 × the first amount's gain).
fn economy_money_moves(kind: PolicyKind, amount: f64, label: &str, measure: Measure, rises: bool) {
    let values: Vec<f64> = [0.0, amount, 3.0 * amount]
        .iter()
        .map(|&a| {
            let mut s = baseline();
            s.policies.push(new_policy("economy-policy", kind, a));
            measured(&s, measure)
        })
        .collect();
    println!(
        "| {} | {label} | {:.4} | {:.4} | {:.4} |",
        kind.name(),
        values[0],
        values[1],
        values[2]
    );
    let sign = if rises { 1.0 } else { -1.0 };
    let (gain, gain3) = (
        sign * (values[1] - values[0]),
        sign * (values[2] - values[0]),
    );
    assert!(
        gain > 0.0 && gain3 > gain && gain3 < 3.0 * gain,
        "{}: {label} at 0, {amount:e} and 3x: {values:?}, expected to {} with diminishing returns",
        kind.name(),
        if rises { "rise" } else { "fall" }
    );
}

#[test]
fn voucher_money_raises_enterprise_maturity() {
    // 300 M CNY a year covers about 10 % of the city's 137,000 firms at 20,000 CNY each.
    economy_money_moves(
        PolicyKind::EnterpriseDigitizationVouchers,
        300e6,
        "enterprise_maturity 2030",
        |sim| year_2030(sim, Indicator::EnterpriseMaturity, Scope::City),
        true,
    );
}

#[test]
fn computing_voucher_money_raises_cloud_use() {
    // 100 M CNY a year covers about 14 % of the firms at 5,000 CNY each.
    economy_money_moves(
        PolicyKind::ComputingPowerVouchers,
        100e6,
        "cloud_rate 2030",
        |sim| year_2030(sim, Indicator::CloudRate, Scope::City),
        true,
    );
}

#[test]
fn industrial_platform_money_raises_numerical_control() {
    // 20 M CNY a year builds about a tenth of a 200 M CNY platform in the first year.
    economy_money_moves(
        PolicyKind::IndustrialInternetPlatform,
        20e6,
        "numerical_control_rate 2030",
        |sim| year_2030(sim, Indicator::NumericalControlRate, Scope::City),
        true,
    );
}

#[test]
fn industrial_platform_decays_without_upkeep() {
    // Built 2024-2026, then no money: the built level decays at exactly its rate, the
    // firms' numerical control gains less than where it was kept up, and keeps what it
    // took up (tools are not given back).
    let mut kept = baseline();
    kept.policies.push(new_policy(
        "industrial-platform",
        PolicyKind::IndustrialInternetPlatform,
        40e6,
    ));
    let mut stopped = kept.clone();
    policy_mut(&mut stopped, "industrial-platform").set_end(Some(common::ym("2026-12")));
    let mut none = kept.clone();
    policy_mut(&mut none, "industrial-platform").set_amount_per_year(Some(0.0));
    let built = |sim: &Simulation| sim.economy_levers().platform_built;
    let nc =
        |sim: &Simulation, year| yearly(sim, Indicator::NumericalControlRate, Scope::City, year);
    let (a26, a30, _, s30) = asset_path(&stopped, built, nc);
    let (_, k30, _, k_nc30) = asset_path(&kept, built, nc);
    let (_, n30, _, n_nc30) = asset_path(&none, built, nc);
    let decay = stopped.costs.industrial_platform_decay_per_year;
    let expected = a26 * libm::exp(-decay * 4.0);
    println!(
        "| industrial-platform | built {a26:.4} (2026) -> {a30:.4} (2030), kept {k30:.4}, never {n30:.4} | numerical_control_rate 2030 stopped {s30:.4}, kept {k_nc30:.4}, never {n_nc30:.4} |"
    );
    assert!(a26 > 0.2 && n30 == 0.0, "{a26} {n30}");
    assert!((a30 - expected).abs() <= 1e-9 * a26, "{a30} vs {expected}");
    assert!(a30 < k30, "{a30} vs kept {k30}");
    assert!(n_nc30 < s30 && s30 < k_nc30, "{n_nc30} < {s30} < {k_nc30}");
}

#[test]
fn open_data_money_raises_the_digital_core_share() {
    // 5 M CNY a year builds open data (30 M CNY in full) to about a third by 2027.
    economy_money_moves(
        PolicyKind::OpenData,
        5e6,
        "digital_core_share 2030",
        |sim| year_2030(sim, Indicator::DigitalCoreShare, Scope::City),
        true,
    );
}

#[test]
fn park_starting_services_decay_without_their_upkeep() {
    // The baseline keeps Hi-Tech's starting services (0.3) with `park-services-upkeep`;
    // stopped at the end of 2026 they decay at exactly their rate, never paid from 2024
    // they decay from the start, and the park district's firms' errands done in one trip
    // follow: never < stopped < kept.
    let kept = baseline();
    let hi_tech = district(&kept, "Hi-Tech Zone");
    assert_eq!(
        hi_tech, 3,
        "the measures below name the district by position"
    );
    let mut stopped = kept.clone();
    policy_mut(&mut stopped, "park-services-upkeep").set_end(Some(common::ym("2026-12")));
    let mut none = kept.clone();
    policy_mut(&mut none, "park-services-upkeep").set_amount_per_year(Some(0.0));
    let base = |sim: &Simulation| sim.economy_levers().park_base[3];
    let one_trip = |sim: &Simulation, year| {
        yearly(
            sim,
            Indicator::EnterpriseOneTripRate,
            Scope::District(3),
            year,
        )
    };
    let (s26, s30, _, s_ot30) = asset_path(&stopped, base, one_trip);
    let (k26, k30, _, k_ot30) = asset_path(&kept, base, one_trip);
    let (_, n30, _, n_ot30) = asset_path(&none, base, one_trip);
    let decay = kept.costs.park_services_decay_per_year;
    let start = kept.population.districts[3]
        .park
        .as_ref()
        .expect("Hi-Tech's park")
        .services;
    println!(
        "| park-services-upkeep | Hi-Tech starting services kept {k26:.4} / {k30:.4}, stopped 2026 {s26:.4} -> {s30:.4}, never {n30:.4} | enterprise_one_trip_rate 2030 (Hi-Tech) kept {k_ot30:.4}, stopped {s_ot30:.4}, never {n_ot30:.4} |"
    );
    for kept_level in [k26, k30, s26] {
        assert!((kept_level - start).abs() < 1e-9, "{kept_level} vs {start}");
    }
    let expected = start * libm::exp(-decay * 4.0);
    assert!((s30 - expected).abs() < 1e-9, "{s30} vs {expected}");
    let never = start * libm::exp(-decay * 7.0);
    assert!((n30 - never).abs() < 1e-9, "{n30} vs {never}");
    assert!(
        n_ot30 < s_ot30 && s_ot30 < k_ot30,
        "{n_ot30} < {s_ot30} < {k_ot30}"
    );
}

#[test]
fn park_services_money_raises_firms_one_trip_errands_in_the_park_district() {
    // 5 M CNY a year over the two parks' 10,900 firms (29.5 M CNY builds Hi-Tech's fully).
    let hi_tech = district(&baseline(), "Hi-Tech Zone");
    assert_eq!(
        hi_tech, 3,
        "the measure below names the district by position"
    );
    economy_money_moves(
        PolicyKind::ParkServices,
        5e6,
        "Hi-Tech Zone enterprise_one_trip_rate 2030",
        |sim| year_2030(sim, Indicator::EnterpriseOneTripRate, Scope::District(3)),
        true,
    );
}
