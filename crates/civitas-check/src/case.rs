//! Finding and loading regression cases.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use civitas_batch::owned;
use civitas_scenario::{Format, Scenario};

use crate::error::CheckError;
use crate::tolerance::Tolerances;

/// Names a case's scenario file may have, in the order they are looked for.
pub const SCENARIO_FILES: [&str; 4] = [
    "scenario.toml",
    "scenario.yaml",
    "scenario.yml",
    "scenario.json",
];
/// The blessed results of a case.
pub const GOLDEN_CSV: &str = "golden.csv";
/// Optional per-case tolerances.
pub const TOLERANCES_TOML: &str = "tolerances.toml";
/// The case's scenario as resolved when its goldens were blessed (its `extends` chain
/// merged in): what makes a case folder portable, and what tells a changed input from a
/// changed model.
pub const RESOLVED_TOML: &str = "resolved.toml";

/// Header of [`RESOLVED_TOML`].
const RESOLVED_HEADER: &str = "\
# Written by `civitas check --bless`: this case's scenario with its `extends` chain merged in,
# as it was when golden.csv was recorded. `civitas check` runs scenario.toml and reports how
# its inputs differ from this file; when the case folder was moved and a base file is no
# longer found, it runs this file instead. Do not edit: bless again.
";

/// Where a case's scenario came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Its scenario file, `extends` resolved.
    File,
    /// [`RESOLVED_TOML`], because the scenario file names a base that is not found (the
    /// case folder was moved or copied on its own).
    Frozen {
        /// The base file that is missing.
        missing_base: PathBuf,
    },
}

/// One regression case: a scenario, its tolerances and where its golden results live.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case's folder name.
    pub name: String,
    /// The case's folder.
    pub dir: PathBuf,
    /// The scenario as loaded (`extends` resolved relative to the case's file).
    pub scenario: Scenario,
    /// Tolerances: defaults, overridden by `tolerances.toml`.
    pub tolerances: Tolerances,
    /// Where the scenario came from.
    pub source: Source,
    /// The fields whose resolved value differs from [`RESOLVED_TOML`] (`field: old → new`),
    /// in field order: inputs changed since the goldens were blessed. Empty when they are
    /// the same or the case has no such file yet.
    pub input_changes: Vec<String>,
}

impl Case {
    /// Loads the case in `dir`.
    pub fn load(dir: &Path) -> Result<Case, CheckError> {
        let file = scenario_file(dir).ok_or_else(|| CheckError::NoCases {
            path: dir.to_path_buf(),
        })?;
        let frozen_path = dir.join(RESOLVED_TOML);
        let frozen = if frozen_path.is_file() {
            Some(owned::read_text(
                &frozen_path,
                civitas_scenario::limits::MAX_FILE_BYTES,
            )?)
        } else {
            None
        };
        let (scenario, source) = match (Scenario::load(&file), &frozen) {
            (Ok(s), _) => (s, Source::File),
            (Err(e), Some(text)) => match missing_base(&file) {
                Some(missing_base) => (
                    Scenario::from_str_as(text, Format::Toml, &frozen_path.to_string_lossy())?,
                    Source::Frozen { missing_base },
                ),
                None => return Err(e.into()),
            },
            (Err(e), None) => return Err(e.into()),
        };
        let input_changes = match (&source, &frozen) {
            (Source::File, Some(text)) => changed_fields(text, &resolved_text(&scenario)?)
                .map_err(|message| CheckError::Golden {
                    path: frozen_path.clone(),
                    message,
                })?,
            _ => Vec::new(),
        };
        let tolerances = Tolerances::load(&dir.join(TOLERANCES_TOML))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| scenario.scenario.name.clone());
        Ok(Case {
            name,
            dir: dir.to_path_buf(),
            scenario,
            tolerances,
            source,
            input_changes,
        })
    }

    /// The golden file of the case.
    pub fn golden_path(&self) -> PathBuf {
        self.dir.join(GOLDEN_CSV)
    }

    /// What a reader of the check should know about the case's inputs, one line each: the
    /// frozen scenario it ran, or the inputs changed since its goldens were blessed.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Source::Frozen { missing_base } = &self.source {
            notes.push(format!(
                "its base scenario `{}` is not found (the case folder was moved or copied \
                 without it); ran {RESOLVED_TOML}, the scenario as it was when the goldens \
                 were blessed",
                missing_base.display()
            ));
        }
        if !self.input_changes.is_empty() {
            notes.push(format!(
                "{} input field(s) differ from {RESOLVED_TOML} (the scenario or a base file \
                 changed since the goldens were blessed), so drifts may come from the inputs:",
                self.input_changes.len()
            ));
            notes.extend(self.input_changes.iter().map(|c| format!("  {c}")));
        }
        notes
    }

    /// Records the case's resolved scenario next to its goldens (on bless), through a
    /// fresh temporary renamed into place.
    pub fn write_resolved(&self) -> Result<(), CheckError> {
        let text = format!("{RESOLVED_HEADER}\n{}", resolved_text(&self.scenario)?);
        owned::write_file(&self.dir.join(RESOLVED_TOML), text.as_bytes())?;
        Ok(())
    }
}

/// The scenario as TOML, the same text a run writes as its `scenario.toml`.
fn resolved_text(scenario: &Scenario) -> Result<String, CheckError> {
    toml::to_string(scenario).map_err(|e| CheckError::Report(Box::new(e)))
}

/// The first base file of `file`'s `extends` chain that does not exist, if any: the case
/// folder was moved away from the scenarios it extends. Other failures (a base that exists
/// but is invalid) are not a reason to run the frozen copy, and give `None`.
fn missing_base(file: &Path) -> Option<PathBuf> {
    let mut current = file.to_path_buf();
    // A chain longer than this is a cycle, which loading reports by itself.
    for _ in 0..64 {
        let document = civitas_scenario::file_document(&current).ok()?;
        let base = document.get("extends")?.as_str()?;
        let next = civitas_scenario::extends_target(&current, base);
        if std::fs::symlink_metadata(&next).is_err() {
            return Some(next);
        }
        current = next;
    }
    None
}

/// `field: old → new` for every leaf that differs between two TOML texts of a resolved
/// scenario (`(absent)` for one side missing), in the order of the fields.
fn changed_fields(old: &str, new: &str) -> Result<Vec<String>, String> {
    let parse = |text: &str| {
        text.parse::<toml::Table>()
            .map_err(|e| format!("not a resolved scenario ({e}); bless the case again"))
    };
    let (old, new) = (parse(old)?, parse(new)?);
    let mut before = Vec::new();
    let mut after = Vec::new();
    flatten("", &toml::Value::Table(old), &mut before);
    flatten("", &toml::Value::Table(new), &mut after);
    let before: BTreeMap<String, String> = before.into_iter().collect();
    let after: BTreeMap<String, String> = after.into_iter().collect();
    let absent = "(absent)".to_string();
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    Ok(fields
        .into_iter()
        .filter_map(|field| {
            let (was, now) = (before.get(field), after.get(field));
            (was != now).then(|| {
                format!(
                    "{field}: {} → {}",
                    was.unwrap_or(&absent),
                    now.unwrap_or(&absent)
                )
            })
        })
        .collect())
}

/// The leaves of a TOML value as `(dotted.path[index], value)`.
fn flatten(prefix: &str, value: &toml::Value, out: &mut Vec<(String, String)>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        toml::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, out);
            }
        }
        leaf => out.push((prefix.to_string(), leaf.to_string())),
    }
}

/// A case folder whose scenario or tolerances could not be loaded.
#[derive(Debug)]
pub struct BrokenCase {
    /// The case's folder name.
    pub name: String,
    /// Why it could not be loaded.
    pub error: CheckError,
}

fn scenario_file(dir: &Path) -> Option<PathBuf> {
    SCENARIO_FILES
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
}

/// The cases of a check directory, sorted by name: every sub-folder holding a scenario
/// file, or `dir` itself when it is a case. A case that fails to load is returned as its
/// error, so one broken case does not hide the others.
pub fn discover(dir: impl AsRef<Path>) -> Result<Vec<Result<Case, BrokenCase>>, CheckError> {
    let dir = dir.as_ref();
    if scenario_file(dir).is_some() {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![
            Case::load(dir).map_err(|error| BrokenCase { name, error }),
        ]);
    }
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(CheckError::io(dir))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && scenario_file(p).is_some())
        .collect();
    folders.sort();
    if folders.is_empty() {
        return Err(CheckError::NoCases {
            path: dir.to_path_buf(),
        });
    }
    Ok(folders
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Case::load(p).map_err(|error| BrokenCase { name, error })
        })
        .collect())
}
