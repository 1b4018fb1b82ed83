//! One indicator over time for the whole city: replicate mean, p5–p95 band, target
//! triangles with their verdicts, and a guide at each target year.

use civitas_results::{BatchResult, TargetResult};
use civitas_scenario::Indicator;
use plotters::prelude::*;

use super::{
    DrawResult, Layout, Look, Placed, Screen, Swatch, draw_mean_and_band, draw_target_markers,
    no_data_note, split_legend, split_title, target_legend, thresholds, time_chart, time_range,
    value_range, xs, year_guides,
};
use crate::style::SERIES;

/// Figure size in pixels.
pub const SIZE_PX: (u32, u32) = (1100, 640);

/// Whole-city targets on `indicator`.
pub fn city_targets(result: &BatchResult, indicator: Indicator) -> Vec<&TargetResult> {
    result
        .targets
        .iter()
        .filter(|t| t.indicator == indicator && t.scope == civitas_results::ScopeKey::City)
        .collect()
}

/// Draws the figure.
pub fn draw<DB: DrawingBackend>(
    area: &Screen<DB>,
    result: &BatchResult,
    indicator: Indicator,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let meta = indicator.meta();
    let replicates = result.manifest.replicates;
    let area = split_title(
        area,
        meta.title,
        &format!("{} Whole city, {replicates} replicates.", meta.description),
    )?;
    let targets = city_targets(result, indicator);
    let mut legend = vec![
        (
            Swatch::Line(SERIES),
            format!("mean of {replicates} replicates"),
        ),
        (Swatch::Band(SERIES), "p5–p95 band".to_string()),
    ];
    legend.extend(target_legend(targets.iter().copied()));
    let area = split_legend(&area, &legend)?;

    let series = result.series(indicator, &civitas_results::ScopeKey::City);
    let mut values = thresholds(targets.iter().copied());
    if let Some(s) = series {
        values.extend(s.p5.iter().chain(&s.p95).chain(&s.mean).copied());
    }
    let currency = &result.scenario.scenario.currency;
    let y = value_range(indicator, values);
    let mut chart = time_chart(
        &area,
        time_range(result),
        y,
        indicator,
        currency,
        Layout::FULL,
    )?;
    let xs = xs(result);
    let drawn = match series {
        Some(s) => draw_mean_and_band(&mut chart, &xs, s.into(), Look::main(SERIES))?,
        None => false,
    };
    let screen = area.use_screen_coord();
    let mut placed = Placed::default();
    year_guides(
        &mut chart,
        &screen,
        &result.dates,
        &result.targets,
        &mut placed,
    )?;
    if !drawn {
        no_data_note(
            &chart,
            &screen,
            "no data: the run produced no value for this indicator",
        )?;
    }
    draw_target_markers(
        &chart,
        &screen,
        &result.dates,
        series,
        &targets,
        currency,
        true,
        &mut placed,
    )
}
