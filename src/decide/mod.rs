//! Deciding between governance options over plausible worlds: which option
//! to back, how sure to be, in which worlds it fails, and which unknown is
//! most worth measuring first (`stpsim decide`).
//!
//! Every front runs it through [`crate::api::decide`]: a `DecideRequest`
//! resolves to a job (a validated [`plan::Plan`] with its worlds, output
//! folder and threads), which runs on the one pool and writes its files
//! through [`run::finish`]; [`report::render`] draws the charts and
//! report.html from the folder alone.
//!
//! The methods are a pure library: [`robust`] (probability best, regret,
//! satisficing), [`prim`] (scenario discovery) and [`voi`] (EVPI, EVPPI).

pub mod analysis;
pub mod frame;
pub mod plan;
pub mod prim;
pub mod report;
pub mod robust;
pub mod run;
pub mod stats;
pub mod voi;
pub mod workbook;
