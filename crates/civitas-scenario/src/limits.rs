//! Upper bounds on what a scenario file may ask for, so that a finite file gives finite
//! outputs in bounded time: every bound here is enforced by validation (and so by
//! `civitas validate`), and `civitas schema` carries the numeric ones.
//!
//! The bounds are far above any real city and far below where arithmetic overflows
//! (`f64` money summed over 84 ticks and 1,000 policies stays below 1e20).

/// Largest master seed: the resolved scenario is written as TOML, whose integers are
/// signed 64-bit.
pub const MAX_SEED: u64 = i64::MAX as u64;

/// Longest horizon, in months (a century): every replicate holds every tick's indicators.
pub const MAX_HORIZON_MONTHS: i64 = 1200;

/// Most resident agents in one replicate (the run's memory check usually stops earlier).
pub const MAX_AGENTS: u64 = 1_000_000_000;

/// Most replicates of one scenario.
pub const MAX_REPLICATES: u32 = 1_000_000;

/// Most people a scenario may represent (`agents × scale`): more than the world's population.
pub const MAX_PEOPLE: f64 = 1e10;

/// Largest `amount_per_year` of a policy, in the scenario's currency.
pub const MAX_AMOUNT_PER_YEAR: f64 = 1e15;

/// Largest duration in hours (report delay, dispatch, SLA): ten years.
pub const MAX_HOURS: f64 = 87_600.0;

/// Largest incident rate per 100,000 residents per month: one per resident per month.
pub const MAX_INCIDENT_RATE_PER_100K_PER_MONTH: f64 = 100_000.0;

/// Largest department capacity per month, in cases.
pub const MAX_CAPACITY_PER_MONTH: f64 = 1e12;

/// Largest yearly demand for one service per resident.
pub const MAX_DEMAND_PER_YEAR: f64 = 1_000.0;

/// Largest base processing time of a service, in days (ten years).
pub const MAX_BASE_DAYS: f64 = 3_650.0;

/// Largest effort of a case or incident, in offline cases.
pub const MAX_EFFORT: f64 = 1e6;

/// Largest multiplier a shock may apply to incident rates or capacity.
pub const MAX_SHOCK_FACTOR: f64 = 1_000.0;

/// Largest size of a scenario file, in bytes (the bundled baseline is about 20 KB).
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Most values a YAML file may expand to once its aliases are resolved ("billion laughs":
/// nine nested aliases of ten would otherwise expand to 10⁹ values). The bundled baseline
/// has about 1,000.
pub const MAX_YAML_VALUES: usize = 100_000;

/// Largest adoption boost of a training policy, per year.
pub const MAX_ADOPTION_BOOST: f64 = 100.0;

/// Most districts in a scenario: a resident keeps its district in 14 bits
/// (`civitas_engine::residents::Home`), and every tally is kept per district and band.
pub const MAX_DISTRICTS: usize = 10_000;

/// Most `digital_training` policies in a scenario: a resident keeps the boost of their
/// training as a position among the policies' boosts in one byte.
pub const MAX_TRAINING_POLICIES: usize = 255;
