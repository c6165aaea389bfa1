//! Pieces of the HTML pages (report.html of a run or a sweep): the shared
//! style sheet and text escaping.

/// Text for HTML: characters that could open markup or close an attribute are escaped.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A chart's SVG as a page inlines it: from its first tag, without the XML
/// declaration.
pub fn inline_svg(svg: &str) -> &str {
    let body = svg.trim_start_matches(|ch| ch != '<');
    if body.starts_with("<?xml") { body.split_once("?>").map_or(body, |x| x.1) } else { body }
}

/// Where a chart's numbers are, for its caption: "The numbers it plots:
/// tables.xlsx, sheet S, and data/STEM.csv" (the workbook only where the
/// folder has one), or none for a chart without a table. `sheets` are the
/// charts' sheet names as [`crate::results::xlsx::chart_sheets`] gives them.
pub fn numbers_it_plots(stem: &str, sheets: &[(String, String)], book: bool) -> Option<String> {
    let (_, sheet) = sheets.iter().find(|(s, _)| s == stem)?;
    let xlsx = crate::results::xlsx::FILE;
    let sheet = if book {
        format!("<a href=\"{xlsx}\">{xlsx}</a>, sheet <code>{}</code>, and ", escape(sheet))
    } else {
        String::new()
    };
    let csv = format!("{}/{}.csv", crate::results::chart_table::DATA_DIR, escape(stem));
    Some(format!("The numbers it plots: {sheet}<a href=\"{csv}\">{csv}</a>"))
}

/// The style sheet every report page inlines.
pub(crate) const CSS: &str = "
body { font-family: 'Liberation Sans', Arial, Helvetica, sans-serif; color: #1a1a1a; max-width: 1180px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 2px solid #1a1a1a; padding-bottom: 0.2em; }
.meta { color: #555; } table { border-collapse: collapse; margin: 1em 0; font-size: 0.95em; }
th, td { border-bottom: 1px solid #ccc; padding: 0.35em 0.8em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 2em 0; } figure svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 0.9em; } pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 0.8em; white-space: pre-wrap; }
.swatch { display: inline-block; width: 1.6em; height: 0.35em; vertical-align: middle; margin-right: 0.4em; }
.findings { background: #f4f8fb; border-left: 4px solid #0072b2; padding: 0.6em 1.2em; }
.findings h2 { margin-top: 0.4em; } .findings li { margin: 0.4em 0; } .wide { overflow-x: auto; } nav li { margin: 0.15em 0; }
";
