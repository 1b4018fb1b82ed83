//! The city: residents, departments, services and incident types.

use super::{Checker, num};
use crate::limits::MAX_DISTRICTS;
use crate::path::FieldPath;
use crate::ranges::COMMUTE_MINUTES;

impl Checker<'_> {
    pub(super) fn population(&mut self) {
        let pop = &self.scenario.population;
        let at = FieldPath::from("population");
        if pop.agents == 0 {
            self.report(at.key("agents"), "found 0, expected at least 1 agent");
        }
        self.ranged(&at, pop);

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
            self.ranged(&p, d);
            if let Some(mix) = &d.age_mix {
                self.per_band_shares(p.key("age_mix"), mix);
            }
            if let Some(row) = &d.commute_minutes {
                self.commute_row(p.key("commute_minutes"), i, row);
            }
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
            self.ranged(&p, b);
        }
        self.sums_to_one(bands, "the age-band shares", &shares);

        self.ranged(&at.key("ageing"), &pop.ageing);
        self.ranged(&at.key("rural"), &pop.rural);

        let commute = at.key("commute");
        self.ranged(&commute, &pop.commute);
        if pop.commute.within_district_minutes > pop.commute.between_district_minutes {
            self.report(
                commute.key("within_district_minutes"),
                format!(
                    "found {} minutes, expected at most between_district_minutes ({}): a \
                     commute within a district is no longer than one to another",
                    num(pop.commute.within_district_minutes),
                    num(pop.commute.between_district_minutes)
                ),
            );
        }

        let b = &pop.behaviour;
        let at = at.key("behaviour");
        self.ranged(&at, b);
        if !(b.trust_reference > 0.0 && b.trust_reference < 1.0) {
            self.report(
                at.key("trust_reference"),
                format!(
                    "found {}, expected a trust level in (0, 1)",
                    num(b.trust_reference)
                ),
            );
        }
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

    /// District `i`'s row of one-way commutes: one entry per district, each in
    /// [`COMMUTE_MINUTES`], its own (the diagonal) no longer than any other.
    fn commute_row(&mut self, at: FieldPath, i: usize, row: &[f64]) {
        let districts = self.scenario.population.districts.len();
        if row.len() != districts {
            self.report(
                at,
                format!(
                    "found {} entries, expected {districts}: one one-way commute in minutes to \
                     each district, in the order of [[population.districts]]",
                    row.len()
                ),
            );
            return;
        }
        for (j, &x) in row.iter().enumerate() {
            self.bounded(at.index(j), x, COMMUTE_MINUTES);
        }
        let own = row[i];
        if let Some((j, &shorter)) = row
            .iter()
            .enumerate()
            .find(|&(j, &x)| j != i && x.is_finite() && x < own)
        {
            let names = &self.scenario.population.districts;
            self.report(
                at.index(i),
                format!(
                    "found {} minutes within {}, expected at most its commute to any other \
                     district ({} minutes to {})",
                    num(own),
                    names[i].name,
                    num(shorter),
                    names[j].name
                ),
            );
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
            self.ranged(&p, d);
            if d.servers == 0 {
                self.report(p.key("servers"), "found 0, expected at least 1 server");
            }
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
            self.ranged(&p, s);
        }
    }

    pub(super) fn incidents(&mut self) {
        let at = FieldPath::from("incidents");
        let known = self.department_names();
        let incidents = &self.scenario.incidents;
        self.ranged(&at, incidents);
        let types = at.key("types");
        self.unique_names(
            types.clone(),
            "incident type",
            incidents.types.iter().map(|t| t.name.as_str()),
        );
        for (i, t) in incidents.types.iter().enumerate() {
            let p = types.index(i);
            self.reference(p.key("department"), "department", &t.department, &known);
            self.ranged(&p, t);
        }
    }
}
