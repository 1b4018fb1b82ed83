//! Tornado charts of a sensitivity analysis: for one target, one bar per uncertain
//! parameter, most influential on top — Sobol first-order inside total index, or Morris
//! μ* with σ behind it.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, Screen, Swatch, fit_text, split_legend, split_title, text_width};
use crate::format;
use crate::sensitivity::{Method, Sensitivity, TargetSensitivity};
use crate::style::{self, GRID, INK, LABEL_SIZE_PX, MUTED, SERIES, SERIES_LIGHT, SMALL_SIZE_PX};

/// Width of a tornado figure, in pixels.
const WIDTH_PX: u32 = 1100;
/// Height of one parameter's bar row.
const ROW_PX: u32 = 34;
/// Width of the bar scale.
const SCALE_PX: u32 = 560;
/// At most this many parameters are drawn; the rest are counted below the chart.
pub const MAX_BARS: usize = 12;

/// Size of the tornado of `target`, in pixels.
pub fn size_px(target: &TargetSensitivity) -> (u32, u32) {
    let rows = target.primary.len().min(MAX_BARS) as u32;
    (WIDTH_PX, 80 + 60 + rows * ROW_PX + 70 + 40)
}

/// The legend: what the dark and the light bar mean for `method`, and the whiskers when
/// the indices have intervals.
fn legend(method: Method, intervals: bool) -> Vec<(Swatch, String)> {
    let mut items = bars_legend(method);
    if intervals {
        items.push((Swatch::Line(INK), "90 % interval".to_string()));
    }
    items
}

fn bars_legend(method: Method) -> Vec<(Swatch, String)> {
    match method {
        Method::Sobol => vec![
            (
                Swatch::Block(SERIES),
                "first-order index (alone)".to_string(),
            ),
            (
                Swatch::Block(SERIES_LIGHT),
                "total index (with interactions)".to_string(),
            ),
        ],
        Method::Morris => vec![
            (
                Swatch::Block(SERIES),
                "μ* (mean absolute effect)".to_string(),
            ),
            (
                Swatch::Block(SERIES_LIGHT),
                "σ (spread: interactions, non-linearity)".to_string(),
            ),
        ],
    }
}

/// Draws the tornado of target `t` of `s`.
pub fn draw<DB: DrawingBackend>(
    area: &Screen<DB>,
    s: &Sensitivity,
    t: &TargetSensitivity,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let subtitle = match s.method {
        Method::Sobol => "Share of the target's variance due to each uncertain parameter.",
        Method::Morris => "Effect on the target of moving each parameter across its prior.",
    };
    let area = split_title(area, &format!("What drives {}", t.title), subtitle)?;
    let area = split_legend(&area, &legend(s.method, t.intervals.is_some()))?;
    let order = t.order(s.method);
    let shown = &order[..order.len().min(MAX_BARS)];
    let name_font = style::font(LABEL_SIZE_PX);
    let small = style::font(SMALL_SIZE_PX);
    let name_px = WIDTH_PX - SCALE_PX - 160;
    let x0 = 20 + name_px as i32;
    let top = 16;
    let bottom = top + (shown.len() as u32 * ROW_PX) as i32;
    let max = match s.method {
        Method::Sobol => 1.0,
        Method::Morris => shown
            .iter()
            .map(|&i| t.primary[i].max(t.secondary[i]))
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max)
            .max(f64::MIN_POSITIVE),
    };
    let px = |v: f64| x0 + ((v / max).clamp(0.0, 1.0) * SCALE_PX as f64).round() as i32;
    for k in 0..=5 {
        let v = max * k as f64 / 5.0;
        let x = px(v);
        area.draw(&PathElement::new(
            vec![(x, top), (x, bottom)],
            GRID.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            crate::format::number_tick(v, max),
            (x, bottom + 6),
            small.color(&INK).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    let axis = match s.method {
        Method::Sobol => "Sobol index",
        Method::Morris => "elementary effect (target units)",
    };
    area.draw(&Text::new(
        axis,
        ((px(0.0) + px(max)) / 2, bottom + 28),
        name_font.color(&INK).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    for (row, &i) in shown.iter().enumerate() {
        let y0 = top + (row as u32 * ROW_PX) as i32 + 4;
        let y1 = y0 + ROW_PX as i32 - 8;
        let mid = (y0 + y1) / 2;
        area.draw(&Text::new(
            fit_text(
                &format::lever_title(&s.parameters[i], ""),
                &small,
                name_px - 12,
            ),
            (20, mid),
            small.color(&INK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        let (p, q) = (t.primary[i], t.secondary[i]);
        if q.is_finite() {
            area.draw(&Rectangle::new(
                [(px(0.0), y0), (px(q).max(px(0.0) + 1), y1)],
                SERIES_LIGHT.filled(),
            ))?;
        }
        if p.is_finite() {
            let inset = (ROW_PX as i32 - 8) / 4;
            area.draw(&Rectangle::new(
                [(px(0.0), y0 + inset), (px(p).max(px(0.0) + 1), y1 - inset)],
                SERIES.filled(),
            ))?;
        }
        // Each index's interval as a whisker across its bar: the total's near the top
        // edge of the row, the first-order's through the middle.
        let mut reach = p.max(q).max(0.0);
        if let Some(ci) = t.intervals.as_ref().and_then(|c| c.get(i)) {
            for (k, y) in [(1, y0 + 3), (0, mid)] {
                let (lo, hi) = ci[k];
                if lo.is_finite() && hi.is_finite() {
                    area.draw(&PathElement::new(
                        vec![(px(lo.max(0.0)), y), (px(hi), y)],
                        INK.stroke_width(2),
                    ))?;
                    for x in [px(lo.max(0.0)), px(hi)] {
                        area.draw(&PathElement::new(
                            vec![(x, y - 3), (x, y + 3)],
                            INK.stroke_width(1),
                        ))?;
                    }
                    reach = reach.max(hi.min(max));
                }
            }
        }
        let label = format!(
            "{} / {}",
            crate::format::significant(p),
            crate::format::significant(q)
        );
        let right = px(reach) + 8;
        area.draw(&Text::new(
            label,
            (right, mid),
            small.color(&MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    area.draw(&PathElement::new(
        vec![(px(0.0), top), (px(0.0), bottom)],
        INK.stroke_width(1),
    ))?;
    if order.len() > shown.len() {
        let note = format!(
            "{} more parameters with smaller effects are in sensitivity.csv",
            order.len() - shown.len()
        );
        let w = text_width(&note, &small) as i32;
        area.draw(&Text::new(
            note,
            (x0 + SCALE_PX as i32 - w, bottom + 56),
            small.color(&MUTED),
        ))?;
    }
    Ok(())
}
