//! A golden summary of a fixed-seed small run, kept in tests/baseline.json.
//! Any change to the model's results shows here. Regenerate it only on
//! purpose, after checking the change is intended:
//!
//!     STPSIM_BLESS=1 cargo test --test golden

mod common;
use common::*;
use serde_json::{Value, json};
use stpsim::results::summary::summarise;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/baseline.json");
const QUARTERS: [&str; 3] = ["2016Q4", "2018Q4", "2021Q1"];
/// Relative tolerance: room for last-digit differences in a platform's maths
/// library, far below any change in the model.
const TOLERANCE: f64 = 1e-9;

fn current() -> Value {
    let scenarios = [stpsim::scenario::load("baseline").unwrap(), stpsim::scenario::load("history").unwrap()];
    let results = run(&scenarios, 20, 7);
    let rows: Vec<Value> = summarise(results.rows())
        .into_iter()
        .filter(|r| QUARTERS.contains(&r.quarter.to_string().as_str()))
        .map(|r| {
            json!({
                "scenario": r.scenario, "quarter": r.quarter.to_string(), "metric": r.metric.name(),
                "mean": r.mean, "p05": r.p05, "p50": r.p50, "p95": r.p95,
            })
        })
        .collect();
    json!({ "seed": 7, "replicates": 20, "scenarios": ["baseline", "history"], "rows": rows })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn summary_matches_the_golden_file() {
    let now = current();
    if std::env::var_os("STPSIM_BLESS").is_some() {
        std::fs::write(PATH, serde_json::to_string_pretty(&now).unwrap() + "\n").unwrap();
        return;
    }
    let text = std::fs::read_to_string(PATH)
        .expect("tests/baseline.json is missing: run STPSIM_BLESS=1 cargo test --test golden");
    let golden: Value = serde_json::from_str(&text).unwrap();
    let (g, n) = (golden["rows"].as_array().unwrap(), now["rows"].as_array().unwrap());
    assert_eq!(g.len(), n.len(), "the golden file has a different set of rows");
    let mut diffs = Vec::new();
    for (a, b) in g.iter().zip(n) {
        assert_eq!((&a["scenario"], &a["quarter"], &a["metric"]), (&b["scenario"], &b["quarter"], &b["metric"]));
        for k in ["mean", "p05", "p50", "p95"] {
            let (x, y) = (a[k].as_f64().unwrap(), b[k].as_f64().unwrap());
            if !close(x, y) {
                diffs.push(format!("{} {} {} {k}: golden {x}, now {y}", a["scenario"], a["quarter"], a["metric"]));
            }
        }
    }
    assert!(diffs.is_empty(), "{} values moved:\n{}", diffs.len(), diffs.join("\n"));
}
