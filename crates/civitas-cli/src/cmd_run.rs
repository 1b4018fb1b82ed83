//! `civitas run`, `civitas sweep` and `civitas merge`: thin layers over
//! [`civitas_batch::Batch`].
//!
//! Each stages its output (CSV, manifest, resolved scenario), adds the report to the
//! staging directory, and only then moves it to `<out>/<name>/` in one rename.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use civitas_batch::{Batch, BatchResult, Shard, StagedOutput, Sweep, TargetStatus};
use civitas_scenario::{Scenario, TableFormat};
use clap::Args;

use crate::RunFlags;
use crate::console::say;

/// Flags of `run` and `sweep` for distributed and interrupted batches.
#[derive(Args, Debug, Clone, Default)]
pub struct BatchFlags {
    /// Run only shard I of N of the (point × replicate) runs, 0-based (e.g. `--shard 0/4`
    /// … `3/4`), into `<out>/<name>.shard-I-of-N/`; combine the shards with `civitas merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Continue an interrupted batch (or shard) from the runs it finished.
    #[arg(long)]
    pub resume: bool,
}

/// `--shard` and `--merge` of the commands that run a design of their own and analyse it
/// (`sensitivity`: the design's runs; `calibrate`: the next generation's): one shard of the
/// runs into a folder of its own, then the command again with every shard's folder to
/// merge them and finish. Parsed here for both.
#[derive(Args, Debug, Clone, Default)]
pub struct ShardFlags {
    /// Run only shard I of N (0-based) of the runs the command would do next, each into
    /// a folder of its own, then stop; finish with `--merge`.
    #[arg(long, value_name = "I/N", conflicts_with = "merge")]
    pub shard: Option<Shard>,
    /// Read these shard folders' runs (of the same command and options) and go on.
    #[arg(long, value_name = "SHARD_DIR", num_args = 1..)]
    pub merge: Vec<PathBuf>,
}

/// `--format` of `run` and `sweep`.
#[derive(Args, Debug, Clone, Default)]
pub struct FormatFlag {
    /// File format of the output tables: `csv`, `parquet` (typed, compressed) or `both`
    /// (overrides `[outputs] format`).
    #[arg(long, value_name = "FORMAT", value_parser = table_format)]
    pub format: Option<TableFormat>,
}

impl FormatFlag {
    /// Sets the scenario's table format, noting the flag among the run's overrides.
    fn apply(&self, scenario: &mut Scenario, overrides: &mut Vec<String>) {
        if let Some(format) = self.format {
            scenario.outputs.format = format;
            overrides.push(format!("--format {}", format.name()));
        }
    }
}

/// `--format`: `csv`, `parquet` or `both`.
fn table_format(text: &str) -> Result<TableFormat, String> {
    [TableFormat::Csv, TableFormat::Parquet, TableFormat::Both]
        .into_iter()
        .find(|f| f.name() == text)
        .ok_or_else(|| "expected csv, parquet or both".to_string())
}

/// Arguments of `civitas run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file; the bundled `scenarios/baseline.toml` when omitted.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Write `agents.csv` with the first N residents of every replicate at every tick
    /// (overrides `[outputs] agent_sample`; 0 turns the sample off).
    #[arg(long, value_name = "N")]
    pub agent_sample: Option<u32>,
    #[command(flatten)]
    pub format: FormatFlag,
    #[command(flatten)]
    pub flags: RunFlags,
    #[command(flatten)]
    pub batch: BatchFlags,
}

/// Arguments of `civitas sweep`.
#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Lever to sweep: `PATH=LO..HI:N` (grid), `PATH=a,b,c` (list) or `PATH=LO..HI` with --lhs.
    #[arg(long = "set", value_name = "LEVER", required = true)]
    pub set: Vec<String>,
    /// Latin-hypercube sample of N points over the `LO..HI` ranges instead of a grid.
    #[arg(long, value_name = "N")]
    pub lhs: Option<usize>,
    /// Also write every point's `timeseries.csv` (large for big sweeps).
    #[arg(long)]
    pub timeseries: bool,
    #[command(flatten)]
    pub format: FormatFlag,
    #[command(flatten)]
    pub flags: RunFlags,
    #[command(flatten)]
    pub batch: BatchFlags,
}

/// Arguments of `civitas merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard directories written by `run --shard` or `sweep --shard` (all shards of one batch).
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub shards: Vec<PathBuf>,
    /// Directory that receives the merged `<name>/` (default: `outputs`).
    #[arg(long, value_name = "DIR", default_value = "outputs")]
    pub out: PathBuf,
    /// Replace `<out>/<name>/` even when it holds a result of a different scenario, seed,
    /// agent count, scale or replicate count (refused without it).
    #[arg(long)]
    pub force: bool,
}

/// `civitas run [FILE]`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let mut scenario = load_scenario(args.file.as_deref(), &args.flags)?;
    let mut overrides = flag_overrides(&args.flags);
    if let Some(n) = args.agent_sample {
        scenario.outputs.agent_sample = n;
        overrides.push(format!("--agent-sample {n}"));
    }
    args.format.apply(&mut scenario, &mut overrides);
    let batch = configure(Batch::new(&scenario), &args.flags, &args.batch).overrides(overrides);
    execute(batch, args.batch.shard)
}

/// `civitas sweep FILE --set …`.
pub fn sweep(args: SweepArgs) -> anyhow::Result<ExitCode> {
    let mut scenario = load_scenario(Some(&args.file), &args.flags)?;
    let mut overrides = flag_overrides(&args.flags);
    args.format.apply(&mut scenario, &mut overrides);
    let sweep = Sweep::parse(&args.set, args.lhs)?;
    let batch = configure(Batch::new(&scenario), &args.flags, &args.batch)
        .overrides(overrides)
        .sweep(sweep)
        .sweep_timeseries(args.timeseries);
    execute(batch, args.batch.shard)
}

/// `civitas merge SHARD_DIR… --out DIR`.
pub fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let staged = civitas_batch::merge_replacing(
        &args.shards,
        &args.out,
        &*crate::progress::CONSOLE,
        args.force,
    )?;
    finish(staged)
}

/// Largest posterior file `--posterior` reads.
const POSTERIOR_FILE_LIMIT: u64 = 512 << 20;

pub(crate) fn load_scenario(file: Option<&Path>, flags: &RunFlags) -> anyhow::Result<Scenario> {
    let mut scenario = match file {
        Some(path) => Scenario::load(path)?,
        None => Scenario::baseline(),
    };
    // Each flag with the fields it sets, so a problem with them names the flag.
    let mut given: Vec<(String, &[&str])> = Vec::new();
    if let Some(agents) = flags.agents {
        // Keep the represented population: scale follows the agent count.
        let people = scenario.represented_population();
        scenario.population.agents = agents;
        scenario.population.scale = people / agents as f64;
        given.push((
            format!("--agents {agents}"),
            &["population.agents", "population.scale"],
        ));
    }
    if let Some(seed) = flags.seed {
        scenario.scenario.seed = seed;
        given.push((format!("--seed {seed}"), &["scenario.seed"]));
    }
    if let Some(n) = flags.replicates {
        scenario.scenario.replicates = n;
        given.push((format!("--replicates {n}"), &["scenario.replicates"]));
    }
    check_overrides(&scenario, &given)?;
    if flags.no_uncertainty {
        scenario.uncertainty.clear();
    }
    if let Some(path) = &flags.posterior {
        let flag = format!("--posterior {}", path.display());
        let bytes = civitas_batch::owned::read_bytes(path, POSTERIOR_FILE_LIMIT)
            .with_context(|| format!("{flag}: cannot read the posterior"))?;
        let text = String::from_utf8(bytes).map_err(|_| anyhow!("{flag}: not UTF-8 text"))?;
        let posterior =
            civitas_scenario::parse_posterior(&text).map_err(|e| anyhow!("{flag}: {e}"))?;
        scenario.use_posterior(&path.display().to_string(), posterior);
        scenario.check().map_err(|e| anyhow!("{flag}: {e}"))?;
    }
    Ok(scenario)
}

/// Runs the scenario's checks after the command-line overrides, so a flag cannot do what
/// the file may not (`--agents 0`, `--replicates 0`, …). The first problem of each flag is
/// reported once, naming the flag.
fn check_overrides(scenario: &Scenario, given: &[(String, &[&str])]) -> anyhow::Result<()> {
    let Err(e) = scenario.check() else {
        return Ok(());
    };
    let mut lines = Vec::new();
    for (flag, fields) in given {
        if let Some(d) = e
            .diagnostics
            .iter()
            .find(|d| fields.iter().any(|f| d.path == *f))
        {
            lines.push(format!("{flag}: field `{}`: {}", d.path, d.message));
        }
    }
    if lines.is_empty() {
        return Err(e.into());
    }
    anyhow::bail!("{}", lines.join("\nerror: "))
}

/// The flags that changed the scenario file's values, as `manifest.json` records them.
fn flag_overrides(flags: &RunFlags) -> Vec<String> {
    let mut given = Vec::new();
    if let Some(n) = flags.agents {
        given.push(format!("--agents {n}"));
    }
    if let Some(n) = flags.replicates {
        given.push(format!("--replicates {n}"));
    }
    if let Some(seed) = flags.seed {
        given.push(format!("--seed {seed}"));
    }
    if flags.no_uncertainty {
        given.push("--no-uncertainty".to_string());
    }
    given
}

pub(crate) fn configure<'a>(batch: Batch<'a>, flags: &RunFlags, extra: &BatchFlags) -> Batch<'a> {
    let mut batch = batch
        .out_dir(&flags.out)
        .resume(extra.resume)
        .overrides(flag_overrides(flags))
        .replace_different(flags.force)
        .progress(&*crate::progress::CONSOLE);
    if let Some(n) = flags.threads {
        batch = batch.threads(n);
    }
    if let Some(limit) = flags.max_memory {
        batch = batch.max_memory(limit);
    }
    batch
}

fn execute(batch: Batch<'_>, shard: Option<Shard>) -> anyhow::Result<ExitCode> {
    if let Some(shard) = shard {
        let dir = batch.run_shard(shard)?;
        say!(
            "shard {shard} finished in {}; combine all shards with `civitas merge`",
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    finish(batch.stage()?)
}

/// Adds the report (plots, report.html) to the staged output, commits it and prints the
/// target scorecard.
fn finish(staged: StagedOutput) -> anyhow::Result<ExitCode> {
    // Plots and report.html go into the staging directory, so they appear together with
    // the CSV files in the one rename of the commit.
    if let Err(e) = civitas_report::Report::write(staged.result(), staged.path()) {
        // Nothing half-made stays behind as output; the finished runs stay for --resume.
        let work = staged.abandon();
        return Err(anyhow::Error::new(e).context(kept_for_resume("write the report", &work)));
    }
    let dir = staged.final_dir().to_path_buf();
    let result = staged
        .commit()
        .with_context(|| format!("cannot move the output to {}", dir.display()))?;
    print_scorecard(&result, &dir);
    Ok(ExitCode::SUCCESS)
}

/// What failed after every run finished, and where the runs wait for `--resume`.
pub(crate) fn kept_for_resume(what: &str, work: &Path) -> String {
    format!(
        "cannot {what}; the finished runs are kept in {}: the same command again with \
         --resume (a merge: the same merge again) assembles and draws them without running \
         them",
        work.display()
    )
}

fn print_scorecard(result: &BatchResult, dir: &Path) {
    let m = &result.manifest;
    say!(
        "{}: {} replicates on {} threads in {:.1} s -> {}",
        m.scenario,
        m.replicates,
        m.threads,
        m.wall_time_seconds,
        dir.display()
    );
    if let Some(sweep) = &result.sweep {
        say!("{} sweep points; see sweep.csv", sweep.points.len());
        print_sweep_extremes(result, sweep);
        return;
    }
    let uncertain = result.scenario.uncertainty.len();
    if uncertain > 0 {
        say!(
            "  parameter uncertainty: {uncertain} priors, one draw per replicate (parameters.csv)"
        );
    } else {
        say!("  point estimate: no [[uncertainty]] priors; the spread is random noise only");
    }
    for t in &result.targets {
        let target = format!("{} {}", t.label, threshold(t));
        if t.status == TargetStatus::NoData {
            say!("  no data            {target}  (no replicate gave a value)");
            continue;
        }
        let mark = match t.status {
            TargetStatus::Met => "met    ",
            TargetStatus::AtRisk => "at risk",
            TargetStatus::Missed => "missed ",
            TargetStatus::NoData => "no data",
        };
        say!(
            "  {mark} p = {:.2} ({:.2}-{:.2})  {target}  (mean {:.4}, p5-p95 {:.4}-{:.4})",
            t.probability_met,
            t.probability_lo,
            t.probability_hi,
            t.mean,
            t.p5,
            t.p95
        );
    }
    if m.replicates < civitas_batch::FEW_REPLICATES && !result.targets.is_empty() {
        say!(
            "  note: with {} replicates the 90 % interval of a probability is wide (up to ±{:.2}); \
             use --replicates {} or more before reading p as a number",
            m.replicates,
            (civitas_batch::WILSON_Z_90 * 0.5 / f64::from(m.replicates.max(1)).sqrt()).min(0.5),
            civitas_batch::FEW_REPLICATES
        );
    }
}

/// What a target asks, in the units of the mean printed beside it: `≥ 0.8`, `≤ 7`,
/// `in 0.6–0.8`.
fn threshold(t: &civitas_batch::TargetResult) -> String {
    let v = civitas_batch::format::format_value;
    match (t.min, t.max) {
        (Some(lo), Some(hi)) => format!("in {}–{}", v(lo), v(hi)),
        (Some(lo), None) => format!("≥ {}", v(lo)),
        (None, Some(hi)) => format!("≤ {}", v(hi)),
        (None, None) => "(any value)".to_string(),
    }
}

/// For each target of a sweep, the point where it does best and the one where it does
/// worst: by probability met, then by the mean in the indicator's better direction.
fn print_sweep_extremes(result: &BatchResult, sweep: &civitas_batch::SweepResult) {
    use civitas_report::plots::sweep::{extremes, point_levers, sweep_targets};
    let currency = &result.scenario.scenario.currency;
    for target in sweep_targets(sweep) {
        say!("  {} {}", target.label, threshold(target));
        let Some(((best_point, best), (worst_point, worst))) = extremes(sweep, target) else {
            say!("    no data at any point");
            continue;
        };
        say!(
            "    best  p = {:.2} (mean {:.4}) at {}",
            best.probability_met,
            best.mean,
            point_levers(sweep, best_point, currency)
        );
        say!(
            "    worst p = {:.2} (mean {:.4}) at {}",
            worst.probability_met,
            worst.mean,
            point_levers(sweep, worst_point, currency)
        );
    }
}
