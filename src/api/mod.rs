//! The one front door. Every verb is a plain request (serde data, the same
//! fields whichever front fills them: `stpsim`'s flags, Python's keywords,
//! the explorer's page) that `resolve()`s into a job: every default from the
//! one table ([`crate::core::defaults`]), a scenario's or plan's own
//! `replicates` and `seed` before them, every check made, typed [`Error`]s
//! that know whether the mistake is the user's ([`ErrorKind`]). A job runs
//! with [`Hooks`] (progress, cancellation) on the one [`pool`], and its
//! `write` takes the output folder's lock, stages the files, draws the
//! charts, writes the manifest and moves the set into place.
//!
//! - [`run`]: scenarios x replicates (`stpsim run`, `stpsim.run`, the explorer);
//! - [`sweep`]: a sweep or sensitivity plan (`stpsim sweep|sensitivity`,
//!   `stpsim.sweep|sensitivity`);
//! - [`calibrate`]: ABC-SMC with resume, or the bracketing fit (`stpsim
//!   calibrate`, `stpsim.calibrate`);
//! - [`decide`]: a decision plan's options over its worlds (`stpsim
//!   decide`, `stpsim.decide`).
//!
//! A new verb is a module here in the same shape (docs/architecture.md).

pub mod calibrate;
pub mod common;
pub mod decide;
pub mod run;
pub mod sweep;

pub use common::{Common, Error, ErrorKind, Hooks, Silent, claim, pool};
