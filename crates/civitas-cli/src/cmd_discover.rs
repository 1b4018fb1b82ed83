//! `civitas discover RESULT --target NAME`: scenario discovery with PRIM — the few ranges
//! of uncertain parameters in which a target fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::console::say;
use anyhow::{Context, bail};
use civitas_batch::output::PARAMETERS_CSV;
use civitas_uncertainty::prim::{PrimOptions, discover};
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

Many replicates make the ranges trustworthy: run with --replicates 100 or more.

Example:
    civitas run scenarios/baseline.toml --replicates 200 --agents 20000
    civitas discover outputs/baseline --target 'adoption_rate (senior) 2030'")]
pub struct DiscoverArgs {
    /// A finished run's output directory.
    #[arg(value_name = "RESULT")]
    pub result: PathBuf,
    /// The target's label, as in targets.csv (e.g. `online_service_rate 2030`).
    #[arg(long, value_name = "NAME")]
    pub target: String,
    /// Least share of the failures the box must hold.
    #[arg(long, value_name = "SHARE", default_value_t = 0.5)]
    pub min_coverage: f64,
}

/// `civitas discover RESULT --target NAME`.
pub fn discover_command(args: DiscoverArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.min_coverage) {
        bail!(
            "--min-coverage: found {}, expected a share in [0, 1]",
            args.min_coverage
        );
    }
    let result = civitas_batch::load_result(&args.result)
        .with_context(|| format!("cannot read the run in {}", args.result.display()))?;
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
    let (paths, draws) = read_parameters(&args.result.join(PARAMETERS_CSV), target.values.len())?;
    let failed: Vec<bool> = target.values.iter().map(|&v| !target.meets(v)).collect();
    let fails = failed.iter().filter(|&&f| f).count();
    let n = failed.len();
    say!(
        "scenario discovery: `{}` in {} ({n} replicates, {} uncertain parameters)",
        target.label,
        args.result.display(),
        paths.len()
    );
    say!(
        "fails in {fails} of {n} replicates (probability met {:.2})",
        target.probability_met
    );
    if fails == 0 || fails == n {
        say!(
            "nothing to discover: the target {} in every replicate, whatever the draws",
            if fails == 0 { "holds" } else { "fails" }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let options = PrimOptions {
        min_coverage: args.min_coverage,
        ..PrimOptions::default()
    };
    let found = discover(&draws, &failed, &options).context("PRIM found no box")?;
    let best = found.best();
    if found.restrictions.is_empty() {
        say!("no parameter range concentrates the failures (they look like random noise)");
        return Ok(ExitCode::SUCCESS);
    }
    say!("it fails mainly when:");
    for r in &found.restrictions {
        let path = &paths[r.parameter];
        match (r.above, r.below) {
            (Some(lo), Some(hi)) => say!("  {lo:.4} <= {path} <= {hi:.4}"),
            (Some(lo), None) => say!("  {path} >= {lo:.4}"),
            (None, Some(hi)) => say!("  {path} <= {hi:.4}"),
            (None, None) => {}
        }
    }
    say!(
        "coverage {:.2} (share of the failures inside these ranges), density {:.2} (share of \
         the replicates inside that fail; {:.2} overall), {:.0} % of replicates inside",
        best.coverage,
        best.density,
        found.base_density,
        100.0 * best.mass
    );
    if n < 50 {
        say!("note: {n} replicates are few for discovery; the ranges are rough");
    }
    Ok(ExitCode::SUCCESS)
}

/// `parameters.csv` as (paths in first-seen order, one row of draws per replicate).
fn read_parameters(path: &Path, replicates: usize) -> anyhow::Result<(Vec<String>, Vec<Vec<f64>>)> {
    let mut reader = csv::Reader::from_path(path).with_context(|| {
        format!(
            "{}: cannot read it; discovery needs a run with [[uncertainty]] priors",
            path.display()
        )
    })?;
    let mut paths: Vec<String> = Vec::new();
    let mut values: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("{}: row {}", path.display(), i + 1))?;
        let bad = || {
            format!(
                "{}: row {}: expected replicate,path,value",
                path.display(),
                i + 1
            )
        };
        let replicate: usize = row.get(0).and_then(|r| r.parse().ok()).with_context(bad)?;
        let name = row.get(1).with_context(bad)?.to_string();
        let value: f64 = row.get(2).and_then(|v| v.parse().ok()).with_context(bad)?;
        let column = match paths.iter().position(|p| *p == name) {
            Some(c) => c,
            None => {
                paths.push(name);
                paths.len() - 1
            }
        };
        values.insert((replicate, column), value);
    }
    let rows = (0..replicates)
        .map(|r| {
            (0..paths.len())
                .map(|c| {
                    values.get(&(r, c)).copied().with_context(|| {
                        format!(
                            "{}: no draw of {} for replicate {r}",
                            path.display(),
                            paths[c]
                        )
                    })
                })
                .collect::<anyhow::Result<Vec<f64>>>()
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((paths, rows))
}
