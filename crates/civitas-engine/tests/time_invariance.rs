//! Acceptance: results do not depend on the tick length. The baseline run with weekly
//! ticks agrees with the baseline run with monthly ticks, in December 2027 and December
//! 2030, on every city indicator except spending (which the scenario fixes per year, so
//! it agrees by construction): within 1 % relative, or 0.005 absolute for shares.
//!
//! "December" of a weekly run is the mean of the weekly ticks that start in December
//! (a month of requests, like the monthly tick); stocks such as adoption, and the
//! trailing-year complaint rate, are read at the end of December's last tick in both.
//! Seeds are fixed, so the test is deterministic; agents × replicates are chosen so that
//! the sampling noise of the difference (standard error printed with each comparison) is
//! well below the tolerance, for every indicator.

mod common;

use civitas_engine::{EngineOptions, ReplicateResult, simulate};
use civitas_scenario::{Indicator, Scenario, TickLength, Unit};
use rayon::prelude::*;

const AGENTS: u64 = 12_500;
const REPLICATES: u32 = 256;

fn runs(tick: TickLength) -> Vec<ReplicateResult> {
    let mut s: Scenario = common::baseline(AGENTS);
    s.scenario.tick = tick;
    (0..REPLICATES)
        .into_par_iter()
        .map(|r| simulate(&s, r, &EngineOptions::default()))
        .collect()
}

/// Per replicate, the value of `indicator` for the city in December of `year`: the mean
/// over the ticks starting in that December (one tick for monthly runs); stock
/// indicators (residents' states) at the last of them.
fn december(runs: &[ReplicateResult], indicator: Indicator, year: i32) -> Vec<f64> {
    let stock = matches!(
        indicator,
        Indicator::AdoptionRate
            | Indicator::DigitalDivideGap
            | Indicator::Satisfaction
            | Indicator::Trust
            | Indicator::ComplaintsPer1000
            | Indicator::HotlineContactsPer1000
            | Indicator::YoungShare
            | Indicator::MiddleShare
            | Indicator::SeniorShare
            | Indicator::Residents
    );
    runs.iter()
        .map(|r| {
            let ticks: Vec<usize> = (0..r.dates.len())
                .filter(|&t| r.dates[t].year == year && r.dates[t].month == 12)
                .collect();
            if stock {
                return r.value(*ticks.last().expect("December in horizon"), indicator, 0);
            }
            let values: Vec<f64> = ticks
                .iter()
                .map(|&t| r.value(t, indicator, 0))
                .filter(|v| v.is_finite())
                .collect();
            values.iter().sum::<f64>() / values.len() as f64
        })
        .collect()
}

fn mean_and_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

#[test]
fn weekly_and_monthly_ticks_give_the_same_results() {
    let monthly = runs(TickLength::Month);
    let weekly = runs(TickLength::Week);
    let mut failures = Vec::new();
    for year in [2027, 2030] {
        for &i in Indicator::ALL {
            // Counts of the tick (flows, requests by channel) scale with its length.
            if matches!(
                i,
                Indicator::SpendConstruction
                    | Indicator::SpendOperation
                    | Indicator::CostPerRequest
            ) || i.meta().unit == Unit::Count
                || i.is_economy()
            {
                continue;
            }
            let (m, se_m) = mean_and_se(&december(&monthly, i, year));
            let (w, se_w) = mean_and_se(&december(&weekly, i, year));
            let se = (se_m * se_m + se_w * se_w).sqrt();
            let tolerance = match i.meta().unit {
                Unit::Share => 0.005,
                _ => 0.01 * m.abs(),
            };
            eprintln!(
                "{year} {i:<24} month {m:>12.5} week {w:>12.5} diff {:>9.5} tol {tolerance:.5} se {se:.5}",
                w - m
            );
            // The test must be able to see a 1 % difference: noise at most half of it.
            if 2.0 * se > tolerance {
                failures.push(format!(
                    "{year} {i}: noise {se} too large for tolerance {tolerance}"
                ));
            }
            if (w - m).abs() > tolerance || !m.is_finite() || !w.is_finite() {
                failures.push(format!(
                    "{year} {i}: month {m}, week {w}, tolerance {tolerance}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
