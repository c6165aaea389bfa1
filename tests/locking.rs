//! One writer per output folder: the process writing it holds an advisory
//! lock on `DIR/.stpsim.lock` with its process id inside; a second writer
//! fails at once (exit 2) naming that process; the lock goes with the
//! process, however it ends.
//!
//! The test hook `STPSIM_TEST_HOLD_LOCK=PATH` makes a writer that has just
//! taken the lock wait until PATH exists, so the race is made to happen
//! rather than hoped for.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const LOCK: &str = ".stpsim.lock";

fn stpsim(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = command(dir, args).output().expect("stpsim starts");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("panicked"), "stpsim {args:?} panicked:\n{err}");
    (o.status.code(), err)
}

/// Starts a writer that holds `out`'s lock until `release` exists, and
/// waits (bounded) until its process id is in the lock file.
fn holder(dir: &Path, args: &[&str], out: &Path, release: &Path) -> Child {
    let mut child = command(dir, args)
        .env("STPSIM_TEST_HOLD_LOCK", release)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stpsim starts");
    let want = child.id().to_string();
    let clock = Instant::now();
    while std::fs::read_to_string(out.join(LOCK)).map(|t| t.trim().to_string()).unwrap_or_default() != want {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the holder ended before taking the lock: {status}");
        }
        assert!(clock.elapsed() < Duration::from_secs(120), "the holder never took the lock");
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

fn finish(child: Child) -> (Option<i32>, String) {
    let o = child.wait_with_output().unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("plan.toml"), common::grid_plan("0.0, 0.5, 1.0")).unwrap();
    let out = tmp.path().join("s");
    let release = tmp.path().join("release");
    (tmp, out, release)
}

#[test]
fn racing_resumes_one_fails_naming_the_other_and_the_other_completes() {
    let (tmp, out, release) = setup();
    let dir = tmp.path();
    // An interrupted sweep: its first shard's points only.
    let (code, err) = stpsim(dir, &["sweep", "plan.toml", "--out", "s", "--quiet", "--shard", "0/2"]);
    assert_eq!(code, Some(0), "{err}");
    let resume = ["sweep", "plan.toml", "--out", "s", "--quiet", "--resume"];
    let first = holder(dir, &resume, &out, &release);
    let pid = first.id();
    let (code, err) = stpsim(dir, &resume);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&format!("is being written by another stpsim process (process id {pid}")), "{err}");
    assert!(err.contains("wait for it to finish, or write elsewhere with another --out"), "{err}");
    std::fs::write(&release, "").unwrap();
    let (code, err) = finish(first);
    assert_eq!(code, Some(0), "the holder completes: {err}");
    for f in ["sweep.csv", "sweep_summary.csv", "plan.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let rows = std::fs::read_to_string(out.join("sweep_summary.csv")).unwrap().lines().count();
    assert_eq!(rows, 1 + 3, "every point, once");
    assert!(!out.join(LOCK).exists(), "a writer that ends in order leaves no lock file");
    // The lock went with the process: another resume runs (and finds all done).
    let (code, err) = stpsim(dir, &resume);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn the_lock_goes_with_a_killed_process() {
    let (tmp, out, release) = setup();
    let dir = tmp.path();
    let mut first = holder(dir, &["sweep", "plan.toml", "--out", "s", "--quiet"], &out, &release);
    first.kill().unwrap();
    first.wait().unwrap();
    // The killed process left its lock file, naming it, but holds nothing.
    assert_eq!(std::fs::read_to_string(out.join(LOCK)).unwrap().trim(), first.id().to_string());
    let (code, err) = stpsim(dir, &["sweep", "plan.toml", "--out", "s", "--quiet", "--resume"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.join("sweep.csv").is_file());
}

#[test]
fn every_writer_refuses_a_folder_another_process_writes() {
    let (tmp, out, release) = setup();
    let dir = tmp.path();
    let (code, err) = stpsim(dir, &["sweep", "plan.toml", "--out", "done", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
    let first = holder(dir, &["run", "baseline", "--replicates", "1", "--quiet", "--out", "s"], &out, &release);
    let pid = first.id();
    let busy = format!("s is being written by another stpsim process (process id {pid}");
    std::fs::write(dir.join("sobol.toml"), sobol_plan("")).unwrap();
    let writers: [&[&str]; 6] = [
        &["run", "baseline", "--replicates", "1", "--quiet", "--out", "s"],
        &["sweep", "plan.toml", "--out", "s", "--quiet", "--resume"],
        &["sensitivity", "sobol.toml", "--out", "s", "--quiet"],
        &["merge", "done", "--out", "s", "--quiet"],
        &["calibrate", "--method", "bracket", "--replicates", "2", "--out", "s", "--quiet"],
        &["calibrate", "--particles", "20", "--out", "s", "--quiet"],
    ];
    for args in writers {
        let (code, err) = stpsim(dir, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(&busy), "{args:?}: {err}");
    }
    assert!(!out.join("plan.json").exists() && !out.join("calibration.toml").exists(), "none of them wrote");
    std::fs::write(&release, "").unwrap();
    let (code, err) = finish(first);
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = stpsim(dir, &["plot", "s", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
}
