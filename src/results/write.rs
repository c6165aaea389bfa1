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
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["scenario", "quarter", "metric", "mean", "sd", "p05", "p25", "p50", "p75", "p95"])
        .map_err(csv_err)?;
    for r in rows {
        let nums = [r.mean, r.sd, r.p05, r.p25, r.p50, r.p75, r.p95].map(|x| x.to_string());
        let mut rec = vec![r.scenario.clone(), r.quarter.to_string(), r.metric.name().to_string()];
        rec.extend(nums);
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
