//! `civitas sensitivity FILE`: which uncertain parameter drives each target — Sobol
//! indices (Saltelli's design) or Morris elementary effects over the scenario's
//! `[[uncertainty]]` priors, run as a sweep (parallel, and with the sweep's machinery).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use civitas_batch::{Batch, Sweep};
use civitas_uncertainty::morris::{morris_design, morris_effects};
use civitas_uncertainty::sobol::{saltelli_design, sobol_indices};
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
<out>/<name>-sensitivity-sweep/ like any sweep, and sensitivity.csv there holds, per target \
and parameter, the first-order and total Sobol indices (or Morris mu*, mu and sigma) of the \
target's value. Use few agents (--agents) — the design has many runs.

Example:
    civitas sensitivity scenarios/baseline.toml --agents 5000 --base-points 32")]
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
    pub flags: RunFlags,
}

/// `civitas sensitivity FILE`.
pub fn sensitivity(args: SensitivityArgs) -> anyhow::Result<ExitCode> {
    let scenario = load_scenario(Some(&args.file), &args.flags)?;
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
    let seed = scenario.scenario.seed;
    let (unit, morris) = match args.method {
        Method::Sobol => (saltelli_design(seed, k, args.base_points), None),
        Method::Morris => {
            let d = morris_design(seed, k, args.trajectories, 4);
            (d.points.clone(), Some(d))
        }
    };
    let points: Vec<Vec<f64>> = unit
        .iter()
        .map(|row| {
            row.iter()
                .zip(&priors)
                .map(|(&u, p)| p.quantile(u))
                .collect()
        })
        .collect();
    let mut base = scenario.clone();
    base.uncertainty.clear();
    base.scenario.replicates = 1;
    base.scenario.name = format!("{}-sensitivity", scenario.scenario.name);
    let sweep = Sweep::explicit(&paths, points)?;
    let result = configure(Batch::new(&base), &args.flags, &BatchFlags::default())
        .sweep(sweep)
        .stage()?
        .commit()?;
    let dir = args.flags.out.join(format!("{}-sweep", base.scenario.name));
    let sweep = result.sweep.context("a sensitivity run is a sweep")?;
    let targets: Vec<String> = sweep
        .points
        .first()
        .map(|p| p.targets.iter().map(|t| t.label.clone()).collect())
        .unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: &[&str] = match args.method {
        Method::Sobol => &["target", "parameter", "first_order", "total"],
        Method::Morris => &["target", "parameter", "mu_star", "mu", "sigma"],
    };
    w.write_record(header)?;
    let f = civitas_batch::format::format_value;
    for (j, target) in targets.iter().enumerate() {
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
        if y.iter().all(|v| v.is_nan()) {
            say!(
                "\n{target}: no data (the target year is outside the horizon, or nothing to measure)"
            );
        } else {
            say!("\n{target}:");
        }
        let mut rows: Vec<(f64, String, Vec<String>)> = match (&morris, args.method) {
            (Some(d), Method::Morris) => {
                let e = morris_effects(d, &y);
                (0..k)
                    .map(|i| {
                        (
                            e.mu_star[i],
                            format!("mu* {:>10.4}  sigma {:>10.4}", e.mu_star[i], e.sigma[i]),
                            vec![f(e.mu_star[i]), f(e.mu[i]), f(e.sigma[i])],
                        )
                    })
                    .collect()
            }
            _ => {
                let s = sobol_indices(&y, k);
                (0..k)
                    .map(|i| {
                        (
                            s.total[i],
                            format!("first {:>6.3}  total {:>6.3}", s.first[i], s.total[i]),
                            vec![f(s.first[i]), f(s.total[i])],
                        )
                    })
                    .collect()
            }
        };
        for (i, (_, _, cells)) in rows.iter().enumerate() {
            let mut record = vec![target.clone(), paths[i].clone()];
            record.extend(cells.iter().cloned());
            w.write_record(&record)?;
        }
        // Most influential first on the console.
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| rows[b].0.total_cmp(&rows[a].0));
        let shown = if y.iter().all(|v| v.is_nan()) { 0 } else { 5 };
        for &i in order.iter().take(shown) {
            say!("  {}  {}", std::mem::take(&mut rows[i].1), paths[i]);
        }
    }
    let bytes = w.into_inner().context("cannot write sensitivity.csv")?;
    let path = dir.join("sensitivity.csv");
    let tmp = dir.join("sensitivity.csv.tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    say!(
        "\n{} runs; indices per target and parameter: {}",
        sweep.points.len(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
