//! The embedded DejaVu font, registered once so text renders on machines without fonts.

use std::sync::OnceLock;

use plotters::style::{FontStyle, register_font};

use crate::style::FONT_FAMILY;

/// Registers DejaVu Sans (regular and bold) as the plot font family; later calls reuse
/// the first outcome. Returns a message when the embedded font cannot be read.
pub fn ensure_registered() -> Result<(), String> {
    static OUTCOME: OnceLock<Result<(), String>> = OnceLock::new();
    OUTCOME
        .get_or_init(|| {
            for (style, bytes) in [
                (FontStyle::Normal, dejavu::sans::regular()),
                (FontStyle::Bold, dejavu::sans::bold()),
            ] {
                register_font(FONT_FAMILY, style, bytes).map_err(|_| {
                    format!(
                        "the embedded DejaVu Sans {} font is invalid",
                        style.as_str()
                    )
                })?;
            }
            Ok(())
        })
        .clone()
}
