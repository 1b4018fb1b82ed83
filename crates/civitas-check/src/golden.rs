//! The checked quantities of a run and the `golden.csv` file that stores them.

use std::fmt;
use std::path::Path;

use civitas_batch::BatchResult;
use civitas_batch::format::{format_value, parse_value};
use civitas_scenario::Indicator;

use crate::error::CheckError;

/// What a checked quantity is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Quantity {
    /// An indicator's replicate mean in one scope at one date.
    Indicator(Indicator),
    /// The probability that a target (named by its label) is met.
    Target(String),
}

impl Quantity {
    /// `indicator` or `target`, the first column of `golden.csv`.
    pub fn kind(&self) -> &'static str {
        match self {
            Quantity::Indicator(_) => "indicator",
            Quantity::Target(_) => "target",
        }
    }

    /// The indicator name or the target label.
    pub fn name(&self) -> String {
        match self {
            Quantity::Indicator(i) => i.name().to_string(),
            Quantity::Target(label) => label.clone(),
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quantity::Indicator(i) => write!(f, "{i}"),
            Quantity::Target(label) => write!(f, "P(met) {label}"),
        }
    }
}

/// One checked quantity of a run: the mean across replicates, their standard deviation
/// and how many replicates had a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// What is measured.
    pub quantity: Quantity,
    /// Scope label (`city`, `district:<name>`, `band:<name>`).
    pub scope: String,
    /// The tick's date (`YYYY-MM`, or `YYYY-MM-DD` for weekly ticks) for indicators, the
    /// target year for targets.
    pub date: String,
    /// Replicates with a value.
    pub n: u32,
    /// Mean across replicates (NaN: no replicate had a value).
    pub mean: f64,
    /// Sample standard deviation across replicates (NaN below two values).
    pub sd: f64,
}

impl Observation {
    /// The key two runs are matched on.
    pub fn key(&self) -> (&Quantity, &str, &str) {
        (&self.quantity, &self.scope, &self.date)
    }

    /// Standard error of the mean (0 where the spread is unknown or zero).
    pub fn standard_error(&self) -> f64 {
        if self.n == 0 || !self.sd.is_finite() {
            0.0
        } else {
            self.sd / f64::from(self.n).sqrt()
        }
    }
}

const COLUMNS: [&str; 7] = ["quantity", "name", "scope", "date", "n", "mean", "sd"];

/// The quantities `civitas check` compares: every indicator in every scope at the last
/// tick of each calendar year (December for monthly ticks), and every target's
/// probability met, whose spread is that of a Bernoulli variable.
pub fn observe(result: &BatchResult) -> Vec<Observation> {
    let dates = &result.dates;
    let year_ends: Vec<usize> = (0..dates.len())
        .filter(|&k| k + 1 == dates.len() || dates[k + 1].year != dates[k].year)
        .collect();
    let mut out = Vec::new();
    for s in &result.series {
        for &k in &year_ends {
            out.push(Observation {
                quantity: Quantity::Indicator(s.indicator),
                scope: s.scope.to_string(),
                date: dates[k].to_string(),
                n: s.n[k],
                mean: s.mean[k],
                sd: s.sd[k],
            });
        }
    }
    let n = result.manifest.replicates;
    for t in &result.targets {
        let p = t.probability_met;
        let sd = if n >= 2 {
            (p * (1.0 - p) * f64::from(n) / f64::from(n - 1)).sqrt()
        } else {
            f64::NAN
        };
        out.push(Observation {
            quantity: Quantity::Target(t.label.clone()),
            scope: t.scope.to_string(),
            date: t.year.to_string(),
            n,
            mean: p,
            sd,
        });
    }
    out
}

/// Writes `golden.csv` (through a temporary file renamed into place, so an interrupted
/// bless never leaves half a golden).
pub fn write_golden(path: &Path, observations: &[Observation]) -> Result<(), CheckError> {
    let tmp = path.with_extension("csv.tmp");
    let golden_error = |e: csv::Error| CheckError::Golden {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_path(&tmp).map_err(golden_error)?;
    w.write_record(COLUMNS).map_err(golden_error)?;
    for o in observations {
        w.write_record([
            o.quantity.kind(),
            &o.quantity.name(),
            &o.scope,
            &o.date,
            &o.n.to_string(),
            &format_value(o.mean),
            &format_value(o.sd),
        ])
        .map_err(golden_error)?;
    }
    w.flush().map_err(CheckError::io(&tmp))?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(CheckError::io(path))
}

/// Reads `golden.csv`.
pub fn read_golden(path: &Path) -> Result<Vec<Observation>, CheckError> {
    if !path.is_file() {
        return Err(CheckError::NoGolden {
            path: path.to_path_buf(),
        });
    }
    let bad = |message: String| CheckError::Golden {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    if header != COLUMNS {
        return Err(bad(format!(
            "expected columns {}, found {}",
            COLUMNS.join(","),
            header.join(",")
        )));
    }
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| bad(e.to_string()))?;
        let number = |k: usize| {
            parse_value(&row[k]).map_err(|_| {
                bad(format!(
                    "line {line}: {}: {:?} is not a number",
                    COLUMNS[k], &row[k]
                ))
            })
        };
        let quantity = match &row[0] {
            "indicator" => Quantity::Indicator(
                row[1]
                    .parse()
                    .map_err(|e| bad(format!("line {line}: name: {e}")))?,
            ),
            "target" => Quantity::Target(row[1].to_string()),
            other => {
                return Err(bad(format!(
                    "line {line}: quantity: found {other:?}, expected indicator or target"
                )));
            }
        };
        out.push(Observation {
            quantity,
            scope: row[2].to_string(),
            date: row[3].to_string(),
            n: row[4]
                .parse()
                .map_err(|_| bad(format!("line {line}: n: {:?} is not a count", &row[4])))?,
            mean: number(5)?,
            sd: number(6)?,
        });
    }
    Ok(out)
}
