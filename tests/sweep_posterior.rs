//! Sweeps and sensitivity run over the England posterior by default, as a
//! run does: replicate r takes the posterior draw it takes in a run (the
//! same at every design point), and a factor wins over the posterior for
//! its parameter, held at the design point's value in every replicate.
//! `posterior = "none"` in a plan, or `--posterior`, chooses otherwise.

use std::path::Path;
use std::process::Command;
use stpsim::experiment::plan::{self, Plan};
use stpsim::experiment::sweep;

const BIN: &str = env!("CARGO_BIN_EXE_stpsim");

/// Two values of b_deficit, a parameter the England posterior carries.
const GRID: &str = r#"
base = "baseline"
replicates = 12
seed = 5
design = "grid"
metrics = ["self_priority_share@2016Q4", "council_engagement@2017Q1"]

[[factors]]
name = "b_deficit"
values = [0.3, 1.7]
"#;

fn load(dir: &Path, text: &str, posterior: Option<&str>) -> Plan {
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    plan::load_over(&path, None, None, 1, None, posterior).unwrap()
}

#[test]
fn a_factor_wins_over_the_posterior_and_the_other_parameters_vary() {
    let dir = tempfile::tempdir().unwrap();
    let plan = load(dir.path(), GRID, None);
    let post = plan.posterior.as_ref().expect("over the England posterior by default");
    assert_eq!(post.source, stpsim::calibrate::choice::ENGLAND_SOURCE);
    assert_eq!(plan.held, ["b_deficit"]);
    assert!(plan.parameters.contains("over the England posterior"), "{}", plan.parameters);
    for (p, point) in plan.design_points.iter().enumerate() {
        let s = plan.scenario(p);
        let params: Vec<_> = (0..plan.replicates as u64).map(|r| plan.replicate_params(&s, r)).collect();
        // The factor: held at the point's value in every replicate.
        assert!(params.iter().all(|q| q.b_deficit == point[0]), "point {p}: b_deficit is the factor's");
        // Every other posterior parameter: the replicate's posterior draw.
        for (r, q) in params.iter().enumerate() {
            let d = post.draw_for(plan.seed, r as u64);
            for (k, name) in post.names.iter().enumerate().filter(|(_, n)| **n != "b_deficit") {
                assert_eq!(q.get(name), Some(post.draws[d][k]), "point {p} replicate {r}: {name} is the draw's");
            }
        }
        let beta0: std::collections::BTreeSet<u64> = params.iter().map(|q| q.beta0.to_bits()).collect();
        assert!(beta0.len() >= 6, "beta0 varies across 12 replicates: {} distinct values", beta0.len());
    }
    // The same draw for replicate r at both points (common random numbers).
    let (a, b) = (plan.scenario(0), plan.scenario(1));
    for r in 0..plan.replicates as u64 {
        assert_eq!(plan.replicate_params(&a, r).beta0, plan.replicate_params(&b, r).beta0);
    }
}

/// A sweep point's rows are the run of the same scenario with the factor
/// set in its own `[params]`: the held-parameter rule of `stpsim run`.
#[test]
fn a_sweep_point_equals_a_run_of_the_scenario_that_sets_the_factor() {
    let dir = tempfile::tempdir().unwrap();
    let plan = load(dir.path(), GRID, None);
    let rows = sweep::point_rows(&plan, 1, 1);
    let scenario = stpsim::scenario::load_text(
        "name = \"held\"\nextends = \"baseline\"\nend = \"2017Q1\"\n[params]\nb_deficit = 1.7\n",
        "held.toml",
        None,
    )
    .unwrap();
    let opts = stpsim::RunOptions { replicates: plan.replicates, seed: plan.seed, footprint_replicates: 0 };
    let run =
        stpsim::runner::run_over(std::slice::from_ref(&scenario), &opts, Some(stpsim::calibrate::choice::england()));
    let q = stpsim::quarter::Quarter::parse("2016Q4").unwrap();
    let from_run = run.scenarios[0].at(q, stpsim::model::Metric::SelfPriorityShare);
    let from_sweep: Vec<f64> = rows
        .lines()
        .filter(|l| l.contains("self_priority_share@2016Q4"))
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(from_sweep, from_run, "replicate by replicate, bit for bit");
    // At the spec's defaults the same point differs: the posterior was used.
    let none = load(dir.path(), GRID, Some("none"));
    assert!(none.posterior.is_none() && none.held.is_empty());
    let at_defaults = sweep::point_rows(&none, 1, 1);
    assert_ne!(rows, at_defaults);
    let s = none.scenario(1);
    assert!((0..12).all(|r| none.replicate_params(&s, r) == s.params), "no posterior: the scenario's own parameters");
}

#[test]
fn the_plan_and_the_flag_choose_and_the_sweep_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // `posterior = "none"` in the plan: the spec's defaults.
    let in_plan = GRID.replace("design = \"grid\"", "design = \"grid\"\nposterior = \"none\"");
    let none = load(dir.path(), &in_plan, None);
    assert!(none.posterior.is_none());
    assert!(none.parameters.contains("plan: posterior = \"none\""), "{}", none.parameters);
    // The flag wins over the plan.
    let flagged = load(dir.path(), &in_plan, Some("england"));
    assert!(flagged.posterior.is_some() && flagged.parameters.contains("--posterior england"));
    // A plan's bad posterior is located in the plan.
    std::fs::write(
        dir.path().join("plan.toml"),
        GRID.replace("design = \"grid\"", "design = \"grid\"\nposterior = \"nope.csv\""),
    )
    .unwrap();
    let e = plan::load_over(&dir.path().join("plan.toml"), None, None, 1, None, None).unwrap_err().to_string();
    assert!(e.contains("plan.toml:6") && e.contains("posterior") && e.contains("\"none\""), "{e}");
    // Parts over another posterior are not mixed: the hash differs.
    assert_ne!(none.hash(), flagged.hash());

    // The first line and plan.json say what the replicates ran over and what was held.
    std::fs::write(dir.path().join("plan.toml"), GRID.replace("replicates = 12", "replicates = 2")).unwrap();
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["sweep", "plan.toml", "--out", "s", "--no-charts"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("replicates ran over the England posterior"), "{err}");
    assert!(err.contains("factors win over the posterior): b_deficit"), "{err}");
    let frame: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s/plan.json")).unwrap()).unwrap();
    assert!(frame["parameters"].as_str().unwrap().contains("over the England posterior"), "{frame}");
    assert_eq!(frame["held"], serde_json::json!(["b_deficit"]));
    // So does the sweep's report, and its caveat says what the bands cover.
    let o = Command::new(BIN).current_dir(dir.path()).args(["plot", "s", "--quiet"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = std::fs::read_to_string(dir.path().join("s/report.html")).unwrap();
    assert!(report.contains("Replicates ran over the England posterior"), "the report says what ran");
    assert!(report.contains("(a factor wins over the posterior): b_deficit."));
    assert!(report.contains("the posterior's uncertainty in the parameters no factor sets"));
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["sweep", "plan.toml", "--out", "n", "--no-charts", "--posterior", "none"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("at the spec's default parameters (--posterior none)"), "{err}");
}

/// Sobol (Jansen) over the posterior: the factors are the design's inputs,
/// every other parameter comes from replicate r's posterior draw, shared by
/// all design points; the point means average over draws and chance.
#[test]
fn sensitivity_over_the_posterior_holds_its_factors() {
    let dir = tempfile::tempdir().unwrap();
    let sobol = r#"
base = "baseline"
replicates = 3
design = "sobol"
points = 4
bootstrap = 50
metrics = ["self_priority_share@2016Q4"]
[[factors]]
name = "beta0"
min = 0.1
max = 1.1
[[factors]]
name = "b_trust"
min = 0.5
max = 4.0
"#;
    let plan = load(dir.path(), sobol, None);
    let mut held = plan.held.clone();
    held.sort();
    assert_eq!(held, ["b_trust", "beta0"]);
    let post = plan.posterior.as_ref().unwrap();
    let k = post.names.iter().position(|n| *n == "kappa_contact").unwrap();
    for (p, point) in plan.design_points.iter().enumerate() {
        let s = plan.scenario(p);
        for r in 0..3 {
            let q = plan.replicate_params(&s, r);
            assert_eq!((q.beta0, q.b_trust), (point[0], point[1]), "point {p}: the factors win");
            assert_eq!(q.kappa_contact, post.draws[post.draw_for(plan.seed, r)][k], "the rest is the draw's");
        }
    }
    std::fs::write(dir.path().join("plan.toml"), sobol).unwrap();
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["sensitivity", "plan.toml", "--out", "o", "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = std::fs::read_to_string(dir.path().join("o/sensitivity.csv")).unwrap();
    assert_eq!(s.lines().count(), 3, "{s}");
}
