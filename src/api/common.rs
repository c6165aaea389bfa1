//! What every verb shares: the options every request carries ([`Common`]),
//! the one error type (it knows whether the mistake is the user's), the
//! progress and cancellation hooks, the one thread pool and the output
//! folder's lock.

use crate::core::defaults;
use crate::results::Results;
use crate::results::folder::{FolderError, FolderLock};
use crate::scenario::ScenarioError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Options every verb's request carries, named alike in every front (a
/// flag of `stpsim`'s `CommonArgs`, a Python keyword, a field the explorer
/// sends). None means: the scenario's or plan's value, else the defaults
/// table ([`crate::core::defaults`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Common {
    /// Run seed.
    pub seed: Option<u64>,
    /// Replicates per scenario (run), design point (sweep), particle or
    /// evaluation (calibrate).
    pub replicates: Option<u32>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Output folder (default: the verb's, under `outputs/`).
    pub out: Option<PathBuf>,
    /// Write the data only, without charts and report.html.
    pub no_charts: bool,
    /// The memory a job may plan to use, in GiB (default:
    /// `STPSIM_MAX_MEMORY_GIB`, else 8).
    pub memory_limit: Option<f64>,
    /// Write into an output folder that holds other files than the verb's
    /// own (only stpsim's own files are replaced).
    pub force: bool,
}

impl Common {
    /// The checks every verb makes on the common options.
    pub fn check(&self, max_replicates: u32) -> Result<(), Error> {
        if let Some(r) = self.replicates
            && !(1..=max_replicates).contains(&r)
        {
            return Err(Error::Usage(format!("replicates = {r}: allowed from 1 to {max_replicates}")));
        }
        if let Some(t) = self.threads
            && !(1..=defaults::MAX_THREADS).contains(&t)
        {
            return Err(Error::Usage(format!("threads = {t}: allowed from 1 to {}", defaults::MAX_THREADS)));
        }
        if let Some(m) = self.memory_limit
            && !(m > 0.0 && m.is_finite())
        {
            return Err(Error::Usage(format!("memory_limit = {m}: allowed a number of GiB above 0")));
        }
        Ok(())
    }

    /// Worker threads: as asked, or one per core.
    pub fn threads(&self) -> usize {
        defaults::threads(self.threads)
    }
}

/// Why a request failed, for every verb and front.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A mistake in a scenario, plan or structure file: file, line, field,
    /// value and what is allowed.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Another mistake in what was asked: a value out of range, a folder
    /// another process writes, a job above the memory limit.
    #[error("{0}")]
    Usage(String),
    /// Something failed while running or writing (a full disk, threads that
    /// could not start): not the user's mistake.
    #[error(transparent)]
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

/// A failure with what was being done, its cause kept as the source.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct Context {
    message: String,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// Whose an error is, which the binary maps to its exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The user's to fix (exit 2).
    Usage,
    /// A failure while running (exit 1).
    Failure,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Scenario(_) | Error::Usage(_) => ErrorKind::Usage,
            Error::Failed(_) => ErrorKind::Failure,
        }
    }

    /// A failure with what was being done and its cause.
    pub fn failed(message: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Failed(Box::new(Context { message: message.into(), source: Box::new(source) }))
    }

    /// A failure that says itself what failed.
    pub fn other(e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Failed(Box::new(e))
    }
}

impl From<crate::guard::MemoryError> for Error {
    fn from(e: crate::guard::MemoryError) -> Error {
        Error::Usage(e.to_string())
    }
}

/// What a front hears while a job runs, and how it stops one. Every method
/// has a default that does nothing, so a front implements what it shows.
pub trait Hooks: Sync {
    /// A run's results so far: every scenario's first replicates, in order.
    fn replicates(&self, _so_far: &Results, _of: u32) {}
    /// A sweep's design points, or a decision's worlds, done of all.
    fn points(&self, _done: usize, _total: usize) {}
    /// A calibration's generation finished.
    fn generation(&self, _state: &crate::calibrate::smc::State) {}
    /// Asked between batches of replicates: true stops the run early.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Hooks that hear nothing and never cancel.
pub struct Silent;
impl Hooks for Silent {}

/// The one thread pool builder: `threads` workers for one job; results do
/// not depend on their number.
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::failed("cannot start worker threads", e))
}

/// Takes the output folder's lock for this job and removes what killed
/// writers left there. A folder another process writes is the user's to
/// resolve (another `out`, or wait).
pub fn claim(dir: &Path) -> Result<FolderLock, Error> {
    crate::results::folder::claim(dir).map_err(|e| match e {
        FolderError::Busy { .. } => Error::Usage(e.to_string()),
        FolderError::Io { path, source } => Error::failed(format!("cannot use {}", path.display()), source),
    })
}

/// A non-empty folder that is not the verb's own (`own`) is the user's to
/// resolve unless `force`: `whose` says whose it is not, as "a stpsim run's
/// (no manifest.json".
pub fn refuse_foreign(out: &Path, force: bool, whose: &str, own: impl Fn(&Path) -> bool) -> Result<(), Error> {
    use crate::results::write::{Folder, inspect_for};
    let found = inspect_for(out, own)
        .map_err(|e| Error::failed(format!("cannot read the output folder {}", out.display()), e))?;
    match found {
        Folder::Foreign(names) if !force => Err(Error::Usage(format!(
            "the output folder {} is not empty and is not {whose}; it holds {}{}); \
             choose another --out, or pass --force to write into it (only stpsim's own files are replaced)",
            out.display(),
            names.join(", "),
            if names.len() == 3 { ", ..." } else { "" }
        ))),
        _ => Ok(()),
    }
}

/// The output folder a request names, or the verb's default.
pub fn out_or(out: &Option<PathBuf>, default: impl FnOnce() -> PathBuf) -> PathBuf {
    out.clone().unwrap_or_else(default)
}
