//! The phases of a quarter, in the order of the spec (section 3). Phase 1
//! (levers) lives in `model::levers`; phase 11 sums each footprint here
//! (`tally`) and `model::metrics` turns the sums into rows.

pub mod acs;
pub mod decision;
pub mod funding;
pub mod implementation;
pub mod learning;
pub mod proposals;
pub mod realise;
pub mod stances;
pub mod tally;
pub mod votes;
