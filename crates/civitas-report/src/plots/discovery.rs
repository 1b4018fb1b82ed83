//! Scenario discovery's peeling trade-off (as the EMA Workbench's `show_tradeoff`): every
//! box of PRIM's peeling path by its coverage and density, on the replicates that found it
//! and on the held-out ones, with the box whose ranges are named ringed. Where the two
//! paths part, peeling has begun to fit the finding half's noise.

use civitas_results::{BatchResult, TargetResult};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::{DrawResult, Screen, Swatch, house_mesh, split_legend, split_title};
use crate::discovery::{Finding, PeelStep, discover_failures};
use crate::format;
use crate::style::{self, LABEL_SIZE_PX, MUTED, SERIES, SERIES_LIGHT};

/// Figure size in pixels.
pub const SIZE_PX: (u32, u32) = (1100, 680);

/// Whether discovery names ranges for `target` (the only case with a path to draw).
pub fn has_box(result: &BatchResult, target: &TargetResult, min_coverage: f64) -> bool {
    discover_failures(result, target, min_coverage)
        .is_some_and(|d| matches!(d.finding, Finding::Box { .. }))
}

/// Draws the trade-off of `target`'s discovery at `min_coverage`.
pub fn draw<DB: DrawingBackend>(
    area: &Screen<DB>,
    result: &BatchResult,
    target: &TargetResult,
    min_coverage: f64,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let title = format!(
        "Peeling trade-off: {}",
        format::target_title(&result.scenario, target)
    );
    let found = discover_failures(result, target, min_coverage);
    let named = found.as_ref().and_then(|d| match &d.finding {
        Finding::Box {
            peeling,
            chosen,
            ranges,
            ..
        } => Some((peeling, chosen, ranges.len())),
        _ => None,
    });
    let subtitle = match named {
        Some((_, chosen, ranges)) => format!(
            "Points: the boxes of the peeling path. Ringed: the box named ({ranges} range{}); \
             held out, coverage {} and density {}.",
            if ranges == 1 { "" } else { "s" },
            format::probability(chosen.held_out_coverage),
            format::probability(chosen.held_out_density)
        ),
        None => String::new(),
    };
    let area = split_title(area, &title, &subtitle)?;
    let legend = vec![
        (
            Swatch::Line(SERIES_LIGHT),
            "replicates that found the boxes".to_string(),
        ),
        (Swatch::Line(SERIES), "held-out replicates".to_string()),
        (
            Swatch::Dashed(MUTED),
            "held-out failure rate, no box".to_string(),
        ),
    ];
    let area = split_legend(&area, &legend)?;
    let Some((peeling, chosen, _)) = named else {
        let (w, h) = area.dim_in_pixel();
        area.draw(&Text::new(
            "No ranges named for this target: nothing to trade off.",
            (w as i32 / 2 - 200, h as i32 / 2),
            style::font(LABEL_SIZE_PX).color(&MUTED),
        ))?;
        return Ok(());
    };
    let mut chart = ChartBuilder::on(&area)
        .margin_left(12)
        .margin_right(28)
        .margin_top(8)
        .x_label_area_size(46)
        .y_label_area_size(76)
        .build_cartesian_2d(0.0..1.02, 0.0..1.02)?;
    let pct = |v: &f64| format!("{:.0} %", 100.0 * v);
    house_mesh(&mut chart.configure_mesh())
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&pct)
        .y_label_formatter(&pct)
        .x_desc("coverage: share of the failures inside the box")
        .y_desc("density: share of the box that fails")
        .draw()?;
    if let Some(base) = peeling
        .first()
        .map(|s| s.held_out_density)
        .filter(|d| d.is_finite())
    {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(0.0, base), (1.02, base)],
            6,
            4,
            MUTED.stroke_width(2),
        )))?;
    }
    let path = |point: fn(&PeelStep) -> (f64, f64)| -> Vec<Vec<(f64, f64)>> {
        // A box holding no held-out replicate has no density: the line breaks there.
        let mut runs = vec![Vec::new()];
        for s in peeling {
            let p = point(s);
            if p.0.is_finite() && p.1.is_finite() {
                if let Some(run) = runs.last_mut() {
                    run.push(p);
                }
            } else if runs.last().is_some_and(|r| !r.is_empty()) {
                runs.push(Vec::new());
            }
        }
        runs
    };
    for (colour, width, point) in [
        (
            SERIES_LIGHT,
            3,
            (|s: &PeelStep| (s.coverage, s.density)) as fn(&PeelStep) -> (f64, f64),
        ),
        (SERIES, 3, |s: &PeelStep| {
            (s.held_out_coverage, s.held_out_density)
        }),
    ] {
        for run in path(point) {
            chart.draw_series(std::iter::once(PathElement::new(
                run.clone(),
                colour.stroke_width(width),
            )))?;
            chart.draw_series(run.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
        }
    }
    for (point, colour) in [
        ((chosen.coverage, chosen.density), SERIES_LIGHT),
        ((chosen.held_out_coverage, chosen.held_out_density), SERIES),
    ] {
        if point.0.is_finite() && point.1.is_finite() {
            chart.draw_series(std::iter::once(Circle::new(
                point,
                11,
                colour.stroke_width(3),
            )))?;
        }
    }
    Ok(())
}
