//! Batch execution: replicates, sweeps and shards of a scenario on rayon, aggregated
//! into one [`BatchResult`] and tidy CSV outputs.

pub mod result;

pub use result::{
    BatchResult, Manifest, SeriesSummary, SweepPoint, SweepResult, TargetResult, TargetStatus,
};
