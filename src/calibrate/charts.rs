//! Calibration charts: each target beside its posterior predictive interval,
//! each parameter's prior and posterior, and the pairs of parameters.

use super::problem::Problem;
use super::smc::State;
use crate::plot::style::{GREY, LIGHT_GREY, bold, colour, register_fonts, text};
use crate::targets::TargetFit;
use plotters::prelude::*;

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// (file stem, SVG) of every chart.
pub fn all(problem: &Problem, st: &State, fits: &[TargetFit]) -> Vec<(&'static str, String)> {
    register_fonts();
    vec![("targets", targets(fits)), ("parameters", parameters(problem, st)), ("pairs", pairs(problem, st))]
}

/// Every calibration chart's foot: where its numbers come from.
pub fn source() -> String {
    format!(
        "Source: stpsim v{} calibration by ABC-SMC; published figures from the targets file (calibration.json gives each one's source)",
        env!("CARGO_PKG_VERSION")
    )
}

/// Draws a chart with the source line at its foot; `draw` gets the area above it.
fn svg(w: u32, h: u32, draw: impl FnOnce(&Area)) -> String {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (w, h + 30)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let (body, foot) = root.split_vertically(h);
        let _ = foot.draw_text(&source(), &text(12.0).color(&GREY), (20, 8));
        draw(&body);
        let _ = root.present();
    }
    s
}

/// A tick in the metric's format with the decimals its spacing needs: "−1,200", "45%".
fn tick(metric: &str, v: f64, span: f64) -> String {
    let f = crate::model::Metric::parse(metric).map_or(crate::model::metrics::Format::Index(""), |m| m.format());
    let d = crate::plot::rough_tick_decimals(f.scaled(span) / 6.0);
    let t = f.tick(v, d);
    if f == crate::model::metrics::Format::Share { format!("{t}%") } else { t }
}

/// A metric's unit in words, for an axis: "£m a year", "share".
fn unit(metric: &str) -> String {
    crate::model::Metric::parse(metric).map_or(String::new(), |m| m.unit_words())
}

fn targets(fits: &[TargetFit]) -> String {
    let n = fits.len().max(1);
    svg(900, 70 + 110 * n as u32, |root| {
        let (title, body) = root.split_vertically(70);
        let _ = title.draw_text("Published figures and the calibrated model", &bold(22.0), (20, 12));
        let _ = title.draw_text(
            "black: figure with its 90% sampling interval; blue: 90% posterior predictive interval of what the survey or account would report (thin) and of the model value (thick)",
            &text(12.0).color(&GREY),
            (20, 44),
        );
        for (t, area) in fits.iter().zip(body.split_evenly((n, 1))) {
            let lo = [t.value - 1.645 * t.sd, t.reported[0], t.model[0]].into_iter().fold(f64::INFINITY, f64::min);
            let hi = [t.value + 1.645 * t.sd, t.reported[2], t.model[2]].into_iter().fold(f64::NEG_INFINITY, f64::max);
            let pad = 0.1 * (hi - lo).max(1e-9);
            let Ok(mut c) = ChartBuilder::on(&area)
                .margin_left(20)
                .margin_right(30)
                .caption(format!("{}{}", t.label, if t.inside { "" } else { ": outside" }), text(14.0))
                .x_label_area_size(40)
                .build_cartesian_2d(lo - pad..hi + pad, 0.0..2.0)
            else {
                continue;
            };
            let span = hi - lo + 2.0 * pad;
            let fmt = |v: &f64| tick(t.metric, *v, span);
            let _ = c
                .configure_mesh()
                .disable_y_mesh()
                .disable_y_axis()
                .x_labels(6)
                .x_label_formatter(&fmt)
                .x_desc(unit(t.metric))
                .light_line_style(LIGHT_GREY)
                .label_style(text(11.0))
                .axis_desc_style(text(11.0))
                .draw();
            let blue = colour(2);
            let _ = c.draw_series([
                PathElement::new(
                    vec![(t.value - 1.645 * t.sd, 1.4), (t.value + 1.645 * t.sd, 1.4)],
                    BLACK.stroke_width(2),
                ),
                PathElement::new(vec![(t.reported[0], 0.6), (t.reported[2], 0.6)], blue.stroke_width(2)),
                PathElement::new(vec![(t.model[0], 0.6), (t.model[2], 0.6)], blue.stroke_width(7)),
            ]);
            let _ = c.draw_series([
                Circle::new((t.value, 1.4), 5, BLACK.filled()),
                Circle::new((t.model[1], 0.6), 5, WHITE.filled()),
            ]);
        }
    })
}

/// Weighted histogram as densities on [lo, hi].
fn histogram(x: &[f64], w: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let mut h = vec![0.0; bins];
    let total: f64 = w.iter().sum();
    let width = (hi - lo) / bins as f64;
    for (&v, &wi) in x.iter().zip(w) {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        h[b] += wi / total / width;
    }
    h
}

fn column(st: &State, k: usize) -> Vec<f64> {
    st.theta.iter().map(|t| t[k]).collect()
}

fn parameters(problem: &Problem, st: &State) -> String {
    let d = problem.priors.len().max(1);
    let cols = 3.min(d);
    let rows = d.div_ceil(cols);
    svg(900, 60 + 240 * rows as u32, |root| {
        let (title, body) = root.split_vertically(60);
        let _ =
            title.draw_text("Prior (grey) and posterior (blue) of each calibrated parameter", &bold(20.0), (20, 18));
        for (k, area) in body.split_evenly((rows, cols)).into_iter().enumerate().take(d) {
            let p = &problem.priors[k];
            let h = histogram(&column(st, k), &st.weights, p.lo, p.hi, 20);
            let prior = 1.0 / (p.hi - p.lo);
            let top = h.iter().copied().fold(prior, f64::max) * 1.1;
            let Ok(mut c) = ChartBuilder::on(&area)
                .margin(12)
                .caption(p.name, text(14.0))
                .x_label_area_size(40)
                .y_label_area_size(24)
                .build_cartesian_2d(p.lo..p.hi, 0.0..top)
            else {
                continue;
            };
            let span = p.hi - p.lo;
            let fmt = |v: &f64| crate::results::numbers::thousands(*v, crate::plot::rough_tick_decimals(span / 4.0));
            let unit = crate::core::params::DICTIONARY.iter().find(|d| d.name == p.name).map_or("", |d| d.unit);
            let _ = c
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(4)
                .x_label_formatter(&fmt)
                .x_desc(unit)
                .y_desc("density")
                .light_line_style(LIGHT_GREY)
                .label_style(text(10.0))
                .axis_desc_style(text(11.0))
                .draw();
            let width = (p.hi - p.lo) / 20.0;
            let blue = colour(2);
            let _ = c.draw_series(h.iter().enumerate().map(|(b, &v)| {
                let x0 = p.lo + b as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, v)], blue.mix(0.6).filled())
            }));
            let _ = c.draw_series([PathElement::new(vec![(p.lo, prior), (p.hi, prior)], GREY.stroke_width(2))]);
        }
    })
}

fn pairs(problem: &Problem, st: &State) -> String {
    let d = problem.priors.len().max(1);
    let cell = (1100 / d as u32).max(90);
    svg(cell * d as u32 + 40, cell * d as u32 + 60, |root| {
        let (title, body) = root.split_vertically(50);
        let _ = title.draw_text("Posterior draws, pairs of parameters (darker: more weight)", &bold(20.0), (20, 14));
        let body = body.margin(0, 0, 40, 0);
        let cells = body.split_evenly((d, d));
        let wmax = st.weights.iter().copied().fold(0.0, f64::max).max(1e-300);
        for a in 0..d {
            for b in 0..d {
                let area = &cells[a * d + b];
                let (pa, pb) = (&problem.priors[a], &problem.priors[b]);
                if b > a {
                    continue;
                }
                if a == b {
                    let _ = area.draw_text(pa.name, &text(11.0), (4, (cell / 2) as i32));
                    continue;
                }
                let Ok(mut c) = ChartBuilder::on(area).margin(3).build_cartesian_2d(pb.lo..pb.hi, pa.lo..pa.hi) else {
                    continue;
                };
                let _ = c.configure_mesh().disable_mesh().x_labels(0).y_labels(0).draw();
                let (xa, xb) = (column(st, a), column(st, b));
                let _ =
                    c.draw_series(
                        xb.iter().zip(&xa).zip(&st.weights).filter(|(_, w)| **w > 0.0).map(|((&x, &y), &w)| {
                            Circle::new((x, y), 1, colour(2).mix(0.15 + 0.85 * w / wmax).filled())
                        }),
                    );
            }
        }
    })
}
