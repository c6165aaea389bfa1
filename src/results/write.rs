//! Files written from the results table. Each goes to a temporary name in the
//! output folder and is renamed into place, so an interrupted run never leaves
//! a half-written file.

use super::summary::{DifferenceRow, SummaryRow};
use super::{FootprintRow, Row};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Whether `name` is one plain file name: no folder part, not `.` or `..`,
/// nothing a file system treats specially. Every file an output folder gets
/// is named through this check, so data can never steer a write outside it.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name != "."
        && name != ".."
        && !name.chars().any(|c| matches!(c, '/' | '\\' | ':' | '\0') || c.is_control())
}

/// Writes a file atomically: `write` fills a temporary file that then replaces `name`.
pub fn atomic(dir: &Path, name: &str, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    if !is_plain_file_name(name) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "refused to write `{}`: not a plain file name inside {}",
                crate::scenario::error::shorten(name, 80),
                dir.display()
            ),
        ));
    }
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = BufWriter::new(crate::fsx::create(&tmp)?);
        write(&mut f)?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    let result = result.and_then(|()| fs::rename(&tmp, dir.join(name)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// Writes rows field by field from reused buffers: numbers as `Display`
/// writes them (`decimal`), text through the csv writer's quoting, so the
/// bytes are those of formatting each field to a string, without the
/// allocations.
struct Fields {
    ryu: ryu::Buffer,
    int: itoa::Buffer,
    number: Vec<u8>,
    quarter: (Option<crate::core::quarter::Quarter>, String),
}

impl Fields {
    fn new() -> Fields {
        Fields {
            ryu: ryu::Buffer::new(),
            int: itoa::Buffer::new(),
            number: Vec::with_capacity(32),
            quarter: (None, String::new()),
        }
    }

    fn quarter(&mut self, q: crate::core::quarter::Quarter) -> &str {
        if self.quarter.0 != Some(q) {
            self.quarter = (Some(q), q.to_string());
        }
        &self.quarter.1
    }

    fn value(&mut self, x: f64) -> &[u8] {
        super::decimal::f64_display(x, &mut self.ryu, &mut self.number);
        &self.number
    }
}

pub fn timeseries<'a>(out: &mut dyn Write, rows: impl Iterator<Item = Row<'a>>) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["scenario", "replicate", "quarter", "metric", "value"]).map_err(csv_err)?;
    let mut f = Fields::new();
    for r in rows {
        w.write_field(r.scenario).map_err(csv_err)?;
        w.write_field(f.int.format(r.replicate)).map_err(csv_err)?;
        w.write_field(f.quarter(r.quarter)).map_err(csv_err)?;
        w.write_field(r.metric.name()).map_err(csv_err)?;
        w.write_field(f.value(r.value)).map_err(csv_err)?;
        w.write_record(None::<&[u8]>).map_err(csv_err)?;
    }
    w.flush()
}

pub fn footprints<'a>(out: &mut dyn Write, rows: impl Iterator<Item = FootprintRow<'a>>) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["scenario", "replicate", "quarter", "footprint", "metric", "value"]).map_err(csv_err)?;
    let mut f = Fields::new();
    for r in rows {
        w.write_field(r.scenario).map_err(csv_err)?;
        w.write_field(f.int.format(r.replicate)).map_err(csv_err)?;
        w.write_field(f.quarter(r.quarter)).map_err(csv_err)?;
        w.write_field(r.footprint).map_err(csv_err)?;
        w.write_field(r.metric.name()).map_err(csv_err)?;
        w.write_field(f.value(r.value)).map_err(csv_err)?;
        w.write_record(None::<&[u8]>).map_err(csv_err)?;
    }
    w.flush()
}

/// One field as the csv writer writes it inside a record (quoted if it must be).
fn csv_field(text: &str) -> io::Result<Vec<u8>> {
    if text.is_empty() {
        // Alone on a record it would be quoted; among others it is not.
        return Ok(Vec::new());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([text]).map_err(csv_err)?;
    let mut field = w.into_inner().map_err(|e| e.into_error())?;
    field.pop(); // the record's terminator
    Ok(field)
}

/// timeseries.csv's and footprints.csv's rows, one replicate at a time:
/// the bytes [`timeseries`] and [`footprints`] write for its rows, with each
/// text field quoted once rather than on every row (a writer streaming rows
/// while later replicates run).
pub struct ReplicateRows {
    /// Per scenario: its name, its quarters and footprints, as CSV fields.
    scenarios: Vec<Option<ScenarioFields>>,
    metrics: Vec<Vec<u8>>,
    ryu: ryu::Buffer,
    int: itoa::Buffer,
    number: Vec<u8>,
    buf: Vec<u8>,
}

struct ScenarioFields {
    name: Vec<u8>,
    quarters: Vec<Vec<u8>>,
    footprints: Vec<Vec<u8>>,
}

/// timeseries.csv's header line.
pub const TIMESERIES_HEADER: &[u8] = b"scenario,replicate,quarter,metric,value\n";
/// footprints.csv's header line.
pub const FOOTPRINTS_HEADER: &[u8] = b"scenario,replicate,quarter,footprint,metric,value\n";

impl ReplicateRows {
    pub fn new() -> io::Result<ReplicateRows> {
        Ok(ReplicateRows {
            scenarios: Vec::new(),
            metrics: crate::model::Metric::ALL.iter().map(|m| csv_field(m.name())).collect::<io::Result<_>>()?,
            ryu: ryu::Buffer::new(),
            int: itoa::Buffer::new(),
            number: Vec::with_capacity(32),
            buf: Vec::new(),
        })
    }

    fn fields(&mut self, s: usize, sr: &super::ScenarioResult) -> io::Result<()> {
        if self.scenarios.len() <= s {
            self.scenarios.resize_with(s + 1, || None);
        }
        if self.scenarios[s].is_none() {
            self.scenarios[s] = Some(ScenarioFields {
                name: csv_field(&sr.name)?,
                quarters: sr.quarters.iter().map(|q| csv_field(&q.to_string())).collect::<io::Result<_>>()?,
                footprints: sr.footprints.iter().map(|f| csv_field(f)).collect::<io::Result<_>>()?,
            });
        }
        Ok(())
    }

    /// Replicate `r` of scenario `s` (`sr`): its timeseries rows from
    /// `values` (`[quarter][metric]`).
    pub fn timeseries(&mut self, s: usize, sr: &super::ScenarioResult, r: usize, values: &[f64]) -> io::Result<&[u8]> {
        use crate::model::{Metric, metrics::N_METRICS};
        self.fields(s, sr)?;
        let f = self.scenarios[s].as_ref().expect("just made");
        let buf = &mut self.buf;
        buf.clear();
        let rep = self.int.format(r).as_bytes();
        for (q, quarter) in f.quarters.iter().enumerate() {
            for (&m, metric) in Metric::ALL.iter().zip(&self.metrics) {
                for part in [&f.name[..], rep, quarter, metric] {
                    buf.extend_from_slice(part);
                    buf.push(b',');
                }
                super::decimal::f64_display(values[q * N_METRICS + m as usize], &mut self.ryu, &mut self.number);
                buf.extend_from_slice(&self.number);
                buf.push(b'\n');
            }
        }
        Ok(&self.buf)
    }

    /// As [`ReplicateRows::timeseries`], footprints.csv's rows from
    /// `values` (`[quarter][footprint][metric]`).
    pub fn footprints(&mut self, s: usize, sr: &super::ScenarioResult, r: usize, values: &[f64]) -> io::Result<&[u8]> {
        use crate::model::{Metric, metrics::N_METRICS};
        self.fields(s, sr)?;
        let f = self.scenarios[s].as_ref().expect("just made");
        let nf = f.footprints.len();
        let buf = &mut self.buf;
        buf.clear();
        let rep = self.int.format(r).as_bytes();
        for (q, quarter) in f.quarters.iter().enumerate() {
            for (k, footprint) in f.footprints.iter().enumerate() {
                for (&m, metric) in Metric::ALL.iter().zip(&self.metrics) {
                    for part in [&f.name[..], rep, quarter, footprint, metric] {
                        buf.extend_from_slice(part);
                        buf.push(b',');
                    }
                    let v = values[(q * nf + k) * N_METRICS + m as usize];
                    super::decimal::f64_display(v, &mut self.ryu, &mut self.number);
                    buf.extend_from_slice(&self.number);
                    buf.push(b'\n');
                }
            }
        }
        Ok(&self.buf)
    }
}

pub fn summary(out: &mut dyn Write, rows: &[SummaryRow]) -> io::Result<()> {
    summary_over(out, rows, None)
}

/// `summary.csv`; with `spread` (a run over a posterior), a last column
/// `spread` says on every row what the intervals include.
pub fn summary_over(out: &mut dyn Write, rows: &[SummaryRow], spread: Option<&str>) -> io::Result<()> {
    use super::summary::{KEY_COLUMNS, SPREAD_COLUMN, SUMMARY_NUMBERS};
    let mut w = csv::Writer::from_writer(out);
    let mut header = KEY_COLUMNS.to_vec();
    header.extend(SUMMARY_NUMBERS.iter().map(|c| c.0));
    header.extend(spread.map(|_| SPREAD_COLUMN));
    w.write_record(&header).map_err(csv_err)?;
    for r in rows {
        let mut rec = vec![r.scenario.clone(), r.quarter.to_string(), r.metric.name().to_string()];
        rec.extend(SUMMARY_NUMBERS.iter().map(|c| c.1(r).to_string()));
        rec.extend(spread.map(String::from));
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.flush()
}

pub fn differences(out: &mut dyn Write, rows: &[DifferenceRow]) -> io::Result<()> {
    use super::summary::{DIFFERENCE_NUMBERS, KEY_COLUMNS};
    let mut w = csv::Writer::from_writer(out);
    w.write_record(KEY_COLUMNS.iter().copied().chain(DIFFERENCE_NUMBERS.iter().map(|c| c.0))).map_err(csv_err)?;
    for r in rows {
        let mut rec = vec![r.scenario.clone(), r.quarter.to_string(), r.metric.name().to_string()];
        rec.extend(DIFFERENCE_NUMBERS.iter().map(|c| c.1(r).to_string()));
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.flush()
}

/// What an output folder holds before a run writes into it.
#[derive(Clone, Debug, PartialEq)]
pub enum Folder {
    /// Missing or empty.
    Empty,
    /// An earlier stpsim run's folder (it has a manifest.json).
    Run,
    /// Files that are not a stpsim run's: the first few names.
    Foreign(Vec<String>),
}

/// Looks at an output folder before a run.
/// Anything but a folder counts as empty: creating it then reports the error.
pub fn inspect(dir: &Path) -> io::Result<Folder> {
    inspect_for(dir, |d| d.join("manifest.json").is_file())
}

/// Looks at an output folder before a command writes it: `own` says whether
/// a non-empty folder is that command's own (a sweep's has plan.json, a
/// calibration's calibration.json or its checkpoint). Hidden names (the lock,
/// leftovers) do not count.
pub fn inspect_for(dir: &Path, own: impl Fn(&Path) -> bool) -> io::Result<Folder> {
    if !dir.is_dir() {
        return Ok(Folder::Empty);
    }
    let entries = fs::read_dir(dir)?;
    let mut names = Vec::new();
    for e in entries {
        let name = e?.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();
    if names.is_empty() {
        Ok(Folder::Empty)
    } else if own(dir) {
        Ok(Folder::Run)
    } else {
        names.truncate(3);
        Ok(Folder::Foreign(names))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_a_replicate_at_a_time_are_the_writers_bytes() {
        use crate::model::metrics::N_METRICS;
        let s = [crate::scenario::load("baseline").unwrap(), crate::scenario::load("history").unwrap()];
        let opts = crate::runner::RunOptions { replicates: 3, seed: 9, footprint_replicates: 2 };
        let mut results = crate::runner::run(&s, &opts);
        // Text that must be quoted, and values Display writes oddly.
        results.scenarios[1].name = "a \"quoted\", name".into();
        results.scenarios[1].values[..4].copy_from_slice(&[f64::NAN, -0.0, 1e300, -2.5e-8]);
        assert!(results.scenarios[0].footprints.iter().any(|f| f.contains(',')), "England has a name with a comma");
        let (mut ts, mut fp) = (Vec::new(), Vec::new());
        timeseries(&mut ts, results.rows()).unwrap();
        footprints(&mut fp, results.footprint_rows()).unwrap();
        let mut rows = ReplicateRows::new().unwrap();
        let (mut ts2, mut fp2) = (TIMESERIES_HEADER.to_vec(), FOOTPRINTS_HEADER.to_vec());
        for (k, sr) in results.scenarios.iter().enumerate() {
            let (nq, nf) = (sr.quarters.len(), sr.footprints.len());
            for r in 0..sr.replicates {
                ts2.extend_from_slice(
                    rows.timeseries(k, sr, r, &sr.values[r * nq * N_METRICS..][..nq * N_METRICS]).unwrap(),
                );
                if r < sr.footprint_replicates {
                    let all = sr.footprint_values.as_ref().unwrap();
                    let size = nq * nf * N_METRICS;
                    fp2.extend_from_slice(rows.footprints(k, sr, r, &all[r * size..][..size]).unwrap());
                }
            }
        }
        assert_eq!(String::from_utf8(ts2).unwrap(), String::from_utf8(ts).unwrap());
        assert_eq!(String::from_utf8(fp2).unwrap(), String::from_utf8(fp).unwrap());
    }
}
