//! Every command block of the README, run: an example that stops working fails here.
//!
//! Each ```` ```sh ```` block of `README.md` is read line by line (a trailing `\` joins
//! lines, `# …` comments are dropped) and every command is run with `sh` in a scratch copy
//! of `scenarios/` and `tests/regression/`, in README order (later commands read what
//! earlier ones wrote, e.g. `compare outputs/baseline outputs/ops-plus`), with `civitas`
//! (and `cargo run --release --`) being the binary under test. Each must exit 0.
//!
//! What the test changes, as the README says: the placeholders `FILE`, `DIR` and `NAME`
//! become [`PLACEHOLDERS`]; runs and sweeps use [`SMALL_RUN`] agents and replicates,
//! `sensitivity` [`SMALL_SENSITIVITY`], `optimize` [`SMALL_OPTIMIZE`], `calibrate`
//! [`SMALL_CALIBRATE`] and `bench`
//! [`SMALL_BENCH`] (replacing the flag's value or adding the flag), so the whole README
//! runs in seconds. Commands about the
//! development workflow (`cargo test`, `cargo insta`, `git diff`, …) are listed in
//! [`NOT_RUN`] with the reason; any other command the test does not know fails it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Placeholder words of the README's usage lines and what the test puts in their place.
const PLACEHOLDERS: &[(&str, &str)] = &[
    ("FILE", "scenarios/ops-plus.toml"),
    ("DIR", "outputs/elsewhere"),
    ("NAME", "ops-plus"),
];

/// `run` and `sweep`: flags and their small values.
const SMALL_RUN: &[(&str, &str)] = &[("--agents", "2000"), ("--replicates", "4")];
/// `sensitivity`: flags and their small values.
const SMALL_SENSITIVITY: &[(&str, &str)] = &[("--agents", "1000"), ("--base-points", "4")];
/// `optimize`: a small city, one generation, few replicates.
const SMALL_CALIBRATE: &[(&str, &str)] = &[
    ("--agents", "300"),
    ("--particles", "12"),
    ("--generations", "2"),
];
const SMALL_OPTIMIZE: &[(&str, &str)] = &[
    ("--agents", "1000"),
    ("--replicates", "2"),
    ("--generations", "1"),
    ("--verify-replicates", "2"),
];
/// `bench`: one small size.
const SMALL_BENCH: &[(&str, &str)] = &[("--agents", "20000")];

/// Commands of the README the test does not run, by how they start, and why.
const NOT_RUN: &[(&str, &str)] = &[
    ("cargo test", "the test suite itself"),
    ("cargo insta review", "interactive snapshot review"),
    ("INSTA_UPDATE=always cargo test", "the test suite itself"),
    ("git diff", "reads the developer's working tree"),
    ("cargo install", "installs tools from the network"),
    (
        "pip install",
        "builds the Python package; python/tests (pytest, in .ci/run) run its example",
    ),
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The commands of every ```` ```sh ```` block, continuation lines joined, comments dropped.
fn readme_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in readme.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_block = !in_block && trimmed.trim_end() == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let code = strip_comment(line).trim().to_string();
        if let Some(head) = code.strip_suffix('\\') {
            pending.push_str(head.trim_end());
            pending.push(' ');
            continue;
        }
        pending.push_str(&code);
        let command = std::mem::take(&mut pending).trim().to_string();
        if !command.is_empty() {
            commands.push(command);
        }
    }
    commands
}

/// The line without a `#` comment (a `#` after a space, outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '#' && previous.is_whitespace() => return &line[..i],
            None => {}
        }
        previous = c;
    }
    line
}

/// Shell words of one simple command, quotes kept (they go back to `sh` as written).
fn words(segment: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for c in segment.chars() {
        match quote {
            Some(q) => {
                word.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            None => {
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                word.push(c);
            }
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Sets each flag of `small` to its value in a `civitas` command: replaced where given,
/// added before any redirection otherwise.
fn set_flags(words: &mut Vec<String>, small: &[(&str, &str)]) {
    for (flag, value) in small {
        if let Some(i) = words.iter().position(|w| w == flag) {
            words[i + 1] = (*value).to_string();
        } else {
            let at = words
                .iter()
                .position(|w| w.starts_with('>'))
                .unwrap_or(words.len());
            words.insert(at, (*value).to_string());
            words.insert(at, (*flag).to_string());
        }
    }
}

/// The command the test runs for a README command, or why it runs none.
fn runnable(command: &str) -> Result<String, String> {
    if let Some((_, why)) = NOT_RUN.iter().find(|(start, _)| command.starts_with(start)) {
        return Err((*why).to_string());
    }
    let command = command.replace("cargo run --release --", "civitas");
    let mut segments = Vec::new();
    // `a; b` and `a && b` run their parts in order; each part is sized on its own.
    for part in command.split("&&") {
        let mut parts = Vec::new();
        for segment in part.split(';') {
            let mut w = words(segment);
            if w.is_empty() {
                continue;
            }
            if w[0] != "civitas" {
                panic!(
                    "README command `{command}` is neither a civitas command nor listed in \
                     NOT_RUN: run it from this test or say why not"
                );
            }
            for word in &mut w {
                if let Some((_, value)) = PLACEHOLDERS.iter().find(|(p, _)| word == p) {
                    *word = (*value).to_string();
                } else if let Some(rest) = word.strip_prefix("outputs/NAME") {
                    *word = format!("outputs/{}{rest}", PLACEHOLDERS[2].1);
                }
            }
            match w.get(1).map(String::as_str) {
                Some("run" | "sweep") => set_flags(&mut w, SMALL_RUN),
                Some("sensitivity") => set_flags(&mut w, SMALL_SENSITIVITY),
                Some("bench") => set_flags(&mut w, SMALL_BENCH),
                Some("optimize") => set_flags(&mut w, SMALL_OPTIMIZE),
                Some("calibrate") => set_flags(&mut w, SMALL_CALIBRATE),
                _ => {}
            }
            parts.push(w.join(" "));
        }
        segments.push(parts.join("; "));
    }
    Ok(segments.join(" && "))
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn readme_commands_parse_as_written() {
    let commands = readme_commands(
        "text\n```sh\ncivitas run a.toml   # comment\ncivitas sweep F --set 'x=1' \\\n  \
         --set 'y=#2'\n```\n```toml\nx = 1\n```\n",
    );
    assert_eq!(
        commands,
        [
            "civitas run a.toml",
            "civitas sweep F --set 'x=1' --set 'y=#2'"
        ]
    );
    assert_eq!(
        runnable("civitas run FILE --agents 200000 --out DIR").unwrap(),
        "civitas run scenarios/ops-plus.toml --agents 2000 --out outputs/elsewhere \
         --replicates 4"
    );
    assert_eq!(
        runnable("cargo run --release -- bench --json > b.json").unwrap(),
        "civitas bench --json --agents 20000 > b.json"
    );
    assert!(runnable("cargo test --workspace --locked").is_err());
}

#[test]
fn every_readme_command_runs() {
    let root = repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let commands = readme_commands(&readme);
    assert!(commands.len() >= 20, "{commands:?}");

    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme");
    let _ = std::fs::remove_dir_all(&scratch);
    copy_tree(&root.join("scenarios"), &scratch.join("scenarios"));
    copy_tree(&root.join("data"), &scratch.join("data"));
    copy_tree(
        &root.join("tests/regression"),
        &scratch.join("tests/regression"),
    );
    let bin = scratch.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_civitas"), bin.join("civitas")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut ran = 0;
    for command in &commands {
        let Ok(line) = runnable(command) else {
            continue;
        };
        let out = Command::new("sh")
            .arg("-c")
            .arg(&line)
            .current_dir(&scratch)
            .env("PATH", &path)
            .output()
            .expect("sh starts");
        assert!(
            out.status.success(),
            "README command `{command}` (run as `{line}`) exited {}:\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 18, "only {ran} README commands ran");
}
