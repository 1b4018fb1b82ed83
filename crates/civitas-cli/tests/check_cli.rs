//! `civitas check` end to end: goldens blessed, held, broken by a model change, re-blessed;
//! JUnit XML readable; the CI templates in deploy/ci run as written.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn civitas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn output(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the civitas binary starts");
    (
        status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// A check folder with one small case on top of the bundled baseline: 2,000 agents, 4
/// replicates, to the end of 2027. `extra` is appended to the case's scenario.
fn write_case(dir: &Path, extra: &str) {
    let case = dir.join("small");
    fs::create_dir_all(&case).unwrap();
    let base = repo().join("tests/scenarios/batch/small_city.toml");
    fs::write(
        case.join("scenario.toml"),
        format!(
            "extends = {:?}\n\n[scenario]\nreplicates = 4\n\n[[targets]]\nindicator = \"system_availability\"\nyear = 2027\nmin = 0.5\n{extra}",
            base.canonicalize().unwrap().display().to_string()
        ),
    )
    .unwrap();
}

#[test]
fn bless_check_drift_and_rebless() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path(), "");

    // No goldens yet: the check cannot run, and says how to record them.
    let (code, out, err) = output(
        civitas()
            .arg("check")
            .arg(dir.path())
            .args(["--threads", "2"]),
    );
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("cannot run"), "{out}");
    assert!(
        err.contains("no golden results") && err.contains("--bless"),
        "{err}"
    );

    let (code, out, err) = output(civitas().arg("check").arg(dir.path()).arg("--bless"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("first goldens"), "{out}");
    let golden = fs::read_to_string(dir.path().join("small/golden.csv")).unwrap();
    assert!(golden.starts_with("quantity,name,scope,date,n,mean,sd\n"));
    assert!(golden.contains("indicator,system_availability,city,2027-12,4,"));
    assert!(golden.contains("target,"));

    // Unchanged: every quantity holds, and the JUnit report says so.
    let junit = dir.path().join("junit.xml");
    let (code, out, err) = output(
        civitas()
            .arg("check")
            .arg(dir.path())
            .arg("--junit")
            .arg(&junit),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("holds") && out.contains("every case holds"),
        "{out}"
    );
    let xml = fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("valid XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(
        cases.len().to_string(),
        root.attribute("tests").unwrap(),
        "one test case per indicator or target"
    );
    // One per indicator and one per target, not one per value (16,940 for 10 cases).
    let quantities: std::collections::BTreeSet<(&str, &str)> = golden
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap(), f.next().unwrap())
        })
        .collect();
    assert_eq!(cases.len(), quantities.len());
    assert!(cases.len() < golden.lines().count() / 10, "{}", cases.len());
    assert_eq!(root.attribute("failures"), Some("0"));

    // A model input changes (no operation money): the check fails with exit 1 and names
    // the drifting indicator, in the table and in the JUnit report.
    write_case(
        dir.path(),
        "\n[[policies]]\nname = \"ops\"\namount_per_year = 0\n",
    );
    let (code, out, err) = output(
        civitas()
            .arg("check")
            .arg(dir.path())
            .arg("--junit")
            .arg(&junit),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("DRIFT"), "{out}");
    let table = out
        .split("drifts, worst first:")
        .nth(1)
        .expect("a drift table");
    assert!(table.contains("system_availability"), "{out}");
    // The operation money itself changed: an input, in its own table after the outcomes,
    // never ranked among them.
    let (outcomes, inputs) = table
        .split_once("inputs that changed")
        .expect("an inputs table");
    assert!(!outcomes.contains("spend_"), "{out}");
    assert!(inputs.contains("spend_operation"), "{out}");
    assert!(
        outcomes
            .lines()
            .find(|l| l.starts_with("  small "))
            .is_some_and(|l| !l.contains("spend")),
        "{out}"
    );
    let xml = fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failure = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("failure")
                && n.parent().unwrap().attribute("name") == Some("system_availability")
        })
        .expect("system_availability fails as one test case");
    let message = failure.attribute("message").unwrap();
    assert!(
        message.contains(" values moved; worst: ") && message.contains("golden "),
        "{message}"
    );
    assert!(
        failure
            .text()
            .unwrap()
            .lines()
            .any(|l| l.starts_with("city 2027-12: golden ")),
        "{:?}",
        failure.text()
    );
    assert_ne!(doc.root_element().attribute("failures"), Some("0"));

    // The change is intended: bless says what changed, and the check passes again.
    let (code, out, err) = output(civitas().arg("check").arg(dir.path()).arg("--bless"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("changed") && out.contains("system_availability"),
        "{out}"
    );
    let (code, out, err) = output(civitas().arg("check").arg(dir.path()));
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_copied_case_runs_as_blessed_and_changed_inputs_are_named() {
    let root = tempfile::tempdir().unwrap();
    // The case extends a base by a relative path, as the bundled cases do.
    let small_city = repo().join("tests/scenarios/batch/small_city.toml");
    fs::write(
        root.path().join("base.toml"),
        format!(
            "extends = {:?}\n",
            small_city.canonicalize().unwrap().display().to_string()
        ),
    )
    .unwrap();
    let case = root.path().join("cases/small");
    fs::create_dir_all(&case).unwrap();
    let scenario = "extends = \"../../base.toml\"\n\n[scenario]\nreplicates = 3\n";
    fs::write(case.join("scenario.toml"), scenario).unwrap();
    let cases = root.path().join("cases");
    let (code, out, err) = output(civitas().arg("check").arg(&cases).arg("--bless"));
    assert_eq!(code, 0, "{out}{err}");
    let resolved = fs::read_to_string(case.join("resolved.toml")).unwrap();
    assert!(resolved.contains("replicates = 3"), "{resolved}");

    // The case folder copied on its own: its base is gone, and the check runs the
    // scenario as blessed, says so, and holds.
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("small");
    fs::create_dir_all(&copy).unwrap();
    for f in ["scenario.toml", "golden.csv", "resolved.toml"] {
        fs::copy(case.join(f), copy.join(f)).unwrap();
    }
    let (code, out, err) = output(civitas().arg("check").arg(&copy));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("base.toml` is not found") && out.contains("ran resolved.toml"),
        "{out}"
    );
    assert!(out.contains("holds"), "{out}");

    // Without the frozen scenario, a copied case cannot run, and the error names the base.
    fs::remove_file(copy.join("resolved.toml")).unwrap();
    let (code, out, err) = output(civitas().arg("check").arg(&copy));
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("cannot read base scenario"), "{err}");

    // In place, a changed input is named before the drift it causes.
    fs::write(
        case.join("scenario.toml"),
        scenario.replace("replicates = 3", "replicates = 3\nseed = 99"),
    )
    .unwrap();
    let junit = root.path().join("junit.xml");
    let (code, out, err) = output(
        civitas()
            .arg("check")
            .arg(&cases)
            .arg("--junit")
            .arg(&junit),
    );
    assert!(code == 0 || code == 1, "{out}{err}");
    assert!(
        out.contains("1 input field(s) differ from resolved.toml")
            && out.contains("scenario.seed: ")
            && out.contains(" → 99"),
        "{out}"
    );
    let xml = fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<system-out>") && xml.contains("scenario.seed"),
        "{xml}"
    );

    // A mistake in the case's own file is reported, never papered over by the frozen copy.
    fs::write(
        case.join("scenario.toml"),
        scenario.replace("replicates = 3", "replicates = \"three\""),
    )
    .unwrap();
    let (code, out, err) = output(civitas().arg("check").arg(&cases));
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("scenario.replicates"), "{err}");
}

#[test]
fn cases_that_cannot_run_exit_three_with_clean_messages() {
    // 2 is a usage error, as for every command.
    let (code, _, err) = output(civitas().args(["check", "--no-such-flag"]));
    assert_eq!(code, 2, "{err}");

    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = output(civitas().arg("check").arg(dir.path()));
    assert_eq!(code, 3);
    assert!(err.contains("no regression case found"), "{err}");

    write_case(dir.path(), "");
    fs::write(dir.path().join("small/tolerances.toml"), "z = \"four\"\n").unwrap();
    let (code, _, err) = output(civitas().arg("check").arg(dir.path()).arg("--bless"));
    assert_eq!(code, 3);
    assert!(
        err.contains("tolerances.toml") && err.contains("line 1"),
        "{err}"
    );

    fs::remove_file(dir.path().join("small/tolerances.toml")).unwrap();
    fs::write(dir.path().join("small/golden.csv"), "quantity,name\nx,y\n").unwrap();
    let (code, _, err) = output(civitas().arg("check").arg(dir.path()));
    assert_eq!(code, 3);
    assert!(
        err.contains("golden.csv") && err.contains("expected columns"),
        "{err}"
    );

    // A case whose scenario cannot be loaded: each diagnostic names the case, one
    // `error:` a line, nothing glued ("cannot load:error:").
    let broken = dir.path().join("broken");
    fs::create_dir_all(&broken).unwrap();
    fs::write(broken.join("scenario.toml"), "extends = \"nowhere.toml\"\n").unwrap();
    let (code, _, err) = output(civitas().arg("check").arg(dir.path()));
    assert_eq!(code, 3);
    assert!(!err.contains(":error:"), "{err}");
    assert!(
        err.lines().any(|l| l.starts_with("error: case broken: ")
            && l.contains("scenario.toml:1:11: field `extends`")),
        "{err}"
    );
    for line in err.lines() {
        assert!(line.matches("error:").count() <= 1, "{err}");
    }
}

/// The `run:` commands of the GitHub workflow and the `script:` lines of the GitLab job,
/// in order (the install steps are left out: here the binary under test is on PATH).
fn ci_commands(file: &str) -> Vec<String> {
    let text = fs::read_to_string(repo().join("deploy/ci").join(file)).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("valid YAML");
    let doc = &docs[0];
    let mut commands = Vec::new();
    if file.starts_with("github") {
        let steps = doc["jobs"]["check"]["steps"].as_vec().expect("steps");
        for step in steps {
            let name = step["name"].as_str().unwrap_or("");
            if let Some(run) = step["run"].as_str()
                && !name.starts_with("Install")
            {
                commands.push(run.to_string());
            }
        }
        assert!(
            steps
                .iter()
                .any(|s| s["uses"].as_str().is_some_and(|u| u.contains("junit")))
        );
    } else {
        let job = &doc["civitas-check"];
        for line in job["script"].as_vec().expect("script") {
            commands.push(line.as_str().unwrap().to_string());
        }
        assert!(job["artifacts"]["reports"]["junit"].as_str().is_some());
    }
    commands
}

#[test]
fn ci_templates_run_as_written() {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_civitas"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        // A modelling team's repository: its scenarios and one regression case.
        let team = tempfile::tempdir().unwrap();
        let scenarios = team.path().join("scenarios");
        fs::create_dir_all(&scenarios).unwrap();
        for s in ["baseline.toml", "ops-plus.toml"] {
            fs::copy(repo().join("scenarios").join(s), scenarios.join(s)).unwrap();
        }
        let case = team.path().join("regression/ops-plus");
        fs::create_dir_all(&case).unwrap();
        fs::write(
            case.join("scenario.toml"),
            "extends = \"../../scenarios/ops-plus.toml\"\n[scenario]\nend = \"2025-12\"\nreplicates = 3\n[population]\nagents = 1000\nscale = 5000.0\n",
        )
        .unwrap();
        let (code, out, err) =
            output(
                civitas()
                    .current_dir(team.path())
                    .args(["check", "regression", "--bless"]),
            );
        assert_eq!(code, 0, "{out}{err}");
        let commands = ci_commands(file);
        assert!(commands.len() >= 2, "{file}: {commands:?}");
        for command in &commands {
            let (code, out, err) = output(
                Command::new("bash")
                    .args(["-euo", "pipefail", "-c", command])
                    .current_dir(team.path())
                    .env("PATH", &path),
            );
            assert_eq!(code, 0, "{file}: `{command}` failed:\n{out}{err}");
        }
        let junit = fs::read_to_string(team.path().join("civitas-junit.xml")).unwrap();
        roxmltree::Document::parse(&junit).expect("valid JUnit XML");
        let report = team
            .path()
            .join("civitas-check/ops-plus/ops-plus/report.html");
        assert!(report.is_file(), "{file}: no {}", report.display());
    }
}
