//! Issue 29: answers that come from the city, not from modelling choices. Each test is
//! one acceptance point: a decayed system is felt (adoption stops rising, complaints rise
//! as availability falls), online service has no hidden ceiling, integration opens an
//! end-to-end online path, and complaints have no knife edge.

mod common;

use civitas_engine::{EngineOptions, ReplicateResult, simulate};
use civitas_scenario::{Indicator, Scenario};
use common::{baseline, city, run, tick_of, uniform_city, ym};

/// `scenario` with every policy's money set to zero.
fn without_money(mut s: Scenario) -> Scenario {
    s.budget = None;
    for p in &mut s.policies {
        p.set_amount_per_year(Some(0.0));
    }
    s
}

/// December values of `indicator` for the city, by year.
fn decembers(r: &ReplicateResult, indicator: Indicator, from: i32, to: i32) -> Vec<f64> {
    (from..=to)
        .map(|y| city(r, indicator, &format!("{y}-12")))
        .collect()
}

/// Zero budget for 20 years: once the systems have decayed and online service has
/// collapsed, adoption does not rise any more (failures are felt: they cost trust and
/// drive adopters away), and 12345 complaints rise as availability falls.
#[test]
fn with_no_money_adoption_stops_rising_once_online_service_collapses() {
    let mut s = without_money(baseline(8_000));
    s.scenario.end = ym("2043-12");
    s.uncertainty.clear();
    let r = run(&s);
    let availability = decembers(&r, Indicator::SystemAvailability, 2024, 2043);
    let online = decembers(&r, Indicator::OnlineServiceRate, 2024, 2043);
    let adoption = decembers(&r, Indicator::AdoptionRate, 2024, 2043);
    let complaints = decembers(&r, Indicator::ComplaintsPer1000, 2024, 2043);
    // Collapse: availability below 0.2, online service well below where it started.
    let collapsed = availability
        .iter()
        .position(|&a| a < 0.2)
        .expect("systems decay without operation money");
    let start_online = city(&r, Indicator::OnlineServiceRate, "2024-01");
    assert!(
        online[collapsed] < 0.7 * start_online,
        "online service {} against {start_online} at the start",
        online[collapsed]
    );
    for (k, a) in adoption.iter().enumerate().skip(collapsed + 1) {
        assert!(
            *a <= adoption[collapsed] + 0.002,
            "adoption rose after the collapse ({}): {} in {} against {}",
            2024 + collapsed,
            a,
            2024 + k,
            adoption[collapsed]
        );
    }
    assert!(adoption[19] < adoption[collapsed] - 0.03, "{adoption:?}");
    // Complaints rise as availability falls, year after year.
    for w in complaints.windows(2).take(collapsed + 1) {
        assert!(
            w[1] > w[0],
            "complaints fell as systems decayed: {complaints:?}"
        );
    }
}

/// A sweep of the operation budget: availability in 2030 from about 0.15 to 0.98, and
/// 12345 complaints fall monotonically as availability rises (a decayed system is
/// offered, fails and is complained about; before issue 29 it was simply not offered, and
/// complaints fell as systems died).
#[test]
fn complaints_fall_monotonically_as_operation_money_raises_availability() {
    let mut points: Vec<(f64, f64)> = [0.0, 1e7, 3e7, 1e8, 4e8]
        .iter()
        .map(|&money| {
            let mut s = baseline(5_000);
            s.uncertainty.clear();
            let ops = s
                .policies
                .iter_mut()
                .find(|p| p.name() == "ops")
                .expect("the baseline has an operation budget");
            ops.set_amount_per_year(Some(money));
            let r = run(&s);
            (
                city(&r, Indicator::SystemAvailability, "2030-12"),
                city(&r, Indicator::ComplaintsPer1000, "2030-12"),
            )
        })
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(points[0].0 < 0.2 && points[4].0 > 0.9, "{points:?}");
    for w in points.windows(2) {
        assert!(
            w[1].1 < w[0].1,
            "complaints against availability: {points:?}"
        );
    }
}

/// Everyone adopted, every system digitized and fully healthy: online service has no
/// hidden ceiling (it had one of 0.935, health counted in eligibility and failures).
#[test]
fn online_service_reaches_everyone_when_everyone_adopted_and_systems_are_whole() {
    // Integration at half: links go missing (trips), but nothing blocks the channel.
    let s = uniform_city(3_000, 1.0, 0.5);
    let r = run(&s);
    for month in ["2024-01", "2024-12"] {
        let online = city(&r, Indicator::OnlineServiceRate, month);
        assert!(online >= 0.97, "{month}: online service {online}");
    }
}

/// The bundled scenario `name` (of `scenarios/`) at `agents` agents, point estimates.
fn bundled(name: &str, agents: u64) -> Scenario {
    let path = format!("{}/../../scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let mut s = Scenario::load(&path).expect("the bundled scenario loads");
    s.set_agents(agents);
    s.uncertainty.clear();
    s
}

fn integrated_platform() -> Scenario {
    bundled("integrated-platform", 20_000)
}

/// Integration opens the end-to-end online path: in `integrated-platform` online service
/// rises above the baseline's, by an amount set by `end_to_end_online_share` (whose prior
/// is in the baseline): none without the path, more with a larger one.
#[test]
fn integration_raises_online_service_through_the_end_to_end_path() {
    let online = |s: &Scenario| city(&run(s), Indicator::OnlineServiceRate, "2030-12");
    let mut base = baseline(20_000);
    base.uncertainty.clear();
    let integrated = integrated_platform();
    let share = integrated.population.behaviour.end_to_end_online_share;
    assert!(share > 0.0, "the baseline opens an end-to-end path");
    let with_path = online(&integrated);
    let mut none = integrated.clone();
    none.population.behaviour.end_to_end_online_share = 0.0;
    let mut wider = integrated.clone();
    wider.population.behaviour.end_to_end_online_share = (2.0 * share).min(1.0);
    let (without, wider) = (online(&none), online(&wider));
    let base = online(&base);
    eprintln!("online 2030: baseline {base}, integrated {without} / {with_path} / {wider}");
    // The baseline shares 0.89 of its links in 2030, the integrated platform 0.99: the
    // path adds a little over the baseline's, and its size is the prior's to say.
    assert!(
        with_path > base,
        "{with_path} against the baseline's {base}"
    );
    assert!(with_path > without + 0.01, "{with_path} vs {without}");
    assert!(wider > with_path + 0.01, "{wider} vs {with_path}");
}

/// No knife edge: moving the complaint threshold or the failure penalty by 10 % moves
/// the baseline's 2030 complaints by less than 30 % (a penalty of 18 instead of 20 cut
/// them from 6.63 to 0.44 per 1,000 when a complaint needed a score below 75).
#[test]
fn ten_percent_on_the_complaint_curve_moves_complaints_by_less_than_thirty_percent() {
    let complaints = |change: &dyn Fn(&mut Scenario)| {
        let mut s = baseline(6_000);
        s.uncertainty.clear();
        change(&mut s);
        city(&run(&s), Indicator::ComplaintsPer1000, "2030-12")
    };
    let base = complaints(&|_| {});
    assert!(base > 0.0);
    let threshold = Scenario::baseline()
        .population
        .behaviour
        .complaint_threshold;
    let penalty = Scenario::baseline()
        .population
        .behaviour
        .satisfaction_failure_penalty;
    for factor in [0.9, 1.1] {
        let moved = [
            complaints(&|s| s.population.behaviour.complaint_threshold = threshold * factor),
            complaints(&|s| s.population.behaviour.satisfaction_failure_penalty = penalty * factor),
        ];
        for m in moved {
            assert!(
                (m / base - 1.0).abs() < 0.3,
                "x{factor}: {m} against {base} per 1,000"
            );
        }
    }
}

/// Conservation over the flow indicators: in every scope and tick the residents change by
/// exactly the entrants, less the deaths, plus the moves in, less the moves out (between
/// districts, and between bands by ageing), counted in agents.
#[test]
fn residents_change_by_exactly_their_flows_in_every_scope() {
    let s = baseline(4_000);
    let r = run(&s);
    let scale = s.population.scale;
    // Every flow and stock is a whole number of agents times the scale.
    let agents = |t: usize, i: Indicator, si: usize| {
        let v = r.value(t, i, si) / scale;
        assert!((v - v.round()).abs() < 1e-9, "{i} {v} is not whole");
        v.round() as i64
    };
    let mut seen = [0i64; 4];
    for t in 1..r.dates.len() {
        // Residents' scopes (a sector or size band of the firms has none).
        for si in (0..r.scopes.len()).filter(|&si| !r.scopes[si].is_firms()) {
            let change =
                agents(t, Indicator::Residents, si) - agents(t - 1, Indicator::Residents, si);
            let flows = [
                Indicator::Entrants,
                Indicator::Deaths,
                Indicator::MovedIn,
                Indicator::MovedOut,
            ]
            .map(|i| agents(t, i, si));
            assert_eq!(
                change,
                flows[0] - flows[1] + flows[2] - flows[3],
                "tick {t}, {:?}: {flows:?}",
                r.scopes[si]
            );
            if si == 0 {
                for (s, f) in seen.iter_mut().zip(flows) {
                    *s += f;
                }
            }
        }
    }
    assert!(seen.iter().all(|&n| n > 0), "every flow occurs: {seen:?}");
}

/// The requests by channel add up to the requests submitted, and the online ones to the
/// online service rate.
#[test]
fn requests_by_channel_add_up_to_the_online_service_rate() {
    let r = run(&baseline(3_000));
    for t in 0..r.dates.len() {
        let v = |i| r.value(t, i, 0);
        let online = v(Indicator::RequestsOnline) + v(Indicator::RequestsAssisted);
        let all = online + v(Indicator::RequestsOffline);
        let rate = v(Indicator::OnlineServiceRate);
        assert!(
            (online / all - rate).abs() < 1e-12,
            "tick {t}: {online} / {all} vs {rate}"
        );
    }
}

/// Staffing money reaches `cost_per_request`: hires are paid, so 200 million a year of
/// them raise the cost of a request (before issue 29 it moved 57.58 -> 57.57).
#[test]
fn hiring_raises_the_cost_per_request() {
    let cost = |money: f64| {
        let mut s = baseline(4_000);
        s.uncertainty.clear();
        let mut hires = civitas_scenario::Policy::new(
            civitas_scenario::PolicyKind::Staffing,
            "hires",
            ym("2024-01"),
        );
        hires.set_amount_per_year(Some(money));
        s.policies.push(hires);
        let r = run(&s);
        city(&r, Indicator::CostPerRequest, "2030-12")
    };
    let (none, hired) = (cost(0.0), cost(200e6));
    // 200 million over about 11 million represented requests a year: about 18 more each.
    assert!(hired > none + 10.0, "{none} without hires, {hired} with");
}

/// Evaluation budgeting never makes the city worse at the same operation money, and more
/// of it never does worse than less: `satisfaction-budgeting` (evaluation steering the
/// baseline's 100 million of operation money from 2024) with the evaluation's money at 0
/// (no evaluation: the caseload split), 1, 5 and 50 million a year, over six seeds with the
/// same draws (replicate r of each), point estimates. Each step up leaves availability,
/// online service and the satisfied share no lower and complaints no higher, beyond twice
/// the standard error of the paired differences or a thousandth of the level, whichever
/// is larger. The rule before issue 29's rework failed it: availability 0.926 at 1
/// million, 0.921 at 5 and 50 (4,000 agents, six seeds).
#[test]
fn more_evaluation_never_makes_the_city_worse_at_equal_money() {
    let base = bundled("satisfaction-budgeting", 4_000);
    let with_evaluation = |money: f64| {
        let mut s = base.clone();
        s.policies
            .iter_mut()
            .find(|p| p.name() == "evaluation")
            .expect("the scenario has an evaluation")
            .set_amount_per_year(Some(money));
        s
    };
    // (indicator, +1 when higher is better)
    let checked = [
        (Indicator::SystemAvailability, 1.0),
        (Indicator::OnlineServiceRate, 1.0),
        (Indicator::SatisfiedShare, 1.0),
        (Indicator::ComplaintsPer1000, -1.0),
    ];
    let seeds = 6;
    let values: Vec<Vec<Vec<f64>>> = [0.0, 1e6, 5e6, 5e7]
        .iter()
        .map(|&money| {
            let s = with_evaluation(money);
            (0..seeds)
                .map(|r| {
                    let result = simulate(&s, r, &EngineOptions::default());
                    let t = tick_of(&result, "2030-12");
                    checked
                        .iter()
                        .map(|(indicator, sign)| sign * result.value(t, *indicator, 0))
                        .collect()
                })
                .collect()
        })
        .collect();
    for step in 1..values.len() {
        for (k, (indicator, _)) in checked.iter().enumerate() {
            let gains: Vec<f64> = (0..seeds as usize)
                .map(|r| values[step][r][k] - values[step - 1][r][k])
                .collect();
            let n = gains.len() as f64;
            let mean = gains.iter().sum::<f64>() / n;
            let var = gains.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
            let se = (var / n).sqrt();
            // Paired seeds make the standard error tiny, so a thousandth of the level
            // (below what any published figure resolves) is the least difference counted.
            let level = values[step - 1].iter().map(|v| v[k].abs()).sum::<f64>() / n;
            let margin = (2.0 * se).max(1e-3 * level);
            assert!(
                mean >= -margin,
                "{indicator:?}, evaluation step {step} against the one before: \
                 {mean:+.5} (se {se:.5}, margin {margin:.5}) over {gains:?}"
            );
        }
    }
}

/// Entrants follow a cohort trend: `all-area-2030` run to 2043 (point estimates, two
/// seeds), the young stay ahead of the seniors in adoption every December, and by a
/// margin in 2043. Before issue 29 every cohort entered as the 2024 young band did, and
/// the divide closed to −0.001 by 2043 (6,000 agents): the seniors, the well-adopted
/// middle-aged of 2024, overtook a young band refilled with 2024's 15-year-olds.
#[test]
fn the_young_stay_ahead_of_the_seniors_over_twenty_years() {
    let mut s = bundled("all-area-2030", 10_000);
    s.scenario.end = ym("2043-12");
    let runs: Vec<ReplicateResult> = (0..2)
        .map(|r| simulate(&s, r, &EngineOptions::default()))
        .collect();
    let gap = |year: i32| {
        runs.iter()
            .map(|r| city(r, Indicator::DigitalDivideGap, &format!("{year}-12")))
            .sum::<f64>()
            / runs.len() as f64
    };
    let gaps: Vec<f64> = (2024..=2043).map(gap).collect();
    assert!(gaps.iter().all(|&g| g > 0.0), "{gaps:?}");
    assert!(gaps[19] > 0.008, "the divide in 2043: {gaps:?}");
}

/// Every asset needs upkeep, whoever paid for it: with the baseline's upkeep policies the
/// starting service points, sensors and platform stay (within 3 % by 2030, as the
/// population the upkeep is priced on grows), and with no money they decay at their
/// rates, like department systems without operation money (they were kept up free for
/// ever before issue 29).
#[test]
fn starting_assets_are_kept_only_by_their_upkeep() {
    let end_levels = |s: &Scenario| {
        let mut sim = civitas_engine::Simulation::new(s, 0, &EngineOptions::default());
        while sim.step() {}
        let a = sim.assets();
        (
            a.service_points_base.iter().sum::<f64>(),
            a.sensors_base.iter().sum::<f64>(),
            a.platform_base,
        )
    };
    let mut kept = baseline(3_000);
    kept.uncertainty.clear();
    let start = {
        let d = &kept.population.districts;
        (
            d.iter().map(|d| d.service_points).sum::<f64>(),
            d.iter().map(|d| d.iot_coverage).sum::<f64>(),
            kept.incidents.platform_level,
        )
    };
    let with_upkeep = end_levels(&kept);
    let without = end_levels(&without_money(kept));
    for (name, s, k, w) in [
        ("service points", start.0, with_upkeep.0, without.0),
        ("sensors", start.1, with_upkeep.1, without.1),
        ("platform", start.2, with_upkeep.2, without.2),
    ] {
        assert!(k > 0.97 * s && k <= s, "{name}: {s} at the start, {k} kept");
        assert!(w < 0.2 * s, "{name}: {s} at the start, {w} without upkeep");
    }
}
