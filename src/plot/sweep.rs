//! Sweep charts, from a sweep folder's files: for a two-factor grid a heatmap
//! of each metric's mean; for one factor the metric against it with 90%
//! bands; for sensitivity designs the indices with their intervals.

use super::style::{self, colour, viridis};
use super::{Chart, Drawn, PlotError, err, frame, svg};
use crate::experiment::sweep::Frame;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// One row of sweep_summary.csv: factor values, then n, mean, sd, p05..p95.
struct Point {
    factors: Vec<f64>,
    stats: [f64; 7],
}

fn read_summary(dir: &Path, frame: &Frame) -> Result<BTreeMap<String, Vec<Point>>, PlotError> {
    let path = dir.join("sweep_summary.csv");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| PlotError::Input(super::InputError::Read { path: path.clone(), reason: e }))?;
    let nf = frame.factors.len();
    let mut out: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let bad = || {
            PlotError::Input(super::InputError::Parse {
                path: path.clone(),
                line: i as u64 + 1,
                message: "malformed row".into(),
            })
        };
        if f.len() != nf + 10 {
            return Err(bad());
        }
        let num = |s: &str| s.parse::<f64>().map_err(|_| bad());
        let factors = f[1..1 + nf].iter().map(|s| num(s)).collect::<Result<Vec<_>, _>>()?;
        let mut stats = [0.0; 7];
        // mean, sd, p05, p25, p50, p75, p95 follow n.
        for (k, v) in stats.iter_mut().enumerate() {
            *v = num(f[nf + 3 + k])?;
        }
        out.entry(f[1 + nf].to_string()).or_default().push(Point { factors, stats });
    }
    Ok(out)
}

fn stem(prefix: &str, label: &str) -> String {
    format!("{prefix}_{}", label.replace('@', "_"))
}

fn source(frame: &Frame) -> String {
    format!(
        "Source: stpsim v{}, {} design, {} points x {} replicates, seed {}, base scenario {}",
        frame.stpsim_version, frame.design, frame.design_points, frame.replicates, frame.seed, frame.base
    )
}

fn heatmap<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, frame: &Frame, label: &str, pts: &[Point]) -> Drawn {
    let area = frame_area(
        root,
        &format!("{label}: mean over replicates"),
        &format!("{} by {}", frame.factors[0], frame.factors[1]),
        frame,
    )?;
    let mut xs: Vec<f64> = pts.iter().map(|p| p.factors[0]).collect();
    let mut ys: Vec<f64> = pts.iter().map(|p| p.factors[1]).collect();
    for v in [&mut xs, &mut ys] {
        v.sort_by(f64::total_cmp);
        v.dedup();
    }
    let (lo, hi) =
        pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.stats[0]), b.max(p.stats[0])));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (w, _) = area.dim_in_pixel();
    let (plot, bar) = area.split_horizontally(w - 170);
    let mut chart = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5..(xs.len() as f64 - 0.5), -0.5..(ys.len() as f64 - 0.5))
        .map_err(err)?;
    let xf = |x: &f64| {
        xs.get(x.round() as usize).filter(|_| (x - x.round()).abs() < 1e-6).map(|v| format!("{v}")).unwrap_or_default()
    };
    let yf = |y: &f64| {
        ys.get(y.round() as usize).filter(|_| (y - y.round()).abs() < 1e-6).map(|v| format!("{v}")).unwrap_or_default()
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(xs.len())
        .y_labels(ys.len())
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .x_desc(frame.factors[0].as_str())
        .y_desc(frame.factors[1].as_str())
        .label_style(style::text(15.0))
        .axis_desc_style(style::text(16.0))
        .draw()
        .map_err(err)?;
    for p in pts {
        let (Some(i), Some(j)) =
            (xs.iter().position(|x| *x == p.factors[0]), ys.iter().position(|y| *y == p.factors[1]))
        else {
            continue;
        };
        let t = (p.stats[0] - lo) / span;
        let (x, y) = (i as f64, j as f64);
        chart
            .draw_series(std::iter::once(Rectangle::new([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)], viridis(t).filled())))
            .map_err(err)?;
        let ink = if t > 0.6 { BLACK } else { WHITE };
        let text = style::centred((style::FONT, 16.0).into_font().color(&ink));
        chart.draw_series(std::iter::once(Text::new(format!("{:.3}", p.stats[0]), (x, y), text))).map_err(err)?;
    }
    let (_, bh) = bar.dim_in_pixel();
    let (top, bottom) = (30i32, bh as i32 - 90);
    for k in 0..100 {
        let y0 = bottom - (bottom - top) * k / 100;
        let y1 = bottom - (bottom - top) * (k + 1) / 100;
        bar.draw(&Rectangle::new([(20, y1), (50, y0)], viridis(k as f64 / 99.0).filled())).map_err(err)?;
    }
    for k in 0..=4 {
        let y = bottom - (bottom - top) * k / 4;
        bar.draw(&Text::new(format!("{:.3}", lo + span * k as f64 / 4.0), (58, y - 8), style::text(14.0)))
            .map_err(err)?;
    }
    Ok(())
}

fn frame_area<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    f: &Frame,
) -> Result<DrawingArea<DB, Shift>, String> {
    frame(root, title, subtitle, &source(f))
}

fn line<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, frame: &Frame, label: &str, pts: &[Point]) -> Drawn {
    let area = frame_area(
        root,
        &format!("{label} against {}", frame.factors[0]),
        "Median over replicates with the 90% band (5th to 95th percentile)",
        frame,
    )?;
    let mut pts: Vec<&Point> = pts.iter().collect();
    pts.sort_by(|a, b| a.factors[0].total_cmp(&b.factors[0]));
    let (x0, x1) = (pts.first().map_or(0.0, |p| p.factors[0]), pts.last().map_or(1.0, |p| p.factors[0]));
    let (lo, hi) =
        pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.stats[2]), b.max(p.stats[6])));
    let pad = ((hi - lo) * 0.08).max(1e-3);
    let xpad = ((x1 - x0) * 0.03).max(1e-3);
    let mut chart = ChartBuilder::on(&area)
        .margin(24)
        .x_label_area_size(64)
        .y_label_area_size(96)
        .build_cartesian_2d((x0 - xpad)..(x1 + xpad), (lo - pad)..(hi + pad))
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::LIGHT_GREY)
        .x_desc(frame.factors[0].as_str())
        .y_desc(label)
        .label_style(style::text(15.0))
        .axis_desc_style(style::text(16.0))
        .draw()
        .map_err(err)?;
    let c = colour(2);
    let band: Vec<(f64, f64)> = pts
        .iter()
        .map(|p| (p.factors[0], p.stats[6]))
        .chain(pts.iter().rev().map(|p| (p.factors[0], p.stats[2])))
        .collect();
    chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled()))).map_err(err)?;
    chart
        .draw_series(LineSeries::new(pts.iter().map(|p| (p.factors[0], p.stats[4])), c.stroke_width(3)))
        .map_err(err)?;
    chart.draw_series(pts.iter().map(|p| Circle::new((p.factors[0], p.stats[4]), 5, c.filled()))).map_err(err)?;
    Ok(())
}

fn indices<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    label: &str,
    rows: &[Vec<f64>],
    names: &[String],
) -> Drawn {
    let sobol = frame.design == "sobol";
    let (title, sub, keys): (String, &str, [&str; 2]) = if sobol {
        (
            format!("Sobol indices of {label}"),
            "First-order and total indices (Saltelli sampling, Jansen estimator) with bootstrap 95% intervals",
            ["first-order", "total"],
        )
    } else {
        (
            format!("Morris screening of {label}"),
            "mu*: mean absolute elementary effect (overall influence); sigma: spread of effects (interaction or non-linearity)",
            ["mu*", "sigma"],
        )
    };
    let area = frame_area(root, &title, sub, frame)?;
    let k = names.len();
    let hi =
        rows.iter().flat_map(|r| r.iter().copied()).filter(|v| v.is_finite()).fold(0.0f64, f64::max).max(1e-6) * 1.1;
    let lo = rows.iter().flat_map(|r| r.iter().copied()).filter(|v| v.is_finite()).fold(0.0f64, f64::min).min(0.0);
    let label_px = names.iter().map(|n| n.chars().count()).max().unwrap_or(10) as u32 * 8 + 20;
    let mut chart = ChartBuilder::on(&area)
        .margin(24)
        .margin_top(70)
        .x_label_area_size(50)
        .y_label_area_size(label_px.clamp(120, 460))
        .build_cartesian_2d(lo..hi, -0.5..(k as f64 - 0.5))
        .map_err(err)?;
    let yf = |y: &f64| style::row_label(names, *y);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::LIGHT_GREY)
        .y_labels(k)
        .y_label_formatter(&yf)
        .label_style(style::text(15.0))
        .draw()
        .map_err(err)?;
    for (f, r) in rows.iter().enumerate() {
        let y = (k - 1 - f) as f64;
        // r: sobol [first, first_low, first_high, total, total_low, total_high]; morris [mu, mu*, sigma].
        let bars =
            if sobol { [(r[0], Some((r[1], r[2]))), (r[3], Some((r[4], r[5])))] } else { [(r[1], None), (r[2], None)] };
        for (b, (v, ci)) in bars.iter().enumerate() {
            let c = colour(2 + 2 * b);
            let (y0, y1) = if b == 0 { (y + 0.02, y + 0.36) } else { (y - 0.36, y - 0.02) };
            chart.draw_series(std::iter::once(Rectangle::new([(0.0, y0), (*v, y1)], c.filled()))).map_err(err)?;
            if let Some((a, z)) = ci {
                let m = (y0 + y1) / 2.0;
                chart
                    .draw_series(std::iter::once(PathElement::new(vec![(*a, m), (*z, m)], BLACK.stroke_width(2))))
                    .map_err(err)?;
            }
        }
    }
    for (b, key) in keys.iter().enumerate() {
        let (x, y) = (area.dim_in_pixel().0 as i32 - 220, 10 + 26 * b as i32);
        area.draw(&Rectangle::new([(x, y), (x + 30, y + 16)], colour(2 + 2 * b).filled())).map_err(err)?;
        area.draw(&Text::new(key.to_string(), (x + 40, y), style::text(15.0))).map_err(err)?;
    }
    Ok(())
}

/// Draws the sweep charts in `dir`; returns them.
pub fn render(dir: &Path) -> Result<Vec<Chart>, PlotError> {
    style::register_fonts();
    let frame = Frame::load(dir).map_err(|e| PlotError::Draw { chart: "sweep".into(), message: e.to_string() })?;
    let summary = read_summary(dir, &frame)?;
    let mut charts = Vec::new();
    for label in &frame.outputs {
        let Some(pts) = summary.get(label) else { continue };
        if frame.design == "grid" && frame.factors.len() == 2 {
            let s = stem("sweep_heatmap", label);
            charts.push(svg(
                &s,
                &format!("{label} by {} and {}", frame.factors[0], frame.factors[1]),
                (1300, 900),
                |root| heatmap(root, &frame, label, pts),
            )?);
        } else if frame.factors.len() == 1 {
            let s = stem("sweep_line", label);
            charts.push(svg(&s, &format!("{label} against {}", frame.factors[0]), (1200, 800), |root| {
                line(root, &frame, label, pts)
            })?);
        }
    }
    let sens = dir.join("sensitivity.csv");
    if let Ok(text) = std::fs::read_to_string(&sens) {
        let mut by_metric: BTreeMap<String, (Vec<String>, Vec<Vec<f64>>)> = BTreeMap::new();
        let width = if frame.design == "sobol" { 8 } else { 5 };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() != width {
                continue; // not a row this version wrote
            }
            let e = by_metric.entry(f[0].to_string()).or_default();
            e.0.push(f.get(1).unwrap_or(&"").to_string());
            e.1.push(f[2..].iter().map(|v| v.parse().unwrap_or(f64::NAN)).collect());
        }
        for (label, (names, rows)) in &by_metric {
            let s = stem("sensitivity", label);
            let h = (200 + 70 * names.len() as u32).max(800);
            charts.push(svg(&s, &format!("Sensitivity of {label}"), (1200, h), |root| {
                indices(root, &frame, label, rows, names)
            })?);
        }
    }
    super::write_charts(dir, &charts)?;
    Ok(charts)
}
