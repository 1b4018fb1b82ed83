//! A format-neutral value tree in which every node remembers where it was written.
//!
//! TOML, YAML and JSON are each parsed into this one [`Node`] tree, so that `extends`
//! merging, deserialization and semantic validation work the same for all three and every
//! diagnostic can point at the file, line and column that set the offending value (in an
//! `extends` chain, each node keeps the file it came from).

use std::path::Path;
use std::sync::Arc;

use crate::error::Diagnostic;
use crate::load::Format;
use crate::path::{FieldPath, Segment};

/// Where a node was written: file and 1-based line and column (columns count characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub file: Arc<Path>,
    pub line: usize,
    pub column: usize,
}

impl Span {
    /// A diagnostic at this position.
    pub fn diagnostic(&self, path: &FieldPath, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file.to_path_buf(),
            line: Some(self.line),
            column: Some(self.column),
            path: path.to_string(),
            message: message.into(),
        }
    }
}

/// One table entry: the key (with its own position) and its value.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// The value of a node.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Node>),
    Table(Vec<Entry>),
}

/// A value and the position it was written at.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    /// The entry `key` of a table node.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Table(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The `name` string of a table node, used to merge arrays of named tables.
    fn name(&self) -> Option<&str> {
        match &self.entry("name")?.value.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Removes and returns the entry `key` of a table node.
    pub fn take_entry(&mut self, key: &str) -> Option<Entry> {
        match &mut self.value {
            Value::Table(entries) => {
                let i = entries.iter().position(|e| e.key == key)?;
                Some(entries.remove(i))
            }
            _ => None,
        }
    }

    /// Merges `over` into `self` with the `extends` rules: tables field by field; arrays
    /// of named tables (every entry on both sides has a `name`) entry by entry, an entry
    /// whose name matches a base entry merged into it, any other appended; anything else,
    /// including arrays of unnamed tables such as `targets`, replaced.
    pub fn merge(&mut self, over: Node) {
        match (&mut self.value, over.value) {
            (Value::Table(base), Value::Table(entries)) => {
                // A table written out in full by the override (e.g. an inline `age_mix`)
                // belongs to the override's file: problems with it point there.
                if base.iter().all(|b| entries.iter().any(|e| e.key == b.key)) {
                    self.span = over.span;
                }
                for entry in entries {
                    match base.iter_mut().find(|b| b.key == entry.key) {
                        Some(slot) => slot.value.merge(entry.value),
                        None => base.push(entry),
                    }
                }
            }
            (Value::Array(base), Value::Array(items))
                if !items.is_empty()
                    && items.iter().all(|i| i.name().is_some())
                    && base.iter().all(|b| b.name().is_some()) =>
            {
                // Only entries of the base are merged into: two new entries with one name
                // both stay, so that validation reports the duplicate.
                let base_len = base.len();
                for item in items {
                    let slot = item.name().and_then(|name| {
                        base[..base_len].iter().position(|b| b.name() == Some(name))
                    });
                    match slot {
                        Some(i) => base[i].merge(item),
                        None => base.push(item),
                    }
                }
            }
            (_, value) => {
                self.value = value;
                self.span = over.span;
            }
        }
    }

    /// Converts to a `serde_json::Value` for deserialization; values JSON cannot hold
    /// (non-finite numbers) are reported in `problems`.
    pub fn to_json(
        &self,
        path: &mut FieldPath,
        problems: &mut Vec<Diagnostic>,
    ) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => J::Number(n),
                None => {
                    problems.push(
                        self.span
                            .diagnostic(path, format!("found {f}, expected a finite number")),
                    );
                    J::Null
                }
            },
            Value::Str(s) => J::String(s.clone()),
            Value::Array(items) => J::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        path.push(Segment::Index(i));
                        let v = item.to_json(path, problems);
                        path.pop();
                        v
                    })
                    .collect(),
            ),
            Value::Table(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| {
                        path.push(Segment::Key(e.key.clone()));
                        let v = e.value.to_json(path, problems);
                        path.pop();
                        (e.key.clone(), v)
                    })
                    .collect(),
            ),
        }
    }

    /// Position of the value at `path`, or of the deepest node on the way there when the
    /// path leads to a field that was not written (a default or a missing field).
    /// With `key`, a path ending in a table key points at the key rather than its value.
    pub fn locate(&self, path: &FieldPath, key: bool) -> &Span {
        let mut node = self;
        let segments = path.segments();
        for (i, seg) in segments.iter().enumerate() {
            let last = i + 1 == segments.len();
            match (seg, &node.value) {
                (Segment::Key(k), Value::Table(entries)) => {
                    match entries.iter().find(|e| &e.key == k) {
                        Some(e) if last && key => return &e.key_span,
                        Some(e) => node = &e.value,
                        None => break,
                    }
                }
                (Segment::Index(j), Value::Array(items)) => match items.get(*j) {
                    Some(item) => node = item,
                    None => break,
                },
                _ => break,
            }
        }
        &node.span
    }
}

/// Converts byte offsets into 1-based line and character column.
struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { text, line_starts }
    }

    fn span(&self, file: &Arc<Path>, byte: usize) -> Span {
        let mut byte = byte.min(self.text.len());
        while !self.text.is_char_boundary(byte) {
            byte -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= byte);
        let start = self.line_starts[line - 1];
        Span {
            file: file.clone(),
            line,
            column: self.text[start..byte].chars().count() + 1,
        }
    }
}

/// Parses `text` in `format` into a tree; a syntax error comes back as one diagnostic.
pub(crate) fn parse(text: &str, format: Format, file: &Arc<Path>) -> Result<Node, Diagnostic> {
    match format {
        Format::Toml => toml_tree::parse(text, file),
        Format::Yaml => yaml_tree::parse(text, file),
        Format::Json => json_tree::parse(text, file),
    }
}

fn syntax_error(span: Span, format: &str, message: impl std::fmt::Display) -> Diagnostic {
    Diagnostic {
        file: span.file.to_path_buf(),
        line: Some(span.line),
        column: Some(span.column),
        path: String::new(),
        message: format!("{format} syntax error: {message}"),
    }
}

/// Rejects a key written twice in one table (TOML's parser does this itself).
fn push_unique(entries: &mut Vec<Entry>, entry: Entry) -> Result<(), Diagnostic> {
    if let Some(first) = entries.iter().find(|e| e.key == entry.key) {
        return Err(Diagnostic {
            file: entry.key_span.file.to_path_buf(),
            line: Some(entry.key_span.line),
            column: Some(entry.key_span.column),
            path: String::new(),
            message: format!(
                "duplicate key `{}` (first written on line {})",
                entry.key, first.key_span.line
            ),
        });
    }
    entries.push(entry);
    Ok(())
}

mod toml_tree {
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
}

mod yaml_tree {
    use super::*;
    use crate::limits::MAX_YAML_VALUES;
    use std::collections::HashMap;
    use yaml_rust2::Yaml;
    use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
    use yaml_rust2::scanner::{Marker, TScalarStyle};

    pub fn parse(text: &str, file: &Arc<Path>) -> Result<Node, Diagnostic> {
        let mut builder = Builder {
            file: file.clone(),
            stack: Vec::new(),
            documents: Vec::new(),
            anchors: HashMap::new(),
            error: None,
            values: 0,
            starts: Vec::new(),
        };
        let mut parser = Parser::new_from_str(text);
        if let Err(e) = parser.load(&mut builder, true) {
            let span = builder.span(*e.marker());
            return Err(syntax_error(span, "YAML", e.info()));
        }
        if let Some(e) = builder.error {
            return Err(e);
        }
        let mut documents = builder.documents.into_iter();
        let root = documents.next().unwrap_or(Node {
            value: Value::Null,
            span: Span {
                file: file.clone(),
                line: 1,
                column: 1,
            },
        });
        if let Some(extra) = documents.next() {
            return Err(syntax_error(
                extra.span,
                "YAML",
                "a scenario file holds one document; found a second one",
            ));
        }
        Ok(root)
    }

    /// A collection being built: its start, anchor, items and (for a mapping) the key
    /// waiting for its value.
    enum Frame {
        Sequence(Node, usize),
        Mapping(Node, usize, Option<(String, Span)>),
    }

    struct Builder {
        file: Arc<Path>,
        stack: Vec<Frame>,
        documents: Vec<Node>,
        /// Anchored nodes and the number of values each expands to.
        anchors: HashMap<usize, (Node, usize)>,
        error: Option<Diagnostic>,
        /// Values built so far, aliases counted at their expanded size.
        values: usize,
        /// `values` when each open collection started.
        starts: Vec<usize>,
    }

    impl Builder {
        fn span(&self, mark: Marker) -> Span {
            Span {
                file: self.file.clone(),
                line: mark.line(),
                column: mark.col() + 1,
            }
        }

        /// Counts `size` more values; false (with the error set) past [`MAX_YAML_VALUES`].
        fn count(&mut self, size: usize, span: &Span) -> bool {
            self.values = self.values.saturating_add(size);
            if self.values > MAX_YAML_VALUES {
                self.error.get_or_insert(syntax_error(
                    span.clone(),
                    "YAML",
                    format!(
                        "the aliases expand to more than {MAX_YAML_VALUES} values; \
                         write the repeated parts out or use `extends`"
                    ),
                ));
                return false;
            }
            true
        }

        fn finish(&mut self, node: Node, anchor: usize, size: usize) {
            if anchor > 0 {
                self.anchors.insert(anchor, (node.clone(), size));
            }
            match self.stack.last_mut() {
                None => self.documents.push(node),
                Some(Frame::Sequence(seq, _)) => {
                    if let Value::Array(items) = &mut seq.value {
                        items.push(node);
                    }
                }
                Some(Frame::Mapping(map, _, pending)) => match pending.take() {
                    None => match node.value {
                        Value::Str(key) => *pending = Some((key, node.span)),
                        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
                            // A plain key like `2027` or `true` still names a field.
                            *pending = Some((scalar_text(&node.value), node.span))
                        }
                        _ => {
                            self.error.get_or_insert(syntax_error(
                                node.span,
                                "YAML",
                                "a mapping key must be a plain name, not a list or mapping",
                            ));
                        }
                    },
                    Some((key, key_span)) => {
                        if let Value::Table(entries) = &mut map.value
                            && let Err(e) = push_unique(
                                entries,
                                Entry {
                                    key,
                                    key_span,
                                    value: node,
                                },
                            )
                        {
                            self.error.get_or_insert(e);
                        }
                    }
                },
            }
        }
    }

    fn scalar_text(v: &Value) -> String {
        match v {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            _ => String::new(),
        }
    }

    impl MarkedEventReceiver for Builder {
        fn on_event(&mut self, ev: Event, mark: Marker) {
            if self.error.is_some() {
                // The file is rejected; build nothing more.
                return;
            }
            let span = self.span(mark);
            match ev {
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    if !self.count(1, &span) {
                        return;
                    }
                    self.starts.push(self.values - 1);
                }
                _ => {}
            }
            match ev {
                Event::SequenceStart(anchor, _) => self.stack.push(Frame::Sequence(
                    Node {
                        value: Value::Array(Vec::new()),
                        span,
                    },
                    anchor,
                )),
                Event::MappingStart(anchor, _) => self.stack.push(Frame::Mapping(
                    Node {
                        value: Value::Table(Vec::new()),
                        span,
                    },
                    anchor,
                    None,
                )),
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some(Frame::Sequence(node, anchor) | Frame::Mapping(node, anchor, _)) =
                        self.stack.pop()
                    {
                        let start = self.starts.pop().unwrap_or(0);
                        let size = self.values - start;
                        self.finish(node, anchor, size);
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    // An empty value (`key:` and nothing after) is noticed where the next
                    // token starts, often the next line; the key is where the reader looks.
                    let span = match self.stack.last() {
                        Some(Frame::Mapping(_, _, Some((_, key_span))))
                            if text.is_empty() && style == TScalarStyle::Plain =>
                        {
                            key_span.clone()
                        }
                        _ => span,
                    };
                    let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix == "str");
                    let value = if style != TScalarStyle::Plain || is_str_tag {
                        Value::Str(text)
                    } else {
                        match Yaml::from_str(&text) {
                            Yaml::Null => Value::Null,
                            Yaml::Boolean(b) => Value::Bool(b),
                            Yaml::Integer(i) => Value::Int(i),
                            Yaml::Real(r) => match parse_yaml_float(&r) {
                                Some(f) => Value::Float(f),
                                None => Value::Str(r),
                            },
                            _ => Value::Str(text),
                        }
                    };
                    if self.count(1, &span) {
                        self.finish(Node { value, span }, anchor, 1);
                    }
                }
                Event::Alias(id) => match self.anchors.get(&id).map(|(_, size)| *size) {
                    Some(size) => {
                        // Counted before cloning, so an alias bomb stops before it grows.
                        if !self.count(size, &span) {
                            return;
                        }
                        let Some((mut node, _)) = self.anchors.get(&id).cloned() else {
                            return;
                        };
                        node.span = span;
                        self.finish(node, 0, size);
                    }
                    None => {
                        self.error
                            .get_or_insert(syntax_error(span, "YAML", "unknown alias"));
                    }
                },
                Event::Nothing
                | Event::StreamStart
                | Event::StreamEnd
                | Event::DocumentStart
                | Event::DocumentEnd => {}
            }
        }
    }

    fn parse_yaml_float(text: &str) -> Option<f64> {
        match text {
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some(f64::INFINITY),
            "-.inf" | "-.Inf" | "-.INF" => Some(f64::NEG_INFINITY),
            ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
            _ => text.parse().ok(),
        }
    }
}

mod json_tree {
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

    fn node(
        v: &ast::Value<'_>,
        lines: &LineIndex<'_>,
        file: &Arc<Path>,
    ) -> Result<Node, Diagnostic> {
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
}
