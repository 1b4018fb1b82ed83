//! Policy levers on a timeline: what each policy's money buys, turned into the lever
//! state of each tick, and the assets the levers build and operate.
//!
//! A policy is in force in the months `[start, end]`. Its money per tick is
//! `amount_per_year × Δt` (the `[budget]` share of the total when the budget names it).
//! Every kind acts through its money and the scenario's unit costs (`[costs]`); a policy
//! with no money does nothing, and the optional goals (`coverage_per_year`,
//! `level_per_year`, `share_moved_per_year`) only cap what the money buys:
//! - `invest_digitization`, `invest_integration`, `operations_budget`: money in millions
//!   per department (equal shares; operation in proportion to the evaluation-budgeting
//!   weights, see [`crate::levers::OperationWeights`]).
//! - `digital_training`: the money of a targeted (district × band) cell, in proportion
//!   to its residents, pays `T = money / training_per_trainee` trainees a tick; an
//!   untrained resident of the cell is trained with probability `1 − e^(−T/P)` (`P` the
//!   cell's represented residents): the last untrained residents are the dearest to
//!   reach (diminishing returns). `device_subsidy` likewise pays `money /
//!   subsidy_per_device` devices among the cell's residents without one. A goal
//!   `coverage_per_year` caps the yearly share reached (a constant hazard, exact for any
//!   tick length). Overlapping offers combine as independent chances (largest literacy
//!   gain and boost win).
//! - Built assets — service-point coverage and sensor coverage per district, the
//!   governance platform level — are the starting value (run by budgets outside the
//!   scenario) plus what policies built. A district's (or the platform's) money pays the
//!   upkeep of what was built first (`upkeep × built` a year, so upkeep grows with what
//!   was built); the unfunded part of the built asset decays at its `decay_per_year`; what
//!   money is left builds with diminishing returns, `dC = (1 − C)·(money / full cost)`
//!   (full cost = 100 × the cost per point, or per resident × the district's residents for
//!   service points). Service-point money is split over the targeted districts by
//!   residents, sensor money equally (a point of one district's area costs the same
//!   everywhere). Integrated in substeps of at most a day, so weekly and monthly ticks
//!   agree; residents see the mean over the tick.
//! - `one_window`: money `m` a year per target department staffs its part of the window
//!   `f = 1 − e^(−m / one_window_per_department_year)` of the time; `staffing`: money hires
//!   `m / staff_per_year` case officers per target department, each handling the
//!   department's `cases_per_staff_month`. Staff follow their money at
//!   `staff_adjust_per_year` (hiring and redeploying take months): without money the
//!   window's staff and the hires leave the same way.
//! - `evaluation_budgeting`: money `m` a year moves `1 − e^(−m / (evaluation_cost_share ×
//!   B))` of the operation budget `B` in force toward the least-satisfying departments
//!   (see [`crate::departments`]).
//! - Spending: digitization, integration, IoT sensors and the governance platform are
//!   construction; the operation budget, training, device subsidies, service points, the
//!   one window and staffing are operation (running costs of the digital service). A
//!   policy's money is attributed to its targeted (district × band) cells in proportion
//!   to their residents, so district and band spending add up to the city's.
//!   Construction is amortised at `1 / construction_life_years` a year (declining
//!   balance) for `cost_per_request`.

use bevy_ecs::prelude::*;
use civitas_scenario::{Band, Policy, PolicyKind, UnitCosts, YearMonth};

use crate::math;

use crate::census::Census;
use crate::city::{City, Clock, band_targets, cell, in_window, targets};
use crate::levers::{Assets, GovernanceAssets, Levers, OperationWeights, ServicePoints};

/// Money amounts in the scenario file are in currency units; department gains are per million.
pub const CURRENCY_PER_MILLION: f64 = 1.0e6;

/// Points of coverage (or platform level) in a whole: unit costs are per point (0.01).
pub const POINTS_PER_WHOLE: f64 = 100.0;

/// Longest substep of the asset dynamics, in years (one day): short enough that the
/// switch between funded and unfunded upkeep is resolved, and weekly and monthly ticks
/// follow the same path.
pub const MAX_ASSET_STEP_YEARS: f64 = 1.0 / 365.25;

/// What one policy's money acts on, with its kind's parameters as given (validated).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    /// Construction money for digitization of the target departments.
    Digitization,
    /// Construction money for data integration of the target departments.
    Integration,
    /// Operation money of the target departments.
    Operation,
    /// Window staff of the target departments.
    OneWindow,
    /// Case officers hired for the target departments.
    Staffing,
    /// Trainees among the targeted cells.
    Training {
        goal_per_year: Option<f64>,
        literacy_gain: f64,
        /// Position of its boost in [`City::training_boosts`].
        training: u8,
    },
    /// Subsidised devices among the targeted cells.
    DeviceSubsidy { goal_per_year: Option<f64> },
    /// Service-point coverage of the target districts.
    ServicePoints { goal_per_year: Option<f64> },
    /// Sensor coverage of the target districts.
    Sensors { goal_per_year: Option<f64> },
    /// The governance platform.
    Platform { level_cap_per_year: Option<f64> },
    /// Evaluation moving operation money.
    Evaluation { share_cap_per_year: Option<f64> },
}

/// One policy compiled for the engine: its window, its money (its own or its budget
/// share), its targets as positions and what it acts on.
#[derive(Debug, Clone)]
struct CompiledPolicy {
    start: YearMonth,
    end: Option<YearMonth>,
    amount_per_year: f64,
    /// Whether its money counts as construction (otherwise operation).
    construction: bool,
    departments: Vec<bool>,
    districts: Vec<bool>,
    bands: [bool; 3],
    action: Action,
}

impl CompiledPolicy {
    fn new(city: &City, index: usize) -> Self {
        let s = &city.scenario;
        let p = &s.policies[index];
        let action = match p {
            Policy::InvestDigitization(_) => Action::Digitization,
            Policy::InvestIntegration(_) => Action::Integration,
            Policy::OperationsBudget(_) => Action::Operation,
            Policy::OneWindow(_) => Action::OneWindow,
            Policy::Staffing(_) => Action::Staffing,
            Policy::DigitalTraining(t) => Action::Training {
                goal_per_year: t.coverage_per_year,
                literacy_gain: t.literacy_gain,
                training: city.training_of(t.adoption_boost),
            },
            Policy::DeviceSubsidy(d) => Action::DeviceSubsidy {
                goal_per_year: d.coverage_per_year,
            },
            Policy::AssistedServicePoints(a) => Action::ServicePoints {
                goal_per_year: a.coverage_per_year,
            },
            Policy::IotSensors(a) => Action::Sensors {
                goal_per_year: a.coverage_per_year,
            },
            Policy::GovernancePlatform(g) => Action::Platform {
                level_cap_per_year: g.level_per_year,
            },
            Policy::EvaluationBudgeting(e) => Action::Evaluation {
                share_cap_per_year: e.share_moved_per_year,
            },
        };
        Self {
            start: p.start(),
            end: p.end(),
            amount_per_year: s.policy_amount_per_year(index),
            construction: is_construction(p.kind()),
            departments: targets(
                p.departments(),
                s.departments.iter().map(|d| d.name.as_str()),
                s.departments.len(),
            ),
            districts: targets(
                p.districts(),
                s.population.districts.iter().map(|d| d.name.as_str()),
                s.population.districts.len(),
            ),
            bands: band_targets(p.bands()),
            action,
        }
    }
}

/// The scenario's policies, resolved once.
#[derive(Resource, Debug, Clone)]
pub struct PolicyTimeline {
    policies: Vec<CompiledPolicy>,
}

impl PolicyTimeline {
    /// Resolves the policies of `city`.
    pub fn new(city: &City) -> Self {
        let policies = (0..city.scenario.policies.len())
            .map(|i| CompiledPolicy::new(city, i))
            .collect();
        Self { policies }
    }
}

/// Installs the compiled policy timeline of `city`.
pub fn install(world: &mut World, city: &City) {
    world.insert_resource(PolicyTimeline::new(city));
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

/// Splits `amount` over the entries in `mask` in proportion to `weights` (equal without).
fn spread(out: &mut [f64], mask: &[bool], weights: Option<&[f64]>, amount: f64) {
    let w = |j: usize| weights.map_or(1.0, |w| w[j]);
    let total: f64 = (0..out.len()).filter(|&j| mask[j]).map(w).sum();
    if total <= 0.0 {
        return;
    }
    for j in 0..out.len() {
        if mask[j] {
            out[j] += amount * w(j) / total;
        }
    }
}

/// How one kind of built asset is paid for.
#[derive(Debug, Clone, Copy)]
pub struct AssetCosts {
    /// Cost of building the whole asset from nothing at the first point's price (the
    /// build has diminishing returns: each point costs more as the asset nears 1).
    pub build_whole: f64,
    /// Yearly upkeep of the whole asset.
    pub upkeep_whole_per_year: f64,
    /// Share of the unfunded built asset lost per year (continuous rate).
    pub decay_per_year: f64,
}

/// Runs one asset (built part `built` on top of `base`, both shares of a whole) for
/// `years` with `money` spread evenly over them: money pays the upkeep of the built part
/// first, the unfunded part decays, the rest builds with diminishing returns. Returns the
/// asset's mean level (base + built, at most 1) over the period.
pub fn operate_asset(built: &mut f64, base: f64, money: f64, years: f64, costs: AssetCosts) -> f64 {
    if years <= 0.0 {
        return (base + *built).min(1.0);
    }
    let steps = (years / MAX_ASSET_STEP_YEARS).ceil().max(1.0);
    let h = years / steps;
    let rate = money / years;
    let mut mean = 0.0;
    for _ in 0..steps as usize {
        let before = (base + *built).min(1.0);
        let needed = costs.upkeep_whole_per_year * *built;
        let paid = rate.min(needed);
        let funded = if needed > 0.0 { paid / needed } else { 1.0 };
        *built *= math::exp(-costs.decay_per_year * (1.0 - funded) * h);
        let spare = rate - paid;
        if spare > 0.0 && costs.build_whole > 0.0 {
            let level = (base + *built).min(1.0);
            *built += (1.0 - level) * -math::exp_m1(-spare * h / costs.build_whole);
        }
        mean += 0.5 * (before + (base + *built).min(1.0));
    }
    mean / steps
}

/// Moves staff (or window staffing) `level` toward `funded` at `rate` per year over
/// `years` (exact); returns the mean level over the period.
pub fn follow_money(level: &mut f64, funded: f64, rate: f64, years: f64) -> f64 {
    let x = rate * years;
    if x <= 0.0 {
        return *level;
    }
    let gap = *level - funded;
    *level = funded + gap * math::exp(-x);
    funded + gap * -math::exp_m1(-x) / x
}

/// A yearly share `per_year` reached by a constant hazard, as the chance per tick of
/// `years`: exact for any tick length.
fn chance_per_tick(per_year: f64, years: f64) -> f64 {
    if per_year >= 1.0 {
        1.0
    } else {
        -math::exp_m1(math::ln_1p(-per_year) * years)
    }
}

/// Money each asset and staff pool receives this tick (currency).
struct Pools {
    service_points: Vec<f64>,
    sensors: Vec<f64>,
    platform: f64,
    platform_cap_per_year: Option<f64>,
    service_point_caps: Vec<Option<f64>>,
    sensor_caps: Vec<Option<f64>>,
    window: Vec<f64>,
    staffing: Vec<f64>,
}

/// Sets this tick's levers from the policy timeline and runs the assets they pay for.
#[allow(clippy::too_many_arguments)]
pub fn update_levers(
    city: Res<City>,
    clock: Res<Clock>,
    timeline: Res<PolicyTimeline>,
    census: Res<Census>,
    weights: Res<OperationWeights>,
    mut levers: ResMut<Levers>,
    mut assets: ResMut<Assets>,
    mut points: ResMut<ServicePoints>,
    mut governance: ResMut<GovernanceAssets>,
) {
    let levers = &mut *levers;
    let assets = &mut *assets;
    levers.reset();
    let dt = city.years_per_tick;
    let month = clock.month();
    let costs = &city.scenario.costs;
    let n_districts = city.districts();
    let nd = city.departments();
    let mut pools = Pools {
        service_points: vec![0.0; n_districts],
        sensors: vec![0.0; n_districts],
        platform: 0.0,
        platform_cap_per_year: None,
        service_point_caps: vec![None; n_districts],
        sensor_caps: vec![None; n_districts],
        window: vec![0.0; nd],
        staffing: vec![0.0; nd],
    };
    let district_people: Vec<f64> = (0..n_districts)
        .map(|d| {
            Band::ALL
                .into_iter()
                .map(|b| census.cells[cell(d, b)].residents as f64)
                .sum::<f64>()
                * city.scale
        })
        .collect();
    let in_force = |cp: &CompiledPolicy| in_window(month, cp.start, cp.end);
    let operation_budget_per_year: f64 = timeline
        .policies
        .iter()
        .filter(|cp| cp.action == Action::Operation && in_force(cp))
        .map(|cp| cp.amount_per_year)
        .sum();
    for cp in timeline.policies.iter().filter(|cp| in_force(cp)) {
        let money = cp.amount_per_year * dt;
        let millions = money / CURRENCY_PER_MILLION;
        let targeted = |c: usize| cp.districts[c / 3] && cp.bands[c % 3];
        match cp.action {
            Action::Digitization => spread(
                &mut levers.digitization_millions,
                &cp.departments,
                None,
                millions,
            ),
            Action::Integration => spread(
                &mut levers.integration_millions,
                &cp.departments,
                None,
                millions,
            ),
            Action::Operation => spread(
                &mut levers.operation_millions,
                &cp.departments,
                Some(&weights.0),
                millions,
            ),
            Action::OneWindow => spread(&mut pools.window, &cp.departments, None, money),
            Action::Staffing => spread(&mut pools.staffing, &cp.departments, None, money),
            Action::Training { goal_per_year, .. } | Action::DeviceSubsidy { goal_per_year } => {
                let people = |c: usize| census.cells[c].residents as f64 * city.scale;
                let total: f64 = (0..city.cells()).filter(|&c| targeted(c)).map(people).sum();
                if total <= 0.0 {
                    continue;
                }
                let goal = goal_per_year.map(|g| chance_per_tick(g, dt));
                for c in (0..city.cells()).filter(|&c| targeted(c)) {
                    let cell_money = money * people(c) / total;
                    let chance = if let Action::Training { .. } = cp.action {
                        let trainees = cell_money / costs.training_per_trainee;
                        -math::exp_m1(-trainees / people(c).max(f64::MIN_POSITIVE))
                    } else {
                        let without = (census.cells[c].residents - census.cells[c].devices) as f64
                            * city.scale;
                        let devices = cell_money / costs.subsidy_per_device;
                        if without > 0.0 {
                            -math::exp_m1(-devices / without)
                        } else {
                            0.0
                        }
                    };
                    let chance = goal.map_or(chance, |g| chance.min(g));
                    if let Action::Training {
                        literacy_gain,
                        training,
                        ..
                    } = cp.action
                    {
                        let offer = &mut levers.training[c];
                        offer.probability = 1.0 - (1.0 - offer.probability) * (1.0 - chance);
                        if chance > 0.0 {
                            offer.literacy_gain = offer.literacy_gain.max(literacy_gain);
                            // The largest boost is at the largest position.
                            offer.training = offer.training.max(training);
                        }
                    } else {
                        let q = &mut levers.device_subsidy_probability[c];
                        *q = 1.0 - (1.0 - *q) * (1.0 - chance);
                    }
                }
            }
            Action::ServicePoints { goal_per_year } => {
                let people: f64 = (0..n_districts)
                    .filter(|&d| cp.districts[d])
                    .map(|d| district_people[d])
                    .sum();
                for d in (0..n_districts).filter(|&d| cp.districts[d]) {
                    if people > 0.0 {
                        pools.service_points[d] += money * district_people[d] / people;
                    }
                    pools.service_point_caps[d] =
                        cap_sum(pools.service_point_caps[d], goal_per_year);
                }
            }
            Action::Sensors { goal_per_year } => {
                let count = cp.districts.iter().filter(|&&t| t).count().max(1) as f64;
                for d in (0..n_districts).filter(|&d| cp.districts[d]) {
                    pools.sensors[d] += money / count;
                    pools.sensor_caps[d] = cap_sum(pools.sensor_caps[d], goal_per_year);
                }
            }
            Action::Platform { level_cap_per_year } => {
                pools.platform += money;
                pools.platform_cap_per_year =
                    cap_sum(pools.platform_cap_per_year, level_cap_per_year);
            }
            Action::Evaluation { share_cap_per_year } => {
                let moved = if operation_budget_per_year > 0.0 {
                    -math::exp_m1(
                        -cp.amount_per_year
                            / (costs.evaluation_cost_share * operation_budget_per_year),
                    )
                } else {
                    0.0
                };
                let moved = share_cap_per_year.map_or(moved, |cap| moved.min(cap));
                levers.evaluation_share_per_year =
                    Some(levers.evaluation_share_per_year.unwrap_or(0.0).max(moved));
            }
        }
        // Attribute the money to the targeted cells by residents.
        let spend = if cp.construction {
            &mut levers.spend_construction
        } else {
            &mut levers.spend_operation
        };
        let mut attributed = vec![0.0; spend.len()];
        let people: f64 = (0..spend.len())
            .filter(|&c| targeted(c))
            .map(|c| census.cells[c].residents as f64)
            .sum();
        let count = (0..spend.len()).filter(|&c| targeted(c)).count();
        for (c, a) in attributed.iter_mut().enumerate() {
            if !targeted(c) {
                continue;
            }
            *a = if people > 0.0 {
                money * census.cells[c].residents as f64 / people
            } else {
                money / count as f64
            };
        }
        for (s, a) in spend.iter_mut().zip(&attributed) {
            *s += a;
        }
        if cp.action == Action::Staffing {
            for (s, a) in levers.spend_staffing.iter_mut().zip(&attributed) {
                *s += a;
            }
        }
    }
    run_assets(
        &city,
        costs,
        &pools,
        &district_people,
        assets,
        &mut points,
        &mut governance,
    );
    for j in 0..nd {
        let funded = -math::exp_m1(-pools.window[j] / dt / costs.one_window_per_department_year);
        levers.one_window[j] = follow_money(
            &mut assets.window_staffing[j],
            funded,
            costs.staff_adjust_per_year,
            dt,
        );
        let hires = pools.staffing[j] / dt / costs.staff_per_year;
        levers.hired_staff[j] = follow_money(
            &mut assets.hired_staff[j],
            hires,
            costs.staff_adjust_per_year,
            dt,
        );
    }
    let amortised = -math::exp_m1(-dt / costs.construction_life_years);
    for (c, k) in assets.construction_capital.iter_mut().enumerate() {
        *k += levers.spend_construction[c];
        levers.amortised_construction[c] = *k * amortised;
        *k -= levers.amortised_construction[c];
    }
}

/// Goals of two policies on one asset add up; a policy without a goal leaves the
/// collected one.
fn cap_sum(cap: Option<f64>, goal: Option<f64>) -> Option<f64> {
    match (cap, goal) {
        (Some(a), Some(b)) => Some(a + b),
        (None, b) => b,
        (a, None) => a,
    }
}

/// Runs service points, sensors and the platform for one tick with their pools' money;
/// a goal caps the growth of the built part within the tick.
fn run_assets(
    city: &City,
    costs: &UnitCosts,
    pools: &Pools,
    district_people: &[f64],
    assets: &mut Assets,
    points: &mut ServicePoints,
    governance: &mut GovernanceAssets,
) {
    let dt = city.years_per_tick;
    // A goal caps the built part's growth; residents then see the mean of the tick's
    // two ends.
    let capped = |seen: &mut f64, built: &mut f64, base: f64, before: f64, cap: Option<f64>| {
        if let Some(cap) = cap
            && *built > before + cap * dt
        {
            *built = before + cap * dt;
            *seen = 0.5 * ((base + before).min(1.0) + (base + *built).min(1.0));
        }
    };
    for (d, &people) in district_people.iter().enumerate() {
        let before = assets.service_points_built[d];
        let sp = AssetCosts {
            build_whole: costs.service_point_build_per_resident * people,
            upkeep_whole_per_year: costs.service_point_upkeep_per_resident_per_year * people,
            decay_per_year: costs.service_point_decay_per_year,
        };
        points.0[d] = operate_asset(
            &mut assets.service_points_built[d],
            assets.service_points_base[d],
            pools.service_points[d],
            dt,
            sp,
        );
        capped(
            &mut points.0[d],
            &mut assets.service_points_built[d],
            assets.service_points_base[d],
            before,
            pools.service_point_caps[d],
        );
        let before = assets.sensors_built[d];
        let sensors = AssetCosts {
            build_whole: costs.sensor_build_per_point * POINTS_PER_WHOLE,
            upkeep_whole_per_year: costs.sensor_upkeep_per_point_per_year * POINTS_PER_WHOLE,
            decay_per_year: costs.sensor_decay_per_year,
        };
        governance.iot_coverage[d] = operate_asset(
            &mut assets.sensors_built[d],
            assets.sensors_base[d],
            pools.sensors[d],
            dt,
            sensors,
        );
        capped(
            &mut governance.iot_coverage[d],
            &mut assets.sensors_built[d],
            assets.sensors_base[d],
            before,
            pools.sensor_caps[d],
        );
    }
    let before = assets.platform_built;
    let platform = AssetCosts {
        build_whole: costs.platform_build_per_point * POINTS_PER_WHOLE,
        upkeep_whole_per_year: costs.platform_upkeep_per_point_per_year * POINTS_PER_WHOLE,
        decay_per_year: costs.platform_decay_per_year,
    };
    governance.platform_level = operate_asset(
        &mut assets.platform_built,
        assets.platform_base,
        pools.platform,
        dt,
        platform,
    );
    capped(
        &mut governance.platform_level,
        &mut assets.platform_built,
        assets.platform_base,
        before,
        pools.platform_cap_per_year,
    );
}
