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
//! `wait_days = backlog / (capacity per day)`. A department carrying a backlog works it
//! off with up to [`BACKLOG_SURGE_SHARE`] extra capacity (overtime, temporary staff), and
//! the wait counts that surge.
//!
//! Evaluation budgeting: at the first tick of each year while the policy is in force,
//! `share_moved_per_year` of every department's operation weight is pooled and given in
//! equal parts to the third of departments (at least one) with the lowest mean request
//! satisfaction over the past year; departments that had no requests keep their weight
//! and receive nothing. No department's weight falls below
//! [`MIN_OPERATION_WEIGHT`] of its equal share: every running system still needs
//! maintaining, and with diminishing returns (`Δh ∝ 1 − h`) starving a department costs
//! more health than the recipients gain. The new weights apply from the next tick.
//! Because operation money only restores system health, the shift helps when a
//! department's residents are unhappy because its systems fail; where dissatisfaction
//! comes from trips and waits (as in much of the baseline) it costs a little availability
//! elsewhere — a finding, not a defect: satisfaction-led budgeting needs the levers that
//! fix what residents complain about.

use crate::math;

use bevy_ecs::prelude::*;

use crate::city::{City, Clock};
use crate::policies::Levers;
use crate::shocks::ShockState;

/// Longest queue wait reported, in days, so that a department with no capacity left
/// (e.g. a shock with `capacity_factor = 0`) yields a large but finite wait.
pub const MAX_WAIT_DAYS: f64 = 3650.0;

/// Most extra capacity a department finds for a carried-over backlog (overtime, temporary
/// counter staff), as a share of its regular capacity. Without it a department whose
/// online systems fail keeps a backlog growing for years (waits of a year and more),
/// which real offices do not let happen; with it backlogs of weeks to months remain
/// possible under neglect or shocks.
pub const BACKLOG_SURGE_SHARE: f64 = 0.3;

/// Capacity available this tick to a department carrying `backlog_cases` from before.
fn capacity_with_surge(capacity_cases: f64, backlog_cases: f64) -> f64 {
    capacity_cases + backlog_cases.clamp(0.0, BACKLOG_SURGE_SHARE * capacity_cases)
}

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
        dep.health *= math::powf(1.0 - spec.health_decay_per_month.clamp(0.0, 1.0), m);
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
        let capacity = capacity_with_surge(dep.capacity_cases, dep.queue_cases);
        dep.queue_cases += dep.arrivals_cases;
        dep.queue_requests += dep.arrivals_requests;
        let served = dep.queue_cases.min(capacity);
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
            let next_capacity = capacity_with_surge(dep.capacity_cases, dep.queue_cases);
            (dep.queue_cases / (next_capacity / city.days_per_tick)).min(MAX_WAIT_DAYS)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn world(months: usize) -> (World, Schedule) {
        let mut scenario = civitas_scenario::Scenario::baseline();
        scenario.set_agents(10);
        let city = City::new(&scenario, 7);
        let mut world = World::new();
        let mut levers = Levers::new(&city);
        levers.digitization_millions.fill(2.0);
        world.insert_resource(levers);
        world.insert_resource(ShockState::new(&city));
        world.insert_resource(Departments::new(&city));
        world.insert_resource(Clock::at(&city, months));
        world.insert_resource(city);
        let mut schedule = Schedule::default();
        schedule.add_systems((evolve_departments, process_queues).chain());
        (world, schedule)
    }

    #[test]
    fn building_without_operating_raises_digitization_but_decays_health() {
        let (mut world, mut schedule) = world(0);
        let start = world.resource::<Departments>().0[0].clone();
        for _ in 0..24 {
            schedule.run(&mut world);
        }
        let end = world.resource::<Departments>().0[0].clone();
        assert!(1.0 - end.digitization < 0.6 * (1.0 - start.digitization));
        assert!(end.digitization <= 1.0);
        let decay = world.resource::<City>().scenario.departments[0].health_decay_per_month;
        let expected = start.health * math::powi(1.0 - decay, 24);
        assert!(
            (end.health - expected).abs() < 1e-12,
            "{} vs {expected}",
            end.health
        );
        // Operation money restores health with diminishing returns.
        world.resource_mut::<Levers>().operation_millions.fill(1.0);
        schedule.run(&mut world);
        assert!(world.resource::<Departments>().0[0].health > end.health);
    }

    #[test]
    fn overload_builds_a_backlog_that_drains_when_demand_falls() {
        let (mut world, _) = world(0);
        let mut schedule = Schedule::default();
        schedule.add_systems(process_queues);
        let capacity = world.resource::<Departments>().0[0].capacity_cases;
        {
            let mut deps = world.resource_mut::<Departments>();
            deps.0[0].arrivals_cases = 1.5 * capacity;
            deps.0[0].arrivals_requests = 1.5 * capacity;
        }
        schedule.run(&mut world);
        let days = world.resource::<City>().days_per_tick;
        let d = &world.resource::<Departments>().0[0];
        assert!((d.queue_cases - 0.5 * capacity).abs() < 1e-6);
        // The backlog of half a tick's capacity is worked off with surge capacity.
        let surge_capacity = (1.0 + BACKLOG_SURGE_SHARE) * capacity;
        assert!((d.wait_days - 0.5 * capacity / surge_capacity * days).abs() < 1e-9);
        assert!((d.served_requests_total + d.queue_requests - 1.5 * capacity).abs() < 1e-6);
        world.resource_mut::<Departments>().0[0].arrivals_cases = 0.0;
        world.resource_mut::<Departments>().0[0].arrivals_requests = 0.0;
        schedule.run(&mut world);
        let d = &world.resource::<Departments>().0[0];
        assert_eq!((d.queue_cases, d.wait_days), (0.0, 0.0));
    }
}
