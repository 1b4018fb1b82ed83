//! Urban incidents: occurrence, detection, dispatch and response.
//!
//! Per district and incident type, incidents occur as a Poisson process with mean
//! `rate_per_100k_per_month × people/100,000 × months per tick × shock factor` (people =
//! the district's represented residents). Each incident is detected at once with
//! probability = the district's IoT coverage, otherwise after an exponentially
//! distributed resident-report delay with mean `report_delay_hours`. Dispatch takes
//! `dispatch_hours × (1 − DISPATCH_SAVING_AT_FULL_PLATFORM_SHARE × platform level)`.
//! The response uses the responsible department's capacity: each incident adds `effort`
//! cases to its queue, and crews of a backlogged department start later by
//! `wait_days × 24 × INCIDENT_QUEUE_SHARE` hours (incidents are prioritised over
//! errands, so they see only a share of the errand backlog). Field crews are the
//! district's own limited resource when `crews_per_100k > 0`: `c = max(1, round(
//! crews_per_100k × people / 100,000))` crews, each busy `crew_hours_per_incident` per
//! incident of any type, form an M/M/c queue (Erlang C, the same formula as the
//! departments' queues with exponential service): an incident waits for a crew the
//! stationary mean wait at the tick's expected incident rate, plus the crews' carried
//! backlog (work beyond their capacity, a fluid queue with the departments' surge rule)
//! spread over the crews. In normal months crews are mostly free and the wait is
//! minutes; a flood season that triples incidents loads them toward capacity and the
//! wait grows sharply — what sensors and the platform cannot buy back. Response hours
//! are detection plus dispatch plus backlog delay plus crew wait; an incident is within
//! SLA when that is at most `sla_hours`.
//!
//! Incidents have no age band: band scopes report NaN for the incident indicators, as
//! does any district and tick without incidents.
//!
//! Cost does not grow with the number of incidents: up to [`EXACT_INCIDENTS_UP_TO`]
//! incidents of a type in a district and tick are drawn one by one; above that the
//! outcomes are drawn in aggregate from their distributions — the number detected by
//! sensors is binomial, the number of reported ones within SLA is binomial with the
//! exponential delay's probability of fitting in the time left, and their summed delay is
//! a gamma variable (normal approximation, exact in mean and variance).

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use crate::census::Census;
use crate::city::{City, Clock, district_cells};
use crate::levers::{GovernanceAssets, ShockState};
use crate::math;
use crate::offices::Departments;
use crate::queue::{fluid_backlog, stationary_wait_days};
use crate::rng::{Purpose, Stream};
pub use crate::tallies::{DistrictIncidents, IncidentTallies};

/// Share of the dispatch time a fully built governance platform saves.
pub const DISPATCH_SAVING_AT_FULL_PLATFORM_SHARE: f64 = 0.75;

/// Share of a department's errand backlog (in time) that incident crews wait behind.
pub const INCIDENT_QUEUE_SHARE: f64 = 0.05;

/// Hours in a day.
pub const HOURS_PER_DAY: f64 = 24.0;

/// Incidents of one type, district and tick drawn one by one; more are drawn in aggregate.
pub const EXACT_INCIDENTS_UP_TO: u64 = 32;

/// This tick's incident outcomes.
#[derive(Resource, Debug, Clone)]
pub struct IncidentState {
    /// Incidents waiting for a field crew beyond what the crews can take, per district.
    pub crew_backlog: Vec<f64>,
}

impl IncidentState {
    /// Starting state from the scenario.
    pub fn new(city: &City) -> Self {
        let s = &city.scenario;
        Self {
            crew_backlog: vec![0.0; s.population.districts.len()],
        }
    }
}

/// Installs the incident outcomes of `city`.
pub fn install(world: &mut World, city: &City) {
    world.insert_resource(IncidentState::new(city));
    world.insert_resource(IncidentTallies(vec![
        DistrictIncidents::default();
        city.districts()
    ]));
}

/// What [`respond_to_incidents`] reads: who lives where, the shocks in force and the
/// governance assets.
#[derive(SystemParam)]
pub struct IncidentInputs<'w> {
    city: Res<'w, City>,
    clock: Res<'w, Clock>,
    census: Res<'w, Census>,
    shocks: Res<'w, ShockState>,
    assets: Res<'w, GovernanceAssets>,
}

/// Draws this tick's incidents and their responses.
pub fn respond_to_incidents(
    inputs: IncidentInputs,
    mut departments: ResMut<Departments>,
    mut state: ResMut<IncidentState>,
    mut tallies: ResMut<IncidentTallies>,
) {
    let IncidentInputs {
        city,
        clock,
        census,
        shocks,
        assets,
    } = inputs;
    let state = &mut *state;
    let s = &city.scenario;
    let dispatch_factor = 1.0 - DISPATCH_SAVING_AT_FULL_PLATFORM_SHARE * assets.platform_level;
    for (d, out) in tallies.0.iter_mut().enumerate() {
        *out = DistrictIncidents::default();
        let people: f64 = census.cells[district_cells(d)]
            .iter()
            .map(|c| c.residents as f64)
            .sum::<f64>()
            * city.scale;
        let mut stream = Stream::new(city.seed, d as u64, clock.tick as u64, Purpose::Incidents);
        let crew_wait_hours = crew_wait(
            &s.incidents,
            people,
            s.incidents
                .types
                .iter()
                .map(|k| k.rate_per_100k_per_month * people / 100_000.0 * shocks.incident_factor[d])
                .sum::<f64>(),
            city.days_per_tick,
            &mut state.crew_backlog[d],
        );
        for (k, kind) in s.incidents.types.iter().enumerate() {
            let mean = kind.rate_per_100k_per_month * people / 100_000.0
                * city.months_per_tick
                * shocks.incident_factor[d];
            let n = stream.poisson(mean);
            let dep = city.incident_department[k];
            let backlog_hours = departments.0[dep].wait_days * HOURS_PER_DAY * INCIDENT_QUEUE_SHARE
                + crew_wait_hours;
            let dispatch = kind.dispatch_hours * dispatch_factor;
            let delay_mean = kind.report_delay_hours;
            if n <= EXACT_INCIDENTS_UP_TO {
                for _ in 0..n {
                    let detection = if stream.chance(assets.iot_coverage[d]) {
                        0.0
                    } else {
                        stream.exponential(delay_mean)
                    };
                    let hours = detection + dispatch + backlog_hours;
                    out.count += 1;
                    out.response_hours += hours;
                    out.within_sla += (hours <= kind.sla_hours) as u64;
                }
            } else {
                let fixed = dispatch + backlog_hours;
                let detected = binomial(&mut stream, n, assets.iot_coverage[d]);
                let reported = n - detected;
                let slack = kind.sla_hours - fixed;
                // P(exponential delay ≤ slack).
                let fits = if slack < 0.0 {
                    0.0
                } else if delay_mean > 0.0 {
                    -math::exp_m1(-slack / delay_mean)
                } else {
                    1.0
                };
                out.count += n;
                out.response_hours +=
                    n as f64 * fixed + gamma_sum(&mut stream, reported, delay_mean);
                if slack >= 0.0 {
                    out.within_sla += detected;
                }
                out.within_sla += binomial(&mut stream, reported, fits);
            }
            departments.0[dep].arrivals_cases += n as f64 * kind.effort;
        }
    }
}

/// Days in a month, for turning monthly incident rates into daily ones.
const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// The mean wait (hours) of this tick's incidents for one of the district's field crews,
/// at `per_month` expected incidents a month among `people`; advances the carried
/// `backlog` (incidents) over the tick. No wait when the scenario sets no crews.
fn crew_wait(
    incidents: &civitas_scenario::Incidents,
    people: f64,
    per_month: f64,
    days: f64,
    backlog: &mut f64,
) -> f64 {
    if incidents.crews_per_100k <= 0.0 || incidents.crew_hours_per_incident <= 0.0 {
        return 0.0;
    }
    let crews = (incidents.crews_per_100k * people / 100_000.0)
        .round()
        .max(1.0);
    let capacity_per_day = crews * HOURS_PER_DAY / incidents.crew_hours_per_incident;
    let arrivals_per_day = per_month / DAYS_PER_MONTH;
    let queued = stationary_wait_days(arrivals_per_day, capacity_per_day, crews as u32, 1.0)
        + *backlog / capacity_per_day;
    *backlog = fluid_backlog(*backlog, arrivals_per_day, capacity_per_day, days);
    queued * HOURS_PER_DAY
}

/// Binomial draw: `n` trials of probability `p`; exact below [`EXACT_INCIDENTS_UP_TO`]
/// trials, a rounded normal approximation (clamped to 0..=n) above.
fn binomial(stream: &mut Stream, n: u64, p: f64) -> u64 {
    let p = p.clamp(0.0, 1.0);
    if p == 0.0 || n == 0 {
        return 0;
    }
    if p == 1.0 {
        return n;
    }
    if n <= EXACT_INCIDENTS_UP_TO {
        return (0..n).filter(|_| stream.chance(p)).count() as u64;
    }
    let mean = n as f64 * p;
    let sd = (mean * (1.0 - p)).sqrt();
    (mean + sd * stream.normal()).round().clamp(0.0, n as f64) as u64
}

/// Sum of `k` exponential draws of mean `mean` (a gamma variable): exact below
/// [`EXACT_INCIDENTS_UP_TO`] draws, a normal approximation with the same mean and variance
/// (kept ≥ 0) above.
fn gamma_sum(stream: &mut Stream, k: u64, mean: f64) -> f64 {
    if k == 0 || mean <= 0.0 {
        return 0.0;
    }
    if k <= EXACT_INCIDENTS_UP_TO {
        return (0..k).map(|_| stream.exponential(mean)).sum();
    }
    let k = k as f64;
    (k * mean + k.sqrt() * mean * stream.normal()).max(0.0)
}
