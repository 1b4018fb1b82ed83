//! A result is replaced only by the same experiment: `run`, `sweep` and `merge` refuse to
//! overwrite a result of the same name that ran a different scenario, seed, agent count,
//! scale or replicate count unless `--force`; `manifest.json` records what a result is
//! (agents, scale and the overrides that made it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn civitas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

fn small_scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/batch/sweep_small.toml")
}

fn run(out: &Path, flags: &[&str]) -> Output {
    civitas()
        .arg("run")
        .arg(small_scenario())
        .args(["--threads", "1"])
        .args(flags)
        .arg("--out")
        .arg(out)
        .output()
        .expect("the civitas binary starts")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(out: Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn the_manifest_records_agents_scale_and_every_override() {
    let tmp = tempfile::tempdir().unwrap();
    ok(run(
        tmp.path(),
        &[
            "--agents",
            "400",
            "--replicates",
            "2",
            "--seed",
            "9",
            "--no-uncertainty",
            "--agent-sample",
            "3",
        ],
    ));
    let m = manifest(&tmp.path().join("sweep-small"));
    assert_eq!(m["agents"], 400);
    assert!(m["scale"].as_f64().unwrap() > 0.0, "{m}");
    assert_eq!(
        m["overrides"],
        serde_json::json!([
            "--agents 400",
            "--replicates 2",
            "--seed 9",
            "--no-uncertainty",
            "--agent-sample 3"
        ])
    );
}

#[test]
fn a_result_is_replaced_only_by_the_same_experiment_or_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let result = out.join("sweep-small");
    ok(run(&out, &["--replicates", "4"]));
    let before = std::fs::read(result.join("manifest.json")).unwrap();
    for (flags, what) in [
        (
            &["--replicates", "2"][..],
            "different replicate count (4; this one: 2)",
        ),
        (&["--replicates", "4", "--seed", "5"][..], "different seed"),
        (
            &["--replicates", "4", "--agents", "300"][..],
            "different agent count",
        ),
    ] {
        let err = refused(run(&out, flags));
        assert!(err.contains(what) && err.contains("--force"), "{err}");
        assert_eq!(
            std::fs::read(result.join("manifest.json")).unwrap(),
            before,
            "the result was touched"
        );
    }
    // The same experiment again replaces it; --force replaces it with another.
    ok(run(&out, &["--replicates", "4"]));
    ok(run(&out, &["--replicates", "2", "--force"]));
    assert_eq!(manifest(&result)["replicates"], 2);

    // merge: two shards of a 3-replicate batch do not replace the 2-replicate result.
    let shards = tmp.path().join("shards");
    for i in 0..2 {
        ok(run(
            &shards,
            &["--replicates", "3", "--shard", &format!("{i}/2")],
        ));
    }
    let merge = |force: bool| {
        let mut cmd = civitas();
        cmd.arg("merge")
            .arg(shards.join("sweep-small.shard-0-of-2"))
            .arg(shards.join("sweep-small.shard-1-of-2"))
            .arg("--out")
            .arg(&out);
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    let err = refused(merge(false));
    assert!(
        err.contains("different replicate count (2; this one: 3)"),
        "{err}"
    );
    assert_eq!(manifest(&result)["replicates"], 2);
    ok(merge(true));
    let merged = manifest(&result);
    assert_eq!(merged["replicates"], 3);
    // A merge does not know the flags its shards were run with, and says nothing.
    assert!(merged.get("overrides").is_none(), "{merged}");
}
