//! Differences from the first (baseline) scenario at the final quarter, with
//! 90% intervals on the paired replicate differences: scenarios share random
//! numbers, so pairing is the honest comparison.

use super::input::RunData;
use super::style::{self, colour};
use super::{Chart, Drawn, PlotError, err, frame, source_line, svg};
use crate::model::Metric;
use crate::results::numbers;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Median and 90% interval of `scenario - first` at the scenario's final
/// quarter, from differences.csv; none when the two cannot be paired.
pub fn paired_difference(data: &RunData, scenario: usize, m: Metric) -> Option<[f64; 3]> {
    let last = *data.scenarios[scenario].quarters.last()?;
    data.difference(scenario, last, m).map(|d| [d[0], d[1], d[2]])
}

/// A difference as a reader wants it, in the metric's format: "+4.4 pp".
pub fn signed(m: Metric, v: f64) -> String {
    m.format().difference(v)
}

/// A panel's title: the measure in words with the unit of its difference.
fn panel_title(m: Metric) -> String {
    let label = m.label();
    let mut c = label.chars();
    let label = c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str());
    match m.format().difference_words() {
        "" => label,
        _ => format!("{label}, {}", numbers::difference_unit(m)),
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &RunData) -> Drawn {
    let base = &data.scenarios[0].name;
    let last = data.scenarios[0].quarters.last().map(|q| q.to_string()).unwrap_or_default();
    let others: Vec<usize> =
        (1..data.scenarios.len()).filter(|&s| paired_difference(data, s, Metric::Raised).is_some()).collect();
    let left_out: Vec<&str> =
        (1..data.scenarios.len()).filter(|s| !others.contains(s)).map(|s| data.scenarios[s].name.as_str()).collect();
    let mut subtitle = format!(
        "{}: median of the paired differences between scenarios, replicate by replicate, with the 90% interval; scenarios share random numbers",
        data.structure_names()
    );
    if !left_out.is_empty() {
        subtitle += &format!(". Left out, as they model another structure or period: {}", left_out.join(", "));
    }
    let area = frame(root, &format!("Difference from {base} at {last}"), &subtitle, &source_line(data))?;
    let panels = area.split_evenly((4, 2));
    for (panel, &m) in panels.iter().zip(Metric::key()) {
        let diffs: Vec<(usize, [f64; 3])> =
            others.iter().filter_map(|&s| paired_difference(data, s, m).map(|d| (s, d))).collect();
        // Every value drawn is inside the axis (the median too, should an
        // edited file put it outside its interval).
        let lo = diffs.iter().flat_map(|d| d.1).fold(0.0f64, f64::min);
        let hi = diffs.iter().flat_map(|d| d.1).fold(0.0f64, f64::max);
        let pad = ((hi - lo) * 0.12).max(if numbers::is_money(m) { 1.0 } else { 1e-3 });
        let k = diffs.len().max(1);
        // Enough decimals that each interval shows whether it crosses zero.
        let labels: Vec<String> = diffs
            .iter()
            .map(|(s, d)| {
                let (a, b, c) = numbers::interval(m, *d);
                format!("{} {a} [{b}, {c}]", data.scenarios[*s].name)
            })
            .collect();
        let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(10) as u32 * 8 + 20;
        let mut chart = ChartBuilder::on(panel)
            .caption(panel_title(m), style::bold(18.0))
            .margin(10)
            .margin_right(24)
            .x_label_area_size(34)
            .y_label_area_size(label_width.clamp(120, 330))
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(k as f64 - 0.5))
            .map_err(err)?;
        // Row 0 at the top: scenarios read down in run order.
        let y_fmt = |y: &f64| style::row_label(&labels, *y);
        // Tick labels with the decimals their spacing needs, so none repeat.
        let span = m.format().scaled(hi - lo + 2.0 * pad);
        let decimals = super::rough_tick_decimals(span / 12.0);
        let x_fmt = |x: &f64| numbers::signed_with(m, *x, decimals);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(style::LIGHT_GREY)
            .y_labels(k)
            .y_label_formatter(&y_fmt)
            .x_labels(6)
            .x_label_formatter(&x_fmt)
            .label_style(style::text(14.0))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, k as f64 - 0.5)],
                style::GREY.stroke_width(2),
            )))
            .map_err(err)?;
        for (row, (s, d)) in diffs.iter().enumerate() {
            let y = (k - 1 - row) as f64;
            // Past eight scenarios the palette would repeat: one colour, rows labelled.
            let c = if data.scenarios.len() > super::fan::MAX_LINES { style::PALETTE[2] } else { colour(*s) };
            chart
                .draw_series([
                    PathElement::new(vec![(d[1], y), (d[2], y)], c.stroke_width(3)),
                    PathElement::new(vec![(d[1], y - 0.15), (d[1], y + 0.15)], c.stroke_width(3)),
                    PathElement::new(vec![(d[2], y - 0.15), (d[2], y + 0.15)], c.stroke_width(3)),
                ])
                .map_err(err)?;
            chart.draw_series(std::iter::once(Circle::new((d[0], y), 7, c.filled()))).map_err(err)?;
        }
    }
    Ok(())
}

pub(super) fn render(data: &RunData) -> Result<Vec<Chart>, PlotError> {
    if data.scenarios.len() < 2 {
        return Ok(Vec::new());
    }
    let rows = (data.scenarios.len() - 1) as u32;
    let size = (1400, (200 + 4 * (110 + 26 * rows)).max(1000));
    Ok(vec![svg("comparison", "Difference from the first scenario", size, |root| draw(root, data))?])
}

/// The comparison's numbers: one row per scenario drawn; across, for each
/// measure, the median and 90% interval of the paired differences
/// ([`paired_difference`]), shares in percentage points.
pub(super) fn table(data: &RunData) -> Option<super::data::ChartTable> {
    use super::data::{ChartTable, Column, Unit};
    if data.scenarios.len() < 2 {
        return None;
    }
    let others: Vec<usize> =
        (1..data.scenarios.len()).filter(|&s| paired_difference(data, s, Metric::Raised).is_some()).collect();
    let mut columns = Vec::new();
    for &m in Metric::key() {
        for stat in ["median", "p05", "p95"] {
            columns.push(Column { name: format!("{} {stat}", m.name()), unit: Unit::difference(m) });
        }
    }
    let values = others
        .iter()
        .map(|&s| {
            Metric::key()
                .iter()
                .flat_map(|&m| {
                    let d = paired_difference(data, s, m);
                    (0..3).map(move |k| d.map(|d| Unit::difference(m).scale(d[k])))
                })
                .collect()
        })
        .collect();
    let base = &data.scenarios[0].name;
    let last = data.scenarios[0].quarters.last().map(|q| q.to_string()).unwrap_or_default();
    Some(ChartTable {
        stem: "comparison".into(),
        title: format!("Difference from {base} at {last}"),
        units: format!(
            "paired differences, scenario minus {base}, at the final quarter; shares in percentage points, money in £m a year"
        ),
        source: source_line(data),
        caveat: format!(
            "Median and 90% interval of the differences replicate by replicate (scenarios share random numbers); {}",
            super::data::caveat(data)
        ),
        row_header: "scenario".into(),
        rows: others.iter().map(|&s| data.scenarios[s].name.clone()).collect(),
        columns,
        values,
    })
}
