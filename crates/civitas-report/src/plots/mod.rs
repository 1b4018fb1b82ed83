//! The plot kinds, and the drawing pieces they share, one concern per module: `text`
//! (measuring, shortening, the title block), `legend` (swatches in balanced rows below the
//! chart), `marks` (direction triangles, boxed labels that avoid each other), `axes` (time
//! and value ranges, the styled time chart), `series` (gap-aware mean lines and bands) and
//! `targets` (year guides, target markers with verdicts, their legend entries). The pieces
//! are re-exported here, so a plot kind imports them from `super`.
//!
//! Every plot draws on a generic plotters backend so the same code writes PNG and SVG.

pub mod breakdown;
pub mod compare;
pub mod discovery;
pub mod scorecard;
pub mod sensitivity;
pub mod sweep;
pub mod sweep_map;
pub mod timeseries;

// The pieces the plot kinds share, one concern per module, re-exported here.
mod axes;
mod legend;
mod marks;
mod series;
mod targets;
mod text;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

pub use axes::{
    Layout, house_mesh, plot_bounds, thresholds, time_chart, time_range, value_range, xs,
};
pub use legend::{Swatch, legend_height, split_legend};
pub use marks::{PixelRect, Placed, Side, TRIANGLE_HALF_PX, label_box, triangle};
pub use series::{Look, Stats, draw_mean_and_band, finite_runs, no_data_note};
pub use targets::{
    draw_target_markers, marker_label, target_legend, target_x, year_guide, year_guides,
};
pub use text::{TITLE_BLOCK_PX, fit_text, split_title, text_width};

/// Result of drawing on backend `DB`.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
/// A drawing area in pixels.
pub type Screen<DB> = DrawingArea<DB, Shift>;
/// A chart over two real axes.
pub type RealChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
