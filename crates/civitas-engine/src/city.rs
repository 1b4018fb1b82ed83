//! The scenario compiled for one replicate: tick length, calendar, names resolved to
//! positions, the tick clock and the (district × band) cells every tally is kept by.

use bevy_ecs::prelude::*;
use civitas_scenario::{Band, Policy, Scenario, TickDate, YearMonth};

/// Days in a year, for converting tick lengths.
pub const DAYS_PER_YEAR: f64 = 365.25;

/// Immutable facts about the replicate being run.
#[derive(Resource, Debug, Clone)]
pub struct City {
    /// The scenario as loaded.
    pub scenario: Scenario,
    /// Seed of this replicate's random streams.
    pub seed: u64,
    /// Tick length in years (Δt of the Bass hazard).
    pub years_per_tick: f64,
    /// Tick length in months (health decay and capacities are per month).
    pub months_per_tick: f64,
    /// Tick length in days (queue waits).
    pub days_per_tick: f64,
    /// People one agent stands for.
    pub scale: f64,
    /// Start date of every tick.
    pub dates: Vec<TickDate>,
    /// Department position of each service's owner.
    pub service_owner: Vec<usize>,
    /// Department positions of the departments each service requires, as written.
    pub service_requires: Vec<Vec<usize>>,
    /// Department position responsible for each incident type.
    pub incident_department: Vec<usize>,
    /// Department position of the complaint hotline, when the scenario names one.
    pub complaint_department: Option<usize>,
    /// The adoption boost (per year) of each training a resident can have had, by the
    /// position a resident keeps ([`crate::residents::Digital::training`]): 0 for none,
    /// then the different boosts of the scenario's `digital_training` policies from the
    /// smallest up, each rounded to `f32`. In this order the largest boost of several
    /// offers is the one at the largest position.
    pub training_boosts: Vec<f64>,
    /// Residents in a chunk of the resident pass ([`crate::sizing::chunk_residents_of`]).
    pub chunk_residents: usize,
}

/// 0, then the different `adoption_boost` values of `scenario`'s `digital_training`
/// policies as `f32`, from the smallest up (see [`City::training_boosts`]).
fn training_boosts(scenario: &Scenario) -> Vec<f64> {
    let mut boosts: Vec<f32> = scenario
        .policies
        .iter()
        .filter_map(|p| match p {
            Policy::DigitalTraining(t) => Some(t.adoption_boost as f32),
            _ => None,
        })
        .collect();
    boosts.sort_by(f32::total_cmp);
    boosts.dedup();
    std::iter::once(0.0)
        .chain(boosts.into_iter().map(f64::from))
        .collect()
}

/// The position of department `name`: a loaded scenario names only departments that
/// exist, so a miss is a scenario built in code without [`Scenario::check`].
fn department(scenario: &Scenario, name: &str) -> usize {
    scenario.department_index(name).unwrap_or_else(|| {
        panic!("department {name:?} does not exist; check the scenario (Scenario::check) before simulating it")
    })
}

impl City {
    /// Compiles `scenario` for a replicate with random seed `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let years_per_tick = scenario.scenario.tick.years();
        Self {
            scenario: scenario.clone(),
            seed,
            years_per_tick,
            months_per_tick: years_per_tick * 12.0,
            days_per_tick: years_per_tick * DAYS_PER_YEAR,
            scale: scenario.population.scale,
            dates: scenario.scenario.tick_dates(),
            service_owner: scenario
                .services
                .iter()
                .map(|s| department(scenario, &s.owner))
                .collect(),
            service_requires: scenario
                .services
                .iter()
                .map(|s| s.requires.iter().map(|r| department(scenario, r)).collect())
                .collect(),
            incident_department: scenario
                .incidents
                .types
                .iter()
                .map(|t| department(scenario, &t.department))
                .collect(),
            complaint_department: scenario
                .population
                .behaviour
                .complaint_department
                .as_deref()
                .map(|n| department(scenario, n)),
            training_boosts: training_boosts(scenario),
            chunk_residents: crate::sizing::chunk_residents_of(scenario),
        }
    }

    /// The position in [`City::training_boosts`] of a training with `boost` per year.
    ///
    /// # Panics
    /// If no `digital_training` policy of the scenario has that boost.
    pub fn training_of(&self, boost: f64) -> u8 {
        let at = self.training_boosts[1..]
            .binary_search_by(|b| b.total_cmp(&f64::from(boost as f32)))
            .unwrap_or_else(|_| panic!("no digital_training policy has the boost {boost}"));
        u8::try_from(at + 1).expect("validation allows at most 255 digital_training policies")
    }

    /// Number of districts.
    pub fn districts(&self) -> usize {
        self.scenario.population.districts.len()
    }

    /// Number of departments.
    pub fn departments(&self) -> usize {
        self.scenario.departments.len()
    }

    /// The staff pay one offline-equivalent case of department `department` takes
    /// (currency): `staff_per_year / 12 / cases_per_staff_month`, for residents' requests
    /// and firms' errands alike.
    pub fn staff_cost_per_case(&self, department: usize) -> f64 {
        self.scenario.costs.staff_per_year
            / 12.0
            / self.scenario.departments[department].cases_per_staff_month
    }

    /// Number of (district, band) cells.
    pub fn cells(&self) -> usize {
        self.districts() * Band::ALL.len()
    }
}

/// Index of the (district, band) cell all tallies are kept by; scopes sum cells, so
/// district and band totals add up to the city total by construction.
#[inline]
pub fn cell(district: usize, band: Band) -> usize {
    district * Band::ALL.len() + band.index()
}

/// The cells of `district`, one per band in [`Band::ALL`] order.
#[inline]
pub fn district_cells(district: usize) -> std::ops::Range<usize> {
    let first = cell(district, Band::ALL[0]);
    first..first + Band::ALL.len()
}

/// The district of cell `c` (the inverse of [`cell`]).
#[inline]
pub fn cell_district(c: usize) -> usize {
    c / Band::ALL.len()
}

/// The band of cell `c` (the inverse of [`cell`]).
#[inline]
pub fn cell_band(c: usize) -> Band {
    Band::ALL[c % Band::ALL.len()]
}

/// Where the replicate stands in time.
#[derive(Resource, Debug, Clone, Copy)]
pub struct Clock {
    /// Tick index, from 0.
    pub tick: usize,
    /// Start date of the tick.
    pub date: TickDate,
    /// Whether this tick is the first of a calendar year after the start.
    pub new_year: bool,
}

impl Clock {
    /// The clock at tick `tick` of `city`.
    pub fn at(city: &City, tick: usize) -> Self {
        let date = city.dates[tick];
        let new_year = tick > 0 && city.dates[tick - 1].year != date.year;
        Self {
            tick,
            date,
            new_year,
        }
    }

    /// The calendar month of the tick, for policy and shock windows.
    pub fn month(&self) -> YearMonth {
        YearMonth {
            year: self.date.year,
            month: self.date.month,
        }
    }
}

/// Whether `month` lies in `[start, end]` (`end` open when `None`).
pub fn in_window(month: YearMonth, start: YearMonth, end: Option<YearMonth>) -> bool {
    month >= start && end.is_none_or(|e| month <= e)
}

/// Positions of the named entries in `all`, or every position when `names` is empty.
/// Unknown names are skipped (a validated scenario has none).
pub fn targets<'a>(
    names: &[String],
    all: impl Iterator<Item = &'a str> + Clone,
    count: usize,
) -> Vec<bool> {
    if names.is_empty() {
        return vec![true; count];
    }
    let mut mask = vec![false; count];
    for (i, n) in all.enumerate() {
        if names.iter().any(|x| x == n) {
            mask[i] = true;
        }
    }
    mask
}

/// Which bands a policy targets (all when empty).
pub fn band_targets(bands: &[Band]) -> [bool; 3] {
    let mut m = [bands.is_empty(); 3];
    for b in bands {
        m[b.index()] = true;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scenario whose training policies have `boosts`.
    fn with_training_boosts(boosts: &[f64]) -> Scenario {
        let mut s = Scenario::baseline();
        let training = s
            .policies
            .iter()
            .find(|p| matches!(p, Policy::DigitalTraining(_)))
            .expect("the baseline trains")
            .clone();
        s.policies
            .retain(|p| !matches!(p, Policy::DigitalTraining(_)));
        for (i, &b) in boosts.iter().enumerate() {
            let mut p = training.clone();
            if let Policy::DigitalTraining(t) = &mut p {
                t.name = format!("training {i}");
                t.adoption_boost = b;
            }
            s.policies.push(p);
        }
        s
    }

    /// Positions follow the boosts, so that the largest position among several offers is
    /// the largest boost (what `policies` keeps when offers overlap), and 0 is untrained.
    #[test]
    fn a_trainings_position_orders_its_boost() {
        let city = City::new(&with_training_boosts(&[0.3, 0.0, 0.1, 0.3]), 1);
        assert_eq!(
            city.training_boosts,
            vec![0.0, 0.0, f64::from(0.1f32), f64::from(0.3f32)]
        );
        let at = |b: f64| city.training_of(b);
        assert_eq!((at(0.0), at(0.1), at(0.3)), (1, 2, 3));
        for (x, y) in [(0.0, 0.1), (0.3, 0.1), (0.0, 0.3)] {
            let largest = at(x).max(at(y));
            assert_eq!(
                city.training_boosts[usize::from(largest)],
                f64::from(x.max(y) as f32)
            );
        }
        let none = City::new(&with_training_boosts(&[]), 1);
        assert_eq!(none.training_boosts, vec![0.0]);
    }
}
