//! stpsim: an agent-based model of collaboration in England's sustainability
//! and transformation partnerships.
//!
//! Data flows one way: a scenario file becomes a validated [`Scenario`], the
//! [`runner`] turns scenarios into a results table, and everything after
//! (summaries, files) reads that table.

// Index loops over gap dimensions and footprints read like the spec's formulas.
#![allow(clippy::needless_range_loop)]

pub mod model;
pub mod params;
pub mod quarter;
pub mod scenario;
pub mod structure;

pub use scenario::{Scenario, ScenarioError};
pub mod results;
pub mod runner;

pub use results::{Results, Row};
pub use runner::{RunOptions, run};
