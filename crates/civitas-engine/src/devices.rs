//! Device ownership: residents without an internet device acquire one.
//!
//! Each tick a resident without a device acquires one with probability
//! `1 − exp(−rate_band·Δt)` (the band's yearly uptake rate as a hazard), or through a
//! device subsidy covering their cell; the two are independent chances.

use crate::math;

use bevy_ecs::prelude::*;

use crate::city::{City, Clock, cell};
use crate::levers::Levers;
use crate::residents::{Digital, Home, ResidentId, for_each_digital};
use crate::rng::{Purpose, Stream};

/// Gives devices to residents at the band uptake rates and through subsidies.
pub fn acquire_devices(
    city: Res<City>,
    clock: Res<Clock>,
    levers: Res<Levers>,
    mut residents: Query<(&ResidentId, &Home, &mut Digital)>,
) {
    let (seed, tick) = (city.seed, clock.tick as u64);
    let dt = city.years_per_tick;
    let bands = &city.scenario.population.bands;
    let uptake: [f64; 3] = civitas_scenario::Band::ALL
        .map(|b| 1.0 - math::exp(-bands.get(b).device_uptake_per_year * dt));
    let subsidy = &levers.device_subsidy_probability;
    for_each_digital(&mut residents, |id, home, dig| {
        if dig.has_device {
            return;
        }
        let s = subsidy[cell(home.district as usize, home.band)];
        let p = 1.0 - (1.0 - uptake[home.band.index()]) * (1.0 - s);
        if Stream::new(seed, id.0 as u64, tick, Purpose::Devices).chance(p) {
            dig.has_device = true;
        }
    });
}
