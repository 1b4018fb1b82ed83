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

/// ln(1 + x), accurate for small x.
#[inline]
pub fn ln_1p(x: f64) -> f64 {
    libm::log1p(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Comparing against the platform's versions is the point of this test.
    #[allow(clippy::disallowed_methods)]
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
        assert!((exp_m1(1e-10) - 1e-10).abs() < 1e-24);
        assert!((ln_1p(1e-10) - 1e-10).abs() < 1e-24);
    }

    /// Bit patterns of libm's results, written down once: a platform that computed these
    /// differently would break cross-machine byte identity, so the test pins them.
    #[test]
    fn results_are_pinned_bit_for_bit() {
        assert_eq!(exp(1.0).to_bits(), 0x4005_BF0A_8B14_5769);
        assert_eq!(ln(10.0).to_bits(), 0x4002_6BB1_BBB5_5516);
    }
}
