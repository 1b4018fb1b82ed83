//! Semantic rules a parsed scenario must satisfy; every broken rule is collected, not only
//! the first.
//!
//! The rules, so that the engine never re-checks input:
//! - shares (districts, bands, each district's `age_mix`) sum to 1 within [`SHARE_SUM_TOLERANCE`];
//! - references to departments, districts and bands name ones that exist;
//! - policy, shock and target dates lie inside the horizon, `end` not before `start`
//!   (only [`crate::Scenario::load`] reports dates outside the horizon, and only those
//!   written by the file whose horizon they miss: a variant that shortens the run keeps
//!   its base's timeline, and what falls outside simply never happens);
//! - rates, amounts and durations are non-negative; shares and probabilities lie in [0, 1];
//! - names of districts, departments, services, incident types, policies and shocks are unique;
//! - `agents` ≥ 1, `scale` > 0, `replicates` ≥ 1; the scenario name is usable as a directory;
//! - a service does not require its own owner;
//! - each policy's parameters lie in their ranges (which parameters a kind takes is the
//!   type of [`crate::Policy`]); a policy gets its money from `amount_per_year` or from
//!   `[budget]`, not both;
//! - a target has `min` or `max` in the indicator's range, and at most one scope.
//! - quantities stay within the upper bounds of [`crate::limits`];
//! - a target can have data: no band scope on incident indicators or the digital divide,
//!   no incident target without an incident type that can occur.
//!
//! One file per concern: [`population`] (the city: residents, departments, services,
//! incidents), [`economy`] (sectors, firms, errands, parks), [`policies`] (the timeline: policies, unit costs, budget, shocks),
//! [`targets`], [`uncertainty`]; this file holds the checker and its shared rules
//! (ranges, names, references, dates, upper bounds).

mod economy;
mod policies;
mod population;
mod targets;
mod uncertainty;

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::YearMonth;
use crate::bounds::Bound;
use crate::model::{PerBand, Scenario};
use crate::path::FieldPath;
use crate::ranges::Ranged;

/// How far a set of shares may sum away from 1.
pub(crate) const SHARE_SUM_TOLERANCE: f64 = 1e-6;

/// One broken rule: where and what.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub path: FieldPath,
    pub message: String,
    /// A date outside the horizon: the loader forgives it when the date was inherited
    /// from a base file and a variant moved the horizon.
    pub outside_horizon: bool,
}

/// Collects problems while walking the scenario.
struct Checker<'a> {
    scenario: &'a Scenario,
    problems: Vec<Problem>,
}

/// Every broken rule of `scenario`, in schema order.
pub(crate) fn problems(scenario: &Scenario) -> Vec<Problem> {
    let mut c = Checker {
        scenario,
        problems: Vec::new(),
    };
    c.scenario_info();
    c.population();
    c.departments();
    c.services();
    c.incidents();
    c.economy();
    c.policies();
    c.costs();
    c.budget();
    c.shocks();
    c.targets();
    c.upper_bounds();
    c.targets_with_data();
    c.uncertainty();
    c.problems
}

/// A short rendering of a number for messages.
fn num(x: f64) -> String {
    // 1e308 reads better than its 309 digits.
    if x.is_finite() && x != 0.0 && !(1e-6..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Edit distance, to suggest the name a typo was meant to be.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

impl<'a> Checker<'a> {
    fn report(&mut self, path: FieldPath, message: impl Into<String>) {
        self.problems.push(Problem {
            path,
            message: message.into(),
            outside_horizon: false,
        });
    }

    fn report_outside_horizon(&mut self, path: FieldPath, message: String) {
        self.problems.push(Problem {
            path,
            message,
            outside_horizon: true,
        });
    }

    fn share(&mut self, path: FieldPath, x: f64) {
        self.in_range(path, x, 0.0, 1.0, "a share");
    }

    fn in_range(&mut self, path: FieldPath, x: f64, lo: f64, hi: f64, what: &str) {
        if !(x.is_finite() && x >= lo && x <= hi) {
            self.report(
                path,
                format!(
                    "found {}, expected {what} in [{}, {}]",
                    num(x),
                    num(lo),
                    num(hi)
                ),
            );
        }
    }

    /// `x` must lie in `bound`: a range with both ends and a `what` in one message naming
    /// what the value is (`[lo, hi]`, or `(lo, hi]` when `lo` is refused), otherwise the
    /// lower and the upper bound each in their own words.
    fn bounded(&mut self, path: FieldPath, x: f64, bound: Bound) {
        if let (Some(what), Some(hi)) = (bound.what, bound.hi) {
            if !bound.holds(x) {
                let open = if bound.lo_exclusive { "(" } else { "[" };
                self.report(
                    path,
                    format!(
                        "found {}, expected {what} in {open}{}, {}]",
                        num(x),
                        num(bound.lo),
                        num(hi)
                    ),
                );
            }
            return;
        }
        let above = if bound.lo_exclusive {
            x > bound.lo
        } else {
            x >= bound.lo
        };
        if !(x.is_finite() && above) {
            let relation = if bound.lo_exclusive { ">" } else { "≥" };
            self.report(
                path.clone(),
                format!(
                    "found {}, expected a number {relation} {}",
                    num(x),
                    num(bound.lo)
                ),
            );
        }
        if let Some(hi) = bound.hi {
            self.at_most(path, x, hi);
        }
    }

    /// Every ranged field of `table` (declared in [`crate::ranges`]) in its range.
    fn ranged(&mut self, at: &FieldPath, table: &impl Ranged) {
        for (field, x, bound) in table.ranged_values() {
            self.bounded(at.key(field), x, bound);
        }
    }

    fn non_negative(&mut self, path: FieldPath, x: f64) {
        if !(x.is_finite() && x >= 0.0) {
            self.report(path, format!("found {}, expected a number ≥ 0", num(x)));
        }
    }

    /// Shares that must sum to 1; the message lists them, since no single one is wrong.
    fn sums_to_one(&mut self, path: FieldPath, what: &str, shares: &[(&str, f64)]) {
        let sum: f64 = shares.iter().map(|(_, x)| x).sum();
        if !sum.is_finite() || (sum - 1.0).abs() > SHARE_SUM_TOLERANCE {
            let listed = cut_list(shares.iter().map(|(n, x)| format!("{n} {x}")));
            self.report(
                path,
                format!(
                    "{what} sum to {sum:.6} ({listed}), expected 1 (within {SHARE_SUM_TOLERANCE:e})"
                ),
            );
        }
    }

    fn per_band_shares(&mut self, path: FieldPath, mix: &PerBand) {
        self.share(path.key("young"), mix.young);
        self.share(path.key("middle"), mix.middle);
        self.share(path.key("senior"), mix.senior);
        self.sums_to_one(
            path,
            "the age-band shares",
            &[
                ("young", mix.young),
                ("middle", mix.middle),
                ("senior", mix.senior),
            ],
        );
    }

    /// Names must be non-empty, printable and unique within their list; two names that
    /// differ only in their Unicode spelling (`é` as one code point or as `e` and an
    /// accent) are one name.
    fn unique_names<'n>(
        &mut self,
        list: FieldPath,
        what: &str,
        names: impl Iterator<Item = &'n str>,
    ) {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, name) in names.enumerate() {
            let path = list.index(i).key("name");
            if name.trim().is_empty() {
                self.report(path, format!("found an empty name, expected a {what} name"));
                continue;
            }
            if !self.printable_name(path.clone(), what, name) {
                continue;
            }
            match seen.entry(name.nfc().collect()) {
                std::collections::hash_map::Entry::Occupied(first) => self.report(
                    path,
                    format!(
                        "duplicate {what} name {name:?} (also {list}[{}]{}); names must be unique",
                        first.get(),
                        if first.key() == name {
                            ""
                        } else {
                            ", the same name in another Unicode spelling"
                        }
                    ),
                ),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(i);
                }
            }
        }
    }

    /// A name is shown on terminals and written into CSV, XML and SVG files: control
    /// characters, Unicode non-characters and the marks that reorder or hide text are
    /// refused (they would move a terminal's cursor, make an XML file invalid or show one
    /// name as another). Reports the problem; returns whether the name is printable.
    fn printable_name(&mut self, path: FieldPath, what: &str, name: &str) -> bool {
        let Some(bad) = name.chars().find(|&c| !crate::printable(c)) else {
            return true;
        };
        self.report(
            path,
            format!(
                "found a {what} name with the character {}, expected printable text \
                 (no control characters, non-characters or direction marks)",
                bad.escape_unicode()
            ),
        );
        false
    }

    /// A reference must name an existing entry of `known`.
    fn reference(&mut self, path: FieldPath, what: &str, name: &str, known: &[&str]) {
        if known.contains(&name) {
            return;
        }
        let closest = known
            .iter()
            .map(|k| (edit_distance(&name.to_lowercase(), &k.to_lowercase()), *k))
            .min();
        let hint = match closest {
            Some((d, k)) if d <= 3.max(name.len() / 4) => format!(" (did you mean {k:?}?)"),
            _ => String::new(),
        };
        let listed = cut_list(known.iter().map(|k| format!("{k:?}")));
        self.report(
            path,
            format!("found {name:?}, expected one of the {what}s: {listed}{hint}"),
        );
    }

    fn department_names(&self) -> Vec<&'a str> {
        let scenario: &'a Scenario = self.scenario;
        scenario
            .departments
            .iter()
            .map(|d| d.name.as_str())
            .collect()
    }

    fn district_names(&self) -> Vec<&'a str> {
        let scenario: &'a Scenario = self.scenario;
        scenario
            .population
            .districts
            .iter()
            .map(|d| d.name.as_str())
            .collect()
    }

    /// A month must lie inside the scenario's horizon.
    fn in_horizon(&mut self, path: FieldPath, month: YearMonth) {
        let info = &self.scenario.scenario;
        // A reversed horizon is reported once, on `scenario.end`, not on every date.
        if info.end >= info.start && (month < info.start || month > info.end) {
            self.report_outside_horizon(
                path,
                format!(
                    "found {month}, expected a month inside the horizon {} to {}",
                    info.start, info.end
                ),
            );
        }
    }

    fn not_before(&mut self, path: FieldPath, start: YearMonth, end: YearMonth) {
        if end < start {
            self.report(
                path,
                format!("found {end}, expected a month not before start {start}"),
            );
        }
    }

    fn scenario_info(&mut self) {
        let info = &self.scenario.scenario;
        let at = FieldPath::from("scenario");
        let name_ok = !info.name.is_empty()
            && info.name.len() <= 100
            && info
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !info.name.starts_with('-');
        if !name_ok {
            self.report(
                at.key("name"),
                format!(
                    "found {:?}, expected a name usable as a directory: letters, digits, `-` and `_`",
                    info.name
                ),
            );
        }
        self.not_before(at.key("end"), info.start, info.end);
        if info.replicates == 0 {
            self.report(
                at.key("replicates"),
                "found 0, expected at least 1 replicate",
            );
        }
        if info.currency.trim().is_empty() {
            self.report(
                at.key("currency"),
                "found an empty currency, expected e.g. \"CNY\"",
            );
        }
    }
}

/// Upper bounds (see [`crate::limits`]): a finite file must give finite outputs in bounded
/// time and memory.
impl Checker<'_> {
    fn at_most(&mut self, path: FieldPath, x: f64, max: f64) {
        // NaN and negative values are reported by the lower-bound rules.
        if x.is_finite() && x > max {
            self.report(
                path,
                format!("found {}, expected at most {}", num(x), num(max)),
            );
        }
    }

    fn upper_bounds(&mut self) {
        use crate::limits::*;
        let s = self.scenario;
        let info = FieldPath::from("scenario");
        if s.scenario.seed > MAX_SEED {
            self.report(
                info.key("seed"),
                format!(
                    "found {}, expected a seed from 0 to {MAX_SEED}",
                    s.scenario.seed
                ),
            );
        }
        let months = s.scenario.end.index() - s.scenario.start.index() + 1;
        if months > MAX_HORIZON_MONTHS {
            self.report(
                info.key("end"),
                format!(
                    "found {}, {months} months after start {}; expected a horizon of at most {MAX_HORIZON_MONTHS} months",
                    s.scenario.end, s.scenario.start
                ),
            );
        }
        if s.scenario.replicates > MAX_REPLICATES {
            self.report(
                info.key("replicates"),
                format!(
                    "found {}, expected at most {MAX_REPLICATES} replicates",
                    s.scenario.replicates
                ),
            );
        }
        let pop = FieldPath::from("population");
        if s.population.agents > MAX_AGENTS {
            self.report(
                pop.key("agents"),
                format!(
                    "found {}, expected at most {MAX_AGENTS} agents",
                    s.population.agents
                ),
            );
        }
        let people = s.represented_population();
        // Too many agents is reported above; the people they stand for would repeat it.
        if s.population.agents <= MAX_AGENTS
            && s.population.scale.is_finite()
            && s.population.scale > 0.0
            && people > MAX_PEOPLE
        {
            self.report(
                pop.key("scale"),
                format!(
                    "found {}, which makes {} agents stand for {people:e} people; expected at most {MAX_PEOPLE:e} people",
                    num(s.population.scale),
                    s.population.agents
                ),
            );
        }
        for (i, sv) in s.services.iter().enumerate() {
            let p = FieldPath::from("services").index(i);
            let demand = p.key("demand_per_year");
            for band in crate::Band::ALL {
                self.at_most(
                    demand.key(band.name()),
                    sv.demand_per_year.get(band),
                    MAX_DEMAND_PER_YEAR,
                );
            }
        }
    }
}

/// `items` joined by commas, the first [`LISTED`] of them and then how many more: enough
/// to see what was meant, where a file with thousands of entries would otherwise give a
/// message thousands of entries long.
fn cut_list(items: impl ExactSizeIterator<Item = String>) -> String {
    let more = items.len().saturating_sub(LISTED);
    let mut listed: Vec<String> = items.take(LISTED).collect();
    if more > 0 {
        listed.push(format!("and {more} more"));
    }
    listed.join(", ")
}

/// Entries a message lists before it says how many more there are.
const LISTED: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{District, Policy, PolicyKind};

    fn messages(s: &Scenario) -> Vec<String> {
        problems(s)
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect()
    }

    #[test]
    fn baseline_has_no_problems() {
        assert_eq!(messages(&Scenario::baseline()), Vec::<String>::new());
    }

    #[test]
    fn reports_every_broken_rule_with_its_path() {
        let mut s = Scenario::baseline();
        s.population.districts[0].share += 0.1;
        s.services[3].requires[1] = "Publc Security".into();
        let owner = s.services[0].owner.clone();
        s.services[0].requires.push(owner);
        s.policies[0].set_end(Some("2035-01".parse().unwrap()));
        s.departments[1].name = s.departments[0].name.clone();
        s.population.agents = 0;
        let m = messages(&s);
        let has = |needle: &str| m.iter().any(|x| x.contains(needle));
        assert!(
            has("population.districts: the district shares sum to 1.100000"),
            "{m:#?}"
        );
        assert!(
            has("services[3].requires[1]: found \"Publc Security\""),
            "{m:#?}"
        );
        assert!(has("did you mean \"Public Security\"?"), "{m:#?}");
        assert!(
            has("services[0].requires[2]: found \"Market Regulation\", the service's own owner"),
            "{m:#?}"
        );
        assert!(
            has(
                "policies[0].end: found 2035-01, expected a month inside the horizon 2024-01 to 2030-12"
            ),
            "{m:#?}"
        );
        assert!(
            has("departments[1].name: duplicate department name"),
            "{m:#?}"
        );
        assert!(has("population.agents: found 0"), "{m:#?}");
    }

    #[test]
    fn checks_demography_queues_and_behaviour_memory() {
        let mut s = Scenario::baseline();
        s.population.demography.mortality_per_year.senior = 1.5;
        s.population.demography.entrants_per_year = -0.1;
        s.departments[2].servers = 0;
        s.departments[2].service_scv = -1.0;
        s.population.behaviour.trust_reference = 1.0;
        s.population.behaviour.fallback_delay_days = -3.0;
        s.population.behaviour.complaint_department = Some("12345 Hotlin".into());
        s.population.behaviour.initial_trust = Some(2.0);
        let m = messages(&s);
        let has = |needle: &str| m.iter().any(|x| x.contains(needle));
        for needle in [
            "population.demography.mortality_per_year.senior: found 1.5, expected a share",
            "population.demography.entrants_per_year: found -0.1",
            "departments[2].servers: found 0, expected at least 1 server",
            "departments[2].service_scv: found -1",
            "population.behaviour.trust_reference: found 1, expected a trust level in (0, 1)",
            "population.behaviour.fallback_delay_days: found -3",
            "population.behaviour.complaint_department: found \"12345 Hotlin\"",
            "population.behaviour.initial_trust: found 2",
        ] {
            assert!(has(needle), "{needle}: {m:#?}");
        }
        // Absent starting values mean the steady state: no problem.
        s = Scenario::baseline();
        s.population.behaviour.initial_satisfaction = None;
        assert_eq!(messages(&s), Vec::<String>::new());
    }

    #[test]
    fn policy_parameters_lie_in_their_ranges() {
        let mut s = Scenario::baseline();
        let training = s
            .policies
            .iter()
            .position(|p| p.kind() == PolicyKind::DigitalTraining)
            .unwrap();
        let Policy::DigitalTraining(t) = &mut s.policies[training] else {
            unreachable!()
        };
        t.coverage_per_year = Some(1.5);
        t.adoption_boost = -0.1;
        let m = messages(&s);
        let at = format!("policies[{training}]");
        assert!(
            m.contains(&format!(
                "{at}.coverage_per_year: found 1.5, expected a share in [0, 1]"
            )),
            "{m:#?}"
        );
        assert!(
            m.contains(&format!(
                "{at}.adoption_boost: found -0.1, expected a number ≥ 0"
            )),
            "{m:#?}"
        );
    }

    #[test]
    fn a_budget_sets_the_amounts_of_the_policies_it_names() {
        let mut s = Scenario::baseline();
        let budget = |shares: &[(&str, f64)], remainder: Option<&str>| crate::Budget {
            total_per_year: 400e6,
            shares: shares.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            remainder: remainder.map(str::to_string),
        };
        let index =
            |s: &Scenario, name: &str| s.policies.iter().position(|p| p.name() == name).unwrap();
        for name in ["digitization", "ops"] {
            let i = index(&s, name);
            s.policies[i].set_amount_per_year(None);
        }
        s.budget = Some(budget(&[("digitization", 0.25)], Some("ops")));
        assert!(messages(&s).is_empty(), "{:#?}", messages(&s));
        let amount = |s: &Scenario, name: &str| s.policy_amount_per_year(index(s, name));
        assert_eq!(amount(&s, "digitization"), 100e6);
        assert_eq!(amount(&s, "ops"), 300e6);
        assert_eq!(amount(&s, "sensors"), 30e6);
        s.budget = Some(budget(&[("digitization", 0.25), ("ops", 0.5)], None));
        let m = messages(&s);
        assert!(
            m.iter()
                .any(|x| x.starts_with("budget.shares: the budget shares sum to 0.750000")),
            "{m:#?}"
        );
        s.budget = Some(budget(&[("digitisation", 0.7), ("ops", 0.3)], None));
        assert!(
            messages(&s)
                .iter()
                .any(|x| x.starts_with("budget.shares.digitisation:")),
            "{:#?}",
            messages(&s)
        );
        s.budget = Some(budget(
            &[("digitization", 0.8), ("ops", 0.3)],
            Some("sensors"),
        ));
        assert!(
            messages(&s)
                .iter()
                .any(|x| x.contains("expected at most 1")),
            "{:#?}",
            messages(&s)
        );
    }

    #[test]
    fn a_policy_gets_its_money_from_its_amount_or_the_budget_not_both() {
        let mut s = Scenario::baseline();
        s.budget = Some(crate::Budget {
            total_per_year: 400e6,
            shares: [("digitization".to_string(), 0.25)].into_iter().collect(),
            remainder: Some("ops".into()),
        });
        let m = messages(&s);
        let at = |name: &str| {
            let i = s.policies.iter().position(|p| p.name() == name).unwrap();
            format!("policies[{i}].amount_per_year: found ")
        };
        for (name, how) in [
            ("digitization", "(a share of 0.25 of total_per_year)"),
            ("ops", "(the remainder, 0.75 of total_per_year)"),
        ] {
            assert!(
                m.iter()
                    .any(|x| x.starts_with(&at(name)) && x.contains(how) && x.contains("not both")),
                "{name}: {m:#?}"
            );
        }
        assert_eq!(m.len(), 2, "{m:#?}");
    }

    #[test]
    fn an_economy_policy_needs_an_economy() {
        let mut s = Scenario::baseline();
        let start = s.scenario.start;
        for kind in PolicyKind::ALL.iter().filter(|k| k.is_economy()) {
            let mut p = Policy::new(*kind, &format!("{}-test", kind.name()), start);
            p.set_amount_per_year(Some(1e6));
            s.policies.push(p);
        }
        assert_eq!(messages(&s), Vec::<String>::new(), "with `[economy]`");
        s.economy = None;
        let m = messages(&s);
        // The five added and the baseline's own park upkeep.
        let economy = s.policies.iter().filter(|p| p.kind().is_economy()).count();
        assert_eq!((m.len(), economy), (6, 6), "{m:#?}");
        let i = s.policies.len() - 1;
        assert_eq!(
            m[5],
            format!(
                "policies[{i}].kind: found `park_services` policy \"park_services-test\", but \
                 the scenario has no `[economy]`: its money would buy nothing; expected an \
                 `[economy]` table with the firms it acts on, or no `park_services` policy"
            )
        );
    }

    #[test]
    fn non_finite_numbers_are_rejected() {
        let mut s = Scenario::baseline();
        s.population.scale = f64::NAN;
        s.departments[0].digitization = f64::INFINITY;
        let m = messages(&s);
        assert!(
            m.iter()
                .any(|x| x.starts_with("population.scale: found NaN")),
            "{m:#?}"
        );
        assert!(
            m.iter()
                .any(|x| x.starts_with("departments[0].digitization: found inf")),
            "{m:#?}"
        );
    }

    /// Districts and training policies past what a resident can hold are refused, and a
    /// message about thousands of entries lists a few and counts the rest.
    #[test]
    fn too_many_districts_or_training_policies_are_refused_with_short_messages() {
        use crate::limits::{MAX_DISTRICTS, MAX_TRAINING_POLICIES};
        let mut s = Scenario::baseline();
        let first = s.population.districts[0].clone();
        s.population.districts = (0..=MAX_DISTRICTS)
            .map(|i| District {
                name: format!("d{i}"),
                share: 1.0,
                commute_minutes: None,
                ..first.clone()
            })
            .collect();
        let found = messages(&s);
        assert!(found.contains(&format!(
            "population.districts: found {} districts, expected at most {MAX_DISTRICTS}",
            MAX_DISTRICTS + 1
        )));
        let sum = found
            .iter()
            .find(|m| m.contains("the district shares sum to"))
            .expect("the shares are reported");
        assert!(
            sum.contains("d0 1, d1 1")
                && sum.contains(&format!("and {} more", MAX_DISTRICTS + 1 - 12)),
            "{sum}"
        );
        assert!(sum.len() < 400, "{sum}");

        let mut s = Scenario::baseline();
        let training = Policy::new(PolicyKind::DigitalTraining, "t", s.scenario.start);
        let before = s.policies.len();
        for i in 0..=MAX_TRAINING_POLICIES {
            let mut p = training.clone();
            if let Policy::DigitalTraining(t) = &mut p {
                t.name = format!("t{i}");
            }
            s.policies.push(p);
        }
        let trained_before = Scenario::baseline()
            .policies
            .iter()
            .filter(|p| matches!(p, Policy::DigitalTraining(_)))
            .count();
        let at = before + MAX_TRAINING_POLICIES - trained_before;
        assert!(
            messages(&s).contains(&format!(
                "policies[{at}]: found {} digital_training policies, expected at most {MAX_TRAINING_POLICIES}",
                MAX_TRAINING_POLICIES + 1 + trained_before
            )),
            "{:?}",
            messages(&s)
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(edit_distance("taxatoin", "taxation"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
