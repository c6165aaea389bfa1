//! The one table of defaults. A choice a request leaves open (a flag not
//! given, a Python keyword left at None, a field the explorer does not send)
//! resolves first from the scenario or plan, then from here. Clap's help,
//! Python's signatures and the explorer's page read these values.

/// Run seed when neither the request nor a scenario (or plan) sets one.
pub const SEED: u64 = 2016;
/// Replicates per scenario of a run.
pub const REPLICATES: u32 = 200;
/// Replicates per design point of a sweep or sensitivity plan.
pub const SWEEP_REPLICATES: u32 = 100;
/// Replicates per particle of an ABC-SMC calibration.
pub const ABC_REPLICATES: u32 = 2;
/// Replicates per evaluation of the bracketing calibration.
pub const BRACKET_REPLICATES: u32 = 200;
/// Memory a job may plan to use, in GiB, unless `STPSIM_MAX_MEMORY_GIB` or
/// a request's `memory_limit` says otherwise.
pub const MEMORY_LIMIT_GIB: f64 = 8.0;
/// The environment variable that sets the memory limit.
pub const MEMORY_LIMIT_ENV: &str = "STPSIM_MAX_MEMORY_GIB";
/// Output folders: `outputs/NAME` for a run of one named scenario, `outputs/A+B` for several.
pub const OUT_ROOT: &str = "outputs";
/// The main job's (`stpsim` alone, or `stpsim run` with no scenario).
pub const MAIN_OUT: &str = "outputs/default";
/// `stpsim run --all`'s.
pub const ALL_OUT: &str = "outputs/all";
/// A calibration's.
pub const CALIBRATION_OUT: &str = "outputs/calibration";
/// `stpsim merge`'s.
pub const MERGED_OUT: &str = "outputs/merged";
/// Highest worker-thread count a request may ask for.
pub const MAX_THREADS: usize = 1024;
/// Most replicates a run or sweep may ask for.
pub const MAX_REPLICATES: u32 = 1_000_000;

/// What a run of scenarios asks for: replicates, seed, footprint rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunOptions {
    pub replicates: u32,
    pub seed: u64,
    /// Keep every footprint's metrics for the first this many replicates (0: none).
    pub footprint_replicates: u32,
}

/// 200 replicates, seed 2016, no footprint rows: the defaults of `stpsim run`.
impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions { replicates: REPLICATES, seed: SEED, footprint_replicates: 0 }
    }
}

/// Worker threads: as asked, or one per core.
pub fn threads(asked: Option<usize>) -> usize {
    asked.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1)
}

/// The table as (name, value, meaning) rows, for fronts that show it
/// (Python's `stpsim.DEFAULTS`, the explorer's page, docs).
pub fn table() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("seed", SEED.to_string(), "run seed unless the scenario or plan sets one"),
        ("replicates", REPLICATES.to_string(), "replicates per scenario of a run unless the scenario sets them"),
        ("sweep_replicates", SWEEP_REPLICATES.to_string(), "replicates per design point unless the plan sets them"),
        ("abc_replicates", ABC_REPLICATES.to_string(), "replicates per particle of an ABC-SMC calibration"),
        ("bracket_replicates", BRACKET_REPLICATES.to_string(), "replicates per evaluation of a bracketing calibration"),
        ("threads", "all cores".to_string(), "worker threads"),
        ("memory_limit_gib", MEMORY_LIMIT_GIB.to_string(), "memory a job may plan to use"),
        ("out", OUT_ROOT.to_string(), "output folders are made under it"),
    ]
}
