//! The three file formats, `extends`, and diagnostics as a library user sees them.

use std::path::{Path, PathBuf};

use civitas_scenario::{BASELINE_TOML, Format, PolicyKind, STARTER_TOML, Scenario};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh directory under the system temp dir for files a test writes, removed when the
/// test ends.
struct Scratch(tempfile::TempDir);

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

fn scratch_dir(test: &str) -> Scratch {
    Scratch(
        tempfile::Builder::new()
            .prefix(&format!("civitas-scenario-{test}-"))
            .tempdir()
            .unwrap(),
    )
}

/// A scratch directory holding the hand-written example scenario as `base.toml`.
fn scratch_with_example_base(test: &str) -> Scratch {
    let dir = scratch_dir(test);
    std::fs::copy(
        repo_root().join("tests/scenarios/example/small-city.toml"),
        dir.join("base.toml"),
    )
    .unwrap();
    dir
}

/// Writes `text` to `dir/name` and loads it.
fn write_and_load(
    dir: &Path,
    name: &str,
    text: &str,
) -> Result<Scenario, civitas_scenario::ScenarioError> {
    std::fs::write(dir.join(name), text).unwrap();
    Scenario::load(dir.join(name))
}

/// Block-style YAML of a JSON value, through `yaml-rust2`'s emitter (the YAML library the
/// loader uses), so the YAML copies exercise YAML's own syntax rather than JSON-as-YAML.
fn to_yaml(value: &serde_json::Value) -> String {
    fn convert(v: &serde_json::Value) -> yaml_rust2::Yaml {
        use yaml_rust2::Yaml;
        match v {
            serde_json::Value::Null => Yaml::Null,
            serde_json::Value::Bool(b) => Yaml::Boolean(*b),
            serde_json::Value::Number(n) if n.is_f64() => Yaml::Real(n.to_string()),
            serde_json::Value::Number(n) => Yaml::Integer(n.as_i64().expect("an i64")),
            serde_json::Value::String(s) => Yaml::String(s.clone()),
            serde_json::Value::Array(items) => Yaml::Array(items.iter().map(convert).collect()),
            serde_json::Value::Object(map) => Yaml::Hash(
                map.iter()
                    .map(|(k, v)| (Yaml::String(k.clone()), convert(v)))
                    .collect(),
            ),
        }
    }
    let mut out = String::new();
    yaml_rust2::YamlEmitter::new(&mut out)
        .dump(&convert(value))
        .expect("YAML emits");
    // The emitter opens with a `---` document marker; the files people write (and the
    // truncation test's line numbers) start with the content.
    out.strip_prefix("---\n").unwrap_or(&out).to_string()
}

#[test]
fn baseline_loads_equal_from_toml_yaml_and_json() {
    // Generated from the TOML text itself, so the copies never drift from the tuned numbers.
    let document: toml::Value = toml::from_str(BASELINE_TOML).unwrap();
    let json = serde_json::to_string_pretty(&document).unwrap();
    let yaml = to_yaml(&serde_json::to_value(&document).unwrap());

    let from_toml = Scenario::baseline();
    let from_json = Scenario::from_str_as(&json, Format::Json, "baseline.json").unwrap();
    let from_yaml = Scenario::from_str_as(&yaml, Format::Yaml, "baseline.yaml").unwrap();
    assert_eq!(from_json, from_toml);
    assert_eq!(from_yaml, from_toml);

    // And the loaded scenario written back out loads to itself in every format.
    let json = serde_json::to_string(&from_toml).unwrap();
    let yaml = to_yaml(&serde_json::to_value(&from_toml).unwrap());
    let toml_text = toml::to_string(&from_toml).unwrap();
    assert_eq!(
        Scenario::from_str_as(&json, Format::Json, "x.json").unwrap(),
        from_toml
    );
    assert_eq!(
        Scenario::from_str_as(&yaml, Format::Yaml, "x.yaml").unwrap(),
        from_toml
    );
    assert_eq!(
        Scenario::from_str_as(&toml_text, Format::Toml, "x.toml").unwrap(),
        from_toml
    );
}

#[test]
fn hand_written_example_is_the_same_scenario_in_every_format() {
    let dir = repo_root().join("tests/scenarios/example");
    let toml = Scenario::load(dir.join("small-city.toml")).unwrap();
    let yaml = Scenario::load(dir.join("small-city.yaml")).unwrap();
    let json = Scenario::load(dir.join("small-city.json")).unwrap();
    assert_eq!(yaml, toml);
    assert_eq!(json, toml);
    assert_eq!(toml.scenario.name, "small-city");
    assert_eq!(toml.population.districts[1].age_mix.unwrap().senior, 0.4);
    assert_eq!(toml.policies[0].amount_per_year(), Some(2e6));
    assert_eq!(toml.policies[1].kind(), PolicyKind::DigitalTraining);
    // Defaults apply the same way in every format.
    assert_eq!(toml.departments[0].health, 0.9);
    assert_eq!(toml.departments[1].health, 0.8);
}

#[test]
fn every_bundled_scenario_loads() {
    let mut seen = 0;
    for entry in std::fs::read_dir(repo_root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(s.extends.is_none(), "extends is resolved on load");
            seen += 1;
        }
    }
    assert!(seen >= 4, "baseline and its policy variants");
}

#[test]
fn variant_overrides_a_number_and_appends_a_policy() {
    let dir = scratch_with_example_base("variant");
    std::fs::write(
        dir.join("variant.yaml"),
        r#"
extends: base.toml
scenario:
  name: small-city-ops
population:
  scale: 120.0
departments:
  - name: Public Security
    capacity_per_month: 900
policies:
  - name: build
    amount_per_year: 3.0e6
  - name: operate
    kind: operations_budget
    start: "2024-06"
    amount_per_year: 500000
"#,
    )
    .unwrap();
    let base = Scenario::load(dir.join("base.toml")).unwrap();
    let variant = Scenario::load(dir.join("variant.yaml")).unwrap();

    assert_eq!(variant.scenario.name, "small-city-ops");
    assert_eq!(variant.scenario.seed, base.scenario.seed);
    assert_eq!(variant.population.scale, 120.0);
    assert_eq!(variant.population.agents, base.population.agents);
    // A named entry is merged field by field, keeping what the variant does not set.
    assert_eq!(variant.departments[1].capacity_per_month, 900.0);
    assert_eq!(variant.departments[1].health, base.departments[1].health);
    assert_eq!(variant.policies[0].amount_per_year(), Some(3e6));
    assert_eq!(variant.policies[0].end(), base.policies[0].end());
    assert_eq!(
        variant.policies[0].departments(),
        base.policies[0].departments()
    );
    // A new name is appended after the base entries.
    assert_eq!(variant.policies.len(), base.policies.len() + 1);
    let added = variant.policies.last().unwrap();
    assert_eq!(
        (added.name(), added.kind()),
        ("operate", PolicyKind::OperationsBudget)
    );
    // Everything else is the base.
    assert_eq!(variant.services, base.services);
    assert_eq!(variant.targets, base.targets);
}

#[test]
fn errors_in_a_base_file_point_into_the_base_file() {
    let dir = scratch_dir("base-error");
    let base = std::fs::read_to_string(repo_root().join("tests/scenarios/example/small-city.toml"))
        .unwrap()
        .replace("digitization = 0.5\n", "digitization = 1.5\n");
    std::fs::write(dir.join("base.toml"), &base).unwrap();
    let err = write_and_load(
        &dir,
        "variant.toml",
        "extends = \"base.toml\"\n\n[scenario]\nseed = 2\n\n[population]\nagents = 0\n",
    )
    .unwrap_err();
    let expected_line = base
        .lines()
        .position(|l| l == "digitization = 1.5")
        .unwrap()
        + 1;
    let in_base = err
        .diagnostics
        .iter()
        .find(|d| d.path == "departments[0].digitization")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        in_base.file.ends_with("base.toml"),
        "{}",
        in_base.file.display()
    );
    assert_eq!(in_base.line, Some(expected_line));
    assert_eq!(in_base.column, Some(16));
    // The error set by the variant points into the variant, and both are reported.
    let in_variant = err
        .diagnostics
        .iter()
        .find(|d| d.path == "population.agents")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(in_variant.file.ends_with("variant.toml"));
    assert_eq!(in_variant.line, Some(7));
    assert_eq!(err.diagnostics.len(), 2, "{err}");
}

#[test]
fn extends_needs_a_file_on_disk() {
    let text = "extends = \"baseline.toml\"\n";
    let err = Scenario::from_str_as(text, Format::Toml, "inline.toml").unwrap_err();
    let d = &err.diagnostics[0];
    assert_eq!(
        (d.path.as_str(), d.line, d.column),
        ("extends", Some(1), Some(11))
    );
    assert!(
        d.message.contains("needs a scenario read from a file"),
        "{}",
        d.message
    );
}

#[test]
fn several_broken_entries_are_all_reported() {
    let mut text = BASELINE_TOML.replacen(
        "capacity_per_month = 10_000",
        "capacity_per_month = \"lots\"",
        1,
    );
    text = text.replacen("base_days = 3\n", "base_days = [3]\n", 1);
    text = text.replacen("kind = \"invest_integration\"", "kind = \"platform\"", 1);
    let err = Scenario::from_str_as(&text, Format::Toml, "b.toml").unwrap_err();
    let paths: Vec<&str> = err.diagnostics.iter().map(|d| d.path.as_str()).collect();
    let integration = Scenario::baseline()
        .policies
        .iter()
        .position(|p| p.kind() == civitas_scenario::PolicyKind::InvestIntegration)
        .expect("the baseline builds the data platform");
    assert_eq!(
        paths,
        [
            "departments[0].capacity_per_month",
            "services[0].base_days",
            format!("policies[{integration}].kind").as_str()
        ],
        "{err}"
    );
    assert!(
        err.diagnostics
            .iter()
            .all(|d| d.line.is_some() && d.column.is_some())
    );
}

#[test]
fn yaml_aliases_are_followed() {
    let alias_doc = r#"
scenario: { name: a, start: "2024-01", end: "2024-12" }
population:
  agents: 10
  scale: 1.0
  districts: [{ name: One, share: 1.0 }]
  bands:
    young: &band { share: 0.5, device: 1, adoption: 1, literacy: 1, bass_p: 0, bass_q: 0, device_uptake_per_year: 0 }
    middle: *band
    senior: { share: 0.5, device: 1, adoption: 1, literacy: 1, bass_p: 0, bass_q: 0, device_uptake_per_year: 0 }
"#;
    let err = Scenario::from_str_as(alias_doc, Format::Yaml, "alias.yaml").unwrap_err();
    // young and middle share one anchor: 0.5 + 0.5 + 0.5.
    assert!(err.to_string().contains("sum to 1.500000"), "{err}");
}

#[test]
fn check_reports_paths_without_positions() {
    let mut s = Scenario::baseline();
    assert!(s.check().is_ok());
    s.population.bands.senior.share = 0.5;
    let at = s
        .policies
        .iter()
        .position(|p| matches!(p, civitas_scenario::Policy::InvestDigitization(_)))
        .expect("the baseline builds systems");
    let civitas_scenario::Policy::InvestDigitization(build) = &mut s.policies[at] else {
        unreachable!("found above");
    };
    build.departments = vec!["Ministry of Magic".into()];
    let err = s.check().unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("field `population.bands`: the age-band shares sum to 1.270000"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "field `policies[{at}].departments[0]`: found \"Ministry of Magic\""
        )),
        "{text}"
    );
    assert!(err.diagnostics.iter().all(|d| d.line.is_none()));
}

#[test]
fn starter_scenario_is_valid() {
    let s = Scenario::from_str_as(STARTER_TOML, Format::Toml, "scenario.toml").unwrap();
    assert_eq!(s.scenario.name, "my-town");
}

#[test]
fn unknown_extension_is_reported() {
    let dir = scratch_dir("ext");
    let path = dir.join("scenario.txt");
    std::fs::write(&path, BASELINE_TOML).unwrap();
    let err = Scenario::load(&path).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected .toml, .yaml, .yml or .json"),
        "{err}"
    );
}

#[test]
fn truncated_files_give_diagnostics_not_panics() {
    let document: toml::Value = toml::from_str(BASELINE_TOML).unwrap();
    let json = serde_json::to_string_pretty(&document).unwrap();
    let yaml = to_yaml(&serde_json::to_value(&document).unwrap());
    for (text, format) in [
        (BASELINE_TOML, Format::Toml),
        (json.as_str(), Format::Json),
        (yaml.as_str(), Format::Yaml),
    ] {
        let lines: Vec<&str> = text.lines().collect();
        for n in 0..lines.len() {
            let cut = lines[..n].join("\n");
            if let Err(e) = Scenario::from_str_as(&cut, format, "cut") {
                assert!(!e.diagnostics.is_empty());
                for d in &e.diagnostics {
                    assert!(
                        d.line.is_some_and(|l| l <= n.max(1)),
                        "{format:?} cut at {n}: {d}"
                    );
                }
            }
        }
    }
}

#[test]
fn render_quotes_the_offending_line_with_a_caret() {
    let path = repo_root().join("tests/scenarios/broken/bad-reference-requires.toml");
    let err = Scenario::load(&path).unwrap_err();
    let rendered = err.render();
    let expected_tail = "field `services[0].requires[0]`: found \"Public Securty\"";
    assert!(rendered.starts_with("error: "), "{rendered}");
    assert!(rendered.contains(expected_tail), "{rendered}");
    assert!(
        rendered.ends_with("  |\n5 | requires = [\"Public Securty\"]\n  |             ^\n"),
        "{rendered}"
    );
}

#[test]
fn a_variant_may_shorten_the_horizon_but_its_own_dates_must_fit() {
    let dir = scratch_with_example_base("horizon");
    // The base's 2026 shock, 2027 policy end and 2030 target fall after the new end: they
    // were written for the base's horizon and simply never happen in the short run.
    let short = write_and_load(
        &dir,
        "short.toml",
        "extends = \"base.toml\"\n\n[scenario]\nname = \"short\"\nend = \"2025-12\"\n",
    )
    .unwrap();
    assert_eq!(short.scenario.end.to_string(), "2025-12");
    assert_eq!(short.targets.len(), 2);

    // Dates the variant writes itself are still checked against its horizon.
    let err = write_and_load(&dir, "short-bad.toml", "extends = \"base.toml\"\n\n[scenario]\nend = \"2025-12\"\n\n[[targets]]\nindicator = \"adoption_rate\"\nyear = 2027\nmin = 0.5\n").unwrap_err();
    assert_eq!(err.diagnostics.len(), 1, "{err}");
    let d = &err.diagnostics[0];
    assert_eq!(d.path, "targets[0].year");
    assert!(d.file.ends_with("short-bad.toml"));
    assert_eq!(d.line, Some(8));

    // In memory the provenance is lost: `check` and text loading leave horizon dates
    // alone (batch re-reads resolved variants and applies `--set scenario.end=…`).
    assert!(short.check().is_ok());
    let resolved = toml::to_string(&short).unwrap();
    assert!(Scenario::from_str_as(&resolved, Format::Toml, "resolved.toml").is_ok());
}

#[test]
fn a_variants_unnamed_targets_replace_the_base_targets() {
    let dir = scratch_with_example_base("targets");
    let s = write_and_load(&dir, "own-targets.toml", "extends = \"base.toml\"\n\n[[targets]]\nindicator = \"satisfaction\"\nyear = 2028\nmin = 80\n").unwrap();
    assert_eq!(s.targets.len(), 1);
    assert_eq!(s.targets[0].year, 2028);

    std::fs::write(
        dir.join("no-targets.toml"),
        "extends = \"base.toml\"\ntargets = []\n",
    )
    .unwrap();
    assert!(
        Scenario::load(dir.join("no-targets.toml"))
            .unwrap()
            .targets
            .is_empty()
    );
}
