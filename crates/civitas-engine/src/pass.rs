//! The resident pass: every resident's tick in one sweep over the residents' table.
//!
//! Residents are taken in fixed chunks of [`City::chunk_residents`] on rayon. Within a chunk
//! each resident goes through every step in turn, loaded once (fused), in the order
//! declared once, by `resident_steps!` ([`STEPS`]); the fused pass, the stepwise profile
//! and the plain loop of [`crate::reference`] all take it from there, and each step's
//! work is written once, in `Steps::apply`:
//! 1. `keys`: each resident's `SubjectKey` of the tick — the one stream set-up per
//!    resident per tick; every step draws from its own purpose's stream of that key;
//! 2. `ageing` ([`crate::demography`]), 3. `fate`: death and migration
//!    ([`crate::renewal`]; the dead take no further step, and after the pass their
//!    entities go to the entrants or are despawned), 4. `devices`, 5. `training` and
//!    6. `adoption` ([`crate::adoption`]), 7. `requests` ([`crate::channels`]),
//!    8. `census` ([`crate::census`]).
//!
//! A step of one resident reads only that resident and the tick's shared state (levers,
//! departments as they stood at the start of the pass, the previous census's adopter
//! shares), so running step by step over a chunk gives exactly what running resident
//! by resident does: that is how the pass is profiled ([`PassChunks::profile`]), each
//! step timed over whole chunks. Tallies are kept per chunk and summed in chunk order, so results
//! do not depend on the number of threads.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use rayon::prelude::*;

use crate::adoption::{Diffusion, Training};
use crate::census::{CellTally, Census, Counter, DistrictAdoption};
use crate::channels::{
    ChunkTally, DemandTable, RequestContext, RequestTallies, Requests, sum_chunks,
};
use crate::city::{City, Clock};
use crate::demography::Ageing;
use crate::devices::DeviceUptake;
use crate::levers::{Levers, ServicePoints};
use crate::offices::Departments;
use crate::renewal::{Departures, Fate, Renewal};
use crate::residents::{Attitude, Digital, Home, PendingRetry, Place, Resident};
use crate::rng::{Purpose, SubjectKey, TickKey};
use crate::sizing::cells_of;

/// Declares the order of the per-resident steps, once: [`Step`], [`STEPS`] and
/// `Steps::in_order`, which the fused pass, the stepwise profile and the reference loop
/// follow.
/// The first step, `Keys`, makes the resident's [`ResidentTick`]; the rest run on it.
macro_rules! resident_steps {
    (
        $(#[doc = $first_doc:literal])* $first:ident,
        $( $(#[doc = $doc:literal])* $step:ident ),* $(,)?
    ) => {
        /// One step of the resident pass ([`STEPS`] gives their order).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Step {
            $(#[doc = $first_doc])* $first,
            $( $(#[doc = $doc])* $step, )*
        }

        /// The steps of the resident pass, in order.
        pub const STEPS: [Step; 1 + [$(Step::$step),*].len()] = [Step::$first, $(Step::$step),*];

        impl Steps<'_> {
            /// Every step after the first of one resident, in order; stops after a death
            /// (the dead take no further step). Written out step by step, not a loop over
            /// [`STEPS`], so that each [`Steps::apply`] is made with its step known at
            /// compile time and folds to that step's code.
            #[inline(always)]
            fn in_order<const CENSUS: bool>(
                &self,
                t: &mut ResidentTick,
                mut r: ResidentMut<'_>,
                requests: &mut ChunkTally,
                cells: &mut [CellTally],
            ) {
                let _ = true
                    $( && {
                        self.apply::<CENSUS>(Step::$step, t, r.reborrow(), requests, cells);
                        !t.died
                    } )*;
            }
        }
    };
}

resident_steps!(
    /// The resident's `SubjectKey` of the tick, the one stream set-up per resident and
    /// tick; every step draws from its own purpose's stream of that key.
    Keys,
    /// Ageing into the next band (`demography::Ageing`).
    Ageing,
    /// Death or a move (`renewal::Fate`); the dead take no further step.
    Fate,
    /// Device uptake (`devices::DeviceUptake`).
    Devices,
    /// Digital-skills training (`adoption::Training`).
    Training,
    /// Bass adoption (`adoption::Diffusion`).
    Adoption,
    /// Requests, channels and their experiences (`channels::RequestContext`).
    Requests,
    /// Counting into the cell's tally (`census::Counter`).
    Census,
);

impl Step {
    /// The name `civitas bench` reports.
    pub fn name(self) -> &'static str {
        match self {
            Step::Keys => "keys",
            Step::Ageing => "ageing",
            Step::Fate => "fate",
            Step::Devices => "devices",
            Step::Training => "training",
            Step::Adoption => "adoption",
            Step::Requests => "requests",
            Step::Census => "census",
        }
    }
}

/// One resident's state within its tick, carried from step to step: made by the first
/// step, `Keys`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResidentTick {
    /// The resident's `SubjectKey` of the tick.
    key: SubjectKey,
    /// Its second word of the tick ([`SubjectKey::word`]).
    word: SubjectKey,
    /// Its home at the start of the tick.
    start: Home,
    /// Where it stands now (moved by ageing and fate).
    place: Place,
    /// Whether it died in the tick.
    pub(crate) died: bool,
}

/// The parts of one resident the steps read and write.
pub(crate) struct ResidentMut<'a> {
    pub(crate) home: &'a mut Home,
    pub(crate) digital: &'a mut Digital,
    pub(crate) attitude: &'a mut Attitude,
    pub(crate) retry: &'a mut PendingRetry,
}

impl<'a> ResidentMut<'a> {
    /// The parts of `r`.
    fn of(r: &'a mut Resident) -> Self {
        Self {
            home: &mut r.home,
            digital: &mut r.digital,
            attitude: &mut r.attitude,
            retry: &mut r.retry,
        }
    }

    /// The same parts, borrowed again for one step.
    fn reborrow(&mut self) -> ResidentMut<'_> {
        ResidentMut {
            home: self.home,
            digital: self.digital,
            attitude: self.attitude,
            retry: self.retry,
        }
    }
}

/// What one chunk of residents produces in one tick.
#[derive(Debug, Clone)]
struct Chunk {
    /// Each resident's state within the tick (step by step only).
    ticks: Vec<ResidentTick>,
    /// Positions in the chunk of the residents who died this tick.
    died: Vec<u32>,
    /// Their entities, in the same order.
    dead_entities: Vec<Entity>,
    /// Their failed requests that were waiting for the offline fallback.
    abandoned: u64,
    requests: ChunkTally,
    census: Vec<CellTally>,
    seconds: [f64; STEPS.len()],
}

impl Chunk {
    fn new(city: &City) -> Self {
        Self {
            ticks: Vec::new(),
            died: Vec::new(),
            dead_entities: Vec::new(),
            abandoned: 0,
            requests: ChunkTally::new(city.cells(), city.departments()),
            census: vec![CellTally::default(); city.cells()],
            seconds: [0.0; STEPS.len()],
        }
    }
}

/// The per-chunk tallies of the pass, kept between ticks to reuse their memory, and the
/// time spent per step when profiling.
#[derive(Resource, Debug, Clone)]
pub struct PassChunks {
    chunks: Vec<Chunk>,
    /// Whether to time each step (see [`PassChunks::step_seconds`]).
    pub profile: bool,
}

impl PassChunks {
    /// Seconds of CPU spent in each step of [`STEPS`] since the start (summed over
    /// chunks and threads; zero unless `profile` is set).
    pub fn step_seconds(&self) -> [f64; STEPS.len()] {
        let mut total = [0.0; STEPS.len()];
        for chunk in &self.chunks {
            for (t, s) in total.iter_mut().zip(chunk.seconds) {
                *t += s;
            }
        }
        total
    }
}

/// Bytes of the tallies that each chunk of [`crate::sizing::chunk_residents_of`] residents keeps for
/// `scenario`: one per (district × band) cell and per department, whatever the number
/// of residents in the chunk (each chunk counts apart so that the sums do not depend on
/// the number of threads): about 190 bytes a cell, so about one byte per resident for
/// the bundled baseline's 24 cells in chunks of 4,096, and at most about 6 for any number
/// of districts (chunks grow with the cells).
pub fn chunk_tally_bytes(scenario: &civitas_scenario::Scenario) -> u64 {
    let cells = cells_of(scenario);
    let per_cell =
        std::mem::size_of::<CellTally>() + std::mem::size_of::<crate::tallies::CellRequests>();
    let per_department = std::mem::size_of::<crate::tallies::DepartmentRequests>();
    (cells * per_cell + scenario.departments.len() * per_department) as u64
}

/// Installs the chunk tallies of `city`'s `residents`.
pub fn install(world: &mut World, city: &City, residents: usize) {
    world.insert_resource(PassChunks {
        chunks: vec![Chunk::new(city); residents.div_ceil(city.chunk_residents).max(1)],
        profile: false,
    });
}

/// Runs `step`, adding its wall time to `seconds`.
fn timed(seconds: &mut f64, step: impl FnOnce()) {
    let start = std::time::Instant::now();
    step();
    *seconds += start.elapsed().as_secs_f64();
}

/// The steps of the pass as they stand this tick.
pub(crate) struct Steps<'a> {
    tick_key: TickKey,
    ageing: Ageing,
    fate: Fate<'a>,
    devices: DeviceUptake,
    train: bool,
    training: Training<'a>,
    diffusion: Diffusion<'a>,
    requests: RequestContext<'a>,
    counter: Counter<'a>,
}

/// What the steps of the pass read in tick `tick`: the shared state as it stands.
pub(crate) struct TickState<'a> {
    pub(crate) city: &'a City,
    pub(crate) tick: u64,
    pub(crate) levers: &'a Levers,
    pub(crate) points: &'a ServicePoints,
    pub(crate) demand: &'a DemandTable,
    pub(crate) shares: &'a DistrictAdoption,
    pub(crate) renewal: &'a Renewal,
    pub(crate) requests: &'a Requests,
}

impl<'a> Steps<'a> {
    /// The steps of tick `s.tick`.
    pub(crate) fn new(s: &TickState<'a>) -> Self {
        let training = Training::new(s.levers);
        Self {
            tick_key: TickKey::new(s.city.seed, s.tick),
            ageing: Ageing::new(s.city),
            fate: Fate::new(s.city, s.renewal),
            devices: DeviceUptake::new(s.city, s.levers),
            train: training.any(),
            training,
            diffusion: Diffusion::new(s.city, s.shares),
            requests: RequestContext::new(s.city, s.tick, s.demand, s.points, s.requests),
            counter: Counter::new(s.city),
        }
    }

    /// The first step, `Keys`: the resident's keys of the tick and where it starts.
    #[inline(always)]
    pub(crate) fn keys(&self, id: u32, home: Home) -> ResidentTick {
        let key = self.tick_key.subject(u64::from(id));
        ResidentTick {
            key,
            word: key.word(Purpose::Requests),
            start: home,
            place: home.place(),
            died: false,
        }
    }

    /// Step `step` of one resident (any step after `Keys`), counting into `requests` and,
    /// when `CENSUS` (always in the pass; the reference loop can leave the census out),
    /// `cells`. Each step reads only its resident and the tick's shared state.
    #[inline(always)]
    pub(crate) fn apply<const CENSUS: bool>(
        &self,
        step: Step,
        t: &mut ResidentTick,
        r: ResidentMut<'_>,
        requests: &mut ChunkTally,
        cells: &mut [CellTally],
    ) {
        match step {
            Step::Keys => {}
            Step::Ageing => self.ageing.step(t.key, &mut t.place),
            Step::Fate => {
                t.died = self.fate.step(t.key, &mut t.place);
                *r.home = Home::of(t.place);
                if CENSUS {
                    CellTally::flow(cells, t.start, *r.home, t.died);
                }
            }
            Step::Devices => self.devices.step(t.key, &t.place, r.digital),
            Step::Training => {
                if self.train {
                    self.training.step(t.word, &t.place, r.digital);
                }
            }
            Step::Adoption => self.diffusion.step(t.key, &t.place, r.digital, r.attitude),
            Step::Requests => self.requests.resident(
                t.key, t.word, &t.place, r.digital, r.attitude, r.retry, requests,
            ),
            Step::Census => {
                if CENSUS {
                    self.counter
                        .tally(cells, &t.place, r.digital, r.attitude, r.retry);
                }
            }
        }
    }

    /// One resident's tick, every step in order; returns whether it died. Counts into
    /// `cells` when `CENSUS`.
    #[inline(always)]
    pub(crate) fn resident<const CENSUS: bool>(
        &self,
        id: u32,
        r: ResidentMut<'_>,
        requests: &mut ChunkTally,
        cells: &mut [CellTally],
    ) -> bool {
        let mut t = self.keys(id, *r.home);
        self.in_order::<CENSUS>(&mut t, r, requests, cells);
        t.died
    }

    /// The pass over one chunk, resident after resident: each resident is loaded once
    /// for all steps (the fast path).
    fn fused(&self, residents: &mut [Resident], chunk: &mut Chunk) {
        chunk.requests.clear();
        chunk.census.fill(CellTally::default());
        chunk.died.clear();
        for (i, r) in residents.iter_mut().enumerate() {
            let id = r.id.0;
            if self.resident::<true>(
                id,
                ResidentMut::of(r),
                &mut chunk.requests,
                &mut chunk.census,
            ) {
                chunk.died.push(i as u32);
            }
        }
    }

    /// The same pass over one chunk, step by step over all its residents, timing each
    /// step ([`STEPS`]): a step reads only its resident and the tick's shared state, so
    /// the result is identical to [`Steps::fused`].
    fn stepwise(&self, residents: &mut [Resident], chunk: &mut Chunk) {
        let Chunk {
            ticks,
            died,
            requests,
            census: cells,
            seconds,
            ..
        } = chunk;
        requests.clear();
        cells.fill(CellTally::default());
        timed(&mut seconds[0], || {
            ticks.clear();
            ticks.extend(residents.iter().map(|r| self.keys(r.id.0, r.home)));
        });
        for (s, &step) in STEPS.iter().enumerate().skip(1) {
            timed(&mut seconds[s], || {
                for (t, r) in ticks.iter_mut().zip(residents.iter_mut()) {
                    if !t.died {
                        self.apply::<true>(step, t, ResidentMut::of(r), requests, cells);
                    }
                }
            });
        }
        died.clear();
        died.extend((0..ticks.len() as u32).filter(|&i| ticks[i as usize].died));
    }
}

/// What the resident pass reads: the tick's shared state, fixed while it runs.
#[derive(SystemParam)]
pub struct PassInputs<'w> {
    city: Res<'w, City>,
    clock: Res<'w, Clock>,
    levers: Res<'w, Levers>,
    points: Res<'w, ServicePoints>,
    demand: Res<'w, DemandTable>,
    shares: Res<'w, DistrictAdoption>,
    renewal: Res<'w, Renewal>,
}

/// What the resident pass writes besides the residents: the departments' loads, the
/// request tallies, the census, the dead, and its chunks.
#[derive(SystemParam)]
pub struct PassOutputs<'w> {
    departments: ResMut<'w, Departments>,
    tallies: ResMut<'w, RequestTallies>,
    census: ResMut<'w, Census>,
    departures: ResMut<'w, Departures>,
    chunks: ResMut<'w, PassChunks>,
}

/// Every resident's tick: ageing, fate, devices, training, adoption, requests, census.
pub fn resident_pass(
    inputs: PassInputs,
    mut requests: ResMut<Requests>,
    outputs: PassOutputs,
    mut residents: Query<(Entity, &mut Resident)>,
) {
    let PassInputs {
        city,
        clock,
        levers,
        points,
        demand,
        shares,
        renewal,
    } = inputs;
    let PassOutputs {
        mut departments,
        mut tallies,
        mut census,
        mut departures,
        mut chunks,
    } = outputs;
    requests.refresh(&city, &departments, &levers);
    let steps = Steps::new(&TickState {
        city: &city,
        tick: clock.tick as u64,
        levers: &levers,
        points: &points,
        demand: &demand,
        shares: &shares,
        renewal: &renewal,
        requests: &requests,
    });
    let chunks = &mut *chunks;
    let profile = chunks.profile;
    departures.dead.clear();
    let mut used = 0;
    let chunk = city.chunk_residents;
    for (entities, mut residents) in residents
        .contiguous_iter_mut()
        .expect("residents are table-stored")
    {
        let n_chunks = entities.len().div_ceil(chunk);
        if chunks.chunks.len() < used + n_chunks {
            chunks.chunks.resize(used + n_chunks, Chunk::new(&city));
        }
        let residents = residents.bypass_change_detection();
        residents
            .par_chunks_mut(chunk)
            .zip(entities.par_chunks(chunk))
            .zip(chunks.chunks[used..used + n_chunks].par_iter_mut())
            .for_each(|((residents, entities), chunk)| {
                if profile {
                    steps.stepwise(residents, chunk);
                } else {
                    steps.fused(residents, chunk);
                }
                // The dead: their entities, and their pending fallbacks, abandoned.
                chunk.dead_entities.clear();
                chunk.abandoned = 0;
                for &i in &chunk.died {
                    chunk.dead_entities.push(entities[i as usize]);
                    chunk.abandoned += residents[i as usize].retry.count as u64;
                }
            });
        used += n_chunks;
    }
    // After the pass, one thread only copies the dead's entities into pass order; the
    // tallies are summed in parallel over cells and departments, each over the chunks
    // in order. (Done on one thread with the dead's entities, this took about 2 % of a
    // 5M tick's one-core time, which 15 other threads waited out.)
    let used = &chunks.chunks[..used];
    for chunk in used {
        departures.dead.extend_from_slice(&chunk.dead_entities);
        departures.abandoned_total += chunk.abandoned;
    }
    let requests: Vec<&ChunkTally> = used.iter().map(|c| &c.requests).collect();
    sum_chunks(&requests, city.scale, &mut departments, &mut tallies);
    let cells: Vec<&[CellTally]> = used.iter().map(|c| c.census.as_slice()).collect();
    census.sum_chunks(&cells);
}
