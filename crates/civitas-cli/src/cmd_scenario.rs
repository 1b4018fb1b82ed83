//! `civitas validate`, `civitas schema`, `civitas init`: working with scenario files
//! without running them.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use civitas_scenario::{STARTER_TOML, Scenario};
use clap::Args;

use crate::console::{say, say_err};

/// Arguments of `civitas validate`.
#[derive(Args, Debug)]
#[command(after_long_help = "\
Checks each file the way `civitas run` reads it: the syntax, every field name and type, then \
the rules a scenario must follow: district and age-band shares sum to 1, every department, \
district and band named by a service, policy, shock or target exists, dates lie inside \
[scenario] start..end, shares and probabilities lie in [0, 1], names are unique, each policy \
sets the parameters of its kind. A file that `extends` a base scenario is checked together \
with its base (a variant that shortens the horizon keeps the base's later dates; they never \
take effect).

Every problem is printed, not only the first, as
    FILE:LINE:COLUMN: field `services[3].requires[1]`: found ..., expected ...
followed by the line of the file. Positions in lists count from 0: `services[3]` is the \
fourth [[services]] entry.

Exit status: 0 when every file is valid (each prints `FILE: ok`), 1 otherwise.

Examples:
    civitas validate scenarios/baseline.toml
    civitas validate scenarios/*.toml my-variant.yaml")]
pub struct ValidateArgs {
    /// Scenario files to check: TOML (.toml), YAML (.yaml, .yml) or JSON (.json).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Arguments of `civitas init`.
#[derive(Args, Debug)]
#[command(after_long_help = "\
Writes DIR/scenario.toml: a small, valid scenario with a comment on every section (districts, \
age bands, departments, services, incidents, policies, shocks, targets, outputs). Edit the \
numbers, then `civitas validate DIR/scenario.toml` and `civitas run DIR/scenario.toml`. \
An existing scenario.toml is never overwritten.

Example:
    civitas init my-town && civitas run my-town/scenario.toml")]
pub struct InitArgs {
    /// Directory to write `scenario.toml` into (created when missing).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

/// Prints `FILE: ok` for each valid file and every diagnostic of the others.
pub fn validate(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut failed_files = 0;
    let mut problems = 0;
    let mut report = String::new();
    for file in &args.files {
        match Scenario::load(file) {
            // The `[[uncertainty]]` paths use the sweep's lever grammar, checked in batch:
            // each must name a numeric field that every draw keeps valid.
            Ok(scenario) => match civitas_batch::ParameterDraws::of(&scenario) {
                Ok(_) => say!("{}: ok", file.display()),
                Err(e) => {
                    failed_files += 1;
                    problems += 1;
                    let _ = writeln!(report, "{}: {e}", file.display());
                }
            },
            Err(e) => {
                failed_files += 1;
                problems += e.diagnostics.len();
                report.push_str(&e.render());
            }
        }
    }
    if failed_files == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    let _ = writeln!(
        report,
        "{problems} problem{} in {failed_files} file{}",
        plural(problems),
        plural(failed_files)
    );
    say_err!("{report}");
    Ok(ExitCode::FAILURE)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Prints the JSON Schema of the scenario format.
pub fn schema() -> anyhow::Result<ExitCode> {
    let text = serde_json::to_string_pretty(&Scenario::json_schema())?;
    say!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// Prints every policy kind and every indicator with its definition, as Markdown.
pub fn describe() -> anyhow::Result<ExitCode> {
    let kinds = civitas_scenario::describe::policy_kinds_markdown();
    let indicators = civitas_scenario::describe::indicators_markdown();
    say!("{kinds}\n{indicators}");
    Ok(ExitCode::SUCCESS)
}

/// Writes the commented starter scenario to `DIR/scenario.toml`, never over an existing file.
pub fn init(args: InitArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create directory {}", args.dir.display()))?;
    let path = args.dir.join("scenario.toml");
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::bail!(
                "{} already exists; not overwriting it (choose another DIR or move the file)",
                path.display()
            )
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    file.write_all(STARTER_TOML.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    say!("wrote {}", path.display());
    say!(
        "next: edit it, then `civitas validate {0}` and `civitas run {0}`",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
