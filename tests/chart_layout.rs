//! What a reader sees is true: charts whose layout follows the run (a panel
//! per scenario past eight lines or over several structures, one x caption,
//! published figures drawn where cited), numbers in each metric's declared
//! format in every front, and report findings by rules a reader can check.
//! These compare chart data and structure, never pixels.

use stpsim::plot::{ChartOptions, RunData};

fn load(names: &[&str]) -> Vec<stpsim::Scenario> {
    names.iter().map(|n| stpsim::scenario::load(n).unwrap()).collect()
}

/// A run held in memory and the charts drawn from it.
fn drawn(scenarios: &[stpsim::Scenario], replicates: u32) -> (stpsim::Results, RunData, Vec<stpsim::plot::Chart>) {
    let options = stpsim::RunOptions { replicates, seed: 11, footprint_replicates: 0 };
    let results = stpsim::run(scenarios, &options);
    let data = RunData::from_results(&results, scenarios, 11, None).unwrap();
    let charts = stpsim::plot::charts(&data, &ChartOptions::default()).unwrap();
    (results, data, charts)
}

fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

fn chart<'a>(charts: &'a [stpsim::plot::Chart], stem: &str) -> &'a str {
    &charts.iter().find(|c| c.stem == stem).unwrap_or_else(|| panic!("no chart {stem}")).svg
}

const SMALL_SYNTHETIC: &str = "name = \"small-synthetic\"\nextends = \"baseline\"\n\
                               [structure]\nkind = \"synthetic\"\nfootprints = 3\nready = []\n";

#[test]
fn two_structures_are_never_drawn_on_one_axis() {
    let mut scenarios = load(&["baseline", "history"]);
    scenarios.push(stpsim::scenario::load_text(SMALL_SYNTHETIC, "small.toml", None).unwrap());
    let (_, data, charts) = drawn(&scenarios, 3);
    assert_eq!(stpsim::plot::fan::structure_groups(&data), vec![vec![0, 1], vec![2]]);
    assert!(stpsim::plot::fan::small_multiples(&data));
    let t = texts(chart(&charts, "fan_provider_balance_gbp_m"));
    for caption in ["baseline (England)", "history (England)", "small-synthetic (a synthetic system of 3 footprints)"] {
        assert!(t.iter().any(|x| x == caption), "no panel {caption:?}: {t:?}");
    }
    assert!(t.join(" ").contains("each structure on its own axis"), "the subtitle says so");
}

#[test]
fn past_eight_scenarios_each_has_its_own_panel_and_no_legend_is_cut_short() {
    let names: Vec<&str> =
        stpsim::scenario::builtin::names().into_iter().filter(|n| *n != "synthetic-large").take(9).collect();
    assert_eq!(names.len(), 9);
    let (_, data, charts) = drawn(&load(&names), 2);
    assert!(stpsim::plot::fan::small_multiples(&data));
    for c in charts.iter().filter(|c| c.stem.starts_with("fan_")) {
        let t = texts(&c.svg);
        for n in &names {
            assert!(t.iter().any(|x| x == n), "{}: no panel for {n}", c.stem);
        }
        assert!(!c.svg.contains("and more"), "{}: a legend cut short", c.stem);
    }
}

#[test]
fn the_x_caption_is_printed_once_and_cited_figures_are_drawn() {
    let (_, data, charts) = drawn(&load(&["baseline", "history"]), 3);
    assert!(!stpsim::plot::fan::small_multiples(&data));
    for c in charts.iter().filter(|c| c.stem.starts_with("fan_")) {
        let n = texts(&c.svg).iter().filter(|x| x.starts_with("Calendar quarter")).count();
        assert_eq!(n, 1, "{}: the x axis's caption {n} times", c.stem);
    }
    // The unsure chart cites the HFMA's 72% and draws it, at 2016Q4, with its interval.
    let f = stpsim::plot::fan::figures(&data, stpsim::model::Metric::UnsureShare);
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].value, f[0].quarters[0].to_string()), (0.72, "2016Q4".to_string()));
    assert!(f[0].lo < 0.72 && f[0].hi > 0.72);
    let t = texts(chart(&charts, "fan_unsure_share"));
    assert!(t.iter().any(|x| x.contains("72.0%")), "{t:?}");
    // Filled black circles: the figure's marker on the chart and its legend key.
    let doc = roxmltree::Document::parse(chart(&charts, "fan_unsure_share")).unwrap();
    let black =
        doc.descendants().filter(|n| n.has_tag_name("circle") && n.attribute("fill") == Some("#000000")).count();
    assert_eq!(black, 2, "the 72% is drawn and keyed");
    // The provider balance chart explains its step when the fund starts.
    let t = texts(chart(&charts, "fan_provider_balance_gbp_m")).join(" ");
    assert!(t.contains("Sustainability and Transformation Fund starting in 2016/17"), "{t}");
    // The transformation index says what its numbers mean.
    let t = texts(chart(&charts, "fan_transformation_index")).join(" ");
    assert!(t.contains("0.05 means the three gaps are on average 5% smaller"), "{t}");
}

#[test]
fn the_terminal_and_the_report_write_the_same_numbers() {
    let scenarios = load(&["baseline", "history"]);
    let (results, data, charts) = drawn(&scenarios, 4);
    let text = stpsim::results::headline::text(&results, 4, 11);
    let html = stpsim::report::build(&data, &charts);
    for h in stpsim::results::headline::headline(&results) {
        for r in &h.rows {
            let m = stpsim::model::Metric::parse(r.metric).unwrap();
            let f = m.format();
            if f == stpsim::model::metrics::Format::Share {
                assert!(r.value.median.ends_with('%'), "{} {}", r.metric, r.value.median);
            }
            // Every cell the terminal prints is in report.html's headline table, as written.
            let cell = format!("{} [{}, {}]", r.value.median, r.value.p05, r.value.p95);
            assert!(html.contains(&cell), "report lacks {cell} for {}", r.metric);
            assert!(text.contains(&r.value.median));
            if let Some(d) = &r.difference {
                if f == stpsim::model::metrics::Format::Share {
                    assert!(d.median.ends_with(" pp"), "{} {}", r.metric, d.median);
                }
                let cell = format!("{} [{}, {}]", d.median, d.p05, d.p95);
                assert!(html.contains(&cell), "report lacks {cell} for {}", r.metric);
            }
        }
    }
    assert!(text.contains("transformation_index: 0.05 means"), "{text}");
}

/// The `<li>` items of a scenario's finding.
fn items(finding: &str) -> Vec<String> {
    finding.split("<li>").skip(1).map(|i| i.split("</li>").next().unwrap().to_string()).collect()
}

#[test]
fn findings_answer_the_lead_questions_and_never_report_what_a_lever_sets() {
    use stpsim::model::Metric;
    let (_, data, _) = drawn(&load(&["baseline", "history"]), 6);
    let found = stpsim::report::findings(&data);
    let history = found.iter().find(|f| f.starts_with("Under <b>history</b>")).unwrap();
    let list = items(history);
    let last = *data.scenarios[1].quarters.last().unwrap();
    for &m in Metric::lead() {
        let label = stpsim::report::escape(m.label());
        let item = list.iter().find(|i| i.starts_with(&format!("{label}:"))).unwrap_or_else(|| panic!("no {label}"));
        // The verdict follows the paired interval: no detectable effect when it spans zero.
        let d = data.difference(1, last, m).unwrap();
        let detected = d[1] > 0.0 || d[2] < 0.0;
        assert_eq!(!item.contains("no detectable effect"), detected, "{item}");
        assert!(item.contains("90% interval"), "{item}");
    }
    // history designates accountable care systems: the lever sets them, so no finding reports them.
    assert!(stpsim::report::set_by_construction(&data, 1).iter().any(|(m, _)| *m == Metric::AcsCount));
    assert!(list.iter().all(|i| !i.starts_with("accountable care systems")), "{list:?}");
    assert!(history.contains("by construction: ") && history.contains("accountable care systems"), "{history}");
}

#[test]
fn an_identical_copy_has_no_detectable_effect_on_any_lead_question() {
    let mut scenarios = load(&["baseline"]);
    scenarios
        .push(stpsim::scenario::load_text("name = \"copy\"\nextends = \"baseline\"\n", "copy.toml", None).unwrap());
    let (_, data, _) = drawn(&scenarios, 4);
    let found = stpsim::report::findings(&data);
    let copy = found.iter().find(|f| f.starts_with("Under <b>copy</b>")).unwrap();
    let list = items(copy);
    assert_eq!(list.len(), stpsim::model::Metric::lead().len(), "{list:?}");
    assert!(list.iter().all(|i| i.contains("no detectable effect")), "{list:?}");
    assert!(stpsim::report::set_by_construction(&data, 1).is_empty());
}

/// Deepest nesting of round brackets in `text`.
fn depth(text: &str) -> usize {
    let (mut d, mut most) = (0usize, 0usize);
    for c in text.chars() {
        if c == '(' {
            d += 1;
            most = most.max(d);
        } else if c == ')' {
            d = d.saturating_sub(1);
        }
    }
    most
}

#[test]
fn the_calibration_caveat_matches_the_run_in_plain_sentences() {
    let over = Some(("built-in:england (data/posterior-england.csv)", true));
    for (manifest, posterior) in [(over, true), (None, false)] {
        let text = stpsim::report::calibration_caveat(manifest);
        // The seven figures with their dates, some after 2016.
        assert!(text.contains("7 published figures, dated 2016Q1 to 2017Q2"), "{text}");
        assert!(text.contains("at 2017Q2") && text.contains("over 2016/17"), "{text}");
        assert!(!text.contains("after 2016"), "{text}");
        assert_eq!(text.contains("drew its parameters from the built-in England posterior"), posterior, "{text}");
        assert_eq!(text.contains("fixed parameters"), !posterior, "{text}");
        // No internal labels, no brackets inside brackets.
        assert!(depth(&text) <= 1, "{text}");
        assert!(!text.contains("calibrated (") && !text.contains("model spec"), "{text}");
    }
}

/// The terminal's "difference from baseline" label starts over the
/// difference columns, whatever the scenario's name.
#[test]
fn the_difference_label_starts_over_the_difference_columns_whatever_the_name() {
    let names = ["baseline", "history", "local-government-seats"];
    let scenarios: Vec<_> = names.iter().map(|n| stpsim::scenario::load(n).unwrap()).collect();
    let opts = stpsim::RunOptions { replicates: 2, ..Default::default() };
    let out = stpsim::results::headline::text(&stpsim::run(&scenarios, &opts), 2, opts.seed);
    let lines: Vec<&str> = out.lines().collect();
    let mut checked = 0;
    for (k, line) in lines.iter().enumerate() {
        let Some(at) = line.find("difference from baseline") else { continue };
        // The first row under the label (ASCII up to its difference columns):
        // the level's interval ends three spaces before the label starts.
        let row = lines[k + 1];
        assert!(row.is_char_boundary(at) && row.len() > at + 9, "{row}");
        assert!(row[..at].ends_with("]   "), "{line}\n{row}");
        assert_eq!(row[..at].matches('[').count(), 1, "one interval before the label's column: {row}");
        checked += 1;
    }
    assert_eq!(checked, 2, "two scenarios compared with the baseline:\n{out}");
}
