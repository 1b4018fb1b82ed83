//! Diagnostics for scenario files: where the problem is and what was expected.

use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;
use std::path::PathBuf;

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// File the problem is in (for `extends` chains, the file that set the field).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Field path, e.g. `services[3].requires[1]`; empty for whole-file problems.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `file:line:col: ` as compilers print it, so editors and terminals link to it;
        // in-memory checks have no file and start with the field.
        let mut location = self.file.display().to_string();
        if let Some(line) = self.line {
            location.push_str(&format!(":{line}"));
            if let Some(col) = self.column {
                location.push_str(&format!(":{col}"));
            }
        }
        if !location.is_empty() {
            write!(f, "{location}: ")?;
        }
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "field `{}`: {}", self.path, self.message)
        }
    }
}

/// Why a scenario could not be loaded: one or more diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// Every problem found, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl ScenarioError {
    /// An error with a single diagnostic.
    pub fn single(d: Diagnostic) -> Self {
        Self {
            diagnostics: vec![d],
        }
    }

    /// An error with several diagnostics, put in file order (file, line, column; those
    /// without a position last) with exact repeats dropped.
    pub fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by(|a, b| {
            (&a.file, a.line.is_none(), a.line, a.column).cmp(&(
                &b.file,
                b.line.is_none(),
                b.line,
                b.column,
            ))
        });
        diagnostics.dedup();
        Self { diagnostics }
    }

    /// The diagnostics as a terminal shows them: each `error: FILE:LINE:COL: field …`
    /// line followed by the quoted source line with a caret under the column, as
    /// compilers print errors. Reads the files named in the diagnostics; a file that cannot
    /// be read just gets no quote.
    pub fn render(&self) -> String {
        let mut sources: HashMap<&PathBuf, Option<String>> = HashMap::new();
        let mut out = String::new();
        for d in &self.diagnostics {
            let _ = writeln!(out, "error: {d}");
            let (Some(line), Some(column)) = (d.line, d.column) else {
                continue;
            };
            let text = sources
                .entry(&d.file)
                .or_insert_with(|| read_capped(&d.file));
            let Some(source_line) = text.as_deref().and_then(|t| t.lines().nth(line - 1)) else {
                continue;
            };
            let number = line.to_string();
            let pad = " ".repeat(number.len());
            // Tabs stay tabs so the caret lines up however the terminal expands them.
            let indent: String = source_line
                .chars()
                .take(column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{pad} |\n{number} | {source_line}\n{pad} | {indent}^");
        }
        out
    }
}

/// The text of a file for quoting, read no further than a scenario file may be long.
fn read_capped(path: &std::path::Path) -> Option<String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(crate::limits::MAX_FILE_BYTES)
        .read_to_end(&mut bytes)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// The diagnostics one per line. The first carries no `error: ` of its own: whoever prints
/// the error (or wraps it in a message of its own) adds that once, so a wrapped error reads
/// `error: lever …: the scenario is no longer valid: field …`, never `…: error: field …`.
impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                write!(f, "\nerror: ")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}
