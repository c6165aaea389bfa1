//! Each fan chart's numbers: the table behind the chart, its CSV and its
//! workbook sheet.

use super::*;

/// The statistics a fan chart draws: the bands and the median, or the
/// median alone where there are too many scenarios for bands.
const BAND_STATS: [&str; 5] = ["p05", "p25", "p50", "p75", "p95"];

/// A cell of a fan chart's table: its value at a quarter.
type Cell<'a> = Box<dyn Fn(Quarter) -> Option<f64> + 'a>;

/// Each fan chart's numbers ([`table`]), in the order they are drawn.
pub(in crate::plot) fn tables(data: &RunData) -> Vec<ChartTable> {
    SPECS.iter().map(|spec| table(data, spec)).collect()
}

/// The numbers of the fan chart that shows `m`; for a metric no chart shows,
/// the same layout for it alone (the explorer offers every metric).
pub fn metric_table(data: &RunData, m: Metric) -> ChartTable {
    if let Some(spec) = SPECS.iter().find(|s| s.panels.iter().any(|p| p.0 == m)) {
        return table(data, spec);
    }
    let stem = format!("fan_{}", m.name());
    let label = m.label();
    let mut c = label.chars();
    let title = c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str());
    let y_label = numbers::unit(m);
    let spec = Spec {
        stem: &stem,
        title: &title,
        subtitle: m.description(),
        panels: &[(m, "")],
        y_label: &y_label,
        size: (1200, 800),
    };
    table(data, &spec)
}

/// A fan chart's numbers: quarter down; across, for each panel's metric and
/// each scenario, the quantiles drawn ([`fan_numbers`]); the survey's share
/// and interval where the chart shows it.
fn table(data: &RunData, spec: &Spec) -> ChartTable {
    let quarters = axis(data);
    let banded = data.scenarios.len() <= MAX_BANDED;
    let stats: Vec<usize> = if banded { (0..5).collect() } else { vec![2] };
    let mut columns = Vec::new();
    let mut cells: Vec<Cell> = Vec::new();
    for &(m, _) in spec.panels {
        for (s, sc) in data.scenarios.iter().enumerate() {
            for &k in &stats {
                let metric = if spec.panels.len() > 1 { format!("{} ", m.name()) } else { String::new() };
                let name = format!("{metric}{} {}", sc.name, BAND_STATS[k]);
                columns.push(Column { name, unit: Unit::level(m) });
                cells.push(Box::new(move |q| fan_numbers(data, s, q, m).map(|f| f[k])));
            }
        }
    }
    if spec.panels.iter().any(|p| p.0 == Metric::SelfPriorityShare) {
        let at = Quarter::new(SURVEY_QUARTER.0, SURVEY_QUARTER.1);
        let (lo, hi) = survey_interval();
        for (name, v) in [("HFMA survey", SURVEY_SHARE), ("HFMA survey low", lo), ("HFMA survey high", hi)] {
            columns.push(Column { name: name.to_string(), unit: Unit::Share });
            cells.push(Box::new(move |q| (Some(q) == at).then_some(v)));
        }
    }
    let subtitle = subtitle(spec, data);
    let mut source = source_line(data);
    if survey_chart(spec) {
        source += "; survey: HFMA, NHS finance directors, Oct-Nov 2016";
    }
    ChartTable {
        stem: spec.stem.to_string(),
        title: spec.title.to_string(),
        units: format!("{}; {subtitle}", spec.y_label),
        source,
        caveat: crate::plot::data::caveat(data),
        row_header: "quarter".into(),
        rows: crate::plot::data::quarter_rows(&quarters),
        values: quarters.iter().map(|&q| cells.iter().map(|c| c(q)).collect()).collect(),
        columns,
    }
}
