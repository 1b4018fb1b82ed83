//! YAML text parsed into the [`Node`](super::Node) tree, every node with its span.
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
