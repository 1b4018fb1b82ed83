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

// One adapter per format, each turning its parser's output into `Node`s with spans.
mod json_tree;
mod toml_tree;
mod yaml_tree;
