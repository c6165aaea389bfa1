//! Fan charts: the median over replicates as a line, the 50% and 90% bands
//! shaded, one colour per scenario, each lever's start as a numbered line.

use crate::core::quarter::Quarter;
use crate::model::Metric;
use crate::plot::data::{ChartTable, Column, Unit, fan_numbers};
use crate::plot::input::RunData;
use crate::plot::style::{self, colour};
use crate::plot::{Chart, ChartOptions, Drawn, PlotError, err, frame, source_line, svg};
use crate::results::numbers;
use plotters::coord::Shift;
use plotters::prelude::*;

mod legend;
mod table;
use legend::*;
pub use table::metric_table;
pub(super) use table::tables;

/// The HFMA survey (October-November 2016): 62% of 200 finance directors.
pub const SURVEY_QUARTER: (i32, u8) = (2016, 4);
pub const SURVEY_SHARE: f64 = 0.62;
pub const SURVEY_N: f64 = 200.0;

/// The survey's 90% sampling interval (normal approximation), as every
/// published figure's ([`crate::targets::Target::interval`]).
pub fn survey_interval() -> (f64, f64) {
    let half = crate::targets::Z90 * (SURVEY_SHARE * (1.0 - SURVEY_SHARE) / SURVEY_N).sqrt();
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
        subtitle: "How far the three Five Year Forward View gaps have closed, {structure}, weighted by budget: {meaning}; higher is better",
        panels: &[(Metric::TransformationIndex, "")],
        y_label: "index (0 = gaps as projected in 2015/16)",
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

use crate::results::numbers::is_share;

/// An axis value with the decimals its tick step needs, so labels never repeat.
pub(crate) fn format_tick(m: Metric, v: f64, step: f64) -> String {
    let f = m.format();
    let d = crate::plot::rough_tick_decimals(f.scaled(step));
    match f {
        crate::model::metrics::Format::Share => format!("{}%", f.tick(v, d)),
        crate::model::metrics::Format::Money => f.tick(v, d),
        _ => f.tick(v, d.max(1)),
    }
}

/// A published figure drawn on a fan chart: one of the England calibration
/// targets (data/targets.toml) for the chart's metric, with its 90% interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The quarter it describes, or a financial year's four.
    pub quarters: Vec<Quarter>,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
    /// "HFMA financial temperature check, 2016Q4: 72.0%".
    pub words: String,
}

/// The published figures for `m` that a run on England can be held against.
pub fn figures(data: &RunData, m: Metric) -> Vec<Figure> {
    if !data.scenarios.iter().any(|s| s.structure_name.starts_with("England")) {
        return Vec::new();
    }
    let Ok(t) = crate::targets::parse(crate::targets::ENGLAND, "data/targets.toml") else {
        return Vec::new();
    };
    let quarters = axis(data);
    t.targets
        .iter()
        .filter(|t| t.metric == m && t.quarters.iter().all(|q| quarters.contains(q)))
        .map(|t| {
            let (lo, hi) = t.interval();
            let from = t.source.split([',', '(', ':']).next().unwrap_or("").trim();
            Figure {
                quarters: t.quarters.clone(),
                value: t.value,
                lo,
                hi,
                words: format!("{from}, {}: {}", t.when, m.format().level(t.value)),
            }
        })
        .collect()
}

/// The run's scenarios grouped by structure, in order of first appearance:
/// each group's first scenario is its reference.
pub fn structure_groups(data: &RunData) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (s, sc) in data.scenarios.iter().enumerate() {
        match groups.iter_mut().find(|g| data.scenarios[g[0]].structure == sc.structure) {
            Some(g) => g.push(s),
            None => groups.push(vec![s]),
        }
    }
    groups
}

/// Past this many scenarios, or with more than one structure, a fan chart is
/// drawn as small multiples: a panel per scenario, each structure on its
/// own axis, so no colour repeats and no structure flattens another.
pub(crate) const MAX_LINES: usize = 8;

/// Whether a run's fan charts are small multiples.
pub fn small_multiples(data: &RunData) -> bool {
    data.scenarios.len() > MAX_LINES || structure_groups(data).len() > 1
}

/// Columns of the small multiples.
const GRID_COLUMNS: usize = 4;

/// A panel's axis: the 90% bands of `scenarios` (and the figures'
/// intervals), padded; shares from zero unless zoomed.
fn y_range(
    data: &RunData,
    scenarios: &[usize],
    metric: Metric,
    figures: &[Figure],
    options: &ChartOptions,
) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for &s in scenarios {
        for &q in &data.scenarios[s].quarters {
            if let Some(f) = fan_numbers(data, s, q, metric) {
                lo = lo.min(f[0]);
                hi = hi.max(f[4]);
            }
        }
    }
    for f in figures {
        lo = lo.min(f.lo);
        hi = hi.max(f.hi);
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

/// Where any panel's axis does not show zero, the subtitle says so.
fn axis_note(ranges: &[(Metric, (f64, f64))]) -> Option<&'static str> {
    let zero_excluded = ranges.iter().any(|&(_, (lo, hi))| lo > 0.0 || hi < 0.0);
    match (zero_excluded, ranges.iter().any(|p| is_share(p.0))) {
        (false, _) => None,
        (true, true) => Some("the axis is zoomed and does not start at zero"),
        (true, false) => Some("the axis does not start at zero"),
    }
}

/// Text under the chart's title: what it shows, for which structures, what
/// the numbers mean, and whether an axis is zoomed.
fn full_subtitle(spec: &Spec, data: &RunData, note: Option<&str>) -> String {
    let mut subtitle = subtitle(spec, data);
    if spec.panels.iter().any(|p| p.0 == Metric::ProviderBalanceGbpM) {
        subtitle += &fund_note(data);
    }
    if small_multiples(data) {
        let groups = structure_groups(data);
        subtitle += if groups.len() > 1 {
            "; a panel per scenario, each structure on its own axis"
        } else {
            "; a panel per scenario, on one axis"
        };
    }
    if let Some(note) = note {
        subtitle = format!("{subtitle}; {note}");
    }
    subtitle
}

/// Why providers' balance steps up in the run's second quarter: the
/// Sustainability and Transformation Fund starts with 2016/17 (spec section
/// 2: a quarter of 2015/16 has no fund).
fn fund_note(data: &RunData) -> String {
    let p = &data.scenarios[0].params;
    match (p.get("stf_2016_total"), p.get("stf_2016_share"), data.scenarios[0].quarters.first()) {
        (Some(total), Some(share), Some(first)) if first.financial_year() < 2016 => format!(
            ". The step up after {first} is the Sustainability and Transformation Fund starting in 2016/17: £{:.1}bn a year \
             of sustainability funding for trusts in deficit, none in 2015/16",
            total * (1.0 - share)
        ),
        _ => String::new(),
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &RunData,
    spec: &Spec,
    options: &ChartOptions,
) -> Drawn {
    let groups = structure_groups(data);
    let grid = small_multiples(data);
    let figures: Vec<Vec<Figure>> = spec.panels.iter().map(|p| figures(data, p.0)).collect();
    // One axis per structure and metric.
    let ranges: Vec<Vec<(Metric, (f64, f64))>> = groups
        .iter()
        .map(|g| {
            spec.panels
                .iter()
                .zip(&figures)
                .map(|(&(m, _), f)| {
                    let all: Vec<usize> = g.clone();
                    let f: &[Figure] = if is_england(data, g[0]) { f } else { &[] };
                    (m, y_range(data, &all, m, f, options))
                })
                .collect()
        })
        .collect();
    let note = axis_note(&ranges.concat());
    let mut source = source_line(data);
    if figures.iter().any(|f| !f.is_empty()) {
        source += "; published figures: data/targets.toml";
    }
    let area = frame(root, spec.title, &full_subtitle(spec, data, note), &source)?;
    let (w, _) = area.dim_in_pixel();
    let (plot, legend) = area.split_horizontally(w - 360);
    let quarters = axis(data);
    // The x axis's caption once, under every panel.
    let (_, ph) = plot.dim_in_pixel();
    let (plot, caption) = plot.split_vertically(ph - 30);
    caption.draw(&Text::new(X_CAPTION, (96, 4), style::text(16.0))).map_err(err)?;
    if grid {
        let marks = Vec::new();
        let n = data.scenarios.len();
        let rows = n.div_ceil(GRID_COLUMNS);
        let cells = plot.split_evenly((rows, GRID_COLUMNS));
        let order: Vec<(usize, usize)> =
            groups.iter().enumerate().flat_map(|(g, ss)| ss.iter().map(move |&s| (g, s))).collect();
        for (cell, &(g, s)) in cells.iter().zip(&order) {
            let reference = groups[g][0];
            let title = if groups.len() > 1 {
                format!("{} ({})", data.scenarios[s].name, short_structure(&data.scenarios[s].structure_name))
            } else {
                data.scenarios[s].name.clone()
            };
            let levers = panel_levers(data, reference, s);
            let panel = PanelSpec {
                caption: &title,
                levers: &levers,
                scenarios: if s == reference { vec![s] } else { vec![reference, s] },
                y_label: if order.iter().position(|o| o.1 == s).unwrap_or(0) % GRID_COLUMNS == 0 {
                    spec.y_label
                } else {
                    ""
                },
                small: true,
            };
            if spec.panels.len() == 1 {
                let m = spec.panels[0].0;
                let f: &[Figure] = if is_england(data, s) { &figures[0] } else { &[] };
                draw_panel(cell, data, &quarters, &marks, m, &panel, f, ranges[g][0].1)?;
            } else {
                let metrics: Vec<Metric> = spec.panels.iter().map(|p| p.0).collect();
                let lo = ranges[g].iter().map(|r| r.1.0).fold(f64::INFINITY, f64::min);
                let hi = ranges[g].iter().map(|r| r.1.1).fold(f64::NEG_INFINITY, f64::max);
                draw_metrics_panel(cell, data, &quarters, &metrics, s, &panel, (lo, hi))?;
            }
        }
        return draw_grid_legend(&legend, data, spec, &figures.concat());
    }
    let marks = lever_marks(data);
    let panels = plot.split_evenly((1, spec.panels.len()));
    let all: Vec<usize> = (0..data.scenarios.len()).collect();
    for ((panel, &(metric, caption)), (f, r)) in panels.iter().zip(spec.panels).zip(figures.iter().zip(&ranges[0])) {
        let spec = PanelSpec { caption, levers: "", scenarios: all.clone(), y_label: spec.y_label, small: false };
        draw_panel(panel, data, &quarters, &marks, metric, &spec, f, r.1)?;
    }
    draw_legend(&legend, data, &marks, &figures.concat())
}

/// The x axis's caption, drawn once under all panels.
const X_CAPTION: &str = "Calendar quarter, labelled at Q1 (January to March); 2017Q2 = April to June 2017, first quarter of 2017/18; \
     a lever's line is at the start of its first quarter";

fn is_england(data: &RunData, s: usize) -> bool {
    data.scenarios[s].structure_name.starts_with("England")
}

/// "England" for "England (44 footprints)".
fn short_structure(name: &str) -> &str {
    name.split(" (").next().unwrap_or(name)
}

/// The levers of scenario `s` that its reference does not run alike, in
/// words with their start: "veto removed 2017Q2".
fn panel_levers(data: &RunData, reference: usize, s: usize) -> String {
    let base = &data.scenarios[reference].levers;
    let own: Vec<String> = data.scenarios[s]
        .levers
        .iter()
        .filter(|l| s == reference || !base.contains(l))
        .map(|l| format!("{} {}", style::lever_label(&l.kind), l.start))
        .collect();
    if own.is_empty() { "no levers of its own".to_string() } else { own.join("; ") }
}

/// What one panel shows.
struct PanelSpec<'a> {
    caption: &'a str,
    /// Small multiples: the panel's own levers in words, under its caption.
    levers: &'a str,
    /// Scenarios drawn; in small multiples the reference first, in grey.
    scenarios: Vec<usize>,
    y_label: &'a str,
    small: bool,
}

/// The subtitle with the run's structures and the metric's meaning in words.
fn subtitle(spec: &Spec, data: &RunData) -> String {
    let meaning = spec.panels.first().and_then(|p| p.0.format().meaning()).unwrap_or("");
    spec.subtitle.replace("{structure}", &data.structure_names()).replace("{meaning}", meaning)
}

fn survey_chart(spec: &Spec) -> bool {
    spec.panels.iter().any(|p| matches!(p.0, Metric::SelfPriorityShare | Metric::UnsureShare))
}

/// Fill opacities of the 90% and 50% bands.
const BAND_ALPHA: [f64; 2] = [0.16, 0.32];

/// How a scenario's bands are drawn: filled in its colour, or, for the
/// reference under other banded scenarios, as outlines, so that no two
/// fills overlap into a colour that belongs to neither.
fn outlined(banded: &[usize], s: usize) -> bool {
    banded.len() > 1 && s == banded[0]
}

#[allow(clippy::too_many_arguments)]
fn draw_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    data: &RunData,
    quarters: &[Quarter],
    marks: &[Mark],
    metric: Metric,
    spec: &PanelSpec,
    figures: &[Figure],
    (lo, hi): (f64, f64),
) -> Drawn {
    let x_of = |q: Quarter| (q.index() - quarters[0].index()) as f64;
    if !lo.is_finite() || !hi.is_finite() {
        return Err(format!("no summary rows for {}", metric.name()));
    }
    let mut chart = panel_chart(panel, quarters, spec, !marks.is_empty(), metric, (lo, hi))?;
    // Values far off the axis (only an edited file has them) are drawn at a
    // span beyond it: clipped the same, and the pixel arithmetic stays in range.
    let span = hi - lo;
    let y_of = |v: f64| v.clamp(lo - span, hi + span);
    let banded: Vec<usize> = if spec.scenarios.len() <= MAX_BANDED { spec.scenarios.clone() } else { Vec::new() };
    for &s in &banded {
        let sc = &data.scenarios[s];
        let c = panel_colour(spec, s);
        let edge = |k: usize| -> Vec<(f64, f64)> {
            sc.quarters.iter().filter_map(|&q| fan_numbers(data, s, q, metric).map(|f| (x_of(q), y_of(f[k])))).collect()
        };
        if outlined(&banded, s) {
            for (k, dash) in [(0, true), (4, true), (1, false), (3, false)] {
                if dash {
                    chart.draw_series(DashedLineSeries::new(edge(k), 5, 4, c.stroke_width(1))).map_err(err)?;
                } else {
                    chart.draw_series(LineSeries::new(edge(k), c.stroke_width(1))).map_err(err)?;
                }
            }
            continue;
        }
        let band = |a: usize, b: usize| -> Vec<(f64, f64)> {
            let down = edge(a);
            edge(b).into_iter().chain(down.into_iter().rev()).collect()
        };
        chart.draw_series(std::iter::once(Polygon::new(band(0, 4), c.mix(BAND_ALPHA[0]).filled()))).map_err(err)?;
        chart.draw_series(std::iter::once(Polygon::new(band(1, 3), c.mix(BAND_ALPHA[1]).filled()))).map_err(err)?;
    }
    for &s in &spec.scenarios {
        let line: Vec<(f64, f64)> = data.scenarios[s]
            .quarters
            .iter()
            .filter_map(|&q| fan_numbers(data, s, q, metric).map(|f| (x_of(q), y_of(f[2]))))
            .collect();
        let c = panel_colour(spec, s);
        chart.draw_series(LineSeries::new(line, c.stroke_width(if spec.small { 2 } else { 3 }))).map_err(err)?;
    }
    if spec.small {
        own_lever_lines(data, &mut chart, quarters, spec, (lo, hi))?;
    }
    draw_marks(panel, &mut chart, quarters, marks, (lo, hi))?;
    for f in figures {
        let (a, b) = (x_of(f.quarters[0]), x_of(*f.quarters.last().unwrap_or(&f.quarters[0])));
        let x = (a + b) / 2.0;
        let black = BLACK.stroke_width(2);
        let half = ((b - a) / 2.0).max(0.25);
        chart
            .draw_series([
                PathElement::new(vec![(x, f.lo), (x, f.hi)], black),
                PathElement::new(vec![(x - 0.25, f.lo), (x + 0.25, f.lo)], black),
                PathElement::new(vec![(x - 0.25, f.hi), (x + 0.25, f.hi)], black),
                PathElement::new(vec![(x - half, f.value), (x + half, f.value)], black),
            ])
            .map_err(err)?;
        chart.draw_series(std::iter::once(Circle::new((x, f.value), 6, BLACK.filled()))).map_err(err)?;
    }
    Ok(())
}

/// In a small multiple, a dashed line at the start of each of the panel's
/// own levers (those its reference does not run alike).
fn own_lever_lines<DB: DrawingBackend>(
    data: &RunData,
    chart: &mut PanelChart<DB>,
    quarters: &[Quarter],
    spec: &PanelSpec,
    (lo, hi): (f64, f64),
) -> Drawn {
    let Some(&s) = spec.scenarios.last() else { return Ok(()) };
    let reference = spec.scenarios[0];
    for l in &data.scenarios[s].levers {
        if (s != reference && data.scenarios[reference].levers.contains(l)) || !quarters.contains(&l.start) {
            continue;
        }
        let x = (l.start.index() - quarters[0].index()) as f64 - 0.5;
        let c = style::GREY;
        chart.draw_series(DashedLineSeries::new(vec![(x, lo), (x, hi)], 6, 5, c.stroke_width(1))).map_err(err)?;
    }
    Ok(())
}

/// A scenario's colour in a panel: its palette colour, or in small
/// multiples grey for the reference and blue for the panel's own scenario.
fn panel_colour(spec: &PanelSpec, s: usize) -> RGBColor {
    if !spec.small {
        colour(s)
    } else if spec.scenarios.len() > 1 && s == spec.scenarios[0] {
        style::GREY
    } else {
        SMALL_COLOUR
    }
}

/// The colour of each small multiple's own scenario (Okabe-Ito blue).
const SMALL_COLOUR: RGBColor = style::PALETTE[2];

type PanelChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>;

/// A panel's caption, axes and mesh.
fn panel_chart<'a, DB: DrawingBackend>(
    panel: &'a DrawingArea<DB, Shift>,
    quarters: &[Quarter],
    spec: &PanelSpec,
    marked: bool,
    metric: Metric,
    (lo, hi): (f64, f64),
) -> Result<PanelChart<'a, DB>, String> {
    let nq = quarters.len();
    let (pw, _) = panel.dim_in_pixel();
    // Above the plot: the panel's caption (and in small multiples its
    // levers), then a band for the lever markers (two rows, so markers one
    // quarter apart do not touch).
    let mut top = 0;
    if !spec.caption.is_empty() {
        let size = if spec.small { 17.0 } else { 20.0 };
        panel
            .draw(&Text::new(spec.caption.to_string(), (if spec.small { 70 } else { 96 }, 4), style::bold(size)))
            .map_err(err)?;
        top += if spec.small { 24 } else { 30 };
    }
    if spec.small {
        let lines = style::wrap(spec.levers, ((pw as usize).saturating_sub(80)) / 7);
        for (i, line) in lines.iter().take(2).enumerate() {
            panel.draw(&Text::new(line.clone(), (70, top + 16 * i as i32), style::grey_text(13.0))).map_err(err)?;
        }
        top += 36;
    }
    let mut builder = ChartBuilder::on(panel);
    builder
        .margin_top(top as u32 + if marked { 66 } else { 10 })
        .margin_right(if spec.small { 14 } else { 24 })
        .margin_left(8);
    builder.x_label_area_size(if spec.small { 30 } else { 40 }).y_label_area_size(if spec.small { 62 } else { 96 });
    let chart = builder.build_cartesian_2d(-0.5..(nq as f64 - 0.5), lo..hi).map_err(err)?;
    let mut chart = chart;
    let quarters_owned = quarters.to_vec();
    let small = spec.small;
    let year_label = move |x: &f64| {
        let k = x.round();
        if (x - k).abs() > 1e-6 || k < 0.0 || k as usize >= nq {
            return String::new();
        }
        let q = quarters_owned[k as usize];
        // Small multiples label every other year, so labels never touch.
        if q.q() == 1 && (!small || q.year() % 2 == 0) { q.year().to_string() } else { String::new() }
    };
    let step = (hi - lo) / if small { 5.0 } else { 8.0 };
    let y_fmt = |v: &f64| format_tick(metric, *v, step);
    let size = if small { 13.0 } else { 15.0 };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::LIGHT_GREY)
        .x_labels(nq)
        .x_label_formatter(&year_label)
        .y_labels(if small { 5 } else { 8 })
        .y_label_formatter(&y_fmt)
        .y_desc(spec.y_label)
        .label_style(style::text(size))
        .axis_desc_style(style::text(size + 1.0))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// The numbered lever markers above a panel and their lines through it.
fn draw_marks<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    chart: &mut PanelChart<DB>,
    quarters: &[Quarter],
    marks: &[Mark],
    (lo, hi): (f64, f64),
) -> Drawn {
    let nq = quarters.len();
    let x_of = |q: Quarter| (q.index() - quarters[0].index()) as f64;
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
    Ok(())
}

/// A small multiple of a chart of several metrics (the three gaps): one
/// scenario, a line and 90% band per metric.
#[allow(clippy::too_many_arguments)]
fn draw_metrics_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    data: &RunData,
    quarters: &[Quarter],
    metrics: &[Metric],
    s: usize,
    spec: &PanelSpec,
    (lo, hi): (f64, f64),
) -> Drawn {
    if !lo.is_finite() || !hi.is_finite() {
        return Err("no summary rows".to_string());
    }
    let mut chart = panel_chart(panel, quarters, spec, false, metrics[0], (lo, hi))?;
    let x_of = |q: Quarter| (q.index() - quarters[0].index()) as f64;
    own_lever_lines(data, &mut chart, quarters, spec, (lo, hi))?;
    for (k, &m) in metrics.iter().enumerate() {
        let c = metric_colour(k);
        let pts: Vec<(Quarter, [f64; 5])> =
            data.scenarios[s].quarters.iter().filter_map(|&q| fan_numbers(data, s, q, m).map(|f| (q, f))).collect();
        let up = pts.iter().map(|(q, f)| (x_of(*q), f[4]));
        let down: Vec<(f64, f64)> = pts.iter().map(|(q, f)| (x_of(*q), f[0])).collect();
        let band: Vec<(f64, f64)> = up.chain(down.into_iter().rev()).collect();
        chart.draw_series(std::iter::once(Polygon::new(band, c.mix(BAND_ALPHA[0]).filled()))).map_err(err)?;
        chart
            .draw_series(LineSeries::new(pts.iter().map(|(q, f)| (x_of(*q), f[2])), c.stroke_width(2)))
            .map_err(err)?;
    }
    Ok(())
}

/// The colour of the k-th metric of a small multiple of several metrics.
fn metric_colour(k: usize) -> RGBColor {
    style::PALETTE[[1, 2, 3, 4][k % 4]]
}

pub(super) fn render(data: &RunData, options: &ChartOptions) -> Result<Vec<Chart>, PlotError> {
    SPECS
        .iter()
        .map(|spec| {
            let size = if small_multiples(data) {
                let rows = data.scenarios.len().div_ceil(GRID_COLUMNS) as u32;
                (1700, 260 + 300 * rows)
            } else {
                spec.size
            };
            svg(spec.stem, spec.title, size, |root| draw(root, data, spec, options))
        })
        .collect()
}
