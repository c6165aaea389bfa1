//! Deciding between governance options over plausible worlds: which option
//! to back, how sure to be, in which worlds it fails, and which unknown is
//! most worth measuring first (`stpsim decide`).
//!
//! As every front runs it: a [`DecideRequest`] (plain choices) resolves to a
//! [`Decision`] (a validated [`plan::Plan`] with its worlds, output folder
//! and threads), which runs on its own pool ([`Decision::run`]) and writes
//! its files through [`run::finish`]; [`report::render`] draws the charts
//! and report.html from the folder alone.
//!
//! The methods are a pure library: [`robust`] (probability best, regret,
//! satisficing), [`prim`] (scenario discovery) and [`voi`] (EVPI, EVPPI).

pub mod analysis;
pub mod plan;
pub mod prim;
pub mod report;
pub mod robust;
pub mod run;
pub mod stats;
pub mod voi;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A decision as asked for: every choice but the plan optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DecideRequest {
    /// The plan file (TOML).
    pub plan: PathBuf,
    /// Output folder (default: `outputs/decide-PLAN`).
    pub out: Option<PathBuf>,
    /// Overrides the plan's seed.
    pub seed: Option<u64>,
    /// Overrides the plan's replicates per world and option.
    pub replicates: Option<u32>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Finish an interrupted decision, repeating no finished world.
    #[serde(default)]
    pub resume: bool,
    /// Run only shard i of n (0-based): every n-th world from i.
    pub shard: Option<(usize, usize)>,
    /// Also write decide.parquet (as the plan's `parquet = true`).
    #[serde(default)]
    pub parquet: bool,
}

/// A decision with every choice made.
#[derive(Clone, Debug)]
pub struct Decision {
    pub plan: plan::Plan,
    pub out: PathBuf,
    pub threads: usize,
    pub resume: bool,
    pub shard: Option<(usize, usize)>,
}

/// Why a decision cannot start or finish.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
    #[error("--shard {0}/{1} is not a shard: i/n with 0 <= i < n, such as 0/3")]
    Shard(usize, usize),
    #[error(transparent)]
    Run(#[from] run::RunError),
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    /// `--parquet` from a build without the `parquet` feature.
    #[error("{0}")]
    NoParquet(String),
}

impl DecideRequest {
    /// Reads and checks the plan and fills in every default. Nothing is written.
    pub fn resolve(self) -> Result<Decision, DecideError> {
        if let Some((i, n)) = self.shard {
            if n == 0 || i >= n {
                return Err(DecideError::Shard(i, n));
            }
        }
        if self.parquet && !crate::results::parquet::AVAILABLE {
            return Err(DecideError::NoParquet(crate::results::parquet::NO_PARQUET.to_string()));
        }
        let mut plan = plan::load(&self.plan, self.seed, self.replicates)?;
        plan.parquet |= self.parquet;
        let stem = self.plan.file_stem().map_or_else(|| "plan".into(), |s| s.to_string_lossy().into_owned());
        Ok(Decision {
            plan,
            out: self.out.unwrap_or_else(|| PathBuf::from("outputs").join(format!("decide-{stem}"))),
            threads: crate::runner::threads(self.threads),
            resume: self.resume,
            shard: self.shard,
        })
    }
}

impl Decision {
    /// Runs the worlds into `out` on a pool of `threads` workers and, unless
    /// a shard, writes the result files (returning their frame). Call it
    /// holding the folder's lock ([`crate::results::folder::claim`]).
    /// `progress(done, total)` is called as worlds finish.
    pub fn run(&self, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Option<run::Frame>, DecideError> {
        let pool = crate::api::pool(self.threads).map_err(|e| DecideError::Threads(e.to_string()))?;
        Ok(pool.install(|| run::run(&self.plan, &self.out, self.resume, self.shard, progress))?)
    }
}
