//! Peak memory of a batch does not grow with the number of replicates: 100 replicates stay
//! within 1.5× the peak resident set of 10 (finished runs stream to disk; percentiles are
//! computed a block of ticks at a time).
//!
//! Its own test binary, so that no other test's children share the measurement.

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `civitas run` and returns its peak resident set in KiB, from `wait4`.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by libc::wait4, which also returns its rusage"
)]
fn peak_rss_kib(replicates: u32, out: &Path) -> i64 {
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/batch/sweep_small.toml");
    let child = Command::new(env!("CARGO_BIN_EXE_civitas"))
        .arg("run")
        .arg(scenario)
        .args([
            "--agents",
            "300",
            "--threads",
            "2",
            "--replicates",
            &replicates.to_string(),
            "--out",
        ])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the civitas binary starts");
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child, which `Child` has not
    // reaped (we never call wait on it).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "civitas run failed"
    );
    usage.ru_maxrss
}

#[test]
fn peak_memory_of_100_replicates_is_within_one_and_a_half_times_10() {
    let tmp = tempfile::tempdir().unwrap();
    let ten = peak_rss_kib(10, &tmp.path().join("ten"));
    let hundred = peak_rss_kib(100, &tmp.path().join("hundred"));
    eprintln!("peak RSS: 10 replicates {ten} KiB, 100 replicates {hundred} KiB");
    assert!(
        (hundred as f64) <= 1.5 * ten as f64,
        "100 replicates peaked at {hundred} KiB, 10 at {ten} KiB"
    );
}
