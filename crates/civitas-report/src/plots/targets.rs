//! Targets on a time chart: guides at the target years, triangles with verdict labels,
//! and their legend entries.

use civitas_results::{SeriesSummary, TargetResult};
use civitas_scenario::TickDate;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::axes::plot_bounds;
use super::legend::Swatch;
use super::marks::{Placed, Side, TRIANGLE_HALF_PX, label_box, triangle};
use super::text::text_width;
use super::{DrawResult, RealChart, Screen};
use crate::format;
use crate::style::{self, INK, MUTED, SMALL_SIZE_PX, Standing};

/// x position of the value a target reads in `year`: the last tick of the year.
pub fn target_x(dates: &[TickDate], year: i32) -> f64 {
    dates
        .iter()
        .rev()
        .find(|d| d.year == year)
        .map(TickDate::fractional_year)
        .unwrap_or(year as f64 + 11.0 / 12.0)
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
/// by its standing and labelled with the verdict; labels go on the side away from
/// `series`' line and, where there is room, off its band altogether.
#[expect(
    clippy::too_many_arguments,
    reason = "a marker needs the chart, the screen and each part of the target"
)]
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
    if let Some(s) = series {
        reserve_band(chart, dates, s, placed);
    }
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

/// Marks the pixels `series` draws (its p5–p95 band, or its mean where the band has no
/// value), tick by tick, as taken: a label finds a free place off the data before it
/// settles on one that covers it.
fn reserve_band<DB: DrawingBackend>(
    chart: &RealChart<DB>,
    dates: &[TickDate],
    series: &SeriesSummary,
    placed: &mut Placed,
) {
    let xs: Vec<f64> = dates.iter().map(TickDate::fractional_year).collect();
    for (i, &x) in xs.iter().enumerate() {
        let values = [series.p5.get(i), series.p95.get(i), series.mean.get(i)];
        let (lo, hi) = values
            .into_iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if lo > hi {
            continue;
        }
        // From halfway to the previous tick to halfway to the next.
        let before = i.checked_sub(1).map_or(x, |j| (xs[j] + x) / 2.0);
        let after = xs.get(i + 1).map_or(x, |&n| (x + n) / 2.0);
        let (x0, y0) = chart.backend_coord(&(before, hi));
        let (x1, y1) = chart.backend_coord(&(after, lo));
        placed.reserve((x0.min(x1), y0.min(y1) - 2, x0.max(x1) + 1, y0.max(y1) + 2));
    }
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

#[cfg(test)]
mod tests {
    use super::super::marks::PixelRect;
    use super::*;
    use civitas_results::{ScopeKey, TargetStatus};
    use civitas_scenario::{Indicator, TargetBasis, TickLength, YearMonth, tick_dates};

    fn overlaps(a: PixelRect, b: PixelRect) -> bool {
        a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
    }

    /// A target just under a rising band (met, the line above it): the label finds room
    /// below the band instead of covering it, as it did when it only kept off the mean.
    #[test]
    fn a_target_label_stays_off_the_band() {
        let start = YearMonth::new(2024, 1).unwrap();
        let dates = tick_dates(start, YearMonth::new(2030, 12).unwrap(), TickLength::Month);
        let n = dates.len();
        let mean: Vec<f64> = (0..n)
            .map(|i| 0.81 + 0.11 * i as f64 / (n - 1) as f64)
            .collect();
        let series = SeriesSummary {
            indicator: Indicator::IncidentsWithinSla,
            scope: ScopeKey::City,
            p5: mean.iter().map(|m| m - 0.012).collect(),
            p95: mean.iter().map(|m| m + 0.012).collect(),
            p50: mean.clone(),
            sd: vec![0.007; n],
            n: vec![20; n],
            mean,
        };
        let target = TargetResult {
            label: "incidents_within_sla 2030".to_string(),
            indicator: Indicator::IncidentsWithinSla,
            scope: ScopeKey::City,
            year: 2030,
            basis: TargetBasis::December,
            min: Some(0.90),
            max: None,
            mean: 0.92,
            p5: 0.908,
            p95: 0.932,
            probability_met: 1.0,
            probability_lo: 0.9,
            probability_hi: 1.0,
            values: Vec::new(),
            status: TargetStatus::Met,
        };
        let (w, h) = (1100, 640);
        let mut pixels = vec![0u8; w * h * 3];
        let root =
            BitMapBackend::with_buffer(&mut pixels, (w as u32, h as u32)).into_drawing_area();
        crate::fonts::ensure_registered().unwrap();
        let mut chart = ChartBuilder::on(&root)
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(2024.0..2031.0, 0.78..0.95)
            .unwrap();
        chart.configure_mesh().draw().unwrap();
        let screen = root.use_screen_coord();
        let mut placed = Placed::default();
        draw_target_markers(
            &chart,
            &screen,
            &dates,
            Some(&series),
            &[&target],
            "CNY",
            true,
            &mut placed,
        )
        .unwrap();
        let label = *placed.rects().last().unwrap();
        let mut band = Placed::default();
        reserve_band(&chart, &dates, &series, &mut band);
        let band = band.rects();
        assert_eq!(band.len(), n);
        assert!(
            band.iter().all(|&r| !overlaps(r, label)),
            "label {label:?} covers the band"
        );
        // It is still next to its marker: left of it, within a few rows.
        let marker = chart.backend_coord(&(target_x(&dates, 2030), 0.90));
        assert!(
            label.2 <= marker.0 && (label.1 - marker.1).abs() < 120,
            "{label:?} {marker:?}"
        );
    }
}
