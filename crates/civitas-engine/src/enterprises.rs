//! Enterprises: the city's firms as agents ([`crate::firms::Enterprise`]), their digital
//! maturity, tools, value added, entry and exit, and the errands they bring to the
//! departments. A scenario without `[economy]` spawns none and this stage does nothing.
//!
//! **Synthesis.** Each `[[economy.firms]]` group of `count` firms becomes
//! `n = max(1, round(count / scale))` agents of `count / n` firms each. Agent `k` of `n`
//! starts at the maturity stage whose cumulative share holds `(k + ½)/n`, and uses a tool
//! of starting share `s` when `(n − k − ½)/n < s`: the group's distribution exactly, and
//! tools held by its most mature firms first.
//!
//! Each tick (length `Δt` years), for each agent in turn, every chance drawn from the
//! agent's counter-based stream ([`Purpose::Enterprises`]):
//! - **exit** with probability `1 − e^{−exit·Δt}`;
//! - **maturity** (Bass, as residents' adoption): a firm at stage `s < 4` steps up with
//!   probability `1 − e^{−h·Δt}`, `h = (p·P + q·Q·F)·W + v·V`: `F` the share of its peers
//!   (same sector, district, in or out of the park; counted at the end of the previous
//!   tick, a synchronous update) at a stage above `s`; `P = 1 + park_services_effect ×
//!   park services level` in a park (1 outside); `Q = 1 + platform_effect × platform
//!   level` for industrial firms (1 otherwise); `W = (A / A₀)^workforce_elasticity`, `A`
//!   the district's residents' online adoption ([`DistrictAdoption`], the workforce's
//!   digital literacy) and `A₀` its value at the first tick; `v·V` the voucher boost
//!   times the district's voucher coverage;
//! - **tools**: a firm without a tool takes it up with probability `1 − e^{−u·s·Δt}`, `u`
//!   the tool's uptake per stage (so stage-0 firms take up none); cloud adds the
//!   computing vouchers' `computing_boost × coverage` (the district's) to `u·s`;
//!   industrial internet, numerical control and R&D tools, which the platform serves,
//!   are multiplied by `Q`; numerical control and R&D tools are counted for industrial
//!   firms only;
//! - **value added** `firms × jobs × value_added_per_job × (1 + premium × stage)` a year;
//! - **errands**: `firms × per_firm_per_year × Δt` of each `[[economy.errands]]` (their
//!   expectation, no draw). In a park a share `S` (park services) goes through the park's
//!   service desk (one trip, online effort). The rest goes online with probability
//!   `r = d·h × (stage + 1)/5` (the department's effective digitization, and the firm's
//!   maturity), fails there with the department's failure probability `f` and is then
//!   redone offline; offline it costs one trip plus one per missing data link (each
//!   present with probability `min(g_owner, g_j)`), online one per missing link. The
//!   errands add their cases (`offline_effort`, or `online_effort` of it online) to the
//!   department's arrivals, so firms' errands lengthen residents' queue waits. They are
//!   not residents' requests: the request ledger counts them apart
//!   ([`crate::RequestLedger`]'s `errands_*`: each department serves the same share of
//!   the errands and of the requests waiting), and their staff time (cases × the owner's
//!   staff cost per case) takes its part of the staff pay `cost_per_request` spreads.
//!
//! **Entry.** Each group's new firms accrue at `entry_per_year × n × Δt` agents a tick
//! (digital-factor-driven groups times `1 + open_data_entry_effect × open data level`),
//! spawned when a whole agent has accrued, synthesised like the group's starting firms
//! with a drawn position; they take part from the next tick.
//!
//! Everything is counted per district in [`EconomyTallies`], in the agents' table order,
//! on one thread: the outputs do not depend on the number of threads.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use civitas_scenario::{Economy, SectorClass, SizeBand};

use crate::census::DistrictAdoption;
use crate::city::{City, Clock};
use crate::firms::{
    DistrictEconomy, EconomyBreakdown, EconomyLevers, EconomyTallies, Enterprise, TOP_STAGE, tool,
};
use crate::math;
use crate::offices::Departments;
use crate::rng::{Purpose, Stream, TickKey};

/// Stages a firm can be at.
const STAGES: usize = TOP_STAGE as usize + 1;

/// What the enterprise pass keeps between ticks.
#[derive(Resource, Debug, Clone, Default)]
pub struct EconomyState {
    /// Id of the next entrant.
    next_id: u32,
    /// Agents accrued toward each group's next entrant.
    accrual: Vec<f64>,
    /// Firms at each stage in each peer group (sector × district × in park), at the end
    /// of the last tick.
    peers: Vec<[f64; STAGES]>,
    /// Each district's residents' adoption at the first tick.
    reference_adoption: Option<Vec<f64>>,
    /// Firms' errands brought to departments since the start (represented errands).
    pub(crate) errands_total: f64,
}

/// Installs the economy's levers, tallies and state (empty without `[economy]`).
pub fn install(world: &mut World, city: &City) {
    let districts = &city.scenario.population.districts;
    let park_services: Vec<f64> = districts
        .iter()
        .map(|d| d.park.as_ref().map_or(0.0, |p| p.services))
        .collect();
    world.insert_resource(EconomyLevers {
        voucher_coverage: vec![0.0; districts.len()],
        computing_coverage: vec![0.0; districts.len()],
        park_base: park_services.clone(),
        park_services,
        park_built: vec![0.0; districts.len()],
        spend: vec![0.0; districts.len()],
        ..Default::default()
    });
    let (tallies, state) = match &city.scenario.economy {
        Some(e) => {
            world.insert_resource(EconomyBreakdown {
                sectors: vec![DistrictEconomy::default(); e.sectors.len()],
                sizes: vec![DistrictEconomy::default(); SizeBand::ALL.len()],
            });
            (
                vec![DistrictEconomy::default(); districts.len()],
                EconomyState {
                    accrual: vec![0.0; e.firms.len()],
                    peers: vec![[0.0; STAGES]; 2 * e.sectors.len() * districts.len()],
                    ..Default::default()
                },
            )
        }
        None => {
            world.insert_resource(EconomyBreakdown::default());
            (Vec::new(), EconomyState::default())
        }
    };
    world.insert_resource(EconomyTallies(tallies));
    world.insert_resource(state);
}

/// The peer group of firm group `g`: (sector, district, in park).
fn peer_group(city: &City, economy: &Economy, g: usize) -> usize {
    let f = &economy.firms[g];
    let sector = economy.sector_index(&f.sector).expect("validated sector");
    let district = city
        .scenario
        .district_index(&f.district)
        .expect("validated district");
    (sector * city.districts() + district) * 2 + usize::from(f.in_park)
}

/// The stage and tools of a firm of group `g` at position `u` in [0, 1) of the group
/// (stage by the cumulative shares, tools held from the top of the group down).
fn synthesise(economy: &Economy, g: usize, u: f64) -> (u8, u8) {
    let f = &economy.firms[g];
    let mut stage = TOP_STAGE;
    let mut cumulative = 0.0;
    for (s, share) in f.maturity.iter().enumerate() {
        cumulative += share;
        if u < cumulative {
            stage = s as u8;
            break;
        }
    }
    let industrial = class_of(economy, g).is_industrial();
    let mut tools = 0;
    for (bit, share) in [
        (tool::CLOUD, f.cloud),
        (tool::INDUSTRIAL_INTERNET, f.industrial_internet),
        (tool::NUMERICAL_CONTROL, f.numerical_control),
        (tool::RD_TOOLS, f.rd_tools),
    ] {
        let counted = industrial || bit == tool::CLOUD || bit == tool::INDUSTRIAL_INTERNET;
        if counted && 1.0 - u < share {
            tools |= bit;
        }
    }
    (stage, tools)
}

fn class_of(economy: &Economy, g: usize) -> SectorClass {
    let sector = economy
        .sector_index(&economy.firms[g].sector)
        .expect("validated sector");
    economy.sectors[sector].class
}

/// Spawns the starting firms of `city` (none without `[economy]`).
pub fn spawn_enterprises(world: &mut World, city: &City) {
    let Some(economy) = &city.scenario.economy else {
        return;
    };
    let mut id = 0u32;
    let mut peers = vec![[0.0; STAGES]; 2 * economy.sectors.len() * city.districts()];
    let mut batch = Vec::new();
    for g in 0..economy.firms.len() {
        let n = economy.group_agents(g);
        let firms = (economy.firms[g].count / n.max(1) as f64) as f32;
        let pg = peer_group(city, economy, g);
        for k in 0..n {
            let (stage, tools) = synthesise(economy, g, (k as f64 + 0.5) / n as f64);
            peers[pg][stage as usize] += f64::from(firms);
            batch.push(Enterprise {
                id,
                group: g as u32,
                firms,
                stage,
                tools,
            });
            id += 1;
        }
    }
    world.spawn_batch(batch);
    let mut state = world.resource_mut::<EconomyState>();
    state.next_id = id;
    state.peers = peers;
}

/// The chance of an event at `rate` per year within a tick of `dt` years.
#[inline]
fn chance(rate: f64, dt: f64) -> f64 {
    math::one_minus_exp_neg(rate * dt)
}

/// One errand as firms meet it this tick: its department's state, read once.
struct ErrandNow {
    owner: usize,
    per_tick: f64,
    /// The owner's staff pay per offline-equivalent case (currency).
    staff_cost_per_case: f64,
    offline: f64,
    online: f64,
    reach: f64,
    failure: f64,
    /// Chance that no required link is missing, and that at most one is.
    none_missing: f64,
    at_most_one_missing: f64,
}

impl ErrandNow {
    fn all(economy: &Economy, city: &City, departments: &Departments) -> Vec<ErrandNow> {
        economy
            .errands
            .iter()
            .map(|e| {
                let owner = city
                    .scenario
                    .department_index(&e.department)
                    .expect("validated");
                let dep = &departments.0[owner];
                let present: Vec<f64> = e
                    .requires
                    .iter()
                    .map(|r| {
                        let j = city.scenario.department_index(r).expect("validated");
                        dep.integration_now.min(departments.0[j].integration_now)
                    })
                    .collect();
                let none_missing: f64 = present.iter().product();
                let one_missing: f64 = (0..present.len())
                    .map(|i| {
                        (1.0 - present[i])
                            * present
                                .iter()
                                .enumerate()
                                .filter(|&(k, _)| k != i)
                                .map(|(_, p)| p)
                                .product::<f64>()
                    })
                    .sum();
                ErrandNow {
                    owner,
                    per_tick: e.per_firm_per_year * city.years_per_tick,
                    staff_cost_per_case: city.staff_cost_per_case(owner),
                    offline: e.offline_effort,
                    online: e.offline_effort * e.online_effort,
                    reach: dep.digitization_now * dep.effective_health,
                    failure: dep.failure_probability,
                    none_missing,
                    at_most_one_missing: none_missing + one_missing,
                }
            })
            .collect()
    }
}

/// Everything about a firm group the pass reads, resolved once per tick: its chances and
/// its errands' outcomes at each maturity stage, the very numbers the pass would work out
/// firm by firm (a firm's chances depend on its group and stage only).
struct GroupNow {
    district: usize,
    /// Position of its sector, and of its size band in [`SizeBand::ALL`].
    sector: usize,
    size: usize,
    peer_group: usize,
    industrial: bool,
    core: bool,
    jobs_per_firm: f64,
    value_added_per_firm: f64,
    /// Chance of a maturity step from each stage below the top.
    up: [f64; STAGES - 1],
    /// Chance of taking up each tool of [`tool::ALL`] at each stage (NaN for a tool its
    /// firms are not counted for: never taken up).
    tools: [[f64; 4]; STAGES],
    /// Each errand's (one-trip share, cases per errand) at each stage.
    errands: Vec<[(f64, f64); STAGES]>,
}

/// The levers and peers a tick's [`GroupNow`]s are made from.
struct TickEconomy<'a> {
    economy: &'a Economy,
    levers: &'a EconomyLevers,
    peers: &'a [[f64; STAGES]],
    workforce: &'a [f64],
    errands: &'a [ErrandNow],
    dt: f64,
}

impl GroupNow {
    fn new(city: &City, now: &TickEconomy, g: usize) -> Self {
        let economy = now.economy;
        let (levers, dt) = (now.levers, now.dt);
        let f = &economy.firms[g];
        let class = class_of(economy, g);
        let sector = economy.sector_index(&f.sector).expect("validated sector");
        let district = city
            .scenario
            .district_index(&f.district)
            .expect("validated");
        let peer_group = peer_group(city, economy, g);
        let industrial = class.is_industrial();
        let park = if f.in_park {
            levers.park_services[district]
        } else {
            0.0
        };
        let q_factor = if industrial {
            1.0 + economy.platform_effect * levers.platform_level
        } else {
            1.0
        };
        // Maturity: a Bass step against the peers above the firm's stage.
        let counts = &now.peers[peer_group];
        let total: f64 = counts.iter().sum();
        let p = economy.maturity_p * (1.0 + economy.park_services_effect * park);
        let up = std::array::from_fn(|stage| {
            let above: f64 = counts[stage + 1..].iter().sum();
            let f_peers = if total > 0.0 { above / total } else { 0.0 };
            let hazard = (p + economy.maturity_q * q_factor * f_peers) * now.workforce[district]
                + economy.voucher_boost_per_year * levers.voucher_coverage[district];
            chance(hazard, dt)
        });
        // Tools, taken up at a rate per stage.
        let tools = std::array::from_fn(|k| {
            let stage = k as f64;
            tool::ALL.map(|bit| {
                let industrial_only = bit == tool::NUMERICAL_CONTROL || bit == tool::RD_TOOLS;
                if industrial_only && !industrial {
                    return f64::NAN;
                }
                let rate = match bit {
                    tool::CLOUD => {
                        economy.cloud_uptake_per_year * stage
                            + economy.computing_boost_per_year * levers.computing_coverage[district]
                    }
                    tool::INDUSTRIAL_INTERNET => {
                        economy.industrial_internet_uptake_per_year * stage * q_factor
                    }
                    tool::NUMERICAL_CONTROL => {
                        economy.numerical_control_uptake_per_year * stage * q_factor
                    }
                    _ => economy.rd_tools_uptake_per_year * stage * q_factor,
                };
                chance(rate, dt)
            })
        });
        // Errands, as their expectation.
        let errands = now
            .errands
            .iter()
            .map(|e| {
                std::array::from_fn(|k| {
                    let reach_by_maturity = (k as f64 + 1.0) / STAGES as f64;
                    let online = e.reach * reach_by_maturity;
                    let online_ok = online * (1.0 - e.failure);
                    let one_trip = park
                        + (1.0 - park)
                            * (online_ok * e.at_most_one_missing
                                + (1.0 - online_ok) * e.none_missing);
                    let effort = park * e.online
                        + (1.0 - park) * (online_ok * e.online + (1.0 - online_ok) * e.offline);
                    (one_trip, effort)
                })
            })
            .collect();
        GroupNow {
            district,
            sector,
            size: f.size.index(),
            peer_group,
            industrial,
            core: class.is_digital_core(),
            jobs_per_firm: f.jobs_per_firm,
            value_added_per_firm: f.jobs_per_firm * economy.sectors[sector].value_added_per_job,
            up,
            tools,
            errands,
        }
    }
}

/// What [`enterprise_pass`] reads: the scenario, the tick, the districts' adopter
/// shares (the workforce) and the economy's levers.
#[derive(SystemParam)]
pub struct EconomyInputs<'w> {
    city: Res<'w, City>,
    clock: Res<'w, Clock>,
    adoption: Res<'w, DistrictAdoption>,
    levers: Res<'w, EconomyLevers>,
}

/// The enterprise pass of one tick (see the module doc).
pub fn enterprise_pass(
    inputs: EconomyInputs,
    mut departments: ResMut<Departments>,
    mut tallies: ResMut<EconomyTallies>,
    mut breakdown: ResMut<EconomyBreakdown>,
    mut state: ResMut<EconomyState>,
    mut firms: Query<(Entity, &mut Enterprise)>,
    mut commands: Commands,
) {
    let EconomyInputs {
        city,
        clock,
        adoption,
        levers,
    } = inputs;
    let Some(economy) = &city.scenario.economy else {
        return;
    };
    let dt = city.years_per_tick;
    let state = &mut *state;
    let reference = state
        .reference_adoption
        .get_or_insert_with(|| adoption.0.clone())
        .clone();
    let workforce: Vec<f64> = adoption
        .0
        .iter()
        .zip(&reference)
        .map(|(&a, &a0)| {
            if a0 > 0.0 && a > 0.0 {
                math::powf(a / a0, economy.workforce_elasticity)
            } else {
                1.0
            }
        })
        .collect();
    let errands = ErrandNow::all(economy, &city, &departments);
    let now = TickEconomy {
        economy,
        levers: &levers,
        peers: &state.peers,
        workforce: &workforce,
        errands: &errands,
        dt,
    };
    let groups: Vec<GroupNow> = (0..economy.firms.len())
        .map(|g| GroupNow::new(&city, &now, g))
        .collect();
    let mut arrivals = vec![(0.0, 0.0); departments.0.len()];
    let tally = &mut tallies.0;
    tally.fill(DistrictEconomy::default());
    let breakdown = &mut *breakdown;
    breakdown.sectors.fill(DistrictEconomy::default());
    breakdown.sizes.fill(DistrictEconomy::default());
    let mut peers = vec![[0.0; STAGES]; state.peers.len()];
    let key = TickKey::new(city.seed, clock.tick as u64);
    let exit = chance(economy.exit_per_year, dt);
    for (entity, mut firm) in &mut firms {
        let mut s: Stream = key.subject(u64::from(firm.id)).stream(Purpose::Enterprises);
        if s.uniform() < exit {
            commands.entity(entity).despawn();
            continue;
        }
        let g = &groups[firm.group as usize];
        let up = s.uniform();
        if firm.stage < TOP_STAGE && up < g.up[firm.stage as usize] {
            firm.stage += 1;
        }
        let chances = &g.tools[firm.stage as usize];
        for (bit, &taken) in tool::ALL.iter().zip(chances) {
            // Drawn for every tool, used or not, so each draw keeps its place.
            let draw = s.uniform();
            if !firm.uses(*bit) && draw < taken {
                firm.tools |= bit;
            }
        }
        let w = f64::from(firm.firms);
        let stage = f64::from(firm.stage);
        peers[g.peer_group][firm.stage as usize] += w;
        // The firm's counts, added to its district's, its sector's and its size band's.
        let counted = |yes: bool| if yes { w } else { 0.0 };
        let value_added =
            w * g.value_added_per_firm * (1.0 + economy.productivity_premium_per_stage * stage);
        let mut t = DistrictEconomy {
            firms: w,
            jobs: w * g.jobs_per_firm,
            stage_sum: w * stage,
            stage3: counted(firm.stage >= 3),
            cloud: counted(firm.uses(tool::CLOUD)),
            industrial: counted(g.industrial),
            numerical_control: counted(g.industrial && firm.uses(tool::NUMERICAL_CONTROL)),
            rd_tools: counted(g.industrial && firm.uses(tool::RD_TOOLS)),
            value_added,
            core_value_added: if g.core { value_added } else { 0.0 },
            ..DistrictEconomy::default()
        };
        for (e, outcomes) in errands.iter().zip(&g.errands) {
            let n = w * e.per_tick;
            let (one_trip, effort) = outcomes[firm.stage as usize];
            t.errands += n;
            t.one_trip += n * one_trip;
            t.errand_staff_cost += n * effort * e.staff_cost_per_case;
            arrivals[e.owner].0 += n * effort;
            arrivals[e.owner].1 += n;
        }
        tally[g.district].add(&t);
        breakdown.sectors[g.sector].add(&t);
        breakdown.sizes[g.size].add(&t);
    }
    for (dep, (cases, errands)) in departments.0.iter_mut().zip(arrivals) {
        dep.arrivals_cases += cases;
        dep.arrivals_errands += errands;
        state.errands_total += errands;
    }
    state.peers = peers;
    // Entrants: like the group's firms, at a drawn position in the group.
    let open_data = 1.0 + economy.open_data_entry_effect * levers.open_data_level;
    for (g, group) in economy.firms.iter().enumerate() {
        let n = economy.group_agents(g);
        let factor = if class_of(economy, g) == SectorClass::DigitalFactorDriven {
            open_data
        } else {
            1.0
        };
        state.accrual[g] += economy.entry_per_year * n as f64 * dt * factor;
        let firms = (group.count / n.max(1) as f64) as f32;
        while state.accrual[g] >= 1.0 {
            state.accrual[g] -= 1.0;
            let id = state.next_id;
            state.next_id = state.next_id.wrapping_add(1);
            let mut s = key.subject(u64::from(id)).stream(Purpose::Enterprises);
            let (stage, tools) = synthesise(economy, g, s.uniform());
            commands.spawn(Enterprise {
                id,
                group: g as u32,
                firms,
                stage,
                tools,
            });
        }
    }
}
