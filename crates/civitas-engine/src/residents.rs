//! The resident agent: its component and the parts of it the mechanisms' steps take, and
//! the chunk size of passes over residents.
//!
//! A resident is one entity with one component, [`Resident`], made of parts: [`Home`],
//! [`Digital`], [`Attitude`] and [`PendingRetry`]. A mechanism's step borrows only the
//! parts it reads and writes; every mechanism uses these parts and none defines its own,
//! so no mechanism imports another for a resident's state. Residents are
//! processed in fixed chunks of [`CHUNK_RESIDENTS`] on rayon (see [`crate::pass`]); a
//! pass that tallies keeps one tally per chunk and sums them in chunk order, so results
//! do not depend on the number of threads.

use bevy_ecs::prelude::*;
use civitas_scenario::{Band, Settlement};

use crate::city::City;
use crate::rng::Stream;

/// Residents handled by one parallel work item. Fixed (not derived from the thread
/// count) so that per-chunk tallies, summed in chunk order, are identical whatever the
/// number of threads.
pub const CHUNK_RESIDENTS: usize = 4096;

/// Stable resident id within the replicate (0..agents); keys the random streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResidentId(pub u32);

/// A resident agent: the one component of its entity (32 bytes, no padding).
///
/// One component rather than one per part: bevy keeps 8 bytes of change ticks per
/// component for every entity, so the five components a resident had (id and the four
/// parts) cost 32 bytes per resident more than one (the pass never reads those ticks: it
/// writes past change detection). Laid out in this order (`repr(C)`) so that every `f32`
/// sits at a multiple of 4 bytes: id 0, attitude 4, digital 12 (literacy 12, boost 16,
/// flags 20–22), home 23 (its district the one unaligned field), retry 26.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub struct Resident {
    /// Stable id (keys the random streams).
    pub id: ResidentId,
    /// Trust, satisfaction.
    pub attitude: Attitude,
    /// Literacy, device, adoption, training.
    pub digital: Digital,
    /// District and age band.
    pub home: Home,
    /// Failed requests waiting for their offline fallback.
    pub retry: PendingRetry,
}

// The size and layout the doc comment above and the bytes per resident in `civitas bench`
// rest on.
const _: () = {
    assert!(std::mem::size_of::<Resident>() == 32);
    assert!(std::mem::offset_of!(Resident, digital) == 12);
    assert!(std::mem::offset_of!(Resident, retry) == 26);
};

/// Where a resident lives and which age band they are in (3 bytes: packed, so that
/// [`Resident`] has no padding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed)]
pub struct Home {
    /// District index in the scenario's district list.
    pub district: u16,
    /// Current age band.
    pub band: Band,
}

/// A resident's digital situation (11 bytes). Literacy and the training boost are `f32`:
/// they enter a hazard multiplied by probabilities known to a few digits, and `f32`'s
/// seven digits are ample. Packed (no padding byte after the flags and the failure
/// count), so that [`Resident`] has none; its fields are read and written by value, never
/// borrowed (the compiler refuses a reference to a packed field), and [`Resident`]'s
/// layout puts the two `f32` at multiples of 4 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, packed)]
pub struct Digital {
    /// Digital literacy ℓ in [0, 1].
    pub literacy: f32,
    /// Added to the band's Bass p after training (0 when untrained), per year.
    pub adoption_boost_per_year: f32,
    /// Owns an internet device.
    pub has_device: bool,
    /// Uses online government channels.
    pub adopted: bool,
    /// Consecutive failed online attempts (cleared by a successful online request;
    /// saturates at 255, where its effect `(1 − failure_aversion)^k` is long nil).
    pub failures: u8,
}

impl Digital {
    /// Whether the resident has been trained.
    pub fn trained(&self) -> bool {
        self.adoption_boost_per_year > 0.0
    }
}

/// A resident's view of government services (8 bytes). `f32` moving averages: a step
/// of `memory × (score − value)` with memory ≥ 0.01 and scores 0–100 is far above `f32`'s
/// resolution near 100 (1e-5), so nothing is lost to rounding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attitude {
    /// Trust in government digital services, in [0, 1].
    pub trust: f32,
    /// Satisfaction 0–100 (moving average of request scores).
    pub satisfaction: f32,
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
        Self {
            id: ResidentId(id),
            home: Home {
                district: district as u16,
                band,
            },
            digital: Digital {
                literacy: literacy as f32,
                adoption_boost_per_year: 0.0,
                has_device,
                adopted,
                failures: 0,
            },
            attitude: Attitude {
                trust: trust.clamp(0.0, 1.0) as f32,
                satisfaction: satisfaction.clamp(0.0, 100.0) as f32,
            },
            retry: PendingRetry::default(),
        }
    }
}
