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
            .arg(&out)
            .arg("--force"),
    );
    assert!(stdout.contains("report.html"), "{stdout}");
    assert!(stdout.contains("compared anyway (--force)"), "{stdout}");
    assert!(stdout.contains("different seeds (1 and 2)"), "{stdout}");

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

fn run_small(scenario: &Path, out: &Path, flags: &[&str]) -> PathBuf {
    run_ok(
        civitas()
            .arg("run")
            .arg(scenario)
            .args(["--threads", "1"])
            .args(flags)
            .arg("--out")
            .arg(out),
    );
    out.join("small-baseline")
}

/// `civitas compare A B --out OUT`, which must succeed; its standard output.
fn compare(a: &Path, b: &Path, out: &Path) -> String {
    run_ok(civitas().arg("compare").arg(a).arg(b).arg("--out").arg(out))
}

/// The console of a comparison of a run with itself: no paired difference.
fn assert_ties(stdout: &str) {
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("  online_service_rate 2030 ")
                && l.ends_with(" no difference in 3 of 3 pairs")),
        "{stdout}"
    );
}

fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the civitas binary starts");
    assert_eq!(out.status.code(), Some(1), "{cmd:?} did not fail with 1");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_parquet_run_compares_like_the_csv_run_of_the_same_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small_baseline(tmp.path());
    let a = run_small(&scenario, &tmp.path().join("a"), &["--format", "parquet"]);
    let b = run_small(&scenario, &tmp.path().join("b"), &[]);
    assert!(a.join("targets.parquet").is_file() && !a.join("targets.csv").exists());
    assert!(a.join("timeseries.parquet").is_file() && !a.join("timeseries.csv").exists());
    let manifest = std::fs::read_to_string(a.join("manifest.json")).unwrap();
    assert!(manifest.contains("--format parquet"), "{manifest}");
    // Same seed, same numbers: every paired difference is 0, whichever format holds them.
    assert_ties(&compare(&a, &b, &tmp.path().join("cmp")));
    let bad = civitas()
        .arg("run")
        .arg(&scenario)
        .args(["--format", "xlsx"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && err.contains("expected csv, parquet or both"),
        "{err}"
    );
}

#[test]
fn ties_are_reported_as_ties_never_as_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small_baseline(tmp.path());
    // The same scenario and seed twice: every paired difference is exactly 0.
    let a = run_small(&scenario, &tmp.path().join("a"), &[]);
    let b = run_small(&scenario, &tmp.path().join("b"), &[]);
    let out = tmp.path().join("cmp");
    let stdout = compare(&a, &b, &out);
    assert_ties(&stdout);
    assert!(
        !stdout.contains("0.50"),
        "a tie read as a coin flip:\n{stdout}"
    );
    let mut paired = csv::Reader::from_path(out.join("paired.csv")).unwrap();
    let headers = paired.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for row in paired.records() {
        let row = row.unwrap();
        assert_eq!(&row[column("pairs_same")], "3", "{row:?}");
        assert_eq!(&row[column("pairs_better")], "0", "{row:?}");
        assert_eq!(&row[column("share_better")], "0", "{row:?}");
        assert_eq!(&row[column("probability_better")], "", "{row:?}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("no difference in 3 of 3 pairs"));
}

#[test]
fn different_replicate_counts_are_paired_on_the_common_replicates_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small_baseline(tmp.path());
    let a = run_small(&scenario, &tmp.path().join("a"), &["--replicates", "3"]);
    let b = run_small(&scenario, &tmp.path().join("b"), &["--replicates", "5"]);
    let out = tmp.path().join("cmp");
    let stdout = run_ok(
        civitas()
            .arg("compare")
            .arg(&a)
            .arg(&b)
            .arg("--out")
            .arg(&out),
    );
    assert!(
        stdout.contains(
            "note: the runs have 3 and 5 replicates: paired on the 3 they share (replicates 0-2)"
        ),
        "{stdout}"
    );
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(out.join("paired.csv"))
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    let targets = civitas_scenario::Scenario::baseline().targets.len();
    assert_eq!(rows.len(), targets, "an empty table again");
    assert!(rows.iter().all(|r| &r[3] == "3"), "{rows:?}");
}

#[test]
fn runs_of_other_agents_seeds_or_kinds_are_refused_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small_baseline(tmp.path());
    let a = run_small(&scenario, &tmp.path().join("a"), &[]);
    let fewer = run_small(&scenario, &tmp.path().join("b"), &["--agents", "800"]);
    let out = tmp.path().join("cmp");
    let err = fails(
        civitas()
            .arg("compare")
            .arg(&a)
            .arg(&fewer)
            .arg("--out")
            .arg(&out),
    );
    assert!(err.contains("agents: 1000 in "), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(!out.exists(), "nothing is written before the refusal");
    let stdout = run_ok(
        civitas()
            .arg("compare")
            .arg(&a)
            .arg(&fewer)
            .arg("--out")
            .arg(&out)
            .arg("--force"),
    );
    assert!(
        stdout.contains("different agent counts (1000 and 800), so replicates are not paired"),
        "{stdout}"
    );

    // A sweep has no series or targets of its own: refused, never an empty table.
    run_ok(
        civitas()
            .arg("sweep")
            .arg(&scenario)
            .args(["--set", "policies[name=ops].amount_per_year=1e8,2e8"])
            .args(["--replicates", "1", "--threads", "1", "--out"])
            .arg(tmp.path().join("s")),
    );
    let sweep = tmp.path().join("s/small-baseline-sweep");
    for force in [false, true] {
        let mut cmd = civitas();
        cmd.arg("compare")
            .arg(&a)
            .arg(&sweep)
            .arg("--out")
            .arg(tmp.path().join("cmp2"));
        if force {
            cmd.arg("--force");
        }
        let err = fails(&mut cmd);
        assert!(err.contains("holds a sweep's result"), "{err}");
    }
}

#[test]
fn a_comparison_goes_only_where_it_replaces_an_earlier_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small_baseline(tmp.path());
    let a = run_small(&scenario, &tmp.path().join("a"), &[]);
    let b = run_small(&scenario, &tmp.path().join("b"), &[]);
    let compare = |out: &Path| {
        let mut cmd = civitas();
        cmd.arg("compare").arg(&a).arg(&b).arg("--out").arg(out);
        cmd
    };
    let manifest = std::fs::read(a.join("manifest.json")).unwrap();
    for (out, why) in [
        (a.clone(), "holds a result"),
        (a.join("cmp"), "lies inside the result"),
    ] {
        let err = fails(&mut compare(&out));
        assert!(err.contains(why), "{err}");
    }
    assert_eq!(std::fs::read(a.join("manifest.json")).unwrap(), manifest);
    assert!(!a.join("cmp").exists() && !a.join("paired.csv").exists());
    let foreign = tmp.path().join("notes");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("mine.txt"), "keep").unwrap();
    let err = fails(&mut compare(&foreign));
    assert!(err.contains("is a folder of other things"), "{err}");
    assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);
    // An earlier comparison is replaced.
    let cmp = tmp.path().join("cmp");
    run_ok(&mut compare(&cmp));
    run_ok(&mut compare(&cmp));
    assert!(cmp.join("comparison.json").is_file());

    // The default folder cannot be a scenario's output (`outputs/compare` was the output
    // of a scenario named `compare`).
    let stdout = run_ok(
        civitas()
            .current_dir(tmp.path())
            .arg("compare")
            .arg(&a)
            .arg(&b),
    );
    assert!(
        tmp.path()
            .join("outputs/small-baseline.vs.small-baseline/report.html")
            .is_file(),
        "{stdout}"
    );
}

/// Rewrites the `model_fingerprint` of the run in `dir` (`None`: removes it, as in a
/// manifest written before Civitas recorded the model).
fn set_model(dir: &Path, model: Option<&str>) {
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let fields = manifest.as_object_mut().unwrap();
    match model {
        Some(m) => fields.insert("model_fingerprint".into(), m.into()),
        None => fields.remove("model_fingerprint"),
    };
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
}

#[test]
fn runs_of_other_models_are_refused_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small_baseline(tmp.path());
    let a = run_small(&scenario, &tmp.path().join("a"), &["--replicates", "2"]);
    let b = run_small(&scenario, &tmp.path().join("b"), &["--replicates", "2"]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    let model = manifest["model_fingerprint"].as_str().unwrap().to_string();
    assert!(
        model.len() == 20
            && model.starts_with("src-")
            && model[4..].chars().all(|c| c.is_ascii_hexdigit()),
        "{model}"
    );
    // The same build: compared without a word about models.
    let stdout = compare(&a, &b, &tmp.path().join("same"));
    assert!(!stdout.contains("model:"), "{stdout}");

    set_model(&b, Some("src-00000000000000ff"));
    let out = tmp.path().join("cmp");
    let mut cmd = civitas();
    cmd.arg("compare").arg(&a).arg(&b).arg("--out").arg(&out);
    let err = fails(&mut cmd);
    assert!(
        err.contains(&format!("model: {model} in ")) && err.contains("src-00000000000000ff in "),
        "{err}"
    );
    assert!(err.contains("the engine changed between the runs"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(!out.exists(), "nothing is written before the refusal");
    let stdout = run_ok(cmd.arg("--force"));
    assert!(stdout.contains("compared anyway (--force)"), "{stdout}");
    assert!(
        stdout.contains("the engine changed between the runs"),
        "{stdout}"
    );

    // A manifest from before fingerprints: its model is not known, so refused too.
    set_model(&b, None);
    let err = fails(
        civitas()
            .arg("compare")
            .arg(&a)
            .arg(&b)
            .arg("--out")
            .arg(tmp.path().join("old")),
    );
    assert!(
        err.contains(&format!(
            "model: not known for {} (written before Civitas recorded model fingerprints)",
            b.display()
        )),
        "{err}"
    );
}
