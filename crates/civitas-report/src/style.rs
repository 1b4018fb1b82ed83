//! Colours, fonts and sizes shared by every plot, so the images and the HTML page agree.

use civitas_results::TargetStatus;
use plotters::style::{FontDesc, FontFamily, FontStyle, IntoFont, RGBColor};

/// The embedded font family every text is drawn with (registered in [`crate::fonts`]).
pub const FONT_FAMILY: &str = "sans-serif";

// plotters draws glyphs at size / 1.24 pixels per em, so these are a little larger
// than the text they produce.
/// Text of figure titles, in plotters size units.
pub const TITLE_SIZE_PX: f64 = 28.0;
/// Text of panel titles, axis titles and legends, in plotters size units.
pub const LABEL_SIZE_PX: f64 = 18.0;
/// Text of tick labels and marker labels, in plotters size units.
pub const SMALL_SIZE_PX: f64 = 16.0;

/// Near-black used for text and axes.
pub const INK: RGBColor = RGBColor(33, 37, 41);
/// Grey for secondary text and guides.
pub const MUTED: RGBColor = RGBColor(108, 117, 125);
/// Light grey of the grid.
pub const GRID: RGBColor = RGBColor(225, 228, 232);
/// Colour of a single scenario's mean line and band.
pub const SERIES: RGBColor = RGBColor(0, 114, 178);
/// [`SERIES`] at 30 % on white: the lighter of two bars drawn one over the other.
pub const SERIES_LIGHT: RGBColor = RGBColor(179, 213, 232);

/// Status colours, also used by the HTML page (keep in sync with [`status_hex`]).
pub const MET: RGBColor = RGBColor(46, 125, 50);
/// Amber for targets at risk.
pub const AT_RISK: RGBColor = RGBColor(230, 145, 0);
/// Red for targets missed.
pub const MISSED: RGBColor = RGBColor(198, 40, 40);
/// Grey for targets without data.
pub const NO_DATA: RGBColor = RGBColor(158, 158, 158);

/// Scenario colours for comparisons (Okabe–Ito, readable with colour-vision deficiency).
pub const SCENARIO_PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
    RGBColor(80, 80, 80),
];

/// Colour of the `i`-th scenario of a comparison.
pub fn scenario_colour(i: usize) -> RGBColor {
    SCENARIO_PALETTE[i % SCENARIO_PALETTE.len()]
}

/// How a target stands, including "no data" for an indicator the run did not produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A status computed from replicate values.
    Status(TargetStatus),
    /// No replicate produced a value for the target year.
    NoData,
}

impl Standing {
    /// Standing of a target from its mean value and status.
    pub fn of(mean: f64, status: TargetStatus) -> Self {
        if mean.is_finite() && status != TargetStatus::NoData {
            Standing::Status(status)
        } else {
            Standing::NoData
        }
    }

    /// Words for labels: "met", "at risk", "missed", "no data".
    pub fn words(self) -> &'static str {
        match self {
            Standing::Status(TargetStatus::Met) => "met",
            Standing::Status(TargetStatus::AtRisk) => "at risk",
            Standing::Status(TargetStatus::Missed) => "missed",
            Standing::Status(TargetStatus::NoData) | Standing::NoData => "no data",
        }
    }

    /// CSS class and identifier: `met`, `at_risk`, `missed`, `no_data`.
    pub fn css_class(self) -> &'static str {
        match self {
            Standing::Status(s) => s.label(),
            Standing::NoData => "no_data",
        }
    }

    /// Colour of the standing.
    pub fn colour(self) -> RGBColor {
        match self {
            Standing::Status(TargetStatus::Met) => MET,
            Standing::Status(TargetStatus::AtRisk) => AT_RISK,
            Standing::Status(TargetStatus::Missed) => MISSED,
            Standing::Status(TargetStatus::NoData) | Standing::NoData => NO_DATA,
        }
    }
}

/// `#rrggbb` of a colour, for the HTML page.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// `#rrggbb` of a standing's colour.
pub fn status_hex(s: Standing) -> String {
    hex(s.colour())
}

/// The regular font at `size_px`.
pub fn font(size_px: f64) -> FontDesc<'static> {
    (FONT_FAMILY, size_px).into_font()
}

/// The bold font at `size_px`. Built with the style up front: `FontDesc::style` keeps
/// the regular face's glyphs.
pub fn bold(size_px: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT_FAMILY), size_px, FontStyle::Bold)
}
