//! The files of an output directory (names, columns, writers and the manifest) live in
//! [`civitas_results::files`]; this module re-exports them and adds the writer of
//! `agents.csv`, which reads the engine's agent sample.

use std::path::Path;

pub use civitas_results::files::*;

use crate::error::BatchError;
use civitas_engine::ReplicateResult;
use civitas_results::format::format_f32;
use civitas_scenario::Scenario;

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
            &text_cell(&district),
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
