//! `docs/model.md` (the ODD description of the model) names every scenario field, every
//! kind a field can take and every indicator. The names are read from the code (the JSON
//! Schema the scenario types generate, and `Indicator::ALL`), so a field added or renamed
//! in `model.rs` fails here until the model description says what it means.

use std::collections::BTreeSet;

use civitas_scenario::{Indicator, Scenario};
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

#[test]
fn every_indicator_is_defined_with_its_unit() {
    let doc = model_doc();
    for indicator in Indicator::ALL {
        let row = format!("| `{}` |", indicator.name());
        assert!(
            doc.contains(&row),
            "docs/model.md has no row for the indicator {}",
            indicator.name()
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

/// Plots print an indicator's description as their subtitle; `docs/model.md` defines the
/// indicator with the same words, so the two cannot drift apart: each row's definition
/// opens with the description, then gives the computation.
#[test]
fn every_indicator_definition_opens_with_the_subtitle_plots_print() {
    let doc = model_doc();
    let mut drifted = Vec::new();
    for indicator in Indicator::ALL {
        let meta = indicator.meta();
        let start = format!("| `{}` | ", meta.name);
        let Some(row) = doc.lines().find(|l| l.starts_with(&start)) else {
            drifted.push(format!("{}: no row", meta.name));
            continue;
        };
        // The third column: after the name and the unit.
        let definition = row.splitn(4, '|').nth(3).unwrap_or("").trim_start();
        if !definition.starts_with(meta.description) {
            drifted.push(format!(
                "{}: the plots say {:?}, docs/model.md says {:?}",
                meta.name, meta.description, definition
            ));
        }
    }
    assert!(
        drifted.is_empty(),
        "indicator definitions in docs/model.md do not open with the description plots print:\n{}",
        drifted.join("\n")
    );
}

/// The description plots print as subtitles says what `docs/model.md` defines: for an
/// indicator whose definition sums parts, each part is named (the cost per request once
/// read "construction plus operation in the tick divided by requests").
#[test]
fn indicator_descriptions_name_the_parts_of_the_model_definition() {
    let doc = model_doc();
    let row = doc
        .lines()
        .find(|l| l.starts_with("| `cost_per_request` |"))
        .expect("a row for cost_per_request in docs/model.md");
    let description = Indicator::CostPerRequest.meta().description.to_lowercase();
    for part in [
        "staff pay",
        "operation",
        "amortised construction",
        "per represented request",
    ] {
        assert!(
            row.contains(part),
            "docs/model.md no longer says {part:?}: {row}"
        );
        assert!(
            description.contains(part),
            "the description omits {part:?}: {description}"
        );
    }
}
