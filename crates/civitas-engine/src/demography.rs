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
use civitas_scenario::{Band, Settlement};
use rayon::prelude::*;

use crate::adoption::Digital;
use crate::channels::PendingRetry;
use crate::city::{CHUNK_RESIDENTS, City, Clock};
use crate::rng::{Purpose, Stream};
use crate::satisfaction::Attitude;

/// Stable resident id within the replicate (0..agents); keys the random streams.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResidentId(pub u32);

/// Where a resident lives and which age band they are in.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Home {
    /// District index in the scenario's district list.
    pub district: u16,
    /// Current age band.
    pub band: Band,
}

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
        new_resident(city, &mut s, i as u32, district, band)
    });
    world.spawn_batch(residents);
}

/// The components of a new resident `id` of `district` and `band`, drawn from `s`: device,
/// adoption and literacy from the band's starting values (rural districts get the
/// `[population.rural]` multipliers); satisfaction and trust at the scenario's starting
/// values, or at the satisfaction base until the steady-state start sets them.
pub fn new_resident(
    city: &City,
    s: &mut Stream,
    id: u32,
    district: usize,
    band: Band,
) -> (ResidentId, Home, Digital, Attitude, PendingRetry) {
    let pop = &city.scenario.population;
    let behaviour = &pop.behaviour;
    let params = pop.bands.get(band);
    let (f_device, f_literacy, f_adoption) = match pop.districts[district].kind {
        Settlement::Urban => (1.0, 1.0, 1.0),
        Settlement::Rural => (pop.rural.device, pop.rural.literacy, pop.rural.adoption),
    };
    let has_device = s.chance(params.device * f_device);
    let adopted = has_device && s.chance(params.adoption * f_adoption);
    let literacy =
        (params.literacy * f_literacy + params.literacy_spread * s.normal()).clamp(0.0, 1.0);
    let satisfaction = behaviour
        .initial_satisfaction
        .unwrap_or(behaviour.satisfaction_base);
    let trust = behaviour
        .initial_trust
        .unwrap_or(behaviour.satisfaction_base / 100.0);
    (
        ResidentId(id),
        Home {
            district: district as u16,
            band,
        },
        Digital {
            literacy: literacy as f32,
            adoption_boost_per_year: 0.0,
            has_device,
            adopted,
        },
        Attitude {
            trust: trust.clamp(0.0, 1.0) as f32,
            satisfaction: satisfaction.clamp(0.0, 100.0) as f32,
            failures: 0,
        },
        PendingRetry::default(),
    )
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
