//! Files written from the results table. Each goes to a temporary name in the
//! output folder and is renamed into place, so an interrupted run never leaves
//! a half-written file.

use super::summary::{DifferenceRow, SummaryRow};
use super::{FootprintRow, Row};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes a file atomically: `write` fills a temporary file that then replaces `name`.
pub fn atomic(dir: &Path, name: &str, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = BufWriter::new(fs::File::create(&tmp)?);
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

pub fn timeseries<'a>(out: &mut dyn Write, rows: impl Iterator<Item = Row<'a>>) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["scenario", "replicate", "quarter", "metric", "value"]).map_err(csv_err)?;
    for r in rows {
        w.write_record([
            r.scenario,
            &r.replicate.to_string(),
            &r.quarter.to_string(),
            r.metric.name(),
            &r.value.to_string(),
        ])
        .map_err(csv_err)?;
    }
    w.flush()
}

pub fn footprints<'a>(out: &mut dyn Write, rows: impl Iterator<Item = FootprintRow<'a>>) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["scenario", "replicate", "quarter", "footprint", "metric", "value"]).map_err(csv_err)?;
    for r in rows {
        w.write_record([
            r.scenario,
            &r.replicate.to_string(),
            &r.quarter.to_string(),
            r.footprint,
            r.metric.name(),
            &r.value.to_string(),
        ])
        .map_err(csv_err)?;
    }
    w.flush()
}

pub fn summary(out: &mut dyn Write, rows: &[SummaryRow]) -> io::Result<()> {
    summary_over(out, rows, None)
}

/// `summary.csv`; with `spread` (a run over a posterior), a last column
/// `spread` says on every row what the intervals include.
pub fn summary_over(out: &mut dyn Write, rows: &[SummaryRow], spread: Option<&str>) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["scenario", "quarter", "metric", "mean", "sd", "p05", "p25", "p50", "p75", "p95"];
    header.extend(spread.map(|_| "spread"));
    w.write_record(&header).map_err(csv_err)?;
    for r in rows {
        let nums = [r.mean, r.sd, r.p05, r.p25, r.p50, r.p75, r.p95].map(|x| x.to_string());
        let mut rec = vec![r.scenario.clone(), r.quarter.to_string(), r.metric.name().to_string()];
        rec.extend(nums);
        rec.extend(spread.map(String::from));
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.flush()
}

pub fn differences(out: &mut dyn Write, rows: &[DifferenceRow]) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["scenario", "quarter", "metric", "median", "p05", "p95", "mean", "sd"]).map_err(csv_err)?;
    for r in rows {
        let nums = [r.median, r.p05, r.p95, r.mean, r.sd].map(|x| x.to_string());
        let mut rec = vec![r.scenario.clone(), r.quarter.to_string(), r.metric.name().to_string()];
        rec.extend(nums);
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.flush()
}
