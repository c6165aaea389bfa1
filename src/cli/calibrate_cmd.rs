//! `stpsim calibrate`: a posterior over parameters fitted to published
//! figures (ABC-SMC), or the older bracketing fit of beta0 and p_unsure0.

use super::{CalibrateArgs, Method, emit};
use std::time::Instant;
use stpsim::api::calibrate::{self as api, CalibrateJob, CalibrateRequest, Fitted};
use stpsim::calibrate::smc::State;
use stpsim::calibrate::{self, output};

/// Generations as they finish, on standard error.
struct Generations {
    quiet: bool,
}

impl stpsim::api::Hooks for Generations {
    fn generation(&self, st: &State) {
        if self.quiet {
            return;
        }
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
}

pub fn calibrate(args: CalibrateArgs) -> anyhow::Result<()> {
    let quiet = args.common.quiet;
    let request = CalibrateRequest {
        method: match args.method {
            Method::Abc => api::Method::Abc,
            Method::Bracket => api::Method::Bracket,
        },
        scenario: args.scenario,
        targets: args.targets,
        target: (!args.target.is_empty()).then_some(args.target),
        particles: args.particles,
        alpha: args.alpha,
        moves: args.moves,
        min_distinct: args.min_distinct,
        max_rejuvenation: args.max_rejuvenation,
        final_tolerance: args.final_tolerance,
        tolerance: args.tolerance,
        resume: args.resume,
        common: args.common.common(),
    };
    let job = request.resolve()?;
    // One writer per folder, held until the calibration is written.
    let _lock = job.claim()?;
    if let (CalibrateJob::Abc { problem, settings, file, resume, .. }, false) = (&job, quiet) {
        eprintln!(
            "calibrating {} parameters to {} targets ({file}): {} particles x {} replicates, {}",
            problem.priors.len(),
            problem.targets.len(),
            settings.particles,
            settings.replicates,
            if *resume { "resuming" } else { "from the prior" }
        );
    }
    let clock = Instant::now();
    let fitted = job.run(&Generations { quiet })?;
    let files = job.write(&fitted)?;
    if quiet {
        return Ok(());
    }
    match (&job, &fitted) {
        (CalibrateJob::Abc { problem, .. }, Fitted::Abc(st)) => emit(&abc_summary(problem, st, &files, &job, clock)),
        (CalibrateJob::Bracket { scenario, options, .. }, Fitted::Bracket(fits)) => {
            emit(&bracket_summary(scenario, options, fits, &job, clock))
        }
        _ => Ok(()),
    }
}

fn abc_summary(
    problem: &stpsim::calibrate::problem::Problem,
    st: &State,
    files: &[String],
    job: &CalibrateJob,
    clock: Instant,
) -> String {
    let dir = job.out();
    let (fits, params) = output::fits(problem, st);
    let CalibrateJob::Abc { settings, .. } = job else { return String::new() };
    let worth = output::Worth::of(settings, st);
    // Why it stopped, beside the tolerance it was asked to reach.
    let mut s = format!(
        "\n{}\n{} simulations in {:.1}s; final tolerance {:.3} (asked for {}); {}\n{}\n\n",
        output::METHOD,
        st.simulations(),
        clock.elapsed().as_secs_f64(),
        st.tolerance(),
        settings.final_tolerance,
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
    s
}

fn bracket_summary(
    scenario: &stpsim::Scenario,
    opts: &calibrate::Options,
    fits: &[calibrate::Fit],
    job: &CalibrateJob,
    clock: Instant,
) -> String {
    let seed = opts.seed;
    let mut s = format!(
        "Calibrated {} on {} replicates, seed {seed}, in {:.1}s\n",
        scenario.name,
        opts.replicates,
        clock.elapsed().as_secs_f64()
    );
    for f in fits {
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
    let dir = job.out();
    s += &format!("\nwrote {} (paste its [params] into a scenario)\n", dir.join("calibration.toml").display());
    s
}
