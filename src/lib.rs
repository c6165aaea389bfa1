//! stpsim: an agent-based model of collaboration in England's sustainability
//! and transformation partnerships.
//!
//! Data flows one way: a scenario file becomes a validated [`Scenario`], the
//! [`runner`] turns scenarios into a results table, and everything after
//! (summaries, files) reads that table.
//!
//! ```
//! use stpsim::model::Metric;
//!
//! let baseline = stpsim::scenario::load("baseline").unwrap();
//! let history = stpsim::scenario::load("history").unwrap();
//! let options = stpsim::RunOptions { replicates: 4, seed: 2016, footprint_replicates: 0 };
//! let results = stpsim::run(&[baseline, history], &options);
//!
//! // Scenarios share random numbers: before the first lever (2017Q2) they agree.
//! let (b, h) = (&results.scenarios[0], &results.scenarios[1]);
//! assert_eq!(b.value(0, 0, Metric::SelfPriorityShare), h.value(0, 0, Metric::SelfPriorityShare));
//! assert_eq!(results.rows().count(), 2 * 4 * 21 * Metric::ALL.len());
//! ```

// Index loops over gap dimensions and footprints read like the spec's formulas.
#![allow(clippy::needless_range_loop)]

pub mod calibrate;
pub mod experiment;
pub mod fuzzing;
pub mod guard;
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
pub mod plot;
pub mod report;
