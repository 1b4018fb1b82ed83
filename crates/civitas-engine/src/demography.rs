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

use crate::city::{City, Clock};
use crate::residents::{CHUNK_RESIDENTS, Home, ResidentBundle, ResidentId};
use crate::rng::{Purpose, Stream};

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
        ResidentBundle::new(city, &mut s, i as u32, district, band)
    });
    world.spawn_batch(residents);
}

/// Moves residents between age bands at the yearly rates of `[population.ageing]`.
pub fn age_residents(
    city: Res<City>,
    clock: Res<Clock>,
    mut residents: Query<(&ResidentId, &mut Home)>,
) {
    let ageing = &city.scenario.population.ageing;
    let dt = city.years_per_tick;
    let p_young = 1.0 - math::powf(1.0 - ageing.young_to_middle_per_year, dt);
    let p_middle = 1.0 - math::powf(1.0 - ageing.middle_to_senior_per_year, dt);
    let (seed, tick) = (city.seed, clock.tick as u64);
    for (ids, mut homes) in residents
        .contiguous_iter_mut()
        .expect("residents are table-stored")
    {
        let homes = homes.bypass_change_detection();
        ids.par_chunks(CHUNK_RESIDENTS)
            .zip(homes.par_chunks_mut(CHUNK_RESIDENTS))
            .for_each(|(ids, homes)| {
                for (id, home) in ids.iter().zip(homes) {
                    let p = match home.band {
                        Band::Young => p_young,
                        Band::Middle => p_middle,
                        Band::Senior => continue,
                    };
                    if Stream::new(seed, id.0 as u64, tick, Purpose::Ageing).chance(p) {
                        home.band = match home.band {
                            Band::Young => Band::Middle,
                            _ => Band::Senior,
                        };
                    }
                }
            });
    }
}
