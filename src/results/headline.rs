//! The headline numbers: each headline metric at a scenario's final quarter,
//! the median with a 90% interval over replicates and, for scenarios after the
//! first that end with it on the same footprints, the paired difference from
//! the first. `stpsim run` prints them and the explorer shows them; both read
//! them from here, so the same seed and replicates give the same text.

use super::Results;
use super::summary::{describe, paired};
use crate::model::Metric;
use crate::quarter::Quarter;
use serde::Serialize;

/// Median, 5th and 95th percentile, as text.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Interval {
    pub median: String,
    pub p05: String,
    pub p95: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeadlineRow {
    pub metric: &'static str,
    pub value: Interval,
    /// The paired difference from the first scenario.
    pub difference: Option<Interval>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Headline {
    pub scenario: String,
    pub quarter: Quarter,
    /// The scenario the differences are from, if any.
    pub compared_with: Option<String>,
    pub rows: Vec<HeadlineRow>,
}

/// A value as the terminal prints it.
pub fn format(m: Metric, x: f64) -> String {
    match m {
        Metric::ProviderBalanceGbpM => format!("{x:.0}"),
        Metric::AcsCount => format!("{x:.1}"),
        _ => format!("{x:.3}"),
    }
}

pub fn headline(results: &Results) -> Vec<Headline> {
    let Some(base) = results.scenarios.first() else { return Vec::new() };
    let mut out = Vec::new();
    for sc in &results.scenarios {
        let Some(&last) = sc.quarters.last() else { continue };
        let compare = sc.name != base.name && base.quarters.last() == Some(&last) && base.footprints == sc.footprints;
        let rows = crate::model::Metric::headline()
            .iter()
            .map(|&m| {
                let v = sc.at(last, m);
                let (_, _, q) = describe(&mut v.clone());
                let difference = compare.then(|| {
                    let (_, _, d) = describe(&mut paired(&base.at(last, m), &v));
                    Interval { median: format(m, d[2]), p05: format(m, d[0]), p95: format(m, d[4]) }
                });
                let value = Interval { median: format(m, q[2]), p05: format(m, q[0]), p95: format(m, q[4]) };
                HeadlineRow { metric: m.name(), value, difference }
            })
            .collect();
        out.push(Headline {
            scenario: sc.name.clone(),
            quarter: last,
            compared_with: compare.then(|| base.name.clone()),
            rows,
        });
    }
    out
}

/// One screen: the headline numbers of every scenario.
pub fn text(results: &Results, replicates: u32, seed: u64) -> String {
    let mut s = format!("\nAt the final quarter: median [90% interval] over {replicates} replicates, seed {seed}\n");
    for h in headline(results) {
        s += &format!("\n{} ({})", h.scenario, h.quarter);
        if let Some(base) = &h.compared_with {
            s += &format!("{:>37}{}", "", format_args!("difference from {base}"));
        }
        s += "\n";
        for r in &h.rows {
            let v = &r.value;
            s += &format!("  {:<24} {:>9} [{:>9}, {:>9}]", r.metric, v.median, v.p05, v.p95);
            if let Some(d) = &r.difference {
                s += &format!("   {:>9} [{:>9}, {:>9}]", d.median, d.p05, d.p95);
            }
            s += "\n";
        }
    }
    s
}
