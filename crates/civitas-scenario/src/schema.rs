//! The JSON Schema `civitas schema` prints: the derived schema of [`Scenario`], with the
//! numeric ranges validation enforces, and a partial form for files that `extends`
//! another (every field optional: the base provides the rest), so that an editor pointed
//! at the schema marks neither a correct variant nor an out-of-range value wrongly.

use serde_json::{Map, Value, json};

use crate::bounds::Bound;
use crate::limits::*;
use crate::model::{PolicyKind, Scenario};

/// One range: definition, property, minimum (inclusive, or exclusive when the flag is
/// set) and maximum (inclusive). The same bounds as `validate.rs`; a test checks both
/// reject the same out-of-range values.
type Range = (&'static str, &'static str, f64, bool, Option<f64>);

/// The ranges validation enforces, by schema definition and property.
fn ranges() -> Vec<Range> {
    let mut r: Vec<Range> = Vec::new();
    let mut add = |def: &'static str,
                   props: &[&'static str],
                   (lo, exclusive, hi): (f64, bool, Option<f64>)| {
        for p in props {
            r.push((def, p, lo, exclusive, hi));
        }
    };
    add(
        "ScenarioInfo",
        &["replicates"],
        (1.0, false, Some(f64::from(MAX_REPLICATES))),
    );
    add(
        "ScenarioInfo",
        &["seed"],
        (0.0, false, Some(MAX_SEED as f64)),
    );
    add(
        "Population",
        &["agents"],
        (1.0, false, Some(MAX_AGENTS as f64)),
    );
    add(
        "PerBand",
        &["young", "middle", "senior"],
        (0.0, false, Some(MAX_DEMAND_PER_YEAR)),
    );
    add("Economy", &["scale"], (1.0, false, None));
    add("FirmGroup", &["count"], (0.0, false, None));
    for (def, ranges) in crate::ranges::tables() {
        for &(prop, bound) in ranges {
            add(def, &[prop], (bound.lo, bound.lo_exclusive, bound.hi));
        }
    }
    for &kind in PolicyKind::ALL {
        for &(prop, bound) in kind.bounds() {
            let Bound {
                lo,
                lo_exclusive,
                hi,
                ..
            } = bound;
            add(kind.schema_definition(), &[prop], (lo, lo_exclusive, hi));
        }
    }
    add(
        "Budget",
        &["total_per_year"],
        (0.0, false, Some(MAX_AMOUNT_PER_YEAR)),
    );
    r
}

/// The ranges as `(definition, property)` pairs, for tests.
pub fn ranged_properties() -> Vec<(&'static str, &'static str)> {
    ranges().into_iter().map(|(d, p, ..)| (d, p)).collect()
}

/// A number in JSON: integral values as integers, so that `seed` and `agents` read well.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.3e18 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// The schema of a scenario file.
pub(crate) fn scenario_schema() -> Value {
    let mut root = serde_json::to_value(schemars::schema_for!(Scenario))
        .expect("a derived JSON Schema serializes");
    let Some(obj) = root.as_object_mut() else {
        return root;
    };
    let mut defs = match obj.remove("$defs") {
        Some(Value::Object(d)) => d,
        _ => Map::new(),
    };
    // The root's own body becomes the `Scenario` definition, so that the root can choose
    // between it and its partial form.
    let mut body = Map::new();
    for (k, v) in std::mem::take(obj) {
        match k.as_str() {
            "$schema" => {
                obj.insert(k, v);
            }
            _ => {
                body.insert(k, v);
            }
        }
    }
    defs.insert("Scenario".into(), Value::Object(body));
    name_policy_kinds(&mut defs);
    for (def, prop, lo, exclusive, hi) in ranges() {
        let Some(p) = defs
            .get_mut(def)
            .and_then(|d| d.get_mut("properties"))
            .and_then(|p| p.get_mut(prop))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        if exclusive {
            p.insert("exclusiveMinimum".into(), number(lo));
        } else {
            p.insert("minimum".into(), number(lo));
        }
        if let Some(hi) = hi {
            p.insert("maximum".into(), number(hi));
        }
    }
    // Each one-way commute of a district's row.
    if let Some(items) = defs
        .get_mut("District")
        .and_then(|d| d.get_mut("properties"))
        .and_then(|p| p.get_mut("commute_minutes"))
        .and_then(|p| p.get_mut("items"))
        .and_then(Value::as_object_mut)
    {
        let bound = crate::ranges::COMMUTE_MINUTES;
        items.insert("minimum".into(), number(bound.lo));
        if let Some(hi) = bound.hi {
            items.insert("maximum".into(), number(hi));
        }
    }
    // The longest list validation takes.
    if let Some(p) = defs
        .get_mut("Population")
        .and_then(|d| d.get_mut("properties"))
        .and_then(|p| p.get_mut("districts"))
        .and_then(Value::as_object_mut)
    {
        p.insert("maxItems".into(), json!(MAX_DISTRICTS));
    }
    let partial: Vec<(String, Value)> = defs
        .iter()
        .map(|(name, def)| (format!("Partial{name}"), partialize(def.clone())))
        .collect();
    defs.extend(partial);
    // The root is the partial scenario (field names, types and ranges: what editors
    // complete and check in any file); without `extends` the whole one applies too.
    if let Some(Value::Object(partial_root)) = defs.remove("PartialScenario") {
        obj.extend(partial_root);
    }
    obj.insert("title".into(), "Civitas scenario".into());
    obj.insert(
        "description".into(),
        "A Civitas scenario file. A file with `extends` is a partial scenario: its base \
         provides every field it does not set."
            .into(),
    );
    obj.insert("$defs".into(), Value::Object(defs));
    obj.insert("if".into(), json!({ "required": ["extends"] }));
    obj.insert("else".into(), json!({ "$ref": "#/$defs/Scenario" }));
    root
}

/// Gives each branch of `Policy`'s `oneOf` (one per kind, which the derive writes inline)
/// its own definition, named by [`PolicyKind`]'s declaration, so that the schema reads as one
/// definition per kind and the ranges can name them.
fn name_policy_kinds(defs: &mut Map<String, Value>) {
    let Some(Value::Array(branches)) = defs
        .get_mut("Policy")
        .and_then(|p| p.get_mut("oneOf"))
        .map(std::mem::take)
    else {
        return;
    };
    // Discriminated on `kind`: an entry is checked against its own kind's definition only
    // (`if kind is K then K's definition`), so an editor names the bad field of a
    // `digital_training` entry instead of "not valid under any of the given schemas".
    let mut cases = Vec::new();
    let mut kinds = Vec::new();
    for branch in branches {
        let kind = branch
            .pointer("/properties/kind/const")
            .and_then(Value::as_str)
            .and_then(PolicyKind::from_name);
        if let Some(kind) = kind {
            let name = kind.schema_definition();
            kinds.push(json!(kind.name()));
            cases.push(json!({
                "if": { "properties": { "kind": { "const": kind.name() } }, "required": ["kind"] },
                "then": { "$ref": format!("#/$defs/{name}") },
            }));
            defs.insert(name.to_string(), branch);
        }
    }
    if let Some(Value::Object(policy)) = defs.get_mut("Policy") {
        policy.insert("type".into(), json!("object"));
        policy.insert("required".into(), json!(["kind"]));
        policy.insert(
            "properties".into(),
            json!({ "kind": {
                "description": "What the policy does; its kind's definition says which parameters it takes.",
                "enum": kinds,
            } }),
        );
        policy.remove("oneOf");
        policy.insert("allOf".into(), Value::Array(cases));
    }
}

/// A definition with nothing required, `oneOf` relaxed to `anyOf`, and references
/// pointing at partial definitions.
fn partialize(mut v: Value) -> Value {
    match &mut v {
        Value::Object(o) => {
            o.remove("required");
            // Without required fields (a partial policy may leave out its `kind`), more
            // than one branch can match.
            if let Some(branches) = o.remove("oneOf") {
                o.insert("anyOf".into(), branches);
            }
            for (k, child) in o.iter_mut() {
                // A discriminating condition keeps its `required`: a partial policy without
                // its `kind` (a variant changing its base's policy by name) matches no case.
                if k == "if" {
                    continue;
                }
                if k == "$ref"
                    && let Value::String(r) = child
                    && let Some(name) = r.strip_prefix("#/$defs/")
                {
                    let partial = format!("#/$defs/Partial{name}");
                    *r = partial;
                } else {
                    *child = partialize(std::mem::take(child));
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                *item = partialize(std::mem::take(item));
            }
        }
        _ => {}
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema states every range `ranges!` declares, which validation checks: the
    /// same minimum (or exclusive minimum) and maximum, on a property that exists.
    #[test]
    fn the_schema_states_the_validators_ranges() {
        let schema = scenario_schema();
        let mut stated = 0;
        for (def, ranges) in crate::ranges::tables() {
            for &(prop, bound) in ranges {
                let p = &schema["$defs"][def]["properties"][prop];
                assert!(p.is_object(), "{def}.{prop} is not in the schema");
                let (min, not) = if bound.lo_exclusive {
                    ("exclusiveMinimum", "minimum")
                } else {
                    ("minimum", "exclusiveMinimum")
                };
                assert_eq!(p[min].as_f64(), Some(bound.lo), "{def}.{prop}");
                assert!(p.get(not).is_none(), "{def}.{prop}");
                let max = p.get("maximum").and_then(Value::as_f64);
                assert_eq!(max, bound.hi, "{def}.{prop}");
                stated += 1;
            }
        }
        assert!(stated > 100, "{stated} ranges");
    }
}
