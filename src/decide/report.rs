//! Charts and report.html of a decision, drawn from its folder's files
//! alone (so `stpsim plot` redraws them), opening with the answer in words.

use super::frame::{Frame, MANIFEST};
use crate::plot::data::{ChartTable, Column, Unit};
use crate::plot::style::colour;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{}: {message}", path.display())]
    Input { path: PathBuf, message: String },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A CSV file of the folder as rows of named cells.
struct Table {
    rows: Vec<BTreeMap<String, String>>,
}

impl Table {
    fn read(dir: &Path, name: &str) -> Result<Table, ReportError> {
        let path = dir.join(name);
        let bad = |message: String| ReportError::Input { path: path.clone(), message };
        let text = crate::fsx::read_text(&path, 1 << 30).map_err(|e| bad(format!("cannot read: {e}")))?;
        let mut lines = text.lines();
        let header: Vec<String> = lines.next().unwrap_or("").split(',').map(String::from).collect();
        let mut rows = Vec::new();
        for (i, line) in lines.enumerate() {
            let cells: Vec<&str> = line.split(',').collect();
            if cells.len() != header.len() {
                return Err(bad(format!(
                    "line {}: {} cells where the header has {}",
                    i + 2,
                    cells.len(),
                    header.len()
                )));
            }
            rows.push(header.iter().cloned().zip(cells.iter().map(|c| c.to_string())).collect());
        }
        Ok(Table { rows })
    }
}

fn num(row: &BTreeMap<String, String>, k: &str) -> f64 {
    row.get(k).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

fn s<'a>(row: &'a BTreeMap<String, String>, k: &str) -> &'a str {
    row.get(k).map_or("", String::as_str)
}

fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

/// Three significant figures, with a true minus sign.
pub fn fmt(x: f64) -> String {
    if x.is_nan() {
        return "-".into();
    }
    let a = x.abs();
    let t = if a == 0.0 {
        "0".to_string()
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else {
        let digits = (2 - a.log10().floor() as i32).clamp(0, 8) as usize;
        format!("{x:.digits$}")
    };
    t.replace('-', "\u{2212}")
}

/// An outcome's unit in words (shares' differences in percentage points).
fn unit_words(outcome: &super::plan::Outcome) -> String {
    crate::model::Metric::parse(&outcome.metric)
        .map_or_else(|| "the outcome's units".to_string(), crate::results::numbers::difference_unit)
}

/// An outcome in words, as written (labels keep their capitals: NHS, STP).
fn words(metric: &str) -> String {
    crate::experiment::charts::output_words(metric)
}

fn esc(t: &str) -> String {
    t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The conditions of a box in words: `turnover < 0.08 and b_deficit > 1.4`.
fn conditions(boxes: &[&BTreeMap<String, String>]) -> String {
    let mut parts = Vec::new();
    for b in boxes {
        let (lo, hi, min, max) = (num(b, "lower"), num(b, "upper"), num(b, "min"), num(b, "max"));
        let name = s(b, "input");
        match (lo > min, hi < max) {
            (true, true) => parts.push(format!("{} < {name} < {}", fmt(lo), fmt(hi))),
            (true, false) => parts.push(format!("{name} > {}", fmt(lo))),
            (false, true) => parts.push(format!("{name} < {}", fmt(hi))),
            _ => {}
        }
    }
    parts.join(" and ")
}

/// The report's opening: which option is best how often, where it fails,
/// and which unknown is worth resolving, from the folder's tables.
pub fn answer(dir: &Path, frame: &Frame) -> Result<String, ReportError> {
    let rob = Table::read(dir, "robustness.csv")?;
    let boxes = Table::read(dir, "boxes.csv")?;
    let voi = Table::read(dir, "value_of_information.csv")?;
    let first = &frame.outcomes[0];
    let rows: Vec<&BTreeMap<String, String>> = rob.rows.iter().filter(|r| s(r, "outcome") == first.label).collect();
    let best = rows
        .iter()
        .copied()
        .max_by(|a, b| {
            (num(a, "prob_best"), -num(a, "regret_mean"))
                .partial_cmp(&(num(b, "prob_best"), -num(b, "regret_mean")))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .ok_or_else(|| ReportError::Input {
            path: dir.join("robustness.csv"),
            message: "no rows for the first outcome".into(),
        })?;
    let option = s(best, "option");
    let verb = if first.direction == super::robust::Direction::Max { "raises" } else { "lowers" };
    let mut text = format!(
        "Across {} plausible worlds, {option} {verb} the {} most in {} of them (95%: {}\u{2013}{})",
        frame.worlds.len(),
        words(&first.metric),
        pct(num(best, "prob_best")),
        pct(num(best, "prob_best_low")),
        pct(num(best, "prob_best_high")),
    );
    // Where the recommended option fails.
    let mine = |kind: &str| -> Vec<&BTreeMap<String, String>> {
        boxes.rows.iter().filter(|b| s(b, "option") == option && s(b, "kind") == kind).collect()
    };
    let misses = mine("misses_threshold");
    let thresholds: Vec<_> = frame.outcomes.iter().filter(|o| o.threshold.is_some()).collect();
    let what = if thresholds.len() == 1 {
        format!(
            "the {} threshold of {}",
            words(&thresholds[0].metric),
            fmt(thresholds[0].threshold.unwrap_or(f64::NAN))
        )
    } else {
        "a threshold".to_string()
    };
    // A box is described only if PRIM found one dense enough (the flag in boxes.csv).
    let described = |bs: &[&BTreeMap<String, String>], lead: &str| -> Option<String> {
        let b = bs.first()?;
        let (cases, worlds) = (num(b, "cases"), num(b, "worlds"));
        let count = format!("{} of {} worlds", cases, worlds);
        let cond = conditions(bs);
        Some(if cases == worlds {
            format!("; {lead} in every world")
        } else if s(b, "meets_threshold") != "1" || cond.is_empty() {
            format!("; {lead} in {count}, with no region of the inputs that explains it")
        } else {
            format!(
                "; {lead} in {count}, mostly when {cond} (coverage {:.2}, density {:.2})",
                num(b, "coverage"),
                num(b, "density")
            )
        })
    };
    let failing = misses.first().is_some_and(|b| num(b, "cases") > 0.0);
    let not_best = mine("not_best");
    if failing {
        text += &described(&misses, &format!("it misses {what}")).unwrap_or_default();
    } else if !thresholds.is_empty() && !misses.is_empty() {
        let all = if thresholds.len() == 1 { what.clone() } else { "every threshold".to_string() };
        text += &format!("; it meets {all} in every world");
    }
    if !failing && not_best.first().is_some_and(|b| num(b, "cases") > 0.0) {
        text += &described(&not_best, "it is not best").unwrap_or_default();
    }
    // What is most worth knowing, on the first outcome.
    let singles: Vec<&BTreeMap<String, String>> = voi
        .rows
        .iter()
        .filter(|r| s(r, "outcome") == first.label && s(r, "quantity") == "evppi" && s(r, "source") != "group")
        .collect();
    let evpi =
        voi.rows.iter().find(|r| s(r, "outcome") == first.label && s(r, "quantity") == "evpi").map(|r| num(r, "value"));
    if let Some(top) = singles.iter().max_by(|a, b| num(a, "value").total_cmp(&num(b, "value"))) {
        text += &format!(
            "; resolving {} is worth most (EVPPI {} \u{00b1} {} in {} units, against an EVPI of {})",
            s(top, "input"),
            fmt(num(top, "value")),
            fmt(num(top, "se")),
            words(&first.metric),
            fmt(evpi.unwrap_or(f64::NAN))
        );
    }
    text.push('.');
    Ok(text)
}

struct Svg {
    body: String,
    w: f64,
    h: f64,
}

impl Svg {
    fn new(w: f64, h: f64, title: &str) -> Svg {
        // Room at the foot for the source line ([`with_source`]).
        let mut s = Svg { body: String::new(), w, h: h + SOURCE_ROOM };
        s.text(16.0, 24.0, title, 15.0, "start", "bold");
        s
    }
    fn text(&mut self, x: f64, y: f64, t: &str, size: f64, anchor: &str, weight: &str) {
        let _ = write!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" font-family="sans-serif">{}</text>"#,
            esc(t)
        );
    }
    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) {
        let _ = write!(
            self.body,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}" stroke-width="{width}"/>"#
        );
    }
    fn dot(&mut self, x: f64, y: f64, r: f64, fill: &str) {
        let _ = write!(self.body, r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{fill}"/>"#);
    }
    fn finish(self) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><rect width="100%" height="100%" fill="white"/>{}</svg>
"#,
            self.body,
            w = self.w,
            h = self.h
        )
    }
}

/// Height added at each chart's foot for its source line.
const SOURCE_ROOM: f64 = 24.0;

/// The chart with its source line in the room [`Svg::new`] left at its foot.
fn with_source(svg: &str, source: &str) -> String {
    let h: f64 =
        svg.split("height=\"").nth(1).and_then(|r| r.split('"').next()).and_then(|t| t.parse().ok()).unwrap_or(0.0);
    let line = format!(
        r##"<text x="16" y="{:.1}" font-size="11" fill="#6e6e6e" font-family="sans-serif">{}</text></svg>"##,
        h - 8.0,
        esc(source)
    );
    match svg.rfind("</svg>") {
        Some(i) => format!("{}{line}{}", &svg[..i], &svg[i + 6..]),
        None => svg.to_string(),
    }
}

fn hex(i: usize) -> String {
    let c = colour(i);
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Horizontal interval chart: one row per label, a dot at `mid` and a bar
/// from `lo` to `hi`, on a shared axis with a line at `zero` if given.
fn intervals(title: &str, axis: &str, rows: &[(String, f64, f64, f64, usize)], zero: Option<f64>) -> String {
    let (left, right, top, row_h) = (230.0, 40.0, 50.0, 22.0);
    let width = 760.0;
    let h = top + row_h * rows.len() as f64 + 50.0;
    let mut svg = Svg::new(width, h, title);
    let (mut lo, mut hi) =
        rows.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| (a.min(r.2).min(r.1), b.max(r.3).max(r.1)));
    if let Some(z) = zero {
        lo = lo.min(z);
        hi = hi.max(z);
    }
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |v: f64| left + (v - lo) / (hi - lo) * (width - left - right);
    let bottom = top + row_h * rows.len() as f64;
    if let Some(z) = zero {
        svg.line(x(z), top - 5.0, x(z), bottom, "#999", 1.0);
    }
    for (i, (label, mid, a, b, c)) in rows.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        svg.text(left - 8.0, y + 4.0, label, 11.0, "end", "normal");
        let col = hex(*c);
        if a.is_finite() && b.is_finite() {
            svg.line(x(*a), y, x(*b), y, &col, 3.0);
        }
        if mid.is_finite() {
            svg.dot(x(*mid), y, 4.5, &col);
        }
    }
    svg.line(left, bottom, width - right, bottom, "#333", 1.0);
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        svg.line(x(v), bottom, x(v), bottom + 4.0, "#333", 1.0);
        svg.text(x(v), bottom + 17.0, &fmt(v), 10.0, "middle", "normal");
    }
    svg.text((left + width - right) / 2.0, bottom + 36.0, axis, 11.0, "middle", "normal");
    svg.finish()
}

/// Draws the charts and report.html into `dir` from its files; returns the
/// chart files written.
pub fn render(dir: &Path) -> Result<Vec<String>, ReportError> {
    let frame = Frame::load(dir)
        .map_err(|e| ReportError::Input { path: dir.join(super::frame::FRAME_FILE), message: e.to_string() })?;
    let manifest_path = dir.join(MANIFEST);
    let input = |message: String| ReportError::Input { path: manifest_path.clone(), message };
    let text = crate::fsx::read_text(&manifest_path, 64 << 20).map_err(|e| input(e.to_string()))?;
    let manifest: super::frame::Manifest =
        serde_json::from_str(&text).map_err(|e| input(format!("not a decision's manifest: {e}")))?;
    let sums = manifest.file_sha256;
    crate::results::folder::verify(dir, MANIFEST, &sums, super::frame::is_result_file)
        .map_err(|message| ReportError::Input { path: dir.to_path_buf(), message })?;
    let (charts, tables) = charts(dir, &frame)?;
    let rob = Table::read(dir, "robustness.csv")?;
    let answer = answer(dir, &frame)?;
    let html = html(&frame, &answer, &rob, &charts, &tables, dir.join(crate::results::xlsx::FILE).is_file());
    let mut written = Vec::new();
    for (name, body) in charts.iter().chain([&("report.html".to_string(), html)]) {
        crate::results::write::atomic(dir, name, |w| w.write_all(body.as_bytes()))
            .map_err(|source| ReportError::Write { path: dir.join(name), source })?;
        if let Some(stem) = name.strip_suffix(".svg") {
            // A PNG beside each chart, as every stpsim chart has.
            let png = crate::plot::raster::to_png(body).map_err(|e| ReportError::Write {
                path: dir.join(format!("{stem}.png")),
                source: std::io::Error::other(e),
            })?;
            let png_name = format!("{stem}.png");
            crate::results::write::atomic(dir, &png_name, |w| w.write_all(&png))
                .map_err(|source| ReportError::Write { path: dir.join(&png_name), source })?;
        }
        written.push(name.clone());
    }
    written.pop();
    // Each chart's numbers beside it, as a run writes them.
    crate::plot::data::write_tables(dir, &tables)
        .map_err(|source| ReportError::Write { path: dir.join(crate::plot::data::DATA_DIR), source })?;
    Ok(written)
}

/// The charts' source line.
fn source(frame: &Frame) -> String {
    format!(
        "Source: stpsim v{}, decision plan {}: {} options x {} worlds x {} replicates, seed {}",
        frame.stpsim_version,
        frame.plan,
        frame.options.len(),
        frame.worlds.len(),
        frame.replicates,
        frame.seed
    )
}

/// What every decision chart's numbers cover.
const CAVEAT: &str = "Shares are shares of the plan's worlds, not probabilities of the future; each world's value is \
     the mean of its replicates, so chance remains inside each world";

/// The unit of an outcome's differences (shares' in percentage points).
fn difference_unit(outcome: &super::plan::Outcome) -> Unit {
    crate::model::Metric::parse(&outcome.metric).map_or(Unit::Plain, Unit::difference)
}

/// An interval chart's numbers: one row per label, the dot and the bar's
/// two ends (in `unit`, shares' differences scaled to points).
fn interval_table(
    stem: &str,
    title: &str,
    units: &str,
    names: [&str; 3],
    unit: Unit,
    rows: &[(String, f64, f64, f64, usize)],
    frame: &Frame,
) -> ChartTable {
    let cell = |v: f64| v.is_finite().then(|| unit.scale(v));
    ChartTable {
        stem: stem.to_string(),
        title: title.to_string(),
        units: units.to_string(),
        source: source(frame),
        caveat: CAVEAT.into(),
        row_header: "option".into(),
        rows: rows.iter().map(|r| r.0.clone()).collect(),
        columns: names.iter().map(|n| Column { name: n.to_string(), unit }).collect(),
        values: rows.iter().map(|r| vec![cell(r.1), cell(r.2), cell(r.3)]).collect(),
    }
}

/// A decision's charts as (file name, SVG), and the numbers each plots.
pub type Charts = (Vec<(String, String)>, Vec<ChartTable>);

/// Every chart of a decision, as (file name, SVG), with the numbers each
/// plots, drawn from the folder's CSV files (`dir` may be a staging
/// folder: tables.xlsx is written from them before the manifest).
pub fn charts(dir: &Path, frame: &Frame) -> Result<Charts, ReportError> {
    let rob = Table::read(dir, "robustness.csv")?;
    let voi = Table::read(dir, "value_of_information.csv")?;
    let disc = Table::read(dir, "discovery.csv")?;
    let boxes = Table::read(dir, "boxes.csv")?;
    let decide = Table::read(dir, "decide.csv")?;
    let mut charts: Vec<(String, String)> = Vec::new();
    let mut tables: Vec<ChartTable> = Vec::new();
    let opt_index = |name: &str| frame.options.iter().position(|o| o == name).unwrap_or(0);

    for (k, oc) in frame.outcomes.iter().enumerate() {
        let rows: Vec<_> = rob.rows.iter().filter(|r| s(r, "outcome") == oc.label).collect();
        let pb: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    s(r, "option").to_string(),
                    num(r, "prob_best"),
                    num(r, "prob_best_low"),
                    num(r, "prob_best_high"),
                    opt_index(s(r, "option")),
                )
            })
            .collect();
        let (title, axis) =
            (format!("Probability best: {}", oc.label), "share of worlds in which the option is best (95% interval)");
        charts.push((format!("probability_best_{k}.svg"), intervals(&title, axis, &pb, Some(0.0))));
        tables.push(interval_table(
            &format!("probability_best_{k}"),
            &title,
            axis,
            ["prob_best", "prob_best_low", "prob_best_high"],
            Unit::Share,
            &pb,
            frame,
        ));
        let diffs: Vec<_> = rows
            .iter()
            .skip(1)
            .map(|r| {
                (
                    s(r, "option").to_string(),
                    num(r, "diff_mean"),
                    num(r, "diff_p05"),
                    num(r, "diff_p95"),
                    opt_index(s(r, "option")),
                )
            })
            .collect();
        let (title, axis) = (
            format!("Paired difference from {}: {}", frame.options[0], oc.label),
            "mean and 90% interval over worlds (posterior and deep uncertainties)",
        );
        charts.push((format!("differences_{k}.svg"), intervals(&title, axis, &diffs, Some(0.0))));
        tables.push(interval_table(
            &format!("differences_{k}"),
            &title,
            &format!("{axis}, in {}", unit_words(oc)),
            ["diff_mean", "diff_p05", "diff_p95"],
            difference_unit(oc),
            &diffs,
            frame,
        ));
        let regret: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    s(r, "option").to_string(),
                    num(r, "regret_mean"),
                    0.0,
                    num(r, "regret_p90"),
                    opt_index(s(r, "option")),
                )
            })
            .collect();
        let (title, axis) = (format!("Regret: {}", oc.label), "regret: mean (dot) and 0 to 90th percentile (bar)");
        charts.push((format!("regret_{k}.svg"), intervals(&title, axis, &regret, Some(0.0))));
        tables.push(interval_table(
            &format!("regret_{k}"),
            &title,
            &format!("{axis}, in {}", unit_words(oc)),
            ["regret_mean", "bar_from", "regret_p90"],
            difference_unit(oc),
            &regret,
            frame,
        ));
        let mut v: Vec<_> = voi
            .rows
            .iter()
            .filter(|r| s(r, "outcome") == oc.label)
            .map(|r| {
                let (val, se) = (num(r, "value"), num(r, "se"));
                let name = if s(r, "quantity") == "evpi" {
                    "EVPI (everything)".to_string()
                } else {
                    s(r, "input").to_string()
                };
                (name, val, (val - 2.0 * se).max(0.0), val + 2.0 * se, if s(r, "quantity") == "evpi" { 0 } else { 2 })
            })
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (title, axis) = (
            format!("Value of information: {}", oc.label),
            "EVPPI in the outcome's units (bars: \u{00b1} 2 standard errors)",
        );
        charts.push((format!("value_of_information_{k}.svg"), intervals(&title, axis, &v, Some(0.0))));
        let mut t = interval_table(
            &format!("value_of_information_{k}"),
            &title,
            &format!("{axis}, in {}", unit_words(oc)),
            ["value", "low (value - 2 se, at least 0)", "high (value + 2 se)"],
            difference_unit(oc),
            &v,
            frame,
        );
        t.row_header = "input".into();
        tables.push(t);
    }

    // PRIM: the coverage-density trade-off of each case, and the chosen boxes' limits.
    let mut cases: Vec<&str> = disc.rows.iter().map(|r| s(r, "case")).collect();
    cases.dedup();
    if !cases.is_empty() {
        let (w, h, l, b) = (640.0, 480.0, 60.0, 60.0);
        let mut svg = Svg::new(w, h, "Scenario discovery (PRIM): coverage against density");
        let x = |c: f64| l + c * (w - l - 180.0);
        let y = |d: f64| h - b - d * (h - b - 50.0);
        svg.line(l, h - b, w - 180.0, h - b, "#333", 1.0);
        svg.line(l, h - b, l, 50.0, "#333", 1.0);
        for k in 0..=4 {
            let v = k as f64 / 4.0;
            svg.text(x(v), h - b + 16.0, &fmt(v), 10.0, "middle", "normal");
            svg.text(l - 6.0, y(v) + 4.0, &fmt(v), 10.0, "end", "normal");
        }
        svg.text(x(0.5), h - 20.0, "coverage", 11.0, "middle", "normal");
        svg.text(14.0, y(0.5), "density", 11.0, "start", "normal");
        for (i, case) in cases.iter().enumerate() {
            let col = hex(i + 1);
            for r in disc.rows.iter().filter(|r| s(r, "case") == *case) {
                let big = s(r, "chosen") == "1";
                svg.dot(x(num(r, "coverage")), y(num(r, "density")), if big { 6.0 } else { 2.5 }, &col);
            }
            svg.dot(w - 170.0, 60.0 + 16.0 * i as f64, 4.0, &col);
            svg.text(w - 160.0, 64.0 + 16.0 * i as f64, case, 10.0, "start", "normal");
        }
        charts.push(("prim_tradeoff.svg".into(), svg.finish()));
        let shown: Vec<_> =
            cases.iter().flat_map(|case| disc.rows.iter().filter(move |r| s(r, "case") == *case)).collect();
        tables.push(ChartTable {
            stem: "prim_tradeoff".into(),
            title: "Scenario discovery (PRIM): coverage against density".into(),
            units: "coverage and density as shares; chosen: 1 for the box the chart marks large".into(),
            source: source(frame),
            caveat: CAVEAT.into(),
            row_header: "case, step".into(),
            rows: shown.iter().map(|r| format!("{}, step {}", s(r, "case"), s(r, "step"))).collect(),
            columns: vec![
                Column { name: "coverage".into(), unit: Unit::Share },
                Column { name: "density".into(), unit: Unit::Share },
                Column { name: "chosen".into(), unit: Unit::General },
            ],
            values: shown
                .iter()
                .map(|r| {
                    vec![Some(num(r, "coverage")), Some(num(r, "density")), Some(f64::from(s(r, "chosen") == "1"))]
                })
                .collect(),
        });
        let limits: Vec<_> = boxes
            .rows
            .iter()
            .filter(|r| !s(r, "input").is_empty())
            .map(|r| {
                let (min, max) = (num(r, "min"), num(r, "max"));
                let norm = |v: f64| if max > min { (v - min) / (max - min) } else { 0.0 };
                (
                    format!("{} | {}", s(r, "case"), s(r, "input")),
                    f64::NAN,
                    norm(num(r, "lower")),
                    norm(num(r, "upper")),
                    1,
                )
            })
            .collect();
        if !limits.is_empty() {
            let (title, axis) = (
                "PRIM boxes: each restricted input's limits",
                "share of the input's range over the worlds (0 = lowest, 1 = highest)",
            );
            charts.push(("prim_boxes.svg".into(), intervals(title, axis, &limits, Some(0.0))));
            let mut t = interval_table("prim_boxes", title, axis, ["-", "lower", "upper"], Unit::Share, &limits, frame);
            // The chart draws no dot: the table holds the bar's ends.
            t.columns.remove(0);
            t.values.iter_mut().for_each(|r| {
                r.remove(0);
            });
            t.row_header = "case | input".into();
            tables.push(t);
        }
    }

    // The two most valuable inputs, each world coloured by its best option.
    let first = &frame.outcomes[0];
    let mut singles: Vec<(&str, f64)> = voi
        .rows
        .iter()
        .filter(|r| s(r, "outcome") == first.label && s(r, "quantity") == "evppi" && s(r, "source") != "group")
        .map(|r| (s(r, "input"), num(r, "value")))
        .collect();
    singles.sort_by(|a, b| b.1.total_cmp(&a.1));
    if singles.len() >= 2 {
        let j: Vec<usize> =
            singles[..2].iter().filter_map(|(n, _)| frame.inputs.iter().position(|i| i.name == *n)).collect();
        if j.len() == 2 {
            let n = frame.worlds.len();
            let mut best = vec![(f64::NEG_INFINITY, 0usize); n];
            for r in decide.rows.iter().filter(|r| s(r, "outcome") == first.label) {
                let w: usize = s(r, "world").parse().unwrap_or(0);
                let v = first.direction.good(num(r, "value"));
                if w < n && v > best[w].0 {
                    best[w] = (v, opt_index(s(r, "option")));
                }
            }
            let (wd, h, l, b) = (700.0, 480.0, 70.0, 60.0);
            let mut svg = Svg::new(wd, h, &format!("Best option on {} in each world", words(&first.label)));
            let col = |k: usize| -> (f64, f64) {
                frame
                    .worlds
                    .iter()
                    .map(|w| w.values[k])
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)))
            };
            let ((x0, x1), (y0, y1)) = (col(j[0]), col(j[1]));
            let px = |v: f64| l + if x1 > x0 { (v - x0) / (x1 - x0) } else { 0.5 } * (wd - l - 200.0);
            let py = |v: f64| h - b - if y1 > y0 { (v - y0) / (y1 - y0) } else { 0.5 } * (h - b - 50.0);
            svg.line(l, h - b, wd - 200.0, h - b, "#333", 1.0);
            svg.line(l, h - b, l, 50.0, "#333", 1.0);
            svg.text(px(x0), h - b + 16.0, &fmt(x0), 10.0, "middle", "normal");
            svg.text(px(x1), h - b + 16.0, &fmt(x1), 10.0, "middle", "normal");
            svg.text(l - 6.0, py(y0), &fmt(y0), 10.0, "end", "normal");
            svg.text(l - 6.0, py(y1) + 8.0, &fmt(y1), 10.0, "end", "normal");
            let input = |k: usize| crate::experiment::charts::factor_words(&frame.inputs[k].name);
            svg.text((l + wd - 200.0) / 2.0, h - 20.0, &input(j[0]), 11.0, "middle", "normal");
            svg.text(8.0, 44.0, &input(j[1]), 11.0, "start", "normal");
            for (w, world) in frame.worlds.iter().enumerate() {
                svg.dot(px(world.values[j[0]]), py(world.values[j[1]]), 3.0, &hex(best[w].1));
            }
            for (i, o) in frame.options.iter().enumerate() {
                svg.dot(wd - 190.0, 60.0 + 16.0 * i as f64, 4.0, &hex(i));
                svg.text(wd - 180.0, 64.0 + 16.0 * i as f64, o, 10.0, "start", "normal");
            }
            charts.push(("best_by_inputs.svg".into(), svg.finish()));
            tables.push(ChartTable {
                stem: "best_by_inputs".into(),
                title: format!("Best option on {} in each world", first.label),
                units: "each world's values of the two inputs; its best option in the row's label".into(),
                source: source(frame),
                caveat: CAVEAT.into(),
                row_header: "world (best option)".into(),
                rows: (0..n).map(|w| format!("{w} ({})", frame.options[best[w].1])).collect(),
                columns: j
                    .iter()
                    .map(|&k| Column { name: frame.inputs[k].name.clone(), unit: Unit::General })
                    .collect(),
                values: frame.worlds.iter().map(|w| vec![Some(w.values[j[0]]), Some(w.values[j[1]])]).collect(),
            });
        }
    }

    // Each chart carries its source line, as every stpsim chart does.
    let line = source(frame);
    let charts = charts.into_iter().map(|(n, b)| (n, with_source(&b, &line))).collect();
    Ok((charts, tables))
}

fn html(
    frame: &Frame,
    answer: &str,
    rob: &Table,
    charts: &[(String, String)],
    tables: &[ChartTable],
    book: bool,
) -> String {
    let mut h = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>stpsim decide</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.45}table{border-collapse:collapse;font-size:90%}td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.answer{font-size:120%;background:#f4f4f4;padding:1em}</style></head><body>",
    );
    let _ = write!(h, "<h1>Which option? {}</h1><p class=\"answer\">{}</p>", esc(&frame.plan), esc(answer));
    let _ = write!(
        h,
        "<h2>What was run</h2><p>{} options ({} is the reference) in {} worlds, {} replicates per world and option, seed {}. Every option runs in every world on the same random streams, so differences within a world are the option's.</p><ul>",
        frame.options.len(),
        esc(&frame.options[0]),
        frame.worlds.len(),
        frame.replicates,
        frame.seed
    );
    for (o, d) in frame.options.iter().zip(&frame.descriptions) {
        let _ = write!(h, "<li><b>{}</b>: {}</li>", esc(o), esc(d));
    }
    h += "</ul><h2>Robustness</h2><table><tr><th>option</th><th>outcome</th><th>mean</th><th>difference (90%)</th><th>P(best) (95%)</th><th>regret mean / p90</th><th>satisficing</th><th>worst 5%</th></tr>";
    for r in &rob.rows {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} ({} to {})</td><td>{} ({}\u{2013}{})</td><td>{} / {}</td><td>{}</td><td>{}</td></tr>",
            esc(s(r, "option")),
            esc(s(r, "outcome")),
            fmt(num(r, "mean")),
            fmt(num(r, "diff_mean")),
            fmt(num(r, "diff_p05")),
            fmt(num(r, "diff_p95")),
            pct(num(r, "prob_best")),
            pct(num(r, "prob_best_low")),
            pct(num(r, "prob_best_high")),
            fmt(num(r, "regret_mean")),
            fmt(num(r, "regret_p90")),
            if num(r, "satisficing").is_nan() { "-".into() } else { pct(num(r, "satisficing")) },
            fmt(num(r, "worst5")),
        );
    }
    h += "</table><p>Regret is the best option's value in a world minus this option's (Rhodium's type 2; McPhail et al. 2018); the row \"all\" adds each outcome's regret divided by its range. Satisficing is the share of worlds meeting every threshold (type 1).</p><h2>Charts</h2>";
    // Each chart's sheet in tables.xlsx, named as the workbook names it.
    let sheets = crate::results::xlsx::chart_sheets(tables);
    for (name, _) in charts {
        let _ = write!(h, "<figure><img src=\"{name}\" alt=\"{name}\" style=\"max-width:100%\">");
        let stem = name.trim_end_matches(".svg");
        if let Some(numbers) = crate::plot::page::numbers_it_plots(stem, &sheets, book) {
            let _ = write!(h, "<figcaption>{numbers}</figcaption>");
        }
        h += "</figure>";
    }
    let posterior =
        frame.posterior.as_ref().map_or("no posterior: parameters at the options' values".to_string(), |p| {
            let distinct: std::collections::BTreeSet<usize> = frame.worlds.iter().filter_map(|w| w.draw).collect();
            format!(
                "the posterior `{}` ({} draws; the worlds use {} distinct draws, chosen by weight)",
                p.name,
                p.draws,
                distinct.len()
            )
        });
    let deep: Vec<String> = frame
        .inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.source == super::plan::Source::Deep)
        .map(|(j, i)| {
            let (lo, hi) = frame
                .worlds
                .iter()
                .map(|w| w.values[j])
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
            format!("{} from {} to {}", i.name, fmt(lo), fmt(hi))
        })
        .collect();
    let mut structures = frame.structures.clone();
    structures.dedup();
    let _ = write!(
        h,
        "<h2>Caveats: what the worlds span</h2><ul><li>Parameters informed by surveys come from {posterior}.</li><li>Deep uncertainties, by Latin hypercube: {}.</li><li>Not varied: the structure ({}), every parameter outside the posterior and the list above, and each option's levers, start dates and footprints as its scenario file sets them. Worlds outside these ranges are not represented, and the shares above are shares of these worlds, not probabilities of the future.</li><li>Each world's value is the mean of {} replicate(s), so chance remains inside each world: EVPI counts it, EVPPI by regression on the inputs does not.</li><li>EVPPI of a group uses an additive smoother, which misses interactions between inputs; PRIM boxes describe where failures concentrate, not why.</li></ul>",
        if deep.is_empty() { "none".to_string() } else { esc(&deep.join("; ")) },
        esc(&structures.join(", ")),
        frame.replicates
    );
    h += "<h2>Data</h2><p>worlds.csv, decide.csv, robustness.csv, discovery.csv, boxes.csv, value_of_information.csv and tables.xlsx (for spreadsheets: one sheet per chart with the numbers it plots, then the tables), with their SHA-256 in manifest.json; each chart's numbers in data/.</p></body></html>\n";
    h
}
