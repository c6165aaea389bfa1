//! timeseries.csv and footprints.csv written while the replicates run: a
//! [`Sink`] for [`crate::runner::run_streamed`] that formats each finished
//! replicate's rows, writes them into the staging folder and hashes them as
//! they go, on the runner's collecting thread, so the simulation's threads
//! never wait for the disk and no file is read back for its checksum.

use super::ScenarioResult;
use super::folder::{Completed, StagedFile, Staging};
use super::write::{FOOTPRINTS_HEADER, ReplicateRows, TIMESERIES_HEADER};
use std::io::{self, Write};

/// One finished replicate, handed to [`crate::runner::run_streamed`]'s sink in the tidy
/// table's order: scenario by scenario, replicates ascending.
pub struct Finished<'a> {
    pub scenario: usize,
    /// That scenario's results so far (its name, quarters, footprints).
    pub result: &'a ScenarioResult,
    pub replicate: usize,
    /// `[quarter][metric]`.
    pub values: &'a [f64],
    /// `[quarter][footprint][metric]`, if this replicate's footprint rows are kept.
    pub footprint_values: Option<&'a [f64]>,
}

/// What [`crate::runner::run_streamed`] hands finished replicates to, on its own thread.
pub trait Sink: Send {
    /// The next replicate in the tidy table's order.
    fn replicate(&mut self, done: &Finished);
    /// Every replicate has been handed over.
    fn end(&mut self) {}
}

pub const TIMESERIES: &str = "timeseries.csv";
pub const FOOTPRINTS: &str = "footprints.csv";

/// A file that could not be written, by name.
pub type Failure = (&'static str, io::Error);

/// The two row files of a run, being written.
pub struct RowSink {
    files: Vec<(&'static str, Option<StagedFile>)>,
    rows: ReplicateRows,
    completed: Vec<Completed>,
    error: Option<Failure>,
}

impl RowSink {
    /// Starts timeseries.csv in `stage`, and footprints.csv with `footprints`.
    pub fn start(stage: &Staging, footprints: bool) -> Result<RowSink, Failure> {
        let mut files = Vec::new();
        let names =
            [(TIMESERIES, TIMESERIES_HEADER)].into_iter().chain(footprints.then_some((FOOTPRINTS, FOOTPRINTS_HEADER)));
        for (name, header) in names {
            let mut f = stage.file(name).map_err(|e| (name, e))?;
            f.write_all(header).map_err(|e| (name, e))?;
            files.push((name, Some(f)));
        }
        Ok(RowSink {
            files,
            rows: ReplicateRows::new().map_err(|e| (TIMESERIES, e))?,
            completed: Vec::new(),
            error: None,
        })
    }

    /// The files completed, their checksums recorded in `stage`; or the
    /// first failure.
    pub fn finish(self, stage: &mut Staging) -> Result<Vec<&'static str>, Failure> {
        if let Some(e) = self.error {
            return Err(e);
        }
        for done in self.completed {
            stage.record(done);
        }
        Ok(self.files.iter().map(|f| f.0).collect())
    }

    fn write(&mut self, d: &Finished) -> Result<(), Failure> {
        let (s, sr, r) = (d.scenario, d.result, d.replicate);
        let rows = self.rows.timeseries(s, sr, r, d.values).map_err(|e| (TIMESERIES, e))?;
        if let Some(f) = self.files[0].1.as_mut() {
            f.write_all(rows).map_err(|e| (TIMESERIES, e))?;
        }
        if let (Some(values), Some((name, Some(f)))) = (d.footprint_values, self.files.get_mut(1)) {
            let rows = self.rows.footprints(s, sr, r, values).map_err(|e| (FOOTPRINTS, e))?;
            f.write_all(rows).map_err(|e| (*name, e))?;
        }
        Ok(())
    }
}

impl Sink for RowSink {
    fn replicate(&mut self, done: &Finished) {
        if self.error.is_none()
            && let Err(e) = self.write(done)
        {
            self.error = Some(e);
        }
    }

    /// Flushes and syncs the files here, beside the pool, too.
    fn end(&mut self) {
        for (name, f) in &mut self.files {
            let Some(f) = f.take() else { continue };
            if self.error.is_some() {
                continue;
            }
            match f.complete() {
                Ok(done) => self.completed.push(done),
                Err(e) => self.error = Some((name, e)),
            }
        }
    }
}
