//! `docs/model.md` (the ODD description of the model) names every scenario field and every
//! kind a field can take. The names are read from the code (the JSON Schema the scenario
//! types generate), so a field added or renamed in `model.rs` fails here until the model
//! description says what it means. Policy kinds, their parameters and indicators are
//! described where they are declared (`civitas describe` prints them; `model.md` refers
//! to it): here each must carry its definition.

use std::collections::BTreeSet;

use civitas_scenario::{Indicator, PolicyKind, Scenario, is_policy_parameter};
use serde_json::Value;

fn model_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/model.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every property name and every string an enum allows, anywhere in the schema.
fn schema_names(node: &Value, fields: &mut BTreeSet<String>, values: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                fields.extend(properties.keys().cloned());
            }
            if let Some(Value::Array(allowed)) = map.get("enum") {
                values.extend(allowed.iter().filter_map(|v| v.as_str().map(String::from)));
            }
            if let Some(Value::String(constant)) = map.get("const") {
                values.insert(constant.clone());
            }
            for child in map.values() {
                schema_names(child, fields, values);
            }
        }
        Value::Array(items) => {
            for item in items {
                schema_names(item, fields, values);
            }
        }
        _ => {}
    }
}

/// Names from `names` that the document never writes as code: `` `name` ``, a segment of
/// a dotted path (`` `bands.<band>.name` ``, `` `name.field` ``) or a table header
/// (`` `[name]` ``, `` `[[incidents.name]]` ``).
fn missing(doc: &str, names: &BTreeSet<String>) -> Vec<String> {
    names
        .iter()
        .filter(|name| {
            let forms = [
                format!("`{name}`"),
                format!(".{name}`"),
                format!("`{name}."),
                format!("[{name}]"),
                format!(".{name}]"),
            ];
            !forms.iter().any(|form| doc.contains(form.as_str()))
        })
        .cloned()
        .collect()
}

#[test]
fn every_scenario_field_and_kind_is_described() {
    let (mut fields, mut values) = (BTreeSet::new(), BTreeSet::new());
    schema_names(&Scenario::json_schema(), &mut fields, &mut values);
    // The walk must find the schema's well-known parts, or it proves nothing.
    for known in ["population", "bass_q", "amount_per_year", "staff_per_year"] {
        assert!(fields.contains(known), "schema walk missed {known}");
    }
    for known in [
        "digital_training",
        "cyber_incident",
        "rural",
        "adoption_rate",
    ] {
        assert!(values.contains(known), "schema walk missed {known}");
    }
    // Described with their declarations (see `every_kind_and_indicator_carries_its_definition`).
    fields.retain(|f| !is_policy_parameter(f));
    values.retain(|v| PolicyKind::from_name(v).is_none() && v.parse::<Indicator>().is_err());
    let doc = model_doc();
    let missing_fields = missing(&doc, &fields);
    assert!(
        missing_fields.is_empty(),
        "docs/model.md does not describe these scenario fields: {missing_fields:?}"
    );
    let missing_values = missing(&doc, &values);
    assert!(
        missing_values.is_empty(),
        "docs/model.md does not describe these kinds: {missing_values:?}"
    );
}

/// A policy kind and an indicator are described where they are declared: each carries
/// its definition, the schema describes each policy parameter, and `docs/model.md`
/// points at `civitas describe`, which prints them all.
#[test]
fn every_kind_and_indicator_carries_its_definition() {
    for &kind in PolicyKind::ALL {
        let definition = kind.definition();
        assert!(
            definition.split_whitespace().count() >= 8,
            "policy kind {}: its doc comment in `policy_kinds!` is the model's definition, \
             found {definition:?}",
            kind.name()
        );
    }
    for &indicator in Indicator::ALL {
        let definition = indicator.computation();
        assert!(
            definition.split_whitespace().count() >= 3,
            "indicator {}: its doc comment in `indicators!` is the model's definition, found \
             {definition:?}",
            indicator.name()
        );
    }
    let described = civitas_scenario::describe::policy_kinds_markdown();
    for line in described.lines().filter(|l| l.starts_with("- `")) {
        assert!(
            line.split_once(": ").is_some_and(|(_, d)| d.len() > 10),
            "a policy parameter without its doc comment: {line}"
        );
    }
    let doc = model_doc();
    for section in ["#### Policies and what money buys", "### 3.4 Indicators"] {
        let at = doc
            .find(section)
            .unwrap_or_else(|| panic!("docs/model.md has no section {section:?}"));
        let body = &doc[at..doc[at + 4..].find("\n#").map_or(doc.len(), |e| at + 4 + e)];
        assert!(
            body.contains("`civitas describe`"),
            "docs/model.md's {section:?} does not point at `civitas describe`"
        );
    }
}

#[test]
fn every_mechanism_of_the_tick_is_in_the_schedule_section() {
    let doc = model_doc();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../civitas-engine/src/schedule.rs"
    );
    let schedule = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    // Each system the stages run, e.g. `pass::resident_pass` in
    // `stage("residents", pass::resident_pass),`.
    let systems: Vec<&str> = schedule
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && !l.starts_with("use "))
        .flat_map(|l| l.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')))
        .filter(|w| w.contains("::") && w.chars().all(|c| !c.is_ascii_uppercase()))
        .collect();
    assert!(systems.len() >= 10, "found systems {systems:?}");
    assert!(
        systems.contains(&"pass::resident_pass"),
        "found systems {systems:?}"
    );
    for system in systems {
        assert!(
            doc.contains(&format!("`{system}`")),
            "docs/model.md does not place {system} in the order of a tick"
        );
    }
}

/// The description plots print as subtitles says what the model's definition says: for
/// an indicator whose definition sums parts, each part is named (the cost per request once
/// read "construction plus operation in the tick divided by requests").
#[test]
fn indicator_descriptions_name_the_parts_of_the_model_definition() {
    let definition = Indicator::CostPerRequest.computation();
    let description = Indicator::CostPerRequest.meta().description.to_lowercase();
    for part in [
        "staff pay",
        "operation",
        "amortised construction",
        "per represented request",
    ] {
        assert!(
            definition.contains(part),
            "the computation no longer says {part:?}: {definition}"
        );
        assert!(
            description.contains(part),
            "the description omits {part:?}: {description}"
        );
    }
}
