//! Satisfaction, trust and churn.
//!
//! A resolved request scores `base − per_extra_trip·(trips − 1)⁺ − per_wait_day·wait`,
//! where `wait` is the queue wait beyond the promised processing time; a failed online
//! attempt scores `base − failure_penalty`. Scores are clamped to [0, 100]. Each
//! experience moves the resident's satisfaction toward the score by
//! `satisfaction_memory` (an exponential moving average) and their trust toward
//! `score / 100` by `trust_rate`.
//!
//! Trust acts: the Bass adoption hazard of a resident is multiplied by
//! [`adoption_factor`] `= (trust / trust_reference)^trust_adoption_elasticity`, and the
//! churn after a failure by [`churn_factor`]
//! `= ((1 − trust) / (1 − trust_reference))^trust_churn_elasticity`; both are 1 at the
//! reference trust and with zero elasticities. A resident also remembers consecutive
//! failed online attempts ([`crate::residents::Digital::failures`]): each multiplies the chance of trying
//! online again, and a non-adopter's adoption hazard, by `1 − failure_aversion`. Churn is
//! drawn where the failure happens, in [`crate::channels`]; dissatisfied experiences
//! there may also lead to 12345 complaints, with the chance [`complaint_chance`], a
//! logistic in the score (smooth: a point more or less on a threshold or a penalty
//! moves complaints a little, never on or off).
//!
//! Start: unless the scenario gives `initial_satisfaction` / `initial_trust`, both start
//! at the steady state of the starting conditions
//! ([`crate::channels::start_attitudes_at_steady_state`]), so that a city in which
//! nothing changes shows flat satisfaction from its first month instead of the moving
//! average warming up.

use civitas_scenario::Behaviour;

use crate::math;

/// `x^e`, with the common small integer elasticities done by multiplication (this runs
/// for every waiting resident every tick).
#[inline]
fn power(x: f64, e: f64) -> f64 {
    match e {
        0.0 => 1.0,
        1.0 => x,
        2.0 => x * x,
        _ => math::powf(x, e),
    }
}

/// Multiplier of the adoption hazard for a resident with `trust`.
#[inline]
pub fn adoption_factor(b: &Behaviour, trust: f64) -> f64 {
    power(
        trust.max(0.0) / b.trust_reference,
        b.trust_adoption_elasticity,
    )
}

/// Multiplier of the churn after a failed online attempt for a resident with `trust`.
#[inline]
pub fn churn_factor(b: &Behaviour, trust: f64) -> f64 {
    power(
        (1.0 - trust).max(0.0) / (1.0 - b.trust_reference),
        b.trust_churn_elasticity,
    )
}

/// Multiplier of a non-adopter's adoption hazard after `failures` consecutive failures.
#[inline]
pub fn failure_memory_factor(b: &Behaviour, failures: u8) -> f64 {
    if failures == 0 || b.failure_aversion <= 0.0 {
        return 1.0;
    }
    math::powi(1.0 - b.failure_aversion, failures as i32)
}

/// A waiting resident's Bass adoption hazard per year (a device owner who has not
/// adopted), `h = literacy · (p + boost + q·a) · adoption_factor(trust) ·
/// failure_memory_factor(failures)`: `p + boost` the innovation of its band and training,
/// `q·a` the imitation of its district's adopter share `a`. Declared once:
/// [`crate::adoption`] draws against [`BassHazard::per_year`], [`crate::census`] sums
/// [`BassHazard::weight`] and `weight · (p + boost)` for each district's midpoint share.
/// Each multiplies in the order it always did, so both keep their bits.
#[derive(Debug, Clone, Copy)]
pub struct BassHazard {
    literacy: f64,
    trust: f64,
    memory: f64,
}

impl BassHazard {
    /// The hazard's factors for a resident of `literacy`, `trust` and `failures`
    /// consecutive failures.
    #[inline]
    pub fn new(b: &Behaviour, literacy: f64, trust: f64, failures: u8) -> Self {
        Self {
            literacy,
            trust: adoption_factor(b, trust),
            memory: failure_memory_factor(b, failures),
        }
    }

    /// `h` for `innovation = p + boost` and `imitation = q·a`.
    #[inline]
    pub fn per_year(self, innovation: f64, imitation: f64) -> f64 {
        self.literacy * (innovation + imitation) * self.trust * self.memory
    }

    /// What multiplies `p + boost + q·a` in `h`.
    #[inline]
    pub fn weight(self) -> f64 {
        self.literacy * self.trust * self.memory
    }
}

/// Score (0–100) of a resolved request.
#[inline]
pub fn resolved_score(b: &Behaviour, trips: u32, wait_days: f64) -> f64 {
    let extra = trips.saturating_sub(1) as f64;
    (b.satisfaction_base
        - b.satisfaction_per_extra_trip * extra
        - b.satisfaction_per_wait_day * wait_days.max(0.0))
    .clamp(0.0, 100.0)
}

/// Score (0–100) of a failed online attempt.
#[inline]
pub fn failure_score(b: &Behaviour) -> f64 {
    (b.satisfaction_base - b.satisfaction_failure_penalty).clamp(0.0, 100.0)
}

/// Score (0–100) of a request resolved with `trips` and `wait_days`, less the forced
/// offline penalty when `forced_offline` (an adopter whose errand could not go online).
#[inline]
pub fn experience_score(b: &Behaviour, trips: u32, wait_days: f64, forced_offline: bool) -> f64 {
    let score = resolved_score(b, trips, wait_days);
    if forced_offline {
        (score - b.satisfaction_forced_offline_penalty).max(0.0)
    } else {
        score
    }
}

/// The complaint and satisfied chances of an experience scoring `score`
/// ([`complaint_chance`], [`satisfied_chance`]).
#[inline]
pub fn chances(b: &Behaviour, score: f64) -> [f64; 2] {
    [complaint_chance(b, score), satisfied_chance(b, score)]
}

/// Chance that a resident is satisfied with an experience scoring `score`: the logistic
/// `1 / (1 + e^((satisfied_threshold − score) / satisfied_spread))`, what a survey's
/// "share satisfied" counts.
#[inline]
pub fn satisfied_chance(b: &Behaviour, score: f64) -> f64 {
    1.0 / (1.0 + math::exp((b.satisfied_threshold - score) / b.satisfied_spread))
}

/// Chance that an experience scoring `score` leads to a 12345 complaint: the logistic
/// `complaint_probability / (1 + e^((score − complaint_threshold) / complaint_spread))`,
/// smooth in the score (no threshold where one point switches complaints on or off) and
/// decreasing in it.
#[inline]
pub fn complaint_chance(b: &Behaviour, score: f64) -> f64 {
    if b.complaint_probability <= 0.0 {
        return 0.0;
    }
    let z = (score - b.complaint_threshold) / b.complaint_spread;
    b.complaint_probability / (1.0 + math::exp(z))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::residents::Attitude;

    #[test]
    fn extra_trips_waits_and_failures_lower_the_score() {
        let b = Behaviour::default();
        assert_eq!(resolved_score(&b, 1, 0.0), b.satisfaction_base);
        assert_eq!(resolved_score(&b, 0, 0.0), b.satisfaction_base);
        assert!(resolved_score(&b, 3, 0.0) < resolved_score(&b, 2, 0.0));
        assert!(resolved_score(&b, 1, 5.0) < resolved_score(&b, 1, 0.0));
        assert!(failure_score(&b) < b.satisfaction_base);
        assert_eq!(resolved_score(&b, 100, 0.0), 0.0);
        let mut a = Attitude::new(0.5, 50.0);
        a.remember(&b, 100.0);
        assert!(a.satisfaction() > 50.0 && a.trust() > 0.5 && a.trust() <= 1.0);
    }

    /// The complaint chance is a logistic: half the maximum at the threshold, falling
    /// smoothly and monotonically with the score, with no jump anywhere.
    #[test]
    fn complaints_are_a_smooth_decreasing_logistic_of_the_score() {
        let b = Behaviour {
            complaint_probability: 0.1,
            complaint_threshold: 40.0,
            complaint_spread: 20.0,
            ..Behaviour::default()
        };
        assert!((complaint_chance(&b, 40.0) - 0.05).abs() < 1e-15);
        // The closed form at one spread above: 0.1 / (1 + e).
        let above = 0.1 / (1.0 + std::f64::consts::E);
        assert!((complaint_chance(&b, 60.0) - above).abs() < 1e-12);
        let mut last = f64::INFINITY;
        for s in 0..=1000 {
            let c = complaint_chance(&b, s as f64 / 10.0);
            assert!(c < last && c > 0.0 && c < 0.1);
            // No knife edge: a tenth of a point moves the chance by at most
            // 0.1 · max / (4 · spread).
            if last.is_finite() {
                assert!(last - c <= 0.1 * 0.1 / (4.0 * 20.0) + 1e-15);
            }
            last = c;
        }
        let off = Behaviour::default();
        assert_eq!(complaint_chance(&off, 0.0), 0.0);
    }

    #[test]
    fn trust_factors_are_neutral_at_the_reference_and_monotone() {
        let mut b = Behaviour::default();
        assert_eq!(adoption_factor(&b, 0.2), 1.0);
        assert_eq!(churn_factor(&b, 0.2), 1.0);
        b.trust_adoption_elasticity = 2.0;
        b.trust_churn_elasticity = 1.0;
        let r = b.trust_reference;
        assert!((adoption_factor(&b, r) - 1.0).abs() < 1e-6);
        assert!((churn_factor(&b, r) - 1.0).abs() < 1e-6);
        assert!(adoption_factor(&b, 0.9) > adoption_factor(&b, 0.5));
        assert!(churn_factor(&b, 0.9) < churn_factor(&b, 0.5));
        b.failure_aversion = 0.5;
        assert_eq!(failure_memory_factor(&b, 0), 1.0);
        assert_eq!(failure_memory_factor(&b, 2), 0.25);
    }
}
