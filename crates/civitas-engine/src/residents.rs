//! The resident agent: its component and the parts of it the mechanisms' steps take, and
//! the chunk size of passes over residents.
//!
//! A resident is one entity with one component, [`Resident`], made of parts: [`Home`],
//! [`Digital`], [`Attitude`] and [`PendingRetry`]. A mechanism's step borrows only the
//! parts it reads and writes; every mechanism uses these parts and none defines its own,
//! so no mechanism imports another for a resident's state. Residents are
//! processed in fixed chunks of [`crate::sizing::chunk_residents`] on rayon (see [`crate::pass`]); a
//! pass that tallies keeps one tally per chunk and sums them in chunk order, so results
//! do not depend on the number of threads.

use bevy_ecs::prelude::*;
use civitas_scenario::{Band, Behaviour, Settlement};

use crate::city::City;
use crate::rng::Stream;

/// Stable resident id within the replicate (0..agents); keys the random streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResidentId(pub u32);

/// A resident agent: the one component of its entity (20 bytes, no padding).
///
/// One component rather than one per part: bevy keeps 8 bytes of change ticks per
/// component for every entity, so the five components a resident had (id and the four
/// parts) cost 32 bytes per resident more than one (the pass never reads those ticks: it
/// writes past change detection). Each part holds its values in the fewest bytes their
/// precision allows (see [`Share16`] and the parts' comments): every resident is read and
/// written back each tick, so each byte costs memory and memory traffic per resident.
/// 32 bytes until the parts were made compact: bevy's 57 bytes per entity and these 20
/// hold a resident in about 80 bytes.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub struct Resident {
    /// Stable id (keys the random streams).
    pub id: ResidentId,
    /// Trust, satisfaction.
    pub attitude: Attitude,
    /// Literacy, device, adoption, training, failures.
    pub digital: Digital,
    /// District and age band.
    pub home: Home,
    /// Failed requests waiting for their offline fallback.
    pub retry: PendingRetry,
}

// The size the doc comment above and the bytes per resident in `civitas bench` rest on.
const _: () = assert!(std::mem::size_of::<Resident>() == 20);

/// A value in [0, 1] held in 16 bits: the nearest of the 65,536 steps 1/65,535 apart.
///
/// Literacy, trust and satisfaction (as a share of 100) are held this way. Each enters a
/// hazard, a score or a mean multiplied by parameters known to two or three digits; a
/// step of 1.5e-5 is far below them. The moving averages of trust and satisfaction move
/// by `rate × (target − value)` per experience: a step is rounded to the nearest, so the
/// value comes to rest within half a step / rate of a target it keeps being given (0.08
/// points of satisfaction and 0.0008 of trust at a rate of 0.01, the baseline's rates
/// being 0.3 and 0.1; ten times that at 0.001), and follows any other target as before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Share16(u16);

impl Share16 {
    /// Steps in the whole range.
    const STEPS: f64 = u16::MAX as f64;

    /// The nearest to `x` clamped to [0, 1] (0 for NaN).
    #[inline]
    pub fn new(x: f64) -> Self {
        // `as` saturates and takes NaN to 0.
        Self((x.clamp(0.0, 1.0) * Self::STEPS + 0.5) as u16)
    }

    /// The value, in [0, 1]: exactly 0 and 1 at the ends, and each step comes back as
    /// itself through [`Share16::new`] (a test checks all of them).
    #[inline]
    pub fn get(self) -> f64 {
        f64::from(self.0) * (1.0 / Self::STEPS)
    }

    /// The value of `steps` steps summed (as [`Attitude::steps`] gives them).
    #[inline]
    pub fn of_steps(steps: u64) -> f64 {
        steps as f64 * (1.0 / Self::STEPS)
    }
}

/// Where a resident lives and which age band they are in, as kept in [`Resident`]: 2
/// bytes, the district index in the 14 low bits (a scenario has at most
/// [`civitas_scenario::limits::MAX_DISTRICTS`] districts) and the band in the 2 high
/// ones. The steps read and move it as a [`Place`], unpacked once per resident and pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Home(u16);

// Every district index fits the 14 bits.
const _: () = assert!(civitas_scenario::limits::MAX_DISTRICTS <= 1 << 14);

impl Home {
    /// A resident of district `district` (an index below
    /// [`civitas_scenario::limits::MAX_DISTRICTS`]) in `band`.
    #[inline]
    pub fn new(district: usize, band: Band) -> Self {
        debug_assert!(district < civitas_scenario::limits::MAX_DISTRICTS);
        Self(district as u16 | (band.index() as u16) << 14)
    }

    /// `place` packed.
    #[inline]
    pub fn of(place: Place) -> Self {
        Self::new(place.district, place.band)
    }

    /// The district and band, unpacked.
    #[inline]
    pub fn place(self) -> Place {
        Place {
            district: usize::from(self.0 & 0x3fff),
            // A lookup, not a match: the band of consecutive residents is as random as a
            // coin, and a branch on it would mispredict often. Two bits index four
            // entries, so the lookup needs no bounds check (3 is never written).
            band: [Band::Young, Band::Middle, Band::Senior, Band::Senior]
                [usize::from(self.0 >> 14)],
        }
    }
}

/// A resident's district and age band as the steps of a pass read and move them (a
/// [`Home`] unpacked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// District index in the scenario's district list.
    pub district: usize,
    /// Current age band.
    pub band: Band,
}

impl Place {
    /// The resident's (district × band) cell.
    #[inline]
    pub fn cell(self) -> usize {
        crate::city::cell(self.district, self.band)
    }
}

/// A resident's digital situation (4 bytes): literacy as a [`Share16`], the training they
/// had as a position in the scenario's training boosts, and one byte of flags and
/// consecutive failures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Digital {
    literacy: Share16,
    /// 0 untrained, otherwise 1 + the position of their boost in
    /// [`crate::city::City::training_boosts`].
    training: u8,
    /// Owns a device (bit 0), adopted (bit 1), consecutive failures (bits 2–7).
    state: u8,
}

impl Digital {
    const DEVICE: u8 = 1;
    const ADOPTED: u8 = 2;
    /// Consecutive failures are counted from this bit up.
    const FAILURE: u8 = 4;

    /// Consecutive failed online attempts are remembered up to this many. Each multiplies
    /// the chance of trying online again by `1 − failure_aversion` (0.3 by default):
    /// after 63 the chance is 2e-10 at the default and below 1 % for any aversion of at
    /// least 0.07.
    pub const MAX_FAILURES: u8 = 63;

    /// An untrained resident with `literacy`, a device or not, adopted or not, and no
    /// failures.
    #[inline]
    pub fn new(literacy: f64, has_device: bool, adopted: bool) -> Self {
        Self {
            literacy: Share16::new(literacy),
            training: 0,
            state: u8::from(has_device) | u8::from(adopted) << 1,
        }
    }

    /// Digital literacy ℓ in [0, 1].
    #[inline]
    pub fn literacy(self) -> f64 {
        self.literacy.get()
    }

    /// Owns an internet device.
    #[inline]
    pub fn has_device(self) -> bool {
        self.state & Self::DEVICE != 0
    }

    /// Uses online government channels.
    #[inline]
    pub fn adopted(self) -> bool {
        self.state & Self::ADOPTED != 0
    }

    /// Device (1) and adoption (2) together, 0–3.
    #[inline]
    pub fn device_and_adoption(self) -> usize {
        usize::from(self.state & (Self::DEVICE | Self::ADOPTED))
    }

    /// Consecutive failed online attempts (cleared by a successful online request; at
    /// most [`Digital::MAX_FAILURES`]).
    #[inline]
    pub fn failures(self) -> u8 {
        self.state >> 2
    }

    /// Whether the resident has been trained.
    #[inline]
    pub fn trained(self) -> bool {
        self.training > 0
    }

    /// 0 untrained, otherwise 1 + the position of the resident's boost in
    /// [`crate::city::City::training_boosts`].
    #[inline]
    pub fn training(self) -> u8 {
        self.training
    }

    /// The resident acquires a device.
    #[inline]
    pub fn acquire_device(&mut self) {
        self.state |= Self::DEVICE;
    }

    /// The resident adopts online channels.
    #[inline]
    pub fn adopt(&mut self) {
        self.state |= Self::ADOPTED;
    }

    /// The resident reverts to offline channels.
    #[inline]
    pub fn churn(&mut self) {
        self.state &= !Self::ADOPTED;
    }

    /// One more consecutive failed online attempt (counted up to
    /// [`Digital::MAX_FAILURES`]).
    #[inline]
    pub fn fail(&mut self) {
        if self.failures() < Self::MAX_FAILURES {
            self.state += Self::FAILURE;
        }
    }

    /// An online request succeeded: no consecutive failures.
    #[inline]
    pub fn succeed(&mut self) {
        self.state &= Self::DEVICE | Self::ADOPTED;
    }

    /// Training: literacy rises by `gain` (up to 1) and the resident keeps `training`
    /// (1 + the position of their boost in [`crate::city::City::training_boosts`]).
    #[inline]
    pub fn train(&mut self, gain: f64, training: u8) {
        debug_assert!(training > 0);
        self.literacy = Share16::new(self.literacy() + gain);
        self.training = training;
    }
}

/// A resident's view of government services (4 bytes): trust in [0, 1] and satisfaction
/// 0–100 (a moving average of request scores), each a [`Share16`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attitude {
    trust: Share16,
    /// Satisfaction / 100.
    satisfaction: Share16,
}

impl Attitude {
    /// Trust `trust` (clamped to [0, 1]) and satisfaction `satisfaction` (clamped to
    /// [0, 100]).
    #[inline]
    pub fn new(trust: f64, satisfaction: f64) -> Self {
        Self {
            trust: Share16::new(trust),
            satisfaction: Share16::new(satisfaction * 0.01),
        }
    }

    /// Trust in government digital services, in [0, 1].
    #[inline]
    pub fn trust(self) -> f64 {
        self.trust.get()
    }

    /// Satisfaction 0–100.
    #[inline]
    pub fn satisfaction(self) -> f64 {
        self.satisfaction.get() * 100.0
    }

    /// Sets trust to `trust` (clamped to [0, 1]).
    #[inline]
    pub fn set_trust(&mut self, trust: f64) {
        self.trust = Share16::new(trust);
    }

    /// Sets satisfaction to `satisfaction` (clamped to [0, 100]).
    #[inline]
    pub fn set_satisfaction(&mut self, satisfaction: f64) {
        self.satisfaction = Share16::new(satisfaction * 0.01);
    }

    /// Moves satisfaction toward `score` (0–100) by `satisfaction_rate` and trust toward
    /// `score / 100` by `trust_rate`, both rates in [0, 1]: an exponential moving average
    /// of each, rounded to the nearest step.
    ///
    /// Worked in steps, where satisfaction and trust have the same target
    /// (`score × 65,535 / 100`): a rate in [0, 1] keeps each between its value and the
    /// target, so nothing needs clamping, and no value is scaled in and out.
    #[inline]
    pub fn move_toward(&mut self, score: f64, satisfaction_rate: f64, trust_rate: f64) {
        let target = score.clamp(0.0, 100.0) * (Share16::STEPS / 100.0);
        let ema = |steps: Share16, rate: f64| {
            let x = f64::from(steps.0);
            Share16((x + rate * (target - x) + 0.5) as u16)
        };
        self.satisfaction = ema(self.satisfaction, satisfaction_rate);
        self.trust = ema(self.trust, trust_rate);
    }

    /// Folds one experience with score `score` (0–100) into satisfaction and trust, at
    /// the scenario's `satisfaction_memory` and `trust_rate` (see [`crate::satisfaction`]).
    #[inline]
    pub fn remember(&mut self, b: &Behaviour, score: f64) {
        self.move_toward(score, b.satisfaction_memory, b.trust_rate);
    }

    /// Trust and satisfaction in steps of [`Share16`] (for exact sums).
    #[inline]
    pub fn steps(self) -> (u16, u16) {
        (self.trust.0, self.satisfaction.0)
    }
}

/// Failed online requests waiting to be redone offline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PendingRetry {
    /// Service of the first failed request (later failures before it is redone are redone
    /// as the same service: two pending failures at once are rare).
    pub service: u16,
    /// Number of failed requests waiting.
    pub count: u16,
    /// Tick in which the first of them is redone: a horizon is at most
    /// `MAX_HORIZON_MONTHS` (1,200) months, 5,218 weekly ticks, so `u16` holds any tick.
    pub due_tick: u16,
}

// Weekly ticks over the longest horizon fit `PendingRetry::due_tick`.
const _: () = assert!(civitas_scenario::limits::MAX_HORIZON_MONTHS * 53 / 12 < u16::MAX as i64);

impl Resident {
    /// A new resident `id` of `district` and `band`, drawn from `s`: device,
    /// adoption and literacy from the band's starting values (rural districts get the
    /// `[population.rural]` multipliers); satisfaction and trust at the scenario's starting
    /// values, or at the satisfaction base until the steady-state start sets them.
    pub fn new(city: &City, s: &mut Stream, id: u32, district: usize, band: Band) -> Self {
        let params = city.scenario.population.bands.get(band);
        Self::drawn(city, s, id, district, band, params, 1.0)
    }

    /// A resident turning 15 `years` after the start, in `band` (young, or middle when
    /// they age within their first tick): drawn from the starting young band's values
    /// moved along the cohort trend, each gap to 1 (device ownership, adoption, literacy)
    /// times `e^(−k·years)`, `k` = `entrant_gap_closing_per_year`.
    pub fn entrant(
        city: &City,
        s: &mut Stream,
        id: u32,
        district: usize,
        band: Band,
        years: f64,
    ) -> Self {
        let pop = &city.scenario.population;
        let gap = crate::math::exp(-pop.demography.entrant_gap_closing_per_year * years.max(0.0));
        Self::drawn(city, s, id, district, band, &pop.bands.young, gap)
    }

    /// A resident drawn from `params` with each gap to 1 of device ownership, adoption
    /// and mean literacy times `gap`.
    fn drawn(
        city: &City,
        s: &mut Stream,
        id: u32,
        district: usize,
        band: Band,
        params: &civitas_scenario::BandParams,
        gap: f64,
    ) -> Self {
        let pop = &city.scenario.population;
        let behaviour = &pop.behaviour;
        let (f_device, f_literacy, f_adoption) = match pop.districts[district].kind {
            Settlement::Urban => (1.0, 1.0, 1.0),
            Settlement::Rural => (pop.rural.device, pop.rural.literacy, pop.rural.adoption),
        };
        // Exactly `x` without a trend (the starting population).
        let trend = |x: f64| if gap == 1.0 { x } else { 1.0 - (1.0 - x) * gap };
        let has_device = s.chance(trend(params.device * f_device));
        let adopted = has_device && s.chance(trend(params.adoption * f_adoption));
        let literacy = (trend(params.literacy * f_literacy) + params.literacy_spread * s.normal())
            .clamp(0.0, 1.0);
        let satisfaction = behaviour
            .initial_satisfaction
            .unwrap_or(behaviour.satisfaction_base);
        let trust = behaviour
            .initial_trust
            .unwrap_or(behaviour.satisfaction_base / 100.0);
        Self {
            id: ResidentId(id),
            home: Home::new(district, band),
            digital: Digital::new(literacy, has_device, adopted),
            attitude: Attitude::new(trust, satisfaction),
            retry: PendingRetry::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_scenario::limits::MAX_DISTRICTS;

    /// Every step comes back as itself through its value, the ends are exact, and values
    /// between steps go to the nearest one.
    #[test]
    fn a_share_holds_each_of_its_steps_and_rounds_to_the_nearest() {
        for q in 0..=u16::MAX {
            assert_eq!(Share16::new(Share16(q).get()), Share16(q));
        }
        assert_eq!(Share16(u16::MAX).get(), 1.0);
        assert_eq!(Share16::new(0.0).get(), 0.0);
        let step = 1.0 / 65_535.0;
        assert_eq!(Share16::new(0.4 * step), Share16(0));
        assert_eq!(Share16::new(0.6 * step), Share16(1));
        for x in [0.123_456_7, 0.5, 0.987_654_3] {
            assert!((Share16::new(x).get() - x).abs() <= 0.5 * step);
        }
        assert_eq!(Share16::new(-3.0), Share16(0));
        assert_eq!(Share16::new(7.0), Share16(u16::MAX));
        assert_eq!(Share16::new(f64::NAN), Share16(0));
    }

    #[test]
    fn a_home_keeps_any_district_with_any_band() {
        for district in [0, 1, 7, MAX_DISTRICTS - 1] {
            for band in Band::ALL {
                let place = Home::new(district, band).place();
                assert_eq!(place, Place { district, band });
                assert_eq!(place.cell(), crate::city::cell(district, band));
                assert_eq!(Home::of(place), Home::new(district, band));
            }
        }
    }

    /// Device, adoption, failures and training each change only themselves; failures stop
    /// counting at their maximum and a success clears them.
    #[test]
    fn a_residents_digital_flags_change_independently() {
        let mut d = Digital::new(0.3, false, false);
        assert!(!d.has_device() && !d.adopted() && !d.trained() && d.failures() == 0);
        d.acquire_device();
        d.adopt();
        assert!(d.has_device() && d.adopted());
        assert_eq!(d.device_and_adoption(), 3);
        for k in 1..=100u32 {
            d.fail();
            assert_eq!(
                u32::from(d.failures()),
                k.min(u32::from(Digital::MAX_FAILURES))
            );
            assert!(d.has_device() && d.adopted());
        }
        d.churn();
        assert!(d.has_device() && !d.adopted());
        assert_eq!(d.failures(), Digital::MAX_FAILURES);
        d.succeed();
        assert_eq!(d.failures(), 0);
        assert_eq!(d.device_and_adoption(), 1);
        d.train(0.5, 2);
        assert!(d.trained() && d.training() == 2);
        // Two roundings: at most a step away.
        assert!((d.literacy() - 0.8).abs() <= 1.0 / 65_535.0);
        d.train(0.5, 1);
        assert_eq!(d.literacy(), 1.0, "literacy stops at 1");
        assert_eq!(d.device_and_adoption(), 1);
    }

    /// The moving averages in 16 bits follow a steady score as the `f64` average does, and
    /// come to rest within the bound that `Share16` documents: half a step over the rate.
    #[test]
    fn moving_averages_in_sixteen_bits_settle_where_the_exact_ones_do() {
        let b = Behaviour {
            satisfaction_memory: 0.01,
            trust_rate: 0.01,
            ..Behaviour::default()
        };
        for (start, score) in [(20.0, 85.0), (90.0, 31.5), (50.0, 50.3)] {
            let mut held = Attitude::new(start / 100.0, start);
            let mut exact = start;
            for n in 1..=2_000 {
                held.remember(&b, score);
                exact += 0.01 * (score - exact);
                if n % 100 == 0 {
                    let bound = 0.5 * 100.0 / 65_535.0 / 0.01 + 1e-9;
                    assert!(
                        (held.satisfaction() - exact).abs() <= bound,
                        "after {n}: {} against {exact}",
                        held.satisfaction()
                    );
                    assert!((held.trust() - exact / 100.0).abs() <= bound / 100.0);
                }
            }
            assert!((held.satisfaction() - score).abs() <= 0.08);
        }
    }
}
