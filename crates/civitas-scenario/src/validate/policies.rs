//! The timeline: policies, unit costs, the budget and shocks.

use super::{Checker, SHARE_SUM_TOLERANCE, num};
use crate::limits::{MAX_AMOUNT_PER_YEAR, MAX_TRAINING_POLICIES};
use crate::model::Policy;
use crate::path::FieldPath;

impl Checker<'_> {
    pub(super) fn policies(&mut self) {
        let at = FieldPath::from("policies");
        let scenario = self.scenario;
        self.unique_names(
            at.clone(),
            "policy",
            scenario.policies.iter().map(|p| p.name()),
        );
        for (i, policy) in scenario.policies.iter().enumerate() {
            self.policy(at.index(i), policy);
        }
        let training = scenario
            .policies
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p, Policy::DigitalTraining(_)));
        if let Some((i, _)) = training.clone().nth(MAX_TRAINING_POLICIES) {
            self.report(
                at.index(i),
                format!(
                    "found {} digital_training policies, expected at most {MAX_TRAINING_POLICIES}",
                    training.count()
                ),
            );
        }
    }

    /// One policy: its dates, its money (its own or the budget's, not both), the ranges of
    /// its kind's parameters (declared with its body) and the names it targets. Which
    /// parameters a kind takes is its type ([`Policy`]); serde has rejected the others,
    /// with their position.
    fn policy(&mut self, p: FieldPath, policy: &Policy) {
        self.in_horizon(p.key("start"), policy.start());
        if let Some(end) = policy.end() {
            self.in_horizon(p.key("end"), end);
            self.not_before(p.key("end"), policy.start(), end);
        }
        if policy.kind().is_economy() && self.scenario.economy.is_none() {
            self.report(
                p.key("kind"),
                format!(
                    "found `{}` policy \"{}\", but the scenario has no `[economy]`: its money \
                     would buy nothing; expected an `[economy]` table with the firms it acts \
                     on, or no `{}` policy",
                    policy.kind().name(),
                    policy.name(),
                    policy.kind().name()
                ),
            );
        }
        for (field, x, bound) in policy.bounded_values() {
            self.bounded(p.key(field), x, bound);
        }
        if let Some(amount) = policy.amount_per_year() {
            self.money_from_one_place(p.key("amount_per_year"), policy.name(), amount);
        }
        let departments = self.department_names();
        for (j, d) in policy.departments().iter().enumerate() {
            self.reference(p.key("departments").index(j), "department", d, &departments);
        }
        let districts = self.district_names();
        for (j, d) in policy.districts().iter().enumerate() {
            self.reference(p.key("districts").index(j), "district", d, &districts);
        }
    }

    /// A policy that `[budget]` names gets its money from the budget: an `amount_per_year`
    /// of its own would be silently replaced, so it is an error. (The loader drops an
    /// amount a variant's budget takes over from a base file before this runs.)
    fn money_from_one_place(&mut self, at: FieldPath, name: &str, amount: f64) {
        let Some(budget) = &self.scenario.budget else {
            return;
        };
        let Some(share) = budget.share_of(name) else {
            return;
        };
        let how = if budget.remainder.as_deref() == Some(name) {
            format!("the remainder, {share} of total_per_year")
        } else {
            format!("a share of {share} of total_per_year")
        };
        self.report(
            at,
            format!(
                "found {}, but `[budget]` gives `{name}` its money ({how}); a policy's money is \
                 its `amount_per_year` or its budget share, not both: remove one",
                num(amount)
            ),
        );
    }

    pub(super) fn costs(&mut self) {
        let at = FieldPath::from("costs");
        let costs = &self.scenario.costs;
        self.ranged(&at, costs);
    }

    pub(super) fn budget(&mut self) {
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
        let policies: Vec<&str> = self.scenario.policies.iter().map(|p| p.name()).collect();
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

    pub(super) fn shocks(&mut self) {
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
            self.ranged(&p, s);
        }
    }
}
