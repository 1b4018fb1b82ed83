//! The resident pass: every resident's tick in one sweep over the residents' table.
//!
//! Residents are taken in fixed chunks of [`City::chunk_residents`] on rayon. Within a chunk
//! each resident goes through every step in turn, loaded once (fused), in
//! the order declared by [`STEPS`]:
//! 1. `keys`: each resident's [`SubjectKey`] of the tick — the one stream set-up per
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
use crate::residents::{Home, Resident};
use crate::rng::{Purpose, SubjectKey, TickKey};
use crate::sizing::cells_of;

/// The steps of the resident pass, in order (the names `civitas bench` reports).
pub const STEPS: [&str; 8] = [
    "keys", "ageing", "fate", "devices", "training", "adoption", "requests", "census",
];

/// What one chunk of residents produces in one tick.
#[derive(Debug, Clone)]
struct Chunk {
    keys: Vec<SubjectKey>,
    /// Each resident's second word of the tick ([`SubjectKey::word`]).
    words: Vec<SubjectKey>,
    /// Each resident's home at the start of the tick (step by step only).
    starts: Vec<Home>,
    dead: Vec<bool>,
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
            keys: Vec::new(),
            words: Vec::new(),
            starts: Vec::new(),
            dead: Vec::new(),
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
struct Steps<'a> {
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

impl Steps<'_> {
    /// The pass over one chunk, resident after resident: each resident is loaded once
    /// for all steps (the fast path).
    fn fused(&self, residents: &mut [Resident], chunk: &mut Chunk) {
        chunk.requests.clear();
        chunk.census.fill(CellTally::default());
        chunk.died.clear();
        for (i, r) in residents.iter_mut().enumerate() {
            let Resident {
                id,
                home,
                digital: dig,
                attitude: att,
                retry,
            } = r;
            let key = self.tick_key.subject(id.0 as u64);
            let start = *home;
            let mut place = start.place();
            self.ageing.step(key, &mut place);
            let died = self.fate.step(key, &mut place);
            *home = Home::of(place);
            CellTally::flow(&mut chunk.census, start, *home, died);
            if died {
                chunk.died.push(i as u32);
                continue;
            }
            let place = &place;
            self.devices.step(key, place, dig);
            let word = key.word(Purpose::Requests);
            if self.train {
                self.training.step(word, place, dig);
            }
            self.diffusion.step(key, place, dig, att);
            self.requests
                .resident(key, word, place, dig, att, retry, &mut chunk.requests);
            self.counter
                .tally(&mut chunk.census, place, dig, att, retry);
        }
    }

    /// The same pass over one chunk, step by step over all its residents, timing each
    /// step ([`STEPS`]): a step reads only its resident and the tick's shared state, so
    /// the result is identical to [`Steps::fused`].
    fn stepwise(&self, residents: &mut [Resident], chunk: &mut Chunk) {
        let Chunk {
            keys,
            words,
            starts,
            dead,
            died,
            requests: tally,
            census: cells,
            seconds,
            ..
        } = chunk;
        cells.fill(CellTally::default());
        starts.clear();
        starts.extend(residents.iter().map(|r| r.home));
        timed(&mut seconds[0], || {
            keys.clear();
            keys.extend(
                residents
                    .iter()
                    .map(|r| self.tick_key.subject(r.id.0 as u64)),
            );
            words.clear();
            words.extend(keys.iter().map(|key| key.word(Purpose::Requests)));
        });
        timed(&mut seconds[1], || {
            for (key, r) in keys.iter().zip(residents.iter_mut()) {
                let mut place = r.home.place();
                self.ageing.step(*key, &mut place);
                r.home = Home::of(place);
            }
        });
        timed(&mut seconds[2], || {
            dead.clear();
            dead.extend(keys.iter().zip(residents.iter_mut()).map(|(key, r)| {
                let mut place = r.home.place();
                let died = self.fate.step(*key, &mut place);
                r.home = Home::of(place);
                died
            }));
        });
        died.clear();
        died.extend((0..dead.len() as u32).filter(|&i| dead[i as usize]));
        for (i, r) in residents.iter().enumerate() {
            CellTally::flow(cells, starts[i], r.home, dead[i]);
        }
        let n = keys.len();
        let alive = |i: &usize| !dead[*i];
        timed(&mut seconds[3], || {
            for i in (0..n).filter(alive) {
                let r = &mut residents[i];
                self.devices.step(keys[i], &r.home.place(), &mut r.digital);
            }
        });
        if self.train {
            timed(&mut seconds[4], || {
                for i in (0..n).filter(alive) {
                    let r = &mut residents[i];
                    self.training
                        .step(words[i], &r.home.place(), &mut r.digital);
                }
            });
        }
        timed(&mut seconds[5], || {
            for i in (0..n).filter(alive) {
                let r = &mut residents[i];
                self.diffusion
                    .step(keys[i], &r.home.place(), &mut r.digital, &r.attitude);
            }
        });
        timed(&mut seconds[6], || {
            tally.clear();
            for i in (0..n).filter(alive) {
                let Resident {
                    home,
                    digital,
                    attitude,
                    retry,
                    ..
                } = &mut residents[i];
                let place = &home.place();
                self.requests
                    .resident(keys[i], words[i], place, digital, attitude, retry, tally);
            }
        });
        timed(&mut seconds[7], || {
            for i in (0..n).filter(alive) {
                let r = &residents[i];
                self.counter
                    .tally(cells, &r.home.place(), &r.digital, &r.attitude, &r.retry);
            }
        });
    }
}

/// Every resident's tick: ageing, fate, devices, training, adoption, requests, census.
#[expect(
    clippy::too_many_arguments,
    reason = "a bevy system: its parameters are the resources it reads and writes"
)]
pub fn resident_pass(
    city: Res<City>,
    clock: Res<Clock>,
    levers: Res<Levers>,
    points: Res<ServicePoints>,
    demand: Res<DemandTable>,
    shares: Res<DistrictAdoption>,
    renewal: Res<Renewal>,
    mut departments: ResMut<Departments>,
    mut requests: ResMut<Requests>,
    mut tallies: ResMut<RequestTallies>,
    mut census: ResMut<Census>,
    mut departures: ResMut<Departures>,
    mut chunks: ResMut<PassChunks>,
    mut residents: Query<(Entity, &mut Resident)>,
) {
    requests.refresh(&city, &departments, &levers);
    let training = Training::new(&levers);
    let steps = Steps {
        tick_key: TickKey::new(city.seed, clock.tick as u64),
        ageing: Ageing::new(&city),
        fate: Fate::new(&city, &renewal),
        devices: DeviceUptake::new(&city, &levers),
        train: training.any(),
        training,
        diffusion: Diffusion::new(&city, &shares),
        requests: RequestContext::new(&city, clock.tick as u64, &demand, &points, &requests),
        counter: Counter::new(&city),
    };
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
