//! The headline numbers: each headline metric at a scenario's final quarter,
//! the median with a 90% interval over replicates and, for scenarios after the
//! first that end with it on the same footprints, the paired difference from
//! the first. `stpsim run` prints them and the explorer shows them; both read
//! them from here, so the same seed and replicates give the same text.

use super::Results;
use super::summary::{describe, paired};
use crate::core::quarter::Quarter;
use crate::model::Metric;
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

/// A level as the terminal prints it: the metric's format, as every front shows it.
pub fn format(m: Metric, x: f64) -> String {
    m.format().level(x)
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
                    let [median, p05, p95] = m.format().interval([d[2], d[0], d[4]]);
                    Interval { median, p05, p95 }
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

/// Where a row's difference columns start: the metric (2 + 24), the median
/// and its interval (1 + 9 + 2 + 9 + 2 + 9 + 1), then three spaces.
const DIFFERENCE_COLUMN: usize = 62;

/// One screen: the headline numbers of every scenario.
pub fn text(results: &Results, replicates: u32, seed: u64) -> String {
    let mut s = format!("\nAt the final quarter: median [90% interval] over {replicates} replicates, seed {seed}\n");
    for h in headline(results) {
        let title = format!("{} ({})", h.scenario, h.quarter);
        match &h.compared_with {
            // The label starts where the difference columns do, whatever
            // the scenario's name (at least three spaces after it).
            Some(base) => {
                let pad = DIFFERENCE_COLUMN.saturating_sub(title.chars().count()).max(3);
                s += &format!("\n{title}{:pad$}difference from {base}", "");
            }
            None => s += &format!("\n{title}"),
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
    s + &units_note(Metric::headline())
}

/// What the numbers of `metrics` mean: the units once, then each index's
/// meaning in words (what 0.05 means).
pub fn units_note(metrics: &[Metric]) -> String {
    use crate::model::metrics::Format;
    let mut s = String::from("\n");
    let mut units = Vec::new();
    if metrics.iter().any(|m| m.format() == Format::Share) {
        units.push("shares in per cent, their differences in percentage points (pp)".to_string());
    }
    for m in metrics.iter().filter(|m| m.format() == Format::Money) {
        units.push(format!("{} in {}", m.name(), m.unit_words()));
    }
    if !units.is_empty() {
        let text = units.join("; ");
        s += &format!("{}{}.\n", text[..1].to_uppercase(), &text[1..]);
    }
    for m in metrics {
        if let Some(meaning) = m.format().meaning() {
            s += &format!("{}: {meaning}.\n", m.name());
        }
    }
    s
}
