//! Small multiples of one indicator by age band or by district on a shared value axis,
//! so the digital divide and the urban/rural gap show as panels at different heights.

use civitas_results::{BatchResult, ScopeKey};
use civitas_scenario::{Band, Indicator};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::{
    DrawResult, Layout, Look, Placed, Screen, Swatch, TITLE_BLOCK_PX, draw_mean_and_band,
    draw_target_markers, legend_height, no_data_note, split_legend, split_title, target_legend,
    target_x, thresholds, time_chart, time_range, value_range, xs,
};
use crate::format;
use crate::style::{MUTED, SERIES};

/// Figure width in pixels.
const WIDTH_PX: u32 = 1100;
/// Height of one row of panels, in pixels.
const PANEL_HEIGHT_PX: u32 = 300;
/// Panels per row for districts.
const DISTRICT_COLUMNS: usize = 4;

/// Which groups of residents the panels show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakdownBy {
    /// One panel per age band.
    Band,
    /// One panel per district.
    District,
}

impl BreakdownBy {
    /// Word used in titles and file names.
    pub fn noun(self) -> &'static str {
        match self {
            BreakdownBy::Band => "band",
            BreakdownBy::District => "district",
        }
    }
}

/// Scope labels of the panels, in the scenario's order.
pub fn scopes(result: &BatchResult, by: BreakdownBy) -> Vec<ScopeKey> {
    match by {
        BreakdownBy::Band => Band::ALL.iter().map(|&b| ScopeKey::Band(b)).collect(),
        BreakdownBy::District => result
            .scenario
            .population
            .districts
            .iter()
            .map(|d| ScopeKey::District(d.name.clone()))
            .collect(),
    }
}

/// Whether any panel would show a value: breakdowns of indicators the run did not
/// produce per group are left out rather than drawn empty.
pub fn has_data(result: &BatchResult, indicator: Indicator, by: BreakdownBy) -> bool {
    scopes(result, by).iter().any(|scope| {
        result
            .series(indicator, scope)
            .is_some_and(|s| s.mean.iter().any(|v| v.is_finite()))
    })
}

fn grid(result: &BatchResult, by: BreakdownBy) -> (usize, usize) {
    let n = scopes(result, by).len().max(1);
    match by {
        BreakdownBy::Band => (1, n),
        BreakdownBy::District => (n.div_ceil(DISTRICT_COLUMNS), n.min(DISTRICT_COLUMNS)),
    }
}

fn legend(result: &BatchResult, indicator: Indicator, by: BreakdownBy) -> Vec<(Swatch, String)> {
    let mut items = vec![
        (Swatch::Line(SERIES), "group mean".to_string()),
        (Swatch::Band(SERIES), "p5–p95".to_string()),
        (Swatch::Dashed(MUTED), "whole-city mean".to_string()),
    ];
    let scopes = scopes(result, by);
    items.extend(target_legend(
        result
            .targets
            .iter()
            .filter(|t| t.indicator == indicator && scopes.contains(&t.scope)),
    ));
    items
}

/// Figure size in pixels.
pub fn size_px(result: &BatchResult, indicator: Indicator, by: BreakdownBy) -> (u32, u32) {
    let (rows, _) = grid(result, by);
    let legend = legend_height(&legend(result, indicator, by), WIDTH_PX);
    (
        WIDTH_PX,
        TITLE_BLOCK_PX + rows as u32 * PANEL_HEIGHT_PX + legend + 8,
    )
}

/// Draws the figure.
pub fn draw<DB: DrawingBackend>(
    area: &Screen<DB>,
    result: &BatchResult,
    indicator: Indicator,
    by: BreakdownBy,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let meta = indicator.meta();
    let currency = &result.scenario.scenario.currency;
    let title = format!("{} by {}", meta.title, by.noun());
    let subtitle = format!(
        "Mean and p5–p95 across {} replicates per {}; shared axis in {}; dashed verticals: target years.",
        result.manifest.replicates,
        by.noun(),
        format::axis_title(indicator, currency),
    );
    let area = split_title(area, &title, &subtitle)?;
    let area = split_legend(&area, &legend(result, indicator, by))?;
    let area = area.margin(0, 8, 0, 0);

    let scopes = scopes(result, by);
    let mut values = Vec::new();
    for scope in &scopes {
        if let Some(s) = result.series(indicator, scope) {
            values.extend(s.p5.iter().chain(&s.p95).chain(&s.mean).copied());
        }
        values.extend(thresholds(
            result
                .targets
                .iter()
                .filter(|t| t.indicator == indicator && &t.scope == scope),
        ));
    }
    let y = value_range(indicator, values);
    let xs = xs(result);
    let city = result.series(indicator, &ScopeKey::City);
    let (_, cols) = grid(result, by);
    let mut years: Vec<i32> = result.targets.iter().map(|t| t.year).collect();
    years.sort_unstable();
    years.dedup();

    for (i, (panel, scope)) in area
        .split_evenly(grid(result, by))
        .iter()
        .zip(&scopes)
        .enumerate()
    {
        let caption = format::scope(&result.scenario, scope);
        let first_column = i % cols == 0;
        let mut chart = time_chart(
            panel,
            time_range(result),
            y.clone(),
            indicator,
            currency,
            Layout {
                caption: Some(&caption),
                y_title: first_column,
                compact: true,
            },
        )?;
        for &year in &years {
            let x = target_x(&result.dates, year);
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(x, y.start), (x, y.end)],
                5,
                5,
                MUTED.mix(0.7).stroke_width(1),
            )))?;
        }
        if let Some(c) = city {
            let runs = super::finite_runs(xs.len(), &[&c.mean]);
            for run in runs {
                chart.draw_series(std::iter::once(DashedPathElement::new(
                    run.map(|i| (xs[i], c.mean[i])).collect::<Vec<_>>(),
                    6,
                    4,
                    MUTED.stroke_width(2),
                )))?;
            }
        }
        let drawn = match result.series(indicator, scope) {
            Some(s) => draw_mean_and_band(&mut chart, &xs, s.into(), Look::panel(SERIES))?,
            None => false,
        };
        let screen = panel.use_screen_coord();
        if !drawn {
            no_data_note(&chart, &screen, "no data")?;
        }
        let targets: Vec<_> = result
            .targets
            .iter()
            .filter(|t| t.indicator == indicator && &t.scope == scope)
            .collect();
        draw_target_markers(
            &chart,
            &screen,
            &result.dates,
            result.series(indicator, scope),
            &targets,
            currency,
            false,
            &mut Placed::default(),
        )?;
    }
    Ok(())
}
