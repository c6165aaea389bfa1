//! The shipped decision plan, timed end to end: 8 options x 400 worlds x 2
//! replicates on England over the England posterior, on 2 threads, with
//! every table (robustness, PRIM, EVPI/EVPPI) but no charts. Target: under
//! 30 seconds on 2 cores (docs/performance.md records the time measured).
//!
//!     cargo bench --bench decide

use std::time::Instant;
use stpsim::api::decide::DecideRequest;

fn main() {
    let plan = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/decisions/governance.toml");
    let runs: usize = std::env::var("STPSIM_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let mut times = Vec::new();
    for i in 0..runs {
        let out = std::env::temp_dir().join(format!("stpsim-bench-decide-{}-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let clock = Instant::now();
        let common = stpsim::api::Common { out: Some(out.clone()), threads: Some(2), ..Default::default() };
        let request = DecideRequest { plan: plan.clone(), common, ..Default::default() };
        let job = request.resolve().expect("the shipped plan is valid");
        let lock = job.claim().expect("a fresh folder");
        let frame = job.run(&stpsim::api::Silent).expect("the plan runs").expect("not a shard");
        drop(lock);
        let secs = clock.elapsed().as_secs_f64();
        times.push(secs);
        println!(
            "decide/governance: {} options x {} worlds x {} replicates on 2 threads: {secs:.2} s",
            frame.options.len(),
            frame.worlds.len(),
            frame.replicates
        );
        let _ = std::fs::remove_dir_all(&out);
    }
    times.sort_by(f64::total_cmp);
    println!("decide/governance: median {:.2} s over {runs} runs", times[times.len() / 2]);
}
