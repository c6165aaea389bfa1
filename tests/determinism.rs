//! The same seed gives byte-identical files on one thread or many.

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

/// `stpsim run ARGS --per-footprint` on `threads` threads into `out`.
fn run(args: &[&str], threads: &str, out: &Path) {
    let status = Command::new(BIN)
        .arg("run")
        .args(args)
        .args(["--per-footprint", "--quiet", "--threads", threads, "--out"])
        .arg(out)
        .status()
        .expect("stpsim runs");
    assert!(status.success());
}

/// Each of `files` is written, and the same in `a` and `b`.
fn same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let x = std::fs::read(a.join(f)).unwrap();
        assert!(x.len() > 1000, "{f} is not empty");
        assert!(x == std::fs::read(b.join(f)).unwrap(), "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn one_thread_and_two_threads_write_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let args = ["baseline", "history", "--replicates", "50", "--seed", "7"];
    run(&args, "1", &a);
    run(&args, "2", &b);
    same_files(&a, &b, &["timeseries.csv", "summary.csv", "footprints.csv"]);
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
        let s = Command::new(BIN)
            .args(["run", "baseline", "--replicates", "5", "--quiet", "--seed", seed, "--out"])
            .arg(&p)
            .status()
            .unwrap();
        assert!(s.success());
        std::fs::read(p.join("timeseries.csv")).unwrap()
    };
    assert_ne!(out("1"), out("2"));
}

/// Within one replicate, footprints stepped in parallel runs give the same
/// bytes as footprints stepped in sequence, however they are cut: one run,
/// a few uneven runs, and one run per footprint, on a pool of two and of
/// five threads (more threads than cores, so runs interleave).
#[test]
fn footprints_stepped_in_parallel_match_the_sequential_path() {
    use stpsim::model::rng::Keys;
    use stpsim::runner::simulate;
    for name in ["baseline", "history", "conditional-funding", "national-intervention", "synthetic-large"] {
        let s = stpsim::scenario::load(name).unwrap();
        let st = s.build_structure(3);
        let nf = st.footprints.len();
        for rep in 0..3 {
            let keys = Keys { seed: 3, replicate: rep };
            let bits = |v: (Vec<f64>, Option<Vec<f64>>)| -> Vec<u64> {
                v.0.iter().chain(v.1.iter().flatten()).map(|x| x.to_bits()).collect()
            };
            let sequential = bits(simulate(&s, &st, &keys, true, 1));
            for threads in [2, 5] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                for runs in [3, 8, nf] {
                    let parallel = pool.install(|| bits(simulate(&s, &st, &keys, true, runs)));
                    assert!(sequential == parallel, "{name}, replicate {rep}: {runs} runs on {threads} threads differ");
                }
            }
        }
    }
}

/// One replicate on two threads takes the within-replicate path; its files
/// match one thread's.
#[test]
fn a_single_replicate_on_two_threads_writes_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(&["history", "--replicates", "1"], "1", &a);
    run(&["history", "--replicates", "1"], "2", &b);
    same_files(&a, &b, &["timeseries.csv", "footprints.csv"]);
}
