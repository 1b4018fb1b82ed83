//! The Civitas scenario format: plain data and validation, no simulation.
//!
//! A scenario file describes a city (districts, age bands, departments, services,
//! incident types), a policy timeline, shocks, targets and the outputs to write. This
//! crate reads it from TOML (primary), YAML or JSON into [`Scenario`], resolves
//! `extends`, and checks it; a loaded `Scenario` is valid by construction.
//!
//! ```no_run
//! use civitas_scenario::Scenario;
//! let scenario = Scenario::load("scenarios/baseline.toml")?;
//! println!("{} agents", scenario.population.agents);
//! # Ok::<(), civitas_scenario::ScenarioError>(())
//! ```
//!
//! Main types: [`Scenario`] (the schema, in [`model`]), [`Indicator`] (every reported
//! indicator, declared once), [`YearMonth`], [`ScenarioError`] / [`Diagnostic`].

pub mod calendar;
pub mod error;
pub mod indicators;
pub mod load;
pub mod model;
pub mod path;
mod tree;
mod validate;

pub use calendar::{TickDate, YearMonth, tick_dates};
pub use error::{Diagnostic, ScenarioError};
pub use indicators::{Indicator, IndicatorMeta, Unit};
pub use load::{BASELINE_TOML, Format, STARTER_TOML, resolved_document};
pub use model::*;
pub use path::{FieldPath, Segment};
