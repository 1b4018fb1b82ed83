//! Targets: bounds in the indicator's range, scopes that exist, and data to judge them by.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use unicode_normalization::UnicodeNormalization;

use super::Checker;
use crate::indicators::{Indicator, Unit};
use crate::path::FieldPath;

impl Checker<'_> {
    pub(super) fn targets(&mut self) {
        let at = FieldPath::from("targets");
        let info = &self.scenario.scenario;
        let districts = self.district_names();
        let scenario = self.scenario;
        // A target's label names it in every output (targets.csv, goldens, compare):
        // two targets with one label could not be told apart when read back.
        let mut labels: HashMap<String, usize> = HashMap::new();
        for (i, t) in scenario.targets.iter().enumerate() {
            let p = at.index(i);
            if let Some(name) = &t.name {
                if name.trim().is_empty() {
                    self.report(p.key("name"), "found an empty name, expected a target name");
                } else {
                    self.printable_name(p.key("name"), "target", name);
                }
            }
            let label = t.label();
            match labels.entry(label.nfc().collect()) {
                Entry::Occupied(first) => self.report(
                    if t.name.is_some() {
                        p.key("name")
                    } else {
                        p.clone()
                    },
                    format!(
                        "this target's label {label:?} is also that of {at}[{}], so the two \
                         could not be told apart in targets.csv, goldens or comparisons; \
                         give one of them another `name`",
                        first.get()
                    ),
                ),
                Entry::Vacant(slot) => {
                    slot.insert(i);
                }
            }
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

    /// A target must be able to have data: incidents have no age band and the digital
    /// divide is the gap between two bands, so neither is reported per band; incident
    /// indicators need incident types that can occur.
    pub(super) fn targets_with_data(&mut self) {
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
}

/// The values an indicator can take, for checking target bounds.
fn indicator_range(indicator: Indicator) -> (f64, f64, &'static str) {
    match (indicator, indicator.meta().unit) {
        (Indicator::DigitalDivideGap, _) => (-1.0, 1.0, "a difference of shares"),
        (_, Unit::Share) => (0.0, 1.0, "a share"),
        (_, Unit::Score) => (0.0, 100.0, "a score"),
        (_, Unit::Stage) => (0.0, 4.0, "a maturity stage"),
        (_, Unit::Minutes) => (
            0.0,
            crate::ranges::MAX_COMMUTE_MINUTES,
            "a one-way commute in minutes",
        ),
        _ => (0.0, f64::INFINITY, "a non-negative value"),
    }
}
