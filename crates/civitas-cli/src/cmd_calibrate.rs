//! `civitas calibrate`: a thin layer over [`civitas_batch::calibrate::Calibrate`] — the
//! flags and the observed file in, the generations and the fit printed, the report added
//! to the staged output before it is committed.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use civitas_batch::calibrate::summary::{CalibrationSummary, Score};
use civitas_batch::calibrate::{
    Calibrate, CalibrateSettings, Outcome, PerturbationKernel, read_observed,
};
use civitas_batch::format::format_value;
use civitas_scenario::YearMonth;
use clap::{Args, ValueEnum};

use crate::RunFlags;
use crate::cmd_run::ShardFlags;
use crate::cmd_run::load_scenario;
use crate::console::say;

/// What `--kernel` asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KernelFlag {
    /// One Gaussian of twice the kept particles' weighted covariance (Beaumont et al. 2009).
    Scaled,
    /// Each parent its optimal local covariance (OLCM, Filippi et al. 2013).
    Olcm,
}

/// Arguments of `civitas calibrate`.
#[derive(Args, Debug)]
#[command(after_long_help = "\
Each particle is one run (one replicate) of the scenario with its [[uncertainty]] priors set \
to the particle's values, measured against the observations before --holdout: \
sqrt(mean((model - value)^2 / (sd^2 + discrepancy^2))). Adaptive ABC-SMC (Lenormand, Jabot \
and Deffuant 2013) keeps the closest --alpha share of each generation and proposes the rest \
around them (--kernel scaled: one Gaussian of twice their covariance; olcm: each parent its \
optimal local covariance, Filippi et al. 2013) until fewer than --min-acceptance of the new \
ones beat the previous tolerance, or --generations. The posterior is then resampled into equally weighted draws, each run once \
more: the posterior predictive; the first generation's runs are the prior predictive.

Writes <out>/<name>-calibrate/: posterior.csv (draw, path, value), calibration.csv (per \
observation: the prior and posterior predictive p5/p50/p95 (the model's value plus the \
observation's sd and the discrepancy), inside or not, the error of the median and the CRPS; \
role fit or holdout), report.html and the resolved scenario.toml. Runs are stored as they \
finish in <out>/<name>-calibrate.search/: --resume continues an interrupted calibration to \
byte-identical files.

Slurm: run `--shard I/N` for I = 0..N-1 (each runs its share of the first generation not yet \
complete, reading the other shards' folders beside its own, and stops); each round of shards \
advances one generation. `--merge <shard dirs>` reads their runs and finishes the rest.

The observed file: indicator, scope (city, urban, rural, district:<name>, band:<name>), date \
(YYYY-MM), value (shares as 0-1), sd (or lo and hi, a 90 % range), source.

Examples:
    civitas calibrate scenarios/history-2015.toml --observed data/observed/cnnic.csv \\
        --holdout 2021-01 --agents 5000
    civitas calibrate scenarios/history-2015.toml --observed data/observed/cnnic.csv --shard 0/4")]
pub struct CalibrateArgs {
    /// Scenario file with `[[uncertainty]]` priors.
    #[arg(value_name = "SCENARIO")]
    pub file: PathBuf,
    /// Observed data (tidy CSV).
    #[arg(long, value_name = "FILE")]
    pub observed: PathBuf,
    /// Fit only observations before this month (`YYYY-MM`); predict the rest.
    #[arg(long, value_name = "YYYY-MM")]
    pub holdout: Option<YearMonth>,
    /// Particles per generation.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub particles: usize,
    /// Share of particles kept from one generation to the next.
    #[arg(long, value_name = "A", default_value_t = 0.5)]
    pub alpha: f64,
    /// Stop when fewer new particles than this share beat the previous tolerance.
    #[arg(long, value_name = "P", default_value_t = 0.05)]
    pub min_acceptance: f64,
    /// Most generations (the prior's included).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub generations: usize,
    /// Model discrepancy: an sd in the indicators' units (0.01 = one point of a share)
    /// added in quadrature to every observation's.
    #[arg(long, value_name = "SD", default_value_t = 0.01)]
    pub discrepancy: f64,
    /// Posterior draws run for the posterior predictive (default: as many as particles).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub draws: usize,
    /// Perturbation kernel of the later generations.
    #[arg(long, value_enum, default_value_t = KernelFlag::Scaled)]
    pub kernel: KernelFlag,
    /// Continue an interrupted calibration from its stored runs.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub shards: ShardFlags,
    #[command(flatten)]
    pub flags: RunFlags,
}

/// `civitas calibrate SCENARIO --observed FILE`.
pub fn calibrate(args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    let scenario = load_scenario(Some(&args.file), &args.flags)?;
    let observations = read_observed(&args.observed, &scenario)?;
    let settings = CalibrateSettings {
        particles: args.particles,
        alpha: args.alpha,
        min_acceptance: args.min_acceptance,
        max_generations: args.generations,
        discrepancy: args.discrepancy,
        holdout: args.holdout,
        draws: args.draws,
        kernel: match args.kernel {
            KernelFlag::Scaled => PerturbationKernel::Scaled,
            KernelFlag::Olcm => PerturbationKernel::Olcm,
        },
    };
    let log = |line: &str| say!("{line}");
    let outcome = Calibrate::new(&scenario, observations, settings)
        .observed_name(args.observed.display().to_string())
        .out_dir(&args.flags.out)
        .threads(args.flags.threads)
        .resume(args.resume)
        .shard(args.shards.shard)
        .merge(args.shards.merge.clone())
        .log(&log)
        .run()?;
    let calibrated = match outcome {
        Outcome::ShardDone { generation, dir } => {
            say!(
                "shard finished its runs of {} in {}; once every shard has, run the shards \
                 again for the next generation, or finish with `civitas calibrate {} \
                 --observed {} --merge <shard dirs>` (same options)",
                if generation >= civitas_batch::calibrate::PREDICTIVE_GENERATION {
                    "the posterior predictive".to_string()
                } else {
                    format!("generation {}", generation + 1)
                },
                dir.display(),
                args.file.display(),
                args.observed.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        Outcome::Finished(c) => c,
    };
    civitas_report::calibration::write(&calibrated.summary, calibrated.path())
        .context("cannot write the report")?;
    print_summary(&calibrated.summary);
    let dir = calibrated.commit()?;
    say!("-> {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

fn score_line(what: &str, s: &Score) -> String {
    format!(
        "{what}: {} of {} inside the 90 % band ({:.0} %), MAE {}, CRPS {} (prior {})",
        s.covered,
        s.n,
        100.0 * s.coverage(),
        format_value(round4(s.mae)),
        format_value(round4(s.crps)),
        format_value(round4(s.prior_crps))
    )
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn print_summary(s: &CalibrationSummary) {
    say!(
        "{}: {} simulations of {} agents; {} posterior draws",
        s.scenario,
        s.simulations(),
        s.agents,
        s.draws()
    );
    say!("parameter: prior p5-p95 -> posterior p5 / p50 / p95 (width ratio)");
    for p in &s.parameters {
        say!(
            "  {}: {}-{} -> {} / {} / {} ({:.2})",
            p.path,
            format_value(sig(p.prior[0])),
            format_value(sig(p.prior[2])),
            format_value(sig(p.posterior[0])),
            format_value(sig(p.posterior[1])),
            format_value(sig(p.posterior[2])),
            p.narrowing()
        );
    }
    say!("{}", score_line("fitted observations", &s.fit_score()));
    if let Some(h) = s.holdout_score() {
        say!(
            "{}",
            score_line(
                &format!(
                    "held-out observations (from {})",
                    s.holdout.as_deref().unwrap_or("")
                ),
                &h
            )
        );
        for o in s.observations.iter().filter(|o| o.held_out) {
            say!(
                "  {} {} {}: observed {} , posterior {} ({}-{}){}",
                o.indicator,
                o.scope,
                o.date,
                format_value(o.value),
                format_value(round4(o.posterior[1])),
                format_value(round4(o.posterior[0])),
                format_value(round4(o.posterior[2])),
                if o.inside() { "" } else { "  outside" }
            );
        }
    }
}

/// Four significant digits.
fn sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 3 - x.abs().log10().floor() as i32;
    let f = 10f64.powi(digits);
    (x * f).round() / f
}
