//! `sweep` and `sensitivity`: a plan's design points, every point's
//! replicates, for every front (`stpsim sweep|sensitivity`, Python's
//! `stpsim.sweep|sensitivity`). The sweep writes its finished points into
//! its folder as it goes (so `resume` repeats none), then its tables;
//! `write` draws the charts and report.

use super::common::{self, Common, Hooks};
use crate::core::defaults;
use crate::experiment::plan::{self, Design, Plan};
use crate::experiment::sweep::{self, SweepError};
use crate::results::folder::FolderLock;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A sweep as asked for.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SweepRequest {
    /// The plan file (TOML).
    pub plan: PathBuf,
    /// A sensitivity analysis: the plan's design must be sobol or morris.
    pub sensitivity: bool,
    /// Finish an interrupted sweep in the same folder, repeating no finished point.
    pub resume: bool,
    /// Only shard i of n (0-based): every n-th design point from i.
    pub shard: Option<(usize, usize)>,
    /// Replicates draw the parameters no factor sets from this posterior:
    /// `england` (built in), `none` (the base's parameters, the spec's
    /// defaults) or a `posterior.csv`. Unset: the plan's `posterior`, else
    /// the base scenario's, else England's (as `run`).
    pub posterior: Option<PathBuf>,
    /// Seed and replicates override the plan's (which default to its base
    /// scenario's, then the defaults table); out defaults to `outputs/sweep-PLAN`.
    #[serde(flatten)]
    pub common: Common,
    /// Also write sweep.parquet (as the plan's `parquet = true`).
    pub parquet: bool,
}

/// A sweep with its plan read and every choice made.
#[derive(Clone, Debug)]
pub struct SweepJob {
    pub plan: Plan,
    pub plan_file: PathBuf,
    pub sensitivity: bool,
    pub resume: bool,
    pub shard: Option<(usize, usize)>,
    pub threads: usize,
    pub out: PathBuf,
    pub charts: bool,
    /// Write into a folder of other files.
    pub force: bool,
}

/// Reads `i/n` (0 <= i < n), the form of `--shard` and of Slurm's array variables.
pub fn parse_shard(s: &str) -> Option<(usize, usize)> {
    let (i, n) = s.split_once('/')?;
    let (i, n) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
    (n >= 1 && i < n).then_some((i, n))
}

fn sweep_error(e: SweepError) -> common::Error {
    match e {
        SweepError::Io { .. } => common::Error::other(e),
        other => common::Error::Usage(other.to_string()),
    }
}

impl SweepRequest {
    /// Reads the plan (its memory guard counting the workers the sweep will
    /// run on) and fills in every default.
    pub fn resolve(self) -> Result<SweepJob, common::Error> {
        self.common.check(defaults::MAX_REPLICATES)?;
        let threads = self.common.threads();
        if self.parquet && !crate::results::parquet::AVAILABLE {
            return Err(common::Error::Usage(crate::results::parquet::NO_PARQUET.to_string()));
        }
        let asked = self.posterior.as_ref().map(|p| p.to_string_lossy().into_owned());
        let mut plan = plan::load_over(
            &self.plan,
            self.common.seed,
            self.common.replicates,
            threads,
            self.common.memory_limit,
            asked.as_deref(),
        )?;
        plan.parquet |= self.parquet;
        if self.sensitivity && !matches!(plan.design, Design::Sobol | Design::Morris) {
            return Err(common::Error::Usage(format!(
                "{}: stpsim sensitivity needs design = \"sobol\" or \"morris\" (this plan's is {:?}); use stpsim sweep",
                self.plan.display(),
                plan.design
            )));
        }
        let stem = self.plan.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "sweep".into());
        let out = common::out_or(&self.common.out, || PathBuf::from(defaults::OUT_ROOT).join(format!("sweep-{stem}")));
        Ok(SweepJob {
            plan,
            plan_file: self.plan,
            sensitivity: self.sensitivity,
            resume: self.resume,
            shard: self.shard,
            threads,
            out,
            charts: !self.common.no_charts,
            force: self.common.force,
        })
    }
}

impl SweepJob {
    /// Design points this job runs (its shard's, or all).
    pub fn points(&self) -> usize {
        (0..self.plan.design_points.len()).filter(|&p| sweep::in_shard(p, self.shard)).count()
    }

    /// Takes the output folder's lock: one writer per folder, held until
    /// the sweep and its charts are written.
    pub fn claim(&self) -> Result<FolderLock, common::Error> {
        // A folder of other files (a run's, a user's) is not mixed with a sweep's.
        let frame = sweep::FRAME_FILE;
        common::refuse_foreign(&self.out, self.force, &format!("a sweep's (no {frame}"), |d| d.join(frame).is_file())?;
        common::claim(&self.out)
    }

    /// Runs the design points on a pool of `threads` workers, telling
    /// `hooks` the points done, and writes the sweep's tables (a shard: its
    /// parts only). Call it holding the folder's lock.
    pub fn run(&self, hooks: &dyn Hooks) -> Result<(), common::Error> {
        let pool = common::pool(self.threads)?;
        pool.install(|| sweep::run(&self.plan, &self.out, self.resume, self.shard, &|d, t| hooks.points(d, t)))
            .map_err(sweep_error)
    }

    /// Draws the sweep's charts and report from its files (none for a shard,
    /// or without charts); returns how many charts.
    pub fn write(&self) -> Result<usize, common::Error> {
        if self.shard.is_some() || !self.charts {
            return Ok(0);
        }
        Ok(crate::experiment::charts::render(&self.out).map_err(common::Error::other)?.len())
    }
}

/// Combines the folders of sharded sweeps into `out` (holding its lock) and
/// draws the charts; returns the merged frame and how many charts.
pub fn merge(dirs: &[PathBuf], out: &std::path::Path) -> Result<(sweep::Frame, usize), common::Error> {
    let _lock = common::claim(out)?;
    let frame = sweep::merge(dirs, out).map_err(sweep_error)?;
    let charts = crate::experiment::charts::render(out).map_err(common::Error::other)?;
    Ok((frame, charts.len()))
}
