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
//! particle by `moves` ABC-MCMC steps with a Gaussian random walk scaled from
//! the particles' covariance. Once it stops, a final rejuvenation (Drovandi
//! and Pettitt 2011, Biometrics 67: 225-233, move the particles at the final
//! tolerance until they are diverse) keeps moving every particle until enough
//! distinct parameter vectors survive. The simulator is a plain function, so
//! the method is tested on problems with known answers before it meets the model.

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
    /// ABC-MCMC moves of every live particle per generation: this many, or
    /// with `adaptive_moves` at most this many.
    #[serde(default = "one")]
    pub moves: usize,
    /// Moves per generation from the last acceptance rate (Drovandi and
    /// Pettitt 2011): enough that a particle stays put with chance at most
    /// 1/2, R = ceil(ln 0.5 / ln(1 - acceptance)), capped by `moves`.
    #[serde(default)]
    pub adaptive_moves: bool,
    /// Final rejuvenation: once stopped, keep moving every particle at the
    /// final tolerance until this many distinct parameter vectors (0: none)...
    #[serde(default)]
    pub min_distinct: usize,
    /// ... or this many rejuvenation moves have run.
    #[serde(default)]
    pub max_rejuvenation: usize,
}

fn one() -> usize {
    1
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
            moves: 1,
            adaptive_moves: false,
            min_distinct: 0,
            max_rejuvenation: 0,
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
    /// A move of the final rejuvenation (same tolerance, no reweighting).
    #[serde(default)]
    pub rejuvenation: bool,
    /// Distinct parameter vectors among the particles, and the effective
    /// sample size with identical vectors' weights summed first.
    #[serde(default)]
    pub distinct: usize,
    #[serde(default)]
    pub distinct_ess: f64,
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
    /// Why the tolerance stopped falling (set before any rejuvenation).
    #[serde(default)]
    pub stop: Option<StopReason>,
}

/// Why the sequence of tolerances ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The final tolerance was reached.
    Tolerance,
    /// Fewer than `min_acceptance` of the moves were accepted.
    Acceptance,
    /// `max_generations` ran.
    Generations,
    /// No particle was within any smaller tolerance.
    NoCloserParticle,
}

impl StopReason {
    pub fn describe(self, s: &Settings) -> String {
        match self {
            StopReason::Tolerance => format!("reached the final tolerance {}", s.final_tolerance),
            StopReason::Acceptance => {
                format!("acceptance of moves fell below {:.1}%", 100.0 * s.min_acceptance)
            }
            StopReason::Generations => format!("ran its {} generations", s.max_generations),
            StopReason::NoCloserParticle => "no particle was within a smaller tolerance".into(),
        }
    }
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

/// Effective sample size of unnormalised weights (Kong, Liu and Wong 1994):
/// (sum w)^2 / sum w^2, that is 1 / sum of squared normalised weights.
pub fn ess(w: &[f64]) -> f64 {
    let s: f64 = w.iter().sum();
    let s2: f64 = w.iter().map(|x| x * x).sum();
    if s2 > 0.0 { s * s / s2 } else { 0.0 }
}

/// Distinct parameter vectors with weight above 0, and the effective sample
/// size once identical vectors' weights are summed: copies left by
/// resampling count once, so this is what a posterior file is worth. The
/// vectors are summed in key order (a `BTreeMap`, not a hash map's random
/// order), so the recorded ESS has the same bits on every run.
pub fn distinct_ess(theta: &[Vec<f64>], w: &[f64]) -> (usize, f64) {
    let mut summed: std::collections::BTreeMap<Vec<u64>, f64> = std::collections::BTreeMap::new();
    for (t, &wi) in theta.iter().zip(w) {
        if wi > 0.0 {
            *summed.entry(t.iter().map(|x| x.to_bits()).collect()).or_default() += wi;
        }
    }
    let v: Vec<f64> = summed.into_values().collect();
    (v.len(), ess(&v))
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
    let (n, m) = (settings.particles, settings.replicates);
    let clock = std::time::Instant::now();
    // Move k > 0 of a generation draws from streams of its own; move 0 keeps
    // the keys of the one-move scheme.
    let sim_many = |theta: &[f64], g: usize, i: usize, k: usize| -> Vec<Sim> {
        (0..m)
            .map(|r| {
                let base = [settings.seed, g as u64, i as u64, r as u64];
                simulate(theta, if k == 0 { key(&base) } else { key(&[base[0], base[1], base[2], base[3], k as u64]) })
            })
            .collect()
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
            let sims: Vec<Vec<Sim>> = theta.par_iter().enumerate().map(|(i, t)| sim_many(t, 0, i, 0)).collect();
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
                    rejuvenation: false,
                    distinct: n,
                    distinct_ess: n as f64,
                    simulations: (n * m) as u64,
                    seconds: clock.elapsed().as_secs_f64(),
                }],
                done: false,
                stop: None,
            };
            progress(&st);
            st
        }
    };
    let seconds0 = st.generations.last().map_or(0.0, |g| g.seconds);
    let rejuvenating = |st: &State| {
        let (distinct, _) = distinct_ess(&st.theta, &st.weights);
        let moves = st.generations.iter().filter(|g| g.rejuvenation).count();
        distinct < settings.min_distinct && moves < settings.max_rejuvenation
    };
    while !st.done {
        let g = st.generations.len();
        if st.stop.is_some() {
            // Final rejuvenation: resample to equal weights if they are not
            // (a particle of weight 0 never moves), then move every particle
            // at the final tolerance.
            let eps = st.tolerance();
            let resampled = resample_if(&mut st, settings, g, |w| w.iter().any(|x| *x != w[0]));
            let (accepted, live) = mcmc_move(&mut st, bounds, eps, g, 0, settings, &sim_many);
            let sims_before = st.simulations();
            record(&mut st, g, eps, accepted, live, resampled, true, sims_before + (live * m) as u64, seconds0, &clock);
            st.done = !rejuvenating(&st);
            progress(&st);
            continue;
        }
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
            st.stop = Some(StopReason::NoCloserParticle);
            st.done = !rejuvenating(&st);
            continue;
        }
        weights.iter_mut().for_each(|w| *w /= total);
        st.weights = weights;
        let resampled = resample_if(&mut st, settings, g, |w| ess(w) < 0.5 * n as f64);
        let (mut accepted, mut live, mut ran) = (0, 0, 0u64);
        for k in 0..moves_for(settings, &st) {
            let (a, l) = mcmc_move(&mut st, bounds, eps, g, k, settings, &sim_many);
            accepted += a;
            live += l;
            ran += (l * m) as u64;
        }
        let sims = st.simulations() + ran;
        record(&mut st, g, eps, accepted, live, resampled, false, sims, seconds0, &clock);
        let acceptance = st.generations.last().map_or(1.0, |x| x.acceptance);
        st.stop = if eps <= settings.final_tolerance {
            Some(StopReason::Tolerance)
        } else if acceptance < settings.min_acceptance {
            Some(StopReason::Acceptance)
        } else if g >= settings.max_generations {
            Some(StopReason::Generations)
        } else {
            None
        };
        st.done = st.stop.is_some() && !rejuvenating(&st);
        progress(&st);
    }
    st
}

/// MCMC moves this generation: `moves`, or with `adaptive_moves` enough that
/// a particle stays put with chance at most 1/2 at the last acceptance rate.
fn moves_for(settings: &Settings, st: &State) -> usize {
    let cap = settings.moves.max(1);
    if !settings.adaptive_moves {
        return cap;
    }
    let a = st.generations.last().map_or(1.0, |g| g.acceptance).clamp(1e-6, 1.0);
    if a >= 0.5 {
        return 1;
    }
    ((0.5f64.ln() / (1.0 - a).ln()).ceil() as usize).clamp(1, cap)
}

/// Systematic resampling of the particles to equal weights, when `when` holds of their weights.
fn resample_if(st: &mut State, settings: &Settings, g: usize, when: impl Fn(&[f64]) -> bool) -> bool {
    if !when(&st.weights) {
        return false;
    }
    let n = st.weights.len();
    let mut rng = Stream::seed_from_u64(key(&[settings.seed, g as u64, u64::MAX - 1]));
    let idx = systematic(&st.weights, n, draw::uniform(&mut rng));
    st.theta = idx.iter().map(|&i| st.theta[i].clone()).collect();
    st.sims = idx.iter().map(|&i| st.sims[i].clone()).collect();
    st.weights = vec![1.0 / n as f64; n];
    true
}

/// Appends a finished generation (or rejuvenation move) to the record.
#[allow(clippy::too_many_arguments)]
fn record(
    st: &mut State,
    g: usize,
    eps: f64,
    accepted: usize,
    live: usize,
    resampled: bool,
    rejuvenation: bool,
    simulations: u64,
    seconds0: f64,
    clock: &std::time::Instant,
) {
    let (distinct, distinct_ess) = distinct_ess(&st.theta, &st.weights);
    st.generations.push(Generation {
        generation: g,
        tolerance: eps,
        ess: ess(&st.weights),
        acceptance: accepted as f64 / live.max(1) as f64,
        resampled,
        rejuvenation,
        distinct,
        distinct_ess,
        // Moves outside the prior cost no simulation; count what ran.
        simulations,
        seconds: seconds0 + clock.elapsed().as_secs_f64(),
    });
}

/// One ABC-MCMC move of every live particle at tolerance `eps` (Marjoram,
/// Molitor, Plagnol and Tavare 2003, with M simulations per particle as a
/// pseudo-marginal likelihood): a random walk with the particles' weighted
/// covariance scaled by 2.38^2 / d (Roberts, Gelman and Gilks 1997),
/// reflected at the prior's bounds so that it stays symmetric and never
/// leaves the prior. Returns (accepted, live).
fn mcmc_move<S>(
    st: &mut State,
    bounds: &Bounds,
    eps: f64,
    g: usize,
    k: usize,
    settings: &Settings,
    sim_many: &S,
) -> (usize, usize)
where
    S: Fn(&[f64], usize, usize, usize) -> Vec<Sim> + Sync,
{
    let (n, d) = (st.theta.len(), bounds.len());
    let chol = cholesky(&covariance(&st.theta, &st.weights), d);
    let scale = 2.38 / (d as f64).sqrt();
    let moves: Vec<Option<(Vec<f64>, Vec<Sim>)>> = (0..n)
        .into_par_iter()
        .map(|i| {
            if st.weights[i] == 0.0 {
                return None;
            }
            let tail = [settings.seed, g as u64, i as u64, u64::MAX - 2];
            let mut rng = Stream::seed_from_u64(if k == 0 {
                key(&tail)
            } else {
                key(&[tail[0], tail[1], tail[2], tail[3], k as u64])
            });
            let z: Vec<f64> = (0..d).map(|_| draw::normal(&mut rng, 0.0, 1.0)).collect();
            let prop: Vec<f64> = (0..d)
                .map(|a| {
                    let x = st.theta[i][a] + scale * (0..=a).map(|b| chol[a * d + b] * z[b]).sum::<f64>();
                    reflect(x, bounds[a])
                })
                .collect();
            let u = draw::uniform(&mut rng);
            let sims = sim_many(&prop, g, i, k);
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
    (accepted, live)
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
    fn several_moves_and_a_final_rejuvenation_diversify_the_particles() {
        // Stopped early (acceptance cannot fall below 100%), the particles
        // are mostly copies; the rejuvenation moves them until 90% are
        // distinct, and the posterior is still the known one.
        let f = gaussian(1.0, 4.0);
        let base = Settings { particles: 400, replicates: 2, final_tolerance: 0.3, ..Default::default() };
        let plain = run(&[(-5.0, 5.0)], &Settings { max_generations: 6, ..base.clone() }, &f, None, &mut |_| {});
        let s = Settings { max_generations: 6, moves: 2, min_distinct: 360, max_rejuvenation: 60, ..base };
        let mut saved = Vec::new();
        let st = run(&[(-5.0, 5.0)], &s, &f, None, &mut |st| saved.push(st.clone()));
        assert_eq!(st.stop, Some(StopReason::Generations));
        let (distinct, e) = distinct_ess(&st.theta, &st.weights);
        let (plain_distinct, _) = distinct_ess(&plain.theta, &plain.weights);
        assert!(distinct >= 360 && distinct > plain_distinct, "{distinct} distinct (one move: {plain_distinct})");
        assert!(e > 300.0 && e <= distinct as f64, "distinct ESS {e}");
        let last = st.generations.last().unwrap();
        assert!(last.rejuvenation && last.distinct == distinct && last.tolerance == st.generations[6].tolerance);
        let x: Vec<f64> = st.theta.iter().map(|t| t[0]).collect();
        let mean: f64 = x.iter().zip(&st.weights).map(|(x, w)| x * w).sum();
        // Exact mean 1; tolerance 0.3 sd and six generations leave it within 0.1.
        assert!((mean - 1.0).abs() < 0.1, "mean {mean}");
        // A rejuvenation resumes like any generation.
        let mid = saved.iter().find(|x| x.stop.is_some() && !x.done).expect("a saved rejuvenation").clone();
        let resumed = run(&[(-5.0, 5.0)], &s, &f, Some(mid), &mut |_| {});
        assert_eq!(resumed.theta, st.theta);
    }

    #[test]
    fn adaptive_moves_follow_the_acceptance_rate() {
        let mut st =
            State { theta: vec![], weights: vec![], sims: vec![], generations: vec![], done: false, stop: None };
        let s = Settings { moves: 10, adaptive_moves: true, ..Default::default() };
        let generation = |acceptance| Generation {
            generation: 1,
            tolerance: 1.0,
            ess: 1.0,
            acceptance,
            resampled: false,
            rejuvenation: false,
            distinct: 1,
            distinct_ess: 1.0,
            simulations: 1,
            seconds: 0.0,
        };
        // ln 0.5 / ln(1 - a): 1 at 50%, 3.1 at 20%, 6.6 at 10%, 13.5 at 5% (capped).
        for (a, r) in [(0.6, 1), (0.5, 1), (0.2, 4), (0.1, 7), (0.05, 10)] {
            st.generations = vec![generation(a)];
            assert_eq!(moves_for(&s, &st), r, "acceptance {a}");
        }
        assert_eq!(moves_for(&Settings { adaptive_moves: false, ..s }, &st), 10);
    }

    #[test]
    fn identical_rows_count_once_in_the_distinct_ess() {
        let theta = vec![vec![1.0], vec![1.0], vec![2.0], vec![3.0]];
        // Rows 0 and 1 are one vector of weight 0.5: ESS = 1 / (0.25 + 0.0625 * 2) = 2.667.
        let (n, e) = distinct_ess(&theta, &[0.25, 0.25, 0.25, 0.25]);
        assert_eq!(n, 3);
        assert!((e - 1.0 / 0.375).abs() < 1e-12, "{e}");
        assert_eq!(ess(&[0.25; 4]), 4.0, "the plain ESS counts copies as particles");
        assert_eq!(distinct_ess(&theta, &[0.0, 0.0, 1.0, 1.0]), (2, 2.0), "zero weights do not count");
    }

    #[test]
    fn the_distinct_ess_has_the_same_bits_in_any_row_order() {
        // Weights whose sums round differently by order: the ESS recorded in
        // calibration.json must not depend on the order distinct vectors are met.
        let theta: Vec<Vec<f64>> = (0..200).map(|i| vec![(i % 37) as f64, (i % 11) as f64]).collect();
        let w: Vec<f64> = (0..200).map(|i| 1.0 / (1.0 + (i as f64 * 0.731).sin().abs() * 1e3)).collect();
        let first = distinct_ess(&theta, &w);
        for shift in [1, 7, 99] {
            let (t, v): (Vec<_>, Vec<_>) =
                (0..200).map(|i| (theta[(i + shift) % 200].clone(), w[(i + shift) % 200])).unzip();
            let again = distinct_ess(&t, &v);
            assert_eq!((again.0, again.1.to_bits()), (first.0, first.1.to_bits()), "shift {shift}");
        }
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
