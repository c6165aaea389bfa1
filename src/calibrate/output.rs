//! What a calibration writes: the posterior, calibration.json, a verdict per
//! target, and charts. Everything is computed from the final particles.

use super::charts;
use super::problem::Problem;
use super::smc::{Settings, State, quantile};
use crate::core::posterior::Posterior;
use crate::targets::{TargetFit, Targets};
use serde::Serialize;
use std::path::Path;

pub const METHOD: &str = "ABC-SMC with adaptive tolerances (Del Moral, Doucet and Jasra 2012; Beaumont, Cornuet, Marin and Robert 2009), several replicates per particle, observation error added to each simulation (Wilkinson 2013), several ABC-MCMC moves per generation and a final rejuvenation (Drovandi and Pettitt 2011)";

/// What the final particles are worth: distinct vectors, the effective
/// sample size with identical vectors' weights summed, and why it stopped.
#[derive(Clone, Debug, Serialize)]
pub struct Worth {
    pub particles: usize,
    pub distinct: usize,
    pub ess: f64,
    pub stop_reason: Option<super::smc::StopReason>,
    /// The stop reason in words, with what the rejuvenation did.
    pub stop: String,
}

impl Worth {
    pub fn of(settings: &Settings, st: &State) -> Worth {
        let (distinct, ess) = super::smc::distinct_ess(&st.theta, &st.weights);
        let moves = st.generations.iter().filter(|g| g.rejuvenation).count();
        let mut stop = match st.stop {
            Some(r) => format!("stopped: {}", r.describe(settings)),
            None => "not finished".to_string(),
        };
        if moves > 0 {
            stop += &format!(
                "; then {moves} rejuvenation move{} at that tolerance ({})",
                if moves == 1 { "" } else { "s" },
                if distinct >= settings.min_distinct {
                    format!("{} distinct vectors reached", settings.min_distinct)
                } else {
                    format!("capped at {}", settings.max_rejuvenation)
                }
            );
        }
        Worth { particles: st.theta.len(), distinct, ess, stop_reason: st.stop, stop }
    }

    pub fn line(&self) -> String {
        format!(
            "{} particles, {} distinct parameter vectors, effective sample size {:.0} (identical vectors' weights summed)",
            self.particles, self.distinct, self.ess
        )
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ParamFit {
    pub name: &'static str,
    pub prior: [f64; 2],
    /// Posterior 5%, 50%, 95%.
    pub posterior: [f64; 3],
}

#[derive(Serialize)]
struct Json<'a> {
    method: &'static str,
    settings: &'a Settings,
    targets_file: &'a str,
    targets_sha256: &'a str,
    finished: bool,
    /// Distinct vectors, ESS with identical vectors summed, stop reason.
    #[serde(flatten)]
    posterior_worth: Worth,
    generations: &'a [super::smc::Generation],
    simulations: u64,
    wall_seconds: f64,
    final_tolerance: f64,
    targets: &'a [TargetFit],
    parameters: &'a [ParamFit],
    /// SHA-256 of each file written beside calibration.json.
    file_sha256: &'a std::collections::BTreeMap<String, String>,
}

/// Predictive quantiles of summary `k` over every particle's replicates.
fn predictive(st: &State, k: usize) -> [f64; 3] {
    let (mut x, mut w) = (Vec::new(), Vec::new());
    for (sims, &wi) in st.sims.iter().zip(&st.weights) {
        for s in sims {
            x.push(s.values[k]);
            w.push(wi);
        }
    }
    [0.05, 0.5, 0.95].map(|q| quantile(&x, &w, q))
}

pub fn fits(problem: &Problem, st: &State) -> (Vec<TargetFit>, Vec<ParamFit>) {
    let nt = problem.targets.len();
    let targets = problem
        .targets
        .iter()
        .enumerate()
        .map(|(j, t)| {
            let reported = predictive(st, nt + j);
            TargetFit {
                label: t.label(),
                metric: t.metric.name(),
                when: t.when.clone(),
                scenario: t.scenario.clone(),
                value: t.value,
                sd: t.sd(),
                source: t.source.clone(),
                model: predictive(st, j),
                reported,
                inside: t.value >= reported[0] && t.value <= reported[2],
            }
        })
        .collect();
    let params = problem
        .priors
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let x: Vec<f64> = st.theta.iter().map(|t| t[k]).collect();
            ParamFit {
                name: p.name,
                prior: [p.lo, p.hi],
                posterior: [0.05, 0.5, 0.95].map(|q| quantile(&x, &st.weights, q)),
            }
        })
        .collect();
    (targets, params)
}

pub fn posterior(problem: &Problem, st: &State, source: &str) -> Posterior {
    Posterior::new(problem.priors.iter().map(|p| p.name).collect(), st.theta.clone(), &st.weights, source)
}

/// The verdict per target, plain text.
pub fn verdicts(targets: &[TargetFit]) -> String {
    let mut s = String::from(
        "Each published figure against the 90% posterior predictive interval of what a survey or account of the \
         calibrated model would report (model value: its own 90% interval, without the figure's sampling error).\n\n",
    );
    for t in targets {
        // In the metric's own units ("62.0%", "−£1,173m"), as the charts show it.
        let f = crate::model::Metric::parse(t.metric).map(|m| m.format());
        let level = |v: f64| f.map_or_else(|| format!("{v:.3}"), |f| f.level(v));
        let sd = f.map_or_else(|| format!("{:.3}", t.sd), |f| f.difference(t.sd).trim_start_matches('+').to_string());
        s += &format!(
            "{} {}: figure {} (sd {sd}); would report {} to {}, model {} to {} (median {}): {}\n",
            if t.inside { "inside " } else { "OUTSIDE" },
            t.label,
            level(t.value),
            level(t.reported[0]),
            level(t.reported[2]),
            level(t.model[0]),
            level(t.model[2]),
            level(t.model[1]),
            if t.inside { "inside the interval" } else { "the model cannot reach it" }
        );
    }
    s
}

/// Writes posterior.csv, calibration.json, verdicts.txt and the charts into `dir`.
pub fn write(
    dir: &Path,
    problem: &Problem,
    targets: &Targets,
    targets_file: &str,
    settings: &Settings,
    st: &State,
    charts: bool,
) -> std::io::Result<Vec<String>> {
    // Staged and moved into place together, calibration.json (with every
    // other file's checksum) last.
    let (tfits, pfits) = fits(problem, st);
    let mut stage = crate::results::folder::Staging::new(dir)?;
    let post = posterior(problem, st, &dir.join("posterior.csv").display().to_string());
    stage.write("posterior.csv", |w| post.write_csv(w))?;
    let v = verdicts(&tfits);
    stage.write("verdicts.txt", |w| w.write_all(v.as_bytes()))?;
    let mut files = vec!["posterior.csv".to_string(), "calibration.json".into(), "verdicts.txt".into()];
    for (name, svg) in if charts { charts::all(problem, st, &tfits) } else { Vec::new() } {
        let png = crate::plot::raster::to_png(&svg).map_err(std::io::Error::other)?;
        stage.write(&format!("{name}.svg"), |w| w.write_all(svg.as_bytes()))?;
        stage.write(&format!("{name}.png"), |w| w.write_all(&png))?;
        files.push(format!("{name}.png"));
    }
    let sums = stage.checksums().clone();
    let json = Json {
        method: METHOD,
        settings,
        targets_file,
        targets_sha256: &targets.sha256,
        finished: st.done,
        posterior_worth: Worth::of(settings, st),
        generations: &st.generations,
        simulations: st.simulations(),
        wall_seconds: st.generations.last().map_or(0.0, |g| g.seconds),
        final_tolerance: st.tolerance(),
        targets: &tfits,
        parameters: &pfits,
        file_sha256: &sums,
    };
    let text = serde_json::to_string_pretty(&json).map_err(std::io::Error::other)?;
    stage.write("calibration.json", |w| w.write_all(text.as_bytes()))?;
    stage.commit("calibration.json", |_| false)?;
    Ok(files)
}
