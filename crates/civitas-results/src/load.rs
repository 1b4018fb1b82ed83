//! Reading a finished output directory back into a [`BatchResult`] (for `civitas compare`
//! and other tools that draw finished runs without running them again). Each table is read
//! from its CSV file, or from its Parquet form when there is no CSV
//! ([`crate::table::read_table`] gives the same cells from either).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use civitas_scenario::limits::MAX_REPLICATES;
use civitas_scenario::{Indicator, Scenario, TargetBasis};

use crate::ScopeKey;

use crate::error::ResultsError;
use crate::files::{
    MANIFEST_JSON, ManifestFile, PARAMETER_COLUMNS, PARAMETERS_CSV, SCENARIO_TOML, SUMMARY_COLUMNS,
    SUMMARY_CSV, SWEEP_CSV, TARGET_COLUMNS, TARGET_VALUE_COLUMNS, TARGET_VALUES_CSV, TARGETS_CSV,
    parse_text_cell,
};
use crate::format::parse_value;
use crate::owned::{self, excerpt};
use crate::result::{
    BatchResult, Parameters, SeriesSummary, SweepPoint, SweepResult, TargetResult, TargetStatus,
};
use crate::table::{existing_table, read_table};

/// Rebuilds the result of a finished run or sweep from its output directory
/// (`manifest.json`, `scenario.toml`, and `summary.csv` + `targets.csv` or `sweep.csv`).
pub fn load_result(dir: impl AsRef<Path>) -> Result<BatchResult, ResultsError> {
    let dir = dir.as_ref();
    let manifest_path = dir.join(MANIFEST_JSON);
    let text = owned::read_text(&manifest_path, MAX_MANIFEST_BYTES)?;
    let manifest = parse_manifest(&text, &manifest_path)?;
    // The resolved scenario is read the way a resumed batch reads it: a run that shortened
    // the horizon keeps its base's later target years, which `Scenario::load` would
    // reject as dates the file writes itself.
    let scenario_path = dir.join(SCENARIO_TOML);
    let scenario_text = owned::read_text(&scenario_path, civitas_scenario::limits::MAX_FILE_BYTES)?;
    let scenario = Scenario::from_str_as(
        &scenario_text,
        civitas_scenario::Format::Toml,
        &scenario_path.to_string_lossy(),
    )?;
    let dates = scenario.scenario.tick_dates();
    let (series, targets, sweep) = if manifest.kind == "sweep" {
        let mut sweep = read_sweep(&table(dir, SWEEP_CSV), &manifest.levers)?;
        for point in &mut sweep.points {
            let point_dir = dir
                .join(crate::files::POINTS_DIR)
                .join(crate::files::point_dir_name(point.index));
            read_target_values(&table(&point_dir, TARGET_VALUES_CSV), &mut point.targets)?;
        }
        (Vec::new(), Vec::new(), Some(sweep))
    } else {
        let series = read_summary(&table(dir, SUMMARY_CSV), dates.len())?;
        let targets_path = table(dir, TARGETS_CSV);
        let mut targets = read_targets(&targets_path)?;
        // Labels are shown and written again (compare, check): only the scenario's own.
        let labels: Vec<String> = scenario.targets.iter().map(|t| t.label()).collect();
        if let Some(t) = targets.iter().find(|t| !labels.contains(&t.label)) {
            return Err(ResultsError::corrupt(
                &targets_path,
                format!(
                    "target {:?} is not one of the scenario's targets",
                    excerpt(&t.label, 60)
                ),
            ));
        }
        read_target_values(&table(dir, TARGET_VALUES_CSV), &mut targets)?;
        (series, targets, None)
    };
    let parameters = read_parameters(
        &table(dir, PARAMETERS_CSV),
        manifest.run.replicates as usize,
    )?;
    Ok(BatchResult {
        scenario,
        dates,
        series,
        targets,
        manifest: manifest.run,
        sweep,
        parameters,
    })
}

/// The table `name` (a CSV file name) of `dir` as written: the CSV file, else its Parquet
/// form; the CSV path when neither exists (so that an error names what was looked for).
fn table(dir: &Path, name: &str) -> PathBuf {
    let csv = dir.join(name);
    existing_table(&csv).unwrap_or(csv)
}

/// Largest `manifest.json` read back: the facts of the batch and one seed per replicate.
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// The `manifest.json` whose text is `text` (read from `path`, which errors name), its
/// counts checked against what Civitas writes before anything is sized by them.
pub fn parse_manifest(text: &str, path: &Path) -> Result<ManifestFile, ResultsError> {
    let manifest: ManifestFile = serde_json::from_str(text)
        .map_err(|e| ResultsError::corrupt(path, excerpt(&e.to_string(), 200)))?;
    check_manifest(&manifest).map_err(|m| ResultsError::corrupt(path, m))?;
    Ok(manifest)
}

/// Counts in a manifest within what Civitas writes, checked before they size anything (a
/// tampered `"replicates": 4000000000` must not allocate billions of draws).
fn check_manifest(m: &ManifestFile) -> Result<(), String> {
    let replicates = m.run.replicates;
    if replicates == 0 || replicates > MAX_REPLICATES {
        return Err(format!(
            "replicates: found {replicates}, expected 1 to {MAX_REPLICATES}; not a manifest Civitas wrote"
        ));
    }
    if m.run.run_seeds.len() != replicates as usize {
        return Err(format!(
            "run_seeds: found {} seeds for {replicates} replicates; not a manifest Civitas wrote",
            m.run.run_seeds.len()
        ));
    }
    if m.kind != "run" && m.kind != "sweep" {
        return Err(format!(
            "kind: found {:?}, expected \"run\" or \"sweep\"",
            excerpt(&m.kind, 20)
        ));
    }
    Ok(())
}

/// `parameters.csv` (replicate, path, value) as each replicate's draws, paths in their
/// first-seen order; `None` when the run had no `[[uncertainty]]` (no file).
fn read_parameters(path: &Path, replicates: usize) -> Result<Option<Parameters>, ResultsError> {
    if !path.exists() {
        return Ok(None);
    }
    let rows = read_rows(path, &PARAMETER_COLUMNS)?;
    let mut paths: Vec<String> = Vec::new();
    let mut values: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let bad = |what: &str| ResultsError::corrupt(path, format!("row {}: {what}", i + 1));
        let replicate: usize = row[0]
            .parse()
            .map_err(|_| bad("expected a replicate number"))?;
        if replicate >= replicates {
            return Err(bad(&format!(
                "replicate {replicate}, but the run has {replicates}"
            )));
        }
        let value = number(path, i + 1, &row[2])?;
        let column = match paths.iter().position(|p| *p == row[1]) {
            Some(c) => c,
            None => {
                paths.push(row[1].to_string());
                paths.len() - 1
            }
        };
        values.insert((replicate, column), value);
    }
    let values = (0..replicates)
        .map(|r| {
            (0..paths.len())
                .map(|c| {
                    values.get(&(r, c)).copied().ok_or_else(|| {
                        ResultsError::corrupt(
                            path,
                            format!("no draw of {} for replicate {r}", paths[c]),
                        )
                    })
                })
                .collect::<Result<Vec<f64>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Parameters { paths, values }))
}

/// Rows of a CSV file with the expected header, as owned records.
fn read_rows(path: &Path, columns: &[&str]) -> Result<Vec<csv::StringRecord>, ResultsError> {
    let table = read_table(path)?;
    let found: Vec<&str> = table.header.iter().map(String::as_str).collect();
    if !found.ends_with(columns) {
        return Err(ResultsError::corrupt(
            path,
            format!(
                "expected columns {}, found {:?}",
                columns.join(","),
                excerpt(&table.header.join(","), 80)
            ),
        ));
    }
    Ok(table.rows)
}

fn number(path: &Path, row: usize, field: &str) -> Result<f64, ResultsError> {
    parse_value(field).map_err(|_| {
        ResultsError::corrupt(
            path,
            format!("row {row}: {:?} is not a number", excerpt(field, 40)),
        )
    })
}

fn indicator(path: &Path, row: usize, field: &str) -> Result<Indicator, ResultsError> {
    field
        .parse()
        .map_err(|e| ResultsError::corrupt(path, format!("row {row}: {e}")))
}

fn scope(path: &Path, row: usize, field: &str) -> Result<ScopeKey, ResultsError> {
    field
        .parse()
        .map_err(|e| ResultsError::corrupt(path, format!("row {row}: {e}")))
}

fn read_summary(path: &Path, ticks: usize) -> Result<Vec<SeriesSummary>, ResultsError> {
    let mut series: Vec<SeriesSummary> = Vec::new();
    let mut position: BTreeMap<(Indicator, ScopeKey), usize> = BTreeMap::new();
    for (i, row) in read_rows(path, &SUMMARY_COLUMNS)?.iter().enumerate() {
        let ind = indicator(path, i + 1, &row[1])?;
        let scope = scope(path, i + 1, &row[2])?;
        let tick: usize = row[3].parse().ok().filter(|&t| t < ticks).ok_or_else(|| {
            ResultsError::corrupt(
                path,
                format!("row {}: bad tick {:?}", i + 1, excerpt(&row[3], 40)),
            )
        })?;
        let k = *position.entry((ind, scope.clone())).or_insert_with(|| {
            series.push(SeriesSummary::empty(ind, scope, ticks));
            series.len() - 1
        });
        let s = &mut series[k];
        s.mean[tick] = number(path, i + 1, &row[5])?;
        s.p5[tick] = number(path, i + 1, &row[6])?;
        s.p50[tick] = number(path, i + 1, &row[7])?;
        s.p95[tick] = number(path, i + 1, &row[8])?;
        s.sd[tick] = number(path, i + 1, &row[9])?;
        s.n[tick] = row[10].parse().map_err(|_| {
            ResultsError::corrupt(
                path,
                format!("row {}: bad count {:?}", i + 1, excerpt(&row[10], 40)),
            )
        })?;
    }
    Ok(series)
}

/// A target row starting at column `at`.
fn target_from(
    path: &Path,
    row_no: usize,
    row: &csv::StringRecord,
    at: usize,
) -> Result<TargetResult, ResultsError> {
    let f = |k: usize| &row[at + k];
    let optional = |k: usize| -> Result<Option<f64>, ResultsError> {
        if f(k).is_empty() {
            Ok(None)
        } else {
            number(path, row_no, f(k)).map(Some)
        }
    };
    let bad = |what: &str, v: &str| {
        ResultsError::corrupt(
            path,
            format!("row {row_no}: bad {what} {:?}", excerpt(v, 40)),
        )
    };
    let basis = match f(4) {
        "december" => TargetBasis::December,
        "year_mean" => TargetBasis::YearMean,
        other => return Err(bad("basis", other)),
    };
    let status = match f(13) {
        "met" => TargetStatus::Met,
        "at_risk" => TargetStatus::AtRisk,
        "missed" => TargetStatus::Missed,
        "no_data" => TargetStatus::NoData,
        other => return Err(bad("status", other)),
    };
    Ok(TargetResult {
        label: parse_text_cell(f(0)).to_string(),
        indicator: indicator(path, row_no, f(1))?,
        scope: scope(path, row_no, f(2))?,
        year: f(3).parse().map_err(|_| bad("year", f(3)))?,
        basis,
        min: optional(5)?,
        max: optional(6)?,
        mean: number(path, row_no, f(7))?,
        p5: number(path, row_no, f(8))?,
        p95: number(path, row_no, f(9))?,
        probability_met: number(path, row_no, f(10))?,
        probability_lo: number(path, row_no, f(11))?,
        probability_hi: number(path, row_no, f(12))?,
        values: Vec::new(),
        status,
    })
}

fn read_targets(path: &Path) -> Result<Vec<TargetResult>, ResultsError> {
    read_rows(path, &TARGET_COLUMNS)?
        .iter()
        .enumerate()
        .map(|(i, row)| target_from(path, i + 1, row, 0))
        .collect()
}

/// Fills each target's per-replicate values from `target_values.csv`, when the file exists
/// (outputs written before it existed have none).
fn read_target_values(path: &Path, targets: &mut [TargetResult]) -> Result<(), ResultsError> {
    if !path.exists() {
        return Ok(());
    }
    for (i, row) in read_rows(path, &TARGET_VALUE_COLUMNS)?.iter().enumerate() {
        let label = parse_text_cell(&row[0]);
        let Some(t) = targets.iter_mut().find(|t| t.label == label) else {
            return Err(ResultsError::corrupt(
                path,
                format!(
                    "row {}: target {:?} is not in targets.csv",
                    i + 1,
                    excerpt(label, 60)
                ),
            ));
        };
        let replicate: usize = row[1].parse().map_err(|_| {
            ResultsError::corrupt(
                path,
                format!("row {}: bad replicate {:?}", i + 1, excerpt(&row[1], 40)),
            )
        })?;
        if replicate != t.values.len() {
            return Err(ResultsError::corrupt(
                path,
                format!(
                    "row {}: replicates of {:?} out of order",
                    i + 1,
                    excerpt(&t.label, 60)
                ),
            ));
        }
        t.values.push(number(path, i + 1, &row[2])?);
    }
    Ok(())
}

fn read_sweep(path: &Path, levers: &[String]) -> Result<SweepResult, ResultsError> {
    let mut points: Vec<SweepPoint> = Vec::new();
    for (i, row) in read_rows(path, &TARGET_COLUMNS)?.iter().enumerate() {
        let index: usize = row[0].parse().map_err(|_| {
            ResultsError::corrupt(
                path,
                format!("row {}: bad point {:?}", i + 1, excerpt(&row[0], 40)),
            )
        })?;
        let lever_values = (1..=levers.len())
            .map(|k| number(path, i + 1, &row[k]))
            .collect::<Result<Vec<_>, _>>()?;
        let target = target_from(path, i + 1, row, 1 + levers.len())?;
        match points.last_mut() {
            Some(p) if p.index == index => p.targets.push(target),
            _ => points.push(SweepPoint {
                index,
                lever_values,
                targets: vec![target],
            }),
        }
    }
    Ok(SweepResult {
        levers: levers.to_vec(),
        points,
    })
}
