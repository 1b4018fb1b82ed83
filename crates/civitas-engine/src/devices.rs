//! Device ownership: residents without an internet device acquire one.
//!
//! Each tick a resident without a device acquires one with probability
//! `1 − exp(−rate_band·Δt)` (the band's yearly uptake rate as a hazard), or through a
//! device subsidy covering their cell; the two are independent chances.

use crate::math;

use crate::city::{City, cell};
use crate::levers::Levers;
use crate::residents::{Digital, Home};
use crate::rng::{Purpose, SubjectKey};

/// Device acquisition in one tick.
#[derive(Debug, Clone, Copy)]
pub struct DeviceUptake<'a> {
    uptake: [f64; 3],
    subsidy: &'a [f64],
}

impl<'a> DeviceUptake<'a> {
    /// The chances of this tick: band uptake rates of `city`, subsidies of `levers`.
    pub fn new(city: &City, levers: &'a Levers) -> Self {
        let dt = city.years_per_tick;
        let bands = &city.scenario.population.bands;
        Self {
            uptake: civitas_scenario::Band::ALL
                .map(|b| 1.0 - math::exp(-bands.get(b).device_uptake_per_year * dt)),
            subsidy: &levers.device_subsidy_probability,
        }
    }

    /// Gives the resident of `key` a device with the chance of their band and cell.
    #[inline]
    pub fn step(&self, key: SubjectKey, home: &Home, dig: &mut Digital) {
        if dig.has_device {
            return;
        }
        let s = self.subsidy[cell(home.district as usize, home.band)];
        let p = 1.0 - (1.0 - self.uptake[home.band.index()]) * (1.0 - s);
        if key.stream(Purpose::Devices).chance(p) {
            dig.has_device = true;
        }
    }
}
