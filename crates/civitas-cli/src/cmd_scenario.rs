//! `civitas validate`, `civitas schema`, `civitas init`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// Arguments of `civitas validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Scenario files (TOML, YAML or JSON).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Arguments of `civitas init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Directory to write `scenario.toml` into.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

pub fn validate(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut ok = true;
    for f in &args.files {
        match civitas_scenario::Scenario::load(f) {
            Ok(_) => println!("{}: ok", f.display()),
            Err(e) => {
                ok = false;
                eprintln!("{e}");
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn schema() -> anyhow::Result<ExitCode> {
    anyhow::bail!("`civitas schema` is not implemented yet")
}

pub fn init(_args: InitArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`civitas init` is not implemented yet")
}
