//! ABC-SMC with adaptive tolerances after Del Moral, Doucet and Jasra (2012),
//! "An adaptive sequential Monte Carlo method for approximate Bayesian
//! computation", Statistics and Computing 22: 1009-1020; the population
//! scheme of Beaumont, Cornuet, Marin and Robert (2009), Biometrika 96: 983-990.
//!
//! Each particle carries M simulations (replicates), so the model's own
//! noise enters through the share of a particle's replicates within the
//! tolerance, an unbiased estimate of the ABC likelihood. Each generation
//! lowers the tolerance so that the effective sample size falls by `alpha`,
//! reweights, resamples when the ESS drops below half, and moves every live
//! particle by one ABC-MCMC step with a Gaussian random walk scaled from the
//! particles' covariance. The simulator is a plain function, so the method is
//! tested on problems with known answers before it meets the model.

use crate::model::rng::{Stream, draw, key};
use rand::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Settings of one calibration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub particles: usize,
    /// Simulations per particle (M).
    pub replicates: usize,
    /// Share of the effective sample size kept from one tolerance to the next.
    pub alpha: f64,
    /// Stop once the tolerance reaches this distance.
    pub final_tolerance: f64,
    /// Stop once fewer than this share of moves are accepted.
    pub min_acceptance: f64,
    pub max_generations: usize,
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            particles: 400,
            replicates: 4,
            alpha: 0.8,
            final_tolerance: 0.8,
            min_acceptance: 0.02,
            max_generations: 40,
            seed: 2016,
        }
    }
}

/// What a simulation returns: a distance to the data, and the summaries
/// behind it (kept for the posterior predictive).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sim {
    #[serde(with = "infinite_as_null")]
    pub distance: f64,
    pub values: Vec<f64>,
}

/// One finished generation, for calibration.json and the progress line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub generation: usize,
    /// Infinite (null in JSON) for the first generation, drawn from the prior.
    #[serde(with = "infinite_as_null")]
    pub tolerance: f64,
    pub ess: f64,
    /// Share of ABC-MCMC moves accepted (1 for the first, drawn from the prior).
    pub acceptance: f64,
    pub resampled: bool,
    /// Simulations so far, all generations.
    pub simulations: u64,
    pub seconds: f64,
}

/// The particle population after a generation: everything needed to resume.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub theta: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
    /// Each particle's M simulations.
    pub sims: Vec<Vec<Sim>>,
    pub generations: Vec<Generation>,
    pub done: bool,
}

impl State {
    pub fn tolerance(&self) -> f64 {
        self.generations.last().map_or(f64::INFINITY, |g| g.tolerance)
    }
    pub fn simulations(&self) -> u64 {
        self.generations.last().map_or(0, |g| g.simulations)
    }
}

/// JSON has no infinity: an infinite distance or tolerance is written as null.
mod infinite_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() { s.serialize_f64(*x) } else { s.serialize_none() }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
    }
}

/// Effective sample size of unnormalised weights.
pub fn ess(w: &[f64]) -> f64 {
    let s: f64 = w.iter().sum();
    let s2: f64 = w.iter().map(|x| x * x).sum();
    if s2 > 0.0 { s * s / s2 } else { 0.0 }
}

fn within(sims: &[Sim], eps: f64) -> usize {
    sims.iter().filter(|s| s.distance <= eps).count()
}

/// Weights at tolerance `eps`, from those at the previous tolerance.
fn reweight(st: &State, eps_prev: f64, eps: f64) -> Vec<f64> {
    st.weights
        .iter()
        .zip(&st.sims)
        .map(|(&w, s)| {
            if w == 0.0 {
                return 0.0;
            }
            let (a, b) = (within(s, eps) as f64, within(s, eps_prev) as f64);
            if b > 0.0 { w * a / b } else { 0.0 }
        })
        .collect()
}

/// Bounds of the uniform prior, one per parameter.
pub type Bounds = [(f64, f64)];

/// Runs (or continues) ABC-SMC. `simulate(theta, stream_key)` returns one
/// simulation; `progress` hears of every finished generation, and may save
/// the state (a kill then loses at most the generation under way).
pub fn run<F>(
    bounds: &Bounds,
    settings: &Settings,
    simulate: &F,
    resume: Option<State>,
    progress: &mut dyn FnMut(&State),
) -> State
where
    F: Fn(&[f64], u64) -> Sim + Sync,
{
    let (n, m, d) = (settings.particles, settings.replicates, bounds.len());
    let clock = std::time::Instant::now();
    let sim_many = |theta: &[f64], g: usize, i: usize| -> Vec<Sim> {
        (0..m).map(|r| simulate(theta, key(&[settings.seed, g as u64, i as u64, r as u64]))).collect()
    };
    let mut st = match resume {
        Some(s) => s,
        None => {
            let theta: Vec<Vec<f64>> = (0..n)
                .map(|i| {
                    let mut rng = Stream::seed_from_u64(key(&[settings.seed, 0, i as u64, u64::MAX]));
                    bounds.iter().map(|&(lo, hi)| lo + (hi - lo) * draw::uniform(&mut rng)).collect()
                })
                .collect();
            let sims: Vec<Vec<Sim>> = theta.par_iter().enumerate().map(|(i, t)| sim_many(t, 0, i)).collect();
            let st = State {
                theta,
                weights: vec![1.0 / n as f64; n],
                sims,
                generations: vec![Generation {
                    generation: 0,
                    tolerance: f64::INFINITY,
                    ess: n as f64,
                    acceptance: 1.0,
                    resampled: false,
                    simulations: (n * m) as u64,
                    seconds: clock.elapsed().as_secs_f64(),
                }],
                done: false,
            };
            progress(&st);
            st
        }
    };
    let seconds0 = st.generations.last().map_or(0.0, |g| g.seconds);
    while !st.done {
        let g = st.generations.len();
        let eps_prev = st.tolerance();
        // Next tolerance: the ESS falls by alpha (bisection over distances).
        let target = settings.alpha * ess(&st.weights);
        let max_d = st.sims.iter().flatten().map(|s| s.distance).filter(|d| d.is_finite()).fold(0.0, f64::max);
        let (mut lo, mut hi) = (settings.final_tolerance.min(max_d), eps_prev.min(max_d));
        let mut eps = if ess(&reweight(&st, eps_prev, lo)) >= target {
            lo
        } else {
            for _ in 0..60 {
                let mid = 0.5 * (lo + hi);
                if ess(&reweight(&st, eps_prev, mid)) >= target {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            hi
        };
        eps = eps.max(settings.final_tolerance);
        let mut weights = reweight(&st, eps_prev, eps);
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            // No particle is within any smaller tolerance: stay where we are.
            st.done = true;
            break;
        }
        weights.iter_mut().for_each(|w| *w /= total);
        let mut resampled = false;
        if ess(&weights) < 0.5 * n as f64 {
            let mut rng = Stream::seed_from_u64(key(&[settings.seed, g as u64, u64::MAX - 1]));
            let idx = systematic(&weights, n, draw::uniform(&mut rng));
            st.theta = idx.iter().map(|&i| st.theta[i].clone()).collect();
            st.sims = idx.iter().map(|&i| st.sims[i].clone()).collect();
            weights = vec![1.0 / n as f64; n];
            resampled = true;
        }
        st.weights = weights;
        // One ABC-MCMC move per live particle: a random walk with the
        // particles' weighted covariance scaled by 2.38^2 / d (Roberts, Gelman
        // and Gilks 1997), reflected at the prior's bounds so that it stays
        // symmetric and never leaves the prior.
        let chol = cholesky(&covariance(&st.theta, &st.weights), d);
        let scale = 2.38 / (d as f64).sqrt();
        let moves: Vec<Option<(Vec<f64>, Vec<Sim>)>> = (0..n)
            .into_par_iter()
            .map(|i| {
                if st.weights[i] == 0.0 {
                    return None;
                }
                let mut rng = Stream::seed_from_u64(key(&[settings.seed, g as u64, i as u64, u64::MAX - 2]));
                let z: Vec<f64> = (0..d).map(|_| draw::normal(&mut rng, 0.0, 1.0)).collect();
                let prop: Vec<f64> = (0..d)
                    .map(|a| {
                        let x = st.theta[i][a] + scale * (0..=a).map(|b| chol[a * d + b] * z[b]).sum::<f64>();
                        reflect(x, bounds[a])
                    })
                    .collect();
                let u = draw::uniform(&mut rng);
                let sims = sim_many(&prop, g, i);
                let (a_new, a_old) = (within(&sims, eps) as f64, within(&st.sims[i], eps) as f64);
                (a_old > 0.0 && u < a_new / a_old).then_some((prop, sims))
            })
            .collect();
        let live = st.weights.iter().filter(|w| **w > 0.0).count();
        let mut accepted = 0;
        for (i, mv) in moves.into_iter().enumerate() {
            if let Some((t, s)) = mv {
                st.theta[i] = t;
                st.sims[i] = s;
                accepted += 1;
            }
        }
        let acceptance = accepted as f64 / live.max(1) as f64;
        let sims_before = st.simulations();
        st.generations.push(Generation {
            generation: g,
            tolerance: eps,
            ess: ess(&st.weights),
            acceptance,
            resampled,
            // Moves outside the prior cost no simulation; count what ran.
            simulations: sims_before + (live * m) as u64,
            seconds: seconds0 + clock.elapsed().as_secs_f64(),
        });
        st.done =
            eps <= settings.final_tolerance || acceptance < settings.min_acceptance || g >= settings.max_generations;
        progress(&st);
    }
    st
}

/// Folds a step that left [lo, hi] back inside, as a mirror would.
pub fn reflect(mut x: f64, (lo, hi): (f64, f64)) -> f64 {
    let w = hi - lo;
    if w.is_nan() || w <= 0.0 || !x.is_finite() {
        return lo;
    }
    x = (x - lo).rem_euclid(2.0 * w);
    lo + if x > w { 2.0 * w - x } else { x }
}

/// Systematic resampling: `n` indices by weight from one uniform draw.
pub fn systematic(w: &[f64], n: usize, u: f64) -> Vec<usize> {
    let total: f64 = w.iter().sum();
    let mut out = Vec::with_capacity(n);
    let (mut cum, mut j) = (w[0] / total, 0);
    for k in 0..n {
        let x = (k as f64 + u) / n as f64;
        while x > cum && j + 1 < w.len() {
            j += 1;
            cum += w[j] / total;
        }
        out.push(j);
    }
    out
}

/// Weighted covariance of the particles, row-major d x d.
pub fn covariance(theta: &[Vec<f64>], w: &[f64]) -> Vec<f64> {
    let d = theta.first().map_or(0, |t| t.len());
    let total: f64 = w.iter().sum();
    let mean: Vec<f64> = (0..d).map(|a| theta.iter().zip(w).map(|(t, w)| w * t[a]).sum::<f64>() / total).collect();
    let mut c = vec![0.0; d * d];
    for (t, &wi) in theta.iter().zip(w) {
        for a in 0..d {
            for b in 0..d {
                c[a * d + b] += wi * (t[a] - mean[a]) * (t[b] - mean[b]) / total;
            }
        }
    }
    c
}

/// Weighted statistics live in the vocabulary floor (posteriors use them too).
pub use crate::core::stats::{cholesky, quantile};

#[cfg(test)]
mod tests {
    use super::*;

    /// A normal mean with known variance 1 and a flat prior: the posterior of
    /// mu given the mean of k draws is Normal(ybar, 1/k).
    fn gaussian(ybar: f64, k: f64) -> impl Fn(&[f64], u64) -> Sim + Sync {
        move |th: &[f64], key: u64| {
            let mut rng = Stream::seed_from_u64(key);
            let sim = th[0] + draw::normal(&mut rng, 0.0, 1.0 / k.sqrt());
            let z = (sim - ybar) * k.sqrt();
            Sim { distance: z.abs(), values: vec![sim] }
        }
    }

    #[test]
    fn recovers_a_known_normal_posterior() {
        let s = Settings { particles: 600, replicates: 3, final_tolerance: 0.1, ..Default::default() };
        let st = run(&[(-5.0, 5.0)], &s, &gaussian(1.0, 4.0), None, &mut |_| {});
        let x: Vec<f64> = st.theta.iter().map(|t| t[0]).collect();
        let mean: f64 = x.iter().zip(&st.weights).map(|(x, w)| x * w).sum();
        let sd = x.iter().zip(&st.weights).map(|(x, w)| w * (x - mean).powi(2)).sum::<f64>().sqrt();
        // Exact: mean 1, sd 0.5. The tolerance 0.1 sd widens it by about 1%.
        assert!((mean - 1.0).abs() < 0.08, "mean {mean}");
        assert!((sd - 0.5).abs() < 0.08, "sd {sd}");
        assert!(st.generations.windows(2).all(|g| g[1].tolerance < g[0].tolerance), "tolerances fall");
    }

    #[test]
    fn resuming_from_a_saved_generation_gives_the_same_answer() {
        let s = Settings { particles: 100, replicates: 2, final_tolerance: 0.3, ..Default::default() };
        let f = gaussian(0.5, 1.0);
        let whole = run(&[(-5.0, 5.0)], &s, &f, None, &mut |_| {});
        let mut saved = Vec::new();
        run(&[(-5.0, 5.0)], &s, &f, None, &mut |st| saved.push(st.clone()));
        let mut third = saved[2].clone();
        third.generations.iter_mut().for_each(|g| g.seconds = 0.0);
        let resumed = run(&[(-5.0, 5.0)], &s, &f, Some(third), &mut |_| {});
        assert_eq!(resumed.theta, whole.theta);
        assert_eq!(resumed.weights, whole.weights);
    }

    #[test]
    fn systematic_resampling_follows_the_weights() {
        let idx = systematic(&[0.0, 3.0, 1.0, 0.0], 8, 0.5);
        assert_eq!(idx, vec![1, 1, 1, 1, 1, 1, 2, 2]);
        let l = cholesky(&[4.0, 2.0, 2.0, 3.0], 2);
        assert!((l[0] - 2.0).abs() < 1e-5 && (l[2] - 1.0).abs() < 1e-5 && (l[3] - 2f64.sqrt()).abs() < 1e-5);
        assert_eq!(quantile(&[3.0, 1.0, 2.0], &[1.0, 1.0, 1.0], 0.5), 2.0);
        assert!((reflect(1.2, (0.0, 1.0)) - 0.8).abs() < 1e-12);
        assert!((reflect(-0.3, (0.0, 1.0)) - 0.3).abs() < 1e-12);
        assert!((reflect(2.5, (0.0, 1.0)) - 0.5).abs() < 1e-12);
    }
}
