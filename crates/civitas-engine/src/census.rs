//! The census of residents: counts and sums per (district × band) cell at the end of each
//! tick, and each district's adopter share for the next tick's Bass step.
//!
//! Taken once per tick by the resident pass (the last step of each resident, after every
//! mechanism has acted on it; entrants are added as they arrive) and once before the
//! first tick; mechanisms that need residents per cell (policies, incidents, renewal,
//! metrics) read it instead of counting themselves. Tallied per chunk of residents
//! ([`CellTally`]: one increment per resident for the counts, by combination of device
//! and adoption) and summed in chunk order, so it does not depend on the number of
//! threads.

use bevy_ecs::prelude::*;
use civitas_scenario::{Band, Behaviour};
use rayon::prelude::*;

use crate::city::{City, district_cells};
use crate::residents::{Attitude, Digital, Home, PendingRetry, Place, Resident, Share16};
use crate::satisfaction::BassHazard;

/// Residents of one cell at the end of a tick.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CellCensus {
    /// Residents.
    pub residents: u64,
    /// Residents owning a device.
    pub devices: u64,
    /// Residents who adopted online channels.
    pub adopted: u64,
    /// Failed requests waiting for their offline fallback.
    pub pending_retries: u64,
    /// Satisfaction, summed.
    pub satisfaction_sum: f64,
    /// Trust, summed.
    pub trust_sum: f64,
    /// Over device owners who have not adopted: literacy × trust and failure-memory
    /// factors × (Bass p + training boost), summed.
    pub waiting_innovation_sum: f64,
    /// Over device owners who have not adopted: literacy × the same factors, summed.
    pub waiting_literacy_sum: f64,
    /// Residents who entered the cell in the tick as entrants at 15.
    pub entrants: u64,
    /// Residents of the cell at the start of the tick who died in it.
    pub deaths: u64,
    /// Residents who came into the cell in the tick from another (a move or ageing).
    pub moved_in: u64,
    /// Residents of the cell at the start of the tick who left it alive for another.
    pub moved_out: u64,
}

impl CellCensus {
    /// Adds the counts and sums of `o`.
    pub fn add(&mut self, o: &CellCensus) {
        self.residents += o.residents;
        self.devices += o.devices;
        self.adopted += o.adopted;
        self.pending_retries += o.pending_retries;
        self.satisfaction_sum += o.satisfaction_sum;
        self.trust_sum += o.trust_sum;
        self.waiting_innovation_sum += o.waiting_innovation_sum;
        self.waiting_literacy_sum += o.waiting_literacy_sum;
        self.entrants += o.entrants;
        self.deaths += o.deaths;
        self.moved_in += o.moved_in;
        self.moved_out += o.moved_out;
    }
}

/// The latest census, per cell.
#[derive(Resource, Debug, Clone)]
pub struct Census {
    /// Totals per (district × band) cell.
    pub cells: Vec<CellCensus>,
}

impl Census {
    /// An empty census sized for `city`.
    pub fn new(city: &City) -> Self {
        Self {
            cells: vec![CellCensus::default(); city.cells()],
        }
    }

    /// Replaces the census by the sum of `chunks` (per-cell tallies of chunks of
    /// residents), added in the order given. Cells are summed in parallel, each over the
    /// chunks in order: the sums do not depend on the number of threads, and the
    /// reduction, which grows with the chunks, does not hold the other threads up.
    pub fn sum_chunks(&mut self, chunks: &[&[CellTally]]) {
        self.cells.par_iter_mut().enumerate().for_each(|(c, t)| {
            *t = CellCensus::default();
            for chunk in chunks {
                t.add(&chunk[c].census());
            }
        });
    }
}

/// Counts residents into per-cell tallies.
#[derive(Debug, Clone, Copy)]
pub struct Counter<'a> {
    bass_p: [f64; 3],
    /// [`City::training_boosts`].
    boosts: &'a [f64],
    behaviour: &'a Behaviour,
}

impl<'a> Counter<'a> {
    /// The counter of `city`'s residents.
    pub fn new(city: &'a City) -> Self {
        let bands = &city.scenario.population.bands;
        Self {
            bass_p: Band::ALL.map(|b| bands.get(b).bass_p),
            boosts: &city.training_boosts,
            behaviour: &city.scenario.population.behaviour,
        }
    }

    /// Adds one resident to the census of its cell in `cells` (a census kept as summed:
    /// entrants joining it, recounts in tests).
    #[inline]
    pub fn count(
        &self,
        cells: &mut [CellCensus],
        home: &Place,
        dig: &Digital,
        att: &Attitude,
        retry: &PendingRetry,
    ) {
        let mut one = CellTally::default();
        self.add(&mut one, home, dig, att, retry);
        // Each sum of `one` is 0 + x, exactly x: the census adds what it always added.
        cells[home.cell()].add(&one.census());
    }

    /// Adds one resident to the tally of its cell in `cells` (the resident pass's count
    /// per chunk, and the starting census).
    #[inline]
    pub fn tally(
        &self,
        cells: &mut [CellTally],
        home: &Place,
        dig: &Digital,
        att: &Attitude,
        retry: &PendingRetry,
    ) {
        self.add(&mut cells[home.cell()], home, dig, att, retry);
    }

    /// Adds one resident to `c`, its cell's tally.
    #[inline]
    fn add(
        &self,
        c: &mut CellTally,
        home: &Place,
        dig: &Digital,
        att: &Attitude,
        retry: &PendingRetry,
    ) {
        let digital = dig.device_and_adoption();
        c.by_digital[digital] += 1;
        c.pending_retries += u64::from(retry.count);
        let (trust, satisfaction) = att.steps();
        c.attitude_steps[0] += u64::from(satisfaction);
        c.attitude_steps[1] += u64::from(trust);
        // Owns a device and has not adopted: waiting to adopt.
        if digital == 1 {
            let l = BassHazard::new(self.behaviour, dig.literacy(), att.trust(), dig.failures())
                .weight();
            c.sums[0] +=
                l * (self.bass_p[home.band.index()] + self.boosts[usize::from(dig.training())]);
            c.sums[1] += l;
        }
    }
}

/// One chunk's count of one cell, kept in the form cheapest to count into: residents by
/// their (device, adopted) combination, one counter each, so that counting a resident is
/// one increment where three separate counts took three; [`CellTally::census`] gives the
/// cell's counts and sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CellTally {
    /// Residents by `has_device + 2 · adopted`.
    by_digital: [u64; 4],
    /// Failed requests waiting for their offline fallback.
    pending_retries: u64,
    /// Satisfaction and trust in steps of [`Share16`], summed (exact).
    attitude_steps: [u64; 2],
    /// Waiting innovation and waiting literacy, summed as in [`CellCensus`].
    sums: [f64; 2],
    /// Deaths, moves in and moves out of the tick ([`CellTally::flow`]).
    flows: [u64; 3],
}

impl CellTally {
    /// Counts the fate of a resident who started the tick in `from`'s cell: a death
    /// there when `died`, else a move from it to `to`'s cell when the cells differ
    /// (a move between districts, or ageing).
    #[inline]
    pub fn flow(cells: &mut [CellTally], from: Home, to: Home, died: bool) {
        if died {
            cells[from.place().cell()].flows[0] += 1;
        } else if from != to {
            cells[to.place().cell()].flows[1] += 1;
            cells[from.place().cell()].flows[2] += 1;
        }
    }

    /// The counts and sums of the cell.
    pub fn census(&self) -> CellCensus {
        let [none, device, adopted_only, both] = self.by_digital;
        CellCensus {
            residents: none + device + adopted_only + both,
            devices: device + both,
            adopted: adopted_only + both,
            pending_retries: self.pending_retries,
            satisfaction_sum: Share16::of_steps(self.attitude_steps[0]) * 100.0,
            trust_sum: Share16::of_steps(self.attitude_steps[1]),
            waiting_innovation_sum: self.sums[0],
            waiting_literacy_sum: self.sums[1],
            entrants: 0,
            deaths: self.flows[0],
            moved_in: self.flows[1],
            moved_out: self.flows[2],
        }
    }
}

/// Adopter share of each district at the start of the tick.
#[derive(Resource, Debug, Clone, Default)]
pub struct DistrictAdoption(pub Vec<f64>);

/// Installs the census of `city` and the adopter shares.
pub fn install(world: &mut World, city: &City) {
    world.insert_resource(Census::new(city));
    world.insert_resource(DistrictAdoption::default());
}

/// Counts every resident (once, before the first tick; during the run the resident pass
/// takes the census) and refreshes each district's adopter share.
pub fn take_census(
    city: Res<City>,
    mut census: ResMut<Census>,
    shares: ResMut<DistrictAdoption>,
    residents: Query<&Resident>,
) {
    let counter = Counter::new(&city);
    let mut cells = vec![CellTally::default(); census.cells.len()];
    for r in &residents {
        counter.tally(
            &mut cells,
            &r.home.place(),
            &r.digital,
            &r.attitude,
            &r.retry,
        );
    }
    census.sum_chunks(&[cells.as_slice()]);
    update_shares(&city, &census, shares.into_inner());
}

/// Each district's adopter share for the next tick's Bass step, from the census.
pub fn share_adoption(city: Res<City>, census: Res<Census>, shares: ResMut<DistrictAdoption>) {
    update_shares(&city, &census, shares.into_inner());
}

fn update_shares(city: &City, census: &Census, shares: &mut DistrictAdoption) {
    let bands = &city.scenario.population.bands;
    let bass_q: [f64; 3] = Band::ALL.map(|b| bands.get(b).bass_q);
    let dt = city.years_per_tick;
    shares.0.clear();
    shares.0.extend((0..city.districts()).map(|d| {
        let cells = &census.cells[district_cells(d)];
        let n: u64 = cells.iter().map(|c| c.residents).sum();
        if n == 0 {
            return 0.0;
        }
        let a = cells.iter().map(|c| c.adopted).sum::<u64>() as f64 / n as f64;
        // Midpoint estimate (see crate::adoption): half the tick's expected adoptions.
        let rate: f64 = cells
            .iter()
            .zip(bass_q)
            .map(|(c, q)| c.waiting_innovation_sum + q * a * c.waiting_literacy_sum)
            .sum::<f64>()
            / n as f64;
        (a + 0.5 * rate * dt).min(1.0)
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_scenario::Scenario;

    /// A chunk's tally gives what counting into the census gives: residents of each
    /// (device, adopted) combination (1, 2, 3 and 4 of them) counted as residents, as
    /// device owners where they own one, as adopters where they adopted, and only device
    /// owners who have not adopted in the waiting sums.
    #[test]
    fn a_tally_counts_each_device_and_adoption_combination_as_the_census_does() {
        let city = City::new(&Scenario::baseline(), 1);
        let counter = Counter::new(&city);
        let home = Place {
            district: 1,
            band: Band::Middle,
        };
        let att = Attitude::new(0.6, 70.0);
        let retry = PendingRetry {
            service: 0,
            count: 2,
            due_tick: 3,
        };
        let mut tallies = vec![CellTally::default(); city.cells()];
        let mut counted = vec![CellCensus::default(); city.cells()];
        let combinations = [(false, false), (true, false), (false, true), (true, true)];
        for (k, (has_device, adopted)) in combinations.into_iter().enumerate() {
            let dig = Digital::new(0.5, has_device, adopted);
            for _ in 0..=k {
                counter.tally(&mut tallies, &home, &dig, &att, &retry);
                counter.count(&mut counted, &home, &dig, &att, &retry);
            }
        }
        let c = crate::city::cell(1, Band::Middle);
        let tallied = tallies[c].census();
        let one_by_one = counted[c];
        // The tally sums trust and satisfaction in whole steps, counting adds each
        // resident's value: the same to the last bits.
        for (t, o) in [
            (tallied.satisfaction_sum, one_by_one.satisfaction_sum),
            (tallied.trust_sum, one_by_one.trust_sum),
        ] {
            assert!((t - o).abs() <= 1e-12 * t, "{t} against {o}");
        }
        assert_eq!(
            CellCensus {
                satisfaction_sum: 0.0,
                trust_sum: 0.0,
                ..tallied
            },
            CellCensus {
                satisfaction_sum: 0.0,
                trust_sum: 0.0,
                ..one_by_one
            }
        );
        assert_eq!(
            (tallied.residents, tallied.devices, tallied.adopted),
            (10, 6, 7)
        );
        assert_eq!(tallied.pending_retries, 20);
        assert!((tallied.satisfaction_sum - 10.0 * att.satisfaction()).abs() < 1e-9);
        assert_eq!(tallied.trust_sum, 6.0);
        // Two waiting residents: literacy 0.5 times the trust and failure factors each
        // (both as held: to the nearest 1/65,535).
        let waiting = 2.0
            * Digital::new(0.5, true, false).literacy()
            * crate::satisfaction::adoption_factor(
                &city.scenario.population.behaviour,
                att.trust(),
            );
        assert!((tallied.waiting_literacy_sum - waiting).abs() < 1e-12);
        let other = tallies
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != c)
            .all(|(_, t)| *t == CellTally::default());
        assert!(other, "only the resident's cell is counted");
    }
}
