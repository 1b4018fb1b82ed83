//! The numeric range of a field, stated once: validation checks a value against it and
//! the JSON Schema (`civitas schema`) writes it as `minimum`/`exclusiveMinimum` and
//! `maximum`, so the two cannot disagree.

/// A range a number must lie in: a lower bound (inclusive, or exclusive), an optional
/// inclusive upper bound, and how validation words a miss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// Lowest value.
    pub lo: f64,
    /// Whether `lo` itself is refused.
    pub lo_exclusive: bool,
    /// Highest value (inclusive), if any.
    pub hi: Option<f64>,
    /// What the value is, for a closed range reported in one message ("found 2, expected
    /// a share in [0, 1]"); `None`: the lower and the upper bound are reported on their
    /// own ("expected a number ≥ 0", "expected at most 1e15").
    pub what: Option<&'static str>,
}

impl Bound {
    /// A share in [0, 1].
    pub const SHARE: Bound = Bound::within(0.0, 1.0, "a share");

    /// A probability in [0, 1].
    pub const PROBABILITY: Bound = Bound::within(0.0, 1.0, "a probability");

    /// Non-negative, without an upper bound.
    pub const NON_NEGATIVE: Bound = Bound {
        lo: 0.0,
        lo_exclusive: false,
        hi: None,
        what: None,
    };

    /// Positive, without an upper bound.
    pub const POSITIVE: Bound = Bound {
        lo: 0.0,
        lo_exclusive: true,
        hi: None,
        what: None,
    };

    /// In `(lo, hi]`, reported in one message naming `what` the value is.
    pub const fn above_within(lo: f64, hi: f64, what: &'static str) -> Bound {
        Bound {
            lo,
            lo_exclusive: true,
            hi: Some(hi),
            what: Some(what),
        }
    }

    /// In `[lo, hi]`, reported in one message naming `what` the value is.
    pub const fn within(lo: f64, hi: f64, what: &'static str) -> Bound {
        Bound {
            lo,
            lo_exclusive: false,
            hi: Some(hi),
            what: Some(what),
        }
    }

    /// In `[0, max]`.
    pub const fn at_most(max: f64) -> Bound {
        Bound {
            lo: 0.0,
            lo_exclusive: false,
            hi: Some(max),
            what: None,
        }
    }

    /// In `(0, max]`.
    pub const fn positive_at_most(max: f64) -> Bound {
        Bound {
            lo: 0.0,
            lo_exclusive: true,
            hi: Some(max),
            what: None,
        }
    }

    /// Whether `x` lies in the range (NaN never does).
    pub fn holds(self, x: f64) -> bool {
        let above = if self.lo_exclusive {
            x > self.lo
        } else {
            x >= self.lo
        };
        x.is_finite() && above && self.hi.is_none_or(|hi| x <= hi)
    }
}

/// A bounded field's value: a number, or an optional one (a missing value is in range).
pub trait BoundedValue {
    /// The value to check, if present.
    fn bounded_value(&self) -> Option<f64>;
}

impl BoundedValue for f64 {
    fn bounded_value(&self) -> Option<f64> {
        Some(*self)
    }
}

impl BoundedValue for Option<f64> {
    fn bounded_value(&self) -> Option<f64> {
        *self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_holds_inside_and_not_outside() {
        assert!(Bound::SHARE.holds(0.0) && Bound::SHARE.holds(1.0));
        assert!(!Bound::SHARE.holds(1.01) && !Bound::SHARE.holds(-0.01));
        assert!(!Bound::SHARE.holds(f64::NAN));
        let positive = Bound::positive_at_most(10.0);
        assert!(!positive.holds(0.0) && positive.holds(1e-9) && positive.holds(10.0));
        assert!(!positive.holds(10.5));
        assert!(Bound::NON_NEGATIVE.holds(1e300) && !Bound::NON_NEGATIVE.holds(f64::INFINITY));
    }
}
