//! The results table (`scenario, replicate, quarter, metric, value`), its
//! summaries, and the files written from it.

pub mod chart_table;
mod decimal;
pub mod folder;
pub mod headline;
pub mod manifest;
pub mod numbers;
pub mod outputs;
pub mod parquet;
pub mod stream;
pub mod summary;
pub mod write;
pub mod xlsx;

use crate::core::quarter::Quarter;
use crate::model::Metric;
use crate::model::metrics::N_METRICS;

/// One scenario's values, stored densely; read them as tidy rows.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioResult {
    pub name: String,
    pub quarters: Vec<Quarter>,
    pub footprints: Vec<String>,
    pub replicates: usize,
    /// Replicates (the first ones) whose footprint values are kept.
    pub footprint_replicates: usize,
    /// `[replicate][quarter][metric]`.
    pub values: Vec<f64>,
    /// `[replicate][quarter][footprint][metric]`, when asked for.
    pub footprint_values: Option<Vec<f64>>,
}

/// One row of the tidy table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row<'a> {
    pub scenario: &'a str,
    pub replicate: usize,
    pub quarter: Quarter,
    pub metric: Metric,
    pub value: f64,
}

/// One row of the per-footprint table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FootprintRow<'a> {
    pub scenario: &'a str,
    pub replicate: usize,
    pub quarter: Quarter,
    pub footprint: &'a str,
    pub metric: Metric,
    pub value: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Results {
    pub scenarios: Vec<ScenarioResult>,
}

impl ScenarioResult {
    pub fn value(&self, replicate: usize, quarter: usize, metric: Metric) -> f64 {
        self.values[(replicate * self.quarters.len() + quarter) * N_METRICS + metric as usize]
    }

    /// A metric's value at a quarter, replicate by replicate (empty if the
    /// quarter is outside the run).
    pub fn at(&self, quarter: Quarter, metric: Metric) -> Vec<f64> {
        match self.quarters.iter().position(|&q| q == quarter) {
            Some(k) => (0..self.replicates).map(|r| self.value(r, k, metric)).collect(),
            None => Vec::new(),
        }
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        let nq = self.quarters.len();
        (0..self.replicates).flat_map(move |r| {
            (0..nq).flat_map(move |q| {
                Metric::ALL.iter().map(move |&m| Row {
                    scenario: &self.name,
                    replicate: r,
                    quarter: self.quarters[q],
                    metric: m,
                    value: self.value(r, q, m),
                })
            })
        })
    }

    pub fn footprint_rows(&self) -> impl Iterator<Item = FootprintRow<'_>> {
        let nq = self.quarters.len();
        let nf = self.footprints.len();
        let values = self.footprint_values.as_deref().unwrap_or(&[]);
        let reps = if values.is_empty() { 0 } else { self.footprint_replicates };
        (0..reps).flat_map(move |r| {
            (0..nq).flat_map(move |q| {
                (0..nf).flat_map(move |f| {
                    Metric::ALL.iter().map(move |&m| FootprintRow {
                        scenario: &self.name,
                        replicate: r,
                        quarter: self.quarters[q],
                        footprint: &self.footprints[f],
                        metric: m,
                        value: values[((r * nq + q) * nf + f) * N_METRICS + m as usize],
                    })
                })
            })
        })
    }
}

impl Results {
    /// The tidy table, in a fixed order: scenario, replicate, quarter, metric.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.scenarios.iter().flat_map(|s| s.rows())
    }

    pub fn footprint_rows(&self) -> impl Iterator<Item = FootprintRow<'_>> {
        self.scenarios.iter().flat_map(|s| s.footprint_rows())
    }
}
