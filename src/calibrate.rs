//! Calibration. `smc` fits a posterior over chosen parameters to every
//! target of a targets file at once (ABC-SMC); the older bracketing search
//! below (`--method bracket`) fits beta0 and p_unsure0 to the HFMA survey on
//! the replicate mean, with common random numbers keeping each objective
//! smooth, and checks it with simulated surveys the size of the HFMA sample.

pub mod charts;
pub mod checkpoint;
/// Which posterior a run uses (kept under its old path).
pub use crate::scenario::posterior as choice;
pub mod output;
pub mod patterns;
pub mod problem;
pub mod smc;
/// The published figures the model is calibrated against (kept under its old path).
pub use crate::targets;

/// The posterior's plain type lives in the vocabulary floor; the old path still works.
pub use crate::core::posterior;

use crate::core::kind::Kind;
use crate::core::quarter::Quarter;
use crate::model::init::Setup;
use crate::model::rng::{Keys, Phase, draw};
use crate::model::{Metric, Replicate, World};
use crate::results::summary::describe;
use crate::runner::{RunOptions, run};
use crate::scenario::Scenario;
use rayon::prelude::*;

/// A calibration target, written `metric@quarter=value`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub metric: Metric,
    pub quarter: Quarter,
    pub value: f64,
}

/// The HFMA survey: 128 trusts and 72 CCGs, October-November 2016.
pub const SURVEY_TRUSTS: usize = 128;
pub const SURVEY_CCGS: usize = 72;

impl Target {
    pub fn parse(s: &str) -> Result<Target, String> {
        let rule = "metric@quarter=value, such as self_priority_share@2016Q4=0.62";
        let (m, rest) = s.split_once('@').ok_or_else(|| format!("`{s}` is not a target: {rule}"))?;
        let (q, v) = rest.split_once('=').ok_or_else(|| format!("`{s}` is not a target: {rule}"))?;
        let metric = Metric::parse(m.trim()).ok_or_else(|| format!("`{m}` is not a metric; {}", Self::supported()))?;
        parameter_for(metric).ok_or_else(|| format!("`{m}` has no calibrated parameter; {}", Self::supported()))?;
        let quarter = Quarter::parse(q.trim()).map_err(|e| format!("in `{s}`: {e}"))?;
        let value: f64 = v.trim().parse().map_err(|_| format!("in `{s}`: `{v}` is not a number"))?;
        if !(0.0..=1.0).contains(&value) {
            return Err(format!("in `{s}`: a share from 0 to 1"));
        }
        Ok(Target { metric, quarter, value })
    }

    fn supported() -> &'static str {
        "calibrate fits self_priority_share (by beta0) and unsure_share (by p_unsure0)"
    }
}

/// The parameter that moves a target's metric.
pub fn parameter_for(m: Metric) -> Option<&'static str> {
    match m {
        Metric::SelfPriorityShare => Some("beta0"),
        Metric::UnsureShare => Some("p_unsure0"),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    pub target: Target,
    pub parameter: &'static str,
    pub value: f64,
    /// Mean over replicates of the metric at the target quarter, with the 95%
    /// interval of that mean and the 2.5% to 97.5% range over replicates.
    pub mean: f64,
    pub mean_ci95: (f64, f64),
    pub replicate_range95: (f64, f64),
    /// Share of simulated surveys (128 trusts, 72 CCGs) inside the observed
    /// figure's 95% sampling interval.
    pub surveys_within: f64,
    pub survey_interval: (f64, f64),
}

#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    #[error(
        "the target {metric}@{quarter} = {value} cannot be reached: {parameter} from {lo} to {hi} gives {f_lo:.4} to {f_hi:.4}"
    )]
    Unreachable {
        metric: &'static str,
        quarter: Quarter,
        value: f64,
        parameter: &'static str,
        lo: f64,
        hi: f64,
        f_lo: f64,
        f_hi: f64,
    },
    #[error("the target quarter {quarter} is outside the scenario's run, {start} to {end}")]
    Quarter { quarter: Quarter, start: Quarter, end: Quarter },
    #[error("two targets move the same parameter, {0}")]
    Duplicate(&'static str),
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub replicates: u32,
    pub seed: u64,
    /// Stop when every replicate mean is this close to its target.
    pub tolerance: f64,
}

/// The replicate values of each target's metric under the scenario.
fn evaluate(s: &Scenario, targets: &[Target], opts: &Options) -> Vec<Vec<f64>> {
    let results = run(
        std::slice::from_ref(s),
        &RunOptions { replicates: opts.replicates, seed: opts.seed, footprint_replicates: 0 },
    );
    targets.iter().map(|t| results.scenarios[0].at(t.quarter, t.metric)).collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Fits one parameter per target, then reports each fit with its intervals
/// and simulated surveys. The scenario is run only up to the last target.
pub fn calibrate(
    scenario: &Scenario,
    targets: &[Target],
    opts: &Options,
) -> Result<(Scenario, Vec<Fit>), CalibrationError> {
    let mut s = scenario.clone();
    let last = targets.iter().map(|t| t.quarter).max().unwrap_or(s.start);
    for t in targets {
        if t.quarter < s.start || t.quarter > s.end {
            return Err(CalibrationError::Quarter { quarter: t.quarter, start: s.start, end: s.end });
        }
    }
    let params: Vec<&'static str> = targets.iter().filter_map(|t| parameter_for(t.metric)).collect();
    for (i, p) in params.iter().enumerate() {
        if params[..i].contains(p) {
            return Err(CalibrationError::Duplicate(p));
        }
    }
    s.end = last;
    s.levers.retain(|l| l.start <= last);
    // Coordinate-wise bisection: each target has its own parameter; sweep
    // until every mean is within tolerance (p_unsure0 barely depends on beta0,
    // so this settles in two or three sweeps).
    for _sweep in 0..8 {
        let mut all_close = true;
        for (k, t) in targets.iter().enumerate() {
            let name = params[k];
            let def = crate::core::params::Params::def(name).map(|d| (d.min, d.max)).unwrap_or((0.0, 1.0));
            let at = |s: &mut Scenario, x: f64| {
                s.params.set(name, x);
                mean(&evaluate(s, std::slice::from_ref(t), opts)[0])
            };
            let current = s.params.get(name).unwrap_or(0.0);
            if (at(&mut s, current) - t.value).abs() <= opts.tolerance {
                continue;
            }
            all_close = false;
            let (mut lo, mut hi) = def;
            let (f_lo, f_hi) = (at(&mut s, lo), at(&mut s, hi));
            if (f_lo - t.value) * (f_hi - t.value) > 0.0 {
                return Err(CalibrationError::Unreachable {
                    metric: t.metric.name(),
                    quarter: t.quarter,
                    value: t.value,
                    parameter: name,
                    lo,
                    hi,
                    f_lo,
                    f_hi,
                });
            }
            let rising = f_hi > f_lo;
            let mut x = current;
            for _ in 0..60 {
                x = 0.5 * (lo + hi);
                let f = at(&mut s, x);
                if (f - t.value).abs() <= opts.tolerance / 4.0 || hi - lo < 1e-7 {
                    break;
                }
                if (f < t.value) == rising {
                    lo = x;
                } else {
                    hi = x;
                }
            }
            s.params.set(name, (x * 1e6).round() / 1e6);
        }
        if all_close {
            break;
        }
    }
    let values = evaluate(&s, targets, opts);
    let surveys = surveys(&s, targets, opts);
    let fits = targets
        .iter()
        .zip(values)
        .zip(surveys)
        .enumerate()
        .map(|(k, ((t, mut v), within))| {
            let n = v.len() as f64;
            let (m, sd, _) = describe(&mut v);
            let half = 1.96 * sd / n.sqrt();
            let half_obs = 1.96 * (t.value * (1.0 - t.value) / (SURVEY_TRUSTS + SURVEY_CCGS) as f64).sqrt();
            let q = |p: f64| crate::results::summary::quantile(&v, p);
            Fit {
                target: *t,
                parameter: params[k],
                value: s.params.get(params[k]).unwrap_or(f64::NAN),
                mean: m,
                mean_ci95: (m - half, m + half),
                replicate_range95: (q(0.025), q(0.975)),
                surveys_within: within,
                survey_interval: (t.value - half_obs, t.value + half_obs),
            }
        })
        .collect();
    let mut fitted = scenario.clone();
    for p in &params {
        fitted.params.set(p, s.params.get(p).unwrap_or(f64::NAN));
    }
    Ok((fitted, fits))
}

/// For each target, the share of replicates whose simulated HFMA-sized survey
/// (128 trusts and 72 CCGs drawn without replacement) lands inside the
/// observed figure's 95% sampling interval.
pub fn surveys(s: &Scenario, targets: &[Target], opts: &Options) -> Vec<f64> {
    let structure = s.build_structure(opts.seed);
    let per_replicate: Vec<Vec<bool>> = (0..opts.replicates as u64)
        .into_par_iter()
        .map(|r| {
            let keys = Keys { seed: opts.seed, replicate: r };
            let setup = Setup { params: &s.params, levers: &s.levers, ready: &s.ready_index };
            let mut out = vec![false; targets.len()];
            // A simulated survey at the end of each target's quarter.
            Replicate::new(&structure, setup, keys).run_observed(&s.quarters(), |w, q, _| {
                for (k, t) in targets.iter().enumerate().filter(|(_, t)| t.quarter == q) {
                    let mut rng = keys.stream(q, 0, Phase::Survey);
                    let share = survey(w, t.metric, &mut rng);
                    let half = 1.96 * (t.value * (1.0 - t.value) / (SURVEY_TRUSTS + SURVEY_CCGS) as f64).sqrt();
                    out[k] = (share - t.value).abs() <= half;
                }
            });
            out
        })
        .collect();
    (0..targets.len())
        .map(|k| per_replicate.iter().filter(|v| v[k]).count() as f64 / per_replicate.len().max(1) as f64)
        .collect()
}

/// One simulated survey: the metric's share in a sample of trusts and CCGs.
fn survey(w: &World, m: Metric, rng: &mut crate::model::rng::Stream) -> f64 {
    let trusts: Vec<usize> = (0..w.n_orgs()).filter(|&i| w.kind[i].is_provider()).collect();
    let ccgs: Vec<usize> = (0..w.n_orgs()).filter(|&i| w.kind[i] == Kind::Ccg).collect();
    let mut hits = 0usize;
    let mut n = 0usize;
    for (pool, size) in [(trusts, SURVEY_TRUSTS), (ccgs, SURVEY_CCGS)] {
        let mut pool = pool;
        let take = size.min(pool.len());
        for j in 0..take {
            let k = j + draw::index(rng, pool.len() - j);
            pool.swap(j, k);
            let i = pool[j];
            hits += match m {
                Metric::UnsureShare => w.unsure[i],
                _ => !w.collab[i],
            } as usize;
        }
        n += take;
    }
    hits as f64 / n.max(1) as f64
}

/// The fitted values as a `[params]` fragment for a scenario file.
pub fn fragment(scenario: &str, fits: &[Fit], opts: &Options) -> String {
    let mut s = format!(
        "# stpsim calibrate {scenario}: {} replicates, seed {}, stpsim v{}\n",
        opts.replicates,
        opts.seed,
        env!("CARGO_PKG_VERSION")
    );
    for f in fits {
        s += &format!(
            "# {}@{} = {}: simulated mean {:.4} (95% interval of the mean {:.4} to {:.4})\n",
            f.target.metric.name(),
            f.target.quarter,
            f.target.value,
            f.mean,
            f.mean_ci95.0,
            f.mean_ci95.1
        );
    }
    s += "[params]\n";
    for f in fits {
        s += &format!("{} = {}\n", f.parameter, f.value);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_say_what_is_allowed() {
        let t = Target::parse("self_priority_share@2016Q4=0.62").unwrap();
        assert_eq!((t.metric, t.quarter.to_string(), t.value), (Metric::SelfPriorityShare, "2016Q4".to_string(), 0.62));
        assert!(Target::parse("raised@2016Q4=3").unwrap_err().contains("no calibrated parameter"));
        assert!(Target::parse("self_priority_share=0.6").unwrap_err().contains("metric@quarter=value"));
        assert!(Target::parse("unsure_share@2016Q5=0.7").unwrap_err().contains("from 1 to 4"));
        assert!(Target::parse("unsure_share@2016Q4=1.5").unwrap_err().contains("from 0 to 1"));
    }

    #[test]
    fn bisection_recovers_a_moved_target() {
        // Pull the unsure target away from the default and back: the fit
        // must land within tolerance and move p_unsure0 the right way.
        let s = crate::scenario::load("baseline").unwrap();
        let opts = Options { replicates: 16, seed: 3, tolerance: 0.003 };
        let t = Target::parse("unsure_share@2016Q4=0.5").unwrap();
        let (fitted, fits) = calibrate(&s, &[t], &opts).unwrap();
        assert!((fits[0].mean - 0.5).abs() <= 0.003, "{:?}", fits[0]);
        assert!(fitted.params.p_unsure0 < s.params.p_unsure0);
        assert_eq!(fitted.end, s.end, "the fitted scenario keeps its run");
    }
}
