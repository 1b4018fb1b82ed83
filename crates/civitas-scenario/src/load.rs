//! Reading scenario files (TOML, YAML, JSON) and resolving `extends`.
//!
//! NOTE: first cut. Parses and merges without source spans; validation with spans is
//! added on top of this module.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, ScenarioError};
use crate::model::Scenario;

/// File formats a scenario can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML (primary).
    Toml,
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

impl Format {
    /// Format from a file extension (`.toml`, `.yaml`/`.yml`, `.json`).
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "toml" => Some(Format::Toml),
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// The bundled default scenario (`scenarios/baseline.toml`), embedded in the binary.
pub const BASELINE_TOML: &str = include_str!("../../../scenarios/baseline.toml");

fn whole_file(file: &Path, message: String) -> ScenarioError {
    ScenarioError::single(Diagnostic {
        file: file.to_path_buf(),
        line: None,
        column: None,
        path: String::new(),
        message,
    })
}

fn parse_value(
    text: &str,
    format: Format,
    file: &Path,
) -> Result<serde_json::Value, ScenarioError> {
    let r: Result<serde_json::Value, String> = match format {
        Format::Toml => toml::from_str(text).map_err(|e| e.to_string()),
        Format::Yaml => serde_yaml::from_str(text).map_err(|e| e.to_string()),
        Format::Json => serde_json::from_str(text).map_err(|e| e.to_string()),
    };
    r.map_err(|m| whole_file(file, m))
}

/// Merges `over` into `base`: tables field by field, arrays of named tables by `name`.
fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
    use serde_json::Value;
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(b), Value::Array(o))
            if o.iter().all(|x| x.get("name").is_some())
                && b.iter().all(|x| x.get("name").is_some()) =>
        {
            for item in o {
                let name = item.get("name").cloned();
                match b.iter_mut().find(|x| x.get("name") == name.as_ref()) {
                    Some(slot) => merge(slot, item),
                    None => b.push(item),
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn load_value(path: &Path, chain: &mut Vec<PathBuf>) -> Result<serde_json::Value, ScenarioError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if chain.contains(&canonical) {
        return Err(whole_file(
            path,
            format!("`extends` forms a cycle through {}", path.display()),
        ));
    }
    chain.push(canonical);
    let text = std::fs::read_to_string(path)
        .map_err(|e| whole_file(path, format!("cannot read scenario file: {e}")))?;
    let format = Format::from_path(path).unwrap_or(Format::Toml);
    let mut value = parse_value(&text, format, path)?;
    if let Some(base) = value.as_object_mut().and_then(|o| o.remove("extends")) {
        let base_name = base
            .as_str()
            .ok_or_else(|| whole_file(path, "`extends` must be a file path string".into()))?;
        let base_path = path.parent().unwrap_or(Path::new(".")).join(base_name);
        let mut merged = load_value(&base_path, chain)?;
        merge(&mut merged, value);
        value = merged;
    }
    chain.pop();
    Ok(value)
}

impl Scenario {
    /// Loads a scenario file (format from its extension), resolving `extends`.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let value = load_value(path, &mut Vec::new())?;
        serde_json::from_value(value).map_err(|e| whole_file(path, e.to_string()))
    }

    /// Parses a scenario from text; `origin` names it in diagnostics. `extends` is not
    /// allowed here (there is no directory to resolve it against).
    pub fn from_str_as(
        text: &str,
        format: Format,
        origin: &str,
    ) -> Result<Scenario, ScenarioError> {
        let file = Path::new(origin);
        let value = parse_value(text, format, file)?;
        serde_json::from_value(value).map_err(|e| whole_file(file, e.to_string()))
    }

    /// The bundled default scenario.
    pub fn baseline() -> Scenario {
        Scenario::from_str_as(BASELINE_TOML, Format::Toml, "scenarios/baseline.toml")
            .expect("the bundled baseline scenario is valid (checked by tests)")
    }
}
