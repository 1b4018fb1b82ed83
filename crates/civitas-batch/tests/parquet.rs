//! Parquet outputs: the same run written as CSV and as Parquet holds the same data, reads
//! back into the same result, and a Parquet-only run is read like a CSV one.

use std::fs;
use std::path::Path;

use civitas_batch::{Batch, Shard, Sweep, load_result, merge};
use civitas_results::table::{parquet_path, read_table};
use civitas_scenario::{Scenario, TableFormat};

/// The baseline with few agents, a short horizon and an agent sample.
fn small_city(format: TableFormat) -> Scenario {
    let mut s = Scenario::baseline();
    s.set_agents(300);
    s.scenario.end = "2027-12".parse().unwrap();
    s.targets.retain(|t| t.year <= 2027);
    s.outputs.agent_sample = 4;
    s.outputs.format = format;
    s
}

/// The tables a run of the small city writes (it has an agent sample).
const TABLES: [&str; 5] = [
    "timeseries",
    "summary",
    "targets",
    "target_values",
    "agents",
];

/// Runs the small city in `format`, 3 replicates, into `out`.
fn run_small(format: TableFormat, out: &Path) -> civitas_batch::BatchResult {
    Batch::new(&small_city(format))
        .replicates(3)
        .out_dir(out)
        .run()
        .unwrap()
}

/// Debug text, so NaN (a missing value) compares equal to NaN.
fn same(x: &impl std::fmt::Debug) -> String {
    format!("{x:?}")
}

/// Each table of `dir` read from its CSV file equals it read from its Parquet file (the
/// time series less its rows without a value); returns the rows Parquet left out.
fn assert_tables_agree(dir: &Path, tables: &[&str]) -> usize {
    let mut dropped = 0;
    for name in tables {
        let csv = read_table(&dir.join(name)).unwrap();
        let parquet = read_table(&parquet_path(&dir.join(name))).unwrap();
        assert_eq!(csv.header, parquet.header, "{name}");
        assert!(!csv.rows.is_empty(), "{name} is empty");
        let kept: Vec<_> = if *name == "timeseries.csv" {
            csv.rows
                .iter()
                .filter(|r| !r[6].is_empty())
                .cloned()
                .collect()
        } else {
            csv.rows.clone()
        };
        dropped += csv.rows.len() - kept.len();
        assert!(kept == parquet.rows, "{name}: CSV and Parquet rows differ");
    }
    dropped
}

#[test]
fn a_run_in_both_formats_holds_the_same_tables() {
    let tmp = tempfile::tempdir().unwrap();
    run_small(TableFormat::Both, tmp.path());
    let dir = tmp.path().join("baseline");
    let dropped = assert_tables_agree(
        &dir,
        &[
            "timeseries.csv",
            "summary.csv",
            "targets.csv",
            "target_values.csv",
            "parameters.csv",
            "agents.csv",
        ],
    );
    // The baseline has indicators undefined in some cells (no one to ask): those rows are
    // only in the CSV.
    assert!(dropped > 0);
    // Nothing else: every temporary was renamed into place.
    let stray: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn a_parquet_run_reads_back_as_the_csv_run() {
    let tmp = tempfile::tempdir().unwrap();
    let from_csv = run_small(TableFormat::Csv, &tmp.path().join("csv"));
    run_small(TableFormat::Parquet, &tmp.path().join("parquet"));
    let dir = tmp.path().join("parquet/baseline");
    for name in TABLES {
        assert!(dir.join(format!("{name}.parquet")).exists(), "{name}");
        assert!(!dir.join(format!("{name}.csv")).exists(), "{name}");
    }
    let a = load_result(tmp.path().join("csv/baseline")).unwrap();
    let b = load_result(&dir).unwrap();
    assert_eq!(same(&a.targets), same(&b.targets));
    assert_eq!(same(&a.series), same(&b.series));
    assert_eq!(same(&a.parameters), same(&b.parameters));
    assert_eq!(same(&b.targets), same(&from_csv.targets));
}

#[test]
fn a_sweep_in_both_formats_holds_the_same_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let s = small_city(TableFormat::Both);
    let sweep = Sweep::parse(
        &["policies[name=ops].amount_per_year=0,2e8".to_string()],
        None,
    )
    .unwrap();
    let done = Batch::new(&s)
        .replicates(2)
        .sweep(sweep)
        .sweep_timeseries(true)
        .out_dir(tmp.path())
        .run()
        .unwrap();
    let dir = tmp.path().join("baseline-sweep");
    assert_tables_agree(&dir, &["sweep.csv"]);
    assert_tables_agree(
        &dir.join("points/p0001"),
        &["timeseries.csv", "targets.csv", "target_values.csv"],
    );
    fs::remove_file(dir.join("sweep.csv")).unwrap();
    fs::remove_file(dir.join("points/p0000/target_values.csv")).unwrap();
    let back = load_result(&dir).unwrap();
    assert_eq!(same(&back.sweep), same(&done.sweep));
}

#[test]
fn parquet_shards_merge_into_the_tables_of_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let s = small_city(TableFormat::Parquet);
    run_small(TableFormat::Parquet, &tmp.path().join("whole"));
    let shards: Vec<_> = (0..2)
        .map(|i| {
            Batch::new(&s)
                .replicates(3)
                .out_dir(tmp.path().join("shards"))
                .run_shard(Shard::parse(&format!("{i}/2")).unwrap())
                .unwrap()
        })
        .collect();
    merge(&shards, &tmp.path().join("merged"), &civitas_batch::Silent)
        .unwrap()
        .commit()
        .unwrap();
    for name in TABLES {
        let file = format!("{name}.parquet");
        let whole = read_table(&tmp.path().join("whole/baseline").join(&file)).unwrap();
        let merged = read_table(&tmp.path().join("merged/baseline").join(&file)).unwrap();
        assert!(!whole.rows.is_empty(), "{name}");
        assert!(
            whole == merged,
            "{name}: merged shards differ from the whole run"
        );
    }
}
