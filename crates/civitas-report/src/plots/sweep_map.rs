//! Two-lever sweeps: a target's mean in its year, or its probability met, over both levers
//! at once, as a heat map (a grid sweep: one cell per point) or coloured points (a Latin
//! hypercube), each marked with its value.

use civitas_results::{BatchResult, SweepResult, TargetResult};
use plotters::prelude::*;

use super::scorecard::same_target;
use super::{DrawResult, Screen, split_title, text_width};
use crate::format;
use crate::style::{self, INK, LABEL_SIZE_PX, MUTED, SMALL_SIZE_PX};

/// Figure size in pixels.
pub const SIZE_PX: (u32, u32) = (1100, 760);

/// Width of the colour bar and its labels on the right, in pixels.
const COLOUR_BAR_PX: u32 = 150;

/// Most cells per side of a grid that still carry their value as text.
const MOST_LABELLED_PER_SIDE: usize = 12;

/// Most points of a Latin hypercube that still carry their value as text.
const MOST_LABELLED_POINTS: usize = 30;

/// What a map colours its points by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapValue {
    /// The target indicator's mean across replicates in the target year.
    Mean,
    /// The probability that the target is met.
    ProbabilityMet,
}

/// One point of the sweep: both lever values and the target's evaluation there.
struct MapPoint<'a> {
    x: f64,
    y: f64,
    target: &'a TargetResult,
}

fn map_points<'a>(sweep: &'a SweepResult, target: &TargetResult) -> Vec<MapPoint<'a>> {
    sweep
        .points
        .iter()
        .filter_map(|p| {
            let (&x, &y) = (p.lever_values.first()?, p.lever_values.get(1)?);
            let target = p.targets.iter().find(|t| same_target(t, target))?;
            (x.is_finite() && y.is_finite()).then_some(MapPoint { x, y, target })
        })
        .collect()
}

/// The distinct values, sorted.
fn distinct(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

/// Cell edges around sorted centres: midway between neighbours, half a step outside.
fn edges(centres: &[f64]) -> Vec<f64> {
    match centres {
        [] => Vec::new(),
        [only] => vec![only - 0.5, only + 0.5],
        _ => {
            let mut e = Vec::with_capacity(centres.len() + 1);
            e.push(centres[0] - (centres[1] - centres[0]) / 2.0);
            e.extend(centres.windows(2).map(|w| (w[0] + w[1]) / 2.0));
            let n = centres.len();
            e.push(centres[n - 1] + (centres[n - 1] - centres[n - 2]) / 2.0);
            e
        }
    }
}

/// Colour of a value in `lo..hi`: the status colours for a probability (red below 0.1,
/// amber, green from 0.9, as the scorecard), a light-to-dark blue ramp for a mean, darker
/// where the indicator is better.
fn colour(what: MapValue, v: f64, lo: f64, hi: f64, higher_is_better: bool) -> RGBColor {
    let mix = |a: RGBColor, b: RGBColor, t: f64| {
        let t = t.clamp(0.0, 1.0);
        let c = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
        RGBColor(c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    };
    match what {
        MapValue::ProbabilityMet => {
            if v < 0.5 {
                mix(style::MISSED, style::AT_RISK, v / 0.5)
            } else {
                mix(style::AT_RISK, style::MET, (v - 0.5) / 0.5)
            }
        }
        MapValue::Mean => {
            let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            let t = if higher_is_better { t } else { 1.0 - t };
            mix(RGBColor(239, 243, 255), RGBColor(8, 48, 107), t)
        }
    }
}

/// Black or white text, whichever reads on `background`.
fn text_on(background: RGBColor) -> RGBColor {
    let luminance = 0.299 * f64::from(background.0)
        + 0.587 * f64::from(background.1)
        + 0.114 * f64::from(background.2);
    if luminance > 140.0 { INK } else { WHITE }
}

/// The title of a map figure.
pub fn title(result: &BatchResult, target: &TargetResult, what: MapValue) -> String {
    let of = match what {
        MapValue::Mean => format!("mean in {}", target.year),
        MapValue::ProbabilityMet => "probability met".to_string(),
    };
    format!("{}: {of}", format::target_title(&result.scenario, target))
}

/// Draws the map of `target` over the sweep's two levers.
pub fn draw<DB: DrawingBackend>(
    area: &Screen<DB>,
    result: &BatchResult,
    sweep: &SweepResult,
    target: &TargetResult,
    what: MapValue,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let currency = &result.scenario.scenario.currency;
    let indicator = target.indicator;
    let lever = |i: usize| {
        sweep
            .levers
            .get(i)
            .map(|p| format::lever_title(p, currency))
            .unwrap_or_default()
    };
    let points = map_points(sweep, target);
    let value = |p: &MapPoint| match what {
        MapValue::Mean => p.target.mean,
        MapValue::ProbabilityMet => p.target.probability_met,
    };
    let subtitle = match what {
        MapValue::Mean => format!(
            "Mean across replicates at each of the {} swept points; target {}.",
            points.len(),
            format::threshold(target, currency)
        ),
        MapValue::ProbabilityMet => format!(
            "Share of replicates meeting {} at each of the {} swept points (green from 0.9, red \
             up to 0.1).",
            format::threshold(target, currency),
            points.len()
        ),
    };
    let area = split_title(area, &title(result, target, what), &subtitle)?;
    let (plot, bar) = area.split_horizontally(SIZE_PX.0 - COLOUR_BAR_PX);

    let xs = distinct(points.iter().map(|p| p.x));
    let ys = distinct(points.iter().map(|p| p.y));
    let grid = xs.len() * ys.len() == points.len() && xs.len() > 1 && ys.len() > 1;
    let range = |v: &[f64]| -> std::ops::Range<f64> {
        let e = edges(v);
        match (e.first(), e.last()) {
            (Some(&a), Some(&b)) if b > a => a..b,
            _ => 0.0..1.0,
        }
    };
    let (x_range, y_range) = (range(&xs), range(&ys));
    let (x_span, y_span) = (x_range.end - x_range.start, y_range.end - y_range.start);
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(12)
        .margin_right(16)
        .margin_top(8)
        .x_label_area_size(50)
        .y_label_area_size(96)
        .build_cartesian_2d(x_range, y_range)?;
    // A grid's cells reach half a step beyond the swept values; a tick out there (a share
    // of -0.05) is no value the sweep could have, so it goes unlabelled.
    let swept = |values: &[f64], v: f64, span: f64| -> String {
        let tolerance = 1e-9 * span.abs().max(f64::MIN_POSITIVE);
        match (values.first(), values.last()) {
            (Some(&lo), Some(&hi)) if v < lo - tolerance || v > hi + tolerance => String::new(),
            _ => format::number_tick(v, span),
        }
    };
    let x_fmt = |v: &f64| swept(&xs, *v, x_span);
    let y_fmt = |v: &f64| swept(&ys, *v, y_span);
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(lever(0))
        .y_desc(lever(1))
        .label_style(style::font(SMALL_SIZE_PX).color(&INK))
        .axis_desc_style(style::font(LABEL_SIZE_PX).color(&INK))
        .axis_style(MUTED.stroke_width(1))
        .draw()?;

    let finite: Vec<f64> = points
        .iter()
        .map(&value)
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = match what {
        MapValue::ProbabilityMet => (0.0, 1.0),
        MapValue::Mean => finite
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            }),
    };
    let better = indicator.meta().higher_is_better;
    let text = |v: f64| match what {
        MapValue::Mean => format::value(indicator, v, currency),
        MapValue::ProbabilityMet => format::probability(v),
    };
    let labelled = if grid {
        xs.len() <= MOST_LABELLED_PER_SIDE && ys.len() <= MOST_LABELLED_PER_SIDE
    } else {
        points.len() <= MOST_LABELLED_POINTS
    };
    let screen = plot.use_screen_coord();
    let font = style::font(SMALL_SIZE_PX);
    let (x_edges, y_edges) = (edges(&xs), edges(&ys));
    for p in &points {
        let v = value(p);
        let fill = if v.is_finite() {
            colour(what, v, lo, hi, better)
        } else {
            style::NO_DATA
        };
        let centre = chart.backend_coord(&(p.x, p.y));
        if grid {
            let (i, j) = (
                xs.partition_point(|&x| x < p.x),
                ys.partition_point(|&y| y < p.y),
            );
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x_edges[i], y_edges[j]), (x_edges[i + 1], y_edges[j + 1])],
                fill.filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x_edges[i], y_edges[j]), (x_edges[i + 1], y_edges[j + 1])],
                WHITE.stroke_width(1),
            )))?;
        } else {
            chart.draw_series(std::iter::once(Circle::new((p.x, p.y), 10, fill.filled())))?;
        }
        if labelled {
            let label = if v.is_finite() {
                text(v)
            } else {
                "no data".to_string()
            };
            let w = text_width(&label, &font) as i32;
            let ink = if grid { text_on(fill) } else { INK };
            let offset = if grid { 0 } else { 14 };
            screen.draw(&Text::new(
                label,
                (centre.0 - w / 2, centre.1 - 8 + offset),
                font.color(&ink),
            ))?;
        }
    }
    colour_bar(&bar, what, lo, hi, better, &text)?;
    Ok(())
}

/// The colour scale on the right: a vertical ramp from the lowest to the highest value.
fn colour_bar<DB: DrawingBackend>(
    bar: &Screen<DB>,
    what: MapValue,
    lo: f64,
    hi: f64,
    better: bool,
    text: &dyn Fn(f64) -> String,
) -> DrawResult<DB> {
    if !(lo.is_finite() && hi.is_finite()) {
        return Ok(());
    }
    let (top, bottom, left, width) = (40, 560, 16, 24);
    let steps = 64;
    for k in 0..steps {
        let t = f64::from(k) / f64::from(steps - 1);
        let v = hi - t * (hi - lo);
        let y0 = top + (bottom - top) * k / steps;
        let y1 = top + (bottom - top) * (k + 1) / steps;
        bar.draw(&Rectangle::new(
            [(left, y0), (left + width, y1)],
            colour(what, v, lo, hi, better).filled(),
        ))?;
    }
    bar.draw(&Rectangle::new(
        [(left, top), (left + width, bottom)],
        MUTED.stroke_width(1),
    ))?;
    let font = style::font(SMALL_SIZE_PX).color(&INK);
    bar.draw(&Text::new(
        text(hi),
        (left + width + 6, top - 8),
        font.clone(),
    ))?;
    bar.draw(&Text::new(text(lo), (left + width + 6, bottom - 8), font))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_bounded_midway_between_points() {
        assert_eq!(edges(&[0.0, 1.0, 3.0]), [-0.5, 0.5, 2.0, 4.0]);
        assert_eq!(edges(&[2.0]), [1.5, 2.5]);
        assert!(edges(&[]).is_empty());
    }

    #[test]
    fn probabilities_take_the_status_colours() {
        assert_eq!(
            colour(MapValue::ProbabilityMet, 0.0, 0.0, 1.0, true),
            style::MISSED
        );
        assert_eq!(
            colour(MapValue::ProbabilityMet, 0.5, 0.0, 1.0, true),
            style::AT_RISK
        );
        assert_eq!(
            colour(MapValue::ProbabilityMet, 1.0, 0.0, 1.0, true),
            style::MET
        );
        // A mean is darker where it is better, whichever way better goes.
        let dark = colour(MapValue::Mean, 1.0, 0.0, 1.0, true);
        assert_eq!(colour(MapValue::Mean, 0.0, 0.0, 1.0, false), dark);
    }
}
