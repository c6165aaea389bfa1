//! Scenario files: the raw TOML layer, resolution of `extends` and
//! validation into a [`Scenario`], and the built-in scenarios.

pub mod builtin;
pub mod error;
pub mod posterior;
pub mod raw;
pub mod read;
pub mod resolve;

pub use error::ScenarioError;
pub use resolve::{NAME_RULE, Scenario, StructureSpec, is_valid_name, load, load_text};
