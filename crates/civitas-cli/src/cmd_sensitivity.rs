//! `civitas sensitivity FILE`: which uncertain parameter drives each target — Sobol
//! indices (Saltelli's design) or Morris elementary effects over the scenario's
//! `[[uncertainty]]` priors, run as a sweep (parallel, and with the sweep's machinery).
//! The design and the indices are `civitas_batch::sensitivity`'s and their file
//! `civitas_results::sensitivity`'s; this layer reads the flags, runs, shards or merges
//! the sweep, and prints.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use civitas_batch::sensitivity::{
    INTERVAL_LEVEL, SENSITIVITY_CSV, SensitivityDesign, SensitivityError, SensitivityMethod,
};
use civitas_batch::{Batch, StagedOutput};
use civitas_report::Report;
use civitas_report::format::significant;
use civitas_report::sensitivity::{CONVERGED_WIDTH, Sensitivity};
use civitas_scenario::Scenario;
use clap::{Args, ValueEnum};

use crate::RunFlags;
use crate::cmd_run::{BatchFlags, ShardFlags, configure, load_scenario};
use crate::console::say;

/// The sensitivity method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// First-order and total Sobol indices: N·(k + 2) runs for k priors.
    Sobol,
    /// Morris elementary effects (μ*, σ): a cheap screening, R·(k + 1) runs.
    Morris,
}

/// Arguments of `civitas sensitivity`.
#[derive(Args, Debug)]
#[command(after_long_help = "\
Each run is one replicate (replicate 0, so every run shares its random streams) of the \
scenario with its [[uncertainty]] priors set to one point of the design; the runs go to \
<out>/<name>.sensitivity/ (a name no scenario's output can have) like any sweep, with sensitivity.csv (per target and \
parameter, the first-order and total Sobol indices, or Morris mu*, mu and sigma of the \
target's value) and report.html (a tornado chart per target). Use few agents (--agents): the \
design has many runs.

Large designs shard like a sweep: run each shard (on any machine) with --shard I/N, then \
give the shard directories to --merge with the same FILE and design options; the indices \
are byte-identical to an unsharded run.

Examples:
    civitas sensitivity scenarios/baseline.toml --agents 5000 --base-points 32
    civitas sensitivity scenarios/baseline.toml --agents 5000 --shard 0/2
    civitas sensitivity scenarios/baseline.toml --agents 5000 --shard 1/2
    civitas sensitivity scenarios/baseline.toml --agents 5000 \\
        --merge outputs/baseline.sensitivity.shard-*-of-2")]
pub struct SensitivityArgs {
    /// Scenario file with `[[uncertainty]]` priors.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Sobol indices or Morris screening.
    #[arg(long, value_enum, default_value_t = Method::Sobol)]
    pub method: Method,
    /// Base points N of Saltelli's design (Sobol).
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub base_points: usize,
    /// Trajectories R (Morris).
    #[arg(long, value_name = "R", default_value_t = 20)]
    pub trajectories: usize,
    #[command(flatten)]
    pub shards: ShardFlags,
    #[command(flatten)]
    pub flags: RunFlags,
}

impl From<Method> for SensitivityMethod {
    fn from(method: Method) -> Self {
        match method {
            Method::Sobol => SensitivityMethod::Sobol,
            Method::Morris => SensitivityMethod::Morris,
        }
    }
}

/// The design the flags ask for over `scenario`'s priors.
fn design(scenario: &Scenario, args: &SensitivityArgs) -> anyhow::Result<SensitivityDesign> {
    if scenario.uncertainty.is_empty() {
        bail!("{}: {}", args.file.display(), SensitivityError::NoPriors);
    }
    if args.base_points < 2 || args.trajectories < 2 {
        bail!("--base-points and --trajectories: expected at least 2");
    }
    let (flag, size) = match args.method {
        Method::Sobol => ("--base-points", args.base_points),
        Method::Morris => ("--trajectories", args.trajectories),
    };
    SensitivityDesign::new(scenario, args.method.into(), size).map_err(|e| match e {
        SensitivityError::TooLarge { .. } => anyhow!("{flag} {e}"),
        e => e.into(),
    })
}

/// `civitas sensitivity FILE`.
pub fn sensitivity(args: SensitivityArgs) -> anyhow::Result<ExitCode> {
    let scenario = load_scenario(Some(&args.file), &args.flags)?;
    let design = design(&scenario, &args)?;
    let mut base = scenario.clone();
    base.uncertainty.clear();
    base.scenario.replicates = 1;
    base.scenario.name = format!("{}-sensitivity", scenario.scenario.name);
    let staged = if args.shards.merge.is_empty() {
        let sweep = design.sweep()?;
        // The indices need each point's target values only: no per-point summary.csv
        // (most of a point's bytes: 2.6 MB at 1,000 agents).
        // `<name>.sensitivity`: `<name>-sensitivity-sweep` was also the sweep folder of a
        // scenario named `<name>-sensitivity`.
        let batch = configure(Batch::new(&base), &args.flags, &BatchFlags::default())
            .sweep(sweep)
            .sweep_summaries(false)
            .output_name(format!("{}.sensitivity", scenario.scenario.name));
        if let Some(shard) = args.shards.shard {
            let dir = batch.run_shard(shard)?;
            say!(
                "shard {shard} finished in {}; when every shard has, compute the indices with \
                 `civitas sensitivity {} --merge <shard dirs>` (same design options)",
                dir.display(),
                args.file.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        batch.stage()?
    } else {
        civitas_batch::merge(
            &args.shards.merge,
            &args.flags.out,
            &*crate::progress::CONSOLE,
        )?
    };
    if let Err(e) = finish(&staged, &design, &args) {
        let work = staged.abandon();
        return Err(e.context(crate::cmd_run::kept_for_resume(
            "write the indices or the report",
            &work,
        )));
    }
    let dir = staged.final_dir().to_path_buf();
    staged
        .commit()
        .with_context(|| format!("cannot move the output to {}", dir.display()))?;
    say!("\nindices: {}", dir.join(SENSITIVITY_CSV).display());
    say!("report: {}", dir.join("report.html").display());
    Ok(ExitCode::SUCCESS)
}

/// Computes the indices of the staged sweep (which must be this design's), writes
/// `sensitivity.csv` and the report into the staging directory and prints the leading
/// parameters.
fn finish(
    staged: &StagedOutput,
    design: &SensitivityDesign,
    args: &SensitivityArgs,
) -> anyhow::Result<()> {
    let result = staged.result();
    let indices = design.indices(result).map_err(|e| match e {
        SensitivityError::NotThisDesign(what) => anyhow!(
            "the merged runs are not this design's ({what}): give --merge the shards of \
             `civitas sensitivity {}` run with the same method, design size and scenario",
            args.file.display()
        ),
        e => e.into(),
    })?;
    let path = staged.path().join(SENSITIVITY_CSV);
    let bytes = indices.to_csv().context("cannot write sensitivity.csv")?;
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let analysis = Sensitivity::of(result, &indices);
    let intervals_of: Vec<_> = indices
        .targets
        .iter()
        .map(|t| t.indices.intervals())
        .collect();
    Report::sensitivity(result, &analysis, staged.path()).context("cannot write the report")?;
    for (t, intervals) in analysis.targets.iter().zip(&intervals_of) {
        if !t.has_data {
            say!(
                "\n{}: no data (the target year is outside the horizon, or nothing to measure)",
                t.label
            );
            continue;
        }
        say!("\n{}:", t.label);
        for &i in t.order(analysis.method).iter().take(5) {
            let (first, second) = match indices.method {
                SensitivityMethod::Sobol => ("first", "total"),
                SensitivityMethod::Morris => ("mu*", "sigma"),
            };
            let shown = |v: f64, (lo, hi): (f64, f64)| {
                format!(
                    "{} ({}–{})",
                    significant(v),
                    significant(lo),
                    significant(hi)
                )
            };
            say!(
                "  {first} {:>22}  {second} {:>22}  {}",
                shown(t.primary[i], intervals.primary[i]),
                shown(t.secondary[i], intervals.secondary[i]),
                indices.parameters[i]
            );
        }
    }
    say!("\n{} runs", indices.runs);
    // The widest interval over the targets with data: one warning for the analysis.
    let widest = analysis
        .targets
        .iter()
        .filter(|t| t.has_data && t.moves())
        .map(|t| (t, t.unsettled(analysis.method)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let (what, more) = match indices.method {
        SensitivityMethod::Sobol => ("wide", "--base-points"),
        SensitivityMethod::Morris => ("wide against the largest mu*", "--trajectories"),
    };
    if let Some((t, width)) = widest {
        if width > CONVERGED_WIDTH {
            say!(
                "warning: the indices have not converged: their {:.0} % bootstrap intervals \
                 (in brackets, and in sensitivity.csv) are up to {} {what} ({}); read them \
                 as rough, and run more {more} (or more --agents, whose noise the indices \
                 also measure)",
                100.0 * INTERVAL_LEVEL,
                significant(width),
                t.label
            );
        } else {
            say!(
                "every index's {:.0} % bootstrap interval is at most {} {what}",
                100.0 * INTERVAL_LEVEL,
                significant(width)
            );
        }
    }
    Ok(())
}
