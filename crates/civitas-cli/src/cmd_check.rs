//! `civitas check`: rerun regression cases and compare them with their golden results.
//!
//! Exit codes: 0 every case holds, 1 a quantity drifted (or is missing), 3 a case could not
//! run (no golden, invalid scenario, I/O error); 2 stays what it is for every command, a
//! command-line usage error (from clap).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::console::{say, say_err};
use civitas_check::junit::{describe, number, z_text};
use civitas_check::{Case, CaseRun, Comparison, RunOptions, discover};
use clap::Args;

/// Arguments of `civitas check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Folder of regression cases: `<case>/scenario.toml` with its `golden.csv` and an
    /// optional `tolerances.toml` (or one case folder).
    #[arg(value_name = "DIR", default_value = "tests/regression")]
    pub dir: PathBuf,
    /// Record the current results as the goldens (after an intended change) and print
    /// what changed.
    #[arg(long)]
    pub bless: bool,
    /// Also write the results as JUnit XML (one test case per case × indicator or target,
    /// the drifting values in the failure).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Keep each case's full output (CSV, plots, report.html) under `DIR/<case>/`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads for all cases (default: all cores; at most 1024). Results do not
    /// depend on it.
    #[arg(long, value_name = "N", value_parser = crate::threads_in_range)]
    pub threads: Option<usize>,
    /// Rows of the drift table to print (0: all).
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub show: usize,
}

const EXIT_DRIFT: u8 = 1;
/// Not 2: clap exits 2 on a usage error, and CI must tell the two apart.
const EXIT_CANNOT_RUN: u8 = 3;

/// `civitas check DIR`.
pub fn check(args: CheckArgs) -> ExitCode {
    let discovered = match discover(&args.dir) {
        Ok(d) => d,
        Err(e) => {
            say_err!("error: {e}\n");
            return ExitCode::from(EXIT_CANNOT_RUN);
        }
    };
    let mut cannot_run = false;
    let mut cases: Vec<Case> = Vec::new();
    for d in discovered {
        match d {
            Ok(case) => cases.push(case),
            Err(broken) => {
                cannot_run = true;
                match &broken.error {
                    // Each diagnostic line names the case; quoted source lines follow as
                    // they are.
                    civitas_check::CheckError::Scenario(s) => {
                        for line in s.render().lines() {
                            match line.strip_prefix("error: ") {
                                Some(rest) => {
                                    say_err!("error: case {}: {rest}\n", broken.name)
                                }
                                None => say_err!("{line}\n"),
                            }
                        }
                    }
                    other => say_err!("error: case {}: {other}\n", broken.name),
                }
            }
        }
    }
    let write_report = |staged: &civitas_batch::StagedOutput| {
        civitas_report::Report::write(staged.result(), staged.path())
            .map(|_| ())
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
    };
    let options = RunOptions {
        threads: args.threads,
        keep: args.out.clone(),
        bless: args.bless,
        report: args
            .out
            .as_ref()
            .map(|_| &write_report as &civitas_check::ReportHook),
    };
    let verb = if args.bless { "blessing" } else { "checking" };
    say!(
        "civitas check: {verb} {} case(s) in {}",
        cases.len(),
        args.dir.display()
    );
    for case in &cases {
        let notes = case.notes();
        const SHOWN: usize = 12;
        for line in notes.iter().take(SHOWN) {
            match line.strip_prefix("  ") {
                Some(item) => say!("    {item}"),
                None => say!("note: case {}: {line}", case.name),
            }
        }
        if notes.len() > SHOWN {
            say!("    … and {} more", notes.len() - SHOWN);
        }
    }
    let runs = civitas_check::run_all(&cases, &options);
    print_cases(&runs);
    let drifts: Vec<(&str, &Comparison)> = runs
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok().map(|o| (r, o)))
        .flat_map(|(r, o)| o.drifts().map(move |c| (r.case.name.as_str(), c)))
        .collect();
    // Spending is set by the scenario's money, not computed by the model: its change
    // says the case's inputs changed and, with no spread across replicates, would top
    // any table ranked by z. It gets a table of its own, after the outcomes.
    let (inputs, outcomes): (Vec<_>, Vec<_>) =
        drifts.iter().copied().partition(|(_, c)| is_input(c));
    if !outcomes.is_empty() {
        let title = if args.bless {
            "changed beyond tolerance (now blessed), worst first:"
        } else {
            "drifts, worst first:"
        };
        say!("\n{title}");
        print_table(&outcomes, args.show);
    }
    if !inputs.is_empty() {
        say!(
            "\ninputs that changed (spending, set by the scenario's money: the case's scenario \
             or its base changed):"
        );
        print_table(&inputs, args.show);
    }
    cannot_run |= runs.iter().any(|r| r.outcome.is_err());
    if let Some(path) = &args.junit {
        // Through a fresh temporary renamed into place: a link at the path is replaced,
        // never written through.
        let xml = civitas_check::junit::junit(&runs);
        if let Err(e) = civitas_batch::owned::write_file(path, xml.as_bytes()) {
            say_err!("error: {e}\n");
            return ExitCode::from(EXIT_CANNOT_RUN);
        }
        say!("JUnit report: {}", path.display());
    }
    if cannot_run {
        say!("result: some cases could not run (exit {EXIT_CANNOT_RUN})");
        ExitCode::from(EXIT_CANNOT_RUN)
    } else if args.bless {
        say!("result: goldens written for {} case(s)", runs.len());
        ExitCode::SUCCESS
    } else if drifts.is_empty() {
        say!("result: every case holds");
        ExitCode::SUCCESS
    } else {
        let cases = runs
            .iter()
            .filter(|r| r.outcome.as_ref().is_ok_and(|o| !o.holds()))
            .count();
        say!(
            "result: {} quantit{} drifted in {cases} case(s) (exit {EXIT_DRIFT}); if the change is \
             intended, run `civitas check {} --bless` and commit the goldens",
            drifts.len(),
            if drifts.len() == 1 { "y" } else { "ies" },
            args.dir.display()
        );
        ExitCode::from(EXIT_DRIFT)
    }
}

/// Whether a checked quantity is an input of the model (the money a scenario spends)
/// rather than an outcome.
fn is_input(c: &Comparison) -> bool {
    use civitas_scenario::Indicator;
    matches!(
        c.quantity,
        civitas_check::Quantity::Indicator(
            Indicator::SpendConstruction | Indicator::SpendOperation | Indicator::SpendEconomy
        )
    )
}

fn print_cases(runs: &[CaseRun]) {
    let width = runs.iter().map(|r| r.case.name.len()).max().unwrap_or(4);
    for run in runs {
        let status = match &run.outcome {
            Err(e) => {
                say_err!("error: case {}: {e}\n", run.case.name);
                "cannot run (error above)".to_string()
            }
            Ok(o) if o.blessed && !o.had_golden => "blessed (first goldens)".to_string(),
            Ok(o) => {
                let failed = o.drifts().count();
                let new = o.comparisons.len() - o.checked();
                let mut s = match (failed, o.blessed) {
                    (0, false) => "holds".to_string(),
                    (0, true) => "blessed (unchanged within tolerance)".to_string(),
                    (n, false) => format!("DRIFT ({n})"),
                    (n, true) => format!("blessed ({n} changed)"),
                };
                if new > 0 && !o.blessed {
                    s.push_str(&format!(
                        "; {new} new quantities not in golden (bless to record)"
                    ));
                }
                format!("{:>5} quantities  {s}", o.checked())
            }
        };
        say!(
            "  {:<width$}  {status}  ({:.1} s)",
            run.case.name,
            run.seconds
        );
    }
}

fn print_table(rows: &[(&str, &Comparison)], show: usize) {
    let shown = if show == 0 {
        rows.len()
    } else {
        show.min(rows.len())
    };
    let cells: Vec<[String; 7]> = rows[..shown]
        .iter()
        .map(|(case, c)| {
            [
                case.to_string(),
                c.quantity.to_string(),
                c.scope.clone(),
                c.date.clone(),
                number(c.golden),
                number(c.now),
                z_text(c.z),
            ]
        })
        .collect();
    let header = ["case", "quantity", "scope", "date", "golden", "now", "z"];
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |row: &[String]| {
        let mut out = String::from("  ");
        for (k, (cell, w)) in row.iter().zip(widths).enumerate() {
            let pad = w.saturating_sub(cell.chars().count());
            if k >= 4 {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            }
            out.push_str("  ");
        }
        out.trim_end().to_string()
    };
    say!("{}", line(&header.map(String::from)));
    for row in &cells {
        say!("{}", line(row));
    }
    if shown < rows.len() {
        say!("  … and {} more (--show 0 prints all)", rows.len() - shown);
    }
    if let Some((_, worst)) = rows.first() {
        say!("  worst: {}", describe(worst));
    }
}
