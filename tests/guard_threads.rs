//! The sweep's memory guard counts the workers the sweep will run on
//! (`--threads`), not the threads of whatever pool happens to be current.

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Stdio};

fn sweep(dir: &Path, threads: &str, limit_gib: f64) -> (Option<i32>, String) {
    let o = Command::new(BIN)
        .current_dir(dir)
        .args(["sweep", "plan.toml", "--quiet", "--threads", threads, "--out", &format!("t{threads}")])
        .env("STPSIM_MAX_MEMORY_GIB", limit_gib.to_string())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn the_sweep_memory_guard_counts_the_threads_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), common::grid_plan("0.0, 0.5")).unwrap();
    let base = stpsim::scenario::load("baseline").unwrap();
    let need = |threads: usize| stpsim::guard::sweep_bytes(2, 1, 1, 2, &base, threads) / (1u64 << 30) as f64;
    // A limit between what one worker needs and what two need.
    let (one, two) = (need(1), need(2));
    assert!(one < two);
    let limit = (one + two) / 2.0;

    let (code, err) = sweep(dir.path(), "1", limit);
    assert_eq!(code, Some(0), "one worker fits under {limit} GiB: {err}");
    for threads in ["2", "1024"] {
        let (code, err) = sweep(dir.path(), threads, limit);
        assert_eq!(code, Some(2), "--threads {threads}: {err}");
        assert!(err.contains("this plan would need about") && err.contains("STPSIM_MAX_MEMORY_GIB"), "{err}");
        assert!(!dir.path().join(format!("t{threads}")).exists(), "refused before anything was written");
    }
}
