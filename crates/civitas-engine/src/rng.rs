//! Counter-based random streams.
//!
//! Every draw is a pure function of (replicate seed, tick, subject id, purpose, counter),
//! so results do not depend on the order residents are visited in or on how many threads
//! visit them. Keys are mixed once per level: a [`TickKey`] once per tick, a
//! [`SubjectKey`] once per resident (or district) per tick, and each purpose's
//! [`Stream`] is an offset of the subject key, with no further set-up. The streams of the
//! purposes are disjoint stretches of one wyrand sequence (2^32 draws apart), so a
//! mechanism drawing more or fewer numbers never shifts another mechanism's draws:
//! variants of a scenario keep common random numbers mechanism by mechanism.
//!
//! The generator of the per-resident keys and streams is wyrand (Wang Yi, 2019; the
//! generator of the `fastrand` crate, which passes BigCrush and PractRand): a Weyl
//! sequence whose output is the 128-bit product of the state and a fixed mask of it,
//! its halves folded by xor (`wymix`) — one multiplication where the SplitMix64
//! finaliser takes two, about 10 % of the instructions of a resident's tick. A
//! resident's key in a tick is the output of the tick key's sequence at the resident's
//! id. The replicate seeds and the tick keys, mixed once per replicate and tick, keep
//! the SplitMix64 finaliser ([`mix64`]).

use crate::math;

/// What a stream is used for; keeps the streams of different mechanisms independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Synthesis of the starting population.
    Synthesis = 1,
    /// Moving between age bands (the resident pass draws it from the key's high half,
    /// see [`SubjectKey::high_hits`]).
    #[expect(
        dead_code,
        reason = "no stream draws ageing (the key's high half does): the variant names that draw and keeps its number"
    )]
    Ageing = 2,
    /// Acquiring a device.
    Devices = 3,
    /// Bass adoption.
    Adoption = 4,
    /// Service requests, channel choice, links, failures, churn. The stream's first
    /// word is the resident's second word of the tick ([`SubjectKey::word`]): its high
    /// half draws the request count, its low half digital-skills training.
    Requests = 6,
    /// Urban incidents of one district.
    Incidents = 7,
    /// Steady-state start of satisfaction and trust (hypothetical requests).
    SteadyState = 8,
    /// Deaths and migration (in the resident pass, from the key's low half; the stream
    /// draws a migrant's destination) and the fate of entrants.
    Renewal = 9,
    /// Cohorts entering at 15, per district.
    Entrants = 10,
    /// Enterprises: exit, maturity, tools, and the synthesis of entrants.
    Enterprises = 11,
}

pub use civitas_uncertainty::mix64;

/// The seed of replicate `replicate` of a scenario with master seed `seed`: the
/// SplitMix64 step from the master seed, keyed by the replicate.
pub fn replicate_seed(seed: u64, replicate: u32) -> u64 {
    mix64((seed ^ (replicate as u64).wrapping_mul(GOLDEN_GAMMA)).wrapping_add(GOLDEN_GAMMA))
}

/// The key of one tick of a replicate: mixes (seed, tick) once per tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TickKey(u64);

impl TickKey {
    /// The key of `tick` of the replicate with seed `seed`.
    #[inline]
    pub fn new(seed: u64, tick: u64) -> Self {
        Self(mix64(
            seed.wrapping_add(GOLDEN_GAMMA) ^ tick.wrapping_mul(0xA076_1D64_78BD_642F),
        ))
    }

    /// The key of `subject` (a resident id or district index) in this tick: the
    /// `subject`-th output of wyrand started at the tick key (one mix).
    #[inline]
    pub fn subject(self, subject: u64) -> SubjectKey {
        SubjectKey(wymix(self.0.wrapping_add(subject.wrapping_mul(WY_GAMMA))))
    }
}

/// The key of one subject in one tick; each purpose's stream is an offset of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubjectKey(pub u64);

/// Distance between the streams of two purposes on the wyrand sequence: 2^32 draws.
const PURPOSE_STRIDE: u64 = WY_GAMMA << 32;

impl SubjectKey {
    /// Whether the first of the key's two 32-bit uniforms, `h·2^-32` for the high half
    /// `h`, is below the probability of `c` (compared as integers). The key is itself a
    /// mixed, uniformly random word, so its halves serve the two draws every resident
    /// makes every tick ([`Purpose::Ageing`] and the death draw of [`Purpose::Renewal`])
    /// without a stream; a 32-bit uniform resolves probabilities to 2^-32.
    #[inline(always)]
    pub fn high_hits(self, c: KeyChance) -> bool {
        (self.0 >> 32) < c.0
    }

    /// The same for the second uniform, the key's low half (see
    /// [`SubjectKey::high_hits`]).
    #[inline(always)]
    pub fn low_hits(self, c: KeyChance) -> bool {
        (self.0 & 0xFFFF_FFFF) < c.0
    }

    /// The uniform of the key's high half, `h·2^-32` (the value [`SubjectKey::high_hits`]
    /// compares).
    #[inline(always)]
    pub fn high_uniform(self) -> f64 {
        (self.0 >> 32) as f64 * (1.0 / (1u64 << 32) as f64)
    }

    /// The first draw of the subject's stream for `purpose`, as a key: two more 32-bit
    /// draws from one mix. The stream's later draws are [`SubjectKey::stream_after_word`].
    #[inline(always)]
    pub fn word(self, purpose: Purpose) -> SubjectKey {
        SubjectKey(self.stream(purpose).next_u64())
    }

    /// The subject's stream for `purpose` after its first draw (taken as
    /// [`SubjectKey::word`]; no mixing).
    #[inline(always)]
    pub fn stream_after_word(self, purpose: Purpose) -> Stream {
        let mut s = self.stream(purpose);
        s.state = s.state.wrapping_add(WY_GAMMA);
        s
    }

    /// The subject's stream for `purpose` (no mixing: an offset of the key).
    #[inline]
    pub fn stream(self, purpose: Purpose) -> Stream {
        Stream {
            state: self
                .0
                .wrapping_add((purpose as u64).wrapping_mul(PURPOSE_STRIDE)),
        }
    }
}

/// A probability `p` as a threshold on `BITS` random bits: a draw of them is the uniform
/// `x·2^-BITS` for an integer `x`, and `x·2^-BITS < p` exactly when `x < ⌈p·2^BITS⌉`
/// (`p·2^BITS` is exact: a power-of-two scaling), so a chance made once per tick is drawn
/// by one integer comparison, with the very outcomes of the float comparison, instead of
/// a conversion and a float comparison per resident. See [`Chance`] and [`KeyChance`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Threshold<const BITS: u32>(u64);

/// A chance on the 53 bits of a [`Stream::uniform`] ([`Stream::hits`] draws it with the
/// outcomes of [`Stream::chance`]`(p)`).
pub type Chance = Threshold<53>;

/// A chance on a 32-bit half of a [`SubjectKey`] or of its [`SubjectKey::word`]
/// ([`SubjectKey::high_hits`] draws it with the outcomes of `h·2^-32 < p` for the high
/// half `h`).
pub type KeyChance = Threshold<32>;

impl<const BITS: u32> Threshold<BITS> {
    /// The chance that a uniform is below `p` (`p` ≤ 0 or NaN never, `p` ≥ 1 always).
    pub fn below(p: f64) -> Self {
        Self(threshold(p, BITS, f64::ceil))
    }

    /// The chance that a uniform is at most `p`: `x·2^-BITS ≤ p` exactly when
    /// `x < ⌊p·2^BITS⌋ + 1`.
    pub fn at_most(p: f64) -> Self {
        Self(threshold(p, BITS, |y| y.floor() + 1.0))
    }

    /// The threshold: a draw of the `BITS` bits below it hits.
    #[inline(always)]
    pub fn bits(self) -> u64 {
        self.0
    }
}

/// `round(p·2^bits)` by `round`, clamped to `[0, 2^bits]` (NaN to 0).
fn threshold(p: f64, bits: u32, round: impl Fn(f64) -> f64) -> u64 {
    let scale = (1u64 << bits) as f64;
    let t = round(p * scale);
    if t >= scale {
        1u64 << bits
    } else if t > 0.0 {
        t as u64
    } else {
        0
    }
}

/// A short random stream for one (seed, tick, subject, purpose).
#[derive(Debug, Clone)]
pub struct Stream {
    state: u64,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The increment of wyrand's Weyl sequence.
const WY_GAMMA: u64 = 0xA076_1D64_78BD_642F;

/// wyrand's output function of its state `s` (Wang Yi's wyhash family): the 128-bit
/// product of `s` and `s ^ 0xE703_7ED1_A0B4_28DB`, its halves folded by xor.
#[inline(always)]
fn wymix(s: u64) -> u64 {
    let t = u128::from(s) * u128::from(s ^ 0xE703_7ED1_A0B4_28DB);
    (t as u64) ^ ((t >> 64) as u64)
}

impl Stream {
    /// The stream of `subject` (a resident id or district index) at `tick` for `purpose`;
    /// a pass over many subjects in one tick makes the [`TickKey`] once instead.
    #[inline]
    pub fn new(seed: u64, subject: u64, tick: u64, purpose: Purpose) -> Self {
        TickKey::new(seed, tick).subject(subject).stream(purpose)
    }

    /// Next 64 random bits (wyrand sequence from the keyed state).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(WY_GAMMA);
        wymix(self.state)
    }

    /// Uniform in [0, 1): the top 53 bits, scaled. (Converted through `i64`, which they
    /// fit: x86-64 converts a signed integer in one instruction and an unsigned one in
    /// several; the value is the same.)
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        Self::uniform_of(self.bits53())
    }

    /// The next 53 random bits: [`Stream::uniform`] is these times 2^-53.
    #[inline(always)]
    pub fn bits53(&mut self) -> u64 {
        self.next_u64() >> 11
    }

    /// The uniform of 53 random bits drawn by [`Stream::bits53`].
    #[inline(always)]
    pub fn uniform_of(bits: u64) -> f64 {
        (bits as i64) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// True with the probability of `c`: the same outcome as [`Stream::chance`] of the
    /// probability `c` was made from.
    #[inline(always)]
    pub fn hits(&mut self, c: Chance) -> bool {
        self.bits53() < c.0
    }

    /// Standard normal draw (Box–Muller, one of the pair).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // in (0, 1]
        let u2 = self.uniform();
        (-2.0 * math::ln(u1)).sqrt() * math::cos(std::f64::consts::TAU * u2)
    }

    /// Exponential draw with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * math::ln(1.0 - self.uniform())
    }

    /// Poisson draw with mean `lambda`: exact inversion below
    /// [`POISSON_NORMAL_ABOVE_MEAN`], rounded normal approximation above (relative error
    /// of the variance below 2 % there, and it keeps the cost bounded).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > POISSON_NORMAL_ABOVE_MEAN {
            let x = lambda + lambda.sqrt() * self.normal();
            return x.round().max(0.0) as u64;
        }
        let limit = math::exp(-lambda);
        let mut k = 0u64;
        let mut prod = self.uniform();
        while prod > limit {
            k += 1;
            prod *= self.uniform();
        }
        k
    }
}

/// Mean above which [`Stream::poisson`] uses the normal approximation.
pub const POISSON_NORMAL_ABOVE_MEAN: f64 = 50.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_keyed_and_reproducible() {
        let a: Vec<u64> = {
            let mut s = Stream::new(1, 2, 3, Purpose::Adoption);
            (0..4).map(|_| s.next_u64()).collect()
        };
        let mut s = Stream::new(1, 2, 3, Purpose::Adoption);
        assert_eq!(a, (0..4).map(|_| s.next_u64()).collect::<Vec<_>>());
        let mut other = Stream::new(1, 2, 4, Purpose::Adoption);
        assert_ne!(a[0], other.next_u64());
        let mut other = Stream::new(1, 2, 3, Purpose::Devices);
        assert_ne!(a[0], other.next_u64());
        let mut other = Stream::new(1, 3, 2, Purpose::Adoption);
        assert_ne!(a[0], other.next_u64());
        // A purpose's stream is the same whether made alone or from the keys of a pass.
        let key = TickKey::new(1, 3).subject(2);
        let mut same = key.stream(Purpose::Adoption);
        assert_eq!(a[0], same.next_u64());
    }

    #[test]
    fn integer_chances_draw_exactly_what_float_chances_draw() {
        // Probabilities on and next to the points where the thresholds round, and the
        // edges; each against random draws and against the draws on either side of its
        // threshold, where a rounding slip would show.
        let mut ps = vec![0.0, 1.0, -0.5, 1.5, f64::NAN, 0.5, 1e-300, 0.999_999_999];
        for k in [1u64, 3, 1 << 20, (1 << 31) + 7] {
            for bits in [32, 53] {
                let at = k as f64 / (1u64 << bits) as f64;
                ps.extend([at, at.next_up(), at.next_down()]);
            }
        }
        for (i, &p) in ps.iter().enumerate() {
            let (below, at_most, key) = (Chance::below(p), Chance::at_most(p), KeyChance::below(p));
            let mut s = Stream::new(i as u64, 0, 0, Purpose::Requests);
            let edge = |bits: u32| {
                let t = (p * (1u64 << bits) as f64).floor();
                let t = if t.is_nan() {
                    0
                } else {
                    t.clamp(0.0, (1u64 << bits) as f64) as u64
                };
                [t.saturating_sub(1), t, t + 1]
            };
            let draws = (0..2_000)
                .map(|_| s.bits53())
                .chain(edge(53))
                .collect::<Vec<_>>();
            for x in draws.into_iter().filter(|&x| x < 1 << 53) {
                let u = Stream::uniform_of(x);
                assert_eq!(u < p, x < below.bits(), "p {p}, x {x}");
                assert_eq!(u <= p, x < at_most.bits(), "p {p}, x {x}");
            }
            let halves = (0..2_000u64).map(|j| TickKey::new(i as u64, 1).subject(j).0 >> 32);
            for h in halves.chain(edge(32)).filter(|&h| h < 1 << 32) {
                let k = SubjectKey((h << 32) | h);
                let u = h as f64 / (1u64 << 32) as f64;
                assert_eq!(u < p, k.high_hits(key), "p {p}, h {h}");
                assert_eq!(u < p, k.low_hits(key), "p {p}, h {h}");
            }
        }
        // And a stream's chance is the same draw either way.
        let mut a = Stream::new(1, 2, 3, Purpose::Devices);
        let mut b = a.clone();
        for p in [0.1, 0.5, 0.9] {
            assert_eq!(a.chance(p), b.hits(Chance::below(p)));
        }
    }

    #[test]
    fn poisson_and_uniform_have_the_right_means() {
        let n = 20_000;
        for lambda in [0.2, 3.0, 120.0] {
            let mean: f64 = (0..n)
                .map(|i| Stream::new(9, i, 0, Purpose::Requests).poisson(lambda) as f64)
                .sum::<f64>()
                / n as f64;
            assert!(
                (mean - lambda).abs() < 0.05 * lambda.max(1.0),
                "{lambda}: {mean}"
            );
        }
        let mut s = Stream::new(5, 5, 5, Purpose::Incidents);
        let u: f64 = (0..n).map(|_| s.uniform()).sum::<f64>() / n as f64;
        assert!((u - 0.5).abs() < 0.01);
    }

    /// The four 32-bit draws a resident makes every tick (the key's halves: ageing and
    /// death; the word's: the request count and training) are uniform and independent
    /// of one another, across residents and from one resident to the next: a
    /// chi-square test of each pair on a 16 × 16 grid, and of the same draw for
    /// neighbouring ids and for one resident in two ticks.
    #[test]
    fn a_residents_draws_of_a_tick_are_uniform_and_independent() {
        let n = 200_000u64;
        let keys = TickKey::new(42, 7);
        let next = TickKey::new(42, 8);
        let draws: Vec<[u64; 5]> = (0..n)
            .map(|i| {
                let key = keys.subject(i);
                let word = key.word(Purpose::Requests);
                let later = next.subject(i);
                [
                    key.0 >> 32,
                    key.0 & 0xFFFF_FFFF,
                    word.0 >> 32,
                    word.0 & 0xFFFF_FFFF,
                    later.0 >> 32,
                ]
            })
            .collect();
        // 255 degrees of freedom: mean 255, standard deviation 22.6; 6 of them above.
        let limit = 255.0 + 6.0 * (2.0f64 * 255.0).sqrt();
        let chi_square = |pairs: &mut dyn Iterator<Item = (u64, u64)>| {
            let mut cells = [0u64; 256];
            let mut total = 0u64;
            for (a, b) in pairs {
                cells[((a >> 28) * 16 + (b >> 28)) as usize] += 1;
                total += 1;
            }
            let e = total as f64 / 256.0;
            cells
                .iter()
                .map(|&c| {
                    let d = c as f64 - e;
                    d * d / e
                })
                .sum::<f64>()
        };
        for a in 0..4 {
            for b in a + 1..5 {
                let x = chi_square(&mut draws.iter().map(|d| (d[a], d[b])));
                assert!(x < limit, "draws {a} and {b}: chi-square {x:.0}");
            }
            let x = chi_square(&mut draws.windows(2).map(|w| (w[0][a], w[1][a])));
            assert!(x < limit, "draw {a} of neighbours: chi-square {x:.0}");
        }
    }
}
