//! The time chart: its time and value ranges, and the mesh styled alike everywhere.

use std::ops::Range;

use civitas_results::{BatchResult, TargetResult};
use civitas_scenario::{Indicator, TickDate, Unit};
use plotters::chart::MeshStyle;
use plotters::prelude::*;

use super::marks::PixelRect;
use super::{RealChart, Screen};
use crate::format;
use crate::style::{self, GRID, INK, LABEL_SIZE_PX, MUTED, SMALL_SIZE_PX};

/// Time axis range of a run: from the first tick to the end of the last one, in years.
pub fn time_range(result: &BatchResult) -> Range<f64> {
    let tick_years = result.scenario.scenario.tick.years();
    match (result.dates.first(), result.dates.last()) {
        (Some(a), Some(b)) => a.fractional_year()..b.fractional_year() + tick_years,
        _ => {
            let s = &result.scenario.scenario;
            s.start.year as f64..s.end.year as f64 + 1.0
        }
    }
}

/// Fractional years of a run's ticks.
pub fn xs(result: &BatchResult) -> Vec<f64> {
    result.dates.iter().map(TickDate::fractional_year).collect()
}

/// Value range for an indicator's axis covering `values` with a margin, kept inside the
/// indicator's natural bounds (shares in [0, 1], scores in [0, 100], amounts ≥ 0).
pub fn value_range(indicator: Indicator, values: impl IntoIterator<Item = f64>) -> Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let natural = match indicator.meta().unit {
        Unit::Share => Some(0.0..1.0),
        Unit::Score => Some(0.0..100.0),
        Unit::Stage => Some(0.0..4.0),
        _ => None,
    };
    if lo > hi {
        return natural.unwrap_or(0.0..1.0);
    }
    let span = if hi - lo > 1e-9 {
        hi - lo
    } else {
        lo.abs().max(1e-3) * 0.2
    };
    let (mut a, mut b) = (lo - span * 0.1, hi + span * 0.12);
    if let Some(n) = natural {
        a = a.max(n.start);
        b = b.min(n.end);
    } else if lo >= 0.0 {
        a = a.max(0.0);
    }
    a..b
}

/// The thresholds of `targets`, for axis ranges.
pub fn thresholds<'a>(targets: impl IntoIterator<Item = &'a TargetResult>) -> Vec<f64> {
    targets
        .into_iter()
        .flat_map(|t| t.min.into_iter().chain(t.max))
        .collect()
}

/// How a time chart is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layout<'a> {
    /// Panel title drawn above the chart.
    pub caption: Option<&'a str>,
    /// Whether to draw the value axis title.
    pub y_title: bool,
    /// Small-multiple panel: tighter margins, fewer ticks, no x axis title.
    pub compact: bool,
}

impl Layout<'_> {
    /// A full-size chart with both axis titles.
    pub const FULL: Layout<'static> = Layout {
        caption: None,
        y_title: true,
        compact: false,
    };
}

/// Builds a chart with a time axis and an indicator value axis, styled alike everywhere.
pub fn time_chart<'a, DB: DrawingBackend>(
    area: &'a Screen<DB>,
    x: Range<f64>,
    y: Range<f64>,
    indicator: Indicator,
    currency: &str,
    layout: Layout,
) -> Result<RealChart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let Layout {
        caption,
        y_title,
        compact,
    } = layout;
    let span = y.end - y.start;
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_left(if compact { 6 } else { 12 })
        .margin_right(if compact { 10 } else { 24 })
        .margin_top(8)
        .x_label_area_size(if compact { 28 } else { 46 })
        .y_label_area_size(if compact {
            if y_title { 78 } else { 52 }
        } else {
            86
        });
    if let Some(c) = caption {
        builder.caption(c, style::bold(LABEL_SIZE_PX).color(&INK));
    }
    let years = (x.end - x.start).ceil().max(1.0) as usize;
    let mut chart = builder.build_cartesian_2d(x, y)?;
    let y_fmt = |v: &f64| format::tick(indicator, *v, span);
    let x_fmt = |v: &f64| format!("{:.0}", v);
    let axis_title = format::axis_title(indicator, currency);
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(if compact {
        years.div_ceil(2) + 1
    } else {
        years + 1
    })
    .y_labels(if compact { 5 } else { 7 })
    .x_label_formatter(&x_fmt)
    .y_label_formatter(&y_fmt);
    house_mesh(&mut mesh);
    if y_title {
        mesh.y_desc(axis_title);
    }
    if !compact {
        mesh.x_desc("year");
    }
    mesh.draw()?;
    Ok(chart)
}

/// Pixel bounds of a chart's plotting area.
pub fn plot_bounds<DB: DrawingBackend>(chart: &RealChart<DB>) -> PixelRect {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    (xr.start, yr.start, xr.end, yr.end)
}

/// The house style of a chart's axes: small ink labels, label-size axis titles, light grid
/// lines at the labelled values only, muted axes.
pub fn house_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged,
    Y: Ranged,
    DB: DrawingBackend,
{
    mesh.label_style(style::font(SMALL_SIZE_PX).color(&INK))
        .axis_desc_style(style::font(LABEL_SIZE_PX).color(&INK))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(WHITE.mix(0.0))
        .axis_style(MUTED.stroke_width(1))
}
