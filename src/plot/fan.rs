//! Fan charts: the median over replicates as a line, the 50% and 90% bands
//! shaded, one colour per scenario, each lever's start as a numbered line.

use super::data::{ChartTable, Column, Unit, fan_numbers};
use super::input::RunData;
use super::numbers;
use super::style::{self, colour};
use super::{Chart, ChartOptions, Drawn, PlotError, err, frame, source_line, svg};
use crate::model::Metric;
use crate::quarter::Quarter;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The HFMA survey (October-November 2016): 62% of 200 finance directors.
pub const SURVEY_QUARTER: (i32, u8) = (2016, 4);
pub const SURVEY_SHARE: f64 = 0.62;
pub const SURVEY_N: f64 = 200.0;

/// The survey's 95% sampling interval (normal approximation).
pub fn survey_interval() -> (f64, f64) {
    let half = 1.96 * (SURVEY_SHARE * (1.0 - SURVEY_SHARE) / SURVEY_N).sqrt();
    (SURVEY_SHARE - half, SURVEY_SHARE + half)
}

struct Spec<'a> {
    stem: &'a str,
    title: &'a str,
    subtitle: &'a str,
    panels: &'a [(Metric, &'a str)],
    y_label: &'a str,
    size: (u32, u32),
}

const SPECS: &[Spec<'static>] = &[
    Spec {
        stem: "fan_transformation_index",
        title: "Transformation index",
        subtitle: "1 minus the mean of the three Five Year Forward View gaps, {structure}, weighted by budget; 0 at the start, higher is better",
        panels: &[(Metric::TransformationIndex, "")],
        y_label: "index",
        size: (1200, 800),
    },
    Spec {
        stem: "fan_social_care_priority",
        title: "Social care's place on STP agendas",
        subtitle: "Share of agendas given to social care integration and prevention, {structure}, weighted by budget",
        panels: &[(Metric::SocialCarePriority, "")],
        y_label: "share of agenda",
        size: (1200, 800),
    },
    Spec {
        stem: "fan_self_priority_share",
        title: "NHS bodies putting their own organisation first",
        subtitle: "Share of trusts and CCGs that self-prioritise in the quarter, {structure}; the HFMA survey of late 2016 found 62%",
        panels: &[(Metric::SelfPriorityShare, "")],
        y_label: "share of NHS bodies",
        size: (1200, 800),
    },
    Spec {
        stem: "fan_collaboration_rate",
        title: "Organisations collaborating with their STP",
        subtitle: "Share of all trusts, CCGs, councils and primary care federations that collaborate in the quarter, {structure}",
        panels: &[(Metric::CollaborationRate, "")],
        y_label: "share of organisations",
        size: (1200, 800),
    },
    Spec {
        stem: "fan_council_engagement",
        title: "Councils engaging with their STP",
        subtitle: "Share of councils that collaborate in the quarter, {structure}",
        panels: &[(Metric::CouncilEngagement, "")],
        y_label: "share of councils",
        size: (1200, 800),
    },
    Spec {
        stem: "fan_unsure_share",
        title: "NHS bodies unsure how STPs relate to their duties",
        subtitle: "Share of trusts and CCGs unsure of STP accountability, {structure}; 72% of finance directors in the HFMA survey of late 2016",
        panels: &[(Metric::UnsureShare, "")],
        y_label: "share of NHS bodies",
        size: (1200, 800),
    },
    Spec {
        stem: "fan_provider_balance_gbp_m",
        title: "Providers' reported balance",
        subtitle: "Sum of NHS trusts' reported balances after sustainability funding, {structure}, £m a year",
        panels: &[(Metric::ProviderBalanceGbpM, "")],
        y_label: "£m a year",
        size: (1200, 800),
    },
    Spec {
        stem: "fan_gaps",
        title: "The three Five Year Forward View gaps",
        subtitle: "Each gap relative to its 2015/16 projection (1 = as projected, lower is better), {structure}, weighted by budget",
        panels: &[
            (Metric::GapHw, "Health and wellbeing"),
            (Metric::GapCq, "Care and quality"),
            (Metric::GapFe, "Finance and efficiency"),
        ],
        y_label: "gap (1 = 2015/16 projection)",
        size: (1500, 800),
    },
];

/// The quarters every scenario of the run covers, end to end.
pub(crate) fn axis(data: &RunData) -> Vec<Quarter> {
    let first = data.scenarios.iter().filter_map(|s| s.quarters.first()).min().copied();
    let last = data.scenarios.iter().filter_map(|s| s.quarters.last()).max().copied();
    match (first, last) {
        (Some(a), Some(b)) => (0..a.span_to(b)).map(|k| a.offset(k)).collect(),
        _ => Vec::new(),
    }
}

/// A numbered lever marker: the quarter, the scenarios whose levers start
/// or end then (with what starts or ends), and the marker's colour.
pub(crate) struct Mark {
    pub n: usize,
    pub quarter: Quarter,
    pub what: Vec<(usize, String)>,
    /// Only ends at this quarter: drawn as a dotted line.
    pub ends_only: bool,
}

impl Mark {
    pub fn colour(&self) -> RGBColor {
        match self.what.as_slice() {
            [(s, _)] if *s != EVERY_SCENARIO => colour(*s),
            _ => style::GREY,
        }
    }
}

/// Lever starts and ends (an end is the first quarter without the lever)
/// grouped by quarter, numbered in time order.
pub(crate) fn lever_marks(data: &RunData) -> Vec<Mark> {
    let mut quarters: Vec<Quarter> = data
        .scenarios
        .iter()
        .flat_map(|s| s.levers.iter().flat_map(|l| std::iter::once(l.start).chain(l.end)))
        .collect();
    quarters.sort();
    quarters.dedup();
    quarters
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let mut ends_only = true;
            let mut what: Vec<(usize, String)> = data
                .scenarios
                .iter()
                .enumerate()
                .filter_map(|(s, sc)| {
                    let mut levers: Vec<String> = Vec::new();
                    for l in &sc.levers {
                        let name = format!("{} ({})", style::lever_label(&l.kind), l.target);
                        if l.start == q {
                            levers.push(name);
                            ends_only = false;
                        } else if l.end == Some(q) {
                            levers.push(format!("{name} ends"));
                        }
                    }
                    (!levers.is_empty()).then(|| (s, levers.join(", ")))
                })
                .collect();
            // A lever all scenarios share (joint working) is listed once.
            if what.len() > 1 && what.len() == data.scenarios.len() && what.iter().all(|w| w.1 == what[0].1) {
                what = vec![(EVERY_SCENARIO, what[0].1.clone())];
            }
            Mark { n: i + 1, quarter: q, what, ends_only }
        })
        .collect()
}

/// In `Mark::what`, a lever every scenario of the run starts alike.
pub(crate) const EVERY_SCENARIO: usize = usize::MAX;

/// Bands are drawn for up to this many scenarios; more would hide each other.
pub(crate) const MAX_BANDED: usize = 3;

/// A scenario's line: solid in its palette colour, dashed once the palette repeats.
fn scenario_line(s: usize) -> (RGBColor, bool) {
    (colour(s), s >= style::PALETTE.len())
}

use super::numbers::is_share;

/// An axis value with the decimals its tick step needs, so labels never repeat.
pub(crate) fn format_tick(m: Metric, v: f64, step: f64) -> String {
    if is_share(m) {
        format!("{}%", numbers::thousands(v * 100.0, super::rough_tick_decimals(step * 100.0)))
    } else {
        numbers::thousands(v, super::rough_tick_decimals(step).max(if numbers::is_money(m) { 0 } else { 1 }))
    }
}

/// Where a panel's axis does not show zero, the subtitle says so.
fn axis_note(spec: &Spec, data: &RunData, options: &ChartOptions) -> Option<&'static str> {
    let zero_excluded = spec.panels.iter().any(|&(m, _)| {
        let (lo, hi) = y_range(data, m, spec.panels.iter().any(|p| p.0 == Metric::SelfPriorityShare), options);
        lo > 0.0 || hi < 0.0
    });
    match (zero_excluded, spec.panels.iter().any(|p| is_share(p.0))) {
        (false, _) => None,
        (true, true) => Some("the axis is zoomed and does not start at zero"),
        (true, false) => Some("the axis does not start at zero"),
    }
}

/// A panel's axis: the 90% bands of every scenario (and the survey's
/// interval), padded; shares from zero unless zoomed.
fn y_range(data: &RunData, metric: Metric, survey: bool, options: &ChartOptions) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (s, sc) in data.scenarios.iter().enumerate() {
        for &q in &sc.quarters {
            if let Some(f) = fan_numbers(data, s, q, metric) {
                lo = lo.min(f[0]);
                hi = hi.max(f[4]);
            }
        }
    }
    if survey {
        let (a, b) = survey_interval();
        lo = lo.min(a);
        hi = hi.max(b);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let pad = ((hi - lo) * 0.08).max(if is_share(metric) { 0.01 } else { 1e-3 });
    let (mut lo, mut hi) = (lo - pad, hi + pad);
    if is_share(metric) {
        lo = if options.zoom { lo.max(0.0) } else { 0.0 };
        hi = hi.min(1.0);
    }
    (lo, hi)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &RunData,
    spec: &Spec,
    options: &ChartOptions,
) -> Drawn {
    let mut subtitle = spec.subtitle.replace("{structure}", &data.structure_names());
    if let Some(note) = axis_note(spec, data, options) {
        subtitle = format!("{subtitle}; {note}");
    }
    let mut source = source_line(data);
    if survey_chart(spec) {
        source += "; survey: HFMA, NHS finance directors, Oct-Nov 2016";
    }
    let area = frame(root, spec.title, &subtitle, &source)?;
    let (w, _) = area.dim_in_pixel();
    let (plot, legend) = area.split_horizontally(w - 360);
    let quarters = axis(data);
    let marks = lever_marks(data);
    let survey = spec.panels.iter().any(|p| p.0 == Metric::SelfPriorityShare);
    let panels = plot.split_evenly((1, spec.panels.len()));
    for (panel, &(metric, caption)) in panels.iter().zip(spec.panels) {
        let range = y_range(data, metric, survey, options);
        draw_panel(panel, data, &quarters, &marks, metric, caption, spec.y_label, survey, range)?;
    }
    draw_legend(&legend, data, &marks, survey)
}

fn survey_chart(spec: &Spec) -> bool {
    spec.panels.iter().any(|p| matches!(p.0, Metric::SelfPriorityShare | Metric::UnsureShare))
}

#[allow(clippy::too_many_arguments)]
fn draw_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    data: &RunData,
    quarters: &[Quarter],
    marks: &[Mark],
    metric: Metric,
    caption: &str,
    y_label: &str,
    survey: bool,
    (lo, hi): (f64, f64),
) -> Drawn {
    let nq = quarters.len();
    let x_of = |q: Quarter| (q.index() - quarters[0].index()) as f64;
    if !lo.is_finite() || !hi.is_finite() {
        return Err(format!("no summary rows for {}", metric.name()));
    }
    // Above the plot: the panel's caption, then a band for the lever markers
    // (two rows, so markers one quarter apart do not touch).
    let caption_px = if caption.is_empty() { 0 } else { 30 };
    if !caption.is_empty() {
        panel.draw(&Text::new(caption.to_string(), (96, 4), style::bold(20.0))).map_err(err)?;
    }
    let mut builder = ChartBuilder::on(panel);
    builder.margin_top(caption_px + if marks.is_empty() { 16 } else { 66 }).margin_right(24).margin_left(8);
    builder.x_label_area_size(64).y_label_area_size(if caption.is_empty() { 96 } else { 84 });
    let mut chart = builder.build_cartesian_2d(-0.5..(nq as f64 - 0.5), lo..hi).map_err(err)?;
    let year_label = |x: &f64| {
        let k = x.round();
        if (x - k).abs() > 1e-6 || k < 0.0 || k as usize >= nq {
            return String::new();
        }
        let q = quarters[k as usize];
        if q.q() == 1 { q.year().to_string() } else { String::new() }
    };
    let step = (hi - lo) / 8.0;
    let y_fmt = |v: &f64| format_tick(metric, *v, step);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::LIGHT_GREY)
        .x_labels(nq)
        .x_label_formatter(&year_label)
        .y_labels(8)
        .y_label_formatter(&y_fmt)
        .x_desc("Calendar quarter, labelled at Q1 (January to March); 2017Q2 = April to June 2017, first quarter of 2017/18")
        .y_desc(y_label)
        .label_style(style::text(15.0))
        .axis_desc_style(style::text(16.0))
        .draw()
        .map_err(err)?;

    // Values far off the axis (only an edited file has them) are drawn at a
    // span beyond it: clipped the same, and the pixel arithmetic stays in range.
    let span = hi - lo;
    let y_of = |v: f64| v.clamp(lo - span, hi + span);
    let banded = data.scenarios.len() <= MAX_BANDED;
    for (s, sc) in data.scenarios.iter().enumerate().filter(|_| banded) {
        let c = colour(s);
        let band = |a: usize, b: usize| -> Vec<(f64, f64)> {
            let up = sc.quarters.iter().filter_map(|&q| fan_numbers(data, s, q, metric).map(|f| (x_of(q), y_of(f[b]))));
            let down: Vec<(f64, f64)> = sc
                .quarters
                .iter()
                .filter_map(|&q| fan_numbers(data, s, q, metric).map(|f| (x_of(q), y_of(f[a]))))
                .collect();
            up.chain(down.into_iter().rev()).collect()
        };
        chart.draw_series(std::iter::once(Polygon::new(band(0, 4), c.mix(0.13).filled()))).map_err(err)?;
        chart.draw_series(std::iter::once(Polygon::new(band(1, 3), c.mix(0.28).filled()))).map_err(err)?;
    }
    for (s, sc) in data.scenarios.iter().enumerate() {
        let line: Vec<(f64, f64)> = sc
            .quarters
            .iter()
            .filter_map(|&q| fan_numbers(data, s, q, metric).map(|f| (x_of(q), y_of(f[2]))))
            .collect();
        match scenario_line(s) {
            (c, false) => chart.draw_series(LineSeries::new(line, c.stroke_width(3))).map_err(err)?,
            (c, true) => chart.draw_series(DashedLineSeries::new(line, 10, 6, c.stroke_width(3))).map_err(err)?,
        };
    }
    let mut last_marker: Option<(i32, i32)> = None;
    for mark in marks {
        let (n, q, c) = (mark.n, mark.quarter, mark.colour());
        if q < quarters[0] || q > quarters[nq - 1] {
            continue;
        }
        let x = x_of(q) - 0.5;
        let style = c.stroke_width(2);
        let (dash, gap) = if mark.ends_only { (3, 5) } else { (8, 6) };
        chart.draw_series(DashedLineSeries::new(vec![(x, lo), (x, hi)], dash, gap, style)).map_err(err)?;
        let (px, py) = chart.backend_coord(&(x, hi));
        let root = panel.strip_coord_spec();
        let (ox, oy) = (root.get_base_pixel().0, root.get_base_pixel().1);
        let (cx, mut cy) = (px - ox, py - oy - 18);
        if let Some((lx, ly)) = last_marker {
            if cx - lx < 27 && ly == cy {
                cy -= 27;
            }
        }
        last_marker = Some((cx, cy));
        if cy < py - oy - 18 {
            root.draw(&PathElement::new(vec![(cx, cy + 12), (cx, py - oy)], c.stroke_width(1))).map_err(err)?;
        }
        root.draw(&Circle::new((cx, cy), 12, WHITE.filled())).map_err(err)?;
        root.draw(&Circle::new((cx, cy), 12, c.stroke_width(2))).map_err(err)?;
        root.draw(&Text::new(n.to_string(), (cx, cy), style::centred(style::bold(15.0)))).map_err(err)?;
    }
    if survey {
        if let Some(q) = Quarter::new(SURVEY_QUARTER.0, SURVEY_QUARTER.1).filter(|q| quarters.contains(q)) {
            let x = x_of(q);
            let (a, b) = survey_interval();
            let black = BLACK.stroke_width(2);
            chart
                .draw_series([
                    PathElement::new(vec![(x, a), (x, b)], black),
                    PathElement::new(vec![(x - 0.25, a), (x + 0.25, a)], black),
                    PathElement::new(vec![(x - 0.25, b), (x + 0.25, b)], black),
                ])
                .map_err(err)?;
            chart.draw_series(std::iter::once(Circle::new((x, SURVEY_SHARE), 7, BLACK.filled()))).map_err(err)?;
        }
    }
    Ok(())
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &RunData,
    marks: &[Mark],
    survey: bool,
) -> Drawn {
    let (_, height) = area.dim_in_pixel();
    let bottom = height as i32 - 30;
    let mut y = 24;
    let x = 16;
    let banded = data.scenarios.len() <= MAX_BANDED;
    area.draw(&Text::new("Scenarios", (x, y), style::bold(17.0))).map_err(err)?;
    y += 28;
    let row = if data.scenarios.len() > 8 { 20 } else { 26 };
    for (s, sc) in data.scenarios.iter().enumerate() {
        let (c, dashed) = scenario_line(s);
        if dashed {
            area.draw(&PathElement::new(vec![(x, y + 8), (x + 14, y + 8)], c.stroke_width(4))).map_err(err)?;
            area.draw(&PathElement::new(vec![(x + 20, y + 8), (x + 34, y + 8)], c.stroke_width(4))).map_err(err)?;
        } else {
            area.draw(&PathElement::new(vec![(x, y + 8), (x + 34, y + 8)], c.stroke_width(4))).map_err(err)?;
        }
        area.draw(&Text::new(sc.name.clone(), (x + 44, y), style::text(15.0))).map_err(err)?;
        y += row;
    }
    y += 10;
    let g = style::GREY;
    if banded {
        area.draw(&Text::new("Across replicates", (x, y), style::bold(17.0))).map_err(err)?;
        y += 28;
        area.draw(&Rectangle::new([(x, y), (x + 34, y + 18)], g.mix(0.13).filled())).map_err(err)?;
        area.draw(&Text::new("90% of replicates", (x + 44, y + 1), style::text(15.0))).map_err(err)?;
        y += 26;
        area.draw(&Rectangle::new([(x, y), (x + 34, y + 18)], g.mix(0.28).filled())).map_err(err)?;
        area.draw(&Text::new("50% of replicates", (x + 44, y + 1), style::text(15.0))).map_err(err)?;
        y += 26;
        area.draw(&PathElement::new(vec![(x, y + 9), (x + 34, y + 9)], g.stroke_width(3))).map_err(err)?;
        area.draw(&Text::new("median", (x + 44, y + 1), style::text(15.0))).map_err(err)?;
        y += 26;
    } else {
        for line in [
            "Lines are medians across replicates;",
            "with this many scenarios the bands",
            "are left out: see comparison",
            "and report.html for intervals",
        ] {
            area.draw(&Text::new(line, (x, y), style::text(14.0))).map_err(err)?;
            y += 18;
        }
        y += 8;
    }
    if survey {
        y += 6;
        area.draw(&Circle::new((x + 17, y + 9), 6, BLACK.filled())).map_err(err)?;
        area.draw(&PathElement::new(vec![(x + 17, y - 4), (x + 17, y + 22)], BLACK.stroke_width(2))).map_err(err)?;
        for line in ["HFMA survey, Oct-Nov 2016: 62% of", "200 NHS bodies, with its 95%", "sampling interval"] {
            area.draw(&Text::new(line, (x + 44, y), style::text(15.0))).map_err(err)?;
            y += 19;
        }
        y += 8;
    }
    let changed: Vec<String> = (0..data.scenarios.len())
        .flat_map(|s| {
            data.changed_params(s).into_iter().map(move |p| {
                let against = if s == 0 { "default".to_string() } else { data.scenarios[0].name.clone() };
                format!("{}: {} {} ({against} {})", data.scenarios[s].name, p.name, p.value, p.reference)
            })
        })
        .collect();
    if !changed.is_empty() {
        y += 4;
        area.draw(&Text::new("Settings from the first quarter", (x, y), style::bold(17.0))).map_err(err)?;
        y += 24;
        let lines: Vec<String> = changed.iter().flat_map(|c| style::wrap(c, 36)).collect();
        let shown = lines.len().min(6);
        for line in &lines[..shown] {
            area.draw(&Text::new(line.clone(), (x, y), style::text(14.0))).map_err(err)?;
            y += 18;
        }
        if shown < lines.len() {
            area.draw(&Text::new("... and more in report.html", (x, y), style::text(14.0))).map_err(err)?;
            y += 18;
        }
        y += 6;
    }
    if marks.is_empty() {
        return Ok(());
    }
    y += 10;
    area.draw(&Text::new("Levers switched on and off", (x, y), style::bold(17.0))).map_err(err)?;
    y += 26;
    for mark in marks {
        // One scenario: the quarter leads its line. Several: the quarter on a
        // line of its own, then each scenario's levers (or just their names
        // when that would not fit).
        let single = mark.what.len() == 1;
        let mut lines = Vec::new();
        for (s, text) in &mark.what {
            let name = data.scenarios.get(*s).map_or("all", |sc| sc.name.as_str());
            // A lever every scenario shares is context, not a difference: one short line.
            let text = if *s == EVERY_SCENARIO { text.replace(" (all footprints)", "") } else { text.clone() };
            let body = if single { format!("{} {name}: {text}", mark.quarter) } else { format!("{name}: {text}") };
            lines.extend(style::wrap(&body, 34));
        }
        if !single && 18 * (lines.len() as i32 + 1) + 6 > bottom - y - 40 {
            let names: Vec<&str> = mark
                .what
                .iter()
                .map(|(s, _)| data.scenarios.get(*s).map_or("all scenarios", |sc| sc.name.as_str()))
                .collect();
            lines = style::wrap(&format!("levers of {}", names.join(", ")), 34);
        }
        let needed = 18 * (lines.len() as i32 + i32::from(!single)) + 6;
        if y + needed > bottom {
            area.draw(&Text::new("... and more: every lever is listed", (x, y), style::text(14.0))).map_err(err)?;
            area.draw(&Text::new("in report.html", (x, y + 18), style::text(14.0))).map_err(err)?;
            break;
        }
        area.draw(&Circle::new((x + 10, y + 8), 11, mark.colour().stroke_width(2))).map_err(err)?;
        area.draw(&Text::new(mark.n.to_string(), (x + 10, y + 8), style::centred(style::bold(14.0)))).map_err(err)?;
        if !single {
            area.draw(&Text::new(mark.quarter.to_string(), (x + 30, y), style::bold(14.0))).map_err(err)?;
            y += 18;
        }
        for line in lines {
            area.draw(&Text::new(line, (x + 30, y), style::text(14.0))).map_err(err)?;
            y += 18;
        }
        y += 6;
    }
    Ok(())
}

pub(super) fn render(data: &RunData, options: &ChartOptions) -> Result<Vec<Chart>, PlotError> {
    SPECS.iter().map(|spec| svg(spec.stem, spec.title, spec.size, |root| draw(root, data, spec, options))).collect()
}

/// The statistics a fan chart draws: the bands and the median, or the
/// median alone where there are too many scenarios for bands.
const BAND_STATS: [&str; 5] = ["p05", "p25", "p50", "p75", "p95"];

/// A cell of a fan chart's table: its value at a quarter.
type Cell<'a> = Box<dyn Fn(Quarter) -> Option<f64> + 'a>;

/// Each fan chart's numbers ([`table`]), in the order they are drawn.
pub(super) fn tables(data: &RunData) -> Vec<ChartTable> {
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
    let subtitle = spec.subtitle.replace("{structure}", &data.structure_names());
    let mut source = source_line(data);
    if survey_chart(spec) {
        source += "; survey: HFMA, NHS finance directors, Oct-Nov 2016";
    }
    ChartTable {
        stem: spec.stem.to_string(),
        title: spec.title.to_string(),
        units: format!("{}; {subtitle}", spec.y_label),
        source,
        caveat: super::data::caveat(data),
        row_header: "quarter".into(),
        rows: super::data::quarter_rows(&quarters),
        values: quarters.iter().map(|&q| cells.iter().map(|c| c(q)).collect()).collect(),
        columns,
    }
}
