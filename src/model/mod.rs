//! The simulation itself: pure, no I/O. `World::new` draws a replicate,
//! `step` advances it one quarter, `metrics` reads it.

pub mod init;
pub mod kind;
pub mod levers;
pub mod metrics;
pub mod part;
pub mod phases;
pub mod rng;
pub mod state;
pub mod step;

pub use levers::{Lever, LeverAction, Targets};
pub use metrics::Metric;
pub use state::World;
pub use step::step;

#[cfg(test)]
pub mod testing;
