//! `report.html`: one self-contained page (inline CSS and SVG, no scripts, no network)
//! with what ran, which targets are at risk, the scorecard table, every plot and the
//! run facts.

use std::fmt::Write as _;

use civitas_results::{BatchResult, TargetResult};

use crate::Rendered;
use crate::figure::Section;
use crate::format;
use crate::plots::scorecard::{find, target_rows};
use crate::style::{self, Standing};

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn css() -> String {
    let chip = |s: Standing| {
        let ink = if matches!(s, Standing::Status(civitas_results::TargetStatus::AtRisk)) {
            "#212529"
        } else {
            "#fff"
        };
        format!(
            ".status-{} {{ background: {}; color: {ink}; }}\n",
            s.css_class(),
            style::status_hex(s)
        )
    };
    let mut css = String::from(
        r#"
:root { --ink: #212529; --muted: #6c757d; --rule: #dee2e6; --paper: #fff; --tint: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--tint); color: var(--ink);
  font: 16px/1.5 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 32px 24px 64px; background: var(--paper); }
h1 { font-size: 2rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 .75rem; padding-bottom: .3rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
.kicker { text-transform: uppercase; letter-spacing: .08em; color: var(--muted); font-size: .8rem; margin: 0; }
.description { max-width: 70ch; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; font-size: .9rem; }
nav a { color: var(--ink); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 1rem 0; font-size: .95rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.glance { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
.year-card { border: 1px solid var(--rule); border-radius: 6px; padding: 1rem 1.1rem; background: var(--tint); }
.year-card .count { font-size: 1.1rem; margin: 0 0 .5rem; }
.year-card ul { margin: 0; padding: 0; list-style: none; }
.year-card li { margin: .35rem 0; }
.status { display: inline-block; min-width: 5.2em; text-align: center; border-radius: 3px; padding: 0 .45em;
  font-size: .85rem; font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .4rem .55rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { background: var(--tint); font-weight: bold; }
td.num { text-align: right; white-space: nowrap; }
figure.plot { margin: 1.5rem 0 2rem; }
figure.plot svg { display: block; width: 100%; height: auto; border: 1px solid var(--rule); }
figure.plot figcaption { color: var(--muted); font-size: .9rem; margin-top: .4rem; max-width: 90ch; }
.note { color: var(--muted); font-size: .9rem; }
table.sensitivity code, table.discovery code { overflow-wrap: anywhere; }
table.sensitivity code.path { font-size: .75em; color: var(--muted); }
.warning { border-left: 4px solid #e69100; background: #fff6e5; padding: .5rem .75rem; }
details { margin: .5rem 0; }
details.fold > summary { cursor: pointer; margin: 2.5rem 0 .75rem; padding-bottom: .3rem;
  border-bottom: 2px solid var(--ink); }
details.fold > summary > h2 { display: inline; margin: 0; padding: 0; border: 0; }
details.fold > summary > .note { margin-left: .75rem; }
code { font-size: .9em; }
@media print { body { background: #fff; } main { padding: 0; } figure.plot, tr { break-inside: avoid; } }
"#,
    );
    for s in [
        Standing::Status(civitas_results::TargetStatus::Met),
        Standing::Status(civitas_results::TargetStatus::AtRisk),
        Standing::Status(civitas_results::TargetStatus::Missed),
        Standing::NoData,
    ] {
        css.push_str(&chip(s));
    }
    css
}

fn page_start(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n",
        escape(title),
        css()
    );
}

fn page_end(out: &mut String) {
    out.push_str("</main>\n</body>\n</html>\n");
}

fn chip(standing: Standing) -> String {
    format!(
        "<span class=\"status status-{}\">{}</span>",
        standing.css_class(),
        standing.words()
    )
}

fn standing(t: &TargetResult) -> Standing {
    Standing::of(t.mean, t.status)
}

/// The SVG text ready to inline: without an XML prolog, which is invalid inside HTML.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

const SECTIONS: [(Section, &str, &str); 9] = [
    (Section::Targets, "targets", "Targets"),
    (Section::Indicators, "indicators", "Indicators over time"),
    (Section::ByBand, "by-band", "By age band"),
    (Section::ByDistrict, "by-district", "By district"),
    (Section::BySector, "by-sector", "Firms by sector"),
    (Section::BySize, "by-size", "Firms by size band"),
    (Section::Sweep, "sweep", "Sweep"),
    (
        Section::Sensitivity,
        "sensitivity",
        "What drives each target",
    ),
    (Section::Discovery, "discovery", "What makes targets fail"),
];

fn figures_section(out: &mut String, rendered: &[Rendered], section: Section, heading: bool) {
    let Some((_, id, title)) = SECTIONS.iter().find(|(s, _, _)| *s == section) else {
        return;
    };
    let figures: Vec<&Rendered> = rendered
        .iter()
        .filter(|r| r.figure.section == section)
        .collect();
    if figures.is_empty() {
        return;
    }
    if heading {
        // Every section of figures folds; the breakdowns, most of a page's figures, start
        // folded so the page reads targets and indicators first.
        let open = if matches!(
            section,
            Section::ByBand | Section::ByDistrict | Section::BySector | Section::BySize
        ) {
            ""
        } else {
            " open"
        };
        let _ = writeln!(
            out,
            "<section id=\"{id}\">\n<details class=\"fold\"{open}>\n<summary><h2>{title}</h2>\
             <span class=\"note\">{} figure{}</span></summary>",
            figures.len(),
            if figures.len() == 1 { "" } else { "s" }
        );
    }
    for r in figures {
        let _ = writeln!(
            out,
            "<figure class=\"plot\" id=\"fig-{}\" data-plot=\"{}\" style=\"max-width: {}px\">\n{}\n<figcaption><strong>{}.</strong> {}</figcaption>\n</figure>",
            escape(&r.figure.stem),
            escape(&r.figure.stem),
            // Never enlarge a figure past its drawn size: narrow ones (the scorecard)
            // would get oversized text.
            r.figure.size_px().0,
            inline_svg(&r.svg).trim_end(),
            escape(&r.figure.title),
            escape(&r.figure.caption),
        );
    }
    if heading {
        out.push_str("</details>\n</section>\n");
    }
}

fn nav(
    out: &mut String,
    rendered: &[Rendered],
    extra_first: &[(&str, &str)],
    extra_last: &[(&str, &str)],
) {
    out.push_str("<nav><ul>\n");
    for (id, title) in extra_first {
        let _ = writeln!(out, "<li><a href=\"#{id}\">{title}</a></li>");
    }
    // Discovery's figures sit in its section, which the page names itself (extra_last).
    for (section, id, title) in SECTIONS
        .iter()
        .skip(1)
        .filter(|(s, _, _)| *s != Section::Discovery)
    {
        if rendered.iter().any(|r| r.figure.section == *section) {
            let _ = writeln!(out, "<li><a href=\"#{id}\">{title}</a></li>");
        }
    }
    for (id, title) in extra_last {
        let _ = writeln!(out, "<li><a href=\"#{id}\">{title}</a></li>");
    }
    out.push_str("</ul></nav>\n");
}

fn scenario_facts(out: &mut String, result: &BatchResult) {
    let s = &result.scenario;
    let info = &s.scenario;
    out.push_str("<dl class=\"facts\">\n");
    let mut fact = |k: &str, v: String| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v));
    };
    fact(
        "Horizon",
        format!(
            "{} to {} ({} ticks, one per {:?})",
            info.start,
            info.end,
            result.dates.len(),
            info.tick
        )
        .to_lowercase(),
    );
    fact(
        "Residents represented",
        format!(
            "{} ({} agents × {})",
            format::thousands(s.represented_population()),
            format::thousands(s.population.agents as f64),
            format::scale(s.population.scale)
        ),
    );
    fact(
        "Districts",
        s.population
            .districts
            .iter()
            .map(|d| format::scope(s, &civitas_results::ScopeKey::District(d.name.clone())))
            .collect::<Vec<_>>()
            .join(", "),
    );
    fact(
        "Policies",
        if s.policies.is_empty() {
            "none".to_string()
        } else {
            s.policies
                .iter()
                .map(|p| p.name().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    if !s.shocks.is_empty() {
        fact(
            "Shocks",
            s.shocks
                .iter()
                .map(|k| format!("{} ({} to {})", k.name, k.start, k.end))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    fact("Replicates", result.manifest.replicates.to_string());
    let priors = s.uncertainty.len();
    fact(
        "Uncertainty",
        if priors == 0 {
            "none: replicates differ only by random noise (no [[uncertainty]] priors), so \
             probabilities understate what is not known"
                .to_string()
        } else {
            let posterior: Vec<_> = s.uncertainty.iter().filter(|u| u.is_posterior()).collect();
            let from_posterior = match posterior.first() {
                Some(u) => format!(
                    "; {} of them drawn jointly from the posterior {} ({} draws)",
                    posterior.len(),
                    u.file.as_deref().unwrap_or("given inline"),
                    u.draws.as_ref().map_or(0, Vec::len)
                ),
                None => String::new(),
            };
            format!(
                "{priors} uncertain parameters, one draw each per replicate (parameters.csv){from_posterior}; \
                 probabilities met carry a 90 % interval"
            )
        },
    );
    if result.manifest.replicates < civitas_results::FEW_REPLICATES && !result.targets.is_empty() {
        fact(
            "Note",
            format!(
                "with {} replicates the interval of a probability is wide; use {} or more \
                 before reading p as a number",
                result.manifest.replicates,
                civitas_results::FEW_REPLICATES
            ),
        );
    }
    out.push_str("</dl>\n");
}

/// The "at a glance" cards: per target year, how many targets are likely met and which
/// are not, so the at-risk ones are the first thing a reader sees.
fn at_a_glance(out: &mut String, result: &BatchResult) {
    let currency = &result.scenario.scenario.currency;
    let mut years: Vec<i32> = result.targets.iter().map(|t| t.year).collect();
    years.sort_unstable();
    years.dedup();
    out.push_str("<section id=\"at-a-glance\">\n<h2>At a glance</h2>\n");
    if let Some(sweep) = result.sweep.as_ref().filter(|_| result.targets.is_empty()) {
        // A sweep's targets are evaluated per point, not once: the summary and the maps
        // below say where each is met.
        let currency = &result.scenario.scenario.currency;
        let levers: Vec<String> = sweep
            .levers
            .iter()
            .map(|l| escape(&format::lever_title(l, currency)))
            .collect();
        let _ = writeln!(
            out,
            "<p>A sweep of {} points over {}, {} replicates each: each target is evaluated at \
             every point; the sweep summary says {}, and the figures show it over the \
             levers.</p>\n</section>",
            sweep.points.len(),
            levers.join(" and "),
            result.manifest.replicates,
            if levers.len() > 1 {
                "at how many points it is likely met, and where it does best and worst"
            } else {
                "from which lever value it is likely met"
            }
        );
        return;
    }
    if years.is_empty() {
        out.push_str("<p class=\"note\">The scenario declares no targets.</p>\n</section>\n");
        return;
    }
    out.push_str("<div class=\"glance\">\n");
    for year in years {
        let targets: Vec<&TargetResult> =
            result.targets.iter().filter(|t| t.year == year).collect();
        let met = targets
            .iter()
            .filter(|t| standing(t) == Standing::Status(civitas_results::TargetStatus::Met))
            .count();
        let _ = writeln!(
            out,
            "<div class=\"year-card\" data-year=\"{year}\">\n<h3>{year} targets</h3>\n<p class=\"count\"><strong>{met} of {}</strong> likely met (p ≥ {})</p>",
            targets.len(),
            civitas_results::MET_PROBABILITY
        );
        let mut not_met: Vec<&&TargetResult> = targets
            .iter()
            .filter(|t| standing(t) != Standing::Status(civitas_results::TargetStatus::Met))
            .collect();
        // Missed and at-risk targets first, lowest probability first; no-data ones last.
        not_met.sort_by(|a, b| {
            let no_data = |t: &TargetResult| standing(t) == Standing::NoData;
            no_data(a)
                .cmp(&no_data(b))
                .then(a.probability_met.total_cmp(&b.probability_met))
        });
        if not_met.is_empty() {
            out.push_str("<p>Every target is on track.</p>\n");
        } else {
            out.push_str("<ul class=\"at-risk\">\n");
            for t in not_met {
                let detail = match standing(t) {
                    Standing::NoData => "the run produced no value".to_string(),
                    _ => format!(
                        "p = {}, mean {} (p5–p95 {} – {})",
                        format::probability_with_interval(
                            t.probability_met,
                            t.probability_lo,
                            t.probability_hi
                        ),
                        format::value(t.indicator, t.mean, currency),
                        format::value(t.indicator, t.p5, currency),
                        format::value(t.indicator, t.p95, currency),
                    ),
                };
                let _ = writeln!(
                    out,
                    "<li>{} {} <span class=\"note\">{}</span></li>",
                    chip(standing(t)),
                    escape(&format::target_title(&result.scenario, t)),
                    escape(&detail)
                );
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n</section>\n");
}

fn scorecard_table(out: &mut String, result: &BatchResult) {
    let currency = &result.scenario.scenario.currency;
    let rows = target_rows(std::slice::from_ref(result));
    let _ = writeln!(
        out,
        "<table class=\"scorecard\" data-targets=\"{}\">\n<thead><tr><th>Target</th><th>Year</th><th>Group</th><th>Threshold</th>\
         <th>Mean</th><th>p5–p95</th><th>Probability met</th><th>Status</th></tr></thead>\n<tbody>",
        rows.len()
    );
    for t in rows {
        let s = standing(t);
        let basis = match t.basis {
            civitas_scenario::TargetBasis::December => "December value",
            civitas_scenario::TargetBasis::YearMean => "mean over the year",
        };
        let (range, probability) = match s {
            Standing::NoData => ("no data".to_string(), "–".to_string()),
            _ => (
                format!(
                    "{} – {}",
                    format::value(t.indicator, t.p5, currency),
                    format::value(t.indicator, t.p95, currency)
                ),
                format::probability_with_interval(
                    t.probability_met,
                    t.probability_lo,
                    t.probability_hi,
                ),
            ),
        };
        let _ = writeln!(
            out,
            "<tr class=\"target-row\" data-status=\"{}\"><td>{}<br><span class=\"note\">{}</span></td><td class=\"num\">{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            s.css_class(),
            escape(t.indicator.meta().title),
            escape(&format!("{} · {basis}", t.label)),
            t.year,
            escape(&format::scope(&result.scenario, &t.scope)),
            escape(&format::threshold(t, currency)),
            escape(&format::value(t.indicator, t.mean, currency)),
            escape(&range),
            probability,
            chip(s),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// For sweeps: per target and lever, the first swept value at which the probability of
/// meeting the target reaches 0.9.
fn sweep_summary(out: &mut String, result: &BatchResult) {
    let Some(sweep) = &result.sweep else { return };
    let currency = &result.scenario.scenario.currency;
    let levers = sweep
        .levers
        .iter()
        .map(|l| format::lever_title(l, currency))
        .collect::<Vec<_>>()
        .join(", ");
    // Over one lever, the lowest value that reaches 0.9 reads as a threshold. Over several,
    // a projection on one lever mixes the others' values (a target "reached from 0" of one
    // lever only because another was high at that point), so each target gets how many
    // points reach 0.9 and its best and worst points, with every lever's value.
    if sweep.levers.len() > 1 {
        let _ = writeln!(
            out,
            "<section id=\"sweep-summary\">\n<h2>Sweep summary</h2>\n<p class=\"note\">{} points over \
             {}. For each target, the points at which the probability of meeting it reaches 0.9, \
             and the best and the worst point (by probability met, then by the mean).</p>\n\
             <table class=\"sweep\">\n<thead><tr><th>Target</th><th>Points with p ≥ 0.9</th>\
             <th>Best point</th><th>Worst point</th></tr></thead>\n<tbody>",
            sweep.points.len(),
            escape(&levers),
        );
        for target in crate::plots::sweep::sweep_targets(sweep) {
            let reaching = sweep
                .points
                .iter()
                .filter(|p| {
                    p.targets.iter().any(|t| {
                        crate::plots::scorecard::same_target(t, target)
                            && t.probability_met >= civitas_results::MET_PROBABILITY
                    })
                })
                .count();
            let point = |(p, t): crate::plots::sweep::Evaluated| {
                format!(
                    "p = {} at {}",
                    format::probability(t.probability_met),
                    escape(&crate::plots::sweep::point_levers(sweep, p, currency))
                )
            };
            let (best, worst) = match crate::plots::sweep::extremes(sweep, target) {
                Some((best, worst)) => (point(best), point(worst)),
                None => (
                    "<span class=\"note\">no data</span>".to_string(),
                    String::new(),
                ),
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{reaching} of {}</td><td>{best}</td><td>{worst}</td></tr>",
                escape(&format::target_title(&result.scenario, target)),
                sweep.points.len(),
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"sweep-summary\">\n<h2>Sweep summary</h2>\n<p class=\"note\">{} points over {}. \
         For each target, the lowest swept value at which the probability of meeting it reaches 0.9.</p>\n\
         <table class=\"sweep\">\n<thead><tr><th>Target</th><th>Lever</th><th>Reaches p ≥ 0.9 from</th></tr></thead>\n<tbody>",
        sweep.points.len(),
        escape(&levers),
    );
    for target in crate::plots::sweep::sweep_targets(sweep) {
        for (lever, name) in sweep.levers.iter().enumerate() {
            let reached = match crate::plots::sweep::first_reaching(sweep, lever, target) {
                Some(x) => escape(&format::number(x)),
                None => "<span class=\"note\">not reached</span>".to_string(),
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{reached}</td></tr>",
                escape(&format::target_title(&result.scenario, target)),
                escape(&format::lever_title(name, currency)),
            );
        }
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn manifest_facts(out: &mut String, result: &BatchResult) {
    let m = &result.manifest;
    out.push_str("<dl class=\"facts\">\n");
    let mut fact = |k: &str, v: String| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v));
    };
    fact("Civitas version", m.civitas_version.clone());
    if !m.model_fingerprint.is_empty() {
        fact("Model fingerprint", m.model_fingerprint.clone());
    }
    fact("Scenario", m.scenario.clone());
    fact("Scenario hash", m.scenario_hash.clone());
    fact("Master seed", m.seed.to_string());
    fact("Replicates", m.replicates.to_string());
    // Worker threads and wall time differ from run to run of the same result; they stay
    // in manifest.json so that the page is byte-identical (and diffable) across runs.
    fact(
        "Threads and wall time",
        "in manifest.json (they vary between runs; this page does not)".to_string(),
    );
    out.push_str("</dl>\n");
    if !m.run_seeds.is_empty() {
        let seeds: Vec<String> = m
            .run_seeds
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{i}: {s}"))
            .collect();
        let _ = writeln!(
            out,
            "<details><summary>Seed of each replicate</summary><p><code>{}</code></p></details>",
            escape(&seeds.join(", "))
        );
    }
}

/// For runs with `[[uncertainty]]` priors: per target, the parameter ranges in which it
/// fails (scenario discovery with PRIM).
fn discovery_section(out: &mut String, result: &BatchResult, rendered: &[Rendered]) {
    let Some(parameters) = &result.parameters else {
        return;
    };
    let found = discoveries(result);
    if found.is_empty() {
        return;
    }
    let replicates = parameters.values.len();
    let _ = writeln!(
        out,
        "<section id=\"discovery\">\n<h2>What makes targets fail</h2>\n<p class=\"note\">Scenario \
         discovery (PRIM, Friedman and Fisher 1999): for each target, the few ranges of the {} \
         uncertain parameters inside which most of its failures lie. <em>Coverage</em>: share of \
         the failing replicates inside the ranges; <em>density</em>: share of the replicates inside \
         that fail. A range names the assumption to watch, and the lever that hedges it.{}</p>\n\
         <table class=\"discovery\">\n<thead><tr><th>Target</th><th>Fails in</th><th>Fails mainly when</th>\
         <th>Coverage</th><th>Density</th></tr></thead>\n<tbody>",
        parameters.paths.len(),
        if replicates < crate::discovery::FEW_FOR_DISCOVERY {
            format!(
                " With {replicates} replicates the ranges are rough: run {} or more.",
                crate::discovery::FEW_FOR_DISCOVERY * 2
            )
        } else {
            String::new()
        }
    );
    use crate::discovery::Finding;
    let mut holds = Vec::new();
    let mut fails = Vec::new();
    let mut rows = 0;
    for (t, d) in &found {
        let title = escape(&format::target_title(&result.scenario, t));
        let (ranges, coverage, density) = match &d.finding {
            Finding::AlwaysHolds => {
                holds.push(title);
                continue;
            }
            Finding::AlwaysFails => {
                fails.push(title);
                continue;
            }
            Finding::NoPattern => (
                "<span class=\"note\">no parameter range concentrates the failures on held-out \
                 replicates: they look like noise</span>"
                    .to_string(),
                String::new(),
                String::new(),
            ),
            Finding::TooFew { needed } => (
                format!(
                    "<span class=\"note\">too few replicates to find ranges and test them \
                     (at least {needed})</span>"
                ),
                String::new(),
                String::new(),
            ),
            Finding::Box {
                ranges,
                coverage,
                density,
                ..
            } => (
                ranges
                    .iter()
                    .map(|r| format!("<code>{}</code>", escape(&r.to_string())))
                    .collect::<Vec<_>>()
                    .join(" and "),
                format::probability(*coverage),
                format::probability(*density),
            ),
        };
        rows += 1;
        let _ = writeln!(
            out,
            "<tr><td>{title}</td><td class=\"num\">{} of {}</td><td>{ranges}</td><td class=\"num\">{coverage}</td><td class=\"num\">{density}</td></tr>",
            d.failures, d.replicates,
        );
    }
    if rows == 0 {
        out.push_str("<tr><td colspan=\"5\" class=\"note\">No target both holds and fails across the draws.</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    for (list, words) in [
        (&holds, "Hold in every replicate, whatever the draws"),
        (
            &fails,
            "Fail in every replicate, whatever the draws (no assumption within the priors rescues them: a policy question, not a parameter one)",
        ),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "<p class=\"note\">{words}: {}.</p>", list.join("; "));
        }
    }
    figures_section(out, rendered, Section::Discovery, false);
    out.push_str("</section>\n");
}

/// Each target that discovery can look at, with what it found.
fn discoveries(result: &BatchResult) -> Vec<(&TargetResult, crate::discovery::TargetDiscovery)> {
    result
        .targets
        .iter()
        .filter_map(|t| {
            Some((
                t,
                crate::discovery::discover_failures(
                    result,
                    t,
                    crate::discovery::DEFAULT_MIN_COVERAGE,
                )?,
            ))
        })
        .collect()
}

/// Per variant against the first run: each target's paired difference, replicate by
/// replicate (common random numbers).
fn paired_section(out: &mut String, runs: &[BatchResult]) {
    let Some((base, variants)) = runs.split_first() else {
        return;
    };
    let _ = writeln!(
        out,
        "<section id=\"paired\">\n<h2>Paired differences</h2>\n<p class=\"note\">Each scenario \
         against <strong>{}</strong>, replicate by replicate: with the same seed, replicate r of \
         both runs shares its random streams and parameter draws, so the difference is measured \
         far more precisely than the two runs' bands suggest. <em>P(better)</em>: the \
         probability, from the paired mean difference and its standard error (Student t), that the \
         scenario does better on the target on average; the interval is the {:.0} % interval of \
         the mean difference; <em>better / worse / same</em>: the replicates in which it did \
         better, worse, or gave the same value (a tie is no win).</p>",
        escape(&base.scenario.scenario.name),
        100.0 * civitas_results::PAIRED_LEVEL,
    );
    for variant in variants {
        let name = escape(&variant.scenario.scenario.name);
        let pairs = match civitas_results::paired_targets(base, variant) {
            Ok(p) => p,
            Err(why) => {
                let _ = writeln!(
                    out,
                    "<h3>{name}</h3>\n<p class=\"note\">Not paired: the runs have {}.</p>",
                    escape(&why.to_string())
                );
                continue;
            }
        };
        let paired = &pairs.targets;
        if paired.is_empty() {
            let _ = writeln!(
                out,
                "<h3>{name}</h3>\n<p class=\"note\">No per-replicate target values to pair \
                 (runs written by an older civitas, or no shared targets).</p>"
            );
            continue;
        }
        let _ = writeln!(
            out,
            "<h3>{name} vs {}</h3>\n<table class=\"paired\">\n<thead><tr><th>Target</th>\
             <th>P(better)</th><th>Mean difference</th><th>{:.0} % interval</th>\
             <th>Better / worse / same</th></tr></thead>\n<tbody>",
            escape(&base.scenario.scenario.name),
            100.0 * civitas_results::PAIRED_LEVEL,
        );
        if let Some(note) = pairs.note() {
            let _ = writeln!(out, "<p class=\"note\">Note: {}.</p>", escape(&note));
        }
        let currency = &variant.scenario.scenario.currency;
        for p in paired {
            let Some(t) = variant.targets.iter().find(|t| t.label == p.label) else {
                continue;
            };
            let d = &p.difference;
            let diff = |v| format::difference(t.indicator, v, currency);
            let title = escape(&format::target_title(&variant.scenario, t));
            if d.all_tied() {
                let _ = writeln!(
                    out,
                    "<tr class=\"paired-row\"><td>{title}</td><td class=\"num\" colspan=\"4\">\
                     no difference in {} of {} pairs</td></tr>",
                    d.ties, d.n,
                );
                continue;
            }
            let _ = writeln!(
                out,
                "<tr class=\"paired-row\"><td>{title}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{} to {}</td><td class=\"num\">{} / {} / {} of {}</td></tr>",
                format::probability(d.probability_better),
                escape(&diff(d.mean)),
                escape(&diff(d.lo)),
                escape(&diff(d.hi)),
                d.better,
                d.worse,
                d.ties,
                d.n,
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

/// The page of one run.
pub(crate) fn run_page(result: &BatchResult, rendered: &[Rendered]) -> String {
    let info = &result.scenario.scenario;
    let mut out = String::new();
    page_start(&mut out, &format!("Civitas report: {}", info.name));
    let _ = writeln!(
        out,
        "<header>\n<p class=\"kicker\">Civitas report</p>\n<h1>{}</h1>\n<p class=\"description\">{}</p>",
        escape(&info.name),
        escape(&info.description)
    );
    scenario_facts(&mut out, result);
    out.push_str("</header>\n");
    nav(
        &mut out,
        rendered,
        if result.sweep.is_some() && result.targets.is_empty() {
            &[
                ("at-a-glance", "At a glance"),
                ("sweep-summary", "Sweep summary"),
            ]
        } else {
            &[("at-a-glance", "At a glance"), ("targets", "Scorecard")]
        },
        &if !discoveries(result).is_empty() {
            vec![
                ("discovery", "What makes targets fail"),
                ("run-facts", "Run facts"),
            ]
        } else {
            vec![("run-facts", "Run facts")]
        },
    );
    at_a_glance(&mut out, result);
    // A sweep has no targets of its own, only per point (its summary follows).
    let scorecard = !(result.sweep.is_some() && result.targets.is_empty());
    if scorecard {
        out.push_str("<section id=\"targets\">\n<h2>Target scorecard</h2>\n");
        let _ = writeln!(
            out,
            "<p class=\"note\">Probability met is the share of replicates in which the target holds in its year \
         (December value unless stated). Met: p ≥ {}; at risk: between; missed: p ≤ {}.</p>",
            civitas_results::MET_PROBABILITY,
            civitas_results::MISSED_PROBABILITY
        );
        // The table is the scorecard; its picture (plots/scorecard.png) is for slides, not a
        // second copy on the page.
        scorecard_table(&mut out, result);
        out.push_str("</section>\n");
    }
    // Discovery's figures go inside its own section, below its table.
    for (section, _, _) in SECTIONS
        .iter()
        .skip(1)
        .filter(|(s, _, _)| *s != Section::Discovery)
    {
        if *section == Section::Sweep {
            sweep_summary(&mut out, result);
        }
        figures_section(&mut out, rendered, *section, true);
    }
    discovery_section(&mut out, result, rendered);
    out.push_str("<section id=\"run-facts\">\n<h2>Run facts</h2>\n");
    manifest_facts(&mut out, result);
    out.push_str("</section>\n");
    page_end(&mut out);
    out
}

/// The page of a sensitivity analysis: per target, the leading uncertain parameters and
/// their tornado chart.
pub(crate) fn sensitivity_page(
    result: &BatchResult,
    s: &crate::sensitivity::Sensitivity,
    rendered: &[Rendered],
) -> String {
    use crate::sensitivity::Method;
    let info = &result.scenario.scenario;
    let name = info.name.strip_suffix("-sensitivity").unwrap_or(&info.name);
    let mut out = String::new();
    page_start(&mut out, &format!("Civitas sensitivity: {name}"));
    let (method, how) = match s.method {
        Method::Sobol => (
            "Sobol indices (Saltelli's design)",
            "First-order: the share of a target's variance a parameter causes alone; total: \
             including its interactions. A total near 0 means the parameter can be fixed at any \
             value of its prior without changing the answer.",
        ),
        Method::Morris => (
            "Morris elementary effects",
            "μ*: the mean absolute change of the target when the parameter moves across its \
             prior (a screening of what matters); σ: the spread of those changes (interactions, \
             non-linearity).",
        ),
    };
    let _ = writeln!(
        out,
        "<header>\n<p class=\"kicker\">Civitas sensitivity</p>\n<h1>{}</h1>\n<p class=\"description\">{}</p>\n\
         <p class=\"note\">{method} of each target's value over the scenario's {} uncertain \
         parameters, from {} model runs (one replicate each, sharing its random streams, so the \
         spread is the parameters' alone). {how}</p>\n</header>",
        escape(name),
        escape(&info.description),
        s.parameters.len(),
        s.runs,
    );
    nav(
        &mut out,
        rendered,
        &[("leading", "Leading parameters")],
        &[("run-facts", "Run facts")],
    );
    let (first, second) = match s.method {
        Method::Sobol => ("first-order", "total"),
        Method::Morris => ("μ*", "σ"),
    };
    let _ = writeln!(
        out,
        "<section id=\"leading\">\n<h2>Leading parameters</h2>\n<table class=\"sensitivity\">\n\
         <thead><tr><th>Target</th><th>Most influential</th><th>Second</th><th>Third</th></tr></thead>\n<tbody>"
    );
    for t in &s.targets {
        let _ = write!(out, "<tr><td>{}</td>", escape(&t.title));
        if !t.has_data {
            out.push_str("<td colspan=\"3\" class=\"note\">no data (the target year is outside the horizon)</td></tr>\n");
            continue;
        }
        if !t.moves() {
            out.push_str("<td colspan=\"3\" class=\"note\">the same value in every run: no parameter moves it</td></tr>\n");
            continue;
        }
        for &i in t.order(s.method).iter().take(3) {
            // The index with its interval where there is one: "0.31 (0.20–0.42)".
            let shown = |v: f64, k: usize| match &t.intervals {
                Some(ci) => format!(
                    "{} ({}–{})",
                    format::significant(v),
                    format::significant(ci[i][k].0),
                    format::significant(ci[i][k].1)
                ),
                None => format::significant(v),
            };
            let _ = write!(
                out,
                "<td>{}<br><code class=\"path\">{}</code><br><span class=\"note\">{first} {} · \
                 {second} {}</span></td>",
                escape(&format::lever_title(&s.parameters[i], "")),
                escape(&s.parameters[i]),
                shown(t.primary[i], 0),
                shown(t.secondary[i], 1),
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    // Sobol indices are shares of variance: estimates well outside [0, 1], or a first-order
    // index well above the total, are the sampling error of too small a design.
    let rough = s.method == Method::Sobol
        && s.targets.iter().filter(|t| t.has_data).any(|t| {
            t.primary
                .iter()
                .zip(&t.secondary)
                .any(|(&f, &tot)| !(-0.1..=1.1).contains(&f) || f > tot + 0.1)
        });
    // The bootstrap intervals say the same more directly: wide ones have not converged.
    let widest = s
        .targets
        .iter()
        .filter(|t| t.has_data && t.moves())
        .map(|t| t.unsettled(s.method))
        .fold(0.0, f64::max);
    let (wide, more) = match s.method {
        Method::Sobol => ("wide", "--base-points"),
        Method::Morris => ("wide against the largest μ*", "--trajectories"),
    };
    if rough || widest > crate::sensitivity::CONVERGED_WIDTH {
        let _ = writeln!(
            out,
            "<p class=\"warning\">With {} runs the design is too small for the indices to be \
             read as numbers: their 90 % bootstrap intervals (in brackets) are up to {} {wide}{}. \
             Read the ranking, or run again with more <code>{more}</code>.</p>",
            s.runs,
            format::significant(widest),
            if rough {
                ", and some estimates lie outside 0–1 or put a first-order index above the total"
            } else {
                ""
            }
        );
    }
    out.push_str(
        "<p class=\"note\">Every index: <code>sensitivity.csv</code>; every run: \
                  <code>sweep.csv</code> and <code>points/</code>.</p>\n</section>\n",
    );
    figures_section(&mut out, rendered, Section::Sensitivity, true);
    out.push_str("<section id=\"run-facts\">\n<h2>Run facts</h2>\n");
    manifest_facts(&mut out, result);
    out.push_str("</section>\n");
    page_end(&mut out);
    out
}

/// The page of a comparison of runs.
pub(crate) fn compare_page(runs: &[BatchResult], rendered: &[Rendered]) -> String {
    let names: Vec<&str> = runs
        .iter()
        .map(|r| r.scenario.scenario.name.as_str())
        .collect();
    let mut out = String::new();
    page_start(
        &mut out,
        &format!("Civitas comparison: {}", names.join(" vs ")),
    );
    let _ = writeln!(
        out,
        "<header>\n<p class=\"kicker\">Civitas comparison</p>\n<h1>{}</h1>",
        escape(&names.join(" vs "))
    );
    out.push_str("<div class=\"glance\">\n");
    for (i, run) in runs.iter().enumerate() {
        let _ = writeln!(
            out,
            "<div class=\"year-card\" style=\"border-left: 6px solid {}\">\n<h3>{}</h3>\n<p class=\"description\">{}</p>",
            style::hex(style::scenario_colour(i)),
            escape(&run.scenario.scenario.name),
            escape(&run.scenario.scenario.description)
        );
        scenario_facts(&mut out, run);
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n</header>\n");
    nav(
        &mut out,
        rendered,
        &[("targets", "Scorecard"), ("paired", "Paired differences")],
        &[("run-facts", "Run facts")],
    );

    let rows = target_rows(runs);
    out.push_str("<section id=\"targets\">\n<h2>Target scorecard</h2>\n");
    let _ = write!(
        out,
        "<table class=\"scorecard\" data-targets=\"{}\">\n<thead><tr><th>Target</th>",
        rows.len()
    );
    for name in &names {
        let _ = write!(out, "<th>{}</th>", escape(name));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    if let Some(first) = runs.first() {
        for target in rows {
            let _ = write!(
                out,
                "<tr class=\"target-row\"><td>{}</td>",
                escape(&format::target_title(&first.scenario, target))
            );
            for run in runs {
                match find(run, target) {
                    Some(t) => {
                        let currency = &run.scenario.scenario.currency;
                        let _ = write!(
                            out,
                            "<td>{} p={}<br><span class=\"note\">mean {}</span></td>",
                            chip(standing(t)),
                            format::probability(t.probability_met),
                            escape(&format::value(t.indicator, t.mean, currency))
                        );
                    }
                    None => out.push_str("<td class=\"note\">not set</td>"),
                }
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody>\n</table>\n");
    figures_section(&mut out, rendered, Section::Targets, false);
    out.push_str("</section>\n");
    paired_section(&mut out, runs);
    for (section, _, _) in SECTIONS.iter().skip(1) {
        figures_section(&mut out, rendered, *section, true);
    }
    out.push_str("<section id=\"run-facts\">\n<h2>Run facts</h2>\n");
    for run in runs {
        let _ = writeln!(out, "<h3>{}</h3>", escape(&run.scenario.scenario.name));
        manifest_facts(&mut out, run);
    }
    out.push_str("</section>\n");
    page_end(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn strips_xml_prolog_before_inlining() {
        assert_eq!(
            inline_svg("<?xml version=\"1.0\"?>\n<svg></svg>"),
            "<svg></svg>"
        );
    }
}
