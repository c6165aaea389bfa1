//! Value of information by nonparametric regression (Strong, Oakley and
//! Brennan 2014, Medical Decision Making 34: 311-326).
//!
//! `inb[o][w]` is option o's net benefit over the reference in world w
//! (its paired difference, signed so that larger is better). With the
//! reference's net benefit 0:
//!
//! - EVPI = mean over worlds of max(0, max_o inb) - max(0, max_o mean inb):
//!   what knowing everything that differs between worlds would be worth.
//! - EVPPI of inputs phi: the same with inb replaced by its regression on
//!   phi, an estimate of E[inb | phi]. One input: a P-spline (Eilers and
//!   Marx 1996, Statistical Science 11: 89-121), cubic B-splines on
//!   [`SEGMENTS`] equal segments with a second-order difference penalty, the
//!   smoothing parameter by generalised cross-validation (Craven and Wahba
//!   1979). Several inputs: an additive model of such splines (Hastie and
//!   Tibshirani 1990), one smoothing parameter, also by GCV; interactions
//!   between the inputs are not modelled.
//!
//! Standard errors are the standard deviation of the estimate over
//! [`BOOTSTRAP`] resamples of the worlds (each refitted with the full
//! sample's smoothing parameter), keyed by seed. Estimates are truncated
//! to 0 <= EVPPI <= EVPI, which holds for the true values.

use super::stats::{mean, sd};
use crate::calibrate::smc::cholesky;
use crate::model::rng::{Stream, draw, key};
use rand::SeedableRng;

/// Equal segments of each input's range: 11 cubic B-splines per input.
pub const SEGMENTS: usize = 8;
/// Bootstrap resamples for standard errors.
pub const BOOTSTRAP: usize = 100;
const DEGREE: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub se: f64,
}

/// mean_w max(0, max_o g[o][w]) - max(0, max_o mean_w g[o][w]) over the worlds `idx`.
fn gain(g: &[Vec<f64>], idx: &[usize]) -> f64 {
    let n = idx.len().max(1) as f64;
    let per_world = idx.iter().map(|&w| g.iter().map(|o| o[w]).fold(0.0, f64::max)).sum::<f64>() / n;
    let best_mean = g.iter().map(|o| idx.iter().map(|&w| o[w]).sum::<f64>() / n).fold(0.0, f64::max);
    per_world - best_mean
}

fn resamples(n: usize, seed: u64, b: usize) -> Vec<usize> {
    let mut rng = Stream::seed_from_u64(key(&[seed, 0x564f_4942, b as u64]));
    (0..n).map(|_| draw::index(&mut rng, n)).collect()
}

/// EVPI from the worlds' net benefits themselves.
pub fn evpi(inb: &[Vec<f64>], seed: u64) -> Estimate {
    let n = inb.first().map_or(0, Vec::len);
    let all: Vec<usize> = (0..n).collect();
    let value = gain(inb, &all);
    let boots: Vec<f64> = (0..BOOTSTRAP).map(|b| gain(inb, &resamples(n, seed, b))).collect();
    Estimate { value, se: sd(&boots) }
}

/// Cubic B-spline basis on `SEGMENTS` equal segments of [lo, hi] at x.
fn bspline_row(x: f64, lo: f64, hi: f64, out: &mut [f64]) {
    let h = (hi - lo) / SEGMENTS as f64;
    let nb = SEGMENTS + DEGREE;
    // Knots t_i = lo + (i - DEGREE) h; x at hi belongs to the last segment.
    let x = x.clamp(lo, hi);
    let seg = (((x - lo) / h).floor() as usize).min(SEGMENTS - 1);
    let t = |i: usize| lo + (i as f64 - DEGREE as f64) * h;
    // The DEGREE + 1 functions non-zero in segment `seg` (Piegl and Tiller,
    // The NURBS Book, algorithm A2.2); knot span s = seg + DEGREE.
    let s = seg + DEGREE;
    let mut b = [0.0; DEGREE + 1];
    let (mut left, mut right) = ([0.0; DEGREE + 1], [0.0; DEGREE + 1]);
    b[0] = 1.0;
    for j in 1..=DEGREE {
        left[j] = x - t(s + 1 - j);
        right[j] = t(s + j) - x;
        let mut saved = 0.0;
        for r in 0..j {
            let temp = b[r] / (right[r + 1] + left[j - r]);
            b[r] = saved + right[r + 1] * temp;
            saved = left[j - r] * temp;
        }
        b[j] = saved;
    }
    out[..nb].iter_mut().for_each(|v| *v = 0.0);
    out[seg..=seg + DEGREE].copy_from_slice(&b);
}

/// The design of an additive model: an intercept, then per varying input
/// its B-splines centred over the worlds; and its penalty (second-order
/// differences within each input's block).
struct Design {
    x: Vec<f64>,
    k: usize,
    n: usize,
    penalty: Vec<f64>,
}

fn design(inputs: &[&[f64]]) -> Option<Design> {
    let n = inputs.first().map_or(0, |c| c.len());
    let varying: Vec<&[f64]> = inputs.iter().copied().filter(|c| c.iter().any(|&v| v != c[0])).collect();
    if varying.is_empty() || n == 0 {
        return None;
    }
    let nb = SEGMENTS + DEGREE;
    let k = 1 + nb * varying.len();
    let mut x = vec![0.0; n * k];
    let mut row = vec![0.0; nb];
    for (j, c) in varying.iter().enumerate() {
        let (lo, hi) = c.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        let mut col_mean = vec![0.0; nb];
        for w in 0..n {
            bspline_row(c[w], lo, hi, &mut row);
            for (b, v) in row.iter().enumerate() {
                x[w * k + 1 + j * nb + b] = *v;
                col_mean[b] += v / n as f64;
            }
        }
        for w in 0..n {
            for b in 0..nb {
                x[w * k + 1 + j * nb + b] -= col_mean[b];
            }
        }
    }
    for w in 0..n {
        x[w * k] = 1.0;
    }
    // D'D for second differences, per block.
    let mut penalty = vec![0.0; k * k];
    for j in 0..varying.len() {
        let base = 1 + j * nb;
        for r in 0..nb - 2 {
            let d = [(r, 1.0), (r + 1, -2.0), (r + 2, 1.0)];
            for &(a, va) in &d {
                for &(b, vb) in &d {
                    penalty[(base + a) * k + base + b] += va * vb;
                }
            }
        }
    }
    Some(Design { x, k, n, penalty })
}

/// Solves (L L') z = b in place for a lower-triangular L (k x k).
fn solve(l: &[f64], k: usize, b: &mut [f64]) {
    for i in 0..k {
        let s: f64 = (0..i).map(|j| l[i * k + j] * b[j]).sum();
        b[i] = (b[i] - s) / l[i * k + i];
    }
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|j| l[j * k + i] * b[j]).sum();
        b[i] = (b[i] - s) / l[i * k + i];
    }
}

/// X'X over the worlds `idx` (with repeats), and X'y per option.
fn normal_equations(d: &Design, idx: &[usize], ys: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = d.k;
    let mut xtx = vec![0.0; k * k];
    let mut xty = vec![vec![0.0; k]; ys.len()];
    for &w in idx {
        let r = &d.x[w * k..(w + 1) * k];
        for a in 0..k {
            if r[a] == 0.0 {
                continue;
            }
            for b in 0..k {
                xtx[a * k + b] += r[a] * r[b];
            }
            for (o, y) in ys.iter().enumerate() {
                xty[o][a] += r[a] * y[w];
            }
        }
    }
    (xtx, xty)
}

/// Fitted values at every world of a fit on the worlds `idx` with smoothing `lambda`.
fn fit(d: &Design, idx: &[usize], ys: &[Vec<f64>], lambda: f64) -> (Vec<Vec<f64>>, f64) {
    let k = d.k;
    let (xtx, xty) = normal_equations(d, idx, ys);
    let a: Vec<f64> = xtx.iter().zip(&d.penalty).map(|(x, p)| x + lambda * p).collect();
    let l = cholesky(&a, k);
    let fitted = xty
        .into_iter()
        .map(|mut beta| {
            solve(&l, k, &mut beta);
            (0..d.n).map(|w| (0..k).map(|j| d.x[w * k + j] * beta[j]).sum()).collect()
        })
        .collect();
    // Effective degrees of freedom: tr(A^-1 X'X).
    let mut edf = 0.0;
    for c in 0..k {
        let mut col: Vec<f64> = (0..k).map(|r| xtx[r * k + c]).collect();
        solve(&l, k, &mut col);
        edf += col[c];
    }
    (fitted, edf)
}

/// The smoothing parameter minimising GCV = n RSS / (n - edf)^2, summed
/// over options, on a grid of powers of 10 scaled to the design.
fn choose_lambda(d: &Design, ys: &[Vec<f64>]) -> f64 {
    let all: Vec<usize> = (0..d.n).collect();
    let k = d.k;
    let trace_xtx: f64 = (0..d.n).map(|w| (0..k).map(|j| d.x[w * k + j].powi(2)).sum::<f64>()).sum();
    let trace_p: f64 = (0..k).map(|j| d.penalty[j * k + j]).sum::<f64>().max(1e-12);
    let scale = trace_xtx / trace_p;
    let n = d.n as f64;
    let mut best = (f64::INFINITY, scale);
    for e in -6..=4 {
        let lambda = scale * 10f64.powi(e);
        let (fitted, edf) = fit(d, &all, ys, lambda);
        let rss: f64 =
            ys.iter().zip(&fitted).map(|(y, f)| y.iter().zip(f).map(|(a, b)| (a - b).powi(2)).sum::<f64>()).sum();
        let gcv = n * rss / (n - edf).max(1.0).powi(2);
        if gcv < best.0 {
            best = (gcv, lambda);
        }
    }
    best.1
}

/// EVPPI of the inputs (columns over worlds), from net benefits `inb[o][w]`.
/// Inputs that do not vary carry no information: 0.
pub fn evppi(inb: &[Vec<f64>], inputs: &[&[f64]], seed: u64) -> Estimate {
    let Some(d) = design(inputs) else { return Estimate { value: 0.0, se: 0.0 } };
    if inb.is_empty() {
        return Estimate { value: 0.0, se: 0.0 };
    }
    let lambda = choose_lambda(&d, inb);
    let all: Vec<usize> = (0..d.n).collect();
    let (fitted, _) = fit(&d, &all, inb, lambda);
    let value = gain(&fitted, &all);
    let boots: Vec<f64> = (0..BOOTSTRAP)
        .map(|b| {
            let idx = resamples(d.n, seed, b);
            let (f, _) = fit(&d, &idx, inb, lambda);
            gain(&f, &idx)
        })
        .collect();
    Estimate { value, se: sd(&boots) }
}

/// Truncates an EVPPI estimate to [0, EVPI].
pub fn bounded(e: Estimate, evpi: f64) -> Estimate {
    Estimate { value: e.value.clamp(0.0, evpi.max(0.0)), se: e.se }
}

/// Mean of a column, for tests and reports.
pub fn column_mean(v: &[f64]) -> f64 {
    mean(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard normal density and distribution function (Abramowitz and
    /// Stegun 7.1.26 for erf, error below 1.5e-7).
    fn phi(z: f64) -> f64 {
        (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
    }
    fn cdf(z: f64) -> f64 {
        let x = z.abs() / std::f64::consts::SQRT_2;
        let t = 1.0 / (1.0 + 0.327_591_1 * x);
        let poly =
            t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
        let erf = 1.0 - poly * (-x * x).exp();
        if z >= 0.0 { 0.5 * (1.0 + erf) } else { 0.5 * (1.0 - erf) }
    }
    /// E[max(0, Z)] - max(0, a) for Z ~ N(a, s^2).
    fn closed_form(a: f64, s: f64) -> f64 {
        a * cdf(a / s) + s * phi(a / s) - a.max(0.0)
    }

    #[test]
    fn b_splines_sum_to_one_and_vanish_outside_their_support() {
        let mut row = vec![0.0; SEGMENTS + DEGREE];
        for x in [0.0, 0.13, 0.5, 0.999, 1.0] {
            bspline_row(x, 0.0, 1.0, &mut row);
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{x}: {row:?}");
            assert!(row.iter().all(|&v| v >= -1e-15));
            assert_eq!(row.iter().filter(|&&v| v > 0.0).count().min(4), row.iter().filter(|&&v| v > 0.0).count());
        }
    }

    /// One option against the reference, inb = a + b1 X1 + b2 X2 + e with
    /// X1, X2 ~ N(0, 1) and e ~ N(0, 0.5^2) (chance). E[inb | X1] = a + b1 X1,
    /// so EVPPI(X1) = E[max(0, Z)] - max(0, a) with Z ~ N(a, b1^2), and
    /// EVPPI(X1, X2) has the same form with sd sqrt(b1^2 + b2^2). The
    /// estimates must lie within 3 standard errors of the closed forms
    /// (a 99.7% margin if the errors are normal), and within [0, EVPI].
    #[test]
    fn evppi_matches_the_linear_gaussian_closed_form() {
        let (a, b1, b2) = (0.1, 0.5, 0.3);
        for seed in [4u64, 5] {
            let mut rng = Stream::seed_from_u64(seed);
            let n = 1000;
            let x1: Vec<f64> = (0..n).map(|_| draw::normal(&mut rng, 0.0, 1.0)).collect();
            let x2: Vec<f64> = (0..n).map(|_| draw::normal(&mut rng, 0.0, 1.0)).collect();
            let inb: Vec<Vec<f64>> =
                vec![(0..n).map(|w| a + b1 * x1[w] + b2 * x2[w] + draw::normal(&mut rng, 0.0, 0.5)).collect()];
            let total = evpi(&inb, seed);
            for (inputs, s) in
                [(vec![&x1[..]], b1), (vec![&x2[..]], b2), (vec![&x1[..], &x2[..]], (b1 * b1 + b2 * b2).sqrt())]
            {
                let e = evppi(&inb, &inputs, seed);
                let truth = closed_form(a, s);
                assert!(e.se > 0.0);
                assert!((e.value - truth).abs() <= 3.0 * e.se, "seed {seed}: {e:?} against {truth}");
                let e = bounded(e, total.value);
                assert!(0.0 <= e.value && e.value <= total.value);
            }
            // Chance adds to EVPI beyond what the inputs explain.
            assert!(total.value > closed_form(a, (b1 * b1 + b2 * b2).sqrt()));
        }
    }

    #[test]
    fn an_input_that_does_not_matter_is_worth_almost_nothing() {
        let mut rng = Stream::seed_from_u64(8);
        let n = 500;
        let x: Vec<f64> = (0..n).map(|_| draw::uniform(&mut rng)).collect();
        let inb = vec![(0..n).map(|_| draw::normal(&mut rng, 0.0, 1.0)).collect::<Vec<_>>()];
        let e = evppi(&inb, &[&x], 1);
        let total = evpi(&inb, 1);
        // Its true EVPPI is 0: the estimate (overfitting noise, so above 0) must lie within
        // 3 standard errors of it (a 99.7% margin if the errors are normal), far below EVPI.
        assert!(e.value <= 3.0 * e.se && e.value < 0.2 * total.value, "{e:?} vs EVPI {total:?}");
        let constant = vec![0.5; n];
        assert_eq!(evppi(&inb, &[&constant], 1), Estimate { value: 0.0, se: 0.0 });
    }
}
