//! Government departments: construction, operation and decay of their systems, their
//! case queues, and evaluation budgeting.
//!
//! Each tick of `m` months (1 for monthly ticks, about 0.23 for weekly ones):
//! - health decays: `h ← h·(1 − decay)^m`, then operation money restores it:
//!   `Δh = k_o·money·(1 − h)` (money in millions this tick); building without operating
//!   therefore lets `h` fall toward 0 and with it online eligibility (`d·h`) and success;
//! - construction money raises digitization and integration with diminishing returns:
//!   `Δd = k·money·(1 − d)`, `Δg = k·money·(1 − g)`;
//! - the effective health seen by residents is `h` times the shock factor; an online
//!   request fails with probability `(1 − h_eff)·failure_scale` (times the cyber factor).
//!
//! Queues are kept in cases of represented people (one agent request is `scale` cases,
//! weighted by its offline or online effort). Arrivals of the tick join the queue, the
//! department serves up to `capacity_per_month × m` cases (first come, first served,
//! served as a fluid: the same share of every queued request kind), and what is left
//! sets the queue wait that the next tick's requests see:
//! `wait_days = backlog / (capacity per day)`.
//!
//! Evaluation budgeting: at the first tick of each year while the policy is in force,
//! `share_moved_per_year` of every department's operation weight is pooled and given in
//! equal parts to the third of departments (at least one) with the lowest mean request
//! satisfaction over the past year; departments that had no requests keep their weight
//! and receive nothing. No department's weight falls below
//! [`MIN_OPERATION_WEIGHT`] of its equal share: every running system still needs
//! maintaining, and with diminishing returns (`Δh ∝ 1 − h`) starving a department costs
//! more health than the recipients gain. The new weights apply from the next tick.

use bevy_ecs::prelude::*;

use crate::city::{City, Clock};
use crate::policies::Levers;
use crate::shocks::ShockState;

/// Longest queue wait reported, in days, so that a department with no capacity left
/// (e.g. a shock with `capacity_factor = 0`) yields a large but finite wait.
pub const MAX_WAIT_DAYS: f64 = 3650.0;

/// Lowest operation weight evaluation budgeting leaves a department (equal share = 1).
pub const MIN_OPERATION_WEIGHT: f64 = 0.7;

/// The state of one department.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DepartmentState {
    /// Digitization d.
    pub digitization: f64,
    /// Data integration g.
    pub integration: f64,
    /// Stored system health h.
    pub health: f64,
    /// Health after shocks, as residents experience it this tick.
    pub effective_health: f64,
    /// Chance an online request to this department fails this tick.
    pub failure_probability: f64,
    /// Cases the department can serve this tick.
    pub capacity_cases: f64,
    /// Cases waiting (represented people × effort).
    pub queue_cases: f64,
    /// Requests waiting (represented people).
    pub queue_requests: f64,
    /// Queue wait a request arriving this tick faces, in days.
    pub wait_days: f64,
    /// Cases that arrived this tick (requests and incidents).
    pub arrivals_cases: f64,
    /// Requests that arrived this tick (represented people).
    pub arrivals_requests: f64,
    /// Requests served since the start (represented people).
    pub served_requests_total: f64,
    /// Sum of request satisfaction this calendar year (agent requests).
    pub satisfaction_sum_year: f64,
    /// Number of agent requests rated this calendar year.
    pub satisfaction_count_year: u64,
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
                    digitization: d.digitization.clamp(0.0, 1.0),
                    integration: d.integration.clamp(0.0, 1.0),
                    health: d.health.clamp(0.0, 1.0),
                    effective_health: d.health.clamp(0.0, 1.0),
                    failure_probability: ((1.0 - d.health) * d.failure_scale).clamp(0.0, 1.0),
                    capacity_cases: d.capacity_per_month.max(0.0) * city.months_per_tick,
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

/// Relative share of the operation budget each department receives (evaluation budgeting
/// moves it; all equal otherwise).
#[derive(Resource, Debug, Clone)]
pub struct OperationWeights(pub Vec<f64>);

/// Applies construction, operation, decay and shocks to every department.
pub fn evolve_departments(
    city: Res<City>,
    levers: Res<Levers>,
    shocks: Res<ShockState>,
    mut departments: ResMut<Departments>,
) {
    let m = city.months_per_tick;
    for (j, (dep, spec)) in departments
        .0
        .iter_mut()
        .zip(&city.scenario.departments)
        .enumerate()
    {
        let gain = |k: f64, millions: f64| (k.max(0.0) * millions).min(1.0);
        dep.health *= (1.0 - spec.health_decay_per_month.clamp(0.0, 1.0)).powf(m);
        dep.health += gain(
            spec.operation_gain_per_million,
            levers.operation_millions[j],
        ) * (1.0 - dep.health);
        dep.digitization += gain(spec.build_gain_per_million, levers.digitization_millions[j])
            * (1.0 - dep.digitization);
        dep.integration += gain(spec.build_gain_per_million, levers.integration_millions[j])
            * (1.0 - dep.integration);
        dep.health = dep.health.clamp(0.0, 1.0);
        dep.effective_health = (dep.health * shocks.health_factor[j]).clamp(0.0, 1.0);
        dep.failure_probability =
            ((1.0 - dep.effective_health) * spec.failure_scale.max(0.0) * shocks.failure_factor[j])
                .clamp(0.0, 1.0);
        dep.capacity_cases = spec.capacity_per_month.max(0.0) * m * shocks.capacity_factor[j];
        dep.arrivals_cases = 0.0;
        dep.arrivals_requests = 0.0;
    }
}

/// Serves each department's queue up to its capacity and sets the next tick's wait.
pub fn process_queues(city: Res<City>, mut departments: ResMut<Departments>) {
    for dep in &mut departments.0 {
        dep.queue_cases += dep.arrivals_cases;
        dep.queue_requests += dep.arrivals_requests;
        let served = dep.queue_cases.min(dep.capacity_cases);
        let share = if dep.queue_cases > 0.0 {
            served / dep.queue_cases
        } else {
            1.0
        };
        dep.served_requests_total += share * dep.queue_requests;
        dep.queue_requests *= 1.0 - share;
        dep.queue_cases -= served;
        if share >= 1.0 {
            dep.queue_cases = 0.0;
            dep.queue_requests = 0.0;
        }
        dep.wait_days = if dep.queue_cases <= 0.0 {
            0.0
        } else if dep.capacity_cases <= 0.0 {
            MAX_WAIT_DAYS
        } else {
            (dep.queue_cases / (dep.capacity_cases / city.days_per_tick)).min(MAX_WAIT_DAYS)
        };
    }
}

/// Moves operation money toward the least-satisfying departments at each new year.
pub fn evaluate_budget(
    clock: Res<Clock>,
    levers: Res<Levers>,
    mut departments: ResMut<Departments>,
    mut weights: ResMut<OperationWeights>,
) {
    if !clock.new_year {
        return;
    }
    if let Some(share) = levers.evaluation_share_per_year {
        let mut rated: Vec<(f64, usize)> = departments
            .0
            .iter()
            .enumerate()
            .filter(|(_, d)| d.satisfaction_count_year > 0)
            .map(|(j, d)| {
                (
                    d.satisfaction_sum_year / d.satisfaction_count_year as f64,
                    j,
                )
            })
            .collect();
        if !rated.is_empty() {
            rated.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let recipients = rated.len().div_ceil(3);
            let mut pool = 0.0;
            for &(_, j) in &rated {
                let moved =
                    (weights.0[j] * share).min((weights.0[j] - MIN_OPERATION_WEIGHT).max(0.0));
                weights.0[j] -= moved;
                pool += moved;
            }
            for &(_, j) in &rated[..recipients] {
                weights.0[j] += pool / recipients as f64;
            }
        }
    }
    for d in &mut departments.0 {
        d.satisfaction_sum_year = 0.0;
        d.satisfaction_count_year = 0;
    }
}
