//! What `civitas describe` prints: every policy kind with what its money buys and its
//! parameters, and every indicator with its unit and definition, as Markdown. Everything
//! is read from the declarations (`policy_kinds!`/`policy_bodies!` in `model/policy.rs`,
//! `indicators!` in `indicators.rs`) and from the JSON Schema the scenario types generate
//! (a parameter's doc comment and range), so `docs/model.md` refers here instead of
//! listing kinds and indicators a second time, and a new kind or indicator is described
//! where it is declared.

use std::fmt::Write;

use serde_json::Value;

use crate::indicators::Indicator;
use crate::model::PolicyKind;

/// One paragraph from the lines of a doc comment (as `#[doc]` gives them, each with its
/// leading space).
pub(crate) fn doc_text(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A number of a range, integral values without a fraction.
fn bound(x: &Value) -> String {
    match x.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) => format!("{x:e}"),
        None => x.to_string(),
    }
}

/// The range the schema states for a property, e.g. `[0, 1]`, `(0, 1e15]` or `≥ 0`.
fn range(property: &Value) -> Option<String> {
    let (lo, open) = match (property.get("minimum"), property.get("exclusiveMinimum")) {
        (Some(lo), _) => (Some(lo), false),
        (None, Some(lo)) => (Some(lo), true),
        (None, None) => (None, false),
    };
    let hi = property.get("maximum");
    match (lo, hi) {
        (Some(lo), Some(hi)) => Some(format!(
            "{}{}, {}]",
            if open { "(" } else { "[" },
            bound(lo),
            bound(hi)
        )),
        (Some(lo), None) => Some(format!("{} {}", if open { ">" } else { "≥" }, bound(lo))),
        (None, Some(hi)) => Some(format!("≤ {}", bound(hi))),
        (None, None) => None,
    }
}

/// Every policy kind: a section each, with whether its money is construction or
/// operation, what it buys and its own parameters (doc comment and range).
pub fn policy_kinds_markdown() -> String {
    let schema = crate::schema::scenario_schema();
    let mut out = String::from(
        "## Policy kinds\n\nEvery kind also has `name`, `start`, optional `end` and \
         `amount_per_year` (or a `[budget]` share). The optional goals only cap what the \
         money buys.\n",
    );
    for &kind in PolicyKind::ALL {
        let spending = match kind.spending() {
            crate::model::Spending::Construction => "construction",
            crate::model::Spending::Operation => "operation",
        };
        let _ = write!(
            out,
            "\n### `{}` ({spending})\n\n{}\n",
            kind.name(),
            kind.definition()
        );
        let properties = schema
            .pointer(&format!("/$defs/{}/properties", kind.schema_definition()))
            .and_then(Value::as_object);
        // In declaration order (the schema's properties are sorted by name).
        let parameters: Vec<(&str, &Value)> = kind
            .fields()
            .iter()
            .filter_map(|&field| Some((field, properties?.get(field)?)))
            .collect();
        if !parameters.is_empty() {
            out.push('\n');
        }
        for (field, property) in parameters {
            let description = property
                .get("description")
                .and_then(Value::as_str)
                .map(|d| doc_text(&d.lines().collect::<Vec<_>>()))
                .unwrap_or_default();
            let range = range(property)
                .map(|r| format!(" (in {r})"))
                .unwrap_or_default();
            let _ = writeln!(out, "- `{field}`{range}: {description}");
        }
    }
    out
}

/// Every indicator: a table of name, unit and definition, in output order.
pub fn indicators_markdown() -> String {
    let mut out = String::from(
        "## Indicators\n\nEach is computed per tick for the city, each district and each age \
         band.\n\n| indicator | unit | definition |\n|---|---|---|\n",
    );
    for &indicator in Indicator::ALL {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            indicator.name(),
            indicator.meta().unit.label(),
            indicator.definition()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_described_with_its_parameters_and_ranges() {
        let text = policy_kinds_markdown();
        for &kind in PolicyKind::ALL {
            let heading = format!("### `{}` (", kind.name());
            assert!(text.contains(&heading), "no section {heading}");
            assert!(kind.definition().len() > 40, "{}", kind.definition());
        }
        // A parameter with its declared range and doc comment, from the schema.
        assert!(
            text.contains("- `level_per_year` (in [0, 1]): Most platform level gained"),
            "{text}"
        );
        assert!(text.contains("- `adoption_boost` (in [0, "), "{text}");
        assert!(!text.contains("- `amount_per_year`"), "{text}");
        // Every parameter, in the order its body declares it (not alphabetical).
        for &kind in PolicyKind::ALL {
            let section = text
                .split(&format!("### `{}` (", kind.name()))
                .nth(1)
                .and_then(|s| s.split("\n### ").next())
                .unwrap_or_default();
            let at: Vec<usize> = kind
                .fields()
                .iter()
                .map(|f| section.find(&format!("- `{f}`")).unwrap_or(usize::MAX))
                .collect();
            assert!(
                at.iter().all(|&i| i < usize::MAX),
                "{}: {at:?}",
                kind.name()
            );
            assert!(at.is_sorted(), "{}: {at:?}", kind.name());
        }
        let training = PolicyKind::ALL
            .iter()
            .find(|k| k.name() == "digital_training")
            .expect("a digital_training kind")
            .fields();
        assert_eq!(training.first(), Some(&"districts"));
        assert_eq!(training.last(), Some(&"adoption_boost"));
    }

    #[test]
    fn every_indicator_has_a_row_with_its_unit_and_definition() {
        let text = indicators_markdown();
        for &indicator in Indicator::ALL {
            let row = format!(
                "| `{}` | {} | {} |",
                indicator.name(),
                indicator.meta().unit.label(),
                indicator.definition()
            );
            assert!(text.contains(&row), "no row {row}");
            assert!(!indicator.computation().is_empty());
        }
    }

    #[test]
    fn doc_lines_join_into_one_paragraph() {
        assert_eq!(doc_text(&[" a `b`", "", " c "]), "a `b` c");
    }
}
