//! `[[uncertainty]]` end to end: per-replicate draws written to parameters.csv, common
//! random numbers across scenarios (paired differences have far less variance than
//! unpaired ones), Wilson intervals in targets.csv, and `--no-uncertainty`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::run_into as run;

fn civitas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A small copy of a bundled scenario (1,000 agents, 16 replicates, to 2027), written next
/// to the bundled files' absolute path so `extends` resolves.
fn small(dir: &Path, bundled: &str, name: &str) -> PathBuf {
    let file = dir.join(format!("{name}.toml"));
    let base = repo()
        .join("scenarios")
        .join(bundled)
        .canonicalize()
        .unwrap();
    fs::write(
        &file,
        format!(
            "extends = {:?}\n[scenario]\nname = \"{name}\"\nend = \"2027-12\"\nreplicates = 16\n[population]\nagents = 1000\nscale = 5000.0\n",
            base.display().to_string()
        ),
    )
    .unwrap();
    file
}

/// Per-replicate city values of `indicator` at `date`, from timeseries.csv.
fn per_replicate(dir: &Path, indicator: &str, date: &str) -> Vec<f64> {
    let mut reader = csv::Reader::from_path(dir.join("timeseries.csv")).unwrap();
    let mut values = BTreeMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        if &row[4] == indicator && &row[5] == "city" && &row[3] == date {
            values.insert(
                row[1].parse::<u32>().unwrap(),
                row[6].parse::<f64>().unwrap(),
            );
        }
    }
    values.into_values().collect()
}

fn variance(x: &[f64]) -> f64 {
    let m = x.iter().sum::<f64>() / x.len() as f64;
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64
}

#[test]
fn common_random_numbers_make_paired_differences_precise() {
    let dir = tempfile::tempdir().unwrap();
    let base = small(dir.path(), "baseline.toml", "base");
    let variant = small(dir.path(), "ops-plus.toml", "variant");
    let out = dir.path().join("out");
    run(&base, &out, &[]);
    run(&variant, &out, &["--threads", "1"]);

    // The same draws for the same replicate in both scenarios, one row per replicate and
    // prior, inside each prior's range.
    let draws_base = fs::read_to_string(out.join("base/parameters.csv")).unwrap();
    let draws_variant = fs::read_to_string(out.join("variant/parameters.csv")).unwrap();
    assert_eq!(draws_base, draws_variant);
    assert!(draws_base.starts_with("replicate,path,value\n"));
    let scenario = civitas_scenario::Scenario::load(&base).unwrap();
    assert_eq!(
        draws_base.lines().count() - 1,
        16 * scenario.uncertainty.len()
    );
    for line in draws_base.lines().skip(1) {
        let mut cells = line.rsplitn(2, ',');
        let value: f64 = cells.next().unwrap().parse().unwrap();
        let path = cells.next().unwrap().split_once(',').unwrap().1;
        let prior = scenario
            .uncertainty
            .iter()
            .find(|u| u.path == path)
            .unwrap();
        assert!((prior.min..=prior.max).contains(&value), "{line}");
    }

    // Paired differences vary far less than the two samples do apart.
    for indicator in ["system_availability", "online_service_rate", "satisfaction"] {
        let a = per_replicate(&out.join("base"), indicator, "2027-12");
        let b = per_replicate(&out.join("variant"), indicator, "2027-12");
        assert_eq!(a.len(), 16);
        let diffs: Vec<f64> = a.iter().zip(&b).map(|(x, y)| y - x).collect();
        let paired = variance(&diffs);
        let unpaired = variance(&a) + variance(&b);
        assert!(
            paired < 0.5 * unpaired,
            "{indicator}: paired variance {paired} vs unpaired {unpaired}"
        );
    }

    // `civitas compare` pairs the replicates: tripling the operation budget raises the
    // online service rate in (nearly) every pair.
    let compare = common::succeeds(
        civitas()
            .arg("compare")
            .arg(out.join("base"))
            .arg(out.join("variant"))
            .arg("--out")
            .arg(dir.path().join("cmp")),
    );
    let stdout = String::from_utf8_lossy(&compare.stdout);
    assert!(stdout.contains("paired by replicate"), "{stdout}");
    let mut paired = csv::Reader::from_path(dir.path().join("cmp/paired.csv")).unwrap();
    let row = paired
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[2] == "online_service_rate 2027")
        .expect("a paired row for the online target");
    let p_better: f64 = row[7].parse().unwrap();
    let (lo, hi): (f64, f64) = (row[5].parse().unwrap(), row[6].parse().unwrap());
    assert!(p_better > 0.95 && lo > 0.0 && hi > lo, "{row:?}");
    // The comparison report shows the same pairs: one row per paired target.
    let html = fs::read_to_string(dir.path().join("cmp/report.html")).unwrap();
    let pairs = csv::Reader::from_path(dir.path().join("cmp/paired.csv"))
        .unwrap()
        .records()
        .count();
    assert!(
        html.contains("<h2>Paired differences</h2>"),
        "no paired section"
    );
    assert_eq!(html.matches("class=\"paired-row\"").count(), pairs);

    // Probability met carries its Wilson interval.
    let targets = fs::read_to_string(out.join("base/targets.csv")).unwrap();
    let header = targets.lines().next().unwrap();
    assert!(
        header.contains("probability_met,probability_lo,probability_hi,status"),
        "{header}"
    );
}

#[test]
fn no_uncertainty_runs_the_point_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let base = small(dir.path(), "baseline.toml", "point");
    let out = dir.path().join("out");
    run(&base, &out, &["--no-uncertainty"]);
    assert!(!out.join("point/parameters.csv").exists());
    let resolved = fs::read_to_string(out.join("point/scenario.toml")).unwrap();
    assert!(!resolved.contains("[[uncertainty]]"));
}

#[test]
fn a_prior_on_a_missing_or_non_numeric_field_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = small(dir.path(), "baseline.toml", "broken");
    let mut text = fs::read_to_string(&file).unwrap();
    text.push_str(
        "\n[[uncertainty]]\npath = \"population.bands.senior.bass_qq\"\ndistribution = \"uniform\"\nmin = 0.3\nmax = 0.5\nsource = \"typo\"\n",
    );
    fs::write(&file, &text).unwrap();
    let out = civitas().arg("validate").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bass_qq"), "{err}");

    // A prior whose range leaves the field's valid range (a share above 1).
    let text = text
        .replace("bass_qq", "device")
        .replace("min = 0.3\nmax = 0.5", "min = 0.3\nmax = 1.5");
    fs::write(&file, &text).unwrap();
    let out = civitas().arg("validate").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("population.bands.senior.device") && err.contains("1.5"),
        "{err}"
    );

    // A parameter the family does not take names the field with its position.
    let text = text.replace("max = 1.5", "max = 0.5\nmode = 0.4");
    fs::write(&file, &text).unwrap();
    let out = civitas().arg("validate").arg(&file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("uncertainty[") && err.contains("mode") && err.contains(":"),
        "{err}"
    );
}

#[test]
fn discover_names_parameter_ranges_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("disc.toml");
    let base = repo()
        .join("scenarios/baseline.toml")
        .canonicalize()
        .unwrap();
    fs::write(
        &file,
        format!(
            "extends = {:?}\n[scenario]\nname = \"disc\"\nreplicates = 40\n[population]\nagents = 1000\nscale = 5000.0\n",
            base.display().to_string()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    run(&file, &out, &[]);
    let result = out.join("disc");
    let values = fs::read_to_string(result.join("target_values.csv")).unwrap();
    assert!(values.starts_with("target,replicate,value,met\n"));
    let loaded = civitas_batch::load_result(&result).unwrap();
    let parameters = loaded
        .parameters
        .as_ref()
        .expect("parameters.csv read back");
    assert_eq!(parameters.values.len(), 40);
    // The run's report names the failure ranges too, for targets that both hold and fail.
    let html = fs::read_to_string(result.join("report.html")).unwrap();
    assert!(
        html.contains("<h2>What makes targets fail</h2>"),
        "no discovery section"
    );
    let targets = loaded.targets;
    for t in &targets {
        assert_eq!(t.values.len(), 40, "{}", t.label);
        let met = t.values.iter().filter(|&&v| t.meets(v)).count() as f64 / 40.0;
        assert_eq!(met, t.probability_met, "{}", t.label);
        let output = civitas()
            .arg("discover")
            .arg(&result)
            .args(["--target", &t.label])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            text.contains("replicates inside")
                || text.contains("nothing to discover")
                || text.contains("no parameter range"),
            "{text}"
        );
        if t.probability_met == 1.0 {
            assert!(text.contains("holds in every replicate"), "{text}");
        }
        if text.contains("replicates inside") {
            // The first range the console names is in the report's row for the target.
            let first = text
                .lines()
                .skip_while(|l| !l.starts_with("it fails mainly when"))
                .nth(1)
                .unwrap()
                .trim()
                .to_string();
            let escaped = first
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            assert!(html.contains(&escaped), "{first} not in the report");
        }
        // The peeling trade-off is drawn where ranges are named, in the report and on
        // request; elsewhere --plot says why there is nothing to draw.
        let named = text.contains("replicates inside");
        let plot = dir.path().join("tradeoff.svg");
        let output = civitas()
            .arg("discover")
            .arg(&result)
            .args(["--target", &t.label])
            .arg("--plot")
            .arg(&plot)
            .output()
            .unwrap();
        if named {
            assert!(output.status.success(), "{output:?}");
            let svg = fs::read_to_string(&plot).unwrap();
            assert!(svg.contains("Peeling trade-off") && svg.contains("held-out replicates"));
            assert!(
                html.contains("data-plot=\"discovery_"),
                "{}: no trade-off in the report",
                t.label
            );
        } else {
            assert_eq!(output.status.code(), Some(1), "{output:?}");
            assert!(
                String::from_utf8_lossy(&output.stderr).contains("no peeling path to draw"),
                "{output:?}"
            );
        }
    }
    let output = civitas()
        .arg("discover")
        .arg(&result)
        .args(["--target", &targets[0].label, "--plot", "tradeoff.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("ending in .png or .svg"));
    let output = civitas()
        .arg("discover")
        .arg(&result)
        .args(["--target", "no such target"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("expected one of the run's targets"));
}

#[test]
fn sensitivity_writes_indices_per_target_and_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let file = small(dir.path(), "baseline.toml", "sens");
    let out = dir.path().join("out");
    let scenario = civitas_scenario::Scenario::load(&file).unwrap();
    let k = scenario.uncertainty.len();
    for (method, header) in [
        (
            "sobol",
            "target,parameter,first_order,total,first_order_lo,first_order_hi,total_lo,total_hi\n",
        ),
        (
            "morris",
            "target,parameter,mu_star,mu,sigma,mu_star_lo,mu_star_hi,sigma_lo,sigma_hi\n",
        ),
    ] {
        let output = civitas()
            .arg("sensitivity")
            .arg(&file)
            .args([
                "--method",
                method,
                "--base-points",
                "4",
                "--trajectories",
                "3",
            ])
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let csv = fs::read_to_string(out.join("sens.sensitivity/sensitivity.csv")).unwrap();
        assert!(csv.starts_with(header), "{csv}");
        let html = fs::read_to_string(out.join("sens.sensitivity/report.html")).unwrap();
        assert!(html.contains("data-plot=\"sensitivity_online-service-rate-2027\""));
        assert!(
            out.join("sens.sensitivity/plots/sensitivity_online-service-rate-2027.png")
                .is_file()
        );
        assert_eq!(csv.lines().count() - 1, k * scenario.targets.len());
        let runs = if method == "sobol" {
            4 * (k + 2)
        } else {
            3 * (k + 1)
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains(&format!("{runs} runs")));
        // Each point keeps what the indices need, not a summary of every indicator.
        let point = out.join("sens.sensitivity/points/p0000");
        assert!(point.join("target_values.csv").is_file());
        assert!(
            !point.join("summary.csv").exists(),
            "a summary per design point"
        );
        if method == "sobol" {
            // Four base points are far too few: the intervals say so.
            assert!(
                stdout.contains("warning: the indices have not converged"),
                "{stdout}"
            );
            // The page too: each leading parameter by name, its path beneath, each index
            // with its interval, and the warning.
            assert!(html.contains("<code class=\"path\">"), "no readable names");
            assert!(
                html.contains("bootstrap intervals (in brackets)"),
                "no warning"
            );
        }
        // Every index has its interval, around it (the percentile bootstrap's interval
        // holds the estimate from all the runs unless the resamples are very skewed; μ* and
        // σ are means and spreads of the same effects, so theirs always do).
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        for row in rows.records() {
            let row = row.unwrap();
            let v = |i: usize| row[i].parse::<f64>().unwrap_or(f64::NAN);
            if v(2).is_finite() {
                let (lo, hi) = if method == "sobol" { (4, 6) } else { (5, 7) };
                assert!(v(lo) <= v(lo + 1) && v(hi) <= v(hi + 1), "{row:?}");
                if method == "morris" {
                    assert!(v(5) <= v(2) && v(2) <= v(6), "{row:?}");
                }
            }
        }
        // The tornado draws each index's interval as a whisker, for both methods.
        let tornado = fs::read_to_string(
            out.join("sens.sensitivity/plots/sensitivity_online-service-rate-2027.svg"),
        )
        .unwrap();
        assert!(tornado.contains("90 % interval"), "{method}");
    }
    let output = civitas()
        .arg("sensitivity")
        .arg(&file)
        .arg("--no-uncertainty")
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no [[uncertainty]] priors"));
}

/// A sharded sensitivity analysis merges into byte-identical indices and report; shards of
/// another design are refused.
#[test]
fn sensitivity_shards_merge_to_the_same_indices() {
    let dir = tempfile::tempdir().unwrap();
    let file = small(dir.path(), "baseline.toml", "shard");
    let design = |base_points: &str, out: &Path, extra: &[&str]| {
        let output = civitas()
            .arg("sensitivity")
            .arg(&file)
            .args(["--base-points", base_points, "--threads", "1", "--out"])
            .arg(out)
            .args(extra)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let sensitivity = |out: &Path, extra: &[&str]| design("4", out, extra);
    let whole = dir.path().join("whole");
    assert_eq!(sensitivity(&whole, &[]).0, Some(0));
    let parts = dir.path().join("parts");
    for shard in ["0/3", "1/3", "2/3"] {
        let (code, err) = sensitivity(&parts, &["--shard", shard]);
        assert_eq!(code, Some(0), "{err}");
    }
    assert!(!parts.join("shard.sensitivity").exists());
    let shards: Vec<String> = (0..3)
        .map(|i| {
            parts
                .join(format!("shard.sensitivity.shard-{i}-of-3"))
                .display()
                .to_string()
        })
        .collect();
    let mut merge = vec!["--merge"];
    merge.extend(shards.iter().map(String::as_str));
    let (code, err) = sensitivity(&parts, &merge);
    assert_eq!(code, Some(0), "{err}");
    for file in ["sensitivity.csv", "report.html", "sweep.csv"] {
        let a = fs::read(whole.join("shard.sensitivity").join(file)).unwrap();
        let b = fs::read(parts.join("shard.sensitivity").join(file)).unwrap();
        assert!(
            a == b,
            "{file} differs between the whole and the merged shards"
        );
    }
    // Another design size: the merged points are not this design's.
    let (code, err) = design("5", &dir.path().join("other"), &merge);
    assert_eq!(code, Some(1));
    assert!(err.contains("not this design's"), "{err}");
    assert!(!dir.path().join("other/shard.sensitivity").exists());
}

/// Issue 35: `sensitivity X` wrote `X-sensitivity-sweep/`, also the sweep folder of a
/// scenario named `X-sensitivity`; now `X.sensitivity/`, which no scenario's output can be.
#[test]
fn a_sensitivity_never_shares_a_folder_with_a_scenario_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let file = small(dir.path(), "baseline.toml", "sens");
    common::succeeds(
        civitas()
            .arg("sensitivity")
            .arg(&file)
            .args(["--base-points", "2", "--out"])
            .arg(&out),
    );
    let other = small(dir.path(), "baseline.toml", "sens-sensitivity");
    common::succeeds(
        civitas()
            .arg("sweep")
            .arg(&other)
            .args(["--set", "policies[name=ops].amount_per_year=1e8,2e8"])
            .args(["--replicates", "1", "--out"])
            .arg(&out),
    );
    assert!(out.join("sens.sensitivity/sensitivity.csv").is_file());
    assert!(out.join("sens-sensitivity-sweep/sweep.csv").is_file());
    assert!(!out.join("sens-sensitivity-sweep/sensitivity.csv").exists());
}

#[test]
fn a_posterior_is_drawn_jointly_and_the_report_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let posterior = tmp.path().join("posterior.csv");
    // Four draws in which the two parameters move together.
    let mut text = String::from("draw,path,value\n");
    for d in 0..4 {
        let q = 0.2 + 0.1 * f64::from(d);
        text.push_str(&format!("{d},population.bands.senior.bass_q,{q}\n"));
        text.push_str(&format!("{d},population.bands.middle.bass_q,{}\n", 2.0 * q));
    }
    fs::write(&posterior, text).unwrap();
    let file = small(tmp.path(), "baseline.toml", "fitted");
    let out = tmp.path().join("out");
    let flag = posterior.display().to_string();
    run(&file, &out, &["--posterior", &flag, "--replicates", "8"]);
    let drawn = fs::read_to_string(out.join("fitted/parameters.csv")).unwrap();
    let mut by_replicate: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for line in drawn.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        by_replicate
            .entry(cells[0].to_string())
            .or_default()
            .insert(cells[1].to_string(), cells[2].parse().unwrap());
    }
    assert_eq!(by_replicate.len(), 8);
    let mut seen = std::collections::BTreeSet::new();
    for values in by_replicate.values() {
        let senior = values["population.bands.senior.bass_q"];
        let middle = values["population.bands.middle.bass_q"];
        assert!(
            (middle - 2.0 * senior).abs() < 1e-12,
            "joint draws: {values:?}"
        );
        seen.insert(format!("{senior}"));
        // The other priors are still drawn from their distributions.
        assert!(values.contains_key("population.bands.young.bass_q"));
    }
    assert_eq!(
        seen.len(),
        4,
        "8 replicates stratified over 4 draws use each"
    );
    let report = fs::read_to_string(out.join("fitted/report.html")).unwrap();
    assert!(
        report.contains("2 of them drawn jointly from the posterior")
            && report.contains("(4 draws)"),
        "the report names the posterior"
    );
    // A posterior naming no field of the scenario is refused before any run.
    fs::write(
        &posterior,
        "draw,path,value\n0,population.bands.senior.bass_qq,0.3\n",
    )
    .unwrap();
    let refused = civitas()
        .arg("run")
        .arg(&file)
        .args(["--posterior", &flag, "--out"])
        .arg(tmp.path().join("refused"))
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("bass_qq"), "{err}");
}
