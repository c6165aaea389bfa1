//! Helpers shared by the integration tests: the binary and how to run it,
//! temporary folders, and small results helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use stpsim::model::Metric;
use stpsim::quarter::Quarter;
use stpsim::results::ScenarioResult;
use stpsim::{Results, RunOptions, Scenario};

pub fn scenario(text: &str) -> Scenario {
    stpsim::scenario::load_text(text, "test.toml", None).unwrap_or_else(|e| panic!("{e}"))
}

pub fn run(scenarios: &[Scenario], replicates: u32, seed: u64) -> Results {
    stpsim::run(scenarios, &RunOptions { replicates, seed, footprint_replicates: 0 })
}

pub fn q(s: &str) -> Quarter {
    Quarter::parse(s).unwrap()
}

/// Per replicate: the metric summed over quarters from `from` to the end.
pub fn total_from(r: &ScenarioResult, m: Metric, from: Quarter) -> Vec<f64> {
    let k0 = r.quarters.iter().position(|&x| x == from).unwrap();
    (0..r.replicates).map(|rep| (k0..r.quarters.len()).map(|k| r.value(rep, k, m)).sum()).collect()
}

/// Per replicate: the metric at the final quarter.
pub fn last(r: &ScenarioResult, m: Metric) -> Vec<f64> {
    let k = r.quarters.len() - 1;
    (0..r.replicates).map(|rep| r.value(rep, k, m)).collect()
}

/// Mean and standard error of paired differences `b - a`.
pub fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// A small grid sweep: baseline, 2 replicates, `beta0` at `values` (as
/// TOML, "0.0, 0.5"), one metric at the end.
pub fn grid_plan(values: &str) -> String {
    format!(
        "base = \"baseline\"\nreplicates = 2\ndesign = \"grid\"\nmetrics = [\"transformation_index@2021Q1\"]\n\n\
         [[factors]]\nname = \"beta0\"\nvalues = [{values}]\n"
    )
}

/// A small Sobol sensitivity plan: baseline, 2 replicates, 4 points over
/// `beta0` and `conditionality` in [0, 1], one metric at the end; `extra`
/// adds lines to its top table (such as "bootstrap = 20").
pub fn sobol_plan(extra: &str) -> String {
    format!(
        "base = \"baseline\"\nreplicates = 2\ndesign = \"sobol\"\npoints = 4\n{extra}\
         metrics = [\"transformation_index@2021Q1\"]\n\n\
         [[factors]]\nname = \"beta0\"\nmin = 0.0\nmax = 1.0\n\n\
         [[factors]]\nname = \"conditionality\"\nmin = 0.0\nmax = 1.0\n"
    )
}

/// The stpsim binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_stpsim");

/// Test hooks and cluster variables a test run must not inherit.
const HOOKS: [&str; 4] =
    ["STPSIM_TEST_HOLD_LOCK", "STPSIM_TEST_ABORT", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"];

/// `stpsim ARGS` in `dir`, with no input and none of the test hooks set.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir).stdin(Stdio::null());
    for k in HOOKS {
        cmd.env_remove(k);
    }
    cmd
}

/// Waits for `child`, killing it and failing after `limit` (a hang fails,
/// never stalls); returns (exit code, stdout, stderr), the code -1 when a
/// signal ended it. Fails if the binary panicked.
pub fn finish_within(mut child: Child, args: &[&str], limit: Duration) -> (i32, String, String) {
    let clock = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if clock.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("stpsim {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "stpsim {args:?} panicked:\n{stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// Runs stpsim in `dir` with extra environment, failing after `limit`:
/// (exit code, stdout, stderr).
pub fn stpsim_env(dir: &Path, args: &[&str], env: &[(&str, &str)], limit: Duration) -> (i32, String, String) {
    let mut cmd = command(dir, args);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    finish_within(cmd.spawn().expect("stpsim starts"), args, limit)
}

/// Runs stpsim in `dir`: (exit code, stdout, stderr); fails on a panic or
/// after 10 minutes.
pub fn stpsim(dir: &Path, args: &[&str]) -> (i32, String, String) {
    stpsim_env(dir, args, &[], Duration::from_secs(600))
}

/// A temporary folder holding the given files (relative paths, folders made).
pub fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("fixture folder");
        }
        std::fs::write(path, text).expect("write fixture");
    }
    dir
}

/// Every file under `dir`, as sorted paths relative to it.
pub fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p.clone());
            }
            out.push(p.strip_prefix(dir).unwrap_or(&p).display().to_string());
        }
    }
    out.sort();
    out
}

/// The test fixtures folder (tests/fixtures).
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// A fixture's path, as an argument.
pub fn fixture(name: &str) -> String {
    fixtures().join(name).to_string_lossy().into_owned()
}

/// Runs stpsim in a fresh empty folder, so nothing lands in the repository.
pub fn stpsim_anywhere(args: &[&str]) -> (i32, String, String) {
    let dir = folder(&[]);
    stpsim(dir.path(), args)
}

/// Asserts a located error: exit code 2, the first line `error: {head}`
/// exactly (head is `FILE:LINE:COL: message`), the excerpt line `source`
/// with the caret under column COL, and the `= allowed:` line starting with
/// `allowed` (or no such line when `allowed` is empty).
#[track_caller]
pub fn assert_located(code: i32, stderr: &str, head: &str, source: &str, allowed: &str) {
    assert_eq!(code, 2, "exit code; stderr:\n{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.first().copied(), Some(format!("error: {head}").as_str()), "first line; stderr:\n{stderr}");
    let mut parts = head.splitn(4, ':');
    let _file = parts.next();
    let line = parts.next().expect("head has a line");
    let col: usize = parts.next().and_then(|c| c.parse().ok()).expect("head has a column");
    let excerpt = format!(" {line} | {source}");
    let at = lines
        .iter()
        .position(|l| *l == excerpt)
        .unwrap_or_else(|| panic!("no excerpt line {excerpt:?}; stderr:\n{stderr}"));
    let caret = lines.get(at + 1).copied().unwrap_or_default();
    let after_bar =
        caret.find("| ").map(|p| &caret[p + 2..]).unwrap_or_else(|| panic!("no caret line; stderr:\n{stderr}"));
    let pad = after_bar.chars().take_while(|c| *c == ' ').count();
    assert!(after_bar[pad..].starts_with('^'), "caret line {caret:?}; stderr:\n{stderr}");
    assert_eq!(pad + 1, col, "caret column; stderr:\n{stderr}");
    if allowed.is_empty() {
        assert!(!stderr.contains("= allowed:"), "stderr:\n{stderr}");
    } else {
        assert!(
            lines.iter().any(|l| l.trim_start().starts_with(&format!("= allowed: {allowed}"))),
            "no `= allowed: {allowed}` line; stderr:\n{stderr}"
        );
    }
}

/// Asserts exit code 2 and a first line `error: {first}` exactly.
#[track_caller]
pub fn assert_bad_input(code: i32, stderr: &str, first: &str) {
    assert_eq!(code, 2, "exit code; stderr:\n{stderr}");
    assert_eq!(stderr.lines().next(), Some(format!("error: {first}").as_str()), "stderr:\n{stderr}");
}

/// A file's text; fails naming the file.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
