//! The page of `civitas optimize`: the best allocation against the file's own split on
//! fresh replicates (paired differences), the path of the search and, where the money
//! varies, the trade-off of money against P(every chosen target met) with its Pareto front.
//!
//! The figures are small inline SVG drawn here (scatter and lines over two axes), so the
//! page stays one self-contained file and byte-identical for the same summary.

use std::fmt::Write as _;
use std::path::Path;

use civitas_results::optimize::{OptimizeSummary, Probability, Verified};
use civitas_results::owned;

use crate::ReportError;
use crate::html::escape;

/// The page's file name.
pub const REPORT_HTML: &str = "report.html";

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
const MARGIN_LEFT: f64 = 64.0;
const MARGIN_BOTTOM: f64 = 40.0;
const MARGIN_TOP: f64 = 16.0;
const MARGIN_RIGHT: f64 = 16.0;

/// Writes `report.html` for `summary` into `dir`.
pub fn write(summary: &OptimizeSummary, dir: &Path) -> Result<(), ReportError> {
    owned::write_file(&dir.join(REPORT_HTML), page(summary).as_bytes())?;
    Ok(())
}

fn number(v: f64) -> String {
    crate::format::number(v)
}

fn probability(p: &Probability) -> String {
    format!("{:.3} ({:.3}–{:.3})", p.p, p.lo, p.hi)
}

/// The page's HTML.
pub fn page(s: &OptimizeSummary) -> String {
    let best = s.best();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{name} — optimize</title><style>body{{font-family:sans-serif;max-width:60em;\
         margin:2em auto;color:#222}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;\
         padding:0.2em 0.6em;text-align:right}}th{{background:#f4f4f4}}td:first-child,\
         th:first-child{{text-align:left}}.note{{color:#555}}</style></head><body>\n\
         <h1>{name}: the best split</h1>\n<p>{objective}; {constraint}. Targets: {targets}. \
         {count} candidates evaluated.</p>\n",
        name = escape(&s.scenario),
        objective = escape(&s.objective),
        constraint = escape(&s.constraint),
        targets = escape(&s.targets.join(", ")),
        count = s.candidates.len(),
    );
    allocation_table(&mut h, s, best);
    verification_table(&mut h, s, best);
    h.push_str("<h2>Path of the search</h2>\n<p class=\"note\">Each dot is a candidate's objective on the replicates it ran (in the order asked); the line is the best so far after each generation, which a challenger replaces only by beating it on the same replicates.</p>\n");
    h.push_str(&path_plot(s));
    if let Some(svg) = tradeoff_plot(s) {
        h.push_str("<h2>Money against P(every target met)</h2>\n<p class=\"note\">Every candidate; the line is the Pareto front (the most probability for no more money).</p>\n");
        h.push_str(&svg);
    }
    h.push_str("<p class=\"note\">Files: optimize.csv (every candidate, with 90 % Wilson intervals), verify.csv (the fresh re-evaluation and paired differences), best.toml (the best allocation as a scenario extending the input), points/ (the verification sweep: p0000 is the file's split).</p>\n</body></html>\n");
    h
}

fn allocation_table(h: &mut String, s: &OptimizeSummary, best: &Verified) {
    h.push_str("<h2>Best allocation</h2>\n<table><tr><th>variable</th><th>bounds</th><th>file</th><th>best</th><th>change</th></tr>\n");
    for (k, v) in s.variables.iter().enumerate() {
        let change = best.values[k] - s.file.values[k];
        let sign = if change > 0.0 { "+" } else { "" };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}–{}</td><td>{}</td><td>{}</td><td>{sign}{}</td></tr>",
            escape(&v.path),
            number(v.lo),
            number(v.hi),
            number(s.file.values[k]),
            number(best.values[k]),
            number(change),
        );
    }
    h.push_str("</table>\n");
}

fn verification_table(h: &mut String, s: &OptimizeSummary, best: &Verified) {
    let _ = writeln!(
        h,
        "<h2>On {} fresh replicates (seed {})</h2>\n<p class=\"note\">The same replicates for both splits (common random numbers): the differences are paired. Intervals are 90 %.</p>\n\
         <table><tr><th></th><th>file's split</th><th>best</th><th>paired difference</th></tr>",
        best.all_met.n, s.verify_seed
    );
    let paired = best.all_met_paired.as_ref().map_or_else(String::new, |d| {
        format!(
            "{:+.3} ({:+.3} to {:+.3}); better in {}, worse in {}",
            d.mean, d.lo, d.hi, d.better, d.worse
        )
    });
    let _ = writeln!(
        h,
        "<tr><td>P(every target met)</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        probability(&s.file.all_met),
        probability(&best.all_met),
        paired
    );
    for (t, label) in s.targets.iter().enumerate() {
        let diff = best.values_paired[t]
            .as_ref()
            .map_or_else(String::new, |d| {
                format!("value {:+.4} ({:+.4} to {:+.4})", d.mean, d.lo, d.hi)
            });
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{:.4}; P {}</td><td>{:.4}; P {}</td><td>{}</td></tr>",
            escape(label),
            s.file.means[t],
            probability(&s.file.targets[t]),
            best.means[t],
            probability(&best.targets[t]),
            diff
        );
    }
    h.push_str("</table>\n");
    if s.finalists.len() > 1 {
        h.push_str("<p class=\"note\">Finalists on the same fresh replicates (the best is the one with the highest objective there):</p><table><tr><th>candidate</th><th>objective</th><th>P(every target met)</th></tr>\n");
        for f in &s.finalists {
            let _ = writeln!(
                h,
                "<tr><td>#{}</td><td>{:.4}</td><td>{}</td></tr>",
                f.id,
                f.objective,
                probability(&f.all_met)
            );
        }
        h.push_str("</table>\n");
    }
}

/// Maps data ranges to the plot area (shared with the calibration page).
pub(crate) struct Axes {
    x: (f64, f64),
    pub(crate) y: (f64, f64),
}

impl Axes {
    pub(crate) fn new(
        xs: impl Iterator<Item = f64> + Clone,
        ys: impl Iterator<Item = f64> + Clone,
    ) -> Axes {
        let range = |it: &mut dyn Iterator<Item = f64>| {
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for v in it.filter(|v| v.is_finite()) {
                lo = lo.min(v);
                hi = hi.max(v);
            }
            if !lo.is_finite() {
                return (0.0, 1.0);
            }
            if hi - lo < 1e-12 {
                return (lo - 0.5, hi + 0.5);
            }
            let pad = 0.05 * (hi - lo);
            (lo - pad, hi + pad)
        };
        Axes {
            x: range(&mut xs.clone()),
            y: range(&mut ys.clone()),
        }
    }

    pub(crate) fn px(&self, v: f64) -> f64 {
        MARGIN_LEFT + (v - self.x.0) / (self.x.1 - self.x.0) * (WIDTH - MARGIN_LEFT - MARGIN_RIGHT)
    }

    pub(crate) fn py(&self, v: f64) -> f64 {
        HEIGHT
            - MARGIN_BOTTOM
            - (v - self.y.0) / (self.y.1 - self.y.0) * (HEIGHT - MARGIN_BOTTOM - MARGIN_TOP)
    }

    /// The frame with five evenly spaced x ticks, written as numbers.
    pub(crate) fn frame(&self, svg: &mut String, x_label: &str, y_label: &str) {
        let ticks: Vec<(f64, String)> = (0..=4)
            .map(|k| {
                let v = self.x.0 + (self.x.1 - self.x.0) * f64::from(k) / 4.0;
                (v, number(v))
            })
            .collect();
        self.frame_with(svg, x_label, y_label, &ticks);
    }

    /// The x range shown.
    pub(crate) fn x(&self) -> (f64, f64) {
        self.x
    }

    /// The frame with the x ticks given as (value, label), e.g. whole years.
    pub(crate) fn frame_with(
        &self,
        svg: &mut String,
        x_label: &str,
        y_label: &str,
        x_ticks: &[(f64, String)],
    ) {
        let _ = write!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
             font-family=\"sans-serif\" font-size=\"11\">\
             <rect x=\"{l}\" y=\"{t}\" width=\"{w}\" height=\"{hh}\" fill=\"none\" stroke=\"#999\"/>",
            l = MARGIN_LEFT,
            t = MARGIN_TOP,
            w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT,
            hh = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
        );
        for (xv, label) in x_ticks {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                self.px(*xv),
                HEIGHT - MARGIN_BOTTOM + 14.0,
                escape(label),
            );
        }
        for k in 0..=4 {
            let yv = self.y.0 + (self.y.1 - self.y.0) * f64::from(k) / 4.0;
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                MARGIN_LEFT - 4.0,
                self.py(yv) + 4.0,
                escape(&number(yv))
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
             <text x=\"12\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {:.1})\">{}</text>",
            (WIDTH + MARGIN_LEFT) / 2.0,
            HEIGHT - 6.0,
            escape(x_label),
            HEIGHT / 2.0,
            HEIGHT / 2.0,
            escape(y_label)
        );
    }
}

fn path_plot(s: &OptimizeSummary) -> String {
    let xs = (0..s.candidates.len()).map(|i| i as f64);
    let ys = s.candidates.iter().map(|c| c.objective);
    let axes = Axes::new(xs, ys);
    let mut svg = String::new();
    axes.frame(&mut svg, "candidate (in the order asked)", "objective");
    for c in &s.candidates {
        if c.objective.is_finite() {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{}\"/>",
                axes.px(c.id as f64),
                axes.py(c.objective),
                if c.generation.is_none() {
                    "#d62728"
                } else {
                    "#1f77b4"
                }
            );
        }
    }
    // The incumbent after each generation, at the last candidate that generation asked.
    let mut points = Vec::new();
    for (g, &id) in s.path.iter().enumerate() {
        let last = s
            .candidates
            .iter()
            .filter(|c| c.generation.is_some_and(|cg| cg <= g as u64))
            .map(|c| c.id)
            .max()
            .unwrap_or(0);
        let y = s.candidates[id].objective;
        if y.is_finite() {
            points.push(format!("{:.1},{:.1}", axes.px(last as f64), axes.py(y)));
        }
    }
    if !points.is_empty() {
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\"/>",
            points.join(" ")
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn tradeoff_plot(s: &OptimizeSummary) -> Option<String> {
    let money = |values: &[f64]| -> f64 {
        s.variables
            .iter()
            .zip(values)
            .filter(|(v, _)| v.money)
            .map(|(_, &x)| x)
            .sum()
    };
    let totals: Vec<f64> = s.candidates.iter().map(|c| money(&c.values)).collect();
    let (lo, hi) = totals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| {
            (a.min(t), b.max(t))
        });
    let varies = hi - lo > 1e-6 * hi.abs().max(1.0);
    if !varies {
        return None;
    }
    let axes = Axes::new(totals.iter().copied(), [0.0, 1.0].into_iter());
    let mut svg = String::new();
    axes.frame(
        &mut svg,
        "money of the variables (CNY a year)",
        "P(every target met)",
    );
    for (c, &t) in s.candidates.iter().zip(&totals) {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#1f77b4\" fill-opacity=\"0.6\"/>",
            axes.px(t),
            axes.py(c.all_met.p)
        );
    }
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&a, &b| totals[a].total_cmp(&totals[b]).then(a.cmp(&b)));
    let mut front = Vec::new();
    let mut best = f64::NEG_INFINITY;
    for i in order {
        let p = s.candidates[i].all_met.p;
        if p > best {
            best = p;
            front.push(format!("{:.1},{:.1}", axes.px(totals[i]), axes.py(p)));
        }
    }
    let _ = writeln!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#ff7f0e\" stroke-width=\"2\"/></svg>",
        front.join(" ")
    );
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_results::optimize::{Candidate, DecisionVariable};

    fn probability(met: u64, n: u64) -> Probability {
        let p = met as f64 / n as f64;
        Probability {
            met,
            n,
            p,
            lo: (p - 0.1).max(0.0),
            hi: (p + 0.1).min(1.0),
        }
    }

    fn verified(id: usize, values: Vec<f64>, met: u64) -> Verified {
        Verified {
            id,
            values,
            objective: met as f64 / 10.0,
            all_met: probability(met, 10),
            targets: vec![probability(met, 10)],
            means: vec![0.8 + met as f64 / 100.0],
            all_met_paired: None,
            values_paired: vec![None],
        }
    }

    fn summary(money_varies: bool) -> OptimizeSummary {
        let candidates = (0..4)
            .map(|id| Candidate {
                id,
                generation: (id > 0).then(|| id as u64 - 1),
                values: vec![if money_varies { 1e8 * id as f64 } else { 1e8 }],
                replicates: 10,
                objective: id as f64 / 4.0,
                all_met: probability(id as u64, 10),
                targets: vec![probability(id as u64, 10)],
            })
            .collect();
        OptimizeSummary {
            scenario: "city <a&b>".into(),
            objective: "maximise P".into(),
            constraint: "each variable within its bounds".into(),
            targets: vec!["adoption_rate 2030".into()],
            variables: vec![DecisionVariable {
                path: "policies[name=ops].amount_per_year".into(),
                lo: 0.0,
                hi: 3e8,
                file_value: 1e8,
                money: true,
            }],
            candidates,
            path: vec![1, 3, 3],
            verify_seed: 7,
            file: verified(0, vec![1e8], 0),
            finalists: vec![verified(3, vec![3e8], 9)],
            best: 0,
        }
    }

    #[test]
    fn the_page_escapes_names_and_draws_the_trade_off_only_when_money_varies() {
        let page_text = page(&summary(true));
        assert!(page_text.contains("city &lt;a&amp;b&gt;"), "{page_text}");
        assert!(!page_text.contains("<a&b>"));
        assert_eq!(page_text.matches("<svg").count(), 2, "path and trade-off");
        assert!(page_text.contains("policies[name=ops].amount_per_year"));
        assert_eq!(
            page(&summary(false)).matches("<svg").count(),
            1,
            "path only"
        );
        assert_eq!(page(&summary(true)), page_text, "deterministic");
    }
}
