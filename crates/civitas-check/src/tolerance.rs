//! How far a checked quantity may move before it counts as drift.

use std::collections::BTreeMap;
use std::path::Path;

use civitas_scenario::{Indicator, Unit};
use serde::Deserialize;

use civitas_batch::owned;

use crate::error::CheckError;

/// Default z threshold. A case checks about a thousand quantities; at |z| > 4 a normal
/// difference of means crosses it by chance with probability 6·10⁻⁵ each, so an
/// intended-neutral change (a refactor that reorders draws) passes while a shift of a few
/// standard errors in any indicator is caught.
pub const DEFAULT_Z: f64 = 4.0;
/// Default relative floor: changes below 0.1 % of the golden value never count.
pub const DEFAULT_RELATIVE_FLOOR: f64 = 0.001;
/// Default floor for a target's probability met: a move of up to two replicates in ten.
pub const DEFAULT_PROBABILITY_FLOOR: f64 = 0.2;

/// Tolerances of one case. `tolerances.toml` overrides any of them:
///
/// ```toml
/// z = 4.0                    # |now − golden| / combined standard error
/// relative_floor = 0.001     # share of |golden| below which nothing counts
/// probability_floor = 0.2    # absolute floor for a target's probability met
/// [floors]                   # absolute floor per indicator (default by unit)
/// mean_resolution_days = 0.25
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Tolerances {
    /// z threshold.
    pub z: f64,
    /// Relative floor, as a share of |golden|.
    pub relative_floor: f64,
    /// Absolute floor for target probabilities.
    pub probability_floor: f64,
    /// Absolute floors by indicator (overrides of [`Tolerances::unit_floor`]).
    pub floors: BTreeMap<Indicator, f64>,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            z: DEFAULT_Z,
            relative_floor: DEFAULT_RELATIVE_FLOOR,
            probability_floor: DEFAULT_PROBABILITY_FLOOR,
            floors: BTreeMap::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TolerancesFile {
    z: Option<f64>,
    relative_floor: Option<f64>,
    probability_floor: Option<f64>,
    #[serde(default)]
    floors: BTreeMap<Indicator, f64>,
}

/// Largest `tolerances.toml` read: a few dozen lines are all it can usefully hold.
const MAX_TOLERANCES_BYTES: u64 = 1 << 20;

/// A TOML error as `line L, column C: message`, without the quoted source line the
/// parser's own text carries: the file's content is never echoed beyond a short, escaped
/// excerpt of the message.
fn toml_problem(text: &str, e: &toml::de::Error) -> String {
    let message = owned::excerpt(e.message().trim(), 160);
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

impl Tolerances {
    /// Absolute floor of an indicator by its unit: differences smaller than these are
    /// below what a reader of the report could see (a tenth of a percentage point is
    /// 0.001 of a share).
    pub fn unit_floor(unit: Unit) -> f64 {
        match unit {
            Unit::Share => 0.002,
            Unit::Trips => 0.005,
            Unit::Days | Unit::Hours => 0.05,
            Unit::Score => 0.1,
            Unit::Stage | Unit::JobsPerWorker => 0.01,
            Unit::Minutes => 0.1,
            Unit::PerThousandPerYear => 0.5,
            // Money and head counts are checked relative to their size only.
            Unit::Currency | Unit::CurrencyPerRequest | Unit::People | Unit::Count => 0.0,
        }
    }

    /// The absolute floor of `indicator` in this case.
    pub fn floor(&self, indicator: Indicator) -> f64 {
        self.floors
            .get(&indicator)
            .copied()
            .unwrap_or_else(|| Self::unit_floor(indicator.meta().unit))
    }

    /// Defaults overridden by the file at `path`, when it exists.
    pub fn load(path: &Path) -> Result<Tolerances, CheckError> {
        if !owned::exists(path) {
            return Ok(Tolerances::default());
        }
        let text = owned::read_text(path, MAX_TOLERANCES_BYTES)?;
        Self::parse(&text, path)
    }

    /// Defaults overridden by the text of a `tolerances.toml` (read from `path`, which
    /// errors name).
    pub fn parse(text: &str, path: &Path) -> Result<Tolerances, CheckError> {
        let bad = |message: String| CheckError::Tolerances {
            path: path.to_path_buf(),
            message,
        };
        let file: TolerancesFile = toml::from_str(text).map_err(|e| bad(toml_problem(text, &e)))?;
        let mut t = Tolerances::default();
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(bad(format!(
                    "{name}: found {v}, expected a finite number ≥ 0"
                )))
            }
        };
        if let Some(z) = file.z {
            t.z = positive("z", z)?;
        }
        if let Some(r) = file.relative_floor {
            t.relative_floor = positive("relative_floor", r)?;
        }
        if let Some(p) = file.probability_floor {
            t.probability_floor = positive("probability_floor", p)?;
        }
        for (indicator, v) in file.floors {
            t.floors
                .insert(indicator, positive(&format!("floors.{indicator}"), v)?);
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_overrides_defaults_and_rejects_nonsense() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tolerances.toml");
        assert_eq!(Tolerances::load(&path).unwrap(), Tolerances::default());
        std::fs::write(&path, "z = 3\n[floors]\nsatisfaction = 0.5\n").unwrap();
        let t = Tolerances::load(&path).unwrap();
        assert_eq!(t.z, 3.0);
        assert_eq!(t.floor(Indicator::Satisfaction), 0.5);
        assert_eq!(t.floor(Indicator::AdoptionRate), 0.002);
        std::fs::write(&path, "z = -1\n").unwrap();
        assert!(
            Tolerances::load(&path)
                .unwrap_err()
                .to_string()
                .contains("z: found -1")
        );
        std::fs::write(&path, "zz = 1\n").unwrap();
        let err = Tolerances::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("unknown field") && err.contains("line 1"),
            "{err}"
        );
        std::fs::write(&path, "[floors]\nonline_rate = 1\n").unwrap();
        let err = Tolerances::load(&path).unwrap_err().to_string();
        assert!(err.contains("unknown indicator"), "{err}");
    }
}
