//! Demand: each resident raises requests for each service as a Poisson process.
//!
//! Independent Poisson processes per service are drawn as one Poisson count with the
//! summed rate, each request then picking its service with probability proportional to
//! its rate (the same joint distribution, and one draw per resident in the common case
//! of no request). Rates are per resident per year by band; an agent's request stands
//! for `scale` real requests when it uses department capacity.

use crate::math;

use bevy_ecs::prelude::*;
use civitas_scenario::Band;

use crate::city::City;
use crate::rng::{Chance, KeyChance, Stream, SubjectKey};

/// Request rates of one band in one tick.
#[derive(Debug, Clone)]
pub struct BandDemand {
    /// The chance of no request, `exp(−λ)` with λ the summed request rate per tick
    /// (the first of the count's terms), as a [`KeyChance`] that the count's 32-bit
    /// uniform is at most it.
    pub no_request: KeyChance,
    /// Summed request rate per tick.
    pub rate_per_tick: f64,
    /// The Poisson probabilities of 0, 1, … [`MAX_REQUESTS_PER_TICK`] requests, the first
    /// `exp(−λ)`, each other the one before times `λ/k`: the count's inversion reads them instead of dividing
    /// (a division's latency on every step of the loop it decides).
    terms: [f64; TERMS],
    /// Cumulative service shares (last = 1).
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "the pick tables are made from it; the tests check them against it"
        )
    )]
    pub cumulative: Vec<f64>,
    /// Service pick: per cumulative share `c`, the first 53-bit draw whose uniform is at
    /// or above it, `⌈c·2^53⌉` (the draw `x` has `x·2^-53 ≥ c` exactly when `x` is at least
    /// this).
    starts: Vec<u64>,
    /// Service pick: for each of the [`PICK_BUCKETS`] equal stretches of the draws, the
    /// fewest and the most shares a draw in it can be at or above; equal for all but
    /// the few stretches a share falls in, where the pick counts the shares between.
    buckets: Vec<(u16, u16)>,
}

/// Stretches of the uniform the service pick is tabled over (a power of two).
const PICK_BUCKETS: usize = 256;

/// Bits of a 53-bit draw below its stretch number.
const PICK_SHIFT: u32 = 53 - PICK_BUCKETS.trailing_zeros();

impl BandDemand {
    /// The tables of the service pick for the cumulative shares `cumulative`.
    fn pick_tables(cumulative: &[f64]) -> (Vec<u64>, Vec<(u16, u16)>) {
        let starts: Vec<u64> = cumulative
            .iter()
            .map(|&c| Chance::below(c).bits())
            .collect();
        let at_or_above = |x: u64| starts.iter().filter(|&&t| t <= x).count() as u16;
        let buckets = (0..PICK_BUCKETS as u64)
            .map(|b| {
                let first = b << PICK_SHIFT;
                let last = ((b + 1) << PICK_SHIFT) - 1;
                (at_or_above(first), at_or_above(last))
            })
            .collect();
        (starts, buckets)
    }
}

/// The demand table, per band.
#[derive(Resource, Debug, Clone)]
pub struct DemandTable(pub [BandDemand; 3]);

/// Installs the demand table of `city`.
pub fn install(world: &mut World, city: &City) {
    world.insert_resource(DemandTable::new(city));
}

impl DemandTable {
    /// Builds the table from the scenario's service catalogue.
    pub fn new(city: &City) -> Self {
        let services = &city.scenario.services;
        Self(Band::ALL.map(|b| {
            let rates: Vec<f64> = services
                .iter()
                .map(|s| s.demand_per_year.get(b) * city.years_per_tick)
                .collect();
            let total: f64 = rates.iter().sum();
            let mut acc = 0.0;
            let cumulative: Vec<f64> = rates
                .iter()
                .map(|r| {
                    acc += r;
                    if total > 0.0 { acc / total } else { 1.0 }
                })
                .collect();
            let none = math::exp(-total);
            let (starts, buckets) = BandDemand::pick_tables(&cumulative);
            let mut terms = [none; TERMS];
            for k in 1..TERMS {
                terms[k] = terms[k - 1] * (total / k as f64);
            }
            BandDemand {
                no_request: KeyChance::at_most(none),
                rate_per_tick: total,
                terms,
                cumulative,
                starts,
                buckets,
            }
        }))
    }

    /// Whether the word's high half, the uniform `u` the count is drawn from
    /// ([`DemandTable::count_from`] of [`SubjectKey::high_uniform`]), means no request for
    /// a resident of `band`: `u` at most the chance of none (the common case, decided by
    /// one integer comparison).
    #[inline(always)]
    pub fn no_request(&self, word: SubjectKey, band: Band) -> bool {
        word.high_hits(self.0[band.index()].no_request)
    }

    /// The number of requests a resident of `band` raises this tick, from the uniform `u`
    /// drawn for it: inversion of the Poisson distribution (most residents stop at the
    /// first term).
    #[inline]
    pub fn count_from(&self, mut u: f64, band: Band) -> u32 {
        let d = &self.0[band.index()];
        if d.rate_per_tick <= 0.0 {
            return 0;
        }
        let mut k = 0;
        while k < TERMS - 1 && u > d.terms[k] {
            u -= d.terms[k];
            k += 1;
        }
        k as u32
    }

    /// The service a request of a resident of `band` is for.
    #[inline]
    pub fn pick_service(&self, stream: &mut Stream, band: Band) -> usize {
        self.service_of(stream.bits53(), band)
    }

    /// The service of the 53-bit draw `x` ([`Stream::bits53`]) for a resident of `band`.
    #[inline(always)]
    fn service_of(&self, x: u64, band: Band) -> usize {
        let d = &self.0[band.index()];
        // The first cumulative share above the uniform `u = x·2^-53`, i.e. the number of
        // shares at or below `u` (they are sorted), counted as integers against their
        // starts. The draw's stretch gives that number outright except in the few
        // stretches a share falls in, where the shares between are counted.
        let (fewest, most) = d.buckets[(x >> PICK_SHIFT) as usize];
        let mut below = fewest as usize;
        if fewest != most {
            below += d.starts[below..most as usize]
                .iter()
                .filter(|&&t| t <= x)
                .count();
        }
        below.min(d.starts.len().saturating_sub(1))
    }
}

/// Cap on one resident's requests in one tick (guards against absurd rates).
pub const MAX_REQUESTS_PER_TICK: u32 = 64;

/// Terms of the count's inversion: the probabilities of 0 to [`MAX_REQUESTS_PER_TICK`].
const TERMS: usize = MAX_REQUESTS_PER_TICK as usize + 1;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, TickKey};
    use civitas_scenario::Scenario;

    #[test]
    fn counts_and_services_follow_the_rates() {
        let mut scenario = Scenario::baseline();
        scenario.services.truncate(2);
        scenario.services[0].demand_per_year.young = 3.0;
        scenario.services[1].demand_per_year.young = 1.0;
        let city = City::new(&scenario, 1);
        let table = DemandTable::new(&city);
        let n = 100_000;
        let (mut total, mut first) = (0u64, 0u64);
        for i in 0..n {
            let mut s = Stream::new(3, i, 0, Purpose::Requests);
            let k = table.count_from(s.uniform(), Band::Young);
            total += k as u64;
            for _ in 0..k {
                first += (table.pick_service(&mut s, Band::Young) == 0) as u64;
            }
        }
        let mean = total as f64 / n as f64;
        assert!((mean - 4.0 / 12.0).abs() < 0.01, "{mean}");
        assert!((first as f64 / total as f64 - 0.75).abs() < 0.01);
    }

    /// The pass draws the count from the high half of the resident's word of the tick
    /// and decides "no request" by an integer comparison of that half: the two must agree
    /// for every word (on both sides of the threshold too), and the counts must be
    /// Poisson with the band's rate.
    #[test]
    fn the_count_of_a_words_high_half_is_poisson_and_agrees_with_no_request() {
        let scenario = Scenario::baseline();
        let table = DemandTable::new(&City::new(&scenario, 1));
        let band = Band::Senior;
        let d = &table.0[band.index()];
        let lambda = d.rate_per_tick;
        let t = d.no_request.bits();
        let edges = [t - 1, t, t + 1].map(|h| SubjectKey(h << 32));
        let keys = TickKey::new(11, 2);
        let n = 400_000u64;
        let (mut total, mut none) = (0u64, 0u64);
        for w in (0..n)
            .map(|i| keys.subject(i).word(Purpose::Requests))
            .chain(edges)
        {
            let k = table.count_from(w.high_uniform(), band);
            assert_eq!(table.no_request(w, band), k == 0, "word {:x}", w.0);
            total += k as u64;
            none += (k == 0) as u64;
        }
        let (mean, p0) = (total as f64 / n as f64, none as f64 / n as f64);
        assert!(
            (mean - lambda).abs() < 5.0 * (lambda / n as f64).sqrt(),
            "{mean} vs {lambda}"
        );
        let e = math::exp(-lambda);
        assert!(
            (p0 - e).abs() < 5.0 * (e * (1.0 - e) / n as f64).sqrt(),
            "{p0} vs {e}"
        );
    }

    /// The count by the definition: inversion of the Poisson distribution, each term
    /// computed from the one before as the loop goes.
    fn count_by_definition(d: &BandDemand, mut u: f64) -> u32 {
        let mut p = d.terms[0];
        let mut k = 0;
        while u > p && k < MAX_REQUESTS_PER_TICK {
            u -= p;
            k += 1;
            p *= d.rate_per_tick / k as f64;
        }
        k
    }

    #[test]
    fn the_tabled_count_is_the_inversion_for_every_draw() {
        // Summed rates per tick from the common (a fraction of a request) to so many that
        // the cap is reached.
        for rate in [0.05, 0.3, 2.0, 25.0, 90.0] {
            let mut scenario = Scenario::baseline();
            for (i, svc) in scenario.services.iter_mut().enumerate() {
                svc.demand_per_year.young = if i == 0 { rate * 12.0 } else { 0.0 };
            }
            let table = DemandTable::new(&City::new(&scenario, 1));
            let d = &table.0[Band::Young.index()];
            assert!(
                (d.rate_per_tick - rate).abs() < 1e-9 * rate,
                "monthly ticks"
            );
            let mut s = Stream::new(9, 4, 0, Purpose::Requests);
            // Random uniforms, and the partial sums of the terms (where the count steps)
            // and their neighbours.
            let mut edges = vec![0.0, 1.0 - f64::EPSILON];
            let mut acc = 0.0;
            for &t in &d.terms {
                acc += t;
                edges.extend([acc, acc.next_down(), acc.next_up()]);
            }
            for u in (0..20_000).map(|_| s.uniform()).chain(edges) {
                let k = table.count_from(u, Band::Young);
                assert_eq!(k, count_by_definition(d, u), "rate {rate}, u = {u}");
            }
        }
    }

    /// The service a uniform picks by the definition: the number of cumulative shares
    /// at or below it (the last service at most).
    fn by_definition(d: &BandDemand, x: u64) -> usize {
        let u = Stream::uniform_of(x);
        let below = d.cumulative.iter().filter(|&&c| c <= u).count();
        below.min(d.cumulative.len() - 1)
    }

    #[test]
    fn the_tabled_pick_is_the_definition_for_every_draw() {
        let mut catalogues = vec![Scenario::baseline()];
        // Uneven rates, zero rates (equal cumulative shares) and shares that fall on
        // a stretch's edge (a quarter) or next to one.
        for rates in [
            vec![1.0, 1.0, 1.0, 1.0],
            vec![0.0, 3.0, 0.0, 0.0, 1.0, 1e-9, 7.0],
            vec![1.0],
            vec![1.0 / 3.0, 1e-12, 2.0 / 3.0, 0.1],
        ] {
            let mut s = Scenario::baseline();
            let template = s.services[0].clone();
            s.services = rates
                .iter()
                .map(|&r| {
                    let mut svc = template.clone();
                    svc.demand_per_year.young = r;
                    svc
                })
                .collect();
            catalogues.push(s);
        }
        for scenario in &catalogues {
            let table = DemandTable::new(&City::new(scenario, 1));
            let d = &table.0[Band::Young.index()];
            let mut draws: Vec<u64> = d
                .starts
                .iter()
                .flat_map(|&t| [t.saturating_sub(1), t, t + 1])
                .chain((0..=PICK_BUCKETS as u64).flat_map(|b| {
                    let edge = b << PICK_SHIFT;
                    [edge.saturating_sub(1), edge]
                }))
                .filter(|&x| x < 1 << 53)
                .collect();
            let mut s = Stream::new(5, 1, 0, Purpose::Requests);
            draws.extend((0..20_000).map(|_| s.bits53()));
            for x in draws {
                assert_eq!(
                    table.service_of(x, Band::Young),
                    by_definition(d, x),
                    "draw {x}"
                );
            }
        }
    }
}
