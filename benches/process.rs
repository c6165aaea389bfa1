//! Whole jobs through the library, as the command line runs them, on one
//! thread: `run` (1,000 England replicates of baseline, files written, no
//! charts), `sweep` (the leads-by-seats plan, 16 points x 20 replicates of
//! history, tables written, no charts) and one `calibrate` generation (ABC-SMC
//! on the England targets, 200 particles x 4 simulations, its first
//! generation only). Each is timed in wall-clock and CPU seconds (CPU time
//! leaves out waiting for a core, so it means something on a busy machine);
//! `run` and `calibrate` also in organisation-quarters per CPU-second.
//!
//!     cargo bench --bench process
//!     STPSIM_BENCH_RUNS=5 cargo bench --bench process -- run

use std::path::{Path, PathBuf};
use std::time::Instant;
use stpsim::api::Silent;
use stpsim::api::calibrate::{CalibrateJob, CalibrateRequest};
use stpsim::api::common::Common;
use stpsim::api::sweep::SweepRequest;
use stpsim::job::{Provenance, RunRequest};

/// CPU seconds this process has used so far, all threads.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 * 1e-6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// Runs `job` `runs` times; prints each time and the medians, and the
/// throughput if `units` (organisation-quarters) is known.
fn time(name: &str, runs: usize, units: Option<f64>, mut job: impl FnMut(&Path)) {
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let out = std::env::temp_dir().join(format!("stpsim-bench-{name}-{}-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let (clock, cpu) = (Instant::now(), cpu_seconds());
        job(&out);
        let (wall, cpu) = (clock.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        println!("{name}: {wall:.3} s wall, {cpu:.3} s CPU");
        walls.push(wall);
        cpus.push(cpu);
        let _ = std::fs::remove_dir_all(&out);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (wall, cpu) = (median(&mut walls), median(&mut cpus));
    let rate = units.map_or(String::new(), |u| {
        format!(": {:.1} M organisation-quarters/s wall, {:.1} M per CPU-second", u / wall / 1e6, u / cpu / 1e6)
    });
    println!("{name}: median of {runs}: {wall:.3} s wall, {cpu:.3} s CPU{rate}");
}

fn common(replicates: u32, out: &Path) -> Common {
    Common {
        replicates: Some(replicates),
        threads: Some(1),
        out: Some(out.to_path_buf()),
        no_charts: true,
        ..Default::default()
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(runs: usize) {
    const REPLICATES: u32 = 1000;
    let scenario = stpsim::scenario::load("baseline").expect("built-in scenario");
    let units = (scenario.build_structure(2016).n_orgs() * scenario.quarters().len()) as f64 * REPLICATES as f64;
    time("run baseline x 1000", runs, Some(units), |out| {
        let request =
            RunRequest { scenarios: vec!["baseline".into()], common: common(REPLICATES, out), ..Default::default() };
        let job = request.resolve().expect("a valid run");
        let _lock = job.claim().expect("a fresh folder");
        // As `stpsim run` does: timeseries.csv written while the replicates run.
        let made =
            || Provenance { command: vec!["bench".into()], started: std::time::SystemTime::now(), wall_seconds: 0.0 };
        job.run_and_write(made).expect("files written");
    });
}

fn sweep(runs: usize) {
    time("sweep leads-by-seats, 16 x 20", runs, None, |out| {
        let request = SweepRequest {
            plan: root().join("scenarios/sweeps/leads-by-seats.toml"),
            common: common(20, out),
            ..Default::default()
        };
        let job = request.resolve().expect("a valid plan");
        let _lock = job.claim().expect("a fresh folder");
        job.run(&Silent).expect("the sweep runs");
    });
}

fn calibrate(runs: usize) {
    const PARTICLES: u32 = 200;
    const SIMULATIONS: u32 = 4;
    let mut units = None;
    time("calibrate, one generation of 200 x 4", runs, None, |out| {
        let request = CalibrateRequest {
            particles: Some(PARTICLES),
            min_distinct: Some(0),
            common: common(SIMULATIONS, out),
            ..Default::default()
        };
        let mut job = request.resolve().expect("a valid calibration");
        let per_simulation: f64 = match &mut job {
            CalibrateJob::Abc { settings, problem, .. } => {
                settings.max_generations = 1;
                problem.scenarios.iter().map(|s| (s.build_structure(2016).n_orgs() * s.quarters().len()) as f64).sum()
            }
            CalibrateJob::Bracket { .. } => unreachable!("abc is the default"),
        };
        let _lock = job.claim().expect("a fresh folder");
        let fitted = job.run(&Silent).expect("the generation runs");
        if let stpsim::api::calibrate::Fitted::Abc(state) = fitted {
            units = Some(state.simulations() as f64 * per_simulation);
        }
    });
    if let Some(u) = units {
        println!(
            "calibrate: {:.1} M organisation-quarters per run (simulations x scenarios' organisation-quarters)",
            u / 1e6
        );
    }
}

fn main() {
    let runs: usize = std::env::var("STPSIM_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    // `cargo bench` passes `--bench`; any other argument picks benchmarks by name.
    let picked: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |name: &str| picked.is_empty() || picked.iter().any(|p| name.contains(p.as_str()));
    if wanted("run") {
        run(runs);
    }
    if wanted("sweep") {
        sweep(runs);
    }
    if wanted("calibrate") {
        calibrate(runs);
    }
}
