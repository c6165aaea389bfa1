//! report.html: one self-contained page (inline SVG and CSS, nothing
//! fetched) with what was run, each scenario and its levers, the headline
//! numbers at the final quarter, every chart and the manifest.

use crate::model::Metric;
use crate::plot::{ChartFile, RunData};
use std::fmt::Write;

/// Metrics in the headline table.
pub const HEADLINE: [Metric; 9] = [
    Metric::TransformationIndex,
    Metric::SocialCarePriority,
    Metric::SelfPriorityShare,
    Metric::CollaborationRate,
    Metric::CouncilEngagement,
    Metric::UnsureShare,
    Metric::MeanResentment,
    Metric::ProviderBalanceGbpM,
    Metric::AcsCount,
];

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn value(m: Metric, v: f64) -> String {
    if m.unit().starts_with("share") {
        format!("{:.1}%", v * 100.0)
    } else if m == Metric::ProviderBalanceGbpM {
        format!("{v:.0}")
    } else if m == Metric::AcsCount {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

const CSS: &str = "
body { font-family: 'Liberation Sans', Arial, Helvetica, sans-serif; color: #1a1a1a; max-width: 1180px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 2px solid #1a1a1a; padding-bottom: 0.2em; }
.meta { color: #555; } table { border-collapse: collapse; margin: 1em 0; font-size: 0.95em; }
th, td { border-bottom: 1px solid #ccc; padding: 0.35em 0.8em; text-align: left; vertical-align: top; }
td:first-child, td:nth-child(2) { white-space: nowrap; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 2em 0; } figure svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 0.9em; } pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 0.8em; }
.swatch { display: inline-block; width: 1.6em; height: 0.35em; vertical-align: middle; margin-right: 0.4em; }
";

/// Builds the page; `charts` are read from the run folder as SVG.
pub fn build(data: &RunData, charts: &[ChartFile]) -> Result<String, std::io::Error> {
    let mut h = String::new();
    let w = &mut h;
    let names: Vec<&str> = data.scenarios.iter().map(|s| s.name.as_str()).collect();
    let manifest: serde_json::Value = serde_json::from_str(&data.manifest_text).unwrap_or_default();
    let finished = manifest["finished"].as_str().unwrap_or("");
    let _ = write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>stpsim report: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&names.join(", "))
    );
    let _ = write!(
        w,
        "<h1>stpsim report: {}</h1>\n<p class=\"meta\">stpsim v{}, {} replicates per scenario, seed {}, run finished {}. \
         Scenarios share random numbers replicate by replicate, so differences between them are paired.</p>\n",
        escape(&names.join(" and ")),
        escape(&data.version),
        data.replicates,
        data.seed,
        escape(finished)
    );

    let _ = writeln!(w, "<h2>Scenarios</h2>");
    for (s, sc) in data.scenarios.iter().enumerate() {
        let c = crate::plot::style::colour(s);
        let _ = write!(
            w,
            "<h3><span class=\"swatch\" style=\"background: rgb({},{},{})\"></span>{}</h3>\n<p>{}</p>\n<p class=\"meta\">From {}; {} to {}; SHA-256 {}</p>\n",
            c.0,
            c.1,
            c.2,
            escape(&sc.name),
            escape(&sc.description),
            escape(&sc.source),
            sc.quarters.first().map(|q| q.to_string()).unwrap_or_default(),
            sc.quarters.last().map(|q| q.to_string()).unwrap_or_default(),
            escape(sc.sha256.get(..16).unwrap_or(&sc.sha256))
        );
        if sc.levers.is_empty() {
            let _ = writeln!(w, "<p>No levers.</p>");
            continue;
        }
        let _ =
            write!(w, "<table>\n<tr><th>from</th><th>until</th><th>lever</th><th>where</th><th>settings</th></tr>\n");
        let mut levers = sc.levers.clone();
        levers.sort_by_key(|l| l.start);
        for l in &levers {
            let _ = writeln!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                l.start,
                l.end.map_or("end of run".to_string(), |e| e.to_string()),
                escape(crate::plot::style::lever_label(&l.kind)),
                escape(&l.target),
                escape(&l.settings)
            );
        }
        let _ = writeln!(w, "</table>");
    }

    let last = data.scenarios[0].quarters.last().map(|q| q.to_string()).unwrap_or_default();
    let _ = write!(
        w,
        "<h2>Headline numbers at {last}</h2>\n<p>Median over replicates with the 90% interval (5th to 95th percentile) in brackets. \
         For each scenario after the first, the difference from <b>{}</b> is the median of the paired replicate differences, \
         with their 90% interval; shares are in percentage points.</p>\n<table>\n<tr><th>metric</th>",
        escape(&data.scenarios[0].name)
    );
    for (s, sc) in data.scenarios.iter().enumerate() {
        let _ = write!(w, "<th>{}</th>", escape(&sc.name));
        if s > 0 {
            let _ = write!(w, "<th>{} minus {}</th>", escape(&sc.name), escape(&data.scenarios[0].name));
        }
    }
    let _ = writeln!(w, "</tr>");
    for m in HEADLINE {
        let _ = write!(w, "<tr><td>{} <span class=\"meta\">({})</span></td>", m.name(), escape(m.unit()));
        for (s, sc) in data.scenarios.iter().enumerate() {
            let cell = sc.quarters.last().and_then(|&q| data.stats(s, q, m)).map_or("n/a".to_string(), |st| {
                format!("{} [{}, {}]", value(m, st[4]), value(m, st[2]), value(m, st[6]))
            });
            let _ = write!(w, "<td class=\"num\">{cell}</td>");
            if s > 0 {
                let d = crate::plot::paired_difference(data, s, m).map_or("n/a".to_string(), |d| {
                    let f = |v| crate::plot::signed(m, v);
                    format!("{} [{}, {}]", f(d[0]), f(d[1]), f(d[2]))
                });
                let _ = write!(w, "<td class=\"num\">{d}</td>");
            }
        }
        let _ = writeln!(w, "</tr>");
    }
    let _ = writeln!(w, "</table>");
    posterior_section(w, data, &manifest);

    let _ = writeln!(w, "<h2>Charts</h2>");
    for c in charts {
        let svg = std::fs::read_to_string(data.dir.join(format!("{}.svg", c.stem)))?;
        let body = svg.trim_start_matches(|ch| ch != '<');
        let body = if body.starts_with("<?xml") { body.split_once("?>").map_or(body, |x| x.1) } else { body };
        let _ = write!(
            w,
            "<figure id=\"{}\">\n{}\n<figcaption>{}: {}.svg and {}.png in the run folder.</figcaption>\n</figure>\n",
            escape(&c.stem),
            body.trim(),
            escape(&c.title),
            escape(&c.stem),
            escape(&c.stem)
        );
    }

    let _ = write!(
        w,
        "<h2>Manifest</h2>\n<details><summary>manifest.json: every scenario fully resolved, with all parameters and levers</summary>\n<pre>{}</pre>\n</details>\n</body>\n</html>\n",
        escape(&data.manifest_text)
    );
    Ok(h)
}

/// For a run over a posterior: that its intervals include parameter
/// uncertainty, and how much of each headline spread is parameters and how
/// much chance (variance_split.csv).
fn posterior_section(w: &mut String, data: &RunData, manifest: &serde_json::Value) {
    let p = &manifest["posterior"];
    if !p.is_object() {
        return;
    }
    let _ = write!(
        w,
        "<h2>Parameter uncertainty</h2>\n<p><b>The intervals above include parameter uncertainty.</b> Each replicate ran \
         with a draw from the calibrated posterior <code>{}</code> ({} draws of {}), chosen by weight, and replicate r took \
         the same draw in every scenario, so differences stay paired. The table splits each headline spread at the final \
         quarter into parameter uncertainty and chance: the parameter share is the adjusted R<sup>2</sup> of a linear fit of \
         the replicates' values on their draws' parameters (a lower bound if the response is far from linear), the rest is chance.</p>\n",
        escape(p["file"].as_str().unwrap_or("")),
        p["draws"].as_u64().unwrap_or(0),
        escape(
            &p["parameters"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        )
    );
    let Ok(text) = std::fs::read_to_string(data.dir.join("variance_split.csv")) else {
        let _ = writeln!(w, "<p>variance_split.csv is missing from the run folder.</p>");
        return;
    };
    let _ =
        writeln!(w, "<table>\n<tr><th>scenario</th><th>metric</th><th>sd</th><th>parameters</th><th>chance</th></tr>");
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if c.len() != 6 {
            continue;
        }
        let num = |v: &str| v.parse::<f64>().unwrap_or(f64::NAN);
        let _ = writeln!(
            w,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.0}%</td><td class=\"num\">{:.0}%</td></tr>",
            escape(c[0]),
            escape(c[2]),
            num(c[3]),
            100.0 * num(c[4]),
            100.0 * num(c[5])
        );
    }
    let _ = writeln!(w, "</table>");
}

/// docs/scenarios.md: every scenario of a run with its question and its
/// headline results at the final quarter, with 90% intervals and paired
/// differences from the first scenario (where the two share a structure).
pub fn scenarios_markdown(
    results: &crate::Results,
    scenarios: &[crate::Scenario],
    replicates: u32,
    seed: u64,
) -> String {
    use crate::results::summary::{describe, paired};
    const METRICS: [Metric; 4] =
        [Metric::TransformationIndex, Metric::SocialCarePriority, Metric::SelfPriorityShare, Metric::CouncilEngagement];
    let mut s = format!(
        "# The scenario library\n\nGenerated by `stpsim scenarios --markdown` ({replicates} replicates, seed {seed}, \
         stpsim v{}); a test fails when this file is stale. Each cell gives the median at the final quarter with \
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
            s += &format!(" {} [{}, {}]", value(m, q[2]), value(m, q[0]), value(m, q[4]));
            if let Some(b) = base.filter(|b| b.name != sc.name) {
                if b.structure == sc.structure && b.end == sc.end {
                    let mut d = paired(&results.scenarios[0].at(last, m), &v);
                    let (_, _, dq) = describe(&mut d);
                    let f = |x| crate::plot::signed(m, x);
                    s += &format!("<br>Δ {} [{}, {}]", f(dq[2]), f(dq[0]), f(dq[4]));
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
