//! `stpsim run` and the main job.

use super::{RunArgs, UsageError, emit};
use anyhow::Context;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};
use stpsim::Results;
use stpsim::job::{JobError, Provenance, RunRequest, stage_run_with};
use stpsim::results::folder::{FolderError, FolderLock};
use stpsim::results::write;

use stpsim::job::MAIN_JOB_FOOTPRINT_REPLICATES;

/// `stpsim` with no command: baseline and history on England.
pub fn main_job() -> anyhow::Result<()> {
    run(RunArgs {
        scenarios: vec!["baseline".into(), "history".into()],
        out: Some(PathBuf::from("outputs/default")),
        per_footprint: true,
        footprint_replicates: Some(MAIN_JOB_FOOTPRINT_REPLICATES),
        ..Default::default()
    })
}

/// A job's errors as the binary reports them: a user's mistake exits 2.
pub fn job_error(e: JobError) -> anyhow::Error {
    match e {
        JobError::Scenario(e) => e.into(),
        other => UsageError(other.to_string()).into(),
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let request = RunRequest {
        scenarios: args.scenarios,
        all: args.all,
        replicates: args.replicates,
        seed: args.seed,
        threads: args.threads.map(usize::from),
        out: args.out,
        per_footprint: args.per_footprint,
        footprint_replicates: args.footprint_replicates,
        posterior: args.posterior,
    };
    if args.parquet && !cfg!(feature = "parquet") {
        return Err(UsageError(stpsim::api::run::NO_PARQUET.to_string()).into());
    }
    let job = request.resolve().map_err(job_error)?;
    job.check_memory().map_err(job_error)?;
    let (out, opts, threads) = (&job.out, job.options, job.threads);

    // One folder, one run: an earlier run's files are replaced when the new
    // set lands; a folder of other files is left alone unless --force.
    refuse_foreign(out, args.force, "a stpsim run's (no manifest.json", |d| d.join("manifest.json").is_file())?;
    // One writer per folder; what a killed writer left goes. The earlier
    // run's files stay until the new set replaces them whole.
    std::fs::create_dir_all(out).with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let _lock = claim(out)?;
    let started = SystemTime::now();
    let clock = Instant::now();
    if !args.quiet {
        eprintln!(
            "running {} x {} replicates {}, seed {}, {threads} thread{} ...{}",
            job.scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" + "),
            opts.replicates,
            job.parameters,
            opts.seed,
            if threads == 1 { "" } else { "s" },
            held_line(&job)
        );
    }
    let results = job.run();
    let made = Provenance { command: std::env::args().collect(), started, wall_seconds: clock.elapsed().as_secs_f64() };
    let staged = stage_run_with(out, &job, &results, &made, args.parquet)?;
    let files = staged.written.files.clone();

    // Charts and report from the results in memory (the same pages `plot`
    // draws from the files), staged with the data so they land as one set.
    let charts = if args.no_charts {
        0
    } else {
        let mut data =
            stpsim::plot::RunData::from_results(&results, &job.scenarios, opts.seed, Some(&staged.written.manifest))?;
        data.files =
            stpsim::plot::input::DATA_FILES.iter().filter(|f| files.contains(f)).map(|f| f.to_string()).collect();
        let options = stpsim::plot::ChartOptions { zoom: args.zoom };
        stpsim::report::write_all(staged.dir(), &data, &options)?.len()
    };
    staged.commit()?;
    if !args.quiet {
        let drawn = if args.no_charts { String::new() } else { format!(", {charts} charts and report.html") };
        let done = format!(
            "wrote {} result files{drawn} to {} in {:.1}s\n",
            files.len(),
            out.display(),
            clock.elapsed().as_secs_f64()
        );
        let over = match &job.posterior {
            Some(_) => format!(
                "Replicates ran {}: {}.{}\n",
                job.parameters,
                stpsim::results::manifest::POSTERIOR_NOTE,
                held_line(&job)
            ),
            None => format!("Replicates ran {}.\n", job.parameters),
        };
        emit(&(over + &terminal_summary(&results, opts.replicates, opts.seed) + &done))?;
    }
    Ok(())
}

/// Which of the posterior's parameters each scenario held at its own value.
fn held_line(job: &stpsim::job::Job) -> String {
    let Some(p) = &job.posterior else { return String::new() };
    job.scenarios
        .iter()
        .filter_map(|s| {
            let h = stpsim::calibrate::choice::held(p, s);
            (!h.is_empty())
                .then(|| format!("\n  {} holds {} at its own value in every replicate", s.name, h.join(", ")))
        })
        .collect()
}

/// A non-empty folder that is not the command's own (`own`) is refused
/// unless `force`: `whose` says whose it is not, as "a stpsim run's (no
/// manifest.json".
pub fn refuse_foreign(
    out: &std::path::Path,
    force: bool,
    whose: &str,
    own: impl Fn(&std::path::Path) -> bool,
) -> anyhow::Result<()> {
    match write::inspect_for(out, own).with_context(|| format!("cannot read the output folder {}", out.display()))? {
        write::Folder::Foreign(names) if !force => Err(UsageError(format!(
            "the output folder {} is not empty and is not {whose}; it holds {}{}); \
             choose another --out, or pass --force to write into it (only stpsim's own files are replaced)",
            out.display(),
            names.join(", "),
            if names.len() == 3 { ", ..." } else { "" }
        ))
        .into()),
        _ => Ok(()),
    }
}

/// Takes the output folder's lock for this process (a folder another
/// process writes is a user's mistake: exit 2) and removes what killed
/// writers left there.
pub fn claim(out: &std::path::Path) -> anyhow::Result<FolderLock> {
    stpsim::results::folder::claim(out).map_err(|e| match e {
        FolderError::Busy { .. } => UsageError(e.to_string()).into(),
        other => anyhow::Error::new(other),
    })
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
        stpsim::plot::sweep::render(dir)
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

/// One screen: headline metrics at each scenario's final quarter, the median
/// with a 90% interval over replicates, and the paired difference from the
/// first scenario.
pub fn terminal_summary(results: &Results, replicates: u32, seed: u64) -> String {
    stpsim::results::headline::text(results, replicates, seed)
}
