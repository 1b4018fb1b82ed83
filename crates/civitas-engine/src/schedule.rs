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
//!
//! The tick is split into named [`Stage`]s, run in this order, so a benchmark can time
//! each mechanism (`civitas bench`); running them one after the other is the same as one
//! chained schedule.

use bevy_ecs::prelude::*;
use bevy_ecs::system::ScheduleSystem;

use crate::{
    adoption, census, channels, demography, departments, devices, incidents, metrics, policies,
    renewal, shocks,
};

/// One named part of a tick: the systems of one mechanism (or a few small ones).
pub struct Stage {
    /// The mechanism, as `civitas bench` names it.
    pub name: &'static str,
    /// Its systems, chained.
    pub schedule: Schedule,
}

fn stage<M>(name: &'static str, systems: impl IntoScheduleConfigs<ScheduleSystem, M>) -> Stage {
    let mut schedule = Schedule::default();
    schedule.add_systems(systems);
    Stage { name, schedule }
}

/// The stages that advance a replicate by one tick, in order.
pub fn tick_stages() -> Vec<Stage> {
    vec![
        stage(
            "policies",
            (
                shocks::apply_shocks,
                policies::update_levers,
                departments::evaluate_budget,
                departments::evolve_departments,
            )
                .chain(),
        ),
        stage("ageing", demography::age_residents),
        stage("renewal", renewal::renew_population),
        stage("devices", devices::acquire_devices),
        stage(
            "adoption",
            (adoption::train_residents, adoption::diffuse_adoption).chain(),
        ),
        stage("requests", channels::serve_requests),
        stage("incidents", incidents::respond_to_incidents),
        stage("queues", departments::process_queues),
        stage("census", census::take_census),
        stage(
            "indicators",
            (metrics::record_indicators, metrics::record_agent_sample).chain(),
        ),
    ]
}
