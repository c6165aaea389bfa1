//! Experiments: sweeps over design points, sensitivity analysis, and runs
//! that resume or spread over a cluster.

pub mod charts;
pub mod design;
pub mod frame;
pub mod plan;
pub mod sensitivity;
pub mod sweep;
pub mod workbook;
