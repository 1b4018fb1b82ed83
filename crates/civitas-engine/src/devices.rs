//! Device ownership: residents without an internet device acquire one.
//!
//! Each tick a resident without a device acquires one with probability
//! `1 − exp(−rate_band·Δt)` (the band's yearly uptake rate as a hazard), or through a
//! device subsidy covering their cell; the two are independent chances.

use crate::math;

use civitas_scenario::Band;

use crate::city::{City, cell_band};
use crate::levers::Levers;
use crate::residents::{Digital, Place};
use crate::rng::{Chance, Purpose, SubjectKey};

/// Device acquisition in one tick.
#[derive(Debug, Clone)]
pub struct DeviceUptake {
    /// Per (district × band) cell: `1 − (1 − uptake_band)·(1 − subsidy_cell)`.
    chances: Vec<Chance>,
}

impl DeviceUptake {
    /// The chances of this tick: band uptake rates of `city`, subsidies of `levers`.
    pub fn new(city: &City, levers: &Levers) -> Self {
        let dt = city.years_per_tick;
        let bands = &city.scenario.population.bands;
        let uptake = Band::ALL.map(|b| 1.0 - math::exp(-bands.get(b).device_uptake_per_year * dt));
        Self {
            chances: (0..city.cells())
                .map(|c| {
                    let s = levers.device_subsidy_probability[c];
                    Chance::below(1.0 - (1.0 - uptake[cell_band(c).index()]) * (1.0 - s))
                })
                .collect(),
        }
    }

    /// Gives the resident of `key` a device with the chance of their band and cell.
    #[inline]
    pub fn step(&self, key: SubjectKey, home: &Place, dig: &mut Digital) {
        if dig.has_device() {
            return;
        }
        let chance = self.chances[home.cell()];
        if key.stream(Purpose::Devices).hits(chance) {
            dig.acquire_device();
        }
    }
}
