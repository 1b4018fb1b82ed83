//! Sweep designs: which lever values each point of a sweep gets, and how a lever path
//! (`policies[name=ops].amount_per_year`) sets a value in a scenario.
//!
//! Lever syntax (one `--set` each):
//! - `PATH=LO..HI:N` — N evenly spaced values from LO to HI inclusive (grid);
//! - `PATH=a,b,c` — the listed values (grid);
//! - `PATH=LO..HI` — a range for a Latin-hypercube design (`--lhs N`).
//!
//! A grid is the cartesian product of the levers, the last lever varying fastest. A Latin
//! hypercube of N points splits every range into N equal strata and puts exactly one point
//! in each stratum of each lever, at a seeded random position; the same seed gives the
//! same points.
//!
//! Paths address the resolved scenario as written in `scenario.toml`: dotted field names,
//! `[i]` for the i-th entry of a list (from 0) and `[key=value]` for the entry of a list
//! whose `key` field equals `value` (e.g. `departments[name=Civil Affairs]`).

use civitas_scenario::Scenario;
use serde_json::Value;

use crate::error::{BatchError, LeverError};

/// One step of a lever path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// A field of a table.
    Field(String),
    /// The i-th entry of a list.
    Index(usize),
    /// The entry of a list whose `key` equals `value`.
    Select { key: String, value: String },
}

/// The values one lever takes.
#[derive(Debug, Clone, PartialEq)]
enum LeverValues {
    /// `LO..HI`, with a point count for grids.
    Range {
        lo: f64,
        hi: f64,
        count: Option<usize>,
    },
    /// `a,b,c`.
    List(Vec<f64>),
}

/// One `--set` lever: a scenario path and the values it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever {
    text: String,
    path: String,
    steps: Vec<Step>,
    values: LeverValues,
}

impl Lever {
    /// Parses `PATH=SPEC` (see the module documentation).
    pub fn parse(text: &str) -> Result<Lever, BatchError> {
        let err = |problem| BatchError::lever(text, problem);
        let eq = top_level_equals(text).ok_or_else(|| err(LeverError::NoEquals))?;
        let (path, spec) = (text[..eq].trim(), text[eq + 1..].trim());
        let steps = parse_path(path).map_err(err)?;
        let values = parse_values(spec).map_err(err)?;
        Ok(Lever {
            text: text.to_string(),
            path: path.to_string(),
            steps,
            values,
        })
    }

    /// A lever that only addresses `path` (no values), to re-apply stored point values.
    pub(crate) fn for_path(path: &str) -> Result<Lever, BatchError> {
        let steps = parse_path(path).map_err(|problem| BatchError::lever(path, problem))?;
        Ok(Lever {
            text: path.to_string(),
            path: path.to_string(),
            steps,
            values: LeverValues::List(Vec::new()),
        })
    }

    /// The scenario path this lever sets, e.g. `policies[name=ops].amount_per_year`; used
    /// as the lever's column name.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Grid values of this lever.
    fn grid_values(&self) -> Result<Vec<f64>, BatchError> {
        match &self.values {
            LeverValues::List(v) => Ok(v.clone()),
            LeverValues::Range {
                lo,
                hi,
                count: Some(n),
            } => Ok(linspace(*lo, *hi, *n)),
            LeverValues::Range { count: None, .. } => Err(BatchError::lever(
                self.text.clone(),
                LeverError::RangeWithoutCount,
            )),
        }
    }

    /// The number this lever's path names in `scenario` (a serialized [`Scenario`]); an
    /// error when the path names nothing or something other than a number.
    pub(crate) fn read(&self, scenario: &Value) -> Result<f64, LeverError> {
        let mut probe = scenario.clone();
        // Setting a value finds the place exactly as `set` would, with its errors for
        // every step but a missing last field (which `set` may add).
        set_path(&mut probe, &self.steps, 0.0)?;
        let mut node = scenario;
        let mut here = String::new();
        for step in &self.steps {
            let next = match step {
                Step::Field(name) => {
                    let found = node.get(name);
                    if found.is_none() {
                        let fields = node
                            .as_object()
                            .map(|m| m.keys().cloned().collect())
                            .unwrap_or_default();
                        return Err(LeverError::NoSuchField {
                            at: here,
                            field: name.clone(),
                            fields,
                        });
                    }
                    here = format!("{here}{}{name}", dot(&here));
                    found
                }
                Step::Index(k) => node.get(*k),
                Step::Select { key, value } => node.as_array().and_then(|items| {
                    items.iter().find(|item| match item.get(key) {
                        Some(Value::String(s)) => s == value,
                        Some(Value::Number(n)) => n.to_string() == *value,
                        _ => false,
                    })
                }),
            };
            // `set_path` above already refused a missing index or entry.
            node = next.unwrap_or(&Value::Null);
        }
        node.as_f64().ok_or(LeverError::NotANumberField {
            at: self.path.clone(),
        })
    }

    /// Sets this lever to `value` in `scenario` (a serialized [`Scenario`]).
    fn set(&self, scenario: &mut Value, value: f64) -> Result<(), BatchError> {
        set_path(scenario, &self.steps, value)
            .map_err(|problem| BatchError::lever(self.path.clone(), problem))
    }
}

/// How the points of a sweep are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Design {
    /// Cartesian product of every lever's values.
    Grid,
    /// Latin hypercube of this many points over the levers' ranges.
    LatinHypercube(usize),
    /// Points given one by one (e.g. a sensitivity-analysis design).
    Explicit(Vec<Vec<f64>>),
}

/// A sweep: levers and the design that combines their values into points.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    levers: Vec<Lever>,
    design: Design,
}

impl Sweep {
    /// A sweep from `--set` texts; `lhs` asks for a Latin hypercube of that many points.
    pub fn parse(sets: &[String], lhs: Option<usize>) -> Result<Sweep, BatchError> {
        if sets.is_empty() {
            return Err(BatchError::lever("", LeverError::NoLevers));
        }
        let levers = sets
            .iter()
            .map(|s| Lever::parse(s))
            .collect::<Result<Vec<_>, _>>()?;
        // Each lever one column: a second setting of one field would be written as a
        // column whose values never took effect.
        for (i, l) in levers.iter().enumerate() {
            if let Some(first) = levers[..i].iter().find(|f| f.steps == l.steps) {
                return Err(BatchError::lever(
                    l.text.clone(),
                    LeverError::SetTwice {
                        first: first.text.clone(),
                    },
                ));
            }
        }
        let design = match lhs {
            None => Design::Grid,
            Some(0) => {
                return Err(BatchError::lever("--lhs", LeverError::NoHypercubePoints));
            }
            Some(n) => {
                for l in &levers {
                    if !matches!(l.values, LeverValues::Range { count: None, .. }) {
                        return Err(BatchError::lever(
                            l.text.clone(),
                            LeverError::HypercubeNeedsRange,
                        ));
                    }
                }
                Design::LatinHypercube(n)
            }
        };
        Ok(Sweep { levers, design })
    }

    /// A sweep over the given points: `points[i][j]` is the value of `paths[j]` at point
    /// `i` (a design computed elsewhere, such as Saltelli's or Morris's).
    pub fn explicit(paths: &[String], points: Vec<Vec<f64>>) -> Result<Sweep, BatchError> {
        let levers = paths
            .iter()
            .map(|p| Lever::for_path(p))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(bad) = points.iter().find(|p| p.len() != levers.len()) {
            return Err(BatchError::lever(
                paths.join(", "),
                LeverError::PointLength {
                    values: bad.len(),
                    levers: levers.len(),
                },
            ));
        }
        Ok(Sweep {
            levers,
            design: Design::Explicit(points),
        })
    }

    /// The levers, in column order.
    pub fn levers(&self) -> &[Lever] {
        &self.levers
    }

    /// Number of points (saturating), computed without building them.
    pub fn point_count(&self) -> u64 {
        match &self.design {
            Design::Grid => self.levers.iter().fold(1u64, |n, l| {
                let values = match &l.values {
                    LeverValues::List(v) => v.len() as u64,
                    LeverValues::Range { count, .. } => count.unwrap_or(1) as u64,
                };
                n.saturating_mul(values)
            }),
            Design::LatinHypercube(n) => *n as u64,
            Design::Explicit(points) => points.len() as u64,
        }
    }

    /// Lever values of every point; `seed` drives the Latin hypercube. At most
    /// [`crate::MAX_SWEEP_POINTS`] points.
    pub fn points(&self, seed: u64) -> Result<Vec<Vec<f64>>, BatchError> {
        let count = self.point_count();
        if count > crate::limits::MAX_SWEEP_POINTS as u64 {
            return Err(BatchError::TooBig(format!(
                "the sweep has {count} points, more than the {} a sweep may have; \
                 use fewer values per lever or a smaller --lhs",
                crate::limits::MAX_SWEEP_POINTS
            )));
        }
        match &self.design {
            Design::Grid => {
                let axes = self
                    .levers
                    .iter()
                    .map(Lever::grid_values)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(cartesian(&axes))
            }
            Design::LatinHypercube(n) => {
                let ranges: Vec<(f64, f64)> = self
                    .levers
                    .iter()
                    .map(|l| match l.values {
                        LeverValues::Range { lo, hi, .. } => (lo, hi),
                        // Sweep::parse only admits ranges with --lhs.
                        LeverValues::List(_) => (f64::NAN, f64::NAN),
                    })
                    .collect();
                let paths: Vec<&str> = self.levers.iter().map(|l| l.path.as_str()).collect();
                Ok(latin_hypercube(&ranges, &paths, *n, seed))
            }
            Design::Explicit(points) => Ok(points.clone()),
        }
    }

    /// The scenario of one point: `base` with every lever set to its value, validated.
    pub fn apply(&self, base: &Scenario, values: &[f64]) -> Result<Scenario, BatchError> {
        apply_levers(base, &self.levers, values)
    }
}

/// `base` with each lever set to the matching value, deserialized back and validated.
pub(crate) fn apply_levers(
    base: &Scenario,
    levers: &[Lever],
    values: &[f64],
) -> Result<Scenario, BatchError> {
    let mut tree =
        serde_json::to_value(base).map_err(|e| BatchError::lever("", LeverError::Represent(e)))?;
    for (lever, &v) in levers.iter().zip(values) {
        lever.set(&mut tree, v)?;
    }
    let describe = || {
        levers
            .iter()
            .zip(values)
            .map(|(l, v)| format!("{}={v}", l.path))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let scenario: Scenario = serde_json::from_value(tree)
        .map_err(|e| BatchError::lever(describe(), LeverError::Unreadable(e)))?;
    scenario
        .check()
        .map_err(|e| BatchError::lever(describe(), LeverError::Invalid(e)))?;
    Ok(scenario)
}

/// Position of the first `=` outside `[...]` (selectors contain `=` themselves).
fn top_level_equals(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '=' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_path(path: &str) -> Result<Vec<Step>, LeverError> {
    let mut steps = Vec::new();
    let mut rest = path;
    if rest.is_empty() {
        return Err(LeverError::EmptyPath);
    }
    loop {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty() {
            return Err(LeverError::NoFieldName { path: path.into() });
        }
        steps.push(Step::Field(name.to_string()));
        rest = &rest[end..];
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner
                .find(']')
                .ok_or_else(|| LeverError::Unclosed { path: path.into() })?;
            let selector = &inner[..close];
            steps.push(match selector.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => Step::Select {
                    key: k.trim().to_string(),
                    value: v.trim().to_string(),
                },
                _ => Step::Index(
                    selector
                        .trim()
                        .parse()
                        .map_err(|_| LeverError::BadSelector {
                            path: path.into(),
                            selector: selector.into(),
                        })?,
                ),
            });
            rest = &inner[close + 1..];
        }
        if rest.is_empty() {
            return Ok(steps);
        }
        rest = rest
            .strip_prefix('.')
            .ok_or_else(|| LeverError::NoSeparator {
                path: path.into(),
                field: name.into(),
            })?;
    }
}

fn parse_number(text: &str) -> Result<f64, LeverError> {
    let text = text.trim();
    let v: f64 = text
        .parse()
        .map_err(|_| LeverError::NotANumber(text.into()))?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(LeverError::NotFinite(text.into()))
    }
}

fn parse_values(spec: &str) -> Result<LeverValues, LeverError> {
    if spec.is_empty() {
        return Err(LeverError::NoValues);
    }
    if let Some(dots) = spec.find("..") {
        let (range, count) = match spec.rsplit_once(':') {
            Some((r, n)) => {
                let n: usize = n
                    .trim()
                    .parse()
                    .map_err(|_| LeverError::NotACount(n.trim().into()))?;
                if n == 0 {
                    return Err(LeverError::NoGridPoints);
                }
                (r, Some(n))
            }
            None => (spec, None),
        };
        let lo = parse_number(&range[..dots])?;
        let hi = parse_number(&range[dots + 2..])?;
        return Ok(LeverValues::Range { lo, hi, count });
    }
    spec.split(',')
        .map(parse_number)
        .collect::<Result<Vec<_>, _>>()
        .map(LeverValues::List)
}

/// `n` evenly spaced values from `lo` to `hi` inclusive.
fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![lo];
    }
    (0..n)
        .map(|k| {
            if k == n - 1 {
                hi
            } else {
                lo + (hi - lo) * k as f64 / (n - 1) as f64
            }
        })
        .collect()
}

fn cartesian(axes: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut points = vec![Vec::new()];
    for axis in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                axis.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect();
    }
    points
}

/// Tag mixed into the seed so the hypercube's stream differs from the replicates'.
const LHS_STREAM_TAG: u64 = 0x4C48_535F_5357_4550;

/// A Latin hypercube of `n` points over `ranges`, one column per lever path: the
/// seeded, counter-based design of [`civitas_uncertainty::latin_hypercube`] (keyed by the
/// path, so adding a lever leaves the others' columns unchanged), scaled to each range.
fn latin_hypercube(ranges: &[(f64, f64)], paths: &[&str], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let design = civitas_uncertainty::latin_hypercube(seed ^ LHS_STREAM_TAG, paths, n);
    (0..n)
        .map(|r| {
            ranges
                .iter()
                .zip(&design)
                .map(|(&(lo, hi), column)| lo + (hi - lo) * column[r])
                .collect()
        })
        .collect()
}

fn set_path(root: &mut Value, steps: &[Step], value: f64) -> Result<(), LeverError> {
    let mut node = root;
    let mut here = String::new();
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        match step {
            Step::Field(name) => {
                let Value::Object(map) = node else {
                    return Err(LeverError::NotATable {
                        at: here,
                        field: name.clone(),
                    });
                };
                let field = format!("{here}{}{name}", dot(&here));
                if last {
                    let slot = map.entry(name.clone()).or_insert(Value::Null);
                    return write_number(slot, value, field);
                }
                let fields: Vec<String> = map.keys().cloned().collect();
                node = map.get_mut(name).ok_or_else(|| LeverError::NoSuchField {
                    at: here,
                    field: name.clone(),
                    fields,
                })?;
                here = field;
            }
            Step::Index(k) => {
                let Value::Array(items) = node else {
                    return Err(LeverError::NotAList { at: here });
                };
                let len = items.len();
                node = items.get_mut(*k).ok_or_else(|| LeverError::NoSuchIndex {
                    at: here.clone(),
                    len,
                    index: *k,
                })?;
                here = format!("{here}[{k}]");
            }
            Step::Select { key, value: want } => {
                let Value::Array(items) = node else {
                    return Err(LeverError::NotAList { at: here });
                };
                let label = |item: &Value| match item.get(key) {
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                };
                let found: Vec<String> = items.iter().filter_map(label).collect();
                node = items
                    .iter_mut()
                    .find(|item| label(item).as_deref() == Some(want.as_str()))
                    .ok_or_else(|| LeverError::NoSuchEntry {
                        at: here.clone(),
                        key: key.clone(),
                        value: want.clone(),
                        found,
                    })?;
                here = format!("{here}[{key}={want}]");
            }
        }
        if last {
            return write_number(node, value, here);
        }
    }
    Ok(())
}

fn dot(here: &str) -> &'static str {
    if here.is_empty() { "" } else { "." }
}

/// Stores `value` in `slot` (the field `at`), keeping integer fields integers.
fn write_number(slot: &mut Value, value: f64, at: String) -> Result<(), LeverError> {
    match slot {
        Value::Number(n) if n.is_u64() || n.is_i64() => {
            if value.fract() != 0.0 || value.abs() > 9.0e15 {
                return Err(LeverError::NotWhole { at, value });
            }
            *slot = if value >= 0.0 {
                Value::from(value as u64)
            } else {
                Value::from(value as i64)
            };
            Ok(())
        }
        Value::Number(_) | Value::Null => {
            *slot = serde_json::Number::from_f64(value)
                .map(Value::Number)
                .ok_or(LeverError::CannotHold { at, value })?;
            Ok(())
        }
        other => Err(LeverError::NotNumeric {
            at,
            holds: match other {
                Value::Bool(_) => "a true/false switch",
                Value::String(_) => "text",
                Value::Array(_) => "a list",
                _ => "a table",
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline() -> Scenario {
        Scenario::baseline()
    }

    #[test]
    fn grid_is_the_cartesian_product_last_lever_fastest() {
        let sweep = Sweep::parse(
            &[
                "policies[name=ops].amount_per_year=0..3e8:4".into(),
                "population.bands.senior.bass_p=0.01,0.02".into(),
            ],
            None,
        )
        .unwrap();
        let points = sweep.points(1).unwrap();
        assert_eq!(points.len(), 8);
        assert_eq!(points[0], vec![0.0, 0.01]);
        assert_eq!(points[1], vec![0.0, 0.02]);
        assert_eq!(points[7], vec![3e8, 0.02]);
        assert_eq!(points[2][0], 1e8);
    }

    #[test]
    fn levers_set_fields_by_name_and_index() {
        let sweep = Sweep::parse(
            &[
                "policies[name=ops].amount_per_year=5e7".into(),
                "departments[0].capacity_per_month=1234".into(),
                "population.agents=500".into(),
            ],
            None,
        )
        .unwrap();
        let base = baseline();
        let s = sweep.apply(&base, &sweep.points(0).unwrap()[0]).unwrap();
        let ops = s.policies.iter().find(|p| p.name() == "ops").unwrap();
        assert_eq!(ops.amount_per_year(), Some(5e7));
        assert_eq!(s.departments[0].capacity_per_month, 1234.0);
        assert_eq!(s.population.agents, 500);
    }

    #[test]
    fn bad_levers_name_the_problem() {
        let base = baseline();
        let cases = [
            (
                "policies[name=opz].amount_per_year=1",
                "no entry of `policies`",
            ),
            ("policies[name=ops].amount_per_yer=1", "amount_per_yer"),
            (
                "populaton.agents=5",
                "the scenario has no field `populaton`",
            ),
            (
                "population.agentz.x=5",
                "`population` has no field `agentz`",
            ),
            ("departments[99].digitization=0.5", "there is no [99]"),
            ("population.agents=2.5", "whole number"),
            ("scenario.name=3", "text, not a number"),
        ];
        for (text, expected) in cases {
            let err = Sweep::parse(&[text.to_string()], None)
                .and_then(|s| s.apply(&base, &s.points(0)?[0]))
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
        for text in ["nolever", "a.b=", "a.b=x,y", "a[=1", "a.b=1..2:0"] {
            assert!(Sweep::parse(&[text.to_string()], None).is_err(), "{text}");
        }
        let range = Sweep::parse(&["a.b=0..1".into()], None).unwrap();
        assert!(range.points(0).unwrap_err().to_string().contains("--lhs"));
        assert!(Sweep::parse(&["a.b=1,2".into()], Some(4)).is_err());
        assert!(Sweep::parse(&["a.b=1..2:3".into()], Some(4)).is_err());
    }

    #[test]
    fn lever_errors_keep_their_kind_and_cause() {
        let base = baseline();
        let apply = |text: &str| {
            let sweep = Sweep::parse(&[text.to_string()], None).unwrap();
            sweep
                .apply(&base, &sweep.points(0).unwrap()[0])
                .unwrap_err()
        };
        let err = apply("departments[99].digitization=0.5");
        assert!(
            matches!(&err, BatchError::Lever { problem, .. }
                if matches!(**problem, LeverError::NoSuchIndex { index: 99, .. })),
            "{err:?}"
        );
        // A value the scenario's rules refuse: the validation error is the cause, typed.
        let err = apply("population.agents=0");
        let BatchError::Lever { problem, .. } = &err else {
            panic!("{err:?}");
        };
        let LeverError::Invalid(cause) = &**problem else {
            panic!("{err:?}");
        };
        assert!(err.to_string().contains("population.agents"), "{err}");
        let source = std::error::Error::source(&err).unwrap();
        let scenario_error = std::error::Error::source(source).unwrap();
        assert_eq!(scenario_error.to_string(), cause.to_string());
        assert!(scenario_error.is::<civitas_scenario::ScenarioError>());
    }

    #[test]
    fn latin_hypercube_fills_every_stratum_once_and_is_seeded() {
        let sweep = Sweep::parse(&["a.x=0..10".into(), "a.y=-1..1".into()], Some(10)).unwrap();
        let points = sweep.points(42).unwrap();
        assert_eq!(points.len(), 10);
        for (j, (lo, hi)) in [(0.0, 10.0), (-1.0, 1.0)].into_iter().enumerate() {
            let mut strata: Vec<usize> = points
                .iter()
                .map(|p| ((p[j] - lo) / (hi - lo) * 10.0).floor() as usize)
                .collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
        assert_eq!(points, sweep.points(42).unwrap());
        assert_ne!(points, sweep.points(43).unwrap());
    }
}
