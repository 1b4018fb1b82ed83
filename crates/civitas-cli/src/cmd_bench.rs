//! `civitas bench`: engine speed, parallel efficiency, memory and the share of each
//! mechanism, measured on the baseline city at several sizes.

use std::process::ExitCode;

use anyhow::{Context, bail};
use civitas_batch::bench::{BenchReport, SizeResult, bare_entity_bytes, measure_size};
use civitas_batch::{Bytes, MemoryEstimate};
use clap::Args;

use crate::console::{say, say_err};

/// Arguments of `civitas bench`.
#[derive(Args, Debug)]
#[command(after_long_help = "\
Runs the bundled baseline (or FILE) at each size and measures, in one process:
  ticks s, set-up s           wall seconds of one replicate's ticks and of building its
                              world (synthesis, steady-state start) on one thread
  resident-ticks/s per core   agents x ticks / wall seconds of the ticks on one thread
  peak RSS, bytes/resident    peak resident set of that run less the set before the world
  shares                      share of tick time per mechanism (the resident pass profiled
                              step by step; identical outputs)
  reference ratio             the engine's resident pass over a plain struct-of-arrays loop
                              of the same steps on the same residents and ticks
  parallel efficiency         one replicate on all threads: t1 / (threads x tn);
                              independent replicates (one per thread): t1 / tn
Timings are ratios within one run; compare figures only from the same machine.

Example:
    civitas bench --agents 100000,1000000 --json > bench.json")]
pub struct BenchArgs {
    /// Scenario file; the bundled `scenarios/baseline.toml` when omitted.
    #[arg(value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
    /// Agent counts to measure, comma-separated.
    #[arg(long, value_name = "N,N,…", value_delimiter = ',', default_values_t = [100_000u64, 1_000_000, 5_000_000])]
    pub agents: Vec<u64>,
    /// Threads of the parallel runs (default: all cores).
    #[arg(long, value_name = "N", value_parser = crate::threads_in_range)]
    pub threads: Option<usize>,
    /// Print the measurements as JSON on stdout (progress still goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Memory the benchmark may use, e.g. `8G` (default: 80 % of the memory available).
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<Bytes>,
    /// Internal: measure the one size given in this process and print its JSON (each size
    /// runs in a fresh child process so that its peak memory is its own).
    #[arg(long, hide = true)]
    pub child: bool,
    /// Internal: print bevy's bytes per bare entity for the one size given, as JSON.
    #[arg(long, hide = true)]
    pub bare: bool,
}

/// Runs `civitas bench`.
pub fn bench_command(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let flags = crate::RunFlags::default();
    let scenario = crate::cmd_run::load_scenario(args.file.as_deref(), &flags)?;
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    if args.agents.is_empty() || args.agents.contains(&0) {
        anyhow::bail!("--agents: expected one or more agent counts above 0");
    }
    // The largest size runs `threads` replicates at once: check that it fits first.
    let largest = *args.agents.iter().max().expect("checked non-empty");
    let mut big = scenario.clone();
    big.set_agents(largest);
    let (limit, source) = civitas_batch::limits::memory_limit(args.max_memory);
    MemoryEstimate::of(&[big], threads as u32, threads as u64, threads)
        .check(limit, source)
        .context("the benchmark's largest size does not fit in memory")?;
    if args.child || args.bare {
        let [n] = args.agents[..] else {
            bail!("--child and --bare measure one size");
        };
        let text = if args.bare {
            serde_json::to_string(&bare_entity_bytes(n))
        } else {
            let size = measure_size(&scenario, n, threads, &mut |what| {
                say_err!("measuring: {what}\n");
            });
            serde_json::to_string(&size)
        };
        say!("{}", text.context("writing the measurement as JSON")?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut sizes = Vec::new();
    for &n in &args.agents {
        let json = measure_in_child(&args, n, threads, false)?;
        sizes.push(
            serde_json::from_str::<SizeResult>(&json).context("reading a size's measurements")?,
        );
    }
    let bare = measure_in_child(&args, largest, threads, true)?;
    let report = BenchReport {
        threads,
        bare_entity_bytes: serde_json::from_str(&bare)
            .context("reading the bare-entity measurement")?,
        sizes,
    };
    if args.json {
        let text = serde_json::to_string_pretty(&report).context("writing the report as JSON")?;
        say!("{text}");
    } else {
        print_table(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs this binary's `bench --child` (or `--bare`) for `agents` and returns its JSON.
fn measure_in_child(
    args: &BenchArgs,
    agents: u64,
    threads: usize,
    bare: bool,
) -> anyhow::Result<String> {
    let exe = std::env::current_exe()
        .context("finding the civitas binary to measure in a fresh process")?;
    let mut command = std::process::Command::new(exe);
    command
        .arg("bench")
        .arg(if bare { "--bare" } else { "--child" })
        .args([
            "--agents",
            &agents.to_string(),
            "--threads",
            &threads.to_string(),
        ]);
    if let Some(file) = &args.file {
        command.arg(file);
    }
    if !bare {
        say_err!("measuring {agents} agents in a fresh process\n");
    }
    let out = command
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("starting the measuring process")?;
    if !out.status.success() {
        bail!(
            "the measuring process for {agents} agents failed ({})",
            out.status
        );
    }
    String::from_utf8(out.stdout).context("reading the measuring process's output")
}

fn print_table(report: &BenchReport) {
    say!(
        "{:>10} {:>8} {:>8} {:>16} {:>10} {:>12} {:>10} {:>10} {:>9} {:>9} {:>10}",
        "agents",
        "ticks s",
        "set-up s",
        "M res-ticks/s/core",
        "peak MiB",
        "bytes/res",
        "indicators",
        "ind. fused",
        "ref ratio",
        "eff 1 rep",
        "eff reps"
    );
    for s in &report.sizes {
        say!(
            "{:>10} {:>8.2} {:>8.2} {:>16.1} {:>10} {:>12} {:>9.1} % {:>8.1} % {:>9.2} {:>9.2} {:>10.2}",
            s.agents,
            s.seconds_one_core,
            s.setup_seconds_one_core,
            s.resident_ticks_per_second_per_core / 1e6,
            s.peak_rss_bytes.map_or("?".into(), |b| format!(
                "{:.0}",
                b as f64 / (1 << 20) as f64
            )),
            s.bytes_per_resident
                .map_or("?".into(), |b| format!("{b:.0}")),
            100.0 * s.indicator_share,
            100.0 * s.indicator_share_fused,
            s.reference_ratio,
            s.parallel_efficiency_one_replicate,
            s.parallel_efficiency_replicates,
        );
    }
    say!("(parallel runs on {} threads)", report.threads);
    if let Some(b) = report.bare_entity_bytes {
        say!("bevy's own bytes per bare entity (one 4-byte component): {b:.0}");
    }
    say!("");
    say!("share of tick time per mechanism:");
    let names: Vec<&str> = report
        .sizes
        .first()
        .map(|s| s.shares.iter().map(|(n, _)| n.as_str()).collect())
        .unwrap_or_default();
    let mut header = format!("{:<22}", "mechanism");
    for s in &report.sizes {
        header += &format!("{:>10}", s.agents);
    }
    say!("{header}");
    for (i, name) in names.iter().enumerate() {
        let mut line = format!("{name:<22}");
        for s in &report.sizes {
            line += &format!("{:>9.1}%", 100.0 * s.shares.get(i).map_or(0.0, |p| p.1));
        }
        say!("{line}");
    }
}
