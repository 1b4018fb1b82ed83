//! End to end: a budget sweep (`scenarios/budget-split.toml`: the construction share
//! swept, the remainder policy — operation — taking the rest of a fixed total) runs through `civitas sweep`,
//! and its sweep plot and table show the trade-off between building and operating.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_budget_split_sweep_shows_the_trade_off() {
    let out = std::env::temp_dir().join(format!("civitas-cli-budget-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let scenario = repo_root().join("scenarios/budget-split.toml");
    let run = Command::new(env!("CARGO_BIN_EXE_civitas"))
        .args(["sweep", scenario.to_str().unwrap()])
        .args(["--set", "budget.shares.digitization=0,0.5,0.95"])
        .args(["--agents", "3000", "--replicates", "2", "--threads", "2"])
        .args(["--out", out.to_str().unwrap()])
        .output()
        .expect("the civitas binary runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let dir = out.join("budget-split-sweep");
    let plot = dir.join("plots/sweep_system-availability-2030_by_budget-shares-digitization.svg");
    assert!(plot.is_file(), "{} missing", plot.display());
    let table = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    // System availability in 2030 at each share of digitization: (nearly) all money to
    // construction leaves nothing to run the systems. (The scenario's inclusion share,
    // 0.0476, stays; the operation remainder shrinks to 0.0024 at the last point.)
    let availability: Vec<(f64, f64)> = table
        .lines()
        .filter(|l| l.contains(",system_availability,") && l.contains(",2030,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].parse().unwrap(), f[9].parse().unwrap())
        })
        .collect();
    assert_eq!(availability.len(), 3, "{table}");
    assert!(
        availability[0].1 > availability[1].1 && availability[1].1 > availability[2].1,
        "{availability:?}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_split_past_the_whole_budget_is_refused_in_one_clean_message() {
    let out = tempfile::tempdir().unwrap();
    let scenario = repo_root().join("scenarios/budget-split.toml");
    let run = Command::new(env!("CARGO_BIN_EXE_civitas"))
        .args(["sweep", scenario.to_str().unwrap()])
        .args(["--set", "budget.shares.digitization=0..1:5"])
        .args(["--agents", "1000", "--replicates", "1"])
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("the civitas binary runs");
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.starts_with(
            "error: lever `budget.shares.digitization=1`: the scenario is no longer valid: \
             field `budget.shares`: the budget shares sum to 1.047600"
        ),
        "{err}"
    );
}
