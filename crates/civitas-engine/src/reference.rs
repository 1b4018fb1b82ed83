//! A plain-Rust reference of the resident pass, for `civitas bench`.
//!
//! The residents of a [`Simulation`] are copied into plain vectors (one per part of the
//! [`Resident`] component: struct of arrays, no ECS), and [`Reference::run`] sweeps them
//! in one loop, resident after resident, through the same steps as the engine's pass
//! (`pass::Steps::resident`: the same steps in the same order, the same keys and
//! streams), with one set of tallies, one thread, no chunks, no timing. The shared state of a tick (levers, departments, adopter shares)
//! is the one the simulation stands at, held fixed. The ratio of the engine's pass time
//! to this loop's, per resident-tick, is what the ECS, the chunking and the step-by-step
//! order cost.

use bevy_ecs::prelude::*;

use crate::Simulation;
use crate::census::{CellTally, DistrictAdoption};
use crate::channels::{ChunkTally, DemandTable, Requests};
use crate::city::City;
use crate::levers::{Levers, ServicePoints};
use crate::offices::Departments;
use crate::pass::{ResidentMut, Steps, TickState};
use crate::renewal::Renewal;
use crate::residents::{Attitude, Digital, Home, PendingRetry, Resident};

/// The residents of a simulation as plain vectors.
#[derive(Debug, Clone)]
pub struct Reference {
    ids: Vec<u32>,
    homes: Vec<Home>,
    digital: Vec<Digital>,
    attitudes: Vec<Attitude>,
    retries: Vec<PendingRetry>,
    dead: Vec<bool>,
    tally: ChunkTally,
    census: Vec<CellTally>,
}

impl Reference {
    /// Copies the residents of `sim` as they stand.
    pub fn capture(sim: &mut Simulation) -> Self {
        let world = &mut sim.world;
        let mut query = world.query::<&Resident>();
        let n = query.iter(world).len();
        let mut r = Self {
            ids: Vec::with_capacity(n),
            homes: Vec::with_capacity(n),
            digital: Vec::with_capacity(n),
            attitudes: Vec::with_capacity(n),
            retries: Vec::with_capacity(n),
            dead: vec![false; n],
            tally: ChunkTally::new(0, 0),
            census: Vec::new(),
        };
        for resident in query.iter(world) {
            r.ids.push(resident.id.0);
            r.homes.push(resident.home);
            r.digital.push(resident.digital);
            r.attitudes.push(resident.attitude);
            r.retries.push(resident.retry);
        }
        let city = world.resource::<City>();
        r.tally = ChunkTally::new(city.cells(), city.departments());
        r.census = vec![CellTally::default(); city.cells()];
        r
    }

    /// Residents held.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no resident is held.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Sweeps every resident through the pass's steps for `ticks` ticks (numbered from
    /// `first_tick`), against the shared state `sim` stands at; the census step only
    /// when `census` (without it, the difference in time is what taking the census
    /// costs the fused pass). Returns the residents counted by the last census (0
    /// without it; the dead are skipped, not removed).
    pub fn run(
        &mut self,
        sim: &mut Simulation,
        first_tick: usize,
        ticks: usize,
        census: bool,
    ) -> u64 {
        let world = &mut sim.world;
        world.resource_scope(|world, mut requests: Mut<Requests>| {
            let city = world.resource::<City>();
            let levers = world.resource::<Levers>();
            requests.refresh(city, world.resource::<Departments>(), levers);
            let renewal = world.resource::<Renewal>();
            let shares = world.resource::<DistrictAdoption>();
            let demand = world.resource::<DemandTable>();
            let points = world.resource::<ServicePoints>();
            for tick in first_tick..first_tick + ticks {
                let steps = Steps::new(&TickState {
                    city,
                    tick: tick as u64,
                    levers,
                    points,
                    demand,
                    shares,
                    renewal,
                    requests: &requests,
                });
                self.tally.clear();
                self.census.fill(CellTally::default());
                for i in 0..self.ids.len() {
                    if self.dead[i] {
                        continue;
                    }
                    let resident = ResidentMut {
                        home: &mut self.homes[i],
                        digital: &mut self.digital[i],
                        attitude: &mut self.attitudes[i],
                        retry: &mut self.retries[i],
                    };
                    let died = if census {
                        steps.resident::<true>(
                            self.ids[i],
                            resident,
                            &mut self.tally,
                            &mut self.census,
                        )
                    } else {
                        steps.resident::<false>(
                            self.ids[i],
                            resident,
                            &mut self.tally,
                            &mut self.census,
                        )
                    };
                    self.dead[i] |= died;
                }
            }
        });
        self.census.iter().map(|c| c.census().residents).sum()
    }
}

/// A world of bare entities, each carrying only a 4-byte id: what bevy itself keeps per
/// entity (entity index, archetype and table rows, change ticks), the floor under the
/// bytes per resident of any design with one entity per resident. Spawned as the
/// residents are, the entity index sized once (`demography::spawn_residents`).
pub struct BareEntities(World);

/// The one component of a bare entity.
#[derive(Component)]
struct BareId(
    #[expect(
        dead_code,
        reason = "gives a bare entity the size of a resident's id; never read"
    )]
    u32,
);

impl BareEntities {
    /// Spawns `n` bare entities.
    pub fn spawn(n: usize) -> Self {
        let mut world = World::new();
        crate::demography::spawn_in_order(&mut world, (0..n as u32).map(BareId), n);
        Self(world)
    }

    /// Entities held.
    pub fn len(&mut self) -> usize {
        self.0.query::<&BareId>().iter(&self.0).len()
    }

    /// Whether no entity is held.
    pub fn is_empty(&mut self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EngineOptions;
    use crate::census::Census;
    use crate::channels::RequestTallies;
    use crate::city::Clock;
    use civitas_scenario::Scenario;

    /// The plain loop is the engine's pass without the ECS: from the same residents and
    /// the same shared state, one tick of it counts what one tick of the pass counts.
    /// The ratio `civitas bench` reports and its census share rest on this.
    #[test]
    fn one_tick_of_the_plain_loop_is_one_tick_of_the_pass() {
        let mut scenario = Scenario::baseline();
        scenario.set_agents(12_000);
        let mut sim = Simulation::new(&scenario, 0, &EngineOptions::default());
        // Into the run, with training, service points and failures pending.
        for _ in 0..8 {
            assert!(sim.step());
        }
        let tick = sim.next_tick;
        let clock = Clock::at(sim.world.resource::<City>(), tick);
        sim.world.insert_resource(clock);
        assert_eq!(sim.stage_names()[..2], ["policies", "residents"]);
        sim.stages[0].schedule.run(&mut sim.world);
        let mut plain = Reference::capture(&mut sim);
        let counted = plain.run(&mut sim, tick, 1, true);
        sim.stages[1].schedule.run(&mut sim.world);

        let census = &sim.world.resource::<Census>().cells;
        assert_eq!(counted, census.iter().map(|c| c.residents).sum::<u64>());
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
        for (ours, pass) in plain.census.iter().map(CellTally::census).zip(census) {
            assert_eq!(
                (
                    ours.residents,
                    ours.devices,
                    ours.adopted,
                    ours.pending_retries,
                    ours.deaths,
                    ours.moved_in,
                    ours.moved_out
                ),
                (
                    pass.residents,
                    pass.devices,
                    pass.adopted,
                    pass.pending_retries,
                    pass.deaths,
                    pass.moved_in,
                    pass.moved_out
                )
            );
            // Summed in another order (one loop against chunks), so equal to rounding.
            assert!(close(ours.satisfaction_sum, pass.satisfaction_sum));
            assert!(close(ours.trust_sum, pass.trust_sum));
            assert!(close(
                ours.waiting_innovation_sum,
                pass.waiting_innovation_sum
            ));
        }
        let tallies = sim.world.resource::<RequestTallies>();
        let raised: u64 = tallies.cells.iter().map(|c| c.raised).sum();
        assert!(raised > 0, "the tick raised requests");
        for (ours, pass) in plain.tally.cells.iter().zip(&tallies.cells) {
            assert_eq!(
                (
                    ours.raised,
                    ours.submitted,
                    ours.online,
                    ours.failed,
                    ours.trips
                ),
                (
                    pass.raised,
                    pass.submitted,
                    pass.online,
                    pass.failed,
                    pass.trips
                )
            );
            assert!(close(ours.resolution_days, pass.resolution_days));
        }
    }
}
