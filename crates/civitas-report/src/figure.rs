//! A figure to write: which plot, its file name, and how it is presented in the page;
//! rendered to PNG files and SVG text from the same drawing code.

use civitas_results::{BatchResult, SweepResult, TargetResult};
use civitas_scenario::Indicator;
use plotters::prelude::*;

use crate::ReportError;
use crate::plots::breakdown::{self, BreakdownBy};
use crate::plots::{
    DrawResult, Screen, compare, discovery, scorecard, sensitivity, sweep, sweep_map, timeseries,
};
use crate::sensitivity::{Sensitivity, TargetSensitivity};

/// Which part of the page a figure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Targets across scenarios.
    Targets,
    /// Indicators over time.
    Indicators,
    /// Small multiples by age band.
    ByBand,
    /// Small multiples by district.
    ByDistrict,
    /// Small multiples of the economy's indicators by sector.
    BySector,
    /// Small multiples of the economy's indicators by firm size band.
    BySize,
    /// Sweep results.
    Sweep,
    /// Sensitivity of each target to the uncertain parameters.
    Sensitivity,
    /// Scenario discovery: the ranges in which targets fail.
    Discovery,
}

/// What a figure draws.
#[derive(Debug, Clone, Copy)]
pub enum PlotKind<'a> {
    /// One indicator over time for the whole city.
    Indicator {
        /// The run.
        result: &'a BatchResult,
        /// The indicator drawn.
        indicator: Indicator,
    },
    /// Small multiples of one indicator.
    Breakdown {
        /// The run.
        result: &'a BatchResult,
        /// The indicator drawn.
        indicator: Indicator,
        /// Panels by age band or by district.
        by: BreakdownBy,
    },
    /// Targets × scenarios grid.
    Scorecard {
        /// One column per run.
        runs: &'a [BatchResult],
    },
    /// A target against one swept lever.
    Sweep {
        /// The run.
        result: &'a BatchResult,
        /// Its sweep.
        sweep: &'a SweepResult,
        /// Position of the lever in `sweep.levers`.
        lever: usize,
        /// The target whose per-point evaluations are drawn.
        target: &'a TargetResult,
    },
    /// A target over a two-lever sweep: its mean or its probability met at each point.
    SweepMap {
        /// The run.
        result: &'a BatchResult,
        /// Its sweep (two levers).
        sweep: &'a SweepResult,
        /// The target whose per-point evaluations are drawn.
        target: &'a TargetResult,
        /// Mean or probability met.
        what: sweep_map::MapValue,
    },
    /// One indicator, every run on shared axes.
    CompareSeries {
        /// The runs, one colour each.
        runs: &'a [BatchResult],
        /// The indicator drawn.
        indicator: Indicator,
    },
    /// Probability met per target and run.
    ProbabilityBars {
        /// One bar per run in each target group.
        runs: &'a [BatchResult],
    },
    /// Scenario discovery's coverage–density trade-off along PRIM's peeling path.
    PeelingTradeOff {
        /// The run, with its parameter draws.
        result: &'a BatchResult,
        /// The target whose failures are explained.
        target: &'a TargetResult,
        /// Least coverage of the box named.
        min_coverage: f64,
    },
    /// Sensitivity indices of one target, one bar per parameter.
    Tornado {
        /// The analysis.
        sensitivity: &'a Sensitivity,
        /// The target drawn.
        target: &'a TargetSensitivity,
    },
}

/// A figure with its file stem and page text.
#[derive(Debug, Clone)]
pub struct Figure<'a> {
    /// File name without extension, under `plots/`.
    pub stem: String,
    /// Heading in the page.
    pub title: String,
    /// One or two sentences on how to read it.
    pub caption: String,
    /// Page section.
    pub section: Section,
    /// The drawing.
    pub kind: PlotKind<'a>,
}

impl Figure<'_> {
    /// Size in pixels (PNG) and user units (SVG).
    pub fn size_px(&self) -> (u32, u32) {
        match self.kind {
            PlotKind::Indicator { .. } => timeseries::SIZE_PX,
            PlotKind::Breakdown {
                result,
                indicator,
                by,
            } => breakdown::size_px(result, indicator, by),
            PlotKind::Scorecard { runs } => scorecard::size_px(runs),
            PlotKind::Sweep { .. } => sweep::SIZE_PX,
            PlotKind::SweepMap { .. } => sweep_map::SIZE_PX,
            PlotKind::CompareSeries { .. } => compare::SERIES_SIZE_PX,
            PlotKind::ProbabilityBars { runs } => compare::bars_size_px(runs),
            PlotKind::Tornado { target, .. } => sensitivity::size_px(target),
            PlotKind::PeelingTradeOff { .. } => discovery::SIZE_PX,
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &Screen<DB>) -> DrawResult<DB> {
        match self.kind {
            PlotKind::Indicator { result, indicator } => timeseries::draw(area, result, indicator),
            PlotKind::Breakdown {
                result,
                indicator,
                by,
            } => breakdown::draw(area, result, indicator, by),
            PlotKind::Scorecard { runs } => scorecard::draw(area, runs),
            PlotKind::Sweep {
                result,
                sweep,
                lever,
                target,
            } => sweep::draw(area, result, sweep, lever, target),
            PlotKind::SweepMap {
                result,
                sweep,
                target,
                what,
            } => sweep_map::draw(area, result, sweep, target, what),
            PlotKind::CompareSeries { runs, indicator } => {
                compare::draw_series(area, runs, indicator)
            }
            PlotKind::ProbabilityBars { runs } => compare::draw_bars(area, runs),
            PlotKind::Tornado {
                sensitivity: s,
                target,
            } => sensitivity::draw(area, s, target),
            PlotKind::PeelingTradeOff {
                result,
                target,
                min_coverage,
            } => discovery::draw(area, result, target, min_coverage),
        }
    }

    fn draw_error(&self, e: impl std::fmt::Display) -> ReportError {
        ReportError::Draw {
            plot: self.stem.clone(),
            message: e.to_string(),
        }
    }

    /// The figure as SVG text.
    pub fn svg(&self) -> Result<String, ReportError> {
        crate::fonts::ensure_registered().map_err(ReportError::Font)?;
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, self.size_px()).into_drawing_area();
            self.draw(&root).map_err(|e| self.draw_error(e))?;
            root.present().map_err(|e| self.draw_error(e))?;
        }
        Ok(text)
    }

    /// The figure as PNG bytes. Drawn into memory and encoded here, so that writing the
    /// file is plain I/O whose failure (a full disk) reads as words, not as the image
    /// library's nested error values.
    pub fn png(&self) -> Result<Vec<u8>, ReportError> {
        crate::fonts::ensure_registered().map_err(ReportError::Font)?;
        let (width, height) = self.size_px();
        let mut pixels = vec![0u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
            self.draw(&root).map_err(|e| self.draw_error(e))?;
            root.present().map_err(|e| self.draw_error(e))?;
        }
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| self.draw_error(e))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| self.draw_error(e))?;
        writer.finish().map_err(|e| self.draw_error(e))?;
        Ok(bytes)
    }
}
