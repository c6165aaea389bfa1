//! The simulation itself: pure, no I/O. `Replicate::new` draws a replicate,
//! `Replicate::step` advances it one quarter and records its metrics.

pub mod init;
pub mod levers;
pub mod metrics;
pub mod part;
pub mod phases;
pub mod replicate;
pub mod state;
pub mod step;
pub mod workspace;

/// Kinds and keyed streams live in the vocabulary floor; the old paths
/// `model::kind` and `model::rng` still work.
pub use crate::core::{kind, rng};

pub use levers::{Lever, LeverAction, Targets};
pub use metrics::Metric;
pub use replicate::Replicate;
pub use state::World;
pub use workspace::Workspace;

#[cfg(test)]
pub mod testing;
