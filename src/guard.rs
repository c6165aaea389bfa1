//! The memory guard, the one place that knows the memory policy: a run, a
//! calibration and the explorer estimate their peak from the scenarios
//! ([`memory_bytes`]), a sweep or sensitivity design from its plan
//! ([`sweep_bytes`]), before anything is built, and all check it against one
//! limit ([`memory_limit`]: 8 GiB, or `STPSIM_MAX_MEMORY_GIB`).

const MAX_MEMORY_ENV: &str = "STPSIM_MAX_MEMORY_GIB";
use crate::model::Replicate;
use crate::model::metrics::N_METRICS;
use crate::runner::RunOptions;
use crate::scenario::{Scenario, StructureSpec};

/// Memory a run may plan to use unless `STPSIM_MAX_MEMORY_GIB` says otherwise.
pub const DEFAULT_MAX_MEMORY_GIB: f64 = 8.0;
const GIB: f64 = (1u64 << 30) as f64;

/// The memory a job would plan to use is above the limit, or the limit is
/// not a number: the user's to change (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    #[error("STPSIM_MAX_MEMORY_GIB must be a number of GiB above 0")]
    Limit,
    #[error(
        "this run would need about {need_gib:.1} GiB of memory (results held until written, and one replicate's \
         state per thread), above the limit of {limit_gib} GiB{}; use fewer --replicates, scenarios or --threads, \
         a smaller --footprint-replicates, or raise the limit with STPSIM_MAX_MEMORY_GIB",
        if *.from_env { " set by STPSIM_MAX_MEMORY_GIB" } else { "" }
    )]
    Over { need_gib: f64, limit_gib: f64, from_env: bool },
}

/// Organisations and footprints a scenario's structure will have (a
/// synthetic one's expected size).
fn size(s: &Scenario) -> (f64, f64) {
    let fps = s.footprint_names().len() as f64;
    let orgs = match &s.structure {
        StructureSpec::England => crate::structure::england(&s.params).n_orgs() as f64,
        StructureSpec::Synthetic { footprints } => *footprints as f64 * crate::structure::expected_members(&s.params),
        StructureSpec::File { organisations, .. } => organisations.len() as f64,
    };
    (orgs, fps)
}

/// Bytes a run of `scenarios` holds at its peak: every result value until
/// written, and one replicate in progress (`Replicate::bytes_for`) per thread.
pub fn memory_bytes(scenarios: &[Scenario], opts: &RunOptions, threads: usize) -> f64 {
    let mut bytes = 0.0;
    for s in scenarios {
        let q = s.start.span_to(s.end) as f64;
        let (orgs, fps) = size(s);
        let values = opts.replicates as f64 + opts.footprint_replicates as f64 * fps;
        bytes += (std::mem::size_of::<f64>() * N_METRICS) as f64 * q * values;
        bytes += threads as f64 * Replicate::bytes_for(orgs.ceil() as usize, fps as usize) as f64;
    }
    bytes
}

/// The memory limit in bytes, and whether the environment set it.
pub fn memory_limit() -> Result<(f64, bool), MemoryError> {
    match std::env::var("STPSIM_MAX_MEMORY_GIB").ok().map(|v| v.trim().parse::<f64>()) {
        Some(Ok(v)) if v > 0.0 && v.is_finite() => Ok((v * GIB, true)),
        Some(_) => Err(MemoryError::Limit),
        None => Ok((DEFAULT_MAX_MEMORY_GIB * GIB, false)),
    }
}

/// Refuses `bytes` above the memory limit.
pub fn check_memory(bytes: f64) -> Result<(), MemoryError> {
    let (limit, from_env) = memory_limit()?;
    if bytes > limit {
        return Err(MemoryError::Over { need_gib: bytes / GIB, limit_gib: limit / GIB, from_env });
    }
    Ok(())
}

/// One replicate's model state for a scenario, as a run counts it.
fn state_bytes(s: &Scenario, threads: usize) -> f64 {
    let one = RunOptions { replicates: 0, seed: 0, footprint_replicates: 0 };
    memory_bytes(std::slice::from_ref(s), &one, threads)
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
    let per_thread = replicates as f64 * outputs as f64 * 8.0 + 64.0 * 1024.0;
    design + means + threads as f64 * per_thread + state_bytes(base, threads)
}

/// Refuses `bytes` above the limit; `what` names the job, `held` what it
/// holds, `advice` how to shrink it.
pub fn check(bytes: f64, what: &str, held: &str, advice: &str) -> Result<(), String> {
    let (limit, from_env) = memory_limit().map_err(|e| e.to_string())?;
    let limit = limit / GIB;
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
        assert!(sweep_bytes(10_000_000, 8, 2, 100, &s, 2) > sweep_bytes(100, 8, 2, 100, &s, 2));
        assert!(sweep_bytes(100, 8, 2, 100, &s, 4) > sweep_bytes(100, 8, 2, 100, &s, 2));
        assert!(check(1e6, "this", "it", "shrink it").is_ok());
        let e = check(1e15, "this sweep", "its design", "use fewer points").unwrap_err();
        assert!(e.starts_with("this sweep would need about 931322.6 GiB of memory (its design)"), "{e}");
    }
}
