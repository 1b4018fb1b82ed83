//! Small multiples of one indicator by age band or by district on a shared value axis,
//! so the digital divide and the urban/rural gap show as panels at different heights; the
//! economy's indicators also by sector and by firm size band.

use std::collections::HashMap;

use civitas_results::{BatchResult, ScopeKey, SeriesSummary};
use civitas_scenario::{Band, Indicator, SizeBand, TickDate};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::{
    DrawResult, Layout, Look, Placed, Screen, Swatch, TITLE_BLOCK_PX, draw_mean_and_band,
    draw_target_markers, legend_height, no_data_note, split_legend, split_title, target_legend,
    target_x, thresholds, time_chart, time_range, value_range, xs,
};
use crate::format;
use crate::style::{MUTED, SERIES};

/// Figure width in pixels.
const WIDTH_PX: u32 = 1100;
/// Height of one row of panels, in pixels.
const PANEL_HEIGHT_PX: u32 = 300;
/// Panels per row for districts.
const DISTRICT_COLUMNS: usize = 4;

/// Which groups of residents the panels show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakdownBy {
    /// One panel per age band.
    Band,
    /// One panel per district.
    District,
    /// One panel per sector of the firms (`[economy]`).
    Sector,
    /// One panel per size band of the firms (`[economy]`).
    Size,
}

impl BreakdownBy {
    /// Word used in titles and file names.
    pub fn noun(self) -> &'static str {
        match self {
            BreakdownBy::Band => "band",
            BreakdownBy::District => "district",
            BreakdownBy::Sector => "sector",
            BreakdownBy::Size => "size band",
        }
    }
}

impl BreakdownBy {
    /// Word used in file names (`<indicator>_by_<stem>`).
    pub fn stem(self) -> &'static str {
        match self {
            BreakdownBy::Band => "band",
            BreakdownBy::District => "district",
            BreakdownBy::Sector => "sector",
            BreakdownBy::Size => "size",
        }
    }
}

/// Scope labels of the panels, in the scenario's order.
pub fn scopes(result: &BatchResult, by: BreakdownBy) -> Vec<ScopeKey> {
    match by {
        BreakdownBy::Band => Band::ALL.iter().map(|&b| ScopeKey::Band(b)).collect(),
        BreakdownBy::District => result
            .scenario
            .population
            .districts
            .iter()
            .map(|d| ScopeKey::District(d.name.clone()))
            .collect(),
        BreakdownBy::Sector => result
            .scenario
            .economy
            .iter()
            .flat_map(|e| &e.sectors)
            .map(|s| ScopeKey::Sector(s.name.clone()))
            .collect(),
        BreakdownBy::Size => SizeBand::ALL
            .into_iter()
            .filter(|&z| {
                result
                    .scenario
                    .economy
                    .as_ref()
                    .is_some_and(|e| e.firms.iter().any(|f| f.size == z))
            })
            .map(ScopeKey::Size)
            .collect(),
    }
}

/// The series of one indicator by scope, gathered in one pass. `BatchResult::series` scans
/// every series of the run, and a breakdown asks for every district's: with 1,000
/// districts those scans took 36 % of a whole run (`perf`), growing with the square of the
/// districts.
struct ByScope<'a>(HashMap<&'a ScopeKey, &'a SeriesSummary>);

impl<'a> ByScope<'a> {
    fn new(result: &'a BatchResult, indicator: Indicator) -> Self {
        let mut map = HashMap::new();
        for s in result.series.iter().filter(|s| s.indicator == indicator) {
            // The first of equal keys, as `BatchResult::series` finds it.
            map.entry(&s.scope).or_insert(s);
        }
        Self(map)
    }

    fn get(&self, scope: &ScopeKey) -> Option<&'a SeriesSummary> {
        self.0.get(scope).copied()
    }
}

/// Whether any panel would show a value: breakdowns of indicators the run did not
/// produce per group are left out rather than drawn empty.
pub fn has_data(result: &BatchResult, indicator: Indicator, by: BreakdownBy) -> bool {
    let series = ByScope::new(result, indicator);
    scopes(result, by).iter().any(|scope| {
        series
            .get(scope)
            .is_some_and(|s| s.mean.iter().any(|v| v.is_finite()))
    })
}

/// Most districts a figure draws as panels. One panel per district made 3,000 districts a
/// figure 225,000 pixels tall (740 MB as a bitmap while drawing, 1.8 GB of plots and a
/// 782 MB report in all) that nobody could read; past this many, the panels show the
/// districts that stand out, and every district stays in `summary.csv`.
pub const MAX_DISTRICT_PANELS: usize = 24;

/// The groups a breakdown draws, in panel order, out of how many groups there are.
#[derive(Debug, Clone, PartialEq)]
pub struct Panels {
    /// The groups drawn, one panel each.
    pub scopes: Vec<ScopeKey>,
    /// How many groups there are (more than drawn when the districts are too many).
    pub of: usize,
    /// Whether a group with a target of the indicator was kept for that reason.
    pub targeted: bool,
}

/// The mean of `series` over the run's last calendar year (the finite per-tick means of
/// its ticks on `dates`): what ranks the districts, steadier than the last tick alone,
/// which in a small district is mostly noise.
fn final_year_mean(dates: &[TickDate], series: &SeriesSummary) -> Option<f64> {
    let year = dates.last()?.year;
    let (sum, n) = dates
        .iter()
        .zip(&series.mean)
        .filter(|(d, v)| d.year == year && v.is_finite())
        .fold((0.0, 0usize), |(sum, n), (_, &v)| (sum + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The groups drawn for `indicator`: every band, and every district up to
/// [`MAX_DISTRICT_PANELS`] in the scenario's order. Past that, the districts with a target of
/// the indicator, then the lowest and highest by their mean over the run's last calendar
/// year (steadier than the last tick alone, which in a small district is mostly noise),
/// taken in turn from both ends, drawn from lowest to highest (those with no value last).
pub fn panels(result: &BatchResult, indicator: Indicator, by: BreakdownBy) -> Panels {
    let all = scopes(result, by);
    let of = all.len();
    if by != BreakdownBy::District || of <= MAX_DISTRICT_PANELS {
        return Panels {
            scopes: all,
            of,
            targeted: false,
        };
    }
    let series = ByScope::new(result, indicator);
    let last = |scope: &ScopeKey| {
        series
            .get(scope)
            .and_then(|s| final_year_mean(&result.dates, s))
    };
    let mut keep = vec![false; of];
    let mut kept = 0;
    for (i, scope) in all.iter().enumerate() {
        let has_target = result
            .targets
            .iter()
            .any(|t| t.indicator == indicator && &t.scope == scope);
        if has_target && kept < MAX_DISTRICT_PANELS {
            keep[i] = true;
            kept += 1;
        }
    }
    let targeted = kept > 0;
    let mut ranked: Vec<(f64, usize)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, scope)| last(scope).map(|v| (v, i)))
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut low, mut high, mut from_low) = (0, ranked.len(), true);
    while kept < MAX_DISTRICT_PANELS && low < high {
        let i = if from_low {
            low += 1;
            ranked[low - 1].1
        } else {
            high -= 1;
            ranked[high].1
        };
        from_low = !from_low;
        if !keep[i] {
            keep[i] = true;
            kept += 1;
        }
    }
    // Districts with no value at all fill what is left, in the scenario's order.
    for k in keep.iter_mut() {
        if kept < MAX_DISTRICT_PANELS && !*k {
            *k = true;
            kept += 1;
        }
    }
    let mut order: Vec<usize> = ranked.iter().map(|&(_, i)| i).collect();
    let mut valued = vec![false; of];
    for &i in &order {
        valued[i] = true;
    }
    order.extend((0..of).filter(|&i| !valued[i]));
    Panels {
        scopes: order
            .into_iter()
            .filter(|&i| keep[i])
            .map(|i| all[i].clone())
            .collect(),
        of,
        targeted,
    }
}

/// What the panels of `indicator` show, for the figure's caption: one per group, or which
/// districts out of how many.
pub fn panels_note(result: &BatchResult, indicator: Indicator, by: BreakdownBy) -> String {
    panels(result, indicator, by).note(result, by)
}

impl Panels {
    /// Whether only some of the groups are drawn.
    pub fn selected(&self) -> bool {
        self.scopes.len() < self.of
    }

    /// What these panels show (see [`panels_note`]).
    fn note(&self, result: &BatchResult, by: BreakdownBy) -> String {
        if !self.selected() {
            return format!("One panel per {}", by.noun());
        }
        let last = result
            .dates
            .last()
            .map(|d| format!(" over {}", d.year))
            .unwrap_or_default();
        format!(
            "{} of the {} districts: {}the lowest and highest{last}, drawn from lowest to \
             highest (every district is in summary.csv)",
            self.scopes.len(),
            format::thousands(self.of as f64),
            if self.targeted {
                "those with a target, then "
            } else {
                ""
            },
        )
    }
}

fn grid(panels: &Panels, by: BreakdownBy) -> (usize, usize) {
    let n = panels.scopes.len().max(1);
    match by {
        BreakdownBy::Band | BreakdownBy::Size => (1, n),
        BreakdownBy::District | BreakdownBy::Sector => {
            (n.div_ceil(DISTRICT_COLUMNS), n.min(DISTRICT_COLUMNS))
        }
    }
}

fn legend(result: &BatchResult, indicator: Indicator, panels: &Panels) -> Vec<(Swatch, String)> {
    let mut items = vec![
        (Swatch::Line(SERIES), "group mean".to_string()),
        (Swatch::Band(SERIES), "p5–p95".to_string()),
    ];
    // A total's city value is the sum of the panels, not a level to compare them with:
    // it has its own figure (the indicator's time series), on its own axis.
    if !indicator.is_total() {
        items.push((Swatch::Dashed(MUTED), "whole-city mean".to_string()));
    }
    items.extend(target_legend(result.targets.iter().filter(|t| {
        t.indicator == indicator && panels.scopes.contains(&t.scope)
    })));
    items
}

/// Figure size in pixels.
pub fn size_px(result: &BatchResult, indicator: Indicator, by: BreakdownBy) -> (u32, u32) {
    let panels = panels(result, indicator, by);
    let (rows, _) = grid(&panels, by);
    let legend = legend_height(&legend(result, indicator, &panels), WIDTH_PX);
    (
        WIDTH_PX,
        TITLE_BLOCK_PX + rows as u32 * PANEL_HEIGHT_PX + legend + 8,
    )
}

/// Draws the figure.
pub fn draw<DB: DrawingBackend>(
    area: &Screen<DB>,
    result: &BatchResult,
    indicator: Indicator,
    by: BreakdownBy,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let meta = indicator.meta();
    let currency = &result.scenario.scenario.currency;
    let title = format!("{} by {}", meta.title, by.noun());
    let panels = panels(result, indicator, by);
    // A total's parts add up to the city's value, which has its own figure and axis.
    let parts = if indicator.is_total() {
        ", which add up to the city total"
    } else {
        ""
    };
    let mut subtitle = format!(
        "Mean and p5–p95 across {} replicates per {}{parts}; shared axis in {}; dashed verticals: target years.",
        result.manifest.replicates,
        by.noun(),
        format::axis_title(indicator, currency),
    );
    if panels.selected() {
        subtitle = format!("{}. {subtitle}", panels.note(result, by));
    }
    let area = split_title(area, &title, &subtitle)?;
    let area = split_legend(&area, &legend(result, indicator, &panels))?;
    let area = area.margin(0, 8, 0, 0);

    let scopes = &panels.scopes;
    let series = ByScope::new(result, indicator);
    let mut values = Vec::new();
    for scope in scopes {
        if let Some(s) = series.get(scope) {
            values.extend(s.p5.iter().chain(&s.p95).chain(&s.mean).copied());
        }
        values.extend(thresholds(
            result
                .targets
                .iter()
                .filter(|t| t.indicator == indicator && &t.scope == scope),
        ));
    }
    let y = value_range(indicator, values);
    let xs = xs(result);
    let city = series
        .get(&ScopeKey::City)
        .filter(|_| !indicator.is_total());
    let (_, cols) = grid(&panels, by);
    let mut years: Vec<i32> = result.targets.iter().map(|t| t.year).collect();
    years.sort_unstable();
    years.dedup();

    for (i, (panel, scope)) in area
        .split_evenly(grid(&panels, by))
        .iter()
        .zip(scopes)
        .enumerate()
    {
        let caption = format::scope(&result.scenario, scope);
        let first_column = i % cols == 0;
        let mut chart = time_chart(
            panel,
            time_range(result),
            y.clone(),
            indicator,
            currency,
            Layout {
                caption: Some(&caption),
                y_title: first_column,
                compact: true,
            },
        )?;
        for &year in &years {
            let x = target_x(&result.dates, year);
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(x, y.start), (x, y.end)],
                5,
                5,
                MUTED.mix(0.7).stroke_width(1),
            )))?;
        }
        if let Some(c) = city {
            let runs = super::finite_runs(xs.len(), &[&c.mean]);
            for run in runs {
                chart.draw_series(std::iter::once(DashedPathElement::new(
                    run.map(|i| (xs[i], c.mean[i])).collect::<Vec<_>>(),
                    6,
                    4,
                    MUTED.stroke_width(2),
                )))?;
            }
        }
        let drawn = match series.get(scope) {
            Some(s) => draw_mean_and_band(&mut chart, &xs, s.into(), Look::panel(SERIES))?,
            None => false,
        };
        let screen = panel.use_screen_coord();
        if !drawn {
            no_data_note(&chart, &screen, "no data")?;
        }
        let targets: Vec<_> = result
            .targets
            .iter()
            .filter(|t| t.indicator == indicator && &t.scope == scope)
            .collect();
        draw_target_markers(
            &chart,
            &screen,
            &result.dates,
            series.get(scope),
            &targets,
            currency,
            false,
            &mut Placed::default(),
        )?;
    }
    Ok(())
}
