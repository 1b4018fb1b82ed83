//! A series as a mean line over its p5–p95 band, drawn in pieces around missing values.

use std::ops::Range;

use civitas_results::SeriesSummary;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::plot_bounds;
use super::{DrawResult, RealChart, Screen};
use crate::style::{self, LABEL_SIZE_PX, MUTED};

/// Index ranges where every one of `columns` is finite: the pieces a line or band is
/// drawn in, leaving gaps where the run produced no value.
pub fn finite_runs(len: usize, columns: &[&[f64]]) -> Vec<Range<usize>> {
    let ok = |i: usize| {
        columns
            .iter()
            .all(|c| c.get(i).is_some_and(|v| v.is_finite()))
    };
    let mut runs = Vec::new();
    let mut start = None;
    for i in 0..len {
        match (ok(i), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(s..len);
    }
    runs
}

/// The statistics of one series drawn as a line and band.
#[derive(Debug, Clone, Copy)]
pub struct Stats<'a> {
    /// Mean per point.
    pub mean: &'a [f64],
    /// 5th percentile per point.
    pub p5: &'a [f64],
    /// 95th percentile per point.
    pub p95: &'a [f64],
}

impl<'a> From<&'a SeriesSummary> for Stats<'a> {
    fn from(s: &'a SeriesSummary) -> Self {
        Stats {
            mean: &s.mean,
            p5: &s.p5,
            p95: &s.p95,
        }
    }
}

/// How a series' line and band look.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// Line colour; the band is a tint of it.
    pub colour: RGBColor,
    /// Opacity of the band.
    pub band_alpha: f64,
    /// Line width in pixels.
    pub line_px: u32,
}

impl Look {
    /// A single series on a full-size chart.
    pub fn main(colour: RGBColor) -> Self {
        Look {
            colour,
            band_alpha: 0.22,
            line_px: 3,
        }
    }

    /// A series in a small-multiple panel.
    pub fn panel(colour: RGBColor) -> Self {
        Look {
            colour,
            band_alpha: 0.22,
            line_px: 2,
        }
    }

    /// One of several overlapping series.
    pub fn overlaid(colour: RGBColor) -> Self {
        Look {
            colour,
            band_alpha: 0.14,
            line_px: 3,
        }
    }
}

/// Draws the p5–p95 band and the mean line of one series, with gaps at missing values.
/// Returns whether anything was drawn.
pub fn draw_mean_and_band<DB: DrawingBackend>(
    chart: &mut RealChart<DB>,
    xs: &[f64],
    stats: Stats,
    look: Look,
) -> Result<bool, DrawingAreaErrorKind<DB::ErrorType>> {
    let Stats { mean, p5, p95 } = stats;
    let Look {
        colour,
        band_alpha,
        line_px,
    } = look;
    let n = xs.len().min(mean.len());
    for run in finite_runs(n, &[p5, p95]) {
        let mut points: Vec<(f64, f64)> = run.clone().map(|i| (xs[i], p95[i])).collect();
        points.extend(run.rev().map(|i| (xs[i], p5[i])));
        chart.draw_series(std::iter::once(Polygon::new(
            points,
            colour.mix(band_alpha).filled(),
        )))?;
    }
    let runs = finite_runs(n, &[mean]);
    for run in &runs {
        if run.len() == 1 {
            let i = run.start;
            chart.draw_series(std::iter::once(Circle::new(
                (xs[i], mean[i]),
                3,
                colour.filled(),
            )))?;
        } else {
            chart.draw_series(LineSeries::new(
                run.clone().map(|i| (xs[i], mean[i])),
                colour.stroke_width(line_px),
            ))?;
        }
    }
    Ok(!runs.is_empty())
}

/// Writes "no data" in the middle of a chart whose series has no finite value.
pub fn no_data_note<DB: DrawingBackend>(
    chart: &RealChart<DB>,
    screen: &Screen<DB>,
    text: &str,
) -> DrawResult<DB> {
    let (x0, y0, x1, y1) = plot_bounds(chart);
    screen.draw(&Text::new(
        text.to_string(),
        ((x0 + x1) / 2, (y0 + y1) / 2),
        style::font(LABEL_SIZE_PX)
            .color(&MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
}
