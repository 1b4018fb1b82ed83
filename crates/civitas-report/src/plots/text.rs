//! Text on figures: measuring it, shortening it to fit, and the title block.

use plotters::prelude::*;

use super::Screen;
use crate::style::{self, INK, MUTED, SMALL_SIZE_PX};

/// Height of the title block at the top of every figure, in pixels.
pub const TITLE_BLOCK_PX: u32 = 80;

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
