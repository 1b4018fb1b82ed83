//! Parameter uncertainty for Civitas, as plain numerical building blocks with no
//! simulation in them: what a modeler does not know exactly becomes a prior
//! [`Distribution`], each replicate draws one parameter set from a seeded
//! [`latin_hypercube`], and the outcomes are read with honest statistics.
//!
//! - [`Distribution`]: uniform, triangular, normal (truncated to bounds), lognormal and
//!   beta priors, sampled by their quantile function so a stratified design maps onto them.
//! - [`latin_hypercube`]: one stratified draw per replicate and parameter, keyed by the
//!   seed and the parameter's name, so it does not depend on thread count, shards or the
//!   other parameters, and replicate *r* of two scenarios draws the same values (common
//!   random numbers).
//! - [`wilson`]: the Wilson score interval of a probability estimated from replicates;
//!   [`paired`]: the paired difference between two scenarios' replicates, with its
//!   interval and the probability that one is better.
//! - [`sobol`]: Saltelli's design and the Saltelli (2010) / Jansen estimators of first-order
//!   and total Sobol indices; [`morris`]: elementary effects for cheap screening.
//! - [`abc`]: approximate Bayesian computation by adaptive sequential Monte Carlo
//!   (Lenormand, Jabot and Deffuant 2013), the posterior of a calibration, and the
//!   predictive mixtures it is scored by (quantiles, CRPS).
//! - [`prim`]: the Patient Rule Induction Method (Friedman and Fisher 1999), as used for
//!   scenario discovery in exploratory modelling: the few parameter ranges in which a
//!   target fails, with coverage and density.
//!
//! ```
//! use civitas_uncertainty::{Distribution, latin_hypercube, wilson};
//! let q = Distribution::triangular(0.3, 0.38, 0.5).unwrap();
//! let design = latin_hypercube(7, &["population.bands.senior.bass_q"], 20);
//! let draws: Vec<f64> = design[0].iter().map(|&u| q.quantile(u)).collect();
//! assert!(draws.iter().all(|&x| (0.3..=0.5).contains(&x)));
//! let (lo, hi) = wilson(12, 20, 1.645);
//! assert!(lo < 0.6 && 0.6 < hi);
//! ```

#![forbid(unsafe_code)]

pub mod abc;
mod design;
mod distribution;
mod interval;
pub mod morris;
pub mod prim;
pub mod sobol;
mod special;

pub use design::{latin_hypercube, mix64, unit_draw};
pub use distribution::{Distribution, DistributionError};
pub use interval::{IndexIntervals, PairedDifference, paired, wilson};
