//! Legends below the chart: swatches and their labels, wrapped into balanced rows.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::marks::triangle;
use super::text::text_width;
use super::{DrawResult, Screen};
use crate::style::{self, INK, LABEL_SIZE_PX};

/// Height of one legend row, in pixels.
const LEGEND_ROW_PX: u32 = 30;

/// Room between legend items, in pixels.
const LEGEND_GAP_PX: u32 = 22;

/// Width of a legend swatch, in pixels.
const SWATCH_PX: i32 = 26;

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
