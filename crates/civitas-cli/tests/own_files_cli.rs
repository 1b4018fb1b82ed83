//! Nothing but its own files (issue 35): Civitas never reads, writes or removes through a
//! link it did not make, never removes a folder that does not carry its marker, bounds
//! what it reads back before it allocates, and never echoes a foreign file's content.
//! Each test reproduces one way the previous version touched what was not its own.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn civitas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sweep_small() -> PathBuf {
    repo()
        .join("tests/scenarios/batch/sweep_small.toml")
        .canonicalize()
        .unwrap()
}

/// Exit code, stdout and stderr.
fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("the civitas binary starts");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().expect("exited, not killed"),
        stdout,
        stderr,
    )
}

/// A quick run of the 500-agent sweep scenario into `out` (output `sweep-small`).
fn small_run(out: &Path) -> Command {
    let mut cmd = civitas();
    cmd.arg("run")
        .arg(sweep_small())
        .args(["--threads", "1", "--no-uncertainty", "--out"])
        .arg(out);
    cmd
}

/// A file with a secret in it, as a CI machine's environment would be.
fn secret_file(dir: &Path) -> PathBuf {
    let path = dir.join("environ");
    fs::write(&path, "CIVITAS_TEST_TOKEN=s3cr3t-value\n").unwrap();
    path
}

/// A check folder with one small case extending the sweep scenario.
fn write_case(dir: &Path, targets: &str) -> PathBuf {
    let case = dir.join("case");
    fs::create_dir_all(&case).unwrap();
    fs::write(
        case.join("scenario.toml"),
        format!(
            "extends = {:?}\n[scenario]\nreplicates = 3\n{targets}",
            sweep_small().display().to_string()
        ),
    )
    .unwrap();
    case
}

#[cfg(unix)]
fn link(target: &Path, at: &Path) {
    std::os::unix::fs::symlink(target, at).unwrap();
}

/// Runs `civitas check` on `dir`, which must fail without printing the secret; returns
/// everything it printed.
fn check_fails_quietly(dir: &Path) -> String {
    let (code, out, err) = output(civitas().arg("check").arg(dir));
    let all = format!("{out}{err}");
    assert_ne!(code, 0, "{all}");
    assert!(!all.contains("s3cr3t"), "the secret was printed: {all}");
    all
}

#[cfg(unix)]
#[test]
fn a_golden_or_tolerances_link_is_refused_and_its_target_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let secret = secret_file(dir.path());
    let case = write_case(dir.path(), "");
    link(&secret, &case.join("golden.csv"));
    assert!(check_fails_quietly(&case).contains("symbolic link"));
    fs::remove_file(case.join("golden.csv")).unwrap();
    link(&secret, &case.join("tolerances.toml"));
    assert!(check_fails_quietly(&case).contains("symbolic link"));

    // A regular golden whose first line is not the header: a short excerpt at most.
    fs::remove_file(case.join("tolerances.toml")).unwrap();
    let line = "PATH=/usr/bin,HOME=/root,USER=ci,CIVITAS_TEST_TOKEN=s3cr3t-value\n";
    fs::write(case.join("golden.csv"), line).unwrap();
    check_fails_quietly(&case);
    // A tolerances file with a bad line: its position and the problem, not the line.
    fs::remove_file(case.join("golden.csv")).unwrap();
    fs::write(case.join("tolerances.toml"), line).unwrap();
    assert!(check_fails_quietly(&case).contains("line 1, column"));
}

#[cfg(unix)]
#[test]
fn links_in_place_of_work_folders_or_locks_are_refused_and_their_targets_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let victim = dir.path().join("victim");
    fs::create_dir(&victim).unwrap();
    fs::write(victim.join("precious.txt"), "keep me").unwrap();

    for (name, extra) in [
        ("sweep-small.incomplete", &[][..]),
        ("sweep-small.shard-0-of-2", &["--shard", "0/2"][..]),
    ] {
        link(&victim, &out.join(name));
        let (code, _, err) = output(small_run(&out).args(extra));
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.contains("symbolic link"), "{name}: {err}");
        assert_eq!(
            fs::read_to_string(victim.join("precious.txt")).unwrap(),
            "keep me"
        );
        assert_eq!(fs::read_dir(&victim).unwrap().count(), 1, "{name}");
        fs::remove_file(out.join(name)).unwrap();
    }

    // A lock that is a link: its target is neither truncated nor written.
    let work = out.join("sweep-small.incomplete");
    fs::create_dir(&work).unwrap();
    link(&victim.join("precious.txt"), &work.join("lock"));
    let (code, _, err) = output(&mut small_run(&out));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(
        fs::read_to_string(victim.join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn folders_that_only_look_like_civitas_folders_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let backup = out.join("sweep-small.replaced-backup");
    fs::create_dir_all(&backup).unwrap();
    fs::write(backup.join("notes.txt"), "mine").unwrap();
    let work = out.join("sweep-small.incomplete");
    fs::create_dir_all(&work).unwrap();
    fs::write(work.join("notes.txt"), "mine too").unwrap();

    // A folder with the work folder's name but no plan: refused, not wiped.
    let (code, _, err) = output(&mut small_run(&out));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no plan.json"), "{err}");
    assert_eq!(
        fs::read_to_string(work.join("notes.txt")).unwrap(),
        "mine too"
    );
    assert!(
        !work.join("lock").exists(),
        "no lock file left in somebody's folder"
    );

    // Moved away, the run goes ahead and twice (replacing its own result) keeps the
    // folder that merely starts with `<name>.replaced-`.
    fs::remove_dir_all(&work).unwrap();
    for _ in 0..2 {
        let (code, _, err) = output(&mut small_run(&out));
        assert_eq!(code, 0, "{err}");
    }
    assert_eq!(
        fs::read_to_string(backup.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn tampered_counts_are_refused_before_they_size_anything() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = output(&mut small_run(&out));
    assert_eq!(code, 0, "{err}");
    let result = out.join("sweep-small");
    let manifest_path = result.join("manifest.json");
    let manifest = fs::read_to_string(&manifest_path).unwrap();
    fs::write(
        &manifest_path,
        manifest.replace("\"replicates\": 4,", "\"replicates\": 4000000000,"),
    )
    .unwrap();
    let compare_out = dir.path().join("c");
    for args in [
        vec![
            "compare".into(),
            result.clone(),
            result.clone(),
            "--out".into(),
            compare_out,
        ],
        vec![
            "discover".into(),
            result.clone(),
            "--target".into(),
            "online 2025".into(),
        ],
    ] {
        let (code, _, err) = output(civitas().args(&args));
        assert_ne!(code, 0, "{args:?}: {err}");
        assert!(err.contains("4000000000"), "{args:?}: {err}");
    }

    // A shard whose plan names an index past its count: an error, not a panic.
    let (code, _, err) = output(small_run(&out).args(["--shard", "0/2"]));
    assert_eq!(code, 0, "{err}");
    let shard = out.join("sweep-small.shard-0-of-2");
    let plan = fs::read_to_string(shard.join("plan.json")).unwrap();
    let tampered = plan.replace("\"index\": 0", "\"index\": 5");
    assert_ne!(plan, tampered);
    fs::write(shard.join("plan.json"), tampered).unwrap();
    let (code, _, err) = output(
        civitas()
            .arg("merge")
            .arg(&shard)
            .arg("--out")
            .arg(dir.path().join("m")),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("shard 5 of 2"), "{err}");
}

#[test]
fn a_golden_that_checks_nothing_or_holds_impossible_rows_fails() {
    let dir = tempfile::tempdir().unwrap();
    let case = write_case(
        dir.path(),
        "[[targets]]\nindicator = \"online_service_rate\"\nyear = 2025\nmin = 0.5\n",
    );
    let (code, out, err) = output(civitas().arg("check").arg(dir.path()).arg("--bless"));
    assert_eq!(code, 0, "{out}{err}");
    let golden = fs::read_to_string(case.join("golden.csv")).unwrap();
    let (code, out, err) = output(civitas().arg("check").arg(dir.path()));
    assert_eq!(code, 0, "{out}{err}");

    let header = golden.lines().next().unwrap();
    fs::write(case.join("golden.csv"), format!("{header}\n")).unwrap();
    let (code, out, err) = output(civitas().arg("check").arg(dir.path()));
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("holds no quantity"),
        "{out}{err}"
    );

    let first = golden.lines().nth(1).unwrap();
    let fields: Vec<&str> = first.split(',').collect();
    let negative = format!("{},-1", fields[..6].join(","));
    let no_count = format!("{},0,{}", fields[..4].join(","), fields[5..].join(","));
    for (row, problem) in [(negative, "sd: found -1"), (no_count, "n is 0")] {
        fs::write(case.join("golden.csv"), format!("{header}\n{row}\n")).unwrap();
        let (code, out, err) = output(civitas().arg("check").arg(dir.path()));
        assert_ne!(code, 0, "{row}: {out}{err}");
        assert!(format!("{out}{err}").contains(problem), "{row}: {out}{err}");
    }
}

#[cfg(unix)]
#[test]
fn blessing_never_writes_through_a_planted_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "keep me").unwrap();
    let case = write_case(dir.path(), "");
    link(&victim, &case.join("golden.csv.tmp"));
    link(&victim, &case.join(".tmp-golden.csv"));
    let (code, out, err) = output(civitas().arg("check").arg(dir.path()).arg("--bless"));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(
        fs::read_to_string(case.join("golden.csv"))
            .unwrap()
            .starts_with("quantity,")
    );
}

#[test]
fn names_a_spreadsheet_would_run_are_escaped_and_read_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    write_case(
        dir.path(),
        "[[targets]]\nname = \"=HYPERLINK(\\\"http://x\\\")\"\nindicator = \"online_service_rate\"\nyear = 2025\nmin = 0.5\n\
         [[targets]]\nname = \"'quoted\"\nindicator = \"adoption_rate\"\nyear = 2025\nmin = 0.5\n",
    );
    let keep = dir.path().join("kept");
    let (code, out, err) = output(
        civitas()
            .arg("check")
            .arg(dir.path())
            .arg("--bless")
            .arg("--out")
            .arg(&keep),
    );
    assert_eq!(code, 0, "{out}{err}");
    let targets = fs::read_to_string(keep.join("case/sweep-small/targets.csv")).unwrap();
    assert!(
        targets.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{targets}"
    );
    assert!(targets.contains("\n''quoted,"), "{targets}");
    assert!(!targets.contains("\n=HYPERLINK"), "{targets}");
    let golden = fs::read_to_string(dir.path().join("case/golden.csv")).unwrap();
    assert!(golden.contains("target,\"'=HYPERLINK"), "{golden}");
    // Read back, the labels are the names again: the check matches every target.
    let (code, out, err) = output(civitas().arg("check").arg(dir.path()));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("every case holds"), "{out}");
}

#[test]
fn names_are_printable_distinct_in_any_unicode_spelling_and_labels_unique() {
    let dir = tempfile::tempdir().unwrap();
    let base = sweep_small().display().to_string();
    let cases = [
        (
            "same-label",
            "[[targets]]\nindicator = \"online_service_rate\"\nyear = 2025\nmin = 0.5\n\
             [[targets]]\nindicator = \"online_service_rate\"\nyear = 2025\nmin = 0.6\n",
            "could not be told apart",
        ),
        (
            "name-is-a-label",
            "[[targets]]\nindicator = \"online_service_rate\"\nyear = 2025\nmin = 0.5\n\
             [[targets]]\nname = \"online_service_rate 2025\"\nindicator = \"adoption_rate\"\nyear = 2025\nmin = 0.6\n",
            "could not be told apart",
        ),
        (
            "nfc",
            "[[targets]]\nname = \"Caf\\u00e9\"\nindicator = \"online_service_rate\"\nyear = 2025\nmin = 0.5\n\
             [[targets]]\nname = \"Cafe\\u0301\"\nindicator = \"adoption_rate\"\nyear = 2025\nmin = 0.6\n",
            "could not be told apart",
        ),
        (
            "escape",
            "[[targets]]\nname = \"a\\u001b]0;owned\\u0007\"\nindicator = \"online_service_rate\"\nyear = 2025\nmin = 0.5\n",
            "\\u{1b}",
        ),
        (
            "nonchar",
            "[[targets]]\nname = \"a\\uffffb\"\nindicator = \"online_service_rate\"\nyear = 2025\nmin = 0.5\n",
            "\\u{ffff}",
        ),
    ];
    for (name, body, expected) in cases {
        let path = dir.path().join(format!("{name}.toml"));
        fs::write(&path, format!("extends = {base:?}\n{body}")).unwrap();
        let (code, out, err) = output(civitas().arg("validate").arg(&path));
        assert_eq!(code, 1, "{name}: {out}{err}");
        assert!(err.contains(expected), "{name}: {err}");
        assert!(
            !err.contains('\u{1b}'),
            "{name}: a raw escape reached the terminal"
        );
    }
}

#[test]
fn a_byte_order_mark_is_read_alike_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let example = repo().join("tests/scenarios/example");
    for file in ["small-city.toml", "small-city.yaml", "small-city.json"] {
        let text = fs::read_to_string(example.join(file)).unwrap();
        let path = dir.path().join(file);
        fs::write(&path, format!("\u{feff}{text}")).unwrap();
        let (code, out, err) = output(civitas().arg("validate").arg(&path));
        assert_eq!(code, 0, "{file}: {out}{err}");
    }
}

#[test]
fn design_sizes_and_thread_counts_are_checked_before_any_work() {
    let baseline = repo().join("scenarios/baseline.toml");
    for (flag, method) in [("--base-points", "sobol"), ("--trajectories", "morris")] {
        let (code, _, err) = output(civitas().arg("sensitivity").arg(&baseline).args([
            "--method",
            method,
            flag,
            "1000000000000",
        ]));
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(flag) && err.contains("or fewer"), "{err}");
    }
    let (code, _, err) = output(civitas().args(["check", "tests/regression", "--threads", "0"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("1 to 1024"), "{err}");
}

#[test]
fn one_field_set_twice_in_a_sweep_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = output(
        civitas()
            .arg("sweep")
            .arg(sweep_small())
            .args([
                "--set",
                "policies[name=ops].amount_per_year=0,1e8",
                "--set",
                "policies[name=ops].amount_per_year=2e8,3e8",
                "--out",
            ])
            .arg(dir.path()),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("sets the same field"), "{err}");
}

#[test]
fn a_very_long_name_sweeps_and_draws_and_discover_refuses_a_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let long = "a".repeat(200);
    let path = dir.path().join("long.toml");
    fs::write(
        &path,
        format!(
            "extends = {:?}\n[scenario]\nreplicates = 2\n[[targets]]\nname = \"{long}\"\nindicator = \"online_service_rate\"\nyear = 2025\nmin = 0.5\n",
            sweep_small().display().to_string()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = output(
        civitas()
            .arg("sweep")
            .arg(&path)
            .args([
                "--set",
                "policies[name=ops].amount_per_year=0,1e8",
                "--threads",
                "1",
            ])
            .args(["--no-uncertainty", "--out"])
            .arg(&out),
    );
    assert_eq!(code, 0, "{err}");
    let plots: Vec<String> = fs::read_dir(out.join("sweep-small-sweep/plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(plots.iter().all(|p| p.len() < 160), "{plots:?}");
    assert!(
        plots.iter().any(|p| p.starts_with("sweep_aaaa")),
        "{plots:?}"
    );

    let (code, _, err) = output(
        civitas()
            .arg("discover")
            .arg(out.join("sweep-small-sweep"))
            .args(["--target", "online 2025"]),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is a sweep"), "{err}");
}

/// `cmd` under a file size limit of `bytes` (`RLIMIT_FSIZE`, with `SIGXFSZ` ignored so a
/// write past it fails with EFBIG instead of killing the process): a full disk.
#[cfg(target_os = "linux")]
fn with_file_size_limit(cmd: &mut Command, bytes: u64) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// A full disk: the half-written output is removed, the finished runs stay for
/// `--resume`, and the message is words, not the debug form of nested error values; when
/// not even the lock can be written, no empty work folder is left behind.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_leaves_no_half_output_and_keeps_the_runs_for_resume() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = output(with_file_size_limit(&mut small_run(&out), 512 * 1024));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("File too large"), "{err}");
    assert!(
        !err.contains("Custom {") && !err.contains("IoError("),
        "{err}"
    );
    let work = out.join("sweep-small.incomplete");
    assert!(!out.join("sweep-small").exists());
    assert!(
        !work.join("staged").exists(),
        "the half-written output stays"
    );
    let runs = fs::read_dir(work.join("runs")).unwrap().count();
    assert_eq!(runs, 4, "the finished runs are kept");

    let (code, _, err) = output(small_run(&out).arg("--resume"));
    assert_eq!(code, 0, "{err}");
    assert!(out.join("sweep-small/report.html").exists());
    assert!(!work.exists());

    let (code, _, err) = output(with_file_size_limit(&mut small_run(&out), 0));
    assert_eq!(code, 1, "{err}");
    assert!(
        !work.exists(),
        "an empty work folder is left: {:?}",
        fs::read_dir(&work).map(|d| d.count())
    );
}

/// A resumed batch writes its plan and scenario through fresh temporaries: links planted
/// in its work folder at the names an older Civitas used are never written through.
#[cfg(unix)]
#[test]
fn a_resume_never_writes_through_links_planted_in_its_work_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "keep me").unwrap();
    // An interrupted batch: its work folder with its plan, as a shard leaves one.
    let (code, _, err) = output(small_run(&out).args(["--shard", "0/2"]));
    assert_eq!(code, 0, "{err}");
    let work = out.join("sweep-small.shard-0-of-2");
    for name in [".tmp-scenario.toml", ".tmp-plan.json"] {
        link(&victim, &work.join(name));
    }
    let (code, _, err) = output(small_run(&out).args(["--shard", "0/2", "--resume"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
}
