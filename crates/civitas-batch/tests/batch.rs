//! The batch library end to end on a small city: determinism across thread counts,
//! shards and resume, and reading outputs back.

use std::fs;
use std::path::Path;

use civitas_batch::{Batch, BatchError, MergeError, Shard, Sweep, load_result, merge};
use civitas_scenario::Scenario;

/// The baseline with few agents and a short horizon, so a replicate takes milliseconds.
fn small_city() -> Scenario {
    let mut s = Scenario::baseline();
    // With its firms: shards, resume and merge hold for the economy too.
    assert!(s.economy.is_some(), "the baseline has an economy");
    s.set_agents(300);
    s.scenario.end = "2027-12".parse().unwrap();
    s.targets.retain(|t| t.year <= 2027);
    s
}

/// Debug text, so NaN (a missing value) compares equal to NaN.
fn same(x: &impl std::fmt::Debug) -> String {
    format!("{x:?}")
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

#[test]
fn resolved_scenario_round_trips_through_toml() {
    let s = small_city();
    let text = toml::to_string(&s).unwrap();
    let back = Scenario::from_str_as(&text, civitas_scenario::Format::Toml, "x.toml").unwrap();
    assert_eq!(back, s);
}

#[test]
fn csv_outputs_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let s = small_city();
    let one = Batch::new(&s)
        .replicates(4)
        .threads(1)
        .out_dir(tmp.path().join("t1"))
        .run()
        .unwrap();
    let two = Batch::new(&s)
        .replicates(4)
        .threads(2)
        .out_dir(tmp.path().join("t2"))
        .run()
        .unwrap();
    let (d1, d2) = (
        tmp.path().join("t1/baseline"),
        tmp.path().join("t2/baseline"),
    );
    for f in [
        "timeseries.csv",
        "summary.csv",
        "targets.csv",
        "scenario.toml",
    ] {
        assert!(read(&d1, f) == read(&d2, f), "{f} differs");
    }
    assert_eq!(same(&one.series), same(&two.series));
    assert_eq!(one.manifest.run_seeds.len(), 4);
    assert_eq!(two.manifest.threads, 2);
    // Nothing but the committed output remains.
    let left: Vec<_> = fs::read_dir(tmp.path().join("t1"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec!["baseline"]);
    // The output reads back into the same result.
    let loaded = load_result(&d1).unwrap();
    assert_eq!(same(&loaded.targets), same(&one.targets));
    assert_eq!(loaded.scenario, one.scenario);
    assert_eq!(loaded.dates, one.dates);
    assert_eq!(loaded.series.len(), one.series.len());
    for (a, b) in loaded.series.iter().zip(&one.series) {
        assert_eq!((a.indicator, &a.scope), (b.indicator, &b.scope));
        for (x, y) in a.mean.iter().zip(&b.mean) {
            assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()));
        }
    }
}

#[test]
fn timeseries_is_tidy_and_in_replicate_order() {
    let tmp = tempfile::tempdir().unwrap();
    let s = small_city();
    Batch::new(&s)
        .replicates(3)
        .threads(2)
        .out_dir(tmp.path())
        .run()
        .unwrap();
    let text = fs::read_to_string(tmp.path().join("baseline/timeseries.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,replicate,tick,date,indicator,scope,value")
    );
    let ticks = s.scenario.tick_dates().len();
    let scopes = civitas_engine::Scope::all(&s).len();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows.len(),
        3 * ticks * civitas_scenario::Indicator::ALL.len() * scopes
    );
    let replicates: Vec<u32> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(replicates.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(rows[0][3], "2024-01");
    assert_eq!(rows[0][5], "city");
}

#[test]
fn shards_merge_into_the_unsharded_result() {
    let tmp = tempfile::tempdir().unwrap();
    let s = small_city();
    let sweep = || {
        Sweep::parse(
            &["policies[name=ops].amount_per_year=0..2e8:3".into()],
            None,
        )
        .unwrap()
    };
    Batch::new(&s)
        .replicates(3)
        .sweep(sweep())
        .out_dir(tmp.path().join("whole"))
        .run()
        .unwrap();
    let shard_dirs: Vec<_> = (0..4)
        .map(|i| {
            Batch::new(&s)
                .replicates(3)
                .sweep(sweep())
                .threads(1)
                .out_dir(tmp.path().join("shards"))
                .run_shard(Shard::parse(&format!("{i}/4")).unwrap())
                .unwrap()
        })
        .collect();
    // An incomplete set of shards is refused.
    let err = merge(
        &shard_dirs[..3],
        &tmp.path().join("merged"),
        &civitas_batch::Silent,
    )
    .unwrap_err();
    assert!(err.to_string().contains("3/4"), "{err}");
    assert!(
        matches!(
            &err,
            BatchError::Merge(MergeError::MissingShards { missing, count: 4 }) if missing == &[3]
        ),
        "{err:?}"
    );
    let staged = merge(
        &shard_dirs,
        &tmp.path().join("merged"),
        &civitas_batch::Silent,
    )
    .unwrap();
    let merged = staged.commit().unwrap();
    assert_eq!(merged.sweep.as_ref().unwrap().points.len(), 3);
    let whole = tmp.path().join("whole/baseline-sweep");
    let joined = tmp.path().join("merged/baseline-sweep");
    for f in [
        "sweep.csv",
        "scenario.toml",
        "points/p0001/summary.csv",
        "points/p0002/targets.csv",
    ] {
        assert!(read(&whole, f) == read(&joined, f), "{f} differs");
    }
    let loaded = load_result(&joined).unwrap();
    assert_eq!(same(&loaded.sweep), same(&merged.sweep));
}

#[test]
fn resume_reuses_finished_runs_and_gives_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let s = small_city();
    Batch::new(&s)
        .replicates(4)
        .out_dir(tmp.path().join("a"))
        .run()
        .unwrap();
    // An interrupted batch: a shard-like partial work directory is what a killed run
    // leaves; simulate it by staging and dropping without commit, then removing one run.
    let staged = Batch::new(&s)
        .replicates(4)
        .out_dir(tmp.path().join("b"))
        .stage()
        .unwrap();
    let work = staged.path().parent().unwrap().to_path_buf();
    drop(staged);
    assert!(!tmp.path().join("b/baseline").exists());
    fs::remove_file(work.join("runs/p00000-r000002.run")).unwrap();
    let resumed = Batch::new(&s)
        .replicates(4)
        .out_dir(tmp.path().join("b"))
        .resume(true)
        .stage()
        .unwrap();
    resumed.commit().unwrap();
    for f in ["timeseries.csv", "summary.csv", "targets.csv"] {
        assert!(
            read(&tmp.path().join("a/baseline"), f) == read(&tmp.path().join("b/baseline"), f),
            "{f}"
        );
    }
    assert!(!work.exists());
    // Resuming with other settings is refused rather than mixing runs.
    let staged = Batch::new(&s)
        .replicates(4)
        .out_dir(tmp.path().join("c"))
        .stage()
        .unwrap();
    drop(staged);
    let err = Batch::new(&s)
        .replicates(5)
        .out_dir(tmp.path().join("c"))
        .resume(true)
        .stage()
        .unwrap_err();
    assert!(err.to_string().contains("replicates"), "{err}");
}

/// Sets the `model` a work or shard directory's `plan.json` records (`None`: removes it,
/// as in a plan written before plans recorded the model).
fn set_plan_model(dir: &Path, model: Option<&str>) {
    let path = dir.join("plan.json");
    let mut plan: serde_json::Value = serde_json::from_slice(&read(dir, "plan.json")).unwrap();
    let fields = plan.as_object_mut().unwrap();
    match model {
        Some(m) => fields.insert("model".into(), m.into()),
        None => fields.remove("model"),
    };
    fs::write(&path, serde_json::to_string(&plan).unwrap()).unwrap();
}

#[test]
fn runs_of_another_model_are_neither_merged_nor_resumed() {
    let tmp = tempfile::tempdir().unwrap();
    let s = small_city();
    let shards: Vec<_> = (0..2)
        .map(|i| {
            Batch::new(&s)
                .replicates(2)
                .threads(1)
                .out_dir(tmp.path().join("shards"))
                .run_shard(Shard::parse(&format!("{i}/2")).unwrap())
                .unwrap()
        })
        .collect();
    assert!(
        String::from_utf8(read(&shards[1], "plan.json"))
            .unwrap()
            .contains(civitas_engine::MODEL_FINGERPRINT)
    );
    set_plan_model(&shards[1], Some("src-00000000000000ff"));
    let err = merge(&shards, &tmp.path().join("merged"), &civitas_batch::Silent).unwrap_err();
    assert!(
        matches!(&err, BatchError::Merge(MergeError::OtherModel { .. })),
        "{err:?}"
    );
    let said = err.to_string();
    assert!(said.contains("model src-00000000000000ff"), "{said}");
    assert!(said.contains(civitas_engine::MODEL_FINGERPRINT), "{said}");
    set_plan_model(&shards[1], None);
    let said = merge(&shards, &tmp.path().join("merged"), &civitas_batch::Silent)
        .unwrap_err()
        .to_string();
    assert!(
        said.contains("written before Civitas recorded model"),
        "{said}"
    );
    assert!(!tmp.path().join("merged/baseline").exists());

    // The work of an interrupted batch of another model is not resumed.
    let staged = Batch::new(&s)
        .replicates(2)
        .out_dir(tmp.path().join("c"))
        .stage()
        .unwrap();
    let work = staged.path().parent().unwrap().to_path_buf();
    drop(staged);
    set_plan_model(&work, Some("src-00000000000000ff"));
    let err = Batch::new(&s)
        .replicates(2)
        .out_dir(tmp.path().join("c"))
        .resume(true)
        .stage()
        .unwrap_err();
    assert!(err.to_string().contains("another model"), "{err}");

    // A finished result records the model that ran it.
    let done = Batch::new(&s)
        .replicates(2)
        .out_dir(tmp.path().join("d"))
        .run()
        .unwrap();
    assert_eq!(
        done.manifest.model_fingerprint,
        civitas_engine::MODEL_FINGERPRINT
    );
    let manifest = load_result(tmp.path().join("d/baseline")).unwrap().manifest;
    assert_eq!(
        manifest.model_fingerprint,
        civitas_engine::MODEL_FINGERPRINT
    );
}
