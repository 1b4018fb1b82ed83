//! `civitas run`, `sweep` and `merge` end to end: the real binary on real scenario files.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn civitas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/scenarios/batch")
        .join(name)
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("the civitas binary starts");
    assert!(
        out.status.success(),
        "{:?} failed:\n{}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    let path = path.as_ref();
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        assert!(
            read(a.join(f)) == read(b.join(f)),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Rows of a CSV file as maps from column name to field.
fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = String::from_utf8(read(path)).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn outputs_are_byte_identical_for_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    for threads in ["1", "2"] {
        run_ok(
            civitas()
                .args(["run"])
                .arg(scenario("three_targets.toml"))
                .args([
                    "--agents",
                    "2000",
                    "--replicates",
                    "4",
                    "--threads",
                    threads,
                    "--out",
                ])
                .arg(tmp.path().join(threads)),
        );
    }
    let (a, b) = (
        tmp.path().join("1/three-targets"),
        tmp.path().join("2/three-targets"),
    );
    assert_same_files(
        &a,
        &b,
        &[
            "timeseries.csv",
            "summary.csv",
            "targets.csv",
            "scenario.toml",
        ],
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(b.join("manifest.json"))).unwrap();
    assert_eq!(manifest["threads"], 2);
    assert_eq!(manifest["replicates"], 4);
    assert_eq!(manifest["run_seeds"].as_array().unwrap().len(), 4);
    assert!(
        manifest["scenario_hash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
}

#[test]
fn surely_met_missed_and_borderline_targets() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    run_ok(
        civitas()
            .arg("run")
            .arg(scenario("three_targets.toml"))
            .arg("--out")
            .arg(&first),
    );
    let dir = first.join("three-targets");
    // Each console line says what the target asks, in the units of its mean.
    let console = run_ok(
        civitas()
            .arg("run")
            .arg(scenario("three_targets.toml"))
            .arg("--out")
            .arg(tmp.path().join("console")),
    );
    let console = String::from_utf8_lossy(&console.stdout).into_owned();
    assert!(console.contains("  surely met ≥ 0  (mean "), "{console}");
    assert!(console.contains("  surely missed ≤ 0  (mean "), "{console}");
    assert!(console.contains("  borderline ≥ 0.69  (mean "), "{console}");
    let probability = |dir: &Path, label: &str| -> f64 {
        let rows = csv_rows(&dir.join("targets.csv"));
        let row = rows
            .iter()
            .find(|r| r["label"] == label)
            .unwrap_or_else(|| panic!("{label}"));
        row["probability_met"].parse().unwrap()
    };
    assert_eq!(probability(&dir, "surely met"), 1.0);
    assert_eq!(probability(&dir, "surely missed"), 0.0);

    // Put the borderline threshold between two replicates' December 2027 adoption.
    let mut values: Vec<f64> = csv_rows(&dir.join("timeseries.csv"))
        .iter()
        .filter(|r| {
            r["date"] == "2027-12" && r["indicator"] == "adoption_rate" && r["scope"] == "city"
        })
        .map(|r| r["value"].parse().unwrap())
        .collect();
    assert_eq!(values.len(), 8, "one value per replicate");
    values.sort_by(f64::total_cmp);
    values.dedup();
    assert!(
        values.len() >= 2,
        "replicates of a stochastic model differ: {values:?}"
    );
    let mid = values.len() / 2;
    let threshold = (values[mid - 1] + values[mid]) / 2.0;
    let variant = tmp.path().join("borderline.toml");
    fs::write(
        &variant,
        format!(
            "extends = {:?}\n\n[[targets]]\nname = \"borderline\"\nindicator = \"adoption_rate\"\nyear = 2027\nmin = {threshold:?}\n",
            scenario("three_targets.toml").display().to_string()
        ),
    )
    .unwrap();
    let second = tmp.path().join("second");
    run_ok(civitas().arg("run").arg(&variant).arg("--out").arg(&second));
    let p = probability(&second.join("three-targets"), "borderline");
    assert!(p > 0.0 && p < 1.0, "borderline probability {p}");
    assert_eq!(
        probability(&second.join("three-targets"), "surely met"),
        1.0
    );
}

#[test]
fn run_without_a_file_runs_the_bundled_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_ok(
        civitas()
            .args(["run", "--agents", "200", "--replicates", "2", "--out"])
            .arg(tmp.path()),
    );
    let dir = tmp.path().join("baseline");
    for f in [
        "timeseries.csv",
        "summary.csv",
        "targets.csv",
        "manifest.json",
        "scenario.toml",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("baseline: 2 replicates"));
    let header = String::from_utf8(read(dir.join("summary.csv"))).unwrap();
    assert!(header.starts_with("scenario,indicator,scope,tick,date,mean,p5,p50,p95,sd,n\n"));
}

#[test]
fn a_bad_lever_fails_before_writing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let out = civitas()
        .arg("sweep")
        .arg(scenario("sweep_small.toml"))
        .args([
            "--set",
            "policies[name=opz].amount_per_year=0..1e8:3",
            "--out",
        ])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("policies[name=opz].amount_per_year") && err.contains("ops"),
        "{err}"
    );
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

fn sweep_cmd(out: &Path, replicates: u32) -> Command {
    let mut cmd = civitas();
    cmd.arg("sweep")
        .arg(scenario("sweep_small.toml"))
        .args(["--set", "policies[name=ops].amount_per_year=0..3e8:3"])
        .args(["--set", "population.bands.senior.bass_p=0.01,0.03"])
        .args([
            "--threads",
            "1",
            "--replicates",
            &replicates.to_string(),
            "--out",
        ])
        .arg(out);
    cmd
}

const SWEEP_FILES: [&str; 5] = [
    "sweep.csv",
    "scenario.toml",
    "points/p0000/summary.csv",
    "points/p0003/targets.csv",
    "points/p0005/summary.csv",
];

/// Runs `command(out, replicates)` and SIGKILLs it once two runs are finished, growing
/// the batch until the kill lands before the output is committed; returns the output
/// directory and replicate count of the killed batch.
fn kill_midway(
    tmp: &Path,
    work_name: &str,
    command: impl Fn(&Path, u32) -> Command,
) -> (PathBuf, u32) {
    let mut replicates = 4;
    loop {
        let out = tmp.join(format!("killed-{replicates}"));
        let runs = out.join(format!("{work_name}.incomplete/runs"));
        let mut child = command(&out, replicates)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let finished = loop {
            if let Some(_status) = child.try_wait().unwrap() {
                break true;
            }
            let parts = fs::read_dir(&runs)
                .map(|d| {
                    d.filter(|e| {
                        e.as_ref()
                            .unwrap()
                            .file_name()
                            .to_string_lossy()
                            .ends_with(".run")
                    })
                    .count()
                })
                .unwrap_or(0);
            if parts >= 2 {
                child.kill().unwrap(); // SIGKILL: no chance to clean up
                child.wait().unwrap();
                break false;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "no runs appeared"
            );
            std::thread::sleep(Duration::from_millis(1));
        };
        // A kill that landed after the final rename found a complete output: grow and retry.
        if !finished && !out.join(work_name).exists() {
            return (out, replicates);
        }
        assert!(
            replicates < 4096,
            "the batch always finished before it could be killed"
        );
        replicates *= 4;
    }
}

#[test]
fn a_killed_sweep_leaves_no_output_and_resumes_to_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let killed_at = kill_midway(tmp.path(), "sweep-small-sweep", sweep_cmd);
    let (out, replicates) = killed_at;
    let final_dir = out.join("sweep-small-sweep");
    assert!(
        out.join("sweep-small-sweep.incomplete").is_dir(),
        "work directory is kept for --resume"
    );
    let entries: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        entries.iter().all(|e| e.ends_with(".incomplete")),
        "{entries:?}"
    );

    run_ok(sweep_cmd(&out, replicates).arg("--resume"));
    assert!(!out.join("sweep-small-sweep.incomplete").exists());
    let clean = tmp.path().join("clean");
    run_ok(&mut sweep_cmd(&clean, replicates));
    assert_same_files(&final_dir, &clean.join("sweep-small-sweep"), &SWEEP_FILES);
    let rows = csv_rows(&final_dir.join("sweep.csv"));
    assert_eq!(rows.len(), 6 * 2, "6 points x 2 targets");
    assert_eq!(rows[0]["policies[name=ops].amount_per_year"], "0");
    assert_eq!(rows[2]["population.bands.senior.bass_p"], "0.03");
    assert_eq!(rows[4]["policies[name=ops].amount_per_year"], "150000000");
}

/// Merges the three shards of the 2-replicate sweep in `shards` into `merged` and checks
/// the files against the sweep run in one piece; returns the shard directories.
fn merge_matches_whole_sweep(shards: &Path, merged: &Path, tmp: &Path) -> Vec<PathBuf> {
    let dirs: Vec<PathBuf> = (0..3)
        .map(|i| shards.join(format!("sweep-small-sweep.shard-{i}-of-3")))
        .collect();
    run_ok(civitas().arg("merge").args(&dirs).arg("--out").arg(merged));
    let whole = tmp.join("whole");
    run_ok(&mut sweep_cmd(&whole, 2));
    assert_same_files(
        &merged.join("sweep-small-sweep"),
        &whole.join("sweep-small-sweep"),
        &SWEEP_FILES,
    );
    dirs
}

#[test]
fn shards_merge_into_the_same_files_as_one_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let shards = tmp.path().join("shards");
    for i in 0..3 {
        run_ok(sweep_cmd(&shards, 2).args(["--shard", &format!("{i}/3")]));
    }
    let merged = tmp.path().join("merged");
    let dirs = merge_matches_whole_sweep(&shards, &merged, tmp.path());
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(merged.join("sweep-small-sweep/manifest.json"))).unwrap();
    assert_eq!(manifest["shards"], 3);
    let missing = civitas()
        .arg("merge")
        .args(&dirs[..2])
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("2/3"));
}

#[test]
fn the_slurm_array_script_shards_a_sweep_that_merges_back() {
    // The script's logic without Slurm: run it once per array task with the variables
    // Slurm sets, then merge.
    let tmp = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/slurm/sweep.sbatch");
    let out = tmp.path().join("array");
    for task in 0..3 {
        run_ok(
            Command::new("bash")
                .arg(&script)
                .arg(scenario("sweep_small.toml"))
                .args(["--set", "policies[name=ops].amount_per_year=0..3e8:3"])
                .args(["--set", "population.bands.senior.bass_p=0.01,0.03"])
                .args(["--replicates", "2"])
                .env("SLURM_ARRAY_TASK_ID", task.to_string())
                .env("SLURM_ARRAY_TASK_COUNT", "3")
                .env("SLURM_CPUS_PER_TASK", "1")
                .env("CIVITAS", env!("CARGO_BIN_EXE_civitas"))
                .env("OUT", &out),
        );
    }
    merge_matches_whole_sweep(&out, &out, tmp.path());
}

#[test]
fn the_kubernetes_job_runs_one_shard_per_index() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/k8s/sweep-job.yaml");
    let text = String::from_utf8(read(&path)).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("valid YAML");
    let spec = &docs[0]["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let container = &spec["template"]["spec"]["containers"][0];
    let shards = container["env"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str() == Some("SHARDS"))
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    assert_eq!(
        spec["completions"].as_i64(),
        Some(shards),
        "one pod per shard"
    );
    let command = container["args"][0].as_str().unwrap();
    assert!(
        command.contains("--shard \"${JOB_COMPLETION_INDEX}/${SHARDS}\""),
        "{command}"
    );
    assert!(
        command.contains("--resume"),
        "retried pods keep finished runs"
    );
}

/// `civitas run` of the three-target scenario with an agent sample of `sample` residents.
fn agent_run(out: &Path, replicates: u32, threads: &str, sample: &str) -> Command {
    let mut cmd = civitas();
    cmd.arg("run")
        .arg(scenario("three_targets.toml"))
        .args([
            "--agents",
            "300",
            "--agent-sample",
            sample,
            "--threads",
            threads,
        ])
        .args(["--replicates", &replicates.to_string(), "--out"])
        .arg(out);
    cmd
}

#[test]
fn agent_sample_is_tidy_and_identical_across_threads_shards_and_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    run_ok(&mut agent_run(&one, 3, "1", "5"));
    run_ok(&mut agent_run(&two, 3, "2", "5"));
    let (a, b) = (one.join("three-targets"), two.join("three-targets"));
    assert_same_files(&a, &b, &["agents.csv", "timeseries.csv"]);

    let text = String::from_utf8(read(a.join("agents.csv"))).unwrap();
    assert!(
        text.starts_with(
            "scenario,replicate,tick,date,resident,district,band,literacy,has_device,\
             adopted,trust,satisfaction\n"
        ),
        "{}",
        &text[..200]
    );
    let rows = csv_rows(&a.join("agents.csv"));
    let ticks = csv_rows(&a.join("timeseries.csv"))
        .iter()
        .filter(|r| {
            r["replicate"] == "0" && r["indicator"] == "adoption_rate" && r["scope"] == "city"
        })
        .count();
    assert!(ticks > 12, "{ticks} ticks");
    // Replicate-major, then tick, then resident; the same five residents throughout,
    // each from the first tick for as long as they live (the population is open: a
    // resident who dies leaves the sample and never returns).
    let keys: Vec<(u32, usize, u32)> = rows
        .iter()
        .map(|r| {
            (
                r["replicate"].parse().unwrap(),
                r["tick"].parse().unwrap(),
                r["resident"].parse().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys[0], (0, 0, 0));
    assert_eq!(
        (keys.last().unwrap().0, keys.last().unwrap().1),
        (2, ticks - 1)
    );
    for replicate in 0..3 {
        for resident in 0..5 {
            let lived: Vec<usize> = keys
                .iter()
                .filter(|k| k.0 == replicate && k.2 == resident)
                .map(|k| k.1)
                .collect();
            assert!(
                !lived.is_empty() && lived.iter().enumerate().all(|(i, &t)| t == i),
                "replicate {replicate}, resident {resident}: ticks {lived:?}"
            );
        }
    }
    assert!(rows.len() <= 3 * ticks * 5);
    // Over the whole run most of them live (a few per cent die in seven years).
    assert!(rows.len() > 3 * ticks * 4, "{} rows", rows.len());
    let scenario_text = String::from_utf8(read(a.join("scenario.toml"))).unwrap();
    for r in &rows {
        assert_eq!(r["scenario"], "three-targets");
        assert!(
            scenario_text.contains(&format!("name = \"{}\"", r["district"])),
            "district {} is a district name of the scenario",
            r["district"]
        );
        assert!(["young", "middle", "senior"].contains(&r["band"].as_str()));
        assert!(["true", "false"].contains(&r["adopted"].as_str()));
        let trust: f64 = r["trust"].parse().unwrap();
        let satisfaction: f64 = r["satisfaction"].parse().unwrap();
        assert!((0.0..=1.0).contains(&trust), "trust {trust}");
        assert!(
            (0.0..=100.0).contains(&satisfaction),
            "satisfaction {satisfaction}"
        );
    }
    // Residents change over the run: the sample is not a frozen copy of tick 0.
    let trust_of = |tick: usize| -> Vec<&str> {
        rows.iter()
            .filter(|r| r["replicate"] == "0" && r["tick"] == tick.to_string())
            .map(|r| r["trust"].as_str())
            .collect()
    };
    assert_ne!(trust_of(0), trust_of(ticks - 1));

    // Shards merged give the same sample as the run in one piece.
    let shards = tmp.path().join("shards");
    for i in 0..2 {
        run_ok(agent_run(&shards, 3, "1", "5").args(["--shard", &format!("{i}/2")]));
    }
    let merged = tmp.path().join("merged");
    run_ok(
        civitas()
            .arg("merge")
            .arg(shards.join("three-targets.shard-0-of-2"))
            .arg(shards.join("three-targets.shard-1-of-2"))
            .arg("--out")
            .arg(&merged),
    );
    assert_same_files(&merged.join("three-targets"), &a, &["agents.csv"]);

    // A killed run resumed gives the same sample as an uninterrupted one.
    let (out, replicates) = kill_midway(tmp.path(), "three-targets", |out, n| {
        agent_run(out, n, "1", "2")
    });
    assert!(!out.join("three-targets").exists());
    run_ok(agent_run(&out, replicates, "1", "2").arg("--resume"));
    let clean = tmp.path().join("clean");
    run_ok(&mut agent_run(&clean, replicates, "1", "2"));
    assert_same_files(
        &out.join("three-targets"),
        &clean.join("three-targets"),
        &["agents.csv", "timeseries.csv"],
    );
}

#[test]
fn the_scenario_asks_for_the_agent_sample_and_the_flag_overrides_it() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("sampled.toml");
    fs::write(
        &file,
        format!(
            "extends = {:?}\n\n[outputs]\nagent_sample = 2\n",
            scenario("three_targets.toml").display().to_string()
        ),
    )
    .unwrap();
    let run = |out: &str, extra: &[&str]| -> PathBuf {
        let out = tmp.path().join(out);
        run_ok(
            civitas()
                .arg("run")
                .arg(&file)
                .args(["--agents", "200", "--replicates", "2", "--out"])
                .arg(&out)
                .args(extra),
        );
        out.join("three-targets")
    };
    let from_file = run("file", &[]);
    let residents: std::collections::BTreeSet<String> = csv_rows(&from_file.join("agents.csv"))
        .into_iter()
        .map(|r| r["resident"].clone())
        .collect();
    assert_eq!(residents.into_iter().collect::<Vec<_>>(), ["0", "1"]);
    let off = run("off", &["--agent-sample", "0"]);
    assert!(off.join("summary.csv").is_file());
    assert!(
        !off.join("agents.csv").exists(),
        "--agent-sample 0 turns it off"
    );
}

#[test]
fn a_second_run_into_the_same_output_waits_its_turn() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = || {
        let mut cmd = civitas();
        cmd.arg("run")
            .arg(scenario("three_targets.toml"))
            .args(["--agents", "3000", "--replicates", "8", "--threads", "1"])
            .arg("--out")
            .arg(&out);
        cmd
    };
    let mut first = run()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = first.id();
    let lock = out.join("three-targets.incomplete/lock");
    let started = Instant::now();
    while fs::read_to_string(&lock).unwrap_or_default() != pid.to_string() {
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first run ended early"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no lock appeared"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    // Freeze the first run mid-batch, so the second surely starts while it holds the lock.
    // SAFETY: plain signals to our own child process.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGSTOP) };
    let second = run().output().unwrap();
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGCONT) };
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    let expected = format!(
        "another civitas run is writing {} (pid {pid}); wait for it or use --out",
        out.join("three-targets").display()
    );
    assert!(err.contains(&expected), "{err}");

    assert!(
        first.wait().unwrap().success(),
        "the first run was not disturbed"
    );
    let dir = out.join("three-targets");
    let rows = csv_rows(&dir.join("timeseries.csv"));
    let replicates: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["replicate"].as_str()).collect();
    assert_eq!(replicates.len(), 8);
    assert!(!out.join("three-targets.incomplete").exists());
    // Once the first is done, the same command runs.
    run_ok(&mut run());
}

/// The header row of every CSV file under `dir`, by path relative to `dir`, sorted.
fn csv_headers(dir: &Path) -> String {
    fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect(&path, files);
            } else if path.extension().is_some_and(|e| e == "csv") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = String::from_utf8(read(f)).unwrap();
            let header = text.lines().next().unwrap_or("");
            format!("{}: {header}\n", f.strip_prefix(dir).unwrap().display())
        })
        .collect()
}

/// The columns of every output file, as a run (with the agent sample and the baseline's
/// `[[uncertainty]]`) and a sweep write them: a change of a column is seen and blessed
/// (`cargo insta review`), never made by accident.
#[test]
fn output_csv_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let small = ["--replicates", "2", "--agents", "100", "--threads", "1"];
    run_ok(
        civitas()
            .arg("run")
            .arg(scenario("sweep_small.toml"))
            .args(small)
            .args(["--agent-sample", "2", "--out"])
            .arg(tmp.path().join("run")),
    );
    run_ok(
        civitas()
            .arg("sweep")
            .arg(scenario("sweep_small.toml"))
            .args(["--set", "policies[name=ops].amount_per_year=0,3e8"])
            .args(small)
            .args(["--timeseries", "--out"])
            .arg(tmp.path().join("sweep")),
    );
    insta::assert_snapshot!(csv_headers(tmp.path()));
}

#[test]
fn a_sweep_prints_each_targets_best_and_worst_point_with_readable_levers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_ok(&mut sweep_cmd(tmp.path(), 2));
    let console = String::from_utf8_lossy(&out.stdout).into_owned();
    let online = console
        .split("  online 2025 ≥ 0.6\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no line for the target:\n{console}"));
    let mut lines = online.lines();
    let (best, worst) = (lines.next().unwrap(), lines.next().unwrap());
    assert!(best.starts_with("    best  p = "), "{console}");
    assert!(worst.starts_with("    worst p = "), "{console}");
    for line in [best, worst] {
        assert!(
            line.contains(" at ops: money per year (") && line.contains(", senior: bass p = "),
            "{line}"
        );
    }
    // Online service grows with the operation money: the worst point has none.
    assert!(worst.contains(") = 0, senior: bass p = "), "{worst}");
    let mean = |line: &str| -> f64 {
        line.split("(mean ")
            .nth(1)
            .unwrap()
            .split(')')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(mean(best) > mean(worst), "{best}\n{worst}");
    // The report's summary says the same, and over two levers no longer projects each
    // target on one lever (where a point's other lever made it look "reached from 0").
    let html = std::fs::read_to_string(tmp.path().join("sweep-small-sweep/report.html")).unwrap();
    let summary = &html[html.find("id=\"sweep-summary\"").expect("a sweep summary")..];
    let summary = &summary[..summary.find("</table>").unwrap()];
    assert!(
        summary.contains("Points with p ≥ 0.9") && !summary.contains("Reaches p ≥ 0.9 from"),
        "{summary}"
    );
    assert!(
        summary.contains("at ops: money per year (") && summary.contains(" of 6</td>"),
        "{summary}"
    );
}
