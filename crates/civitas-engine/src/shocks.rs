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
use civitas_scenario::ShockKind;

use crate::city::{City, Clock, in_window, targets};

/// How many times more often online requests fail during a cyber incident.
pub const CYBER_FAILURE_MULTIPLIER: f64 = 2.0;

/// The multipliers in force this tick.
#[derive(Resource, Debug, Clone)]
pub struct ShockState {
    /// Multiplier on each department's system health.
    pub health_factor: Vec<f64>,
    /// Multiplier on each department's capacity.
    pub capacity_factor: Vec<f64>,
    /// Multiplier on each department's online failure probability.
    pub failure_factor: Vec<f64>,
    /// Multiplier on each district's incident rates.
    pub incident_factor: Vec<f64>,
}

impl ShockState {
    /// No shock in force.
    pub fn new(city: &City) -> Self {
        Self {
            health_factor: vec![1.0; city.departments()],
            capacity_factor: vec![1.0; city.departments()],
            failure_factor: vec![1.0; city.departments()],
            incident_factor: vec![1.0; city.districts()],
        }
    }
}

/// Sets this tick's shock multipliers.
pub fn apply_shocks(city: Res<City>, clock: Res<Clock>, mut state: ResMut<ShockState>) {
    let s = &city.scenario;
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
    for shock in s
        .shocks
        .iter()
        .filter(|x| in_window(month, x.start, Some(x.end)))
    {
        let deps = targets(
            &shock.departments,
            s.departments.iter().map(|d| d.name.as_str()),
            s.departments.len(),
        );
        let dists = targets(
            &shock.districts,
            s.population.districts.iter().map(|d| d.name.as_str()),
            s.population.districts.len(),
        );
        for j in (0..deps.len()).filter(|&j| deps[j]) {
            state.health_factor[j] *= shock.health_factor.max(0.0);
            state.capacity_factor[j] *= shock.capacity_factor.max(0.0);
            if shock.kind == ShockKind::CyberIncident {
                state.failure_factor[j] *= CYBER_FAILURE_MULTIPLIER;
            }
        }
        for d in (0..dists.len()).filter(|&d| dists[d]) {
            state.incident_factor[d] *= shock.incident_rate_factor.max(0.0);
        }
    }
}
