//! stpsim: an agent-based model of collaboration in England's sustainability
//! and transformation partnerships.
//!
//! Data flows one way: a scenario file becomes a validated [`Scenario`], the
//! [`runner`] turns scenarios into a results table, and everything after
//! (summaries, files) reads that table. The command line, the explorer and
//! the Python package are fronts over this public API:
//!
//! - [`scenario::load`] (a file path or a built-in name) and
//!   [`scenario::load_text`] (TOML text) give a [`Scenario`], or a
//!   [`ScenarioError`] naming file, line, field, value and what is allowed;
//! - [`run`] runs scenarios x replicates with [`RunOptions`] on the current
//!   rayon pool and returns [`Results`], one tidy table (`Results::rows`);
//! - [`api`] is the one front door every front calls: per verb (run, sweep,
//!   sensitivity, calibrate) a plain request that `resolve()`s into a job
//!   (the defaults table [`core::defaults`], typed errors that know whether
//!   they are the user's), runs with progress and cancellation hooks, and
//!   writes its folder as one set. [`api::run`] (also `stpsim::job`) does
//!   what `stpsim run` does: [`job::RunRequest`] -> [`job::Job`] ->
//!   `Job::run` -> `Job::write` (or [`job::write_run`], data only);
//! - [`model::levers::LEVERS`] and [`params::DICTIONARY`] declare every lever
//!   and parameter, with ranges and defaults.
//!
//! ```
//! use stpsim::job::{Provenance, RunRequest, write_run};
//! use stpsim::model::Metric;
//!
//! let baseline = stpsim::scenario::load("baseline").unwrap();
//! let history = stpsim::scenario::load("history").unwrap();
//! let options = stpsim::RunOptions { replicates: 4, ..Default::default() };
//! let results = stpsim::run(&[baseline, history], &options);
//!
//! // Scenarios share random numbers: before the first lever (2017Q2) they agree.
//! let (b, h) = (&results.scenarios[0], &results.scenarios[1]);
//! assert_eq!(b.value(0, 0, Metric::SelfPriorityShare), h.value(0, 0, Metric::SelfPriorityShare));
//! assert_eq!(results.rows().count(), 2 * 4 * 21 * Metric::ALL.len());
//!
//! // A scenario from text (lever kinds as `stpsim levers` lists them), then
//! // a whole run as `stpsim run` makes it.
//! let text = "name = \"leads\"\nextends = \"baseline\"\n[[levers]]\nkind = \"strengthen_leads\"\nstart = \"2017Q2\"\nauthority = 0.8\n";
//! let leads = stpsim::scenario::load_text(text, "leads.toml", None).unwrap();
//! assert_eq!(leads.levers.len(), 2, "baseline's joint working, then its own");
//! let dir = std::env::temp_dir().join(format!("stpsim-doc-{}", std::process::id()));
//! let common = stpsim::api::Common { replicates: Some(2), out: Some(dir), ..Default::default() };
//! let request = RunRequest { scenarios: vec!["baseline".into()], common, ..Default::default() };
//! let job = request.resolve().unwrap();
//! job.check_memory().unwrap();
//! let results = job.run();
//! std::fs::create_dir_all(&job.out).unwrap();
//! let made = Provenance { command: vec!["example".into()], started: std::time::SystemTime::now(), wall_seconds: 0.0 };
//! let files = write_run(&job.out, &job, &results, &made).unwrap().files;
//! // By default over the built-in England posterior: which draw each replicate took, and how much
//! // of each spread is parameters and how much chance.
//! assert_eq!(files, ["timeseries.csv", "summary.csv", "manifest.json", "posterior_draws.csv", "variance_split.csv", "tables.xlsx"]);
//! # std::fs::remove_dir_all(&job.out).unwrap();
//! ```

// Index loops over gap dimensions and footprints read like the spec's formulas.
#![allow(clippy::needless_range_loop)]

pub mod api;
pub mod calibrate;
pub mod core;
pub mod decide;
/// The README's and docs' generated parts (`cargo run --release --example docs`).
pub mod docs;
pub mod experiment;
pub mod fsx;
pub mod fuzzing;
pub mod guard;
/// `stpsim run` as the library orchestrates it; the old path of [`api::run`].
pub use api::run as job;
pub mod model;
pub mod scenario;
pub mod structure;
pub mod targets;

// The vocabulary's modules keep their old paths (`stpsim::params`, `stpsim::quarter`).
pub use crate::core::{params, quarter};
pub use scenario::{Scenario, ScenarioError};
pub mod results;
pub mod runner;

pub use results::{Results, Row};
pub use runner::{RunOptions, run};
pub mod plot;
pub mod report;
