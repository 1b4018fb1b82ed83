//! `civitas calibrate` end to end (issue 30): a bad observed file is refused with every
//! mistake by line and column before any run, a calibration killed with SIGKILL resumes
//! to byte-identical files, and shards merged give the same files as one run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::kill_when;

mod common;

fn civitas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .canonicalize()
        .unwrap()
}

/// The history backtest, small.
fn calibrate(out: &Path) -> Command {
    let mut cmd = civitas();
    cmd.arg("calibrate")
        .arg(repo("scenarios/history-2015.toml"))
        .arg("--observed")
        .arg(repo("data/observed/cnnic.csv"))
        .args([
            "--holdout",
            "2021-01",
            "--agents",
            "600",
            "--particles",
            "40",
            "--generations",
            "3",
            "--threads",
            "2",
        ])
        .arg("--out")
        .arg(out);
    cmd
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const OUTPUT_FILES: [&str; 4] = [
    "posterior.csv",
    "calibration.csv",
    "report.html",
    "scenario.toml",
];

fn runs(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |d| {
        d.filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".eval")
        })
        .count()
    })
}

fn same_files(a: &Path, b: &Path) {
    for file in OUTPUT_FILES {
        let x = fs::read(a.join(file)).unwrap();
        let y = fs::read(b.join(file)).unwrap();
        assert!(x == y, "{file} differs");
    }
}

#[test]
fn a_bad_observed_file_names_each_mistake() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.csv");
    fs::write(
        &bad,
        "indicator,scope,date,value,sd,source\n\
         device_rate,city,2016-12,0.5,0.01,ok\n\
         device_rat,city,2016-12,0.5,0.01,x\n\
         device_rate,suburb,2017-12,0.5,0.01,x\n\
         device_rate,city,2030-12,0.5,0.01,x\n\
         device_rate,city,2018-12,0.5,-1,x\n",
    )
    .unwrap();
    let out = civitas()
        .arg("calibrate")
        .arg(repo("scenarios/history-2015.toml"))
        .arg("--observed")
        .arg(&bad)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "bad.csv: 4 problems",
        "bad.csv:3:1 (indicator): unknown indicator \"device_rat\"",
        "bad.csv:4:2 (scope): unknown scope \"suburb\"",
        "bad.csv:5:3 (date): 2030-12 is outside the run (2015-12 to 2025-06)",
        "bad.csv:6:5 (sd): -1 is negative",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(
        !tmp.path().join("out").exists(),
        "nothing was run or written"
    );
}

#[test]
fn a_killed_calibration_resumes_to_the_same_files_and_shards_merge_to_them() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = tmp.path().join("clean");
    let printed = run_ok(&mut calibrate(&clean));
    assert!(
        printed.contains("held-out observations (from 2021-01)"),
        "{printed}"
    );
    let clean = clean.join("history-2015-calibrate");

    let killed = tmp.path().join("killed");
    let search = killed.join("history-2015-calibrate.search");
    kill_when(&mut calibrate(&killed), "runs", || runs(&search) >= 30);
    assert!(!killed.join("history-2015-calibrate").exists());
    // A kill between staging and committing leaves a staging folder: the next start
    // removes it.
    let stale = killed.join(".history-2015-calibrate.staging-1-2a");
    fs::create_dir(&stale).unwrap();
    fs::write(stale.join("calibration.csv"), "half written").unwrap();
    run_ok(calibrate(&killed).arg("--resume"));
    same_files(&killed.join("history-2015-calibrate"), &clean);
    let left: Vec<_> = fs::read_dir(&killed)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["history-2015-calibrate"], "left behind");

    // Two shards, a round per generation (three and the posterior predictive), then a
    // merge that finds every run.
    let sharded = tmp.path().join("sharded");
    let shards: Vec<PathBuf> = (0..2)
        .map(|i| sharded.join(format!("history-2015-calibrate.shard-{i}-of-2")))
        .collect();
    for _ in 0..4 {
        for i in 0..2 {
            let said = run_ok(calibrate(&sharded).args(["--shard", &format!("{i}/2")]));
            assert!(said.contains("shard finished"), "{said}");
        }
    }
    let before: usize = shards.iter().map(|s| runs(s)).sum();
    assert_eq!(
        before,
        40 + 20 + 20 + 40,
        "every run of the calibration, once"
    );
    run_ok(calibrate(&sharded).arg("--merge").args(&shards));
    same_files(&sharded.join("history-2015-calibrate"), &clean);
}
