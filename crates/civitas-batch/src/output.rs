//! The files of an output directory: names, columns, writers and the manifest.
//!
//! Numbers are written with [`crate::format::format_value`], so the same values always
//! give the same bytes; NaN is an empty field.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::BatchError;
use crate::format::{format_f32, format_value};
use crate::result::{Manifest, SeriesSummary, SweepPoint, TargetResult};
use civitas_engine::ReplicateResult;
use civitas_scenario::{Scenario, TargetBasis, TickDate};

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

pub(crate) const TIMESERIES_COLUMNS: [&str; 7] = [
    "scenario",
    "replicate",
    "tick",
    "date",
    "indicator",
    "scope",
    "value",
];
pub(crate) const AGENT_COLUMNS: [&str; 12] = [
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
pub(crate) const SUMMARY_COLUMNS: [&str; 11] = [
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
pub(crate) const PARAMETER_COLUMNS: [&str; 3] = ["replicate", "path", "value"];
pub(crate) const TARGET_VALUE_COLUMNS: [&str; 4] = ["target", "replicate", "value", "met"];
pub(crate) const TARGET_COLUMNS: [&str; 14] = [
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
pub(crate) fn basis_label(basis: TargetBasis) -> &'static str {
    match basis {
        TargetBasis::December => "december",
        TargetBasis::YearMean => "year_mean",
    }
}

pub(crate) fn csv_error(path: &Path) -> impl FnOnce(csv::Error) -> BatchError + '_ {
    move |e| match e.into_kind() {
        csv::ErrorKind::Io(source) => BatchError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => BatchError::corrupt(path, format!("{other:?}")),
    }
}

fn optional(x: Option<f64>) -> String {
    x.map(format_value).unwrap_or_default()
}

/// The cells of one target row (after any leading columns).
pub(crate) fn target_cells(t: &TargetResult) -> Vec<String> {
    vec![
        t.label.clone(),
        t.indicator.name().to_string(),
        t.scope.clone(),
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

/// The `agents.csv` rows (no header) of one run's agent sample, as CSV bytes: written per
/// run as it finishes and concatenated in replicate order at the end, so the sample is
/// never held in memory for more than one run.
pub(crate) fn agent_rows_csv(
    scenario: &Scenario,
    run: &ReplicateResult,
    path: &Path,
) -> Result<Vec<u8>, BatchError> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let replicate = run.replicate.to_string();
    let districts = &scenario.population.districts;
    for row in &run.agent_sample {
        let district = districts
            .get(row.district)
            .map_or_else(|| row.district.to_string(), |d| d.name.clone());
        let date = run
            .dates
            .get(row.tick)
            .map(|d| d.to_string())
            .unwrap_or_default();
        w.write_record([
            scenario.scenario.name.as_str(),
            &replicate,
            &row.tick.to_string(),
            &date,
            &row.resident.to_string(),
            &district,
            row.band.name(),
            &format_f32(row.literacy),
            if row.has_device { "true" } else { "false" },
            if row.adopted { "true" } else { "false" },
            &format_f32(row.trust),
            &format_f32(row.satisfaction),
        ])
        .map_err(csv_error(path))?;
    }
    w.into_inner()
        .map_err(|e| BatchError::io(path)(e.into_error()))
}

/// Writes `summary.csv`: one row per indicator, scope and tick.
pub(crate) fn write_summary(
    path: &Path,
    scenario: &str,
    dates: &[TickDate],
    series: &[SeriesSummary],
) -> Result<(), BatchError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    w.write_record(SUMMARY_COLUMNS).map_err(csv_error(path))?;
    for s in series {
        for (tick, date) in dates.iter().enumerate() {
            w.write_record([
                scenario,
                s.indicator.name(),
                &s.scope,
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
    w.flush().map_err(BatchError::io(path))
}

/// Writes `targets.csv`.
pub(crate) fn write_targets(path: &Path, targets: &[TargetResult]) -> Result<(), BatchError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    w.write_record(TARGET_COLUMNS).map_err(csv_error(path))?;
    for t in targets {
        w.write_record(target_cells(t)).map_err(csv_error(path))?;
    }
    w.flush().map_err(BatchError::io(path))
}

/// Writes `target_values.csv`: one row per target and replicate, with whether the
/// replicate meets the target (the data behind probability met).
pub(crate) fn write_target_values(path: &Path, targets: &[TargetResult]) -> Result<(), BatchError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    w.write_record(TARGET_VALUE_COLUMNS)
        .map_err(csv_error(path))?;
    for t in targets {
        for (r, &v) in t.values.iter().enumerate() {
            let met = t.meets(v);
            w.write_record([
                t.label.as_str(),
                &r.to_string(),
                &format_value(v),
                if met { "true" } else { "false" },
            ])
            .map_err(csv_error(path))?;
        }
    }
    w.flush().map_err(BatchError::io(path))
}

/// Writes `sweep.csv`: `point`, one column per lever, then the target columns.
pub(crate) fn write_sweep(
    path: &Path,
    levers: &[String],
    points: &[SweepPoint],
) -> Result<(), BatchError> {
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
    w.flush().map_err(BatchError::io(path))
}

/// `manifest.json`: [`Manifest`] plus what kind of batch wrote the directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ManifestFile {
    pub civitas_version: String,
    pub scenario: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub replicates: u32,
    pub threads: usize,
    /// Seconds of the whole batch, simulations plus writing (see [`Manifest::wall_time_seconds`]).
    pub wall_time_seconds: f64,
    pub run_seeds: Vec<u64>,
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
    /// The manifest part the report reads.
    pub fn manifest(&self) -> Manifest {
        Manifest {
            civitas_version: self.civitas_version.clone(),
            scenario: self.scenario.clone(),
            scenario_hash: self.scenario_hash.clone(),
            seed: self.seed,
            replicates: self.replicates,
            threads: self.threads,
            wall_time_seconds: self.wall_time_seconds,
            run_seeds: self.run_seeds.clone(),
        }
    }

    /// Writes it as pretty JSON.
    pub fn write(&self, path: &Path) -> Result<(), BatchError> {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest serializes");
        text.push('\n');
        std::fs::write(path, text).map_err(BatchError::io(path))
    }
}
