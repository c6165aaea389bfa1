//! `stpsim calibrate`: a posterior over parameters fitted to published
//! figures (ABC-SMC), or the older bracketing fit of beta0 and p_unsure0.

use super::{CalibrateArgs, Method, UsageError, emit};
use anyhow::Context;
use std::path::Path;
use std::time::Instant;
use stpsim::calibrate::checkpoint::Checkpoint;
use stpsim::calibrate::smc::{self, Settings, State};
use stpsim::calibrate::{self, Options, Target, output, problem::Problem, targets};

/// The England targets shipped with the binary (data/targets.toml).
pub const ENGLAND_TARGETS: &str = include_str!("../../data/targets.toml");
const CHECKPOINT: &str = stpsim::calibrate::checkpoint::FILE;

pub fn calibrate(args: CalibrateArgs) -> anyhow::Result<()> {
    match args.method {
        Method::Abc => abc(args),
        Method::Bracket => bracket(args),
    }
}

fn pool(threads: Option<u16>) -> anyhow::Result<rayon::ThreadPool> {
    let threads = threads.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), usize::from);
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().context("cannot start worker threads")
}

fn abc(args: CalibrateArgs) -> anyhow::Result<()> {
    let (t, file) = match &args.targets {
        Some(p) => (targets::load(p)?, p.display().to_string()),
        None => (targets::parse(ENGLAND_TARGETS, "data/targets.toml")?, "data/targets.toml (built in)".to_string()),
    };
    if !(args.final_tolerance > 0.0 && args.final_tolerance.is_finite()) {
        return Err(UsageError(format!("--final-tolerance {} must be a number above 0", args.final_tolerance)).into());
    }
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        return Err(UsageError(format!("--alpha {} must be above 0 and below 1", args.alpha)).into());
    }
    let settings = Settings {
        alpha: args.alpha,
        particles: args.particles as usize,
        replicates: args.replicates.unwrap_or(2) as usize,
        final_tolerance: args.final_tolerance,
        seed: args.seed.unwrap_or(stpsim::job::DEFAULT_SEED),
        moves: args.moves as usize,
        adaptive_moves: true,
        min_distinct: args.min_distinct.map_or(1100.min(args.particles as usize * 7 / 10), |n| n as usize),
        max_rejuvenation: args.max_rejuvenation as usize,
        ..Settings::default()
    };
    let problem = Problem::new(&t, stpsim::scenario::load).map_err(|e| UsageError(e.to_string()))?;
    // Each particle runs its scenarios' replicates like one run, one state per thread.
    let threads = stpsim::runner::threads(args.threads.map(usize::from));
    let run =
        stpsim::RunOptions { replicates: settings.replicates as u32, seed: settings.seed, footprint_replicates: 0 };
    stpsim::job::check_memory(stpsim::job::memory_bytes(&problem.scenarios, &run, threads))
        .map_err(|e| UsageError(e.to_string()))?;
    let dir = &args.out;
    refuse_foreign(dir, args.force)?;
    // One writer per folder, held until the calibration is written.
    let _lock = super::run::claim(dir)?;
    let values = 2 * problem.targets.len();
    let resume =
        if args.resume { Some(read_checkpoint(dir, &t.sha256, &settings, &problem.bounds(), values)?) } else { None };
    let quiet = args.quiet;
    if !quiet {
        eprintln!(
            "calibrating {} parameters to {} targets ({file}): {} particles x {} replicates, {}",
            problem.priors.len(),
            problem.targets.len(),
            settings.particles,
            settings.replicates,
            if resume.is_some() { "resuming" } else { "from the prior" }
        );
    }
    let clock = Instant::now();
    let sha = t.sha256.clone();
    let mut save_error = None;
    let mut progress = |st: &State| {
        if !quiet {
            let g = st.generations.last().expect("a generation");
            eprintln!(
                "  {} {:>2}: tolerance {:>8.3}  ESS {:>6.1}  distinct {:>5} (ESS {:>6.1})  acceptance {:>5.1}%  {:>7} simulations  {:>6.1}s{}",
                if g.rejuvenation { "rejuvenation" } else { "generation" },
                g.generation,
                g.tolerance,
                g.ess,
                g.distinct,
                g.distinct_ess,
                100.0 * g.acceptance,
                g.simulations,
                g.seconds,
                if st.done { "  done" } else { "" }
            );
        }
        let cp = Checkpoint { targets_sha256: sha.clone(), settings: settings.clone(), state: st.clone() };
        let r = serde_json::to_vec(&cp)
            .map_err(std::io::Error::other)
            .and_then(|bytes| stpsim::results::write::atomic(dir, CHECKPOINT, |w| w.write_all(&bytes)));
        if let Err(e) = r {
            save_error.get_or_insert(e);
        }
    };
    let bounds = problem.bounds();
    let st = pool(args.threads)?
        .install(|| smc::run(&bounds, &settings, &|th: &[f64], key| problem.simulate(th, key), resume, &mut progress));
    if let Some(e) = save_error {
        return Err(e).with_context(|| format!("cannot write {}", dir.join(CHECKPOINT).display()));
    }
    let files = output::write(dir, &problem, &t, &file, &settings, &st)
        .with_context(|| format!("cannot write the calibration into {}", dir.display()))?;
    if quiet {
        return Ok(());
    }
    let (fits, params) = output::fits(&problem, &st);
    let worth = output::Worth::of(&settings, &st);
    let mut s = format!(
        "\n{}\n{} simulations in {:.1}s; final tolerance {:.3}; {}\n{}\n\n",
        output::METHOD,
        st.simulations(),
        clock.elapsed().as_secs_f64(),
        st.tolerance(),
        worth.stop,
        worth.line()
    );
    s += &output::verdicts(&fits);
    s += "\nPosterior (5%, median, 95%):\n";
    for p in &params {
        s += &format!(
            "  {:<24} {:>9.4} {:>9.4} {:>9.4}   (prior {} to {})\n",
            p.name, p.posterior[0], p.posterior[1], p.posterior[2], p.prior[0], p.prior[1]
        );
    }
    s += &format!("\nwrote {} into {}\n", files.join(", "), dir.display());
    emit(&s)
}

/// A calibration's folder holds its calibration.json (abc), calibration.toml
/// (bracket) or a checkpoint that parses as one; any other non-empty folder
/// is refused without --force.
fn refuse_foreign(dir: &Path, force: bool) -> anyhow::Result<()> {
    let own = |d: &Path| {
        d.join("calibration.json").is_file()
            || d.join("calibration.toml").is_file()
            || stpsim::fsx::read_bounded(&d.join(CHECKPOINT), 1 << 30)
                .is_ok_and(|b| serde_json::from_slice::<Checkpoint>(&b).is_ok())
    };
    super::run::refuse_foreign(dir, force, "a calibration's (no calibration.json or checkpoint", own)
}

fn read_checkpoint(
    dir: &Path,
    sha: &str,
    settings: &Settings,
    bounds: &smc::Bounds,
    values: usize,
) -> anyhow::Result<State> {
    let path = dir.join(CHECKPOINT);
    let limit = stpsim::scenario::read::max_input_bytes().map_err(UsageError)?;
    let bytes = stpsim::fsx::read_bounded(&path, limit).map_err(|e| {
        UsageError(format!("--resume: cannot read {} ({e}); run without --resume to start afresh", path.display()))
    })?;
    let cp = Checkpoint::parse(&bytes, bounds, values)
        .map_err(|e| UsageError(format!("--resume: {} {e}; run without --resume to start afresh", path.display())))?;
    if cp.targets_sha256 != sha {
        return Err(UsageError(format!(
            "--resume: {} was made for another targets file (SHA-256 {}); use the same file, or start afresh",
            path.display(),
            cp.targets_sha256
        ))
        .into());
    }
    if let Some(differs) = cp.differing_flag(settings) {
        return Err(UsageError(format!(
            "--resume: {} does not fit this run: {differs}; give the same --particles, --replicates, \
             --alpha, --moves, --min-distinct, --max-rejuvenation, --final-tolerance and --seed, or start afresh without --resume",
            path.display()
        ))
        .into());
    }
    Ok(cp.state)
}

fn bracket(args: CalibrateArgs) -> anyhow::Result<()> {
    let scenario = stpsim::scenario::load(&args.scenario)?;
    let targets = args.target.iter().map(|t| Target::parse(t).map_err(UsageError)).collect::<Result<Vec<_>, _>>()?;
    if !(args.tolerance > 0.0 && args.tolerance < 0.5) {
        return Err(UsageError(format!("--tolerance {} must be above 0 and below 0.5", args.tolerance)).into());
    }
    let replicates = args.replicates.unwrap_or(200);
    if replicates < 2 {
        return Err(UsageError("--replicates must be at least 2 with --method bracket".into()).into());
    }
    let seed = args.seed.or(scenario.seed).unwrap_or(stpsim::job::DEFAULT_SEED);
    let opts = Options { replicates, seed, tolerance: args.tolerance };
    let threads = stpsim::runner::threads(args.threads.map(usize::from));
    // Each evaluation holds its replicates' results like a run of one scenario.
    let run = stpsim::RunOptions { replicates, seed, footprint_replicates: 0 };
    stpsim::job::check_memory(stpsim::job::memory_bytes(std::slice::from_ref(&scenario), &run, threads))
        .map_err(|e| UsageError(e.to_string()))?;
    refuse_foreign(&args.out, args.force)?;
    let _lock = super::run::claim(&args.out)?;
    let clock = Instant::now();
    let (_, fits) = pool(args.threads)?
        .install(|| calibrate::calibrate(&scenario, &targets, &opts))
        .map_err(|e| UsageError(e.to_string()))?;

    let mut s = format!(
        "Calibrated {} on {} replicates, seed {seed}, in {:.1}s\n",
        scenario.name,
        opts.replicates,
        clock.elapsed().as_secs_f64()
    );
    for f in &fits {
        s += &format!(
            "\n  {} = {}\n    {}@{}: target {}, simulated mean {:.4} (95% interval of the mean {:.4} to {:.4}; \
             95% of replicates {:.3} to {:.3})\n    simulated HFMA-sized surveys ({} trusts, {} CCGs) inside the observed \
             figure's 95% sampling interval ({:.3} to {:.3}): {:.0}%\n",
            f.parameter,
            f.value,
            f.target.metric.name(),
            f.target.quarter,
            f.target.value,
            f.mean,
            f.mean_ci95.0,
            f.mean_ci95.1,
            f.replicate_range95.0,
            f.replicate_range95.1,
            calibrate::SURVEY_TRUSTS,
            calibrate::SURVEY_CCGS,
            f.survey_interval.0,
            f.survey_interval.1,
            100.0 * f.surveys_within
        );
    }
    let fragment = calibrate::fragment(&scenario.name, &fits, &opts);
    let dir = &args.out;
    stpsim::results::write::atomic(dir, "calibration.toml", |w| w.write_all(fragment.as_bytes()))
        .with_context(|| format!("cannot write into {}", dir.display()))?;
    s += &format!("\nwrote {} (paste its [params] into a scenario)\n", dir.join("calibration.toml").display());
    if args.quiet { Ok(()) } else { emit(&s) }
}
