//! Footprint heatmaps (with --per-footprint): each footprint by quarter,
//! coloured by the median over the replicates kept, ordered by final value;
//! and, for each scenario after the first, the median paired difference from
//! the first, footprint by footprint.
//!
//! Every heatmap of one measure shares one colour scale, so scenarios can be
//! compared by eye. The scale is robust: its limits are Tukey's fences
//! (quartiles widened by 1.5 times the interquartile range, within the data),
//! so a few outlying footprints cannot squash the others into one colour;
//! cells beyond the limits are marked with a dot.

use super::input::{FootprintGrid, HEATMAP_METRICS, RunData};
use super::style::{self, viridis};
use super::{Chart, Drawn, PlotError, err, frame, svg};
use crate::model::Metric;
use crate::results::numbers;
use crate::results::summary::quantile;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A colour scale: its limits, its labelled ticks, and whether it diverges
/// around zero (differences) or runs low to high (levels).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub step: f64,
    pub diverging: bool,
}

/// 1, 2, 2.5 or 5 times a power of ten, near `span / 5`.
fn nice_step(span: f64) -> f64 {
    if !(span > 0.0 && span.is_finite()) {
        return 1.0;
    }
    let raw = span / 5.0;
    let pow = 10f64.powf(raw.log10().floor());
    let f = raw / pow;
    let m = if f < 1.5 {
        1.0
    } else if f < 2.25 {
        2.0
    } else if f < 3.5 {
        2.5
    } else if f < 7.5 {
        5.0
    } else {
        10.0
    };
    m * pow
}

impl Scale {
    /// Tukey's fences over `values` (limited to the data), with rounded
    /// ticks inside them; symmetric about zero when `diverging`.
    pub fn robust(values: &[f64], diverging: bool) -> Scale {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let (min, max) = (v.first().copied().unwrap_or(0.0), v.last().copied().unwrap_or(1.0));
        let (q1, q3) = (quantile(&v, 0.25), quantile(&v, 0.75));
        let iqr = q3 - q1;
        let (mut lo, mut hi) = ((q1 - 1.5 * iqr).max(min), (q3 + 1.5 * iqr).min(max));
        if diverging {
            let l = lo.abs().max(hi.abs());
            (lo, hi) = (-l, l);
        }
        Scale::between(lo, hi, diverging)
    }

    /// A diverging scale symmetric about zero that holds every value.
    pub fn full(values: &[f64]) -> Scale {
        let l = values.iter().filter(|x| x.is_finite()).fold(0.0f64, |a, x| a.max(x.abs()));
        Scale::between(-l, l, true)
    }

    /// A scale from `lo` to `hi` with rounded ticks inside.
    pub fn between(mut lo: f64, mut hi: f64, diverging: bool) -> Scale {
        if hi.is_nan() || lo.is_nan() || hi <= lo {
            (lo, hi) = if diverging { (-1e-9, 1e-9) } else { (lo - 0.5e-9, lo + 0.5e-9) };
        }
        let step = nice_step(hi - lo);
        let first = (lo / step).ceil() as i64;
        let last = (hi / step).floor() as i64;
        let ticks = (first..=last).map(|k| k as f64 * step).collect();
        Scale { lo, hi, ticks, step, diverging }
    }

    /// Position on the scale, 0 to 1 (clamped).
    pub fn t(&self, v: f64) -> f64 {
        ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }

    fn outside(&self, v: f64) -> bool {
        v < self.lo || v > self.hi
    }

    pub fn colour(&self, v: f64) -> RGBColor {
        if self.diverging { diverging(self.t(v)) } else { viridis(self.t(v)) }
    }
}

/// Okabe-Ito blue through white to vermillion: below zero blue, above red.
fn diverging(t: f64) -> RGBColor {
    let (blue, white, red) = ((0.0, 114.0, 178.0), (247.0, 247.0, 247.0), (213.0, 94.0, 0.0));
    let (a, b, f) = if t < 0.5 { (blue, white, t * 2.0) } else { (white, red, (t - 0.5) * 2.0) };
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Dark ink on light cells, light ink on dark ones.
fn ink(c: RGBColor) -> RGBColor {
    let l = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
    if l > 140.0 { BLACK } else { WHITE }
}

fn tick_label(m: Metric, v: f64, scale: &Scale) -> String {
    let d = super::tick_decimals(scale.step * if numbers::is_share(m) { 100.0 } else { 1.0 });
    if scale.diverging {
        numbers::signed_with(m, v, d)
    } else if numbers::is_share(m) {
        format!("{}%", numbers::thousands(v * 100.0, d))
    } else {
        numbers::thousands(v, d)
    }
}

fn title(m: Metric) -> String {
    let label = m.label();
    let mut c = label.chars();
    let label = c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str());
    format!("{label} by footprint")
}

struct Panel<'a> {
    title: String,
    subtitle: String,
    grid: &'a FootprintGrid,
    values: &'a [Vec<f64>],
    scale: &'a Scale,
    bar_label: String,
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &RunData, m: Metric, p: &Panel) -> Drawn {
    let g = p.grid;
    let source = format!(
        "Source: stpsim v{} simulation, medians over the first {} of {} replicates, seed {}",
        data.version, g.replicates, data.replicates, data.seed
    );
    let area = frame(root, &p.title, &p.subtitle, &source)?;
    let (w, _) = area.dim_in_pixel();
    let (plot, bar) = area.split_horizontally(w - 190);
    let nf = g.footprints.len();
    let nq = g.quarters.len();
    let last = nq.saturating_sub(1);
    let mut order: Vec<usize> = (0..nf).collect();
    order.sort_by(|&a, &b| p.values[a][last].total_cmp(&p.values[b][last]).then(a.cmp(&b)));
    let label_px = g.footprints.iter().map(|n| n.chars().count()).max().unwrap_or(10) as u32 * 7 + 20;
    let font = if nf > 60 { 9.0 } else { 13.0 };
    let mut chart = ChartBuilder::on(&plot)
        .margin(10)
        .margin_right(20)
        .x_label_area_size(64)
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
        .x_desc("Calendar quarter, labelled at Q1 (January to March)")
        .axis_desc_style(style::text(16.0))
        .draw()
        .map_err(err)?;
    // Each cell reaches a little into its right and upper neighbours, which
    // are drawn over it: no background shows between cells at any zoom.
    const OVERLAP: f64 = 0.08;
    let cells = order.iter().enumerate().flat_map(|(row, &f)| {
        (0..nq).map(move |q| {
            let (x, y) = (q as f64, row as f64);
            let hi_x = if q + 1 < nq { x + 0.5 + OVERLAP } else { x + 0.5 };
            let hi_y = if row + 1 < nf { y + 0.5 + OVERLAP } else { y + 0.5 };
            Rectangle::new([(x - 0.5, y - 0.5), (hi_x, hi_y)], p.scale.colour(p.values[f][q]).filled())
        })
    });
    chart.draw_series(cells).map_err(err)?;
    let outliers = order.iter().enumerate().flat_map(|(row, &f)| {
        (0..nq).filter(move |&q| p.scale.outside(p.values[f][q])).map(move |q| {
            let c = ink(p.scale.colour(p.values[f][q]));
            Circle::new((q as f64, row as f64), 3, c.filled())
        })
    });
    chart.draw_series(outliers).map_err(err)?;
    colour_bar(&bar, m, p)
}

/// The colour bar: the scale with its rounded ticks labelled, and a dot
/// beside each end for cells beyond the limits.
fn colour_bar<DB: DrawingBackend>(bar: &DrawingArea<DB, Shift>, m: Metric, p: &Panel) -> Drawn {
    let (_, bh) = bar.dim_in_pixel();
    let (top, bottom) = (44i32, bh as i32 - 130);
    for line in style::wrap(&p.bar_label, 22).iter().take(2).enumerate() {
        bar.draw(&Text::new(line.1.clone(), (14, 2 + 18 * line.0 as i32), style::text(14.0))).map_err(err)?;
    }
    let steps = 100;
    for k in 0..steps {
        let y0 = bottom - (bottom - top) * k / steps;
        let y1 = bottom - (bottom - top) * (k + 1) / steps - 2;
        let v = p.scale.lo + (p.scale.hi - p.scale.lo) * (k as f64 + 0.5) / steps as f64;
        bar.draw(&Rectangle::new([(20, y1), (50, y0)], p.scale.colour(v).filled())).map_err(err)?;
    }
    bar.draw(&Rectangle::new([(20, top), (50, bottom)], BLACK.stroke_width(1))).map_err(err)?;
    for &v in &p.scale.ticks {
        let y = bottom - ((bottom - top) as f64 * p.scale.t(v)).round() as i32;
        bar.draw(&PathElement::new(vec![(50, y), (58, y)], BLACK.stroke_width(1))).map_err(err)?;
        bar.draw(&Text::new(tick_label(m, v, p.scale), (62, y - 8), style::text(14.0))).map_err(err)?;
    }
    let count = |above: bool| {
        p.values.iter().flatten().filter(|&&v| if above { v > p.scale.hi } else { v < p.scale.lo }).count()
    };
    let mut y = bottom + 16;
    for above in [true, false] {
        let n = count(above);
        if n == 0 {
            continue;
        }
        let edge = if above { p.scale.hi } else { p.scale.lo };
        let c = p.scale.colour(edge);
        bar.draw(&Rectangle::new([(20, y), (34, y + 14)], c.filled())).map_err(err)?;
        bar.draw(&Circle::new((27, y + 7), 3, ink(c).filled())).map_err(err)?;
        let text = format!("{n} cells {} {}", if above { "above" } else { "below" }, tick_label(m, edge, p.scale));
        for (i, line) in style::wrap(&text, 18).iter().enumerate() {
            bar.draw(&Text::new(line.clone(), (40, y + 18 * i as i32), style::text(13.0))).map_err(err)?;
        }
        y += 40;
    }
    Ok(())
}

pub(super) fn render(data: &RunData) -> Result<Vec<Chart>, PlotError> {
    let mut out = Vec::new();
    let first = data.scenarios[0].name.as_str();
    for m in HEATMAP_METRICS {
        let grids: Vec<(usize, &FootprintGrid)> =
            (0..data.scenarios.len()).filter_map(|s| data.footprints.get(&(s, m)).map(|g| (s, g))).collect();
        let levels: Vec<f64> = grids.iter().flat_map(|(_, g)| g.median.iter().flatten().copied()).collect();
        let scale = Scale::robust(&levels, false);
        let diffs: Vec<f64> =
            grids.iter().filter_map(|(_, g)| g.difference.as_ref()).flat_map(|d| d.iter().flatten().copied()).collect();
        // Differences are zero before any lever, so the quartiles sit at zero
        // and Tukey's fences would clip most of what the levers did: the
        // diverging scale spans every difference instead.
        let diff_scale = Scale::full(&diffs);
        let shared = if grids.len() > 1 { "; one colour scale for every scenario" } else { "" };
        for &(s, g) in &grids {
            let sc = &data.scenarios[s];
            let rows = g.footprints.len().min(120) as u32;
            let size = (1500, (rows * 20 + 280).max(900));
            let last = g.quarters.last().map(|q| q.to_string()).unwrap_or_default();
            let panel = Panel {
                title: format!("{}: {}", title(m), sc.name),
                subtitle: format!(
                    "Scenario {}, {}: {}; footprints ordered by their value at {last}, highest at the top{shared}; \
                     cells beyond the scale's limits (Tukey's fences) are dotted",
                    sc.name,
                    sc.structure_name,
                    m.description()
                ),
                grid: g,
                values: &g.median,
                scale: &scale,
                bar_label: numbers::unit(m),
            };
            let stem = format!("heatmap_{}_{}", sc.name, m.name());
            out.push(svg(&stem, &panel.title.clone(), size, |root| draw(root, data, m, &panel))?);
            let Some(d) = &g.difference else { continue };
            let panel = Panel {
                title: format!("{}: {} minus {first}", title(m), sc.name),
                subtitle: format!(
                    "Median over replicates of the paired difference, footprint by footprint, {}; ordered by the difference at {last}; \
                     blue below zero, vermillion above; the scale holds every difference",
                    sc.structure_name
                ),
                grid: g,
                values: d,
                scale: &diff_scale,
                bar_label: format!("{} minus {first}, {}", sc.name, numbers::difference_unit(m)),
            };
            let stem = format!("heatmap_difference_{}_{}", sc.name, m.name());
            out.push(svg(&stem, &panel.title.clone(), size, |root| draw(root, data, m, &panel))?);
        }
    }
    Ok(out)
}

/// Each heatmap's numbers, laid out as the chart is: footprints down in the
/// chart's order (highest final value first), quarters across; the medians
/// (or median paired differences, shares in percentage points) it colours.
pub(super) fn tables(data: &RunData) -> Vec<super::data::ChartTable> {
    use super::data::{ChartTable, Column, Unit};
    let first = data.scenarios[0].name.as_str();
    let mut out = Vec::new();
    for m in HEATMAP_METRICS {
        for s in 0..data.scenarios.len() {
            let Some(g) = data.footprints.get(&(s, m)) else { continue };
            let sc = &data.scenarios[s];
            let source = format!(
                "Source: stpsim v{} simulation, medians over the first {} of {} replicates, seed {}",
                data.version, g.replicates, data.replicates, data.seed
            );
            let mut make = |stem: String, title: String, values: &[Vec<f64>], unit: Unit, units: String| {
                let last = g.quarters.len().saturating_sub(1);
                let mut order: Vec<usize> = (0..g.footprints.len()).collect();
                order.sort_by(|&a, &b| values[b][last].total_cmp(&values[a][last]).then(b.cmp(&a)));
                out.push(ChartTable {
                    stem,
                    title,
                    units,
                    source: source.clone(),
                    caveat: format!(
                        "Medians over the {} replicates whose footprint values were kept; {}",
                        g.replicates,
                        super::data::caveat(data)
                    ),
                    row_header: "footprint".into(),
                    rows: order.iter().map(|&f| g.footprints[f].clone()).collect(),
                    columns: g.quarters.iter().map(|q| Column { name: q.to_string(), unit }).collect(),
                    values: order
                        .iter()
                        .map(|&f| (0..g.quarters.len()).map(|q| Some(unit.scale(values[f][q]))).collect())
                        .collect(),
                });
            };
            make(
                format!("heatmap_{}_{}", sc.name, m.name()),
                format!("{}: {}", title(m), sc.name),
                &g.median,
                Unit::level(m),
                format!("{}, median over replicates, by footprint", numbers::unit(m)),
            );
            if let Some(d) = &g.difference {
                make(
                    format!("heatmap_difference_{}_{}", sc.name, m.name()),
                    format!("{}: {} minus {first}", title(m), sc.name),
                    d,
                    Unit::difference(m),
                    format!("{} minus {first}, {}, median paired difference", sc.name, numbers::difference_unit(m)),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_outliers_do_not_squash_the_other_footprints() {
        // 41 footprints between 0.30 and 0.34, three far above.
        let mut v: Vec<f64> = (0..41).map(|i| 0.30 + 0.001 * i as f64).collect();
        v.extend([0.9, 0.95, 1.0]);
        let s = Scale::robust(&v, false);
        assert!(s.hi < 0.4, "the upper limit {} ignores the outliers", s.hi);
        assert!(s.lo >= 0.30 - 1e-12 && s.lo <= 0.301);
        assert!(s.outside(0.9) && !s.outside(0.32));
        // Ticks are round numbers inside the limits.
        assert!(!s.ticks.is_empty() && s.ticks.iter().all(|&t| t >= s.lo && t <= s.hi));
        assert!(s.ticks.iter().all(|t| ((t / s.step) - (t / s.step).round()).abs() < 1e-9));
    }

    #[test]
    fn a_difference_scale_is_symmetric_about_zero() {
        let s = Scale::robust(&[-0.01, 0.002, 0.03, 0.02], true);
        assert_eq!(s.lo, -s.hi);
        assert!(s.ticks.contains(&0.0));
        assert_eq!(diverging(0.5), RGBColor(247, 247, 247));
    }

    #[test]
    fn a_difference_scale_clips_no_cell() {
        // Zero before the lever in most cells, then differences spread widely:
        // fences around the zeros would clip most of them.
        let mut v = vec![0.0; 400];
        v.extend((0..90).map(|i| -0.05 + 0.002 * i as f64));
        let s = Scale::full(&v);
        assert_eq!(v.iter().filter(|&&x| s.outside(x)).count(), 0);
        assert_eq!(s.lo, -s.hi);
        let fenced = Scale::robust(&v, true);
        assert!(v.iter().filter(|&&x| fenced.outside(x)).count() > 80, "the old scale clipped them");
    }

    #[test]
    fn nice_steps_are_one_two_two_and_a_half_or_five() {
        assert_eq!(nice_step(0.04), 0.01);
        assert_eq!(nice_step(1.0), 0.2);
        assert_eq!(nice_step(12.0), 2.5);
        assert_eq!(nice_step(3000.0), 500.0);
    }
}
