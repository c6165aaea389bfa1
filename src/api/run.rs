//! `run`: scenarios x replicates, for every front (the command line, the
//! explorer, Python). A [`RunRequest`] resolves to a [`Job`] with every
//! default filled in (the scenarios' own `replicates` and `seed` before the
//! defaults table), a job runs on a pool of its own ([`Job::run`], or
//! [`Job::run_with`] with progress and cancellation hooks), and
//! [`Job::write`] writes its files, charts and manifest into its folder as
//! one set ([`write_run`] for the data alone, into any folder).

use super::common::{self, Common, Hooks};
use crate::core::defaults;
use crate::core::posterior::{Posterior, PosteriorError};
use crate::results::Results;
use crate::results::folder::{FolderLock, Staging};
use crate::results::manifest::{self, Manifest, ManifestScenario};
use crate::results::outputs::{RUN_OUTPUTS, RunOutput};
use crate::results::summary::differences;
use crate::runner::RunOptions;
use crate::scenario::{Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

pub use crate::guard::{DEFAULT_MAX_MEMORY_GIB, check_memory, memory_bytes, memory_limit};
pub use crate::runner::{DEFAULT_REPLICATES, DEFAULT_SEED};
/// The main job keeps footprint rows for this many replicates: enough for
/// per-footprint medians, a few tens of MB rather than the ~900 MB of all 200.
pub const MAIN_JOB_FOOTPRINT_REPLICATES: u32 = 20;

/// A run as asked for: every choice optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunRequest {
    /// Scenario files or built-in names (none, and nothing `loaded`:
    /// baseline and history).
    pub scenarios: Vec<String>,
    /// Scenarios a front has already loaded (Python's `Scenario` objects,
    /// the explorer's edited text), run before `scenarios`.
    #[serde(skip)]
    pub loaded: Vec<Scenario>,
    /// The whole built-in library first, then `scenarios`.
    pub all: bool,
    /// Seed, replicates (default: the first scenario's that sets them, else
    /// the defaults table), threads, output folder (default:
    /// `outputs/NAME+NAME`, `outputs/all` with `all`, `outputs/default` with
    /// no scenario named), charts.
    #[serde(flatten)]
    pub common: Common,
    /// Keep every footprint's metrics (footprints.csv).
    pub per_footprint: bool,
    /// With `per_footprint`: for the first this many replicates only (default: all).
    pub footprint_replicates: Option<u32>,
    /// Run over this posterior: `england` (built in), `none` (the spec's
    /// defaults) or a `posterior.csv`; replicate r takes a draw by weight, the
    /// same in every scenario. Unset: the scenarios' `posterior`, else England's
    /// (`scenario::posterior::choose`).
    pub posterior: Option<PathBuf>,
    /// Fit share axes of fan charts to the data instead of starting them at zero.
    pub zoom: bool,
    /// Also write timeseries.parquet (a build with the `parquet` feature).
    pub parquet: bool,
}

/// A run with every choice made.
#[derive(Clone, Debug)]
pub struct Job {
    pub scenarios: Vec<Scenario>,
    pub options: RunOptions,
    pub threads: usize,
    pub out: PathBuf,
    pub per_footprint: bool,
    /// The posterior replicates draw their parameters from, if any.
    pub posterior: Option<Posterior>,
    /// Draw the charts and report.html beside the data.
    pub charts: bool,
    /// The memory limit asked for (GiB), if any.
    pub memory_limit: Option<f64>,
    /// Write into a folder of other files.
    pub force: bool,
    pub zoom: bool,
    /// What the replicates' parameters are, in words (first line, manifest).
    pub parameters: String,
    /// The posterior is the built-in default, not asked for.
    pub posterior_by_default: bool,
    /// Also write timeseries.parquet.
    pub parquet: bool,
}

/// Why a run cannot start.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("two scenarios are named `{0}`; names in one run must differ")]
    DuplicateName(String),
    #[error("--posterior: {0}")]
    Posterior(#[from] PosteriorError),
    #[error("{0}")]
    PosteriorChoice(String),
    #[error(transparent)]
    Memory(#[from] crate::guard::MemoryError),
    #[error(transparent)]
    Request(#[from] common::Error),
}

/// Every run error is the user's to fix except a failure inside the request's checks.
impl From<JobError> for common::Error {
    fn from(e: JobError) -> common::Error {
        match e {
            JobError::Scenario(e) => common::Error::Scenario(e),
            JobError::Request(e) => e,
            other => common::Error::Usage(other.to_string()),
        }
    }
}

impl RunRequest {
    /// Loads the scenarios and fills in every default.
    pub fn resolve(mut self) -> Result<Job, JobError> {
        self.common.check(defaults::MAX_REPLICATES)?;
        let default_out = self.scenarios.is_empty() && self.loaded.is_empty() && !self.all;
        if self.all {
            let mut all: Vec<String> = crate::scenario::builtin::names().into_iter().map(String::from).collect();
            all.append(&mut self.scenarios);
            self.scenarios = all;
            self.common.out = self.common.out.or_else(|| Some(PathBuf::from(defaults::ALL_OUT)));
        }
        if default_out {
            self.scenarios = vec!["baseline".into(), "history".into()];
        }
        let mut scenarios: Vec<Scenario> = Vec::with_capacity(self.loaded.len() + self.scenarios.len());
        let named = self.scenarios.iter().map(|a| crate::scenario::load(a));
        for s in self.loaded.into_iter().map(Ok).chain(named) {
            let s = s?;
            if scenarios.iter().any(|o| o.name == s.name) {
                return Err(JobError::DuplicateName(s.name));
            }
            scenarios.push(s);
        }
        let c = &self.common;
        let replicates =
            c.replicates.or_else(|| scenarios.iter().find_map(|s| s.replicates)).unwrap_or(defaults::REPLICATES);
        let seed = c.seed.or_else(|| scenarios.iter().find_map(|s| s.seed)).unwrap_or(defaults::SEED);
        let out = common::out_or(&c.out, || {
            if default_out {
                PathBuf::from(defaults::MAIN_OUT)
            } else {
                let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
                PathBuf::from(defaults::OUT_ROOT).join(names.join("+"))
            }
        });
        let footprint_replicates = match (self.per_footprint, self.footprint_replicates) {
            (false, _) => 0,
            (true, None) => replicates,
            (true, Some(n)) => n.min(replicates),
        };
        let asked = self.posterior.as_ref().map(|p| p.to_string_lossy().into_owned());
        let choice = crate::scenario::posterior::choose(asked.as_deref(), &scenarios).map_err(|e| match e {
            crate::scenario::posterior::ChoiceError::Posterior(p) => JobError::Posterior(p),
            other => JobError::PosteriorChoice(other.to_string()),
        })?;
        if let Some(p) = &choice.posterior {
            for s in &scenarios {
                p.check_rules(&s.params, &crate::scenario::posterior::held(p, s), &s.name)?;
            }
        }
        Ok(Job {
            scenarios,
            options: RunOptions { replicates, seed, footprint_replicates },
            threads: c.threads(),
            out,
            per_footprint: self.per_footprint,
            parameters: choice.describe(),
            posterior_by_default: choice.by_default,
            posterior: choice.posterior,
            charts: !c.no_charts,
            memory_limit: c.memory_limit,
            force: c.force,
            zoom: self.zoom,
            parquet: self.parquet,
        })
    }
}

impl Job {
    /// Bytes the run will hold at its peak: every result until written, and
    /// one replicate's model state per thread.
    pub fn memory_bytes(&self) -> f64 {
        memory_bytes(&self.scenarios, &self.options, self.threads)
    }

    /// Refuses a run whose memory would exceed the limit (8 GiB, or
    /// `STPSIM_MAX_MEMORY_GIB`), before anything is allocated.
    pub fn check_memory(&self) -> Result<(), JobError> {
        Ok(crate::guard::check_memory_within(self.memory_bytes(), self.memory_limit)?)
    }

    /// What `stpsim run` prints on standard output before its last line
    /// (the files written): what the replicates' parameters were, which
    /// parameters a scenario held at its own value, and the headline numbers.
    /// The README's Quick start block is this text for the main job.
    pub fn printed(&self, results: &Results) -> String {
        let over = match &self.posterior {
            Some(_) => {
                format!("Replicates ran {}: {}.{}\n", self.parameters, manifest::POSTERIOR_NOTE, self.held_line())
            }
            None => format!("Replicates ran {}.\n", self.parameters),
        };
        over + &crate::results::headline::text(results, self.options.replicates, self.options.seed)
    }

    /// Which of the posterior's parameters each scenario held at its own
    /// value, a line each (empty without a posterior).
    pub fn held_line(&self) -> String {
        let Some(p) = &self.posterior else { return String::new() };
        self.scenarios
            .iter()
            .filter_map(|s| {
                let h = crate::scenario::posterior::held(p, s);
                (!h.is_empty())
                    .then(|| format!("\n  {} holds {} at its own value in every replicate", s.name, h.join(", ")))
            })
            .collect()
    }

    /// Runs every scenario for every replicate on a pool of `threads` workers.
    pub fn run(&self) -> Results {
        let go = || crate::runner::run_over(&self.scenarios, &self.options, self.posterior.as_ref());
        match common::pool(self.threads) {
            Ok(pool) => pool.install(go),
            // No thread could start: run on the caller's pool (same results).
            Err(_) => go(),
        }
    }

    /// As [`Job::run`], in batches of `batch` replicates (every scenario's
    /// replicates 0.., in order), telling `hooks` the results so far after
    /// each batch; None once `hooks` cancels, between batches. The final
    /// results equal `run`'s: replicates are keyed.
    pub fn run_with(&self, batch: u32, hooks: &dyn Hooks) -> Option<Results> {
        let cancel = AtomicBool::new(hooks.cancelled());
        let go = || {
            crate::runner::run_batched_over(
                &self.scenarios,
                &self.options,
                self.posterior.as_ref(),
                batch,
                &cancel,
                |r| {
                    hooks.replicates(r, self.options.replicates);
                    if hooks.cancelled() {
                        cancel.store(true, Ordering::Relaxed);
                    }
                },
            )
        };
        match common::pool(self.threads) {
            Ok(pool) => pool.install(go),
            Err(_) => go(),
        }
    }

    /// [`Job::run`] and [`Job::write`] at once: timeseries.csv (and
    /// footprints.csv) are formatted, written and hashed on a thread of
    /// their own while the replicates run ([`crate::runner::run_streamed`]),
    /// into the staging folder the other files then join; the set moves into
    /// place as `write` moves it. `made` is called when the last replicate
    /// is done (its rows perhaps still being written). The files are those of `run` then `write`, byte for byte.
    pub fn run_and_write(&self, made: impl FnOnce() -> Provenance + Send) -> Result<(Results, Outcome), common::Error> {
        let dir = &self.out;
        let failed = |(name, source): crate::results::stream::Failure| {
            common::Error::from(WriteError { path: dir.join(name), source })
        };
        let mut stage = Staging::new(dir).map_err(|source| WriteError { path: dir.to_path_buf(), source })?;
        let sink = crate::results::stream::RowSink::start(&stage, self.per_footprint).map_err(failed)?;
        let go = || crate::runner::run_streamed(&self.scenarios, &self.options, self.posterior.as_ref(), sink, made);
        let (results, sink, made) = match common::pool(self.threads) {
            Ok(pool) => pool.install(go),
            Err(_) => go(),
        };
        sink.finish(&mut stage).map_err(failed)?;
        let staged = stage_rest(stage, dir, self, &results, &made, self.parquet)?;
        let outcome = draw_and_commit(staged, self, &results, self.charts)?;
        Ok((results, outcome))
    }

    /// Checks the output folder (one of other files than a run's is the
    /// user's to resolve, unless `force`), creates it and takes its lock,
    /// removing what killed writers left. Hold the lock from before the run
    /// until [`Job::write`] returns.
    pub fn claim(&self) -> Result<FolderLock, common::Error> {
        let out = &self.out;
        common::refuse_foreign(out, self.force, "a stpsim run's (no manifest.json", |d| {
            d.join("manifest.json").is_file()
        })?;
        std::fs::create_dir_all(out)
            .map_err(|e| common::Error::failed(format!("cannot create the output folder {}", out.display()), e))?;
        common::claim(out)
    }

    /// Writes the run's files, and with `charts` its charts and report.html,
    /// into its folder as one set, manifest last ([`write_set`]).
    pub fn write(&self, results: &Results, made: &Provenance) -> Result<Outcome, common::Error> {
        write_set(&self.out, self, results, made, self.charts)
    }
}

/// What a run's write left in place.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub written: Written,
    /// Charts drawn (each as PNG and SVG), 0 without charts.
    pub charts: usize,
}

/// Writes a run's data files ([`stage_run`]) and, with `charts`, the charts
/// and report.html drawn from the results in memory (the pages `stpsim plot`
/// draws from the files) into a staging folder in `dir`, then moves them in
/// as one set, manifest last. Call it holding the folder's lock.
pub fn write_set(
    dir: &Path,
    job: &Job,
    results: &Results,
    made: &Provenance,
    charts: bool,
) -> Result<Outcome, common::Error> {
    let staged = stage_run_with(dir, job, results, made, job.parquet)?;
    draw_and_commit(staged, job, results, charts)
}

/// With `charts`, draws the charts and report.html into a staged run, then
/// moves the set into place.
fn draw_and_commit(staged: StagedRun, job: &Job, results: &Results, charts: bool) -> Result<Outcome, common::Error> {
    let drawn = if charts {
        let files = &staged.written.files;
        let mut data = crate::plot::RunData::from_results(
            results,
            &job.scenarios,
            job.options.seed,
            Some(&staged.written.manifest),
        )
        .map_err(common::Error::other)?;
        data.files =
            crate::plot::input::DATA_FILES.iter().filter(|f| files.contains(f)).map(|f| f.to_string()).collect();
        let options = crate::plot::ChartOptions { zoom: job.zoom };
        crate::report::write_all(staged.dir(), &data, &options).map_err(common::Error::other)?.len()
    } else {
        0
    };
    let written = staged.commit()?;
    Ok(Outcome { written, charts: drawn })
}

/// [`write_set`] into any folder, taking its lock first (Python's
/// `Results.write(out)`).
pub fn write_to(
    dir: &Path,
    job: &Job,
    results: &Results,
    made: &Provenance,
    charts: bool,
) -> Result<Outcome, common::Error> {
    let _lock = common::claim(dir)?;
    write_set(dir, job, results, made, charts)
}

impl From<WriteError> for common::Error {
    fn from(e: WriteError) -> common::Error {
        common::Error::other(e)
    }
}

/// A file of the run could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// When and how a run was made, for its manifest.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// The command line (or the call) that made it.
    pub command: Vec<String>,
    pub started: SystemTime,
    pub wall_seconds: f64,
}

/// What `write_run` wrote.
#[derive(Clone, Debug)]
pub struct Written {
    /// The files, in the manifest's order.
    pub files: Vec<&'static str>,
    /// manifest.json's text.
    pub manifest: String,
}

/// A run's files written into a staging folder inside the output folder,
/// not yet in place: [`StagedRun::commit`] moves them in, manifest.json last.
#[derive(Debug)]
pub struct StagedRun {
    staging: Staging,
    pub written: Written,
}

impl StagedRun {
    /// The staging folder: charts and the report written here (as `stpsim
    /// run` does) move into place with the data, before the manifest.
    pub fn dir(&self) -> &Path {
        self.staging.dir()
    }

    /// Moves the set into the output folder, the manifest last, and removes
    /// an earlier run's files that the new set lacks (charts of scenarios no
    /// longer run, differences.csv of an earlier comparison).
    pub fn commit(self) -> Result<Written, WriteError> {
        self.staging
            .commit("manifest.json", crate::results::outputs::is_run_file)
            .map_err(|e| WriteError { path: e.path.clone(), source: io::Error::from(e) })?;
        Ok(self.written)
    }
}

/// Writes a run's files into `dir` (which must exist): timeseries.csv,
/// summary.csv, differences.csv when there are scenarios to compare,
/// footprints.csv if the job keeps footprint rows, and manifest.json,
/// listing them with each one's SHA-256. They are written into a staging
/// folder first and moved into place together, manifest last ([`stage_run`]),
/// so an interrupted write leaves the folder's earlier set whole. Call it
/// holding the folder's lock ([`crate::results::folder::claim`]).
pub fn write_run(dir: &Path, job: &Job, results: &Results, made: &Provenance) -> Result<Written, WriteError> {
    stage_run(dir, job, results, made)?.commit()
}

/// As [`write_run`], stopping before the files are moved into place.
pub fn stage_run(dir: &Path, job: &Job, results: &Results, made: &Provenance) -> Result<StagedRun, WriteError> {
    stage_run_with(dir, job, results, made, false)
}

/// As [`stage_run`]; with `parquet` (`stpsim run --parquet`, a build with
/// the `parquet` feature), timeseries.parquet beside timeseries.csv.
pub fn stage_run_with(
    dir: &Path,
    job: &Job,
    results: &Results,
    made: &Provenance,
    parquet: bool,
) -> Result<StagedRun, WriteError> {
    let stage = Staging::new(dir).map_err(|source| WriteError { path: dir.to_path_buf(), source })?;
    stage_rest(stage, dir, job, results, made, parquet)
}

/// [`stage_run_with`] into a staging folder in which some of the run's
/// files (those written while it ran) are staged already.
fn stage_rest(
    mut stage: Staging,
    dir: &Path,
    job: &Job,
    results: &Results,
    made: &Provenance,
    parquet: bool,
) -> Result<StagedRun, WriteError> {
    let named = |name: &'static str| move |source: io::Error| WriteError { path: dir.join(name), source };
    let summary = crate::results::summary::summarise_results(results);
    let split = job.posterior.as_ref().map(|p| variance_split(p, &job.options, results)).unwrap_or_default();
    let diffs = if results.scenarios.len() > 1 { differences(results) } else { Vec::new() };
    let output = RunOutput {
        results,
        options: &job.options,
        summary: &summary,
        spread: job.posterior.as_ref().map(|_| crate::results::summary::SPREAD_OVER_POSTERIOR),
        differences: &diffs,
        posterior: job.posterior.as_ref(),
        split: &split,
        per_footprint: job.per_footprint,
        parquet,
    };
    // Every declared output this run writes, in the manifest's order; the
    // manifest itself last, once it can list the others' checksums.
    let mut files = Vec::new();
    for o in RUN_OUTPUTS.iter().filter(|o| (o.when)(&output)) {
        if stage.checksums().contains_key(o.name) {
            // Written while the replicates ran.
        } else if let Some(write) = o.write {
            stage.write(o.name, |w| write(w, &output)).map_err(named(o.name))?;
        } else if o.name == PARQUET {
            stage_parquet(&mut stage, results, true).map_err(named(PARQUET))?;
        }
        files.push(o.name);
    }
    // tables.xlsx reads the run's description from the manifest (which then
    // lists it): staged after the other files, before the manifest.
    let xlsx = crate::results::xlsx::FILE;
    let before: Vec<&'static str> = files.iter().copied().filter(|f| *f != xlsx).collect();
    let first = manifest(job, made, SystemTime::now(), before, stage.checksums().clone(), split.clone(), Some(results));
    let text = serde_json::to_string_pretty(&first).map_err(|e| named("manifest.json")(io::Error::other(e)))?;
    let spread = output.spread;
    crate::plot::workbook::stage(
        &mut stage,
        results,
        &job.scenarios,
        job.options.seed,
        &text,
        &summary,
        &diffs,
        spread,
    )
    .map_err(named(xlsx))?;
    let manifest =
        manifest(job, made, SystemTime::now(), files.clone(), stage.checksums().clone(), split, Some(results));
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| named("manifest.json")(io::Error::other(e)))? + "\n";
    stage.write("manifest.json", |w| w.write_all(text.as_bytes())).map_err(named("manifest.json"))?;
    Ok(StagedRun { staging: stage, written: Written { files, manifest: text } })
}

/// The manifest of a run: what was run, fully resolved, how and when, and
/// the files with their checksums.
fn manifest<'a>(
    job: &'a Job,
    made: &Provenance,
    finished: SystemTime,
    files: Vec<&'static str>,
    file_sha256: std::collections::BTreeMap<String, String>,
    split: Vec<manifest::SplitRow>,
    results: Option<&Results>,
) -> Manifest<ManifestScenario<'a>> {
    Manifest {
        stpsim_version: env!("CARGO_PKG_VERSION").to_string(),
        command: made.command.clone(),
        seed: job.options.seed,
        replicates: job.options.replicates,
        threads: job.threads,
        footprint_replicates: job.options.footprint_replicates,
        started: humantime::format_rfc3339_seconds(made.started).to_string(),
        finished: humantime::format_rfc3339_seconds(finished).to_string(),
        wall_seconds: made.wall_seconds,
        files: files.iter().map(|f| f.to_string()).collect(),
        file_sha256,
        parameters: job.parameters.clone(),
        posterior: job.posterior.as_ref().map(|p| manifest::PosteriorEntry {
            by_default: job.posterior_by_default,
            held: job
                .scenarios
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        crate::scenario::posterior::held(p, s).iter().map(|h| h.to_string()).collect::<Vec<String>>(),
                    )
                })
                .filter(|(_, h)| !h.is_empty())
                .collect(),
            file: p.source.clone(),
            sha256: p.sha256.clone(),
            draws: p.draws.len(),
            parameters: p.names.iter().map(|n| n.to_string()).collect(),
            note: manifest::POSTERIOR_NOTE.to_string(),
            variance_split: split,
            patterns: results.map(|r| patterns(p, &job.options, r)).unwrap_or_default(),
        }),
        scenarios: job.scenarios.iter().map(manifest::entry).collect(),
    }
}

/// timeseries.parquet's name.
const PARQUET: &str = "timeseries.parquet";

/// Writes timeseries.parquet when asked; a build without the `parquet`
/// feature refuses (the command line says so before running).
fn stage_parquet(stage: &mut Staging, results: &Results, parquet: bool) -> io::Result<Option<&'static str>> {
    if !parquet {
        return Ok(None);
    }
    #[cfg(feature = "parquet")]
    {
        let file = stage.file(PARQUET)?;
        let file = crate::results::parquet::timeseries(file, results.rows())?;
        stage.finish(file)?;
        Ok(Some(PARQUET))
    }
    #[cfg(not(feature = "parquet"))]
    {
        let _ = (stage, results);
        Err(io::Error::new(io::ErrorKind::Unsupported, crate::api::run::NO_PARQUET))
    }
}

/// Why `--parquet` is refused by a build without the `parquet` feature.
pub const NO_PARQUET: &str = "--parquet needs stpsim built with Parquet support: `cargo build --release --features \
     parquet` (or `cargo install --locked --path . --features parquet`); timeseries.csv holds the same rows";

/// manifest.json's text for a run held in memory and written nowhere (the
/// explorer's report): no files listed.
pub fn manifest_text(job: &Job, made: &Provenance) -> serde_json::Result<String> {
    let finished = made.started + std::time::Duration::from_secs_f64(made.wall_seconds.max(0.0));
    Ok(serde_json::to_string_pretty(&manifest(job, made, finished, Vec::new(), Default::default(), Vec::new(), None))?
        + "\n")
}

/// Each headline metric's spread at the final quarter, split into parameter
/// uncertainty and chance (`calibrate::posterior::variance_split`).
/// The spec's patterns over the run's own draws (replicate r took draw r's values).
fn patterns(p: &Posterior, opts: &RunOptions, results: &Results) -> Vec<crate::calibrate::patterns::Check> {
    let theta: Vec<Vec<f64>> = (0..opts.replicates as u64).map(|r| p.draws[p.draw_for(opts.seed, r)].clone()).collect();
    crate::calibrate::patterns::over_run(results, &theta, &p.names)
}

fn variance_split(p: &Posterior, opts: &RunOptions, results: &Results) -> Vec<manifest::SplitRow> {
    let theta: Vec<Vec<f64>> = (0..opts.replicates as u64).map(|r| p.draws[p.draw_for(opts.seed, r)].clone()).collect();
    let mut rows = Vec::new();
    for sc in &results.scenarios {
        let Some(&last) = sc.quarters.last() else { continue };
        for &m in crate::model::Metric::headline() {
            let y = sc.at(last, m);
            let (_, sd, _) = crate::results::summary::describe(&mut y.clone());
            let (parameter_share, chance_share) = crate::core::posterior::variance_split(&y, &theta);
            rows.push(manifest::SplitRow {
                scenario: sc.name.clone(),
                quarter: last.to_string(),
                metric: m.name().to_string(),
                sd,
                parameter_share,
                chance_share,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Replicate;
    use crate::model::metrics::N_METRICS;

    #[test]
    fn defaults_fill_in_from_the_scenarios_then_the_library() {
        let job = RunRequest::default().resolve().unwrap();
        assert_eq!(job.scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["baseline", "history"]);
        assert_eq!(job.out, PathBuf::from("outputs/default"));
        assert_eq!((job.options.replicates, job.options.seed, job.options.footprint_replicates), (200, 2016, 0));
        assert!(job.threads >= 1);
        let job = RunRequest {
            scenarios: vec!["history".into()],
            per_footprint: true,
            footprint_replicates: Some(500),
            common: Common { replicates: Some(7), threads: Some(3), ..Default::default() },
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(job.out, PathBuf::from("outputs/history"));
        assert_eq!((job.options.replicates, job.options.footprint_replicates, job.threads), (7, 7, 3));
        let all = RunRequest { all: true, ..Default::default() }.resolve().unwrap();
        assert_eq!(all.out, PathBuf::from("outputs/all"));
        assert_eq!(all.scenarios.len(), crate::scenario::builtin::names().len());
        let twice = RunRequest { scenarios: vec!["baseline".into(), "baseline".into()], ..Default::default() };
        assert!(matches!(twice.resolve(), Err(JobError::DuplicateName(n)) if n == "baseline"));
    }

    #[test]
    fn a_scenarios_replicates_and_seed_hold_unless_the_request_overrides_them() {
        let text = "name = \"saved\"\nextends = \"baseline\"\nreplicates = 3\nseed = 11\n";
        let saved = crate::scenario::load_text(text, "saved.toml", None).unwrap();
        let loaded = RunRequest { loaded: vec![saved.clone()], ..Default::default() }.resolve().unwrap();
        assert_eq!((loaded.options.replicates, loaded.options.seed), (3, 11));
        assert_eq!(loaded.out, PathBuf::from("outputs/saved"), "a front's loaded scenario is not the main job");
        let common = Common { replicates: Some(5), seed: Some(1), ..Default::default() };
        let asked = RunRequest { loaded: vec![saved], common, ..Default::default() }.resolve().unwrap();
        assert_eq!((asked.options.replicates, asked.options.seed), (5, 1));
        let zero = RunRequest { common: Common { replicates: Some(0), ..Default::default() }, ..Default::default() };
        let e = common::Error::from(zero.resolve().unwrap_err());
        assert_eq!(e.kind(), common::ErrorKind::Usage);
        assert_eq!(e.to_string(), "replicates = 0: allowed from 1 to 1000000");
    }

    #[test]
    fn memory_counts_results_and_one_state_per_thread() {
        let common = Common { replicates: Some(10), threads: Some(2), ..Default::default() };
        let job = RunRequest { common, ..Default::default() }.resolve().unwrap();
        let s = &job.scenarios[0];
        let st = s.build_structure(1);
        let state = Replicate::bytes_for(st.n_orgs(), st.footprints.len()) as f64;
        let results = (8 * N_METRICS) as f64 * s.start.span_to(s.end) as f64 * 10.0;
        assert_eq!(job.memory_bytes(), 2.0 * (results + 2.0 * state));
    }

    #[test]
    fn write_run_writes_the_files_and_a_manifest_that_lists_them() {
        let dir = std::env::temp_dir().join(format!("stpsim-write-run-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let job = RunRequest {
            scenarios: vec!["baseline".into()],
            common: Common { replicates: Some(2), ..Default::default() },
            per_footprint: true,
            ..Default::default()
        }
        .resolve()
        .unwrap();
        let results = job.run();
        let made = Provenance { command: vec!["test".into()], started: SystemTime::now(), wall_seconds: 0.0 };
        let files = write_run(&dir, &job, &results, &made).unwrap().files;
        // Over the built-in England posterior, the default: its draws and variance split too.
        assert_eq!(
            files,
            [
                "timeseries.csv",
                "summary.csv",
                "manifest.json",
                "posterior_draws.csv",
                "variance_split.csv",
                "footprints.csv",
                "tables.xlsx"
            ]
        );
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["replicates"], 2);
        assert_eq!(manifest["footprint_replicates"], 2);
        assert_eq!(manifest["scenarios"][0]["name"], "baseline");
        let rows = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap().lines().count();
        assert_eq!(rows, 1 + results.rows().count());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn running_and_writing_at_once_gives_the_files_of_a_run_then_a_write() {
        let read = |dir: &Path| -> Vec<(String, Vec<u8>)> {
            let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "csv" || x == "xlsx"))
                .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
                .collect();
            files.sort();
            files
        };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let job = |out: &Path| {
            RunRequest {
                scenarios: vec!["baseline".into(), "history".into()],
                common: Common {
                    replicates: Some(4),
                    threads: Some(2),
                    out: Some(out.into()),
                    no_charts: true,
                    ..Default::default()
                },
                per_footprint: true,
                footprint_replicates: Some(3),
                ..Default::default()
            }
            .resolve()
            .unwrap()
        };
        let made = || Provenance { command: vec!["test".into()], started: SystemTime::UNIX_EPOCH, wall_seconds: 0.0 };
        let first = job(a.path());
        let results = first.run();
        let written = first.write(&results, &made()).unwrap().written;
        let second = job(b.path());
        let (streamed, outcome) = second.run_and_write(made).unwrap();
        assert_eq!(streamed, results);
        assert_eq!(outcome.written.files, written.files);
        let (x, y) = (read(a.path()), read(b.path()));
        assert_eq!(x.len(), 7, "{:?}", x.iter().map(|f| &f.0).collect::<Vec<_>>());
        assert_eq!(x, y);
        let no_staging = |d: &Path| {
            std::fs::read_dir(d).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().starts_with(".staging"))
        };
        assert!(no_staging(b.path()));
    }
}
