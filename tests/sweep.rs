//! Sweeps: a plan runs and draws its charts; a sweep killed with SIGKILL and
//! resumed, or run as three shards and merged, writes byte-identical files
//! to an uninterrupted single run; plan mistakes are located.

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RESULTS: [&str; 3] = ["sweep.csv", "sweep_summary.csv", "plan.json"];

/// A grid of 2 x 12 points over two parameters, slow enough to interrupt.
const PLAN: &str = r#"
base = "baseline"
replicates = 60
design = "grid"
metrics = ["transformation_index@2021Q1", "self_priority_share@2016Q4"]

[[factors]]
name = "conditionality"
values = [0.0, 0.5]

[[factors]]
name = "beta0"
values = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]
"#;

/// (exit code, stderr) of stpsim in `dir`.
fn stpsim(dir: &Path, args: &[&str]) -> (i32, String) {
    let (code, _, err) = common::stpsim(dir, args);
    (code, err)
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), PLAN).unwrap();
    dir
}

fn same_results(a: &Path, b: &Path) {
    for f in RESULTS {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(x == y, "{f} differs between {} and {}", a.display(), b.display());
    }
}

fn parts(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("parts"))
        .map_or(0, |d| d.flatten().filter(|e| e.file_name().to_string_lossy().starts_with("point-")).count())
}

#[test]
fn a_sweep_killed_and_resumed_matches_an_uninterrupted_run() {
    let dir = setup();
    let (code, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "whole", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let whole = dir.path().join("whole");
    let rows = std::fs::read_to_string(whole.join("sweep.csv")).unwrap();
    assert_eq!(rows.lines().count(), 1 + 24 * 60 * 2, "24 points x 60 replicates x 2 metrics");

    // Start again on one thread and kill it (SIGKILL) once a few points are done.
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .args(["sweep", "plan.toml", "--out", "cut", "--quiet", "--threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let cut = dir.path().join("cut");
    let clock = Instant::now();
    while parts(&cut) < 3 && clock.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let done = parts(&cut);
    assert!((3..24).contains(&done), "killed after {done} of 24 points: the test needs a run cut part-way");
    assert!(!cut.join("sweep.csv").exists(), "an interrupted sweep writes no results file");
    let before: Vec<(std::ffi::OsString, std::time::SystemTime)> = std::fs::read_dir(cut.join("parts"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("point-"))
        .map(|e| (e.file_name(), e.metadata().unwrap().modified().unwrap()))
        .collect();

    let (code, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "cut", "--quiet"]);
    assert_eq!(code, 2, "a folder holding part of this sweep needs --resume: {err}");
    assert!(err.contains("--resume"), "{err}");
    let (code, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "cut", "--quiet", "--resume"]);
    assert_eq!(code, 0, "{err}");
    for (name, time) in before {
        let now = std::fs::metadata(cut.join("parts").join(&name)).unwrap().modified().unwrap();
        assert_eq!(now, time, "{name:?} was run again");
    }
    same_results(&whole, &cut);
}

#[test]
fn three_shards_merged_match_a_single_run() {
    let dir = setup();
    let (code, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "whole", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let shards: Vec<_> = (0..3)
        .map(|i| {
            Command::new(BIN)
                .current_dir(dir.path())
                .args([
                    "sweep",
                    "plan.toml",
                    "--quiet",
                    "--threads",
                    "1",
                    "--shard",
                    &format!("{i}/3"),
                    "--out",
                    &format!("s{i}"),
                ])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut s in shards {
        assert!(s.wait().unwrap().success());
    }
    assert!(!dir.path().join("s0").join("sweep.csv").exists(), "a shard writes parts only");
    assert_eq!(parts(&dir.path().join("s1")), 8, "every third of 24 points");
    let (code, err) = stpsim(dir.path(), &["merge", "s0", "s1", "--out", "partial", "--quiet"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("8 of 24 design points have no results yet"), "{err}");
    let (code, err) = stpsim(dir.path(), &["merge", "s0", "s1", "s2", "--out", "merged", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    same_results(&dir.path().join("whole"), &dir.path().join("merged"));
    assert!(dir.path().join("merged").join("sweep_heatmap_transformation_index_2021Q1.png").exists());
}

#[test]
fn shards_default_from_slurm_array_variables() {
    let dir = setup();
    let o = Command::new(BIN)
        .current_dir(dir.path())
        .args(["sweep", "plan.toml", "--quiet", "--out", "task"])
        .env("SLURM_ARRAY_TASK_ID", "5")
        .env("SLURM_ARRAY_TASK_MIN", "4")
        .env("SLURM_ARRAY_TASK_COUNT", "4")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Task 5 of an array 4..7 is shard 1 of 4: points 1, 5, 9, ...
    assert_eq!(parts(&dir.path().join("task")), 6);
    assert!(dir.path().join("task").join("parts").join("point-00000001.csv").exists());
    assert!(!dir.path().join("task").join("parts").join("point-00000000.csv").exists());
}

#[test]
fn the_example_grid_runs_and_draws_its_heatmaps() {
    let dir = tempfile::tempdir().unwrap();
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/sweeps/leads-by-seats.toml");
    let (code, err) = stpsim(dir.path(), &["sweep", plan, "--out", "grid", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("grid");
    for m in ["social_care_priority", "transformation_index", "council_engagement"] {
        let png = std::fs::read(out.join(format!("sweep_heatmap_{m}_2021Q1.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
    // Social care's priority falls with the lead's authority and rises with council seats.
    let summary = std::fs::read_to_string(out.join("sweep_summary.csv")).unwrap();
    let mean = |a: &str, s: &str| -> f64 {
        summary
            .lines()
            .find(|l| l.contains(&format!(",{a},{s},social_care_priority@2021Q1,")))
            .and_then(|l| l.split(',').nth(5))
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    assert!(mean("0.8", "0.1") < mean("0.2", "0.1"));
    assert!(mean("0.2", "0.4") > mean("0.2", "0.1"));
}

#[test]
fn sensitivity_runs_morris_and_lhs_designs() {
    let dir = tempfile::tempdir().unwrap();
    let morris = r#"
base = "strong-leads"
replicates = 4
design = "morris"
points = 3
metrics = ["transformation_index@2021Q1"]
[[factors]]
name = "lever.strengthen_leads.authority"
min = 0.2
max = 0.9
[[factors]]
name = "mu"
min = 0.5
max = 2.0
"#;
    std::fs::write(dir.path().join("m.toml"), morris).unwrap();
    let (code, err) = stpsim(dir.path(), &["sensitivity", "m.toml", "--out", "m", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let s = std::fs::read_to_string(dir.path().join("m").join("sensitivity.csv")).unwrap();
    assert!(s.starts_with("metric,factor,mu,mu_star,sigma\n"), "{s}");
    assert_eq!(s.lines().count(), 3, "{s}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m").join("sweep_summary.csv")).unwrap().lines().count(),
        1 + 3 * 3
    );
    std::fs::write(
        dir.path().join("l.toml"),
        morris.replace("\"morris\"", "\"lhs\"").replace("points = 3", "points = 5"),
    )
    .unwrap();
    let (code, err) = stpsim(dir.path(), &["sensitivity", "l.toml", "--out", "l", "--quiet"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("needs design = \"sobol\" or \"morris\""), "{err}");
    let (code, err) = stpsim(dir.path(), &["sweep", "l.toml", "--out", "l", "--quiet"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn plan_mistakes_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "base = \"baseline\"\ndesign = \"grid\"\nmetrics = [\"raised@2021Q1\"]\n[[factors]]\nname = \"beta_0\"\nvalues = [0.1]\n",
            "p.toml:5:8",
            "did you mean beta0",
        ),
        (
            "base = \"baseline\"\ndesign = \"grid\"\nmetrics = [\"raised@2021Q1\"]\n[[factors]]\nname = \"lever.strengthen_leads.authority\"\nvalues = [0.1]\n",
            "p.toml:5:8",
            "has none of",
        ),
        (
            "base = \"baseline\"\ndesign = \"grid\"\nmetrics = [\"raised@2021Q1\"]\n[[factors]]\nname = \"conditionality\"\nvalues = [1.5]\n",
            "p.toml:6:11",
            "from 0 to 1",
        ),
        (
            "base = \"baseline\"\ndesign = \"sobol\"\nmetrics = [\"raised@2021Q1\"]\n[[factors]]\nname = \"conditionality\"\nmin = 0\nmax = 1\n",
            "p.toml:2:10",
            "points",
        ),
        (
            "base = \"baseline\"\ndesign = \"grid\"\nmetrics = [\"raised@2030Q1\"]\n[[factors]]\nname = \"conditionality\"\nvalues = [0.1]\n",
            "p.toml:3:12",
            "a quarter of the base scenario's run",
        ),
        (
            "base = \"baseline\"\ndesign = \"grids\"\nmetrics = [\"raised@2021Q1\"]\n[[factors]]\nname = \"conditionality\"\nvalues = [0.1]\n",
            "p.toml:2:10",
            "one of \"grid\"",
        ),
        (
            "base = \"baseline\"\ndesign = \"grid\"\nmetric = [\"raised@2021Q1\"]\n",
            "p.toml:3:1",
            "did you mean `metrics`",
        ),
    ];
    for (text, at, rule) in cases {
        std::fs::write(dir.path().join("p.toml"), text).unwrap();
        let (code, err) = stpsim(dir.path(), &["sweep", "p.toml", "--out", "x", "--quiet"]);
        assert_eq!(code, 2, "{text}\n{err}");
        assert!(err.contains(at) && err.contains(rule), "expected {at} and {rule:?}:\n{err}");
    }
    let (code, err) = stpsim(dir.path(), &["sweep", "p.toml", "--shard", "3/3"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn lever_timing_and_switches_are_factors_too() {
    let dir = tempfile::tempdir().unwrap();
    let plan = r#"
base = "strong-leads"
replicates = 6
design = "grid"
metrics = ["passed@2018Q1"]
[[factors]]
name = "lever.strengthen_leads.start"
values = [4, 12]
[[factors]]
name = "lever.strengthen_leads.decision_rights"
values = [0, 1]
"#;
    std::fs::write(dir.path().join("t.toml"), plan).unwrap();
    let (code, err) = stpsim(dir.path(), &["sweep", "t.toml", "--out", "t", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let summary = std::fs::read_to_string(dir.path().join("t").join("sweep_summary.csv")).unwrap();
    let mean = |start: &str, rights: &str| -> f64 {
        let row = summary.lines().find(|l| l.contains(&format!(",{start},{rights},passed@2018Q1,"))).unwrap();
        row.split(',').nth(5).unwrap().parse().unwrap()
    };
    // Leads strengthened from 2017Q1 (4 quarters in) pass more by 2018Q1 than
    // leads strengthened only from 2019Q1 (12 in), when they can overrule.
    assert!(mean("4", "1") > mean("12", "1"), "{summary}");
    assert!(mean("4", "1") > mean("4", "0"), "decision rights let leads overrule: {summary}");
}

#[test]
fn the_command_line_sets_seed_and_replicates_and_plot_redraws_a_sweep_with_its_report() {
    let dir = setup();
    let small = PLAN.replace("0.6, 0.7, 0.8, 0.9, 1.0, 1.1]", "1.1]");
    std::fs::write(dir.path().join("small.toml"), small).unwrap();
    let (code, err) =
        stpsim(dir.path(), &["sweep", "small.toml", "--seed", "9", "--replicates", "3", "--quiet", "--out", "s"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "--quiet: {err}");
    let out = dir.path().join("s");
    let frame = std::fs::read_to_string(out.join("plan.json")).unwrap();
    assert!(frame.contains("\"replicates\": 3") && frame.contains("\"seed\": 9"), "{frame}");
    // Each factor's declared range (a grid's lowest and highest level), for the charts.
    let json: serde_json::Value = serde_json::from_str(&frame).unwrap();
    assert_eq!(json["ranges"], serde_json::json!([[0.0, 0.5], [0.0, 1.1]]), "{frame}");
    let rows = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(rows.lines().skip(1).all(|l| ["0", "1", "2"].contains(&l.split(',').nth(1).unwrap())), "3 replicates");
    // The report: key findings in words, contents, caveats, every chart inline.
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("<h2>Key findings</h2>") && report.contains("transformation index at 2021Q1"), "{report}");
    assert!(report.contains("id=\"caveats\"") && report.contains("<a href=\"sweep.csv\">sweep.csv</a>"));
    assert_eq!(report.matches("<svg").count(), 2, "one heatmap per metric");
    // plot redraws the charts and report of a sweep folder.
    std::fs::remove_file(out.join("report.html")).unwrap();
    std::fs::remove_file(out.join("sweep_heatmap_transformation_index_2021Q1.png")).unwrap();
    let o = Command::new(BIN).current_dir(dir.path()).args(["plot", "s"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(out.join("report.html")).unwrap(), report);
    assert!(out.join("sweep_heatmap_transformation_index_2021Q1.png").exists());
}

/// `stpsim sensitivity` lists what it wrote and prints the indices as a
/// table to three decimals (sensitivity.csv keeps every digit).
#[test]
fn sensitivity_prints_its_files_and_a_table_of_indices() {
    let dir = setup();
    let plan = common::sobol_plan("bootstrap = 20\n");
    std::fs::write(dir.path().join("s.toml"), plan).unwrap();
    let (code, out, err) = common::stpsim(dir.path(), &["sensitivity", "s.toml", "--out", "s", "--no-charts"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote sweep.csv, sweep_summary.csv, sensitivity.csv, tables.xlsx, plan.json in s"), "{out}");
    assert!(out.contains("first-order [95% interval]"), "{out}");
    let csv = std::fs::read_to_string(dir.path().join("s").join("sensitivity.csv")).unwrap();
    let rounded = |v: &str| format!("{:.3}", v.parse::<f64>().unwrap()).replace('-', "\u{2212}");
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let row = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{} ", cells[1])))
            .unwrap_or_else(|| panic!("{out}"));
        for v in &cells[2..] {
            assert!(row.contains(&rounded(v)), "{v} as {} in {row}", rounded(v));
        }
    }
}
