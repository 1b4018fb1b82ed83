//! The numeric range of each field of the scenario's tables, stated once: validation
//! checks each value against its [`Bound`] (`Checker::ranged`) and the JSON Schema writes
//! it as `minimum`/`exclusiveMinimum` and `maximum` (`schema.rs`), so the two cannot
//! disagree. A table is a line in `ranges!`: its type, then groups of fields sharing a
//! range. Rules that are more than a range (an integer range with its own message, a
//! horizon, shares summing to one, a limit depending on another field) stay in
//! `validate/`; a policy body declares its ranges with the body (`model/policy.rs`).

use crate::bounds::{Bound, BoundedValue};
use crate::limits::{
    MAX_AMOUNT_PER_YEAR, MAX_BASE_DAYS, MAX_CAPACITY_PER_MONTH, MAX_EFFORT, MAX_HOURS,
    MAX_INCIDENT_RATE_PER_100K_PER_MONTH, MAX_SHOCK_FACTOR,
};
use crate::model::{
    Ageing, BandParams, Behaviour, Commute, Department, District, Economy, Errand, FirmGroup,
    IncidentType, Incidents, Park, Population, RuralFactors, Sector, Service, Shock, UnitCosts,
};

/// Largest value added per job and year a sector may state (currency units).
pub const MAX_VALUE_ADDED_PER_JOB: f64 = 1e9;

/// Longest one-way commute a scenario may state, in minutes (ten hours).
pub const MAX_COMMUTE_MINUTES: f64 = 600.0;

/// The range of a one-way commute in minutes: the `[population.commute]` defaults and
/// each entry of a district's `commute_minutes` (validation checks the entries against
/// it and the schema states it for their items).
pub const COMMUTE_MINUTES: Bound = Bound::within(0.0, MAX_COMMUTE_MINUTES, "one-way minutes");

/// A table whose numeric fields have ranges.
pub(crate) trait Ranged {
    /// Its definition in the JSON Schema (the type's name).
    const DEFINITION: &'static str;
    /// Each ranged field and its range, in declaration order.
    const RANGES: &'static [(&'static str, Bound)];
    /// Each ranged field with its value and range, in the same order (an optional field
    /// only when given).
    fn ranged_values(&self) -> Vec<(&'static str, f64, Bound)>;
}

/// Declares the ranges of each table's fields: `Type { field, field => BOUND; … }`.
macro_rules! ranges {
    ($( $ty:ident { $( $($field:ident),+ => $bound:expr; )+ } )*) => {
        $(
            impl Ranged for $ty {
                const DEFINITION: &'static str = stringify!($ty);
                const RANGES: &'static [(&'static str, Bound)] =
                    &[ $( $( (stringify!($field), $bound), )+ )+ ];
                fn ranged_values(&self) -> Vec<(&'static str, f64, Bound)> {
                    let mut values = Vec::new();
                    $( $(
                        if let Some(x) = BoundedValue::bounded_value(&self.$field) {
                            values.push((stringify!($field), x, $bound));
                        }
                    )+ )+
                    values
                }
            }
        )*

        /// Every table declared here: its schema definition and its fields' ranges.
        pub(crate) fn tables() -> Vec<(&'static str, &'static [(&'static str, Bound)])> {
            vec![ $( (<$ty as Ranged>::DEFINITION, <$ty as Ranged>::RANGES), )* ]
        }
    };
}

ranges! {
    Population {
        // Its upper bound is on the people the agents stand for, agents × scale
        // (`validate/`), not a range of its own.
        scale => Bound::POSITIVE;
    }
    District {
        share, iot_coverage, service_points => Bound::SHARE;
    }
    BandParams {
        share, device, adoption => Bound::SHARE;
        literacy => Bound::within(0.0, 1.0, "a literacy level");
        literacy_spread => Bound::within(0.0, 1.0, "a spread");
        bass_p, bass_q, device_uptake_per_year => Bound::NON_NEGATIVE;
    }
    Ageing {
        young_to_middle_per_year, middle_to_senior_per_year => Bound::SHARE;
    }
    RuralFactors {
        device, literacy, adoption => Bound::NON_NEGATIVE;
    }
    Behaviour {
        churn_on_failure, failure_aversion, complaint_probability => Bound::PROBABILITY;
        satisfaction_base, initial_satisfaction, complaint_threshold,
        satisfied_threshold => Bound::within(0.0, 100.0, "a score");
        satisfaction_per_extra_trip, satisfaction_per_wait_day, satisfaction_failure_penalty,
        satisfaction_forced_offline_penalty, trust_adoption_elasticity, trust_churn_elasticity,
        fallback_delay_days, complaint_effort,
        hotline_inquiries_per_request => Bound::NON_NEGATIVE;
        satisfaction_memory => Bound::above_within(0.0, 1.0, "a weight");
        initial_trust, trust_rate, end_to_end_online_share => Bound::SHARE;
        complaint_spread, satisfied_spread => Bound::POSITIVE;
    }
    Department {
        capacity_per_month, cases_per_staff_month => Bound::positive_at_most(MAX_CAPACITY_PER_MONTH);
        digitization, integration, health, health_decay_per_month => Bound::SHARE;
        failure_scale => Bound::PROBABILITY;
        build_gain_per_million, operation_gain_per_million, service_scv => Bound::NON_NEGATIVE;
    }
    Service {
        base_days => Bound::at_most(MAX_BASE_DAYS);
        offline_effort => Bound::positive_at_most(MAX_EFFORT);
        online_effort => Bound::at_most(MAX_EFFORT);
    }
    Incidents {
        platform_level => Bound::SHARE;
        crews_per_100k => Bound::at_most(1_000.0);
        crew_hours_per_incident => Bound::at_most(MAX_HOURS);
    }
    IncidentType {
        rate_per_100k_per_month => Bound::at_most(MAX_INCIDENT_RATE_PER_100K_PER_MONTH);
        report_delay_hours, dispatch_hours => Bound::at_most(MAX_HOURS);
        sla_hours => Bound::positive_at_most(MAX_HOURS);
        effort => Bound::at_most(MAX_EFFORT);
    }
    Shock {
        incident_rate_factor, capacity_factor => Bound::at_most(MAX_SHOCK_FACTOR);
        health_factor => Bound::within(0.0, 1.0, "a multiplier");
    }
    Commute {
        deterrence_per_minute => Bound::within(0.0, 10.0, "a deterrence per minute");
        within_district_minutes, between_district_minutes => COMMUTE_MINUTES;
    }
    UnitCosts {
        staff_per_year, training_per_trainee, subsidy_per_device,
        service_point_build_per_resident, sensor_build_per_point, platform_build_per_point,
        one_window_per_department_year, staff_adjust_per_year, evaluation_cost_share,
        construction_life_years, voucher_per_firm_year, computing_voucher_per_firm_year,
        industrial_platform_build_per_point, open_data_build_per_point,
        park_services_build_per_firm => Bound::positive_at_most(MAX_AMOUNT_PER_YEAR);
        service_point_upkeep_per_resident_per_year, service_point_decay_per_year,
        sensor_upkeep_per_point_per_year, sensor_decay_per_year,
        platform_upkeep_per_point_per_year, platform_decay_per_year,
        industrial_platform_upkeep_per_point_per_year, industrial_platform_decay_per_year,
        open_data_upkeep_per_point_per_year, open_data_decay_per_year,
        park_services_upkeep_per_firm_per_year,
        park_services_decay_per_year => Bound::at_most(MAX_AMOUNT_PER_YEAR);
    }
    Park {
        services => Bound::SHARE;
    }
    Economy {
        entry_per_year, exit_per_year => Bound::within(0.0, 1.0, "a share per year");
        maturity_p, maturity_q, workforce_elasticity, productivity_premium_per_stage,
        cloud_uptake_per_year, numerical_control_uptake_per_year, rd_tools_uptake_per_year,
        industrial_internet_uptake_per_year, voucher_boost_per_year, platform_effect,
        computing_boost_per_year, open_data_entry_effect,
        park_services_effect => Bound::within(0.0, 100.0, "a rate or effect");
    }
    Sector {
        value_added_per_job => Bound::within(0.0, MAX_VALUE_ADDED_PER_JOB, "an amount per job and year");
    }
    FirmGroup {
        jobs_per_firm => Bound::within(0.0, 1e6, "a number of jobs");
        cloud, industrial_internet, numerical_control, rd_tools => Bound::SHARE;
    }
    Errand {
        per_firm_per_year => Bound::within(0.0, 10_000.0, "errands per firm and year");
        offline_effort => Bound::within(0.0, 1000.0, "an effort in cases");
        online_effort => Bound::SHARE;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_comes_with_the_range_its_table_declares() {
        let costs = crate::Scenario::baseline().costs;
        let values = costs.ranged_values();
        assert_eq!(values.len(), UnitCosts::RANGES.len());
        for ((field, x, bound), (name, declared)) in values.iter().zip(UnitCosts::RANGES) {
            assert_eq!((field, bound), (name, declared));
            assert!(bound.holds(*x), "baseline {field} = {x}");
        }
        assert_eq!(values[0].1, costs.staff_per_year);
        assert!(
            tables()
                .iter()
                .any(|(def, r)| *def == "Errand" && r.len() == 3)
        );
    }
}
