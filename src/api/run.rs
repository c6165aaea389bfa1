//! A run as the library orchestrates it, for every front (the command line,
//! the explorer, Python): raw choices ([`RunRequest`]) resolve to a [`Job`]
//! with every default filled in, a job runs on a thread pool of its own, and
//! [`write_run`] writes its files and manifest into a folder.

use crate::core::posterior::{Posterior, PosteriorError};
use crate::results::folder::Staging;
use crate::results::manifest::{self, Manifest};
use crate::results::summary::{differences, summarise};
use crate::results::{Results, write};
use crate::runner::RunOptions;
use crate::scenario::{Scenario, ScenarioError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use crate::guard::{DEFAULT_MAX_MEMORY_GIB, check_memory, memory_bytes, memory_limit};
pub use crate::runner::{DEFAULT_REPLICATES, DEFAULT_SEED};
/// The main job keeps footprint rows for this many replicates: enough for
/// per-footprint medians, a few tens of MB rather than the ~900 MB of all 200.
pub const MAIN_JOB_FOOTPRINT_REPLICATES: u32 = 20;

/// A run as asked for: every choice optional.
#[derive(Clone, Debug, Default)]
pub struct RunRequest {
    /// Scenario files or built-in names (none: baseline and history).
    pub scenarios: Vec<String>,
    /// The whole built-in library first, then `scenarios`.
    pub all: bool,
    /// Replicates per scenario (default: the first scenario's, or 200).
    pub replicates: Option<u32>,
    /// Run seed (default: the first scenario's, or 2016).
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Output folder (default: `outputs/NAME+NAME`, `outputs/all` with `all`,
    /// `outputs/default` with no scenario named).
    pub out: Option<PathBuf>,
    /// Keep every footprint's metrics (footprints.csv).
    pub per_footprint: bool,
    /// With `per_footprint`: for the first this many replicates only (default: all).
    pub footprint_replicates: Option<u32>,
    /// Run over this posterior: `england` (built in), `none` (the spec's
    /// defaults) or a `posterior.csv`; replicate r takes a draw by weight, the
    /// same in every scenario. Unset: the scenarios' `posterior`, else England's
    /// (`calibrate::choice::choose`).
    pub posterior: Option<PathBuf>,
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
    /// What the replicates' parameters are, in words (first line, manifest).
    pub parameters: String,
    /// The posterior is the built-in default, not asked for.
    pub posterior_by_default: bool,
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
}

impl RunRequest {
    /// Loads the scenarios and fills in every default.
    pub fn resolve(mut self) -> Result<Job, JobError> {
        let default_out = self.scenarios.is_empty() && !self.all;
        if self.all {
            let mut all: Vec<String> = crate::scenario::builtin::names().into_iter().map(String::from).collect();
            all.append(&mut self.scenarios);
            self.scenarios = all;
            self.out = self.out.or_else(|| Some(PathBuf::from("outputs/all")));
        }
        if self.scenarios.is_empty() {
            self.scenarios = vec!["baseline".into(), "history".into()];
        }
        let mut scenarios: Vec<Scenario> = Vec::with_capacity(self.scenarios.len());
        for a in &self.scenarios {
            let s = crate::scenario::load(a)?;
            if scenarios.iter().any(|o| o.name == s.name) {
                return Err(JobError::DuplicateName(s.name));
            }
            scenarios.push(s);
        }
        let replicates =
            self.replicates.or_else(|| scenarios.iter().find_map(|s| s.replicates)).unwrap_or(DEFAULT_REPLICATES);
        let seed = self.seed.or_else(|| scenarios.iter().find_map(|s| s.seed)).unwrap_or(DEFAULT_SEED);
        let out = self.out.unwrap_or_else(|| {
            if default_out {
                PathBuf::from("outputs/default")
            } else {
                PathBuf::from("outputs").join(scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join("+"))
            }
        });
        let footprint_replicates = match (self.per_footprint, self.footprint_replicates) {
            (false, _) => 0,
            (true, None) => replicates,
            (true, Some(n)) => n.min(replicates),
        };
        let asked = self.posterior.as_ref().map(|p| p.to_string_lossy().into_owned());
        let choice = crate::calibrate::choice::choose(asked.as_deref(), &scenarios).map_err(|e| match e {
            crate::calibrate::choice::ChoiceError::Posterior(p) => JobError::Posterior(p),
            other => JobError::PosteriorChoice(other.to_string()),
        })?;
        if let Some(p) = &choice.posterior {
            for s in &scenarios {
                p.check_rules(&s.params, &crate::calibrate::choice::held(p, s), &s.name)?;
            }
        }
        Ok(Job {
            scenarios,
            options: RunOptions { replicates, seed, footprint_replicates },
            threads: crate::runner::threads(self.threads),
            out,
            per_footprint: self.per_footprint,
            parameters: choice.describe(),
            posterior_by_default: choice.by_default,
            posterior: choice.posterior,
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
        Ok(check_memory(self.memory_bytes())?)
    }

    /// Runs every scenario for every replicate on a pool of `threads` workers.
    pub fn run(&self) -> Results {
        match crate::runner::pool(self.threads) {
            Ok(pool) => {
                pool.install(|| crate::runner::run_over(&self.scenarios, &self.options, self.posterior.as_ref()))
            }
            // No thread could start: run on the caller's pool (same results).
            Err(_) => crate::runner::run_over(&self.scenarios, &self.options, self.posterior.as_ref()),
        }
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
            .commit("manifest.json", write::is_run_file)
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
    let named = |name: &'static str| move |source: io::Error| WriteError { path: dir.join(name), source };
    let mut stage = Staging::new(dir).map_err(|source| WriteError { path: dir.to_path_buf(), source })?;
    stage.write("timeseries.csv", |w| write::timeseries(w, results.rows())).map_err(named("timeseries.csv"))?;
    let parquet_file = stage_parquet(&mut stage, results, parquet).map_err(named(PARQUET))?;
    let summary = summarise(results.rows());
    let spread = job.posterior.as_ref().map(|_| crate::results::summary::SPREAD_OVER_POSTERIOR);
    stage.write("summary.csv", |w| write::summary_over(w, &summary, spread)).map_err(named("summary.csv"))?;
    let mut files = vec!["timeseries.csv", "summary.csv", "manifest.json"];
    files.extend(parquet_file);
    let split = job.posterior.as_ref().map(|p| variance_split(p, &job.options, results)).unwrap_or_default();
    if let Some(p) = &job.posterior {
        stage
            .write("posterior_draws.csv", |w| posterior_draws(w, p, &job.options))
            .map_err(named("posterior_draws.csv"))?;
        stage.write("variance_split.csv", |w| write_split(w, &split)).map_err(named("variance_split.csv"))?;
        files.extend(["posterior_draws.csv", "variance_split.csv"]);
    }
    let diffs = if results.scenarios.len() > 1 { differences(results) } else { Vec::new() };
    if results.scenarios.len() > 1 {
        stage.write("differences.csv", |w| write::differences(w, &diffs)).map_err(named("differences.csv"))?;
        files.push("differences.csv");
    }
    if job.per_footprint {
        stage
            .write("footprints.csv", |w| write::footprints(w, results.footprint_rows()))
            .map_err(named("footprints.csv"))?;
        files.push("footprints.csv");
    }
    let mut manifest = Manifest {
        stpsim_version: env!("CARGO_PKG_VERSION"),
        command: made.command.clone(),
        seed: job.options.seed,
        replicates: job.options.replicates,
        threads: job.threads,
        footprint_replicates: job.options.footprint_replicates,
        started: humantime::format_rfc3339_seconds(made.started).to_string(),
        finished: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        wall_seconds: made.wall_seconds,
        files: files.clone(),
        file_sha256: stage.checksums().clone(),
        parameters: job.parameters.clone(),
        posterior: job.posterior.as_ref().map(|p| manifest::PosteriorEntry {
            by_default: job.posterior_by_default,
            held: job
                .scenarios
                .iter()
                .map(|s| (s.name.clone(), crate::calibrate::choice::held(p, s)))
                .filter(|(_, h)| !h.is_empty())
                .collect(),
            file: p.source.clone(),
            sha256: p.sha256.clone(),
            draws: p.draws.len(),
            parameters: p.names.clone(),
            note: manifest::POSTERIOR_NOTE,
            variance_split: split.clone(),
            patterns: patterns(p, &job.options, results),
        }),
        scenarios: job.scenarios.iter().map(manifest::entry).collect(),
    };
    // tables.xlsx reads the run's description from the manifest, which then lists it.
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| named("manifest.json")(io::Error::other(e)))?;
    crate::results::xlsx::stage_run(
        &mut stage,
        results,
        &job.scenarios,
        job.options.seed,
        &text,
        &summary,
        &diffs,
        spread,
    )
    .map_err(named(crate::results::xlsx::FILE))?;
    manifest.files.push(crate::results::xlsx::FILE);
    manifest.file_sha256 = stage.checksums().clone();
    files = manifest.files.clone();
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| named("manifest.json")(io::Error::other(e)))? + "\n";
    stage.write("manifest.json", |w| w.write_all(text.as_bytes())).map_err(named("manifest.json"))?;
    Ok(StagedRun { staging: stage, written: Written { files, manifest: text } })
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
     parquet` (or `cargo install --path . --features parquet`); timeseries.csv holds the same rows";

/// Which posterior draw each replicate ran with.
fn posterior_draws(w: &mut dyn io::Write, p: &Posterior, opts: &RunOptions) -> io::Result<()> {
    writeln!(w, "replicate,draw,{}", p.names.join(","))?;
    for r in 0..opts.replicates as u64 {
        let d = p.draw_for(opts.seed, r);
        let vals: Vec<String> = p.draws[d].iter().map(|v| v.to_string()).collect();
        writeln!(w, "{r},{d},{}", vals.join(","))?;
    }
    Ok(())
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
                metric: m.name(),
                sd,
                parameter_share,
                chance_share,
            });
        }
    }
    rows
}

fn write_split(w: &mut dyn io::Write, rows: &[manifest::SplitRow]) -> io::Result<()> {
    writeln!(w, "scenario,quarter,metric,sd,parameter_share,chance_share")?;
    for r in rows {
        writeln!(w, "{},{},{},{},{},{}", r.scenario, r.quarter, r.metric, r.sd, r.parameter_share, r.chance_share)?;
    }
    Ok(())
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
            replicates: Some(7),
            threads: Some(3),
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
    fn memory_counts_results_and_one_state_per_thread() {
        let job = RunRequest { replicates: Some(10), threads: Some(2), ..Default::default() }.resolve().unwrap();
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
            replicates: Some(2),
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
}
