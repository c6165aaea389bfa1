//! `stpsim run` as a user meets it, run as the real binary: what it writes,
//! where replicates and seeds come from, and the failures while running
//! (exit 1) that leave nothing half-written.

mod common;
use common::*;
use tempfile::TempDir;

// ---------------------------------------------------------------- failures while running

#[test]
fn output_folder_under_a_regular_file() {
    let dir = folder(&[("afile", "not a folder\n")]);
    let (code, stdout, err) =
        stpsim(dir.path(), &["run", "baseline", "--replicates", "1", "--quiet", "--out", "afile/sub"]);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.first().copied(), Some("error: cannot create the output folder afile/sub"), "{err}");
    assert!(lines.get(1).is_some_and(|l| l.starts_with("  caused by: ")), "{err}");
}

#[test]
fn output_folder_is_a_regular_file() {
    let dir = folder(&[("afile", "not a folder\n")]);
    let (code, _, err) = stpsim(dir.path(), &["run", "baseline", "--replicates", "1", "--quiet", "--out", "afile"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("error: cannot create the output folder afile\n  caused by: "), "{err}");
}

/// An output folder where summary.csv is a folder, so writing it fails
/// (--force: the folder is not a run's).
fn blocked_output() -> (TempDir, i32, String) {
    let dir = folder(&[]);
    std::fs::create_dir_all(dir.path().join("o").join("summary.csv")).expect("mkdir");
    let (code, _, err) =
        stpsim(dir.path(), &["run", "baseline", "--replicates", "1", "--quiet", "--force", "--out", "o"]);
    (dir, code, err)
}

#[test]
fn a_folder_of_other_files_is_refused_without_force() {
    let dir = folder(&[("o/notes.txt", "mine\n")]);
    let (code, _, err) = stpsim(dir.path(), &["run", "baseline", "--replicates", "1", "--quiet", "--out", "o"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the output folder o is not empty and is not a stpsim run's") && err.contains("--force"),
        "{err}"
    );
    let (code, _, err) = stpsim(
        dir.path(),
        &["run", "baseline", "--replicates", "1", "--quiet", "--force", "--no-charts", "--out", "o"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("o/notes.txt")).unwrap(), "mine\n", "others' files are kept");
}

#[test]
fn a_rerun_removes_the_earlier_runs_charts_and_nothing_else() {
    let dir = folder(&[]);
    let run = |args: &[&str]| {
        let (code, _, err) = stpsim(dir.path(), args);
        assert_eq!(code, 0, "{err}");
    };
    run(&["run", "baseline", "history", "--replicates", "1", "--quiet", "--per-footprint", "--out", "o"]);
    let o = dir.path().join("o");
    assert!(o.join("heatmap_history_transformation_index.svg").exists() && o.join("differences.csv").exists());
    std::fs::write(o.join("notes.txt"), "mine\n").unwrap();
    run(&["run", "baseline", "--replicates", "1", "--quiet", "--out", "o"]);
    for stale in ["heatmap_history_transformation_index.svg", "comparison.png", "differences.csv", "footprints.csv"] {
        assert!(!o.join(stale).exists(), "{stale} of the earlier run is left beside the new one");
    }
    assert!(o.join("report.html").exists() && o.join("fan_gaps.png").exists() && o.join("notes.txt").exists());
}

#[test]
fn output_file_that_cannot_be_written() {
    let (_dir, code, err) = blocked_output();
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("error: cannot write o/summary.csv\n  caused by: "), "{err}");
}

#[test]

fn failed_write_leaves_no_temporary_file() {
    let (dir, code, err) = blocked_output();
    assert_eq!(code, 1, "{err}");
    let left: Vec<String> = std::fs::read_dir(dir.path().join("o"))
        .expect("read output folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn closed_stdout_does_not_panic() {
    let dir = folder(&[]);
    let mut child = command(dir.path(), &["params"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("stpsim starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("stpsim ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}

#[test]
fn run_a_custom_scenario_writes_its_outputs() {
    let dir = folder(&[]);
    let (code, stdout, err) =
        stpsim(dir.path(), &["run", &fixture("small.toml"), "--replicates", "3", "--quiet", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty(), "--quiet prints nothing: {stdout}");
    assert!(err.is_empty(), "--quiet prints nothing: {err}");
    let out = dir.path().join("out");
    let ts = read(&out.join("timeseries.csv"));
    assert!(ts.starts_with("scenario,replicate,quarter,metric,value\n"), "{ts}");
    assert!(ts.contains("\nsmall,2,2018Q1,"), "three replicates, 0 to 2");
    assert!(!ts.contains("\nsmall,3,"), "no fourth replicate");
    // By default over the built-in England posterior, on this synthetic structure too.
    let summary = read(&out.join("summary.csv"));
    assert!(summary.starts_with("scenario,quarter,metric,mean,sd,p05,p25,p50,p75,p95,spread\n"), "{summary}");
    let manifest = read(&out.join("manifest.json"));
    assert!(manifest.contains("\"replicates\": 3"), "{manifest}");
    assert!(manifest.contains("\"seed\": 7"), "seed from the file: {manifest}");
    assert!(
        manifest.contains(
            "\"files\": [\n    \"timeseries.csv\",\n    \"summary.csv\",\n    \"manifest.json\",\n    \"posterior_draws.csv\",\n    \"variance_split.csv\",\n    \"tables.xlsx\"\n  ]"
        ),
        "{manifest}"
    );
    assert!(manifest.contains("\"file\": \"built-in:england (data/posterior-england.csv)\""), "{manifest}");
    assert!(manifest.contains("\"by_default\": true"), "{manifest}");
    assert!(manifest.contains("on a synthetic or file structure the behavioural parameters carry over"), "{manifest}");
    assert!(!out.join("footprints.csv").exists());

    // `--posterior none`: the spec's defaults, and no posterior files.
    let (code, _, err) = stpsim(
        dir.path(),
        &["run", &fixture("small.toml"), "--replicates", "3", "--quiet", "--posterior", "none", "--out", "none"],
    );
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("none");
    let summary = read(&out.join("summary.csv"));
    assert!(summary.starts_with("scenario,quarter,metric,mean,sd,p05,p25,p50,p75,p95\n"), "{summary}");
    let manifest = read(&out.join("manifest.json"));
    assert!(
        manifest.contains(
            "\"files\": [\n    \"timeseries.csv\",\n    \"summary.csv\",\n    \"manifest.json\",\n    \"tables.xlsx\"\n  ]"
        ),
        "{manifest}"
    );
    assert!(manifest.contains("\"parameters\": \"at the spec's default parameters (--posterior none)\""), "{manifest}");
    assert!(!manifest.contains("\"posterior\""), "{manifest}");
    let report = read(&out.join("report.html"));
    assert!(report.contains("Intervals cover the spread across replicates only, at fixed parameters"), "findings");
    assert!(report.contains("for fixed parameters. They leave out uncertainty in the parameters"), "caveats");
}

#[test]
fn run_takes_replicates_from_the_scenario_file() {
    let dir = folder(&[]);
    let (code, _, err) =
        stpsim(dir.path(), &["run", &fixture("small.toml"), "--quiet", "--seed", "11", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    let manifest = read(&dir.path().join("out").join("manifest.json"));
    assert!(manifest.contains("\"replicates\": 2"), "{manifest}");
    assert!(manifest.contains("\"seed\": 11"), "--seed overrides: {manifest}");
}

#[test]
fn per_footprint_writes_footprints_csv() {
    let dir = folder(&[]);
    let (code, _, err) = stpsim(
        dir.path(),
        &["run", &fixture("small.toml"), "--replicates", "2", "--quiet", "--per-footprint", "--out", "out"],
    );
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("out");
    let fp = read(&out.join("footprints.csv"));
    assert_eq!(fp.lines().next(), Some("scenario,replicate,quarter,footprint,metric,value"));
    assert!(fp.contains("\nsmall,1,2016Q1,North Vale,"), "{}", &fp[..fp.len().min(400)]);
    assert!(fp.contains("\nsmall,0,2018Q1,South Downs,"), "{}", &fp[..fp.len().min(400)]);
    let manifest = read(&out.join("manifest.json"));
    assert!(manifest.contains("\"footprints.csv\""), "{manifest}");
    assert!(out.join("timeseries.csv").exists() && out.join("summary.csv").exists());
}

#[test]
fn footprint_replicates_limits_footprints_csv() {
    let dir = folder(&[]);
    let (code, _, err) = stpsim(
        dir.path(),
        &[
            "run",
            &fixture("small.toml"),
            "--replicates",
            "3",
            "--quiet",
            "--per-footprint",
            "--footprint-replicates",
            "2",
            "--out",
            "out",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("out");
    let fp = read(&out.join("footprints.csv"));
    let mut reps: Vec<&str> = fp.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
    reps.sort_unstable();
    reps.dedup();
    assert_eq!(reps, ["0", "1"], "footprint rows for the first 2 replicates only");
    assert!(read(&out.join("timeseries.csv")).contains("\nsmall,2,"), "all 3 replicates in timeseries.csv");
}

#[test]
fn run_without_quiet_reports_progress_and_a_summary() {
    let dir = folder(&[]);
    let (code, stdout, err) =
        stpsim(dir.path(), &["run", "baseline", "history", "--replicates", "2", "--threads", "1", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    let draws = stpsim::calibrate::choice::england().draws.len();
    assert_eq!(
        err,
        format!(
            "running baseline + history x 2 replicates over the England posterior (built in, {draws} draws; the default \
             on England; --posterior none for the spec's defaults), seed 2016, 1 thread ...\n"
        )
    );
    assert!(stdout.starts_with("Replicates ran over the England posterior (built in,"), "first line: {stdout}");
    assert!(stdout.contains("At the final quarter: median [90% interval] over 2 replicates, seed 2016"), "{stdout}");
    assert!(stdout.contains("difference from baseline"), "{stdout}");
    assert!(
        stdout.contains(
            "
wrote 7 result files, 17 charts and report.html to out in "
        ),
        "{stdout}"
    );
    assert!(dir.path().join("out").join("manifest.json").exists());
}

#[test]
fn run_all_runs_the_whole_library_into_one_report() {
    let dir = folder(&[]);
    let (code, _, err) = stpsim(dir.path(), &["run", "--all", "--replicates", "2", "--quiet", "--out", "all"]);
    assert_eq!(code, 0, "{err}");
    let manifest = read(&dir.path().join("all").join("manifest.json"));
    for name in ["baseline", "history", "strong-leads", "enlightened", "synthetic-large"] {
        assert!(manifest.contains(&format!("\"name\": \"{name}\"")), "{name} not run");
    }
    let report = read(&dir.path().join("all").join("report.html"));
    assert!(report.contains("<th>enlightened minus baseline</th>"));
}

#[test]
fn a_scenarios_own_parameter_is_held_and_the_run_says_so() {
    let mine = "name = \"mine\"\nextends = \"baseline\"\nend = \"2017Q1\"\n[params]\nb_deficit = 0.5\n";
    let dir = folder(&[("my.toml", mine)]);
    let (code, stdout, err) = stpsim(dir.path(), &["run", "my.toml", "--replicates", "3", "--no-charts", "--out", "o"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("over the England posterior")
            && err.contains("mine holds b_deficit at its own value in every replicate"),
        "{err}"
    );
    assert!(stdout.contains("mine holds b_deficit at its own value in every replicate"), "{stdout}");
    let manifest: serde_json::Value = serde_json::from_str(&read(&dir.path().join("o").join("manifest.json"))).unwrap();
    assert_eq!(manifest["posterior"]["held"]["mine"], serde_json::json!(["b_deficit"]));
}
