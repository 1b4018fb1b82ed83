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

use crate::city::City;
use crate::residents::{Home, Resident};
use crate::rng::{KeyChance, Purpose, Stream, SubjectKey};

/// Spawns the starting population of `city` into `world`.
pub fn spawn_residents(world: &mut World, city: &City) {
    let pop = &city.scenario.population;
    let n = pop.agents as usize;
    let mut cumulative = Vec::with_capacity(pop.districts.len());
    let mut acc = 0.0;
    let total: f64 = pop
        .districts
        .iter()
        .map(|d| d.share)
        .sum::<f64>()
        .max(1e-12);
    for d in &pop.districts {
        acc += d.share / total;
        cumulative.push(acc);
    }
    let residents = (0..n).map(|i| {
        let position = (i as f64 + 0.5) / n as f64;
        let district = cumulative
            .iter()
            .position(|&c| position < c)
            .unwrap_or(pop.districts.len().saturating_sub(1));
        let spec = &pop.districts[district];
        let mix = spec.age_mix.unwrap_or(civitas_scenario::PerBand {
            young: pop.bands.young.share,
            middle: pop.bands.middle.share,
            senior: pop.bands.senior.share,
        });
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
    });
    world.spawn_batch(residents);
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
    pub fn step(&self, key: SubjectKey, home: &mut Home) {
        if key.high_hits(self.move_up[home.band.index()]) {
            home.band = match home.band {
                Band::Young => Band::Middle,
                _ => Band::Senior,
            };
        }
    }
}
