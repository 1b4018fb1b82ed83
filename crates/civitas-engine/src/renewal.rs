//! An open population: cohorts entering at 15, deaths by band, and rural-to-urban
//! migration (`[population.demography]`).
//!
//! Agents are spawned and removed; every agent keeps standing for `scale` people, so the
//! represented population is always agents × scale (no weights).
//!
//! Each tick of `Δt` years, in continuous time (the exact solution over the tick of
//! constant yearly rates, so weekly and monthly ticks agree):
//! - **deaths**: a resident of band `b` dies with probability `1 − (1 − m_b)^Δt`, `m_b`
//!   the yearly share dying (`mortality_per_year`). Their failed requests waiting for a
//!   fallback are abandoned (counted in [`Departures::abandoned_total`]);
//! - **migration**: a resident of a rural district who survives the tick moves with
//!   probability `1 − (1 − r_b)^Δt` to an urban district picked in proportion to the
//!   urban districts' population shares, keeping device, literacy, adoption and
//!   attitudes (death and a move are one three-way draw: die, move or stay, with
//!   chances `d`, `(1 − d)·r` and the rest);
//! - **entrants**: district `d` gains `Poisson(E · N₀ · w_d · Δt)` residents aged 15
//!   (the `young` band), `E` = `entrants_per_year`, `N₀` the starting agents and `w_d`
//!   the district's share of the starting young residents (a constant cohort: its size
//!   was set by births 15 years earlier; a Poisson process is exact for any tick length).
//!   Each arrives at a uniform time within the tick and is exposed to death and ageing
//!   for the rest of it. Entrants draw device, adoption and literacy from the young
//!   band's starting values moved along the cohort trend (each gap to 1 times
//!   `e^(−k·t)`, `k` = `entrant_gap_closing_per_year`, `t` the years since the start;
//!   see [`crate::residents::Resident::entrant`]), and start with the mean satisfaction
//!   and trust of their district's young residents.
//!
//! With constant rates the expected band counts follow the linear system
//! `Y' = E·N₀ − (α_y + μ_y)·Y`, `M' = α_y·Y − (α_m + μ_m)·M`, `S' = α_m·M − μ_s·S`
//! (`α`, `μ` the continuous ageing and death rates, `−ln(1 − share)`), whose closed form
//! the engine's tests check. Ageing itself is in [`crate::demography`].

use bevy_ecs::prelude::*;
use civitas_scenario::{Band, Settlement};
use rayon::prelude::*;

use crate::census::{Census, Counter};
use crate::city::{City, Clock, cell, cell_band, cell_district};
use crate::residents::{Place, Resident};
use crate::rng::{KeyChance, Purpose, Stream, SubjectKey};
use crate::sizing::{CHUNK_RESIDENTS, within};

/// What the renewal of the population needs from the start of the run.
#[derive(Resource, Debug, Clone)]
pub struct Renewal {
    /// Id of the next resident to be spawned.
    pub next_id: u32,
    /// Expected entrants per year into each district (agents).
    pub entrants_per_year: Vec<f64>,
    /// Cumulative population shares of the urban districts (migration destinations).
    urban: Vec<(usize, f64)>,
    /// Whether any rate is non-zero (a closed population skips the pass).
    open: bool,
}

impl Renewal {
    /// The renewal of `city`, given the starting young agents per district.
    pub fn new(city: &City, agents: usize, young_per_district: &[u64]) -> Self {
        let demo = &city.scenario.population.demography;
        let young_total: u64 = young_per_district.iter().sum();
        let entrants_per_year = young_per_district
            .iter()
            .map(|&y| {
                if young_total == 0 {
                    0.0
                } else {
                    demo.entrants_per_year * agents as f64 * y as f64 / young_total as f64
                }
            })
            .collect();
        let districts = &city.scenario.population.districts;
        let urban_total: f64 = districts
            .iter()
            .filter(|d| d.kind == Settlement::Urban)
            .map(|d| d.share)
            .sum();
        let mut acc = 0.0;
        let urban = districts
            .iter()
            .enumerate()
            .filter(|(_, d)| d.kind == Settlement::Urban)
            .map(|(i, d)| {
                acc += d.share / urban_total.max(1e-12);
                (i, acc)
            })
            .collect();
        let any = |r: &civitas_scenario::PerBand| r.young > 0.0 || r.middle > 0.0 || r.senior > 0.0;
        Self {
            next_id: agents as u32,
            entrants_per_year,
            urban,
            open: demo.entrants_per_year > 0.0
                || any(&demo.mortality_per_year)
                || any(&demo.rural_to_urban_per_year),
        }
    }
}

/// Residents who died in this tick's resident pass, in pass order: their entities go to
/// the tick's entrants, or are despawned.
#[derive(Resource, Debug, Clone, Default)]
pub struct Departures {
    /// The dead of this tick.
    pub dead: Vec<Entity>,
    /// Failed requests never redone because the resident died, since the start (agent
    /// units).
    pub abandoned_total: u64,
}

/// Installs the renewal of `city`'s population of `residents` agents; the entrants'
/// district weights are set by [`weigh_entrants`] once the residents are spawned.
pub fn install(world: &mut World, city: &City, residents: usize) {
    world.insert_resource(Renewal::new(city, residents, &vec![0; city.districts()]));
    world.insert_resource(Departures::default());
}

/// Sets the entrants of each district in proportion to its starting young residents,
/// counted in `world`.
pub fn weigh_entrants(world: &mut World) {
    let city = world.resource::<City>();
    let mut young = vec![0u64; city.districts()];
    let agents = world.resource::<Renewal>().next_id as usize;
    for r in world.query::<&Resident>().iter(world) {
        let home = r.home.place();
        young[home.district] += (home.band == Band::Young) as u64;
    }
    let renewal = Renewal::new(world.resource::<City>(), agents, &young);
    *world.resource_mut::<Renewal>() = renewal;
}

/// Deaths and migration in one tick, drawn in the resident pass.
#[derive(Debug, Clone)]
pub struct Fate<'a> {
    open: bool,
    death: [KeyChance; 3],
    /// Per (district × band) cell, the chance of leaving: of dying or, for a rural
    /// resident with an urban district to move to, moving there. One draw of the key's
    /// low half decides both (the two are exclusive in a tick): death below
    /// [`Fate::death`]'s threshold, a move from there up to this one, which is placed so
    /// that a move has the chance `(1 − d)·m` of the survivor's move; where nobody moves,
    /// it is the chance of dying. Most residents stay, decided by this one comparison.
    leave: Vec<KeyChance>,
    urban: &'a [(usize, f64)],
}

impl<'a> Fate<'a> {
    /// The chances of `city`'s ticks; nothing happens in a closed population.
    pub fn new(city: &City, renewal: &'a Renewal) -> Self {
        let demo = &city.scenario.population.demography;
        let dt = city.years_per_tick;
        Self {
            open: renewal.open,
            death: Band::ALL.map(|b| KeyChance::below(within(demo.mortality_per_year.get(b), dt))),
            leave: (0..city.cells())
                .map(|c| {
                    let district = &city.scenario.population.districts[cell_district(c)];
                    let b = cell_band(c);
                    let d = within(demo.mortality_per_year.get(b), dt);
                    let moves = district.kind == Settlement::Rural && !renewal.urban.is_empty();
                    if !moves {
                        return KeyChance::below(d);
                    }
                    let m = within(demo.rural_to_urban_per_year.get(b), dt);
                    // At least the chance of dying (it is: `(1 − d)·m ≥ 0`).
                    KeyChance::below(d + (1.0 - d) * m).max(KeyChance::below(d))
                })
                .collect(),
            urban: &renewal.urban,
        }
    }

    /// Whether the resident of `key` dies this tick; if not, a rural resident may move
    /// to an urban district (`home` changes).
    #[inline]
    pub fn step(&self, key: SubjectKey, home: &mut Place) -> bool {
        if !self.open {
            return false;
        }
        if !key.low_hits(self.leave[home.cell()]) {
            return false;
        }
        if key.low_hits(self.death[home.band.index()]) {
            return true;
        }
        // Below the chance of leaving and not dying: a move (the chance of leaving is the
        // chance of dying where nobody moves).
        let u = key.stream(Purpose::Renewal).uniform();
        // A scan, not a binary search: few residents move in a tick, and the search made
        // the whole pass 3 instructions per resident-tick dearer, inline or not (measured).
        let to = self
            .urban
            .iter()
            .find(|(_, c)| u < *c)
            .map_or(self.urban[self.urban.len() - 1].0, |(d, _)| *d);
        home.district = to;
        false
    }
}

/// Replaces the residents who died in this tick's pass by the entrants, adding these to
/// the census: an entrant takes over a dead resident's entity (its component
/// overwritten in place), and only the dead left over are despawned and the entrants left
/// over spawned. A despawn moves the table's last row into the hole and re-points that
/// entity, and a spawn appends a row; writing over a row in place costs a fraction of the
/// two, and this step runs on one thread while the pass runs on all.
pub fn renew_population(world: &mut World) {
    let dead = std::mem::take(&mut world.resource_mut::<Departures>().dead);
    let newcomers = if world.resource::<Renewal>().open {
        entrants(world)
    } else {
        Vec::new()
    };
    let taken = dead.len().min(newcomers.len());
    give_entities(world, &dead[..taken], &newcomers[..taken]);
    for &entity in &dead[taken..] {
        world.despawn(entity);
    }
    world.spawn_batch(newcomers.into_iter().skip(taken));
}

/// Overwrites the component of each of `dead` with the newcomer at the same position of
/// `newcomers`. Each dead resident's table row is looked up, then the rows are written by
/// stretches of the table in parallel: one dead resident in a thousand or so, scattered
/// over the whole table, each a likely cache miss, which one thread would take while the
/// others wait.
fn give_entities(world: &mut World, dead: &[Entity], newcomers: &[Resident]) {
    if dead.is_empty() {
        return;
    }
    let entities = world.entities();
    let mut slots: Vec<(u32, u32, u32)> = dead
        .par_iter()
        .enumerate()
        .map(|(j, &entity)| {
            let at = entities
                .get_spawned(entity)
                .expect("a resident who died this tick is still spawned");
            (at.table_id.as_u32(), at.table_row.index_u32(), j as u32)
        })
        .collect();
    // In pass order they are in table order already.
    if !slots.is_sorted() {
        slots.sort_unstable();
    }
    let mut residents = world.query::<(Entity, &mut Resident)>();
    for (stretch, mut rows) in residents
        .contiguous_iter_mut(world)
        .expect("residents are table-stored")
    {
        // The slots of this stretch's table: the group whose first row holds its dead.
        let Some(group) = slots
            .chunk_by(|a, b| a.0 == b.0)
            .find(|g| stretch.get(g[0].1 as usize) == Some(&dead[g[0].2 as usize]))
        else {
            continue;
        };
        let rows = rows.bypass_change_detection();
        rows.par_chunks_mut(CHUNK_RESIDENTS)
            .enumerate()
            .for_each(|(k, rows)| {
                let first = (k * CHUNK_RESIDENTS) as u32;
                let from = group.partition_point(|s| s.1 < first);
                let to = group.partition_point(|s| s.1 < first + rows.len() as u32);
                for &(_, row, j) in &group[from..to] {
                    rows[(row - first) as usize] = newcomers[j as usize];
                }
            });
    }
}

/// This tick's entrants, counted into the census (see the module's documentation).
fn entrants(world: &mut World) -> Vec<Resident> {
    let city = world.resource::<City>();
    let (seed, dt) = (city.seed, city.years_per_tick);
    let tick = world.resource::<Clock>().tick as u64;
    let mortality_young = city.scenario.population.demography.mortality_per_year.young;
    let young_to_middle = city.scenario.population.ageing.young_to_middle_per_year;
    let entrants_per_year = world.resource::<Renewal>().entrants_per_year.clone();
    let mut next_id = world.resource::<Renewal>().next_id;
    let mut newcomers = Vec::new();
    let mut census = world.resource::<Census>().cells.clone();
    {
        let city = world.resource::<City>();
        let counter = Counter::new(city);
        for (d, per_year) in entrants_per_year.iter().enumerate() {
            let count = Stream::new(seed, d as u64, tick, Purpose::Entrants).poisson(per_year * dt);
            let peers = census[cell(d, Band::Young)];
            for _ in 0..count {
                // An entrant arrives at a uniform time within the tick and is exposed to
                // death and ageing for the rest of it (the exact solution, not a tick of
                // delay).
                let mut fate = Stream::new(seed, next_id as u64, tick, Purpose::Renewal);
                let rest = (1.0 - fate.uniform()) * dt;
                let dies = fate.chance(within(mortality_young, rest));
                let ages = fate.chance(within(young_to_middle, rest));
                if dies {
                    next_id += 1;
                    continue;
                }
                let band = if ages { Band::Middle } else { Band::Young };
                let mut s = Stream::new(seed, next_id as u64, 0, Purpose::Synthesis);
                // Turned 15 at the tick's time since the start (cohort trend).
                let years = (tick as f64 + 1.0) * dt - rest;
                let mut resident = Resident::entrant(city, &mut s, next_id, d, band, years);
                if peers.residents > 0 {
                    let n = peers.residents as f64;
                    resident
                        .attitude
                        .set_satisfaction(peers.satisfaction_sum / n);
                    resident.attitude.set_trust(peers.trust_sum / n);
                }
                let place = resident.home.place();
                counter.count(
                    &mut census,
                    &place,
                    &resident.digital,
                    &resident.attitude,
                    &resident.retry,
                );
                census[place.cell()].entrants += 1;
                newcomers.push(resident);
                next_id += 1;
            }
        }
    }
    world.resource_mut::<Census>().cells = census;
    world.resource_mut::<Renewal>().next_id = next_id;
    newcomers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::residents::ResidentId;
    use crate::rng::TickKey;
    use civitas_scenario::{PerBand, Scenario};

    /// One draw of the key's low half decides death and a rural resident's move: the
    /// two must keep their own chances, death `d` and a move `(1 − d)·m` (the survivor's
    /// chance `m`), and an urban resident never moves.
    #[test]
    fn death_and_migration_keep_their_chances() {
        let mut scenario = Scenario::baseline();
        let demo = &mut scenario.population.demography;
        demo.mortality_per_year = PerBand {
            young: 0.5,
            middle: 0.5,
            senior: 0.5,
        };
        demo.rural_to_urban_per_year = PerBand {
            young: 0.6,
            middle: 0.0,
            senior: 0.6,
        };
        let city = City::new(&scenario, 1);
        let renewal = Renewal::new(&city, 1_000, &vec![1; city.districts()]);
        let fate = Fate::new(&city, &renewal);
        let districts = &scenario.population.districts;
        let rural = districts
            .iter()
            .position(|d| d.kind == Settlement::Rural)
            .expect("the baseline has rural districts");
        let urban = districts
            .iter()
            .position(|d| d.kind == Settlement::Urban)
            .expect("the baseline has urban districts");
        let dt = city.years_per_tick;
        let (d, m) = (within(0.5, dt), within(0.6, dt));
        let n = 400_000u64;
        let keys = TickKey::new(7, 3);
        let run = |district: usize, band: Band| {
            let (mut died, mut moved) = (0u64, 0u64);
            for i in 0..n {
                let mut home = Place { district, band };
                if fate.step(keys.subject(i), &mut home) {
                    died += 1;
                } else if home.district != district {
                    assert_eq!(districts[home.district].kind, Settlement::Urban);
                    moved += 1;
                }
            }
            (died as f64 / n as f64, moved as f64 / n as f64)
        };
        // Five standard errors of a share near p.
        let close = |got: f64, p: f64| (got - p).abs() < 5.0 * (p * (1.0 - p) / n as f64).sqrt();
        let (died, moved) = run(rural, Band::Young);
        assert!(close(died, d), "died {died}, expected {d}");
        assert!(
            close(moved, (1.0 - d) * m),
            "moved {moved}, expected {}",
            (1.0 - d) * m
        );
        let (died, moved) = run(rural, Band::Middle);
        assert!(close(died, d) && moved == 0.0, "{died} {moved}");
        let (died, moved) = run(urban, Band::Senior);
        assert!(close(died, d) && moved == 0.0, "{died} {moved}");
    }

    /// The world of `agents` residents of `scenario` with their census taken, as the
    /// pass leaves it, and the entities of the first `dying` marked dead by the pass.
    fn world_after_a_pass(scenario: &Scenario, agents: u64, dying: usize) -> World {
        let mut scenario = scenario.clone();
        scenario.population.agents = agents;
        let city = City::new(&scenario, 5);
        let mut world = World::new();
        crate::census::install(&mut world, &city);
        install(&mut world, &city, agents as usize);
        world.insert_resource(Clock::at(&city, 3));
        world.insert_resource(city);
        world.resource_scope(|world, city: Mut<City>| {
            crate::demography::spawn_residents(
                world,
                &city,
                crate::sizing::most_agents(&scenario) as usize,
            )
        });
        weigh_entrants(&mut world);
        let mut residents = world.query::<(Entity, &Resident)>();
        let dead: Vec<Entity> = residents.iter(&world).take(dying).map(|(e, _)| e).collect();
        let survivors: Vec<Resident> = residents
            .iter(&world)
            .skip(dying)
            .map(|(_, r)| *r)
            .collect();
        let counter = Counter::new(world.resource::<City>());
        let mut cells = world.resource::<Census>().cells.clone();
        for r in &survivors {
            counter.count(
                &mut cells,
                &r.home.place(),
                &r.digital,
                &r.attitude,
                &r.retry,
            );
        }
        world.resource_mut::<Census>().cells = cells;
        world.resource_mut::<Departures>().dead = dead;
        world
    }

    /// Each dead resident's entity gets the newcomer at its own position in the list,
    /// wherever its row lies in the table and in whatever order the dead come; no other
    /// resident changes.
    #[test]
    fn each_dead_entity_goes_to_the_newcomer_at_its_position() {
        let agents = 3 * CHUNK_RESIDENTS as u64 + 100;
        let mut world = world_after_a_pass(&Scenario::baseline(), agents, 0);
        let before: Vec<(Entity, Resident)> = world
            .query::<(Entity, &Resident)>()
            .iter(&world)
            .map(|(e, r)| (e, *r))
            .collect();
        // Rows scattered over every stretch of the table, the last row too, given in an
        // order that is not the table's.
        let mut rows: Vec<usize> = (0..before.len()).step_by(997).collect();
        rows.push(before.len() - 1);
        rows.reverse();
        rows.swap(0, 3);
        let dead: Vec<Entity> = rows.iter().map(|&i| before[i].0).collect();
        let newcomers: Vec<Resident> = (0..dead.len())
            .map(|j| Resident {
                id: ResidentId(10_000_000 + j as u32),
                ..before[0].1
            })
            .collect();
        give_entities(&mut world, &dead, &newcomers);
        for (j, &entity) in dead.iter().enumerate() {
            let resident = world.get::<Resident>(entity).expect("still spawned");
            assert_eq!(resident.id.0, 10_000_000 + j as u32, "newcomer {j}");
        }
        for (i, (entity, resident)) in before.iter().enumerate() {
            if !rows.contains(&i) {
                assert_eq!(world.get::<Resident>(*entity), Some(resident), "row {i}");
            }
        }
    }

    /// Entrants take over the entities of the dead: whether they are fewer or more than
    /// the dead, the residents afterwards are the survivors and the entrants, and the
    /// census is their count.
    #[test]
    fn entrants_replace_the_dead_and_the_census_counts_them() {
        let mut scenario = Scenario::baseline();
        scenario.population.demography.entrants_per_year = 0.5;
        let agents = 2_000;
        // About 83 entrants a month: more than 10 dead, fewer than 300.
        for dying in [0, 10, 300] {
            let mut world = world_after_a_pass(&scenario, agents, dying);
            let mut ids: Vec<u32> = world
                .query::<&Resident>()
                .iter(&world)
                .skip(dying)
                .map(|r| r.id.0)
                .collect();
            let spawned = world.entities().count_spawned() as usize;
            renew_population(&mut world);
            let next_id = world.resource::<Renewal>().next_id;
            assert!(
                next_id > agents as u32 + 10 && next_id < agents as u32 + 300,
                "{next_id}"
            );
            let mut now: Vec<u32> = world
                .query::<&Resident>()
                .iter(&world)
                .map(|r| r.id.0)
                .collect();
            now.sort_unstable();
            // Entrants who die within their first tick never appear.
            let entrants: Vec<u32> = now
                .iter()
                .copied()
                .filter(|&id| id >= agents as u32)
                .collect();
            ids.extend(&entrants);
            ids.sort_unstable();
            assert_eq!(now, ids, "{dying} dead");
            // The dead are despawned, not left without a component.
            assert_eq!(
                world.entities().count_spawned() as usize,
                spawned - dying + entrants.len()
            );
            let counted = world.resource::<Census>().cells.clone();
            let city = world.resource::<City>().clone();
            let counter = Counter::new(&city);
            let mut recount = vec![crate::census::CellCensus::default(); city.cells()];
            for r in world.query::<&Resident>().iter(&world) {
                counter.count(
                    &mut recount,
                    &r.home.place(),
                    &r.digital,
                    &r.attitude,
                    &r.retry,
                );
            }
            let total = |cells: &[crate::census::CellCensus]| {
                cells
                    .iter()
                    .map(|c| (c.residents, c.devices, c.adopted))
                    .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2))
            };
            assert_eq!(total(&counted), total(&recount), "{dying} dead");
            for (a, b) in counted.iter().zip(&recount) {
                assert_eq!(
                    (a.residents, a.devices, a.adopted),
                    (b.residents, b.devices, b.adopted)
                );
                assert!(
                    (a.satisfaction_sum - b.satisfaction_sum).abs()
                        < 1e-6 * b.satisfaction_sum.max(1.0)
                );
            }
        }
    }
}
