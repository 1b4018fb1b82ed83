//! Test fixtures: `BatchResult`s of a small baseline with synthetic, deterministic
//! replicate series (every indicator in every scope the engine reports, the city's incident
//! and divide indicators left undefined elsewhere as in a real run), and the replicate
//! statistics computed here. The report crate never runs a simulation, so its tests do not
//! either; the batch crate owns the real aggregation.

#![allow(
    dead_code,
    reason = "each test binary uses a part of the shared helpers"
)]

use civitas_results::{
    BatchResult, Manifest, SeriesSummary, SweepPoint, SweepResult, TargetResult, TargetStatus,
};
use civitas_scenario::{Band, Indicator, Scenario, TargetBasis};

/// Agents per replicate in report tests: the report only needs plausible series.
pub const TEST_AGENTS: u64 = 2_000;
/// Replicates per run in report tests.
pub const TEST_REPLICATES: u32 = 4;

/// The bundled baseline, shrunk for tests.
pub fn small_baseline() -> Scenario {
    let mut s = Scenario::baseline();
    s.set_agents(TEST_AGENTS);
    s.scenario.replicates = TEST_REPLICATES;
    s
}

/// Linear-interpolated percentile of sorted finite values; NaN when there are none.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let pos = q * (n - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = pos.ceil() as usize;
            sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
        }
    }
}

fn stats(values: impl IntoIterator<Item = f64>) -> (f64, f64, f64, f64) {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let mean = if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    };
    (
        mean,
        percentile(&v, 0.05),
        percentile(&v, 0.5),
        percentile(&v, 0.95),
    )
}

/// A deterministic number in [-1, 1) from a key (SplitMix64 finaliser).
fn noise(key: u64) -> f64 {
    let mut z = key.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// Scope labels in output order: city, districts, bands.
fn scopes(scenario: &Scenario) -> Vec<String> {
    let mut v = vec!["city".to_string()];
    v.extend(
        scenario
            .population
            .districts
            .iter()
            .map(|d| format!("district:{}", d.name)),
    );
    v.extend(Band::ALL.iter().map(|b| format!("band:{}", b.name())));
    // The firms' groups, as the engine's scopes (`Scope::all`).
    if let Some(economy) = &scenario.economy {
        v.extend(economy.sectors.iter().map(|s| format!("sector:{}", s.name)));
        v.extend(
            civitas_scenario::SizeBand::ALL
                .iter()
                .filter(|&&z| economy.firms.iter().any(|f| f.size == z))
                .map(|z| format!("size:{}", z.name())),
        );
    }
    v
}

/// Replicate `r`'s value of `indicator` in `scope` at `tick` of `ticks`: a saturating curve
/// between the unit's synthetic start and end, offset by group, lifted for seniors by
/// their Bass imitation, with a few per cent of replicate noise. NaN where the engine
/// reports nothing (the divide and incident indicators outside the city).
fn replicate_value(
    scenario: &Scenario,
    indicator: Indicator,
    scope: &str,
    tick: usize,
    ticks: usize,
    r: u32,
) -> f64 {
    let city_only = matches!(
        indicator,
        Indicator::DigitalDivideGap
            | Indicator::IncidentResponseHours
            | Indicator::IncidentsWithinSla
    );
    if city_only && scope != "city" {
        return f64::NAN;
    }
    // Firms' groups have only the economy's indicators (and no money: it is by district).
    let firms = scope.starts_with("sector:") || scope.starts_with("size:");
    if firms && (!indicator.is_economy() || indicator == Indicator::SpendEconomy) {
        return f64::NAN;
    }
    let rural = scenario.population.districts.iter().any(|d| {
        d.kind == civitas_scenario::Settlement::Rural && scope == format!("district:{}", d.name)
    });
    let senior = &scenario.population.bands.senior;
    let offset = match scope {
        "band:young" => 0.12,
        "band:senior" => -0.18 + 0.2 * senior.bass_q * (1.0 + 10.0 * senior.bass_p),
        _ if rural => -0.08,
        _ => 0.0,
    };
    let offset = if indicator.meta().higher_is_better {
        offset
    } else {
        -offset
    };
    let (a, b) = synthetic_path(indicator);
    let t = tick as f64 / (ticks.max(2) - 1) as f64;
    let shape = (1.0 - (-3.0 * t).exp()) / (1.0 - (-3.0f64).exp());
    let key =
        (u64::from(r) << 40) ^ ((indicator as u64) << 24) ^ (tick as u64) ^ scope.len() as u64;
    let v =
        (a + (b - a) * shape) * (1.0 + offset) * (1.0 + 0.03 * noise(key ^ scenario.scenario.seed));
    if indicator.meta().unit == civitas_scenario::Unit::Share {
        v.clamp(0.0, 1.0)
    } else {
        v
    }
}

/// One replicate's values, `[scope][indicator][tick]`.
type Replicate = Vec<Vec<Vec<f64>>>;

fn replicates(scenario: &Scenario) -> Vec<Replicate> {
    let ticks = scenario.scenario.tick_dates().len();
    (0..scenario.scenario.replicates)
        .map(|r| {
            scopes(scenario)
                .iter()
                .map(|scope| {
                    Indicator::ALL
                        .iter()
                        .map(|&i| {
                            (0..ticks)
                                .map(|k| replicate_value(scenario, i, scope, k, ticks, r))
                                .collect()
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

fn target_scope(t: &civitas_scenario::Target) -> String {
    match (&t.district, t.band) {
        (Some(d), _) => format!("district:{d}"),
        (None, Some(b)) => format!("band:{}", b.name()),
        _ => "city".to_string(),
    }
}

/// The value a target reads from one replicate.
fn target_value(scenario: &Scenario, rep: &Replicate, t: &civitas_scenario::Target) -> f64 {
    let Some(si) = scopes(scenario).iter().position(|s| *s == target_scope(t)) else {
        return f64::NAN;
    };
    let ii = Indicator::ALL
        .iter()
        .position(|&i| i == t.indicator)
        .expect("every indicator is in ALL");
    let dates = scenario.scenario.tick_dates();
    let ticks: Vec<usize> = (0..dates.len())
        .filter(|&i| dates[i].year == t.year)
        .collect();
    match t.basis {
        TargetBasis::December => ticks.last().map_or(f64::NAN, |&i| rep[si][ii][i]),
        TargetBasis::YearMean => stats(ticks.iter().map(|&i| rep[si][ii][i])).0,
    }
}

/// Evaluates every target of `scenario` over `reps`.
fn evaluate_targets(scenario: &Scenario, reps: &[Replicate]) -> Vec<TargetResult> {
    scenario
        .targets
        .iter()
        .map(|t| {
            let values: Vec<f64> = reps.iter().map(|r| target_value(scenario, r, t)).collect();
            let met = values
                .iter()
                .filter(|v| {
                    v.is_finite()
                        && t.min.is_none_or(|m| **v >= m)
                        && t.max.is_none_or(|m| **v <= m)
                })
                .count();
            let p = met as f64 / reps.len().max(1) as f64;
            let (mean, p5, _, p95) = stats(values.iter().copied());
            TargetResult {
                label: t.label(),
                indicator: t.indicator,
                scope: target_scope(t).parse().expect("a scope label"),
                year: t.year,
                basis: t.basis,
                min: t.min,
                max: t.max,
                mean,
                p5,
                p95,
                probability_met: p,
                probability_lo: (p - 0.1).max(0.0),
                probability_hi: (p + 0.1).min(1.0),
                values: Vec::new(),
                status: TargetStatus::from_probability(p),
            }
        })
        .collect()
}

/// `scenario`'s synthetic replicates, summarised.
pub fn run(scenario: &Scenario) -> BatchResult {
    let reps = replicates(scenario);
    let dates = scenario.scenario.tick_dates();
    let mut series = Vec::new();
    for (ii, &indicator) in Indicator::ALL.iter().enumerate() {
        for (si, scope) in scopes(scenario).into_iter().enumerate() {
            let mut s = SeriesSummary {
                indicator,
                scope: scope.parse().expect("a scope label"),
                mean: Vec::new(),
                p5: Vec::new(),
                p50: Vec::new(),
                p95: Vec::new(),
                sd: Vec::new(),
                n: Vec::new(),
            };
            for tick in 0..dates.len() {
                let (mean, p5, p50, p95) = stats(reps.iter().map(|r| r[si][ii][tick]));
                s.mean.push(mean);
                s.p5.push(p5);
                s.p50.push(p50);
                s.p95.push(p95);
                s.sd.push(f64::NAN);
                s.n.push(scenario.scenario.replicates);
            }
            series.push(s);
        }
    }
    BatchResult {
        scenario: scenario.clone(),
        dates,
        series,
        targets: evaluate_targets(scenario, &reps),
        manifest: Manifest {
            civitas_version: "0.1.0".to_string(),
            model_fingerprint: "src-0123456789abcdef".to_string(),
            scenario: scenario.scenario.name.clone(),
            scenario_hash: "0123456789abcdef".to_string(),
            seed: scenario.scenario.seed,
            replicates: scenario.scenario.replicates,
            agents: scenario.population.agents,
            scale: scenario.population.scale,
            overrides: Some(Vec::new()),
            threads: 1,
            wall_time_seconds: 0.5,
            run_seeds: (0..u64::from(scenario.scenario.replicates))
                .map(|r| scenario.scenario.seed ^ r)
                .collect(),
        },
        sweep: None,
        parameters: None,
    }
}

/// The small baseline, run.
pub fn baseline_result() -> BatchResult {
    run(&small_baseline())
}

/// A second scenario whose seniors take up online services faster, run.
pub fn faster_seniors_result() -> BatchResult {
    let mut s = small_baseline();
    s.scenario.name = "senior-push".to_string();
    s.scenario.description = "Baseline plus a stronger senior digital-inclusion push.".to_string();
    s.population.bands.senior.bass_p *= 3.0;
    s.population.bands.senior.bass_q *= 1.5;
    run(&s)
}

/// A sweep over one lever whose points carry synthetic target evaluations: the value
/// rises with the lever, so the probability of meeting a minimum target climbs past 0.9
/// at `lever = 0.6` for the first target and never for a target set out of reach.
pub fn synthetic_sweep(base: &BatchResult) -> BatchResult {
    let mut result = base.clone();
    let reachable = base
        .targets
        .iter()
        .find(|t| t.min.is_some())
        .expect("baseline has a minimum target")
        .clone();
    let mut out_of_reach = reachable.clone();
    out_of_reach.label = "out of reach".to_string();
    out_of_reach.min = Some(2.0 * reachable.min.unwrap_or(1.0));
    out_of_reach.max = None;
    let levers = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
    let threshold = reachable.min.unwrap_or(0.0);
    let points = levers
        .iter()
        .enumerate()
        .map(|(index, &x)| {
            let mean = threshold - 0.12 + 0.25 * x;
            let p: f64 = [0.0, 0.05, 0.4, 0.92, 1.0, 1.0][index];
            let evaluate = |t: &TargetResult, p: f64| TargetResult {
                mean,
                p5: mean - 0.05,
                p95: mean + 0.05,
                probability_met: p,
                probability_lo: (p - 0.1).max(0.0),
                probability_hi: (p + 0.1).min(1.0),
                status: TargetStatus::from_probability(p),
                ..t.clone()
            };
            SweepPoint {
                index,
                lever_values: vec![x],
                targets: vec![evaluate(&reachable, p), evaluate(&out_of_reach, 0.0)],
            }
        })
        .collect();
    result.sweep = Some(SweepResult {
        levers: vec!["population.bands.senior.bass_p".to_string()],
        points,
    });
    result
}

/// Standard normal CDF (Abramowitz–Stegun 7.1.26 erf), for synthetic probabilities.
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// Start and end values of a synthetic series for an indicator, by unit.
fn synthetic_path(indicator: Indicator) -> (f64, f64) {
    use civitas_scenario::Unit;
    match indicator.meta().unit {
        Unit::Share if indicator.meta().higher_is_better => (0.62, 0.88),
        Unit::Share => (0.45, 0.33),
        Unit::Trips => (1.8, 1.1),
        Unit::Days => (12.0, 6.0),
        Unit::Hours => (5.0, 2.2),
        Unit::Score => (72.0, 88.0),
        Unit::Currency => (2.4e7, 1.6e7),
        Unit::CurrencyPerRequest => (45.0, 28.0),
        Unit::PerThousandPerYear => (60.0, 25.0),
        Unit::People => (5.0e6, 5.1e6),
        Unit::Count => (1.0e3, 2.0e3),
        Unit::Stage => (1.2, 2.4),
        Unit::Minutes => (30.0, 40.0),
        Unit::JobsPerWorker => (0.6, 0.9),
    }
}

/// `base` with every series the engine left empty filled with a plausible synthetic
/// curve (groups offset from the city, rural districts lower) and targets re-evaluated
/// from those curves, so every plot path and status colour is exercised.
pub fn populated(base: &BatchResult) -> BatchResult {
    let mut result = base.clone();
    let n = result.dates.len();
    let rural: Vec<String> = result
        .scenario
        .population
        .districts
        .iter()
        .filter(|d| d.kind == civitas_scenario::Settlement::Rural)
        .map(|d| format!("district:{}", d.name))
        .collect();
    for s in &mut result.series {
        if s.mean.iter().any(|v| v.is_finite()) {
            continue;
        }
        let (a, b) = synthetic_path(s.indicator);
        let label = s.scope.to_string();
        let offset = match label.as_str() {
            "band:young" => 0.12,
            "band:senior" => -0.18,
            scope if rural.iter().any(|r| r == scope) => -0.08,
            _ => 0.0,
        };
        let offset = if s.indicator.meta().higher_is_better {
            offset
        } else {
            -offset
        };
        for i in 0..n {
            let t = i as f64 / (n.max(2) - 1) as f64;
            let shape = 1.0 - (-3.0 * t).exp();
            let v = (a + (b - a) * shape / (1.0 - (-3.0f64).exp())) * (1.0 + offset)
                + 0.004 * (a.abs()) * (i as f64 * 0.9).sin();
            let half = (0.015 + 0.05 * t) * v.abs();
            s.mean[i] = v;
            s.p50[i] = v;
            s.p5[i] = v - half;
            s.p95[i] = v + half;
        }
    }
    let dates = result.dates.clone();
    let series = result.series.clone();
    for t in &mut result.targets {
        if t.mean.is_finite() {
            continue;
        }
        let Some(s) = series
            .iter()
            .find(|s| s.indicator == t.indicator && s.scope == t.scope)
        else {
            continue;
        };
        let ticks: Vec<usize> = (0..dates.len())
            .filter(|&i| dates[i].year == t.year)
            .collect();
        let Some(&i) = ticks.last() else { continue };
        t.mean = s.mean[i];
        t.p5 = s.p5[i];
        t.p95 = s.p95[i];
        let sd = ((t.p95 - t.p5) / 3.29).max(1e-9);
        let above = t.min.map_or(1.0, |m| 1.0 - normal_cdf((m - t.mean) / sd));
        let below = t.max.map_or(1.0, |m| normal_cdf((m - t.mean) / sd));
        let p = ((above + below - 1.0).max(0.0) * 20.0).round() / 20.0;
        t.probability_met = p;
        t.status = TargetStatus::from_probability(p);
    }
    result
}
