//! The page of `civitas calibrate`: each observed series as points with error bars over
//! the prior and posterior predictive 90 % bands (held-out points marked), the fit and
//! the held-out scores (coverage, MAE, CRPS), and each parameter's prior against its
//! posterior.
//!
//! The figures are inline SVG drawn with the optimize page's axes, so the page is one
//! self-contained file, byte-identical for the same summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use civitas_results::calibration::{CalibrationSummary, ObservationFit, ParameterFit, Score};
use civitas_results::owned;

use crate::ReportError;
use crate::html::escape;
use crate::optimize::{Axes, REPORT_HTML};

const PRIOR: &str = "#bbbbbb";
const POSTERIOR: &str = "#1f77b4";
const FIT: &str = "#222222";
const HELD_OUT: &str = "#d62728";
/// Bins of the parameters' histograms.
const BINS: usize = 20;

/// Writes `report.html` for `summary` into `dir`.
pub fn write(summary: &CalibrationSummary, dir: &Path) -> Result<(), ReportError> {
    owned::write_file(&dir.join(REPORT_HTML), page(summary).as_bytes())?;
    Ok(())
}

fn number(v: f64) -> String {
    crate::format::number(v)
}

fn score_row(h: &mut String, what: &str, s: &Score) {
    let _ = writeln!(
        h,
        "<tr><td>{what}</td><td>{}</td><td>{} ({:.0} %)</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        s.n,
        s.covered,
        100.0 * s.coverage(),
        number(s.mae),
        number(s.crps),
        number(s.prior_crps)
    );
}

/// The page's HTML.
pub fn page(s: &CalibrationSummary) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{name} — calibration</title><style>body{{font-family:sans-serif;max-width:60em;\
         margin:2em auto;color:#222}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;\
         padding:0.2em 0.6em;text-align:right}}th{{background:#f4f4f4}}td:first-child,\
         th:first-child{{text-align:left}}.note{{color:#555}}</style></head><body>\n\
         <h1>{name}: calibration against {observed}</h1>\n<p>{sims} simulations of {agents} agents \
         (adaptive ABC-SMC, {particles} particles a generation, {generations} generations); \
         posterior: {draws} equally weighted draws (posterior.csv). Model discrepancy sd {disc} \
         added to every observation's. {holdout}</p>\n",
        name = escape(&s.scenario),
        observed = escape(&s.observed),
        sims = s.simulations(),
        agents = s.agents,
        particles = s.particles,
        generations = s.generations.len(),
        draws = s.draws(),
        disc = number(s.discrepancy),
        holdout = match &s.holdout {
            Some(h) => format!(
                "Observations from {} on were held out of the fit and predicted.",
                escape(h)
            ),
            None => "Every observation was fitted.".to_string(),
        },
    );
    h.push_str("<h2>How well the model reproduces the data</h2>\n<p class=\"note\">Inside: the observed value lies in the 90 % band of the posterior predictive (the model's value plus the observation's sd and the discrepancy). MAE: mean |posterior median − observed|. CRPS: continuous ranked probability score (lower is better; in the indicator's unit), under the posterior and, for comparison, the prior.</p>\n<table><tr><th>observations</th><th>n</th><th>inside 90 % band</th><th>MAE</th><th>CRPS</th><th>CRPS (prior)</th></tr>\n");
    score_row(&mut h, "fitted", &s.fit_score());
    if let Some(held) = s.holdout_score() {
        score_row(&mut h, "held out", &held);
    }
    h.push_str("</table>\n");
    h.push_str("<h2>Observations against the model</h2>\n<p class=\"note\">Grey band: prior predictive 90 %; blue band and line: posterior predictive 90 % and median; black points: fitted observations, red: held out; bars: ±1.645 sd of the observation.</p>\n");
    let mut series: BTreeMap<String, Vec<&ObservationFit>> = BTreeMap::new();
    for o in &s.observations {
        series.entry(o.series()).or_default().push(o);
    }
    let holdout = s.holdout.as_deref().and_then(holdout_x);
    for (name, points) in &series {
        let _ = writeln!(h, "<h3>{}</h3>", escape(name));
        h.push_str(&series_plot(points, holdout));
    }
    h.push_str("<h2>Parameters: prior and posterior</h2>\n<table><tr><th>parameter</th><th>prior p5–p95</th><th>posterior p5</th><th>p50</th><th>p95</th><th>width ratio</th></tr>\n");
    for p in &s.parameters {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}–{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td></tr>",
            escape(&p.path),
            number(p.prior[0]),
            number(p.prior[2]),
            number(p.posterior[0]),
            number(p.posterior[1]),
            number(p.posterior[2]),
            p.narrowing()
        );
    }
    h.push_str("</table>\n<p class=\"note\">Histograms: grey, the first generation's draws from the prior; blue, the posterior draws.</p>\n");
    for p in &s.parameters {
        let _ = writeln!(h, "<h3>{}</h3>", escape(&p.path));
        h.push_str(&parameter_plot(p));
    }
    h.push_str("<h2>Generations</h2>\n<table><tr><th>generation</th><th>runs</th><th>tolerance</th><th>acceptance</th><th>effective particles</th></tr>\n");
    for (g, row) in s.generations.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.0}</td></tr>",
            g + 1,
            row.simulations,
            number(row.epsilon),
            row.acceptance,
            row.effective_size
        );
    }
    h.push_str("</table>\n<p class=\"note\">Files: posterior.csv (draw, path, value), calibration.csv (per observation: role, prior and posterior predictive p5/p50/p95, inside, error, CRPS), scenario.toml (the scenario calibrated).</p>\n</body></html>\n");
    h
}

fn band_polygon(
    svg: &mut String,
    axes: &Axes,
    points: &[&ObservationFit],
    band: fn(&ObservationFit) -> [f64; 3],
    colour: &str,
    opacity: f64,
) {
    let mut path: Vec<String> = points
        .iter()
        .map(|o| format!("{:.1},{:.1}", axes.px(o.x), axes.py(band(o)[2])))
        .collect();
    path.extend(
        points
            .iter()
            .rev()
            .map(|o| format!("{:.1},{:.1}", axes.px(o.x), axes.py(band(o)[0]))),
    );
    let _ = write!(
        svg,
        "<polygon points=\"{}\" fill=\"{colour}\" fill-opacity=\"{opacity}\" stroke=\"none\"/>",
        path.join(" ")
    );
}

/// The start of the held-out month `YYYY-MM` as a fractional year (observations sit at the
/// end of their month).
fn holdout_x(month: &str) -> Option<f64> {
    let (year, month) = month.split_once('-')?;
    let (year, month): (f64, f64) = (year.parse().ok()?, month.parse().ok()?);
    Some(year + (month - 1.0) / 12.0)
}

/// Most x tick labels on a calibration plot.
const MOST_DATE_TICKS: usize = 8;

/// Ticks for a time axis over the fractional years `lo..hi`: whole years at their start
/// (`2019`), every 1, 2, 5, 10 … years so that at most [`MOST_DATE_TICKS`] show; over a
/// span with fewer than two year starts, month starts (`2024-03`) instead. Never a
/// decimal year.
fn date_ticks(lo: f64, hi: f64) -> Vec<(f64, String)> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Vec::new();
    }
    let spaced = |first: i64, last: i64, steps: &[i64]| -> Vec<i64> {
        let step = steps
            .iter()
            .copied()
            .find(|s| {
                (last.div_euclid(*s) - (first + s - 1).div_euclid(*s)) < MOST_DATE_TICKS as i64
            })
            .unwrap_or(steps[steps.len() - 1]);
        let start = (first + step - 1).div_euclid(step) * step;
        (0..)
            .map(|k| start + k * step)
            .take_while(|v| *v <= last)
            .collect()
    };
    let (first_year, last_year) = (lo.ceil() as i64, hi.floor() as i64);
    if last_year > first_year {
        return spaced(first_year, last_year, &[1, 2, 5, 10, 20, 50, 100])
            .into_iter()
            .map(|y| (y as f64, y.to_string()))
            .collect();
    }
    // Months counted from year 0: month m starts at m / 12.
    let (first, last) = ((lo * 12.0).ceil() as i64, (hi * 12.0).floor() as i64);
    spaced(first, last, &[1, 2, 3, 6, 12])
        .into_iter()
        .map(|m| {
            let (year, month) = (m.div_euclid(12), m.rem_euclid(12) + 1);
            (m as f64 / 12.0, format!("{year}-{month:02}"))
        })
        .collect()
}

/// Half the width of an observation's own band marks, in pixels.
const MARK_HALF_WIDTH: f64 = 4.0;

fn series_plot(points: &[&ObservationFit], holdout: Option<f64>) -> String {
    let mut points: Vec<&ObservationFit> = points.to_vec();
    points.sort_by(|a, b| a.x.total_cmp(&b.x));
    let xs = points.iter().map(|o| o.x).chain(holdout);
    let ys = points.iter().flat_map(|o| {
        [
            o.prior[0],
            o.prior[2],
            o.posterior[0],
            o.posterior[2],
            o.value - 1.645 * o.sd,
            o.value + 1.645 * o.sd,
        ]
    });
    let axes = Axes::new(xs, ys);
    let mut svg = String::new();
    let unit = points.first().map_or(String::new(), |o| o.title.clone());
    let (lo, hi) = axes.x();
    axes.frame_with(&mut svg, "year", &unit, &date_ticks(lo, hi));
    band_polygon(&mut svg, &axes, &points, |o| o.prior, PRIOR, 0.5);
    band_polygon(&mut svg, &axes, &points, |o| o.posterior, POSTERIOR, 0.3);
    let median: Vec<String> = points
        .iter()
        .map(|o| format!("{:.1},{:.1}", axes.px(o.x), axes.py(o.posterior[1])))
        .collect();
    let _ = write!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{POSTERIOR}\" stroke-width=\"1.5\"/>",
        median.join(" ")
    );
    if let Some(h) = holdout.filter(|_| points.iter().any(|o| o.held_out)) {
        let x = axes.px(h);
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{HELD_OUT}\" stroke-dasharray=\"4 3\"/>",
            axes.py(axes.y.1),
            axes.py(axes.y.0)
        );
    }
    // Each observation's own bands, so a series of one point shows them too.
    for o in &points {
        for (band, colour, opacity) in [(o.prior, PRIOR, 0.8), (o.posterior, POSTERIOR, 0.6)] {
            let (top, bottom) = (axes.py(band[2]), axes.py(band[0]));
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"{opacity}\"/>",
                axes.px(o.x) - MARK_HALF_WIDTH,
                2.0 * MARK_HALF_WIDTH,
                (bottom - top).max(0.0)
            );
        }
    }
    for o in &points {
        let colour = if o.held_out { HELD_OUT } else { FIT };
        let (x, y) = (axes.px(o.x), axes.py(o.value));
        let (lo, hi) = (
            axes.py(o.value - 1.645 * o.sd),
            axes.py(o.value + 1.645 * o.sd),
        );
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{lo:.1}\" y2=\"{hi:.1}\" stroke=\"{colour}\"/>\
             <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{colour}\"><title>{}: {} ({})</title></circle>",
            escape(&o.date),
            number(o.value),
            escape(&o.source)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Share of `draws` in each of [`BINS`] bins over `bounds`.
fn histogram(draws: &[f64], bounds: (f64, f64)) -> Vec<f64> {
    let mut counts = [0.0; BINS];
    let width = (bounds.1 - bounds.0).max(f64::MIN_POSITIVE);
    for &d in draws {
        let b = (((d - bounds.0) / width) * BINS as f64).floor();
        if b.is_finite() {
            counts[(b.max(0.0) as usize).min(BINS - 1)] += 1.0;
        }
    }
    let n = draws.len().max(1) as f64;
    counts.iter().map(|c| c / n).collect()
}

fn parameter_plot(p: &ParameterFit) -> String {
    let prior = histogram(&p.prior_draws, p.bounds);
    let posterior = histogram(&p.posterior_draws, p.bounds);
    let top = prior.iter().chain(&posterior).copied().fold(0.0, f64::max);
    let axes = Axes::new([p.bounds.0, p.bounds.1].into_iter(), [0.0, top].into_iter());
    let mut svg = String::new();
    axes.frame(&mut svg, &p.path, "share of draws");
    let step = (p.bounds.1 - p.bounds.0) / BINS as f64;
    for (shares, colour, opacity) in [(&prior, PRIOR, 0.7), (&posterior, POSTERIOR, 0.5)] {
        for (b, &share) in shares.iter().enumerate() {
            let x0 = axes.px(p.bounds.0 + step * b as f64);
            let x1 = axes.px(p.bounds.0 + step * (b + 1) as f64);
            let (y0, y1) = (axes.py(share), axes.py(0.0));
            let _ = write!(
                svg,
                "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"{opacity}\"/>",
                (x1 - x0).max(0.0),
                (y1 - y0).max(0.0)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_results::calibration::GenerationRow;

    fn summary() -> CalibrationSummary {
        let obs = |date: &str, x: f64, held_out: bool, value: f64| ObservationFit {
            indicator: "device_rate".into(),
            title: "Internet users".into(),
            scope: "band:<senior>".into(),
            date: date.into(),
            x,
            value,
            sd: 0.01,
            line: 2,
            source: "CNNIC & co".into(),
            held_out,
            prior: [0.3, 0.5, 0.7],
            posterior: [0.45, 0.5, 0.55],
            crps: 0.01,
            prior_crps: 0.05,
        };
        CalibrationSummary {
            scenario: "history".into(),
            observed: "cnnic.csv".into(),
            holdout: Some("2021-01".into()),
            discrepancy: 0.01,
            particles: 10,
            agents: 1000,
            generations: vec![GenerationRow {
                epsilon: 2.0,
                acceptance: 1.0,
                simulations: 10,
                effective_size: 5.0,
            }],
            parameters: vec![ParameterFit {
                path: "population.bands.senior.bass_q".into(),
                bounds: (0.1, 0.9),
                prior: [0.14, 0.5, 0.86],
                posterior: [0.3, 0.4, 0.5],
                prior_draws: vec![0.1, 0.5, 0.9],
                posterior_draws: vec![0.3, 0.4, 0.5],
            }],
            observations: vec![
                obs("2019-12", 2020.0, false, 0.5),
                obs("2022-12", 2023.0, true, 0.6),
            ],
        }
    }

    #[test]
    fn the_page_escapes_names_scores_both_sets_and_is_deterministic() {
        let s = summary();
        let page = page(&s);
        assert!(page.contains("band:&lt;senior&gt;"), "names are escaped");
        assert!(page.contains("CNNIC &amp; co"));
        assert!(
            page.contains("<td>held out</td><td>1</td><td>0 (0 %)</td>"),
            "{page}"
        );
        assert!(page.contains("<td>fitted</td><td>1</td><td>1 (100 %)</td>"));
        assert_eq!(page.matches("<svg").count(), 2, "one series, one parameter");
        assert_eq!(
            page.matches("stroke-dasharray").count(),
            1,
            "the holdout's line"
        );
        assert_eq!(holdout_x("2021-01"), Some(2021.0));
        assert_eq!(holdout_x("2021-07"), Some(2021.5));
        // Each observation's prior and posterior bands as marks of their own.
        assert_eq!(page.matches("fill-opacity=\"0.8\"").count(), 2);
        assert_eq!(page, super::page(&s));
    }

    #[test]
    fn the_time_axis_shows_whole_years_or_months_never_decimal_years() {
        let labels = |lo: f64, hi: f64| -> Vec<String> {
            date_ticks(lo, hi).into_iter().map(|(_, l)| l).collect()
        };
        // Observations from 2018-09 to 2021-04, as on the history calibration's page.
        assert_eq!(labels(2018.62, 2021.35), ["2019", "2020", "2021"]);
        for (x, label) in date_ticks(2018.62, 2021.35) {
            assert_eq!(
                x,
                label.parse::<f64>().unwrap(),
                "a year's tick sits at its start"
            );
        }
        assert_eq!(
            labels(2008.3, 2030.9),
            ["2010", "2015", "2020", "2025", "2030"]
        );
        assert_eq!(
            labels(2015.9, 2024.1).len(),
            5,
            "every 2 years: {:?}",
            labels(2015.9, 2024.1)
        );
        assert_eq!(
            labels(2024.05, 2024.6), // February 2024 starts at 2024.083
            [
                "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"
            ]
        );
        assert_eq!(
            labels(2023.9, 2024.95),
            [
                "2024-01", "2024-03", "2024-05", "2024-07", "2024-09", "2024-11"
            ]
        );
        assert!(labels(f64::NAN, 1.0).is_empty());
        let page = page(&summary());
        assert!(
            page.contains(">2020</text>") && !page.contains(">2020.0</text>"),
            "{page}"
        );
        // The series plot's x ticks (centred under the axis): whole years, no decimal point.
        let series = page.split("<svg").nth(1).unwrap();
        let centred: Vec<&str> = series
            .split("text-anchor=\"middle\">")
            .skip(1)
            .filter_map(|t| t.split("</text>").next())
            .collect();
        assert!(centred.contains(&"2021"), "{centred:?}");
        assert!(!centred.iter().any(|t| t.contains('.')), "{centred:?}");
    }
}
