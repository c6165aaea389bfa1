//! The numbers behind each chart, as a small wide table: one row per
//! quarter (or scenario), one column per scenario and statistic. The chart
//! is drawn from the same numbers ([`fan_numbers`], [`super::paired_difference`],
//! [`super::funnel::run_total`], the heatmap grids), and the table is what
//! `data/<chart>.csv` and the chart's sheet of `tables.xlsx` hold, so the
//! three never disagree.

use super::input::RunData;
use crate::core::quarter::Quarter;
use crate::model::Metric;

pub use crate::results::chart_table::{ChartTable, Column, DATA_DIR, Unit, write_tables};
pub use crate::results::outputs::is_table_file;

/// The quantiles a fan chart plots for one scenario, quarter and metric:
/// p05, p25, p50, p75, p95 (bands and median line). The chart and its table
/// both read them here.
pub fn fan_numbers(data: &RunData, s: usize, q: Quarter, m: Metric) -> Option<[f64; 5]> {
    data.stats(s, q, m).map(|st| [st[2], st[3], st[4], st[5], st[6]])
}

/// What every chart's numbers leave out.
pub(crate) fn caveat(data: &RunData) -> String {
    if data.manifest.posterior.is_some() {
        format!("Intervals are over replicates; {}", crate::results::manifest::POSTERIOR_NOTE)
    } else {
        "Intervals are over replicates: they show chance within the model, not uncertainty in its parameters, \
         its structure or the data it starts from"
            .to_string()
    }
}

/// Quarters as row labels.
pub(crate) fn quarter_rows(quarters: &[Quarter]) -> Vec<String> {
    quarters.iter().map(|q| q.to_string()).collect()
}
