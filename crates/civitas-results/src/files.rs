//! The files of an output directory: names, columns, writers and the manifest.
//!
//! Numbers are written with [`crate::format::format_value`], so the same values always
//! give the same bytes; NaN is an empty field. Each table has a [`TableSpec`] (its columns'
//! kinds, `timeseries_table()`, …) and is written as CSV, Parquet or both through
//! [`TableWriter`].

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::ResultsError;
use crate::format::format_value;
use crate::result::{Manifest, SeriesSummary, SweepPoint, TargetResult};
use crate::table::{Kind, TableSpec, TableWriter};
use civitas_scenario::{TableFormat, TargetBasis, TickDate};

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

/// Kinds of [`TIMESERIES_COLUMNS`].
const TIMESERIES_KINDS: [Kind; 7] = [
    Kind::Text,
    Kind::Int,
    Kind::Int,
    Kind::Date,
    Kind::Text,
    Kind::Scope,
    Kind::Real,
];
/// Kinds of [`AGENT_COLUMNS`].
const AGENT_KINDS: [Kind; 12] = [
    Kind::Text,
    Kind::Int,
    Kind::Int,
    Kind::Date,
    Kind::Int,
    Kind::Name,
    Kind::Text,
    Kind::Real32,
    Kind::Bool,
    Kind::Bool,
    Kind::Real32,
    Kind::Real32,
];
/// Kinds of [`SUMMARY_COLUMNS`].
const SUMMARY_KINDS: [Kind; 11] = [
    Kind::Text,
    Kind::Text,
    Kind::Scope,
    Kind::Int,
    Kind::Date,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Int,
];
/// Kinds of [`PARAMETER_COLUMNS`].
const PARAMETER_KINDS: [Kind; 3] = [Kind::Int, Kind::Text, Kind::Real];
/// Kinds of [`TARGET_VALUE_COLUMNS`].
const TARGET_VALUE_KINDS: [Kind; 4] = [Kind::Name, Kind::Int, Kind::Real, Kind::Bool];
/// Kinds of [`TARGET_COLUMNS`].
const TARGET_KINDS: [Kind; 14] = [
    Kind::Name,
    Kind::Text,
    Kind::Scope,
    Kind::Int,
    Kind::Text,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Text,
];

/// The table of [`TIMESERIES_CSV`]: in Parquet, rows without a value are left out.
pub fn timeseries_table() -> TableSpec {
    TableSpec::new(&TIMESERIES_COLUMNS, &TIMESERIES_KINDS).dropping_empty("value")
}

/// The table of [`AGENTS_CSV`].
pub fn agents_table() -> TableSpec {
    TableSpec::new(&AGENT_COLUMNS, &AGENT_KINDS)
}

/// The table of [`SUMMARY_CSV`].
pub fn summary_table() -> TableSpec {
    TableSpec::new(&SUMMARY_COLUMNS, &SUMMARY_KINDS)
}

/// The table of [`PARAMETERS_CSV`].
pub fn parameters_table() -> TableSpec {
    TableSpec::new(&PARAMETER_COLUMNS, &PARAMETER_KINDS)
}

/// The table of [`TARGET_VALUES_CSV`].
pub fn target_values_table() -> TableSpec {
    TableSpec::new(&TARGET_VALUE_COLUMNS, &TARGET_VALUE_KINDS)
}

/// The table of [`TARGETS_CSV`].
pub fn targets_table() -> TableSpec {
    TableSpec::new(&TARGET_COLUMNS, &TARGET_KINDS)
}

/// The table of [`SWEEP_CSV`]: `point`, one column per lever, then the target columns.
pub fn sweep_table(levers: &[String]) -> TableSpec {
    let mut names = vec!["point".to_string()];
    names.extend(levers.iter().cloned());
    names.extend(TARGET_COLUMNS.iter().map(|c| c.to_string()));
    let mut kinds = vec![Kind::Int];
    kinds.extend(levers.iter().map(|_| Kind::Real));
    kinds.extend(TARGET_KINDS);
    TableSpec::new(&names, &kinds)
}

/// Writes `summary.csv` (or `.parquet`, by `format`): one row per indicator, scope and tick.
pub fn write_summary(
    path: &Path,
    scenario: &str,
    dates: &[TickDate],
    series: &[SeriesSummary],
    format: TableFormat,
) -> Result<(), ResultsError> {
    let mut w = TableWriter::create(path, summary_table(), format)?;
    for s in series {
        let scope = s.scope.to_string();
        for (tick, date) in dates.iter().enumerate() {
            w.row(&[
                scenario,
                s.indicator.name(),
                &scope,
                &tick.to_string(),
                &date.to_string(),
                &format_value(s.mean[tick]),
                &format_value(s.p5[tick]),
                &format_value(s.p50[tick]),
                &format_value(s.p95[tick]),
                &format_value(s.sd[tick]),
                &s.n[tick].to_string(),
            ])?;
        }
    }
    w.finish()
}

/// Writes `targets.csv` (or `.parquet`, by `format`).
pub fn write_targets(
    path: &Path,
    targets: &[TargetResult],
    format: TableFormat,
) -> Result<(), ResultsError> {
    let mut w = TableWriter::create(path, targets_table(), format)?;
    for t in targets {
        w.row(&target_cells(t))?;
    }
    w.finish()
}

/// Writes `target_values.csv` (or `.parquet`, by `format`): one row per target and
/// replicate, with whether the replicate meets the target (the data behind probability
/// met).
pub fn write_target_values(
    path: &Path,
    targets: &[TargetResult],
    format: TableFormat,
) -> Result<(), ResultsError> {
    let mut w = TableWriter::create(path, target_values_table(), format)?;
    for t in targets {
        for (r, &v) in t.values.iter().enumerate() {
            let met = t.meets(v);
            w.row(&[
                &*text_cell(&t.label),
                &r.to_string(),
                &format_value(v),
                if met { "true" } else { "false" },
            ])?;
        }
    }
    w.finish()
}

/// Writes `sweep.csv` (or `.parquet`, by `format`): `point`, one column per lever, then
/// the target columns.
pub fn write_sweep(
    path: &Path,
    levers: &[String],
    points: &[SweepPoint],
    format: TableFormat,
) -> Result<(), ResultsError> {
    let mut w = TableWriter::create(path, sweep_table(levers), format)?;
    for p in points {
        for t in &p.targets {
            let mut row = vec![p.index.to_string()];
            row.extend(p.lever_values.iter().map(|&v| format_value(v)));
            row.extend(target_cells(t));
            w.row(&row)?;
        }
    }
    w.finish()
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
