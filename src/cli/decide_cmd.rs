//! `stpsim decide`: a thin front over `stpsim::decide`.

use super::{UsageError, emit};
use std::path::{Path, PathBuf};
use std::time::Instant;
use stpsim::decide::plan::PlanError;
use stpsim::decide::run::RunError;
use stpsim::decide::{DecideError, DecideRequest, report, run};

#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// The decision plan (TOML): options, posterior, worlds, uncertainties, outcomes.
    pub plan: PathBuf,
    /// Output folder (default: outputs/decide-PLAN).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run seed (default: the plan's, or its first option's, or 2016).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replicates per world and option (default: the plan's, or 2).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replicates: Option<u32>,
    /// Worker threads (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// Finish an interrupted decision in the same folder, repeating no finished world.
    #[arg(long)]
    pub resume: bool,
    /// Run only shard i of n (0-based): every n-th world from i; combine with `stpsim merge`.
    #[arg(long, value_name = "i/n")]
    pub shard: Option<String>,
    /// Also write decide.parquet (typed columns; needs a build with `--features parquet`).
    #[arg(long)]
    pub parquet: bool,
}

/// A user's mistake exits 2; a failure while running exits 1.
fn classify(e: DecideError) -> anyhow::Error {
    match e {
        DecideError::Plan(PlanError::Plan(s)) => s.into(),
        DecideError::Run(RunError::Io { .. }) | DecideError::Threads(_) => anyhow::Error::new(e),
        other => UsageError(other.to_string()).into(),
    }
}

fn drawn(e: report::ReportError) -> anyhow::Error {
    match e {
        report::ReportError::Input { .. } => UsageError(e.to_string()).into(),
        other => anyhow::Error::new(other),
    }
}

pub fn decide(args: DecideArgs) -> anyhow::Result<()> {
    let request = DecideRequest {
        plan: args.plan.clone(),
        out: args.out,
        seed: args.seed,
        replicates: args.replicates,
        threads: args.threads.map(usize::from),
        resume: args.resume,
        shard: super::sweep_cmd::shard(args.shard.as_deref())?,
        parquet: args.parquet,
    };
    // Everything is checked before the output folder is touched.
    let decision = request.resolve().map_err(classify)?;
    let plan = &decision.plan;
    if !args.quiet {
        eprintln!(
            "decide {}: {} options x {} worlds x {} replicates, seed {}, {} threads -> {}",
            args.plan.display(),
            plan.options.len(),
            plan.worlds.len(),
            plan.replicates,
            plan.seed,
            decision.threads,
            decision.out.display()
        );
    }
    let _lock = super::run::claim(&decision.out)?;
    let clock = Instant::now();
    let quiet = args.quiet;
    let last = std::sync::Mutex::new(0usize);
    let progress = |done: usize, total: usize| {
        if quiet || total == 0 {
            return;
        }
        let decile = done * 10 / total;
        if let Ok(mut l) = last.lock() {
            if decile > *l {
                *l = decile;
                eprintln!("decide: {}% ({done}/{total} worlds), {:.1}s", decile * 10, clock.elapsed().as_secs_f64());
            }
        }
    };
    let frame = decision.run(&progress).map_err(classify)?;
    let Some(frame) = frame else {
        if !quiet {
            emit(&format!(
                "shard done in {:.1}s; combine the shards with `stpsim merge`\n",
                clock.elapsed().as_secs_f64()
            ))?;
        }
        return Ok(());
    };
    let charts = report::render(&decision.out).map_err(drawn)?;
    if !quiet {
        let answer = report::answer(&decision.out, &frame).map_err(drawn)?;
        emit(&format!(
            "{answer}\n\nwrote {} files, {} charts and report.html in {} ({:.1}s)\n",
            run::DATA_FILES.len(),
            charts.len(),
            decision.out.display(),
            clock.elapsed().as_secs_f64()
        ))?;
    }
    Ok(())
}

/// `stpsim merge` of decision shards.
pub fn merge(dirs: &[PathBuf], out: &Path, quiet: bool) -> anyhow::Result<()> {
    let _lock = super::run::claim(out)?;
    let frame = run::merge(dirs, out).map_err(|e| classify(DecideError::Run(e)))?;
    let charts = report::render(out).map_err(drawn)?;
    if !quiet {
        emit(&format!(
            "merged {} folders: {} worlds; wrote the decision and {} charts in {}\n",
            dirs.len(),
            frame.worlds.len(),
            charts.len(),
            out.display()
        ))?;
    }
    Ok(())
}

/// `stpsim plot` of a decision folder.
pub fn plot(dir: &Path, quiet: bool) -> anyhow::Result<()> {
    let _lock = super::run::claim(dir)?;
    let charts = report::render(dir).map_err(drawn)?;
    if !quiet {
        emit(&format!("drew {} charts and report.html in {}\n", charts.len(), dir.display()))?;
    }
    Ok(())
}
