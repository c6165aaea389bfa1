//! The fit, shown: a run over a posterior that includes a calibration
//! target's built-in scenario draws that target's chart (the posterior
//! predictive fan over time with the published figure and its 90% sampling
//! interval), with its table, into its folder and report.html; a run at
//! fixed parameters, or of a changed scenario, draws none.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_stpsim");

fn run(dir: &Path, args: &[&str]) {
    let o = Command::new(BIN).current_dir(dir).args(args).args(["--replicates", "6", "--quiet"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn fits(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".svg").filter(|s| s.starts_with("fit_")).map(String::from))
        .collect();
    v.sort();
    v
}

#[test]
fn a_run_over_the_posterior_shows_each_target_over_its_fan() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["run", "baseline", "history", "--out", "o"]);
    let out = dir.path().join("o");
    let stems = fits(&out);
    let want: Vec<String> = stpsim::plot::fit::england_targets()
        .iter()
        .map(stpsim::plot::fit::stem)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(stems, want, "one chart per target, all seven");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for s in &stems {
        assert!(html.contains(&format!("<figure id=\"{s}\">")), "report lacks {s}");
        assert!(out.join(format!("{s}.png")).is_file());
    }
    // The chart's numbers: the fan's quantiles are summary.csv's, and the
    // figure sits in its own quarter with its 90% sampling interval.
    let table = std::fs::read_to_string(out.join("data/fit_unsure_share_2016Q4.csv")).unwrap();
    let header = table.lines().next().unwrap();
    assert_eq!(
        header,
        "quarter,baseline p05,baseline p25,baseline p50,baseline p75,baseline p95,figure,figure low (90%),figure high (90%)"
    );
    let row = table.lines().find(|l| l.starts_with("2016Q4,")).unwrap();
    let cells: Vec<f64> = row.split(',').skip(1).map(|c| c.parse().unwrap()).collect();
    let sd = (0.72f64 * 0.28 / 200.0).sqrt();
    assert!((cells[5] - 0.72).abs() < 1e-12 && (cells[6] - (0.72 - 1.6448536269514722 * sd)).abs() < 1e-12);
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let p50 = summary
        .lines()
        .find(|l| l.starts_with("baseline,2016Q4,unsure_share,"))
        .map(|l| {
            let h: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
            let k = h.iter().position(|c| *c == "p50").unwrap();
            l.split(',').nth(k).unwrap().parse::<f64>().unwrap()
        })
        .unwrap();
    assert_eq!(cells[2], p50, "the fan's median is summary.csv's");
    let other = table.lines().find(|l| l.starts_with("2017Q4,")).unwrap();
    assert!(other.ends_with(",,,"), "no figure outside its quarter: {other}");
    let svg = std::fs::read_to_string(out.join("fit_unsure_share_2016Q4.svg")).unwrap();
    assert!(svg.contains("published figure") && svg.contains("HFMA"), "the legend and the figure's source");
}

#[test]
fn fixed_parameters_or_a_changed_scenario_draw_no_fit() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["run", "baseline", "history", "--posterior", "none", "--out", "none"]);
    assert!(fits(&dir.path().join("none")).is_empty(), "at fixed parameters the fan is chance alone");
    // Only baseline: its six targets, not history's.
    run(dir.path(), &["run", "baseline", "--out", "b"]);
    assert_eq!(fits(&dir.path().join("b")).len(), 6);
    // A file named like the built-in but changed is not the calibrated scenario.
    std::fs::write(
        dir.path().join("baseline.toml"),
        "name = \"baseline\"\nextends = \"baseline\"\n[params]\nmu = 1.5\n",
    )
    .unwrap();
    run(dir.path(), &["run", "baseline.toml", "--out", "c"]);
    assert!(fits(&dir.path().join("c")).is_empty());
}
