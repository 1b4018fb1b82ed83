//! Online adoption: Bass diffusion per district, and digital-skills training.
//!
//! A resident with a device who has not adopted adopts in a tick of `Δt` years with
//! probability `1 − exp(−ℓ·(p_band + boost + q_band·A_d)·Δt)`, where `A_d` is the adopter
//! share of the resident's district taken from the state at the start of the tick
//! (synchronous update: the census at the end of the previous tick, see
//! [`crate::metrics`]). With ℓ = 1, no training and everyone owning a device this is the
//! Bass (1969) model in discrete time.
//!
//! Choice where SPEC.md is terse: `A_d` is the start-of-tick share advanced by half the
//! tick's expected adoptions, `A + ½·Δt·Σ ℓ(p + boost + q·A)/N` over the district's waiting
//! device owners (a midpoint estimate, computed from start-of-tick state only, so the
//! update stays synchronous and independent of visiting order). Using the bare
//! start-of-tick share makes monthly ticks lag the continuous Bass curve by half a tick,
//! up to 0.011 adopter share for q = 0.6; the midpoint keeps the lag at O(Δt²).
//!
//! Trust and memory: the hazard is multiplied by the resident's trust factor and failure
//! memory ([`crate::satisfaction::adoption_factor`],
//! [`crate::satisfaction::failure_memory_factor`]); both are 1 with the default (neutral)
//! behaviour parameters, which leaves the Bass model above unchanged.
//!
//! Training: an untrained resident in a cell with a training offer is trained with the
//! offer's probability; training adds the literacy gain (capped at 1) and the adoption
//! boost to the resident's innovation coefficient for good.

use crate::math;

use bevy_ecs::prelude::*;
use rayon::prelude::*;

use crate::census::DistrictAdoption;
use crate::city::{City, Clock, cell};
use crate::levers::Levers;
use crate::residents::{Attitude, CHUNK_RESIDENTS, Digital, Home, ResidentId, for_each_digital};
use crate::rng::{Purpose, Stream};
use crate::satisfaction::{adoption_factor, failure_memory_factor};

/// Trains residents covered by this tick's training offers.
pub fn train_residents(
    city: Res<City>,
    clock: Res<Clock>,
    levers: Res<Levers>,
    mut residents: Query<(&ResidentId, &Home, &mut Digital)>,
) {
    if levers.training.iter().all(|o| o.probability <= 0.0) {
        return;
    }
    let (seed, tick) = (city.seed, clock.tick as u64);
    let offers = &levers.training;
    for_each_digital(&mut residents, |id, home, dig| {
        let offer = &offers[cell(home.district as usize, home.band)];
        if offer.probability <= 0.0 || dig.trained() {
            return;
        }
        if Stream::new(seed, id.0 as u64, tick, Purpose::Training).chance(offer.probability) {
            dig.literacy = (dig.literacy + offer.literacy_gain as f32).clamp(0.0, 1.0);
            // A tiny floor marks the resident as trained even for a zero boost.
            dig.adoption_boost_per_year =
                (offer.adoption_boost_per_year as f32).max(f32::MIN_POSITIVE);
        }
    });
}

/// Bass adoption step for every device owner who has not adopted.
pub fn diffuse_adoption(
    city: Res<City>,
    clock: Res<Clock>,
    shares: Res<DistrictAdoption>,
    mut residents: Query<(&ResidentId, &Home, &mut Digital, &Attitude)>,
) {
    let (seed, tick) = (city.seed, clock.tick as u64);
    let dt = city.years_per_tick;
    let behaviour = &city.scenario.population.behaviour;
    let bands = &city.scenario.population.bands;
    let pq: [(f64, f64); 3] = civitas_scenario::Band::ALL.map(|b| {
        let p = bands.get(b);
        (p.bass_p, p.bass_q)
    });
    let shares = &shares.0;
    for (ids, homes, mut digital, attitudes) in residents
        .contiguous_iter_mut()
        .expect("residents are table-stored")
    {
        let digital = digital.bypass_change_detection();
        ids.par_chunks(CHUNK_RESIDENTS)
            .zip(homes.par_chunks(CHUNK_RESIDENTS))
            .zip(digital.par_chunks_mut(CHUNK_RESIDENTS))
            .zip(attitudes.par_chunks(CHUNK_RESIDENTS))
            .for_each(|(((ids, homes), digital), attitudes)| {
                for (((id, home), dig), att) in ids.iter().zip(homes).zip(digital).zip(attitudes) {
                    if dig.adopted || !dig.has_device {
                        continue;
                    }
                    let (p, q) = pq[home.band.index()];
                    let a = shares[home.district as usize];
                    let hazard = dig.literacy as f64
                        * (p + dig.adoption_boost_per_year as f64 + q * a)
                        * adoption_factor(behaviour, att.trust)
                        * failure_memory_factor(behaviour, att.failures);
                    let prob = -math::exp_m1(-hazard * dt);
                    if Stream::new(seed, id.0 as u64, tick, Purpose::Adoption).chance(prob) {
                        dig.adopted = true;
                    }
                }
            });
    }
}
