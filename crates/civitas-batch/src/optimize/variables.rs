//! Decision variables of `civitas optimize` (`--var PATH=LO..HI`), the budget constraint
//! that ties them together, and the map from the search's unit cube to an allocation that
//! respects both.
//!
//! A variable is a policy's money (`policies[name=ops].amount_per_year`), the budget's
//! total (`budget.total_per_year`) or a budget share (`budget.shares.<policy>`); the field
//! must exist in the resolved scenario, whose value there is "the file's split" every
//! candidate is compared with.

use civitas_scenario::Scenario;
use serde_json::Value;

use crate::error::BatchError;
use crate::sweep::{Lever, apply_levers};

/// What a variable's number is, which decides its resolution and the constraint it may
/// enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    /// Money per year (CNY): rounded to whole yuan.
    Money,
    /// A `[budget]` share in [0, 1]: rounded to 1e-6.
    Share,
}

/// One `--var PATH=LO..HI`.
#[derive(Debug, Clone)]
pub struct Variable {
    /// The flag's text, for errors.
    pub text: String,
    /// The scenario path it sets.
    pub lever: Lever,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// Money or share.
    pub kind: VariableKind,
    /// Its value in the scenario file (the file's split).
    pub file_value: f64,
    /// `PATH=LO..HI:STEP`: values are `LO` plus whole multiples of the step.
    pub step: Option<f64>,
}

impl Variable {
    /// The scenario path, e.g. `policies[name=ops].amount_per_year`.
    pub fn path(&self) -> &str {
        self.lever.path()
    }

    /// Steps per unit: values are whole multiples of its inverse (dividing by an exact
    /// integer gives the nearest float to the decimal, 0.2 and not 0.19999999999999998).
    fn steps_per_unit(&self) -> f64 {
        match self.kind {
            VariableKind::Money => 1.0,
            VariableKind::Share => 1e6,
        }
    }
}

/// How the variables are tied together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Constraint {
    /// Each variable within its bounds, nothing more.
    Bounds,
    /// The variables sum to exactly this (`--total`).
    Total(f64),
    /// Budget shares beside a `remainder` policy: the variables sum to at most this (1
    /// less the shares not searched); the remainder takes the rest.
    SharesAtMost(f64),
}

fn flag_error(flag: impl Into<String>, message: impl Into<String>) -> BatchError {
    BatchError::Optimize {
        flag: flag.into(),
        message: message.into(),
    }
}

/// Parses every `--var` against `base`: the range, the path (which must name an existing
/// number of a policy or of `[budget]`), and that the scenario stays valid at both bounds.
pub fn parse_variables(base: &Scenario, texts: &[String]) -> Result<Vec<Variable>, BatchError> {
    if texts.is_empty() {
        return Err(flag_error(
            "--var",
            "no decision variable: give at least one --var PATH=LO..HI, e.g. \
             --var 'policies[name=ops].amount_per_year=0..3e8'",
        ));
    }
    let tree = serde_json::to_value(base)
        .map_err(|e| flag_error("--var", format!("cannot represent the scenario: {e}")))?;
    let mut vars: Vec<Variable> = Vec::with_capacity(texts.len());
    for text in texts {
        let var = parse_variable(base, &tree, text)?;
        if let Some(first) = vars.iter().find(|v| v.path() == var.path()) {
            return Err(flag_error(
                format!("--var '{text}'"),
                format!("sets the same field as --var '{}'", first.text),
            ));
        }
        vars.push(var);
    }
    Ok(vars)
}

fn parse_variable(base: &Scenario, tree: &Value, text: &str) -> Result<Variable, BatchError> {
    let flag = format!("--var '{text}'");
    let err = |m: String| flag_error(flag.clone(), m);
    let (path, range) = split_top_level(text).ok_or_else(|| {
        err("expected PATH=LO..HI, e.g. policies[name=ops].amount_per_year=0..3e8".into())
    })?;
    let (range, step_text) = match range.rsplit_once(':') {
        Some((r, step)) => (r, Some(step)),
        None => (range, None),
    };
    let (lo_text, hi_text) = range.split_once("..").ok_or_else(|| {
        err(format!(
            "expected a range LO..HI after `=`, found `{range}`"
        ))
    })?;
    let number = |t: &str| -> Result<f64, BatchError> {
        let t = t.trim();
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(err(format!("`{t}` is not a finite number"))),
        }
    };
    let (lo, hi) = (number(lo_text)?, number(hi_text)?);
    if lo > hi {
        return Err(err(format!(
            "the lower bound {lo} is above the upper bound {hi}"
        )));
    }
    if lo == hi {
        return Err(err(format!(
            "the range {lo}..{hi} is a single value; fix it in the scenario instead"
        )));
    }
    let step = match step_text {
        None => None,
        Some(t) => {
            let step = number(t)?;
            if step <= 0.0 || step > hi - lo {
                return Err(err(format!(
                    "the step {step} is not within 0..{} (the range's width)",
                    hi - lo
                )));
            }
            Some(step)
        }
    };
    let kind = if path.starts_with("budget.shares.") {
        VariableKind::Share
    } else if (path.starts_with("policies[name=") && path.ends_with("].amount_per_year"))
        || path == "budget.total_per_year"
    {
        VariableKind::Money
    } else {
        return Err(err(
            "a decision variable is a policy's money (policies[name=NAME].amount_per_year), \
             a budget share (budget.shares.NAME) or budget.total_per_year"
                .into(),
        ));
    };
    if kind == VariableKind::Share && (lo < 0.0 || hi > 1.0) {
        return Err(err(format!(
            "a share lies in 0..1; the range {lo}..{hi} leaves it"
        )));
    }
    if kind == VariableKind::Money && lo < 0.0 {
        return Err(err(format!("money cannot be negative (lower bound {lo})")));
    }
    let lever = Lever::for_path(path).map_err(|e| err(e.to_string()))?;
    let file_value = lever
        .read(tree)
        .map_err(|e| err(format!("names no number in the scenario: {e}")))?;
    // Shares are checked together (see `constraint`): one share at its bound beside the
    // file's others may overfill the budget although the search never asks that.
    let ends: &[f64] = if kind == VariableKind::Share {
        &[]
    } else {
        &[lo, hi]
    };
    for &end in ends {
        apply_levers(base, std::slice::from_ref(&lever), &[end])
            .map_err(|e| err(format!("the scenario is not valid at {end}: {e}")))?;
    }
    Ok(Variable {
        text: text.to_string(),
        lever,
        lo,
        hi,
        kind,
        file_value,
        step,
    })
}

/// `PATH` and `SPEC` of `PATH=SPEC`, split at the first `=` outside `[...]`.
fn split_top_level(text: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '=' if depth == 0 => return Some((text[..i].trim(), text[i + 1..].trim())),
            _ => {}
        }
    }
    None
}

/// The constraint of `vars` in `base`: `--total` (given, or `None` for none), or what the
/// budget's shares leave; errors name the flag when it cannot be met within the bounds.
pub fn constraint(
    base: &Scenario,
    vars: &[Variable],
    total: Option<f64>,
) -> Result<Constraint, BatchError> {
    let lo_sum: f64 = vars.iter().map(|v| v.lo).sum();
    let hi_sum: f64 = vars.iter().map(|v| v.hi).sum();
    let shares = vars.iter().any(|v| v.kind == VariableKind::Share);
    if shares {
        if let Some(v) = vars.iter().find(|v| v.kind != VariableKind::Share) {
            return Err(flag_error(
                format!("--var '{}'", v.text),
                "shares and money cannot be searched together; search the shares, or \
                 the amounts of a scenario without [budget]",
            ));
        }
        if total.is_some() {
            return Err(flag_error(
                "--total",
                "budget shares already sum to at most 1; --total applies to money variables",
            ));
        }
        let Some(budget) = &base.budget else {
            return Err(flag_error("--var", "the scenario has no [budget] to share"));
        };
        let searched: Vec<&str> = vars
            .iter()
            .filter_map(|v| v.path().strip_prefix("budget.shares."))
            .collect();
        let fixed: f64 = budget
            .shares
            .iter()
            .filter(|(name, _)| !searched.contains(&name.as_str()))
            .map(|(_, share)| share)
            .sum();
        let cap = 1.0 - fixed;
        let list: Vec<&str> = vars.iter().map(|v| v.text.as_str()).collect();
        let left = if fixed > 0.0 {
            format!("the {cap} the other shares leave")
        } else {
            "1".to_string()
        };
        if lo_sum > cap + 1e-12 {
            return Err(flag_error(
                "--var",
                format!(
                    "the shares' lower bounds sum to {lo_sum}, past {left} ({})",
                    list.join(", ")
                ),
            ));
        }
        if budget.remainder.is_some() {
            return Ok(Constraint::SharesAtMost(cap));
        }
        // Without a remainder the shares sum to exactly 1.
        if hi_sum < cap - 1e-12 {
            return Err(flag_error(
                "--var",
                format!(
                    "the shares' upper bounds sum to {hi_sum}, short of {left}, which they \
                     must fill without a [budget] remainder ({})",
                    list.join(", ")
                ),
            ));
        }
        if vars.iter().all(|v| v.step.is_some()) {
            return Err(flag_error(
                "--var",
                "every share has a step, so they cannot fill the budget exactly without a \
                 [budget] remainder; leave one without a step",
            ));
        }
        return Ok(Constraint::Total(cap));
    }
    match total {
        None => Ok(Constraint::Bounds),
        Some(t) if !t.is_finite() || t < 0.0 => Err(flag_error(
            "--total",
            format!("{t} is not a non-negative amount"),
        )),
        Some(t) if t < lo_sum || t > hi_sum => Err(flag_error(
            "--total",
            format!(
                "{t} cannot be split within the bounds: the variables' bounds sum to \
                 {lo_sum}..{hi_sum}"
            ),
        )),
        Some(_) if vars.iter().all(|v| v.step.is_some()) => Err(flag_error(
            "--total",
            "every --var has a step, so the total cannot be kept exactly; leave one without \
             a step to take the rounding",
        )),
        Some(t) => Ok(Constraint::Total(t)),
    }
}

/// The file's own total of `vars` (what `--total` without a value keeps).
pub fn file_total(vars: &[Variable]) -> f64 {
    vars.iter().map(|v| v.file_value).sum()
}

/// The allocation of a point `u` of the search's space (each coordinate 0 at the lower,
/// 1 at the upper bound) and its distance to the feasible set, squared (the search's
/// penalty for asking outside it): clipped to the bounds, projected onto the constraint
/// (each variable moved in proportion to its range), rounded to each variable's
/// resolution with the rounding's remainder given to the first variable with room.
pub fn decode(vars: &[Variable], constraint: Constraint, u: &[f64]) -> (Vec<f64>, f64) {
    let width: Vec<f64> = vars.iter().map(|v| v.hi - v.lo).collect();
    let raw: Vec<f64> = vars
        .iter()
        .zip(u)
        .map(|(v, &t)| v.lo + t * (v.hi - v.lo))
        .collect();
    let clipped = |shift: f64| -> Vec<f64> {
        vars.iter()
            .zip(&raw)
            .zip(&width)
            .map(|((v, &y), &w)| (y - shift * w).clamp(v.lo, v.hi))
            .collect()
    };
    let target = match constraint {
        Constraint::Bounds => None,
        Constraint::Total(t) => Some(t),
        Constraint::SharesAtMost(cap) => {
            let sum: f64 = clipped(0.0).iter().sum();
            (sum > cap).then_some(cap)
        }
    };
    let mut x = match target {
        None => clipped(0.0),
        Some(t) => {
            // The sum falls as the shift rises; bisect the shift that meets the target.
            let (mut lo, mut hi) = (-2.0, 2.0);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if clipped(mid).iter().sum::<f64>() > t {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            clipped(0.5 * (lo + hi))
        }
    };
    for (xi, v) in x.iter_mut().zip(vars) {
        if let Some(step) = v.step {
            // The last whole step at or below the upper bound.
            let most = ((v.hi - v.lo) / step + 1e-9).floor();
            *xi = v.lo + ((*xi - v.lo) / step).round().clamp(0.0, most) * step;
        }
        let k = v.steps_per_unit();
        *xi = ((*xi * k).round() / k).clamp(v.lo, v.hi);
    }
    if let Some(t) = target {
        // The rounding's remainder goes to a variable without a step (`constraint`
        // makes sure there is one).
        let residual = t - x.iter().sum::<f64>();
        let room = |i: usize| {
            vars[i].step.is_none() && x[i] + residual >= vars[i].lo && x[i] + residual <= vars[i].hi
        };
        if let Some(i) = (0..vars.len()).find(|&i| residual != 0.0 && room(i)) {
            x[i] += residual;
        }
    }
    let penalty = vars
        .iter()
        .zip(&x)
        .zip(u)
        .map(|((v, &xi), &t)| {
            let d = t - (xi - v.lo) / (v.hi - v.lo);
            d * d
        })
        .sum();
    (x, penalty)
}

/// The point of the search's space that decodes to `x` (each coordinate in [0, 1]).
pub fn encode(vars: &[Variable], x: &[f64]) -> Vec<f64> {
    vars.iter()
        .zip(x)
        .map(|(v, &xi)| ((xi - v.lo) / (v.hi - v.lo)).clamp(0.0, 1.0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(lo: f64, hi: f64) -> Variable {
        Variable {
            text: "x".into(),
            lever: Lever::for_path("policies[name=ops].amount_per_year").unwrap(),
            lo,
            hi,
            kind: VariableKind::Money,
            file_value: lo,
            step: None,
        }
    }

    #[test]
    fn decoding_meets_the_total_within_the_bounds() {
        let vars = [money(0.0, 100.0), money(10.0, 50.0), money(0.0, 1000.0)];
        let c = Constraint::Total(300.0);
        for u in [
            [0.0, 0.0, 0.0],
            [1.0, 1.0, 1.0],
            [0.3, 2.0, -1.0],
            [0.5, 0.5, 0.5],
        ] {
            let (x, _) = decode(&vars, c, &u);
            assert_eq!(x.iter().sum::<f64>(), 300.0, "{x:?}");
            for (xi, v) in x.iter().zip(&vars) {
                assert!(*xi >= v.lo && *xi <= v.hi, "{x:?}");
            }
        }
        // A feasible point inside the bounds is kept and costs nothing.
        let u = encode(&vars, &[100.0, 50.0, 150.0]);
        let (x, penalty) = decode(&vars, c, &u);
        assert_eq!(x, vec![100.0, 50.0, 150.0]);
        assert!(penalty < 1e-12);
    }

    #[test]
    fn steps_round_to_whole_multiples_and_the_rest_keeps_the_total() {
        let stepped = Variable {
            step: Some(25e6),
            ..money(0.0, 1e8)
        };
        let vars = [stepped.clone(), money(0.0, 2e8)];
        let (x, _) = decode(&vars, Constraint::Total(1.5e8), &[0.37, 0.6]);
        assert_eq!(x[0] % 25e6, 0.0, "{x:?}");
        assert_eq!(x[0] + x[1], 1.5e8);
        let e = constraint(
            &Scenario::baseline(),
            &[stepped.clone(), stepped],
            Some(1e8),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("--total: every --var has a step"), "{e}");
    }

    #[test]
    fn shares_past_one_are_scaled_back() {
        let share = |lo, hi| Variable {
            kind: VariableKind::Share,
            ..money(lo, hi)
        };
        let vars = [share(0.0, 0.8), share(0.1, 0.9)];
        let (x, penalty) = decode(&vars, Constraint::SharesAtMost(1.0), &[1.0, 1.0]);
        assert!((x.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{x:?}");
        assert!(penalty > 0.0);
        let (x, _) = decode(&vars, Constraint::SharesAtMost(1.0), &[0.25, 0.0]);
        assert_eq!(x, vec![0.2, 0.1]);
    }

    #[test]
    fn infeasible_totals_and_bounds_name_their_flag() {
        let vars = [money(0.0, 100.0), money(0.0, 100.0)];
        let base = Scenario::baseline();
        let e = constraint(&base, &vars, Some(250.0))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("--total: 250 cannot be split"), "{e}");
        let share = |lo, hi| Variable {
            kind: VariableKind::Share,
            ..money(lo, hi)
        };
        let e = constraint(&base, &[share(0.6, 0.9), share(0.5, 0.7)], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("budget"), "{e}");
    }
}
