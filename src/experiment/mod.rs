//! Experiments: sweeps over design points, sensitivity analysis, and runs
//! that resume or spread over a cluster.

pub mod design;
pub mod plan;
pub mod sensitivity;
pub mod sweep;
