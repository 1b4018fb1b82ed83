//! Residents and ageing.
//!
//! Synthesis: resident `i` of `N` lives in the district whose cumulative population
//! share covers `(i + 0.5) / N` (exact district sizes, no sampling noise); band, device,
//! adoption and literacy are drawn from the district's age mix and the band's starting
//! values (rural districts get the `[population.rural]` multipliers). Adoption at the
//! start is drawn among device owners only.
//!
//! Ageing: each tick a `young` resident becomes `middle` with probability
//! `1 − (1 − r)^Δt` where `r` is the yearly share moving and `Δt` the tick in years (so
//! twelve monthly ticks move exactly the yearly share in expectation); likewise
//! `middle` → `senior`.

use crate::math;

use bevy_ecs::prelude::*;
use civitas_scenario::Band;
use rayon::prelude::*;

use crate::city::City;
use crate::residents::{Place, Resident};
use crate::rng::{KeyChance, Purpose, Stream, SubjectKey};
use crate::sizing::{age_mix, share_total};

/// Spawns the starting population of `city` into `world`, in id order, with bevy's
/// entity index sized once for `most_residents` residents at once (not grown by
/// doubling: 24 bytes per resident instead of up to 48).
pub fn spawn_residents(world: &mut World, city: &City, most_residents: usize) {
    let pop = &city.scenario.population;
    let n = pop.agents as usize;
    let mut cumulative = Vec::with_capacity(pop.districts.len());
    let mut acc = 0.0;
    let total = share_total(pop);
    for d in &pop.districts {
        acc += d.share / total;
        cumulative.push(acc);
    }
    let make = |i: usize| {
        let position = (i as f64 + 0.5) / n as f64;
        // The first district whose cumulative share passes the position (a binary search:
        // the shares only grow; a scan cost a run of 10,000 districts 5,000 comparisons per
        // resident).
        let district = cumulative
            .partition_point(|&c| c <= position)
            .min(pop.districts.len().saturating_sub(1));
        let mix = age_mix(pop, &pop.districts[district]);
        let mut s = Stream::new(city.seed, i as u64, 0, Purpose::Synthesis);
        let u = s.uniform() * (mix.young + mix.middle + mix.senior).max(1e-12);
        let band = if u < mix.young {
            Band::Young
        } else if u < mix.young + mix.middle {
            Band::Middle
        } else {
            Band::Senior
        };
        Resident::new(city, &mut s, i as u32, district, band)
    };
    let residents = InBlocks {
        make,
        next: 0,
        n,
        block: Vec::with_capacity(SYNTHESIS_BLOCK.min(n)),
        at: 0,
    };
    spawn_in_order(world, residents, most_residents);
}

/// Residents made at once, in parallel, before they are spawned in order: 256 KiB of them
/// (2 MiB made the peak memory of 100,000 agents 18 % higher).
const SYNTHESIS_BLOCK: usize = 1 << 13;

/// Residents `0..n` made by `make` a block at a time on all threads ([`SYNTHESIS_BLOCK`])
/// and handed out in id order to be spawned, which bevy does on one thread. Each resident
/// draws from its own stream, so the order they are made in changes nothing.
struct InBlocks<F> {
    make: F,
    next: usize,
    n: usize,
    block: Vec<Resident>,
    at: usize,
}

impl<F: Fn(usize) -> Resident + Sync> Iterator for InBlocks<F> {
    type Item = Resident;

    fn next(&mut self) -> Option<Resident> {
        if self.at == self.block.len() {
            if self.next == self.n {
                return None;
            }
            let end = (self.next + SYNTHESIS_BLOCK).min(self.n);
            self.block.clear();
            self.block
                .par_extend((self.next..end).into_par_iter().map(&self.make));
            self.next = end;
            self.at = 0;
        }
        self.at += 1;
        Some(self.block[self.at - 1])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.n - self.next + self.block.len() - self.at;
        (left, Some(left))
    }
}

impl<F: Fn(usize) -> Resident + Sync> ExactSizeIterator for InBlocks<F> {}

/// Entities that the allocator handed out: a run of fresh ones (kept as its first index),
/// or a list.
enum Allocated {
    /// Fresh entities from this index on.
    Run(u32),
    /// Any others, in the order handed out.
    List(Vec<Entity>),
}

impl Allocated {
    /// Takes `n` entities from `world`'s allocator, keeping a run as its first index.
    fn take(world: &World, n: u32) -> Self {
        let mut handed = world.entity_allocator().alloc_many(n);
        let Some(head) = handed.next() else {
            return Self::List(Vec::new());
        };
        let first = head.index_u32();
        let fresh = |k: u32, e: Entity| Entity::from_raw_u32(first + k) == Some(e);
        if fresh(0, head) {
            for (k, e) in (1..).zip(handed.by_ref()) {
                if !fresh(k, e) {
                    // Not a run after all (an index was reused): list them all.
                    let mut list: Vec<Entity> = (0..k)
                        .filter_map(|j| Entity::from_raw_u32(first + j))
                        .collect();
                    list.push(e);
                    list.extend(handed);
                    return Self::List(list);
                }
            }
            return Self::Run(first);
        }
        let mut list = vec![head];
        list.extend(handed);
        Self::List(list)
    }

    /// The `k`-th entity.
    fn get(&self, k: u32) -> Entity {
        match self {
            Self::Run(first) => {
                Entity::from_raw_u32(first + k).expect("an index the allocator handed out")
            }
            Self::List(list) => list[k as usize],
        }
    }
}

/// Spawns `bundles` in order (table rows in the order given, as `spawn_batch` would),
/// having first sized bevy's entity index once for `most` entities of them.
///
/// bevy_ecs 0.20 keeps 24 bytes per index in its entity index and grows it by doubling,
/// filling the whole new capacity (`Entities::ensure_index_index_is_valid`): 5M residents
/// spawned in a batch hold 2^23 = 8.4M entries, 201 MB where 120 MB would do, and 40
/// bytes per resident instead of 24. The index grows to exactly one past an index
/// spawned at when that is over twice its length, so the residents' indices and the
/// room for entrants are allocated first, the highest index spawned at and despawned
/// again, the room freed for entrants, and then each resident spawned at its index.
/// Entrants beyond the room grow the index by doubling, as before. One `spawn_at` per
/// resident takes the time of `spawn_batch` (a one-month run of 5M residents: 3.3 s
/// either way).
pub(crate) fn spawn_in_order<B: Bundle>(
    world: &mut World,
    bundles: impl ExactSizeIterator<Item = B>,
    most: usize,
) {
    let n = u32::try_from(bundles.len()).expect("agents are limited far below 2^32");
    let extra = u32::try_from(most.saturating_sub(n as usize).max(1)).unwrap_or(n);
    let taken = Allocated::take(world, n);
    let spare: Vec<Entity> = world.entity_allocator().alloc_many(extra).collect();
    let top = spare.iter().copied().max_by_key(|e| e.index_u32());
    let mut room: Vec<Entity> = spare.into_iter().filter(|&e| Some(e) != top).collect();
    if let Some(top) = top {
        let placeholder = world.spawn_empty_at(top).map(|e| e.id());
        // Despawned without freeing, to be freed with the rest of the room in one list
        // (`despawn` would leave it in the allocator's local list of the last 128 freed,
        // which allocations do not see until it fills).
        room.extend(placeholder.ok().and_then(|e| world.despawn_no_free(e)));
    }
    world.entity_allocator_mut().free_many(&room);
    for (k, bundle) in (0..n).zip(bundles) {
        world
            .spawn_at(taken.get(k), bundle)
            .expect("an entity just allocated and never spawned can be spawned at");
    }
}

/// Ageing in one tick: each band's chance of moving up (none for `senior`).
#[derive(Debug, Clone, Copy)]
pub struct Ageing {
    move_up: [KeyChance; 3],
}

impl Ageing {
    /// The chances of `city`'s ticks, from the yearly rates of `[population.ageing]`.
    pub fn new(city: &City) -> Self {
        let ageing = &city.scenario.population.ageing;
        let dt = city.years_per_tick;
        Self {
            move_up: [
                1.0 - math::powf(1.0 - ageing.young_to_middle_per_year, dt),
                1.0 - math::powf(1.0 - ageing.middle_to_senior_per_year, dt),
                0.0,
            ]
            .map(KeyChance::below),
        }
    }

    /// Moves the resident of `key` up a band with the band's chance.
    #[inline]
    pub fn step(&self, key: SubjectKey, home: &mut Place) {
        if key.high_hits(self.move_up[home.band.index()]) {
            home.band = match home.band {
                Band::Young => Band::Middle,
                _ => Band::Senior,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_scenario::Scenario;

    /// The residents' ids in table order (the order every pass takes them in).
    fn ids_in_table_order(world: &mut World) -> Vec<u32> {
        world
            .query::<&Resident>()
            .iter(world)
            .map(|r| r.id.0)
            .collect()
    }

    fn city(agents: u64) -> City {
        let mut scenario = Scenario::baseline();
        scenario.population.agents = agents;
        City::new(&scenario, 3)
    }

    /// bevy's entity index is grown once, to the residents and the room asked for, not
    /// doubled past them; the residents lie in the table in id order; and entrants spawned
    /// later take the room without growing the index again.
    #[test]
    fn the_entity_index_is_sized_once_for_the_residents_and_their_room() {
        let city = city(5_000);
        let mut world = World::new();
        let before = world.entities().len();
        spawn_residents(&mut world, &city, 5_300);
        let sized = world.entities().len();
        // Doubling would have made it 8,192 entries.
        assert!(
            (5_300..=before + 5_300).contains(&sized),
            "{sized} entries for 5,300 residents at most"
        );
        assert_eq!(
            ids_in_table_order(&mut world),
            (0..5_000).collect::<Vec<_>>()
        );
        let mut s = Stream::new(city.seed, 9, 0, Purpose::Synthesis);
        let entrants: Vec<Resident> = (5_000..5_300)
            .map(|id| Resident::new(&city, &mut s, id, 0, Band::Young))
            .collect();
        world.spawn_batch(entrants);
        assert_eq!(world.entities().len(), sized);
        assert_eq!(
            ids_in_table_order(&mut world),
            (0..5_300).collect::<Vec<_>>()
        );
    }

    /// Residents made in parallel blocks come out once each, in id order, across the
    /// blocks' seams, and the count left is exact all the way (`spawn_in_order` sizes
    /// bevy's index from it).
    #[test]
    fn residents_made_in_blocks_come_out_in_id_order() {
        let city = city(10);
        let n = 2 * SYNTHESIS_BLOCK + 7;
        let mut s = Stream::new(city.seed, 0, 0, Purpose::Synthesis);
        let template = Resident::new(&city, &mut s, 0, 0, Band::Young);
        let mut residents = InBlocks {
            make: |i: usize| Resident {
                id: crate::residents::ResidentId(i as u32),
                ..template
            },
            next: 0,
            n,
            block: Vec::new(),
            at: 0,
        };
        let mut ids = Vec::new();
        for taken in 0..n {
            assert_eq!(residents.len(), n - taken);
            ids.push(residents.next().expect("one left").id.0);
        }
        assert_eq!(residents.len(), 0);
        assert!(residents.next().is_none());
        assert_eq!(ids, (0..n as u32).collect::<Vec<_>>());
    }

    /// Where the allocator hands out freed indices rather than a run of fresh ones, every
    /// resident is still spawned, once, at an entity it handed out, in id order.
    #[test]
    fn residents_are_spawned_at_reused_indices_too() {
        let city = city(200);
        let mut world = World::new();
        let others: Vec<Entity> = (0..100).map(|_| world.spawn_empty().id()).collect();
        for &e in others.iter().step_by(2) {
            world.despawn(e);
        }
        let spawned = world.entities().count_spawned();
        spawn_residents(&mut world, &city, 260);
        assert_eq!(world.entities().count_spawned(), spawned + 200);
        assert_eq!(ids_in_table_order(&mut world), (0..200).collect::<Vec<_>>());
    }
}
