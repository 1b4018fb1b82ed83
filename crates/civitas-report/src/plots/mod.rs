//! The plot kinds, and the drawing pieces they share: titles, legends below the chart,
//! direction triangles, boxed labels that avoid each other, gap-aware lines and bands.
//!
//! Every plot draws on a generic plotters backend so the same code writes PNG and SVG.

pub mod breakdown;
pub mod compare;
pub mod scorecard;
pub mod sensitivity;
pub mod sweep;
pub mod timeseries;

use std::ops::Range;

use civitas_results::{BatchResult, SeriesSummary, TargetResult};
use civitas_scenario::{Indicator, TickDate, Unit};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::format;
use crate::style::{self, GRID, INK, LABEL_SIZE_PX, MUTED, SMALL_SIZE_PX, Standing};

/// Result of drawing on backend `DB`.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
/// A drawing area in pixels.
pub type Screen<DB> = DrawingArea<DB, Shift>;
/// A chart over two real axes.
pub type RealChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Height of the title block at the top of every figure, in pixels.
pub const TITLE_BLOCK_PX: u32 = 80;
/// Height of one legend row, in pixels.
const LEGEND_ROW_PX: u32 = 30;
/// Room between legend items, in pixels.
const LEGEND_GAP_PX: u32 = 22;
/// Width of a legend swatch, in pixels.
const SWATCH_PX: i32 = 26;
/// Half the size of a target triangle, in pixels.
pub const TRIANGLE_HALF_PX: i32 = 8;

/// Width of `text` in pixels when drawn with `font`.
pub fn text_width(text: &str, font: &FontDesc) -> u32 {
    font.box_size(text)
        .map(|(w, _)| w)
        .unwrap_or_else(|_| (text.chars().count() as f64 * font.get_size() * 0.6) as u32)
}

/// `text` shortened with an ellipsis so that it fits `max_px`.
pub fn fit_text(text: &str, font: &FontDesc, max_px: u32) -> String {
    if text_width(text, font) <= max_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 0 {
        let candidate: String = chars[..n].iter().collect::<String>() + "…";
        if text_width(&candidate, font) <= max_px {
            return candidate;
        }
        n -= 1;
    }
    String::new()
}

/// Draws the figure title and a one-line subtitle, returns the area below them.
pub fn split_title<DB: DrawingBackend>(
    area: &Screen<DB>,
    title: &str,
    subtitle: &str,
) -> Result<Screen<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (top, rest) = area.split_vertically(TITLE_BLOCK_PX);
    let width = area.dim_in_pixel().0.saturating_sub(40);
    let title_font = style::bold(style::TITLE_SIZE_PX);
    let title = fit_text(title, &title_font, width);
    top.draw(&Text::new(title, (20, 12), title_font.color(&INK)))?;
    if !subtitle.is_empty() {
        let sub_font = style::font(SMALL_SIZE_PX);
        let subtitle = fit_text(subtitle, &sub_font, width);
        top.draw(&Text::new(subtitle, (20, 50), sub_font.color(&MUTED)))?;
    }
    Ok(rest)
}

/// What a legend entry looks like.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A shaded band.
    Band(RGBColor),
    /// A filled square.
    Block(RGBColor),
    /// An upward triangle (a minimum target).
    Up(RGBColor),
    /// A downward triangle (a maximum target).
    Down(RGBColor),
}

/// Legend rows for `items` in `width_px`, each row a list of item indices. When the
/// items need several rows they are spread evenly, so no item is left alone on a row.
fn legend_rows(items: &[(Swatch, String)], width_px: u32) -> Vec<Vec<usize>> {
    let font = style::font(LABEL_SIZE_PX);
    let widths: Vec<u32> = items
        .iter()
        .map(|(_, label)| item_width(label, &font))
        .collect();
    let limit = width_px.saturating_sub(40);
    let rows = wrap(&widths, limit);
    if rows.len() > 1 {
        let total: u32 = widths.iter().sum();
        let even = total.div_ceil(rows.len() as u32);
        for slack in [even, even * 11 / 10, even * 5 / 4] {
            let balanced = wrap(&widths, slack.min(limit));
            if balanced.len() == rows.len() {
                return balanced;
            }
        }
    }
    rows
}

/// Greedy wrapping of item widths into rows no wider than `limit` (a wider item gets a
/// row of its own).
fn wrap(widths: &[u32], limit: u32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0;
    for (i, &w) in widths.iter().enumerate() {
        if used + w > limit && !rows.last().is_some_and(Vec::is_empty) {
            rows.push(Vec::new());
            used = 0;
        }
        rows.last_mut().expect("at least one row").push(i);
        used += w;
    }
    rows
}

fn item_width(label: &str, font: &FontDesc) -> u32 {
    SWATCH_PX as u32 + 8 + text_width(label, font) + LEGEND_GAP_PX
}

/// Height of the legend strip for `items` in a figure `width_px` wide.
pub fn legend_height(items: &[(Swatch, String)], width_px: u32) -> u32 {
    legend_rows(items, width_px).len() as u32 * LEGEND_ROW_PX + 14
}

/// Splits a legend strip off the bottom of `area`, draws `items` in it (centred, wrapped)
/// and returns the area above. Legends sit outside the plot so they never cover data.
pub fn split_legend<DB: DrawingBackend>(
    area: &Screen<DB>,
    items: &[(Swatch, String)],
) -> Result<Screen<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, h) = area.dim_in_pixel();
    let strip = legend_height(items, w);
    let (rest, bottom) = area.split_vertically(h.saturating_sub(strip));
    let font = style::font(LABEL_SIZE_PX);
    for (r, row) in legend_rows(items, w).iter().enumerate() {
        let row_width: u32 = row.iter().map(|&i| item_width(&items[i].1, &font)).sum();
        let mut x = (w.saturating_sub(row_width - LEGEND_GAP_PX) / 2) as i32;
        let y = 6 + (r as u32 * LEGEND_ROW_PX + LEGEND_ROW_PX / 2) as i32;
        for &i in row {
            let (swatch, label) = &items[i];
            draw_swatch(&bottom, *swatch, x, y)?;
            bottom.draw(&Text::new(
                label.clone(),
                (x + SWATCH_PX + 8, y),
                font.color(&INK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += item_width(label, &font) as i32;
        }
    }
    Ok(rest)
}

fn draw_swatch<DB: DrawingBackend>(
    area: &Screen<DB>,
    swatch: Swatch,
    x: i32,
    y: i32,
) -> DrawResult<DB> {
    let mid = x + SWATCH_PX / 2;
    match swatch {
        Swatch::Line(c) => area.draw(&PathElement::new(
            vec![(x, y), (x + SWATCH_PX, y)],
            c.stroke_width(3),
        )),
        Swatch::Dashed(c) => {
            for k in 0..3 {
                let x0 = x + k * 10;
                area.draw(&PathElement::new(
                    vec![(x0, y), (x0 + 6, y)],
                    c.stroke_width(2),
                ))?;
            }
            Ok(())
        }
        Swatch::Band(c) => area.draw(&Rectangle::new(
            [(x, y - 8), (x + SWATCH_PX, y + 8)],
            c.mix(0.25).filled(),
        )),
        Swatch::Block(c) => area.draw(&Rectangle::new(
            [(x + 4, y - 9), (x + SWATCH_PX - 4, y + 9)],
            c.filled(),
        )),
        Swatch::Up(c) => triangle(area, (mid, y), true, c),
        Swatch::Down(c) => triangle(area, (mid, y), false, c),
    }
}

/// Draws a target triangle centred on `centre` (pixels): ▲ for a minimum, ▼ for a maximum.
/// Drawn as a shape, not a glyph, so it never depends on the font.
pub fn triangle<DB: DrawingBackend>(
    area: &Screen<DB>,
    (x, y): (i32, i32),
    up: bool,
    colour: RGBColor,
) -> DrawResult<DB> {
    let h = TRIANGLE_HALF_PX;
    let s = if up { 1 } else { -1 };
    let points = vec![
        (x, y - s * h),
        (x + h, y + s * h * 4 / 5),
        (x - h, y + s * h * 4 / 5),
    ];
    area.draw(&Polygon::new(points.clone(), colour.filled()))?;
    let mut outline = points;
    outline.push(outline[0]);
    area.draw(&PathElement::new(outline, WHITE.stroke_width(1)))
}

/// A pixel rectangle `(x0, y0, x1, y1)`.
pub type PixelRect = (i32, i32, i32, i32);

fn overlaps(a: PixelRect, b: PixelRect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Labels already placed on a figure, so later ones move out of their way.
#[derive(Debug, Default)]
pub struct Placed(Vec<PixelRect>);

impl Placed {
    /// Marks `rect` as taken (e.g. a guide label or a legend inside the plot).
    pub fn reserve(&mut self, rect: PixelRect) {
        self.0.push(rect);
    }
}

/// Where a boxed label goes relative to its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// To the left of the anchor (falls back to the right when there is no room).
    Left,
    /// To the left and a row above the anchor, e.g. when the data runs below it.
    LeftAbove,
    /// To the left and a row below the anchor, e.g. when the data runs above it.
    LeftBelow,
    /// To the right of the anchor (falls back to the left when there is no room).
    Right,
}

/// Draws `text` in a white box with a coloured edge next to `anchor`, inside `bounds`,
/// shifted up or down until it overlaps no earlier label.
pub fn label_box<DB: DrawingBackend>(
    screen: &Screen<DB>,
    text: &str,
    anchor: (i32, i32),
    side: Side,
    colour: RGBColor,
    bounds: PixelRect,
    placed: &mut Placed,
) -> DrawResult<DB> {
    let font = style::font(SMALL_SIZE_PX);
    let w = text_width(text, &font) as i32 + 14;
    let h = SMALL_SIZE_PX as i32 + 8;
    let gap = TRIANGLE_HALF_PX + 6;
    let left_x0 = anchor.0 - gap - w;
    let right_x0 = anchor.0 + gap;
    let x0 = match side {
        Side::Right if right_x0 + w <= bounds.2 => right_x0,
        Side::Right => left_x0.max(bounds.0),
        _ if left_x0 >= bounds.0 => left_x0,
        _ => right_x0.min(bounds.2 - w),
    };
    let step = h / 2 + 6;
    let order: [i32; 9] = match side {
        Side::LeftAbove => [-1, -2, -3, -4, 0, 1, 2, 3, 4],
        Side::LeftBelow => [1, 2, 3, 4, 0, -1, -2, -3, -4],
        Side::Left | Side::Right => [0, -2, 2, -4, 4, -6, 6, -8, 8],
    };
    let mut chosen = None;
    for k in order {
        let y0 = (anchor.1 - h / 2 + k * step).clamp(bounds.1, (bounds.3 - h).max(bounds.1));
        let rect = (x0, y0, x0 + w, y0 + h);
        if !placed.0.iter().any(|&r| overlaps(r, rect)) {
            chosen = Some(rect);
            break;
        }
    }
    let rect = chosen.unwrap_or((x0, anchor.1 - h / 2, x0 + w, anchor.1 - h / 2 + h));
    placed.0.push(rect);
    let (x0, y0, x1, y1) = rect;
    screen.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        WHITE.mix(0.92).filled(),
    ))?;
    screen.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        colour.stroke_width(1),
    ))?;
    screen.draw(&Rectangle::new([(x0, y0), (x0 + 4, y1)], colour.filled()))?;
    screen.draw(&Text::new(
        text.to_string(),
        (x0 + 9, (y0 + y1) / 2),
        font.color(&INK).pos(Pos::new(HPos::Left, VPos::Center)),
    ))
}

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

/// x position of the value a target reads in `year`: the last tick of the year.
pub fn target_x(dates: &[TickDate], year: i32) -> f64 {
    dates
        .iter()
        .rev()
        .find(|d| d.year == year)
        .map(TickDate::fractional_year)
        .unwrap_or(year as f64 + 11.0 / 12.0)
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
    .y_label_formatter(&y_fmt)
    .label_style(style::font(SMALL_SIZE_PX).color(&INK))
    .axis_desc_style(style::font(LABEL_SIZE_PX).color(&INK))
    .bold_line_style(GRID.stroke_width(1))
    .light_line_style(WHITE.mix(0.0))
    .axis_style(MUTED.stroke_width(1));
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

/// Draws a dashed vertical guide at `x` over the whole value axis, with a label at the top.
pub fn year_guide<DB: DrawingBackend>(
    chart: &mut RealChart<DB>,
    screen: &Screen<DB>,
    x: f64,
    label: &str,
    placed: &mut Placed,
) -> DrawResult<DB> {
    let y = chart.plotting_area().get_y_range();
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(x, y.start), (x, y.end)],
        6,
        5,
        MUTED.stroke_width(1),
    )))?;
    if label.is_empty() {
        return Ok(());
    }
    let (px, top) = chart.backend_coord(&(x, y.end));
    let font = style::font(SMALL_SIZE_PX);
    let w = text_width(label, &font) as i32;
    let bounds = plot_bounds(chart);
    let x0 = (px - w - 6).max(bounds.0 + 2);
    placed.reserve((x0 - 2, top, x0 + w + 2, top + SMALL_SIZE_PX as i32 + 6));
    screen.draw(&Text::new(
        label.to_string(),
        (x0, top + 3),
        font.color(&MUTED),
    ))
}

/// Draws a labelled guide at each year `targets` are set for ("2027 targets (Dec)" when
/// some are read in December).
pub fn year_guides<'t, DB: DrawingBackend>(
    chart: &mut RealChart<DB>,
    screen: &Screen<DB>,
    dates: &[TickDate],
    targets: impl IntoIterator<Item = &'t TargetResult>,
    placed: &mut Placed,
) -> DrawResult<DB> {
    let targets: Vec<&TargetResult> = targets.into_iter().collect();
    let mut years: Vec<i32> = targets.iter().map(|t| t.year).collect();
    years.sort_unstable();
    years.dedup();
    for year in years {
        let december = targets
            .iter()
            .any(|t| t.year == year && t.basis == civitas_scenario::TargetBasis::December);
        let label = if december {
            format!("{year} targets (Dec)")
        } else {
            format!("{year} targets")
        };
        year_guide(chart, screen, target_x(dates, year), &label, placed)?;
    }
    Ok(())
}

/// The label printed next to a target marker.
pub fn marker_label(target: &TargetResult, currency: &str, with_threshold: bool) -> String {
    let standing = Standing::of(target.mean, target.status);
    let verdict = match standing {
        Standing::NoData => "no data".to_string(),
        s => format!(
            "{}, p={}",
            s.words(),
            format::probability(target.probability_met)
        ),
    };
    if with_threshold {
        let basis = match target.basis {
            civitas_scenario::TargetBasis::December => "",
            civitas_scenario::TargetBasis::YearMean => " (year mean)",
        };
        format!(
            "{} {}{basis}: {verdict}",
            target.year,
            format::threshold(target, currency)
        )
    } else {
        verdict
    }
}

/// Draws each target's bounds as triangles at its year (▲ minimum, ▼ maximum), coloured
/// by its standing and labelled with the verdict; labels avoid `series`' line.
#[allow(clippy::too_many_arguments)]
pub fn draw_target_markers<DB: DrawingBackend>(
    chart: &RealChart<DB>,
    screen: &Screen<DB>,
    dates: &[TickDate],
    series: Option<&SeriesSummary>,
    targets: &[&TargetResult],
    currency: &str,
    with_threshold: bool,
    placed: &mut Placed,
) -> DrawResult<DB> {
    let bounds = plot_bounds(chart);
    for target in targets {
        let x = target_x(dates, target.year);
        let colour = Standing::of(target.mean, target.status).colour();
        let label = marker_label(target, currency, with_threshold);
        // Put the label on the side of the marker away from the line.
        let value_there = series.and_then(|s| {
            let i = dates.iter().rposition(|d| d.year == target.year)?;
            s.mean.get(i).copied().filter(|v| v.is_finite())
        });
        for (bound, up) in [(target.min, true), (target.max, false)] {
            let Some(v) = bound else { continue };
            let side = match value_there {
                Some(m) if m > v => Side::LeftBelow,
                Some(_) => Side::LeftAbove,
                None => Side::Left,
            };
            let centre = chart.backend_coord(&(x, v));
            placed.reserve((
                centre.0 - TRIANGLE_HALF_PX,
                centre.1 - TRIANGLE_HALF_PX,
                centre.0 + TRIANGLE_HALF_PX,
                centre.1 + TRIANGLE_HALF_PX,
            ));
            triangle(screen, centre, up, colour)?;
            label_box(screen, &label, centre, side, colour, bounds, placed)?;
        }
    }
    Ok(())
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

/// Legend entries for target triangles of the kinds present in `targets`.
pub fn target_legend<'a>(
    targets: impl IntoIterator<Item = &'a TargetResult>,
) -> Vec<(Swatch, String)> {
    let (mut min, mut max) = (false, false);
    for t in targets {
        min |= t.min.is_some();
        max |= t.max.is_some();
    }
    let mut items = Vec::new();
    if min {
        items.push((Swatch::Up(INK), "target minimum".to_string()));
    }
    if max {
        items.push((Swatch::Down(INK), "target maximum".to_string()));
    }
    if min || max {
        items.push((
            Swatch::Block(style::MET),
            format!("met (p ≥ {})", civitas_results::MET_PROBABILITY),
        ));
        items.push((Swatch::Block(style::AT_RISK), "at risk".to_string()));
        items.push((
            Swatch::Block(style::MISSED),
            format!("missed (p ≤ {})", civitas_results::MISSED_PROBABILITY),
        ));
    }
    items
}
