//! The departments as residents and incidents meet them: each department's state
//! (systems, staff, capacity, queue, wait), shared by the mechanisms that read or load it
//! (`channels`, `incidents`, `metrics`) and the one that evolves it
//! ([`crate::departments`]), so none of them imports another.

use bevy_ecs::prelude::*;

use crate::city::City;

/// The state of one department.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DepartmentState {
    /// Digitization d at the end of the tick.
    pub digitization: f64,
    /// Data integration g at the end of the tick.
    pub integration: f64,
    /// System health h at the end of the tick.
    pub health: f64,
    /// Digitization as residents experience it this tick (at the middle of the tick).
    pub digitization_now: f64,
    /// Data integration as residents experience it this tick (at the middle of the tick).
    pub integration_now: f64,
    /// Health at the middle of the tick after shocks, as residents experience it.
    pub effective_health: f64,
    /// Chance an online request to this department fails this tick.
    pub failure_probability: f64,
    /// Staff (case officers) this tick: `capacity_per_month / cases_per_staff_month` plus
    /// hires of staffing policies.
    pub staff: f64,
    /// Cases the department can serve this tick.
    pub capacity_cases: f64,
    /// Cases waiting (represented people × effort).
    pub queue_cases: f64,
    /// Requests waiting (represented people).
    pub queue_requests: f64,
    /// Queue wait a request arriving this tick faces, in days.
    pub wait_days: f64,
    /// Cases that arrived this tick (requests, firms' errands and incidents).
    pub arrivals_cases: f64,
    /// Requests that arrived this tick (represented people).
    pub arrivals_requests: f64,
    /// Requests served since the start (represented people).
    pub served_requests_total: f64,
    /// Firms' errands that arrived this tick (represented errands).
    pub arrivals_errands: f64,
    /// Firms' errands waiting (represented errands).
    pub queue_errands: f64,
    /// Firms' errands served since the start (represented errands).
    pub served_errands_total: f64,
    /// Online and assisted attempts this calendar year (agent attempts): the traffic the
    /// department's systems carry, which evaluation budgeting weighs.
    pub attempts_year: u64,
}

/// All departments, in scenario order.
#[derive(Resource, Debug, Clone)]
pub struct Departments(pub Vec<DepartmentState>);

impl Departments {
    /// Starting state from the scenario.
    pub fn new(city: &City) -> Self {
        Self(
            city.scenario
                .departments
                .iter()
                .map(|d| DepartmentState {
                    digitization: d.digitization,
                    integration: d.integration,
                    digitization_now: d.digitization,
                    integration_now: d.integration,
                    health: d.health,
                    effective_health: d.health,
                    failure_probability: (1.0 - d.health) * d.failure_scale,
                    staff: d.capacity_per_month / d.cases_per_staff_month,
                    capacity_cases: d.capacity_per_month * city.months_per_tick,
                    ..Default::default()
                })
                .collect(),
        )
    }

    /// Mean effective health over departments (NaN when there are none).
    pub fn mean_effective_health(&self) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        self.0.iter().map(|d| d.effective_health).sum::<f64>() / self.0.len() as f64
    }
}
