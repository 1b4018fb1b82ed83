//! `civitas compare`: draws finished runs on shared axes and writes a comparison report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use civitas_batch::BatchResult;
use civitas_report::Report;
use clap::Args;

use crate::console::say;

/// Arguments of `civitas compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Output directories of finished runs, e.g. `outputs/baseline outputs/ops-plus`.
    #[arg(required = true, num_args = 2.., value_name = "RUN_DIR")]
    pub runs: Vec<PathBuf>,
    /// Directory for the comparison plots and report (default: `outputs/compare`).
    #[arg(long, value_name = "DIR", default_value = "outputs/compare")]
    pub out: PathBuf,
}

/// Reads each run directory back and writes the comparison plots and `report.html`.
pub fn compare(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let mut runs = args
        .runs
        .iter()
        .map(|dir| {
            civitas_batch::load_result(dir)
                .with_context(|| format!("cannot read the finished run in {}", dir.display()))
        })
        .collect::<anyhow::Result<Vec<BatchResult>>>()?;
    label_runs(&mut runs, &args.runs);
    let files = Report::compare(&runs, &args.out)
        .with_context(|| format!("cannot write the comparison to {}", args.out.display()))?;
    say!(
        "wrote {} plots to {}",
        files.plots.len(),
        args.out.join("plots").display()
    );
    if let Some(html) = files.html {
        say!("report: {}", html.display());
    }
    paired_comparisons(&runs, &args.out)?;
    Ok(ExitCode::SUCCESS)
}

/// Each variant against the first run, target by target, replicate by replicate
/// ([`civitas_batch::paired_targets`]): printed and written to `paired.csv` in the
/// comparison folder.
fn paired_comparisons(runs: &[BatchResult], out: &Path) -> anyhow::Result<()> {
    let Some((base, variants)) = runs.split_first() else {
        return Ok(());
    };
    let path = out.join("paired.csv");
    let mut w = csv::Writer::from_path(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record([
        "base",
        "variant",
        "target",
        "pairs",
        "mean_difference",
        "difference_lo",
        "difference_hi",
        "probability_better",
        "share_better",
    ])?;
    let base_name = &base.scenario.scenario.name;
    for variant in variants {
        let name = &variant.scenario.scenario.name;
        let paired = match civitas_batch::paired_targets(base, variant) {
            Ok(p) => p,
            Err(civitas_batch::Unpaired::Seeds(a, b)) => {
                say!(
                    "{name} vs {base_name}: different seeds ({b} and {a}), so replicates are not \
                     paired; rerun with the same --seed for a paired comparison"
                );
                continue;
            }
        };
        say!("\n{name} vs {base_name}, paired by replicate (same seed: common random numbers):");
        say!(
            "  {:<34} {:>9}  {:>10}  {:>23}  better in",
            "target",
            "P(better)",
            "mean diff",
            "90 % interval"
        );
        for p in &paired {
            let d = &p.difference;
            let better = (d.share_better * d.n as f64).round() as usize;
            say!(
                "  {:<34} {:>9.2}  {:>+10.4}  {:>+10.4} – {:<+10.4}  {better}/{}",
                p.label,
                d.probability_better,
                d.mean,
                d.lo,
                d.hi,
                d.n
            );
            let f = civitas_batch::format::format_value;
            w.write_record([
                base_name.as_str(),
                name.as_str(),
                p.label.as_str(),
                &d.n.to_string(),
                &f(d.mean),
                &f(d.lo),
                &f(d.hi),
                &f(d.probability_better),
                &f(d.share_better),
            ])?;
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    say!("paired comparisons: {}", path.display());
    Ok(())
}

/// Plots and tables name runs by scenario; runs of the same scenario (e.g. two seeds)
/// are named by their directory instead, so they stay apart.
fn label_runs(runs: &mut [BatchResult], dirs: &[PathBuf]) {
    let names: Vec<String> = runs
        .iter()
        .map(|r| r.scenario.scenario.name.clone())
        .collect();
    for (run, dir) in runs.iter_mut().zip(dirs) {
        let name = &run.scenario.scenario.name;
        if names.iter().filter(|n| *n == name).count() > 1 {
            run.scenario.scenario.name = short_dir(dir);
        }
    }
}

/// The last two components of a run directory, e.g. `seed-1/baseline`.
fn short_dir(dir: &Path) -> String {
    let parts: Vec<String> = dir
        .components()
        .rev()
        .take(2)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.into_iter().rev().collect::<Vec<_>>().join("/")
}
