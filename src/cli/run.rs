//! `stpsim run` and the main job.

use super::{RunArgs, UsageError, emit};
use anyhow::Context;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};
use stpsim::calibrate::posterior::Posterior;
use stpsim::results::manifest::{self, Manifest};
use stpsim::results::summary::{describe, differences, summarise};
use stpsim::results::write;
use stpsim::{Results, RunOptions, Scenario};

pub const DEFAULT_REPLICATES: u32 = 200;
pub const DEFAULT_SEED: u64 = 2016;
/// The main job keeps footprint rows for this many replicates: enough for
/// per-footprint medians, a few tens of MB rather than the ~900 MB of all 200.
pub const MAIN_JOB_FOOTPRINT_REPLICATES: u32 = 20;

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

pub fn run(mut args: RunArgs) -> anyhow::Result<()> {
    let default_out = args.scenarios.is_empty() && !args.all;
    if args.all {
        let mut all: Vec<String> = stpsim::scenario::builtin::names().into_iter().map(String::from).collect();
        all.append(&mut args.scenarios);
        args.scenarios = all;
        if args.out.is_none() {
            args.out = Some(PathBuf::from("outputs/all"));
        }
    }
    if args.scenarios.is_empty() {
        args.scenarios = vec!["baseline".into(), "history".into()];
    }
    let mut scenarios: Vec<Scenario> = Vec::with_capacity(args.scenarios.len());
    for a in &args.scenarios {
        let s = stpsim::scenario::load(a)?;
        if scenarios.iter().any(|o| o.name == s.name) {
            return Err(
                UsageError(format!("two scenarios are named `{}`; names in one run must differ", s.name)).into()
            );
        }
        scenarios.push(s);
    }
    let replicates =
        args.replicates.or_else(|| scenarios.iter().find_map(|s| s.replicates)).unwrap_or(DEFAULT_REPLICATES);
    let seed = args.seed.or_else(|| scenarios.iter().find_map(|s| s.seed)).unwrap_or(DEFAULT_SEED);
    let out = args.out.clone().unwrap_or_else(|| {
        if default_out {
            PathBuf::from("outputs/default")
        } else {
            PathBuf::from("outputs").join(scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join("+"))
        }
    });
    let threads = args.threads.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), usize::from);
    let footprint_replicates = match (args.per_footprint, args.footprint_replicates) {
        (false, _) => 0,
        (true, None) => replicates,
        (true, Some(n)) => n.min(replicates),
    };
    let opts = RunOptions { replicates, seed, footprint_replicates };
    check_memory(&scenarios, &opts, threads)?;
    let posterior = match &args.posterior {
        Some(p) => Some(Posterior::load(p).map_err(|e| UsageError(format!("--posterior: {e}")))?),
        None => None,
    };

    std::fs::create_dir_all(&out).with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let started = SystemTime::now();
    let clock = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().context("cannot start worker threads")?;
    if !args.quiet {
        eprintln!(
            "running {} x {replicates} replicates, seed {seed}, {threads} thread{} ...",
            scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" + "),
            if threads == 1 { "" } else { "s" }
        );
    }
    let results = pool.install(|| stpsim::runner::run_over(&scenarios, &opts, posterior.as_ref()));
    let summary = summarise(results.rows());

    let ctx = |name: &str| format!("cannot write {}", out.join(name).display());
    write::atomic(&out, "timeseries.csv", |w| write::timeseries(w, results.rows()))
        .with_context(|| ctx("timeseries.csv"))?;
    let spread = posterior.as_ref().map(|_| "parameter uncertainty and chance");
    write::atomic(&out, "summary.csv", |w| write::summary_over(w, &summary, spread))
        .with_context(|| ctx("summary.csv"))?;
    let mut files = vec!["timeseries.csv", "summary.csv", "manifest.json"];
    if results.scenarios.len() > 1 {
        let diffs = differences(&results);
        write::atomic(&out, "differences.csv", |w| write::differences(w, &diffs))
            .with_context(|| ctx("differences.csv"))?;
        files.push("differences.csv");
    }
    let split = posterior.as_ref().map(|p| variance_split(p, &opts, &results)).unwrap_or_default();
    if let Some(p) = &posterior {
        write::atomic(&out, "posterior_draws.csv", |w| posterior_draws(w, p, &opts))
            .with_context(|| ctx("posterior_draws.csv"))?;
        write::atomic(&out, "variance_split.csv", |w| write_split(w, &split))
            .with_context(|| ctx("variance_split.csv"))?;
        files.extend(["posterior_draws.csv", "variance_split.csv"]);
    }
    if args.per_footprint {
        write::atomic(&out, "footprints.csv", |w| write::footprints(w, results.footprint_rows()))
            .with_context(|| ctx("footprints.csv"))?;
        files.push("footprints.csv");
    }
    let manifest = Manifest {
        stpsim_version: env!("CARGO_PKG_VERSION"),
        command: std::env::args().collect(),
        seed,
        replicates,
        threads,
        footprint_replicates,
        started: humantime::format_rfc3339_seconds(started).to_string(),
        finished: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        wall_seconds: clock.elapsed().as_secs_f64(),
        files,
        posterior: posterior.as_ref().map(|p| manifest::PosteriorEntry {
            file: p.source.clone(),
            sha256: p.sha256.clone(),
            draws: p.draws.len(),
            parameters: p.names.clone(),
            note: manifest::POSTERIOR_NOTE,
            variance_split: split.clone(),
        }),
        scenarios: scenarios.iter().map(manifest::entry).collect(),
    };
    let manifest_text = serde_json::to_string_pretty(&manifest).context("cannot describe the run")? + "\n";
    write::atomic(&out, "manifest.json", |w| w.write_all(manifest_text.as_bytes()))
        .with_context(|| ctx("manifest.json"))?;

    // Charts and report from the results in memory: the same pages `plot`
    // draws from the files.
    let charts = if args.no_charts {
        0
    } else {
        let mut data = stpsim::plot::RunData::from_results(&results, &scenarios, seed, Some(&manifest_text))?;
        data.files = stpsim::plot::input::DATA_FILES
            .iter()
            .filter(|f| manifest.files.contains(f))
            .map(|f| f.to_string())
            .collect();
        let options = stpsim::plot::ChartOptions { zoom: args.zoom };
        stpsim::plot::write_all(&out, &data, &options)?.len()
    };
    if !args.quiet {
        let drawn = if args.no_charts { String::new() } else { format!(", {charts} charts and report.html") };
        let done = format!(
            "wrote {} result files{drawn} to {} in {:.1}s\n",
            manifest.files.len(),
            out.display(),
            clock.elapsed().as_secs_f64()
        );
        let over = posterior.as_ref().map_or(String::new(), |p| {
            format!("\nOver the posterior {} ({} draws): {}.\n", p.source, p.draws.len(), manifest::POSTERIOR_NOTE)
        });
        emit(&(over + &terminal_summary(&results, replicates, seed) + &done))?;
    }
    Ok(())
}

/// Which posterior draw each replicate ran with.
fn posterior_draws(w: &mut dyn std::io::Write, p: &Posterior, opts: &RunOptions) -> std::io::Result<()> {
    writeln!(w, "replicate,draw,{}", p.names.join(","))?;
    for r in 0..opts.replicates as u64 {
        let d = p.draw_for(opts.seed, r);
        let vals: Vec<String> = p.draws[d].iter().map(|v| v.to_string()).collect();
        writeln!(w, "{r},{d},{}", vals.join(","))?;
    }
    Ok(())
}

/// Each headline metric's spread at the final quarter, split into
/// parameter uncertainty and chance (`posterior::variance_split`).
fn variance_split(p: &Posterior, opts: &RunOptions, results: &Results) -> Vec<manifest::SplitRow> {
    let theta: Vec<Vec<f64>> = (0..opts.replicates as u64).map(|r| p.draws[p.draw_for(opts.seed, r)].clone()).collect();
    let mut rows = Vec::new();
    for sc in &results.scenarios {
        let Some(&last) = sc.quarters.last() else { continue };
        for &m in &stpsim::report::HEADLINE {
            let y = sc.at(last, m);
            let (_, sd, _) = describe(&mut y.clone());
            let (parameter_share, chance_share) = stpsim::calibrate::posterior::variance_split(&y, &theta);
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

fn write_split(w: &mut dyn std::io::Write, rows: &[manifest::SplitRow]) -> std::io::Result<()> {
    writeln!(w, "scenario,quarter,metric,sd,parameter_share,chance_share")?;
    for r in rows {
        writeln!(w, "{},{},{},{},{},{}", r.scenario, r.quarter, r.metric, r.sd, r.parameter_share, r.chance_share)?;
    }
    Ok(())
}

/// Draws every chart of the run in `dir` from its files.
pub fn plot(dir: &std::path::Path, quiet: bool, zoom: bool) -> anyhow::Result<usize> {
    let charts = stpsim::plot::render(dir, &stpsim::plot::ChartOptions { zoom }).map_err(|e| match e {
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

/// Results are held in memory until written, and each worker holds one
/// replicate's model state; refuse a run that cannot fit before anything is
/// allocated. The limit (8 GiB) can be raised with STPSIM_MAX_MEMORY_GIB.
const DEFAULT_MAX_GIB: f64 = 8.0;
const STATE_BYTES_PER_ORG: f64 = 256.0;

pub(crate) fn check_memory(scenarios: &[Scenario], opts: &RunOptions, threads: usize) -> anyhow::Result<()> {
    let gib = (1u64 << 30) as f64;
    let (limit, from_env) = match std::env::var("STPSIM_MAX_MEMORY_GIB").ok().map(|v| v.trim().parse::<f64>()) {
        Some(Ok(v)) if v > 0.0 && v.is_finite() => (v, true),
        Some(_) => return Err(UsageError("STPSIM_MAX_MEMORY_GIB must be a number of GiB above 0".into()).into()),
        None => (DEFAULT_MAX_GIB, false),
    };
    let metrics = stpsim::model::metrics::N_METRICS as f64;
    let mut bytes = 0.0;
    for s in scenarios {
        let q = s.start.span_to(s.end) as f64;
        let fps = s.footprint_names().len() as f64;
        bytes += 8.0 * metrics * q * (opts.replicates as f64 + opts.footprint_replicates as f64 * fps);
        // About 16 organisations per footprint in England and synthetic systems.
        let orgs = match &s.structure {
            stpsim::scenario::StructureSpec::File { organisations, .. } => organisations.len() as f64,
            _ => fps * 16.2,
        };
        bytes += threads as f64 * orgs * STATE_BYTES_PER_ORG;
    }
    if bytes > limit * gib {
        return Err(UsageError(format!(
            "this run would need about {:.1} GiB of memory (results held until written, and one replicate's state per \
             thread), above the limit of {limit} GiB{}; use fewer --replicates, scenarios or --threads, a smaller \
             --footprint-replicates, or raise the limit with STPSIM_MAX_MEMORY_GIB",
            bytes / gib,
            if from_env { " set by STPSIM_MAX_MEMORY_GIB" } else { "" }
        ))
        .into());
    }
    Ok(())
}

/// One screen: headline metrics at each scenario's final quarter, the median
/// with a 90% interval over replicates, and the paired difference from the
/// first scenario.
pub fn terminal_summary(results: &Results, replicates: u32, seed: u64) -> String {
    stpsim::results::headline::text(results, replicates, seed)
}
