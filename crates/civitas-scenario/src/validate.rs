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
//! - each policy sets the parameters its kind needs and no others ([`policy_rules`]);
//! - a target has `min` or `max` in the indicator's range, and at most one scope.
//! - quantities stay within the upper bounds of [`crate::limits`];
//! - a target can have data: no band scope on incident indicators or the digital divide,
//!   no incident target without an incident type that can occur.

use std::collections::HashMap;

use crate::YearMonth;
use crate::indicators::{Indicator, Unit};
use crate::limits::{MAX_AMOUNT_PER_YEAR, MAX_CAPACITY_PER_MONTH};
use crate::model::{PerBand, Policy, PolicyKind, Scenario};
use crate::path::FieldPath;

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

/// Which optional parameters a policy kind uses, and which of them it requires.
pub(crate) struct PolicyRules {
    /// `coverage_per_year`: share of the targeted residents (or area) newly covered per year.
    pub coverage: Need,
    /// `literacy_gain` and `adoption_boost`.
    pub training: Need,
    /// `level_per_year`.
    pub level: Need,
    /// `share_moved_per_year`.
    pub share_moved: Need,
    /// Whether `departments` may narrow the policy to some departments.
    pub departments: bool,
    /// Whether `districts` may narrow the policy to some districts.
    pub districts: bool,
    /// Whether `bands` may narrow the policy to some age bands.
    pub bands: bool,
}

/// Whether a parameter applies to a policy kind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Must not be set.
    No,
    /// May be set (a cap on what the money buys, or 0 when absent for training gains).
    Optional,
}

/// The parameter rules of each policy kind, as documented on [`crate::Policy`].
pub(crate) fn policy_rules(kind: PolicyKind) -> PolicyRules {
    use Need::*;
    let none = PolicyRules {
        coverage: No,
        training: No,
        level: No,
        share_moved: No,
        departments: false,
        districts: false,
        bands: false,
    };
    match kind {
        PolicyKind::InvestDigitization
        | PolicyKind::InvestIntegration
        | PolicyKind::OperationsBudget
        | PolicyKind::OneWindow
        | PolicyKind::Staffing => PolicyRules {
            departments: true,
            ..none
        },
        PolicyKind::EvaluationBudgeting => PolicyRules {
            share_moved: Optional,
            departments: true,
            ..none
        },
        PolicyKind::DigitalTraining => PolicyRules {
            coverage: Optional,
            training: Optional,
            districts: true,
            bands: true,
            ..none
        },
        PolicyKind::DeviceSubsidy => PolicyRules {
            coverage: Optional,
            districts: true,
            bands: true,
            ..none
        },
        PolicyKind::AssistedServicePoints | PolicyKind::IotSensors => PolicyRules {
            coverage: Optional,
            districts: true,
            ..none
        },
        PolicyKind::GovernancePlatform => PolicyRules {
            level: Optional,
            ..none
        },
    }
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
fn edit_distance(a: &str, b: &str) -> usize {
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

    fn probability(&mut self, path: FieldPath, x: f64) {
        self.in_range(path, x, 0.0, 1.0, "a probability");
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

    fn non_negative(&mut self, path: FieldPath, x: f64) {
        if !(x.is_finite() && x >= 0.0) {
            self.report(path, format!("found {}, expected a number ≥ 0", num(x)));
        }
    }

    fn positive(&mut self, path: FieldPath, x: f64) {
        if !(x.is_finite() && x > 0.0) {
            self.report(path, format!("found {}, expected a number > 0", num(x)));
        }
    }

    /// Shares that must sum to 1; the message lists them, since no single one is wrong.
    fn sums_to_one(&mut self, path: FieldPath, what: &str, shares: &[(&str, f64)]) {
        let sum: f64 = shares.iter().map(|(_, x)| x).sum();
        if !sum.is_finite() || (sum - 1.0).abs() > SHARE_SUM_TOLERANCE {
            let listed: Vec<String> = shares.iter().map(|(n, x)| format!("{n} {x}")).collect();
            self.report(
                path,
                format!(
                    "{what} sum to {sum:.6} ({}), expected 1 (within {SHARE_SUM_TOLERANCE:e})",
                    listed.join(", ")
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

    /// Names must be non-empty and unique within their list.
    fn unique_names<'n>(
        &mut self,
        list: FieldPath,
        what: &str,
        names: impl Iterator<Item = &'n str>,
    ) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, name) in names.enumerate() {
            let path = list.index(i).key("name");
            if name.trim().is_empty() {
                self.report(path, format!("found an empty name, expected a {what} name"));
            } else if let Some(first) = seen.get(name) {
                self.report(
                    path,
                    format!("duplicate {what} name {name:?} (also {list}[{first}]); names must be unique"),
                );
            } else {
                seen.insert(name, i);
            }
        }
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
        let listed: Vec<String> = known.iter().map(|k| format!("{k:?}")).collect();
        self.report(
            path,
            format!(
                "found {name:?}, expected one of the {what}s: {}{hint}",
                listed.join(", ")
            ),
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

    fn population(&mut self) {
        let pop = &self.scenario.population;
        let at = FieldPath::from("population");
        if pop.agents == 0 {
            self.report(at.key("agents"), "found 0, expected at least 1 agent");
        }
        self.positive(at.key("scale"), pop.scale);

        let districts = at.key("districts");
        if pop.districts.is_empty() {
            self.report(
                districts.clone(),
                "found no districts, expected at least one",
            );
        }
        self.unique_names(
            districts.clone(),
            "district",
            pop.districts.iter().map(|d| d.name.as_str()),
        );
        for (i, d) in pop.districts.iter().enumerate() {
            let p = districts.index(i);
            self.share(p.key("share"), d.share);
            if let Some(mix) = &d.age_mix {
                self.per_band_shares(p.key("age_mix"), mix);
            }
            self.share(p.key("iot_coverage"), d.iot_coverage);
            self.share(p.key("service_points"), d.service_points);
        }
        if !pop.districts.is_empty() {
            let shares: Vec<(&str, f64)> = pop
                .districts
                .iter()
                .map(|d| (d.name.as_str(), d.share))
                .collect();
            self.sums_to_one(districts, "the district shares", &shares);
        }

        let bands = at.key("bands");
        let mut shares = Vec::new();
        for band in crate::Band::ALL {
            let b = pop.bands.get(band);
            let p = bands.key(band.name());
            shares.push((band.name(), b.share));
            self.share(p.key("share"), b.share);
            self.share(p.key("device"), b.device);
            self.share(p.key("adoption"), b.adoption);
            self.in_range(p.key("literacy"), b.literacy, 0.0, 1.0, "a literacy level");
            self.in_range(
                p.key("literacy_spread"),
                b.literacy_spread,
                0.0,
                1.0,
                "a spread",
            );
            self.non_negative(p.key("bass_p"), b.bass_p);
            self.non_negative(p.key("bass_q"), b.bass_q);
            self.non_negative(p.key("device_uptake_per_year"), b.device_uptake_per_year);
        }
        self.sums_to_one(bands, "the age-band shares", &shares);

        let ageing = at.key("ageing");
        self.share(
            ageing.key("young_to_middle_per_year"),
            pop.ageing.young_to_middle_per_year,
        );
        self.share(
            ageing.key("middle_to_senior_per_year"),
            pop.ageing.middle_to_senior_per_year,
        );

        let rural = at.key("rural");
        self.non_negative(rural.key("device"), pop.rural.device);
        self.non_negative(rural.key("literacy"), pop.rural.literacy);
        self.non_negative(rural.key("adoption"), pop.rural.adoption);

        let b = &pop.behaviour;
        let at = at.key("behaviour");
        self.probability(at.key("churn_on_failure"), b.churn_on_failure);
        self.in_range(
            at.key("satisfaction_base"),
            b.satisfaction_base,
            0.0,
            100.0,
            "a score",
        );
        self.non_negative(
            at.key("satisfaction_per_extra_trip"),
            b.satisfaction_per_extra_trip,
        );
        self.non_negative(
            at.key("satisfaction_per_wait_day"),
            b.satisfaction_per_wait_day,
        );
        self.non_negative(
            at.key("satisfaction_failure_penalty"),
            b.satisfaction_failure_penalty,
        );
        if !(b.satisfaction_memory > 0.0 && b.satisfaction_memory <= 1.0) {
            self.report(
                at.key("satisfaction_memory"),
                format!(
                    "found {}, expected a weight in (0, 1]",
                    num(b.satisfaction_memory)
                ),
            );
        }
        if let Some(x) = b.initial_satisfaction {
            self.in_range(at.key("initial_satisfaction"), x, 0.0, 100.0, "a score");
        }
        if let Some(x) = b.initial_trust {
            self.share(at.key("initial_trust"), x);
        }
        self.share(at.key("trust_rate"), b.trust_rate);
        if !(b.trust_reference > 0.0 && b.trust_reference < 1.0) {
            self.report(
                at.key("trust_reference"),
                format!(
                    "found {}, expected a trust level in (0, 1)",
                    num(b.trust_reference)
                ),
            );
        }
        self.non_negative(
            at.key("trust_adoption_elasticity"),
            b.trust_adoption_elasticity,
        );
        self.non_negative(at.key("trust_churn_elasticity"), b.trust_churn_elasticity);
        self.probability(at.key("failure_aversion"), b.failure_aversion);
        self.non_negative(at.key("fallback_delay_days"), b.fallback_delay_days);
        self.in_range(
            at.key("complaint_threshold"),
            b.complaint_threshold,
            0.0,
            100.0,
            "a score",
        );
        self.probability(at.key("complaint_probability"), b.complaint_probability);
        self.non_negative(at.key("complaint_effort"), b.complaint_effort);
        if let Some(name) = &b.complaint_department {
            let known = self.department_names();
            self.reference(at.key("complaint_department"), "department", name, &known);
        }

        let d = &pop.demography;
        let at = FieldPath::from("population").key("demography");
        self.share(at.key("entrants_per_year"), d.entrants_per_year);
        for (field, rates) in [
            ("mortality_per_year", &d.mortality_per_year),
            ("rural_to_urban_per_year", &d.rural_to_urban_per_year),
        ] {
            let p = at.key(field);
            self.share(p.key("young"), rates.young);
            self.share(p.key("middle"), rates.middle);
            self.share(p.key("senior"), rates.senior);
        }
    }

    fn departments(&mut self) {
        let at = FieldPath::from("departments");
        let departments = &self.scenario.departments;
        self.unique_names(
            at.clone(),
            "department",
            departments.iter().map(|d| d.name.as_str()),
        );
        for (i, d) in departments.iter().enumerate() {
            let p = at.index(i);
            self.positive(p.key("capacity_per_month"), d.capacity_per_month);
            self.positive(p.key("cases_per_staff_month"), d.cases_per_staff_month);
            self.at_most(
                p.key("cases_per_staff_month"),
                d.cases_per_staff_month,
                MAX_CAPACITY_PER_MONTH,
            );
            self.share(p.key("digitization"), d.digitization);
            self.share(p.key("integration"), d.integration);
            self.share(p.key("health"), d.health);
            self.share(p.key("health_decay_per_month"), d.health_decay_per_month);
            self.non_negative(p.key("build_gain_per_million"), d.build_gain_per_million);
            self.non_negative(
                p.key("operation_gain_per_million"),
                d.operation_gain_per_million,
            );
            self.probability(p.key("failure_scale"), d.failure_scale);
            if d.servers == 0 {
                self.report(p.key("servers"), "found 0, expected at least 1 server");
            }
            self.non_negative(p.key("service_scv"), d.service_scv);
        }
    }

    fn services(&mut self) {
        let at = FieldPath::from("services");
        let known = self.department_names();
        let services = &self.scenario.services;
        self.unique_names(
            at.clone(),
            "service",
            services.iter().map(|s| s.name.as_str()),
        );
        for (i, s) in services.iter().enumerate() {
            let p = at.index(i);
            self.reference(p.key("owner"), "department", &s.owner, &known);
            for (j, r) in s.requires.iter().enumerate() {
                let rp = p.key("requires").index(j);
                if *r == s.owner {
                    self.report(
                        rp,
                        format!(
                            "found {r:?}, the service's own owner; expected another department"
                        ),
                    );
                } else if s.requires[..j].contains(r) {
                    self.report(
                        rp,
                        format!("found {r:?} a second time, expected each department once"),
                    );
                } else {
                    self.reference(rp, "department", r, &known);
                }
            }
            let demand = p.key("demand_per_year");
            self.non_negative(demand.key("young"), s.demand_per_year.young);
            self.non_negative(demand.key("middle"), s.demand_per_year.middle);
            self.non_negative(demand.key("senior"), s.demand_per_year.senior);
            self.non_negative(p.key("base_days"), s.base_days);
            self.positive(p.key("offline_effort"), s.offline_effort);
            self.non_negative(p.key("online_effort"), s.online_effort);
        }
    }

    fn incidents(&mut self) {
        let at = FieldPath::from("incidents");
        let known = self.department_names();
        let incidents = &self.scenario.incidents;
        self.share(at.key("platform_level"), incidents.platform_level);
        self.non_negative(at.key("crews_per_100k"), incidents.crews_per_100k);
        self.non_negative(
            at.key("crew_hours_per_incident"),
            incidents.crew_hours_per_incident,
        );
        let types = at.key("types");
        self.unique_names(
            types.clone(),
            "incident type",
            incidents.types.iter().map(|t| t.name.as_str()),
        );
        for (i, t) in incidents.types.iter().enumerate() {
            let p = types.index(i);
            self.reference(p.key("department"), "department", &t.department, &known);
            self.non_negative(p.key("rate_per_100k_per_month"), t.rate_per_100k_per_month);
            self.non_negative(p.key("report_delay_hours"), t.report_delay_hours);
            self.non_negative(p.key("dispatch_hours"), t.dispatch_hours);
            self.positive(p.key("sla_hours"), t.sla_hours);
            self.non_negative(p.key("effort"), t.effort);
        }
    }

    fn policies(&mut self) {
        let at = FieldPath::from("policies");
        let policies = &self.scenario.policies;
        self.unique_names(
            at.clone(),
            "policy",
            policies.iter().map(|p| p.name.as_str()),
        );
        for (i, policy) in policies.iter().enumerate() {
            self.policy(at.index(i), policy);
        }
    }

    fn policy(&mut self, p: FieldPath, policy: &Policy) {
        self.in_horizon(p.key("start"), policy.start);
        if let Some(end) = policy.end {
            self.in_horizon(p.key("end"), end);
            self.not_before(p.key("end"), policy.start, end);
        }
        self.non_negative(p.key("amount_per_year"), policy.amount_per_year);

        let kind = policy.kind.name();
        let rules = policy_rules(policy.kind);
        let params: [(&str, Option<f64>, Need, f64); 5] = [
            (
                "coverage_per_year",
                policy.coverage_per_year,
                rules.coverage,
                1.0,
            ),
            ("literacy_gain", policy.literacy_gain, rules.training, 1.0),
            (
                "adoption_boost",
                policy.adoption_boost,
                rules.training,
                f64::INFINITY,
            ),
            ("level_per_year", policy.level_per_year, rules.level, 1.0),
            (
                "share_moved_per_year",
                policy.share_moved_per_year,
                rules.share_moved,
                1.0,
            ),
        ];
        for (field, value, need, max) in params {
            match (value, need) {
                (Some(_), Need::No) => self.report(
                    p.key(field),
                    format!("`{field}` does not apply to policies of kind `{kind}`; remove it"),
                ),
                (Some(x), _) if max.is_finite() => {
                    self.in_range(p.key(field), x, 0.0, max, "a share")
                }
                (Some(x), _) => self.non_negative(p.key(field), x),
                (None, _) => {}
            }
        }

        let targets: [(&str, bool, bool); 3] = [
            (
                "departments",
                !policy.departments.is_empty(),
                rules.departments,
            ),
            ("districts", !policy.districts.is_empty(), rules.districts),
            ("bands", !policy.bands.is_empty(), rules.bands),
        ];
        for (field, set, applies) in targets {
            if set && !applies {
                self.report(
                    p.key(field),
                    format!("policies of kind `{kind}` cannot be narrowed by `{field}`; remove it"),
                );
            }
        }
        let departments = self.department_names();
        for (j, d) in policy.departments.iter().enumerate() {
            self.reference(p.key("departments").index(j), "department", d, &departments);
        }
        let districts = self.district_names();
        for (j, d) in policy.districts.iter().enumerate() {
            self.reference(p.key("districts").index(j), "district", d, &districts);
        }
    }

    fn costs(&mut self) {
        let at = FieldPath::from("costs");
        let c = &self.scenario.costs;
        let positive = [
            ("staff_per_year", c.staff_per_year),
            ("training_per_trainee", c.training_per_trainee),
            ("subsidy_per_device", c.subsidy_per_device),
            (
                "service_point_build_per_resident",
                c.service_point_build_per_resident,
            ),
            ("sensor_build_per_point", c.sensor_build_per_point),
            ("platform_build_per_point", c.platform_build_per_point),
            (
                "one_window_per_department_year",
                c.one_window_per_department_year,
            ),
            ("staff_adjust_per_year", c.staff_adjust_per_year),
            ("evaluation_cost_share", c.evaluation_cost_share),
            ("construction_life_years", c.construction_life_years),
        ];
        for (field, x) in positive {
            self.positive(at.key(field), x);
            self.at_most(at.key(field), x, MAX_AMOUNT_PER_YEAR);
        }
        let non_negative = [
            (
                "service_point_upkeep_per_resident_per_year",
                c.service_point_upkeep_per_resident_per_year,
            ),
            (
                "service_point_decay_per_year",
                c.service_point_decay_per_year,
            ),
            (
                "sensor_upkeep_per_point_per_year",
                c.sensor_upkeep_per_point_per_year,
            ),
            ("sensor_decay_per_year", c.sensor_decay_per_year),
            (
                "platform_upkeep_per_point_per_year",
                c.platform_upkeep_per_point_per_year,
            ),
            ("platform_decay_per_year", c.platform_decay_per_year),
        ];
        for (field, x) in non_negative {
            self.non_negative(at.key(field), x);
            self.at_most(at.key(field), x, MAX_AMOUNT_PER_YEAR);
        }
    }

    fn budget(&mut self) {
        let Some(budget) = &self.scenario.budget else {
            return;
        };
        let at = FieldPath::from("budget");
        self.non_negative(at.key("total_per_year"), budget.total_per_year);
        self.at_most(
            at.key("total_per_year"),
            budget.total_per_year,
            MAX_AMOUNT_PER_YEAR,
        );
        let policies: Vec<&str> = self
            .scenario
            .policies
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        for (name, &share) in &budget.shares {
            let p = at.key("shares").key(name);
            self.share(p.clone(), share);
            self.reference(p, "policy", name, &policies);
        }
        let shares: Vec<(&str, f64)> = budget
            .shares
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        match &budget.remainder {
            None => self.sums_to_one(at.key("shares"), "the budget shares", &shares),
            Some(rest) => {
                self.reference(at.key("remainder"), "policy", rest, &policies);
                if budget.shares.contains_key(rest) {
                    self.report(
                        at.key("remainder"),
                        format!(
                            "`{rest}` has a share already; the remainder names a policy without one"
                        ),
                    );
                }
                let sum: f64 = shares.iter().map(|(_, x)| x).sum();
                if !(sum.is_finite() && sum <= 1.0 + SHARE_SUM_TOLERANCE) {
                    let listed: Vec<String> =
                        shares.iter().map(|(n, x)| format!("{n} {x}")).collect();
                    self.report(
                        at.key("shares"),
                        format!(
                            "the budget shares sum to {sum:.6} ({}), expected at most 1 (the remainder `{rest}` takes the rest)",
                            listed.join(", ")
                        ),
                    );
                }
            }
        }
    }

    fn shocks(&mut self) {
        let at = FieldPath::from("shocks");
        let shocks = &self.scenario.shocks;
        self.unique_names(at.clone(), "shock", shocks.iter().map(|s| s.name.as_str()));
        let departments = self.department_names();
        let districts = self.district_names();
        for (i, s) in shocks.iter().enumerate() {
            let p = at.index(i);
            self.in_horizon(p.key("start"), s.start);
            self.in_horizon(p.key("end"), s.end);
            self.not_before(p.key("end"), s.start, s.end);
            for (j, d) in s.departments.iter().enumerate() {
                self.reference(p.key("departments").index(j), "department", d, &departments);
            }
            for (j, d) in s.districts.iter().enumerate() {
                self.reference(p.key("districts").index(j), "district", d, &districts);
            }
            self.non_negative(p.key("incident_rate_factor"), s.incident_rate_factor);
            self.in_range(
                p.key("health_factor"),
                s.health_factor,
                0.0,
                1.0,
                "a multiplier",
            );
            self.non_negative(p.key("capacity_factor"), s.capacity_factor);
        }
    }

    fn targets(&mut self) {
        let at = FieldPath::from("targets");
        let info = &self.scenario.scenario;
        let districts = self.district_names();
        let scenario = self.scenario;
        for (i, t) in scenario.targets.iter().enumerate() {
            let p = at.index(i);
            if info.end >= info.start && (t.year < info.start.year || t.year > info.end.year) {
                self.report_outside_horizon(
                    p.key("year"),
                    format!(
                        "found {}, expected a year inside the horizon {}–{}",
                        t.year, info.start.year, info.end.year
                    ),
                );
            }
            if t.min.is_none() && t.max.is_none() {
                self.report(
                    p.clone(),
                    "a target needs `min` or `max` (or both); found neither",
                );
            }
            let (lo, hi, what) = indicator_range(t.indicator);
            for (field, bound) in [("min", t.min), ("max", t.max)] {
                if let Some(x) = bound {
                    self.in_range(p.key(field), x, lo, hi, what);
                }
            }
            if let (Some(min), Some(max)) = (t.min, t.max)
                && min > max
            {
                self.report(
                    p.key("max"),
                    format!("found {max}, expected a value ≥ min ({min})"),
                );
            }
            if let Some(d) = &t.district {
                self.reference(p.key("district"), "district", d, &districts);
                if t.band.is_some() {
                    self.report(
                        p.key("band"),
                        "a target is scoped to a district or an age band, not both; remove one",
                    );
                }
            }
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

    /// A target must be able to have data: incidents have no age band and the digital
    /// divide is the gap between two bands, so neither is reported per band; incident
    /// indicators need incident types that can occur.
    fn targets_with_data(&mut self) {
        let s = self.scenario;
        let incidents_possible = s
            .incidents
            .types
            .iter()
            .any(|t| t.rate_per_100k_per_month > 0.0);
        for (i, t) in s.targets.iter().enumerate() {
            let p = FieldPath::from("targets").index(i);
            let incident = matches!(
                t.indicator,
                Indicator::IncidentResponseHours | Indicator::IncidentsWithinSla
            );
            if let Some(band) = t.band
                && (incident || t.indicator == Indicator::DigitalDivideGap)
            {
                let why = if incident {
                    "incidents have no age band"
                } else {
                    "it is the gap between the young and senior bands"
                };
                self.report(
                    p.key("band"),
                    format!(
                        "found {:?}, but `{}` is not reported per age band ({why}), so this target could never have data; \
                         remove `band`, or scope the target to the city or a district",
                        band.name(),
                        t.indicator.name()
                    ),
                );
            } else if incident && !incidents_possible {
                self.report(
                    p.key("indicator"),
                    format!(
                        "found `{}`, but the scenario has no incident type with a rate above 0 \
                         ([[incidents.types]]), so this target could never have data",
                        t.indicator.name()
                    ),
                );
            }
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
        for (i, d) in s.departments.iter().enumerate() {
            let p = FieldPath::from("departments").index(i);
            self.at_most(
                p.key("capacity_per_month"),
                d.capacity_per_month,
                MAX_CAPACITY_PER_MONTH,
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
            self.at_most(p.key("base_days"), sv.base_days, MAX_BASE_DAYS);
            self.at_most(p.key("offline_effort"), sv.offline_effort, MAX_EFFORT);
            self.at_most(p.key("online_effort"), sv.online_effort, MAX_EFFORT);
        }
        for (i, t) in s.incidents.types.iter().enumerate() {
            let p = FieldPath::from("incidents.types").index(i);
            self.at_most(
                p.key("rate_per_100k_per_month"),
                t.rate_per_100k_per_month,
                MAX_INCIDENT_RATE_PER_100K_PER_MONTH,
            );
            self.at_most(p.key("report_delay_hours"), t.report_delay_hours, MAX_HOURS);
            self.at_most(p.key("dispatch_hours"), t.dispatch_hours, MAX_HOURS);
            self.at_most(p.key("sla_hours"), t.sla_hours, MAX_HOURS);
            self.at_most(p.key("effort"), t.effort, MAX_EFFORT);
        }
        for (i, policy) in s.policies.iter().enumerate() {
            let p = FieldPath::from("policies").index(i);
            self.at_most(
                p.key("amount_per_year"),
                policy.amount_per_year,
                MAX_AMOUNT_PER_YEAR,
            );
            if let Some(boost) = policy.adoption_boost {
                self.at_most(p.key("adoption_boost"), boost, MAX_ADOPTION_BOOST);
            }
        }
        for (i, shock) in s.shocks.iter().enumerate() {
            let p = FieldPath::from("shocks").index(i);
            self.at_most(
                p.key("incident_rate_factor"),
                shock.incident_rate_factor,
                MAX_SHOCK_FACTOR,
            );
            self.at_most(
                p.key("capacity_factor"),
                shock.capacity_factor,
                MAX_SHOCK_FACTOR,
            );
        }
    }
}

impl Checker<'_> {
    /// `[[uncertainty]]`: a path, once each; the family's parameters and no others; a
    /// distribution that exists; a source. Whether the path names a numeric field and
    /// whether every draw keeps the scenario valid is checked where the lever grammar
    /// lives (`civitas_batch::uncertainty`), before any run.
    fn uncertainty(&mut self) {
        let at = FieldPath::from("uncertainty");
        let scenario = self.scenario;
        let mut seen: Vec<&str> = Vec::new();
        for (i, u) in scenario.uncertainty.iter().enumerate() {
            let p = at.index(i);
            if u.path.trim().is_empty() {
                self.report(p.key("path"), "found an empty path, expected a field path such as population.bands.senior.bass_q");
            } else if seen.contains(&u.path.as_str()) {
                self.report(
                    p.key("path"),
                    format!("found {:?} a second time, expected each path once", u.path),
                );
            }
            seen.push(&u.path);
            if u.source.trim().is_empty() {
                self.report(
                    p.key("source"),
                    "found an empty note, expected the figure or reasoning the prior rests on",
                );
            }
            let (needs, set) = u.parameters();
            for (field, value) in set {
                if value.is_some() && !needs.contains(&field) {
                    self.report(
                        p.key(field),
                        format!(
                            "`{field}` does not apply to distribution = \"{}\" (it takes min, max{})",
                            distribution_name(u.distribution),
                            needs.iter().map(|n| format!(", {n}")).collect::<String>()
                        ),
                    );
                }
            }
            if let Err(e) = u.prior() {
                self.report(
                    p.key(e.field),
                    format!("found {}, expected {}", num(e.found), e.expected),
                );
            }
        }
    }
}

fn distribution_name(kind: crate::model::DistributionKind) -> &'static str {
    use crate::model::DistributionKind as K;
    match kind {
        K::Uniform => "uniform",
        K::Triangular => "triangular",
        K::Normal => "normal",
        K::Lognormal => "lognormal",
        K::Beta => "beta",
    }
}

/// The values an indicator can take, for checking target bounds.
fn indicator_range(indicator: Indicator) -> (f64, f64, &'static str) {
    match (indicator, indicator.meta().unit) {
        (Indicator::DigitalDivideGap, _) => (-1.0, 1.0, "a difference of shares"),
        (_, Unit::Share) => (0.0, 1.0, "a share"),
        (_, Unit::Score) => (0.0, 100.0, "a score"),
        _ => (0.0, f64::INFINITY, "a non-negative value"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        s.policies[0].end = Some("2035-01".parse().unwrap());
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
    fn policy_parameters_follow_the_kind() {
        let mut s = Scenario::baseline();
        let training = s
            .policies
            .iter()
            .position(|p| p.kind == PolicyKind::DigitalTraining)
            .unwrap();
        s.policies[training].coverage_per_year = Some(1.5);
        s.policies[training].level_per_year = Some(0.1);
        s.policies[training].departments = vec!["Taxation".into()];
        let m = messages(&s);
        let at = format!("policies[{training}]");
        assert!(
            m.contains(&format!(
                "{at}.coverage_per_year: found 1.5, expected a share in [0, 1]"
            )),
            "{m:#?}"
        );
        assert!(m.contains(&format!("{at}.level_per_year: `level_per_year` does not apply to policies of kind `digital_training`; remove it")), "{m:#?}");
        assert!(m.contains(&format!("{at}.departments: policies of kind `digital_training` cannot be narrowed by `departments`; remove it")), "{m:#?}");
    }

    #[test]
    fn a_budget_sets_the_amounts_of_the_policies_it_names() {
        let mut s = Scenario::baseline();
        let budget = |shares: &[(&str, f64)], remainder: Option<&str>| crate::Budget {
            total_per_year: 400e6,
            shares: shares.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            remainder: remainder.map(str::to_string),
        };
        s.budget = Some(budget(&[("digitization", 0.25)], Some("ops")));
        assert!(messages(&s).is_empty(), "{:#?}", messages(&s));
        let amount = |s: &Scenario, name: &str| {
            let i = s.policies.iter().position(|p| p.name == name).unwrap();
            s.policy_amount_per_year(i)
        };
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

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(edit_distance("taxatoin", "taxation"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
