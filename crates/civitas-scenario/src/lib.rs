//! The Civitas scenario format: plain data and validation, no simulation.
//!
//! A scenario file describes a city (districts, age bands, departments, services,
//! incident types), a policy timeline, shocks, targets and the outputs to write. This
//! crate reads it from TOML (primary), YAML or JSON into [`Scenario`], resolves
//! `extends`, and checks it; a loaded `Scenario` is valid by construction.
//!
//! Checking happens in two stages and reports every problem at once, each as a
//! [`Diagnostic`] with file, line, column (of the value, in the file of an `extends` chain
//! that set it), field path such as `services[3].requires[1]`, and what was found and
//! expected:
//! 1. the file's syntax, field names (unknown fields are errors) and value types;
//! 2. the semantic rules: district, band and `age_mix` shares sum to 1 (within 1e-6);
//!    departments, districts and bands named anywhere exist; policy, shock and target
//!    dates lie inside the horizon with `end` not before `start` (checked by
//!    [`Scenario::load`] for the dates a file writes itself: a variant that moves the
//!    horizon keeps its base's timeline, and dates outside it never take effect); rates are non-negative
//!    and shares and probabilities lie in [0, 1]; names are unique; `agents` ≥ 1 and
//!    `scale` > 0; a service does not require its own owner; each policy sets exactly the
//!    parameters of its kind (table on [`Policy`]); a target has `min` or `max`; the
//!    scenario name works as a directory name; counts, money, hours and rates stay within
//!    the bounds of [`limits`]; a target can have data (no band scope on incident
//!    indicators or the digital divide). [`Scenario::check`] runs these on a scenario
//!    changed in memory.
//!
//! ```no_run
//! use civitas_scenario::Scenario;
//! let scenario = Scenario::load("scenarios/baseline.toml")?;
//! println!("{} agents", scenario.population.agents);
//! # Ok::<(), civitas_scenario::ScenarioError>(())
//! ```
//!
//! Main types: [`Scenario`] (the schema, in [`model`]), [`Indicator`] (every reported
//! indicator, declared once), [`YearMonth`], [`ScenarioError`] / [`Diagnostic`],
//! [`FieldPath`].

#![forbid(unsafe_code)]

pub mod bounds;
pub mod calendar;
pub mod describe;
pub mod error;
pub mod indicators;
pub mod limits;
pub mod load;
pub mod model;
pub mod path;
pub mod ranges;
pub mod schema;
mod tree;
mod validate;

pub use calendar::{TickDate, YearMonth, tick_dates};
pub use error::{Diagnostic, ScenarioError};
pub use indicators::{Indicator, IndicatorMeta, Unit};
pub use limits::{MAX_AGENTS, MAX_REPLICATES, MAX_SEED};
pub use load::{
    BASELINE_TOML, Format, STARTER_TOML, extends_target, file_document, resolved_document,
};
pub use model::*;
pub use path::{FieldPath, Segment};

/// Whether a name may hold `c`, and whether text can be shown as it is: not a control
/// character (C0, DEL, C1), not one of the marks that reorder or hide text (bidirectional
/// overrides and isolates, zero-width characters, the byte-order mark), not a Unicode
/// non-character (`U+FFFE`, `U+FFFF`, …). Names are shown on terminals and written into
/// CSV, XML and SVG files, where such characters move a cursor, make a file invalid or
/// show one name as another.
pub fn printable(c: char) -> bool {
    let code = c as u32;
    !(c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
        || (0xfdd0..=0xfdef).contains(&code)
        || code & 0xfffe == 0xfffe)
}
