//! Satisfaction, trust and churn.
//!
//! A resolved request scores `base − per_extra_trip·(trips − 1)⁺ − per_wait_day·wait`,
//! where `wait` is the queue wait beyond the promised processing time; a failed online
//! attempt scores `base − failure_penalty`. Scores are clamped to [0, 100]. Each
//! experience moves the resident's satisfaction toward the score by
//! `satisfaction_memory` (an exponential moving average) and their trust toward
//! `score / 100` by `trust_rate`. Trust is reported in the agent sample; v1 has no
//! mechanism that reads it back. Churn (an adopter reverting after a failure, with
//! probability `churn_on_failure`) is drawn where the failure happens, in
//! [`crate::channels`].

use bevy_ecs::prelude::*;
use civitas_scenario::Behaviour;

/// A resident's view of government services.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Attitude {
    /// Trust in government digital services, in [0, 1].
    pub trust: f32,
    /// Satisfaction 0–100 (moving average of request scores).
    pub satisfaction: f32,
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

impl Attitude {
    /// Folds one experience with score `score` into satisfaction and trust.
    #[inline]
    pub fn remember(&mut self, b: &Behaviour, score: f64) {
        let m = b.satisfaction_memory.clamp(0.0, 1.0) as f32;
        let r = b.trust_rate.clamp(0.0, 1.0) as f32;
        let score = score as f32;
        self.satisfaction = (self.satisfaction + m * (score - self.satisfaction)).clamp(0.0, 100.0);
        self.trust = (self.trust + r * (score / 100.0 - self.trust)).clamp(0.0, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_trips_waits_and_failures_lower_the_score() {
        let b = Behaviour::default();
        assert_eq!(resolved_score(&b, 1, 0.0), b.satisfaction_base);
        assert_eq!(resolved_score(&b, 0, 0.0), b.satisfaction_base);
        assert!(resolved_score(&b, 3, 0.0) < resolved_score(&b, 2, 0.0));
        assert!(resolved_score(&b, 1, 5.0) < resolved_score(&b, 1, 0.0));
        assert!(failure_score(&b) < b.satisfaction_base);
        assert_eq!(resolved_score(&b, 100, 0.0), 0.0);
        let mut a = Attitude {
            trust: 0.5,
            satisfaction: 50.0,
        };
        a.remember(&b, 100.0);
        assert!(a.satisfaction > 50.0 && a.trust > 0.5 && a.trust <= 1.0);
    }
}
