//! Transcendental functions for the model, from the pure-Rust `libm` crate.
//!
//! `f64::exp`, `ln`, `powf` and `cos` call the platform's C math library, whose last-bit
//! rounding differs between glibc versions, musl, macOS and CPU-specific code paths. One
//! differing bit in a hazard changes which residents adopt, and from there every number of
//! a replicate. Routing every such call through `libm` (the same code on every target)
//! makes the guarantee hold: the same binary, scenario and seed give byte-identical outputs
//! on any x86-64 or aarch64 Linux, so regression goldens blessed on one machine pass on
//! another and Slurm shards from mixed nodes merge byte for byte. Basic arithmetic and
//! `sqrt` are correctly rounded by IEEE 754 and need no wrapper. `clippy.toml` in this
//! crate forbids the std methods, so a new call cannot slip past.

/// e^x.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// Natural logarithm.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// x^y.
#[inline]
pub fn powf(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// x^n for an integer exponent (through `pow`, so it rounds the same everywhere).
#[inline]
pub fn powi(x: f64, n: i32) -> f64 {
    libm::pow(x, f64::from(n))
}

/// Cosine.
#[inline]
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

/// e^x − 1, accurate for small x.
#[inline]
pub fn exp_m1(x: f64) -> f64 {
    libm::expm1(x)
}

/// 1 − e^(−x): the chance that an event of hazard rate `x` (per unit time) happens
/// within one unit. For the small hazards of a tick (`0 ≤ x < 1/8`) the Taylor series to
/// the tenth power (Horner form), whose truncation error x¹¹/11! is below 6e-18 (under
/// half an ulp of the result); `libm` above. Every resident waiting to adopt needs one each
/// tick, and the series is several times cheaper than `expm1`; being plain arithmetic it
/// is as reproducible. The result is at most `x` (so a uniform at or above `x` needs no
/// call): in the series, the bracket is 1 minus a non-negative term, at most 1 when
/// rounded, and `x` times it rounds to at most `x`; above, `x − (1 − e^(−x))` exceeds
/// `x²/3`, far more than `expm1`'s error of an ulp.
#[inline]
pub fn one_minus_exp_neg(x: f64) -> f64 {
    if (0.0..0.125).contains(&x) {
        // 1 − e^(−x) = x(1/1! − x(1/2! − x(1/3! − … − x/10!))): no division.
        let mut sum = INVERSE_FACTORIALS[10];
        for k in (1..10).rev() {
            sum = INVERSE_FACTORIALS[k] - x * sum;
        }
        x * sum
    } else {
        -libm::expm1(-x)
    }
}

/// 1/k! for k = 0..=10.
const INVERSE_FACTORIALS: [f64; 11] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
];

/// ln(1 + x), accurate for small x.
#[inline]
pub fn ln_1p(x: f64) -> f64 {
    libm::log1p(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Comparing with the platform's functions is the point of this test.
    #[expect(
        clippy::disallowed_methods,
        reason = "compares libm with the platform's own functions"
    )]
    #[test]
    fn agrees_with_the_platform_to_an_ulp_or_two() {
        for &x in &[-30.0, -2.5, -0.1, 0.0, 1e-9, 0.7, 3.0, 40.0] {
            let (ours, std) = (exp(x), x.exp());
            assert!(
                (ours - std).abs() <= 4.0 * f64::EPSILON * std.abs(),
                "exp({x})"
            );
        }
        for &x in &[1e-12, 0.3, 1.0, 2.0, 1e6] {
            let (ours, std) = (ln(x), x.ln());
            assert!(
                (ours - std).abs() <= 4.0 * f64::EPSILON * std.abs().max(1.0),
                "ln({x})"
            );
        }
        assert_eq!(powf(2.0, 10.0), 1024.0);
        assert_eq!(powi(0.5, 3), 0.125);
        assert!((cos(std::f64::consts::PI) + 1.0).abs() < 1e-15);
        // Series: e^x − 1 ≈ x + x²/2, ln(1 + x) ≈ x − x²/2 (next terms below 1e-30).
        assert!((exp_m1(1e-10) - (1e-10 + 5e-21)).abs() < 1e-30);
        assert!((ln_1p(1e-10) - (1e-10 - 5e-21)).abs() < 1e-30);
    }

    #[test]
    fn the_hazard_chance_is_at_most_the_hazard() {
        let mut x: f64 = 1e-300;
        while x < 50.0 {
            for y in [x, x * 1.000_000_1, f64::from_bits(x.to_bits() + 1)] {
                assert!(one_minus_exp_neg(y) <= y, "{y}");
            }
            x *= 1.37;
        }
        assert_eq!(one_minus_exp_neg(0.0), 0.0);
    }

    #[test]
    fn the_hazard_series_agrees_with_expm1() {
        for &x in &[0.0, 1e-12, 1e-6, 0.003, 0.05, 0.1, 0.1249, 0.125, 0.5, 3.0] {
            let (series, exact) = (one_minus_exp_neg(x), -libm::expm1(-x));
            assert!(
                (series - exact).abs() <= 4.0 * f64::EPSILON * exact,
                "{x}: {series} vs {exact}"
            );
        }
    }

    /// Bit patterns of libm's results, written down once: a platform that computed these
    /// differently would break cross-machine byte identity, so the test pins them. (libm's
    /// e¹ is one ulp above the correctly rounded 0x4005_BF0A_8B14_5769; what matters is that
    /// it is the same everywhere.)
    #[test]
    fn results_are_pinned_bit_for_bit() {
        assert_eq!(exp(1.0).to_bits(), 0x4005_BF0A_8B14_576A);
        assert_eq!(ln(10.0).to_bits(), 0x4002_6BB1_BBB5_5516);
    }
}
