//! Observed data: a tidy CSV of published figures a calibration fits and a backtest
//! predicts, checked against the scenario it is compared with.
//!
//! Columns (by header name, in any order): `indicator` (an indicator's name), `scope`
//! (`city`, `district:<name>`, `band:<young|middle|senior>`, or `urban` / `rural`: the
//! scenario's districts of that kind together), `date` (`YYYY-MM`, inside the run: the
//! value at the end of that month), `value` (in the indicator's unit: shares as 0–1),
//! the uncertainty as `sd` (a standard deviation ≥ 0) or as `lo` and `hi` (a 90 % range,
//! read as `sd = (hi − lo) / (2 · 1.645)`), and `source`. Every mistake is reported, each
//! with the file, line and column (the field's position, 1-based) and what was expected.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use civitas_engine::{ReplicateResult, Scope};
use civitas_results::ScopeKey;
use civitas_results::owned;
use civitas_scenario::{Band, Indicator, Scenario, Settlement, Unit, YearMonth};

/// z of a two-sided 90 % normal range, turning `lo`/`hi` into an sd.
pub const Z_90: f64 = 1.644_853_626_951_472_2;
/// Largest observed file read.
const OBSERVED_FILE_LIMIT: u64 = 16 << 20;

/// Which residents an observation describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObservedScope {
    /// A scope the engine reports (city, a district, a band), by its position.
    Reported(ScopeKey, usize),
    /// The scenario's districts of one kind together.
    Settlement(Settlement),
}

impl fmt::Display for ObservedScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObservedScope::Reported(key, _) => write!(f, "{key}"),
            ObservedScope::Settlement(Settlement::Urban) => f.write_str("urban"),
            ObservedScope::Settlement(Settlement::Rural) => f.write_str("rural"),
        }
    }
}

/// One observed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Line in the file (1-based; the header is line 1).
    pub line: usize,
    /// What was observed.
    pub indicator: Indicator,
    /// Of whom.
    pub scope: ObservedScope,
    /// When (the end of that month).
    pub date: YearMonth,
    /// The tick whose end it is compared with.
    pub tick: usize,
    /// The observed value.
    pub value: f64,
    /// Its standard deviation.
    pub sd: f64,
    /// Where it was published.
    pub source: String,
}

impl Observation {
    /// The model's value of this observation in `run`: the scope's value at the tick, or
    /// for `urban`/`rural` the districts' values weighted by their residents (summed for
    /// a total).
    pub fn simulated(&self, run: &ReplicateResult, scenario: &Scenario) -> f64 {
        match &self.scope {
            ObservedScope::Reported(_, index) => run.value(self.tick, self.indicator, *index),
            ObservedScope::Settlement(kind) => {
                let (mut sum, mut weight) = (0.0, 0.0);
                for (si, scope) in run.scopes.iter().enumerate() {
                    let Scope::District(d) = *scope else { continue };
                    if scenario.population.districts[d].kind != *kind {
                        continue;
                    }
                    let v = run.value(self.tick, self.indicator, si);
                    let people = run.value(self.tick, Indicator::Residents, si);
                    if self.indicator.is_total() {
                        sum += v;
                        weight = 1.0;
                    } else if people > 0.0 && !v.is_nan() {
                        sum += v * people;
                        weight += people;
                    }
                }
                if weight > 0.0 { sum / weight } else { f64::NAN }
            }
        }
    }

    /// `indicator scope date`, how the console and the report name it.
    pub fn label(&self) -> String {
        format!("{} {} {}", self.indicator, self.scope, self.date)
    }
}

/// One mistake in an observed file.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedProblem {
    /// Line (1-based).
    pub line: usize,
    /// Column: the field's position (1-based), 0 for the whole line.
    pub column: usize,
    /// The column's name, when known.
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Why an observed file cannot be used: every mistake found.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedError {
    /// The file.
    pub path: PathBuf,
    /// Its mistakes, in file order.
    pub problems: Vec<ObservedProblem>,
}

impl fmt::Display for ObservedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{}: {n} problem{}",
            self.path.display(),
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  {}:{}:{}", self.path.display(), p.line, p.column)?;
            if !p.field.is_empty() {
                write!(f, " ({})", p.field)?;
            }
            write!(f, ": {}", p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ObservedError {}

/// Indicators an `urban`/`rural` scope can be formed for: values over residents, which
/// the districts' residents weigh exactly.
fn over_residents(indicator: Indicator) -> bool {
    matches!(
        indicator,
        Indicator::DeviceRate
            | Indicator::AdoptionRate
            | Indicator::Satisfaction
            | Indicator::Trust
            | Indicator::YoungShare
            | Indicator::MiddleShare
            | Indicator::SeniorShare
            | Indicator::Residents
    )
}

/// Reads and checks the observed file at `path` against `scenario`.
pub fn read_observed(path: &Path, scenario: &Scenario) -> Result<Vec<Observation>, ObservedError> {
    let fail = |line, message: String| ObservedError {
        path: path.to_path_buf(),
        problems: vec![ObservedProblem {
            line,
            column: 0,
            field: String::new(),
            message,
        }],
    };
    let text = owned::read_text(path, OBSERVED_FILE_LIMIT).map_err(|e| fail(0, e.to_string()))?;
    parse_observed(&text, scenario).map_err(|problems| ObservedError {
        path: path.to_path_buf(),
        problems,
    })
}

/// Checks observed CSV `text` against `scenario` (see the module documentation).
pub fn parse_observed(
    text: &str,
    scenario: &Scenario,
) -> Result<Vec<Observation>, Vec<ObservedProblem>> {
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            return Err(vec![problem(1, 0, "", format!("unreadable header: {e}"))]);
        }
    };
    let column = |name: &str| header.iter().position(|h| h == name);
    let known = [
        "indicator",
        "scope",
        "date",
        "value",
        "sd",
        "lo",
        "hi",
        "source",
    ];
    for (i, h) in header.iter().enumerate() {
        if !known.contains(&h.as_str()) {
            problems.push(problem(
                1,
                i + 1,
                h,
                format!("unknown column {h:?}; expected {}", known.join(", ")),
            ));
        }
    }
    let mut required = vec!["indicator", "scope", "date", "value", "source"];
    let has_sd = column("sd").is_some();
    let has_range = column("lo").is_some() || column("hi").is_some();
    match (has_sd, has_range) {
        (true, true) => problems.push(problem(
            1,
            0,
            "",
            "both sd and lo/hi columns; give the uncertainty one way".into(),
        )),
        (false, false) => problems.push(problem(
            1,
            0,
            "",
            "no uncertainty column; expected sd, or lo and hi".into(),
        )),
        (false, true) => required.extend(["lo", "hi"]),
        (true, false) => {}
    }
    for name in &required {
        if column(name).is_none() {
            problems.push(problem(1, 0, "", format!("missing column {name:?}")));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let at = |name: &str| column(name).unwrap_or(0);
    let dates = scenario.scenario.tick_dates();
    let (start, end) = (scenario.scenario.start, scenario.scenario.end);
    let mut seen = BTreeSet::new();
    let mut observations = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(problem(line, 0, "", format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let before = problems.len();
        let cell = |name: &str| record.get(at(name)).unwrap_or("");
        let mut bad = |name: &str, message: String| {
            problems.push(problem(line, at(name) + 1, name, message));
        };
        let indicator = match cell("indicator").parse::<Indicator>() {
            Ok(i) => Some(i),
            Err(e) => {
                bad("indicator", e.to_string());
                None
            }
        };
        let scope = match parse_scope(cell("scope"), scenario) {
            Ok(s) => Some(s),
            Err(message) => {
                bad("scope", message);
                None
            }
        };
        if let (Some(i), Some(ObservedScope::Settlement(_))) = (indicator, &scope)
            && !over_residents(i)
        {
            bad(
                "scope",
                format!(
                    "{i} is not a value over residents, so urban and rural cannot be formed \
                     from the districts; use city, district:<name> or band:<name>"
                ),
            );
        }
        let date = match cell("date").parse::<YearMonth>() {
            Ok(d) if d < start || d > end => {
                bad(
                    "date",
                    format!("{d} is outside the run ({start} to {end}); expected a month in it"),
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                bad("date", e.to_string());
                None
            }
        };
        let number = |name: &str, bad: &mut dyn FnMut(&str, String)| -> Option<f64> {
            match cell(name).parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    bad(
                        name,
                        format!(
                            "{:?} is not a finite number",
                            owned::excerpt(cell(name), 40)
                        ),
                    );
                    None
                }
            }
        };
        let value = number("value", &mut bad);
        if let (Some(v), Some(i)) = (value, indicator)
            && i.meta().unit == Unit::Share
            && !(0.0..=1.0).contains(&v)
        {
            bad(
                "value",
                format!("{v} is not a share; {i} is written 0-1 (e.g. 0.503 for 50.3 %)"),
            );
        }
        let sd = if has_sd {
            match number("sd", &mut bad) {
                Some(s) if s < 0.0 => {
                    bad(
                        "sd",
                        format!("{s} is negative; expected a standard deviation >= 0"),
                    );
                    None
                }
                s => s,
            }
        } else {
            match (number("lo", &mut bad), number("hi", &mut bad)) {
                (Some(lo), Some(hi)) => {
                    if lo > hi {
                        bad("hi", format!("{hi} is below lo = {lo}"));
                        None
                    } else if value.is_some_and(|v| v < lo || v > hi) {
                        bad("value", format!("outside its range {lo} to {hi}"));
                        None
                    } else {
                        Some((hi - lo) / (2.0 * Z_90))
                    }
                }
                _ => None,
            }
        };
        if cell("source").is_empty() {
            bad(
                "source",
                "empty; name where the figure was published".into(),
            );
        }
        if problems.len() > before {
            continue;
        }
        let (Some(indicator), Some(scope), Some(date), Some(value), Some(sd)) =
            (indicator, scope, date, value, sd)
        else {
            continue;
        };
        let key = (indicator.name(), scope.to_string(), date);
        if !seen.insert(key) {
            problems.push(problem(
                line,
                0,
                "",
                format!("{indicator} {scope} {date} is observed twice; keep one row"),
            ));
            continue;
        }
        // The last tick that starts in the month: its end is the end of the month.
        let Some(tick) = dates
            .iter()
            .rposition(|d| d.year == date.year && d.month == date.month)
        else {
            continue;
        };
        observations.push(Observation {
            line,
            indicator,
            scope,
            date,
            tick,
            value,
            sd,
            source: cell("source").to_string(),
        });
    }
    if observations.is_empty() && problems.is_empty() {
        problems.push(problem(
            1,
            0,
            "",
            "no observations; expected at least one row".into(),
        ));
    }
    if problems.is_empty() {
        Ok(observations)
    } else {
        Err(problems)
    }
}

fn problem(line: usize, column: usize, field: &str, message: String) -> ObservedProblem {
    ObservedProblem {
        line,
        column,
        field: field.to_string(),
        message,
    }
}

/// The scope `text` names in `scenario`.
fn parse_scope(text: &str, scenario: &Scenario) -> Result<ObservedScope, String> {
    let districts = &scenario.population.districts;
    let kind = match text {
        "urban" => Some(Settlement::Urban),
        "rural" => Some(Settlement::Rural),
        _ => None,
    };
    if let Some(kind) = kind {
        if !districts.iter().any(|d| d.kind == kind) {
            return Err(format!("the scenario has no {text} district"));
        }
        return Ok(ObservedScope::Settlement(kind));
    }
    let key: ScopeKey = text.parse().map_err(|_| {
        format!(
            "unknown scope {:?}; expected city, urban, rural, district:<name> or \
             band:<young|middle|senior>",
            owned::excerpt(text, 60)
        )
    })?;
    let districts = &scenario.population.districts;
    let index = match &key {
        ScopeKey::City => 0,
        ScopeKey::District(name) => {
            let d = districts
                .iter()
                .position(|d| &d.name == name)
                .ok_or_else(|| {
                    let names: Vec<&str> = districts.iter().map(|d| d.name.as_str()).collect();
                    format!(
                        "no district {:?} in the scenario; its districts: {}",
                        owned::excerpt(name, 60),
                        names.join(", ")
                    )
                })?;
            1 + d
        }
        ScopeKey::Band(b) => {
            1 + districts.len() + Band::ALL.iter().position(|x| x == b).unwrap_or(0)
        }
        ScopeKey::Sector(_) | ScopeKey::Size(_) => {
            return Err(format!(
                "scope {:?}: observations are of residents (city, urban, rural, a district \
                 or a band), not of a group of firms",
                owned::excerpt(text, 60)
            ));
        }
    };
    Ok(ObservedScope::Reported(key, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history() -> Scenario {
        let mut s = Scenario::baseline();
        s.scenario.start = "2015-12".parse().unwrap();
        s.scenario.end = "2024-12".parse().unwrap();
        s
    }

    const HEADER: &str = "indicator,scope,date,value,sd,source\n";

    #[test]
    fn reads_every_scope_and_the_two_ways_of_uncertainty() {
        let s = history();
        let text = format!(
            "{HEADER}device_rate,city,2015-12,0.503,0.01,CNNIC 37\n\
             device_rate,rural,2018-12,0.384,0.015,CNNIC 43\n\
             adoption_rate,band:senior,2021-12,0.3,0.02,x\n\
             residents,district:Central,2020-06,800000,1000,x\n"
        );
        let obs = parse_observed(&text, &s).unwrap();
        assert_eq!(obs.len(), 4);
        assert_eq!(obs[0].tick, 0);
        assert_eq!(obs[1].scope, ObservedScope::Settlement(Settlement::Rural));
        assert_eq!(obs[2].scope.to_string(), "band:senior");
        assert_eq!(
            obs[3].scope,
            ObservedScope::Reported(ScopeKey::District("Central".into()), 1)
        );
        assert_eq!(obs[1].line, 3);
        let range =
            "indicator,scope,date,value,lo,hi,source\ndevice_rate,city,2016-12,0.5,0.4,0.6,x\n";
        let obs = parse_observed(range, &s).unwrap();
        assert!((obs[0].sd - 0.1 / Z_90).abs() < 1e-12);
    }

    #[test]
    fn every_mistake_is_named_by_line_and_column() {
        let s = history();
        let text = format!(
            "{HEADER}adoption_rat,city,2016-12,0.5,0.01,x\n\
             device_rate,suburb,2016-12,0.5,0.01,x\n\
             device_rate,city,2014-12,0.5,0.01,x\n\
             device_rate,city,2016-12,0.5,-0.01,x\n\
             device_rate,city,2016-12,50.3,0.01,x\n\
             online_service_rate,rural,2016-12,0.5,0.01,x\n\
             device_rate,district:Nowhere,2017-12,0.5,0.01,\n\
             device_rate,city,2018-12,0.5,0.01,x\n\
             device_rate,city,2018-12,0.6,0.01,x\n"
        );
        let problems = parse_observed(&text, &s).unwrap_err();
        let at: Vec<(usize, usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column, p.field.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (2, 1, "indicator"),
                (3, 2, "scope"),
                (4, 3, "date"),
                (5, 5, "sd"),
                (6, 4, "value"),
                (7, 2, "scope"),
                (8, 2, "scope"),
                (8, 6, "source"),
                (10, 0, ""),
            ],
            "{problems:#?}"
        );
        assert!(
            problems[0]
                .message
                .contains("unknown indicator \"adoption_rat\"")
        );
        assert!(
            problems[2]
                .message
                .contains("outside the run (2015-12 to 2024-12)")
        );
        assert!(problems[3].message.contains("negative"));
        assert!(
            problems[6].message.contains("Central"),
            "{}",
            problems[6].message
        );
        let e = ObservedError {
            path: "obs.csv".into(),
            problems,
        };
        assert!(
            e.to_string()
                .contains("obs.csv:5:5 (sd): -0.01 is negative"),
            "{e}"
        );
    }

    #[test]
    fn a_header_without_uncertainty_or_with_unknown_columns_is_refused() {
        let s = history();
        let p = parse_observed("indicator,scope,date,value,source,note\n", &s).unwrap_err();
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!((p[0].line, p[0].column), (1, 6));
        assert!(p[1].message.contains("expected sd, or lo and hi"));
        assert!(
            parse_observed(HEADER, &s).unwrap_err()[0]
                .message
                .contains("no observations")
        );
    }
}
