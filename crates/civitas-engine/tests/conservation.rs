//! Acceptance: requests are conserved, resident states stay in range and scope tallies
//! add up to the city's.

mod common;

use civitas_engine::{EngineOptions, Scope, Simulation, simulate};
use civitas_scenario::{Band, Indicator, Shock, ShockKind, Unit};
use common::{baseline, ym};

/// The baseline with capacity shocks (so queues of residents' requests and of firms'
/// errands form) and a cyber incident (so online requests fail and fall back), over two
/// years.
fn stressed(agents: u64) -> civitas_scenario::Scenario {
    let mut s = baseline(agents);
    s.scenario.end = ym("2025-12");
    s.shocks.push(Shock {
        name: "strike".into(),
        kind: ShockKind::PlatformOutage,
        start: ym("2024-04"),
        end: ym("2024-09"),
        departments: vec!["Healthcare Security".into(), "Civil Affairs".into()],
        districts: vec![],
        incident_rate_factor: 1.0,
        health_factor: 1.0,
        capacity_factor: 0.5,
    });
    // Firms' errands go to Market Regulation and Taxation: a deeper cut there.
    s.shocks.push(Shock {
        name: "errand-strike".into(),
        kind: ShockKind::PlatformOutage,
        start: ym("2024-04"),
        end: ym("2024-09"),
        departments: vec!["Market Regulation".into(), "Taxation".into()],
        districts: vec![],
        incident_rate_factor: 1.0,
        health_factor: 1.0,
        capacity_factor: 0.2,
    });
    s.shocks.push(Shock {
        name: "cyber".into(),
        kind: ShockKind::CyberIncident,
        start: ym("2025-02"),
        end: ym("2025-03"),
        departments: vec![],
        districts: vec![],
        incident_rate_factor: 1.0,
        health_factor: 0.5,
        capacity_factor: 1.0,
    });
    s
}

#[test]
fn every_request_is_resolved_queued_or_failed() {
    let s = stressed(6_000);
    let mut sim = Simulation::new(&s, 0, &EngineOptions::default());
    let (mut saw_queue, mut saw_failure, mut saw_errands_queued) = (false, false, false);
    while sim.step() {
        let l = sim.ledger();
        // Firms' errands, apart: every one raised is resolved or waiting.
        assert!(
            (l.errands_raised - l.errands_resolved - l.errands_queued).abs()
                <= 1e-9 * l.errands_raised.max(1.0),
            "tick {}: errands raised {} vs resolved {} + queued {}",
            sim.ticks_done(),
            l.errands_raised,
            l.errands_resolved,
            l.errands_queued
        );
        assert!(l.errands_raised > 0.0, "the baseline's firms bring errands");
        saw_errands_queued |= l.errands_queued > 0.0;
        let accounted = l.resolved + l.queued + l.failed_pending + l.abandoned;
        assert!(
            (l.raised - accounted).abs() <= 1e-9 * l.raised.max(1.0),
            "tick {}: raised {} vs resolved {} + queued {} + failed {}",
            sim.ticks_done(),
            l.raised,
            l.resolved,
            l.queued,
            l.failed_pending
        );
        saw_queue |= l.queued > 0.0;
        saw_failure |= l.failed_pending > 0.0;
    }
    assert!(
        saw_queue && saw_failure && saw_errands_queued,
        "the stress shocks exercise queues (of requests and errands) and failures"
    );
    let r = sim.finish();
    // The capacity shock shows as longer resolution times.
    let t = |m: &str| common::tick_of(&r, m);
    assert!(
        r.value(t("2024-09"), Indicator::MeanResolutionDays, 0)
            > r.value(t("2024-02"), Indicator::MeanResolutionDays, 0) + 1.0
    );
}

#[test]
fn residents_and_indicators_stay_in_range_and_scopes_add_up() {
    let s = stressed(3_000);
    // Every resident, including those who enter at 15 during the run.
    let r = simulate(
        &s,
        0,
        &EngineOptions {
            agent_sample: usize::MAX,
        },
    );
    for row in &r.agent_sample {
        assert!((0.0..=1.0).contains(&row.literacy), "{row:?}");
        assert!((0.0..=1.0).contains(&row.trust), "{row:?}");
        assert!((0.0..=100.0).contains(&row.satisfaction), "{row:?}");
        assert!(
            !row.adopted || row.has_device,
            "adopters own a device: {row:?}"
        );
    }
    for t in 0..r.dates.len() {
        for &i in Indicator::ALL {
            for si in 0..r.scopes.len() {
                let v = r.value(t, i, si);
                // A sector or size band of the firms has only the economy's indicators.
                if r.scopes[si].is_firms() && !i.is_economy() {
                    assert!(v.is_nan(), "{i} {v} for {:?}", r.scopes[si]);
                    continue;
                }
                match i.meta().unit {
                    Unit::Share if i != Indicator::DigitalDivideGap => {
                        assert!(v.is_nan() || (0.0..=1.0).contains(&v), "{i} {v}")
                    }
                    Unit::Score => assert!((0.0..=100.0).contains(&v), "{i} {v}"),
                    _ => assert!(
                        v.is_nan() || v >= 0.0 || i == Indicator::DigitalDivideGap,
                        "{i} {v}"
                    ),
                }
            }
        }
        // Every indicator defined for the city, whatever the tick (those of firms only
        // with `[economy]`).
        for &i in Indicator::ALL.iter().filter(|i| !i.is_economy()) {
            assert!(!r.value(t, i, 0).is_nan(), "city {i} at tick {t}");
        }
        // Counts from the agent sample: the city's adopters are the districts' and the bands'.
        let rows: Vec<_> = r.agent_sample.iter().filter(|x| x.tick == t).collect();
        let n = rows.len();
        let people = r.value(t, Indicator::Residents, 0);
        assert!((people - n as f64 * s.population.scale).abs() < 1e-6 * people);
        let adopted = rows.iter().filter(|x| x.adopted).count() as f64;
        let city_rate = r.value(t, Indicator::AdoptionRate, 0);
        assert!((city_rate * n as f64 - adopted).abs() < 1e-6);
        let mut by_district = 0.0;
        for (si, scope) in r.scopes.iter().enumerate() {
            if let Scope::District(d) = *scope {
                let members = rows.iter().filter(|x| x.district == d).count() as f64;
                by_district += r.value(t, Indicator::AdoptionRate, si) * members;
            }
        }
        let mut by_band = 0.0;
        for b in Band::ALL {
            let si = common::scope_index(&r, Scope::Band(b));
            let members = rows.iter().filter(|x| x.band == b).count() as f64;
            by_band += r.value(t, Indicator::AdoptionRate, si) * members;
        }
        assert!((by_district - adopted).abs() < 1e-6 && (by_band - adopted).abs() < 1e-6);
        // The economy's money adds up across districts (bands have none).
        let total = r.value(t, Indicator::SpendEconomy, 0);
        let districts: f64 = r
            .scopes
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s, Scope::District(_)))
            .map(|(si, _)| r.value(t, Indicator::SpendEconomy, si))
            .sum();
        assert!(
            (districts - total).abs() <= 1e-6 * total.max(1.0),
            "spend_economy: {districts} vs {total}"
        );
        // Money adds up exactly across districts and across bands.
        for i in [Indicator::SpendConstruction, Indicator::SpendOperation] {
            let total = r.value(t, i, 0);
            let sum_of = |pred: fn(&Scope) -> bool| -> f64 {
                r.scopes
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| pred(s))
                    .map(|(si, _)| r.value(t, i, si))
                    .sum()
            };
            let districts = sum_of(|s| matches!(s, Scope::District(_)));
            let bands = sum_of(|s| matches!(s, Scope::Band(_)));
            assert!(
                (districts - total).abs() <= 1e-6 * total.max(1.0),
                "{i}: {districts} vs {total}"
            );
            assert!(
                (bands - total).abs() <= 1e-6 * total.max(1.0),
                "{i}: {bands} vs {total}"
            );
        }
    }
    // Incidents have no age band.
    let band = common::scope_index(&r, Scope::Band(Band::Senior));
    assert!(r.value(0, Indicator::IncidentResponseHours, band).is_nan());
}

/// `online_failure_rate` is the failed share of the online and assisted attempts that the
/// counts report, failed / (online + assisted + failed), in every scope and tick (NaN
/// without attempts); systems that never fail (`failure_scale` 0) make it 0.
#[test]
fn online_failure_rate_is_the_failed_share_of_the_attempts() {
    let mut s = common::baseline(20_000);
    s.scenario.end = common::ym("2025-06");
    let r = common::run(&s);
    let mut checked = 0;
    for tick in 0..r.dates.len() {
        for scope in 0..r.scopes.len() {
            let v = |i| r.value(tick, i, scope);
            let failed = v(Indicator::RequestsFailed);
            let attempts = v(Indicator::RequestsOnline) + v(Indicator::RequestsAssisted) + failed;
            let rate = v(Indicator::OnlineFailureRate);
            if attempts > 0.0 {
                assert!(
                    (rate - failed / attempts).abs() < 1e-12,
                    "tick {tick}, scope {scope}: {rate} vs {failed} / {attempts}"
                );
                checked += 1;
            } else {
                assert!(rate.is_nan(), "tick {tick}, scope {scope}: {rate}");
            }
        }
    }
    assert!(checked > 100, "{checked} ticks and scopes with attempts");
    let city = common::city(&r, Indicator::OnlineFailureRate, "2025-06");
    assert!(city > 0.0 && city < 0.5, "baseline {city}");
    for d in &mut s.departments {
        d.failure_scale = 0.0;
    }
    let never = common::run(&s);
    assert_eq!(
        common::city(&never, Indicator::OnlineFailureRate, "2025-06"),
        0.0
    );
}
