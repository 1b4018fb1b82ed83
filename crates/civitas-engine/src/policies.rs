//! Policy levers on a timeline: what each policy's money buys, turned into the lever
//! state of each tick, and the assets the levers build and operate.
//!
//! A policy is in force in the months `[start, end]`. Its money per tick is
//! `amount_per_year × Δt` (the `[budget]` share of the total when the budget names it).
//! Every kind acts through its money and the scenario's unit costs (`[costs]`); a policy
//! with no money does nothing, and the optional goals (`coverage_per_year`,
//! `level_per_year`, `share_moved_per_year`) only cap what the money buys:
//! - `invest_digitization`, `invest_integration`, `operations_budget`: money in millions
//!   per department (equal shares; operation in proportion to the caseload weights as
//!   evaluation budgeting moves them, see [`crate::levers::OperationWeights`]).
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
//!   governance platform level — are the starting value plus what policies built, and
//!   every part of them needs upkeep, whoever paid for it (issue 29: the starting
//!   coverage used to be kept up free for ever, while department systems without
//!   operation money decayed to zero). A district's (or the platform's) money pays the
//!   upkeep of the whole asset first (`upkeep × level` a year, so upkeep grows with what
//!   was built); the unfunded share of the asset decays at its `decay_per_year`; what
//!   money is left builds with diminishing returns, `dC = (1 − C)·(money / full cost)`
//!   (full cost = 100 × the cost per point, or per resident × the district's residents for
//!   service points). A service-point or sensor policy's money first pays the upkeep of
//!   the starting coverage its districts still lack this tick (in proportion to it,
//!   policies in file order: a policy that only keeps the starting assets running is
//!   listed first), then is split over the targeted districts by residents (service
//!   points) or equally (sensors: a point of one district's area costs the same
//!   everywhere), where it pays the upkeep of what policies built and builds. Integrated in
//!   substeps of at most a day, so weekly and monthly ticks agree; residents see the mean
//!   over the tick.
//! - `one_window`: money `m` a year per target department staffs its part of the window
//!   `f = 1 − e^(−m / one_window_per_department_year)` of the time; `staffing`: money hires
//!   `m / staff_per_year` case officers per target department, each handling the
//!   department's `cases_per_staff_month`. Staff follow their money at
//!   `staff_adjust_per_year` (hiring and redeploying take months): without money the
//!   window's staff and the hires leave the same way.
//! - `evaluation_budgeting`: money `m` a year moves `1 − e^(−m / (evaluation_cost_share ×
//!   B))` of the way from the operation budget's split toward the one that avoids the most
//!   failed attempts (see [`crate::departments`]).
//! - Spending: digitization, integration, IoT sensors and the governance platform are
//!   construction; the operation budget, training, device subsidies, service points, the
//!   one window and staffing are operation (running costs of the digital service). A
//!   policy's money is attributed to its targeted (district × band) cells in proportion
//!   to their residents, so district and band spending add up to the city's. The economy
//!   policies' money is the economy's line instead (`spend_economy`, in
//!   [`EconomyLevers::spend`]), attributed to the targeted districts by the firms it acts
//!   on (park firms for park services): it buys nothing for residents' requests, so it is
//!   in neither the public services' spending nor `cost_per_request`.
//!   Construction is amortised at `1 / construction_life_years` a year (declining
//!   balance) for `cost_per_request`.
//! - The economy's levers ([`EconomyLevers`], only with `[economy]`): voucher money of a
//!   district covers `1 − e^(−m / (cost × firms))` of its firms a year; the industrial
//!   internet platform, open data and each park's services are built assets as above
//!   (per point, or per park firm for park services); as for service points, a park's
//!   starting services need their upkeep (the baseline's `park-services-upkeep`) and a
//!   park policy's money pays what of it its parks lack first.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use civitas_scenario::{Band, Policy, Spending, UnitCosts, YearMonth};

use crate::math;

use crate::census::Census;
use crate::city::{City, Clock, band_targets, cell, cell_band, cell_district, in_window, targets};
use crate::firms::EconomyLevers;
use crate::levers::{Assets, GovernanceAssets, Levers, OperationWeights, ServicePoints};

/// Money amounts in the scenario file are in currency units; department gains are per million.
pub const CURRENCY_PER_MILLION: f64 = 1.0e6;

/// Points of coverage (or platform level) in a whole: unit costs are per point (0.01).
pub const POINTS_PER_WHOLE: f64 = 100.0;

/// Longest substep of the asset dynamics, in years (one day): short enough that the
/// switch between funded and unfunded upkeep is resolved, and weekly and monthly ticks
/// follow the same path.
pub const MAX_ASSET_STEP_YEARS: f64 = 1.0 / 365.25;

/// What one policy's money acts on, with its kind's parameters as given (validated): one
/// variant per policy kind, each run by its own function ([`Action::act`]).
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
    // Each variant below carries its kind's cap on what the money adds in a year (its
    // `coverage_per_year`, `level_per_year` or `share_moved_per_year`; none: uncapped).
    /// Subsidised devices among the targeted cells.
    DeviceSubsidy(Option<f64>),
    /// Service-point coverage of the target districts.
    ServicePoints(Option<f64>),
    /// Sensor coverage of the target districts.
    Sensors(Option<f64>),
    /// The governance platform.
    Platform(Option<f64>),
    /// Evaluation moving operation money.
    Evaluation(Option<f64>),
    /// Services of the target districts' parks.
    ParkServices(Option<f64>),
    /// Open public data.
    OpenData(Option<f64>),
    /// The industrial internet platform.
    IndustrialPlatform(Option<f64>),
    /// Computing-power vouchers for the target districts' firms.
    ComputingVouchers,
    /// Digitization vouchers for the target districts' firms.
    Vouchers,
}

impl Action {
    /// What `policy` acts on.
    fn of(city: &City, policy: &Policy) -> Self {
        match policy {
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
            Policy::DeviceSubsidy(d) => Action::DeviceSubsidy(d.coverage_per_year),
            Policy::AssistedServicePoints(a) => Action::ServicePoints(a.coverage_per_year),
            Policy::IotSensors(a) => Action::Sensors(a.coverage_per_year),
            Policy::GovernancePlatform(g) => Action::Platform(g.level_per_year),
            Policy::EvaluationBudgeting(e) => Action::Evaluation(e.share_moved_per_year),
            Policy::ParkServices(p) => Action::ParkServices(p.coverage_per_year),
            Policy::OpenData(p) => Action::OpenData(p.level_per_year),
            Policy::IndustrialInternetPlatform(p) => Action::IndustrialPlatform(p.level_per_year),
            Policy::ComputingPowerVouchers(_) => Action::ComputingVouchers,
            Policy::EnterpriseDigitizationVouchers(_) => Action::Vouchers,
        }
    }

    /// Puts `cp`'s money of this tick where its action says; returns whether the money
    /// was spent (training and subsidies spend nothing in cells without residents).
    fn act(
        self,
        cp: &CompiledPolicy,
        tick: &TickMoney,
        levers: &mut Levers,
        pools: &mut Pools,
    ) -> bool {
        match self {
            Action::Digitization => fund(&mut levers.digitization_millions, cp, tick, None),
            Action::Integration => fund(&mut levers.integration_millions, cp, tick, None),
            Action::Operation => fund(
                &mut levers.operation_millions,
                cp,
                tick,
                Some(tick.operation_weights),
            ),
            Action::OneWindow => pay_staff(&mut pools.window, cp, tick),
            Action::Staffing => pay_staff(&mut pools.staffing, cp, tick),
            Action::Training {
                goal_per_year,
                literacy_gain,
                training,
            } => return train(cp, tick, levers, goal_per_year, literacy_gain, training),
            Action::DeviceSubsidy(goal) => return subsidise_devices(cp, tick, levers, goal),
            Action::ServicePoints(goal) => fund_service_points(cp, tick, pools, goal),
            Action::Sensors(goal) => fund_sensors(cp, tick, pools, goal),
            Action::Platform(cap) => fund_level(
                (&mut pools.platform, &mut pools.platform_cap_per_year),
                cp.money(tick),
                cap,
            ),
            Action::Evaluation(cap) => evaluate(cp, tick, levers, cap),
            Action::ParkServices(goal) => return fund_parks(cp, tick, pools, goal),
            Action::OpenData(cap) | Action::IndustrialPlatform(cap) => {
                let e = &mut pools.economy;
                let pool = if let Action::OpenData(_) = self {
                    (&mut e.open_data, &mut e.open_data_cap_per_year)
                } else {
                    (&mut e.platform, &mut e.platform_cap_per_year)
                };
                fund_level(pool, cp.money(tick), cap);
                return tick.city.scenario.economy.is_some();
            }
            Action::ComputingVouchers => {
                return fund_firms(&mut pools.economy.computing, cp, tick);
            }
            Action::Vouchers => return fund_firms(&mut pools.economy.vouchers, cp, tick),
        }
        true
    }
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
    /// Whether it is an economy policy: its money is the economy's spending line.
    economy: bool,
    departments: Vec<bool>,
    districts: Vec<bool>,
    bands: [bool; 3],
    action: Action,
}

impl CompiledPolicy {
    fn new(city: &City, index: usize) -> Self {
        let s = &city.scenario;
        let p = &s.policies[index];
        Self {
            start: p.start(),
            end: p.end(),
            amount_per_year: s.policy_amount_per_year(index),
            construction: p.kind().spending() == Spending::Construction,
            economy: p.kind().is_economy(),
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
            action: Action::of(city, p),
        }
    }

    /// Its money in this tick (currency).
    fn money(&self, tick: &TickMoney) -> f64 {
        self.amount_per_year * tick.dt
    }

    /// Whether it targets (district × band) cell `c`.
    fn targets_cell(&self, c: usize) -> bool {
        self.districts[cell_district(c)] && self.bands[cell_band(c).index()]
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

/// Runs one asset (built part `built` on top of the starting part `base`, both shares of
/// a whole) for `years` with `money` spread evenly over them: money pays the upkeep of the
/// whole asset first, the unfunded share of both parts decays, the rest builds with
/// diminishing returns. Returns the asset's mean level (base + built, at most 1) over
/// the period.
pub fn operate_asset(
    built: &mut f64,
    base: &mut f64,
    money: f64,
    years: f64,
    costs: AssetCosts,
) -> f64 {
    if years <= 0.0 {
        return (*base + *built).min(1.0);
    }
    let steps = (years / MAX_ASSET_STEP_YEARS).ceil().max(1.0);
    let h = years / steps;
    let rate = money / years;
    let mut mean = 0.0;
    for _ in 0..steps as usize {
        let before = (*base + *built).min(1.0);
        let needed = costs.upkeep_whole_per_year * (*base + *built);
        let paid = rate.min(needed);
        let funded = if needed > 0.0 { paid / needed } else { 1.0 };
        let kept = math::exp(-costs.decay_per_year * (1.0 - funded) * h);
        *base *= kept;
        *built *= kept;
        let spare = rate - paid;
        if spare > 0.0 && costs.build_whole > 0.0 {
            let level = (*base + *built).min(1.0);
            *built += (1.0 - level) * -math::exp_m1(-spare * h / costs.build_whole);
        }
        mean += 0.5 * (before + (*base + *built).min(1.0));
    }
    mean / steps
}

/// Puts `cp`'s money of the tick first where the starting assets' upkeep is still unpaid
/// in its districts (`upkeep` a tick, less what `pool` already holds; in proportion to
/// what is missing); returns its districts and the money left.
fn pay_upkeep_first(
    cp: &CompiledPolicy,
    tick: &TickMoney,
    pool: &mut [f64],
    upkeep: &[f64],
) -> (Vec<usize>, f64) {
    let targeted: Vec<usize> = (0..tick.district_people.len())
        .filter(|&d| cp.districts[d])
        .collect();
    let money = cp.money(tick);
    let missing: Vec<f64> = targeted
        .iter()
        .map(|&d| (upkeep[d] - pool[d]).max(0.0))
        .collect();
    let total: f64 = missing.iter().sum();
    if total <= 0.0 {
        return (targeted, money);
    }
    let paid = money.min(total);
    for (&d, m) in targeted.iter().zip(&missing) {
        pool[d] += paid * m / total;
    }
    (targeted, money - paid)
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

/// Money the economy's levers receive this tick (currency), per district where a policy
/// is narrowed to districts.
struct EconomyPools {
    vouchers: Vec<f64>,
    computing: Vec<f64>,
    platform: f64,
    platform_cap_per_year: Option<f64>,
    open_data: f64,
    open_data_cap_per_year: Option<f64>,
    parks: Vec<f64>,
    park_caps: Vec<Option<f64>>,
}

/// Money each asset and staff pool receives this tick (currency).
struct Pools {
    economy: EconomyPools,
    service_points: Vec<f64>,
    sensors: Vec<f64>,
    platform: f64,
    platform_cap_per_year: Option<f64>,
    service_point_caps: Vec<Option<f64>>,
    sensor_caps: Vec<Option<f64>>,
    window: Vec<f64>,
    staffing: Vec<f64>,
}

impl Pools {
    /// Empty pools for `districts` districts and `departments` departments.
    fn new(districts: usize, departments: usize) -> Self {
        Self {
            economy: EconomyPools {
                vouchers: vec![0.0; districts],
                computing: vec![0.0; districts],
                platform: 0.0,
                platform_cap_per_year: None,
                open_data: 0.0,
                open_data_cap_per_year: None,
                parks: vec![0.0; districts],
                park_caps: vec![None; districts],
            },
            service_points: vec![0.0; districts],
            sensors: vec![0.0; districts],
            platform: 0.0,
            platform_cap_per_year: None,
            service_point_caps: vec![None; districts],
            sensor_caps: vec![None; districts],
            window: vec![0.0; departments],
            staffing: vec![0.0; departments],
        }
    }
}

/// What every policy's action reads in a tick.
struct TickMoney<'a> {
    city: &'a City,
    census: &'a Census,
    costs: &'a UnitCosts,
    /// Tick length in years.
    dt: f64,
    /// The evaluation-budgeting weights of the operation money.
    operation_weights: &'a [f64],
    /// People each district represents.
    district_people: Vec<f64>,
    /// Firms of each district at the start (`[economy]`).
    firms: Vec<f64>,
    /// Firms of each district's park at the start.
    park_firms: Vec<f64>,
    /// The operation budget in force, per year.
    operation_budget_per_year: f64,
    /// Upkeep of each district's starting service points still running, this tick.
    service_point_upkeep: Vec<f64>,
    /// Upkeep of each district's starting sensors still running, this tick.
    sensor_upkeep: Vec<f64>,
    /// Upkeep of each district's park's starting services still running, this tick.
    park_upkeep: Vec<f64>,
}

impl TickMoney<'_> {
    /// People cell `c` represents.
    fn cell_people(&self, c: usize) -> f64 {
        self.census.cells[c].residents as f64 * self.city.scale
    }
}

/// Department money (construction or operation) in millions, split over the target
/// departments equally or by `weights`.
fn fund(out: &mut [f64], cp: &CompiledPolicy, tick: &TickMoney, weights: Option<&[f64]>) {
    let millions = cp.money(tick) / CURRENCY_PER_MILLION;
    spread(out, &cp.departments, weights, millions);
}

/// Money for the window staff or hires of the target departments, equally.
fn pay_staff(pool: &mut [f64], cp: &CompiledPolicy, tick: &TickMoney) {
    spread(pool, &cp.departments, None, cp.money(tick));
}

/// The targeted cells and each one's share of the money by residents, `(cell, money,
/// people)`; `None` when the targeted cells have no residents.
fn paid_cells<'a>(
    cp: &'a CompiledPolicy,
    tick: &'a TickMoney,
) -> Option<impl Iterator<Item = (usize, f64, f64)> + 'a> {
    let cells = (0..tick.city.cells()).filter(|&c| cp.targets_cell(c));
    let total: f64 = cells.clone().map(|c| tick.cell_people(c)).sum();
    if total <= 0.0 {
        return None;
    }
    let money = cp.money(tick);
    Some(cells.map(move |c| {
        let people = tick.cell_people(c);
        (c, money * people / total, people)
    }))
}

/// Trainees among the targeted cells: the chance each untrained resident is trained.
fn train(
    cp: &CompiledPolicy,
    tick: &TickMoney,
    levers: &mut Levers,
    goal_per_year: Option<f64>,
    literacy_gain: f64,
    training: u8,
) -> bool {
    let Some(cells) = paid_cells(cp, tick) else {
        return false;
    };
    let goal = goal_per_year.map(|g| chance_per_tick(g, tick.dt));
    for (c, cell_money, people) in cells {
        let trainees = cell_money / tick.costs.training_per_trainee;
        let chance = -math::exp_m1(-trainees / people.max(f64::MIN_POSITIVE));
        let chance = goal.map_or(chance, |g| chance.min(g));
        let offer = &mut levers.training[c];
        offer.probability = 1.0 - (1.0 - offer.probability) * (1.0 - chance);
        if chance > 0.0 {
            offer.literacy_gain = offer.literacy_gain.max(literacy_gain);
            // The largest boost is at the largest position.
            offer.training = offer.training.max(training);
        }
    }
    true
}

/// Subsidised devices among the targeted cells: the chance each resident without a
/// device gets one.
fn subsidise_devices(
    cp: &CompiledPolicy,
    tick: &TickMoney,
    levers: &mut Levers,
    goal_per_year: Option<f64>,
) -> bool {
    let Some(cells) = paid_cells(cp, tick) else {
        return false;
    };
    let goal = goal_per_year.map(|g| chance_per_tick(g, tick.dt));
    for (c, cell_money, _) in cells {
        let census = &tick.census.cells[c];
        let without = (census.residents - census.devices) as f64 * tick.city.scale;
        let devices = cell_money / tick.costs.subsidy_per_device;
        let chance = if without > 0.0 {
            -math::exp_m1(-devices / without)
        } else {
            0.0
        };
        let chance = goal.map_or(chance, |g| chance.min(g));
        let q = &mut levers.device_subsidy_probability[c];
        *q = 1.0 - (1.0 - *q) * (1.0 - chance);
    }
    true
}

/// Service-point money of the target districts: the upkeep they lack first, the rest
/// split by residents.
fn fund_service_points(
    cp: &CompiledPolicy,
    tick: &TickMoney,
    pools: &mut Pools,
    goal: Option<f64>,
) {
    let (districts, money) = pay_upkeep_first(
        cp,
        tick,
        &mut pools.service_points,
        &tick.service_point_upkeep,
    );
    let people: f64 = districts.iter().map(|&d| tick.district_people[d]).sum();
    for &d in &districts {
        if people > 0.0 {
            pools.service_points[d] += money * tick.district_people[d] / people;
        }
        pools.service_point_caps[d] = cap_sum(pools.service_point_caps[d], goal);
    }
}

/// Sensor money of the target districts: the upkeep they lack first, the rest split
/// equally.
fn fund_sensors(cp: &CompiledPolicy, tick: &TickMoney, pools: &mut Pools, goal: Option<f64>) {
    let (districts, money) = pay_upkeep_first(cp, tick, &mut pools.sensors, &tick.sensor_upkeep);
    let count = districts.len().max(1) as f64;
    for &d in &districts {
        pools.sensors[d] += money / count;
        pools.sensor_caps[d] = cap_sum(pools.sensor_caps[d], goal);
    }
}

/// Money for an asset of one level (a platform, open data) into its pool, and the cap
/// of its policy on the level's growth a year into the pool's cap.
fn fund_level((pool, pool_cap): (&mut f64, &mut Option<f64>), money: f64, cap: Option<f64>) {
    *pool += money;
    *pool_cap = cap_sum(*pool_cap, cap);
}

/// Voucher money of the target districts, split by their firms; returns false (nothing
/// spent) when no targeted district has firms.
fn fund_firms(pool: &mut [f64], cp: &CompiledPolicy, tick: &TickMoney) -> bool {
    let targeted = (0..pool.len()).filter(|&d| cp.districts[d]);
    if targeted.map(|d| tick.firms[d]).sum::<f64>() <= 0.0 {
        return false;
    }
    spread(
        pool,
        &cp.districts,
        Some(tick.firms.as_slice()),
        cp.money(tick),
    );
    true
}

/// Park-services money of the target districts' parks: the upkeep of the starting
/// services they lack first, the rest split by park firms; returns false (nothing spent)
/// when no targeted district has a park with firms.
fn fund_parks(cp: &CompiledPolicy, tick: &TickMoney, pools: &mut Pools, goal: Option<f64>) -> bool {
    let parks: Vec<bool> = (0..tick.park_firms.len())
        .map(|d| cp.districts[d] && tick.park_firms[d] > 0.0)
        .collect();
    if !parks.contains(&true) {
        return false;
    }
    let e = &mut pools.economy;
    let (_, money) = pay_upkeep_first(cp, tick, &mut e.parks, &tick.park_upkeep);
    spread(
        &mut e.parks,
        &parks,
        Some(tick.park_firms.as_slice()),
        money,
    );
    for (cap, _) in e.park_caps.iter_mut().zip(&parks).filter(|(_, p)| **p) {
        *cap = cap_sum(*cap, goal);
    }
    true
}

/// Evaluation: the share of the operation budget in force moved a year.
fn evaluate(cp: &CompiledPolicy, tick: &TickMoney, levers: &mut Levers, cap: Option<f64>) {
    let moved = if tick.operation_budget_per_year > 0.0 {
        -math::exp_m1(
            -cp.amount_per_year
                / (tick.costs.evaluation_cost_share * tick.operation_budget_per_year),
        )
    } else {
        0.0
    };
    let moved = cap.map_or(moved, |cap| moved.min(cap));
    levers.evaluation_share_per_year =
        Some(levers.evaluation_share_per_year.unwrap_or(0.0).max(moved));
}

/// Attributes an economy policy's money of the tick to its targeted districts by the
/// firms it acts on (park firms for park services): the economy's spending line, not the
/// public services' (nor `cost_per_request`). Only called when the money was spent, so
/// some targeted district has such firms.
fn attribute_economy_spending(cp: &CompiledPolicy, tick: &TickMoney, spend: &mut [f64]) {
    let firms = if matches!(cp.action, Action::ParkServices { .. }) {
        &tick.park_firms
    } else {
        &tick.firms
    };
    let weights: Vec<f64> = firms
        .iter()
        .zip(&cp.districts)
        .map(|(&n, &targeted)| if targeted { n } else { 0.0 })
        .collect();
    let total: f64 = weights.iter().sum();
    if total > 0.0 {
        for (s, w) in spend.iter_mut().zip(&weights) {
            *s += cp.money(tick) * w / total;
        }
    }
}

/// Attributes `cp`'s money of the tick to its targeted cells by residents (equally when
/// they have none), as construction or operation, and staffing money again as staffing.
fn attribute_spending(cp: &CompiledPolicy, tick: &TickMoney, levers: &mut Levers) {
    let money = cp.money(tick);
    let census = tick.census;
    let spend = if cp.construction {
        &mut levers.spend_construction
    } else {
        &mut levers.spend_operation
    };
    let mut attributed = vec![0.0; spend.len()];
    let people: f64 = (0..spend.len())
        .filter(|&c| cp.targets_cell(c))
        .map(|c| census.cells[c].residents as f64)
        .sum();
    let count = (0..spend.len()).filter(|&c| cp.targets_cell(c)).count();
    for (c, a) in attributed.iter_mut().enumerate() {
        if !cp.targets_cell(c) {
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

/// What [`update_levers`] reads: the policies in force and whom they serve.
#[derive(SystemParam)]
pub struct LeverInputs<'w> {
    city: Res<'w, City>,
    clock: Res<'w, Clock>,
    timeline: Res<'w, PolicyTimeline>,
    census: Res<'w, Census>,
    weights: Res<'w, OperationWeights>,
}

/// What [`update_levers`] writes: the levers of the tick and the assets they run.
#[derive(SystemParam)]
pub struct LeverOutputs<'w> {
    levers: ResMut<'w, Levers>,
    assets: ResMut<'w, Assets>,
    points: ResMut<'w, ServicePoints>,
    governance: ResMut<'w, GovernanceAssets>,
    economy: ResMut<'w, EconomyLevers>,
}

/// Sets this tick's levers from the policy timeline and runs the assets they pay for.
pub fn update_levers(inputs: LeverInputs, outputs: LeverOutputs) {
    let LeverInputs {
        city,
        clock,
        timeline,
        census,
        weights,
    } = inputs;
    let LeverOutputs {
        mut levers,
        mut assets,
        mut points,
        mut governance,
        mut economy,
    } = outputs;
    let levers = &mut *levers;
    let assets = &mut *assets;
    levers.reset();
    let month = clock.month();
    let in_force = |cp: &&CompiledPolicy| in_window(month, cp.start, cp.end);
    let people = district_people(&city, &census);
    let (costs, dt) = (&city.scenario.costs, city.years_per_tick);
    let service_point_upkeep = (0..people.len())
        .map(|d| {
            assets.service_points_base[d]
                * costs.service_point_upkeep_per_resident_per_year
                * people[d]
                * dt
        })
        .collect();
    let sensor_upkeep = (0..people.len())
        .map(|d| {
            assets.sensors_base[d] * costs.sensor_upkeep_per_point_per_year * POINTS_PER_WHOLE * dt
        })
        .collect();
    let park_firms = district_firms(&city, true);
    let park_upkeep = (0..park_firms.len())
        .map(|d| {
            economy.park_base.get(d).copied().unwrap_or(0.0)
                * costs.park_services_upkeep_per_firm_per_year
                * park_firms[d]
                * dt
        })
        .collect();
    let tick = TickMoney {
        city: &city,
        census: &census,
        costs: &city.scenario.costs,
        dt: city.years_per_tick,
        operation_weights: &weights.0,
        district_people: people,
        firms: district_firms(&city, false),
        park_firms,
        operation_budget_per_year: timeline
            .policies
            .iter()
            .filter(in_force)
            .filter(|cp| cp.action == Action::Operation)
            .map(|cp| cp.amount_per_year)
            .sum(),
        service_point_upkeep,
        sensor_upkeep,
        park_upkeep,
    };
    let mut pools = Pools::new(city.districts(), city.departments());
    economy.spend.fill(0.0);
    for cp in timeline.policies.iter().filter(in_force) {
        if !cp.action.act(cp, &tick, levers, &mut pools) {
            continue;
        }
        if cp.economy {
            attribute_economy_spending(cp, &tick, &mut economy.spend);
        } else {
            attribute_spending(cp, &tick, levers);
        }
    }
    run_assets(
        &city,
        tick.costs,
        &pools,
        &tick.district_people,
        assets,
        &mut points,
        &mut governance,
    );
    run_economy(&tick, &pools.economy, &mut economy);
    run_staff(&tick, &pools, levers, assets);
    amortise_construction(tick.costs, tick.dt, levers, assets);
}

/// People each district represents.
fn district_people(city: &City, census: &Census) -> Vec<f64> {
    (0..city.districts())
        .map(|d| {
            Band::ALL
                .into_iter()
                .map(|b| census.cells[cell(d, b)].residents as f64)
                .sum::<f64>()
                * city.scale
        })
        .collect()
}

/// Window staff and hires follow their money.
fn run_staff(tick: &TickMoney, pools: &Pools, levers: &mut Levers, assets: &mut Assets) {
    let (dt, costs) = (tick.dt, tick.costs);
    for j in 0..pools.window.len() {
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
}

/// Construction spending joins the capital, which is amortised at `1 /
/// construction_life_years` a year (declining balance).
fn amortise_construction(costs: &UnitCosts, dt: f64, levers: &mut Levers, assets: &mut Assets) {
    let amortised = -math::exp_m1(-dt / costs.construction_life_years);
    for (c, k) in assets.construction_capital.iter_mut().enumerate() {
        *k += levers.spend_construction[c];
        levers.amortised_construction[c] = *k * amortised;
        *k -= levers.amortised_construction[c];
    }
}

/// Firms of each district at the start (only its park's with `in_park`; none without
/// `[economy]`).
fn district_firms(city: &City, in_park: bool) -> Vec<f64> {
    let mut firms = vec![0.0; city.districts()];
    if let Some(e) = &city.scenario.economy {
        for f in e.firms.iter().filter(|f| f.in_park || !in_park) {
            firms[city
                .scenario
                .district_index(&f.district)
                .expect("validated")] += f.count;
        }
    }
    firms
}

/// A goal caps the built part's growth within the tick; the mean level seen is then
/// the mean of the tick's two ends.
fn cap_growth(seen: &mut f64, built: &mut f64, base: f64, before: f64, cap: Option<f64>, dt: f64) {
    if let Some(cap) = cap
        && *built > before + cap * dt
    {
        *built = before + cap * dt;
        *seen = 0.5 * ((base + before).min(1.0) + (base + *built).min(1.0));
    }
}

/// Runs the economy's levers for one tick with their pools' money: voucher coverage of
/// each district's firms `1 − e^(−money a year / (cost × firms))`; the industrial internet
/// platform, open data and each park's services as built assets (upkeep first, the
/// unfunded part decaying, the rest building with diminishing returns; a goal caps the
/// growth). Nothing without `[economy]`.
fn run_economy(tick: &TickMoney, pools: &EconomyPools, levers: &mut EconomyLevers) {
    let (city, costs, dt) = (tick.city, tick.costs, tick.dt);
    if city.scenario.economy.is_none() {
        return;
    }
    let (firms, park_firms) = (&tick.firms, &tick.park_firms);
    let covered = |money: f64, cost_per_year: f64| {
        if cost_per_year > 0.0 {
            -math::exp_m1(-money / dt / cost_per_year)
        } else {
            0.0
        }
    };
    for (d, &n) in firms.iter().enumerate() {
        levers.voucher_coverage[d] = covered(pools.vouchers[d], costs.voucher_per_firm_year * n);
        levers.computing_coverage[d] = covered(
            pools.computing[d],
            costs.computing_voucher_per_firm_year * n,
        );
    }
    let point_costs = |build: f64, upkeep: f64, decay: f64| AssetCosts {
        build_whole: build * POINTS_PER_WHOLE,
        upkeep_whole_per_year: upkeep * POINTS_PER_WHOLE,
        decay_per_year: decay,
    };
    let before = levers.platform_built;
    let platform = point_costs(
        costs.industrial_platform_build_per_point,
        costs.industrial_platform_upkeep_per_point_per_year,
        costs.industrial_platform_decay_per_year,
    );
    levers.platform_level = operate_asset(
        &mut levers.platform_built,
        &mut 0.0,
        pools.platform,
        dt,
        platform,
    );
    cap_growth(
        &mut levers.platform_level,
        &mut levers.platform_built,
        0.0,
        before,
        pools.platform_cap_per_year,
        dt,
    );
    let before = levers.open_data_built;
    let open_data = point_costs(
        costs.open_data_build_per_point,
        costs.open_data_upkeep_per_point_per_year,
        costs.open_data_decay_per_year,
    );
    levers.open_data_level = operate_asset(
        &mut levers.open_data_built,
        &mut 0.0,
        pools.open_data,
        dt,
        open_data,
    );
    cap_growth(
        &mut levers.open_data_level,
        &mut levers.open_data_built,
        0.0,
        before,
        pools.open_data_cap_per_year,
        dt,
    );
    for (d, district) in city.scenario.population.districts.iter().enumerate() {
        if district.park.is_none() {
            continue;
        }
        let parks = AssetCosts {
            build_whole: costs.park_services_build_per_firm * park_firms[d],
            upkeep_whole_per_year: costs.park_services_upkeep_per_firm_per_year * park_firms[d],
            decay_per_year: costs.park_services_decay_per_year,
        };
        let before = levers.park_built[d];
        // The park's starting services are kept by their upkeep, like the starting service
        // points (issue 29: every asset decays without upkeep): the baseline's
        // `park-services-upkeep` pays it, and a park policy's money pays what of it is
        // still missing first (`fund_parks`). (From issue 32 until this, the starting part
        // was kept up outside the scenario's money.)
        levers.park_services[d] = operate_asset(
            &mut levers.park_built[d],
            &mut levers.park_base[d],
            pools.parks[d],
            dt,
            parks,
        );
        cap_growth(
            &mut levers.park_services[d],
            &mut levers.park_built[d],
            levers.park_base[d],
            before,
            pools.park_caps[d],
            dt,
        );
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
    for (d, &people) in district_people.iter().enumerate() {
        let before = assets.service_points_built[d];
        let sp = AssetCosts {
            build_whole: costs.service_point_build_per_resident * people,
            upkeep_whole_per_year: costs.service_point_upkeep_per_resident_per_year * people,
            decay_per_year: costs.service_point_decay_per_year,
        };
        points.0[d] = operate_asset(
            &mut assets.service_points_built[d],
            &mut assets.service_points_base[d],
            pools.service_points[d],
            dt,
            sp,
        );
        cap_growth(
            &mut points.0[d],
            &mut assets.service_points_built[d],
            assets.service_points_base[d],
            before,
            pools.service_point_caps[d],
            dt,
        );
        let before = assets.sensors_built[d];
        let sensors = AssetCosts {
            build_whole: costs.sensor_build_per_point * POINTS_PER_WHOLE,
            upkeep_whole_per_year: costs.sensor_upkeep_per_point_per_year * POINTS_PER_WHOLE,
            decay_per_year: costs.sensor_decay_per_year,
        };
        governance.iot_coverage[d] = operate_asset(
            &mut assets.sensors_built[d],
            &mut assets.sensors_base[d],
            pools.sensors[d],
            dt,
            sensors,
        );
        cap_growth(
            &mut governance.iot_coverage[d],
            &mut assets.sensors_built[d],
            assets.sensors_base[d],
            before,
            pools.sensor_caps[d],
            dt,
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
        &mut assets.platform_base,
        pools.platform,
        dt,
        platform,
    );
    cap_growth(
        &mut governance.platform_level,
        &mut assets.platform_built,
        assets.platform_base,
        before,
        pools.platform_cap_per_year,
        dt,
    );
}
