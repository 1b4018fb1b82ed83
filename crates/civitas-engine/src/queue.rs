//! Queue formulas shared by the mechanisms that queue work (department cases in
//! [`crate::departments`], incident responses of field crews in [`crate::incidents`]):
//! G/G/c queues by Erlang C with the Allen–Cunneen correction below capacity, and an exact
//! fluid backlog with surge capacity above it.

use crate::math;

/// Longest queue wait reported, in days, so that a department with no capacity left
/// (e.g. a shock with `capacity_factor = 0`) yields a large but finite wait.
pub const MAX_WAIT_DAYS: f64 = 3650.0;

/// Most extra capacity a department finds for a carried-over backlog (overtime, temporary
/// counter staff), as a share of its regular capacity. Without it a department whose
/// online systems fail keeps a backlog growing for years (waits of a year and more),
/// which real offices do not let happen; with it backlogs of weeks to months remain
/// possible under neglect or shocks.
pub const BACKLOG_SURGE_SHARE: f64 = 0.3;

/// Days over which a department's surge works off a backlog: the surge rate is
/// `backlog / BACKLOG_REACTION_DAYS`, up to [`BACKLOG_SURGE_SHARE`] of capacity (one month,
/// the pace the monthly model of earlier versions had).
pub const BACKLOG_REACTION_DAYS: f64 = 365.25 / 12.0;

/// The fluid backlog (cases) after `days` from `backlog`, with arrivals and regular
/// capacity at constant rates (cases per day): the exact solution of
/// `dB/dt = a − c − min(s·c, B/τ)` while `B > 0` (`s` = [`BACKLOG_SURGE_SHARE`], `τ` =
/// [`BACKLOG_REACTION_DAYS`]); without a backlog, arrivals up to capacity are served at
/// once. Exact, so that splitting a period into more ticks gives the same backlog.
pub fn fluid_backlog(backlog: f64, arrivals_per_day: f64, capacity_per_day: f64, days: f64) -> f64 {
    let (a, c, tau) = (arrivals_per_day, capacity_per_day, BACKLOG_REACTION_DAYS);
    let saturated = BACKLOG_SURGE_SHARE * c * tau;
    let (mut b, mut left) = (backlog.max(0.0), days);
    // At most three phases: saturated surge, proportional surge, empty.
    for _ in 0..3 {
        if left <= 0.0 {
            break;
        }
        if b > saturated {
            // Surge at its cap: linear in time.
            let slope = a - (1.0 + BACKLOG_SURGE_SHARE) * c;
            if slope >= 0.0 {
                return b + slope * left;
            }
            let until = (b - saturated) / -slope;
            if until >= left {
                return b + slope * left;
            }
            b = saturated;
            left -= until;
            continue;
        }
        // Proportional surge: B relaxes toward B∞ = (a − c)·τ.
        let target = (a - c) * tau;
        if b <= 0.0 && target <= 0.0 {
            return 0.0;
        }
        if target > saturated {
            let until = tau * math::ln((target - b) / (target - saturated));
            if until < left {
                // Then the surge is capped and the backlog grows linearly.
                return saturated + (a - (1.0 + BACKLOG_SURGE_SHARE) * c) * (left - until);
            }
        } else if target < 0.0 {
            let until = tau * math::ln((b - target) / -target);
            if until <= left {
                return 0.0;
            }
        }
        return target + (b - target) * math::exp(-left / tau);
    }
    b
}

/// Highest utilisation used in the stationary (Allen–Cunneen) wait: the formula diverges
/// at ρ = 1, and beyond capacity the backlog term takes over.
pub const MAX_STATIONARY_UTILISATION: f64 = 0.99;

/// Erlang C: the probability that a Poisson arrival waits in an M/M/c queue with `servers`
/// servers and offered load `a = λ/μ` (Erlangs), for `a < servers`. Computed from the
/// Erlang B recursion `B(k) = a·B(k−1) / (k + a·B(k−1))`, which is stable for any `c`.
pub fn erlang_c(servers: u32, a: f64) -> f64 {
    let c = servers.max(1) as f64;
    if a <= 0.0 {
        return 0.0;
    }
    let rho = a / c;
    if rho >= 1.0 {
        return 1.0;
    }
    let mut b = 1.0;
    for k in 1..=servers.max(1) {
        b = a * b / (k as f64 + a * b);
    }
    b / (1.0 - rho * (1.0 - b))
}

/// Mean stationary queue wait (days) of a G/G/c queue with Poisson arrivals at
/// `arrivals_per_day`, `servers` servers sharing `capacity_per_day`, and squared
/// coefficient of variation of service `service_scv` (Allen–Cunneen; exact M/M/c for 1).
pub fn stationary_wait_days(
    arrivals_per_day: f64,
    capacity_per_day: f64,
    servers: u32,
    service_scv: f64,
) -> f64 {
    if arrivals_per_day <= 0.0 || capacity_per_day <= 0.0 {
        return 0.0;
    }
    let c = servers.max(1) as f64;
    let rho = (arrivals_per_day / capacity_per_day).min(MAX_STATIONARY_UTILISATION);
    let mu = capacity_per_day / c;
    let lambda = rho * capacity_per_day;
    erlang_c(servers, lambda / mu) / (capacity_per_day - lambda) * (1.0 + service_scv.max(0.0))
        / 2.0
}
