//! tables.xlsx and data/<chart>.csv: every chart's sheet and CSV slice hold
//! exactly the numbers the chart plots, read back from the files and checked
//! against summary.csv and differences.csv independently; the summary sheet
//! equals summary.csv; the workbook is listed and checksummed in the
//! manifest; `stpsim plot` redraws the same slices.

mod common;
use common::*;

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use stpsim::plot::data::{ChartTable, Unit};
use stpsim::results::xlsx::HEADER_ROW;

fn run_dir() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let o = Command::new(BIN)
            .args(["run", "baseline", "history", "--replicates", "6", "--seed", "3", "--per-footprint", "--quiet"])
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (tmp, out)
    })
    .1
}

fn tables() -> Vec<ChartTable> {
    let data = stpsim::plot::RunData::load(run_dir()).unwrap();
    stpsim::plot::tables(&data)
}

fn workbook() -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(run_dir().join("tables.xlsx")).unwrap()
}

/// A CSV file as its header and rows of fields.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|x| x.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

fn cell_number(d: Option<&Data>) -> Option<f64> {
    match d {
        Some(Data::Float(v)) => Some(*v),
        Some(Data::Int(v)) => Some(*v as f64),
        Some(Data::Empty) | None => None,
        other => panic!("not a number: {other:?}"),
    }
}

fn cell_text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn every_charts_csv_slice_and_sheet_equal_its_table() {
    let dir = run_dir();
    let tables = tables();
    let sheets = stpsim::results::xlsx::chart_sheets(&tables);
    let mut wb = workbook();
    let charts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".svg").map(String::from))
        .collect();
    assert_eq!(tables.len(), charts.len(), "one table per chart: {charts:?}");
    for (t, (stem, sheet)) in tables.iter().zip(&sheets) {
        assert_eq!(&t.stem, stem);
        assert!(charts.contains(&t.stem), "{} has a chart", t.stem);
        // The CSV slice.
        let (header, rows) = read_csv(&dir.join(t.csv_path()));
        assert_eq!(header[0], t.row_header);
        assert_eq!(&header[1..], t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>());
        assert_eq!(rows.len(), t.rows.len(), "{}", t.stem);
        for (r, row) in rows.iter().enumerate() {
            assert_eq!(row[0], t.rows[r]);
            for (c, text) in row[1..].iter().enumerate() {
                let v = (!text.is_empty()).then(|| text.parse::<f64>().unwrap());
                assert_eq!(v, t.values[r][c], "{} row {} column {}", t.stem, t.rows[r], t.columns[c].name);
            }
        }
        // The sheet: title on top, the header row, then the same numbers.
        let range = wb.worksheet_range(sheet).unwrap();
        assert_eq!(cell_text(range.get_value((0, 0))), t.title);
        assert!(cell_text(range.get_value((2, 0))).starts_with("Source: stpsim"));
        assert!(cell_text(range.get_value((3, 0))).starts_with("Caveat: "));
        assert_eq!(cell_text(range.get_value((HEADER_ROW, 0))), t.row_header);
        for (c, col) in t.columns.iter().enumerate() {
            assert_eq!(cell_text(range.get_value((HEADER_ROW, c as u32 + 1))), col.name);
        }
        for (r, label) in t.rows.iter().enumerate() {
            let row = HEADER_ROW + 1 + r as u32;
            assert_eq!(&cell_text(range.get_value((row, 0))), label);
            for c in 0..t.columns.len() {
                assert_eq!(cell_number(range.get_value((row, c as u32 + 1))), t.values[r][c], "{sheet} {label}");
            }
        }
        assert!(range.get_value((HEADER_ROW + 1 + t.rows.len() as u32, 0)).is_none_or(|d| *d == Data::Empty));
    }
}

/// summary.csv as (scenario, quarter, metric) -> its numbers.
fn summary_csv() -> BTreeMap<(String, String, String), Vec<f64>> {
    let (_, rows) = read_csv(&run_dir().join("summary.csv"));
    rows.into_iter()
        .map(|r| ((r[0].clone(), r[1].clone(), r[2].clone()), r[3..10].iter().map(|x| x.parse().unwrap()).collect()))
        .collect()
}

#[test]
fn the_fan_charts_numbers_are_summary_quantiles_and_the_comparisons_are_differences() {
    let summary = summary_csv();
    let tables = tables();
    let stat = |s: &str| ["mean", "sd", "p05", "p25", "p50", "p75", "p95"].iter().position(|x| *x == s).unwrap();
    let mut checked = 0;
    for t in tables.iter().filter(|t| t.stem.starts_with("fan_")) {
        let metric = t.stem.trim_start_matches("fan_");
        for (c, col) in t.columns.iter().enumerate().filter(|(_, c)| !c.name.starts_with("HFMA")) {
            // "baseline p50", or "gap_hw baseline p50" on the three-panel chart.
            let parts: Vec<&str> = col.name.split(' ').collect();
            let (m, s, q) = match parts.as_slice() {
                [s, q] => (metric, *s, *q),
                [m, s, q] => (*m, *s, *q),
                _ => panic!("{}", col.name),
            };
            for (r, quarter) in t.rows.iter().enumerate() {
                let want = summary.get(&(s.to_string(), quarter.clone(), m.to_string())).map(|v| v[stat(q)]);
                assert_eq!(t.values[r][c], want, "{} {} {quarter}", t.stem, col.name);
                checked += 1;
            }
        }
    }
    assert!(checked >= 2000, "every fan cell checked ({checked})");
    let survey = tables.iter().find(|t| t.stem == "fan_self_priority_share").unwrap();
    let at = survey.rows.iter().position(|q| q == "2016Q4").unwrap();
    let col = survey.columns.iter().position(|c| c.name == "HFMA survey").unwrap();
    assert_eq!(survey.values[at][col], Some(0.62));

    // The comparison: differences.csv at history's final quarter, shares in points.
    let (_, rows) = read_csv(&run_dir().join("differences.csv"));
    let cmp = tables.iter().find(|t| t.stem == "comparison").unwrap();
    assert_eq!(cmp.rows, ["history"]);
    let last = rows.iter().filter(|r| r[0] == "history").map(|r| r[1].clone()).max().unwrap();
    for (c, col) in cmp.columns.iter().enumerate() {
        let (m, s) = col.name.split_once(' ').unwrap();
        let k = ["median", "p05", "p95"].iter().position(|x| *x == s).unwrap();
        let row = rows.iter().find(|r| r[0] == "history" && r[1] == last && r[2] == m).unwrap();
        let v: f64 = row[3 + k].parse().unwrap();
        let want = if col.unit == Unit::Points { v * 100.0 } else { v };
        assert_eq!(cmp.values[0][c], Some(want), "{}", col.name);
    }

    // The funnel: each count's mean per replicate, summed over the quarters.
    let funnel = tables.iter().find(|t| t.stem == "funnel").unwrap();
    for (r, s) in funnel.rows.iter().enumerate() {
        for (c, col) in funnel.columns.iter().enumerate() {
            let want: f64 = summary.iter().filter(|(k, _)| k.0 == *s && k.2 == col.name).map(|(_, v)| v[0]).sum();
            assert!((funnel.values[r][c].unwrap() - want).abs() <= 1e-9 * want.abs().max(1.0), "{s} {}", col.name);
        }
    }
}

#[test]
fn the_summary_sheet_equals_summary_csv() {
    let (header, rows) = read_csv(&run_dir().join("summary.csv"));
    let mut wb = workbook();
    let range = wb.worksheet_range("summary").unwrap();
    assert_eq!(range.height(), rows.len() + 1);
    for (c, h) in header.iter().enumerate() {
        assert_eq!(&cell_text(range.get_value((0, c as u32))), h);
    }
    for (r, row) in rows.iter().enumerate() {
        let at = r as u32 + 1;
        for (c, text) in row.iter().enumerate() {
            // The key columns and any text column (a run over the posterior
            // says what its spread covers) are text; every other cell a number.
            match text.parse::<f64>() {
                Ok(v) if c >= 3 => assert_eq!(cell_number(range.get_value((at, c as u32))), Some(v), "{row:?}"),
                _ => assert_eq!(&cell_text(range.get_value((at, c as u32))), text, "{row:?}"),
            }
        }
    }
}

#[test]
fn the_workbook_is_listed_checksummed_and_its_contents_name_every_sheet() {
    let dir = run_dir();
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert!(m["files"].as_array().unwrap().iter().any(|f| f == "tables.xlsx"));
    let sum = stpsim::results::folder::file_sha256(&dir.join("tables.xlsx")).unwrap();
    assert_eq!(m["file_sha256"]["tables.xlsx"], sum.as_str());
    let mut wb = workbook();
    let names = wb.sheet_names();
    assert_eq!(names[0], "Contents");
    assert!(names.iter().all(|n| n.chars().count() <= 31));
    let contents = wb.worksheet_range("Contents").unwrap();
    let listed: Vec<String> = (0..contents.height() as u32)
        .map(|r| cell_text(contents.get_value((r, 0))))
        .filter(|t| names.contains(t) && t != "Contents")
        .collect();
    assert_eq!(listed, names[1..], "one line per sheet, in order");
    let text: Vec<String> = (0..contents.height() as u32).map(|r| cell_text(contents.get_value((r, 1)))).collect();
    assert!(text.contains(&"baseline, history".to_string()), "{text:?}");
    let row = (0..contents.height() as u32)
        .find(|&r| cell_text(contents.get_value((r, 0))) == "SHA-256 of summary.csv")
        .expect("summary.csv's fingerprint on Contents");
    assert_eq!(cell_text(contents.get_value((row, 1))), m["file_sha256"]["summary.csv"].as_str().unwrap());
    assert!(names.contains(&"differences".to_string()));
}

#[test]
fn plot_redraws_the_same_slices_and_the_folder_still_verifies() {
    // A copy, so the other tests' folder is left as the run wrote it.
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("copy");
    std::fs::create_dir_all(copy.join("data")).unwrap();
    for e in std::fs::read_dir(run_dir()).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
        }
    }
    let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(run_dir().join("data"))
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    assert!(!before.is_empty());
    let o = Command::new(BIN).args(["plot", "--quiet"]).arg(&copy).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (name, bytes) in before {
        assert_eq!(std::fs::read(copy.join("data").join(&name)).unwrap(), bytes, "{name}");
    }
    let report = std::fs::read_to_string(copy.join("report.html")).unwrap();
    assert!(report.contains("<a href=\"data/fan_transformation_index.csv\">"));
    assert!(report.contains("<a href=\"tables.xlsx\">tables.xlsx</a>, sheet <code>fan_transformation_index</code>"));
}

#[test]
fn a_sweeps_workbook_holds_its_summary_and_is_checksummed_in_plan_json() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("plan.toml"), common::grid_plan("0.0, 0.5, 1.0")).unwrap();
    let o = Command::new(BIN)
        .args(["sweep", "plan.toml", "--out", "s", "--quiet"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dir = tmp.path().join("s");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap();
    let sum = stpsim::results::folder::file_sha256(&dir.join("tables.xlsx")).unwrap();
    assert_eq!(plan["file_sha256"]["tables.xlsx"], sum.as_str());
    let mut wb: Xlsx<_> = open_workbook(dir.join("tables.xlsx")).unwrap();
    // Contents, the chart's sheet (its long name shortened to fit), then the table.
    assert_eq!(wb.sheet_names(), ["Contents", "sweep_line_ti_2021Q1", "sweep_summary"]);
    let range = wb.worksheet_range("sweep_summary").unwrap();
    let (header, rows) = read_csv(&dir.join("sweep_summary.csv"));
    assert_eq!(range.height(), rows.len() + 1);
    for (c, h) in header.iter().enumerate() {
        assert_eq!(&cell_text(range.get_value((0, c as u32))), h);
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            let cell = range.get_value((r as u32 + 1, c as u32));
            match text.parse::<f64>() {
                Ok(v) => assert_eq!(cell_number(cell), Some(v), "{row:?}"),
                Err(_) => assert_eq!(&cell_text(cell), text),
            }
        }
    }
}

#[test]
fn parquet_without_the_feature_is_refused_before_anything_is_written() {
    if cfg!(feature = "parquet") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = Command::new(BIN)
        .args(["run", "baseline", "--replicates", "2", "--quiet", "--parquet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--features parquet"), "says how to build with it: {err}");
    assert!(!out.exists(), "nothing written");
    let o = Command::new(BIN).args(["run", "baseline", "--replicates", "2", "--parket"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "a misspelt flag is a usage error");
}

#[cfg(unix)]
#[test]
fn a_data_link_in_the_output_folder_is_refused_and_the_earlier_set_stays_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = |out: &Path| {
        Command::new(BIN).args(["run", "baseline", "--replicates", "2", "--quiet", "--out"]).arg(out).output().unwrap()
    };
    assert!(run(&out).status.success());
    let before = std::fs::read(out.join("manifest.json")).unwrap();
    let summary = std::fs::read(out.join("summary.csv")).unwrap();
    // Someone replaces data/ by a link to a folder elsewhere.
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::remove_dir_all(out.join("data")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("data")).unwrap();
    let o = Command::new(BIN)
        .args(["run", "baseline", "--replicates", "3", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("data"), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing written through the link");
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), before, "the earlier manifest stays");
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), summary, "with its data");
    assert!(
        !std::fs::read_dir(&out).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with(".staging"))
    );
}

/// A table read from a CSV file: header and rows of fields.
type Csv = (Vec<String>, Vec<Vec<String>>);

/// What a chart plots, worked out from the folder's own tables: its row
/// header, row labels, column names and numbers.
struct Plotted {
    row_header: String,
    rows: Vec<String>,
    columns: Vec<String>,
    values: Vec<Vec<Option<f64>>>,
}

fn parse(t: &str) -> f64 {
    t.parse().unwrap_or_else(|_| panic!("not a number: {t}"))
}

/// The sheet of each chart, by chart stem, as the Contents sheet lists it.
fn sheets_by_chart(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>) -> BTreeMap<String, String> {
    let contents = wb.worksheet_range("Contents").unwrap();
    (0..contents.height() as u32)
        .filter_map(|r| {
            let chart = cell_text(contents.get_value((r, 2)));
            chart.strip_suffix(".png").map(|stem| (stem.to_string(), cell_text(contents.get_value((r, 0)))))
        })
        .collect()
}

/// Every chart in `dir` has a sheet and a `data/<chart>.csv`, and both hold
/// exactly `want(stem)`; returns how many charts were checked.
fn charts_match(dir: &Path, want: &dyn Fn(&str) -> Plotted) -> usize {
    let mut wb: Xlsx<_> = open_workbook(dir.join("tables.xlsx")).unwrap();
    let sheets = sheets_by_chart(&mut wb);
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".svg").map(String::from))
        .collect();
    stems.sort();
    assert_eq!(sheets.keys().cloned().collect::<Vec<_>>(), stems, "one sheet per chart");
    for stem in &stems {
        let p = want(stem);
        // data/<chart>.csv
        let (header, rows) = read_csv(&dir.join("data").join(format!("{stem}.csv")));
        assert_eq!(header[0], p.row_header, "{stem}");
        assert_eq!(header[1..], p.columns, "{stem}");
        assert_eq!(rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), p.rows, "{stem}");
        for (r, row) in rows.iter().enumerate() {
            let got: Vec<Option<f64>> = row[1..].iter().map(|t| (!t.is_empty()).then(|| parse(t))).collect();
            assert_eq!(got, p.values[r], "{stem} row {}", p.rows[r]);
        }
        // Its sheet.
        let range = wb.worksheet_range(&sheets[stem]).unwrap();
        assert!(cell_text(range.get_value((2, 0))).starts_with("Source: stpsim"), "{stem}");
        assert!(cell_text(range.get_value((3, 0))).starts_with("Caveat: "), "{stem}");
        assert_eq!(cell_text(range.get_value((HEADER_ROW, 0))), p.row_header);
        for (c, name) in p.columns.iter().enumerate() {
            assert_eq!(&cell_text(range.get_value((HEADER_ROW, c as u32 + 1))), name, "{stem}");
        }
        for (r, label) in p.rows.iter().enumerate() {
            let row = HEADER_ROW + 1 + r as u32;
            assert_eq!(&cell_text(range.get_value((row, 0))), label, "{stem}");
            for (c, v) in p.values[r].iter().enumerate() {
                assert_eq!(cell_number(range.get_value((row, c as u32 + 1))), *v, "{stem} {label}");
            }
        }
        assert!(range.get_value((HEADER_ROW + 1 + p.rows.len() as u32, 0)).is_none_or(|d| *d == Data::Empty));
    }
    stems.len()
}

/// The sheet `name` (a header row, then one row per line) equals `csv`:
/// numbers as numbers, text as text.
fn table_sheet_matches(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str, csv: &Csv) {
    let range = wb.worksheet_range(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (header, rows) = csv;
    assert_eq!(range.height(), rows.len() + 1, "{name}");
    for (c, h) in header.iter().enumerate() {
        assert_eq!(&cell_text(range.get_value((0, c as u32))), h, "{name}");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            let cell = range.get_value((r as u32 + 1, c as u32));
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => assert_eq!(cell_number(cell), Some(v), "{name} {row:?}"),
                _ => assert_eq!(&cell_text(cell), text, "{name} {row:?}"),
            }
        }
    }
}

fn stpsim_in(dir: &Path, args: &[&str]) {
    let o = Command::new(BIN).args(args).current_dir(dir).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

/// sweep_summary.csv's rows of one output: factor values and the named statistic.
fn summary_rows(dir: &Path, nf: usize, label: &str) -> Vec<(Vec<f64>, BTreeMap<String, f64>)> {
    let (header, rows) = read_csv(&dir.join("sweep_summary.csv"));
    rows.iter()
        .filter(|r| r[1 + nf] == label)
        .map(|r| {
            let stats = header.iter().zip(r).skip(2 + nf).map(|(h, v)| (h.clone(), parse(v))).collect();
            (r[1..1 + nf].iter().map(|v| parse(v)).collect(), stats)
        })
        .collect()
}

#[test]
fn a_sweeps_chart_sheets_and_csv_slices_hold_the_numbers_each_chart_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let label = "transformation_index@2021Q1";
    // One factor: a line per output, the band's p05, median and p95 at each value.
    std::fs::write(tmp.path().join("line.toml"), common::grid_plan("1.0, 0.0, 0.5")).unwrap();
    stpsim_in(tmp.path(), &["sweep", "line.toml", "--out", "line", "--quiet"]);
    let dir = tmp.path().join("line");
    let n = charts_match(&dir, &|stem| {
        assert_eq!(stem, format!("sweep_line_{}", label.replace('@', "_")));
        let mut pts = summary_rows(&dir, 1, label);
        pts.sort_by(|a, b| a.0[0].total_cmp(&b.0[0]));
        Plotted {
            row_header: "beta0".into(),
            rows: pts.iter().map(|p| p.0[0].to_string()).collect(),
            columns: vec!["p05".into(), "p50".into(), "p95".into()],
            values: pts.iter().map(|p| ["p05", "p50", "p95"].iter().map(|k| Some(p.1[*k])).collect()).collect(),
        }
    });
    assert_eq!(n, 1);

    // Two factors: a heatmap of the mean, the second factor down, the first across.
    let plan = common::grid_plan("0.0, 1.0") + "\n[[factors]]\nname = \"turnover\"\nvalues = [0.05, 0.1, 0.2]\n";
    std::fs::write(tmp.path().join("grid.toml"), plan).unwrap();
    stpsim_in(tmp.path(), &["sweep", "grid.toml", "--out", "grid", "--quiet"]);
    let dir = tmp.path().join("grid");
    let n = charts_match(&dir, &|_| {
        let pts = summary_rows(&dir, 2, label);
        let (xs, ys) = ([0.0, 1.0], [0.05, 0.1, 0.2]);
        let mean = |x: f64, y: f64| pts.iter().find(|p| p.0 == [x, y]).map(|p| p.1["mean"]);
        Plotted {
            row_header: "turnover".into(),
            rows: ys.iter().map(|y| y.to_string()).collect(),
            columns: xs.iter().map(|x| format!("beta0 = {x}")).collect(),
            values: ys.iter().map(|&y| xs.iter().map(|&x| mean(x, y)).collect()).collect(),
        }
    });
    assert_eq!(n, 1);
    let mut wb: Xlsx<_> = open_workbook(dir.join("tables.xlsx")).unwrap();
    table_sheet_matches(&mut wb, "sweep_summary", &read_csv(&dir.join("sweep_summary.csv")));
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let stem = format!("sweep_heatmap_{}", label.replace('@', "_"));
    assert!(report.contains(&format!("<a href=\"data/{stem}.csv\">")), "the report links the chart's numbers");
    assert!(report.contains("<a href=\"tables.xlsx\">tables.xlsx</a>, sheet <code>"));

    // Sensitivity: the Sobol indices and their intervals, factor by factor.
    let plan = "base = \"baseline\"\nreplicates = 1\ndesign = \"sobol\"\npoints = 4\nbootstrap = 20\n\
                metrics = [\"transformation_index@2021Q1\"]\n\n[[factors]]\nname = \"beta0\"\nmin = 0.0\nmax = 1.0\n\n\
                [[factors]]\nname = \"turnover\"\nmin = 0.05\nmax = 0.2\n";
    std::fs::write(tmp.path().join("sobol.toml"), plan).unwrap();
    stpsim_in(tmp.path(), &["sensitivity", "sobol.toml", "--out", "sobol", "--quiet"]);
    let dir = tmp.path().join("sobol");
    let (header, rows) = read_csv(&dir.join("sensitivity.csv"));
    let n = charts_match(&dir, &|stem| {
        assert_eq!(stem, format!("sensitivity_{}", label.replace('@', "_")));
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == label).collect();
        Plotted {
            row_header: "factor".into(),
            rows: mine.iter().map(|r| r[1].clone()).collect(),
            columns: header[2..].to_vec(),
            values: mine
                .iter()
                .map(|r| r[2..].iter().map(|v| Some(parse(v)).filter(|x| x.is_finite())).collect())
                .collect(),
        }
    });
    assert_eq!(n, 1);
    let mut wb: Xlsx<_> = open_workbook(dir.join("tables.xlsx")).unwrap();
    table_sheet_matches(&mut wb, "sensitivity", &(header, rows.clone()));
}

/// A small decision: three options, 16 worlds, two deep uncertainties, a
/// level outcome and a share outcome.
const DECISION: &str = "options = [\"baseline\", \"strong-leads\", \"council-leads\"]\nworlds = 16\nreplicates = 1\n\n\
     [[uncertainties]]\nname = \"turnover\"\nmin = 0.02\nmax = 0.3\nreplace = true\n\n\
     [[uncertainties]]\nname = \"lever.strengthen_leads.authority\"\nmin = 0.3\nmax = 0.9\n\n\
     [[outcomes]]\nmetric = \"transformation_index@2017Q4\"\nthreshold = 0.01\n\n\
     [[outcomes]]\nmetric = \"social_care_priority@2017Q4\"\nthreshold = 0.33\n";

#[test]
fn a_decisions_workbook_holds_each_charts_numbers_and_its_tables_and_is_checksummed() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("d.toml"), DECISION).unwrap();
    stpsim_in(tmp.path(), &["decide", "d.toml", "--out", "d", "--quiet"]);
    let dir = tmp.path().join("d");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert!(m["files"].as_array().unwrap().iter().any(|f| f == "tables.xlsx"));
    let sum = stpsim::results::folder::file_sha256(&dir.join("tables.xlsx")).unwrap();
    assert_eq!(m["file_sha256"]["tables.xlsx"], sum.as_str());

    // The interval charts, from robustness.csv; differences and regret of
    // the share outcome in percentage points, as the sheet's format says.
    let (header, rob) = read_csv(&dir.join("robustness.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let outcomes = ["transformation_index@2017Q4", "social_care_priority@2017Q4"];
    let checked = std::cell::Cell::new(0);
    let n = charts_match(&dir, &|stem| {
        let data_csv = || {
            let (h, rows) = read_csv(&dir.join("data").join(format!("{stem}.csv")));
            Plotted {
                row_header: h[0].clone(),
                rows: rows.iter().map(|r| r[0].clone()).collect(),
                columns: h[1..].to_vec(),
                values: rows
                    .iter()
                    .map(|r| r[1..].iter().map(|t| (!t.is_empty()).then(|| parse(t))).collect())
                    .collect(),
            }
        };
        let Some((kind, k)) = stem.rsplit_once('_').and_then(|(a, b)| Some((a, b.parse::<usize>().ok()?))) else {
            // The PRIM and world charts: their sheet equals their CSV slice.
            return data_csv();
        };
        let oc = outcomes[k];
        let scale = if oc.starts_with("social_care") && kind != "probability_best" { 100.0 } else { 1.0 };
        let rows: Vec<&Vec<String>> =
            rob.iter().filter(|r| r[col("outcome")] == oc).skip(usize::from(kind == "differences")).collect();
        let cols: [&str; 3] = match kind {
            "probability_best" => ["prob_best", "prob_best_low", "prob_best_high"],
            "differences" => ["diff_mean", "diff_p05", "diff_p95"],
            "regret" => ["regret_mean", "bar_from", "regret_p90"],
            _ => return data_csv(),
        };
        checked.set(checked.get() + 1);
        Plotted {
            row_header: "option".into(),
            rows: rows.iter().map(|r| r[col("option")].clone()).collect(),
            columns: cols.iter().map(|c| c.to_string()).collect(),
            values: rows
                .iter()
                .map(|r| {
                    cols.iter()
                        .map(|c| if *c == "bar_from" { Some(0.0) } else { Some(parse(&r[col(c)]) * scale) })
                        .collect()
                })
                .collect(),
        }
    });
    assert!(n >= 10, "{n} charts");
    assert_eq!(checked.get(), 6, "probability best, differences and regret of both outcomes");
    let mut wb: Xlsx<_> = open_workbook(dir.join("tables.xlsx")).unwrap();
    assert_eq!(wb.sheet_names()[0], "Contents");
    for t in ["decide", "robustness", "value_of_information", "worlds", "discovery", "boxes"] {
        table_sheet_matches(&mut wb, t, &read_csv(&dir.join(format!("{t}.csv"))));
    }
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(report.contains("<a href=\"data/probability_best_0.csv\">"), "the report links each chart's numbers");
}

#[test]
fn parquet_on_sweep_and_decide_without_the_feature_is_refused_before_anything_is_written() {
    if cfg!(feature = "parquet") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let refused = |args: &[&str], out: &str, located: Option<&str>| {
        let o = Command::new(BIN).args(args).args(["--out", out]).current_dir(tmp.path()).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("--features parquet"), "says how to build with it: {err}");
        if let Some(at) = located {
            assert!(err.contains(at) && err.contains("parquet"), "names the file, line and field: {err}");
        }
        assert!(!tmp.path().join(out).exists(), "{args:?}: nothing written");
    };
    std::fs::write(tmp.path().join("plan.toml"), common::grid_plan("0.0, 1.0")).unwrap();
    refused(&["sweep", "plan.toml", "--parquet"], "s1", None);
    // The plan's field: file and line (the fifth) named.
    let plan = common::grid_plan("0.0, 1.0").replace("\n\n[[factors]]", "\nparquet = true\n\n[[factors]]");
    std::fs::write(tmp.path().join("pq.toml"), plan).unwrap();
    refused(&["sweep", "pq.toml"], "s2", Some("pq.toml:5"));
    refused(&["sensitivity", "pq.toml"], "s3", Some("pq.toml:5"));
    std::fs::write(tmp.path().join("d.toml"), DECISION).unwrap();
    refused(&["decide", "d.toml", "--parquet"], "d1", None);
    std::fs::write(tmp.path().join("dpq.toml"), format!("parquet = true\n{DECISION}")).unwrap();
    refused(&["decide", "dpq.toml"], "d2", Some("dpq.toml:1"));
}
