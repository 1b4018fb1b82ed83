//! End-to-end tests of `civitas validate`, `civitas schema` and `civitas init`, run as the
//! real binary on real scenario files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod json_schema;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn civitas(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the civitas binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh directory under the system temp dir.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("civitas-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bundled_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// Whether `line` opens with `error: NAME.EXT:LINE:COL:`, the position every diagnostic
/// starts with.
fn starts_with_location(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("error: ").and_then(|rest| {
        [".toml:", ".yaml:", ".json:"]
            .iter()
            .find_map(|ext| rest.split_once(ext).map(|(_, r)| r))
    }) else {
        return false;
    };
    let mut numbers = rest.split(':');
    let line = numbers.next().unwrap_or("");
    let column = numbers.next().unwrap_or("");
    !line.is_empty()
        && line.chars().all(|c| c.is_ascii_digit())
        && !column.is_empty()
        && column.chars().all(|c| c.is_ascii_digit())
}

/// The broken-scenario corpus, one scenario per file (`bases/` holds what some extend).
const CORPUS: &str = "tests/scenarios/broken";
/// The name of the snapshots of [`broken_scenario_diagnostics`] (before `@FILE`).
const CORPUS_SNAPSHOT: &str = "scenario_cli__broken_scenario_diagnostics";

/// Each broken scenario fails validation (exit status 1, no panic) with diagnostics that
/// start at a `FILE:LINE:COL` position and name a field (or a syntax error), and its whole
/// stderr is a snapshot under `tests/snapshots/`: an intended change of a diagnostic is
/// blessed with `cargo insta review` (or `INSTA_UPDATE=always`), see the README.
#[test]
fn broken_scenario_diagnostics() {
    let corpus = repo_root().join(CORPUS);
    // Error messages may quote a resolved link target; the snapshot shows it relative to
    // the corpus so it does not depend on where the repository is checked out.
    let corpus_prefix = format!("{}/", corpus.canonicalize().unwrap().display());
    let scenarios: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| e == "toml" || e == "yaml" || e == "json")
        })
        .collect();
    assert!(
        scenarios.len() >= 25,
        "only {} broken scenarios",
        scenarios.len()
    );
    for ext in ["toml", "yaml", "json"] {
        assert!(
            scenarios
                .iter()
                .any(|p| p.extension().is_some_and(|e| e == ext)),
            "no broken .{ext} scenario"
        );
    }
    insta::glob!(
        "../../../tests/scenarios/broken",
        "*.{toml,yaml,json}",
        |path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            let out = civitas(&["validate", name], &corpus);
            let stderr = every_name_elided(&text(&out.stderr).replace(&corpus_prefix, "<corpus>/"));
            assert_eq!(out.status.code(), Some(1), "{name}:\n{stderr}");
            assert!(!stderr.contains("panicked"), "{name}:\n{stderr}");
            let errors: Vec<&str> = stderr
                .lines()
                .filter(|l| l.starts_with("error: "))
                .collect();
            assert!(!errors.is_empty(), "{name} reports no error:\n{stderr}");
            for error in errors {
                assert!(
                    starts_with_location(error),
                    "{name}: no FILE:LINE:COL position in `{error}`"
                );
                let syntax_error = ["syntax error", "duplicate key", "not UTF-8"]
                    .iter()
                    .any(|s| error.contains(s));
                assert!(
                    syntax_error || error.contains(": field `"),
                    "{name}: no field path in `{error}`"
                );
            }
            insta::assert_snapshot!(stderr);
        }
    );
}

/// `text` with the full lists of policy kinds and of indicators that diagnostics offer
/// ("expected one of …") written `<every policy kind>` and `<every indicator>`: the
/// snapshots stay as they are when a kind or an indicator is added, and a list that
/// misses one is not elided, so it shows in the snapshot.
fn every_name_elided(text: &str) -> String {
    let kinds: Vec<String> = civitas_scenario::PolicyKind::ALL
        .iter()
        .map(|k| format!("`{}`", k.name()))
        .collect();
    let indicators: Vec<&str> = civitas_scenario::Indicator::ALL
        .iter()
        .map(|i| i.name())
        .collect();
    text.replace(&kinds.join(", "), "<every policy kind>")
        .replace(&indicators.join(", "), "<every indicator>")
}

/// `civitas describe` prints every policy kind and every indicator with its definition.
#[test]
fn describe_prints_every_kind_and_indicator() {
    let out = civitas(&["describe"], &repo_root());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for &kind in civitas_scenario::PolicyKind::ALL {
        let section = format!("### `{}` (", kind.name());
        assert!(stdout.contains(&section), "no {section} in:\n{stdout}");
        assert!(stdout.contains(&kind.definition()), "{}", kind.name());
    }
    for &indicator in civitas_scenario::Indicator::ALL {
        let row = format!("| `{}` | ", indicator.name());
        assert!(stdout.contains(&row), "no {row} in:\n{stdout}");
    }
}

/// `cargo insta` would report a snapshot whose scenario is gone, but it is optional: a
/// snapshot left behind by a removed or renamed scenario fails here.
#[test]
fn every_corpus_snapshot_has_a_scenario() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let corpus = repo_root().join(CORPUS);
    let prefix = format!("{CORPUS_SNAPSHOT}@");
    let mut count = 0;
    for entry in std::fs::read_dir(&snapshots).unwrap() {
        let file_name = entry.unwrap().file_name();
        let file_name = file_name.to_str().unwrap();
        if let Some(scenario) = file_name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".snap"))
        {
            count += 1;
            assert!(
                corpus.join(scenario).is_file(),
                "{file_name} has no scenario {CORPUS}/{scenario}"
            );
        }
    }
    assert!(count >= 25, "only {count} corpus snapshots");
}

#[test]
fn bundled_scenarios_validate() {
    let root = repo_root();
    let files = bundled_scenarios();
    let args: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    let mut argv = vec!["validate"];
    argv.extend(args.iter().map(String::as_str));
    let out = civitas(&argv, &root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for file in &args {
        assert!(stdout.contains(&format!("{file}: ok")), "{stdout}");
    }
}

#[test]
fn validate_reports_problems_of_every_file_and_quotes_the_line() {
    let root = repo_root();
    let out = civitas(
        &[
            "validate",
            "scenarios/baseline.toml",
            "tests/scenarios/broken/zero-scale.toml",
            "tests/scenarios/broken/negative-rate.yaml",
        ],
        &root,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("scenarios/baseline.toml: ok"));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("2 problems in 2 files"), "{stderr}");
    assert!(
        stderr.contains(
            "error: tests/scenarios/broken/zero-scale.toml:4:9: field `population.scale`: found 0, expected a number > 0\n  |\n4 | scale = 0.0\n  |         ^\n"
        ),
        "{stderr}"
    );
}

#[test]
fn schema_validates_bundled_scenarios_and_rejects_broken_ones() {
    let root = repo_root();
    let out = civitas(&["schema"], &root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    let properties = schema["properties"]
        .as_object()
        .expect("top-level properties");
    assert!(
        properties.contains_key("extends"),
        "the schema documents `extends`"
    );
    let validator = json_schema::Checker::new(&schema);

    let mut documents: Vec<(String, serde_json::Value)> = bundled_scenarios()
        .iter()
        .map(|f| {
            let doc = civitas_scenario::resolved_document(f).unwrap();
            (f.display().to_string(), doc)
        })
        .collect();
    let example = root.join("tests/scenarios/example");
    for name in ["small-city.toml", "small-city.yaml", "small-city.json"] {
        let doc = civitas_scenario::resolved_document(example.join(name)).unwrap();
        documents.push((name.to_string(), doc));
    }
    for (name, doc) in &documents {
        let errors: Vec<String> = validator.errors(doc);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }

    let baseline = documents[0].1.clone();
    let mut wrong_type = baseline.clone();
    wrong_type["population"]["agents"] = "many".into();
    assert!(!validator.is_valid(&wrong_type));
    let mut unknown_field = baseline.clone();
    unknown_field["population"]["popularity"] = 0.3.into();
    assert!(!validator.is_valid(&unknown_field));
    let mut bad_kind = baseline.clone();
    bad_kind["policies"][0]["kind"] = "invest_everything".into();
    assert!(!validator.is_valid(&bad_kind));
    let mut bad_month = baseline;
    bad_month["scenario"]["start"] = "2024/01".into();
    assert!(!validator.is_valid(&bad_month));
    let broken = civitas_scenario::resolved_document(
        root.join("tests/scenarios/broken/wrong-type-agents-string.toml"),
    )
    .unwrap();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn init_writes_a_valid_starter_and_never_overwrites() {
    let dir = scratch_dir("init");
    let target = dir.join("my-town");
    let out = civitas(&["init", target.to_str().unwrap()], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = target.join("scenario.toml");
    let original = std::fs::read_to_string(&written).unwrap();
    assert!(original.starts_with("# A starter Civitas scenario"));

    let out = civitas(&["validate", written.to_str().unwrap()], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));

    std::fs::write(&written, "# my edits\n").unwrap();
    let out = civitas(&["init", target.to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("already exists; not overwriting"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "# my edits\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_explains_each_command() {
    let root = repo_root();
    let validate = text(&civitas(&["validate", "--help"], &root).stdout);
    assert!(
        validate.contains("Exit status: 0 when every file is valid"),
        "{validate}"
    );
    assert!(validate.contains("services[3].requires[1]"), "{validate}");
    let init = text(&civitas(&["init", "--help"], &root).stdout);
    assert!(init.contains("never overwritten"), "{init}");
    let schema = text(&civitas(&["schema", "--help"], &root).stdout);
    assert!(schema.contains("JSON Schema"), "{schema}");
}

/// Issue 15, item 11: an editor pointed at `civitas schema` marks neither a correct
/// variant (a file with `extends`, partial by design) nor a value in range wrongly, and
/// marks out-of-range values as validation does.
#[test]
fn schema_accepts_variants_as_written_and_rejects_what_validation_rejects() {
    let root = repo_root();
    let out = civitas(&["schema"], &root);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    let validator = json_schema::Checker::new(&schema);
    let example = root.join("tests/scenarios/example");
    let mut files = bundled_scenarios();
    files
        .extend(["small-city.toml", "small-city.yaml", "small-city.json"].map(|n| example.join(n)));
    files.push(root.join("tests/scenarios/batch/sweep_small.toml"));
    let mut variants = 0;
    for file in &files {
        let doc = civitas_scenario::file_document(file).unwrap();
        variants += usize::from(doc.get("extends").is_some());
        let errors: Vec<String> = validator.errors(&doc);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
    assert!(
        variants >= 3,
        "bundled variants with `extends` are checked as written"
    );
    // A variant still may not misspell a field or put a value out of range.
    let mut variant =
        civitas_scenario::file_document(root.join("scenarios/ops-plus.toml")).unwrap();
    variant["population"] = serde_json::json!({ "agentz": 5 });
    assert!(!validator.is_valid(&variant));
    variant["population"] = serde_json::json!({ "scale": -1.0 });
    assert!(!validator.is_valid(&variant));

    // Out-of-range mutants of the baseline: the schema and validation both reject each.
    let baseline =
        civitas_scenario::resolved_document(root.join("scenarios/baseline.toml")).unwrap();
    assert!(validator.is_valid(&baseline));
    type Mutation = fn(&mut serde_json::Value);
    let mutants: [(&str, Mutation); 8] = [
        ("district share 7.5", |d| {
            d["population"]["districts"][0]["share"] = 7.5.into()
        }),
        ("no agents", |d| d["population"]["agents"] = 0.into()),
        ("amount 1e308", |d| {
            d["policies"][0]["amount_per_year"] = 1e308.into()
        }),
        ("incident rate 1e6", |d| {
            d["incidents"]["types"][0]["rate_per_100k_per_month"] = 1e6.into()
        }),
        ("report delay 1e308", |d| {
            d["incidents"]["types"][0]["report_delay_hours"] = 1e308.into()
        }),
        ("negative device share", |d| {
            d["population"]["bands"]["senior"]["device"] = (-0.1).into()
        }),
        ("health 2", |d| d["departments"][0]["health"] = 2.0.into()),
        ("zero replicates", |d| {
            d["scenario"]["replicates"] = 0.into()
        }),
    ];
    for (what, mutate) in mutants {
        let mut doc = baseline.clone();
        mutate(&mut doc);
        assert!(!validator.is_valid(&doc), "the schema accepts {what}");
        let text = serde_json::to_string(&doc).unwrap();
        let loaded = civitas_scenario::Scenario::from_str_as(
            &text,
            civitas_scenario::Format::Json,
            "mutant.json",
        );
        assert!(loaded.is_err(), "validation accepts {what}");
    }
    // Every range the schema carries names a property that exists.
    let defs = schema["$defs"].as_object().unwrap();
    for (def, prop) in civitas_scenario::schema::ranged_properties() {
        assert!(
            defs[def]["properties"].get(prop).is_some(),
            "{def}.{prop} has a range but no property"
        );
    }
}

/// Issue 33: the schema picks a policy entry's definition by its `kind`, so a mistake in
/// the entry is reported at its field (as an editor shows it), not as "matches none of the
/// given schemas".
#[test]
fn schema_names_the_bad_field_of_a_policy_by_its_kind() {
    let root = repo_root();
    let out = civitas(&["schema"], &root);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    let validator = json_schema::Checker::new(&schema);
    let baseline =
        civitas_scenario::resolved_document(root.join("scenarios/baseline.toml")).unwrap();
    let mut misspelt = baseline.clone();
    misspelt["policies"][0]["amount_per_yer"] = 5.into();
    let errors = validator.errors(&misspelt);
    assert!(
        errors
            .iter()
            .any(|e| e.ends_with(".amount_per_yer: not allowed here")),
        "{errors:#?}"
    );
    assert!(
        !errors
            .iter()
            .any(|e| e.contains("oneOf") || e.contains("anyOf")),
        "{errors:#?}"
    );
    let mut out_of_range = baseline;
    out_of_range["policies"][0]["amount_per_year"] = (-5.0).into();
    let errors = validator.errors(&out_of_range);
    assert!(
        errors
            .iter()
            .any(|e| e.contains(".amount_per_year") && e.contains("-5")),
        "{errors:#?}"
    );
    assert!(!errors.iter().any(|e| e.contains("oneOf")), "{errors:#?}");
}
