//! The model as an ABC simulator: one simulation runs each scenario the
//! targets name (up to the last target's quarter) with the particle's
//! parameters, on one replicate keyed by the particle's stream, then adds
//! the sampling error each published figure carries (a survey's binomial
//! error, or the stated sd), so that the posterior is one under observation
//! error (Wilkinson 2013) and not of a model that hits figures exactly.

use super::smc::Sim;
use crate::core::params::Params;
use crate::core::quarter::Quarter;
use crate::model::Replicate;
use crate::model::init::Setup;
use crate::model::rng::{Keys, Stream, draw, key};
use crate::scenario::Scenario;
use crate::structure::Structure;
use crate::targets::{Prior, Target, Targets, Uncertainty};
use rand::SeedableRng;

/// Scenarios, their structures, and where each target reads.
pub struct Problem {
    pub scenarios: Vec<Scenario>,
    structures: Vec<Structure>,
    pub targets: Vec<Target>,
    pub priors: Vec<Prior>,
    /// For each target: its scenario, and the quarters' offsets in that run.
    at: Vec<(usize, Vec<usize>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProblemError {
    #[error(
        "{place}: target {index} ({label}): {quarter} is outside the scenario `{scenario}`'s run, {start} to {end}\n  \
         = allowed: a quarter from {start} to {end}, or another `scenario` whose run includes it"
    )]
    Quarter {
        place: String,
        index: usize,
        label: String,
        quarter: Quarter,
        scenario: String,
        start: Quarter,
        end: Quarter,
    },
    #[error(
        "[priors]: draws from these ranges, with scenario `{scenario}`'s other parameters, can break a rule \
         between parameters: `{name}` must be {rule}\n  = allowed: ranges every draw of which keeps {rule}; \
         narrow them"
    )]
    Rule { scenario: String, name: String, rule: String },
}

/// The parameters most likely to break a rule between parameters within
/// the priors' box: each at the end of its range that threatens the rules
/// (`*_effect_min` high, every other low: weights and shares at their least).
fn worst_corner(base: &Params, priors: &[Prior]) -> Params {
    let mut p = base.clone();
    for pr in priors {
        p.set(pr.name, if pr.name.ends_with("_effect_min") { pr.hi } else { pr.lo });
    }
    p
}

impl Problem {
    /// `load` finds a scenario by the name a target gives (a built-in name or a file).
    pub fn new(
        t: &Targets,
        mut load: impl FnMut(&str) -> Result<Scenario, crate::scenario::ScenarioError>,
    ) -> Result<Problem, Box<dyn std::error::Error + Send + Sync>> {
        let mut scenarios: Vec<Scenario> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut at = Vec::new();
        for (index, tg) in t.targets.iter().enumerate() {
            let s = match names.iter().position(|n| *n == tg.scenario) {
                Some(k) => k,
                None => {
                    scenarios.push(load(&tg.scenario)?);
                    names.push(tg.scenario.clone());
                    scenarios.len() - 1
                }
            };
            let sc = &scenarios[s];
            let mut offsets = Vec::new();
            for &q in &tg.quarters {
                if q < sc.start || q > sc.end {
                    return Err(Box::new(ProblemError::Quarter {
                        place: tg.place.clone(),
                        index,
                        label: tg.label(),
                        quarter: q,
                        scenario: sc.name.clone(),
                        start: sc.start,
                        end: sc.end,
                    }));
                }
                offsets.push(sc.start.span_to(q) - 1);
            }
            at.push((s, offsets));
        }
        for sc in &scenarios {
            if let Err((name, rule)) = worst_corner(&sc.params, &t.priors).cross_check() {
                return Err(Box::new(ProblemError::Rule { scenario: sc.name.clone(), name, rule }));
            }
        }
        // Each scenario runs only as far as its last target.
        for (s, sc) in scenarios.iter_mut().enumerate() {
            let last = at.iter().filter(|(k, _)| *k == s).flat_map(|(_, o)| o.iter().copied()).max().unwrap_or(0);
            sc.end = sc.start.offset(last);
            let end = sc.end;
            sc.levers.retain(|l| l.start <= end);
        }
        let structures = scenarios.iter().map(|s| s.build_structure(s.seed.unwrap_or(2016))).collect();
        Ok(Problem { scenarios, structures, targets: t.targets.clone(), priors: t.priors.clone(), at })
    }

    pub fn bounds(&self) -> Vec<(f64, f64)> {
        self.priors.iter().map(|p| (p.lo, p.hi)).collect()
    }

    /// A scenario's parameters with the particle's values.
    pub fn params(&self, base: &Params, theta: &[f64]) -> Params {
        let mut p = base.clone();
        for (pr, &x) in self.priors.iter().zip(theta) {
            p.set(pr.name, x);
        }
        p
    }

    /// Each target's model value (the mean over its quarters) on one replicate.
    pub fn model_values(&self, theta: &[f64], stream: u64) -> Vec<f64> {
        let keys = Keys { seed: stream, replicate: 0 };
        let mut out = vec![0.0; self.targets.len()];
        for (s, sc) in self.scenarios.iter().enumerate() {
            let p = self.params(&sc.params, theta);
            let setup = Setup { params: &p, levers: &sc.levers, ready: &sc.ready_index };
            let mut rep = Replicate::new(&self.structures[s], setup, keys);
            for (k, q) in sc.quarters().into_iter().enumerate() {
                let row = rep.step(q);
                for (j, (ts, offs)) in self.at.iter().enumerate() {
                    if *ts == s && offs.contains(&k) {
                        out[j] += row[self.targets[j].metric as usize] / offs.len() as f64;
                    }
                }
            }
        }
        out
    }

    /// One simulation: model values, then what a survey or account of them
    /// would report; the distance is the root mean square of the reports'
    /// differences from the published figures, each in its own sd.
    pub fn simulate(&self, theta: &[f64], stream: u64) -> Sim {
        let model = self.model_values(theta, stream);
        let mut rng = Stream::seed_from_u64(key(&[stream, 0x0055_5256_4559]));
        let observed: Vec<f64> = model.iter().zip(&self.targets).map(|(&m, t)| observe(m, t, &mut rng)).collect();
        let z2: f64 = observed.iter().zip(&self.targets).map(|(&o, t)| ((o - t.value) / t.sd()).powi(2)).sum();
        let distance = (z2 / self.targets.len() as f64).sqrt();
        Sim {
            distance: if distance.is_finite() { distance } else { f64::INFINITY },
            values: [model, observed].concat(),
        }
    }
}

/// What a survey of `n` (binomial, by its normal approximation, clamped to
/// [0, 1]) or an account with error sd would report of a model value.
pub fn observe(model: f64, t: &Target, rng: &mut Stream) -> f64 {
    match t.uncertainty {
        Uncertainty::Survey { n } => {
            let sd = (model.clamp(0.0, 1.0) * (1.0 - model.clamp(0.0, 1.0)) / n as f64).sqrt();
            (model + draw::normal(rng, 0.0, sd)).clamp(0.0, 1.0)
        }
        Uncertainty::Sd { sd } => model + draw::normal(rng, 0.0, sd),
    }
}
