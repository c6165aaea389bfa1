//! The simulation itself: pure, no I/O. `Replicate::new` draws a replicate,
//! `Replicate::step` advances it one quarter and records its metrics.

pub mod bernoulli;
pub mod init;
pub mod levers;
pub mod metrics;
pub mod part;
pub mod phases;
pub mod replicate;
pub mod rng;
pub mod state;
pub mod step;
pub mod workspace;

/// Kinds live in the vocabulary floor; the old path `model::kind` still works.
pub use crate::core::kind;

pub use levers::{Lever, LeverAction, Targets};
pub use metrics::Metric;
pub use replicate::Replicate;
pub use state::World;
pub use workspace::Workspace;

#[cfg(test)]
pub mod testing;
