//! A chart's numbers as a small wide table: one row per quarter (or
//! scenario), one column per scenario and statistic, each column with its
//! unit. `data/<chart>.csv` and the chart's sheet of `tables.xlsx` are both
//! written from it, so the chart, the CSV and the workbook never disagree.
//! Charts fill it (`plot`, the sweep's and the decision's reports); this
//! floor only holds and writes it.

use crate::model::Metric;
use std::io::{self, Write};

/// The folder of a run that holds each chart's numbers as CSV.
pub const DATA_DIR: &str = super::folder::SUBFOLDER;

/// How a column's numbers read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A share from 0 to 1, shown as per cent.
    Share,
    /// A difference of shares, already in percentage points.
    Points,
    /// Pounds, in millions.
    Money,
    /// A count (a mean per replicate).
    Count,
    /// Anything else (an index, a ratio).
    Plain,
    /// As the number comes (a further table's mixed columns).
    General,
}

impl Unit {
    /// The unit of a metric's level.
    pub fn level(m: Metric) -> Unit {
        match m.format() {
            crate::model::metrics::Format::Share => Unit::Share,
            crate::model::metrics::Format::Money => Unit::Money,
            crate::model::metrics::Format::Count => Unit::Count,
            crate::model::metrics::Format::Index(_) => Unit::Plain,
        }
    }

    /// The unit of a difference of a metric: percentage points for shares.
    pub fn difference(m: Metric) -> Unit {
        match Unit::level(m) {
            Unit::Share => Unit::Points,
            u => u,
        }
    }

    /// A value of metric `m` as this unit holds it (shares' differences ×100).
    pub fn scale(self, v: f64) -> f64 {
        if self == Unit::Points { v * 100.0 } else { v }
    }
}

/// One column: its header and its unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub unit: Unit,
}

/// A chart's numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartTable {
    /// The chart's file stem: `fan_transformation_index`, `comparison`, ...
    pub stem: String,
    pub title: String,
    /// The units in words.
    pub units: String,
    /// The source line the chart carries.
    pub source: String,
    /// What the numbers do and do not show.
    pub caveat: String,
    /// The first column's header: `quarter` or `scenario`.
    pub row_header: String,
    pub rows: Vec<String>,
    pub columns: Vec<Column>,
    /// `[row][column]`; none where the chart has no point (a scenario that
    /// does not cover the quarter).
    pub values: Vec<Vec<Option<f64>>>,
}

impl ChartTable {
    /// The CSV file the table is written to, inside the run folder.
    pub fn csv_path(&self) -> String {
        format!("{DATA_DIR}/{}.csv", self.stem)
    }

    /// The table as CSV: a header, then one line per row; an empty field
    /// where the chart has no point. Numbers are written in full (Rust's
    /// shortest text that reads back to the same number).
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let header = std::iter::once(self.row_header.as_str()).chain(self.columns.iter().map(|c| c.name.as_str()));
        w.write_record(header).map_err(io::Error::other)?;
        for (row, values) in self.rows.iter().zip(&self.values) {
            let cells = values.iter().map(|v| v.map_or(String::new(), |x| x.to_string()));
            w.write_record(std::iter::once(row.clone()).chain(cells)).map_err(io::Error::other)?;
        }
        w.flush()
    }
}

impl Unit {
    /// The unit of an output label (`metric@quarter`, `metric@2016/17`):
    /// its metric's level, or as it comes.
    pub fn of_output(label: &str) -> Unit {
        Metric::parse(label.split('@').next().unwrap_or("")).map_or(Unit::General, Unit::level)
    }
}

/// Writes each table as `DIR/data/<chart>.csv`, creating the folder (a
/// symbolic link there is refused, not followed).
pub fn write_tables(dir: &std::path::Path, tables: &[ChartTable]) -> io::Result<()> {
    let sub = dir.join(DATA_DIR);
    match std::fs::symlink_metadata(&sub) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} is not a folder; stpsim writes each chart's numbers there", sub.display()),
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir(&sub)?,
        Err(e) => return Err(e),
    }
    for t in tables {
        super::write::atomic(&sub, &format!("{}.csv", t.stem), |w| t.write_csv(w))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_writes_as_csv_with_empty_cells_for_missing_points() {
        let t = ChartTable {
            stem: "fan_x".into(),
            title: "X".into(),
            units: "share".into(),
            source: "s".into(),
            caveat: "c".into(),
            row_header: "quarter".into(),
            rows: vec!["2016Q1".into(), "2016Q2".into()],
            columns: vec![
                Column { name: "a p50".into(), unit: Unit::Share },
                Column { name: "b p50".into(), unit: Unit::Share },
            ],
            values: vec![vec![Some(0.1), None], vec![Some(0.25), Some(1.0 / 3.0)]],
        };
        let mut out = Vec::new();
        t.write_csv(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "quarter,a p50,b p50\n2016Q1,0.1,\n2016Q2,0.25,0.3333333333333333\n"
        );
        assert_eq!(t.csv_path(), "data/fan_x.csv");
    }
}
