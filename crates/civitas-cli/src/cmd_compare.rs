//! `civitas compare`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

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

pub fn compare(_args: CompareArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`civitas compare` is not implemented yet")
}
