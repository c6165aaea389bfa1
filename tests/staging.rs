//! A run's (and a sweep's) files are one set: written into a staging folder
//! and moved into place together, the manifest last, with each file's
//! SHA-256 in it. A writer killed while writing leaves the earlier set whole;
//! `plot` refuses a mixed set and values no chart can hold; the next writer
//! removes what a killed one left.
//!
//! The kill is made deterministic by the test hook `STPSIM_TEST_ABORT`
//! (`staged:N` or `moved:N`): the process aborts there, running no clean-up,
//! as a `kill -9` would.

mod common;

use std::path::Path;

const DATA: [&str; 3] = ["timeseries.csv", "summary.csv", "manifest.json"];

/// (exit code, stderr) of stpsim in `dir` with extra environment (none when
/// a signal ended it, as the test abort hook does).
fn stpsim_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let (code, _, err) = common::stpsim_env(dir, args, env, std::time::Duration::from_secs(600));
    ((code != -1).then_some(code), err)
}

fn stpsim(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    stpsim_env(dir, args, &[])
}

fn read(dir: &Path, names: &[&str]) -> Vec<Vec<u8>> {
    names.iter().map(|n| std::fs::read(dir.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"))).collect()
}

/// Hidden entries of `dir` (leftovers and the lock file), sorted.
fn hidden(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    v.sort();
    v
}

fn run(dir: &Path, seed: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    stpsim_env(dir, &["run", "baseline", "history", "--replicates", "2", "--seed", seed, "--quiet", "--out", "o"], env)
}

#[test]
fn a_run_killed_while_writing_leaves_the_earlier_set_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (code, err) = run(dir, "1", &[]);
    assert_eq!(code, Some(0), "{err}");
    let out = dir.join("o");
    let before = read(&out, &DATA);
    let charts_before = read(&out, &["report.html", "fan_transformation_index.svg"]);
    let manifest: serde_json::Value = serde_json::from_slice(&before[2]).unwrap();
    let sums = manifest["file_sha256"].as_object().expect("the manifest records checksums");
    for f in ["timeseries.csv", "summary.csv", "differences.csv"] {
        let want = stpsim::results::folder::file_sha256(&out.join(f)).unwrap();
        assert_eq!(sums[f], want.as_str(), "{f}'s checksum");
    }
    assert!(!sums.contains_key("manifest.json"));

    // Killed after the first file of the new set was written.
    let (code, _) = run(dir, "2", &[("STPSIM_TEST_ABORT", "staged:1")]);
    assert_eq!(code, None, "the writer was killed by a signal");
    let left = hidden(&out);
    assert!(left.iter().any(|n| n.starts_with(".staging-")), "the killed writer left its staging folder: {left:?}");
    assert_eq!(read(&out, &DATA), before, "the earlier set is untouched");
    assert_eq!(read(&out, &["report.html", "fan_transformation_index.svg"]), charts_before);
    let (code, err) = stpsim(dir, &["plot", "o", "--quiet"]);
    assert_eq!(code, Some(0), "plot works on the earlier set: {err}");

    // The next run removes the leftovers and lands its set whole.
    let (code, err) = run(dir, "2", &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(hidden(&out), Vec::<String>::new(), "no leftovers, and no lock once the writer is done");
    assert_ne!(read(&out, &DATA)[1], before[1], "the new set is in place");
    let (code, err) = stpsim(dir, &["plot", "o", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_run_killed_while_moving_its_files_is_refused_by_plot() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (code, err) = run(dir, "1", &[]);
    assert_eq!(code, Some(0), "{err}");
    let out = dir.join("o");
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    // Killed after the first data file of the new set was moved into place:
    // the new differences.csv sits beside the old manifest.
    let (code, _) = run(dir, "2", &[("STPSIM_TEST_ABORT", "moved:1")]);
    assert_eq!(code, None);
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest, "the manifest lands last");
    let (code, err) = stpsim(dir, &["plot", "o", "--quiet"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("differences.csv does not match manifest.json"), "{err}");
    assert!(err.contains("mixes files of different runs"), "{err}");
    // A rerun puts a whole set back.
    let (code, err) = run(dir, "2", &[]);
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = stpsim(dir, &["plot", "o", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn plot_refuses_an_edited_or_foreign_file_in_a_run_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let args = ["run", "baseline", "--replicates", "2", "--per-footprint", "--quiet", "--no-charts", "--out", "o"];
    let (code, err) = stpsim(dir, &args);
    assert_eq!(code, Some(0), "{err}");
    let out = dir.join("o");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    std::fs::write(out.join("summary.csv"), summary.replacen("0.", "0.9", 1)).unwrap();
    let (code, err) = stpsim(dir, &["plot", "o", "--quiet"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("o/summary.csv does not match manifest.json (its SHA-256 is "), "{err}");
    assert!(!out.join("report.html").exists(), "nothing was drawn");
    std::fs::write(out.join("summary.csv"), &summary).unwrap();
    // A data file of another run, beside a manifest that does not list it.
    std::fs::write(out.join("differences.csv"), "scenario,quarter,metric,median,p05,p95,mean,sd\n").unwrap();
    let (code, err) = stpsim(dir, &["plot", "o", "--quiet"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("differences.csv is not part of the set manifest.json describes"), "{err}");
    std::fs::remove_file(out.join("differences.csv")).unwrap();
    // A file left out is no mix: the charts draw without footprints.csv.
    std::fs::remove_file(out.join("footprints.csv")).unwrap();
    let (code, err) = stpsim(dir, &["plot", "o", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_writer_removes_what_killed_writers_left_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = dir.join("o");
    std::fs::create_dir_all(out.join(".staging-999999999")).unwrap();
    std::fs::write(out.join(".staging-999999999/summary.csv"), "cut").unwrap();
    std::fs::write(out.join(".timeseries.csv.tmp-999999998"), "scenario,replicate,quarter,metric,val").unwrap();
    std::fs::write(out.join(".notes"), "mine").unwrap();
    let (code, err) = run(dir, "1", &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(hidden(&out), [".notes"], "the leftovers went; the user's hidden file stayed");

    // A sweep's resume clears its folder and its parts folder the same way.
    std::fs::write(dir.join("plan.toml"), common::grid_plan("0.0, 0.5")).unwrap();
    let (code, err) = stpsim(dir, &["sweep", "plan.toml", "--out", "s", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
    let s = dir.join("s");
    std::fs::write(s.join("parts/.point-00000000.csv.tmp-999999997"), "0,0,0.0,transfor").unwrap();
    std::fs::write(s.join(".sweep.csv.tmp-999999996"), "point").unwrap();
    std::fs::create_dir_all(s.join(".staging-999999995")).unwrap();
    let (code, err) = stpsim(dir, &["sweep", "plan.toml", "--out", "s", "--quiet", "--resume"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(hidden(&s), Vec::<String>::new());
    assert_eq!(hidden(&s.join("parts")), Vec::<String>::new());
}

#[test]
fn a_sweep_killed_while_finishing_keeps_its_earlier_files_and_plot_checks_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("plan.toml"), common::grid_plan("0.0, 0.5")).unwrap();
    let (code, err) = stpsim(dir, &["sweep", "plan.toml", "--out", "s", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
    let s = dir.join("s");
    let files = ["sweep.csv", "sweep_summary.csv", "plan.json"];
    let before = read(&s, &files);
    let frame: serde_json::Value = serde_json::from_slice(&before[2]).unwrap();
    let want = stpsim::results::folder::file_sha256(&s.join("sweep.csv")).unwrap();
    assert_eq!(frame["file_sha256"]["sweep.csv"], want.as_str());

    let args = ["sweep", "plan.toml", "--out", "s", "--quiet", "--resume"];
    let (code, _) = stpsim_env(dir, &args, &[("STPSIM_TEST_ABORT", "staged:1")]);
    assert_eq!(code, None);
    assert_eq!(read(&s, &files), before, "the earlier files are untouched");
    let (code, err) = stpsim(dir, &["plot", "s", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");

    let (code, _) = stpsim_env(dir, &args, &[("STPSIM_TEST_ABORT", "moved:1")]);
    assert_eq!(code, None);
    std::fs::write(s.join("sweep_summary.csv"), "point,beta0,metric,n,mean,sd,p05,p25,p50,p75,p95\n").unwrap();
    let (code, err) = stpsim(dir, &["plot", "s", "--quiet"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("sweep_summary.csv does not match plan.json"), "{err}");
    let (code, err) = stpsim(dir, &args);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(read(&s, &files), before, "resumed, the same files as before");
}

/// Replaces `file` in a run folder and records its checksum in the manifest,
/// so that only the value checks stand between it and the charts.
fn forge(out: &Path, file: &str, text: &str) {
    std::fs::write(out.join(file), text).unwrap();
    let path = out.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    m["file_sha256"][file] = stpsim::results::folder::file_sha256(&out.join(file)).unwrap().into();
    std::fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
}

#[test]
fn plot_refuses_values_no_chart_can_hold() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (code, err) = stpsim(dir, &["run", "baseline", "--replicates", "2", "--quiet", "--no-charts", "--out", "o"]);
    assert_eq!(code, Some(0), "{err}");
    let out = dir.join("o");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let row = summary.lines().nth(1).unwrap().to_string();
    let fields: Vec<&str> = row.split(',').collect();
    for (bad, column, shown) in [("1e308", 3, "1e308"), ("NaN", 4, "NaN"), ("inf", 9, "inf"), ("-1e13", 6, "-1e13")] {
        let mut f = fields.clone();
        f[column] = bad;
        forge(&out, "summary.csv", &summary.replacen(&row, &f.join(","), 1));
        let (code, err) = stpsim(dir, &["plot", "o", "--quiet"]);
        assert_eq!(code, Some(2), "{bad}: {err}");
        let name = ["mean", "sd", "p05", "p25", "p50", "p75", "p95"][column - 3];
        assert!(
            err.contains(&format!("o/summary.csv, line 2: {name} is {shown}: charts need finite numbers")),
            "{err}"
        );
    }
    // Finite but far off its chart's axis: drawn (off the chart), no overflow.
    let mut f = fields.clone();
    (f[3], f[9]) = ("-9e11", "-9e11");
    forge(&out, "summary.csv", &summary.replacen(&row, &f.join(","), 1));
    let (code, err) = stpsim(dir, &["plot", "o", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
    forge(&out, "summary.csv", &summary);
    let (code, err) = stpsim(dir, &["plot", "o", "--quiet"]);
    assert_eq!(code, Some(0), "the untouched file draws: {err}");
}

#[test]
fn a_sweep_plot_refuses_absurd_values_and_draws_odd_but_finite_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("plan.toml"), common::grid_plan("0.0, 0.5")).unwrap();
    let (code, err) = stpsim(dir, &["sweep", "plan.toml", "--out", "s", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
    let s = dir.join("s");
    let summary = std::fs::read_to_string(s.join("sweep_summary.csv")).unwrap();
    let row = summary.lines().nth(1).unwrap().to_string();
    // point,beta0,metric,n,mean,sd,p05,p25,p50,p75,p95: the median (column 8)
    // far below its band, then a value no chart can hold.
    for (bad, code_wanted) in [("-9e11", 0), ("1e308", 2)] {
        let mut f: Vec<&str> = row.split(',').collect();
        f[8] = bad;
        std::fs::write(s.join("sweep_summary.csv"), summary.replacen(&row, &f.join(","), 1)).unwrap();
        let path = s.join("plan.json");
        let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        m["file_sha256"]["sweep_summary.csv"] =
            stpsim::results::folder::file_sha256(&s.join("sweep_summary.csv")).unwrap().into();
        std::fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
        let (code, err) = stpsim(dir, &["plot", "s", "--quiet"]);
        assert_eq!(code, Some(code_wanted), "{bad}: {err}");
        if code_wanted == 2 {
            assert!(err.contains("sweep_summary.csv, line 2: p50 is 1e308: charts need finite numbers"), "{err}");
        }
    }
}
