//! How large a replicate of a scenario gets, from the scenario alone: the expected
//! population over the horizon and the most residents it can hold at once (which size
//! bevy's entity index and the memory a batch reserves), and the residents in a chunk of
//! the resident pass. The bottom of the engine with [`crate::math`]: [`crate::city`]
//! sizes its chunks here, [`crate::demography`] and [`crate::renewal`] read the age mixes
//! and the hazard over a tick from here.

use civitas_scenario::{Band, District, PerBand, Population, Scenario, SectorClass};

use crate::math;

/// Residents handled by one parallel work item, at least (see `chunk_residents`). Fixed
/// (not derived from the thread count) so that per-chunk tallies, summed in chunk order,
/// are identical whatever the number of threads.
pub const CHUNK_RESIDENTS: usize = 4096;

/// Residents per (district × band) cell a chunk of the resident pass is sized for.
const CHUNK_RESIDENTS_PER_CELL: usize = 32;

/// Residents in a chunk of the resident pass for a scenario of `cells` (district × band)
/// cells and at most `most_residents` residents at once: [`CHUNK_RESIDENTS`], or more
/// where the cells are many. Each chunk keeps a tally of about 190 bytes per cell,
/// cleared and summed every tick; with chunks of 4,096, 1,000,000 agents in 9,990
/// districts spent 0.9 s a tick on them (1.4 GB of tallies) against 0.03 s for the
/// residents. Sized for 32 residents a cell, then evened out over the chunks that many
/// residents need (so that no small last chunk leaves a thread idle), which keeps at
/// least 16 a cell: the tallies stay under 12 bytes per resident and their upkeep a small
/// part of the pass. A multiple of [`CHUNK_RESIDENTS`], and 4,096 up to 128 cells (42
/// districts, as in every bundled scenario); it depends on the scenario only, never on
/// the number of threads.
pub fn chunk_residents(cells: usize, most_residents: u64) -> usize {
    let sized = cells
        .saturating_mul(CHUNK_RESIDENTS_PER_CELL)
        .next_multiple_of(CHUNK_RESIDENTS)
        .max(CHUNK_RESIDENTS);
    let most = usize::try_from(most_residents).unwrap_or(usize::MAX);
    let chunks = most.div_ceil(sized).max(1);
    most.div_ceil(chunks)
        .next_multiple_of(CHUNK_RESIDENTS)
        .clamp(CHUNK_RESIDENTS, sized)
}

/// Residents in a chunk of the resident pass of `scenario`
/// (`chunk_residents` of its cells and of the most residents it
/// holds at once, [`most_agents`]).
pub fn chunk_residents_of(scenario: &Scenario) -> usize {
    chunk_residents(cells_of(scenario), most_agents(scenario))
}

pub(crate) fn cells_of(scenario: &Scenario) -> usize {
    scenario.population.districts.len() * Band::ALL.len()
}

/// The sum of the districts' population shares (which need not add up to 1).
pub fn share_total(pop: &Population) -> f64 {
    pop.districts
        .iter()
        .map(|d| d.share)
        .sum::<f64>()
        .max(1e-12)
}

/// The age mix of `district`: its own, or the bands' city-wide shares (weights, not
/// necessarily adding up to 1).
pub fn age_mix(pop: &Population, district: &District) -> PerBand {
    district.age_mix.unwrap_or(PerBand {
        young: pop.bands.young.share,
        middle: pop.bands.middle.share,
        senior: pop.bands.senior.share,
    })
}

/// The most residents `scenario` can have at once, but for a chance far below one in a
/// million, and 256 more (bevy_ecs 0.20 keeps the last 128 entities freed in a local list
/// that allocations do not see until it fills, so a spawn may take a new entity index
/// while up to 128 freed ones wait). Sizes bevy's entity index once
/// (`demography::spawn_residents`, up to twice the starting agents: beyond, the
/// index doubles as it would anyway) and bounds the memory a batch reserves per
/// replicate.
///
/// The bound is the highest point of the expected population over the horizon
/// ([`expected_population`]) plus six standard deviations of what chance adds to it: the
/// entrants and the deaths so far are each a sum of independent draws, so their variance
/// is at most their expected count, and a random walk passes a level above its end's
/// spread at most about twice as often as it ends there. It is never above the simpler
/// bound of every entrant as if nobody died (the one used before, which for the baseline
/// reserved 9.5 % more residents where the population grows 1.8 %, and for a century
/// 2.35 times the agents).
pub fn most_agents(scenario: &Scenario) -> u64 {
    let agents = scenario.population.agents;
    let path = expected_population(scenario);
    let spread = 6.0 * (path.entrants + path.deaths).sqrt();
    let nobody_dies = agents as f64 + path.entrants + 4.0 * path.entrants.sqrt();
    let bound = (path.most + spread).min(nobody_dies).ceil() + 256.0;
    agents.max(bound.min(u64::MAX as f64 / 2.0) as u64)
}

/// The most enterprise agents a replicate of `scenario` can hold at once (0 without
/// `[economy]`): every group's starting agents and every entrant of the horizon, exits
/// not counted, digital-factor-driven groups entering at full open data; one more per
/// group for the accrual's rounding.
pub fn most_enterprise_agents(scenario: &Scenario) -> u64 {
    let Some(e) = &scenario.economy else {
        return 0;
    };
    let years = scenario.scenario.tick_dates().len() as f64 * scenario.scenario.tick.years();
    let mut most = 0.0;
    for (g, group) in e.firms.iter().enumerate() {
        let open_data = match e.sector_index(&group.sector).map(|s| e.sectors[s].class) {
            Some(SectorClass::DigitalFactorDriven) => 1.0 + e.open_data_entry_effect,
            _ => 1.0,
        };
        let n = e.group_agents(g) as f64;
        most += n + (e.entry_per_year * n * years * open_data).ceil() + 1.0;
    }
    most.min(u64::MAX as f64 / 4.0) as u64
}

/// The expected population of a scenario over its horizon (see [`expected_population`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpectedPath {
    /// The largest expected number of residents at the end of a tick (or at the start).
    pub most: f64,
    /// The expected number of residents at the end of the horizon.
    pub last: f64,
    /// Expected entrants over the horizon.
    pub entrants: f64,
    /// Expected deaths over the horizon.
    pub deaths: f64,
}

/// The expected residents of `scenario` tick by tick, as the engine's steps move them:
/// the starting bands of the districts' age mixes; each tick ageing (young → middle →
/// senior), then death by the band reached, each with its exact chance over the tick;
/// then the tick's entrants, counted as young residents who all live through it (a
/// little high: some die or age within their first tick). Migration moves residents
/// between districts and does not change their number.
pub fn expected_population(scenario: &Scenario) -> ExpectedPath {
    let pop = &scenario.population;
    let n = pop.agents as f64;
    let dt = scenario.scenario.tick.years();
    let total = share_total(pop);
    let mut bands = [0.0; 3];
    for d in &pop.districts {
        let mix = age_mix(pop, d);
        let sum = (mix.young + mix.middle + mix.senior).max(1e-12);
        let people = n * d.share / total;
        for (band, share) in bands.iter_mut().zip([mix.young, mix.middle, mix.senior]) {
            *band += people * share / sum;
        }
    }
    let ageing = [
        within(pop.ageing.young_to_middle_per_year, dt),
        within(pop.ageing.middle_to_senior_per_year, dt),
    ];
    let m = &pop.demography.mortality_per_year;
    let dying = [m.young, m.middle, m.senior].map(|share| within(share, dt));
    let arriving = pop.demography.entrants_per_year * n * dt;
    let mut path = ExpectedPath {
        most: n,
        last: n,
        entrants: 0.0,
        deaths: 0.0,
    };
    for _ in 0..scenario.scenario.tick_dates().len() {
        let [young, middle, senior] = bands;
        let aged = [young * ageing[0], middle * ageing[1]];
        let before = [
            young - aged[0],
            middle - aged[1] + aged[0],
            senior + aged[1],
        ];
        for ((band, before), dying) in bands.iter_mut().zip(before).zip(dying) {
            path.deaths += before * dying;
            *band = before * (1.0 - dying);
        }
        bands[0] += arriving;
        path.entrants += arriving;
        path.last = bands.iter().sum();
        path.most = path.most.max(path.last);
    }
    path
}

/// Probability that an event with yearly share `share` happens within `dt` years.
pub fn within(share: f64, dt: f64) -> f64 {
    let share = share.clamp(0.0, 1.0);
    if share >= 1.0 {
        1.0
    } else {
        -math::exp_m1(math::ln_1p(-share) * dt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_hold_16_to_32_residents_a_cell_in_even_multiples_of_4096() {
        // Every bundled scenario (at most 42 districts) keeps chunks of 4,096.
        for most in [0, 1, 100_000, 5_100_000] {
            assert_eq!(chunk_residents(0, most), CHUNK_RESIDENTS);
            assert_eq!(chunk_residents(24, most), CHUNK_RESIDENTS);
            assert_eq!(chunk_residents(128, most), CHUNK_RESIDENTS);
        }
        assert_eq!(chunk_residents(129, 1_000_000), 2 * CHUNK_RESIDENTS);
        for cells in [129, 3_000, 30_000] {
            for most in [20_000u64, 1_020_000, 5_100_000] {
                let n = chunk_residents(cells, most);
                assert_eq!(n % CHUNK_RESIDENTS, 0);
                assert!(n < 32 * cells + CHUNK_RESIDENTS, "{cells}, {most}: {n}");
                let chunks = (most as usize).div_ceil(n);
                if chunks > 1 {
                    assert!(n >= 16 * cells, "{cells}, {most}: {n}");
                    // Even: the last chunk is not much smaller than the others.
                    let last = most as usize - (chunks - 1) * n;
                    assert!(last + chunks * CHUNK_RESIDENTS >= n, "{cells}, {most}: {n}");
                }
            }
        }
        // 9,990 districts of 1,020,000 residents at most: two chunks of about half.
        assert_eq!(chunk_residents(29_970, 1_020_000), 125 * CHUNK_RESIDENTS);
    }

    /// The bound sizes bevy's index and the batch's memory for the population the
    /// horizon can bring: a closed population needs no room, one that only shrinks none
    /// either, and a long horizon the expected peak rather than every entrant.
    #[test]
    fn the_most_residents_at_once_follow_the_expected_population() {
        let mut scenario = Scenario::baseline();
        let agents = 5_000_000;
        scenario.population.agents = agents;
        let n = agents as f64;
        // The baseline grows about 2 % in seven years: room for that and for chance,
        // not for every entrant as if nobody died (9.5 %).
        let path = expected_population(&scenario);
        let most = most_agents(&scenario) as f64;
        assert!((1.015 * n..1.025 * n).contains(&path.most), "{path:?}");
        assert!(
            most > path.most && most < path.most + 0.002 * n,
            "{most} {path:?}"
        );
        // A century: deaths catch up with the entrants, and the peak is the room.
        let mut century = scenario.clone();
        century.scenario.end = civitas_scenario::YearMonth::new(2123, 12).expect("a month");
        let long = expected_population(&century);
        assert!(long.entrants > n && long.last < long.most, "{long:?}");
        let most = most_agents(&century) as f64;
        assert!(most > long.most && most < 1.05 * n, "{most} {long:?}");
        // No entrants: the population can only shrink, and needs no room.
        let mut closed = scenario.clone();
        closed.population.demography.entrants_per_year = 0.0;
        assert_eq!(most_agents(&closed), agents + 256);
        closed.population.demography.mortality_per_year = PerBand {
            young: 0.0,
            middle: 0.0,
            senior: 0.0,
        };
        assert!((expected_population(&closed).last - n).abs() < 1e-6 * n);
        assert_eq!(most_agents(&closed), agents + 256);
    }
}
