//! Helpers shared by the integration tests.
#![allow(dead_code)]

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
