//! Helpers shared by the CLI's integration tests.

#![allow(
    dead_code,
    reason = "each test binary uses a part of the shared helpers"
)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Starts `cmd` with its output discarded and kills it with SIGKILL (no chance to clean
/// up) as soon as `enough()` holds, e.g. once some runs are stored. Fails when the command
/// finishes before that, or when `enough()` does not hold within two minutes (`what` names
/// what was awaited).
pub fn kill_when(cmd: &mut Command, what: &str, enough: impl Fn() -> bool) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the kill"
        );
        if enough() {
            child.kill().unwrap();
            child.wait().unwrap();
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `cmd` and returns its output; fails with its stderr unless it succeeds.
pub fn succeeds(cmd: &mut Command) -> Output {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs `civitas run FILE --out OUT` with `args`; fails with its stderr unless it succeeds.
pub fn run_into(file: &Path, out: &Path, args: &[&str]) {
    succeeds(
        Command::new(env!("CARGO_BIN_EXE_civitas"))
            .arg("run")
            .arg(file)
            .arg("--out")
            .arg(out)
            .args(args),
    );
}
