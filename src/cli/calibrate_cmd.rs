//! `stpsim calibrate`: fit beta0 and p_unsure0 to the HFMA survey.

use super::{CalibrateArgs, UsageError, emit};
use anyhow::Context;
use std::time::Instant;
use stpsim::calibrate::{self, Options, Target};

pub fn calibrate(args: CalibrateArgs) -> anyhow::Result<()> {
    let scenario = stpsim::scenario::load(&args.scenario)?;
    let targets = args.targets.iter().map(|t| Target::parse(t).map_err(UsageError)).collect::<Result<Vec<_>, _>>()?;
    if !(args.tolerance > 0.0 && args.tolerance < 0.5) {
        return Err(UsageError(format!("--tolerance {} must be above 0 and below 0.5", args.tolerance)).into());
    }
    let seed = args.seed.or(scenario.seed).unwrap_or(stpsim::job::DEFAULT_SEED);
    let opts = Options { replicates: args.replicates, seed, tolerance: args.tolerance };
    let threads = stpsim::runner::threads(args.threads.map(usize::from));
    let pool = stpsim::runner::pool(threads).context("cannot start worker threads")?;
    let clock = Instant::now();
    let (_, fits) =
        pool.install(|| calibrate::calibrate(&scenario, &targets, &opts)).map_err(|e| UsageError(e.to_string()))?;

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
    let dir = args.out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name =
        args.out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "calibration.toml".into());
    stpsim::results::write::atomic(dir, &name, |w| w.write_all(fragment.as_bytes()))
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    s += &format!("\nwrote {} (paste its [params] into a scenario)\n", args.out.display());
    emit(&s)
}
