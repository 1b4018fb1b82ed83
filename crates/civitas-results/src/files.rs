//! The files of an output directory: names, columns, writers and the manifest.
//!
//! Numbers are written with [`crate::format::format_value`], so the same values always
//! give the same bytes; NaN is an empty field.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::ResultsError;
use crate::format::format_value;
use crate::result::{Manifest, SeriesSummary, SweepPoint, TargetResult};
use civitas_scenario::{TargetBasis, TickDate};

/// Tidy per-replicate series.
pub const TIMESERIES_CSV: &str = "timeseries.csv";
/// Statistics across replicates.
pub const SUMMARY_CSV: &str = "summary.csv";
/// Target evaluations.
pub const TARGETS_CSV: &str = "targets.csv";
/// Agent-level sample: the first `[outputs] agent_sample` residents of every replicate at
/// every tick.
pub const AGENTS_CSV: &str = "agents.csv";
/// Each replicate's draws from the `[[uncertainty]]` priors: replicate, path, value.
pub const PARAMETERS_CSV: &str = "parameters.csv";
/// Each replicate's value of each target: target, replicate, value, met.
pub const TARGET_VALUES_CSV: &str = "target_values.csv";
/// Sweep table: one row per point × target.
pub const SWEEP_CSV: &str = "sweep.csv";
/// Run facts.
pub const MANIFEST_JSON: &str = "manifest.json";
/// The resolved scenario that ran.
pub const SCENARIO_TOML: &str = "scenario.toml";
/// Per-point outputs of a sweep: `points/p0000/`, …
pub const POINTS_DIR: &str = "points";

/// Columns of [`TIMESERIES_CSV`].
pub const TIMESERIES_COLUMNS: [&str; 7] = [
    "scenario",
    "replicate",
    "tick",
    "date",
    "indicator",
    "scope",
    "value",
];
/// Columns of [`AGENTS_CSV`].
pub const AGENT_COLUMNS: [&str; 12] = [
    "scenario",
    "replicate",
    "tick",
    "date",
    "resident",
    "district",
    "band",
    "literacy",
    "has_device",
    "adopted",
    "trust",
    "satisfaction",
];
/// Columns of [`SUMMARY_CSV`].
pub const SUMMARY_COLUMNS: [&str; 11] = [
    "scenario",
    "indicator",
    "scope",
    "tick",
    "date",
    "mean",
    "p5",
    "p50",
    "p95",
    "sd",
    "n",
];
/// Columns of [`PARAMETERS_CSV`].
pub const PARAMETER_COLUMNS: [&str; 3] = ["replicate", "path", "value"];
/// Columns of [`TARGET_VALUES_CSV`].
pub const TARGET_VALUE_COLUMNS: [&str; 4] = ["target", "replicate", "value", "met"];
/// Columns of [`TARGETS_CSV`] (and the target part of [`SWEEP_CSV`]).
pub const TARGET_COLUMNS: [&str; 14] = [
    "label",
    "indicator",
    "scope",
    "year",
    "basis",
    "min",
    "max",
    "value",
    "p5",
    "p95",
    "probability_met",
    "probability_lo",
    "probability_hi",
    "status",
];

/// Directory name of sweep point `index` under [`POINTS_DIR`].
pub fn point_dir_name(index: usize) -> String {
    format!("p{index:04}")
}

/// `december` or `year_mean`, as in scenario files.
pub fn basis_label(basis: TargetBasis) -> &'static str {
    match basis {
        TargetBasis::December => "december",
        TargetBasis::YearMean => "year_mean",
    }
}

/// Turns a CSV error on `path` into an I/O or corrupt-file error.
pub fn csv_error(path: &Path) -> impl FnOnce(csv::Error) -> ResultsError + '_ {
    move |e| match e.into_kind() {
        csv::ErrorKind::Io(source) => ResultsError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => ResultsError::corrupt(path, format!("{other:?}")),
    }
}

fn optional(x: Option<f64>) -> String {
    x.map(format_value).unwrap_or_default()
}

/// The cells of one target row (after any leading columns).
pub fn target_cells(t: &TargetResult) -> Vec<String> {
    vec![
        text_cell(&t.label).into_owned(),
        t.indicator.name().to_string(),
        t.scope.to_string(),
        t.year.to_string(),
        basis_label(t.basis).to_string(),
        optional(t.min),
        optional(t.max),
        format_value(t.mean),
        format_value(t.p5),
        format_value(t.p95),
        format_value(t.probability_met),
        format_value(t.probability_lo),
        format_value(t.probability_hi),
        t.status.label().to_string(),
    ]
}

/// First characters that make a spreadsheet read a cell as a formula (OWASP's list), and
/// the quote that marks a cell escaped.
const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// A name or label as a CSV cell: one that a spreadsheet would run as a formula (it starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP
/// recommends; so does one that starts with `'`, so that [`parse_text_cell`] gives back
/// exactly the name. Numbers are never written through here.
pub fn text_cell(name: &str) -> std::borrow::Cow<'_, str> {
    if name.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{name}"))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// The name a [`text_cell`] holds.
pub fn parse_text_cell(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// Writes `summary.csv`: one row per indicator, scope and tick.
pub fn write_summary(
    path: &Path,
    scenario: &str,
    dates: &[TickDate],
    series: &[SeriesSummary],
) -> Result<(), ResultsError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    w.write_record(SUMMARY_COLUMNS).map_err(csv_error(path))?;
    for s in series {
        for (tick, date) in dates.iter().enumerate() {
            w.write_record([
                scenario,
                s.indicator.name(),
                &s.scope.to_string(),
                &tick.to_string(),
                &date.to_string(),
                &format_value(s.mean[tick]),
                &format_value(s.p5[tick]),
                &format_value(s.p50[tick]),
                &format_value(s.p95[tick]),
                &format_value(s.sd[tick]),
                &s.n[tick].to_string(),
            ])
            .map_err(csv_error(path))?;
        }
    }
    w.flush().map_err(ResultsError::io(path))
}

/// Writes `targets.csv`.
pub fn write_targets(path: &Path, targets: &[TargetResult]) -> Result<(), ResultsError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    w.write_record(TARGET_COLUMNS).map_err(csv_error(path))?;
    for t in targets {
        w.write_record(target_cells(t)).map_err(csv_error(path))?;
    }
    w.flush().map_err(ResultsError::io(path))
}

/// Writes `target_values.csv`: one row per target and replicate, with whether the
/// replicate meets the target (the data behind probability met).
pub fn write_target_values(path: &Path, targets: &[TargetResult]) -> Result<(), ResultsError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    w.write_record(TARGET_VALUE_COLUMNS)
        .map_err(csv_error(path))?;
    for t in targets {
        for (r, &v) in t.values.iter().enumerate() {
            let met = t.meets(v);
            w.write_record([
                &*text_cell(&t.label),
                &r.to_string(),
                &format_value(v),
                if met { "true" } else { "false" },
            ])
            .map_err(csv_error(path))?;
        }
    }
    w.flush().map_err(ResultsError::io(path))
}

/// Writes `sweep.csv`: `point`, one column per lever, then the target columns.
pub fn write_sweep(
    path: &Path,
    levers: &[String],
    points: &[SweepPoint],
) -> Result<(), ResultsError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    let mut header = vec!["point".to_string()];
    header.extend(levers.iter().cloned());
    header.extend(TARGET_COLUMNS.iter().map(|c| c.to_string()));
    w.write_record(&header).map_err(csv_error(path))?;
    for p in points {
        for t in &p.targets {
            let mut row = vec![p.index.to_string()];
            row.extend(p.lever_values.iter().map(|&v| format_value(v)));
            row.extend(target_cells(t));
            w.write_record(&row).map_err(csv_error(path))?;
        }
    }
    w.flush().map_err(ResultsError::io(path))
}

/// `manifest.json`: [`Manifest`] plus what kind of batch wrote the directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFile {
    /// The facts of the run (their fields are written at the top level of the file).
    #[serde(flatten)]
    pub run: Manifest,
    /// `run` or `sweep`.
    pub kind: String,
    /// Sweep levers (empty for a run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levers: Vec<String>,
    /// Number of sweep points (absent for a run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<usize>,
    /// Number of shards merged into this result (absent when it ran in one piece).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<u32>,
}

impl ManifestFile {
    /// Writes it as pretty JSON.
    pub fn write(&self, path: &Path) -> Result<(), ResultsError> {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest serializes");
        text.push('\n');
        std::fs::write(path, text).map_err(ResultsError::io(path))
    }
}
