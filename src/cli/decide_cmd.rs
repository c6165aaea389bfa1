//! `stpsim decide`: a thin front over `stpsim::api::decide`.

use super::{CommonArgs, emit};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;
use stpsim::api::decide::{self, DecideRequest};

#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// The decision plan (TOML): options, posterior, worlds, uncertainties, outcomes.
    pub plan: PathBuf,
    /// Finish an interrupted decision in the same folder, repeating no finished world.
    #[arg(long)]
    pub resume: bool,
    /// Run only shard i of n (0-based): every n-th world from i; combine with `stpsim merge`.
    #[arg(long, value_name = "i/n")]
    pub shard: Option<String>,
    /// Also write decide.parquet (typed columns; needs a build with `--features parquet`).
    #[arg(long)]
    pub parquet: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Worlds done, by tenths.
struct Progress {
    quiet: bool,
    clock: Instant,
    last: Mutex<usize>,
}

impl stpsim::api::Hooks for Progress {
    fn points(&self, done: usize, total: usize) {
        if self.quiet || total == 0 {
            return;
        }
        let decile = done * 10 / total;
        if let Ok(mut l) = self.last.lock()
            && decile > *l
        {
            *l = decile;
            eprintln!("decide: {}% ({done}/{total} worlds), {:.1}s", decile * 10, self.clock.elapsed().as_secs_f64());
        }
    }
}

pub fn decide(args: DecideArgs) -> anyhow::Result<()> {
    let quiet = args.common.quiet;
    let request = DecideRequest {
        plan: args.plan.clone(),
        resume: args.resume,
        shard: super::sweep_cmd::shard(args.shard.as_deref())?,
        parquet: args.parquet,
        common: args.common.common(),
    };
    // Everything is checked before the output folder is touched.
    let job = request.resolve()?;
    let plan = &job.plan;
    if !quiet {
        eprintln!(
            "decide {}: {} options x {} worlds x {} replicates, seed {}, {} threads -> {}",
            args.plan.display(),
            plan.options.len(),
            plan.worlds.len(),
            plan.replicates,
            plan.seed,
            job.threads,
            job.out.display()
        );
    }
    let _lock = job.claim()?;
    let clock = Instant::now();
    let progress = Progress { quiet, clock, last: Mutex::new(0) };
    let Some(frame) = job.run(&progress)? else {
        if !quiet {
            emit(&format!(
                "shard done in {:.1}s; combine the shards with `stpsim merge`\n",
                clock.elapsed().as_secs_f64()
            ))?;
        }
        return Ok(());
    };
    let charts = job.write()?;
    if !quiet {
        let answer = job.answer(&frame)?;
        let drawn = if job.charts { format!(", {} charts and report.html", charts.len()) } else { String::new() };
        emit(&format!(
            "{answer}\n\nwrote {} files{drawn} in {} ({:.1}s)\n",
            stpsim::decide::run::DATA_FILES.len(),
            job.out.display(),
            clock.elapsed().as_secs_f64()
        ))?;
    }
    Ok(())
}

/// `stpsim merge` of decision shards.
pub fn merge(dirs: &[PathBuf], out: &Path, quiet: bool) -> anyhow::Result<()> {
    let (frame, charts) = decide::merge(dirs, out)?;
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
    let _lock = stpsim::api::claim(dir)?;
    let charts = decide::plot(dir)?;
    if !quiet {
        emit(&format!("drew {} charts and report.html in {}\n", charts.len(), dir.display()))?;
    }
    Ok(())
}
