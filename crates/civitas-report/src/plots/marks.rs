//! Marks drawn over a chart: target triangles, and boxed labels that move out of each
//! other's way.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::text::text_width;
use super::{DrawResult, Screen};
use crate::style::{self, INK, SMALL_SIZE_PX};

/// Half the size of a target triangle, in pixels.
pub const TRIANGLE_HALF_PX: i32 = 8;

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

    /// The rectangles taken so far, in the order they were taken.
    pub fn rects(&self) -> &[PixelRect] {
        &self.0
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
