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
//!   holds for `ρ < 1`; utilisation is capped at [`MAX_STATIONARY_UTILISATION`](crate::queue::MAX_STATIONARY_UTILISATION) in it;
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
//! Operation money follows each department's caseload (its expected requests,
//! [`OperationWeights::caseload`]). Evaluation budgeting (performance budgeting by
//! resident satisfaction): at the first tick of each year while the policy is in force,
//! the evaluation counts each department's online and assisted attempts over the past
//! year (the traffic its systems carry, each failure costing residents the same
//! satisfaction penalty) and works out the split of the operation money in force that
//! avoids the most failed attempts at steady state ([`fewest_failures`]: a failure-weighted
//! square-root rule, every department kept at [`MIN_OPERATION_WEIGHT`] of its caseload
//! share or more); the weights move the year's moved share of the way toward that split.
//! Only failures are the operation budget's to fix: trips and waits come from processes and
//! staffing (the one window, staffing). The rule before issue 29 gave the pooled moved
//! share in equal parts to the third of departments with the most failed attempts, every
//! year: ranked by failures already avoided badly, not by what the next million avoids, and
//! the ratchet kept feeding departments whose health was near its ceiling, so at equal money
//! evaluation ended slightly below no evaluation (availability 0.920 against 0.923). Moving
//! toward the optimum of a convex objective lowers it at every step, so evaluation cannot
//! do worse than the caseload split at the steady state (test `city_answers.rs`). The new
//! weights apply from the next tick.

use crate::math;

use bevy_ecs::prelude::*;

use crate::city::{City, Clock};
use crate::levers::{Levers, OperationWeights, ShockState};
pub use crate::offices::{DepartmentState, Departments};
pub use crate::queue::{
    BACKLOG_REACTION_DAYS, BACKLOG_SURGE_SHARE, MAX_WAIT_DAYS, fluid_backlog, stationary_wait_days,
};

/// Lowest share of its caseload share evaluation budgeting leaves a department: every
/// running system still needs maintaining.
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
        dep.arrivals_errands = 0.0;
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
        dep.queue_errands += dep.arrivals_errands;
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
        // Residents' requests and firms' errands share the queue, served first come
        // first served: the same share of each leaves it.
        dep.served_requests_total += share * dep.queue_requests;
        dep.queue_requests *= 1.0 - share;
        dep.served_errands_total += share * dep.queue_errands;
        dep.queue_errands *= 1.0 - share;
        dep.queue_cases = left;
        if left <= 0.0 {
            dep.queue_cases = 0.0;
            dep.queue_requests = 0.0;
            dep.queue_errands = 0.0;
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

/// Moves operation money toward the split that avoids the most failed attempts, at each
/// new year (see the module's documentation).
pub fn evaluate_budget(
    city: Res<City>,
    clock: Res<Clock>,
    levers: Res<Levers>,
    mut departments: ResMut<Departments>,
    mut weights: ResMut<OperationWeights>,
) {
    if !clock.new_year {
        return;
    }
    if let Some(share) = levers.evaluation_share_per_year {
        let m = city.months_per_tick;
        let budget: f64 = levers.operation_millions.iter().sum::<f64>() / m;
        let caseload = OperationWeights::caseload(&city);
        let caseload_sum: f64 = caseload.iter().sum();
        let returns: Vec<Returns> = departments
            .0
            .iter()
            .zip(&city.scenario.departments)
            .zip(&caseload)
            .map(|((d, spec), &c)| Returns {
                failing_traffic: d.attempts_year as f64 * spec.failure_scale,
                decay: -math::ln_1p(-spec.health_decay_per_month.min(1.0 - 1e-12)),
                gain: spec.operation_gain_per_million
                    * if d.digitization > 0.0 {
                        spec.digitization / d.digitization
                    } else {
                        1.0
                    },
                floor: MIN_OPERATION_WEIGHT * budget * c / caseload_sum.max(1e-12),
            })
            .collect();
        if let Some(best) = fewest_failures(&returns, budget) {
            let sum: f64 = weights.0.iter().sum();
            for (w, b) in weights.0.iter_mut().zip(&best) {
                *w += share * (b / budget * sum - *w);
            }
        }
    }
    for d in &mut departments.0 {
        d.attempts_year = 0;
    }
}

/// What a department's operation money buys, as the evaluation reckons it.
#[derive(Debug, Clone, Copy)]
pub struct Returns {
    /// Online and assisted attempts of the past year times `failure_scale`: the failed
    /// attempts a dead system would cause.
    pub failing_traffic: f64,
    /// Health decay rate δ per month.
    pub decay: f64,
    /// Restoring rate per million a month, `k_o·d₀/d`.
    pub gain: f64,
    /// The least money (millions a month) the department keeps.
    pub floor: f64,
}

/// The split of `budget` (millions a month) that minimises the failed attempts of the
/// steady state, `Σ T_j·δ_j / (δ_j + a_j·M_j)` (`h* = r/(δ + r)`, `r = a·M`), with each
/// `M_j` at least its floor: where money is above the floor its marginal return is the
/// same everywhere, `T·δ·a / (δ + a·M)² = λ`, so `M = (√(T·δ·a/λ) − δ)/a` (a square-root
/// rule), `λ` found by bisection so the split spends the budget. `None` without any
/// traffic to weigh or money to split.
pub fn fewest_failures(returns: &[Returns], budget: f64) -> Option<Vec<f64>> {
    let weighed = |r: &Returns| r.failing_traffic > 0.0 && r.gain > 0.0 && r.decay > 0.0;
    if budget <= 0.0 || !returns.iter().any(weighed) {
        return None;
    }
    let split = |lambda: f64| -> Vec<f64> {
        returns
            .iter()
            .map(|r| {
                if weighed(r) {
                    let free =
                        ((r.failing_traffic * r.decay * r.gain / lambda).sqrt() - r.decay) / r.gain;
                    free.max(r.floor)
                } else {
                    r.floor
                }
            })
            .collect()
    };
    let spent = |lambda: f64| split(lambda).iter().sum::<f64>();
    // Spending falls as λ rises: bracket the budget on a log scale, then bisect.
    let (mut lo, mut hi) = (1e-12_f64, 1.0_f64);
    while spent(hi) > budget && hi < 1e300 {
        hi *= 1e3;
    }
    while spent(lo) < budget && lo > 1e-300 {
        lo *= 1e-3;
    }
    for _ in 0..200 {
        let mid = (lo * hi).sqrt();
        if spent(mid) > budget {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let best = split(hi);
    let total: f64 = best.iter().sum();
    (total > 0.0).then(|| best.iter().map(|x| x * budget / total).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::erlang_c;

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
