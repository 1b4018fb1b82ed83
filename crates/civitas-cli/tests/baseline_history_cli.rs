//! Issue 30: the bundled baseline starts where the fitted history leaves off. Its 2024
//! devices, adoption and 60+ share lie within the published figures' ranges on the
//! model's denominator (residents 15+: `data/observed/cnnic.csv` holds CNNIC's figures
//! converted, `scripts/observed-15plus.py`), and its seniors take up online services no
//! faster than the history fit (`scenarios/history-2015.toml` drawn from its posterior,
//! `data/posterior/history-2015.csv`) says they did. Fails when the baseline drifts away.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

mod common;

/// z of a two-sided 90 % normal range.
const Z_90: f64 = 1.645;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// City, band and month means of a run's `summary.csv`, keyed by (indicator, scope, date).
type Means = HashMap<(String, String, String), f64>;

/// Runs `scenario` with `args` into `out` and reads its summary's means.
fn run(scenario: &Path, out: &Path, args: &[&str]) -> Means {
    common::run_into(scenario, out, args);
    let dir = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("summary.csv").exists())
        .expect("a result folder");
    let text = fs::read_to_string(dir.join("summary.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (ind, scope, date, mean) = (col("indicator"), col("scope"), col("date"), col("mean"));
    lines
        .filter_map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let value = cells[mean].parse::<f64>().ok()?;
            let key = (cells[ind], cells[scope], cells[date]);
            Some(((key.0.into(), key.1.into(), key.2.into()), value))
        })
        .collect()
}

fn mean(m: &Means, indicator: &str, scope: &str, date: &str) -> f64 {
    m[&(indicator.into(), scope.into(), date.into())]
}

/// The (value, sd) of an observation of `data/observed/cnnic.csv`.
fn observed(indicator: &str, scope: &str, date: &str) -> (f64, f64) {
    let text = fs::read_to_string(repo("data/observed/cnnic.csv")).unwrap();
    text.lines()
        .skip(1)
        .find_map(|line| {
            let c: Vec<&str> = line.splitn(6, ',').collect();
            (c[0] == indicator && c[1] == scope && c[2] == date)
                .then(|| (c[3].parse().unwrap(), c[4].parse().unwrap()))
        })
        .unwrap_or_else(|| panic!("no {indicator} {scope} {date} in cnnic.csv"))
}

/// The baseline to December 2025, without plots or report.
fn short_baseline(dir: &Path) -> PathBuf {
    let path = dir.join("baseline-2025.toml");
    let base = repo("scenarios/baseline.toml");
    fs::write(
        &path,
        format!(
            "extends = {:?}\n[scenario]\nend = \"2025-12\"\n[outputs]\nhtml = false\nformats = []\n",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    path
}

#[test]
fn the_baseline_starts_within_the_published_2024_figures_and_no_faster_than_the_history_fit() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = run(
        &short_baseline(tmp.path()),
        &tmp.path().join("baseline"),
        &["--agents", "20000", "--replicates", "8"],
    );
    // December 2024 against the published figures, on residents 15+.
    let mut outside = Vec::new();
    let mut check = |what: &str, model: f64, value: f64, sd: f64| {
        let (lo, hi) = (value - Z_90 * sd, value + Z_90 * sd);
        eprintln!("{what}: baseline {model:.3}, published {value:.3} ({lo:.3}-{hi:.3})");
        if !(lo..=hi).contains(&model) {
            outside.push(format!("{what}: {model:.3} outside {lo:.3}-{hi:.3}"));
        }
    };
    for (indicator, what) in [
        ("device_rate", "internet penetration (CNNIC 55)"),
        (
            "adoption_rate",
            "online government-service users (CNNIC 55)",
        ),
        ("senior_share", "60+ share (NBS 2024)"),
    ] {
        let (value, sd) = observed(indicator, "city", "2024-12");
        check(
            what,
            mean(&baseline, indicator, "city", "2024-12"),
            value,
            sd,
        );
    }
    // The 60+ penetration between CNNIC 49 (Dec 2021) and CNNIC 56 (Jun 2025), at Dec 2024.
    let (a, sd) = observed("device_rate", "band:senior", "2021-12");
    let (b, _) = observed("device_rate", "band:senior", "2025-06");
    check(
        "60+ internet penetration (CNNIC 49-56)",
        mean(&baseline, "device_rate", "band:senior", "2024-12"),
        a + (b - a) * 36.0 / 42.0,
        sd,
    );
    assert!(outside.is_empty(), "{outside:#?}");

    // Seniors' adoption: the baseline's gain a year (January 2024 to December 2025) against
    // the fitted history's over the span the 60+ series covers (December 2021 to June 2025).
    let history = run(
        &repo("scenarios/history-2015.toml"),
        &tmp.path().join("history"),
        &[
            "--posterior",
            repo("data/posterior/history-2015.csv").to_str().unwrap(),
            "--agents",
            "20000",
            "--replicates",
            "20",
        ],
    );
    let senior = |m: &Means, date: &str| mean(m, "adoption_rate", "band:senior", date);
    let baseline_gain = (senior(&baseline, "2025-12") - senior(&baseline, "2024-01")) * 12.0 / 23.0;
    let history_gain = (senior(&history, "2025-06") - senior(&history, "2021-12")) / 3.5;
    eprintln!(
        "senior adoption a year: baseline {:.2} points (2024-2025), history fit {:.2} (2021-2025)",
        100.0 * baseline_gain,
        100.0 * history_gain
    );
    assert!(
        baseline_gain <= history_gain,
        "seniors adopt faster in the baseline ({baseline_gain:.4} a year) than in the fitted \
         history ({history_gain:.4})"
    );
}
