//! Service requests: channel choice, trips, online failures and fallbacks.
//!
//! This is the resident pass for government errands. For each request a resident raises
//! (see [`demand`]):
//! - **channel**: the service is online-eligible with probability `e = d + (1 − d)·E·L`:
//!   `d` the owner department's digitization, and, for a service that needs other
//!   departments' data, the end-to-end path: when every proof it needs is shared (all
//!   its links present, chance `L = Π min(g_owner, g_j)`), a share `E` =
//!   `end_to_end_online_share` of what is not digitized can be done online too. System
//!   health does not decide eligibility (a decayed system is offered and fails, and
//!   residents feel it); it decides failures. An eligible request goes online when the
//!   resident has adopted, else `assisted` (a community service point helps do it
//!   online) with probability = the district's service-point coverage, else offline. An
//!   adopter whose request is not eligible goes to a counter and scores
//!   `satisfaction_forced_offline_penalty` less;
//! - **links**: each required department `j` has its data link to the owner present
//!   with probability `min(g_owner, g_j)`, drawn per request;
//! - **trips**: online = one per missing link; assisted = one (the trip to the service
//!   point, whose staff obtain the missing documents through the online system, as
//!   SPEC.md's "assisted = online with one trip"); offline = one plus one per missing
//!   link. Under a
//!   `one_window` serving the owner, missing links to departments also served by the
//!   window cost no trip offline (the window's staff fetch the documents), so offline
//!   trips collapse to one when every required department is in the window. The window
//!   is staffed for a department a share `w` of the time (what its money buys, see
//!   [`crate::policies`]): an offline request with a missing link draws one uniform `u`;
//!   the owner's window is open when `u < w_owner` and covers department `j` when also
//!   `u < w_j`;
//! - **staff time**: a submitted request costs its effort (offline, or `online_effort`
//!   of it online and assisted) times the owner's staff cost per case
//!   (`costs.staff_per_year / 12 / cases_per_staff_month`), tallied per cell for
//!   `cost_per_request`;
//! - **memory of failures**: an adopter with `k` consecutive failed online attempts
//!   tries online again with probability `(1 − failure_aversion)^k` (otherwise assisted
//!   or offline, as a non-adopter); a successful online request clears the count;
//! - **failure**: an online or assisted attempt fails with the owner's failure
//!   probability; the resident scores the failure, an adopter reverts to offline with
//!   probability `churn_on_failure` times the distrust factor of
//!   [`satisfaction::churn_factor`], and the request is redone offline
//!   `fallback_delay_days` after the failure, which happens at a uniform time within the
//!   tick: in the same tick when that falls inside it, otherwise in the tick it falls in
//!   (its trips are the extra trips of the fallback, its resolution time the delay
//!   longer). A failed attempt is neither resolved nor queued until then; several
//!   failures pending at once (rare) are redone together when the first is due;
//! - **complaints**: after each rated experience scoring `s`, the resident files a 12345
//!   hotline complaint with the chance [`satisfaction::complaint_chance`], a logistic
//!   `complaint_probability / (1 + e^((s − complaint_threshold) / complaint_spread))`;
//!   it costs the complaint department `complaint_effort`
//!   offline-equivalent cases (capacity only: a complaint is not a service request).
//!   Complaints change no resident's state, so they are tallied as their expectation
//!   (probability, and probability × effort of hotline load) rather than drawn: the
//!   same mean without the Bernoulli noise of a rare event;
//! - **queues**: a submitted request adds `scale × effort` cases to the owner's queue
//!   (online and assisted cost `online_effort` of the offline effort) and resolves in
//!   `base_days × (1 − 0.5·d·h) + wait_days` (the owner's queue wait at the tick start).
//!
//! Per-request outcomes are tallied per (district × band) cell and per department in
//! fixed-size chunks of residents, summed in chunk order (deterministic for any thread
//! count).

pub mod demand;

pub use demand::DemandTable;

use bevy_ecs::prelude::*;
use rayon::prelude::*;

use crate::city::City;
use crate::levers::{Levers, ServicePoints};
use crate::math;
use crate::offices::Departments;
use crate::residents::{Attitude, Digital, PendingRetry, Place, Resident};
use crate::rng::{Chance, Purpose, Stream, SubjectKey, TickKey};
use crate::satisfaction;
use crate::sizing::CHUNK_RESIDENTS;
pub use crate::tallies::{CellRequests, DepartmentRequests, RequestTallies};

/// Share of a service's base processing days saved at full effective digitization
/// (`resolution = base_days × (1 − 0.5·d·h) + wait`, SPEC.md).
pub const PROCESSING_SAVING_AT_FULL_DIGITIZATION_SHARE: f64 = 0.5;

/// Extra trips (0 to 3) for which each service keeps the tick's complaint and satisfied
/// chances of a resolved request, computed once per tick instead of two exponentials per
/// experience (the same values: the same function of the same score).
const RATED_EXTRA_TRIPS: usize = 4;

/// The channel a request went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Self-service online.
    Online,
    /// Online with help at a community service point (one trip).
    Assisted,
    /// At a counter.
    Offline,
}

/// Tallies of one chunk of residents.
#[derive(Debug, Clone, Default)]
pub struct ChunkTally {
    /// Per (district × band) cell.
    pub cells: Vec<CellRequests>,
    /// Per department.
    pub departments: Vec<DepartmentRequests>,
}

impl ChunkTally {
    /// Empty tallies of `cells` cells and `departments` departments.
    pub fn new(cells: usize, departments: usize) -> Self {
        Self {
            cells: vec![CellRequests::default(); cells],
            departments: vec![DepartmentRequests::default(); departments],
        }
    }

    /// Zeroes every tally.
    pub fn clear(&mut self) {
        self.cells.fill(CellRequests::default());
        self.departments.fill(DepartmentRequests::default());
    }
}

/// A required data link of a service, as it stands this tick.
#[derive(Debug, Clone, Copy, Default)]
struct LinkNow {
    /// The link is present with this chance.
    presence: Chance,
    window: f64,
}

/// A service as it stands this tick.
#[derive(Debug, Clone, Copy, Default)]
struct ServiceNow {
    owner: usize,
    /// The chance that a request may go online (digitization and the end-to-end path).
    eligible: Chance,
    /// The chance that an online or assisted attempt fails.
    failure: Chance,
    health: f64,
    processing_days: f64,
    wait_days: f64,
    offline_effort: f64,
    online_effort: f64,
    staff_cost_per_case: f64,
    /// Expected 12345 contacts of a request raised (inquiries, and 1 for a request
    /// made through the hotline itself).
    contacts: f64,
    /// [`satisfaction::chances`] of a resolved request by its extra trips and whether
    /// the resident was forced offline, at this tick's wait.
    rated: [[[f64; 2]; 2]; RATED_EXTRA_TRIPS],
    window: f64,
    links: (usize, usize),
}

/// Per-tick request state: the services as they stand (the tallies are
/// [`RequestTallies`]).
#[derive(Resource, Debug, Clone)]
pub struct Requests {
    services: Vec<ServiceNow>,
    links: Vec<LinkNow>,
    required: Vec<usize>,
}

impl Requests {
    /// Empty tallies for `city`.
    pub fn new(city: &City) -> Self {
        let s = &city.scenario;
        let mut required = Vec::new();
        let services = s
            .services
            .iter()
            .enumerate()
            .map(|(i, svc)| {
                let start = required.len();
                required.extend(&city.service_requires[i]);
                let owner = city.service_owner[i];
                let through_hotline = city.complaint_department == Some(owner);
                ServiceNow {
                    owner,
                    contacts: s.population.behaviour.hotline_inquiries_per_request
                        + f64::from(u8::from(through_hotline)),
                    staff_cost_per_case: city.staff_cost_per_case(owner),
                    offline_effort: svc.offline_effort,
                    online_effort: svc.online_effort * svc.offline_effort,
                    links: (start, required.len()),
                    ..Default::default()
                }
            })
            .collect();
        Self {
            services,
            links: vec![LinkNow::default(); required.len()],
            required,
        }
    }

    /// Sets the services, links and windows as they stand this tick (before the
    /// resident pass raises requests against them).
    pub fn refresh(&mut self, city: &City, departments: &Departments, levers: &Levers) {
        for (svc, spec) in self.services.iter_mut().zip(&city.scenario.services) {
            let Some(dep) = departments.0.get(svc.owner) else {
                continue;
            };
            let dh = dep.digitization_now * dep.effective_health;
            svc.failure = Chance::below(dep.failure_probability);
            svc.health = dep.effective_health;
            svc.processing_days =
                spec.base_days * (1.0 - PROCESSING_SAVING_AT_FULL_DIGITIZATION_SHARE * dh);
            svc.wait_days = dep.wait_days;
            let b = &city.scenario.population.behaviour;
            for (extra, row) in svc.rated.iter_mut().enumerate() {
                for (forced, rated) in row.iter_mut().enumerate() {
                    let trips = extra as u32 + 1;
                    let score =
                        satisfaction::experience_score(b, trips, dep.wait_days, forced == 1);
                    *rated = satisfaction::chances(b, score);
                }
            }
            svc.window = levers.one_window[svc.owner];
            let g_owner = dep.integration_now;
            // The chance that every proof is shared: 0 for a service needing none (it has
            // no end-to-end path to open).
            let mut all_shared = if svc.links.0 < svc.links.1 { 1.0 } else { 0.0 };
            for k in svc.links.0..svc.links.1 {
                let j = self.required[k];
                let presence = g_owner.min(departments.0[j].integration_now);
                all_shared *= presence;
                self.links[k] = LinkNow {
                    presence: Chance::below(presence),
                    window: levers.one_window[j],
                };
            }
            let d = dep.digitization_now;
            let end_to_end = city.scenario.population.behaviour.end_to_end_online_share;
            svc.eligible = Chance::below(d + (1.0 - d) * end_to_end * all_shared);
        }
    }
}

/// Everything the per-resident request logic reads in one tick.
pub struct RequestContext<'a> {
    tick: u64,
    days_per_tick: f64,
    complaint_department: Option<usize>,
    demand: &'a DemandTable,
    services: &'a [ServiceNow],
    links: &'a [LinkNow],
    /// Per district, the chance that an eligible request goes through a service point.
    points: Vec<Chance>,
    behaviour: &'a civitas_scenario::Behaviour,
    /// [`satisfaction::chances`] of a failed attempt.
    failure_rated: [f64; 2],
}

impl<'a> RequestContext<'a> {
    /// The request logic of `tick` against `requests` as refreshed for the tick.
    pub fn new(
        city: &'a City,
        tick: u64,
        demand: &'a DemandTable,
        points: &'a ServicePoints,
        requests: &'a Requests,
    ) -> Self {
        Self {
            tick,
            days_per_tick: city.days_per_tick,
            complaint_department: city.complaint_department,
            demand,
            services: &requests.services,
            links: &requests.links,
            points: points.0.iter().map(|&p| Chance::below(p)).collect(),
            behaviour: &city.scenario.population.behaviour,
            failure_rated: {
                let b = &city.scenario.population.behaviour;
                satisfaction::chances(b, satisfaction::failure_score(b))
            },
        }
    }

    /// Raises, routes and submits the requests of the resident of `key` this tick,
    /// tallied into `tally`. `word` is the first draw of the resident's
    /// [`Purpose::Requests`] stream ([`SubjectKey::word`]): its high half is the uniform
    /// of the request count; the stream goes on after it for the requests.
    ///
    /// Most residents raise no request in a tick and have no fallback due: that is
    /// decided here, inline, by one integer comparison of that half
    /// ([`DemandTable::no_request`]); the others go on in `raise`, kept out of line so
    /// the resident pass does not carry its registers and code for every resident.
    #[expect(
        clippy::too_many_arguments,
        reason = "a step takes the resident's parts and the tallies apart, as the pass holds them"
    )]
    #[inline(always)]
    pub fn resident(
        &self,
        key: SubjectKey,
        word: SubjectKey,
        home: &Place,
        dig: &mut Digital,
        att: &mut Attitude,
        retry: &mut PendingRetry,
        tally: &mut ChunkTally,
    ) {
        let fallback_due = retry.count > 0 && u64::from(retry.due_tick) <= self.tick;
        if !fallback_due && self.demand.no_request(word, home.band) {
            return;
        }
        let s = key.stream_after_word(Purpose::Requests);
        self.raise(s, word.high_uniform(), home, dig, att, retry, tally);
    }

    /// The requests of a resident who raises at least one or has a fallback due, the
    /// count drawn from the uniform `u`: the fallbacks due are redone first, then the
    /// new requests are raised.
    #[expect(
        clippy::too_many_arguments,
        reason = "a step takes the resident's parts and the tallies apart, as the pass holds them"
    )]
    #[inline(never)]
    fn raise(
        &self,
        mut s: Stream,
        u: f64,
        home: &Place,
        dig: &mut Digital,
        att: &mut Attitude,
        retry: &mut PendingRetry,
        tally: &mut ChunkTally,
    ) {
        let c = home.cell();
        // The same test as `resident`'s, made again here rather than passed in: an eighth
        // argument made the pass 6.6 instructions per resident-tick dearer (measured).
        if retry.count > 0 && u64::from(retry.due_tick) <= self.tick {
            let pending = std::mem::take(retry);
            for _ in 0..pending.count {
                self.submit(
                    &mut s,
                    pending.service as usize,
                    Channel::Offline,
                    true,
                    false,
                    att,
                    c,
                    tally,
                );
            }
        }
        let b = self.behaviour;
        let n = self.demand.count_from(u, home.band);
        for _ in 0..n {
            let k = self.demand.pick_service(&mut s, home.band);
            let svc = &self.services[k];
            let cr = &mut tally.cells[c];
            cr.raised += 1;
            cr.contacts += svc.contacts;
            let eligible = s.hits(svc.eligible);
            // Each consecutive failure makes trying online again less likely.
            let tries_online = dig.adopted()
                && (b.failure_aversion <= 0.0
                    || dig.failures() == 0
                    || s.chance(math::powi(1.0 - b.failure_aversion, dig.failures() as i32)));
            let channel = if eligible && tries_online {
                Channel::Online
            } else if eligible && s.hits(self.points[home.district]) {
                Channel::Assisted
            } else {
                Channel::Offline
            };
            // An adopter sent to a counter because the errand is not online feels it.
            let forced_offline = !eligible && dig.adopted();
            if channel != Channel::Offline && s.hits(svc.failure) {
                let cr = &mut tally.cells[c];
                cr.failed += 1;
                cr.attempts += 1;
                cr.health_sum += svc.health;
                let score = satisfaction::failure_score(b);
                att.remember(b, score);
                tally.departments[svc.owner].attempts += 1;
                self.feel(self.failure_rated, c, tally);
                if channel == Channel::Online {
                    dig.fail();
                    let churn =
                        (b.churn_on_failure * satisfaction::churn_factor(b, att.trust())).min(1.0);
                    if s.chance(churn) {
                        dig.churn();
                    }
                }
                // The fallback comes `fallback_delay_days` after a failure at a uniform
                // time within the tick.
                let at_days = s.uniform() * self.days_per_tick + b.fallback_delay_days;
                let ticks_later = (at_days / self.days_per_tick).floor();
                if ticks_later < 1.0 {
                    self.submit(&mut s, k, Channel::Offline, true, false, att, c, tally);
                    continue;
                }
                if retry.count == 0 {
                    retry.service = k as u16;
                    retry.due_tick = (self.tick as f64 + ticks_later).min(u16::MAX as f64) as u16;
                }
                retry.count = retry.count.saturating_add(1);
                continue;
            }
            if channel == Channel::Online {
                dig.succeed();
            }
            self.submit(&mut s, k, channel, false, forced_offline, att, c, tally);
        }
    }

    /// Draws the data links of a request: (links needed, links missing, trips).
    #[inline(always)]
    fn trips(&self, s: &mut Stream, svc: &ServiceNow, channel: Channel) -> (u32, u32, u32) {
        let (mut needed, mut missing, mut missing_outside_window) = (0u32, 0u32, 0u32);
        // The window's staffing is drawn once per request, at its first missing link.
        let mut window: Option<f64> = None;
        for link in &self.links[svc.links.0..svc.links.1] {
            needed += 1;
            if !s.hits(link.presence) {
                missing += 1;
                let covered = channel == Channel::Offline
                    && svc.window > 0.0
                    && link.window > 0.0
                    && *window.get_or_insert_with(|| s.uniform()) < svc.window.min(link.window);
                if !covered {
                    missing_outside_window += 1;
                }
            }
        }
        let trips = match channel {
            Channel::Online => missing,
            Channel::Assisted => 1,
            Channel::Offline => 1 + missing_outside_window,
        };
        (needed, missing, trips)
    }

    /// The mean score of the experiences a resident would have under the current
    /// conditions, from `samples` hypothetical requests (a failed attempt and its
    /// offline fallback are two experiences); `None` when the resident raises no requests.
    fn mean_score(&self, s: &mut Stream, home: &Place, dig: &Digital, samples: u32) -> Option<f64> {
        if self.demand.0[home.band.index()].rate_per_tick <= 0.0 {
            return None;
        }
        let b = self.behaviour;
        let (mut sum, mut n) = (0.0, 0u32);
        for _ in 0..samples {
            let svc = &self.services[self.demand.pick_service(s, home.band)];
            let eligible = s.hits(svc.eligible);
            let forced_offline = !eligible && dig.adopted();
            let channel = if eligible && dig.adopted() {
                Channel::Online
            } else if eligible && s.hits(self.points[home.district]) {
                Channel::Assisted
            } else {
                Channel::Offline
            };
            let channel = if channel != Channel::Offline && s.hits(svc.failure) {
                sum += satisfaction::failure_score(b);
                n += 1;
                Channel::Offline
            } else {
                channel
            };
            let (_, _, trips) = self.trips(s, svc, channel);
            sum += satisfaction::experience_score(b, trips, svc.wait_days, forced_offline);
            n += 1;
        }
        Some(sum / n as f64)
    }

    /// An experience with the [`satisfaction::chances`] `rated`: counted as a 12345
    /// complaint with the first, as satisfied with the second, both as their expectations
    /// (the chances; the complaint also loads the hotline by the expected effort); no
    /// random draw.
    #[inline]
    fn feel(&self, rated: [f64; 2], c: usize, tally: &mut ChunkTally) {
        let [complaint, satisfied] = rated;
        let cr = &mut tally.cells[c];
        cr.experiences += 1;
        cr.satisfied += satisfied;
        cr.complaints += complaint;
        if let Some(j) = self.complaint_department {
            tally.departments[j].effort += complaint * self.behaviour.complaint_effort;
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a step takes the resident's parts and the tallies apart, as the pass holds them"
    )]
    #[inline(always)]
    fn submit(
        &self,
        s: &mut Stream,
        k: usize,
        channel: Channel,
        is_retry: bool,
        forced_offline: bool,
        att: &mut Attitude,
        c: usize,
        tally: &mut ChunkTally,
    ) {
        let svc = &self.services[k];
        let (needed, missing, trips) = self.trips(s, svc, channel);
        let delay = if is_retry {
            self.behaviour.fallback_delay_days
        } else {
            0.0
        };
        let resolution = svc.processing_days + svc.wait_days + delay;
        let score =
            satisfaction::experience_score(self.behaviour, trips, svc.wait_days, forced_offline);
        att.remember(self.behaviour, score);
        let rated = match svc.rated.get(trips.saturating_sub(1) as usize) {
            Some(row) => row[usize::from(forced_offline)],
            None => satisfaction::chances(self.behaviour, score),
        };
        self.feel(rated, c, tally);
        let cr = &mut tally.cells[c];
        cr.submitted += 1;
        cr.online += (channel != Channel::Offline) as u64;
        cr.assisted += (channel == Channel::Assisted) as u64;
        cr.retried += is_retry as u64;
        cr.one_trip += (trips <= 1) as u64;
        cr.trips += trips as u64;
        cr.links_needed += needed as u64;
        cr.links_present += (needed - missing) as u64;
        cr.resolution_days += resolution;
        if channel != Channel::Offline {
            cr.attempts += 1;
            cr.health_sum += svc.health;
        }
        let effort = if channel == Channel::Offline {
            svc.offline_effort
        } else {
            svc.online_effort
        };
        cr.staff_cost += effort * svc.staff_cost_per_case;
        let d = &mut tally.departments[svc.owner];
        d.effort += effort;
        d.requests += 1;
        d.attempts += u64::from(channel != Channel::Offline);
    }
}

/// Installs the request tallies and the demand table of `city`.
pub fn install(world: &mut World, city: &City) {
    world.insert_resource(Requests::new(city));
    world.insert_resource(RequestTallies::new(city));
    demand::install(world, city);
}

/// This tick's request tallies: the sum of the resident pass's `chunks` in the order
/// given, into `tallies`; the requests and their effort join each department's arrivals.
/// Cells and departments are summed in parallel, each over the chunks in order, so the
/// sums do not depend on the number of threads.
pub fn sum_chunks(
    chunks: &[&ChunkTally],
    scale: f64,
    departments: &mut Departments,
    tallies: &mut RequestTallies,
) {
    rayon::join(
        || {
            tallies.cells.par_iter_mut().enumerate().for_each(|(c, t)| {
                *t = CellRequests::default();
                for chunk in chunks {
                    t.add(&chunk.cells[c]);
                }
            })
        },
        || {
            let departments = tallies.departments.par_iter_mut().enumerate();
            departments.for_each(|(d, t)| {
                *t = DepartmentRequests::default();
                for chunk in chunks {
                    t.add(&chunk.departments[d]);
                }
            })
        },
    );
    tallies.raised_total += tallies.cells.iter().map(|c| c.raised).sum::<u64>();
    for (dep, d) in departments.0.iter_mut().zip(&tallies.departments) {
        dep.arrivals_cases += d.effort * scale;
        dep.arrivals_requests += d.requests as f64 * scale;
        dep.attempts_year += d.attempts;
    }
}

/// Hypothetical requests per resident for the steady-state start of satisfaction and trust.
pub const STEADY_STATE_SAMPLES: u32 = 16;

/// Starts every resident's satisfaction and trust at the steady state of the starting
/// conditions, where the scenario gives no starting value: the moving averages settle
/// at the mean score of the experiences a resident has (trust at that mean / 100), so the
/// mean of [`STEADY_STATE_SAMPLES`] hypothetical requests under the starting departments,
/// links and channels is where they would settle if nothing changed. Residents who raise
/// no requests keep the band-neutral value `satisfaction_base` (trust its hundredth).
pub fn start_attitudes_at_steady_state(
    city: Res<City>,
    demand: Res<DemandTable>,
    points: Res<ServicePoints>,
    levers: Res<Levers>,
    departments: Res<Departments>,
    mut requests: ResMut<Requests>,
    mut residents: Query<&mut Resident>,
) {
    let b = &city.scenario.population.behaviour;
    if b.initial_satisfaction.is_some() && b.initial_trust.is_some() {
        return;
    }
    requests.refresh(&city, &departments, &levers);
    let ctx = RequestContext::new(&city, 0, &demand, &points, &requests);
    let keys = TickKey::new(city.seed, 0);
    for mut residents in residents
        .contiguous_iter_mut()
        .expect("residents are table-stored")
    {
        residents
            .bypass_change_detection()
            .par_chunks_mut(CHUNK_RESIDENTS)
            .for_each(|residents| {
                for r in residents {
                    let Resident {
                        id,
                        home,
                        digital: dig,
                        attitude: att,
                        ..
                    } = r;
                    let mut s = keys.subject(id.0 as u64).stream(Purpose::SteadyState);
                    let score = ctx
                        .mean_score(&mut s, &home.place(), dig, STEADY_STATE_SAMPLES)
                        .unwrap_or(b.satisfaction_base);
                    if b.initial_satisfaction.is_none() {
                        att.set_satisfaction(score);
                    }
                    if b.initial_trust.is_none() {
                        att.set_trust(score / 100.0);
                    }
                }
            });
    }
}
