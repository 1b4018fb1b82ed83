//! Government departments: construction, operation and decay of their systems, their
//! case queues, and evaluation budgeting.
//!
//! Every rate is applied as the exact solution over the tick (of `m` months: 1 for monthly
//! ticks, about 0.23 for weekly ones), so weekly and monthly ticks follow the same path:
//! - health decays at the continuous rate `δ = −ln(1 − decay)` per month (so a month
//!   without money loses exactly `decay` of it) and operation money restores it at the
//!   rate `r = k_o·M` per month, `M` the operation money in millions per month:
//!   `dh/dt = −δ·h + r·(1 − h)`, whose solution over the tick is
//!   `h ← h* + (h − h*)·e^{−(δ + r)·m}` with `h* = r / (δ + r)`. Building without
//!   operating lets `h` fall toward 0 and online attempts fail (health decides failures,
//!   not whether a service is offered online: residents feel a decayed system);
//!   Upkeep grows with what was built: operation money restores a system grown from its
//!   starting digitization `d₀` to `d` at `r = k_o·M·d₀/d` (more system, same money, less
//!   care each), so building without operating decays sooner;
//! - capacity comes from staff: `capacity_per_month / cases_per_staff_month` case
//!   officers plus those hired by `staffing` policies, each serving
//!   `cases_per_staff_month` offline-equivalent cases (online cases cost `online_effort`);
//! - construction money raises digitization and integration with diminishing returns,
//!   `dd/dt = k·M·(1 − d)`: `d ← 1 − (1 − d)·e^{−k·money}` (money in millions this tick);
//! - residents experience the state at the middle of the tick (`h`, `d` and `g` half a
//!   tick on; the midpoint rule, so that a month of monthly ticks and the four weeks of
//!   weekly ticks see the same mean state): the effective health is that `h` times the
//!   shock factor, and an online request fails with probability
//!   `(1 − h_eff)·failure_scale` (times the cyber factor).
//!
//! Queues are kept in cases of represented people (one agent request is `scale` cases,
//! weighted by its offline or online effort). Each department is a G/G/c queue: `c =
//! servers` parallel servers share its capacity (`μ = capacity per day / c` cases per
//! server per day), requests arrive as a Poisson process at the rate of the tick's
//! arrivals `λ` (cases per day). A request arriving next tick waits
//! - the **stationary wait** of that queue, Allen–Cunneen's approximation
//!   `W = C(c, a)/(cμ − λ) · (1 + Cs²)/2`, with `a = λ/μ`, `C` the Erlang C probability
//!   of waiting (computed by the stable Erlang B recursion), `Cs²` the squared
//!   coefficient of variation of service times (`service_scv`; 1 gives M/M/c exactly).
//!   Waits rise smoothly with utilisation `ρ = λ/(cμ)` and fall when digitization moves
//!   requests online (online cases cost `online_effort` of an offline case). The formula
//!   holds for `ρ < 1`; utilisation is capped at [`MAX_STATIONARY_UTILISATION`] in it;
//! - plus the **backlog wait**: arrivals beyond capacity build a backlog (a fluid queue,
//!   first come first served, arrivals spread evenly over the tick) that waits
//!   `backlog / (capacity + surge) per day`, the backlog taken at the middle of the
//!   tick (projected from the previous tick's arrival rate). A department carrying a backlog works it
//!   off with extra capacity (overtime, temporary staff) at the rate
//!   `backlog / BACKLOG_REACTION_DAYS`, up to [`BACKLOG_SURGE_SHARE`] of capacity; the
//!   backlog follows the exact solution of that fluid model over the tick
//!   ([`fluid_backlog`]), so it does not depend on the tick length.
//!
//! Limits of the approximation: it is exact only for Poisson arrivals and exponential
//! service (M/M/c); Allen–Cunneen is an interpolation for other service-time laws, good
//! to a few per cent for moderate `c` and `ρ` but not in heavy traffic with very
//! irregular service; it assumes a stationary queue within each tick (arrival rates that
//! change slowly relative to the wait), and one pooled queue per department: a pooled
//! department serving thousands of cases a day waits minutes to hours below capacity
//! (economies of scale), so waits of days only come from backlogs, and `servers` is the
//! modeller's way to say how fragmented (less pooled) a department's counters are.
//!
//! Evaluation budgeting (performance budgeting by resident satisfaction): at the first
//! tick of each year while the policy is in force, the evaluation scores each department
//! by the satisfaction its residents lost to its systems over the past year — failed
//! online and assisted attempts, each costing the same satisfaction penalty — and the
//! moved share of every department's operation weight is pooled and given in equal parts
//! to the third of departments (at least one) that cost residents the most. Only that
//! part of dissatisfaction is the operation budget's to fix: trips and waits come from
//! processes and staffing (the one window, staffing), and an earlier version that ranked
//! departments by their mean request satisfaction moved money to slow, paper-heavy
//! services whose systems were fine, lowering availability, online service and
//! satisfaction for every evaluation amount tried. Failed attempts count traffic × (1 −
//! health), which is also where operation money (`Δh ∝ money × (1 − h)`) avoids the most
//! failures. No department's weight falls below [`MIN_OPERATION_WEIGHT`] of its equal
//! share: every running system still needs maintaining. Departments without failures
//! receive nothing. The new weights apply from the next tick.

use crate::math;

use bevy_ecs::prelude::*;

use crate::city::{City, Clock};
use crate::levers::{Levers, OperationWeights, ShockState};
pub use crate::offices::{DepartmentState, Departments};
pub use crate::queue::{
    BACKLOG_REACTION_DAYS, BACKLOG_SURGE_SHARE, MAX_STATIONARY_UTILISATION, MAX_WAIT_DAYS,
    erlang_c, fluid_backlog, stationary_wait_days,
};

/// Lowest operation weight evaluation budgeting leaves a department (equal share = 1).
pub const MIN_OPERATION_WEIGHT: f64 = 0.7;

/// Installs the departments of `city` at their starting state.
pub fn install(world: &mut World, city: &City) {
    world.insert_resource(Departments::new(city));
}

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
        // Exact solution over the tick of dh/dt = −δ·h + r·(1 − h) (rates per month).
        // Upkeep grows with what was built: the same money restores a system grown from
        // the starting digitization d₀ to d by the factor d₀/d.
        // A decay of 1 a month (valid) would make the rate infinite: keep it finite.
        let decay_rate = -math::ln_1p(-spec.health_decay_per_month.min(1.0 - 1e-12));
        let built = if dep.digitization > 0.0 {
            spec.digitization / dep.digitization
        } else {
            1.0
        };
        let restore_rate =
            spec.operation_gain_per_million * levers.operation_millions[j] * built / m;
        let total = decay_rate + restore_rate;
        let mut health_mid = dep.health;
        if total > 0.0 {
            let target = restore_rate / total;
            let gap = dep.health - target;
            health_mid = target + gap * math::exp(-total * 0.5 * m);
            dep.health = target + gap * math::exp(-total * m);
        }
        let k = spec.build_gain_per_million;
        let build = |x: &mut f64, millions: f64| {
            let left = 1.0 - *x;
            *x = 1.0 - left * math::exp(-k * millions);
            1.0 - left * math::exp(-k * 0.5 * millions)
        };
        dep.digitization_now = build(&mut dep.digitization, levers.digitization_millions[j]);
        dep.integration_now = build(&mut dep.integration, levers.integration_millions[j]);
        dep.health = dep.health.clamp(0.0, 1.0);
        dep.effective_health =
            (health_mid.clamp(0.0, 1.0) * shocks.health_factor[j]).clamp(0.0, 1.0);
        dep.failure_probability =
            ((1.0 - dep.effective_health) * spec.failure_scale * shocks.failure_factor[j])
                .clamp(0.0, 1.0);
        // Capacity is staff × cases per staff-month; staffing policies add hires.
        let staff = spec.capacity_per_month / spec.cases_per_staff_month + levers.hired_staff[j];
        dep.staff = staff;
        dep.capacity_cases = staff * spec.cases_per_staff_month * m * shocks.capacity_factor[j];
        dep.arrivals_cases = 0.0;
        dep.arrivals_requests = 0.0;
    }
}

/// Serves each department's queue up to its capacity and sets the next tick's wait.
pub fn process_queues(city: Res<City>, mut departments: ResMut<Departments>) {
    for (dep, spec) in departments.0.iter_mut().zip(&city.scenario.departments) {
        let arrivals = dep.arrivals_cases;
        let days = city.days_per_tick;
        let before = dep.queue_cases;
        dep.queue_cases += arrivals;
        dep.queue_requests += dep.arrivals_requests;
        let left = if dep.capacity_cases <= 0.0 {
            dep.queue_cases
        } else {
            fluid_backlog(before, arrivals / days, dep.capacity_cases / days, days)
                .min(dep.queue_cases)
        };
        let share = if dep.queue_cases > 0.0 {
            1.0 - left / dep.queue_cases
        } else {
            1.0
        };
        dep.served_requests_total += share * dep.queue_requests;
        dep.queue_requests *= 1.0 - share;
        dep.queue_cases = left;
        if left <= 0.0 {
            dep.queue_cases = 0.0;
            dep.queue_requests = 0.0;
        }
        let backlog_wait = if dep.capacity_cases <= 0.0 {
            if dep.queue_cases > 0.0 {
                MAX_WAIT_DAYS
            } else {
                0.0
            }
        } else {
            // Requests of the next tick meet the backlog of its middle (projected at this
            // tick's arrival rate; the midpoint rule), and wait for it to be worked off at
            // the regular capacity plus the surge it triggers.
            let per_day = dep.capacity_cases / days;
            let ahead = fluid_backlog(dep.queue_cases, arrivals / days, per_day, 0.5 * days);
            let surge = (ahead / BACKLOG_REACTION_DAYS).min(BACKLOG_SURGE_SHARE * per_day);
            ahead / (per_day + surge)
        };
        let stationary = stationary_wait_days(
            arrivals / city.days_per_tick,
            dep.capacity_cases / city.days_per_tick,
            spec.servers,
            spec.service_scv,
        );
        dep.wait_days = (backlog_wait + stationary).min(MAX_WAIT_DAYS);
    }
}

/// Moves operation money toward the departments whose systems cost residents the most
/// satisfaction, at each new year.
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
        // Worst first: most failed attempts; ties in scenario order.
        let mut rated: Vec<(u64, usize)> = departments
            .0
            .iter()
            .enumerate()
            .map(|(j, d)| (d.failed_year, j))
            .collect();
        rated.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let failing = rated.iter().filter(|(f, _)| *f > 0).count();
        let recipients = rated.len().div_ceil(3).min(failing);
        if recipients > 0 {
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
        d.failed_year = 0;
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
        // Half a tick's capacity too much: the surge works off part of it within the tick.
        assert!(d.queue_cases > 0.25 * capacity && d.queue_cases < 0.5 * capacity);
        let expected = fluid_backlog(0.0, 1.5 * capacity / days, capacity / days, days);
        assert!((d.queue_cases - expected).abs() < 1e-6 * capacity);
        // The backlog waits on top of the stationary wait of a queue at (capped) full
        // utilisation.
        let spec = &world.resource::<City>().scenario.departments[0];
        let stationary = stationary_wait_days(
            1.5 * capacity / days,
            capacity / days,
            spec.servers,
            spec.service_scv,
        );
        assert!(stationary > 0.0);
        let ahead = fluid_backlog(
            d.queue_cases,
            1.5 * capacity / days,
            capacity / days,
            days / 2.0,
        );
        let surge = (ahead / BACKLOG_REACTION_DAYS).min(BACKLOG_SURGE_SHARE * capacity / days);
        let backlog_wait = ahead / (capacity / days + surge);
        assert!((d.wait_days - backlog_wait - stationary).abs() < 1e-9);
        assert!((d.served_requests_total + d.queue_requests - 1.5 * capacity).abs() < 1e-6);
        world.resource_mut::<Departments>().0[0].arrivals_cases = 0.0;
        world.resource_mut::<Departments>().0[0].arrivals_requests = 0.0;
        schedule.run(&mut world);
        let d = &world.resource::<Departments>().0[0];
        assert_eq!((d.queue_cases, d.wait_days), (0.0, 0.0));
    }

    /// The fluid backlog by small Euler steps, as an independent reference.
    fn backlog_by_euler(mut b: f64, a: f64, c: f64, days: f64) -> f64 {
        let steps = 200_000;
        let h = days / steps as f64;
        for _ in 0..steps {
            let service = if b > 0.0 {
                c + (b / BACKLOG_REACTION_DAYS).min(BACKLOG_SURGE_SHARE * c)
            } else {
                a.min(c)
            };
            b = (b + (a - service) * h).max(0.0);
        }
        b
    }

    #[test]
    fn the_backlog_does_not_depend_on_the_tick_length() {
        let c = 1000.0;
        for (b0, a) in [
            (0.0, 800.0),
            (0.0, 1100.0),
            (0.0, 1500.0),
            (20_000.0, 900.0),
            (20_000.0, 1200.0),
            (5_000.0, 1250.0),
            (15_000.0, 1400.0),
        ] {
            let month = 365.25 / 12.0;
            let one = fluid_backlog(b0, a, c, month);
            let mut four = b0;
            for _ in 0..4 {
                four = fluid_backlog(four, a, c, month / 4.0);
            }
            let reference = backlog_by_euler(b0, a, c, month);
            assert!(
                (one - four).abs() < 1e-6 * c,
                "b0={b0} a={a}: {one} vs {four}"
            );
            assert!(
                (one - reference).abs() < 1e-3 * c,
                "b0={b0} a={a}: {one} vs Euler {reference}"
            );
        }
    }

    /// M/M/c waits from the textbook sum, independent of the Erlang B recursion.
    fn erlang_c_by_sum(c: u32, a: f64) -> f64 {
        let rho = a / c as f64;
        let (mut term, mut sum) = (1.0, 0.0);
        for k in 0..c {
            sum += term;
            term *= a / (k + 1) as f64;
        }
        let last = term / (1.0 - rho);
        last / (sum + last)
    }

    #[test]
    fn erlang_c_matches_the_textbook_formula_and_waits_rise_with_utilisation() {
        for c in [1u32, 2, 5, 20] {
            for rho in [0.1, 0.5, 0.8, 0.95] {
                let a = rho * c as f64;
                let expected = erlang_c_by_sum(c, a);
                assert!((erlang_c(c, a) - expected).abs() < 1e-12, "c={c} rho={rho}");
            }
        }
        // M/M/1: W = ρ/(μ − λ).
        let w = stationary_wait_days(8.0, 10.0, 1, 1.0);
        assert!((w - 0.8 / 2.0).abs() < 1e-12, "{w}");
        // Fixed service times halve the wait (Allen–Cunneen).
        assert!((stationary_wait_days(8.0, 10.0, 1, 0.0) - 0.2).abs() < 1e-12);
        let mut last = 0.0;
        for rho in [0.3, 0.5, 0.7, 0.9, 0.95] {
            let w = stationary_wait_days(rho * 100.0, 100.0, 4, 1.0);
            assert!(w > last, "{rho}: {w}");
            last = w;
        }
    }
}
