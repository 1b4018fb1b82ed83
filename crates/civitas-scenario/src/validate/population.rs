//! The city: residents, departments, services and incident types.

use super::{Checker, num};
use crate::limits::{MAX_CAPACITY_PER_MONTH, MAX_DISTRICTS};
use crate::path::FieldPath;

impl Checker<'_> {
    pub(super) fn population(&mut self) {
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
        if pop.districts.len() > MAX_DISTRICTS {
            self.report(
                districts.clone(),
                format!(
                    "found {} districts, expected at most {MAX_DISTRICTS}",
                    pop.districts.len()
                ),
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
        self.non_negative(
            at.key("satisfaction_forced_offline_penalty"),
            b.satisfaction_forced_offline_penalty,
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
        self.positive(at.key("complaint_spread"), b.complaint_spread);
        self.share(at.key("end_to_end_online_share"), b.end_to_end_online_share);
        self.non_negative(at.key("complaint_effort"), b.complaint_effort);
        self.in_range(
            at.key("satisfied_threshold"),
            b.satisfied_threshold,
            0.0,
            100.0,
            "a score",
        );
        self.positive(at.key("satisfied_spread"), b.satisfied_spread);
        self.non_negative(
            at.key("hotline_inquiries_per_request"),
            b.hotline_inquiries_per_request,
        );
        if let Some(name) = &b.complaint_department {
            let known = self.department_names();
            self.reference(at.key("complaint_department"), "department", name, &known);
        }

        let d = &pop.demography;
        let at = FieldPath::from("population").key("demography");
        self.share(at.key("entrants_per_year"), d.entrants_per_year);
        self.non_negative(
            at.key("entrant_gap_closing_per_year"),
            d.entrant_gap_closing_per_year,
        );
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

    pub(super) fn departments(&mut self) {
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

    pub(super) fn services(&mut self) {
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

    pub(super) fn incidents(&mut self) {
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
}
