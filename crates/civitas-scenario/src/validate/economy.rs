//! `[economy]`: sectors, firm groups, errands, and the districts' parks they sit in.

use super::{Checker, num};
use crate::path::FieldPath;

/// Most enterprise agents a scenario may ask for at the start (each group's
/// `round(count / scale)` summed): entrants add at most `entry_per_year` of it a year.
pub const MAX_ENTERPRISE_AGENTS: f64 = 10_000_000.0;

/// Largest value added per job and year a sector may state (currency units).
const MAX_VALUE_ADDED_PER_JOB: f64 = 1e9;

impl Checker<'_> {
    pub(super) fn economy(&mut self) {
        let districts = FieldPath::from("population").key("districts");
        for (i, d) in self.scenario.population.districts.iter().enumerate() {
            if let Some(park) = &d.park {
                let p = districts.index(i).key("park");
                if park.name.trim().is_empty() {
                    self.report(p.key("name"), "found an empty name, expected a park name");
                }
                self.share(p.key("services"), park.services);
            }
        }
        let Some(e) = &self.scenario.economy else {
            return;
        };
        let at = FieldPath::from("economy");
        if !(e.scale.is_finite() && e.scale >= 1.0) {
            self.report(
                at.key("scale"),
                format!(
                    "found {}, expected at least 1 firm per enterprise agent",
                    num(e.scale)
                ),
            );
        }
        for (field, x) in [
            ("entry_per_year", e.entry_per_year),
            ("exit_per_year", e.exit_per_year),
        ] {
            self.in_range(at.key(field), x, 0.0, 1.0, "a share per year");
        }
        for (field, x) in [
            ("maturity_p", e.maturity_p),
            ("maturity_q", e.maturity_q),
            ("workforce_elasticity", e.workforce_elasticity),
            (
                "productivity_premium_per_stage",
                e.productivity_premium_per_stage,
            ),
            ("cloud_uptake_per_year", e.cloud_uptake_per_year),
            (
                "numerical_control_uptake_per_year",
                e.numerical_control_uptake_per_year,
            ),
            ("rd_tools_uptake_per_year", e.rd_tools_uptake_per_year),
            (
                "industrial_internet_uptake_per_year",
                e.industrial_internet_uptake_per_year,
            ),
            ("voucher_boost_per_year", e.voucher_boost_per_year),
            ("platform_effect", e.platform_effect),
            ("computing_boost_per_year", e.computing_boost_per_year),
            ("open_data_entry_effect", e.open_data_entry_effect),
            ("park_services_effect", e.park_services_effect),
        ] {
            self.in_range(at.key(field), x, 0.0, 100.0, "a rate or effect");
        }

        let sectors = at.key("sectors");
        self.unique_names(
            sectors.clone(),
            "sector",
            e.sectors.iter().map(|s| s.name.as_str()),
        );
        for (i, s) in e.sectors.iter().enumerate() {
            self.in_range(
                sectors.index(i).key("value_added_per_job"),
                s.value_added_per_job,
                0.0,
                MAX_VALUE_ADDED_PER_JOB,
                "an amount per job and year",
            );
        }

        let sector_names: Vec<&str> = e.sectors.iter().map(|s| s.name.as_str()).collect();
        let district_names = self.district_names();
        let firms = at.key("firms");
        self.unique_names(
            firms.clone(),
            "firm group",
            e.firms.iter().map(|f| f.name.as_str()),
        );
        let mut agents = 0.0;
        for (i, f) in e.firms.iter().enumerate() {
            let p = firms.index(i);
            self.reference(p.key("sector"), "sector", &f.sector, &sector_names);
            self.reference(p.key("district"), "district", &f.district, &district_names);
            if f.in_park
                && let Some(d) = self.scenario.district_index(&f.district)
                && self.scenario.population.districts[d].park.is_none()
            {
                self.report(
                    p.key("in_park"),
                    format!(
                        "found true, but district {:?} has no park; expected false or a `park` on the district",
                        f.district
                    ),
                );
            }
            self.in_range(
                p.key("count"),
                f.count,
                0.0,
                MAX_ENTERPRISE_AGENTS * e.scale.max(1.0),
                "a number of firms",
            );
            self.in_range(
                p.key("jobs_per_firm"),
                f.jobs_per_firm,
                0.0,
                1e6,
                "a number of jobs",
            );
            let stages = p.key("maturity");
            if f.maturity.len() != 5 {
                self.report(
                    stages.clone(),
                    format!(
                        "found {} shares, expected 5 (stages 0 to 4)",
                        f.maturity.len()
                    ),
                );
            }
            for (s, &x) in f.maturity.iter().enumerate() {
                self.share(stages.index(s), x);
            }
            let names = ["stage 0", "stage 1", "stage 2", "stage 3", "stage 4"];
            let shares: Vec<(&str, f64)> =
                names.into_iter().zip(f.maturity.iter().copied()).collect();
            self.sums_to_one(stages, "the maturity stage shares", &shares);
            self.share(p.key("cloud"), f.cloud);
            self.share(p.key("industrial_internet"), f.industrial_internet);
            self.share(p.key("numerical_control"), f.numerical_control);
            self.share(p.key("rd_tools"), f.rd_tools);
            if f.count.is_finite() && f.count > 0.0 && e.scale >= 1.0 {
                agents += (f.count / e.scale).round().max(1.0);
            }
        }
        if agents > MAX_ENTERPRISE_AGENTS {
            self.report(
                at.key("scale"),
                format!(
                    "found {}, which makes {agents} enterprise agents; expected at most {MAX_ENTERPRISE_AGENTS} (raise the scale)",
                    num(e.scale)
                ),
            );
        }

        let departments = self.department_names();
        let errands = at.key("errands");
        self.unique_names(
            errands.clone(),
            "errand",
            e.errands.iter().map(|x| x.name.as_str()),
        );
        for (i, x) in e.errands.iter().enumerate() {
            let p = errands.index(i);
            self.reference(
                p.key("department"),
                "department",
                &x.department,
                &departments,
            );
            for (k, r) in x.requires.iter().enumerate() {
                self.reference(p.key("requires").index(k), "department", r, &departments);
            }
            self.in_range(
                p.key("per_firm_per_year"),
                x.per_firm_per_year,
                0.0,
                10_000.0,
                "errands per firm and year",
            );
            self.in_range(
                p.key("offline_effort"),
                x.offline_effort,
                0.0,
                1000.0,
                "an effort in cases",
            );
            self.share(p.key("online_effort"), x.online_effort);
        }
    }
}
