//! Policy levers on a timeline, turned into the lever state of each tick.
//!
//! A policy is in force in the months `[start, end]`. Its money per tick is
//! `amount_per_year × Δt`, spread over its target departments (equal shares; for
//! `operations_budget` in proportion to the evaluation-budgeting weights, see
//! [`crate::departments::OperationWeights`]).
//!
//! Choices where SPEC.md is silent:
//! - Coverage levers (`assisted_service_points`, `iot_sensors`) add `coverage_per_year`
//!   of the targeted districts' residents (area) per year, growing linearly in time and
//!   capped at full coverage; a tick uses the coverage at its middle (half a tick of
//!   growth in the first tick of the policy, the last half tick after it ends), so weekly
//!   and monthly ticks see the same coverage on average.
//! - `digital_training` trains each untrained targeted resident with probability
//!   `1 − (1 − coverage_per_year)^Δt` per tick, so that exactly `coverage_per_year` of
//!   them are trained in a year whatever the tick length (a constant hazard);
//!   `device_subsidy` gives a device to a targeted resident without one with the same
//!   per-tick probability. Overlapping offers combine as independent chances (largest
//!   literacy gain and boost win).
//! - `governance_platform` raises the city platform level by `level_per_year` a year, in
//!   the same way.
//! - `one_window` marks its target departments as served by the one window (see
//!   [`crate::channels`]).
//! - Spending: digitization, integration, IoT sensors and the governance platform are
//!   construction; the operation budget, training, device subsidies, service points and
//!   the one window are operation (running costs of the digital service). A policy's
//!   money is attributed to its targeted (district × band) cells in proportion to their
//!   residents, so district and band spending add up to the city's.

use bevy_ecs::prelude::*;
use civitas_scenario::{Policy, PolicyKind};

use crate::math;

use crate::channels::ServicePoints;
use crate::city::{City, Clock, band_targets, cell, in_window, targets};
use crate::departments::OperationWeights;
use crate::incidents::IncidentState;
use crate::metrics::Census;

/// Money amounts in the scenario file are in currency units; department gains are per million.
pub const CURRENCY_PER_MILLION: f64 = 1.0e6;

/// A training offer open to one (district × band) cell in this tick.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TrainingOffer {
    /// Chance an untrained resident of the cell is trained this tick.
    pub probability: f64,
    /// Literacy added to a trained resident.
    pub literacy_gain: f64,
    /// Added to the Bass p (per year) of a trained resident.
    pub adoption_boost_per_year: f64,
}

/// One policy with its targets resolved to positions.
#[derive(Debug, Clone)]
struct CompiledPolicy {
    policy: Policy,
    departments: Vec<bool>,
    districts: Vec<bool>,
    bands: [bool; 3],
}

/// The scenario's policies, resolved once.
#[derive(Resource, Debug, Clone)]
pub struct PolicyTimeline {
    policies: Vec<CompiledPolicy>,
}

impl PolicyTimeline {
    /// Resolves the policies of `city`.
    pub fn new(city: &City) -> Self {
        let s = &city.scenario;
        let policies = s
            .policies
            .iter()
            .map(|p| CompiledPolicy {
                policy: p.clone(),
                departments: targets(
                    &p.departments,
                    s.departments.iter().map(|d| d.name.as_str()),
                    s.departments.len(),
                ),
                districts: targets(
                    &p.districts,
                    s.population.districts.iter().map(|d| d.name.as_str()),
                    s.population.districts.len(),
                ),
                bands: band_targets(&p.bands),
            })
            .collect();
        Self { policies }
    }
}

/// The state of every lever in the current tick.
#[derive(Resource, Debug, Clone)]
pub struct Levers {
    /// Construction money for digitization per department, millions this tick.
    pub digitization_millions: Vec<f64>,
    /// Construction money for data integration per department, millions this tick.
    pub integration_millions: Vec<f64>,
    /// Operation money per department, millions this tick.
    pub operation_millions: Vec<f64>,
    /// Departments served by a one window this tick.
    pub one_window: Vec<bool>,
    /// Training offer per (district × band) cell.
    pub training: Vec<TrainingOffer>,
    /// Chance per tick that a resident of the cell without a device gets a subsidised one.
    pub device_subsidy_probability: Vec<f64>,
    /// Share of the operation budget moved by evaluation budgeting at a new year, when in force.
    pub evaluation_share_per_year: Option<f64>,
    /// Construction spending per cell this tick (currency).
    pub spend_construction: Vec<f64>,
    /// Operation spending per cell this tick (currency).
    pub spend_operation: Vec<f64>,
}

impl Levers {
    /// All levers off.
    pub fn new(city: &City) -> Self {
        let nd = city.departments();
        let nc = city.cells();
        Self {
            digitization_millions: vec![0.0; nd],
            integration_millions: vec![0.0; nd],
            operation_millions: vec![0.0; nd],
            one_window: vec![false; nd],
            training: vec![TrainingOffer::default(); nc],
            device_subsidy_probability: vec![0.0; nc],
            evaluation_share_per_year: None,
            spend_construction: vec![0.0; nc],
            spend_operation: vec![0.0; nc],
        }
    }

    fn reset(&mut self) {
        for v in [
            &mut self.digitization_millions,
            &mut self.integration_millions,
            &mut self.operation_millions,
            &mut self.device_subsidy_probability,
            &mut self.spend_construction,
            &mut self.spend_operation,
        ] {
            v.fill(0.0);
        }
        self.one_window.fill(false);
        self.training.fill(TrainingOffer::default());
        self.evaluation_share_per_year = None;
    }
}

/// Whether a policy kind's money counts as construction (otherwise operation).
pub fn is_construction(kind: PolicyKind) -> bool {
    matches!(
        kind,
        PolicyKind::InvestDigitization
            | PolicyKind::InvestIntegration
            | PolicyKind::IotSensors
            | PolicyKind::GovernancePlatform
    )
}

/// Splits `millions` over the departments in `mask` in proportion to `weights`.
fn spread(out: &mut [f64], mask: &[bool], weights: Option<&[f64]>, millions: f64) {
    let w = |j: usize| weights.map_or(1.0, |w| w[j]);
    let total: f64 = (0..out.len()).filter(|&j| mask[j]).map(w).sum();
    if total <= 0.0 {
        return;
    }
    for j in 0..out.len() {
        if mask[j] {
            out[j] += millions * w(j) / total;
        }
    }
}

/// Grows the coverage (service points, IoT sensors) or platform level of a coverage
/// policy over `years`.
fn grow_coverage(
    cp: &CompiledPolicy,
    years: f64,
    points: &mut ServicePoints,
    incidents: &mut IncidentState,
) {
    let p = &cp.policy;
    let gain = (p.coverage_per_year.unwrap_or(0.0).max(0.0) * years).min(1.0);
    match p.kind {
        PolicyKind::AssistedServicePoints => {
            for (c, _) in points.0.iter_mut().zip(&cp.districts).filter(|(_, t)| **t) {
                *c = (*c + gain).min(1.0);
            }
        }
        PolicyKind::IotSensors => {
            for (c, _) in incidents
                .iot_coverage
                .iter_mut()
                .zip(&cp.districts)
                .filter(|(_, t)| **t)
            {
                *c = (*c + gain).min(1.0);
            }
        }
        PolicyKind::GovernancePlatform => {
            incidents.platform_level = (incidents.platform_level
                + p.level_per_year.unwrap_or(0.0).max(0.0) * years)
                .min(1.0);
        }
        _ => {}
    }
}

/// Sets this tick's levers from the policy timeline and applies coverage growth.
#[allow(clippy::too_many_arguments)]
pub fn update_levers(
    city: Res<City>,
    clock: Res<Clock>,
    timeline: Res<PolicyTimeline>,
    census: Res<Census>,
    weights: Res<OperationWeights>,
    mut levers: ResMut<Levers>,
    mut points: ResMut<ServicePoints>,
    mut incidents: ResMut<IncidentState>,
) {
    let levers = &mut *levers;
    levers.reset();
    let dt = city.years_per_tick;
    let month = clock.month();
    let n_districts = city.districts();
    let previous = clock.tick.checked_sub(1).map(|t| {
        let d = city.dates[t];
        civitas_scenario::YearMonth {
            year: d.year,
            month: d.month,
        }
    });
    for cp in &timeline.policies {
        let p = &cp.policy;
        let now = in_window(month, p.start, p.end);
        let before = previous.is_some_and(|m| in_window(m, p.start, p.end));
        // Coverage and level levers grow linearly in time; the tick's value is the one
        // at its middle (midpoint rule): half a tick of growth when the policy starts,
        // a whole tick while it runs, the last half tick once it has ended.
        let growth_ticks = match (before, now) {
            (true, true) => 1.0,
            (false, true) | (true, false) => 0.5,
            (false, false) => 0.0,
        };
        if growth_ticks > 0.0 {
            grow_coverage(cp, growth_ticks * dt, &mut points, &mut incidents);
        }
        if !now {
            continue;
        }
        let money = p.amount_per_year.max(0.0) * dt;
        let millions = money / CURRENCY_PER_MILLION;
        // A yearly share reached by a constant hazard: exact for any tick length.
        let chance_per_tick = |per_year: Option<f64>| {
            let share = per_year.unwrap_or(0.0).clamp(0.0, 1.0);
            if share >= 1.0 {
                1.0
            } else {
                -math::exp_m1(math::ln_1p(-share) * dt)
            }
        };
        match p.kind {
            PolicyKind::InvestDigitization => spread(
                &mut levers.digitization_millions,
                &cp.departments,
                None,
                millions,
            ),
            PolicyKind::InvestIntegration => spread(
                &mut levers.integration_millions,
                &cp.departments,
                None,
                millions,
            ),
            PolicyKind::OperationsBudget => spread(
                &mut levers.operation_millions,
                &cp.departments,
                Some(&weights.0),
                millions,
            ),
            PolicyKind::OneWindow => {
                for (w, &on) in levers.one_window.iter_mut().zip(&cp.departments) {
                    *w |= on;
                }
            }
            PolicyKind::DigitalTraining => {
                let chance = chance_per_tick(p.coverage_per_year);
                for d in (0..n_districts).filter(|&d| cp.districts[d]) {
                    for b in civitas_scenario::Band::ALL
                        .into_iter()
                        .filter(|b| cp.bands[b.index()])
                    {
                        let offer = &mut levers.training[cell(d, b)];
                        offer.probability = 1.0 - (1.0 - offer.probability) * (1.0 - chance);
                        offer.literacy_gain =
                            offer.literacy_gain.max(p.literacy_gain.unwrap_or(0.0));
                        offer.adoption_boost_per_year = offer
                            .adoption_boost_per_year
                            .max(p.adoption_boost.unwrap_or(0.0));
                    }
                }
            }
            PolicyKind::DeviceSubsidy => {
                let chance = chance_per_tick(p.coverage_per_year);
                for d in (0..n_districts).filter(|&d| cp.districts[d]) {
                    for b in civitas_scenario::Band::ALL
                        .into_iter()
                        .filter(|b| cp.bands[b.index()])
                    {
                        let q = &mut levers.device_subsidy_probability[cell(d, b)];
                        *q = 1.0 - (1.0 - *q) * (1.0 - chance);
                    }
                }
            }
            PolicyKind::AssistedServicePoints
            | PolicyKind::IotSensors
            | PolicyKind::GovernancePlatform => {}
            PolicyKind::EvaluationBudgeting => {
                levers.evaluation_share_per_year =
                    Some(p.share_moved_per_year.unwrap_or(0.0).clamp(0.0, 1.0));
            }
        }
        // Attribute the money to the targeted cells by residents.
        let spend = if is_construction(p.kind) {
            &mut levers.spend_construction
        } else {
            &mut levers.spend_operation
        };
        let targeted = |c: usize| cp.districts[c / 3] && cp.bands[c % 3];
        let people: f64 = (0..spend.len())
            .filter(|&c| targeted(c))
            .map(|c| census.cells[c].residents as f64)
            .sum();
        let count = (0..spend.len()).filter(|&c| targeted(c)).count();
        for (c, s) in spend.iter_mut().enumerate() {
            if !targeted(c) {
                continue;
            }
            *s += if people > 0.0 {
                money * census.cells[c].residents as f64 / people
            } else {
                money / count as f64
            };
        }
    }
}
