//! Scenario files: the raw TOML layer, resolution of `extends` and
//! validation into a [`Scenario`], and the built-in scenarios.

pub mod builtin;
pub mod error;
pub mod raw;
pub mod resolve;

pub use error::ScenarioError;
pub use resolve::{Scenario, StructureSpec, load, load_text};
