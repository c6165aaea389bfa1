//! Sweep charts, from a sweep folder's files: for a two-factor grid a heatmap
//! of each metric's mean; for one factor the metric against it with 90%
//! bands; for sensitivity designs the indices with their intervals.

use super::frame::Frame;
use crate::plot::data::{ChartTable, Column, Unit};
use crate::plot::style::{self, colour, viridis};
use crate::plot::{Chart, Drawn, PlotError, err, frame, svg};
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
    let text = crate::fsx::read_text(&path, crate::plot::input::READ_LIMIT)
        .map_err(|e| PlotError::Input(crate::plot::InputError::Read { path: path.clone(), reason: e }))?;
    let nf = frame.factors.len();
    let mut out: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let bad = || {
            PlotError::Input(crate::plot::InputError::Parse {
                path: path.clone(),
                line: i as u64 + 1,
                message: "malformed row".into(),
            })
        };
        if f.len() != nf + 10 {
            return Err(bad());
        }
        let line = i as u64 + 1;
        let num =
            |field: &str, s: &str| crate::plot::input::plot_number(&path, line, field, s).map_err(PlotError::Input);
        let factors =
            f[1..1 + nf].iter().zip(&frame.factors).map(|(s, name)| num(name, s)).collect::<Result<Vec<_>, _>>()?;
        let mut stats = [0.0; 7];
        // mean, sd, p05, p25, p50, p75, p95 follow n.
        for (k, v) in stats.iter_mut().enumerate() {
            *v = num(["mean", "sd", "p05", "p25", "p50", "p75", "p95"][k], f[nf + 3 + k])?;
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
        &capital(&format!("{}: mean over replicates", output_words(label))),
        &format!("{} by {}", factor_words(&frame.factors[0]), factor_words(&frame.factors[1])),
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
        .x_desc(factor_words(&frame.factors[0]))
        .y_desc(factor_words(&frame.factors[1]))
        .label_style(style::text(15.0))
        .axis_desc_style(style::text(16.0))
        .draw()
        .map_err(err)?;
    let scale = crate::plot::heatmap::Scale::between(lo, hi, false);
    let cells: Vec<(f64, f64, f64)> = pts
        .iter()
        .filter_map(|p| {
            let i = xs.iter().position(|x| *x == p.factors[0])?;
            let j = ys.iter().position(|y| *y == p.factors[1])?;
            Some((i as f64, j as f64, p.stats[0]))
        })
        .collect();
    // Cells reach a little into their neighbours, so no seam shows between them.
    let (nx, ny) = (xs.len() as f64, ys.len() as f64);
    for &(x, y, v) in &cells {
        let (x1, y1) = ((x + 0.52).min(nx - 0.5), (y + 0.52).min(ny - 0.5));
        chart
            .draw_series(std::iter::once(Rectangle::new([(x - 0.5, y - 0.5), (x1, y1)], scale.colour(v).filled())))
            .map_err(err)?;
    }
    for &(x, y, v) in &cells {
        let ink = if scale.t(v) > 0.6 { BLACK } else { WHITE };
        let text = style::centred((style::FONT, 16.0).into_font().color(&ink));
        chart.draw_series(std::iter::once(Text::new(value_text(label, v), (x, y), text))).map_err(err)?;
    }
    let (_, bh) = bar.dim_in_pixel();
    let (top, bottom) = (30i32, bh as i32 - 90);
    for k in 0..100 {
        let y0 = bottom - (bottom - top) * k / 100;
        let y1 = bottom - (bottom - top) * (k + 1) / 100 - 2;
        bar.draw(&Rectangle::new([(20, y1), (50, y0)], viridis(k as f64 / 99.0).filled())).map_err(err)?;
    }
    let decimals = crate::plot::tick_decimals(scale.step);
    for &v in &scale.ticks {
        let y = bottom - ((bottom - top) as f64 * scale.t(v)).round() as i32;
        bar.draw(&PathElement::new(vec![(50, y), (58, y)], BLACK.stroke_width(1))).map_err(err)?;
        let f = output_format(label);
        let tick = if share(label) {
            format!("{}%", f.tick(v, crate::plot::tick_decimals(scale.step * 100.0)))
        } else {
            f.tick(v, decimals)
        };
        bar.draw(&Text::new(tick, (62, y - 8), style::text(14.0))).map_err(err)?;
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
    let drawn = |p: &Point| [p.stats[2], p.stats[4], p.stats[6]];
    let lo = pts.iter().flat_map(drawn).fold(f64::INFINITY, f64::min);
    let hi = pts.iter().flat_map(drawn).fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo) * 0.08).max(1e-3);
    // An axis fitted to the data says so when it leaves out zero.
    let note = if lo - pad > 0.0 || hi + pad < 0.0 { "; the axis is zoomed and does not start at zero" } else { "" };
    let area = frame_area(
        root,
        &capital(&format!("{} against {}", output_words(label), factor_words(&frame.factors[0]))),
        &format!("Median over replicates with the 90% band (5th to 95th percentile){note}"),
        frame,
    )?;
    let mut pts: Vec<&Point> = pts.iter().collect();
    pts.sort_by(|a, b| a.factors[0].total_cmp(&b.factors[0]));
    let (x0, x1) = (pts.first().map_or(0.0, |p| p.factors[0]), pts.last().map_or(1.0, |p| p.factors[0]));
    // The band and the median set the axis (the median lies inside the band
    // unless the file was edited), so nothing drawn falls far off it.
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
        .x_desc(factor_words(&frame.factors[0]))
        .y_desc(output_words(label))
        .y_label_formatter(&|v: &f64| {
            let f = output_format(label);
            let t = f.tick(*v, crate::plot::rough_tick_decimals(f.scaled(hi - lo + 2.0 * pad) / 10.0));
            if share(label) { format!("{t}%") } else { t }
        })
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

fn indices_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    label: &str,
    rows: &[Vec<f64>],
    names: &[String],
    swept: &str,
) -> Drawn {
    let sobol = frame.design == "sobol";
    let (title, sub, keys): (String, &str, [&str; 2]) = if sobol {
        (
            capital(&format!("Sobol indices of {}", output_words(label))),
            "First-order and total indices (Saltelli sampling, Jansen estimator) with bootstrap 95% intervals",
            ["first-order", "total"],
        )
    } else {
        (
            capital(&format!("Morris screening of {}", output_words(label))),
            "mu*: mean absolute elementary effect (overall influence); sigma: spread of effects (interaction or non-linearity)",
            ["mu*", "sigma"],
        )
    };
    let sub = if swept.is_empty() {
        sub.to_string()
    } else {
        format!("{sub}. Indices hold within the ranges swept: {swept}")
    };
    let area = frame_area(root, &title, &sub, frame)?;
    let k = names.len();
    // Only the columns drawn set the axis (Morris's signed mu is not drawn).
    let drawn = |r: &Vec<f64>| -> Vec<f64> { if sobol { r.clone() } else { r.iter().skip(1).copied().collect() } };
    let values: Vec<f64> = rows.iter().flat_map(drawn).filter(|v| v.is_finite()).collect();
    let hi = values.iter().copied().fold(0.0f64, f64::max).max(1e-6) * 1.1;
    let lo = values.iter().copied().fold(0.0f64, f64::min).min(0.0);
    let label_px = names.iter().map(|n| factor_words(n).chars().count()).max().unwrap_or(10) as u32 * 8 + 20;
    let mut chart = ChartBuilder::on(&area)
        .margin(24)
        .margin_top(70)
        .x_label_area_size(50)
        .y_label_area_size(label_px.clamp(120, 460))
        .build_cartesian_2d(lo..hi, -0.5..(k as f64 - 0.5))
        .map_err(err)?;
    let words: Vec<String> = names.iter().map(|n| factor_words(n)).collect();
    let yf = |y: &f64| style::row_label(&words, *y);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::LIGHT_GREY)
        .y_labels(k)
        .y_label_formatter(&yf)
        .x_label_formatter(&|x: &f64| crate::results::numbers::minus(&format!("{}", (x * 1e6).round() / 1e6)))
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

/// An output label in words: `social_care_priority@2021Q1` is "social
/// care's share of STP agendas at 2021Q1".
pub fn output_words(label: &str) -> String {
    let (metric, at) = label.split_once('@').unwrap_or((label, ""));
    let words = crate::model::Metric::parse(metric).map_or(metric.replace('_', " "), |m| m.label().to_string());
    if at.is_empty() { words } else { format!("{words} at {at}") }
}

/// A factor in words: `lever.KIND.FIELD` is the kind's chart label and the
/// field, as "strengthen leads: authority".
pub fn factor_words(name: &str) -> String {
    match name.strip_prefix("lever.").and_then(|r| r.split_once('.')) {
        Some((kind, field)) => {
            let (label, field) = (crate::model::levers::label(kind), field.replace('_', " "));
            if label.contains(&field) { label.to_string() } else { format!("{label}: {field}") }
        }
        None => name.replace('_', " "),
    }
}

/// A factor value to four significant digits, with a true minus sign: 0.4333.
fn round4(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    let d = (3 - x.abs().log10().floor() as i32).max(0) as usize;
    let t = format!("{x:.d$}");
    let t = if t.contains('.') { t.trim_end_matches('0').trim_end_matches('.').to_string() } else { t };
    crate::results::numbers::minus(&t)
}

/// The format of an output (`metric@quarter`): its metric's, or three
/// decimals for anything else.
fn output_format(label: &str) -> crate::model::metrics::Format {
    crate::model::Metric::parse(label.split('@').next().unwrap_or(""))
        .map_or(crate::model::metrics::Format::Index(""), |m| m.format())
}

/// Whether an output is a share, shown in per cent.
fn share(label: &str) -> bool {
    output_format(label) == crate::model::metrics::Format::Share
}

/// A value of an output in its metric's format: "40.0%", "−£1,841m", "0.046".
fn value_text(label: &str, v: f64) -> String {
    output_format(label).level(v)
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// Each factor's range in words, as the plan declares it (else over the
/// design's points, for a plan.json written before ranges were kept):
/// "strengthen leads: authority 0.2 to 1; turnover 0.05 to 0.2".
fn ranges_swept(frame: &Frame, summary: &BTreeMap<String, Vec<Point>>) -> String {
    if frame.ranges.len() == frame.factors.len() && !frame.ranges.is_empty() {
        return frame
            .factors
            .iter()
            .zip(&frame.ranges)
            .map(|(name, r)| format!("{} {} to {}", factor_words(name), round4(r[0]), round4(r[1])))
            .collect::<Vec<_>>()
            .join("; ");
    }
    let Some(pts) = summary.values().next() else { return String::new() };
    frame
        .factors
        .iter()
        .enumerate()
        .filter_map(|(k, name)| {
            let v: Vec<f64> = pts.iter().filter_map(|p| p.factors.get(k).copied()).collect();
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo.is_finite() && hi.is_finite())
                .then(|| format!("{} {} to {}", factor_words(name), round4(lo), round4(hi)))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Sensitivity rows per output: factor names and their index rows.
type Indices = BTreeMap<String, (Vec<String>, Vec<Vec<f64>>)>;

fn read_indices(dir: &Path, frame: &Frame) -> Indices {
    let mut by_metric: Indices = BTreeMap::new();
    let Ok(text) = crate::fsx::read_text(&dir.join("sensitivity.csv"), crate::plot::input::READ_LIMIT) else {
        return by_metric;
    };
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
    by_metric
}

/// The unit of an output's values (`metric@quarter`).
fn output_unit(label: &str) -> Unit {
    crate::model::Metric::parse(label.split('@').next().unwrap_or("")).map_or(Unit::Plain, Unit::level)
}

/// What a sweep chart's numbers cover.
const SWEEP_CAVEAT: &str = "Means and 90% bands are over the replicates of each design point: the model's own chance \
     events for fixed parameters, not uncertainty in the parameters left out of the design, the model's structure or the data";

/// The heatmap's numbers: the second factor's values down, the first's
/// across, each cell the mean over replicates the chart colours it by.
fn heatmap_table(frame: &Frame, label: &str, pts: &[Point]) -> ChartTable {
    let mut xs: Vec<f64> = pts.iter().map(|p| p.factors[0]).collect();
    let mut ys: Vec<f64> = pts.iter().map(|p| p.factors[1]).collect();
    for v in [&mut xs, &mut ys] {
        v.sort_by(f64::total_cmp);
        v.dedup();
    }
    let unit = output_unit(label);
    let mut values = vec![vec![None; xs.len()]; ys.len()];
    for p in pts {
        if let (Some(i), Some(j)) =
            (xs.iter().position(|x| *x == p.factors[0]), ys.iter().position(|y| *y == p.factors[1]))
        {
            values[j][i] = Some(p.stats[0]);
        }
    }
    ChartTable {
        stem: stem("sweep_heatmap", label),
        title: capital(&format!(
            "{} by {} and {}",
            output_words(label),
            factor_words(&frame.factors[0]),
            factor_words(&frame.factors[1])
        )),
        units: format!("{}: mean over replicates at each design point", output_words(label)),
        source: source(frame),
        caveat: SWEEP_CAVEAT.into(),
        row_header: frame.factors[1].clone(),
        rows: ys.iter().map(|y| y.to_string()).collect(),
        columns: xs.iter().map(|x| Column { name: format!("{} = {x}", frame.factors[0]), unit }).collect(),
        values,
    }
}

/// The line chart's numbers: factor values down (in the order drawn); the
/// band's 5th percentile, the median and the 95th percentile across.
fn line_table(frame: &Frame, label: &str, pts: &[Point]) -> ChartTable {
    let mut pts: Vec<&Point> = pts.iter().collect();
    pts.sort_by(|a, b| a.factors[0].total_cmp(&b.factors[0]));
    let unit = output_unit(label);
    ChartTable {
        stem: stem("sweep_line", label),
        title: capital(&format!("{} against {}", output_words(label), factor_words(&frame.factors[0]))),
        units: format!("{}: median over replicates with the 90% band", output_words(label)),
        source: source(frame),
        caveat: SWEEP_CAVEAT.into(),
        row_header: frame.factors[0].clone(),
        rows: pts.iter().map(|p| p.factors[0].to_string()).collect(),
        columns: ["p05", "p50", "p95"].iter().map(|n| Column { name: n.to_string(), unit }).collect(),
        values: pts.iter().map(|p| vec![Some(p.stats[2]), Some(p.stats[4]), Some(p.stats[6])]).collect(),
    }
}

/// The sensitivity chart's numbers: factors down; the indices drawn across
/// (Sobol: first-order and total with their intervals; Morris: mu* and sigma).
fn indices_table(frame: &Frame, label: &str, names: &[String], rows: &[Vec<f64>]) -> ChartTable {
    let sobol = frame.design == "sobol";
    let (columns, skip): (&[&str], usize) = if sobol {
        (&["first", "first_low", "first_high", "total", "total_low", "total_high"], 0)
    } else {
        (&["mu_star", "sigma"], 1)
    };
    ChartTable {
        stem: stem("sensitivity", label),
        title: capital(&format!("Sensitivity of {}", output_words(label))),
        units: if sobol {
            "Sobol indices: shares of the output's variance (first-order and total), with bootstrap 95% intervals"
                .into()
        } else {
            format!("Morris elementary effects, in the units of {}", output_words(label))
        },
        source: source(frame),
        caveat:
            "Indices rank factors within the ranges swept only; each design point's value is its mean over replicates"
                .into(),
        row_header: "factor".into(),
        rows: names.to_vec(),
        columns: columns.iter().map(|n| Column { name: n.to_string(), unit: Unit::Plain }).collect(),
        values: rows.iter().map(|r| r.iter().skip(skip).map(|v| v.is_finite().then_some(*v)).collect()).collect(),
    }
}

/// Every sweep chart's numbers, in the order [`render`] draws them, read
/// from the folder's sweep_summary.csv and sensitivity.csv (`dir` may be a
/// staging folder: tables.xlsx is written from them before plan.json).
pub fn tables(dir: &Path, frame: &Frame) -> Result<Vec<ChartTable>, PlotError> {
    let summary = read_summary(dir, frame)?;
    Ok(tables_of(frame, &summary, &read_indices(dir, frame)))
}

fn tables_of(frame: &Frame, summary: &BTreeMap<String, Vec<Point>>, indices: &Indices) -> Vec<ChartTable> {
    let mut out = Vec::new();
    for label in &frame.outputs {
        let Some(pts) = summary.get(label) else { continue };
        if frame.design == "grid" && frame.factors.len() == 2 {
            out.push(heatmap_table(frame, label, pts));
        } else if frame.factors.len() == 1 {
            out.push(line_table(frame, label, pts));
        }
    }
    for (label, (names, rows)) in indices {
        out.push(indices_table(frame, label, names, rows));
    }
    out
}

/// Draws the sweep charts and report.html in `dir`; returns the charts.
pub fn render(dir: &Path) -> Result<Vec<Chart>, PlotError> {
    style::register_fonts();
    let frame = Frame::load(dir).map_err(|e| {
        PlotError::Input(crate::plot::InputError::Manifest {
            path: dir.join(super::frame::FRAME_FILE),
            message: e.to_string(),
        })
    })?;
    if !frame.file_sha256.is_empty() {
        let ours = |n: &str| super::frame::RESULT_FILES.contains(&n);
        crate::results::folder::verify(dir, super::frame::FRAME_FILE, &frame.file_sha256, ours)
            .map_err(|message| PlotError::Input(crate::plot::InputError::Mixed { path: dir.to_path_buf(), message }))?;
    }
    let summary = read_summary(dir, &frame)?;
    let mut charts = Vec::new();
    for label in &frame.outputs {
        let Some(pts) = summary.get(label) else { continue };
        if frame.design == "grid" && frame.factors.len() == 2 {
            let s = stem("sweep_heatmap", label);
            charts.push(svg(
                &s,
                &capital(&format!(
                    "{} by {} and {}",
                    output_words(label),
                    factor_words(&frame.factors[0]),
                    factor_words(&frame.factors[1])
                )),
                (1300, 900),
                |root| heatmap(root, &frame, label, pts),
            )?);
        } else if frame.factors.len() == 1 {
            let s = stem("sweep_line", label);
            charts.push(svg(
                &s,
                &capital(&format!("{} against {}", output_words(label), factor_words(&frame.factors[0]))),
                (1200, 800),
                |root| line(root, &frame, label, pts),
            )?);
        }
    }
    let indices = read_indices(dir, &frame);
    let swept = ranges_swept(&frame, &summary);
    for (label, (names, rows)) in &indices {
        let s = stem("sensitivity", label);
        let h = (200 + 70 * names.len() as u32).max(800);
        charts.push(svg(&s, &capital(&format!("Sensitivity of {}", output_words(label))), (1200, h), |root| {
            indices_chart(root, &frame, label, rows, names, &swept)
        })?);
    }
    crate::plot::write_charts(dir, &charts)?;
    // Each chart's numbers beside it, as a run writes them.
    let tables = tables_of(&frame, &summary, &indices);
    crate::plot::data::write_tables(dir, &tables)
        .map_err(|e| PlotError::Write { path: dir.join(crate::plot::data::DATA_DIR), reason: e })?;
    let html = report(dir, &frame, &summary, &indices, &charts, &tables);
    let path = dir.join("report.html");
    crate::results::write::atomic(dir, "report.html", |w| w.write_all(html.as_bytes()))
        .map_err(|e| PlotError::Write { path, reason: e })?;
    Ok(charts)
}

/// Files a sweep may write, with what each holds.
const SWEEP_FILES: [(&str, &str); 6] = [
    ("sweep.csv", "point, replicate, factor values, metric, value: every replicate of every design point"),
    ("sweep.parquet", "sweep.csv's rows as typed Parquet columns (--parquet or parquet = true in the plan)"),
    ("sweep_summary.csv", "point, factor values, metric, n, mean, sd, p05, p25, p50, p75, p95"),
    ("sensitivity.csv", "the sensitivity indices of each factor for each output"),
    (
        "tables.xlsx",
        "for spreadsheets: what was run, one sheet per chart with exactly the numbers it plots, then sweep_summary and sensitivity",
    ),
    ("plan.json", "the plan's fingerprint and layout, used to resume and merge"),
];

/// The sweep's report.html: key findings, contents, what was run, charts,
/// caveats and the data files, in the style of a run's report.
fn report(
    dir: &Path,
    frame: &Frame,
    summary: &BTreeMap<String, Vec<Point>>,
    indices: &Indices,
    charts: &[Chart],
    tables: &[ChartTable],
) -> String {
    use crate::plot::page::escape;
    use std::fmt::Write as _;
    let kind = match frame.design.as_str() {
        "sobol" | "morris" => "sensitivity analysis",
        _ => "sweep",
    };
    let title = format!(
        "stpsim {kind}: {} on {}",
        frame.factors.iter().map(|f| factor_words(f)).collect::<Vec<_>>().join(", "),
        frame.base
    );
    let mut h = String::new();
    let w = &mut h;
    let _ = write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n<style>{1}</style>\n</head>\n<body>\n<h1>{0}</h1>\n\
         <p class=\"meta\">stpsim v{2}, {3} design, {4} design points x {5} replicates, seed {6}, base scenario {7}.</p>\n",
        escape(&title),
        crate::plot::page::CSS,
        escape(&frame.stpsim_version),
        escape(&frame.design),
        frame.design_points,
        frame.replicates,
        frame.seed,
        escape(&frame.base)
    );
    let _ = writeln!(w, "<section class=\"findings\" id=\"findings\">\n<h2>Key findings</h2>\n<ul>");
    for label in &frame.outputs {
        let words = escape(&output_words(label));
        if let Some((names, rows)) = indices.get(label) {
            let col = if frame.design == "sobol" { 3 } else { 1 };
            let best = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.len() > col && r[col].is_finite())
                .max_by(|a, b| a.1[col].total_cmp(&b.1[col]));
            if let Some((i, r)) = best {
                let what = if frame.design == "sobol" {
                    format!("a total Sobol index of {:.2} (95% interval {:.2} to {:.2})", r[3], r[4], r[5])
                } else {
                    format!("a Morris mu* of {:.3}", r[1])
                };
                let _ = writeln!(
                    w,
                    "<li>{words}: <b>{}</b> matters most, with {what}.</li>",
                    escape(&factor_words(&names[i]))
                );
            }
        } else if let Some(pts) = summary.get(label) {
            let at = |p: &Point| {
                frame
                    .factors
                    .iter()
                    .zip(&p.factors)
                    .map(|(f, v)| format!("{} {}", factor_words(f), v))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let hi = pts.iter().max_by(|a, b| a.stats[0].total_cmp(&b.stats[0]));
            let lo = pts.iter().min_by(|a, b| a.stats[0].total_cmp(&b.stats[0]));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                let _ = writeln!(
                    w,
                    "<li>{words}: the mean over replicates is highest, {}, at {}, and lowest, {}, at {}.</li>",
                    value_text(label, hi.stats[0]),
                    escape(&at(hi)),
                    value_text(label, lo.stats[0]),
                    escape(&at(lo))
                );
            }
        }
    }
    let _ = writeln!(w, "</ul>\n</section>");
    let _ = writeln!(
        w,
        "<nav id=\"contents\">\n<h2>Contents</h2>\n<ol>\n<li><a href=\"#run\">What was run</a></li>\n<li><a href=\"#charts\">Charts</a><ol>"
    );
    for c in charts {
        let _ = writeln!(w, "<li><a href=\"#{}\">{}</a></li>", escape(&c.stem), escape(&c.title));
    }
    let _ = writeln!(
        w,
        "</ol></li>\n<li><a href=\"#caveats\">Caveats</a></li>\n<li><a href=\"#data\">Data files</a></li>\n</ol>\n</nav>"
    );
    let _ = writeln!(
        w,
        "<h2 id=\"run\">What was run</h2>\n<p>Base scenario <b>{}</b>; every design point runs {} replicates with seed {}, so points share random numbers replicate by replicate.{}</p>\n<table>\n<tr><th>factor</th><th>in words</th><th>values swept</th></tr>",
        escape(&frame.base),
        frame.replicates,
        frame.seed,
        over_posterior(frame)
    );
    let first = summary.values().next();
    for (k, f) in frame.factors.iter().enumerate() {
        let mut vals: Vec<f64> = first.map(|pts| pts.iter().map(|p| p.factors[k]).collect()).unwrap_or_default();
        vals.sort_by(f64::total_cmp);
        vals.dedup();
        let shown = match vals.as_slice() {
            [] => String::new(),
            v if v.len() <= 8 => v.iter().map(|&x| round4(x)).collect::<Vec<_>>().join(", "),
            v => format!("{} values from {} to {}", v.len(), round4(v[0]), round4(v[v.len() - 1])),
        };
        let _ = writeln!(
            w,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(f),
            escape(&factor_words(f)),
            escape(&shown)
        );
    }
    let _ = writeln!(
        w,
        "</table>\n<p>Outputs: {}.</p>",
        frame.outputs.iter().map(|o| escape(&output_words(o))).collect::<Vec<_>>().join("; ")
    );
    let _ = writeln!(w, "<h2 id=\"charts\">Charts</h2>");
    // Each chart's sheet in tables.xlsx, named as the workbook names it.
    let sheets = crate::results::xlsx::chart_sheets(tables);
    let book = crate::results::xlsx::FILE;
    for c in charts {
        let body = crate::plot::page::inline_svg(&c.svg);
        let numbers = crate::plot::page::numbers_it_plots(&c.stem, &sheets, dir.join(book).is_file())
            .map_or(String::new(), |n| format!("<br>{n}"));
        let _ = writeln!(
            w,
            "<figure id=\"{0}\">\n{1}\n<figcaption>{2}: <a href=\"{0}.png\">{0}.png</a>, <a href=\"{0}.svg\">{0}.svg</a>{3}</figcaption>\n</figure>",
            escape(&c.stem),
            body.trim(),
            escape(&c.title),
            numbers
        );
    }
    let _ = writeln!(
        w,
        "<h2 id=\"caveats\">Caveats</h2>\n<ul>\n<li><b>What the numbers cover.</b> Means and 90% bands are over the replicates of each design point: \
         {}, not uncertainty in the model's structure or the data.</li>\n\
         <li><b>Sensitivity indices</b> (where given) rank factors within the ranges swept only; Sobol intervals are bootstrap 95% intervals, \
         Morris screening ranks rather than measures.</li>\n<li><b>Quarters.</b> {}</li>\n\
         <li><b>The model</b> is described in docs/model.md in the ODD protocol; every parameter's source is in docs/parameters.md.</li>\n</ul>",
        if frame.parameters.starts_with("over ") {
            "the model's chance events and the posterior's uncertainty in the parameters no factor sets (replicate r takes the same draw at every point)"
        } else {
            "the model's own chance events for fixed parameters, not uncertainty in the parameters left out of the design"
        },
        escape(crate::results::numbers::QUARTERS_NOTE)
    );
    let _ = writeln!(w, "<h2 id=\"data\">Data files</h2>\n<table>\n<tr><th>file</th><th>what it holds</th></tr>");
    for (f, what) in SWEEP_FILES {
        if dir.join(f).is_file() {
            let _ = writeln!(w, "<tr><td><a href=\"{0}\">{0}</a></td><td>{1}</td></tr>", f, escape(what));
        }
    }
    let _ = writeln!(w, "</table>\n</body>\n</html>");
    h
}

/// What a sweep's replicates ran over, from its plan.json, for the report.
fn over_posterior(frame: &Frame) -> String {
    use crate::plot::page::escape;
    if frame.parameters.is_empty() {
        return String::new();
    }
    let held = if frame.held.is_empty() {
        String::new()
    } else {
        format!(
            " Held at the design's values in every replicate (a factor wins over the posterior): {}.",
            escape(&frame.held.join(", "))
        )
    };
    format!(" Replicates ran {}.{held}", escape(&frame.parameters))
}
