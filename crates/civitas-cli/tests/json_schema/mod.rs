//! A JSON Schema (draft 2020-12) checker for exactly the keywords `civitas schema` writes,
//! so the tests can check documents against the schema without a general validator.
//!
//! It knows `$ref` (to `#/$defs/NAME`), `type`, `enum`, `const`, `minimum`, `maximum`,
//! `exclusiveMinimum`, `exclusiveMaximum`, `pattern` (only the month pattern below),
//! `properties`, `additionalProperties`, `required`, `items`, `anyOf`, `oneOf`, `allOf`
//! and `if`/`then`/`else`, and passes over the annotations (`description`, `default`,
//! `format`, …; `format` only annotates in 2020-12). [`Checker::new`] walks the whole
//! schema first and panics on any other keyword, pattern or reference: a schema that
//! grows one fails the tests until the checker learns it, rather than being half-checked.

use serde_json::{Map, Value};

/// Keywords that only annotate: they never make a document invalid.
const ANNOTATIONS: [&str; 9] = [
    "$schema",
    "$defs",
    "title",
    "description",
    "default",
    "examples",
    "format",
    "deprecated",
    "readOnly",
];

/// The one `pattern` the schema uses: a calendar month `YYYY-MM`.
const MONTH_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])$";

/// `text` matches [`MONTH_PATTERN`].
fn is_month(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 7
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && matches!(
            (bytes[5], bytes[6]),
            (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2')
        )
}

/// A schema, checked once for keywords this checker knows.
pub struct Checker<'a> {
    root: &'a Value,
}

impl<'a> Checker<'a> {
    /// Panics when `root` uses a keyword, pattern or reference the checker does not know.
    pub fn new(root: &'a Value) -> Self {
        let checker = Self { root };
        checker.learn(root, "#");
        if let Some(defs) = root.get("$defs") {
            for (name, def) in defs.as_object().expect("`$defs` is an object") {
                checker.learn(def, &format!("#/$defs/{name}"));
            }
        }
        checker
    }

    /// Every way `document` breaks the schema, as `PATH: what`.
    pub fn errors(&self, document: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(self.root, document, "$", &mut errors);
        errors
    }

    /// Whether `document` satisfies the schema.
    pub fn is_valid(&self, document: &Value) -> bool {
        self.errors(document).is_empty()
    }

    fn resolve(&self, reference: &str) -> &'a Value {
        reference
            .strip_prefix("#/$defs/")
            .and_then(|name| self.root.get("$defs")?.get(name))
            .unwrap_or_else(|| panic!("unsupported or dangling $ref {reference:?}"))
    }

    /// Panics on anything in `schema` (at `at`) that [`Self::check`] would not check.
    fn learn(&self, schema: &Value, at: &str) {
        let Some(keywords) = schema.as_object() else {
            assert!(
                schema.is_boolean(),
                "{at}: a schema is an object or a boolean"
            );
            return;
        };
        for (keyword, value) in keywords {
            let here = format!("{at}/{keyword}");
            match keyword.as_str() {
                "$ref" => {
                    self.resolve(value.as_str().expect("$ref is a string"));
                }
                "pattern" => assert_eq!(value, MONTH_PATTERN, "{here}: unknown pattern"),
                "properties" => {
                    for (name, property) in value.as_object().expect("properties") {
                        self.learn(property, &format!("{here}/{name}"));
                    }
                }
                "additionalProperties" | "items" | "if" | "then" | "else" => {
                    self.learn(value, &here)
                }
                "anyOf" | "oneOf" | "allOf" => {
                    for (i, branch) in value.as_array().expect("a list").iter().enumerate() {
                        self.learn(branch, &format!("{here}/{i}"));
                    }
                }
                "type" | "enum" | "const" | "required" | "minimum" | "maximum"
                | "exclusiveMinimum" | "exclusiveMaximum" | "maxItems" => {}
                other if ANNOTATIONS.contains(&other) => {}
                other => panic!("{here}: the checker does not know the keyword `{other}`"),
            }
        }
    }

    fn check(&self, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
        let keywords = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => return errors.push(format!("{path}: not allowed here")),
            Value::Object(keywords) => keywords,
            _ => unreachable!("Checker::new accepts only object and boolean schemas"),
        };
        if let Some(reference) = keywords.get("$ref").and_then(Value::as_str) {
            self.check(self.resolve(reference), value, path, errors);
        }
        if let Some(types) = keywords.get("type") {
            let types: Vec<&str> = match types {
                Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
                one => one.as_str().into_iter().collect(),
            };
            if !types.iter().any(|t| has_type(value, t)) {
                errors.push(format!("{path}: found {value}, expected type {types:?}"));
            }
        }
        if let Some(Value::Array(allowed)) = keywords.get("enum")
            && !allowed.iter().any(|a| same(a, value))
        {
            errors.push(format!(
                "{path}: found {value}, expected one of {allowed:?}"
            ));
        }
        if let Some(constant) = keywords.get("const")
            && !same(constant, value)
        {
            errors.push(format!("{path}: found {value}, expected {constant}"));
        }
        if let Some(x) = value.as_f64() {
            check_bounds(keywords, x, path, errors);
        }
        if let (Some(_), Some(text)) = (keywords.get("pattern"), value.as_str())
            && !is_month(text)
        {
            errors.push(format!("{path}: found {text:?}, expected YYYY-MM"));
        }
        if let Some(object) = value.as_object() {
            self.check_object(keywords, object, path, errors);
        }
        if let (Some(most), Some(list)) = (
            keywords.get("maxItems").and_then(Value::as_u64),
            value.as_array(),
        ) && list.len() as u64 > most
        {
            errors.push(format!(
                "{path}: found {} items, expected at most {most}",
                list.len()
            ));
        }
        if let (Some(items), Some(list)) = (keywords.get("items"), value.as_array()) {
            for (i, item) in list.iter().enumerate() {
                self.check(items, item, &format!("{path}[{i}]"), errors);
            }
        }
        if let Some(Value::Array(branches)) = keywords.get("anyOf")
            && !branches.iter().any(|b| self.holds(b, value))
        {
            errors.push(format!("{path}: matches none of the anyOf branches"));
        }
        if let Some(Value::Array(branches)) = keywords.get("oneOf") {
            let matching = branches.iter().filter(|b| self.holds(b, value)).count();
            if matching != 1 {
                errors.push(format!(
                    "{path}: matches {matching} oneOf branches, expected exactly 1"
                ));
            }
        }
        if let Some(Value::Array(branches)) = keywords.get("allOf") {
            for branch in branches {
                self.check(branch, value, path, errors);
            }
        }
        if let Some(condition) = keywords.get("if") {
            let branch = if self.holds(condition, value) {
                keywords.get("then")
            } else {
                keywords.get("else")
            };
            if let Some(branch) = branch {
                self.check(branch, value, path, errors);
            }
        }
    }

    fn check_object(
        &self,
        keywords: &Map<String, Value>,
        object: &Map<String, Value>,
        path: &str,
        errors: &mut Vec<String>,
    ) {
        let properties = keywords.get("properties").and_then(Value::as_object);
        for (name, field) in object {
            let field_path = format!("{path}.{name}");
            match properties.and_then(|p| p.get(name)) {
                Some(property) => self.check(property, field, &field_path, errors),
                None => {
                    if let Some(additional) = keywords.get("additionalProperties") {
                        self.check(additional, field, &field_path, errors);
                    }
                }
            }
        }
        for name in keywords
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !object.contains_key(name) {
                errors.push(format!("{path}: missing required `{name}`"));
            }
        }
    }

    fn holds(&self, schema: &Value, value: &Value) -> bool {
        let mut errors = Vec::new();
        self.check(schema, value, "$", &mut errors);
        errors.is_empty()
    }
}

fn check_bounds(keywords: &Map<String, Value>, x: f64, path: &str, errors: &mut Vec<String>) {
    let bound = |name: &str| keywords.get(name).and_then(Value::as_f64);
    let broken = [
        ("minimum", bound("minimum").filter(|&b| x < b)),
        ("maximum", bound("maximum").filter(|&b| x > b)),
        (
            "exclusiveMinimum",
            bound("exclusiveMinimum").filter(|&b| x <= b),
        ),
        (
            "exclusiveMaximum",
            bound("exclusiveMaximum").filter(|&b| x >= b),
        ),
    ];
    for (name, limit) in broken {
        if let Some(limit) = limit {
            errors.push(format!("{path}: found {x}, expected {name} {limit}"));
        }
    }
}

/// JSON Schema's type test: an integer is any number without a fractional part.
fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|x| x.fract() == 0.0)
        }
        other => panic!("unknown type {other:?}"),
    }
}

/// JSON equality: numbers by value (`1` equals `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Each keyword, on a schema small enough to see what should pass.
#[test]
fn the_checker_applies_each_keyword() {
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": false,
        "required": ["month"],
        "properties": {
            "month": { "$ref": "#/$defs/Month", "description": "annotated" },
            "count": { "type": "integer", "format": "uint32", "minimum": 0, "maximum": 10 },
            "share": { "type": ["number", "null"], "exclusiveMinimum": 0 },
            "kind": { "oneOf": [{ "type": "string", "const": "a" }, { "const": "b" }] },
            "tags": { "type": "array", "items": { "enum": ["x", "y"] } },
            "shares": { "type": "object", "additionalProperties": { "type": "number" } },
            "either": { "anyOf": [{ "type": "boolean" }, { "type": "null" }] }
        },
        "if": { "required": ["count"] },
        "then": { "required": ["share"] },
        "else": { "properties": { "share": false } },
        "$defs": { "Month": { "type": "string", "pattern": MONTH_PATTERN } }
    });
    let checker = Checker::new(&schema);
    let valid = serde_json::json!({
        "month": "2027-12", "count": 3.0, "share": 0.5, "kind": "b", "tags": ["y"],
        "shares": { "a": 1 }, "either": null
    });
    assert_eq!(checker.errors(&valid), Vec::<String>::new());
    assert!(checker.is_valid(&serde_json::json!({ "month": "2024-01" })));
    let invalid = [
        serde_json::json!({}),
        serde_json::json!({ "month": "2024/01" }),
        serde_json::json!({ "month": "2024-13" }),
        serde_json::json!({ "month": "2024-00" }),
        serde_json::json!({ "month": 202401 }),
        serde_json::json!({ "month": "2024-01", "other": 1 }),
        serde_json::json!({ "month": "2024-01", "count": 1.5, "share": 1 }),
        serde_json::json!({ "month": "2024-01", "count": 11, "share": 1 }),
        serde_json::json!({ "month": "2024-01", "count": -1, "share": 1 }),
        serde_json::json!({ "month": "2024-01", "count": 1 }),
        serde_json::json!({ "month": "2024-01", "count": 1, "share": 0 }),
        serde_json::json!({ "month": "2024-01", "share": null }),
        serde_json::json!({ "month": "2024-01", "kind": "c" }),
        serde_json::json!({ "month": "2024-01", "tags": ["x", "z"] }),
        serde_json::json!({ "month": "2024-01", "tags": "x" }),
        serde_json::json!({ "month": "2024-01", "shares": { "a": "1" } }),
        serde_json::json!({ "month": "2024-01", "either": 0 }),
    ];
    for document in invalid {
        assert!(!checker.is_valid(&document), "accepted {document}");
    }
    // oneOf fails when two branches match as well as when none does.
    let both = serde_json::json!({ "oneOf": [{ "type": "number" }, { "minimum": 0 }] });
    assert!(!Checker::new(&both).is_valid(&serde_json::json!(1)));
    assert!(Checker::new(&both).is_valid(&serde_json::json!(-1)));
}

#[test]
#[should_panic(expected = "does not know the keyword `multipleOf`")]
fn the_checker_refuses_a_keyword_it_does_not_know() {
    let schema = serde_json::json!({ "properties": { "n": { "multipleOf": 2 } } });
    Checker::new(&schema);
}

#[test]
#[should_panic(expected = "unknown pattern")]
fn the_checker_refuses_a_pattern_it_does_not_know() {
    Checker::new(&serde_json::json!({ "pattern": "^a+$" }));
}
