//! The order of mechanisms within a tick — the one place it is declared.
//!
//! 1. `shocks`: multipliers in force this tick;
//! 2. `policies`: lever state of this tick (money, coverage, offers);
//! 3. `departments`: evaluation budgeting (at a new year), then construction, operation,
//!    decay and shock effects on each department;
//! 4. `demography`: ageing; `renewal`: deaths, migration and entrants at 15;
//! 5. `devices`: device acquisition;
//! 6. `adoption`: training, then Bass adoption against the adopter shares of the census
//!    taken at the end of the previous tick (synchronous update);
//! 7. `channels`: requests raised (`demand`), routed, failed or submitted to queues, and
//!    rated (`satisfaction`);
//! 8. `incidents`: occurrence, detection, dispatch and response;
//! 9. `departments`: queues served up to capacity, next tick's waits;
//! 10. `census`: census of residents; `metrics`: the indicator table and the agent sample.

use bevy_ecs::prelude::*;

use crate::{
    adoption, census, channels, demography, departments, devices, incidents, metrics, policies,
    renewal, shocks,
};

/// The schedule that advances a replicate by one tick.
pub fn tick_schedule() -> Schedule {
    let mut schedule = Schedule::default();
    schedule.add_systems(
        (
            shocks::apply_shocks,
            policies::update_levers,
            departments::evaluate_budget,
            departments::evolve_departments,
            demography::age_residents,
            renewal::renew_population,
            devices::acquire_devices,
            adoption::train_residents,
            adoption::diffuse_adoption,
            channels::serve_requests,
            incidents::respond_to_incidents,
            departments::process_queues,
            census::take_census,
            metrics::record_indicators,
            metrics::record_agent_sample,
        )
            .chain(),
    );
    schedule
}
