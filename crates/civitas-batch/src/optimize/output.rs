//! The files of an optimisation, beside the verification sweep's: `optimize.csv` (every
//! candidate), `verify.csv` (the fresh re-evaluation, paired with the file's split) and
//! `best.toml` (the best allocation as a scenario that `extends` the input).

use std::path::Path;

use civitas_results::files::text_cell;
use civitas_results::format::format_value;
use civitas_results::optimize::{
    BEST_TOML, OPTIMIZE_CSV, OptimizeSummary, Probability, VERIFY_CSV, Verified,
};
use civitas_results::owned;
use civitas_scenario::Scenario;

use crate::error::BatchError;

use super::Problem;

fn csv_error(path: &Path) -> impl Fn(csv::Error) -> BatchError + '_ {
    move |e| BatchError::Corrupt {
        path: path.to_path_buf(),
        message: format!("cannot write: {e}"),
    }
}

fn probability_cells(p: &Probability) -> [String; 3] {
    [format_value(p.p), format_value(p.lo), format_value(p.hi)]
}

/// Writes the three files into `dir`.
pub(super) fn write_all(
    dir: &Path,
    problem: &Problem,
    summary: &OptimizeSummary,
    input: &Scenario,
    extends: &str,
) -> Result<(), BatchError> {
    write_candidates(&dir.join(OPTIMIZE_CSV), summary)?;
    write_verification(&dir.join(VERIFY_CSV), summary)?;
    let best = best_toml(problem, summary, input, extends);
    owned::write_file(&dir.join(BEST_TOML), best.as_bytes())?;
    Ok(())
}

fn target_header(summary: &OptimizeSummary) -> Vec<String> {
    summary
        .targets
        .iter()
        .flat_map(|t| {
            [
                format!("{t}: probability_met"),
                format!("{t}: probability_lo"),
                format!("{t}: probability_hi"),
            ]
        })
        .collect()
}

/// The header: `leading` columns, one per variable, `middle` columns, then `targets`.
fn header(
    summary: &OptimizeSummary,
    leading: &[&str],
    middle: &[&str],
    targets: &[String],
) -> Vec<String> {
    let mut header: Vec<String> = leading.iter().map(|h| h.to_string()).collect();
    header.extend(
        summary
            .variables
            .iter()
            .map(|v| text_cell(&v.path).into_owned()),
    );
    header.extend(middle.iter().map(|h| h.to_string()));
    header.extend(targets.iter().map(|h| text_cell(h).into_owned()));
    header
}

/// Writes `header` and `rows` to `path`.
fn write_table(
    path: &Path,
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), BatchError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(csv_error(path))?;
    for row in rows {
        w.write_record(&row).map_err(csv_error(path))?;
    }
    let bytes = w.into_inner().map_err(|e| BatchError::Corrupt {
        path: path.to_path_buf(),
        message: format!("cannot write: {e}"),
    })?;
    Ok(owned::write_file(path, &bytes)?)
}

/// Columns of a probability with its interval.
const ALL_MET: [&str; 5] = [
    "replicates",
    "objective",
    "all_met_probability",
    "all_met_lo",
    "all_met_hi",
];

/// `optimize.csv`: candidate, generation (empty for the file's split), one column per
/// variable, replicates, objective, P(all met) with its interval, then each target's.
fn write_candidates(path: &Path, summary: &OptimizeSummary) -> Result<(), BatchError> {
    let header = header(
        summary,
        &["candidate", "generation"],
        &ALL_MET,
        &target_header(summary),
    );
    let rows = summary.candidates.iter().map(|c| {
        let mut row = vec![
            c.id.to_string(),
            c.generation.map_or_else(String::new, |g| g.to_string()),
        ];
        row.extend(c.values.iter().map(|&v| format_value(v)));
        row.push(c.replicates.to_string());
        row.push(format_value(c.objective));
        row.extend(probability_cells(&c.all_met));
        for p in &c.targets {
            row.extend(probability_cells(p));
        }
        row
    });
    write_table(path, &header, rows)
}

/// `verify.csv`: point of the verification sweep, role (`file`, `finalist`, `best`),
/// candidate, variables, objective, P(all met) with interval, the paired difference of
/// "all met" against the file's split (mean, lo, hi, better, worse), then each target's
/// probability and mean.
fn write_verification(path: &Path, summary: &OptimizeSummary) -> Result<(), BatchError> {
    let mut middle = ALL_MET.to_vec();
    middle.extend([
        "paired_difference",
        "paired_lo",
        "paired_hi",
        "paired_better",
        "paired_worse",
    ]);
    let targets: Vec<String> = summary
        .targets
        .iter()
        .flat_map(|t| {
            [
                "probability_met",
                "probability_lo",
                "probability_hi",
                "mean",
            ]
            .map(|part| format!("{t}: {part}"))
        })
        .collect();
    let header = header(summary, &["point", "role", "candidate"], &middle, &targets);
    let roles = std::iter::once(("file", &summary.file)).chain(
        summary.finalists.iter().enumerate().map(|(k, v)| {
            (
                if k == summary.best {
                    "best"
                } else {
                    "finalist"
                },
                v,
            )
        }),
    );
    let rows = roles
        .enumerate()
        .map(|(point, (role, v))| verify_row(point, role, v));
    write_table(path, &header, rows)
}

fn verify_row(point: usize, role: &str, v: &Verified) -> Vec<String> {
    let mut row = vec![point.to_string(), role.to_string(), v.id.to_string()];
    row.extend(v.values.iter().map(|&x| format_value(x)));
    row.push(v.all_met.n.to_string());
    row.push(format_value(v.objective));
    row.extend(probability_cells(&v.all_met));
    match &v.all_met_paired {
        Some(d) => {
            row.extend([d.mean, d.lo, d.hi].map(format_value));
            row.push(d.better.to_string());
            row.push(d.worse.to_string());
        }
        None => row.extend(std::iter::repeat_n(String::new(), 5)),
    }
    for (p, mean) in v.targets.iter().zip(&v.means) {
        row.extend(probability_cells(p));
        row.push(format_value(*mean));
    }
    row
}

/// `best.toml`: a scenario that `extends` the input and sets the best allocation.
fn best_toml(
    problem: &Problem,
    summary: &OptimizeSummary,
    input: &Scenario,
    extends: &str,
) -> String {
    let best = summary.best();
    let name = format!("{}-best", input.scenario.name);
    let p = |x: &Probability| format!("{:.3} ({:.3}-{:.3})", x.p, x.lo, x.hi);
    let mut text = format!(
        "# Written by `civitas optimize`: the best allocation found for {}\n\
         # ({}; {}).\n\
         # On {} fresh replicates (seed {}), P(every chosen target met) {} against the\n\
         # file's split {}; with the command-line overrides of the search (e.g. --agents).\n",
        input.scenario.name,
        summary.objective,
        summary.constraint,
        best.all_met.n,
        summary.verify_seed,
        p(&best.all_met),
        p(&summary.file.all_met),
    );
    text.push_str(&format!("extends = {}\n\n", toml_string(extends)));
    text.push_str(&format!("[scenario]\nname = {}\n", toml_string(&name)));
    let mut shares = Vec::new();
    for (var, &value) in problem.vars.iter().zip(&best.values) {
        let path = var.path();
        if let Some(policy) = path
            .strip_prefix("policies[name=")
            .and_then(|rest| rest.strip_suffix("].amount_per_year"))
        {
            text.push_str(&format!(
                "\n[[policies]]\nname = {}\namount_per_year = {}\n",
                toml_string(policy),
                toml_number(value)
            ));
        } else if let Some(policy) = path.strip_prefix("budget.shares.") {
            shares.push((policy.to_string(), value));
        } else if path == "budget.total_per_year" {
            text.push_str(&format!(
                "\n[budget]\ntotal_per_year = {}\n",
                toml_number(value)
            ));
        }
    }
    if !shares.is_empty() {
        text.push_str("\n[budget.shares]\n");
        for (policy, value) in shares {
            text.push_str(&format!("{} = {}\n", toml_key(&policy), toml_number(value)));
        }
    }
    text
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_key(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        s.to_string()
    } else {
        toml_string(s)
    }
}

/// A float TOML reads back as a float (never `1e8` without a fraction, which it would).
fn toml_number(v: f64) -> String {
    let text = format!("{v:?}");
    if text.contains('.') || text.contains('e') || text.contains("inf") || text.contains("NaN") {
        if text.contains('e') && !text.contains('.') {
            return format!("{v:.1}");
        }
        text
    } else {
        format!("{text}.0")
    }
}
