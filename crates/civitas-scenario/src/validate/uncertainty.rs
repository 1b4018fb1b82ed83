//! `[[uncertainty]]` priors.

use super::{Checker, num};
use crate::path::FieldPath;

impl Checker<'_> {
    /// `[[uncertainty]]`: a path, once each; the family's parameters and no others; a
    /// distribution that exists; a source. Whether the path names a numeric field and
    /// whether every draw keeps the scenario valid is checked where the lever grammar
    /// lives (`civitas_batch::uncertainty`), before any run.
    pub(super) fn uncertainty(&mut self) {
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
