//! Finding and loading regression cases.

use std::path::{Path, PathBuf};

use civitas_scenario::Scenario;

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
}

impl Case {
    /// Loads the case in `dir`.
    pub fn load(dir: &Path) -> Result<Case, CheckError> {
        let file = scenario_file(dir).ok_or_else(|| CheckError::NoCases {
            path: dir.to_path_buf(),
        })?;
        let scenario = Scenario::load(&file)?;
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
        })
    }

    /// The golden file of the case.
    pub fn golden_path(&self) -> PathBuf {
        self.dir.join(GOLDEN_CSV)
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
