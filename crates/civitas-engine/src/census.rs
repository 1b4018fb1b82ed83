//! The census of residents: counts and sums per (district × band) cell at the end of each
//! tick, and each district's adopter share for the next tick's Bass step.
//!
//! Taken once per tick by the resident pass (the last step of each resident, after every
//! mechanism has acted on it; entrants are added as they arrive) and once before the
//! first tick; mechanisms that need residents per cell (policies, incidents, renewal,
//! metrics) read it instead of counting themselves. Tallied per chunk of residents and
//! summed in chunk order, so it does not depend on the number of threads.

use bevy_ecs::prelude::*;
use civitas_scenario::{Band, Behaviour};

use crate::city::{City, cell};
use crate::residents::{Attitude, Digital, Home, PendingRetry, Resident};

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
    /// residents), added in the order given.
    pub fn sum_chunks<'a>(&mut self, chunks: impl Iterator<Item = &'a [CellCensus]>) {
        self.cells.fill(CellCensus::default());
        for chunk in chunks {
            for (t, c) in self.cells.iter_mut().zip(chunk) {
                t.add(c);
            }
        }
    }
}

/// Counts residents into per-cell tallies.
#[derive(Debug, Clone, Copy)]
pub struct Counter<'a> {
    bass_p: [f64; 3],
    behaviour: &'a Behaviour,
}

impl<'a> Counter<'a> {
    /// The counter of `city`'s residents.
    pub fn new(city: &'a City) -> Self {
        let bands = &city.scenario.population.bands;
        Self {
            bass_p: Band::ALL.map(|b| bands.get(b).bass_p),
            behaviour: &city.scenario.population.behaviour,
        }
    }

    /// Adds one resident to the tally of its cell in `cells`.
    #[inline]
    pub fn count(
        &self,
        cells: &mut [CellCensus],
        home: &Home,
        dig: &Digital,
        att: &Attitude,
        retry: &PendingRetry,
    ) {
        let c = &mut cells[cell(home.district as usize, home.band)];
        c.residents += 1;
        c.devices += dig.has_device as u64;
        c.adopted += dig.adopted as u64;
        c.pending_retries += retry.count as u64;
        c.satisfaction_sum += att.satisfaction as f64;
        c.trust_sum += att.trust as f64;
        if dig.has_device && !dig.adopted {
            let l = dig.literacy as f64
                * att.adoption_factor(self.behaviour)
                * dig.failure_memory_factor(self.behaviour);
            c.waiting_innovation_sum +=
                l * (self.bass_p[home.band.index()] + dig.adoption_boost_per_year as f64);
            c.waiting_literacy_sum += l;
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
    census.cells.fill(CellCensus::default());
    for r in &residents {
        counter.count(
            &mut census.cells,
            &r.home,
            &r.digital,
            &r.attitude,
            &r.retry,
        );
    }
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
        let cells = &census.cells[d * 3..d * 3 + 3];
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
