//! Footprint heatmaps (with --per-footprint): each footprint by quarter,
//! coloured by the median over the replicates kept, ordered by final value.

use super::input::{FootprintGrid, HEATMAP_METRICS, RunData};
use super::style::{self, viridis};
use super::{Chart, Drawn, PlotError, err, frame, svg};
use crate::model::Metric;
use plotters::coord::Shift;
use plotters::prelude::*;

fn title(m: Metric) -> &'static str {
    match m {
        Metric::TransformationIndex => "Transformation index by footprint",
        _ => "Social care's place on the agenda by footprint",
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &RunData,
    s: usize,
    m: Metric,
    g: &FootprintGrid,
) -> Drawn {
    let source = format!(
        "Source: stpsim v{}, medians over the first {} of {} replicates, seed {}",
        data.version, g.replicates, data.replicates, data.seed
    );
    let subtitle = format!(
        "Scenario {}: {}; footprints ordered by their value at {}, highest at the top",
        data.scenarios[s].name,
        m.description(),
        g.quarters.last().map(|q| q.to_string()).unwrap_or_default()
    );
    let area = frame(root, title(m), &subtitle, &source)?;
    let (w, _) = area.dim_in_pixel();
    let (plot, bar) = area.split_horizontally(w - 170);
    let nf = g.footprints.len();
    let nq = g.quarters.len();
    let last = nq.saturating_sub(1);
    let mut order: Vec<usize> = (0..nf).collect();
    order.sort_by(|&a, &b| g.median[a][last].total_cmp(&g.median[b][last]).then(a.cmp(&b)));
    let values = g.median.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo < hi { (lo, hi) } else { (lo - 0.5, lo + 0.5) };
    let label_px = g.footprints.iter().map(|n| n.chars().count()).max().unwrap_or(10) as u32 * 7 + 20;
    let font = if nf > 60 { 9.0 } else { 13.0 };
    let mut chart = ChartBuilder::on(&plot)
        .margin(10)
        .margin_right(20)
        .x_label_area_size(56)
        .y_label_area_size(label_px.clamp(120, 520))
        .build_cartesian_2d(-0.5..(nq as f64 - 0.5), -0.5..(nf as f64 - 0.5))
        .map_err(err)?;
    let names: Vec<&str> = order.iter().map(|&f| g.footprints[f].as_str()).collect();
    let y_fmt = |y: &f64| {
        let i = y.round();
        if (y - i).abs() < 1e-6 && i >= 0.0 {
            names.get(i as usize).map(|n| n.to_string()).unwrap_or_default()
        } else {
            String::new()
        }
    };
    let x_fmt = |x: &f64| {
        let k = x.round();
        if (x - k).abs() > 1e-6 || k < 0.0 || k as usize >= nq {
            return String::new();
        }
        let q = g.quarters[k as usize];
        if q.q() == 1 { q.year().to_string() } else { String::new() }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .y_labels(if nf > 120 { 0 } else { nf })
        .y_label_formatter(&y_fmt)
        .y_label_style(style::text(font))
        .x_labels(nq)
        .x_label_formatter(&x_fmt)
        .x_label_style(style::text(15.0))
        .x_desc("Year (label at Q1)")
        .axis_desc_style(style::text(16.0))
        .draw()
        .map_err(err)?;
    let cells = order.iter().enumerate().flat_map(|(row, &f)| {
        (0..nq).map(move |q| {
            let t = (g.median[f][q] - lo) / (hi - lo);
            Rectangle::new(
                [(q as f64 - 0.5, row as f64 - 0.5), (q as f64 + 0.5, row as f64 + 0.5)],
                viridis(t).filled(),
            )
        })
    });
    chart.draw_series(cells).map_err(err)?;

    // Colour bar with five labelled values.
    let (_, bh) = bar.dim_in_pixel();
    let (top, bottom) = (20i32, bh as i32 - 70);
    let steps = 100;
    for k in 0..steps {
        let y0 = bottom - (bottom - top) * k / steps;
        let y1 = bottom - (bottom - top) * (k + 1) / steps;
        bar.draw(&Rectangle::new([(20, y1), (50, y0)], viridis(k as f64 / (steps - 1) as f64).filled()))
            .map_err(err)?;
    }
    bar.draw(&Rectangle::new([(20, top), (50, bottom)], BLACK.stroke_width(1))).map_err(err)?;
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let y = bottom - (bottom - top) * k / 4;
        bar.draw(&PathElement::new(vec![(50, y), (58, y)], BLACK.stroke_width(1))).map_err(err)?;
        let label = if m.unit().starts_with("share") { format!("{:.1}%", v * 100.0) } else { format!("{v:.3}") };
        bar.draw(&Text::new(label, (62, y - 8), style::text(14.0))).map_err(err)?;
    }
    Ok(())
}

pub(super) fn render(data: &RunData) -> Result<Vec<Chart>, PlotError> {
    let mut out = Vec::new();
    for (s, sc) in data.scenarios.iter().enumerate() {
        for m in HEATMAP_METRICS {
            let Some(g) = data.footprints.get(&(s, m)) else { continue };
            let stem = format!("heatmap_{}_{}", sc.name, m.name());
            let rows = g.footprints.len().min(120) as u32;
            let size = (1500, (rows * 20 + 260).max(900));
            out.push(svg(&stem, &format!("{}: {}", title(m), sc.name), size, |root| draw(root, data, s, m, g))?);
        }
    }
    Ok(out)
}
