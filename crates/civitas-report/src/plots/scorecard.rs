//! The target scorecard: one row per target, one column per scenario, each cell coloured
//! by the probability that the target is met and printing it.

use civitas_results::{BatchResult, TargetResult};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    DrawResult, Screen, Swatch, TITLE_BLOCK_PX, fit_text, legend_height, split_legend, split_title,
    text_width,
};
use crate::format;
use crate::style::{self, INK, LABEL_SIZE_PX, SMALL_SIZE_PX, Standing};

/// Width of one scenario column, in pixels.
const CELL_WIDTH_PX: u32 = 170;
/// Height of one target row, in pixels.
const ROW_HEIGHT_PX: u32 = 34;
/// Height of the scenario header row, in pixels.
const HEADER_HEIGHT_PX: u32 = 40;
/// Left and right page margin, in pixels.
const MARGIN_PX: u32 = 20;
/// Narrowest figure, so the title and legend fit, in pixels.
const MIN_WIDTH_PX: u32 = 760;

/// Whether two target evaluations are the same target (so runs can be lined up).
pub fn same_target(a: &TargetResult, b: &TargetResult) -> bool {
    a.label == b.label && a.scope == b.scope && a.year == b.year && a.indicator == b.indicator
}

/// Every distinct target of `runs`, ordered by year, then as first declared.
pub fn target_rows(runs: &[BatchResult]) -> Vec<&TargetResult> {
    let mut rows: Vec<&TargetResult> = Vec::new();
    for run in runs {
        for t in &run.targets {
            if !rows.iter().any(|r| same_target(r, t)) {
                rows.push(t);
            }
        }
    }
    rows.sort_by_key(|t| t.year);
    rows
}

/// The evaluation of `target` in `run`, if that run has the target.
pub fn find<'a>(run: &'a BatchResult, target: &TargetResult) -> Option<&'a TargetResult> {
    run.targets.iter().find(|t| same_target(t, target))
}

fn legend() -> Vec<(Swatch, String)> {
    vec![
        (
            Swatch::Block(style::MET),
            format!("met: p ≥ {}", civitas_results::MET_PROBABILITY),
        ),
        (Swatch::Block(style::AT_RISK), "at risk".to_string()),
        (
            Swatch::Block(style::MISSED),
            format!("missed: p ≤ {}", civitas_results::MISSED_PROBABILITY),
        ),
        (Swatch::Block(style::NO_DATA), "no data".to_string()),
    ]
}

fn name_column_px(runs: &[BatchResult]) -> u32 {
    let font = style::font(LABEL_SIZE_PX);
    let scenario = runs.first().map(|r| &r.scenario);
    target_rows(runs)
        .iter()
        .filter_map(|t| scenario.map(|s| text_width(&format::target_title(s, t), &font)))
        .max()
        .unwrap_or(200)
        .max(200)
        + 24
}

/// Figure size in pixels.
pub fn size_px(runs: &[BatchResult]) -> (u32, u32) {
    let width = (2 * MARGIN_PX + name_column_px(runs) + runs.len() as u32 * CELL_WIDTH_PX)
        .max(MIN_WIDTH_PX);
    let rows = target_rows(runs).len().max(1) as u32;
    let height = TITLE_BLOCK_PX
        + HEADER_HEIGHT_PX
        + rows * ROW_HEIGHT_PX
        + legend_height(&legend(), width)
        + 16;
    (width, height)
}

/// Draws the figure.
pub fn draw<DB: DrawingBackend>(area: &Screen<DB>, runs: &[BatchResult]) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let area = split_title(
        area,
        "Target scorecard",
        "Probability that each target is met across replicates (share of replicates meeting it).",
    )?;
    let area = split_legend(&area, &legend())?;
    let rows = target_rows(runs);
    let Some(first) = runs.first() else {
        return Ok(());
    };
    let name_px = name_column_px(runs) as i32;
    let x_cells = MARGIN_PX as i32 + name_px;
    let cell_w = CELL_WIDTH_PX as i32;
    let header_font = style::bold(LABEL_SIZE_PX);
    let name_font = style::font(LABEL_SIZE_PX);
    let cell_font = style::bold(SMALL_SIZE_PX);
    let centre = Pos::new(HPos::Center, VPos::Center);

    area.draw(&Text::new(
        "target (threshold, year, group)",
        (MARGIN_PX as i32, HEADER_HEIGHT_PX as i32 / 2),
        header_font
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    for (c, run) in runs.iter().enumerate() {
        let name = fit_text(
            &run.scenario.scenario.name,
            &header_font,
            CELL_WIDTH_PX - 10,
        );
        let x = x_cells + c as i32 * cell_w + cell_w / 2;
        area.draw(&Text::new(
            name,
            (x, HEADER_HEIGHT_PX as i32 / 2),
            header_font.color(&INK).pos(centre),
        ))?;
    }
    if rows.is_empty() {
        return area.draw(&Text::new(
            "The scenario declares no targets.",
            (MARGIN_PX as i32, HEADER_HEIGHT_PX as i32 + 20),
            name_font.color(&style::MUTED),
        ));
    }
    for (r, target) in rows.iter().enumerate() {
        let y0 = (HEADER_HEIGHT_PX + r as u32 * ROW_HEIGHT_PX) as i32;
        let y_mid = y0 + ROW_HEIGHT_PX as i32 / 2;
        if r % 2 == 0 {
            let right = x_cells + runs.len() as i32 * cell_w;
            area.draw(&Rectangle::new(
                [
                    (MARGIN_PX as i32 - 6, y0),
                    (right, y0 + ROW_HEIGHT_PX as i32),
                ],
                RGBColor(246, 247, 249).filled(),
            ))?;
        }
        if r > 0 && rows[r - 1].year != target.year {
            let right = x_cells + runs.len() as i32 * cell_w;
            area.draw(&PathElement::new(
                vec![(MARGIN_PX as i32 - 6, y0), (right, y0)],
                INK.stroke_width(2),
            ))?;
        }
        let name = fit_text(
            &format::target_title(&first.scenario, target),
            &name_font,
            name_px as u32 - 12,
        );
        area.draw(&Text::new(
            name,
            (MARGIN_PX as i32, y_mid),
            name_font
                .color(&INK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        for (c, run) in runs.iter().enumerate() {
            let x0 = x_cells + c as i32 * cell_w;
            let (standing, text) = match find(run, target) {
                Some(t) => {
                    let s = Standing::of(t.mean, t.status);
                    let text = match s {
                        Standing::NoData => "no data".to_string(),
                        s => format!(
                            "p={}  {}",
                            format::probability(t.probability_met),
                            s.words()
                        ),
                    };
                    (s, text)
                }
                None => (Standing::NoData, "not set".to_string()),
            };
            let fill = standing.colour();
            area.draw(&Rectangle::new(
                [
                    (x0 + 3, y0 + 3),
                    (x0 + cell_w - 3, y0 + ROW_HEIGHT_PX as i32 - 3),
                ],
                fill.filled(),
            ))?;
            let ink = if standing == Standing::Status(civitas_results::TargetStatus::AtRisk) {
                INK
            } else {
                WHITE
            };
            area.draw(&Text::new(
                text,
                (x0 + cell_w / 2, y_mid),
                cell_font.color(&ink).pos(centre),
            ))?;
        }
    }
    Ok(())
}
