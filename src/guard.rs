//! The memory guard: every command that simulates (run, sweep, sensitivity,
//! calibrate, the explorer) estimates what it will hold before allocating it,
//! and refuses with a message when that passes the limit (8 GiB, or
//! `STPSIM_MAX_MEMORY_GIB`).

use crate::scenario::{Scenario, StructureSpec};

pub const DEFAULT_MAX_GIB: f64 = 8.0;
pub const MAX_MEMORY_ENV: &str = "STPSIM_MAX_MEMORY_GIB";
/// Model state per organisation in one replicate, bytes (measured, rounded up).
pub const STATE_BYTES_PER_ORG: f64 = 256.0;
const GIB: f64 = (1u64 << 30) as f64;

/// The limit in GiB, and whether the environment set it.
pub fn limit_gib() -> Result<(f64, bool), String> {
    match std::env::var(MAX_MEMORY_ENV).ok().map(|v| v.trim().parse::<f64>()) {
        Some(Ok(v)) if v > 0.0 && v.is_finite() => Ok((v, true)),
        Some(_) => Err(format!("{MAX_MEMORY_ENV} must be a number of GiB above 0")),
        None => Ok((DEFAULT_MAX_GIB, false)),
    }
}

/// Organisations in a scenario's structure, before it is built.
pub fn organisations(s: &Scenario) -> f64 {
    match &s.structure {
        StructureSpec::File { organisations, .. } => organisations.len() as f64,
        // About 16 organisations per footprint in England and synthetic systems.
        _ => s.footprint_names().len() as f64 * 16.2,
    }
}

/// One replicate's model state for a scenario.
pub fn state_bytes(s: &Scenario) -> f64 {
    organisations(s) * STATE_BYTES_PER_ORG
}

/// A run: results held until written, and one replicate's state per thread.
pub fn run_bytes(scenarios: &[Scenario], replicates: u32, footprint_replicates: u32, threads: usize) -> f64 {
    let metrics = crate::model::metrics::N_METRICS as f64;
    scenarios
        .iter()
        .map(|s| {
            let q = s.start.span_to(s.end) as f64;
            let fps = s.footprint_names().len() as f64;
            8.0 * metrics * q * (replicates as f64 + footprint_replicates as f64 * fps)
                + threads as f64 * state_bytes(s)
        })
        .sum()
}

/// A sweep: its design (factor values and unit-cube points), the per-point
/// means kept for the indices, and per thread one point's replicates and one
/// replicate's state.
pub fn sweep_bytes(
    points: usize,
    factors: usize,
    outputs: usize,
    replicates: u32,
    base: &Scenario,
    threads: usize,
) -> f64 {
    let p = points as f64;
    let design = p * (2.0 * 8.0 * factors as f64 + 48.0);
    let means = p * outputs as f64 * 8.0;
    let per_thread = replicates as f64 * outputs as f64 * 8.0 + state_bytes(base) + 64.0 * 1024.0;
    design + means + threads as f64 * per_thread
}

/// Refuses `bytes` above the limit; `what` names the job, `held` what it
/// holds, `advice` how to shrink it.
pub fn check(bytes: f64, what: &str, held: &str, advice: &str) -> Result<(), String> {
    let (limit, from_env) = limit_gib()?;
    if bytes > limit * GIB {
        return Err(format!(
            "{what} would need about {:.1} GiB of memory ({held}), above the limit of {limit} GiB{}; {advice}, or \
             raise the limit with {MAX_MEMORY_ENV}",
            bytes / GIB,
            if from_env { format!(" set by {MAX_MEMORY_ENV}") } else { String::new() }
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_grow_with_what_is_held() {
        let s = crate::scenario::load("baseline").unwrap();
        let one = run_bytes(std::slice::from_ref(&s), 100, 0, 1);
        assert!(run_bytes(std::slice::from_ref(&s), 200, 0, 1) > one);
        assert!(run_bytes(std::slice::from_ref(&s), 100, 10, 1) > one);
        assert!(sweep_bytes(10_000_000, 8, 2, 100, &s, 2) > sweep_bytes(100, 8, 2, 100, &s, 2));
        assert!(check(1e6, "this", "it", "shrink it").is_ok());
        let e = check(1e15, "this sweep", "its design", "use fewer points").unwrap_err();
        assert!(e.starts_with("this sweep would need about 931322.6 GiB of memory"), "{e}");
    }
}
