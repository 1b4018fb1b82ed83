//! The CLI under hostile use (issue 15): resources asked for beyond the machine, closed
//! pipes, damaged run files, an output destination in the way, command-line overrides the
//! file could not make, targets without data. Each case gets a clear error or the correct
//! behaviour, never a panic, and loses nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn civitas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/scenarios/batch")
        .join(name)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The small sweep scenario (500 agents) as a quick run into `out`.
fn small_run(out: &Path) -> Command {
    let mut cmd = civitas();
    cmd.arg("run")
        .arg(scenario("sweep_small.toml"))
        .args(["--threads", "1", "--out"])
        .arg(out);
    cmd
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("the civitas binary starts");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        text(&out.stderr)
    );
    out
}

/// Runs `cmd`, expecting exit status 1 (an error, not a panic); returns stderr.
fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the civitas binary starts");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{cmd:?}:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Writes a scenario extending the small sweep scenario with `body`; returns its path.
fn variant(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    let base = scenario("sweep_small.toml");
    fs::write(
        &path,
        format!("extends = {:?}\n{body}", base.to_str().unwrap()),
    )
    .unwrap();
    path
}

// Item 1: resources are checked before anything is allocated.

#[test]
fn a_batch_over_the_memory_limit_stops_before_it_starts_with_the_estimate() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let err = fails(small_run(&out).args(["--agents", "50000000", "--max-memory", "1G"]));
    assert!(err.contains("needs about"), "{err}");
    assert!(err.contains("1.0 GiB allowed (--max-memory)"), "{err}");
    assert!(err.contains("--agents"), "{err}");
    assert!(entries(&out).is_empty(), "{:?}", entries(&out));
    // Without --max-memory the machine's memory is the limit: a billion agents (the most
    // a file may ask for) do not fit any ordinary machine.
    let err = fails(small_run(&out).args(["--agents", "1000000000"]));
    assert!(
        err.contains("of the memory available on this machine"),
        "{err}"
    );
}

#[test]
fn replicates_threads_and_sweep_points_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let err = fails(small_run(&out).args(["--replicates", "1000000000"]));
    assert!(err.contains("--replicates 1000000000"), "{err}");
    assert!(err.contains("at most 1000000 replicates"), "{err}");

    let threads = civitas()
        .arg("run")
        .arg(scenario("sweep_small.toml"))
        .args(["--threads", "1000000", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(threads.status.code(), Some(2), "a usage error");
    let err = text(&threads.stderr);
    assert!(
        err.contains("--threads") && err.contains("1 to 1024"),
        "{err}"
    );

    let mut sweep = civitas();
    sweep
        .arg("sweep")
        .arg(scenario("sweep_small.toml"))
        .args(["--set", "policies[name=ops].amount_per_year=0..3e8:1000"])
        .args(["--set", "population.bands.senior.bass_p=0..0.1:1000"])
        .arg("--out")
        .arg(&out);
    let err = fails(&mut sweep);
    assert!(
        err.contains("1000000 points, more than the 100000"),
        "{err}"
    );
    assert!(entries(&out).is_empty(), "{:?}", entries(&out));
}

// Item 2: work does not grow with the incident volume.

#[test]
fn the_highest_incident_volume_allowed_runs_like_any_other() {
    let tmp = tempfile::tempdir().unwrap();
    // 100,000 incidents per 100,000 residents per month in a city of 5 million: 5 million
    // incidents a month, drawn in aggregate. Crews unlimited (0), so some responses still
    // fit their SLA: with the baseline's crews such a storm leaves none within it.
    let file = variant(
        tmp.path(),
        "storm",
        "[scenario]\nname = \"storm\"\nend = \"2024-12\"\n\
         [incidents]\ncrews_per_100k = 0.0\n\
         [[incidents.types]]\nname = \"storm\"\ndepartment = \"Public Security\"\n\
         rate_per_100k_per_month = 1e5\nreport_delay_hours = 3.0\n\
         dispatch_hours = 1.0\nsla_hours = 6.0\n[[targets]]\nname = \"sla\"\n\
         indicator = \"incidents_within_sla\"\nyear = 2024\nmin = 0.5\n",
    );
    let out = tmp.path().join("out");
    let mut cmd = civitas();
    cmd.arg("run")
        .arg(&file)
        .args(["--replicates", "1", "--out"])
        .arg(&out);
    run_ok(&mut cmd);
    let targets = fs::read_to_string(out.join("storm/targets.csv")).unwrap();
    let row = targets.lines().find(|l| l.starts_with("sla,")).unwrap();
    let value: f64 = row.split(',').nth(7).unwrap().parse().unwrap();
    assert!(value > 0.0 && value <= 1.0, "{row}");
}

// Item 4: a closed pipe does not kill the batch.

#[test]
fn a_closed_stdout_neither_panics_nor_loses_the_result() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut child = small_run(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before civitas prints anything (`civitas run … | head -0`).
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(entries(&out), ["sweep-small"]);
    assert!(out.join("sweep-small/summary.csv").is_file());

    // The same for stderr, and for validate.
    let mut child = small_run(&tmp.path().join("out2"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(tmp.path().join("out2/sweep-small/targets.csv").is_file());

    let mut validate = civitas()
        .arg("validate")
        .arg(scenario("sweep_small.toml"))
        .arg(scenario("three_targets.toml"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(validate.stdout.take());
    assert_eq!(validate.wait().unwrap().code(), Some(0));
}

// Item 5: run files carry a checksum.

/// Runs the small scenario as shard 0 of 1 into `out`; returns the shard directory.
fn one_shard(out: &Path, resume: bool) -> PathBuf {
    let mut cmd = small_run(out);
    cmd.args(["--shard", "0/1"]);
    if resume {
        cmd.arg("--resume");
    }
    run_ok(&mut cmd);
    out.join("sweep-small.shard-0-of-1")
}

fn merge(shard: &Path, out: &Path) -> Output {
    civitas()
        .arg("merge")
        .arg(shard)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// The first value of a run file: header of 68 bytes (magic, point, replicate, seed,
/// shape, agent-sample digest), then the values; the last 32 bytes are the SHA-256 of
/// the rest.
const FIRST_VALUE_AT: usize = 68;

fn reseal(bytes: &mut [u8]) {
    use sha2::Digest;
    let body = bytes.len() - 32;
    let digest = sha2::Sha256::digest(&bytes[..body]);
    bytes[body..].copy_from_slice(&digest);
}

#[test]
fn resume_reuses_finished_runs_and_runs_damaged_ones_again() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let shard = one_shard(&out, false);
    let run0 = shard.join("runs/p00000-r000000.run");
    let run1 = shard.join("runs/p00000-r000001.run");

    // A sentinel: replicate 0's first value (tick 0, the first indicator, the city)
    // becomes 12345.5, with a valid checksum. Only a resume that reuses the file can
    // bring it into the result.
    let mut bytes = fs::read(&run0).unwrap();
    bytes[FIRST_VALUE_AT..FIRST_VALUE_AT + 8].copy_from_slice(&12345.5f64.to_le_bytes());
    reseal(&mut bytes);
    fs::write(&run0, &bytes).unwrap();
    // Replicate 1 is damaged: one flipped bit in a value, checksum not updated.
    let clean1 = fs::read(&run1).unwrap();
    let mut damaged = clean1.clone();
    damaged[FIRST_VALUE_AT + 3] ^= 0x10;
    fs::write(&run1, &damaged).unwrap();

    // merge refuses the damaged file, by name, and writes nothing.
    let merged = tmp.path().join("merged");
    let refused = merge(&shard, &merged);
    let err = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(
        err.contains("p00000-r000001.run") && err.contains("checksum mismatch"),
        "{err}"
    );
    assert!(entries(&merged).is_empty(), "{:?}", entries(&merged));

    // --resume keeps the sound run (the sentinel) and runs the damaged one again.
    let resumed = small_run(&out)
        .args(["--shard", "0/1", "--resume"])
        .output()
        .unwrap();
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    assert!(
        text(&resumed.stderr).contains("checksum mismatch"),
        "the damaged run is reported"
    );
    assert_eq!(
        fs::read(&run0).unwrap(),
        bytes,
        "the sentinel run is reused"
    );
    assert_eq!(
        fs::read(&run1).unwrap(),
        clean1,
        "the damaged run ran again"
    );
    let ok = merge(&shard, &merged);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let series = fs::read_to_string(merged.join("sweep-small/timeseries.csv")).unwrap();
    assert!(
        series.contains(",12345.5\n"),
        "the sentinel reached the result"
    );
}

// Item 6: the output destination is checked before any work and never clobbered.

#[test]
fn a_file_in_the_way_of_the_output_is_kept_and_nothing_is_left_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("sweep-small"), "the user's notes").unwrap();
    let err = fails(&mut small_run(&out));
    assert!(err.contains("exists and is not a directory"), "{err}");
    assert_eq!(entries(&out), ["sweep-small"]);
    assert_eq!(
        fs::read_to_string(out.join("sweep-small")).unwrap(),
        "the user's notes"
    );
    // A directory that is not a Civitas result is not replaced either.
    fs::remove_file(out.join("sweep-small")).unwrap();
    fs::create_dir(out.join("sweep-small")).unwrap();
    fs::write(out.join("sweep-small/thesis.tex"), "chapter 1").unwrap();
    let err = fails(&mut small_run(&out));
    assert!(err.contains("does not hold a Civitas result"), "{err}");
    assert_eq!(entries(&out), ["sweep-small"]);
    assert_eq!(entries(&out.join("sweep-small")), ["thesis.tex"]);
    // Once the way is clear, the run goes through.
    fs::remove_dir_all(out.join("sweep-small")).unwrap();
    run_ok(&mut small_run(&out));
    assert_eq!(entries(&out), ["sweep-small"]);
}

#[test]
fn a_run_never_replaces_a_sweep_of_the_same_name() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut sweep = civitas();
    sweep
        .arg("sweep")
        .arg(scenario("sweep_small.toml"))
        .args(["--set", "policies[name=ops].amount_per_year=0,1e8"])
        .args(["--replicates", "2", "--threads", "1", "--out"])
        .arg(&out);
    run_ok(&mut sweep);
    let sweep_csv = fs::read(out.join("sweep-small-sweep/sweep.csv")).unwrap();
    // A scenario whose name is the sweep's output name.
    let file = variant(
        tmp.path(),
        "clash",
        "[scenario]\nname = \"sweep-small-sweep\"\n",
    );
    let mut run = civitas();
    run.arg("run")
        .arg(&file)
        .args(["--replicates", "2", "--out"])
        .arg(&out);
    let err = fails(&mut run);
    assert!(
        err.contains("holds the result of a sweep, which this run would replace"),
        "{err}"
    );
    assert_eq!(
        fs::read(out.join("sweep-small-sweep/sweep.csv")).unwrap(),
        sweep_csv
    );
    assert_eq!(entries(&out), ["sweep-small-sweep"]);
}

// Item 7: command-line overrides are validated like the file.

#[test]
fn overrides_the_file_could_not_make_fail_once_naming_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let err = fails(small_run(&out).args(["--agents", "0"]));
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains("--agents 0: field `population.agents`: found 0, expected at least 1 agent"),
        "{err}"
    );
    let err = fails(small_run(&out).args(["--replicates", "0"]));
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains("--replicates 0: field `scenario.replicates`"),
        "{err}"
    );
    assert!(entries(&out).is_empty(), "{:?}", entries(&out));

    let seed = small_run(&out)
        .args(["--seed", "9223372036854775808"])
        .output()
        .unwrap();
    let err = text(&seed.stderr);
    assert_eq!(seed.status.code(), Some(2), "{err}");
    assert!(err.contains("--seed"), "{err}");
    assert!(!err.contains("scenario.toml"), "{err}");
    // The largest seed works.
    run_ok(small_run(&out).args(["--seed", "9223372036854775807"]));
}

// Item 8: a target without data says so everywhere.

#[test]
fn a_target_without_data_is_no_data_in_the_csv_and_on_the_console() {
    let tmp = tempfile::tempdir().unwrap();
    // The baseline's incident types switched off, and one so rare that none happens.
    let mut body = "[scenario]\nname = \"quiet\"\n".to_string();
    for name in [
        "Waterlogging",
        "Fire and safety hazard",
        "Road and facility damage",
        "Environmental nuisance",
    ] {
        body.push_str(&format!(
            "[[incidents.types]]\nname = {name:?}\nrate_per_100k_per_month = 0.0\n"
        ));
    }
    body.push_str(
        "[[incidents.types]]\nname = \"rare\"\n\
         department = \"Public Security\"\nrate_per_100k_per_month = 1e-12\n\
         report_delay_hours = 3.0\ndispatch_hours = 1.0\nsla_hours = 6.0\n\
         [[targets]]\nname = \"sla\"\nindicator = \"incidents_within_sla\"\n\
         year = 2025\nmin = 0.5\n",
    );
    let file = variant(tmp.path(), "quiet", &body);
    let out = tmp.path().join("out");
    let mut cmd = civitas();
    cmd.arg("run")
        .arg(&file)
        .args(["--replicates", "2", "--out"])
        .arg(&out);
    let console = text(&run_ok(&mut cmd).stdout);
    assert!(
        console.contains("no data") && console.contains("sla"),
        "{console}"
    );
    let targets = fs::read_to_string(out.join("quiet/targets.csv")).unwrap();
    let row = targets.lines().find(|l| l.starts_with("sla,")).unwrap();
    assert!(row.ends_with(",no_data"), "{row}");
    let report = fs::read_to_string(out.join("quiet/report.html")).unwrap();
    assert!(report.contains("no data"));
}

// Item 9: the largest values allowed give finite outputs.

#[test]
fn the_largest_amounts_and_hours_allowed_give_finite_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = variant(
        tmp.path(),
        "extreme",
        "[scenario]\nname = \"extreme\"\n[[policies]]\nname = \"ops\"\n\
         amount_per_year = 1e15\n[[incidents.types]]\nname = \"slow\"\n\
         department = \"Public Security\"\nrate_per_100k_per_month = 100.0\n\
         report_delay_hours = 87600.0\ndispatch_hours = 87600.0\nsla_hours = 87600.0\n",
    );
    let out = tmp.path().join("out");
    let mut cmd = civitas();
    cmd.arg("run")
        .arg(&file)
        .args(["--replicates", "2", "--out"])
        .arg(&out);
    run_ok(&mut cmd);
    for csv in ["summary.csv", "targets.csv"] {
        let body = fs::read_to_string(out.join("extreme").join(csv)).unwrap();
        // Cell by cell: a name may contain "inf" (the sector "Software and information
        // services" is a scope of summary.csv).
        let non_finite = body
            .lines()
            .flat_map(|l| l.split(','))
            .any(|cell| cell.parse::<f64>().is_ok_and(|v| !v.is_finite()));
        assert!(!non_finite, "{csv} holds a non-finite value");
    }
}

// Item 3 and 12: reading and messages.

#[test]
fn devices_and_oversized_files_are_refused_without_reading_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = civitas().args(["validate", "/dev/zero"]).output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("unknown file extension"), "{err}");
    #[cfg(unix)]
    {
        let link = tmp.path().join("zero.toml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let out = civitas().arg("validate").arg(&link).output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("not a regular file"), "{err}");
    }
    let big = tmp.path().join("big.toml");
    fs::write(&big, "# padding\n".repeat(500_000)).unwrap();
    let out = civitas().arg("validate").arg(&big).output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("expected at most 4194304"), "{err}");
}

#[test]
fn an_os_error_is_printed_once() {
    let tmp = tempfile::tempdir().unwrap();
    let err = fails(civitas().arg("merge").arg(tmp.path().join("no-such-shard")));
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

// Item 10: the report is byte-identical between runs of the same result.

#[test]
fn the_report_is_byte_identical_across_runs_and_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(threads);
        let mut cmd = civitas();
        cmd.arg("run")
            .arg(scenario("sweep_small.toml"))
            .args(["--replicates", "2", "--threads", threads, "--out"])
            .arg(&out);
        run_ok(&mut cmd);
        pages.push(fs::read(out.join("sweep-small/report.html")).unwrap());
    }
    assert!(pages[0] == pages[1], "report.html differs between runs");
}
