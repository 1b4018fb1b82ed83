//! Acceptance: trips, operation funding, training and shocks move the indicators the way
//! the model says they should.

mod common;

use civitas_scenario::{Indicator, PolicyKind, Scenario, Shock, ShockKind};
use common::{baseline, city, run, uniform_city, ym};

#[test]
fn fully_integrated_online_requests_need_no_trip() {
    let r = run(&uniform_city(5_000, 1.0, 1.0));
    for t in 0..r.dates.len() {
        assert_eq!(r.value(t, Indicator::OnlineServiceRate, 0), 1.0, "tick {t}");
        assert_eq!(r.value(t, Indicator::OneTripRate, 0), 1.0, "tick {t}");
        assert_eq!(r.value(t, Indicator::AvgTrips, 0), 0.0, "tick {t}");
        assert_eq!(r.value(t, Indicator::DataSharingRate, 0), 1.0, "tick {t}");
    }
}

#[test]
fn without_integration_offline_trips_are_one_plus_required_departments() {
    let mut s = uniform_city(5_000, 0.0, 0.0);
    // One service owned by Education needing three other departments.
    s.services.retain(|x| x.name == "School enrolment");
    assert_eq!(s.services[0].requires.len(), 3);
    s.services[0].demand_per_year.senior = 0.3;
    let r = run(&s);
    for t in 0..r.dates.len() {
        assert_eq!(r.value(t, Indicator::OnlineServiceRate, 0), 0.0, "tick {t}");
        assert_eq!(r.value(t, Indicator::AvgTrips, 0), 4.0, "tick {t}");
        assert_eq!(r.value(t, Indicator::OneTripRate, 0), 0.0, "tick {t}");
        assert_eq!(r.value(t, Indicator::DataSharingRate, 0), 0.0, "tick {t}");
    }
    // A one window staffed for every department all the time (money far beyond the cost
    // of staffing it, staff in place within days) collapses those offline trips to one.
    s.costs.staff_adjust_per_year = 1e4;
    let departments = s.departments.len() as f64;
    let mut window = civitas_scenario::Policy::new(PolicyKind::OneWindow, "window", ym("2024-07"));
    window.set_amount_per_year(Some(
        departments * s.costs.one_window_per_department_year * 1000.0,
    ));
    s.policies.push(window);
    let r = run(&s);
    assert_eq!(city(&r, Indicator::AvgTrips, "2024-06"), 4.0);
    // July sees the window staffed from its first days; from August on, all the time.
    assert!(city(&r, Indicator::AvgTrips, "2024-07") < 1.1);
    assert_eq!(city(&r, Indicator::AvgTrips, "2024-08"), 1.0);
    assert_eq!(city(&r, Indicator::OneTripRate, "2024-12"), 1.0);
}

#[test]
fn building_without_operating_decays_availability_and_online_service() {
    let with_ops = baseline(10_000);
    let mut without_ops = with_ops.clone();
    without_ops
        .policies
        .retain(|p| p.kind() != PolicyKind::OperationsBudget);
    assert!(
        without_ops
            .policies
            .iter()
            .any(|p| p.kind() == PolicyKind::InvestDigitization)
    );
    let a = run(&with_ops);
    let b = run(&without_ops);
    let avail = |r| city(r, Indicator::SystemAvailability, "2030-12");
    let online = |r| city(r, Indicator::OnlineServiceRate, "2030-12");
    eprintln!(
        "availability {:.3} vs {:.3}, online {:.3} vs {:.3}",
        avail(&a),
        avail(&b),
        online(&a),
        online(&b)
    );
    assert!(
        avail(&a) - avail(&b) > 0.3,
        "availability {} vs {}",
        avail(&a),
        avail(&b)
    );
    assert!(
        online(&a) - online(&b) > 0.2,
        "online {} vs {}",
        online(&a),
        online(&b)
    );
    // Zero operation money is also zero operation spending from that lever.
    assert!(
        city(&b, Indicator::SpendOperation, "2030-12")
            < city(&a, Indicator::SpendOperation, "2030-12")
    );
}

#[test]
fn senior_training_narrows_the_digital_divide() {
    let with_training = baseline(20_000);
    let mut without = with_training.clone();
    without
        .policies
        .retain(|p| p.kind() != PolicyKind::DigitalTraining);
    let gap = |s: &Scenario| city(&run(s), Indicator::DigitalDivideGap, "2030-12");
    let (g_with, g_without) = (gap(&with_training), gap(&without));
    eprintln!("gap with training {g_with:.3}, without {g_without:.3}");
    // Issue 30's calibrated baseline starts with 0.91 of senior device owners adopted, so
    // training (literacy and a Bass boost for the adopters it reaches) has few left to
    // move: the gap narrows by about half a point, where the devices make the rest of it.
    assert!(
        g_without - g_with > 0.004,
        "gap {g_with} with vs {g_without} without"
    );
}

#[test]
fn platform_outage_dips_online_service_which_recovers() {
    let mut calm = baseline(10_000);
    calm.scenario.end = ym("2026-12");
    let mut shocked = calm.clone();
    shocked.shocks.push(Shock {
        name: "outage".into(),
        kind: ShockKind::PlatformOutage,
        start: ym("2026-03"),
        end: ym("2026-05"),
        departments: vec![],
        districts: vec![],
        incident_rate_factor: 1.0,
        health_factor: 0.3,
        capacity_factor: 1.0,
    });
    let a = run(&calm);
    let b = run(&shocked);
    let online = |r, m| city(r, Indicator::OnlineServiceRate, m);
    for m in ["2026-03", "2026-04", "2026-05"] {
        assert!(
            online(&a, m) - online(&b, m) > 0.2,
            "{m}: {} vs {}",
            online(&a, m),
            online(&b, m)
        );
        assert!(city(&b, Indicator::SystemAvailability, m) < 0.35);
    }
    assert!(
        (online(&a, "2026-02") - online(&b, "2026-02")).abs() < 1e-12,
        "no effect before the shock"
    );
    for m in ["2026-09", "2026-12"] {
        assert!(
            (online(&a, m) - online(&b, m)).abs() < 0.03,
            "{m}: {} vs {}",
            online(&a, m),
            online(&b, m)
        );
    }
}

#[test]
fn weekly_ticks_run_the_same_model() {
    let monthly = baseline(5_000);
    let mut weekly = monthly.clone();
    weekly.scenario.tick = civitas_scenario::TickLength::Week;
    let m = run(&monthly);
    let w = run(&weekly);
    assert!(w.dates.len() > 360);
    let last = |r: &civitas_engine::ReplicateResult, i| r.value(r.dates.len() - 1, i, 0);
    for i in [Indicator::AdoptionRate, Indicator::SystemAvailability] {
        assert!(
            (last(&m, i) - last(&w, i)).abs() < 0.03,
            "{i}: monthly {} weekly {}",
            last(&m, i),
            last(&w, i)
        );
    }
    // A week's requests of 5,000 agents are too few for one tick's rate: compare 2030.
    let year = |r: &civitas_engine::ReplicateResult, i| {
        let v: Vec<f64> = (0..r.dates.len())
            .filter(|&t| r.dates[t].year == 2030)
            .map(|t| r.value(t, i, 0))
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let i = Indicator::OnlineServiceRate;
    assert!(
        (year(&m, i) - year(&w, i)).abs() < 0.03,
        "{i}: monthly {} weekly {}",
        year(&m, i),
        year(&w, i)
    );
    // Spending is reported per year whatever the tick length.
    for i in [Indicator::SpendConstruction, Indicator::SpendOperation] {
        let ratio = last(&m, i) / last(&w, i);
        assert!((ratio - 1.0).abs() < 1e-9, "{i}: {ratio}");
    }
    let yearly: f64 = monthly
        .policies
        .iter()
        .filter(|p| p.kind().spending() == civitas_scenario::Spending::Construction)
        .filter(|p| p.end().is_none_or(|e| e >= ym("2030-12")))
        .map(|p| p.amount_per_year().unwrap_or(0.0))
        .sum();
    assert!((last(&m, Indicator::SpendConstruction) - yearly).abs() < 1e-6 * yearly);
}

/// The economy policies' money is the economy's spending line: it serves no resident's
/// request, so residents' cost per request and the public services' spending leave it
/// out. (Before issue 32's fix it counted in `spend_operation` or `spend_construction`
/// and in `cost_per_request`: 300 M CNY a year of vouchers added about 10 CNY to each
/// request.)
#[test]
fn economy_money_is_its_own_spending_line_not_residents_cost_per_request() {
    let mut plain = baseline(6_000);
    plain.scenario.end = ym("2024-06");
    let mut funded = plain.clone();
    for (kind, amount) in [
        (PolicyKind::EnterpriseDigitizationVouchers, 300e6),
        (PolicyKind::IndustrialInternetPlatform, 20e6),
        (PolicyKind::ParkServices, 5e6),
    ] {
        let mut p = civitas_scenario::Policy::new(kind, kind.name(), ym("2024-01"));
        p.set_amount_per_year(Some(amount));
        funded.policies.push(p);
    }
    let (a, b) = (run(&plain), run(&funded));
    let at = |r: &civitas_engine::ReplicateResult, i, t| r.value(t, i, 0);
    // The first tick: the same residents, the same public money.
    for i in [Indicator::SpendConstruction, Indicator::SpendOperation] {
        assert_eq!(at(&a, i, 0), at(&b, i, 0), "{i}");
    }
    // The baseline's own economy money is the parks' upkeep.
    let upkeep = at(&a, Indicator::SpendEconomy, 0);
    assert!((upkeep - 2.2715e6).abs() < 1e-6 * 2.2715e6, "{upkeep}");
    let economy = at(&b, Indicator::SpendEconomy, 0) - upkeep;
    assert!((economy - 325e6).abs() < 1e-6 * 325e6, "{economy}");
    for t in 0..a.dates.len() {
        let (x, y) = (
            at(&a, Indicator::CostPerRequest, t),
            at(&b, Indicator::CostPerRequest, t),
        );
        println!("tick {t}: cost_per_request {x:.3} without, {y:.3} with 325 M of economy money");
        // Only through the firms' errands (more mature firms file more of them online).
        assert!((x - y).abs() < 0.2, "tick {t}: {x} vs {y}");
    }
}
