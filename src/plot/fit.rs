//! The fit, shown: one chart per calibration target, the posterior
//! predictive fan over time of the target's metric in the target's scenario
//! (median, 50% and 90% bands over posterior draws and chance), and the
//! published figure as a point with its 90% sampling interval.
//!
//! [`target_chart`] draws one from any fan (a docs generator can call it);
//! [`render`] draws every built-in England target's chart for a run over a
//! posterior that includes the target's built-in scenario, unchanged.

use super::data::{ChartTable, Column, Unit, caveat, fan_numbers, quarter_rows};
use super::fan::format_tick;
use super::input::RunData;
use super::style::{self, colour};
use super::{Chart, Drawn, PlotError, err, frame, source_line, svg};
use crate::core::quarter::Quarter;
use crate::results::numbers::is_share;
use crate::targets::{self, Target};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Quarters shown after a target's last quarter: enough to see where the
/// fan goes next without squeezing the quarters the figure speaks to.
pub const AFTER: usize = 8;
/// The fan's palette colour (blue), so the black figure stands out.
const FAN_COLOUR: usize = 2;

/// A target and the fan it is drawn over.
#[derive(Clone, Debug)]
pub struct TargetFan<'a> {
    pub target: &'a Target,
    /// The quarters drawn, in order, one per fan row.
    pub quarters: Vec<Quarter>,
    /// p05, p25, p50, p75, p95 per quarter (None where the run has none).
    pub fan: Vec<Option<[f64; 5]>>,
    /// The chart's source line: the run, and the figure's source.
    pub source: String,
}

/// The file stem of a target's chart: `fit_<metric>_<when>` (`2016/17` as `2016-17`).
pub fn stem(t: &Target) -> String {
    format!("fit_{}_{}", t.metric.name(), t.when.replace('/', "-"))
}

/// The legend's corner: over the lower end of the fan, so it covers no band
/// (a fan rising to the right keeps its legend at the left).
fn legend_corner(fan: &[Option<[f64; 5]>]) -> SeriesLabelPosition {
    let top = |b: Option<&Option<[f64; 5]>>| b.and_then(|b| b.map(|b| b[4]));
    match (top(fan.iter().find(|b| b.is_some())), top(fan.iter().rev().find(|b| b.is_some()))) {
        (Some(first), Some(last)) if last > first => SeriesLabelPosition::UpperLeft,
        _ => SeriesLabelPosition::UpperRight,
    }
}

/// The figure's 90% sampling interval: a survey of n (binomial, normal
/// approximation) or an account with its stated sd.
pub fn figure_interval(t: &Target) -> (f64, f64) {
    t.interval()
}

/// The built-in England targets (data/targets.toml).
pub fn england_targets() -> Vec<Target> {
    targets::parse(crate::targets::ENGLAND, "data/targets.toml").map_or_else(|_| Vec::new(), |t| t.targets)
}

/// The quarters a target's chart shows of a run covering `run`: from the
/// run's start to `AFTER` quarters past the target's last.
pub fn window(t: &Target, run: &[Quarter]) -> Vec<Quarter> {
    let last = t.quarters.iter().max().copied();
    run.iter().copied().filter(|q| last.is_some_and(|l| q.index() <= l.index() + AFTER as i32)).collect()
}

/// Which scenario of the run a target speaks to: its built-in scenario,
/// unchanged (the resolved scenario hashes as the built-in does), covering
/// the target's quarters.
fn scenario_of(data: &RunData, t: &Target) -> Option<usize> {
    let builtin = crate::scenario::load(&t.scenario).ok()?;
    let hash = crate::results::manifest::scenario_hash(&builtin);
    data.scenarios
        .iter()
        .position(|s| s.name == t.scenario && s.sha256 == hash && t.quarters.iter().all(|q| s.quarters.contains(q)))
}

/// Every built-in England target's fan from a run over a posterior (none
/// for a run at fixed parameters: its fan would show chance alone).
pub fn fans(data: &RunData) -> Vec<(Target, usize, Vec<Quarter>)> {
    let m: serde_json::Value = serde_json::from_str(&data.manifest_text).unwrap_or_default();
    if !m["posterior"].is_object() {
        return Vec::new();
    }
    england_targets()
        .into_iter()
        .filter_map(|t| {
            let s = scenario_of(data, &t)?;
            let quarters = window(&t, &data.scenarios[s].quarters);
            Some((t, s, quarters))
        })
        .collect()
}

/// The charts of [`fans`], in the targets file's order.
pub fn render(data: &RunData) -> Result<Vec<Chart>, PlotError> {
    let source = source_line(data);
    fans(data)
        .iter()
        .map(|(t, s, quarters)| {
            let fan = quarters.iter().map(|&q| fan_numbers(data, *s, q, t.metric)).collect();
            target_chart(&TargetFan {
                target: t,
                quarters: quarters.clone(),
                fan,
                source: format!("{source}; figure: {}", t.source),
            })
        })
        .collect()
}

/// The tables of [`render`]'s charts: quarter down; the fan's quantiles,
/// then the figure and its 90% interval in the target's quarters.
pub fn tables(data: &RunData) -> Vec<ChartTable> {
    let source = source_line(data);
    fans(data)
        .iter()
        .map(|(t, s, quarters)| {
            let unit = Unit::level(t.metric);
            let mut columns: Vec<Column> = ["p05", "p25", "p50", "p75", "p95"]
                .iter()
                .map(|k| Column { name: format!("{} {k}", t.scenario), unit })
                .collect();
            for name in ["figure", "figure low (90%)", "figure high (90%)"] {
                columns.push(Column { name: name.into(), unit });
            }
            let (lo, hi) = figure_interval(t);
            let values = quarters
                .iter()
                .map(|&q| {
                    let f = fan_numbers(data, *s, q, t.metric);
                    let mut row: Vec<Option<f64>> = (0..5).map(|k| f.map(|f| f[k])).collect();
                    let at = t.quarters.contains(&q);
                    row.extend([t.value, lo, hi].map(|v| at.then_some(v)));
                    row
                })
                .collect();
            ChartTable {
                stem: stem(t),
                title: title(t),
                units: crate::results::numbers::unit(t.metric),
                source: format!("{source}; figure: {}", t.source),
                caveat: caveat(data),
                row_header: "quarter".into(),
                rows: quarter_rows(quarters),
                columns,
                values,
            }
        })
        .collect()
}

fn title(t: &Target) -> String {
    format!("The fit: {} in {}, {}", t.metric.label(), t.scenario, t.when)
}

/// One target's chart: the fan over `quarters` and the figure with its
/// 90% sampling interval (a year's figure spans its four quarters).
pub fn target_chart(f: &TargetFan) -> Result<Chart, PlotError> {
    let t = f.target;
    let title = title(t);
    svg(&stem(t), &title, (1200, 800), |root| draw(root, f, &title))
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, f: &TargetFan, title: &str) -> Drawn {
    let t = f.target;
    let m = t.metric;
    let (flo, fhi) = figure_interval(t);
    let shown = |v: f64| {
        if is_share(m) {
            format!("{}%", crate::results::numbers::thousands(v * 100.0, 0))
        } else {
            crate::results::numbers::thousands(v, 0)
        }
    };
    let subtitle = format!(
        "Posterior predictive fan of the model in {} (median, 50% and 90% of posterior draws and chance); \
         black: the published figure, {}, with its 90% sampling interval ({} to {})",
        t.scenario,
        shown(t.value),
        shown(flo),
        shown(fhi)
    );
    let area = frame(root, title, &subtitle, &f.source)?;
    let nq = f.quarters.len();
    if nq == 0 {
        return Err("no quarters to draw".into());
    }
    let mut lo = flo;
    let mut hi = fhi;
    for b in f.fan.iter().flatten() {
        lo = lo.min(b[0]);
        hi = hi.max(b[4]);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return Err(format!("no numbers for {}", m.name()));
    }
    let pad = ((hi - lo) * 0.08).max(1e-3);
    // Shares from zero, as every share axis starts (money is shown where it lies).
    let (lo, hi) = if is_share(m) { (0.0, (hi + pad).min(1.0)) } else { (lo - pad, hi + pad) };
    let x_of = |q: Quarter| (q.index() - f.quarters[0].index()) as f64;
    let quarters = f.quarters.clone();
    let mut chart = ChartBuilder::on(&area)
        .margin_top(16)
        .margin_right(40)
        .margin_left(8)
        .x_label_area_size(64)
        .y_label_area_size(110)
        .build_cartesian_2d(-0.5..(nq as f64 - 0.5), lo..hi)
        .map_err(err)?;
    let label = |x: &f64| {
        let k = x.round();
        if (x - k).abs() > 1e-6 || k < 0.0 || k as usize >= nq {
            return String::new();
        }
        quarters[k as usize].to_string()
    };
    let step = (hi - lo) / 8.0;
    let y_fmt = |v: &f64| format_tick(m, *v, step);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::LIGHT_GREY)
        .x_labels(nq)
        .x_label_formatter(&label)
        .y_labels(8)
        .y_label_formatter(&y_fmt)
        .x_desc("Calendar quarter (2017Q2 = April to June 2017)")
        .y_desc(crate::results::numbers::unit(m))
        .label_style(style::text(14.0))
        .axis_desc_style(style::text(16.0))
        .draw()
        .map_err(err)?;
    let blue = colour(FAN_COLOUR);
    // Values far off the axis (only an edited file has them) are drawn a
    // span beyond it, so the pixel arithmetic stays in range (as the fans do).
    let span = hi - lo;
    let y_of = |v: f64| v.clamp(lo - span, hi + span);
    let points: Vec<(f64, [f64; 5])> =
        f.quarters.iter().zip(&f.fan).filter_map(|(&q, b)| b.map(|b| (x_of(q), b.map(y_of)))).collect();
    for (outer, inner, alpha) in [(0, 4, 0.18), (1, 3, 0.35)] {
        let mut band: Vec<(f64, f64)> = points.iter().map(|(x, b)| (*x, b[outer])).collect();
        band.extend(points.iter().rev().map(|(x, b)| (*x, b[inner])));
        chart.draw_series(std::iter::once(Polygon::new(band, blue.mix(alpha).filled()))).map_err(err)?;
    }
    chart
        .draw_series(LineSeries::new(points.iter().map(|(x, b)| (*x, b[2])), blue.stroke_width(3)))
        .map_err(err)?
        .label("model median (bands: 50% and 90%)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], blue.stroke_width(3)));
    // The figure: a point (a bar across a year's quarters) and its interval.
    let xs: Vec<f64> = t.quarters.iter().map(|&q| x_of(q)).collect();
    let mid = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
    if xs.len() > 1 {
        let (a, b) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)));
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(a, t.value), (b, t.value)], BLACK.stroke_width(2))))
            .map_err(err)?;
    }
    chart
        .draw_series(std::iter::once(PathElement::new(vec![(mid, flo), (mid, fhi)], BLACK.stroke_width(3))))
        .map_err(err)?
        .label("published figure, 90% sampling interval")
        .legend(|(x, y)| PathElement::new(vec![(x + 12, y - 8), (x + 12, y + 8)], BLACK.stroke_width(3)));
    chart.draw_series(std::iter::once(Circle::new((mid, t.value), 7, BLACK.filled()))).map_err(err)?;
    chart
        .configure_series_labels()
        .position(legend_corner(&f.fan))
        .background_style(WHITE.mix(0.9))
        .border_style(style::LIGHT_GREY)
        .label_font(style::text(15.0))
        .draw()
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_windows_and_intervals() {
        let ts = england_targets();
        assert_eq!(ts.len(), 7);
        let stems: Vec<String> = ts.iter().map(stem).collect();
        assert!(stems.contains(&"fit_provider_balance_gbp_m_2016-17".to_string()), "{stems:?}");
        let mut unique = stems.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 7, "one chart per target");
        // A survey of 200 at 0.62: sd sqrt(0.62 x 0.38 / 200) = 0.0343, so 0.62 -+ 0.0565.
        let (lo, hi) = figure_interval(&ts[0]);
        assert!((lo - 0.5635).abs() < 1e-3 && (hi - 0.6765).abs() < 1e-3, "{lo} {hi}");
        let start = Quarter::new(2016, 1).unwrap();
        let run: Vec<Quarter> = (0..21).map(|k| start.offset(k)).collect();
        let w = window(&ts[0], &run);
        assert_eq!((w[0], *w.last().unwrap()), (start, Quarter::new(2018, 4).unwrap()));
    }
}
