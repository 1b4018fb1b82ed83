//! Turning finished run files into the output files of one scenario (or sweep point).
//!
//! Each table is written as CSV, Parquet or both (`[outputs] format`, through
//! [`TableWriter`]). Memory stays flat in the number of replicates: runs are read one at a
//! time to write `timeseries.csv` (in replicate order, whatever order they finished in) and to take each
//! replicate's target values; the percentiles across replicates are then computed block of
//! ticks by block of ticks, so that only [`READ_BUDGET_BYTES`] of values are held at once.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use civitas_engine::Scope;
use civitas_scenario::{Indicator, Scenario};

use civitas_results::owned;

use crate::error::BatchError;
use crate::format::format_value;
use crate::output::{
    AGENT_COLUMNS, AGENTS_CSV, SUMMARY_CSV, TARGET_VALUES_CSV, TARGETS_CSV, TIMESERIES_CSV,
    agents_table, csv_error, timeseries_table, write_summary, write_target_values, write_targets,
};
use crate::result::{SeriesSummary, TargetResult};
use crate::stats::CellStats;
use crate::targets::TargetProbe;
use crate::workdir::{RunReader, agents_path};
use civitas_results::table::TableWriter;
use civitas_scenario::TableFormat;

/// Values held at once while computing percentiles across replicates.
const READ_BUDGET_BYTES: usize = 1 << 20;

/// Statistics and target evaluations of one scenario.
pub(crate) struct PointOutcome {
    pub series: Vec<SeriesSummary>,
    pub targets: Vec<TargetResult>,
}

/// Writes (when `summary`) `summary.csv`, `targets.csv`, `target_values.csv`, (when
/// `timeseries`) `timeseries.csv` and (when the scenario asks for an agent sample)
/// `agents.csv` of `scenario` into `dir` from its run files, given in replicate order.
/// Without `summary` the outcome holds no series.
pub(crate) fn finalize_point(
    scenario: &Scenario,
    runs: &[PathBuf],
    dir: &Path,
    timeseries: bool,
    summary: bool,
) -> Result<PointOutcome, BatchError> {
    let dates = scenario.scenario.tick_dates();
    let scopes = Scope::all(scenario);
    let probes = TargetProbe::all(scenario, &dates);
    let mut target_values: Vec<Vec<f64>> = vec![Vec::with_capacity(runs.len()); probes.len()];

    let format = scenario.outputs.format;
    let ts_path = dir.join(TIMESERIES_CSV);
    let mut ts = if timeseries {
        Some(TableWriter::create(&ts_path, timeseries_table(), format)?)
    } else {
        None
    };
    let scope_labels: Vec<String> = scopes
        .iter()
        .map(|s| crate::targets::scope_key(s, scenario).to_string())
        .collect();
    let date_labels: Vec<String> = dates.iter().map(|d| d.to_string()).collect();
    let name = scenario.scenario.name.as_str();
    for path in runs {
        let run =
            RunReader::open_verified(path, dates.len(), scopes.len())?.read_all(&dates, &scopes)?;
        for (probe, values) in probes.iter().zip(&mut target_values) {
            values.push(probe.value(&run));
        }
        if let Some(w) = ts.as_mut() {
            let replicate = run.replicate.to_string();
            for (tick, date) in date_labels.iter().enumerate() {
                let tick_text = tick.to_string();
                for &indicator in Indicator::ALL {
                    for (s, scope) in scope_labels.iter().enumerate() {
                        let value = format_value(run.value(tick, indicator, s));
                        w.row(&[
                            name,
                            &replicate,
                            &tick_text,
                            date,
                            indicator.name(),
                            scope,
                            &value,
                        ])?;
                    }
                }
            }
        }
    }
    if let Some(w) = ts {
        w.finish()?;
    }

    if scenario.outputs.agent_sample > 0 {
        write_agents(runs, &dir.join(AGENTS_CSV), format)?;
    }
    let series = if summary {
        let series = summarize(runs, dates.len(), &scopes, scenario)?;
        write_summary(&dir.join(SUMMARY_CSV), name, &dates, &series, format)?;
        series
    } else {
        Vec::new()
    };
    let targets: Vec<TargetResult> = probes
        .iter()
        .zip(&target_values)
        .map(|(probe, values)| probe.evaluate(values))
        .collect();
    write_targets(&dir.join(TARGETS_CSV), &targets, format)?;
    write_target_values(&dir.join(TARGET_VALUES_CSV), &targets, format)?;
    Ok(PointOutcome { series, targets })
}

/// Writes `agents.csv` (and or `agents.parquet`, by `format`): the header, then each
/// run's sample file in replicate order, copied (CSV) or read (Parquet) one file at a time
/// so that no more than one file's worth of rows is in memory.
fn write_agents(runs: &[PathBuf], path: &Path, format: TableFormat) -> Result<(), BatchError> {
    if format.csv() {
        let mut tmp = owned::TempFile::new(path)?;
        let mut out = BufWriter::new(tmp.file());
        let mut header = AGENT_COLUMNS.join(",");
        header.push('\n');
        out.write_all(header.as_bytes())
            .map_err(BatchError::io(path))?;
        for run in runs {
            std::io::copy(&mut open_sample(run)?, &mut out).map_err(BatchError::io(path))?;
        }
        out.flush().map_err(BatchError::io(path))?;
        drop(out);
        tmp.persist(path)?;
    }
    if format.parquet() {
        let mut w = TableWriter::create(path, agents_table(), TableFormat::Parquet)?;
        for run in runs {
            let sample = agents_path(run);
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(std::io::BufReader::new(open_sample(run)?));
            for record in reader.records() {
                let record = record.map_err(csv_error(&sample))?;
                w.row(&record.iter().collect::<Vec<_>>())?;
            }
        }
        w.finish()?;
    }
    Ok(())
}

/// The agent sample file of the run file `run`.
fn open_sample(run: &Path) -> Result<fs::File, BatchError> {
    let sample = agents_path(run);
    owned::open_regular(&sample).map_err(|e| match e {
        owned::FileError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            BatchError::corrupt(
                &sample,
                "missing: the run finished without an agent sample (run again without --resume)",
            )
        }
        e => e.into(),
    })
}

/// Mean and percentiles per indicator, scope and tick across the runs.
fn summarize(
    runs: &[PathBuf],
    ticks: usize,
    scopes: &[Scope],
    scenario: &Scenario,
) -> Result<Vec<SeriesSummary>, BatchError> {
    let cells_per_tick = Indicator::ALL.len() * scopes.len();
    let mut series: Vec<SeriesSummary> = Indicator::ALL
        .iter()
        .flat_map(|&indicator| {
            scopes.iter().map(move |scope| {
                SeriesSummary::empty(indicator, crate::targets::scope_key(scope, scenario), ticks)
            })
        })
        .collect();
    if runs.is_empty() || ticks == 0 {
        return Ok(series);
    }
    let block_ticks =
        (READ_BUDGET_BYTES / (runs.len() * cells_per_tick * 8).max(1)).clamp(1, ticks);
    let mut blocks: Vec<Vec<f64>> = vec![Vec::new(); runs.len()];
    let mut across = Vec::with_capacity(runs.len());
    let mut scratch = Vec::with_capacity(runs.len());
    let mut first = 0;
    while first < ticks {
        let count = block_ticks.min(ticks - first);
        for (path, block) in runs.iter().zip(&mut blocks) {
            RunReader::open(path, ticks, scopes.len())?.read_ticks(first, count, block)?;
        }
        for offset in 0..count {
            let tick = first + offset;
            // A series' position equals its cell's position within a tick: both are
            // indicator-major, then scope.
            for (cell, s) in series.iter_mut().enumerate() {
                across.clear();
                across.extend(blocks.iter().map(|b| b[offset * cells_per_tick + cell]));
                let stats = CellStats::of(&across, &mut scratch);
                s.mean[tick] = stats.mean;
                s.p5[tick] = stats.p5;
                s.p50[tick] = stats.p50;
                s.p95[tick] = stats.p95;
                s.sd[tick] = stats.sd;
                s.n[tick] = stats.n;
            }
        }
        first += count;
    }
    Ok(series)
}
