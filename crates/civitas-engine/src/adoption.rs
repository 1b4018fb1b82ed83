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
//! memory ([`BassHazard`], [`crate::satisfaction::adoption_factor`],
//! [`crate::satisfaction::failure_memory_factor`]); both are 1 with the default (neutral)
//! behaviour parameters, which leaves the Bass model above unchanged.
//!
//! Training: an untrained resident in a cell with a training offer is trained with the
//! offer's probability; training adds the literacy gain (capped at 1) and the adoption
//! boost to the resident's innovation coefficient for good.

use crate::math;

use civitas_scenario::Behaviour;

use crate::census::DistrictAdoption;
use crate::city::City;
use crate::levers::{Levers, TrainingOffer};
use crate::residents::{Attitude, Digital, Place};
use crate::rng::{KeyChance, Purpose, SubjectKey};
use crate::satisfaction::BassHazard;

/// Training in one tick: the offers of this tick's levers, per cell.
#[derive(Debug, Clone)]
pub struct Training<'a> {
    offers: &'a [TrainingOffer],
    /// Each offer's probability as a [`KeyChance`] (drawn from a 32-bit half).
    chances: Vec<KeyChance>,
}

impl<'a> Training<'a> {
    /// The offers of `levers`.
    pub fn new(levers: &'a Levers) -> Self {
        Self {
            offers: &levers.training,
            chances: levers
                .training
                .iter()
                .map(|o| KeyChance::below(o.probability))
                .collect(),
        }
    }

    /// Whether any cell has an offer this tick (otherwise the step can be skipped).
    pub fn any(&self) -> bool {
        self.offers.iter().any(|o| o.probability > 0.0)
    }

    /// Trains the resident with the chance of their cell's offer, drawn from the low half
    /// of their `word` of the tick (the first draw of their [`Purpose::Requests`]
    /// stream, whose high half draws the request count: see [`SubjectKey::word`]).
    #[inline]
    pub fn step(&self, word: SubjectKey, home: &Place, dig: &mut Digital) {
        let c = home.cell();
        // Compared for everyone, with 0 for those who cannot be trained: whether a
        // resident is covered and untrained is as random as a coin across a chunk, so a
        // branch on it would mispredict often.
        let chance = if dig.trained() {
            KeyChance::default()
        } else {
            self.chances[c]
        };
        if word.low_hits(chance) {
            let offer = &self.offers[c];
            dig.train(offer.literacy_gain, offer.training);
        }
    }
}

/// Bass adoption in one tick.
#[derive(Debug, Clone, Copy)]
pub struct Diffusion<'a> {
    pq: [(f64, f64); 3],
    shares: &'a [f64],
    /// [`City::training_boosts`].
    boosts: &'a [f64],
    behaviour: &'a Behaviour,
    dt: f64,
}

impl<'a> Diffusion<'a> {
    /// The Bass coefficients of `city` against the district adopter `shares`.
    pub fn new(city: &'a City, shares: &'a DistrictAdoption) -> Self {
        let bands = &city.scenario.population.bands;
        Self {
            pq: civitas_scenario::Band::ALL.map(|b| {
                let p = bands.get(b);
                (p.bass_p, p.bass_q)
            }),
            shares: &shares.0,
            boosts: &city.training_boosts,
            behaviour: &city.scenario.population.behaviour,
            dt: city.years_per_tick,
        }
    }

    /// Bass adoption step for the resident of `key`, if a device owner who has not
    /// adopted (decided inline; the hazard of those waiting is `try_adopt`,
    /// out of line).
    #[inline(always)]
    pub fn step(&self, key: SubjectKey, home: &Place, dig: &mut Digital, att: &Attitude) {
        if dig.adopted() || !dig.has_device() {
            return;
        }
        self.try_adopt(key, home, dig, att);
    }

    /// Adoption with the resident's Bass hazard over the tick.
    #[inline(never)]
    fn try_adopt(&self, key: SubjectKey, home: &Place, dig: &mut Digital, att: &Attitude) {
        let (p, q) = self.pq[home.band.index()];
        let a = self.shares[home.district];
        let hazard = BassHazard::new(self.behaviour, dig.literacy(), att.trust(), dig.failures())
            .per_year(p + self.boosts[usize::from(dig.training())], q * a);
        let x = hazard * self.dt;
        let u = key.stream(Purpose::Adoption).uniform();
        // Adopts when `u < 1 − e^(−x)`. That chance is at most `x` (and so is its computed
        // value, see `math::one_minus_exp_neg`), so the many draws at or above `x` are
        // turned down without computing it: the same outcome for every draw.
        if u < x && u < math::one_minus_exp_neg(x) {
            dig.adopt();
        }
    }
}
