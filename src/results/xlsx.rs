//! tables.xlsx: the run's numbers for a spreadsheet. A Contents sheet says
//! what was run and lists every sheet; then one sheet per chart holding
//! exactly the numbers the chart plots (its [`ChartTable`]), with the
//! chart's title, units, source line and caveat; then `summary`,
//! `differences` and any further tables (a sweep's). Numbers are stored as
//! numbers, shown with formats: shares as per cent, differences of shares in
//! percentage points, money in £m with thousands separators.

use super::chart_table::{ChartTable, Unit};
use super::summary::{DIFFERENCE_NUMBERS, DifferenceRow, SUMMARY_NUMBERS, SummaryRow};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Url, Workbook, Worksheet, XlsxError};
use std::collections::BTreeMap;

/// The workbook's file name, beside the charts.
pub const FILE: &str = "tables.xlsx";

/// On a chart's sheet, the row (0-based) of the column headers; the numbers
/// start on the next row, and the title, units, source and caveat above.
pub const HEADER_ROW: u32 = 6;

/// Excel's limit on a sheet name's length.
const MAX_SHEET_NAME: usize = 31;

/// A further table for the workbook (a sweep's): its sheet name, what it
/// holds, its header and its rows, each cell text or a number.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub about: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A cell of a further table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64, Unit),
}

/// What the Contents sheet says of the run besides `data`.
#[derive(Clone, Debug)]
pub struct About<'a> {
    /// What made it: "stpsim run", "stpsim sweep".
    pub command: &'a str,
    /// Data files and their SHA-256, as manifest.json records them.
    pub checksums: &'a BTreeMap<String, String>,
}

/// A sheet name Excel accepts (at most 31 characters, none of `[]:*?/\`),
/// unique among `used`.
pub fn sheet_name(wanted: &str, used: &mut Vec<String>) -> String {
    let clean: String = wanted.chars().map(|c| if "[]:*?/\\'".contains(c) { '_' } else { c }).collect();
    // Long names (heatmaps of long scenario names) are shortened, the same way each time.
    let clean = if clean.chars().count() <= MAX_SHEET_NAME { clean } else { shorten(&clean) };
    let mut name: String = clean.chars().take(MAX_SHEET_NAME).collect();
    let mut k = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        let tail = format!("~{k}");
        name = clean.chars().take(MAX_SHEET_NAME - tail.len()).collect::<String>() + &tail;
        k += 1;
    }
    used.push(name.clone());
    name
}

fn shorten(name: &str) -> String {
    name.replace("heatmap_difference_", "hdiff_")
        .replace("heatmap_", "hmap_")
        .replace("transformation_index", "ti")
        .replace("social_care_priority", "scp")
        .replace("provider_balance_gbp_m", "balance")
        .replace("providers_in_deficit_share", "in_deficit")
}

/// Each chart's sheet name, by chart stem, as [`build`] names them.
pub fn chart_sheets(tables: &[ChartTable]) -> Vec<(String, String)> {
    let mut used = vec!["Contents".to_string()];
    tables.iter().map(|t| (t.stem.clone(), sheet_name(&t.stem, &mut used))).collect()
}

/// The number format of a unit; `signed` for differences.
fn number_format(unit: Unit, signed: bool) -> &'static str {
    match (unit, signed) {
        (Unit::Share, _) => "0.0%",
        (Unit::Points, _) => "\"+\"0.0\" pp\";\"\u{2212}\"0.0\" pp\";0.0\" pp\"",
        (Unit::Money, false) => "\"£\"#,##0\"m\";\"\u{2212}£\"#,##0\"m\"",
        (Unit::Money, true) => "\"+£\"#,##0\"m\";\"\u{2212}£\"#,##0\"m\";\"£0m\"",
        (Unit::Count, _) => "#,##0.0",
        (Unit::Plain, false) => "0.000",
        (Unit::Plain, true) => "\"+\"0.000;\"\u{2212}\"0.000;0.000",
        (Unit::General, _) => "General",
    }
}

/// A plain number's format with enough decimals for three significant
/// digits of the largest (at least three): 0.000, or 0.000123 for small
/// values (a decision's EVPPI, a difference of an index). Whole numbers
/// show as such.
fn plain_format(values: impl Iterator<Item = f64>, signed: bool) -> String {
    let (mut max, mut whole) = (0.0f64, true);
    for v in values.filter(|v| v.is_finite()) {
        max = max.max(v.abs());
        whole &= v.fract() == 0.0;
    }
    let d = if whole {
        0
    } else if max > 0.0 {
        (2 - max.log10().floor() as i32).clamp(3, 8) as usize
    } else {
        3
    };
    let body = if d == 0 { "0".to_string() } else { format!("0.{}", "0".repeat(d)) };
    // True minus signs, as the charts show them.
    if signed { format!("\"+\"{body};\"\u{2212}\"{body};{body}") } else { format!("{body};\"\u{2212}\"{body}") }
}

/// Column widths that fit: the longest text of each column, in characters.
struct Widths(Vec<usize>);

impl Widths {
    fn see(&mut self, col: usize, len: usize) {
        if self.0.len() <= col {
            self.0.resize(col + 1, 0);
        }
        self.0[col] = self.0[col].max(len);
    }

    fn total(&self) -> usize {
        self.0.iter().map(|w| (w + 2).clamp(8, 80)).sum()
    }

    fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (c, &w) in self.0.iter().enumerate() {
            ws.set_column_width(c as u16, (w as f64 + 2.0).clamp(8.0, 80.0))?;
        }
        Ok(())
    }
}

/// Printed (or saved as PDF): landscape A4, the header rows repeated on
/// every page, each page about 260 characters wide so the text stays
/// readable (`width`: the columns' widths added up, in characters).
fn page_setup(ws: &mut Worksheet, header_rows: Option<(u32, u32)>, width: usize) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(width.div_ceil(260).max(1) as u16, 0);
    if let Some((first, last)) = header_rows {
        ws.set_repeat_rows(first, last)?;
    }
    Ok(())
}

/// The shown length of a number in a unit (enough for the width).
fn shown_len(unit: Unit, v: f64) -> usize {
    let digits = format!("{:.0}", v.abs()).len();
    match unit {
        Unit::Share => digits + 5,
        Unit::Points => digits + 6,
        Unit::Money => digits + digits / 3 + 3,
        Unit::Count => digits + digits / 3 + 3,
        Unit::Plain => digits + 5,
        Unit::General => format!("{v}").len().min(14),
    }
}

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    /// Over a column of numbers: right-aligned, wrapped.
    number_header: Format,
}

fn formats() -> Formats {
    Formats {
        title: Format::new().set_bold().set_font_size(14),
        note: Format::new().set_font_color("#555555"),
        header: Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_background_color("#F2F2F2"),
        number_header: Format::new()
            .set_bold()
            .set_border_bottom(FormatBorder::Thin)
            .set_background_color("#F2F2F2")
            .set_align(rust_xlsxwriter::FormatAlign::Right)
            .set_text_wrap(),
    }
}

/// The workbook's bytes. The same inputs give the same bytes (its creation
/// time is fixed), so the manifest's checksum of it is reproducible.
pub fn build(
    lines: &[(String, String)],
    tables: &[ChartTable],
    summary: &[SummaryRow],
    spread: Option<&str>,
    differences: &[DifferenceRow],
    extra: &[Sheet],
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut wb = Workbook::new();
    let epoch = ExcelDateTime::from_ymd(2016, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("stpsim results")
            .set_author(format!("stpsim v{}", env!("CARGO_PKG_VERSION")))
            .set_creation_datetime(&epoch),
    );
    let mut used = vec!["Contents".to_string()];
    // (sheet, what it holds, chart file, CSV file)
    let mut listed: Vec<(String, String, String, String)> = Vec::new();
    let mut sheets: Vec<Worksheet> = Vec::new();
    for t in tables {
        let name = sheet_name(&t.stem, &mut used);
        sheets.push(chart_sheet(&name, t, &f)?);
        listed.push((name, t.title.clone(), format!("{}.png", t.stem), t.csv_path()));
    }
    if !summary.is_empty() {
        let name = sheet_name("summary", &mut used);
        sheets.push(summary_sheet(&name, summary, spread, &f)?);
        listed.push((
            name,
            "every metric over replicates: mean, sd and quantiles".into(),
            String::new(),
            "summary.csv".into(),
        ));
    }
    if !differences.is_empty() {
        let name = sheet_name("differences", &mut used);
        sheets.push(differences_sheet(&name, differences, &f)?);
        listed.push((
            name,
            "paired differences from the first scenario, replicate by replicate (shares in percentage points)".into(),
            String::new(),
            "differences.csv".into(),
        ));
    }
    for s in extra {
        let name = sheet_name(&s.name, &mut used);
        sheets.push(extra_sheet(&name, s, &f)?);
        listed.push((name, s.about.clone(), String::new(), format!("{}.csv", s.name)));
    }
    wb.push_worksheet(contents_sheet(lines, &listed, &f)?);
    for s in sheets {
        wb.push_worksheet(s);
    }
    wb.save_to_buffer()
}

fn contents_sheet(
    lines: &[(String, String)],
    listed: &[(String, String, String, String)],
    f: &Formats,
) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name("Contents")?;
    ws.write_string_with_format(0, 0, "stpsim results: the numbers behind every chart", &f.title)?;
    let mut row = 2;
    for (k, v) in lines {
        ws.write_string_with_format(row, 0, k, &f.header)?;
        ws.write_string(row, 1, v)?;
        row += 1;
    }
    row += 1;
    for (c, h) in ["sheet", "what it holds", "chart", "CSV"].iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.header)?;
    }
    let header_row = row;
    for (name, what, chart, csv) in listed {
        row += 1;
        ws.write_url_with_text(row, 0, Url::new(format!("internal:'{name}'!A1")), name)?;
        ws.write_string(row, 1, what)?;
        ws.write_string(row, 2, chart)?;
        ws.write_string(row, 3, csv)?;
    }
    ws.write_string_with_format(
        row + 2,
        0,
        "Numbers are stored in full; the formats show shares as per cent, differences of shares in percentage points and money in £m.",
        &f.note,
    )?;
    let mut widths = Widths(Vec::new());
    widths.see(
        0,
        lines.iter().map(|l| l.0.len()).max().unwrap_or(10).max(listed.iter().map(|l| l.0.len()).max().unwrap_or(0)),
    );
    widths.see(1, listed.iter().map(|l| l.1.chars().count()).max().unwrap_or(20));
    widths.see(1, lines.iter().filter(|l| l.1.len() <= 70).map(|l| l.1.chars().count()).max().unwrap_or(20));
    widths.see(2, listed.iter().map(|l| l.2.len()).max().unwrap_or(5));
    widths.see(3, listed.iter().map(|l| l.3.len()).max().unwrap_or(5));
    widths.apply(&mut ws)?;
    ws.set_freeze_panes(header_row + 1, 0)?;
    page_setup(&mut ws, Some((header_row, header_row)), widths.total())?;
    Ok(ws)
}

fn chart_sheet(name: &str, t: &ChartTable, f: &Formats) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.write_string_with_format(0, 0, &t.title, &f.title)?;
    ws.write_string_with_format(1, 0, format!("Units: {}", t.units), &f.note)?;
    ws.write_string_with_format(2, 0, &t.source, &f.note)?;
    ws.write_string_with_format(3, 0, format!("Caveat: {}", t.caveat), &f.note)?;
    ws.write_string_with_format(
        4,
        0,
        format!("Chart: {}.png and {0}.svg; the same numbers: {}", t.stem, t.csv_path()),
        &f.note,
    )?;
    let mut widths = Widths(Vec::new());
    ws.write_string_with_format(HEADER_ROW, 0, &t.row_header, &f.header)?;
    widths.see(0, t.row_header.len());
    let signed = t.stem.contains("difference") || t.stem == "comparison";
    // One format for the table's plain numbers, so its columns read alike.
    let plain_cells = t
        .values
        .iter()
        .flat_map(|r| r.iter().zip(&t.columns).filter(|(_, col)| col.unit == Unit::Plain).filter_map(|(v, _)| *v));
    let plain = plain_format(plain_cells, signed);
    let number_formats: Vec<Format> = t
        .columns
        .iter()
        .map(|col| {
            if col.unit == Unit::Plain {
                Format::new().set_num_format(plain.as_str())
            } else {
                Format::new().set_num_format(number_format(col.unit, signed))
            }
        })
        .collect();
    for (c, col) in t.columns.iter().enumerate() {
        let at = c as u16 + 1;
        ws.write_string_with_format(HEADER_ROW, at, &col.name, &f.number_header)?;
        widths.see(c + 1, col.name.chars().count().min(24));
    }
    for (r, (label, values)) in t.rows.iter().zip(&t.values).enumerate() {
        let row = HEADER_ROW + 1 + r as u32;
        ws.write_string(row, 0, label)?;
        widths.see(0, label.chars().count());
        for (c, v) in values.iter().enumerate() {
            if let Some(v) = v {
                ws.write_number_with_format(row, c as u16 + 1, *v, &number_formats[c])?;
                widths.see(c + 1, shown_len(t.columns[c].unit, *v));
            }
        }
    }
    widths.apply(&mut ws)?;
    ws.set_freeze_panes(HEADER_ROW + 1, 1)?;
    page_setup(&mut ws, Some((HEADER_ROW, HEADER_ROW)), widths.total())?;
    // A wide table printed on several pages keeps its row labels on each,
    // and every page is headed by the chart's title (`&` doubled, as headers need).
    ws.set_repeat_columns(0, 0)?;
    let title: String = t.title.replace('&', "&&").chars().take(200).collect();
    ws.set_header(format!("&L{title}"));
    Ok(ws)
}

fn summary_sheet(name: &str, rows: &[SummaryRow], spread: Option<&str>, f: &Formats) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    let mut header: Vec<&str> = super::summary::KEY_COLUMNS.to_vec();
    header.extend(SUMMARY_NUMBERS.iter().map(|c| c.0));
    header.extend(spread.map(|_| super::summary::SPREAD_COLUMN));
    let mut widths = Widths(Vec::new());
    for (c, h) in header.iter().enumerate() {
        let numbers = c >= 3 && *h != "unit" && *h != super::summary::SPREAD_COLUMN;
        ws.write_string_with_format(0, c as u16, *h, if numbers { &f.number_header } else { &f.header })?;
        widths.see(c, h.len());
    }
    let mut cache: BTreeMap<&'static str, Format> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let unit = Unit::level(r.metric);
        let fmt = cache
            .entry(number_format(unit, false))
            .or_insert_with(|| Format::new().set_num_format(number_format(unit, false)));
        ws.write_string(row, 0, &r.scenario)?;
        ws.write_string(row, 1, r.quarter.to_string())?;
        ws.write_string(row, 2, r.metric.name())?;
        widths.see(0, r.scenario.len());
        widths.see(2, r.metric.name().len());
        for (k, col) in SUMMARY_NUMBERS.iter().enumerate() {
            let v = col.1(r);
            ws.write_number_with_format(row, 3 + k as u16, v, fmt)?;
            widths.see(3 + k, shown_len(unit, v));
        }
        if let Some(s) = spread {
            ws.write_string(row, 3 + SUMMARY_NUMBERS.len() as u16, s)?;
            widths.see(3 + SUMMARY_NUMBERS.len(), s.chars().count());
        }
    }
    widths.see(1, 7);
    widths.apply(&mut ws)?;
    ws.set_freeze_panes(1, 3)?;
    page_setup(&mut ws, Some((0, 0)), widths.total())?;
    ws.autofilter(0, 0, rows.len() as u32, header.len() as u16 - 1)?;
    Ok(ws)
}

fn differences_sheet(name: &str, rows: &[DifferenceRow], f: &Formats) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    let mut header: Vec<&str> = super::summary::KEY_COLUMNS.to_vec();
    header.extend(DIFFERENCE_NUMBERS.iter().map(|c| c.0));
    header.push("unit");
    let mut widths = Widths(Vec::new());
    for (c, h) in header.iter().enumerate() {
        let numbers = c >= 3 && *h != "unit" && *h != super::summary::SPREAD_COLUMN;
        ws.write_string_with_format(0, c as u16, *h, if numbers { &f.number_header } else { &f.header })?;
        widths.see(c, h.len());
    }
    let unit_col = header.len() as u16 - 1;
    let mut cache: BTreeMap<&'static str, Format> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let unit = Unit::difference(r.metric);
        let fmt = cache
            .entry(number_format(unit, true))
            .or_insert_with(|| Format::new().set_num_format(number_format(unit, true)));
        ws.write_string(row, 0, &r.scenario)?;
        ws.write_string(row, 1, r.quarter.to_string())?;
        ws.write_string(row, 2, r.metric.name())?;
        widths.see(0, r.scenario.len());
        widths.see(2, r.metric.name().len());
        for (k, col) in DIFFERENCE_NUMBERS.iter().enumerate() {
            let v = unit.scale(col.1(r));
            ws.write_number_with_format(row, 3 + k as u16, v, fmt)?;
            widths.see(3 + k, shown_len(unit, v) + 1);
        }
        let words = super::numbers::difference_unit(r.metric);
        widths.see(unit_col as usize, words.chars().count());
        ws.write_string(row, unit_col, words)?;
    }
    widths.see(1, 7);
    widths.apply(&mut ws)?;
    ws.set_freeze_panes(1, 3)?;
    page_setup(&mut ws, Some((0, 0)), widths.total())?;
    ws.autofilter(0, 0, rows.len() as u32, unit_col)?;
    Ok(ws)
}

fn extra_sheet(name: &str, s: &Sheet, f: &Formats) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    let mut widths = Widths(Vec::new());
    // A column's plain numbers share one format, with decimals for its values.
    let plain: Vec<String> = (0..s.header.len())
        .map(|c| {
            let values = s.rows.iter().filter_map(|r| match r.get(c) {
                Some(Cell::Number(v, Unit::Plain | Unit::General)) => Some(*v),
                _ => None,
            });
            plain_format(values, false)
        })
        .collect();
    for (c, h) in s.header.iter().enumerate() {
        let numbers = s.rows.first().is_some_and(|r| matches!(r.get(c), Some(Cell::Number(..))));
        ws.write_string_with_format(0, c as u16, h, if numbers { &f.number_header } else { &f.header })?;
        widths.see(c, h.chars().count());
    }
    let mut cache: BTreeMap<String, Format> = BTreeMap::new();
    for (i, cells) in s.rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, cell) in cells.iter().enumerate() {
            match cell {
                Cell::Text(t) => {
                    ws.write_string(row, c as u16, t)?;
                    widths.see(c, t.chars().count());
                }
                Cell::Number(v, unit) => {
                    let key = match unit {
                        Unit::Plain | Unit::General => plain[c].clone(),
                        u => number_format(*u, false).to_string(),
                    };
                    let len = if matches!(unit, Unit::Plain | Unit::General) {
                        format!("{:.0}", v.abs()).len() + key.len().saturating_sub(1).min(9)
                    } else {
                        shown_len(*unit, *v)
                    };
                    let fmt = cache.entry(key.clone()).or_insert_with(|| Format::new().set_num_format(key));
                    ws.write_number_with_format(row, c as u16, *v, fmt)?;
                    widths.see(c, len);
                }
            }
        }
    }
    widths.apply(&mut ws)?;
    ws.set_freeze_panes(1, 0)?;
    page_setup(&mut ws, Some((0, 0)), widths.total())?;
    Ok(ws)
}

/// Rows of numbers a sheet holds below its header (Excel's limit, 1,048,576 rows in all).
pub const MAX_SHEET_ROWS: usize = 1_048_575;

/// A CSV file as a further sheet: each field a number where it reads as
/// one, text otherwise. A file longer than a sheet holds gives its header
/// only, and says so on the Contents sheet: the CSV holds every row.
pub fn csv_sheet(name: &str, about: &str, path: &std::path::Path) -> std::io::Result<Sheet> {
    csv_sheet_with(name, about, path, &|_, _| Unit::General)
}

/// A CSV file's row, by column name.
pub type RowOf<'a> = &'a dyn Fn(&str) -> &'a str;

/// As [`csv_sheet`], each number shown in the unit `unit(column, row)`
/// gives (a share as per cent, money in £m), the number itself unchanged.
pub fn csv_sheet_with(
    name: &str,
    about: &str,
    path: &std::path::Path,
    unit: &dyn Fn(&str, RowOf) -> Unit,
) -> std::io::Result<Sheet> {
    let mut r = csv::Reader::from_path(path).map_err(std::io::Error::other)?;
    let header: Vec<String> = r.headers().map_err(std::io::Error::other)?.iter().map(String::from).collect();
    let mut rows = Vec::new();
    for (k, rec) in r.records().enumerate() {
        if k == MAX_SHEET_ROWS {
            let about = format!("{about} (more rows than a sheet holds: see {name}.csv)");
            return Ok(Sheet { name: name.to_string(), about, header, rows: Vec::new() });
        }
        let rec = rec.map_err(std::io::Error::other)?;
        let get = |c: &str| header.iter().position(|h| h == c).and_then(|k| rec.get(k)).unwrap_or("");
        rows.push(
            rec.iter()
                .zip(&header)
                .map(|(t, h)| match t.parse::<f64>() {
                    Ok(v) if v.is_finite() => Cell::Number(v, unit(h, &get)),
                    _ => Cell::Text(t.to_string()),
                })
                .collect(),
        );
    }
    Ok(Sheet { name: name.to_string(), about: about.to_string(), header, rows })
}

/// Writes a built workbook as [`FILE`] into a staging folder (before the
/// manifest or plan, which then lists it with its checksum).
pub fn stage(stage: &mut super::folder::Staging, bytes: &[u8]) -> std::io::Result<()> {
    stage.write(FILE, |w| w.write_all(bytes)).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_fit_excel_and_stay_unique() {
        let mut used = vec!["Contents".to_string()];
        let a = sheet_name("heatmap_difference_devolution_transformation_index", &mut used);
        assert_eq!(a, "hdiff_devolution_ti");
        let long = "fan_a_very_long_name_that_goes_on_and_on_and_on";
        let b = sheet_name(long, &mut used);
        let c = sheet_name(long, &mut used);
        assert_eq!(b.chars().count(), 31);
        assert!(c.ends_with("~2") && c.chars().count() <= 31 && b != c);
        assert_eq!(sheet_name("contents", &mut used), "contents~2", "Excel compares names without case");
        assert_eq!(sheet_name("a:b", &mut used), "a_b");
        // Two fit charts of one metric keep their dates, not a ~2.
        assert_eq!(sheet_name("fit_provider_balance_gbp_m_2016-17", &mut used), "fit_balance_2016-17");
        assert_eq!(sheet_name("fit_provider_balance_gbp_m_2016Q1", &mut used), "fit_balance_2016Q1");
    }
}
