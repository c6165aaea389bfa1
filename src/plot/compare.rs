//! Differences from the first (baseline) scenario at the final quarter, with
//! 90% intervals on the paired replicate differences: scenarios share random
//! numbers, so pairing is the honest comparison.

use super::input::RunData;
use super::style::{self, colour};
use super::{ChartFile, Drawn, PlotError, both, err, frame, source_line};
use crate::model::Metric;
use crate::results::summary::{describe, paired};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

pub const METRICS: [(Metric, &str); 8] = [
    (Metric::TransformationIndex, "Transformation index"),
    (Metric::SocialCarePriority, "Social care priority"),
    (Metric::SelfPriorityShare, "NHS bodies self-prioritising"),
    (Metric::CollaborationRate, "Collaboration rate"),
    (Metric::CouncilEngagement, "Council engagement"),
    (Metric::UnsureShare, "NHS bodies unsure"),
    (Metric::ProviderBalanceGbpM, "Provider balance, GBP m a year"),
    (Metric::AcsCount, "Accountable care systems"),
];

/// Median and 90% interval of `scenario - first` at the final quarter; none
/// when the two differ in structure or final quarter, as pairing needs both.
pub fn paired_difference(data: &RunData, scenario: usize, m: Metric) -> Option<[f64; 3]> {
    let (first, this) = (&data.scenarios[0], &data.scenarios[scenario]);
    if first.structure != this.structure || first.quarters.last() != this.quarters.last() {
        return None;
    }
    let (b, o) = (data.finals(0, m), data.finals(scenario, m));
    if b.is_empty() || b.len() != o.len() {
        return None;
    }
    let mut d = paired(b, o);
    let (_, _, q) = describe(&mut d);
    Some([q[2], q[0], q[4]])
}

/// A difference as a reader wants it: shares in percentage points.
pub fn signed(m: Metric, v: f64) -> String {
    let (x, digits) = match m {
        _ if m.unit().starts_with("share") => (v * 100.0, 1),
        Metric::ProviderBalanceGbpM => (v, 0),
        Metric::AcsCount => (v, 1),
        _ => (v, 3),
    };
    let s = format!("{:+.*}", digits, x);
    if s.trim_start_matches(['+', '-']).chars().all(|c| c == '0' || c == '.') { s[1..].to_string() } else { s }
}

fn panel_title(m: Metric, title: &str) -> String {
    if m.unit().starts_with("share") { format!("{title}, percentage points") } else { title.to_string() }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &RunData) -> Drawn {
    let base = &data.scenarios[0].name;
    let last = data.scenarios[0].quarters.last().map(|q| q.to_string()).unwrap_or_default();
    let others: Vec<usize> =
        (1..data.scenarios.len()).filter(|&s| paired_difference(data, s, Metric::Raised).is_some()).collect();
    let left_out: Vec<&str> =
        (1..data.scenarios.len()).filter(|s| !others.contains(s)).map(|s| data.scenarios[s].name.as_str()).collect();
    let mut subtitle = "Median of the paired differences between scenarios, replicate by replicate, with the 90% interval; scenarios share random numbers".to_string();
    if !left_out.is_empty() {
        subtitle += &format!(". Left out, as they model another structure or period: {}", left_out.join(", "));
    }
    let area = frame(root, &format!("Difference from {base} at {last}"), &subtitle, &source_line(data))?;
    let panels = area.split_evenly((4, 2));
    for (panel, &(m, title)) in panels.iter().zip(METRICS.iter()) {
        let diffs: Vec<(usize, [f64; 3])> =
            others.iter().filter_map(|&s| paired_difference(data, s, m).map(|d| (s, d))).collect();
        let lo = diffs.iter().map(|d| d.1[1]).fold(0.0f64, f64::min);
        let hi = diffs.iter().map(|d| d.1[2]).fold(0.0f64, f64::max);
        let pad = ((hi - lo) * 0.12).max(if m == Metric::ProviderBalanceGbpM { 1.0 } else { 1e-3 });
        let k = diffs.len().max(1);
        let labels: Vec<String> = diffs
            .iter()
            .map(|(s, d)| {
                format!("{} {} [{}, {}]", data.scenarios[*s].name, signed(m, d[0]), signed(m, d[1]), signed(m, d[2]))
            })
            .collect();
        let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(10) as u32 * 8 + 20;
        let mut chart = ChartBuilder::on(panel)
            .caption(panel_title(m, title), style::bold(18.0))
            .margin(10)
            .margin_right(24)
            .x_label_area_size(34)
            .y_label_area_size(label_width.clamp(120, 330))
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(k as f64 - 0.5))
            .map_err(err)?;
        // Row 0 at the top: scenarios read down in run order.
        let y_fmt = |y: &f64| style::row_label(&labels, *y);
        let x_fmt = |x: &f64| signed(m, *x);
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
            let c = colour(*s);
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

pub(super) fn render(data: &RunData) -> Result<Vec<ChartFile>, PlotError> {
    if data.scenarios.len() < 2 {
        return Ok(Vec::new());
    }
    let dir: &Path = &data.dir;
    let rows = (data.scenarios.len() - 1) as u32;
    let size = (1400, (200 + 4 * (110 + 26 * rows)).max(1000));
    both!(dir, "comparison", size, |root| draw(&root, data));
    Ok(vec![ChartFile { stem: "comparison".into(), title: "Difference from the first scenario".into(), size }])
}
