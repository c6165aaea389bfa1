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
//! - `decide` (the slot for `stpsim decide`): add `api/decide.rs` with a
//!   `DecideRequest { common: Common, .. }` (`#[serde(flatten)]`), its
//!   `resolve() -> Result<DecideJob, Error>`, `DecideJob::run(&dyn Hooks)`
//!   and `write()`; declare it below; give the command line a
//!   `Decide(DecideArgs)` whose `#[command(flatten)] common: CommonArgs`
//!   maps with `CommonArgs::common()`, and Python a `decide()` that builds the
//!   same request.

pub mod calibrate;
pub mod common;
pub mod run;
pub mod sweep;
// pub mod decide; (the decision verb plugs in here, as described above)

pub use common::{Common, Error, ErrorKind, Hooks, Silent, claim, pool};
