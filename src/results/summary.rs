//! Summaries over replicates, computed from the tidy rows alone.

use super::Row;
use crate::core::quarter::Quarter;
use crate::model::Metric;
use std::collections::BTreeMap;

/// A number column: its name and how a row gives it.
pub type NumberColumn<R> = (&'static str, fn(&R) -> f64);

/// summary.csv's leading columns, before the numbers.
pub const KEY_COLUMNS: [&str; 3] = ["scenario", "quarter", "metric"];

/// summary.csv's number columns, in order: declared once for the CSV
/// writer and the Python package.
pub const SUMMARY_NUMBERS: [NumberColumn<SummaryRow>; 7] = [
    ("mean", |r| r.mean),
    ("sd", |r| r.sd),
    ("p05", |r| r.p05),
    ("p25", |r| r.p25),
    ("p50", |r| r.p50),
    ("p75", |r| r.p75),
    ("p95", |r| r.p95),
];

/// The last column of a run over a posterior, and what it says on every row.
pub const SPREAD_COLUMN: &str = "spread";
pub const SPREAD_OVER_POSTERIOR: &str = "parameter uncertainty and chance";

#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    pub scenario: String,
    pub quarter: Quarter,
    pub metric: Metric,
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl SummaryRow {
    /// The row of one group's values (sorted in place by [`describe`]).
    fn of(scenario: String, quarter: Quarter, metric: Metric, v: &mut [f64]) -> SummaryRow {
        let (mean, sd, q) = describe(v);
        SummaryRow {
            scenario,
            quarter,
            metric,
            n: v.len(),
            mean,
            sd,
            p05: q[0],
            p25: q[1],
            p50: q[2],
            p75: q[3],
            p95: q[4],
        }
    }
}

/// Quantile of sorted values by linear interpolation between order
/// statistics (Hyndman and Fan type 7, the default of R and NumPy).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Mean, sample standard deviation and the five quantiles of `values`.
pub fn describe(values: &mut [f64]) -> (f64, f64, [f64; 5]) {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n.max(1) as f64;
    let sd = if n > 1 { (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt() } else { 0.0 };
    // Values equal under `total_cmp` have the same bits, so the unstable
    // sort gives the stable sort's order.
    values.sort_unstable_by(f64::total_cmp);
    let q = [0.05, 0.25, 0.5, 0.75, 0.95].map(|p| quantile(values, p));
    (mean, sd, q)
}

/// One row per (scenario, quarter, metric), scenarios in the order first seen.
pub fn summarise<'a>(rows: impl Iterator<Item = Row<'a>>) -> Vec<SummaryRow> {
    let mut order: Vec<&str> = Vec::new();
    let mut groups: BTreeMap<(usize, Quarter, Metric), Vec<f64>> = BTreeMap::new();
    for r in rows {
        let s = match order.iter().position(|x| *x == r.scenario) {
            Some(i) => i,
            None => {
                order.push(r.scenario);
                order.len() - 1
            }
        };
        groups.entry((s, r.quarter, r.metric)).or_default().push(r.value);
    }
    groups
        .into_iter()
        .map(|((s, quarter, metric), mut v)| SummaryRow::of(order[s].to_string(), quarter, metric, &mut v))
        .collect()
}

/// [`summarise`] of a run's rows, the same rows in the same order, read
/// from the dense values rather than grouped row by row.
pub fn summarise_results(results: &super::Results) -> Vec<SummaryRow> {
    let names = &results.scenarios;
    // Scenarios of one name are one group in `summarise`: leave them to it.
    if names.iter().enumerate().any(|(i, a)| names[..i].iter().any(|b| b.name == a.name)) {
        return summarise(results.rows());
    }
    let mut metrics: Vec<Metric> = Metric::ALL.to_vec();
    metrics.sort();
    let mut out = Vec::new();
    for sc in results.scenarios.iter().filter(|s| s.replicates > 0) {
        let mut quarters: Vec<(Quarter, usize)> = sc.quarters.iter().enumerate().map(|(k, &q)| (q, k)).collect();
        quarters.sort();
        if quarters.windows(2).any(|w| w[0].0 == w[1].0) {
            return summarise(results.rows());
        }
        for &(quarter, k) in &quarters {
            for &metric in &metrics {
                let mut v: Vec<f64> = (0..sc.replicates).map(|r| sc.value(r, k, metric)).collect();
                out.push(SummaryRow::of(sc.name.clone(), quarter, metric, &mut v));
            }
        }
    }
    out
}

/// Paired differences `other - base`, replicate by replicate (scenarios share
/// random numbers, so pairing removes most of the noise).
pub fn paired(base: &[f64], other: &[f64]) -> Vec<f64> {
    base.iter().zip(other).map(|(b, o)| o - b).collect()
}

/// differences.csv's number columns, in order, after `KEY_COLUMNS`.
pub const DIFFERENCE_NUMBERS: [NumberColumn<DifferenceRow>; 5] =
    [("median", |r| r.median), ("p05", |r| r.p05), ("p95", |r| r.p95), ("mean", |r| r.mean), ("sd", |r| r.sd)];

/// One row of differences.csv: the paired differences `scenario - first`
/// over replicates at one quarter, for one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct DifferenceRow {
    pub scenario: String,
    pub quarter: Quarter,
    pub metric: Metric,
    pub median: f64,
    pub p05: f64,
    pub p95: f64,
    pub mean: f64,
    pub sd: f64,
}

/// Whether two scenarios' replicates can be paired: the same footprints and
/// the same number of replicates (so replicate r of each drew the same
/// random numbers wherever their quarters overlap).
pub fn pairable(a: &super::ScenarioResult, b: &super::ScenarioResult) -> bool {
    a.footprints == b.footprints && a.replicates == b.replicates && a.replicates > 0
}

/// Paired differences from the first scenario, for every later scenario that
/// can be paired with it, every quarter the two share and every metric.
pub fn differences(results: &super::Results) -> Vec<DifferenceRow> {
    let Some(base) = results.scenarios.first() else { return Vec::new() };
    let mut out = Vec::new();
    for sc in results.scenarios.iter().skip(1).filter(|s| pairable(base, s)) {
        for (k, &q) in sc.quarters.iter().enumerate() {
            let Some(kb) = base.quarters.iter().position(|&x| x == q) else { continue };
            for &m in Metric::ALL {
                let mut d: Vec<f64> = (0..sc.replicates).map(|r| sc.value(r, k, m) - base.value(r, kb, m)).collect();
                let (mean, sd, p) = describe(&mut d);
                out.push(DifferenceRow {
                    scenario: sc.name.clone(),
                    quarter: q,
                    metric: m,
                    median: p[2],
                    p05: p[0],
                    p95: p[4],
                    mean,
                    sd,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_type_7() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.25), 2.0);
        assert!((quantile(&v, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(quantile(&[7.0], 0.9), 7.0);
        let (mean, sd, q) = describe(&mut [4.0, 2.0, 6.0]);
        assert_eq!((mean, sd), (4.0, 2.0));
        assert_eq!(q[2], 4.0);
    }

    #[test]
    fn summarise_groups_by_scenario_quarter_metric() {
        let q = Quarter::new(2016, 1).unwrap();
        let rows =
            (0..4).map(|r| Row { scenario: "a", replicate: r, quarter: q, metric: Metric::Raised, value: r as f64 });
        let s = summarise(rows);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].n, s[0].mean, s[0].p50), (4, 1.5, 1.5));
    }

    #[test]
    fn summaries_from_the_dense_values_equal_those_from_the_rows() {
        let s = [crate::scenario::load("baseline").unwrap(), crate::scenario::load("history").unwrap()];
        let results =
            crate::runner::run(&s, &crate::runner::RunOptions { replicates: 6, seed: 5, footprint_replicates: 0 });
        let dense = summarise_results(&results);
        assert_eq!(dense.len(), results.scenarios.iter().map(|s| s.quarters.len()).sum::<usize>() * Metric::ALL.len());
        assert_eq!(dense, summarise(results.rows()));
        // Two scenarios of one name are one group, as the rows make them.
        let mut twice = results.clone();
        twice.scenarios[1].name = twice.scenarios[0].name.clone();
        assert_eq!(summarise_results(&twice), summarise(twice.rows()));
    }

    #[test]
    fn differences_pair_replicate_by_replicate_from_the_first_scenario() {
        use crate::model::metrics::N_METRICS;
        use crate::results::{Results, ScenarioResult};
        let quarters = vec![Quarter::new(2016, 1).unwrap(), Quarter::new(2016, 2).unwrap()];
        let make = |name: &str, f: &dyn Fn(usize, usize) -> f64| {
            let mut values = vec![0.0; 3 * 2 * N_METRICS];
            for r in 0..3 {
                for q in 0..2 {
                    values[(r * 2 + q) * N_METRICS + Metric::Raised as usize] = f(r, q);
                }
            }
            ScenarioResult {
                name: name.into(),
                quarters: quarters.clone(),
                footprints: vec!["A".into()],
                replicates: 3,
                footprint_replicates: 0,
                values,
                footprint_values: None,
            }
        };
        // Replicates differ a lot, but the paired difference is exactly r + 10.
        let base = make("base", &|r, q| 100.0 * r as f64 + q as f64);
        let other = make("other", &|r, q| 100.0 * r as f64 + q as f64 + r as f64 + 10.0);
        let mut other_fp = make("elsewhere", &|_, _| 0.0);
        other_fp.footprints = vec!["B".into()];
        let rows = differences(&Results { scenarios: vec![base, other, other_fp] });
        assert_eq!(rows.len(), 2 * Metric::ALL.len(), "one row per quarter and metric, none for another structure");
        let r = rows.iter().find(|r| r.metric == Metric::Raised && r.quarter == quarters[1]).unwrap();
        assert_eq!((r.scenario.as_str(), r.median, r.mean, r.sd), ("other", 11.0, 11.0, 1.0));
        assert!((r.p05 - 10.1).abs() < 1e-12 && (r.p95 - 11.9).abs() < 1e-12);
    }
}
