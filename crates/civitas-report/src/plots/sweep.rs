//! Sweeps: a target's indicator in its year against one swept lever, with the replicate
//! band, the target line, and where the probability of meeting it first reaches 0.9.

use civitas_results::{BatchResult, SweepPoint, SweepResult, TargetResult};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::scorecard::same_target;
use super::{
    DrawResult, Look, Placed, Screen, Side, Stats, Swatch, draw_mean_and_band, house_mesh,
    label_box, plot_bounds, split_legend, split_title, text_width, value_range,
};
use crate::format;
use crate::style::{self, INK, LABEL_SIZE_PX, SERIES, Standing};

/// Figure size in pixels.
pub const SIZE_PX: (u32, u32) = (1100, 640);

/// Probability from which a target counts as met (the status rule's threshold).
pub use civitas_results::MET_PROBABILITY;

/// One swept value and the target's evaluation there.
#[derive(Debug, Clone, Copy)]
struct SweptValue<'a> {
    lever: f64,
    target: &'a TargetResult,
}

fn swept_values<'a>(
    sweep: &'a SweepResult,
    lever: usize,
    target: &TargetResult,
) -> Vec<SweptValue<'a>> {
    let mut v: Vec<SweptValue> = sweep
        .points
        .iter()
        .filter_map(|p| {
            let lever = *p.lever_values.get(lever)?;
            let target = p.targets.iter().find(|t| same_target(t, target))?;
            lever.is_finite().then_some(SweptValue { lever, target })
        })
        .collect();
    v.sort_by(|a, b| a.lever.total_cmp(&b.lever));
    v
}

/// The targets evaluated at the sweep's points, each once, in declaration order.
pub fn sweep_targets(sweep: &SweepResult) -> Vec<&TargetResult> {
    let mut out: Vec<&TargetResult> = Vec::new();
    for t in sweep.points.iter().flat_map(|p| &p.targets) {
        if !out.iter().any(|o| same_target(o, t)) {
            out.push(t);
        }
    }
    out
}

/// The lowest swept value of `lever` at which the probability that `target` is met
/// reaches 0.9, if any point gets there.
pub fn first_reaching(sweep: &SweepResult, lever: usize, target: &TargetResult) -> Option<f64> {
    swept_values(sweep, lever, target)
        .iter()
        .find(|v| v.target.probability_met >= MET_PROBABILITY && v.target.mean.is_finite())
        .map(|v| v.lever)
}

/// A point of a sweep with its evaluation of one target.
pub type Evaluated<'a> = (&'a SweepPoint, &'a TargetResult);

/// For `target`, the point of the sweep where it does best and the one where it does worst:
/// by probability met, then by the mean in the indicator's better direction; among equals
/// the lowest-numbered point (a grid's cheapest corner). `None` without a value anywhere.
pub fn extremes<'a>(
    sweep: &'a SweepResult,
    target: &TargetResult,
) -> Option<(Evaluated<'a>, Evaluated<'a>)> {
    let sign = if target.indicator.meta().higher_is_better {
        1.0
    } else {
        -1.0
    };
    let evaluated: Vec<Evaluated> = sweep
        .points
        .iter()
        .filter_map(|p| {
            let t = p.targets.iter().find(|t| same_target(t, target))?;
            t.mean.is_finite().then_some((p, t))
        })
        .collect();
    let standing = |t: &TargetResult| (t.probability_met, sign * t.mean);
    let order = |a: &&Evaluated, b: &&Evaluated| {
        standing(a.1)
            .partial_cmp(&standing(b.1))
            .unwrap_or(std::cmp::Ordering::Equal)
    };
    let best = evaluated.iter().rev().max_by(order)?;
    let worst = evaluated.iter().min_by(order)?;
    Some((*best, *worst))
}

/// The lever values of `point` as `lever = value, …`.
pub fn point_levers(sweep: &SweepResult, point: &SweepPoint, currency: &str) -> String {
    sweep
        .levers
        .iter()
        .zip(&point.lever_values)
        .map(|(lever, &v)| {
            format!(
                "{} = {}",
                format::lever_title(lever, currency),
                format::number(v)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Draws the figure for `target` against lever number `lever`.
pub fn draw<DB: DrawingBackend>(
    area: &Screen<DB>,
    result: &BatchResult,
    sweep: &SweepResult,
    lever: usize,
    target: &TargetResult,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let indicator = target.indicator;
    let currency = &result.scenario.scenario.currency;
    let lever_path = sweep
        .levers
        .get(lever)
        .map(String::as_str)
        .unwrap_or("lever");
    let lever_name = &format::lever_title(lever_path, currency);
    let title = format!(
        "{} in {} vs {}",
        indicator.meta().title,
        target.year,
        lever_name
    );
    let other_levers = sweep.levers.len() > 1;
    let subtitle = format!(
        "Target: {}. Mean and p5–p95 across replicates at each swept value{}.",
        format::target_title(&result.scenario, target),
        if other_levers {
            " (other levers vary too)"
        } else {
            ""
        },
    );
    let area = split_title(area, &title, &subtitle)?;
    // With other levers varying there is no single line: each point is drawn with its
    // own p5–p95 whisker.
    let mut legend = if other_levers {
        vec![(Swatch::Line(SERIES), "p5–p95 per point".to_string())]
    } else {
        vec![
            (Swatch::Line(SERIES), "mean".to_string()),
            (Swatch::Band(SERIES), "p5–p95".to_string()),
        ]
    };
    legend.extend([
        (Swatch::Dashed(INK), "target".to_string()),
        (Swatch::Block(style::MET), "met".to_string()),
        (Swatch::Block(style::AT_RISK), "at risk".to_string()),
        (Swatch::Block(style::MISSED), "missed".to_string()),
        (Swatch::Dashed(style::MET), "p first ≥ 0.9".to_string()),
    ]);
    let area = split_legend(&area, &legend)?;

    let points = swept_values(sweep, lever, target);
    let xs: Vec<f64> = points.iter().map(|p| p.lever).collect();
    let mean: Vec<f64> = points.iter().map(|p| p.target.mean).collect();
    let p5: Vec<f64> = points.iter().map(|p| p.target.p5).collect();
    let p95: Vec<f64> = points.iter().map(|p| p.target.p95).collect();
    let (lo, hi) = match (xs.first(), xs.last()) {
        (Some(&a), Some(&b)) if b > a => (a, b),
        (Some(&a), _) => (a - 0.5, a + 0.5),
        _ => (0.0, 1.0),
    };
    let pad = (hi - lo) * 0.04;
    let x_range = lo - pad..hi + pad;
    let x_span = x_range.end - x_range.start;
    let values = p5
        .iter()
        .chain(&p95)
        .chain(&mean)
        .copied()
        .chain(target.min)
        .chain(target.max);
    let y = value_range(indicator, values);
    let y_span = y.end - y.start;

    let mut chart = ChartBuilder::on(&area)
        .margin_left(12)
        .margin_right(24)
        .margin_top(8)
        .x_label_area_size(46)
        .y_label_area_size(86)
        .build_cartesian_2d(x_range, y.clone())?;
    let x_fmt = |v: &f64| format::number_tick(*v, x_span);
    let y_fmt = |v: &f64| format::tick(indicator, *v, y_span);
    house_mesh(&mut chart.configure_mesh())
        .x_labels(8)
        .y_labels(7)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(lever_name)
        .y_desc(format!(
            "{} in {}",
            format::axis_title(indicator, currency),
            target.year
        ))
        .draw()?;

    if other_levers {
        for p in &points {
            if p.target.p5.is_finite() && p.target.p95.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(p.lever, p.target.p5), (p.lever, p.target.p95)],
                    SERIES.stroke_width(2),
                )))?;
            }
        }
    } else {
        draw_mean_and_band(
            &mut chart,
            &xs,
            Stats {
                mean: &mean,
                p5: &p5,
                p95: &p95,
            },
            Look::main(SERIES),
        )?;
    }
    let screen = area.use_screen_coord();
    let bounds = plot_bounds(&chart);
    let mut placed = Placed::default();
    for bound in [target.min, target.max].into_iter().flatten() {
        let (x0, x1) = (
            chart.plotting_area().get_x_range().start,
            chart.plotting_area().get_x_range().end,
        );
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(x0, bound), (x1, bound)],
            8,
            5,
            INK.stroke_width(2),
        )))?;
        let anchor = chart.backend_coord(&(x1, bound));
        let label = format!("target {}", format::threshold(target, currency));
        label_box(
            &screen,
            &label,
            anchor,
            Side::Left,
            INK,
            bounds,
            &mut placed,
        )?;
    }
    let font = style::font(LABEL_SIZE_PX);
    match first_reaching(sweep, lever, target) {
        Some(x) => {
            let y_range = chart.plotting_area().get_y_range();
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(x, y_range.start), (x, y_range.end)],
                8,
                5,
                style::MET.stroke_width(2),
            )))?;
            // Label at the top unless the values beyond the mark run high, then at the
            // bottom, so it does not hide them.
            let beyond: Vec<f64> = points
                .iter()
                .filter(|p| p.lever >= x && p.target.mean.is_finite())
                .map(|p| p.target.mean)
                .collect();
            let middle = (y_range.start + y_range.end) / 2.0;
            let high =
                !beyond.is_empty() && beyond.iter().sum::<f64>() / beyond.len() as f64 > middle;
            let anchor = if high {
                let (px, py) = chart.backend_coord(&(x, y_range.start));
                (px, py - 16)
            } else {
                let (px, py) = chart.backend_coord(&(x, y_range.end));
                (px, py + 16)
            };
            let label = format!(
                "p ≥ 0.9 from {} = {}{}",
                short_lever(lever_path),
                format::number(x),
                if other_levers {
                    " (with the other levers' best setting)"
                } else {
                    ""
                }
            );
            label_box(
                &screen,
                &label,
                anchor,
                Side::Right,
                style::MET,
                bounds,
                &mut placed,
            )?;
        }
        None => {
            let text = "probability met stays below 0.9 over the swept range";
            let w = text_width(text, &font) as i32;
            screen.draw(&Text::new(
                text,
                ((bounds.0 + bounds.2 - w) / 2, bounds.1 + 10),
                font.color(&style::MISSED),
            ))?;
        }
    }
    // Points last, so no label hides them.
    for p in &points {
        if p.target.mean.is_finite() {
            let colour = Standing::of(p.target.mean, p.target.status).colour();
            chart.draw_series(std::iter::once(Circle::new(
                (p.lever, p.target.mean),
                6,
                colour.filled(),
            )))?;
        }
    }
    if points.iter().all(|p| !p.target.mean.is_finite()) {
        super::no_data_note(&chart, &screen, "no data at any swept value")?;
    }
    Ok(())
}

/// The last segment of a lever path, e.g. `amount_per_year`, for short labels.
fn short_lever(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}
