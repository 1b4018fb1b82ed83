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
        let mut posterior_count: Option<usize> = None;
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
            if u.is_posterior() {
                self.posterior_draws(&p, u, &mut posterior_count);
                continue;
            }
            for field in ["file", "draws"] {
                let set = if field == "file" {
                    u.file.is_some()
                } else {
                    u.draws.is_some()
                };
                if set {
                    self.report(
                        p.key(field),
                        format!(
                            "`{field}` does not apply to distribution = \"{}\" (only to \"posterior\")",
                            distribution_name(u.distribution)
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

    /// A `posterior` entry: its draws (read from `file` at load) finite, inside
    /// `[min, max]`, as many as every other posterior entry's (they are drawn jointly).
    fn posterior_draws(
        &mut self,
        p: &FieldPath,
        u: &crate::model::UncertainParameter,
        count: &mut Option<usize>,
    ) {
        let Some(draws) = u.draws.as_deref().filter(|d| !d.is_empty()) else {
            self.report(
                p.key("file"),
                format!(
                    "found no draws of {:?}, expected `file` naming a posterior.csv of \
                     `civitas calibrate` that holds this path",
                    u.path
                ),
            );
            return;
        };
        if u.min.is_nan() || u.max.is_nan() || u.min > u.max {
            self.report(
                p.key("max"),
                format!(
                    "found {}, expected at least min = {}",
                    num(u.max),
                    num(u.min)
                ),
            );
        }
        if let Some(bad) = draws
            .iter()
            .find(|d| !d.is_finite() || **d < u.min || **d > u.max)
        {
            self.report(
                p.key("draws"),
                format!(
                    "found the draw {}, expected every draw finite and within min {} and max {}",
                    num(*bad),
                    num(u.min),
                    num(u.max)
                ),
            );
        }
        match *count {
            Some(n) if n != draws.len() => self.report(
                p.key("draws"),
                format!(
                    "found {} draws, expected {n} like the other posterior entries (their \
                     draws are taken together: give them one posterior file)",
                    draws.len()
                ),
            ),
            Some(_) => {}
            None => *count = Some(draws.len()),
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
        K::Posterior => "posterior",
    }
}
