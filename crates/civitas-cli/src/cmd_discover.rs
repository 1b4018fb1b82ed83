//! `civitas discover RESULT --target NAME`: scenario discovery with PRIM — the few ranges
//! of uncertain parameters in which a target fails.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::console::say;
use anyhow::{Context, bail};
use civitas_batch::output::PARAMETERS_CSV;
use civitas_report::discovery::{FEW_FOR_DISCOVERY, Finding, discover_failures};
use civitas_report::figure::{Figure, PlotKind, Section};
use civitas_scenario::PlotFormat;
use clap::Args;

/// Arguments of `civitas discover`.
#[derive(Args, Debug)]
#[command(after_long_help = "\
Reads a finished run with [[uncertainty]] priors (parameters.csv: each replicate's draws; \
target_values.csv: each replicate's value of each target) and looks for the box of parameter \
ranges in which the target fails, with the Patient Rule Induction Method (Friedman and \
Fisher 1999) as used for scenario discovery in exploratory modelling:

  coverage: the share of all failing replicates that lie inside the ranges;
  density:  the share of the replicates inside the ranges that fail.

Many replicates make the ranges trustworthy: run with --replicates 100 or more. The ranges \
are found on the even-numbered replicates and named only if they hold on the odd ones; \
--plot draws the coverage-density trade-off of the peeling path on both halves.

Example:
    civitas run scenarios/baseline.toml --replicates 200 --agents 20000
    civitas discover outputs/baseline --target 'adoption_rate (senior) 2030' --plot tradeoff.png")]
pub struct DiscoverArgs {
    /// A finished run's output directory.
    #[arg(value_name = "RESULT")]
    pub result: PathBuf,
    /// The target's label, as in targets.csv (e.g. `online_service_rate 2030`).
    #[arg(long, value_name = "NAME")]
    pub target: String,
    /// Least share of the failures the box must hold.
    #[arg(long, value_name = "SHARE", default_value_t = civitas_report::discovery::DEFAULT_MIN_COVERAGE)]
    pub min_coverage: f64,
    /// Also draw the peeling trade-off (coverage against density of every box of the path,
    /// on the finding and the held-out replicates) into FILE: `.png` or `.svg`.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
}

/// `civitas discover RESULT --target NAME`.
pub fn discover_command(args: DiscoverArgs) -> anyhow::Result<ExitCode> {
    let plot_format = match &args.plot {
        None => None,
        Some(path) => match path.extension().and_then(|e| e.to_str()) {
            Some("png") => Some(PlotFormat::Png),
            Some("svg") => Some(PlotFormat::Svg),
            _ => bail!(
                "--plot: found {:?}, expected a file name ending in .png or .svg",
                path.display().to_string()
            ),
        },
    };
    if !(0.0..=1.0).contains(&args.min_coverage) {
        bail!(
            "--min-coverage: found {}, expected a share in [0, 1]",
            args.min_coverage
        );
    }
    let result = civitas_batch::load_result(&args.result)
        .with_context(|| format!("cannot read the run in {}", args.result.display()))?;
    if result.sweep.is_some() {
        bail!(
            "{}: is a sweep; discovery reads one run's replicates and their parameter draws \
             (run a scenario with [[uncertainty]] priors, then discover on its output)",
            args.result.display()
        );
    }
    let Some(target) = result.targets.iter().find(|t| t.label == args.target) else {
        let labels: Vec<String> = result
            .targets
            .iter()
            .map(|t| format!("`{}`", t.label))
            .collect();
        bail!(
            "--target: found {:?}, expected one of the run's targets: {}",
            args.target,
            labels.join(", ")
        );
    };
    if target.values.is_empty() {
        bail!(
            "{}: no target_values.csv (written by this version of civitas run); run the scenario again",
            args.result.display()
        );
    }
    let Some(parameters) = &result.parameters else {
        bail!(
            "{}: no {PARAMETERS_CSV}; discovery needs a run with [[uncertainty]] priors",
            args.result.display()
        );
    };
    let found = discover_failures(&result, target, args.min_coverage).with_context(|| {
        format!(
            "{}: {PARAMETERS_CSV} has {} replicates, target_values.csv {}",
            args.result.display(),
            parameters.values.len(),
            target.values.len()
        )
    })?;
    let n = found.replicates;
    say!(
        "scenario discovery: `{}` in {} ({n} replicates, {} uncertain parameters)",
        target.label,
        args.result.display(),
        parameters.paths.len()
    );
    say!(
        "fails in {} of {n} replicates (probability met {:.2})",
        found.failures,
        target.probability_met
    );
    let named = matches!(found.finding, Finding::Box { .. });
    match found.finding {
        Finding::AlwaysHolds => {
            say!("nothing to discover: the target holds in every replicate, whatever the draws")
        }
        Finding::AlwaysFails => {
            say!("nothing to discover: the target fails in every replicate, whatever the draws")
        }
        Finding::NoPattern => say!(
            "no parameter range concentrates the failures: none found on half of the \
             replicates held on the other half (they look like random noise)"
        ),
        Finding::TooFew { needed } => say!(
            "too few replicates to name ranges: half of them find the ranges and the other \
             half test them, which takes at least {needed}; run with --replicates 100 or more"
        ),
        Finding::Box {
            ranges,
            coverage,
            density,
            mass,
            ..
        } => {
            say!("it fails mainly when:");
            for r in &ranges {
                say!("  {r}");
            }
            say!(
                "found on the even-numbered replicates and confirmed on the odd ones, where: \
                 coverage {coverage:.2} (share of the failures inside these ranges), density \
                 {density:.2} (share of the replicates inside that fail; {:.2} overall), {:.0} % \
                 of replicates inside",
                found.failures as f64 / n as f64,
                100.0 * mass
            );
            if n < FEW_FOR_DISCOVERY {
                say!("note: {n} replicates are few for discovery; the ranges are rough");
            }
        }
    }
    if let (Some(path), Some(format)) = (&args.plot, plot_format) {
        if !named {
            bail!(
                "--plot: no ranges were named for `{}`, so there is no peeling path to draw",
                target.label
            );
        }
        let figure = Figure {
            stem: "discovery".to_string(),
            title: String::new(),
            caption: String::new(),
            section: Section::Discovery,
            kind: PlotKind::PeelingTradeOff {
                result: &result,
                target,
                min_coverage: args.min_coverage,
            },
        };
        let bytes = match format {
            PlotFormat::Png => figure.png()?,
            PlotFormat::Svg => figure.svg()?.into_bytes(),
        };
        civitas_batch::owned::write_file(path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        say!("peeling trade-off: {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
