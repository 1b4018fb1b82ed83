//! Comparisons of finished runs: one line and band per scenario on shared axes, and a
//! grouped bar chart of the probability that each target is met.

use civitas_results::{BatchResult, TargetResult};
use civitas_scenario::Indicator;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::scorecard::{find, target_rows};
use super::{
    DrawResult, Layout, Look, Placed, Screen, Side, Swatch, TITLE_BLOCK_PX, draw_mean_and_band,
    fit_text, label_box, legend_height, no_data_note, plot_bounds, split_legend, split_title,
    target_x, text_width, thresholds, time_chart, triangle, value_range, xs, year_guides,
};
use crate::format;
use crate::style::{self, GRID, INK, LABEL_SIZE_PX, MUTED, SMALL_SIZE_PX, scenario_colour};

/// Size of a comparison time-series figure, in pixels.
pub const SERIES_SIZE_PX: (u32, u32) = (1100, 660);

fn series_legend(runs: &[BatchResult], targets: &[&TargetResult]) -> Vec<(Swatch, String)> {
    let mut items: Vec<(Swatch, String)> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                Swatch::Line(scenario_colour(i)),
                format!("{} (mean)", r.scenario.scenario.name),
            )
        })
        .collect();
    items.push((Swatch::Band(MUTED), "p5–p95 per scenario".to_string()));
    if targets.iter().any(|t| t.min.is_some()) {
        items.push((Swatch::Up(INK), "target minimum".to_string()));
    }
    if targets.iter().any(|t| t.max.is_some()) {
        items.push((Swatch::Down(INK), "target maximum".to_string()));
    }
    items
}

/// Whole-city targets on `indicator` across runs, each distinct year and threshold once.
fn distinct_city_targets(runs: &[BatchResult], indicator: Indicator) -> Vec<&TargetResult> {
    let mut out: Vec<&TargetResult> = Vec::new();
    for t in runs.iter().flat_map(|r| &r.targets) {
        if t.indicator == indicator
            && t.scope == civitas_results::ScopeKey::City
            && !out
                .iter()
                .any(|o| o.year == t.year && o.min == t.min && o.max == t.max)
        {
            out.push(t);
        }
    }
    out
}

/// Draws one indicator for every run on shared axes.
pub fn draw_series<DB: DrawingBackend>(
    area: &Screen<DB>,
    runs: &[BatchResult],
    indicator: Indicator,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let Some(first) = runs.first() else {
        return Ok(());
    };
    let meta = indicator.meta();
    let currency = &first.scenario.scenario.currency;
    let names: Vec<&str> = runs
        .iter()
        .map(|r| r.scenario.scenario.name.as_str())
        .collect();
    let area = split_title(
        area,
        &format!("{}: {}", meta.title, names.join(" vs ")),
        &format!("{} Whole city.", meta.description),
    )?;
    let targets = distinct_city_targets(runs, indicator);
    let area = split_legend(&area, &series_legend(runs, &targets))?;

    let mut values = thresholds(targets.iter().copied());
    let mut x = f64::INFINITY..f64::NEG_INFINITY;
    for run in runs {
        let r = super::time_range(run);
        x = x.start.min(r.start)..x.end.max(r.end);
        if let Some(s) = run.series(indicator, &civitas_results::ScopeKey::City) {
            values.extend(s.p5.iter().chain(&s.p95).chain(&s.mean).copied());
        }
    }
    let y = value_range(indicator, values);
    let mut chart = time_chart(&area, x, y, indicator, currency, Layout::FULL)?;
    let mut drawn = false;
    for (i, run) in runs.iter().enumerate() {
        if let Some(s) = run.series(indicator, &civitas_results::ScopeKey::City) {
            drawn |= draw_mean_and_band(
                &mut chart,
                &xs(run),
                s.into(),
                Look::overlaid(scenario_colour(i)),
            )?;
        }
    }
    let screen = area.use_screen_coord();
    let mut placed = Placed::default();
    let targets_of_all: Vec<&TargetResult> = runs.iter().flat_map(|r| &r.targets).collect();
    year_guides(
        &mut chart,
        &screen,
        &first.dates,
        targets_of_all,
        &mut placed,
    )?;
    if !drawn {
        no_data_note(
            &chart,
            &screen,
            "no data: no run produced a value for this indicator",
        )?;
    }
    let bounds = plot_bounds(&chart);
    for t in &targets {
        let x = target_x(&first.dates, t.year);
        let label = format!("{} {}", t.year, format::threshold(t, currency));
        for (bound, up) in [(t.min, true), (t.max, false)] {
            let Some(v) = bound else { continue };
            let centre = chart.backend_coord(&(x, v));
            triangle(&screen, centre, up, INK)?;
            label_box(
                &screen,
                &label,
                centre,
                Side::Left,
                INK,
                bounds,
                &mut placed,
            )?;
        }
    }
    Ok(())
}

/// Height of one bar, in pixels.
const BAR_PX: u32 = 16;
/// Space between target groups, in pixels.
const GROUP_GAP_PX: u32 = 14;
/// Height of the probability axis under the bars, in pixels.
const AXIS_PX: u32 = 52;
/// Width of the probability scale, in pixels.
const SCALE_PX: u32 = 560;

fn bars_legend(runs: &[BatchResult]) -> Vec<(Swatch, String)> {
    let mut items: Vec<(Swatch, String)> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                Swatch::Block(scenario_colour(i)),
                r.scenario.scenario.name.clone(),
            )
        })
        .collect();
    items.push((
        Swatch::Dashed(style::MET),
        format!("met at p ≥ {}", civitas_results::MET_PROBABILITY),
    ));
    items.push((
        Swatch::Dashed(style::MISSED),
        format!("missed at p ≤ {}", civitas_results::MISSED_PROBABILITY),
    ));
    items
}

fn name_px(runs: &[BatchResult]) -> u32 {
    let font = style::font(LABEL_SIZE_PX);
    match runs.first() {
        Some(first) => {
            target_rows(runs)
                .iter()
                .map(|t| text_width(&format::target_title(&first.scenario, t), &font))
                .max()
                .unwrap_or(200)
                .max(200)
                + 24
        }
        None => 200,
    }
}

fn group_px(runs: &[BatchResult]) -> u32 {
    runs.len().max(1) as u32 * BAR_PX + GROUP_GAP_PX
}

/// Size of the probability bar chart, in pixels.
pub fn bars_size_px(runs: &[BatchResult]) -> (u32, u32) {
    let width = (20 + name_px(runs) + SCALE_PX + 70).max(1000);
    let groups = target_rows(runs).len().max(1) as u32;
    let height = TITLE_BLOCK_PX
        + 10
        + groups * group_px(runs)
        + AXIS_PX
        + legend_height(&bars_legend(runs), width)
        + 10;
    (width, height)
}

/// Draws the grouped bar chart of probability met per target and scenario.
pub fn draw_bars<DB: DrawingBackend>(area: &Screen<DB>, runs: &[BatchResult]) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let Some(first) = runs.first() else {
        return Ok(());
    };
    let area = split_title(
        area,
        "Probability of meeting each target, by scenario",
        "Share of replicates that meet the target in its year.",
    )?;
    let area = split_legend(&area, &bars_legend(runs))?;
    let rows = target_rows(runs);
    let x0 = 20 + name_px(runs) as i32;
    let scale = SCALE_PX as f64;
    let px = |p: f64| x0 + (p.clamp(0.0, 1.0) * scale).round() as i32;
    let top = 10;
    let bottom = top + rows.len() as i32 * group_px(runs) as i32;
    let name_font = style::font(LABEL_SIZE_PX);
    let small = style::font(SMALL_SIZE_PX);

    for k in 0..=10 {
        let p = k as f64 / 10.0;
        let x = px(p);
        area.draw(&PathElement::new(
            vec![(x, top), (x, bottom)],
            GRID.stroke_width(1),
        ))?;
        if k % 2 == 0 {
            area.draw(&Text::new(
                format!("{p:.1}"),
                (x, bottom + 6),
                small.color(&INK).pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
    }
    area.draw(&Text::new(
        "probability met",
        ((px(0.0) + px(1.0)) / 2, bottom + 28),
        name_font.color(&INK).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    for (p, colour) in [
        (civitas_results::MET_PROBABILITY, style::MET),
        (civitas_results::MISSED_PROBABILITY, style::MISSED),
    ] {
        let x = px(p);
        area.draw(&DashedPathElement::new(
            vec![(x, top - 4), (x, bottom)],
            6,
            4,
            colour.stroke_width(2),
        ))?;
    }
    for (r, target) in rows.iter().enumerate() {
        let g0 = top + (r as u32 * group_px(runs)) as i32;
        let name = fit_text(
            &format::target_title(&first.scenario, target),
            &name_font,
            name_px(runs) - 12,
        );
        let mid = g0 + (runs.len() as u32 * BAR_PX / 2) as i32;
        area.draw(&Text::new(
            name,
            (20, mid),
            name_font
                .color(&INK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        for (c, run) in runs.iter().enumerate() {
            let y0 = g0 + (c as u32 * BAR_PX) as i32;
            let y1 = y0 + BAR_PX as i32 - 2;
            match find(run, target).filter(|t| t.mean.is_finite()) {
                Some(t) => {
                    let p = t.probability_met;
                    area.draw(&Rectangle::new(
                        [(px(0.0), y0), (px(p).max(px(0.0) + 1), y1)],
                        scenario_colour(c).filled(),
                    ))?;
                    area.draw(&Text::new(
                        format::probability(p),
                        (px(p) + 6, (y0 + y1) / 2),
                        small.color(&INK).pos(Pos::new(HPos::Left, VPos::Center)),
                    ))?;
                }
                None => {
                    let w = text_width("no data", &small) as i32;
                    area.draw(&Rectangle::new(
                        [(px(0.0) + 2, y0), (px(0.0) + w + 10, y1)],
                        WHITE.filled(),
                    ))?;
                    area.draw(&Text::new(
                        "no data",
                        (px(0.0) + 6, (y0 + y1) / 2),
                        small.color(&MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
                    ))?;
                }
            }
        }
    }
    area.draw(&PathElement::new(
        vec![(px(0.0), top), (px(0.0), bottom)],
        INK.stroke_width(1),
    ))
}
