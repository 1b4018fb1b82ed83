//! What the policies produce: the lever state of each tick, the assets the levers built
//! and keep running, and what those assets offer residents this tick.
//!
//! `policies` writes these once per tick (and evaluation budgeting in
//! [`crate::departments`] moves [`OperationWeights`]); every other mechanism only reads
//! them, so no mechanism writes another's state.

use bevy_ecs::prelude::*;
use civitas_scenario::Band;

use crate::city::City;

/// A training offer open to one (district × band) cell in this tick.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TrainingOffer {
    /// Chance an untrained resident of the cell is trained this tick.
    pub probability: f64,
    /// Literacy added to a trained resident.
    pub literacy_gain: f64,
    /// The training a trained resident keeps: the position of the largest boost offered
    /// in [`City::training_boosts`] (added to their Bass p per year).
    pub training: u8,
}

/// What the levers built and keep running: each asset is its starting value plus what
/// policies built; both parts need upkeep and decay without it (see
/// `policies`).
#[derive(Resource, Debug, Clone)]
pub struct Assets {
    /// Service-point coverage of the starting points still running, per district.
    pub service_points_base: Vec<f64>,
    /// Service-point coverage built by policies, per district.
    pub service_points_built: Vec<f64>,
    /// Sensor coverage of the starting sensors still running, per district.
    pub sensors_base: Vec<f64>,
    /// Sensor coverage built by policies, per district.
    pub sensors_built: Vec<f64>,
    /// Governance platform level of the starting platform still running.
    pub platform_base: f64,
    /// Governance platform level built by policies.
    pub platform_built: f64,
    /// Share of the time each department is staffed at the one window.
    pub window_staffing: Vec<f64>,
    /// Case officers hired by staffing policies, per department.
    pub hired_staff: Vec<f64>,
    /// Construction spending not yet amortised, per cell (currency).
    pub construction_capital: Vec<f64>,
}

impl Assets {
    /// The starting assets of `city`: nothing built yet.
    pub fn new(city: &City) -> Self {
        let s = &city.scenario;
        let districts = &s.population.districts;
        let nd = city.departments();
        Self {
            service_points_base: districts.iter().map(|d| d.service_points).collect(),
            service_points_built: vec![0.0; districts.len()],
            sensors_base: districts.iter().map(|d| d.iot_coverage).collect(),
            sensors_built: vec![0.0; districts.len()],
            platform_base: s.incidents.platform_level,
            platform_built: 0.0,
            window_staffing: vec![0.0; nd],
            hired_staff: vec![0.0; nd],
            construction_capital: vec![0.0; city.cells()],
        }
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
    /// Share of the time each department is staffed at the one window (mean over the tick).
    pub one_window: Vec<f64>,
    /// Case officers hired by staffing policies per department (mean over the tick).
    pub hired_staff: Vec<f64>,
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
    /// Of the operation spending, what staffing policies pay their hires (their time
    /// enters `cost_per_request` as staff time, not twice).
    pub spend_staffing: Vec<f64>,
    /// Construction spending amortised in this tick per cell (currency).
    pub amortised_construction: Vec<f64>,
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
            one_window: vec![0.0; nd],
            hired_staff: vec![0.0; nd],
            training: vec![TrainingOffer::default(); nc],
            device_subsidy_probability: vec![0.0; nc],
            evaluation_share_per_year: None,
            spend_construction: vec![0.0; nc],
            spend_operation: vec![0.0; nc],
            spend_staffing: vec![0.0; nc],
            amortised_construction: vec![0.0; nc],
        }
    }

    pub(crate) fn reset(&mut self) {
        for v in [
            &mut self.digitization_millions,
            &mut self.integration_millions,
            &mut self.operation_millions,
            &mut self.one_window,
            &mut self.hired_staff,
            &mut self.device_subsidy_probability,
            &mut self.spend_construction,
            &mut self.spend_operation,
            &mut self.spend_staffing,
            &mut self.amortised_construction,
        ] {
            v.fill(0.0);
        }
        self.training.fill(TrainingOffer::default());
        self.evaluation_share_per_year = None;
    }
}

/// Relative share of the operation budget each department receives: its caseload
/// without evaluation (see [`OperationWeights::caseload`]), moved by evaluation budgeting.
#[derive(Resource, Debug, Clone)]
pub struct OperationWeights(pub Vec<f64>);

impl OperationWeights {
    /// The caseload split of `city` (see [`OperationWeights::caseload`]).
    pub fn new(city: &City) -> Self {
        Self(Self::caseload(city))
    }

    /// Each department's expected requests a year from the starting population (the
    /// services it owns, their demand per band and the city's age mix), scaled so the
    /// weights average 1; all 1 when no department has requests. Without evaluation,
    /// operation money follows these weights: a department with 235,000 requests a month
    /// runs more system than one with 1,000 (the equal split that came before gave them
    /// the same money; issue 29).
    pub fn caseload(city: &City) -> Vec<f64> {
        let pop = &city.scenario.population;
        let total = crate::sizing::share_total(pop);
        let mut mix = [0.0; 3];
        for d in &pop.districts {
            let m = crate::sizing::age_mix(pop, d);
            let sum = (m.young + m.middle + m.senior).max(1e-12);
            for b in Band::ALL {
                mix[b.index()] += d.share / total * m.get(b) / sum;
            }
        }
        let mut load = vec![0.0; city.departments()];
        for (i, svc) in city.scenario.services.iter().enumerate() {
            load[city.service_owner[i]] += Band::ALL
                .into_iter()
                .map(|b| svc.demand_per_year.get(b) * mix[b.index()])
                .sum::<f64>();
        }
        let sum: f64 = load.iter().sum();
        if sum <= 0.0 {
            return vec![1.0; load.len()];
        }
        let n = load.len() as f64;
        load.iter().map(|l| l * n / sum).collect()
    }
}

/// Share of each district's residents within reach of a community service point (the
/// mean over the tick).
#[derive(Resource, Debug, Clone)]
pub struct ServicePoints(pub Vec<f64>);

impl ServicePoints {
    /// The starting coverage of `city`.
    pub fn new(city: &City) -> Self {
        Self(
            city.scenario
                .population
                .districts
                .iter()
                .map(|d| d.service_points)
                .collect(),
        )
    }
}

/// Sensor coverage and governance platform level in service (the means over the tick).
#[derive(Resource, Debug, Clone)]
pub struct GovernanceAssets {
    /// IoT sensor coverage per district, in [0, 1].
    pub iot_coverage: Vec<f64>,
    /// Governance platform ("one network management") level, in [0, 1].
    pub platform_level: f64,
}

impl GovernanceAssets {
    /// The starting coverage and level of `city`.
    pub fn new(city: &City) -> Self {
        let s = &city.scenario;
        Self {
            iot_coverage: s
                .population
                .districts
                .iter()
                .map(|d| d.iot_coverage)
                .collect(),
            platform_level: s.incidents.platform_level,
        }
    }
}

/// Installs every lever off and the assets at their starting values.
pub fn install(world: &mut World, city: &City) {
    world.insert_resource(Levers::new(city));
    world.insert_resource(Assets::new(city));
    world.insert_resource(GovernanceAssets::new(city));
    world.insert_resource(OperationWeights::new(city));
    world.insert_resource(ServicePoints::new(city));
}

/// The multipliers of the shocks in force this tick (set by [`crate::shocks`], read by
/// the departments and incidents they strike).
#[derive(Resource, Debug, Clone)]
pub struct ShockState {
    /// Multiplier on each department's system health.
    pub health_factor: Vec<f64>,
    /// Multiplier on each department's capacity.
    pub capacity_factor: Vec<f64>,
    /// Multiplier on each department's online failure probability.
    pub failure_factor: Vec<f64>,
    /// Multiplier on each district's incident rates.
    pub incident_factor: Vec<f64>,
}

impl ShockState {
    /// No shock in force.
    pub fn new(city: &City) -> Self {
        Self {
            health_factor: vec![1.0; city.departments()],
            capacity_factor: vec![1.0; city.departments()],
            failure_factor: vec![1.0; city.departments()],
            incident_factor: vec![1.0; city.districts()],
        }
    }
}
