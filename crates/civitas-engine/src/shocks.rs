//! Scenario shocks: temporary multipliers while a shock is in force.
//!
//! A shock acts in the months `[start, end]` on its departments and districts (all when
//! none are named). Its `health_factor` multiplies the *effective* health of the affected
//! departments' systems (the stored health is untouched, so service recovers when the
//! shock ends), `capacity_factor` multiplies their capacity and `incident_rate_factor`
//! the incident rates of the affected districts. A cyber incident additionally makes
//! online requests fail [`CYBER_FAILURE_MULTIPLIER`] times as often (compromised
//! accounts and forced re-verification on top of downtime). Overlapping shocks multiply.

use bevy_ecs::prelude::*;
use civitas_scenario::{ShockKind, YearMonth};

use crate::city::{City, Clock, in_window, targets};
pub use crate::levers::ShockState;

/// How many times more often online requests fail during a cyber incident.
pub const CYBER_FAILURE_MULTIPLIER: f64 = 2.0;

/// One shock with its targets resolved to positions.
#[derive(Debug, Clone)]
struct CompiledShock {
    start: YearMonth,
    end: YearMonth,
    departments: Vec<bool>,
    districts: Vec<bool>,
    health_factor: f64,
    capacity_factor: f64,
    incident_rate_factor: f64,
    cyber: bool,
}

/// The scenario's shocks, resolved once.
#[derive(Resource, Debug, Clone)]
pub struct ShockTimeline(Vec<CompiledShock>);

impl ShockTimeline {
    /// Resolves the shocks of `city`.
    pub fn new(city: &City) -> Self {
        let s = &city.scenario;
        Self(
            s.shocks
                .iter()
                .map(|shock| CompiledShock {
                    start: shock.start,
                    end: shock.end,
                    departments: targets(
                        &shock.departments,
                        s.departments.iter().map(|d| d.name.as_str()),
                        s.departments.len(),
                    ),
                    districts: targets(
                        &shock.districts,
                        s.population.districts.iter().map(|d| d.name.as_str()),
                        s.population.districts.len(),
                    ),
                    health_factor: shock.health_factor,
                    capacity_factor: shock.capacity_factor,
                    incident_rate_factor: shock.incident_rate_factor,
                    cyber: shock.kind == ShockKind::CyberIncident,
                })
                .collect(),
        )
    }
}

/// Installs the compiled shocks of `city` and no shock in force.
pub fn install(world: &mut World, city: &City) {
    world.insert_resource(ShockTimeline::new(city));
    world.insert_resource(ShockState::new(city));
}

/// Sets this tick's shock multipliers.
pub fn apply_shocks(
    clock: Res<Clock>,
    timeline: Res<ShockTimeline>,
    mut state: ResMut<ShockState>,
) {
    let state = &mut *state;
    for v in [
        &mut state.health_factor,
        &mut state.capacity_factor,
        &mut state.failure_factor,
        &mut state.incident_factor,
    ] {
        v.fill(1.0);
    }
    let month = clock.month();
    for shock in timeline
        .0
        .iter()
        .filter(|x| in_window(month, x.start, Some(x.end)))
    {
        let deps = &shock.departments;
        for j in (0..deps.len()).filter(|&j| deps[j]) {
            state.health_factor[j] *= shock.health_factor;
            state.capacity_factor[j] *= shock.capacity_factor;
            if shock.cyber {
                state.failure_factor[j] *= CYBER_FAILURE_MULTIPLIER;
            }
        }
        let dists = &shock.districts;
        for d in (0..dists.len()).filter(|&d| dists[d]) {
            state.incident_factor[d] *= shock.incident_rate_factor;
        }
    }
}
