//! Summaries over replicates, computed from the tidy rows alone.

use super::Row;
use crate::model::Metric;
use crate::quarter::Quarter;
use std::collections::BTreeMap;

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
    values.sort_by(f64::total_cmp);
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
        .map(|((s, quarter, metric), mut v)| {
            let (mean, sd, q) = describe(&mut v);
            SummaryRow {
                scenario: order[s].to_string(),
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
        })
        .collect()
}

/// Paired differences `other - base`, replicate by replicate (scenarios share
/// random numbers, so pairing removes most of the noise).
pub fn paired(base: &[f64], other: &[f64]) -> Vec<f64> {
    base.iter().zip(other).map(|(b, o)| o - b).collect()
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
}
