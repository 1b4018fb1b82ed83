//! `civitas compare`: draws finished runs on shared axes and writes a comparison report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use civitas_batch::BatchResult;
use civitas_report::Report;
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

/// Reads each run directory back and writes the comparison plots and `report.html`.
pub fn compare(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let runs = args
        .runs
        .iter()
        .map(|dir| {
            load_run(dir)
                .with_context(|| format!("cannot read the finished run in {}", dir.display()))
        })
        .collect::<anyhow::Result<Vec<BatchResult>>>()?;
    let files = Report::compare(&runs, &args.out)
        .with_context(|| format!("cannot write the comparison to {}", args.out.display()))?;
    println!(
        "wrote {} plots to {}",
        files.plots.len(),
        args.out.join("plots").display()
    );
    if let Some(html) = files.html {
        println!("report: {}", html.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a finished run's output directory back into a `BatchResult`.
///
/// PENDING: reading the files is the batch crate's job (`civitas_batch::load_result`,
/// not merged yet); this only checks the directory and says so.
fn load_run(dir: &Path) -> anyhow::Result<BatchResult> {
    anyhow::ensure!(
        dir.is_dir(),
        "{} is not a directory (expected a run's output directory such as outputs/baseline)",
        dir.display()
    );
    anyhow::bail!(
        "reading a finished run back needs civitas_batch::load_result, which has not landed yet"
    )
}
