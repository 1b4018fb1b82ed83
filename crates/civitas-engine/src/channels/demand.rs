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
use crate::rng::{Chance, Stream};

/// Request rates of one band in one tick.
#[derive(Debug, Clone, Default)]
pub struct BandDemand {
    /// `exp(−λ)` with λ the summed request rate per tick: the chance of no request.
    pub no_request_probability: f64,
    /// The same as a [`Chance`] that the count's uniform is at most it.
    pub no_request: Chance,
    /// Summed request rate per tick.
    pub rate_per_tick: f64,
    /// Cumulative service shares (last = 1).
    pub cumulative: Vec<f64>,
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
            let cumulative = rates
                .iter()
                .map(|r| {
                    acc += r;
                    if total > 0.0 { acc / total } else { 1.0 }
                })
                .collect();
            let none = math::exp(-total);
            BandDemand {
                no_request_probability: none,
                no_request: Chance::at_most(none),
                rate_per_tick: total,
                cumulative,
            }
        }))
    }

    /// Whether the 53 bits of the uniform `u` (see [`Stream::bits53`]) that the count is
    /// drawn from ([`DemandTable::count_from`]) mean no request for a resident of
    /// `band`: `u` at most the chance of none (the common case, decided by one integer
    /// comparison).
    #[inline(always)]
    pub fn no_request(&self, bits: u64, band: Band) -> bool {
        bits < self.0[band.index()].no_request.bits()
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
        let mut p = d.no_request_probability;
        let mut k = 0u32;
        while u > p && k < MAX_REQUESTS_PER_TICK {
            u -= p;
            k += 1;
            p *= d.rate_per_tick / k as f64;
        }
        k
    }

    /// The service a request of a resident of `band` is for.
    #[inline]
    pub fn pick_service(&self, stream: &mut Stream, band: Band) -> usize {
        let c = &self.0[band.index()].cumulative;
        let u = stream.uniform();
        // The first share above `u`, found by counting the shares at or below it (they
        // are sorted): no early exit, so no mispredicted branch at a random position.
        let below = c.iter().filter(|&&x| x <= u).count();
        below.min(c.len().saturating_sub(1))
    }
}

/// Cap on one resident's requests in one tick (guards against absurd rates).
pub const MAX_REQUESTS_PER_TICK: u32 = 64;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Purpose;

    #[test]
    fn counts_and_services_follow_the_rates() {
        let mut scenario = civitas_scenario::Scenario::baseline();
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
}
