//! The same seed gives byte-identical files on one thread or many.

use std::process::Command;

fn run(threads: &str, out: &std::path::Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_stpsim"))
        .args(["run", "baseline", "history", "--replicates", "50", "--seed", "7", "--per-footprint", "--quiet"])
        .args(["--threads", threads, "--out"])
        .arg(out)
        .status()
        .expect("stpsim runs");
    assert!(status.success());
}

#[test]
fn one_thread_and_two_threads_write_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run("1", &a);
    run("2", &b);
    for f in ["timeseries.csv", "summary.csv", "footprints.csv"] {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(x.len() > 1000, "{f} is not empty");
        assert!(x == y, "{f} differs between 1 and 2 threads");
    }
    // No temporary files are left behind.
    let leftovers: Vec<_> =
        std::fs::read_dir(&a).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_different_seed_gives_different_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = |seed: &str| {
        let p = dir.path().join(seed);
        let s = Command::new(env!("CARGO_BIN_EXE_stpsim"))
            .args(["run", "baseline", "--replicates", "5", "--quiet", "--seed", seed, "--out"])
            .arg(&p)
            .status()
            .unwrap();
        assert!(s.success());
        std::fs::read(p.join("timeseries.csv")).unwrap()
    };
    assert_ne!(out("1"), out("2"));
}
