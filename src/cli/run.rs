//! `stpsim run` and the main job: arguments to a `RunRequest`, and what
//! the terminal shows; the library resolves, runs and writes.

use super::{CommonArgs, RunArgs, UsageError, emit};
use std::path::PathBuf;
use std::time::{Instant, SystemTime};
use stpsim::api;
use stpsim::job::{MAIN_JOB_FOOTPRINT_REPLICATES, Provenance, RunRequest};

/// `stpsim` with no command: baseline and history on England.
pub fn main_job() -> anyhow::Result<()> {
    run(RunArgs {
        scenarios: vec!["baseline".into(), "history".into()],
        common: CommonArgs { out: Some(PathBuf::from(stpsim::core::defaults::MAIN_OUT)), ..Default::default() },
        per_footprint: true,
        footprint_replicates: Some(MAIN_JOB_FOOTPRINT_REPLICATES),
        ..Default::default()
    })
}

/// The request `stpsim run` makes of the library.
pub fn request(args: RunArgs) -> RunRequest {
    RunRequest {
        scenarios: args.scenarios,
        all: args.all,
        common: args.common.common(),
        per_footprint: args.per_footprint,
        footprint_replicates: args.footprint_replicates,
        posterior: args.posterior,
        parquet: args.parquet,
        zoom: args.zoom,
        ..Default::default()
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let quiet = args.common.quiet;
    if args.parquet && !cfg!(feature = "parquet") {
        return Err(UsageError(stpsim::api::run::NO_PARQUET.to_string()).into());
    }
    let job = request(args).resolve().map_err(api::Error::from)?;
    job.check_memory().map_err(api::Error::from)?;
    let (out, opts, threads) = (&job.out, job.options, job.threads);
    // One writer per folder; an earlier run's files stay until the new set
    // replaces them whole, and a folder of other files is left alone unless --force.
    let _lock = job.claim()?;
    let started = SystemTime::now();
    let clock = Instant::now();
    if !quiet {
        eprintln!(
            "running {} x {} replicates {}, seed {}, {threads} thread{} ...{}",
            job.scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" + "),
            opts.replicates,
            job.parameters,
            opts.seed,
            if threads == 1 { "" } else { "s" },
            job.held_line()
        );
    }
    // timeseries.csv is written while the replicates run.
    let (results, done) = job.run_and_write(|| Provenance {
        command: std::env::args().collect(),
        started,
        wall_seconds: clock.elapsed().as_secs_f64(),
    })?;
    if !quiet {
        let drawn = if job.charts { format!(", {} charts and report.html", done.charts) } else { String::new() };
        let wrote = format!(
            "wrote {} result files{drawn} to {} in {:.1}s\n",
            done.written.files.len(),
            out.display(),
            clock.elapsed().as_secs_f64()
        );
        emit(&(job.printed(&results) + &wrote))?;
    }
    Ok(())
}

/// Takes the output folder's lock for this process (a folder another
/// process writes is a user's mistake: exit 2) and removes what killed
/// writers left there.
pub fn claim(out: &std::path::Path) -> anyhow::Result<stpsim::results::folder::FolderLock> {
    Ok(api::claim(out)?)
}

/// Draws every chart of the run or sweep in `dir`, and its report, from its files.
pub fn plot(dir: &std::path::Path, quiet: bool, zoom: bool) -> anyhow::Result<usize> {
    // A folder a run is writing (perhaps its first set, no manifest yet):
    // say which process holds it, not that it is no run's.
    if let Some(busy) = stpsim::results::folder::busy(dir) {
        return Err(UsageError(busy.to_string()).into());
    }
    let sweep = dir.join(stpsim::experiment::sweep::FRAME_FILE).is_file();
    // Charts are written into the folder: not while another process writes
    // it. A folder that is no run's is left as it is (reading it fails below).
    let _lock = if sweep || dir.join("manifest.json").is_file() { Some(claim(dir)?) } else { None };
    let drawn = if sweep {
        stpsim::experiment::charts::render(dir)
    } else {
        stpsim::report::render(dir, &stpsim::plot::ChartOptions { zoom })
    };
    let charts = drawn.map_err(|e| match e {
        stpsim::plot::PlotError::Input(i @ stpsim::plot::InputError::Mixed { .. }) => UsageError(i.to_string()).into(),
        stpsim::plot::PlotError::Input(i) => anyhow::Error::new(UsageError(format!(
            "{i}\n  is it the output folder of a run? `stpsim run ... --out {}` makes one",
            dir.display()
        ))),
        other => anyhow::Error::new(other),
    })?;
    if !quiet {
        emit(&format!("drew {} charts (PNG and SVG) and report.html in {}\n", charts.len(), dir.display()))?;
    }
    Ok(charts.len())
}
