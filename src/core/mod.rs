//! The vocabulary every floor of the house uses: organisation kinds,
//! quarters, keyed random streams, the parameter dictionary, posteriors, and
//! small text and statistics helpers.
//! Nothing here imports from the floors above (scenario, model, runner,
//! results, ...), so any of them may import it without a circle.

pub mod defaults;
pub mod kind;
pub mod params;
pub mod posterior;
pub mod quarter;
pub mod rng;
pub mod stats;
pub mod text;
