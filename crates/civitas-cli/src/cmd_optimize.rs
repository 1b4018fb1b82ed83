//! `civitas optimize`: a thin layer over [`civitas_batch::optimize::Optimize`] — the flags
//! in, the search's lines and the verification printed, the report added to the staged
//! output before it is committed.

use std::path::PathBuf;
use std::process::ExitCode;

use civitas_batch::format::format_value;
use civitas_batch::optimize::summary::OptimizeSummary;
use civitas_batch::optimize::{Objective, Optimize, OptimizeSettings, TotalSpec};
use clap::{Args, ValueEnum};

use crate::RunFlags;
use crate::cmd_run::{kept_for_resume, load_scenario};
use crate::console::say;

/// What `--objective` asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveFlag {
    /// Maximise P(every chosen target met).
    Probability,
    /// Maximise the mean attainment of the chosen targets.
    Attainment,
    /// Minimise the money with P(every chosen target met) at least --min-probability.
    MinMoney,
}

/// Arguments of `civitas optimize`.
#[derive(Args, Debug)]
pub struct OptimizeArgs {
    /// Scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Decision variable `PATH=LO..HI`: a policy's money
    /// (`policies[name=ops].amount_per_year=0..3e8`), a budget share
    /// (`budget.shares.digitization=0.2..0.8`) or `budget.total_per_year`; `PATH=LO..HI:STEP`
    /// keeps it to LO plus whole steps (e.g. `:1e7`, whole 10 millions).
    #[arg(long = "var", value_name = "PATH=LO..HI", required = true)]
    pub vars: Vec<String>,
    /// Keep the sum of the money variables at this amount; `--total` alone keeps the
    /// file's own sum (equal total).
    #[arg(long, value_name = "AMOUNT", num_args = 0..=1, default_missing_value = "file")]
    pub total: Option<String>,
    /// What to maximise.
    #[arg(long, value_enum, default_value = "probability")]
    pub objective: ObjectiveFlag,
    /// With `--objective min-money`: the P(every chosen target met) to reach.
    #[arg(long, value_name = "P")]
    pub min_probability: Option<f64>,
    /// Target labels to meet, comma-separated (default: every target of the last target
    /// year).
    #[arg(long, value_name = "LABELS", value_delimiter = ',')]
    pub targets: Option<Vec<String>>,
    /// CMA-ES generations.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub generations: u32,
    /// Most blocks of replicates the best candidate so far runs (it gains one each time it
    /// holds against a challenger).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_blocks: u32,
    /// Candidates re-evaluated on fresh replicates at the end.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub finalists: usize,
    /// Fresh replicates of the final re-evaluation.
    #[arg(long, value_name = "N", default_value_t = 40)]
    pub verify_replicates: u32,
    /// Continue an interrupted search from its stored evaluations.
    #[arg(long)]
    pub resume: bool,
    /// `--replicates` is the number per block of the search (default 20).
    #[command(flatten)]
    pub flags: RunFlags,
}

/// Default replicates per block of the search.
const DEFAULT_BLOCK_REPLICATES: u32 = 20;

/// `civitas optimize FILE --var … [--total] [--objective …]`.
pub fn optimize(args: OptimizeArgs) -> anyhow::Result<ExitCode> {
    let scenario = load_scenario(Some(&args.file), &args.flags)?;
    let total = match args.total.as_deref() {
        None => TotalSpec::Free,
        Some("file") => TotalSpec::FileTotal,
        Some(text) => match text.trim().parse::<f64>() {
            Ok(v) => TotalSpec::Amount(v),
            Err(_) => anyhow::bail!("--total: `{text}` is not an amount"),
        },
    };
    let objective = match (args.objective, args.min_probability) {
        (ObjectiveFlag::Probability, None) => Objective::Probability,
        (ObjectiveFlag::Attainment, None) => Objective::Attainment,
        (ObjectiveFlag::MinMoney, Some(p)) => Objective::MinMoney { min_probability: p },
        (ObjectiveFlag::MinMoney, None) => {
            anyhow::bail!(
                "--objective min-money: give the probability to reach with --min-probability"
            )
        }
        (_, Some(_)) => anyhow::bail!("--min-probability: only with --objective min-money"),
    };
    let settings = OptimizeSettings {
        variables: args.vars,
        total,
        objective,
        targets: args.targets,
        replicates: args.flags.replicates.unwrap_or(DEFAULT_BLOCK_REPLICATES),
        generations: args.generations,
        max_blocks: args.max_blocks,
        finalists: args.finalists,
        verify_replicates: args.verify_replicates,
    };
    let log = |line: &str| say!("{line}");
    let optimized = Optimize::new(&scenario, settings)
        .source(&args.file)
        .out_dir(&args.flags.out)
        .threads(args.flags.threads)
        .resume(args.resume)
        .force(args.flags.force)
        .progress(&*crate::progress::CONSOLE)
        .log(&log)
        .stage()?;
    if let Err(e) = civitas_report::optimize::write(&optimized.summary, optimized.staged.path()) {
        let work = optimized.staged.abandon();
        return Err(anyhow::Error::new(e).context(kept_for_resume("write the report", &work)));
    }
    let dir = optimized.staged.final_dir().to_path_buf();
    print_summary(&optimized.summary);
    if let Objective::MinMoney { min_probability } = objective {
        let reached = optimized.summary.best().all_met;
        if reached.p < min_probability {
            say!(
                "warning: no allocation found reaches P(every chosen target met) ≥ {min_probability} \
                 within the bounds; the best reaches {:.3} ({:.3}–{:.3}) on the fresh replicates",
                reached.p,
                reached.lo,
                reached.hi
            );
        }
    }
    optimized.commit()?;
    say!("-> {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

fn print_summary(s: &OptimizeSummary) {
    let best = s.best();
    say!(
        "{}: {} candidates; {} ({})",
        s.scenario,
        s.candidates.len(),
        s.objective,
        s.constraint
    );
    say!(
        "best allocation (candidate #{}) against the file's split:",
        best.id
    );
    for (k, v) in s.variables.iter().enumerate() {
        say!(
            "  {}: {} (file {})",
            v.path,
            format_value(best.values[k]),
            format_value(s.file.values[k])
        );
    }
    let p = |x: &civitas_batch::optimize::summary::Probability| {
        format!("{:.3} ({:.3}–{:.3})", x.p, x.lo, x.hi)
    };
    say!(
        "on {} fresh replicates (seed {}): P(all of {} met) {} against the file's {}",
        best.all_met.n,
        s.verify_seed,
        s.targets.join(", "),
        p(&best.all_met),
        p(&s.file.all_met)
    );
    if let Some(d) = &best.all_met_paired {
        say!(
            "  paired difference {:+.3} (90 % interval {:+.3} to {:+.3}; better in {}, worse in {} of {} replicates)",
            d.mean,
            d.lo,
            d.hi,
            d.better,
            d.worse,
            d.n
        );
    }
    for (t, label) in s.targets.iter().enumerate() {
        let diff = best.values_paired[t].as_ref().map_or(String::new(), |d| {
            format!("; value {:+.4} ({:+.4} to {:+.4})", d.mean, d.lo, d.hi)
        });
        say!(
            "  {label}: mean {:.4} (file {:.4}), P {} (file {}){diff}",
            best.means[t],
            s.file.means[t],
            p(&best.targets[t]),
            p(&s.file.targets[t])
        );
    }
}
