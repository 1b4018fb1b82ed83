//! `civitas`: the command line over the scenario, batch and report crates.
//!
//! Each subcommand lives in its own module and is a thin layer over the library API.

mod cmd_bench;
mod cmd_calibrate;
mod cmd_check;
mod cmd_compare;
mod cmd_discover;
mod cmd_optimize;
mod cmd_run;
mod cmd_scenario;
mod cmd_sensitivity;
mod console;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Civitas: simulate a city's digital transformation and check it against its 2027 and
/// 2030 targets.
#[derive(Parser, Debug)]
#[command(name = "civitas", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Flags shared by every command that runs simulations.
#[derive(Args, Debug, Clone, Default)]
pub struct RunFlags {
    /// Number of seeded replicates (overrides `scenario.replicates`).
    #[arg(long, value_name = "N")]
    pub replicates: Option<u32>,
    /// Number of resident agents (overrides `population.agents`; `scale` is adjusted so the
    /// represented population stays the same).
    #[arg(long, value_name = "N")]
    pub agents: Option<u64>,
    /// Master seed (overrides `scenario.seed`).
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(..=civitas_scenario::MAX_SEED))]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores; at most 1024). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = threads_in_range)]
    pub threads: Option<usize>,
    /// Run the point estimate: ignore the scenario's `[[uncertainty]]` priors (every
    /// replicate then differs only by its random streams).
    #[arg(long)]
    pub no_uncertainty: bool,
    /// Draw the parameters of this `posterior.csv` (of `civitas calibrate`) jointly from its
    /// draws instead of their priors (each replicate one draw; the same draws for every
    /// scenario with the same seed).
    #[arg(long, value_name = "FILE", conflicts_with = "no_uncertainty")]
    pub posterior: Option<PathBuf>,
    /// Memory the batch may use, e.g. `512M` or `8G` (default: 80 % of the memory
    /// available). A batch estimated to need more stops before it starts.
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<civitas_batch::Bytes>,
    /// Directory that receives `<scenario-name>/`.
    #[arg(long, value_name = "DIR", default_value = "outputs")]
    pub out: PathBuf,
    /// Replace `<out>/<scenario-name>/` even when it holds a result of a different
    /// scenario, seed, agent count, scale or replicate count (refused without it).
    #[arg(long)]
    pub force: bool,
}

/// `--threads`: 1 to [`civitas_batch::MAX_THREADS`].
pub(crate) fn threads_in_range(text: &str) -> Result<usize, String> {
    let max = civitas_batch::MAX_THREADS;
    match text.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from 1 to {max}")),
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario's replicates and write CSV, plots and report.html to
    /// `outputs/<name>/`. With no FILE, runs the bundled baseline scenario.
    Run(cmd_run::RunArgs),
    /// Run a scenario over a grid or Latin hypercube of lever values.
    Sweep(cmd_run::SweepArgs),
    /// Check scenario files and print every problem with file, line and field.
    Validate(cmd_scenario::ValidateArgs),
    /// Print the JSON Schema of the scenario format (for editor completion and checks).
    Schema,
    /// Print every policy kind (what its money buys, its parameters and their ranges) and
    /// every indicator (unit and definition) as Markdown, from their declarations.
    Describe,
    /// Write a commented starter scenario to DIR (default: current directory).
    Init(cmd_scenario::InitArgs),
    /// Draw finished runs on shared axes and write a comparison report.
    Compare(cmd_compare::CompareArgs),
    /// Merge the shard directories of a sharded run or sweep into one output.
    Merge(cmd_run::MergeArgs),
    /// Rerun regression cases and compare them with their golden results (exit 0: all
    /// hold, 1: drift, 3: a case could not run; 2 is a usage error, as for every command);
    /// `--bless` records new goldens.
    Check(cmd_check::CheckArgs),
    /// Find the ranges of uncertain parameters in which a target fails (PRIM scenario
    /// discovery over a finished run's parameters.csv and target_values.csv).
    Discover(cmd_discover::DiscoverArgs),
    /// Which uncertain parameter drives each target: Sobol indices or Morris effects over
    /// the scenario's `[[uncertainty]]` priors (writes sensitivity.csv).
    Sensitivity(cmd_sensitivity::SensitivityArgs),
    /// Search the split of a budget (policy amounts or `[budget]` shares) that best meets
    /// the targets over the `[[uncertainty]]` priors: CMA-ES with common random numbers,
    /// the best few re-checked on fresh replicates against the file's split (writes
    /// optimize.csv, verify.csv, best.toml and report.html to `<out>/<name>-optimize/`).
    Optimize(cmd_optimize::OptimizeArgs),
    /// Fit the scenario's `[[uncertainty]]` priors to observed data (adaptive ABC-SMC) and
    /// score how well the calibrated model predicts held-out observations (`--holdout`):
    /// writes posterior.csv, calibration.csv and report.html to `<out>/<name>-calibrate/`.
    Calibrate(cmd_calibrate::CalibrateArgs),
    /// Measure the engine on the baseline at 100k, 1M and 5M agents: resident-ticks per
    /// second per core, parallel efficiency, peak memory per resident, the share of each
    /// mechanism and the ratio to a plain struct-of-arrays loop.
    Bench(cmd_bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check(a) => return cmd_check::check(a),
        Command::Run(a) => cmd_run::run(a),
        Command::Sweep(a) => cmd_run::sweep(a),
        Command::Validate(a) => cmd_scenario::validate(a),
        Command::Schema => cmd_scenario::schema(),
        Command::Describe => cmd_scenario::describe(),
        Command::Init(a) => cmd_scenario::init(a),
        Command::Compare(a) => cmd_compare::compare(a),
        Command::Merge(a) => cmd_run::merge(a),
        Command::Discover(a) => cmd_discover::discover_command(a),
        Command::Sensitivity(a) => cmd_sensitivity::sensitivity(a),
        Command::Bench(a) => cmd_bench::bench_command(a),
        Command::Optimize(a) => cmd_optimize::optimize(a),
        Command::Calibrate(a) => cmd_calibrate::calibrate(a),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            console::report_error(&err);
            ExitCode::FAILURE
        }
    }
}
