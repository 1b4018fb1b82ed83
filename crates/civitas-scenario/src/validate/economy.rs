//! `[economy]`: sectors, firm groups, errands, and the districts' parks they sit in.

use super::{Checker, num};
use crate::path::FieldPath;

/// Most enterprise agents a scenario may ask for at the start (each group's
/// `round(count / scale)` summed): entrants add at most `entry_per_year` of it a year.
pub const MAX_ENTERPRISE_AGENTS: f64 = 10_000_000.0;

impl Checker<'_> {
    pub(super) fn economy(&mut self) {
        let districts = FieldPath::from("population").key("districts");
        for (i, d) in self.scenario.population.districts.iter().enumerate() {
            if let Some(park) = &d.park {
                let p = districts.index(i).key("park");
                if park.name.trim().is_empty() {
                    self.report(p.key("name"), "found an empty name, expected a park name");
                }
                self.ranged(&p, park);
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
        self.ranged(&at, e);

        let sectors = at.key("sectors");
        self.unique_names(
            sectors.clone(),
            "sector",
            e.sectors.iter().map(|s| s.name.as_str()),
        );
        for (i, s) in e.sectors.iter().enumerate() {
            self.ranged(&sectors.index(i), s);
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
            self.ranged(&p, f);
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
            self.ranged(&p, x);
        }
    }
}
