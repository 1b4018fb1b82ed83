//! Workplaces and commutes (`workplaces`): the working residents' commute follows the
//! gravity model's closed form, moving jobs to a district shortens its residents'
//! commute and raises its jobs-housing balance, the shares are reassigned once a year,
//! and a bad commute row is refused naming its file, line and field.

mod common;

use civitas_engine::{ReplicateResult, Scope};
use civitas_scenario::{Band, Format, Indicator, Scenario};

const BASELINE: &str = include_str!("../../../scenarios/baseline.toml");

/// The baseline with a fixed set of firms (no entry, no exit) for `months` months.
fn fixed_firms(agents: u64, end: &str) -> Scenario {
    let mut s = common::baseline(agents);
    let economy = s.economy.as_mut().expect("the baseline has an economy");
    economy.entry_per_year = 0.0;
    economy.exit_per_year = 0.0;
    s.scenario.end = common::ym(end);
    s
}

/// Jobs of each district, from the firm groups.
fn jobs(s: &Scenario) -> Vec<f64> {
    let mut jobs = vec![0.0; s.population.districts.len()];
    for f in &s.economy.as_ref().expect("an economy").firms {
        jobs[s.district_index(&f.district).expect("district")] += f.count * f.jobs_per_firm;
    }
    jobs
}

/// Mean one-way commute of the workers of `home` by the closed form, written out here
/// apart from the engine's: `Σ_j D_j e^(−β t_hj) t_hj / Σ_j D_j e^(−β t_hj)`.
fn closed_form(s: &Scenario, jobs: &[f64], home: usize) -> (f64, f64) {
    let pop = &s.population;
    let beta = pop.commute.deterrence_per_minute;
    let (mut weight, mut minutes) = (0.0, 0.0);
    for (j, d) in jobs.iter().enumerate() {
        let t = pop.commute_minutes(home, j);
        let w = d * libm::exp(-beta * t);
        weight += w;
        minutes += w * t;
    }
    let own = jobs[home] * libm::exp(-beta * pop.commute_minutes(home, home));
    (minutes / weight, own / weight)
}

/// Working residents (15-59, represented) of scope `scope` at tick `t`.
fn workers(r: &ReplicateResult, t: usize, scope: usize) -> f64 {
    r.value(t, Indicator::Residents, scope)
        * (r.value(t, Indicator::YoungShare, scope) + r.value(t, Indicator::MiddleShare, scope))
}

#[test]
fn commutes_follow_the_gravity_closed_form() {
    let s = fixed_firms(6_000, "2024-01");
    let r = common::run(&s);
    let jobs = jobs(&s);
    let (mut city_minutes, mut city_home, mut city_workers) = (0.0, 0.0, 0.0);
    for (d, district) in s.population.districts.iter().enumerate() {
        let scope = common::scope_index(&r, Scope::District(d));
        let (minutes, home) = closed_form(&s, &jobs, d);
        let got = r.value(0, Indicator::AvgCommuteMinutes, scope);
        assert!(
            (got - minutes).abs() < 1e-4,
            "{}: {got} vs {minutes}",
            district.name
        );
        let got = r.value(0, Indicator::WorkInHomeDistrictShare, scope);
        assert!(
            (got - home).abs() < 1e-6,
            "{}: {got} vs {home}",
            district.name
        );
        let w = workers(&r, 0, scope);
        let ratio = r.value(0, Indicator::JobsHousingRatio, scope);
        assert!(
            (ratio - jobs[d] / w).abs() < 1e-6 * ratio,
            "{}: {ratio}",
            district.name
        );
        city_minutes += w * minutes;
        city_home += w * home;
        city_workers += w;
    }
    let city = common::scope_index(&r, Scope::City);
    let got = r.value(0, Indicator::AvgCommuteMinutes, city);
    assert!((got - city_minutes / city_workers).abs() < 1e-4, "{got}");
    let got = r.value(0, Indicator::WorkInHomeDistrictShare, city);
    assert!((got - city_home / city_workers).abs() < 1e-6, "{got}");
    let all_jobs: f64 = jobs.iter().sum();
    let got = r.value(0, Indicator::JobsHousingRatio, city);
    assert!((got - all_jobs / city_workers).abs() < 1e-6 * got, "{got}");
    // The baseline's city: about 36 minutes one way (docs/model.md, the baseline's
    // comment), and seniors do not commute.
    assert!((30.0..42.0).contains(&(city_minutes / city_workers)));
    let seniors = common::scope_index(&r, Scope::Band(Band::Senior));
    assert!(r.value(0, Indicator::AvgCommuteMinutes, seniors).is_nan());
}

#[test]
fn jobs_moved_to_a_county_shorten_its_commutes_and_raise_its_balance() {
    let before = fixed_firms(4_000, "2024-01");
    let mut after = before.clone();
    let county = "Westhill County";
    let economy = after.economy.as_mut().expect("an economy");
    let services = economy
        .firms
        .iter_mut()
        .find(|f| f.name == "Services (Central)")
        .expect("the baseline's services in Central");
    services.district = county.into();
    let d = before.district_index(county).expect("a county");
    let central = before.district_index("Central").expect("Central");
    let (rb, ra) = (common::run(&before), common::run(&after));
    let at = |r: &ReplicateResult, i: Indicator, d: usize| {
        r.value(0, i, common::scope_index(r, Scope::District(d)))
    };
    let minutes = Indicator::AvgCommuteMinutes;
    assert!(at(&ra, minutes, d) < at(&rb, minutes, d) - 5.0);
    let home = Indicator::WorkInHomeDistrictShare;
    assert!(at(&ra, home, d) > at(&rb, home, d) + 0.2);
    let ratio = Indicator::JobsHousingRatio;
    assert!(at(&ra, ratio, d) > at(&rb, ratio, d) + 1.0);
    // Central lost them: its residents commute further and it holds fewer jobs.
    assert!(at(&ra, minutes, central) > at(&rb, minutes, central));
    assert!(at(&ra, ratio, central) < at(&rb, ratio, central));
}

#[test]
fn workplaces_are_reassigned_at_each_new_year() {
    let mut s = common::baseline(4_000);
    s.scenario.end = common::ym("2025-02");
    let economy = s.economy.as_mut().expect("an economy");
    // Firms come and go quickly, so a year changes where the jobs are.
    economy.entry_per_year = 0.5;
    economy.exit_per_year = 0.3;
    let r = common::run(&s);
    let scope = common::scope_index(&r, Scope::District(0));
    let jan = common::tick_of(&r, "2024-01");
    let dec = common::tick_of(&r, "2024-12");
    let next = common::tick_of(&r, "2025-01");
    let at = |t: usize| r.value(t, Indicator::AvgCommuteMinutes, scope);
    for t in jan..=dec {
        assert_eq!(at(t), at(jan), "held through the year");
    }
    assert_ne!(at(next), at(dec), "reassigned in January");
    assert_eq!(at(next + 1), at(next));
}

#[test]
fn a_scenario_without_economy_has_no_commutes() {
    let mut s = common::baseline(2_000);
    s.scenario.end = common::ym("2024-02");
    s.economy = None;
    let r = common::run(&s);
    for i in [
        Indicator::AvgCommuteMinutes,
        Indicator::JobsHousingRatio,
        Indicator::WorkInHomeDistrictShare,
    ] {
        assert!(r.value(1, i, 0).is_nan(), "{i}");
    }
}

#[test]
fn a_bad_commute_row_is_refused_naming_file_line_and_field() {
    let row = "commute_minutes = [25, 35, 35, 40, 45, 60, 60, 65]\n";
    assert!(BASELINE.contains(row));
    let line = BASELINE[..BASELINE.find(row).unwrap()].lines().count() + 1;
    for (bad, field, expected) in [
        (
            "commute_minutes = [25, 35, 35, 40, 45, 60, 60]\n",
            "population.districts[0].commute_minutes",
            "found 7 entries, expected 8",
        ),
        (
            "commute_minutes = [25, -35, 35, 40, 45, 60, 60, 65]\n",
            "population.districts[0].commute_minutes[1]",
            "expected one-way minutes in [0, 600]",
        ),
        (
            "commute_minutes = [50, 35, 35, 40, 45, 60, 60, 65]\n",
            "population.districts[0].commute_minutes[0]",
            "found 50 minutes within Central, expected at most its commute to any other district (35 minutes to Riverside)",
        ),
    ] {
        let text = BASELINE.replacen(row, bad, 1);
        let err = Scenario::from_str_as(&text, Format::Toml, "commute.toml")
            .expect_err("a bad row is refused");
        let shown = err.to_string();
        assert!(shown.contains(field), "{shown}");
        assert!(shown.contains(expected), "{shown}");
        assert!(shown.contains(&format!("commute.toml:{line}")), "{shown}");
    }
    let text = BASELINE.replacen(
        "deterrence_per_minute = 0.07\n",
        "deterrence_per_minute = 0.07\nwithin_district_minutes = 50\nbetween_district_minutes = 40\n",
        1,
    );
    let err = Scenario::from_str_as(&text, Format::Toml, "commute.toml").expect_err("refused");
    assert!(
        err.to_string()
            .contains("population.commute.within_district_minutes"),
        "{err}"
    );
}
