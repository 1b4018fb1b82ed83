//! `civitas compare`: draws finished runs on shared axes and writes a comparison report.
//!
//! Before anything is written the runs are checked to be comparable (runs, not sweeps;
//! the same seed, agent count, Civitas version and model fingerprint unless `--force`) and
//! the destination to
//! be free: absent, empty or an earlier comparison, never inside a result and never a
//! folder of other things.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use civitas_batch::BatchResult;
use civitas_batch::output::MANIFEST_JSON;
use civitas_batch::owned;
use civitas_report::Report;
use clap::Args;

use crate::console::say;

/// The file that marks a folder as a comparison written by `civitas compare`, so a later
/// comparison may replace it (and nothing else).
const COMPARISON_JSON: &str = "comparison.json";

/// Arguments of `civitas compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Output directories of finished runs, e.g. `outputs/baseline outputs/ops-plus`.
    #[arg(required = true, num_args = 2.., value_name = "RUN_DIR")]
    pub runs: Vec<PathBuf>,
    /// Directory for the comparison plots and report (default:
    /// `outputs/<first>.vs.<second>`, a name no scenario's output can have).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Compare runs of different seeds, agent counts, Civitas versions or models (model
    /// fingerprints, `manifest.json`) anyway (refused without it: their differences are
    /// not the scenarios' alone).
    #[arg(long)]
    pub force: bool,
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
    for (run, dir) in runs.iter().zip(&args.runs) {
        if run.sweep.is_some() {
            bail!(
                "{}: holds a sweep's result; compare takes finished runs (`civitas run`), whose \
                 targets and series it draws side by side",
                dir.display()
            );
        }
    }
    let mismatches = mismatches(&runs, &args.runs);
    if !mismatches.is_empty() {
        if !args.force {
            bail!(
                "these runs differ in more than their scenarios, so their differences would not \
                 be the scenarios' alone:\n  {}\nrerun them alike, or pass --force to compare \
                 them anyway",
                mismatches.join("\n  ")
            );
        }
        say!("compared anyway (--force), although:");
        for m in &mismatches {
            say!("  {m}");
        }
    }
    let out = match &args.out {
        Some(out) => out.clone(),
        None => default_out(&runs),
    };
    check_destination(&out, &args.runs)?;
    label_runs(&mut runs, &args.runs);
    let files = Report::compare(&runs, &out)
        .with_context(|| format!("cannot write the comparison to {}", out.display()))?;
    write_marker(&out, &args.runs)?;
    say!(
        "wrote {} plots to {}",
        files.plots.len(),
        out.join("plots").display()
    );
    if let Some(html) = files.html {
        say!("report: {}", html.display());
    }
    paired_comparisons(&runs, &out)?;
    Ok(ExitCode::SUCCESS)
}

/// What makes each run unlike the first beyond its scenario: a seed, an agent count, a
/// Civitas version or a model of its own, or a model not known (a manifest written before
/// Civitas recorded model fingerprints: its model may be any).
fn mismatches(runs: &[BatchResult], dirs: &[PathBuf]) -> Vec<String> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (run, dir) in runs.iter().zip(dirs).skip(1) {
        let mut differ = |what: &str, a: String, b: String| {
            if a != b {
                found.push(format!(
                    "{what}: {a} in {}, {b} in {}",
                    dirs[0].display(),
                    dir.display()
                ));
            }
        };
        differ(
            "seed",
            first.manifest.seed.to_string(),
            run.manifest.seed.to_string(),
        );
        differ(
            "agents",
            first.scenario.population.agents.to_string(),
            run.scenario.population.agents.to_string(),
        );
        differ(
            "Civitas version",
            first.manifest.civitas_version.clone(),
            run.manifest.civitas_version.clone(),
        );
        let (a, b) = (
            &first.manifest.model_fingerprint,
            &run.manifest.model_fingerprint,
        );
        if a.is_empty() || b.is_empty() {
            let unknown: Vec<String> = [(a, &dirs[0]), (b, dir)]
                .iter()
                .filter(|(m, _)| m.is_empty())
                .map(|(_, d)| d.display().to_string())
                .collect();
            found.push(format!(
                "model: not known for {} (written before Civitas recorded model \
                 fingerprints), so the model may have changed between the runs",
                unknown.join(" and ")
            ));
        } else if a != b {
            found.push(format!(
                "model: {a} in {}, {b} in {} (the engine changed between the runs)",
                dirs[0].display(),
                dir.display()
            ));
        }
    }
    found
}

/// `outputs/<first>.vs.<second>…`: scenario names hold only letters, digits, `-` and `_`,
/// so a name with dots is never a scenario's output folder (`outputs/compare` was the
/// output of a scenario named `compare`). Past three runs, `outputs/compare.<n>-runs`.
fn default_out(runs: &[BatchResult]) -> PathBuf {
    let names: Vec<&str> = runs
        .iter()
        .map(|r| r.scenario.scenario.name.as_str())
        .collect();
    let name = if names.len() <= 3 {
        names.join(".vs.")
    } else {
        format!("compare.{}-runs", names.len())
    };
    Path::new("outputs").join(name)
}

/// A comparison goes only where it replaces nothing but an earlier comparison: an absent
/// or empty folder, or one marked by [`COMPARISON_JSON`]; never into (or over) a result.
fn check_destination(out: &Path, runs: &[PathBuf]) -> anyhow::Result<()> {
    let refuse = |why: &str| -> anyhow::Result<()> {
        bail!(
            "--out {}: {why}; a comparison replaces only an earlier comparison (choose another \
             --out)",
            out.display()
        )
    };
    for ancestor in out.ancestors().filter(|a| !a.as_os_str().is_empty()) {
        if is_result(ancestor) {
            let what = if ancestor == out {
                "holds a result".to_string()
            } else {
                format!("lies inside the result {}", ancestor.display())
            };
            return refuse(&what);
        }
    }
    let absolute = |p: &Path| p.canonicalize().ok();
    if let Some(out_abs) = absolute(out)
        && runs
            .iter()
            .any(|r| absolute(r).is_some_and(|r| r == out_abs))
    {
        return refuse("is one of the runs compared");
    }
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", out.display())),
    };
    if !meta.is_dir() {
        return refuse("exists and is not a directory");
    }
    let mut entries =
        std::fs::read_dir(out).with_context(|| format!("cannot read {}", out.display()))?;
    if entries.next().is_none() || out.join(COMPARISON_JSON).is_file() {
        return Ok(());
    }
    refuse("is a folder of other things (no comparison.json)")
}

/// Whether `dir` holds a Civitas result (a `manifest.json` with a scenario hash).
fn is_result(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(MANIFEST_JSON))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("scenario_hash").is_some())
}

/// Marks `out` as a comparison (and records what it compares).
fn write_marker(out: &Path, runs: &[PathBuf]) -> anyhow::Result<()> {
    let marker = serde_json::json!({
        "kind": "comparison",
        "runs": runs.iter().map(|r| r.display().to_string()).collect::<Vec<_>>(),
    });
    let path = out.join(COMPARISON_JSON);
    let mut text = serde_json::to_string_pretty(&marker)?;
    text.push('\n');
    Ok(owned::write_file(&path, text.as_bytes())?)
}

/// Each variant against the first run, target by target, replicate by replicate
/// ([`civitas_batch::paired_targets`]): printed and written to `paired.csv` in the
/// comparison folder.
fn paired_comparisons(runs: &[BatchResult], out: &Path) -> anyhow::Result<()> {
    let Some((base, variants)) = runs.split_first() else {
        return Ok(());
    };
    let path = out.join("paired.csv");
    // Into memory, then through a fresh temporary: a link planted at paired.csv in an
    // earlier comparison folder is replaced, never written through.
    let mut w = csv::Writer::from_writer(Vec::new());
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
        "pairs_better",
        "pairs_worse",
        "pairs_same",
    ])?;
    let base_name = &base.scenario.scenario.name;
    for variant in variants {
        let name = &variant.scenario.scenario.name;
        let pairs = match civitas_batch::paired_targets(base, variant) {
            Ok(p) => p,
            Err(why) => {
                say!("{name} vs {base_name}: {why}");
                continue;
            }
        };
        say!("\n{name} vs {base_name}, paired by replicate (same seed: common random numbers):");
        if let Some(note) = pairs.note() {
            say!("  note: {note}");
        }
        say!(
            "  {:<34} {:>9}  {:>10}  {:>23}  better / worse / same",
            "target",
            "P(better)",
            "mean diff",
            "90 % interval"
        );
        for p in &pairs.targets {
            let d = &p.difference;
            if d.all_tied() {
                say!(
                    "  {:<34} no difference in {} of {} pairs",
                    p.label,
                    d.ties,
                    d.n
                );
            } else {
                let places = decimals([d.mean, d.lo, d.hi]);
                say!(
                    "  {:<34} {:>9}  {:>+10.places$}  {:>+10.places$} – {:<+10.places$}  {} / {} / {} of {}",
                    p.label,
                    civitas_report::format::probability(d.probability_better),
                    d.mean,
                    d.lo,
                    d.hi,
                    d.better,
                    d.worse,
                    d.ties,
                    d.n
                );
            }
            let f = civitas_batch::format::format_value;
            w.write_record([
                base_name.as_str(),
                name.as_str(),
                &civitas_batch::output::text_cell(&p.label),
                &d.n.to_string(),
                &f(d.mean),
                &f(d.lo),
                &f(d.hi),
                &f(d.probability_better),
                &f(d.share_better),
                &d.better.to_string(),
                &d.worse.to_string(),
                &d.ties.to_string(),
            ])?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    owned::write_file(&path, &bytes)?;
    say!("paired comparisons: {}", path.display());
    Ok(())
}

/// Decimal places for a paired difference and its interval: 4, or more when the largest
/// of them is below 0.001, so that it shows two significant digits (a difference of
/// 0.00002 reads `-0.000020`, not `-0.0000`).
fn decimals(values: [f64; 3]) -> usize {
    let largest = values
        .iter()
        .map(|v| v.abs())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    if largest == 0.0 || largest >= 1e-3 {
        return 4;
    }
    ((1.0 - largest.log10().floor()) as usize).clamp(4, 12)
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

#[cfg(test)]
mod tests {
    use super::decimals;

    #[test]
    fn small_differences_keep_two_significant_digits() {
        assert_eq!(decimals([0.0009, 0.0006, 0.0012]), 4);
        assert_eq!(decimals([0.0, 0.0, 0.0]), 4);
        assert_eq!(decimals([-1.95e-5, -3.0e-5, -9.0e-6]), 6);
        assert_eq!(
            format!("{:+.*}", decimals([-1.95e-5, -3.0e-5, -9.0e-6]), -3.0e-5),
            "-0.000030"
        );
        assert_eq!(decimals([-0.0005, f64::NAN, 0.0001]), 5);
        assert_eq!(decimals([1e-300, 0.0, 0.0]), 12);
    }
}
