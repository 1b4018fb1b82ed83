//! JSON text parsed into the [`Node`](super::Node) tree, every node with its span.
use super::*;
use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, ParseOptions};

pub fn parse(text: &str, file: &Arc<Path>) -> Result<Node, Diagnostic> {
    let lines = LineIndex::new(text);
    // Strict JSON: none of the JSONC/JSON5 relaxations the parser offers.
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options)
        .map_err(|e| syntax_error(lines.span(file, e.range().start), "JSON", e.kind()))?;
    match parsed.value {
        Some(v) => node(&v, &lines, file),
        None => Err(syntax_error(
            lines.span(file, 0),
            "JSON",
            "the file is empty",
        )),
    }
}

fn node(v: &ast::Value<'_>, lines: &LineIndex<'_>, file: &Arc<Path>) -> Result<Node, Diagnostic> {
    let (value, start) = match v {
        ast::Value::StringLit(s) => (Value::Str(s.value.to_string()), s.range.start),
        ast::Value::NumberLit(n) => {
            let value = match n.value.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => match n.value.parse::<f64>() {
                    Ok(f) => Value::Float(f),
                    Err(_) => {
                        return Err(syntax_error(
                            lines.span(file, n.range.start),
                            "JSON",
                            format!("invalid number {}", n.value),
                        ));
                    }
                },
            };
            (value, n.range.start)
        }
        ast::Value::BooleanLit(b) => (Value::Bool(b.value), b.range.start),
        ast::Value::NullKeyword(n) => (Value::Null, n.range.start),
        ast::Value::Array(a) => (
            Value::Array(
                a.elements
                    .iter()
                    .map(|e| node(e, lines, file))
                    .collect::<Result<_, _>>()?,
            ),
            a.range.start,
        ),
        ast::Value::Object(o) => {
            let mut entries = Vec::new();
            for prop in &o.properties {
                let key_start = match &prop.name {
                    ast::ObjectPropName::String(s) => s.range.start,
                    ast::ObjectPropName::Word(w) => w.range.start,
                };
                push_unique(
                    &mut entries,
                    Entry {
                        key: prop.name.as_str().to_string(),
                        key_span: lines.span(file, key_start),
                        value: node(&prop.value, lines, file)?,
                    },
                )?;
            }
            (Value::Table(entries), o.range.start)
        }
    };
    Ok(Node {
        value,
        span: lines.span(file, start),
    })
}
