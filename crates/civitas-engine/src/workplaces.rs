//! Workplaces and commutes: where the working residents work, given where the firms'
//! jobs are. Only with `[economy]`; without it [`Commuting`] stays NaN.
//!
//! **Workers.** The residents of the `young` and `middle` bands (15–59, China's working
//! ages) work; seniors do not. No uniform employment rate is modelled: it would scale
//! every district's workers alike and change none of the means below.
//!
//! **Workplaces** (a production-constrained gravity model with exponential deterrence,
//! Wilson 1971). The workers of home district `i` work in district `j` with the share
//!
//! ```text
//! P_ij = D_j·e^(−β·t_ij) / Σ_k D_k·e^(−β·t_ik)
//! ```
//!
//! `D_j` the jobs of the firms located in `j` (Σ firms × `jobs_per_firm`, as the
//! enterprise pass counted them), `t_ij` the one-way commute in minutes (the home
//! district's `commute_minutes`, or `[population.commute]`'s `within_district_minutes`
//! and `between_district_minutes`) and `β` its `deterrence_per_minute`. Each home
//! district's workers' mean one-way commute is `m_i = Σ_j P_ij·t_ij` and the share
//! working where they live `P_ii`; the indicators weigh them by each district's workers
//! of the tick (`metrics`).
//!
//! **Reassignment.** The shares are worked out at the first tick of the run and again at
//! the first tick of each calendar year, from the jobs of that tick's firms (entrants and
//! exits of the year before included): people change jobs rarely, and a year is the
//! step of the published commute surveys. Within the year a resident who moves district
//! (rural-to-urban migration) or ages into or out of the working bands takes their new
//! district's shares at once: a workplace is a flow of the home district, not a state of
//! the resident.
//!
//! **Why flows, not a draw per resident.** No other mechanism reads a resident's
//! workplace, so a workplace drawn per resident would add only sampling noise, 2 to 4
//! bytes to each resident (20 now, no spare byte) and work in the resident pass; the
//! expectations are exact and cost `O(districts)` a year with the default times
//! (`O(districts²)` with every district's row given). Complaints and firms' errands are
//! kept as their expectation for the same reason.
//!
//! Everything here runs on one thread in district order: the outputs do not depend on
//! the number of threads.

use bevy_ecs::prelude::*;
use civitas_scenario::Population;

use crate::city::{City, Clock};
use crate::firms::{Commuting, EconomyTallies};
use crate::math;

/// Installs [`Commuting`], NaN until the first assignment (and for good without
/// `[economy]`).
pub fn install(world: &mut World, city: &City) {
    let districts = city.districts();
    world.insert_resource(Commuting {
        minutes: vec![f64::NAN; districts],
        home_share: vec![f64::NAN; districts],
    });
}

/// The workplace shares of the working residents of `home` given the jobs `jobs` of
/// each district: `P_hj` for every `j` (all zero when no district has jobs).
pub fn workplace_shares(population: &Population, jobs: &[f64], home: usize) -> Vec<f64> {
    let beta = population.commute.deterrence_per_minute;
    let t = |j: usize| population.commute_minutes(home, j);
    // Weights relative to the nearest district with jobs, so that no weight underflows
    // to zero for all of them at once (a long commute times a steep deterrence).
    let nearest = (0..jobs.len())
        .filter(|&j| jobs[j] > 0.0)
        .map(t)
        .fold(f64::INFINITY, f64::min);
    let weights: Vec<f64> = (0..jobs.len())
        .map(|j| {
            if jobs[j] > 0.0 {
                jobs[j] * math::exp(-beta * (t(j) - nearest))
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = weights.iter().sum();
    if total > 0.0 {
        weights.iter().map(|w| w / total).collect()
    } else {
        vec![0.0; jobs.len()]
    }
}

/// Each home district's mean one-way commute and share working at home, given the jobs
/// of each district (NaN for both when no district has jobs).
pub fn commuting(population: &Population, jobs: &[f64]) -> Commuting {
    let all_jobs: f64 = jobs.iter().sum();
    let beta = population.commute.deterrence_per_minute;
    let (within, between) = (
        population.commute.within_district_minutes,
        population.commute.between_district_minutes,
    );
    let mut minutes = Vec::with_capacity(jobs.len());
    let mut home_share = Vec::with_capacity(jobs.len());
    for (i, district) in population.districts.iter().enumerate() {
        if all_jobs <= 0.0 {
            minutes.push(f64::NAN);
            home_share.push(f64::NAN);
            continue;
        }
        if district.commute_minutes.is_some() {
            let p = workplace_shares(population, jobs, i);
            minutes.push(
                p.iter()
                    .enumerate()
                    .map(|(j, p)| p * population.commute_minutes(i, j))
                    .sum(),
            );
            home_share.push(p[i]);
        } else {
            // The default row: two times, so two terms (the home district's jobs and
            // everyone else's), relative to the nearer one that has jobs.
            let (here, elsewhere) = (jobs[i], (all_jobs - jobs[i]).max(0.0));
            let nearest = if here > 0.0 { within } else { between };
            let a = here * math::exp(-beta * (within - nearest));
            let b = elsewhere * math::exp(-beta * (between - nearest));
            minutes.push((a * within + b * between) / (a + b));
            home_share.push(a / (a + b));
        }
    }
    Commuting {
        minutes,
        home_share,
    }
}

/// At the first tick and the first tick of each year, assigns the working residents'
/// workplaces from the jobs of the firms the enterprise pass counted this tick.
pub fn assign_workplaces(
    city: Res<City>,
    clock: Res<Clock>,
    tallies: Res<EconomyTallies>,
    mut commuting: ResMut<Commuting>,
) {
    if city.scenario.economy.is_none() || !(clock.tick == 0 || clock.new_year) {
        return;
    }
    let jobs: Vec<f64> = tallies.0.iter().map(|d| d.jobs).collect();
    *commuting = self::commuting(&city.scenario.population, &jobs);
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_scenario::Scenario;

    /// The default row's two-term shortcut gives what the general sum gives.
    #[test]
    fn the_default_times_give_the_general_gravity_sum() {
        let mut s = Scenario::baseline();
        for d in &mut s.population.districts {
            d.commute_minutes = None;
        }
        let pop = &s.population;
        let jobs: Vec<f64> = (0..pop.districts.len())
            .map(|j| [1e5, 0.0, 3e4, 7e5][j % 4])
            .collect();
        let fast = commuting(pop, &jobs);
        for i in 0..pop.districts.len() {
            let p = workplace_shares(pop, &jobs, i);
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let m: f64 = (0..jobs.len())
                .map(|j| p[j] * pop.commute_minutes(i, j))
                .sum();
            assert!(
                (fast.minutes[i] - m).abs() < 1e-9,
                "{i}: {} {m}",
                fast.minutes[i]
            );
            assert!((fast.home_share[i] - p[i]).abs() < 1e-12);
        }
        let none = commuting(pop, &vec![0.0; jobs.len()]);
        assert!(none.minutes.iter().all(|m| m.is_nan()));
    }

    /// A steep deterrence over long commutes underflows no district to "no job".
    #[test]
    fn a_steep_deterrence_still_sends_everyone_to_the_nearest_jobs() {
        let mut s = Scenario::baseline();
        s.population.commute.deterrence_per_minute = 10.0;
        let n = s.population.districts.len();
        for (i, d) in s.population.districts.iter_mut().enumerate() {
            let row = (0..n).map(|j| if i == j { 500.0 } else { 550.0 + j as f64 });
            d.commute_minutes = Some(row.collect());
        }
        let mut jobs = vec![0.0; n];
        jobs[n - 1] = 10.0;
        jobs[n - 2] = 10.0;
        let c = commuting(&s.population, &jobs);
        // The nearest jobs, and a minute further e^(−10) as many.
        assert!((c.minutes[0] - (550.0 + (n - 2) as f64)).abs() < 1e-3);
        assert_eq!(c.home_share[n - 1], 1.0);
    }
}
