//! `civitas run` and `civitas sweep`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::RunFlags;

/// Arguments of `civitas run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file; the bundled `scenarios/baseline.toml` when omitted.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub flags: RunFlags,
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
    #[command(flatten)]
    pub flags: RunFlags,
}

pub fn run(_args: RunArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`civitas run` is not implemented yet")
}

pub fn sweep(_args: SweepArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`civitas sweep` is not implemented yet")
}
