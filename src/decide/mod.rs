//! Deciding between governance options over plausible worlds: which option
//! to back, how sure to be, in which worlds it fails, and which unknown is
//! most worth measuring first (`stpsim decide`).
//!
//! The methods are a pure library: [`robust`] (probability best, regret,
//! satisficing), [`prim`] (scenario discovery) and [`voi`] (EVPI, EVPPI).

pub mod prim;
pub mod robust;
pub mod stats;
pub mod voi;
