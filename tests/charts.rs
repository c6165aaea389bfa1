//! Charts and report: every file is produced with no system fonts, each PNG
//! is valid and of its SVG's size, each SVG parses and carries its title,
//! the report holds every chart and the headline table and needs no network,
//! and `stpsim plot` on a saved folder redraws the same charts.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const FANS: [(&str, &str); 8] = [
    ("fan_transformation_index", "Transformation index"),
    ("fan_social_care_priority", "Social care&apos;s place on STP agendas"),
    ("fan_self_priority_share", "NHS bodies putting their own organisation first"),
    ("fan_collaboration_rate", "Organisations collaborating with their STP"),
    ("fan_council_engagement", "Councils engaging with their STP"),
    ("fan_unsure_share", "NHS bodies unsure how STPs relate to their duties"),
    ("fan_provider_balance_gbp_m", "Providers&apos; reported balance"),
    ("fan_gaps", "The three Five Year Forward View gaps"),
];

fn stems() -> Vec<String> {
    let mut v: Vec<String> = FANS.iter().map(|f| f.0.to_string()).collect();
    v.extend(["comparison", "funnel"].map(String::from));
    for m in ["transformation_index", "social_care_priority"] {
        for s in ["baseline", "history"] {
            v.push(format!("heatmap_{s}_{m}"));
        }
        v.push(format!("heatmap_difference_history_{m}"));
    }
    v
}

/// One run shared by the tests: baseline and history with footprints, drawn
/// with fontconfig pointed at nothing, so no system font can be found.
fn run_dir() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let o = Command::new(BIN)
            .args([
                "run",
                "baseline",
                "history",
                "--replicates",
                "12",
                "--seed",
                "5",
                "--per-footprint",
                "--quiet",
                // The charts at the spec's defaults, as the library's `run` below gives them.
                "--posterior",
                "none",
                "--out",
            ])
            .arg(&out)
            .env("FONTCONFIG_FILE", "/dev/null")
            .env("FONTCONFIG_PATH", "/nonexistent")
            .env("XDG_DATA_HOME", "/nonexistent")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (tmp, out)
    })
    .1
}

/// Width and height from a PNG's IHDR chunk, after checking its signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn every_chart_is_a_valid_png_and_svg_of_the_same_size() {
    let dir = run_dir();
    for stem in stems() {
        let png = std::fs::read(dir.join(format!("{stem}.png"))).unwrap_or_else(|e| panic!("{stem}.png: {e}"));
        let (w, h) = png_size(&png);
        assert!(w >= 1200 && h >= 800, "{stem}.png is {w}x{h}");
        let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{stem}.svg does not parse: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("width"), Some(w.to_string().as_str()), "{stem}");
        assert_eq!(root.attribute("height"), Some(h.to_string().as_str()), "{stem}");
        let texts = doc.descendants().filter(|n| n.has_tag_name("text")).count();
        assert!(texts > 10, "{stem}.svg has {texts} text elements");
        // PNG text is drawn: a rasterised chart with text has many distinct grey levels.
        assert!(png.len() > 20_000, "{stem}.png is suspiciously small ({} bytes)", png.len());
    }
    for (stem, title) in FANS {
        let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
        let title = title.replace("&apos;", "'");
        let doc = roxmltree::Document::parse(&svg).unwrap();
        assert!(
            doc.descendants().any(|n| n.text().map(str::trim) == Some(title.as_str())),
            "{stem}.svg lacks its title {title:?}"
        );
        assert!(svg.contains("Source: stpsim v"), "{stem}.svg lacks the source line");
    }
}

#[test]
fn fan_charts_show_lever_starts_bands_and_the_survey_point() {
    let dir = run_dir();
    let svg = std::fs::read_to_string(dir.join("fan_self_priority_share.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let text = |t: &str| doc.descendants().any(|n| n.text().is_some_and(|x| x.contains(t)));
    assert!(
        text("Published figures") && text("HFMA financial temperature") && text("62.0%"),
        "the survey point's legend"
    );
    assert!(text("Levers switched on"));
    assert!(text("2017Q2 history: leads strengthened"), "the first lever of history is labelled");
    assert!(text("2020Q2 history: accountable care"), "the last lever of history is labelled too");
    assert!(!text("... and more"), "two scenarios' levers fit beside the chart");
    assert!(text("90% of replicates") && text("50% of replicates") && text("median"));
    // history's bands are filled polygons (two); baseline's are outlines, so
    // no two fills overlap into a colour that is neither scenario's.
    let fill = |n: roxmltree::Node| {
        (n.attribute("fill").unwrap_or("").to_string(), n.attribute("opacity").unwrap_or("1").to_string())
    };
    let bands: Vec<(String, String)> = doc.descendants().filter(|n| n.has_tag_name("polygon")).map(fill).collect();
    assert_eq!(bands.len(), 2, "{bands:?}");
    assert!(bands.iter().all(|b| b.0 == "#D55E00"), "history's vermillion: {bands:?}");
    // Each band's legend swatch is drawn in the band's own colour and opacity (not grey).
    let swatches: Vec<(String, String)> =
        doc.descendants().filter(|n| n.has_tag_name("rect") && n.attribute("opacity") != Some("1")).map(fill).collect();
    for b in &bands {
        assert!(swatches.contains(b), "no legend swatch {b:?} among {swatches:?}");
    }
    assert!(swatches.iter().all(|s| bands.contains(s)), "a swatch of no band: {swatches:?}");
    // Five lever start dates in history: five numbered markers.
    for n in 1..=5 {
        assert!(
            doc.descendants()
                .any(|x| x.has_tag_name("text") && x.text().map(str::trim) == Some(n.to_string().as_str()))
        );
    }
}

#[test]
fn the_report_is_self_contained_and_holds_every_chart_and_the_table() {
    let dir = run_dir();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for stem in stems() {
        assert!(html.contains(&format!("<figure id=\"{stem}\">")), "report lacks {stem}");
    }
    assert_eq!(html.matches("<svg").count(), stems().len(), "one inline SVG per chart");
    assert!(html.contains("<h2 id=\"headline\">Headline numbers at 2021Q1</h2>"));
    assert!(html.contains("<th>history minus baseline</th>"));
    // Measures in words, never in snake_case, wherever a person reads them.
    for m in [
        "Transformation index",
        "Social care&#x27;s share of STP agendas",
        "NHS bodies putting their own organisation first",
    ] {
        let m = m.replace("&#x27;", "'");
        assert!(html.contains(&format!("<tr><td>{m} ")), "headline row {m}");
    }
    assert!(html.contains("The 2016 status quo"), "scenario descriptions");
    assert!(html.contains("<td>2017Q2</td>"), "lever timeline");
    assert!(html.contains("manifest.json"));
    // Nothing is fetched: no scripts, stylesheets, images or links to elsewhere.
    for needle in ["<script", "<link", "<img", "src=", "url(", "@import"] {
        assert!(!html.contains(needle), "report contains {needle}");
    }
    let without_xmlns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_xmlns.contains("http://") && !without_xmlns.contains("https://"), "report refers to the network");
}

#[test]
fn plot_redraws_the_same_charts_from_a_saved_folder() {
    let dir = run_dir();
    let copy = tempfile::tempdir().unwrap();
    for f in ["timeseries.csv", "summary.csv", "differences.csv", "footprints.csv", "tables.xlsx", "manifest.json"] {
        std::fs::copy(dir.join(f), copy.path().join(f)).unwrap();
    }
    let o = Command::new(BIN).arg("plot").arg(copy.path()).env("FONTCONFIG_FILE", "/dev/null").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("drew {} charts", stems().len())));
    for stem in stems() {
        for ext in ["png", "svg"] {
            let a = std::fs::read(dir.join(format!("{stem}.{ext}"))).unwrap();
            let b = std::fs::read(copy.path().join(format!("{stem}.{ext}"))).unwrap();
            assert!(a == b, "{stem}.{ext} differs when redrawn");
        }
    }
    let a = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let b = std::fs::read_to_string(copy.path().join("report.html")).unwrap();
    assert_eq!(a, b, "report.html differs when redrawn");
}

#[test]
fn plot_on_a_folder_that_is_not_a_run_is_bad_input() {
    let empty = tempfile::tempdir().unwrap();
    let o = Command::new(BIN).arg("plot").arg(empty.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("manifest.json: cannot read") && err.contains("is it the output folder of a run"), "{err}");
}

#[test]
fn no_charts_writes_results_only() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = Command::new(BIN)
        .args(["run", "baseline", "--replicates", "2", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(out.join("timeseries.csv").exists());
    assert!(!out.join("report.html").exists() && !out.join("fan_gaps.png").exists());
}

#[test]
fn comparison_labels_sit_beside_their_own_scenario() {
    // Each row's label must be level with the marker in that scenario's
    // colour (history vermillion, strong-leads blue in the Okabe-Ito order).
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = Command::new(BIN)
        .args(["run", "baseline", "history", "strong-leads", "no-veto", "--replicates", "6", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(out.join("comparison.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let y = |n: roxmltree::Node, a: &str| n.attribute(a).and_then(|v| v.parse::<f64>().ok()).unwrap();
    let mut checked = 0;
    for (name, fill) in [("history ", "#D55E00"), ("strong-leads ", "#0072B2"), ("no-veto ", "#009E73")] {
        for label in
            doc.descendants().filter(|n| n.has_tag_name("text") && n.text().is_some_and(|t| t.trim().starts_with(name)))
        {
            let ly = y(label, "y");
            let nearest = doc
                .descendants()
                .filter(|n| n.has_tag_name("circle"))
                .min_by(|a, b| (y(*a, "cy") - ly).abs().total_cmp(&(y(*b, "cy") - ly).abs()))
                .unwrap();
            assert!((y(nearest, "cy") - ly).abs() < 12.0, "{name} label has no marker beside it");
            assert_eq!(nearest.attribute("fill"), Some(fill), "{name} label beside another scenario's marker");
            checked += 1;
        }
    }
    assert_eq!(checked, 3 * 8, "three scenarios in eight panels");
}

#[test]
fn plot_on_malformed_files_is_bad_input_not_a_crash() {
    let dir = run_dir();
    let copy = tempfile::tempdir().unwrap();
    for f in ["summary.csv", "manifest.json"] {
        std::fs::copy(dir.join(f), copy.path().join(f)).unwrap();
    }
    for bad in ["a,b\nx,y\n", "scenario,replicate,quarter,metric,value\nbaseline,0,2016Q1\n", "\u{0}\u{1}"] {
        std::fs::write(copy.path().join("timeseries.csv"), bad).unwrap();
        let o = Command::new(BIN).arg("plot").arg(copy.path()).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(o.status.code(), Some(2), "{err}");
    }
}

#[test]
fn the_report_opens_with_key_findings_and_has_contents_caveats_and_data_links() {
    let html = std::fs::read_to_string(run_dir().join("report.html")).unwrap();
    let at = |t: &str| html.find(t).unwrap_or_else(|| panic!("report lacks {t}"));
    let findings = at("<h2>Key findings</h2>");
    assert!(findings < at("<h2>Contents</h2>") && at("<h2>Contents</h2>") < at("<h2 id=\"run\">What was run</h2>"));
    assert!(at("<h2 id=\"run\">") < at("<h2 id=\"charts\">") && at("<h2 id=\"charts\">") < at("<h2 id=\"caveats\">"));
    // history moves the transformation index clearly: a finding in words with its paired interval.
    let section = &html[findings..at("<h2>Contents</h2>")];
    assert!(section.contains("Under <b>history</b>, compared with baseline at 2021Q1"), "{section}");
    assert!(section.contains("90% interval of the paired differences"), "{section}");
    assert!(section.contains("percentage points"), "shares are compared in percentage points: {section}");
    for needle in ["What the intervals cover", "Which numbers are assumptions", "Calibration targets", "href=\"#odd\""]
    {
        assert!(html.contains(needle), "caveats lack {needle}");
    }
    assert!(html.contains("2017Q2 is April to June 2017, the first quarter of financial year 2017/18"));
    for f in ["summary.csv", "differences.csv", "timeseries.csv", "footprints.csv", "manifest.json"] {
        assert!(html.contains(&format!("<a href=\"{f}\">{f}</a>")), "no link to {f}");
    }
    assert!(html.contains("<a href=\"fan_gaps.png\">fan_gaps.png</a>"), "links to each chart's files");
}

#[test]
fn the_comparison_chart_reads_differences_csv() {
    let dir = run_dir();
    let text = std::fs::read_to_string(dir.join("differences.csv")).unwrap();
    assert!(text.starts_with("scenario,quarter,metric,median,p05,p95,mean,sd\n"));
    // Every quarter of history, every metric.
    assert_eq!(text.lines().filter(|l| l.starts_with("history,")).count(), 21 * stpsim::model::Metric::ALL.len());
    // Change one row: the redrawn comparison chart shows the changed number.
    let copy = tempfile::tempdir().unwrap();
    for f in ["timeseries.csv", "summary.csv", "manifest.json"] {
        std::fs::copy(dir.join(f), copy.path().join(f)).unwrap();
    }
    let edited: String = text
        .lines()
        .map(|l| {
            if l.starts_with("history,2021Q1,acs_count,") {
                "history,2021Q1,acs_count,42.5,41.3,43.8,42.5,1".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(copy.path().join("differences.csv"), edited + "\n").unwrap();
    // The manifest vouches for its files by checksum: record the edit there,
    // or plot refuses the folder as a mixed set (tests/staging.rs).
    let mpath = copy.path().join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&mpath).unwrap()).unwrap();
    m["file_sha256"]["differences.csv"] =
        stpsim::results::folder::file_sha256(&copy.path().join("differences.csv")).unwrap().into();
    std::fs::write(&mpath, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let o = Command::new(BIN).args(["plot", "--quiet"]).arg(copy.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty(), "--quiet prints nothing");
    let svg = std::fs::read_to_string(copy.path().join("comparison.svg")).unwrap();
    assert!(svg.contains("history +42.5 [+41.3, +43.8]"), "the comparison chart does not show differences.csv");
}

#[test]
fn the_report_built_in_memory_is_the_one_run_writes() {
    // stpsim run draws from memory; plot from the files; both pages agree.
    let dir = run_dir();
    let copy = tempfile::tempdir().unwrap();
    for f in ["timeseries.csv", "summary.csv", "differences.csv", "footprints.csv", "tables.xlsx", "manifest.json"] {
        std::fs::copy(dir.join(f), copy.path().join(f)).unwrap();
    }
    let o = Command::new(BIN).args(["plot", "--quiet"]).arg(copy.path()).output().unwrap();
    assert!(o.status.success());
    let a = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let b = std::fs::read_to_string(copy.path().join("report.html")).unwrap();
    assert!(a == b, "the in-memory report differs from the one drawn from files");
    // And the library call with no files at all gives a page with the same findings and charts.
    let scenarios = vec![stpsim::scenario::load("baseline").unwrap(), stpsim::scenario::load("history").unwrap()];
    let opts = stpsim::RunOptions { replicates: 12, seed: 5, footprint_replicates: 12 };
    let results = stpsim::run(&scenarios, &opts);
    let page = stpsim::report::html(&results, &scenarios, 5, None, &Default::default()).unwrap();
    let findings = |h: &str| h[h.find("Key findings").unwrap()..h.find("<h2>Contents").unwrap()].to_string();
    assert_eq!(findings(&page), findings(&a));
    assert_eq!(page.matches("<svg").count(), stems().len());
    assert!(!page.contains("href=\"summary.csv\""), "no links to files that were not written");
}

#[test]
fn a_run_of_a_users_structure_names_it_in_every_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let mut csv = String::from("footprint,organisation,kind,budget,lead\n");
    for (f, fp) in ["North Shire", "South Shire", "East Shire"].iter().enumerate() {
        for (k, kind) in ["acute_trust", "ccg", "council", "community_trust"].iter().enumerate() {
            let lead = if k == 0 { "true" } else { "" };
            csv += &format!("{fp},{fp} {kind} {f},{kind},{},{lead}\n", 100 + 50 * k);
        }
    }
    std::fs::write(tmp.path().join("shires.csv"), csv).unwrap();
    let scenario = "name = \"shires\"\ndescription = \"Three shires.\"\n[structure]\nkind = \"file\"\npath = \"shires.csv\"\n\
                    [[levers]]\nkind = \"remove_veto\"\nstart = \"2017Q2\"\nend = \"2019Q1\"\nfootprints = \"all\"\n";
    std::fs::write(tmp.path().join("shires.toml"), scenario).unwrap();
    let out = tmp.path().join("o");
    let o = Command::new(BIN)
        .args(["run", "shires.toml", "--replicates", "3", "--per-footprint", "--quiet", "--out"])
        .arg(&out)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut charts = 0;
    for e in std::fs::read_dir(&out).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "svg") {
            let svg = std::fs::read_to_string(&path).unwrap();
            assert!(!svg.contains("England"), "{} speaks of England", path.display());
            // The subtitle may wrap: read the text lines as one.
            let doc = roxmltree::Document::parse(&svg).unwrap();
            let text: Vec<&str> = doc
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .flat_map(str::split_whitespace)
                .collect();
            let text = text.join(" ");
            assert!(
                text.contains("shires.csv (12 organisations, 3 footprints)"),
                "{} lacks the structure: {text}",
                path.display()
            );
            charts += 1;
        }
    }
    assert_eq!(charts, 8 + 1 + 2, "fans, funnel, two heatmaps");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("shires.csv (12 organisations, 3 footprints)"));
    // The lever's end is marked as well as its start.
    let fan = std::fs::read_to_string(out.join("fan_collaboration_rate.svg")).unwrap();
    let fan: Vec<&str> = fan
        .split(['<', '>'])
        .filter(|t| !t.contains('=') && !t.starts_with('/'))
        .flat_map(str::split_whitespace)
        .collect();
    assert!(
        fan.join(" ").contains("2019Q1 shires: veto removed (all footprints) ends"),
        "the lever's end is not marked"
    );
}
