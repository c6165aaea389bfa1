//! Sensitivity indices from model outputs.
//!
//! [`sobol_indices`] reads outputs at the points of
//! [`saltelli`](super::design::saltelli); [`morris_indices`] reads outputs at
//! the points of [`morris`](super::design::morris).

use crate::model::rng::{self, draw};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct SobolIndex {
    pub factor: usize,
    pub first: f64,
    pub first_ci: (f64, f64),
    pub total: f64,
    pub total_ci: (f64, f64),
}

/// First-order and total indices of every factor from the given base rows.
fn estimate(y: &[f64], rows: &[usize], k: usize) -> Vec<(f64, f64)> {
    let w = k + 2;
    let m = rows.len() as f64;
    if rows.is_empty() {
        return vec![(0.0, 0.0); k];
    }
    // Variance of f_A and f_B pooled (2m values, divided by 2m), two passes.
    let mean = rows.iter().map(|&j| y[j * w] + y[j * w + 1]).sum::<f64>() / (2.0 * m);
    let var = rows.iter().map(|&j| (y[j * w] - mean).powi(2) + (y[j * w + 1] - mean).powi(2)).sum::<f64>() / (2.0 * m);
    (0..k)
        .map(|i| {
            if var == 0.0 {
                return (0.0, 0.0);
            }
            let (mut first, mut total) = (0.0, 0.0);
            for &j in rows {
                let (fa, fb, fab) = (y[j * w], y[j * w + 1], y[j * w + 2 + i]);
                first += fb * (fab - fa);
                total += (fa - fab).powi(2);
            }
            (first / m / var, total / (2.0 * m) / var)
        })
        .collect()
}

/// The `p` quantile of sorted values, interpolating between order statistics
/// (type 7, as R's default and numpy's `linear`).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The 95% percentile interval of bootstrap replicates; the estimate itself without replicates.
fn interval(mut values: Vec<f64>, estimate: f64) -> (f64, f64) {
    if values.is_empty() {
        return (estimate, estimate);
    }
    values.sort_by(f64::total_cmp);
    (quantile(&values, 0.025), quantile(&values, 0.975))
}

/// First-order (Saltelli 2010: mean(f_B * (f_ABi - f_A)) / V) and total (Jansen 1999: mean((f_A - f_ABi)^2) / (2 V)) indices,
/// V the variance of f_A and f_B pooled; y in the order `saltelli` returns its points; 95% intervals from `bootstrap`
/// resamples of the n base rows (percentile method). Deterministic given `seed`.
///
/// Outputs are first centred on the pooled mean of f_A and f_B (as SALib
/// does), which leaves every index's expectation unchanged. V divides by 2n
/// (the population variance). Zero variance gives indices 0;
/// `bootstrap = 0` gives intervals equal to the estimates. If `y` holds fewer
/// than `n (k + 2)` outputs, only its complete base rows are used (none: all
/// indices 0). Resample `b` draws from its own stream keyed by `(seed, b)`, so
/// the result does not depend on the number of threads. Non-finite outputs
/// propagate into the indices as NaN.
pub fn sobol_indices(y: &[f64], n: usize, k: usize, bootstrap: usize, seed: u64) -> Vec<SobolIndex> {
    let n = n.min(y.len() / (k + 2));
    // Centre the outputs on the pooled mean of f_A and f_B: the indices'
    // expectations are unchanged, but the first-order estimator's products
    // no longer carry the mean, which otherwise swamps their variance when
    // the output's mean is large against its spread.
    let pooled: f64 = (0..n).map(|j| y[j * (k + 2)] + y[j * (k + 2) + 1]).sum::<f64>() / (2 * n).max(1) as f64;
    let centred: Vec<f64> = y.iter().map(|v| v - pooled).collect();
    let y = centred.as_slice();
    let all: Vec<usize> = (0..n).collect();
    let point = estimate(y, &all, k);
    let replicates: Vec<Vec<(f64, f64)>> = if n == 0 {
        Vec::new()
    } else {
        (0..bootstrap as u64)
            .into_par_iter()
            .map(|b| {
                let mut stream = Xoshiro256PlusPlus::seed_from_u64(rng::key(&[seed, b]));
                let rows: Vec<usize> = (0..n).map(|_| draw::index(&mut stream, n)).collect();
                estimate(y, &rows, k)
            })
            .collect()
    };
    point
        .iter()
        .enumerate()
        .map(|(i, &(first, total))| SobolIndex {
            factor: i,
            first,
            first_ci: interval(replicates.iter().map(|r| r[i].0).collect(), first),
            total,
            total_ci: interval(replicates.iter().map(|r| r[i].1).collect(), total),
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq)]
pub struct MorrisIndex {
    pub factor: usize,
    pub mu: f64,
    pub mu_star: f64,
    pub sigma: f64,
}

/// Elementary effects from `morris` points (unit scale) and their outputs: for each consecutive pair within a trajectory,
/// the factor that changed, EE = (y2 - y1) / (x2_i - x1_i); mu = mean EE, mu* = mean |EE|, sigma = sample sd of EE.
///
/// Trajectories are consecutive runs of `k + 1` points. A pair in which not
/// exactly one of the first `k` coordinates changed is skipped, as are points
/// beyond the shorter of `points` and `y`. A factor without elementary
/// effects gets 0 for all three; with a single effect, sigma is 0.
pub fn morris_indices(points: &[Vec<f64>], y: &[f64], k: usize) -> Vec<MorrisIndex> {
    let mut effects: Vec<Vec<f64>> = vec![Vec::new(); k];
    let len = points.len().min(y.len());
    for (t, trajectory) in points[..len].chunks(k + 1).enumerate() {
        let base = t * (k + 1);
        for s in 1..trajectory.len() {
            let (x1, x2) = (&trajectory[s - 1], &trajectory[s]);
            let mut changed = (0..k).filter(|&i| x1.get(i) != x2.get(i));
            let (Some(i), None) = (changed.next(), changed.next()) else { continue };
            let (Some(&a), Some(&b)) = (x1.get(i), x2.get(i)) else { continue };
            effects[i].push((y[base + s] - y[base + s - 1]) / (b - a));
        }
    }
    effects
        .iter()
        .enumerate()
        .map(|(factor, ee)| {
            if ee.is_empty() {
                return MorrisIndex { factor, mu: 0.0, mu_star: 0.0, sigma: 0.0 };
            }
            let m = ee.len() as f64;
            let mu = ee.iter().sum::<f64>() / m;
            let mu_star = ee.iter().map(|e| e.abs()).sum::<f64>() / m;
            let sigma =
                if ee.len() > 1 { (ee.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (m - 1.0)).sqrt() } else { 0.0 };
            MorrisIndex { factor, mu, mu_star, sigma }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::{morris, saltelli};
    use std::f64::consts::PI;

    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn ishigami_indices_cover_the_analytic_values() {
        let (n, k) = (4096, 3);
        let y: Vec<f64> = saltelli(n, k).iter().map(|p| ishigami(p)).collect();
        let idx = sobol_indices(&y, n, k, 500, 2016);
        let first = [0.3139, 0.4424, 0.0];
        let total = [0.5576, 0.4424, 0.2437];
        for (i, s) in idx.iter().enumerate() {
            eprintln!(
                "x{}: S = {:.4} [{:.4}, {:.4}]  ST = {:.4} [{:.4}, {:.4}]",
                i + 1,
                s.first,
                s.first_ci.0,
                s.first_ci.1,
                s.total,
                s.total_ci.0,
                s.total_ci.1
            );
            assert_eq!(s.factor, i);
            assert!(s.first_ci.0 <= first[i] && first[i] <= s.first_ci.1, "S{}: {s:?}", i + 1);
            assert!(s.total_ci.0 <= total[i] && total[i] <= s.total_ci.1, "ST{}: {s:?}", i + 1);
            assert!(s.first_ci.1 - s.first_ci.0 < 0.15, "{s:?}");
            assert!(s.total_ci.1 - s.total_ci.0 < 0.15, "{s:?}");
            assert!(s.first_ci.0 <= s.first && s.first <= s.first_ci.1, "{s:?}");
            assert!(s.total_ci.0 <= s.total && s.total <= s.total_ci.1, "{s:?}");
        }
        assert_eq!(idx, sobol_indices(&y, n, k, 500, 2016));
        assert_ne!(idx, sobol_indices(&y, n, k, 500, 2017));
    }

    #[test]
    fn additive_function_has_first_equal_to_total() {
        // f = x1 + 2 x2 on uniforms: S = ST = (1/5, 4/5), and x3 is inert.
        let (n, k) = (1024, 3);
        let y: Vec<f64> = saltelli(n, k).iter().map(|p| p[0] + 2.0 * p[1]).collect();
        let idx = sobol_indices(&y, n, k, 0, 1);
        let expect = [0.2, 0.8, 0.0];
        for s in &idx {
            assert!((s.first - expect[s.factor]).abs() < 0.01, "{s:?}");
            assert!((s.total - expect[s.factor]).abs() < 0.01, "{s:?}");
            assert_eq!(s.first_ci, (s.first, s.first));
            assert_eq!(s.total_ci, (s.total, s.total));
        }
        assert_eq!((idx[2].first, idx[2].total), (0.0, 0.0));
    }

    #[test]
    fn degenerate_inputs_give_zero_indices() {
        let (n, k) = (64, 2);
        let constant = vec![3.7; n * (k + 2)];
        for s in sobol_indices(&constant, n, k, 50, 1) {
            assert_eq!((s.first, s.first_ci, s.total, s.total_ci), (0.0, (0.0, 0.0), 0.0, (0.0, 0.0)));
        }
        let none = sobol_indices(&[], 0, 2, 10, 1);
        assert_eq!(none.len(), 2);
        assert!(none.iter().all(|s| s.first == 0.0 && s.total == 0.0 && s.first_ci == (0.0, 0.0)));
        assert!(sobol_indices(&[1.0, 2.0], 1, 0, 10, 1).is_empty());
        // Too few outputs for the stated n: only complete base rows count.
        assert_eq!(sobol_indices(&[1.0, 2.0, 3.0], 5, 2, 10, 1).len(), 2);
    }

    #[test]
    fn morris_recovers_linear_coefficients() {
        let k = 3;
        for levels in [4, 6, 5] {
            let pts = morris(20, k, levels, 5);
            let y: Vec<f64> = pts.iter().map(|x| 2.0 * x[0] + 0.5 * x[1] + 0.0 * x[2]).collect();
            let idx = morris_indices(&pts, &y, k);
            let expect = [2.0, 0.5, 0.0];
            for m in &idx {
                assert!((m.mu_star - expect[m.factor]).abs() < 1e-12, "levels {levels}: {m:?}");
                assert!((m.mu - expect[m.factor]).abs() < 1e-12, "levels {levels}: {m:?}");
                assert!(m.sigma < 1e-12, "levels {levels}: {m:?}");
            }
        }
    }

    #[test]
    fn morris_separates_mean_absolute_and_spread() {
        // f = x1 * x2 - x3: the effect of x1 is x2 (varies, positive); of x3 is -1 (constant).
        let k = 3;
        let pts = morris(200, k, 4, 8);
        let y: Vec<f64> = pts.iter().map(|x| x[0] * x[1] - x[2]).collect();
        let idx = morris_indices(&pts, &y, k);
        assert!((idx[2].mu + 1.0).abs() < 1e-12 && (idx[2].mu_star - 1.0).abs() < 1e-12 && idx[2].sigma < 1e-12);
        assert!(idx[0].sigma > 0.2 && idx[1].sigma > 0.2, "{idx:?}");
        assert!((idx[0].mu - 0.5).abs() < 0.1 && (idx[0].mu - idx[0].mu_star).abs() < 1e-12, "{idx:?}");
    }

    #[test]
    fn morris_indices_handle_short_and_empty_input() {
        assert!(morris_indices(&[], &[], 0).is_empty());
        let none = morris_indices(&[], &[], 2);
        assert_eq!(
            none,
            vec![
                MorrisIndex { factor: 0, mu: 0.0, mu_star: 0.0, sigma: 0.0 },
                MorrisIndex { factor: 1, mu: 0.0, mu_star: 0.0, sigma: 0.0 }
            ]
        );
        // One pair: one effect for factor 1, none for factor 0; the missing output is ignored.
        let pts = vec![vec![0.0, 0.0], vec![0.0, 1.0], vec![1.0, 1.0]];
        let idx = morris_indices(&pts, &[1.0, 4.0], 2);
        assert_eq!(idx[1], MorrisIndex { factor: 1, mu: 3.0, mu_star: 3.0, sigma: 0.0 });
        assert_eq!(idx[0].mu, 0.0);
    }
}
