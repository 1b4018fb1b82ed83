//! The Civitas engine: one replicate of the city model as a bevy_ecs `World` and `Schedule`.
//!
//! The engine takes a validated [`civitas_scenario::Scenario`] and returns the per-tick
//! indicator table of one replicate ([`ReplicateResult`]). It does no file I/O.
//!
//! ```no_run
//! use civitas_engine::{simulate, EngineOptions};
//! let scenario = civitas_scenario::Scenario::baseline();
//! let result = simulate(&scenario, 0, &EngineOptions::default());
//! println!("{} ticks", result.dates.len());
//! ```
//!
//! # Public API
//!
//! The modules are private; what other crates use is re-exported here and nothing else:
//! - running a replicate: [`simulate`], [`Simulation`] (step a replicate and inspect it:
//!   [`RequestLedger`], [`DepartmentState`], [`Assets`], [`Levers`], [`EconomyLevers`]),
//!   [`EngineOptions`];
//! - its result: [`ReplicateResult`] (with [`AgentRow`]s), [`Scope`];
//! - seeds and sizes, for batches and memory limits: [`replicate_seed`], [`most_agents`],
//!   [`expected_population`] ([`ExpectedPath`]), [`chunk_residents_of`],
//!   [`CHUNK_RESIDENTS`], [`chunk_tally_bytes`];
//! - for `civitas bench`: the resident pass's steps ([`Step`], [`STEPS`]) and its
//!   plain-Rust reference ([`Reference`], [`BareEntities`]).
//! - which model this is: [`MODEL_FINGERPRINT`], recorded in every result's manifest.
//!
//! # Code map
//!
//! One module per mechanism of SPEC.md: `demography` (residents, ageing), `renewal`
//! (entrants at 15, deaths, migration), `devices`, `adoption` (Bass diffusion,
//! training), `channels` (demand, channel choice, trips, failures), `departments`
//! (construction, operation, queues, evaluation budgeting), `incidents`, `policies`,
//! `shocks`, `enterprises` (firms: maturity, tools, value added, errands, entry and
//! exit), `workplaces` (where working residents work, their commutes), `metrics`; `satisfaction` holds the rules of trust and experiences that
//! `adoption`, `census` and `channels` apply; their order within a tick is declared in
//! `schedule`, and `pass` takes every resident through its steps in one sweep. What they
//! share instead of importing each other: `residents` (the resident component and its
//! parts), `firms` (the enterprise component and the economy's levers and tallies),
//! `census` (residents per cell), `levers` (what policies produce), `city` (the compiled
//! scenario) and `rng`. Randomness comes from counter-based streams (`rng`) keyed by
//! (replicate seed, resident, tick, purpose), so output is identical for any number of
//! rayon threads. ARCHITECTURE.md orders the modules in layers (a module uses only the
//! layers below it).

#![forbid(unsafe_code)]

mod adoption;
mod census;
mod channels;
mod city;
mod demography;
mod departments;
mod devices;
mod enterprises;
#[cfg(test)]
mod fingerprint;
mod firms;
mod incidents;
mod levers;
mod math;
mod metrics;
mod offices;
mod output;
mod pass;
mod policies;
mod queue;
mod reference;
mod renewal;
mod residents;
mod rng;
mod satisfaction;
mod schedule;
mod shocks;
mod sizing;
mod tallies;
mod workplaces;

#[cfg(test)]
#[path = "../source_files.rs"]
mod source_files;

pub use departments::DepartmentState;
pub use firms::EconomyLevers;
pub use levers::{Assets, Levers};
pub use output::{AgentRow, ReplicateResult, Scope};
pub use pass::{STEPS, Step, chunk_tally_bytes};
pub use reference::{BareEntities, Reference};
pub use rng::replicate_seed;
pub use sizing::{CHUNK_RESIDENTS, ExpectedPath, chunk_residents_of};
pub use sizing::{expected_population, most_agents};

use bevy_ecs::prelude::*;
use civitas_scenario::Scenario;

use crate::city::{City, Clock};

/// Which model this engine simulates: a fingerprint of its source computed at build time
/// (`build.rs` with `src/fingerprint.rs`), recorded in every result's `manifest.json` so
/// that results of different models are not compared or merged as if they were alike.
pub const MODEL_FINGERPRINT: &str = env!("CIVITAS_MODEL_FINGERPRINT");

/// Options that do not change the model, only what is returned.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Residents per replicate to record in the agent-level sample (0 = none).
    pub agent_sample: usize,
}

/// Runs replicate `replicate` of `scenario` and returns its indicator table.
pub fn simulate(scenario: &Scenario, replicate: u32, options: &EngineOptions) -> ReplicateResult {
    let mut sim = Simulation::new(scenario, replicate, options);
    while sim.step() {}
    sim.finish()
}

/// Where all requests raised so far stand (represented people), residents' requests and
/// firms' errands apart: both wait in the departments' queues, but only residents'
/// requests can fail and wait for a fallback (a firm's failed online errand is redone
/// offline within the tick, as its expectation) or be abandoned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestLedger {
    /// Requests raised since the start.
    pub raised: f64,
    /// Requests resolved (served by a department).
    pub resolved: f64,
    /// Requests waiting in department queues.
    pub queued: f64,
    /// Failed online requests waiting for their offline fallback.
    pub failed_pending: f64,
    /// Failed requests never redone because the resident died.
    pub abandoned: f64,
    /// Firms' errands brought to departments since the start (represented errands; 0
    /// without `[economy]`).
    pub errands_raised: f64,
    /// Firms' errands resolved (served by a department).
    pub errands_resolved: f64,
    /// Firms' errands waiting in department queues.
    pub errands_queued: f64,
}

/// One replicate being simulated, tick by tick.
pub struct Simulation {
    world: World,
    stages: Vec<schedule::Stage>,
    next_tick: usize,
    ticks: usize,
}

impl Simulation {
    /// Builds the world of replicate `replicate`: residents synthesised, departments,
    /// policies and shocks compiled, nothing simulated yet.
    pub fn new(scenario: &Scenario, replicate: u32, options: &EngineOptions) -> Self {
        let seed = replicate_seed(scenario.scenario.seed, replicate);
        let city = City::new(scenario, seed);
        let residents = scenario.population.agents as usize;
        let mut world = World::new();
        let result =
            ReplicateResult::empty(replicate, seed, city.dates.clone(), Scope::all(scenario));
        let ticks = city.dates.len();
        // Each module installs the resources it owns; `schedule` orders their systems.
        // Resources, the stages' systems and the set-up systems are created before the
        // residents: bevy keeps each resource in a sparse array indexed by entity, so a
        // resource created after a million residents would cost 4 bytes per resident.
        census::install(&mut world, &city);
        pass::install(&mut world, &city, residents);
        metrics::install(&mut world, &city, result, options.agent_sample);
        levers::install(&mut world, &city);
        policies::install(&mut world, &city);
        shocks::install(&mut world, &city);
        departments::install(&mut world, &city);
        channels::install(&mut world, &city);
        incidents::install(&mut world, &city);
        enterprises::install(&mut world, &city);
        workplaces::install(&mut world, &city);
        renewal::install(&mut world, &city, residents);
        world.insert_resource(Clock::at(&city, 0));
        world.insert_resource(city);
        let mut stages = schedule::tick_stages();
        for stage in &mut stages {
            stage
                .schedule
                .initialize(&mut world)
                .expect("the tick schedule has no conflicting order");
        }
        let steady = world.register_system_cached(channels::start_attitudes_at_steady_state);
        let census = world.register_system_cached(census::take_census);
        world.resource_scope(|world, city: Mut<City>| {
            // The enterprise agents share the index: the room left after the residents
            // holds them and their entrants too.
            let most = sizing::most_agents(scenario).min(2 * residents as u64)
                + sizing::most_enterprise_agents(scenario);
            demography::spawn_residents(world, &city, most as usize)
        });
        renewal::weigh_entrants(&mut world);
        world.resource_scope(|world, city: Mut<City>| enterprises::spawn_enterprises(world, &city));
        world
            .run_system(steady)
            .expect("steady-state start runs on a fresh world");
        // The starting census gives tick 0 its adopter shares and spending weights.
        world
            .run_system(census)
            .expect("census system runs on a fresh world");
        Self {
            world,
            stages,
            next_tick: 0,
            ticks,
        }
    }

    /// Simulates the next tick; false when the horizon is done.
    pub fn step(&mut self) -> bool {
        if self.next_tick >= self.ticks {
            return false;
        }
        let clock = Clock::at(self.world.resource::<City>(), self.next_tick);
        self.world.insert_resource(clock);
        for stage in &mut self.stages {
            stage.schedule.run(&mut self.world);
        }
        self.next_tick += 1;
        true
    }

    /// Simulates the next tick like [`Simulation::step`], adding each stage's wall time
    /// to `seconds` (indexed like [`Simulation::stage_names`]); false when the horizon is
    /// done.
    pub fn step_timed(&mut self, seconds: &mut [f64]) -> bool {
        if self.next_tick >= self.ticks {
            return false;
        }
        let clock = Clock::at(self.world.resource::<City>(), self.next_tick);
        self.world.insert_resource(clock);
        for (stage, total) in self.stages.iter_mut().zip(seconds.iter_mut()) {
            let start = std::time::Instant::now();
            stage.schedule.run(&mut self.world);
            *total += start.elapsed().as_secs_f64();
        }
        self.next_tick += 1;
        true
    }

    /// Whether the resident pass times its steps (see [`Simulation::step_seconds`]);
    /// off by default: timing costs about 1 % of the pass.
    pub fn set_profile(&mut self, on: bool) {
        self.world.resource_mut::<pass::PassChunks>().profile = on;
    }

    /// CPU seconds spent in each step of the resident pass ([`STEPS`]) since the
    /// start, summed over threads; zero unless profiling is on.
    pub fn step_seconds(&self) -> [f64; STEPS.len()] {
        self.world.resource::<pass::PassChunks>().step_seconds()
    }

    /// The names of the stages of a tick, in order (the `schedule` module declares them).
    pub fn stage_names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name).collect()
    }

    /// Ticks simulated so far.
    pub fn ticks_done(&self) -> usize {
        self.next_tick
    }

    /// The state of the request ledger after the last tick.
    pub fn ledger(&self) -> RequestLedger {
        let city = self.world.resource::<City>();
        let deps = self.world.resource::<departments::Departments>();
        let census = self.world.resource::<census::Census>();
        RequestLedger {
            raised: self
                .world
                .resource::<tallies::RequestTallies>()
                .raised_total as f64
                * city.scale,
            resolved: deps.0.iter().map(|d| d.served_requests_total).sum(),
            queued: deps.0.iter().map(|d| d.queue_requests).sum(),
            failed_pending: census.cells.iter().map(|c| c.pending_retries).sum::<u64>() as f64
                * city.scale,
            abandoned: self.world.resource::<renewal::Departures>().abandoned_total as f64
                * city.scale,
            errands_raised: self
                .world
                .resource::<enterprises::EconomyState>()
                .errands_total,
            errands_resolved: deps.0.iter().map(|d| d.served_errands_total).sum(),
            errands_queued: deps.0.iter().map(|d| d.queue_errands).sum(),
        }
    }

    /// The departments as they stand.
    pub fn departments(&self) -> &[DepartmentState] {
        &self.world.resource::<departments::Departments>().0
    }

    /// What the levers built and keep running, as it stands.
    pub fn assets(&self) -> &Assets {
        self.world.resource::<levers::Assets>()
    }

    /// The economy's levers and the assets the economy policies built, after the last
    /// tick simulated.
    pub fn economy_levers(&self) -> &EconomyLevers {
        self.world.resource::<firms::EconomyLevers>()
    }

    /// The levers of the last tick simulated.
    pub fn levers(&self) -> &Levers {
        self.world.resource::<levers::Levers>()
    }

    /// Each department's relative share of the operation budget (its caseload share,
    /// [`Simulation::caseload_weights`], unless evaluation budgeting moved it).
    pub fn operation_weights(&self) -> &[f64] {
        &self.world.resource::<levers::OperationWeights>().0
    }

    /// The caseload split of the operation budget, the weights without evaluation.
    pub fn caseload_weights(&self) -> Vec<f64> {
        levers::OperationWeights::caseload(self.world.resource::<City>())
    }

    /// The indicator table so far (ticks not yet simulated are NaN).
    pub fn result(&self) -> &ReplicateResult {
        &self.world.resource::<metrics::Table>().0
    }

    /// Runs the remaining ticks and returns the indicator table.
    pub fn finish(mut self) -> ReplicateResult {
        while self.step() {}
        self.world
            .remove_resource::<metrics::Table>()
            .expect("the table lives until the simulation ends")
            .0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// bevy's entity index, sized once when the residents are spawned, holds every
    /// entrant of the horizon: it never grows again (growing doubles it, 24 bytes an
    /// entry), though the dead are despawned and entrants spawned every tick.
    #[test]
    fn the_entity_index_holds_the_whole_run_without_growing() {
        let mut scenario = Scenario::baseline();
        scenario.population.agents = 20_000;
        let mut sim = Simulation::new(&scenario, 0, &EngineOptions::default());
        let sized = sim.world.entities().len();
        let firms = sizing::most_enterprise_agents(&scenario) as u32;
        assert!(
            firms > 6_000,
            "the baseline's economy: {firms} enterprise agents at most"
        );
        assert!(
            sized < 2 * 20_000 + firms,
            "{sized} entries for 20,000 residents and {firms} firms"
        );
        while sim.step() {}
        let residents = sim
            .world
            .query::<&residents::Resident>()
            .iter(&sim.world)
            .count();
        assert!(
            residents > 20_000,
            "the baseline's population grows: {residents}"
        );
        assert_eq!(sim.world.entities().len(), sized);
    }
}
