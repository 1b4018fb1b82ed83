//! `civitas compare` end to end: two real runs of a small scenario, read back from their
//! output directories and drawn on shared axes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn civitas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

/// The baseline, small: a few thousand agents so two runs take seconds.
fn small_baseline(dir: &Path) -> PathBuf {
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/baseline.toml");
    let path = dir.join("small-baseline.toml");
    let text = format!(
        "extends = {:?}\n[scenario]\nname = \"small-baseline\"\nreplicates = 3\n[population]\nagents = 1000\nscale = 5000.0\n",
        baseline.canonicalize().unwrap().display().to_string()
    );
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the civitas binary starts");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn compare_draws_two_finished_runs_into_one_report() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compare-cli");
    let _ = std::fs::remove_dir_all(&root);
    let scenario = small_baseline(&root);
    for (dir, seed) in [("a", "1"), ("b", "2")] {
        run_ok(
            civitas()
                .arg("run")
                .arg(&scenario)
                .args(["--replicates", "3", "--seed", seed, "--threads", "1"])
                .arg("--out")
                .arg(root.join(dir)),
        );
    }
    let (a, b) = (root.join("a/small-baseline"), root.join("b/small-baseline"));
    let out = root.join("compare");
    let stdout = run_ok(
        civitas()
            .arg("compare")
            .arg(&a)
            .arg(&b)
            .arg("--out")
            .arg(&out),
    );
    assert!(stdout.contains("report.html"), "{stdout}");

    let html = std::fs::read_to_string(out.join("report.html")).expect("comparison page");
    // Same scenario twice: the runs are told apart by directory.
    assert!(
        html.contains("a/small-baseline vs b/small-baseline"),
        "runs not told apart"
    );
    let targets = civitas_scenario::Scenario::baseline().targets.len();
    assert_eq!(html.matches("<tr class=\"target-row\"").count(), targets);
    for file in [
        "scorecard.svg",
        "scorecard.png",
        "probability_met.svg",
        "compare_adoption_rate.svg",
    ] {
        assert!(out.join("plots").join(file).is_file(), "{file} missing");
    }
}

#[test]
fn compare_of_a_missing_run_fails_with_the_directory_named() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compare-cli-missing");
    let out = civitas()
        .arg("compare")
        .arg(root.join("nope-a"))
        .arg(root.join("nope-b"))
        .arg("--out")
        .arg(root.join("out"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nope-a"), "{stderr}");
}
