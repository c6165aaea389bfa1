//! The proposals funnel: raised, then passed or vetoed (and how many passed
//! over opposition or by national unblocking), then succeeded or failed,
//! summed over the run (mean per replicate).

use super::input::RunData;
use super::style::{self, colour};
use super::{Chart, Drawn, PlotError, err, frame, source_line, svg};
use crate::model::Metric;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A funnel row: its label, its segments as (value, solid), and the note beside it.
type Row = (&'static str, Vec<(f64, bool)>, String);

/// Mean per replicate of a count summed over the run.
pub fn run_total(data: &RunData, s: usize, m: Metric) -> f64 {
    data.scenarios[s].quarters.iter().filter_map(|&q| data.stats(s, q, m).map(|st| st[0])).sum()
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &RunData) -> Drawn {
    let area = frame(
        root,
        "What happened to proposals",
        &format!(
            "Proposals raised, decided and implemented over the whole run, {}: mean per replicate",
            data.structure_names()
        ),
        &source_line(data),
    )?;
    let n = data.scenarios.len();
    let max = (0..n).map(|s| run_total(data, s, Metric::Raised)).fold(1.0f64, f64::max);
    let panels = area.split_evenly((n, 1));
    for (s, panel) in panels.iter().enumerate() {
        let c = colour(s);
        let t = |m| run_total(data, s, m);
        let (raised, passed, vetoed) = (t(Metric::Raised), t(Metric::Passed), t(Metric::Vetoed));
        let (overruled, unblocked) = (t(Metric::Overruled), t(Metric::Unblocked));
        let (succeeded, failed) = (t(Metric::Succeeded), t(Metric::Failed));
        let rows: [Row; 5] = [
            ("Raised", vec![(raised, true)], format!("{raised:.0}")),
            ("Decided", vec![(passed, true), (vetoed, false)], format!("{passed:.0} passed, {vetoed:.0} vetoed")),
            ("Passed over opposition", vec![(overruled, true)], format!("{overruled:.0}")),
            ("Unblocked nationally", vec![(unblocked, true)], format!("{unblocked:.0}")),
            (
                "Implemented",
                vec![(succeeded, true), (failed, false)],
                format!("{succeeded:.0} succeeded, {failed:.0} failed"),
            ),
        ];
        let mut chart = ChartBuilder::on(panel)
            .caption(&data.scenarios[s].name, style::bold(20.0))
            .margin(8)
            .margin_right(30)
            .y_label_area_size(230)
            .x_label_area_size(30)
            .build_cartesian_2d(0.0..max * 1.45, -0.5..4.5f64)
            .map_err(err)?;
        let labels: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let y_fmt = |y: &f64| style::row_label(&labels, *y);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(style::LIGHT_GREY)
            .y_labels(5)
            .y_label_formatter(&y_fmt)
            .x_labels(6)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .label_style(style::text(15.0))
            .draw()
            .map_err(err)?;
        for (row, (_, segments, note)) in rows.iter().enumerate() {
            let y = (4 - row) as f64;
            let mut x0 = 0.0;
            for &(v, solid) in segments {
                // Within the axis: only an edited file has a count below 0
                // or above the proposals raised.
                let v = v.clamp(0.0, max * 1.45);
                let fill = if solid { c.mix(0.85).filled() } else { c.mix(0.3).filled() };
                chart
                    .draw_series(std::iter::once(Rectangle::new([(x0, y - 0.32), (x0 + v, y + 0.32)], fill)))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, y - 0.32), (x0 + v, y + 0.32)],
                        c.stroke_width(1),
                    )))
                    .map_err(err)?;
                x0 += v;
            }
            let (px, py) = chart.backend_coord(&(x0, y));
            let root = panel.strip_coord_spec();
            let base = root.get_base_pixel();
            root.draw(&Text::new(note.clone(), (px - base.0 + 10, py - base.1 - 9), style::text(15.0))).map_err(err)?;
        }
    }
    Ok(())
}

pub(super) fn render(data: &RunData) -> Result<Vec<Chart>, PlotError> {
    let size = (1200, (300 * data.scenarios.len() as u32 + 160).max(800));
    Ok(vec![svg("funnel", "What happened to proposals", size, |root| draw(root, data))?])
}

/// The funnel's numbers: one row per scenario; across, each count drawn
/// ([`run_total`]).
pub(super) fn table(data: &RunData) -> Option<super::data::ChartTable> {
    use super::data::{ChartTable, Column, Unit};
    const COUNTS: [Metric; 7] = [
        Metric::Raised,
        Metric::Passed,
        Metric::Vetoed,
        Metric::Overruled,
        Metric::Unblocked,
        Metric::Succeeded,
        Metric::Failed,
    ];
    Some(ChartTable {
        stem: "funnel".into(),
        title: "What happened to proposals".into(),
        units: "proposals over the whole run, mean per replicate".into(),
        source: source_line(data),
        caveat: "Counts summed over the run's quarters, then averaged over replicates".into(),
        row_header: "scenario".into(),
        rows: data.scenarios.iter().map(|s| s.name.clone()).collect(),
        columns: COUNTS.iter().map(|m| Column { name: m.name().to_string(), unit: Unit::Count }).collect(),
        values: (0..data.scenarios.len())
            .map(|s| COUNTS.iter().map(|&m| Some(run_total(data, s, m))).collect())
            .collect(),
    })
}
