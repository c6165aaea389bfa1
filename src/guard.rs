//! The memory guard for experiments: a sweep or sensitivity design is
//! estimated from its plan before anything is built and checked against the
//! same limit as a run (`job::memory_limit`: 8 GiB, or `STPSIM_MAX_MEMORY_GIB`).

const MAX_MEMORY_ENV: &str = "STPSIM_MAX_MEMORY_GIB";
use crate::scenario::Scenario;

const GIB: f64 = (1u64 << 30) as f64;

/// One replicate's model state for a scenario, as a run counts it.
fn state_bytes(s: &Scenario, threads: usize) -> f64 {
    let one = crate::RunOptions { replicates: 0, seed: 0, footprint_replicates: 0 };
    crate::job::memory_bytes(std::slice::from_ref(s), &one, threads)
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
    let (limit, from_env) = crate::job::memory_limit().map_err(|e| e.to_string())?;
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
