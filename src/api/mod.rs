//! The one front door: one module per verb.

pub mod run;
