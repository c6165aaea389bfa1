//! `decide`: which governance option to back over plausible worlds, for
//! every front (`stpsim decide`, Python's `stpsim.decide`). A plan's worlds
//! run into its folder one part per world as they finish (so `resume`
//! repeats none), then its tables; `write` draws the charts and report.

use super::common::{self, Common, Hooks};
use crate::decide::plan::{self, Plan, PlanError};
use crate::decide::report::{self, ReportError};
use crate::decide::run::{self, Frame, RunError};
use crate::results::folder::FolderLock;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Most replicates per world and option a decision takes.
pub const MAX_REPLICATES: u32 = 10_000;

/// A decision as asked for: every choice but the plan optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DecideRequest {
    /// The plan file (TOML).
    pub plan: PathBuf,
    /// Finish an interrupted decision, repeating no finished world.
    pub resume: bool,
    /// Run only shard i of n (0-based): every n-th world from i.
    pub shard: Option<(usize, usize)>,
    /// Also write decide.parquet (as the plan's `parquet = true`).
    #[serde(default)]
    pub parquet: bool,
    /// Seed and replicates override the plan's; out defaults to
    /// `outputs/decide-PLAN`.
    #[serde(flatten)]
    pub common: Common,
}

/// A decision with its plan read and every choice made.
#[derive(Clone, Debug)]
pub struct DecideJob {
    pub plan: Plan,
    pub out: PathBuf,
    pub threads: usize,
    pub resume: bool,
    pub shard: Option<(usize, usize)>,
    pub charts: bool,
    /// Write into a folder of other files.
    pub force: bool,
}

fn plan_error(e: PlanError) -> common::Error {
    match e {
        PlanError::Plan(s) => common::Error::Scenario(s),
        other => common::Error::Usage(other.to_string()),
    }
}

fn run_error(e: RunError) -> common::Error {
    match e {
        RunError::Io { .. } => common::Error::other(e),
        other => common::Error::Usage(other.to_string()),
    }
}

/// A folder that is not a decision's, or whose files were edited, is the
/// user's to fix; a chart that cannot be written is a failure.
fn report_error(e: ReportError) -> common::Error {
    match e {
        ReportError::Input { .. } => common::Error::Usage(e.to_string()),
        other => common::Error::other(other),
    }
}

impl DecideRequest {
    /// Reads and checks the plan and fills in every default. Nothing is written.
    pub fn resolve(self) -> Result<DecideJob, common::Error> {
        self.common.check(MAX_REPLICATES)?;
        if let Some((i, n)) = self.shard
            && (n == 0 || i >= n)
        {
            return Err(common::Error::Usage(format!(
                "--shard {i}/{n} is not a shard: i/n with 0 <= i < n, such as 0/3"
            )));
        }
        if self.parquet && !crate::results::parquet::AVAILABLE {
            return Err(common::Error::Usage(crate::results::parquet::NO_PARQUET.to_string()));
        }
        let threads = self.common.threads();
        let mut plan = plan::load(&self.plan, self.common.seed, self.common.replicates).map_err(plan_error)?;
        plan.parquet |= self.parquet;
        check_memory(&plan, threads, self.common.memory_limit)?;
        let stem = self.plan.file_stem().map_or_else(|| "plan".into(), |s| s.to_string_lossy().into_owned());
        let out = common::out_or(&self.common.out, || {
            PathBuf::from(crate::core::defaults::OUT_ROOT).join(format!("decide-{stem}"))
        });
        Ok(DecideJob {
            plan,
            out,
            threads,
            resume: self.resume,
            shard: self.shard,
            charts: !self.common.no_charts,
            force: self.common.force,
        })
    }
}

/// Refuses a decision above the memory limit: its worlds' values and every
/// outcome's matrix, and per worker one replicate's model state per option.
fn check_memory(plan: &Plan, threads: usize, asked: Option<f64>) -> Result<(), common::Error> {
    let worlds = plan.worlds.len() as f64;
    let matrix = worlds * (plan.inputs.len() as f64 * 8.0 + 48.0)
        + worlds * plan.outcomes.len() as f64 * plan.options.len() as f64 * 8.0 * 2.0;
    let one = crate::runner::RunOptions { replicates: 0, seed: 0, footprint_replicates: 0 };
    let states = crate::guard::memory_bytes(&plan.options, &one, threads);
    crate::guard::check(
        matrix + states,
        "this decision",
        "its worlds' values and outcomes, and a model state per option per thread",
        "use fewer worlds, options or threads",
        asked,
    )
    .map_err(common::Error::Usage)
}

impl DecideJob {
    /// Worlds this job runs (its shard's, or all).
    pub fn worlds(&self) -> usize {
        (0..self.plan.worlds.len()).filter(|&w| run::in_shard(w, self.shard)).count()
    }

    /// Takes the output folder's lock: one writer per folder, held until the
    /// decision and its charts are written.
    pub fn claim(&self) -> Result<FolderLock, common::Error> {
        // A folder of other files (a run's, a user's) is not mixed with a decision's.
        let frame = run::FRAME_FILE;
        common::refuse_foreign(&self.out, self.force, &format!("a decision's (no {frame}"), |d| {
            d.join(frame).is_file()
        })?;
        common::claim(&self.out)
    }

    /// Runs the worlds on a pool of `threads` workers, telling `hooks` the
    /// worlds done, and writes the decision's tables; a shard writes its
    /// parts only and returns none. Call it holding the folder's lock.
    pub fn run(&self, hooks: &dyn Hooks) -> Result<Option<Frame>, common::Error> {
        let pool = common::pool(self.threads)?;
        pool.install(|| run::run(&self.plan, &self.out, self.resume, self.shard, &|d, t| hooks.points(d, t)))
            .map_err(run_error)
    }

    /// Draws the decision's charts and report from its files (none for a
    /// shard, or without charts); returns the chart files written.
    pub fn write(&self) -> Result<Vec<String>, common::Error> {
        if self.shard.is_some() || !self.charts {
            return Ok(Vec::new());
        }
        plot(&self.out)
    }

    /// The answer in words: which option to back, how sure, where it fails,
    /// what to measure first (from the folder's tables).
    pub fn answer(&self, frame: &Frame) -> Result<String, common::Error> {
        report::answer(&self.out, frame).map_err(report_error)
    }
}

/// Combines the folders of sharded decisions into `out` (holding its lock)
/// and draws the charts; returns the merged frame and the chart files.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<(Frame, Vec<String>), common::Error> {
    let _lock = common::claim(out)?;
    let frame = run::merge(dirs, out).map_err(run_error)?;
    Ok((frame, plot(out)?))
}

/// Draws a decision folder's charts and report.html from its files alone
/// (the caller holds the folder's lock); returns the chart files written.
pub fn plot(dir: &Path) -> Result<Vec<String>, common::Error> {
    report::render(dir).map_err(report_error)
}

/// Whether a folder holds a decision (for `merge` and `plot`).
pub fn is_decision(dir: &Path) -> bool {
    run::is_decision(dir)
}
