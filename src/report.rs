//! report.html: one self-contained page (inline SVG and CSS, nothing
//! fetched). It opens with key findings written from the numbers, then
//! contents, what was run, the headline numbers, every chart, caveats, the
//! data files and the manifest.
//!
//! [`html`] builds it from results in memory (for the explorer and the
//! Python package); `stpsim run` and `stpsim plot` reach the same [`build`]
//! through [`write_all`], which writes the charts and the page.

use crate::model::Metric;
use crate::plot::{Chart, ChartOptions, PlotError, RunData};
use crate::results::manifest::StoredManifest;
use crate::results::numbers;
use std::fmt::Write;
use std::path::Path;

/// The report of a run held in memory, with every chart inlined as SVG,
/// without touching the file system.
///
/// `results` and `scenarios` are those of one [`crate::runner::run`] call, in the
/// same order; `seed` is the run's seed; `manifest` is the manifest.json
/// text to show, or none to describe the scenarios alone.
///
/// ```
/// let scenarios = vec![stpsim::scenario::load("baseline").unwrap(), stpsim::scenario::load("history").unwrap()];
/// let options = stpsim::RunOptions { replicates: 4, seed: 7, footprint_replicates: 0 };
/// let results = stpsim::run(&scenarios, &options);
/// let page = stpsim::report::html(&results, &scenarios, 7, None, &Default::default()).unwrap();
/// assert!(page.contains("Key findings") && page.contains("<svg"));
/// ```
pub fn html(
    results: &crate::results::Results,
    scenarios: &[crate::scenario::Scenario],
    seed: u64,
    manifest: Option<&str>,
    options: &ChartOptions,
) -> Result<String, PlotError> {
    let data = RunData::from_results(results, scenarios, seed, manifest)?;
    let charts = crate::plot::charts(&data, options)?;
    Ok(build(&data, &charts))
}

/// Draws every chart of a run and its report.html into `dir`; returns the charts.
pub fn write_all(dir: &Path, data: &RunData, options: &ChartOptions) -> Result<Vec<Chart>, PlotError> {
    let charts = crate::plot::charts(data, options)?;
    crate::plot::write_charts(dir, &charts)?;
    let tables = crate::plot::tables(data);
    crate::plot::data::write_tables(dir, &tables)
        .map_err(|e| PlotError::Write { path: dir.join(crate::plot::data::DATA_DIR), reason: e })?;
    let html = build(data, &charts);
    let path = dir.join("report.html");
    crate::results::write::atomic(dir, "report.html", |w| w.write_all(html.as_bytes()))
        .map_err(|e| PlotError::Write { path, reason: e })?;
    Ok(charts)
}

/// Redraws the charts and report.html of the run in `dir` from its files alone.
pub fn render(dir: &Path, options: &ChartOptions) -> Result<Vec<Chart>, PlotError> {
    let data = RunData::load(dir)?;
    write_all(dir, &data, options)
}

use crate::plot::page::CSS;
/// The page's pieces live with the charts; the old path `report::escape` still works.
pub use crate::plot::page::escape;

/// A metric's name as a heading: first letter capitalised.
fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// The title's list of scenarios: "a and b", "a, b and c", or "14 scenarios".
fn scenario_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [a] => a.to_string(),
        _ if names.len() > 3 => format!("{} scenarios", names.len()),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// From the lowest 5th to the highest 95th percentile of a measure over
/// every scenario and quarter of the run.
fn run_range(data: &RunData, m: Metric) -> f64 {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (s, sc) in data.scenarios.iter().enumerate() {
        for &q in &sc.quarters {
            if let Some(st) = data.stats(s, q, m) {
                lo = lo.min(st[2]);
                hi = hi.max(st[6]);
            }
        }
    }
    if hi > lo { hi - lo } else { 0.0 }
}

/// The metrics a comparison of scenario `s` with the first cannot report as
/// findings, with the lever kinds that set them by construction (the lever
/// table's `sets`): any lever one of the two runs and the other does not
/// run identically.
pub fn set_by_construction(data: &RunData, s: usize) -> Vec<(Metric, Vec<&'static str>)> {
    let (a, b) = (&data.scenarios[0].levers, &data.scenarios[s].levers);
    let mut out: Vec<(Metric, Vec<&'static str>)> = Vec::new();
    for def in &crate::model::levers::LEVERS {
        let of = |ls: &[crate::plot::input::LeverInfo]| -> Vec<crate::plot::input::LeverInfo> {
            ls.iter().filter(|l| l.kind == def.name).cloned().collect()
        };
        let (x, y) = (of(a), of(b));
        if x == y {
            continue;
        }
        for &m in def.sets {
            match out.iter_mut().find(|(k, _)| *k == m) {
                Some((_, kinds)) => kinds.push(def.label),
                None => out.push((m, vec![def.label])),
            }
        }
    }
    out
}

/// A paired comparison in words with a plain verdict: "social care's share
/// of STP agendas: no detectable effect (...)" when the 90% interval of the
/// paired differences spans zero, else "... 4.4 pp higher (...)".
fn verdict(data: &RunData, s: usize, q: crate::core::quarter::Quarter, m: Metric) -> Option<(bool, String)> {
    let d = data.difference(s, q, m)?;
    let (median, lo, hi) = (d[0], d[1], d[2]);
    let f = m.format();
    let [t_med, t_lo, t_hi] = f.interval([median, lo, hi]);
    let detected = lo > 0.0 || hi < 0.0;
    // Each scenario's own median beside the median of the paired
    // differences: the two need not subtract to it (a median of differences
    // is not a difference of medians), so they are named as what they are.
    let levels = match (data.stats(s, q, m), data.stats(0, q, m)) {
        (Some(a), Some(b)) => format!(
            "medians {} in {} and {} in {}; ",
            f.level(a[4]),
            data.scenarios[s].name,
            f.level(b[4]),
            data.scenarios[0].name
        ),
        _ => String::new(),
    };
    let text = if detected {
        format!(
            "{}: {}, median paired difference {t_med} ({levels}90% interval of the paired differences {t_lo} to {t_hi})",
            m.label(),
            if median > 0.0 { "higher" } else { "lower" }
        )
    } else {
        format!(
            "{}: no detectable effect ({levels}median paired difference {t_med}, 90% interval {t_lo} to {t_hi}, which includes zero)",
            m.label()
        )
    };
    Some((detected, text))
}

/// Key findings, by rules a reader can check: for the first scenario, the
/// lead metrics' levels; for each later scenario that pairs with it, every
/// lead metric's paired difference with a plain verdict, then up to three
/// other key metrics whose 90% interval excludes zero, ranked by size
/// relative to the measure's range in the run, never one a lever sets by
/// construction (which is named as such instead).
pub fn findings(data: &RunData) -> Vec<String> {
    let mut out = Vec::new();
    let base = &data.scenarios[0];
    let Some(&last) = base.quarters.last() else { return out };
    let mut first = Vec::new();
    for &m in Metric::lead() {
        if let Some(st) = data.stats(0, last, m) {
            let f = m.format();
            first.push(format!(
                "{} {} (90% of replicates between {} and {})",
                m.label(),
                f.level(st[4]),
                f.level(st[2]),
                f.level(st[6])
            ));
        }
    }
    out.push(format!(
        "Under <b>{}</b> at {last} ({}): {}.",
        escape(&base.name),
        numbers::months(last),
        escape(&first.join("; "))
    ));
    for (s, sc) in data.scenarios.iter().enumerate().skip(1) {
        let Some(&q) = sc.quarters.last() else { continue };
        if !data.paired(s) {
            out.push(format!(
                "<b>{}</b> models another structure or period than {}, so it is not compared with it.",
                escape(&sc.name),
                escape(&base.name)
            ));
            continue;
        }
        let constructed = set_by_construction(data, s);
        let mut items: Vec<String> = Vec::new();
        for &m in Metric::lead() {
            if let Some((_, text)) = verdict(data, s, q, m) {
                items.push(escape(&text));
            }
        }
        let mut found: Vec<(f64, String)> = Vec::new();
        for &m in Metric::key().iter().filter(|m| !Metric::lead().contains(m)) {
            if constructed.iter().any(|c| c.0 == m) {
                continue;
            }
            let Some((true, text)) = verdict(data, s, q, m) else { continue };
            let d = data.difference(s, q, m).map_or(0.0, |d| d[0]);
            // Size relative to how far the measure ranges in this run (90%
            // bands of every scenario over every quarter), so measures in
            // different units can be ranked together.
            let scale = run_range(data, m).max(d.abs()).max(1e-12);
            found.push((d.abs() / scale, text));
        }
        found.sort_by(|a, b| b.0.total_cmp(&a.0));
        items.extend(found.into_iter().take(3).map(|f| escape(&f.1)));
        let mut line = format!(
            "Under <b>{}</b>, compared with {} at {q}:<ul>{}</ul>",
            escape(&sc.name),
            escape(&base.name),
            items.iter().map(|i| format!("<li>{i}</li>")).collect::<String>()
        );
        // Named only where a finding would otherwise have reported it.
        let constructed: Vec<_> = constructed.into_iter().filter(|(m, _)| Metric::key().contains(m)).collect();
        if !constructed.is_empty() {
            let list: Vec<String> = constructed
                .iter()
                .map(|(m, kinds)| format!("{} (set by the {} lever)", m.label(), kinds.join(" and ")))
                .collect();
            let lead = if list.len() == 1 {
                "Not a finding, as a lever sets it by construction"
            } else {
                "Not findings, as levers set them by construction"
            };
            line += &format!("{lead}: {}.", escape(&list.join("; ")));
        }
        out.push(line);
        let changed = data.changed_params(s);
        if !changed.is_empty() {
            let list: Vec<String> =
                changed.iter().map(|p| format!("{} from {} to {}", p.name, p.reference, p.value)).collect();
            out.push(format!(
                "<b>{}</b> also changes {} from the first quarter, before any lever: its differences from {} are not the levers' alone.",
                escape(&sc.name),
                escape(&list.join(", ")),
                escape(&base.name)
            ));
        }
    }
    out
}

/// Builds the page from a run's data and its charts (inlined as SVG).
pub fn build(data: &RunData, charts: &[Chart]) -> String {
    let mut h = String::new();
    let w = &mut h;
    let names: Vec<&str> = data.scenarios.iter().map(|s| s.name.as_str()).collect();
    let finished = data.manifest.finished.as_str();
    let title = format!("stpsim report: {}", scenario_list(&names));
    let _ = write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    let _ = write!(
        w,
        "<h1>{}</h1>\n<p class=\"meta\">{}; stpsim v{}, {} replicates per scenario, seed {}{}. \
         Scenarios share random numbers replicate by replicate, so differences between them are paired.</p>\n",
        escape(&title),
        escape(&data.structure_names()),
        escape(&data.version),
        data.replicates,
        data.seed,
        if finished.is_empty() { String::new() } else { format!(", run finished {}", escape(finished)) }
    );

    let _ = writeln!(w, "<section class=\"findings\" id=\"findings\">\n<h2>Key findings</h2>\n<ul>");
    for f in findings(data) {
        let _ = writeln!(w, "<li>{f}</li>");
    }
    // Over a posterior each replicate takes a parameter draw, so the
    // intervals carry parameter uncertainty as well as chance.
    let spread = if data.manifest.posterior.is_some() {
        "Intervals cover parameter uncertainty (draws from the posterior) and chance across replicates"
    } else {
        "Intervals cover the spread across replicates only, at fixed parameters"
    };
    let mut units = String::from(
        "Differences are paired replicate by replicate; shares are in per cent and their differences in percentage points (pp).",
    );
    for m in Metric::lead() {
        if let Some(meaning) = m.format().meaning() {
            units += &format!(" {}: {meaning}.", capital(m.label()));
        }
    }
    let _ = writeln!(
        w,
        "</ul>\n<p class=\"meta\">{spread} (see <a href=\"#caveats\">caveats</a>). {}</p>\n</section>",
        escape(&units)
    );

    let mut contents = vec![
        ("run", "What was run".to_string()),
        ("headline", "Headline numbers".to_string()),
        ("charts", "Charts".to_string()),
    ];
    contents.extend([("caveats", "Caveats".to_string())]);
    if !data.files.is_empty() {
        contents.push(("data", "Data files".to_string()));
    }
    contents.extend([("manifest", "Manifest".to_string()), ("odd", "The model".to_string())]);
    let _ = writeln!(w, "<nav id=\"contents\">\n<h2>Contents</h2>\n<ol>");
    for (id, text) in &contents {
        let _ = writeln!(w, "<li><a href=\"#{id}\">{}</a></li>", escape(text));
        if *id == "charts" {
            let _ = writeln!(w, "<ol>");
            for c in charts {
                let _ = writeln!(w, "<li><a href=\"#{}\">{}</a></li>", escape(&c.stem), escape(&c.title));
            }
            let _ = writeln!(w, "</ol>");
        }
    }
    let _ = writeln!(w, "</ol>\n</nav>");

    what_was_run(w, data);
    headline(w, data);
    posterior_section(w, &data.manifest);

    let _ = writeln!(w, "<h2 id=\"charts\">Charts</h2>");
    // Each chart's sheet in tables.xlsx, named as the workbook names it.
    let sheets = crate::results::xlsx::chart_sheets(&crate::plot::tables(data));
    for c in charts {
        let body = crate::plot::page::inline_svg(&c.svg);
        let files = if data.files.is_empty() {
            String::new()
        } else {
            let book = data.files.iter().any(|f| f == crate::results::xlsx::FILE);
            let numbers = crate::plot::page::numbers_it_plots(&c.stem, &sheets, book)
                .map_or(String::new(), |n| format!("<br>{n}"));
            format!(
                ": <a href=\"{0}.png\">{0}.png</a> for slides, <a href=\"{0}.svg\">{0}.svg</a> for print{numbers}",
                escape(&c.stem)
            )
        };
        let _ = write!(
            w,
            "<figure id=\"{}\">\n{}\n<figcaption>{}{files}</figcaption>\n</figure>\n",
            escape(&c.stem),
            body.trim(),
            escape(&c.title),
        );
    }

    caveats(w, data);
    if !data.files.is_empty() {
        let _ = writeln!(
            w,
            "<h2 id=\"data\">Data files</h2>\n<p>Beside this report, in the run's folder:</p>\n<table>\n<tr><th>file</th><th>what it holds</th></tr>"
        );
        for f in &data.files {
            let _ =
                writeln!(w, "<tr><td><a href=\"{0}\">{0}</a></td><td>{1}</td></tr>", escape(f), escape(file_note(f)));
        }
        let _ = writeln!(w, "</table>");
    }
    let _ = write!(
        w,
        "<h2 id=\"manifest\">Manifest</h2>\n<details><summary>manifest.json: every scenario fully resolved, with all parameters and levers</summary>\n<pre>{}</pre>\n</details>\n",
        escape(&data.manifest_text)
    );
    let _ = write!(
        w,
        "<h2 id=\"odd\">The model</h2>\n<p>docs/model.md describes the model in the ODD protocol (Overview, Design concepts, Details); \
         it is reproduced here so that this page stands alone.</p>\n<details><summary>docs/model.md: the ODD description</summary>\n<pre>{}</pre>\n</details>\n</body>\n</html>\n",
        escape(MODEL_DOC)
    );
    h
}

/// The model's ODD description, carried in the report.
const MODEL_DOC: &str = include_str!("../docs/model.md");

/// A file's line in the report: its description in the outputs table.
fn file_note(f: &str) -> &'static str {
    crate::results::outputs::find(f).map_or("", |o| o.description)
}

fn what_was_run(w: &mut String, data: &RunData) {
    let _ = writeln!(
        w,
        "<h2 id=\"run\">What was run</h2>\n<p>{} {} replicates of each scenario, seed {}.</p>",
        escape(numbers::QUARTERS_NOTE),
        data.replicates,
        data.seed
    );
    for (s, sc) in data.scenarios.iter().enumerate() {
        let c = crate::plot::style::colour(s);
        let _ = write!(
            w,
            "<h3><span class=\"swatch\" style=\"background: rgb({},{},{})\"></span>{}</h3>\n<p>{}</p>\n<p class=\"meta\">{}; {} to {}; from {}; SHA-256 {}</p>\n",
            c.0,
            c.1,
            c.2,
            escape(&sc.name),
            escape(&sc.description),
            escape(&sc.structure_name),
            sc.quarters.first().map(|q| q.to_string()).unwrap_or_default(),
            sc.quarters.last().map(|q| q.to_string()).unwrap_or_default(),
            escape(&sc.source),
            escape(sc.sha256.get(..16).unwrap_or(&sc.sha256))
        );
        let changed = data.changed_params(s);
        if !changed.is_empty() {
            let against =
                if s == 0 { "the default".to_string() } else { format!("{}'s", escape(&data.scenarios[0].name)) };
            let list: Vec<String> = changed
                .iter()
                .map(|p| format!("<code>{}</code> = {} (against {against} {})", escape(&p.name), p.value, p.reference))
                .collect();
            let _ = writeln!(w, "<p>Settings changed, in force from the first quarter: {}.</p>", list.join("; "));
        }
        if sc.levers.is_empty() {
            let _ = writeln!(w, "<p>No levers.</p>");
            continue;
        }
        let _ =
            write!(w, "<table>\n<tr><th>from</th><th>until</th><th>lever</th><th>where</th><th>settings</th></tr>\n");
        let mut levers = sc.levers.clone();
        levers.sort_by_key(|l| l.start);
        for l in &levers {
            let place = if l.named.len() > 2 { l.named.join("; ") } else { l.target.clone() };
            let _ = writeln!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                l.start,
                l.end.map_or("end of run".to_string(), |e| format!("{} (first quarter without it)", e)),
                escape(crate::plot::style::lever_label(&l.kind)),
                escape(&place),
                escape(&l.settings)
            );
        }
        let _ = writeln!(w, "</table>");
    }
}

fn headline(w: &mut String, data: &RunData) {
    let last = data.scenarios[0].quarters.last().map(|q| q.to_string()).unwrap_or_default();
    let _ = write!(
        w,
        "<h2 id=\"headline\">Headline numbers at {last}</h2>\n<p>Median over replicates with the 90% interval (5th to 95th percentile) in brackets. \
         For each scenario after the first, the difference from <b>{}</b> is the median of the paired replicate differences, \
         with their 90% interval (differences.csv); shares are in per cent and their differences in percentage points.</p>\n<div class=\"wide\">\n<table>\n<tr><th>measure</th>",
        escape(&data.scenarios[0].name)
    );
    for (s, sc) in data.scenarios.iter().enumerate() {
        let _ = write!(w, "<th>{}</th>", escape(&sc.name));
        if s > 0 {
            let _ = write!(w, "<th>{} minus {}</th>", escape(&sc.name), escape(&data.scenarios[0].name));
        }
    }
    let _ = writeln!(w, "</tr>");
    for &m in Metric::headline() {
        let _ = write!(
            w,
            "<tr><td>{} <span class=\"meta\">({})</span></td>",
            escape(&capital(m.label())),
            escape(&numbers::unit(m))
        );
        for (s, sc) in data.scenarios.iter().enumerate() {
            let cell = sc.quarters.last().and_then(|&q| data.stats(s, q, m)).map_or("n/a".to_string(), |st| {
                format!("{} [{}, {}]", numbers::level(m, st[4]), numbers::level(m, st[2]), numbers::level(m, st[6]))
            });
            let _ = write!(w, "<td class=\"num\">{cell}</td>");
            if s > 0 {
                let d = crate::plot::paired_difference(data, s, m).map_or("n/a".to_string(), |d| {
                    let (a, b, c) = numbers::interval(m, d);
                    format!("{a} [{b}, {c}]")
                });
                let _ = write!(w, "<td class=\"num\">{d}</td>");
            }
        }
        let _ = writeln!(w, "</tr>");
    }
    let _ = writeln!(w, "</table>\n</div>");
}

/// A published figure in words, without brackets: "NHS bodies putting their
/// own organisation first, 62.0% at 2016Q4, from the HFMA financial
/// temperature check".
fn target_words(t: &crate::targets::Target) -> String {
    let when = match t.quarters.as_slice() {
        [q] => format!("at {q}"),
        [a, .., b] => format!("over {} ({a} to {b})", t.when),
        [] => t.when.clone(),
    };
    let from = t.source.split([',', '(', ':']).next().unwrap_or("").trim();
    let from = if from.is_empty() { String::new() } else { format!(", from {from}") };
    format!("{}, {} {when}{from}", t.metric.label(), t.metric.format().level(t.value))
}

/// What the run's parameters were and which published figures stand behind
/// them, in plain sentences that match the run: over a posterior or not, and
/// for the built-in England posterior, its seven figures with their dates.
/// `posterior`: the manifest's posterior file and whether it was the default.
pub fn calibration_caveat(posterior: Option<(&str, bool)>) -> String {
    use crate::core::params::DICTIONARY;
    let figures =
        crate::targets::parse(crate::targets::ENGLAND, "data/targets.toml").map(|t| t.targets).unwrap_or_default();
    let list: Vec<String> = figures.iter().map(target_words).collect();
    let dates = {
        let mut q: Vec<crate::core::quarter::Quarter> = figures.iter().flat_map(|t| t.quarters.clone()).collect();
        q.sort();
        match (q.first(), q.last()) {
            (Some(a), Some(b)) => format!(", dated {a} to {b}"),
            _ => String::new(),
        }
    };
    let england = format!(
        "The built-in England posterior was fitted by ABC-SMC to {} published figures{dates} (data/targets.toml): {}. \
         docs/calibration.md gives the fit.",
        figures.len(),
        list.join("; ")
    );
    if let Some((file, by_default)) = posterior {
        if by_default || file.contains("posterior-england") {
            format!("Each replicate drew its parameters from the built-in England posterior. {england}")
        } else {
            format!(
                "Each replicate drew its parameters from the posterior in {file}, fitted by stpsim calibrate to the \
                 targets its calibration.json lists. For comparison: {england}"
            )
        }
    } else {
        let set: Vec<String> = DICTIONARY
            .iter()
            .filter_map(|d| {
                let why = d.source.strip_prefix("calibrated")?;
                let why = why.split_once(": ").map_or(why, |(_, w)| w).trim();
                Some(format!("{} to {}", d.name, why))
            })
            .collect();
        format!(
            "Every replicate ran at the same fixed parameters, the specification's defaults, not draws from a \
             posterior. Of these, {} were set by hand to published figures: {}. {england} This run did not use it.",
            set.len(),
            set.join("; ")
        )
    }
}

fn caveats(w: &mut String, data: &RunData) {
    use crate::core::params::DICTIONARY;
    let assumed = DICTIONARY.iter().filter(|d| d.source.starts_with("assumption")).count();
    // What the intervals cover depends on whether replicates drew their parameters from a posterior.
    let cover = if data.manifest.posterior.is_some() {
        "the spread that the model's own chance events produce, with each replicate's parameters drawn from the \
         calibrated posterior, so they include the uncertainty in the parameters that the calibration targets leave. \
         They leave out uncertainty in the model's structure and in the data, and in parameters no target informs \
         beyond their priors, so the real uncertainty is wider."
    } else {
        "the spread that the model's own chance events produce for fixed parameters. They leave out uncertainty in the \
         parameters, in the model's structure and in the data, so the real uncertainty is wider."
    };
    let _ = write!(
        w,
        "<h2 id=\"caveats\">Caveats</h2>\n<ul>\n\
         <li><b>What the intervals cover.</b> Bands and bracketed intervals show where 50% or 90% of the {} replicates fall: \
         {cover} Differences between \
         scenarios are paired replicate by replicate (the scenarios share random numbers), so their intervals are narrower \
         than either scenario's own: quote the paired interval.</li>\n\
         <li><b>Which numbers are assumptions.</b> {assumed} of the model's {} parameters are assumptions (the specification's \
         values or judgement), not estimates; docs/parameters.md gives each one's source. A result that depends on them \
         should be read as a consequence of the model, not as a forecast.</li>\n\
         <li><b>Calibration targets.</b> {}</li>\n\
         <li><b>Quarters.</b> {}</li>\n\
         <li><b>The model.</b> The <a href=\"#odd\">ODD description</a> (docs/model.md) defines every entity, phase and \
         measure, and its \"Readings\" section says how ambiguous points of the specification were settled.</li>\n</ul>\n",
        data.replicates,
        DICTIONARY.len(),
        escape(&calibration_caveat(data.manifest.posterior.as_ref().map(|p| (p.file.as_str(), p.by_default)))),
        escape(numbers::QUARTERS_NOTE)
    );
}

/// For a run over a posterior: that its intervals include parameter
/// uncertainty, and how much of each headline spread is parameters and how
/// much chance (variance_split.csv).
fn posterior_section(w: &mut String, manifest: &StoredManifest) {
    // Empty in a manifest written before runs said how their parameters were set.
    let how = Some(manifest.parameters.as_str()).filter(|h| !h.is_empty());
    let Some(p) = &manifest.posterior else {
        if let Some(how) = how {
            let _ = writeln!(
                w,
                "<h2>Parameter uncertainty</h2>\n<p>Replicates ran {}: the intervals show chance only, not \
                 parameter uncertainty.</p>",
                escape(how)
            );
        }
        return;
    };
    if let Some(how) = how {
        let _ = writeln!(w, "<h2>Parameter uncertainty</h2>\n<p>Replicates ran {}.</p>", escape(how));
    } else {
        let _ = writeln!(w, "<h2>Parameter uncertainty</h2>");
    }
    let held: Vec<String> = p
        .held
        .iter()
        .map(|(s, names)| format!("<code>{}</code> holds {} at its own value", escape(s), escape(&names.join(", "))))
        .collect();
    if !held.is_empty() {
        let _ = writeln!(
            w,
            "<p>Parameters a scenario sets itself are held fixed in every replicate, not drawn: {}.</p>",
            held.join("; ")
        );
    }
    let _ = writeln!(
        w,
        "<p><b>The intervals above include parameter uncertainty.</b> Each replicate ran \
         with a draw from the calibrated posterior <code>{}</code> ({} draws of {}), chosen by weight, and replicate r took \
         the same draw in every scenario, so differences stay paired. The table splits each headline spread at the final \
         quarter into parameter uncertainty and chance: the parameter share is the adjusted R<sup>2</sup> of a linear fit of \
         the replicates' values on their draws' parameters (a lower bound if the response is far from linear), the rest is chance.</p>",
        escape(&p.file),
        p.draws,
        escape(&p.parameters.join(", "))
    );
    patterns_table(w, &p.patterns);
    let _ =
        writeln!(w, "<table>\n<tr><th>scenario</th><th>metric</th><th>sd</th><th>parameters</th><th>chance</th></tr>");
    for row in &p.variance_split {
        let _ = writeln!(
            w,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.0}%</td><td class=\"num\">{:.0}%</td></tr>",
            escape(&row.scenario),
            escape(&row.metric),
            row.sd,
            100.0 * row.parameter_share,
            100.0 * row.chance_share
        );
    }
    let _ = writeln!(w, "</table>");
}

/// The spec's patterns over the run's draws (manifest `posterior.patterns`).
fn patterns_table(w: &mut String, rows: &[crate::calibrate::patterns::Check]) {
    if rows.is_empty() {
        let _ = writeln!(
            w,
            "<p>The spec's six patterns are checked over the draws of a run that holds their scenarios with \
             <code>baseline</code> (<code>stpsim run --all</code>); this run holds none of them.</p>"
        );
        return;
    }
    let _ = writeln!(
        w,
        "<p>The spec's patterns over this run's draws: the mean paired difference from <code>baseline</code> (with its \
         standard error), and the probability the clause holds over the posterior, the share of draws whose expected \
         difference (a linear fit on the draws' parameters) has the expected sign. Where it holds only in part of the \
         posterior, the parameter that decides it is the one with the largest standardised coefficient in that fit.</p>\n\
         <table>\n<tr><th>pattern</th><th>clause</th><th>mean difference (se)</th><th>holds over the posterior</th>\
         <th>decided by</th></tr>"
    );
    for r in rows {
        let prob = r.probability;
        let decided = if prob < 0.95 { r.deciding.as_str() } else { "" };
        let _ = writeln!(
            w,
            "<tr><td>{}</td><td>{} (<code>{}</code>)</td><td class=\"num\">{:+.4} ({:.4})</td><td class=\"num\">{:.0}%</td>\
             <td>{}</td></tr>",
            r.pattern,
            escape(&r.clause),
            escape(&r.scenario),
            r.mean,
            r.se,
            100.0 * prob,
            if decided.is_empty() { String::new() } else { format!("<code>{}</code>", escape(decided)) }
        );
    }
    let _ = writeln!(w, "</table>");
}

/// docs/scenarios.md: every scenario of a run with its question and its
/// headline results at the final quarter, with 90% intervals and paired
/// differences from the first scenario (where the two share a structure).
pub fn scenarios_markdown(
    results: &crate::results::Results,
    scenarios: &[crate::scenario::Scenario],
    replicates: u32,
    seed: u64,
) -> String {
    use crate::results::summary::{describe, paired};
    const METRICS: [Metric; 4] =
        [Metric::TransformationIndex, Metric::SocialCarePriority, Metric::SelfPriorityShare, Metric::CouncilEngagement];
    let mut s = format!(
        "# The scenario library\n\nGenerated by `stpsim scenarios --markdown` ({replicates} replicates, seed {seed}, \
         stpsim v{}), at the spec's default parameters: no posterior, so the intervals show chance alone (`stpsim run \
         --all --posterior none` gives these numbers; a plain `stpsim run` draws parameters from the England \
         posterior and its intervals are wider). A test fails when this file is stale. Each cell gives the median at the final quarter with \
         its 90% interval over replicates, then (Δ) the median paired difference from `{}` with the 90% interval \
         of the paired differences; shares are in per cent and their differences in percentage points. Each \
         scenario file in `scenarios/` opens with its question and the published fact it encodes.\n\n\
         | scenario | question |",
        env!("CARGO_PKG_VERSION"),
        scenarios.first().map_or("", |x| x.name.as_str())
    );
    for m in METRICS {
        s += &format!(" {} |", m.name());
    }
    s += "\n|---|---|";
    for _ in METRICS {
        s += "---|";
    }
    s += "\n";
    let base = scenarios.first();
    for (sc, res) in scenarios.iter().zip(&results.scenarios) {
        let question = crate::scenario::builtin::find(&sc.name)
            .map(|b| crate::scenario::builtin::question(b.text))
            .unwrap_or_default();
        let file = crate::scenario::builtin::find(&sc.name).map_or(sc.source.clone(), |b| b.file.to_string());
        s += &format!("| `{}` ({}) | {} |", sc.name, file, question);
        let Some(&last) = res.quarters.last() else { continue };
        for m in METRICS {
            let v = res.at(last, m);
            let (_, _, q) = describe(&mut v.clone());
            let f = m.format();
            s += &format!(" {} [{}, {}]", f.level(q[2]), f.level(q[0]), f.level(q[4]));
            if let Some(b) = base.filter(|b| b.name != sc.name) {
                if b.structure == sc.structure && b.end == sc.end {
                    let mut d = paired(&results.scenarios[0].at(last, m), &v);
                    let (_, _, dq) = describe(&mut d);
                    let [med, lo, hi] = m.format().interval([dq[2], dq[0], dq[4]]);
                    s += &format!("<br>Δ {med} [{lo}, {hi}]");
                } else {
                    s += "<br>Δ n/a: another structure";
                }
            }
            s += " |";
        }
        s += "\n";
    }
    s
}
