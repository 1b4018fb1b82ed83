//! Seeded Latin hypercube designs.

/// The SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijective 64-bit mixer with
/// good avalanche. The one copy in the workspace: the engine's replicate seeds and tick
/// keys, the priors' Latin hypercube and the sweeps' all hash with it (the engine's
/// per-resident streams use wyrand, see `civitas_engine::rng`).
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a hash of a parameter name: the design of a parameter depends on its name, not on
/// its position, so adding a prior leaves the draws of the others unchanged.
fn name_key(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// A uniform number in [0, 1) that is a pure function of (seed, key, a, b).
pub fn unit_draw(seed: u64, key: u64, a: u64, b: u64) -> f64 {
    let mut s = mix64(seed ^ key.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    s = mix64(s ^ a.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    s = mix64(s ^ b.wrapping_mul(0xA076_1D64_78BD_642F));
    (s >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A Latin hypercube of `n` points over the named parameters: `design[p][r]` ∈ (0, 1) is
/// parameter `p`'s draw for replicate `r`. Each parameter's column puts exactly one draw in
/// each of the `n` equal strata of [0, 1), in an order shuffled by (seed, name); the draw
/// within a stratum is uniform. Everything is a pure function of the seed, the name and
/// `n`, so any thread or shard computes the same design, and two scenarios with the same
/// seed and priors give replicate `r` the same parameters (common random numbers).
pub fn latin_hypercube(seed: u64, names: &[&str], n: usize) -> Vec<Vec<f64>> {
    names
        .iter()
        .map(|name| {
            let key = name_key(name);
            // Fisher–Yates with counter-based draws.
            let mut strata: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                let j = (unit_draw(seed, key, 1, i as u64) * (i + 1) as f64) as usize;
                strata.swap(i, j.min(i));
            }
            strata
                .iter()
                .enumerate()
                .map(|(r, &s)| {
                    let within = unit_draw(seed, key, 2, r as u64);
                    // Keep strictly inside (0, 1) so unbounded quantiles stay finite.
                    ((s as f64 + within) / n as f64).clamp(1e-12, 1.0 - 1e-12)
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_draw_per_stratum_and_keyed_by_name() {
        let d = latin_hypercube(42, &["a", "b"], 50);
        for column in &d {
            let mut strata: Vec<usize> = column.iter().map(|u| (u * 50.0) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..50).collect::<Vec<_>>());
        }
        assert_ne!(d[0], d[1]);
        // Adding a parameter in front does not change the others; the seed does.
        let e = latin_hypercube(42, &["z", "b"], 50);
        assert_eq!(d[1], e[1]);
        assert_ne!(latin_hypercube(43, &["b"], 50)[0], d[1]);
    }
}
