//! `calibrate`: a posterior over parameters fitted to published figures
//! (ABC-SMC, with a checkpoint after every generation so `resume` goes on
//! from the last), or the older bracketing fit of beta0 and p_unsure0, for
//! every front (`stpsim calibrate`, Python's `stpsim.calibrate`).

use super::common::{self, Common, Hooks};
use crate::calibrate::checkpoint::Checkpoint;
use crate::calibrate::problem::Problem;
use crate::calibrate::smc::{self, Settings, State};
use crate::calibrate::{self as fit, Fit, Options, Target, output};
use crate::core::defaults;
use crate::results::folder::FolderLock;
use crate::scenario::Scenario;
use crate::targets::{self, Targets};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The England targets shipped with the library (data/targets.toml).
pub const ENGLAND_TARGETS: &str = targets::ENGLAND;
/// Particles of an ABC-SMC calibration unless asked otherwise.
pub const PARTICLES: u32 = 1500;
/// Fewest and most particles a calibration may ask for.
pub const PARTICLES_RANGE: (u32, u32) = (20, 1_000_000);
/// Share of the effective sample size each generation keeps (abc).
pub const ALPHA: f64 = 0.7;
/// Most ABC-MCMC moves of every particle per generation (abc).
pub const MOVES: u32 = 10;
/// Most final rejuvenation moves (abc).
pub const MAX_REJUVENATION: u32 = 60;
/// The tolerance at which ABC-SMC stops unless asked otherwise.
pub const FINAL_TOLERANCE: f64 = 1.1;
/// How close the bracketing fit's replicate means must come to their targets.
pub const TOLERANCE: f64 = 0.002;
/// The bracketing fit's targets unless asked otherwise.
pub const BRACKET_TARGETS: [&str; 2] = ["self_priority_share@2016Q4=0.62", "unsure_share@2016Q4=0.72"];
/// Most replicates per particle or evaluation.
pub const MAX_REPLICATES: u32 = 100_000;
/// The checkpoint an ABC-SMC calibration keeps in its folder.
pub const CHECKPOINT: &str = crate::calibrate::checkpoint::FILE;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// A posterior over the targets file's parameters (ABC-SMC).
    #[default]
    Abc,
    /// beta0 and p_unsure0 fitted to two figures.
    Bracket,
}

/// A calibration as asked for. Each method's own choices are options:
/// none takes its default, and one given to the method that would ignore it
/// is refused (`resolve`), not dropped silently.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CalibrateRequest {
    pub method: Method,
    /// With bracket: the scenario file or built-in name to fit (default baseline).
    pub scenario: Option<String>,
    /// With abc: the targets file (default: the built-in England targets).
    pub targets: Option<PathBuf>,
    /// With bracket: `metric@quarter=value` figures (default [`BRACKET_TARGETS`]).
    pub target: Option<Vec<String>>,
    /// With abc: particles (default [`PARTICLES`]).
    pub particles: Option<u32>,
    /// With abc: share of the ESS each generation keeps (default [`ALPHA`]).
    pub alpha: Option<f64>,
    /// With abc: most MCMC moves per particle per generation (default [`MOVES`]).
    pub moves: Option<u32>,
    /// With abc: final rejuvenation until this many distinct parameter
    /// vectors (default 1100, or 70% of fewer than 1572 particles; 0: none).
    pub min_distinct: Option<u32>,
    /// With abc: most final rejuvenation moves (default [`MAX_REJUVENATION`]).
    pub max_rejuvenation: Option<u32>,
    /// With abc: the tolerance at which to stop (default [`FINAL_TOLERANCE`]).
    pub final_tolerance: Option<f64>,
    /// With bracket: how close each replicate mean must come (default [`TOLERANCE`]).
    pub tolerance: Option<f64>,
    /// With abc: go on from the checkpoint in `out`, from its last finished generation.
    pub resume: bool,
    /// Seed (abc: default 2016; bracket: the scenario's, else 2016),
    /// replicates per particle (abc, default 4) or evaluation (bracket,
    /// default 200), threads, out (default `outputs/calibration`).
    #[serde(flatten)]
    pub common: Common,
}

impl CalibrateRequest {
    /// What was asked that `method` would ignore: each as its flag, with
    /// what this method takes instead (none given: nothing to refuse).
    fn ignored(&self) -> Vec<(&'static str, &'static str)> {
        let abc_instead = "abc fits the parameters of a targets file's [priors] to its figures \
             (--targets FILE, default the built-in England targets); SCENARIO, --target and --tolerance \
             are --method bracket's";
        let bracket_instead = "bracket fits beta0 and p_unsure0 of SCENARIO to --target figures; \
             --targets, --particles, --alpha, --moves, --min-distinct, --max-rejuvenation, --final-tolerance \
             and --resume are --method abc's";
        let given = |flag: &'static str, is: bool, why: &'static str| is.then_some((flag, why));
        match self.method {
            Method::Abc => [
                given("SCENARIO", self.scenario.is_some(), abc_instead),
                given("--target", self.target.is_some(), abc_instead),
                given("--tolerance", self.tolerance.is_some(), abc_instead),
            ]
            .into_iter()
            .flatten()
            .collect(),
            Method::Bracket => [
                given("--targets", self.targets.is_some(), bracket_instead),
                given("--particles", self.particles.is_some(), bracket_instead),
                given("--alpha", self.alpha.is_some(), bracket_instead),
                given("--moves", self.moves.is_some(), bracket_instead),
                given("--min-distinct", self.min_distinct.is_some(), bracket_instead),
                given("--max-rejuvenation", self.max_rejuvenation.is_some(), bracket_instead),
                given("--final-tolerance", self.final_tolerance.is_some(), bracket_instead),
                given("--resume", self.resume, bracket_instead),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }
}

/// A calibration with every choice made.
pub enum CalibrateJob {
    Abc {
        targets: Targets,
        /// The targets file as the outputs name it.
        file: String,
        settings: Settings,
        problem: Box<Problem>,
        resume: bool,
        threads: usize,
        out: PathBuf,
        force: bool,
        /// Draw the charts (not with `no_charts`).
        charts: bool,
    },
    Bracket {
        scenario: Box<Scenario>,
        targets: Vec<Target>,
        options: Options,
        threads: usize,
        out: PathBuf,
        force: bool,
    },
}

/// What a calibration found.
pub enum Fitted {
    /// The sampler's final state: particles, weights, generations.
    Abc(State),
    /// One fitted parameter per target.
    Bracket(Vec<Fit>),
}

impl CalibrateRequest {
    /// Reads the targets and scenarios and fills in every default; refuses
    /// a calibration above the memory limit.
    pub fn resolve(self) -> Result<CalibrateJob, common::Error> {
        self.common.check(MAX_REPLICATES)?;
        let ignored = self.ignored();
        if let Some((_, why)) = ignored.first() {
            let (method, other) = match self.method {
                Method::Abc => ("abc (the default)", "bracket"),
                Method::Bracket => ("bracket", "abc"),
            };
            let names: Vec<&str> = ignored.iter().map(|(f, _)| *f).collect();
            return Err(common::Error::Usage(format!(
                "calibrate --method {method} would ignore {}: {why}; drop {}, or add --method {other}",
                names.join(" and "),
                if names.len() == 1 { "it" } else { "them" }
            )));
        }
        let threads = self.common.threads();
        let out = common::out_or(&self.common.out, || PathBuf::from(defaults::CALIBRATION_OUT));
        let particles = self.particles.unwrap_or(PARTICLES);
        let alpha = self.alpha.unwrap_or(ALPHA);
        let final_tolerance = self.final_tolerance.unwrap_or(FINAL_TOLERANCE);
        let tolerance = self.tolerance.unwrap_or(TOLERANCE);
        match self.method {
            Method::Abc => {
                let (t, file) = match &self.targets {
                    Some(p) => (targets::load(p)?, p.display().to_string()),
                    None => (
                        targets::parse(ENGLAND_TARGETS, "data/targets.toml")?,
                        "data/targets.toml (built in)".to_string(),
                    ),
                };
                if !(final_tolerance > 0.0 && final_tolerance.is_finite()) {
                    return Err(common::Error::Usage(format!(
                        "--final-tolerance {final_tolerance} must be a number above 0"
                    )));
                }
                if !(alpha > 0.0 && alpha < 1.0) {
                    return Err(common::Error::Usage(format!("--alpha {alpha} must be above 0 and below 1")));
                }
                let (lo, hi) = PARTICLES_RANGE;
                if !(lo..=hi).contains(&particles) {
                    return Err(common::Error::Usage(format!("particles = {particles}: allowed from {lo} to {hi}")));
                }
                let settings = Settings {
                    alpha,
                    particles: particles as usize,
                    replicates: self.common.replicates.unwrap_or(defaults::ABC_REPLICATES) as usize,
                    final_tolerance,
                    seed: self.common.seed.unwrap_or(defaults::SEED),
                    moves: self.moves.unwrap_or(MOVES) as usize,
                    adaptive_moves: true,
                    min_distinct: self.min_distinct.map_or(1100.min(particles as usize * 7 / 10), |n| n as usize),
                    max_rejuvenation: self.max_rejuvenation.unwrap_or(MAX_REJUVENATION) as usize,
                    ..Settings::default()
                };
                let problem =
                    Problem::new(&t, crate::scenario::load).map_err(|e| common::Error::Usage(e.to_string()))?;
                // Each particle runs its scenarios' replicates like one run, one state per thread.
                let run = crate::runner::RunOptions {
                    replicates: settings.replicates as u32,
                    seed: settings.seed,
                    footprint_replicates: 0,
                };
                let bytes = crate::guard::memory_bytes(&problem.scenarios, &run, threads);
                crate::guard::check_memory_within(bytes, self.common.memory_limit)?;
                Ok(CalibrateJob::Abc {
                    targets: t,
                    file,
                    settings,
                    problem: Box::new(problem),
                    resume: self.resume,
                    threads,
                    out,
                    force: self.common.force,
                    charts: !self.common.no_charts,
                })
            }
            Method::Bracket => {
                let scenario = crate::scenario::load(self.scenario.as_deref().unwrap_or("baseline"))?;
                let figures =
                    self.target.clone().unwrap_or_else(|| BRACKET_TARGETS.iter().map(|t| t.to_string()).collect());
                let targets = figures.iter().map(|t| Target::parse(t).map_err(common::Error::Usage)).collect::<Result<
                    Vec<_>,
                    _,
                >>(
                )?;
                if !(tolerance > 0.0 && tolerance < 0.5) {
                    return Err(common::Error::Usage(format!("--tolerance {tolerance} must be above 0 and below 0.5")));
                }
                let replicates = self.common.replicates.unwrap_or(defaults::BRACKET_REPLICATES);
                if replicates < 2 {
                    return Err(common::Error::Usage("--replicates must be at least 2 with --method bracket".into()));
                }
                let seed = self.common.seed.or(scenario.seed).unwrap_or(defaults::SEED);
                let options = Options { replicates, seed, tolerance };
                // Each evaluation holds its replicates' results like a run of one scenario.
                let run = crate::runner::RunOptions { replicates, seed, footprint_replicates: 0 };
                let bytes = crate::guard::memory_bytes(std::slice::from_ref(&scenario), &run, threads);
                crate::guard::check_memory_within(bytes, self.common.memory_limit)?;
                let force = self.common.force;
                Ok(CalibrateJob::Bracket { scenario: Box::new(scenario), targets, options, threads, out, force })
            }
        }
    }
}

impl CalibrateJob {
    pub fn out(&self) -> &Path {
        match self {
            CalibrateJob::Abc { out, .. } | CalibrateJob::Bracket { out, .. } => out,
        }
    }

    fn threads(&self) -> usize {
        match self {
            CalibrateJob::Abc { threads, .. } | CalibrateJob::Bracket { threads, .. } => *threads,
        }
    }

    fn force(&self) -> bool {
        match self {
            CalibrateJob::Abc { force, .. } | CalibrateJob::Bracket { force, .. } => *force,
        }
    }

    /// Takes the output folder's lock, held until the calibration is
    /// written. A calibration's folder holds its calibration.json (abc),
    /// calibration.toml (bracket) or a checkpoint that parses as one; any
    /// other non-empty folder is the user's to resolve unless `force`.
    pub fn claim(&self) -> Result<FolderLock, common::Error> {
        let own = |d: &Path| {
            d.join("calibration.json").is_file()
                || d.join("calibration.toml").is_file()
                || crate::fsx::read_bounded(&d.join(CHECKPOINT), 1 << 30)
                    .is_ok_and(|b| serde_json::from_slice::<Checkpoint>(&b).is_ok())
        };
        let whose = "a calibration's (no calibration.json or checkpoint";
        common::refuse_foreign(self.out(), self.force(), whose, own)?;
        common::claim(self.out())
    }

    /// Runs the calibration on a pool of `threads` workers: ABC-SMC tells
    /// `hooks` each generation and saves a checkpoint after it (resuming
    /// from the folder's checkpoint if asked). Call it holding the lock.
    pub fn run(&self, hooks: &dyn Hooks) -> Result<Fitted, common::Error> {
        let pool = common::pool(self.threads())?;
        match self {
            CalibrateJob::Abc { targets, settings, problem, resume, out, .. } => {
                let values = 2 * problem.targets.len();
                let from = if *resume {
                    Some(read_checkpoint(out, &targets.sha256, settings, &problem.bounds(), values)?)
                } else {
                    None
                };
                let mut save_error = None;
                let mut progress = |st: &State| {
                    hooks.generation(st);
                    let cp = Checkpoint {
                        targets_sha256: targets.sha256.clone(),
                        settings: settings.clone(),
                        state: st.clone(),
                    };
                    let r = serde_json::to_vec(&cp)
                        .map_err(std::io::Error::other)
                        .and_then(|bytes| crate::results::write::atomic(out, CHECKPOINT, |w| w.write_all(&bytes)));
                    if let Err(e) = r {
                        save_error.get_or_insert(e);
                    }
                };
                let bounds = problem.bounds();
                let st = pool.install(|| {
                    smc::run(&bounds, settings, &|th: &[f64], key| problem.simulate(th, key), from, &mut progress)
                });
                if let Some(e) = save_error {
                    return Err(common::Error::failed(format!("cannot write {}", out.join(CHECKPOINT).display()), e));
                }
                Ok(Fitted::Abc(st))
            }
            CalibrateJob::Bracket { scenario, targets, options, .. } => {
                let (_, fits) = pool
                    .install(|| fit::calibrate(scenario, targets, options))
                    .map_err(|e| common::Error::Usage(e.to_string()))?;
                Ok(Fitted::Bracket(fits))
            }
        }
    }

    /// Writes what was fitted into the folder: posterior.csv,
    /// calibration.json, verdicts.txt and the charts (abc), or
    /// calibration.toml (bracket). Returns the files' names.
    pub fn write(&self, fitted: &Fitted) -> Result<Vec<String>, common::Error> {
        let dir = self.out();
        match (self, fitted) {
            (CalibrateJob::Abc { problem, targets, file, settings, charts, .. }, Fitted::Abc(st)) => {
                output::write(dir, problem, targets, file, settings, st, *charts).map_err(|e| {
                    common::Error::failed(format!("cannot write the calibration into {}", dir.display()), e)
                })
            }
            (CalibrateJob::Bracket { scenario, options, .. }, Fitted::Bracket(fits)) => {
                let fragment = fit::fragment(&scenario.name, fits, options);
                crate::results::write::atomic(dir, "calibration.toml", |w| w.write_all(fragment.as_bytes()))
                    .map_err(|e| common::Error::failed(format!("cannot write into {}", dir.display()), e))?;
                Ok(vec!["calibration.toml".into()])
            }
            _ => Err(common::Error::Usage("the fit is not of this calibration's method".into())),
        }
    }
}

fn read_checkpoint(
    dir: &Path,
    sha: &str,
    settings: &Settings,
    bounds: &smc::Bounds,
    values: usize,
) -> Result<State, common::Error> {
    let path = dir.join(CHECKPOINT);
    let usage = common::Error::Usage;
    let limit = crate::scenario::read::max_input_bytes().map_err(usage)?;
    let bytes = crate::fsx::read_bounded(&path, limit).map_err(|e| {
        usage(format!("--resume: cannot read {} ({e}); run without --resume to start afresh", path.display()))
    })?;
    let cp = Checkpoint::parse(&bytes, bounds, values)
        .map_err(|e| usage(format!("--resume: {} {e}; run without --resume to start afresh", path.display())))?;
    if cp.targets_sha256 != sha {
        return Err(usage(format!(
            "--resume: {} was made for another targets file (SHA-256 {}); use the same file, or start afresh",
            path.display(),
            cp.targets_sha256
        )));
    }
    if let Some(differs) = cp.differing_flag(settings) {
        return Err(usage(format!(
            "--resume: {} does not fit this run: {differs}; give the same --particles, --replicates, \
             --alpha, --moves, --min-distinct, --max-rejuvenation, --final-tolerance and --seed, or start afresh without --resume",
            path.display()
        )));
    }
    Ok(cp.state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every front builds this request, so Python's keywords are refused as
    /// the command line's flags are.
    #[test]
    fn a_request_refuses_what_its_method_would_ignore() {
        let abc = CalibrateRequest { scenario: Some("baseline".into()), target: Some(vec![]), ..Default::default() };
        let e = abc.resolve().err().expect("refused").to_string();
        assert!(e.contains("would ignore SCENARIO and --target") && e.contains("add --method bracket"), "{e}");
        let bracket = CalibrateRequest { method: Method::Bracket, particles: Some(40), ..Default::default() };
        let e = bracket.resolve().err().expect("refused");
        assert_eq!(e.kind(), crate::api::ErrorKind::Usage);
        assert!(
            e.to_string().contains("would ignore --particles") && e.to_string().contains("add --method abc"),
            "{e}"
        );
        let ok = CalibrateRequest { method: Method::Bracket, tolerance: Some(0.01), ..Default::default() };
        assert!(ok.ignored().is_empty());
    }
}
