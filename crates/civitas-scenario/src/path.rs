//! Field paths such as `services[3].requires[1]`, naming a value inside a scenario.

use std::fmt;

/// One step of a [`FieldPath`]: a table key or an array position (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A field of a table, e.g. `population`.
    Key(String),
    /// An element of an array, counted from 0.
    Index(usize),
}

/// The path from the top of a scenario to one value, printed as in
/// `population.districts[2].share` (array positions count from 0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    /// The path of the whole scenario.
    pub fn root() -> Self {
        Self::default()
    }

    /// The steps of the path, outermost first.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Appends a step.
    pub fn push(&mut self, segment: Segment) {
        self.0.push(segment);
    }

    /// Removes the last step.
    pub fn pop(&mut self) {
        self.0.pop();
    }

    /// This path extended by the field `key`.
    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.push(Segment::Key(key.to_string()));
        p
    }

    /// This path extended by the array position `index`.
    pub fn index(&self, index: usize) -> Self {
        let mut p = self.clone();
        p.push(Segment::Index(index));
        p
    }
}

/// Builds a path from dotted text with `[i]` positions, e.g. `"services[3].requires[1]"`.
impl From<&str> for FieldPath {
    fn from(text: &str) -> Self {
        let mut path = FieldPath::root();
        for part in text.split('.').filter(|p| !p.is_empty()) {
            let (key, rest) = part.split_once('[').unwrap_or((part, ""));
            if !key.is_empty() {
                path.push(Segment::Key(key.to_string()));
            }
            for index in rest.split('[') {
                if let Ok(i) = index.trim_end_matches(']').parse() {
                    path.push(Segment::Index(i));
                }
            }
        }
        path
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(j) => write!(f, "[{j}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_and_reads_paths_with_positions() {
        let p = FieldPath::root()
            .key("services")
            .index(3)
            .key("requires")
            .index(1);
        assert_eq!(p.to_string(), "services[3].requires[1]");
        assert_eq!(FieldPath::from("services[3].requires[1]"), p);
        assert_eq!(FieldPath::root().to_string(), "");
    }
}
