//! The checked quantities of a run and the `golden.csv` file that stores them.

use std::fmt;
use std::path::Path;

use civitas_batch::BatchResult;
use civitas_batch::format::{format_value, parse_value};
use civitas_batch::output::{parse_text_cell, text_cell};
use civitas_batch::owned;
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

/// Largest `golden.csv` read: a case of thousands of districts writes a few hundred MB.
const MAX_GOLDEN_BYTES: u64 = 1 << 30;

/// Writes `golden.csv` (through a temporary of a fresh name renamed into place, so an
/// interrupted bless never leaves half a golden and a planted link is never written
/// through).
pub fn write_golden(path: &Path, observations: &[Observation]) -> Result<(), CheckError> {
    let golden_error = |e: csv::Error| CheckError::Golden {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(golden_error)?;
    for o in observations {
        w.write_record([
            o.quantity.kind(),
            &text_cell(&o.quantity.name()),
            &o.scope,
            &o.date,
            &o.n.to_string(),
            &format_value(o.mean),
            &format_value(o.sd),
        ])
        .map_err(golden_error)?;
    }
    let bytes = w.into_inner().map_err(|e| CheckError::Golden {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(owned::write_file(path, &bytes)?)
}

/// Reads `golden.csv`: a regular file (a link is refused, so a golden pointing at
/// `/proc/self/environ` prints nothing of it) with at least one quantity, each row
/// consistent (a count of replicates, a mean exactly when there is a count, a spread that
/// is not negative). Errors show at most a short, escaped excerpt of a cell.
pub fn read_golden(path: &Path) -> Result<Vec<Observation>, CheckError> {
    if !owned::exists(path) {
        return Err(CheckError::NoGolden {
            path: path.to_path_buf(),
        });
    }
    let bytes = owned::read_bytes(path, MAX_GOLDEN_BYTES)?;
    parse_golden(&bytes, path)
}

/// The quantities of a `golden.csv` whose bytes are `bytes` (read from `path`, which
/// errors name), checked as [`read_golden`] checks them.
pub fn parse_golden(bytes: &[u8], path: &Path) -> Result<Vec<Observation>, CheckError> {
    let bad = |message: String| CheckError::Golden {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    if header != COLUMNS {
        return Err(bad(format!(
            "expected columns {}, found a first line that is not that header ({:?}); is this \
             a golden.csv written by `civitas check --bless`?",
            COLUMNS.join(","),
            owned::excerpt(&header.join(","), 40)
        )));
    }
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| bad(e.to_string()))?;
        let cell = |k: usize| owned::excerpt(&row[k], 40);
        let number = |k: usize| {
            parse_value(&row[k]).map_err(|_| {
                bad(format!(
                    "line {line}: {}: {:?} is not a number",
                    COLUMNS[k],
                    cell(k)
                ))
            })
        };
        let quantity = match &row[0] {
            "indicator" => Quantity::Indicator(row[1].parse().map_err(|_| {
                bad(format!(
                    "line {line}: name: {:?} is not an indicator",
                    cell(1)
                ))
            })?),
            "target" => Quantity::Target(parse_text_cell(&row[1]).to_string()),
            _ => {
                return Err(bad(format!(
                    "line {line}: quantity: found {:?}, expected indicator or target",
                    cell(0)
                )));
            }
        };
        let observation = Observation {
            quantity,
            scope: row[2].to_string(),
            date: row[3].to_string(),
            n: row[4]
                .parse()
                .map_err(|_| bad(format!("line {line}: n: {:?} is not a count", cell(4))))?,
            mean: number(5)?,
            sd: number(6)?,
        };
        check_row(&observation).map_err(|what| bad(format!("line {line}: {what}")))?;
        out.push(observation);
    }
    if out.is_empty() {
        return Err(bad(
            "holds no quantity to check (only its header); a golden that checks nothing \
             would pass whatever the model does: run `civitas check --bless` to record one"
                .into(),
        ));
    }
    Ok(out)
}

/// What a golden row must be to be checked: replicates with a value give a finite mean
/// and, from two replicates on, a finite spread that is not negative; none give neither.
fn check_row(o: &Observation) -> Result<(), String> {
    if o.n == 0 {
        if !o.mean.is_nan() || !o.sd.is_nan() {
            return Err("n is 0 (no replicate had a value), so mean and sd must be empty".into());
        }
        return Ok(());
    }
    if !o.mean.is_finite() {
        return Err(format!("n is {}, so mean must be a number", o.n));
    }
    if o.sd < 0.0 || o.sd.is_infinite() || (o.n >= 2 && o.sd.is_nan()) {
        return Err(format!(
            "sd: found {}, expected a standard deviation ≥ 0{}",
            format_value(o.sd),
            if o.n >= 2 { "" } else { " or empty" }
        ));
    }
    Ok(())
}
