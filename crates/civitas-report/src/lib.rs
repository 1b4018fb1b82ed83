//! Plots and the HTML report of a finished Civitas batch: how each indicator moves
//! against the city's 2027 and 2030 targets, and how likely each target is to be met.
//!
//! The report reads a [`BatchResult`] (never runs a simulation, never reads CSV) and
//! writes `plots/` (PNG and SVG as `outputs.formats` asks) and a self-contained
//! `report.html`. Text is drawn with an embedded DejaVu font, so images render the same
//! on machines without system fonts, and the same result gives byte-identical files.
//!
//! ```no_run
//! # fn demo(result: &civitas_results::BatchResult) -> Result<(), civitas_report::ReportError> {
//! use civitas_report::Report;
//! let files = Report::write(result, std::path::Path::new("outputs/baseline"))?;
//! println!("{} plots, report at {:?}", files.plots.len(), files.html);
//! # Ok(()) }
//! ```
//!
//! Main types: [`Report`] (the two entry points), [`ReportFiles`], [`ReportError`].
//! Plot kinds live in [`plots`]; page assembly in `html`.

#![forbid(unsafe_code)]

pub mod calibration;
pub mod discovery;
pub mod figure;
pub mod fonts;
pub mod format;
mod html;
pub mod optimize;
pub mod plots;
pub mod sensitivity;
pub mod style;

use std::path::{Path, PathBuf};

use civitas_results::BatchResult;
use civitas_scenario::{Indicator, PlotFormat};

use figure::{Figure, PlotKind, Section};
use plots::breakdown::{self, BreakdownBy};

/// Writes plots and report pages for results.
#[derive(Debug, Clone, Copy, Default)]
pub struct Report;

/// The files a report wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFiles {
    /// Every image written under `plots/`, in page order (PNG before SVG per figure).
    pub plots: Vec<PathBuf>,
    /// `report.html`, when written.
    pub html: Option<PathBuf>,
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or directory could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file or folder was refused (a link in the way) or could not be written.
    #[error("cannot write {0}")]
    File(#[from] civitas_results::owned::FileError),
    /// Drawing a plot failed.
    #[error("cannot draw plot {plot}: {message}")]
    Draw {
        /// File stem of the plot.
        plot: String,
        /// What went wrong.
        message: String,
    },
    /// The embedded font could not be loaded.
    #[error("cannot load the plot font: {0}")]
    Font(String),
    /// `compare` was given no results.
    #[error("nothing to compare: give at least one finished run")]
    NothingToCompare,
}

impl Report {
    /// Writes `plots/` and (when `outputs.html`) `report.html` for one run into `out_dir`.
    ///
    /// Plots: the target scorecard, each indicator in `outputs.plots` (all when empty)
    /// over time, breakdowns by age band and district where the run has them, and for
    /// sweeps each target against each swept lever.
    pub fn write(result: &BatchResult, out_dir: &Path) -> Result<ReportFiles, ReportError> {
        let figures = run_figures(result);
        let outputs = &result.scenario.outputs;
        let (plots, rendered) = write_figures(&figures, out_dir, &outputs.formats, outputs.html)?;
        let html = if outputs.html {
            let path = out_dir.join("report.html");
            write_file(&path, html::run_page(result, &rendered).as_bytes())?;
            Some(path)
        } else {
            None
        };
        Ok(ReportFiles { plots, html })
    }

    /// Writes comparison plots and `report.html` for several runs into `out_dir`: each
    /// indicator with one line and band per run on shared axes, the scorecard with one
    /// column per run, and the probability met per target and run. Image formats and the
    /// indicator selection follow the first run's `[outputs]`.
    pub fn compare(results: &[BatchResult], out_dir: &Path) -> Result<ReportFiles, ReportError> {
        let first = results.first().ok_or(ReportError::NothingToCompare)?;
        let figures = compare_figures(results);
        let (plots, rendered) =
            write_figures(&figures, out_dir, &first.scenario.outputs.formats, true)?;
        let path = out_dir.join("report.html");
        write_file(&path, html::compare_page(results, &rendered).as_bytes())?;
        Ok(ReportFiles {
            plots,
            html: Some(path),
        })
    }
}

impl Report {
    /// Writes the tornado charts and `report.html` of a sensitivity analysis into
    /// `out_dir` (the analysis' sweep directory): one chart per target with data, most
    /// influential parameter on top, and a table of the leading parameters per target.
    pub fn sensitivity(
        result: &BatchResult,
        sensitivity: &sensitivity::Sensitivity,
        out_dir: &Path,
    ) -> Result<ReportFiles, ReportError> {
        let mut figures: Vec<Figure> = sensitivity
            .targets
            .iter()
            .filter(|t| t.has_data && t.moves())
            .map(|t| Figure {
                stem: format!("sensitivity_{}", format::slug(&t.label)),
                title: format!("What drives {}", t.title),
                caption: match sensitivity.method {
                    sensitivity::Method::Sobol => {
                        "Dark bar: first-order Sobol index, the share of the target's variance \
                         the parameter causes alone; light bar: total index, including its \
                         interactions with the others. Numbers: first-order / total."
                    }
                    sensitivity::Method::Morris => {
                        "Dark bar: Morris μ*, the mean absolute change of the target per move of \
                         the parameter across its prior; light bar: σ, the spread of those \
                         changes (interactions or non-linearity). Numbers: μ* / σ."
                    }
                }
                .to_string(),
                section: Section::Sensitivity,
                kind: PlotKind::Tornado {
                    sensitivity,
                    target: t,
                },
            })
            .collect();
        distinct_stems(&mut figures);
        let outputs = &result.scenario.outputs;
        let (plots, rendered) = write_figures(&figures, out_dir, &outputs.formats, true)?;
        let path = out_dir.join("report.html");
        write_file(
            &path,
            html::sensitivity_page(result, sensitivity, &rendered).as_bytes(),
        )?;
        Ok(ReportFiles {
            plots,
            html: Some(path),
        })
    }
}

/// Indicators a run asks to plot: `outputs.plots`, or every indicator when empty.
fn selected_indicators(result: &BatchResult) -> Vec<Indicator> {
    let chosen = &result.scenario.outputs.plots;
    if chosen.is_empty() {
        Indicator::ALL.to_vec()
    } else {
        Indicator::ALL
            .iter()
            .copied()
            .filter(|i| chosen.contains(i))
            .collect()
    }
}

const HOW_TO_READ_SERIES: &str = "Line: mean across replicates; shading: 5th to 95th percentile. \
Triangles mark the targets (▲ at least, ▼ at most), coloured green when met with probability ≥ 0.9, \
amber when at risk, red when missed (≤ 0.1).";

/// How to read a peeling trade-off.
pub const DISCOVERY_CAPTION: &str = "PRIM peels the box of parameter ranges a little at a time, \
keeping the failures in: each point is one box, by the share of all failures inside it (coverage) \
and the share of its replicates that fail (density). Light: the half of the replicates that found \
the boxes; dark: the other half, held out. The ringed box is the one named; where the dark path \
falls away from the light one, further peeling only fits noise.";

/// The figures of one run's report, in page order.
pub fn run_figures(result: &BatchResult) -> Vec<Figure<'_>> {
    let mut figures = Vec::new();
    if !result.targets.is_empty() {
        figures.push(Figure {
            stem: "scorecard".to_string(),
            title: "Target scorecard".to_string(),
            caption: "Each cell is the share of replicates that meet the target in its year."
                .to_string(),
            section: Section::Targets,
            kind: PlotKind::Scorecard {
                runs: std::slice::from_ref(result),
            },
        });
    }
    // A sweep's result may carry no time series (only per-point target evaluations):
    // draw the sweep plots then, not a page of empty charts.
    let indicators = if result.series.is_empty() && result.sweep.is_some() {
        Vec::new()
    } else {
        selected_indicators(result)
    };
    for &indicator in &indicators {
        let meta = indicator.meta();
        figures.push(Figure {
            stem: meta.name.to_string(),
            title: meta.title.to_string(),
            caption: format!("{} {HOW_TO_READ_SERIES}", meta.description),
            section: Section::Indicators,
            kind: PlotKind::Indicator { result, indicator },
        });
    }
    for (by, section) in [
        (BreakdownBy::Band, Section::ByBand),
        (BreakdownBy::District, Section::ByDistrict),
        (BreakdownBy::Sector, Section::BySector),
        (BreakdownBy::Size, Section::BySize),
    ] {
        for &indicator in &indicators {
            if !breakdown::has_data(result, indicator, by) {
                continue;
            }
            let meta = indicator.meta();
            figures.push(Figure {
                stem: format!("{}_by_{}", meta.name, by.stem()),
                title: format!("{} by {}", meta.title, by.noun()),
                caption: format!(
                    "{} {}, all on the same scale; {}",
                    meta.description,
                    breakdown::panels_note(result, indicator, by),
                    if indicator.is_total() {
                        "they add up to the city total (the figure above)."
                    } else {
                        "the dashed line is the whole city."
                    }
                ),
                section,
                kind: PlotKind::Breakdown {
                    result,
                    indicator,
                    by,
                },
            });
        }
    }
    if let Some(sweep) = &result.sweep {
        // Over two levers, each target's mean and probability met over both at once
        // first: the one-lever projections below mix the other lever's values.
        if sweep.levers.len() == 2 {
            let currency = &result.scenario.scenario.currency;
            let levers = format!(
                "{} and {}",
                format::lever_title(&sweep.levers[0], currency),
                format::lever_title(&sweep.levers[1], currency)
            );
            for target in plots::sweep::sweep_targets(sweep) {
                for (what, kind, caption) in [
                    (
                        plots::sweep_map::MapValue::ProbabilityMet,
                        "probability",
                        "The probability of meeting the target at each point of the sweep over",
                    ),
                    (
                        plots::sweep_map::MapValue::Mean,
                        "mean",
                        "The target year's mean at each point of the sweep over",
                    ),
                ] {
                    // Made distinct with the others by `distinct_stems` below.
                    let stem = format!("sweep_map_{}_{kind}", format::slug(&target.label));
                    figures.push(Figure {
                        stem,
                        title: plots::sweep_map::title(result, target, what),
                        caption: format!("{caption} {levers}, each point marked with its value."),
                        section: Section::Sweep,
                        kind: PlotKind::SweepMap {
                            result,
                            sweep,
                            target,
                            what,
                        },
                    });
                }
            }
        }
        for (lever, name) in sweep.levers.iter().enumerate() {
            for target in plots::sweep::sweep_targets(sweep) {
                let stem = format!(
                    "sweep_{}_by_{}",
                    format::slug(&target.label),
                    format::slug(name)
                );
                figures.push(Figure {
                    stem,
                    title: format!(
                        "{} against {}",
                        format::target_title(&result.scenario, target),
                        format::lever_title(name, &result.scenario.scenario.currency)
                    ),
                    caption: "The target year's value at each swept lever value: mean and p5–p95 across \
                              replicates, points coloured by the target's standing there, and the first \
                              value at which the probability of meeting the target reaches 0.9."
                        .to_string(),
                    section: Section::Sweep,
                    kind: PlotKind::Sweep { result, sweep, lever, target },
                });
            }
        }
    }
    // For runs with priors, the peeling trade-off of each target whose failure ranges are
    // named (the report's "What makes targets fail" section).
    if result.parameters.is_some() {
        for target in &result.targets {
            if plots::discovery::has_box(result, target, discovery::DEFAULT_MIN_COVERAGE) {
                figures.push(Figure {
                    stem: format!("discovery_{}", format::slug(&target.label)),
                    title: format!(
                        "Peeling trade-off: {}",
                        format::target_title(&result.scenario, target)
                    ),
                    caption: DISCOVERY_CAPTION.to_string(),
                    section: Section::Discovery,
                    kind: PlotKind::PeelingTradeOff {
                        result,
                        target,
                        min_coverage: discovery::DEFAULT_MIN_COVERAGE,
                    },
                });
            }
        }
    }
    distinct_stems(&mut figures);
    figures
}

/// The figures of a comparison report, in page order.
pub fn compare_figures(results: &[BatchResult]) -> Vec<Figure<'_>> {
    let mut figures = Vec::new();
    if results.iter().any(|r| !r.targets.is_empty()) {
        figures.push(Figure {
            stem: "scorecard".to_string(),
            title: "Target scorecard".to_string(),
            caption: "One column per scenario; each cell is the share of replicates that meet the target.".to_string(),
            section: Section::Targets,
            kind: PlotKind::Scorecard { runs: results },
        });
        figures.push(Figure {
            stem: "probability_met".to_string(),
            title: "Probability of meeting each target".to_string(),
            caption:
                "One bar per scenario for each target; dashed lines at 0.9 (met) and 0.1 (missed)."
                    .to_string(),
            section: Section::Targets,
            kind: PlotKind::ProbabilityBars { runs: results },
        });
    }
    if let Some(first) = results.first() {
        for indicator in selected_indicators(first) {
            let meta = indicator.meta();
            figures.push(Figure {
                stem: format!("compare_{}", meta.name),
                title: meta.title.to_string(),
                caption: format!(
                    "{} One colour per scenario: line is the mean across replicates, shading the 5th to \
                     95th percentile. Triangles mark the targets.",
                    meta.description
                ),
                section: Section::Indicators,
                kind: PlotKind::CompareSeries { runs: results, indicator },
            });
        }
    }
    distinct_stems(&mut figures);
    figures
}

/// Longest file stem of a figure: far inside the 255 bytes file systems allow, with room
/// for the extension and a de-duplicating suffix.
const MAX_STEM_BYTES: usize = 120;

/// Gives every figure a file stem no longer than [`MAX_STEM_BYTES`] that no other figure
/// of the page has, compared without case (as on case-insensitive file systems): two
/// districts or targets whose slugs coincide, or a name of hundreds of characters, never
/// make two figures write one file or a file name the system refuses.
fn distinct_stems(figures: &mut [Figure]) {
    let stems = distinct(figures.iter().map(|f| f.stem.as_str()));
    for (f, stem) in figures.iter_mut().zip(stems) {
        f.stem = stem;
    }
}

/// The stems of [`distinct_stems`]: each capped, and a later one equal to an earlier one
/// without case given the first free suffix `_2`, `_3`, ….
fn distinct<'s>(stems: impl Iterator<Item = &'s str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    stems
        .map(|s| {
            let base = capped_stem(s);
            let mut stem = base.clone();
            let mut k = 2;
            while !seen.insert(stem.to_lowercase()) {
                stem = format!("{base}_{k}");
                k += 1;
            }
            stem
        })
        .collect()
}

/// `stem` itself when short enough, else its start and a hash of the whole (so two long
/// stems that share their start stay apart).
fn capped_stem(stem: &str) -> String {
    if stem.len() <= MAX_STEM_BYTES {
        return stem.to_string();
    }
    // FNV-1a: stable across platforms and versions, unlike std's hasher.
    let hash = stem.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut cut = MAX_STEM_BYTES - 17;
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}-{hash:016x}", &stem[..cut])
}

/// A figure and its SVG text, for inlining into the page.
pub(crate) struct Rendered<'a> {
    figure: &'a Figure<'a>,
    svg: String,
}

fn write_figures<'a>(
    figures: &'a [Figure<'a>],
    out_dir: &Path,
    formats: &[PlotFormat],
    html: bool,
) -> Result<(Vec<PathBuf>, Vec<Rendered<'a>>), ReportError> {
    fonts::ensure_registered().map_err(ReportError::Font)?;
    let plots_dir = out_dir.join("plots");
    civitas_results::owned::real_dir(&plots_dir)?;
    let want_png = formats.contains(&PlotFormat::Png);
    let want_svg = formats.contains(&PlotFormat::Svg);
    let mut written = Vec::new();
    let mut rendered = Vec::new();
    for figure in figures {
        if want_png {
            let path = plots_dir.join(format!("{}.png", figure.stem));
            write_file(&path, &figure.png()?)?;
            written.push(path);
        }
        if want_svg || html {
            let svg = figure.svg()?;
            if want_svg {
                let path = plots_dir.join(format!("{}.svg", figure.stem));
                write_file(&path, svg.as_bytes())?;
                written.push(path);
            }
            rendered.push(Rendered { figure, svg });
        }
    }
    Ok((written, rendered))
}

/// Writes through a fresh temporary renamed into place: a link planted at `path` is
/// replaced, never written through.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    Ok(civitas_results::owned::write_file(path, bytes)?)
}

#[cfg(test)]
mod stem_tests {
    use super::{MAX_STEM_BYTES, distinct};

    #[test]
    fn stems_are_distinct_without_case_and_short() {
        let long_a = format!("sweep_{}_by_ops", "a".repeat(300));
        let long_b = format!("sweep_{}_by_tax", "a".repeat(300));
        let stems = distinct(
            [
                "sensitivity_old-town-2030",
                "sensitivity_Old-Town-2030",
                "sensitivity_old-town-2030",
                "sensitivity_old-town-2030_2",
                &long_a,
                &long_b,
            ]
            .into_iter(),
        );
        assert_eq!(
            stems[..4],
            [
                "sensitivity_old-town-2030",
                "sensitivity_Old-Town-2030_2",
                "sensitivity_old-town-2030_3",
                "sensitivity_old-town-2030_2_2",
            ]
        );
        assert!(stems[4].len() <= MAX_STEM_BYTES && stems[5].len() <= MAX_STEM_BYTES);
        assert_ne!(
            stems[4], stems[5],
            "long stems sharing their start stay apart"
        );
    }
}
