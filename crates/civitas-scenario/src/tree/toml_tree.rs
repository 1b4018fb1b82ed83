//! TOML text parsed into the [`Node`](super::Node) tree, every node with its span.
use super::*;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub fn parse(text: &str, file: &Arc<Path>) -> Result<Node, Diagnostic> {
    let lines = LineIndex::new(text);
    let table = DeTable::parse(text).map_err(|e| {
        let at = e.span().unwrap_or(0..0);
        let span = lines.span(file, at.start);
        let mut message = e.message().trim_end().to_string();
        // The parser's "duplicate key" names no key; the span covers it.
        if message.starts_with("duplicate key")
            && let Some(key) = text.get(at.clone())
            && !key.is_empty()
            && key.len() <= 100
            && !key.contains('\n')
        {
            message = format!("duplicate key `{}`", key.trim_matches('"'));
        }
        syntax_error(span, "TOML", message)
    })?;
    let span = lines.span(file, table.span().start);
    let entries = table_entries(table.get_ref(), &lines, file)?;
    Ok(Node {
        value: Value::Table(entries),
        span,
    })
}

fn table_entries(
    table: &DeTable<'_>,
    lines: &LineIndex<'_>,
    file: &Arc<Path>,
) -> Result<Vec<Entry>, Diagnostic> {
    let mut entries = Vec::new();
    for (key, value) in table.iter() {
        entries.push(Entry {
            key: key.get_ref().to_string(),
            key_span: lines.span(file, key.span().start),
            value: node(value, lines, file)?,
        });
    }
    // The parser hands tables back in key order; file order reads better in
    // diagnostics and keeps appended `extends` entries where they were written.
    entries.sort_by_key(|e| (e.key_span.line, e.key_span.column));
    Ok(entries)
}

fn node(
    v: &Spanned<DeValue<'_>>,
    lines: &LineIndex<'_>,
    file: &Arc<Path>,
) -> Result<Node, Diagnostic> {
    let span = lines.span(file, v.span().start);
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            match i64::from_str_radix(&digits, i.radix()) {
                Ok(n) => Value::Int(n),
                Err(_) => {
                    return Err(syntax_error(
                        span,
                        "TOML",
                        format!("integer {i} does not fit in 64 bits"),
                    ));
                }
            }
        }
        DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(x) => Value::Float(x),
            Err(_) => return Err(syntax_error(span, "TOML", format!("invalid float {f}"))),
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| node(item, lines, file))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => Value::Table(table_entries(t, lines, file)?),
    };
    Ok(Node { value, span })
}
