//! The order of mechanisms within a tick — the one place it is declared.
//!
//! 1. `shocks`: multipliers in force this tick;
//! 2. `policies`: lever state of this tick (money, coverage, offers);
//! 3. `departments`: evaluation budgeting (at a new year), then construction, operation,
//!    decay and shock effects on each department;
//! 4. the resident pass ([`crate::pass`]), for each resident in turn: `demography`
//!    ageing; `renewal` death and migration; `devices` acquisition; `adoption` training,
//!    then Bass adoption against the adopter shares of the census taken at the end of
//!    the previous tick (synchronous update); `channels` requests raised (`demand`),
//!    routed, failed or submitted to queues, and rated (`satisfaction`); `census` count;
//! 5. `renewal`: entrants at 15 take over the dead's entities (the rest despawned or
//!    spawned) and are counted;
//! 6. `census`: each district's adopter share for the next tick;
//! 7. `incidents`: occurrence, detection, dispatch and response;
//! 8. `enterprises`: firms' exit, maturity, tools, value added and errands (their cases
//!    join the departments' arrivals), and entrants for the next tick;
//! 9. `workplaces`: at the first tick of a year, where the working residents work, from
//!    the firms' jobs;
//! 10. `departments`: queues served up to capacity, next tick's waits;
//! 11. `metrics`: the indicator table and the agent sample.
//!
//! The tick is split into named [`Stage`]s, run in this order, so a benchmark can time
//! each mechanism (`civitas bench`; the resident pass times its own steps, see
//! [`crate::pass::STEPS`]); running them one after the other is the same as one chained
//! schedule.

use bevy_ecs::prelude::*;
use bevy_ecs::system::ScheduleSystem;

use crate::{
    census, departments, enterprises, incidents, metrics, pass, policies, renewal, shocks,
    workplaces,
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
        stage("residents", pass::resident_pass),
        stage("renewal", renewal::renew_population),
        stage("census", census::share_adoption),
        stage("incidents", incidents::respond_to_incidents),
        stage("enterprises", enterprises::enterprise_pass),
        stage("workplaces", workplaces::assign_workplaces),
        stage("queues", departments::process_queues),
        stage(
            "indicators",
            (metrics::record_indicators, metrics::record_agent_sample).chain(),
        ),
    ]
}
