//! `civitas sensitivity FILE`: which uncertain parameter drives each target — Sobol
//! indices (Saltelli's design) or Morris elementary effects over the scenario's
//! `[[uncertainty]]` priors, run as a sweep (parallel, and with the sweep's machinery).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use civitas_batch::{Batch, Shard, StagedOutput, Sweep};
use civitas_report::Report;
use civitas_report::format::significant;
use civitas_report::sensitivity::{self as report, Sensitivity, TargetSensitivity};
use civitas_scenario::Scenario;
use civitas_uncertainty::morris::{morris_design, morris_effects};
use civitas_uncertainty::sobol::{SobolIntervals, saltelli_design, sobol_indices, sobol_intervals};
use clap::{Args, ValueEnum};

use crate::RunFlags;
use crate::cmd_run::{BatchFlags, configure, load_scenario};
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
    /// Run only shard I of N of the design's runs (0-based), into
    /// `<out>/<name>.sensitivity.shard-I-of-N/`; finish with `--merge`.
    #[arg(long, value_name = "I/N", conflicts_with = "merge")]
    pub shard: Option<Shard>,
    /// Merge these shard directories of the same design and compute the indices.
    #[arg(long, value_name = "SHARD_DIR", num_args = 1..)]
    pub merge: Vec<PathBuf>,
    #[command(flatten)]
    pub flags: RunFlags,
}

/// Refuses a design larger than a batch may run before any of it is built, naming this
/// command's own flag: Saltelli's design has N (k + 2) points, Morris's r (k + 1).
fn check_design_size(scenario: &Scenario, args: &SensitivityArgs, k: usize) -> anyhow::Result<()> {
    let (flag, size, per) = match args.method {
        Method::Sobol => ("--base-points", args.base_points, k + 2),
        Method::Morris => ("--trajectories", args.trajectories, k + 1),
    };
    let max_points = civitas_batch::MAX_SWEEP_POINTS;
    let replicates = u64::from(scenario.scenario.replicates);
    let max_runs = civitas_batch::limits::MAX_RUNS;
    let points = (size as u128) * (per as u128);
    if points > max_points as u128 || points * u128::from(replicates) > u128::from(max_runs) {
        let most = (max_points as u64 / per as u64).min(max_runs / (replicates * per as u64));
        bail!(
            "{flag} {size}: with {k} priors the design has {points} points × {replicates} \
             replicates, more than a sensitivity analysis may run ({max_points} points, \
             {max_runs} runs); use {flag} {most} or fewer, or fewer --replicates"
        );
    }
    Ok(())
}

/// The design of a sensitivity analysis: the runs' parameter values, and what turns the
/// runs' outcomes into indices.
struct Design {
    paths: Vec<String>,
    points: Vec<Vec<f64>>,
    morris: Option<civitas_uncertainty::morris::MorrisDesign>,
    method: Method,
}

impl Design {
    fn of(scenario: &Scenario, args: &SensitivityArgs) -> anyhow::Result<Design> {
        if scenario.uncertainty.is_empty() {
            bail!(
                "{}: no [[uncertainty]] priors, so there is nothing to attribute the spread to",
                args.file.display()
            );
        }
        if args.base_points < 2 || args.trajectories < 2 {
            bail!("--base-points and --trajectories: expected at least 2");
        }
        let priors = scenario
            .uncertainty
            .iter()
            .map(|u| u.prior())
            .collect::<Result<Vec<_>, _>>()?;
        let paths: Vec<String> = scenario
            .uncertainty
            .iter()
            .map(|u| u.path.clone())
            .collect();
        let k = priors.len();
        check_design_size(scenario, args, k)?;
        let seed = scenario.scenario.seed;
        let (unit, morris) = match args.method {
            Method::Sobol => (saltelli_design(seed, k, args.base_points), None),
            Method::Morris => {
                let d = morris_design(seed, k, args.trajectories, 4);
                (d.points.clone(), Some(d))
            }
        };
        let points = unit
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&priors)
                    .map(|(&u, p)| p.quantile(u))
                    .collect()
            })
            .collect();
        Ok(Design {
            paths,
            points,
            morris,
            method: args.method,
        })
    }

    /// Per target: the indices of every parameter from the runs' values `y` (in design
    /// order).
    fn indices(&self, y: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let k = self.paths.len();
        match &self.morris {
            Some(d) => {
                let e = morris_effects(d, y);
                (e.mu_star, e.mu, e.sigma)
            }
            None => {
                let s = sobol_indices(y, k);
                (s.first, s.total, vec![f64::NAN; k])
            }
        }
    }
}

/// `civitas sensitivity FILE`.
pub fn sensitivity(args: SensitivityArgs) -> anyhow::Result<ExitCode> {
    let scenario = load_scenario(Some(&args.file), &args.flags)?;
    let design = Design::of(&scenario, &args)?;
    let mut base = scenario.clone();
    base.uncertainty.clear();
    base.scenario.replicates = 1;
    base.scenario.name = format!("{}-sensitivity", scenario.scenario.name);
    let staged = if args.merge.is_empty() {
        let sweep = Sweep::explicit(&design.paths, design.points.clone())?;
        // The indices need each point's target values only: no per-point summary.csv
        // (most of a point's bytes: 2.6 MB at 1,000 agents).
        // `<name>.sensitivity`: `<name>-sensitivity-sweep` was also the sweep folder of a
        // scenario named `<name>-sensitivity`.
        let batch = configure(Batch::new(&base), &args.flags, &BatchFlags::default())
            .sweep(sweep)
            .sweep_summaries(false)
            .output_name(format!("{}.sensitivity", scenario.scenario.name));
        if let Some(shard) = args.shard {
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
        civitas_batch::merge(&args.merge, &args.flags.out, &*crate::progress::CONSOLE)?
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

const SENSITIVITY_CSV: &str = "sensitivity.csv";

/// Bootstrap resamples behind each Sobol index's interval.
const BOOTSTRAP_RESAMPLES: usize = 200;
/// Two-sided level of the Sobol indices' intervals.
const INTERVAL_LEVEL: f64 = 0.9;
/// An interval wider than this (a quarter of the indices' whole range) says the index is
/// not yet a number to read: the design has not converged.
const CONVERGED_WIDTH: f64 = 0.25;

/// Checks that the staged sweep is this design's, then writes `sensitivity.csv` and the
/// report into the staging directory and prints the leading parameters.
fn finish(staged: &StagedOutput, design: &Design, args: &SensitivityArgs) -> anyhow::Result<()> {
    let result = staged.result();
    let sweep = result
        .sweep
        .as_ref()
        .context("a sensitivity run is a sweep")?;
    let same_points = sweep.points.len() == design.points.len()
        && sweep
            .points
            .iter()
            .all(|p| p.lever_values == design.points[p.index]);
    if sweep.levers != design.paths || !same_points {
        let what = if sweep.levers != design.paths {
            "over other parameters".to_string()
        } else {
            format!(
                "{} points where the design has {}",
                sweep.points.len(),
                design.points.len()
            )
        };
        bail!(
            "the merged runs are not this design's ({what}): give --merge the shards of \
             `civitas sensitivity {}` run with the same method, design size and scenario",
            args.file.display()
        );
    }
    let labels: Vec<String> = sweep
        .points
        .first()
        .map(|p| p.targets.iter().map(|t| t.label.clone()).collect())
        .unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: &[&str] = match design.method {
        Method::Sobol => &[
            "target",
            "parameter",
            "first_order",
            "total",
            "first_order_lo",
            "first_order_hi",
            "total_lo",
            "total_hi",
        ],
        Method::Morris => &["target", "parameter", "mu_star", "mu", "sigma"],
    };
    w.write_record(header)?;
    let f = civitas_batch::format::format_value;
    let mut targets = Vec::with_capacity(labels.len());
    let mut intervals_of: Vec<Option<SobolIntervals>> = Vec::with_capacity(labels.len());
    for (j, label) in labels.iter().enumerate() {
        let y: Vec<f64> = sweep
            .points
            .iter()
            .map(|p| {
                p.targets[j]
                    .values
                    .first()
                    .copied()
                    .unwrap_or(p.targets[j].mean)
            })
            .collect();
        let (a, b, c) = design.indices(&y);
        // Seeded by the scenario, so the same runs give the same intervals.
        let intervals = (design.method == Method::Sobol).then(|| {
            sobol_intervals(
                &y,
                design.paths.len(),
                BOOTSTRAP_RESAMPLES,
                INTERVAL_LEVEL,
                result.scenario.scenario.seed,
            )
        });
        for i in 0..design.paths.len() {
            let mut record = vec![label.clone(), design.paths[i].clone(), f(a[i])];
            match &intervals {
                Some(ci) => record.extend([
                    f(b[i]),
                    f(ci.first[i].0),
                    f(ci.first[i].1),
                    f(ci.total[i].0),
                    f(ci.total[i].1),
                ]),
                None => record.extend([f(b[i]), f(c[i])]),
            }
            w.write_record(&record)?;
        }
        intervals_of.push(intervals);
        let (primary, secondary) = match design.method {
            Method::Sobol => (a, b),
            Method::Morris => (a, c),
        };
        let target = &sweep.points[0].targets[j];
        targets.push(TargetSensitivity {
            label: label.clone(),
            title: civitas_report::format::target_title(&result.scenario, target),
            primary,
            secondary,
            has_data: !y.iter().all(|v| v.is_nan()),
            intervals: intervals_of.last().and_then(Option::as_ref).map(|ci| {
                ci.first
                    .iter()
                    .zip(&ci.total)
                    .map(|(&f, &t)| [f, t])
                    .collect()
            }),
        });
    }
    let path = staged.path().join(SENSITIVITY_CSV);
    let bytes = w.into_inner().context("cannot write sensitivity.csv")?;
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let analysis = Sensitivity {
        method: match design.method {
            Method::Sobol => report::Method::Sobol,
            Method::Morris => report::Method::Morris,
        },
        parameters: design.paths.clone(),
        runs: sweep.points.len(),
        targets,
    };
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
            let (first, second) = match design.method {
                Method::Sobol => ("first", "total"),
                Method::Morris => ("mu*", "sigma"),
            };
            let shown = |v: f64, ci: Option<(f64, f64)>| match ci {
                Some((lo, hi)) => {
                    format!(
                        "{} ({}–{})",
                        significant(v),
                        significant(lo),
                        significant(hi)
                    )
                }
                None => significant(v),
            };
            say!(
                "  {first} {:>22}  {second} {:>22}  {}",
                shown(t.primary[i], intervals.as_ref().map(|ci| ci.first[i])),
                shown(t.secondary[i], intervals.as_ref().map(|ci| ci.total[i])),
                design.paths[i]
            );
        }
    }
    say!("\n{} runs", sweep.points.len());
    // The widest interval over the targets with data: one warning for the analysis.
    let widest = analysis
        .targets
        .iter()
        .zip(&intervals_of)
        .filter(|(t, _)| t.has_data && t.moves())
        .filter_map(|(t, ci)| Some((t, ci.as_ref()?.widest())))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((t, width)) = widest {
        if width > CONVERGED_WIDTH {
            say!(
                "warning: the indices have not converged: their {:.0} % bootstrap intervals \
                 (in brackets, and in sensitivity.csv) are up to {} wide ({}); read them as \
                 rough, and run more --base-points (or more --agents, whose noise the indices \
                 also measure)",
                100.0 * INTERVAL_LEVEL,
                significant(width),
                t.label
            );
        } else {
            say!(
                "every index's {:.0} % bootstrap interval is at most {} wide",
                100.0 * INTERVAL_LEVEL,
                significant(width)
            );
        }
    }
    Ok(())
}
