//! The census of residents: counts and sums per (district × band) cell at the end of each
//! tick, and each district's adopter share for the next tick's Bass step.
//!
//! Taken once per tick (and once before the first), after every mechanism has acted;
//! mechanisms that need residents per cell (policies, incidents, renewal, metrics) read
//! it instead of counting themselves. Tallied per chunk of residents and summed in chunk
//! order, so it does not depend on the number of threads.

use bevy_ecs::prelude::*;
use civitas_scenario::Band;
use rayon::prelude::*;

use crate::city::{City, cell};
use crate::residents::{Attitude, CHUNK_RESIDENTS, Digital, Home, PendingRetry};
use crate::satisfaction::{adoption_factor, failure_memory_factor};

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
    chunks: Vec<Vec<CellCensus>>,
}

impl Census {
    /// An empty census sized for `city`.
    pub fn new(city: &City, residents: usize) -> Self {
        Self {
            cells: vec![CellCensus::default(); city.cells()],
            chunks: vec![
                vec![CellCensus::default(); city.cells()];
                residents.div_ceil(CHUNK_RESIDENTS).max(1)
            ],
        }
    }
}

/// Adopter share of each district at the start of the tick.
#[derive(Resource, Debug, Clone, Default)]
pub struct DistrictAdoption(pub Vec<f64>);

/// Installs the census of `city`'s `residents` and the adopter shares.
pub fn install(world: &mut World, city: &City, residents: usize) {
    world.insert_resource(Census::new(city, residents));
    world.insert_resource(DistrictAdoption::default());
}

/// Counts residents per cell and refreshes each district's adopter share.
pub fn take_census(
    city: Res<City>,
    mut census: ResMut<Census>,
    mut shares: ResMut<DistrictAdoption>,
    residents: Query<(&Home, &Digital, &Attitude, &PendingRetry)>,
) {
    let census = &mut *census;
    let bands = &city.scenario.population.bands;
    let behaviour = &city.scenario.population.behaviour;
    let bass_p: [f64; 3] = Band::ALL.map(|b| bands.get(b).bass_p);
    let bass_q: [f64; 3] = Band::ALL.map(|b| bands.get(b).bass_q);
    let mut base = 0;
    for (homes, digital, attitudes, retries) in residents
        .contiguous_iter()
        .expect("residents are table-stored")
    {
        let n_chunks = homes.len().div_ceil(CHUNK_RESIDENTS);
        if census.chunks.len() < base + n_chunks {
            census
                .chunks
                .resize(base + n_chunks, vec![CellCensus::default(); city.cells()]);
        }
        homes
            .par_chunks(CHUNK_RESIDENTS)
            .zip(digital.par_chunks(CHUNK_RESIDENTS))
            .zip(attitudes.par_chunks(CHUNK_RESIDENTS))
            .zip(retries.par_chunks(CHUNK_RESIDENTS))
            .zip(census.chunks[base..base + n_chunks].par_iter_mut())
            .for_each(|((((homes, digital), attitudes), retries), tally)| {
                tally.fill(CellCensus::default());
                for (((home, dig), att), retry) in
                    homes.iter().zip(digital).zip(attitudes).zip(retries)
                {
                    let c = &mut tally[cell(home.district as usize, home.band)];
                    c.residents += 1;
                    c.devices += dig.has_device as u64;
                    c.adopted += dig.adopted as u64;
                    c.pending_retries += retry.count as u64;
                    c.satisfaction_sum += att.satisfaction as f64;
                    c.trust_sum += att.trust as f64;
                    if dig.has_device && !dig.adopted {
                        let l = dig.literacy as f64
                            * adoption_factor(behaviour, att.trust)
                            * failure_memory_factor(behaviour, att.failures);
                        c.waiting_innovation_sum +=
                            l * (bass_p[home.band.index()] + dig.adoption_boost_per_year as f64);
                        c.waiting_literacy_sum += l;
                    }
                }
            });
        base += n_chunks;
    }
    census.cells.fill(CellCensus::default());
    for chunk in &census.chunks[..base] {
        for (t, c) in census.cells.iter_mut().zip(chunk) {
            t.add(c);
        }
    }
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
