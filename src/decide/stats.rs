//! Small statistics the decision methods share: quantiles, a Wilson
//! interval for a share, and the binomial tail for PRIM's quasi-p values.

/// The q-quantile of sorted values by linear interpolation between order
/// statistics (Hyndman and Fan 1996, type 7; R's default). NaN when empty.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The q-quantile of unsorted values (type 7).
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    quantile_sorted(&v, q)
}

pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() { f64::NAN } else { values.iter().sum::<f64>() / values.len() as f64 }
}

/// Sample standard deviation (n - 1); 0 for fewer than two values.
pub fn sd(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return 0.0;
    }
    let m = mean(values);
    (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
}

/// 97.5% point of the standard normal.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval (Wilson 1927) for a share `p` of `n` trials at the
/// normal point `z`: it stays inside [0, 1] and is sound at shares near 0 or 1.
pub fn wilson(p: f64, n: usize, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).max(0.0).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// P(X >= k) for X ~ Binomial(n, p), summed in logs so large n stays exact
/// to rounding.
pub fn binomial_upper_tail(k: usize, n: usize, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    // log pmf(j) by the ratio pmf(j+1)/pmf(j) = (n-j)/(j+1) * p/(1-p).
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let mut log_pmf = n as f64 * lq;
    let mut terms = Vec::with_capacity(n - k + 1);
    for j in 0..=n {
        if j >= k {
            terms.push(log_pmf);
        }
        if j < n {
            log_pmf += ((n - j) as f64).ln() - ((j + 1) as f64).ln() + lp - lq;
        }
    }
    let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (top + terms.iter().map(|t| (t - top).exp()).sum::<f64>().ln()).exp().min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_as_type_7() {
        let v = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert_eq!(quantile(&v, 0.5), 2.5);
        // h = 3 x 0.05 = 0.15: 1 + 0.15 x (2 - 1).
        assert!((quantile(&v, 0.05) - 1.15).abs() < 1e-12);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn wilson_matches_a_worked_value() {
        // 8 of 10: Wilson 95% interval (0.490, 0.943) to three places.
        let (lo, hi) = wilson(0.8, 10, Z95);
        assert!((lo - 0.4902).abs() < 1e-3 && (hi - 0.9433).abs() < 1e-3, "{lo} {hi}");
        let (lo, hi) = wilson(0.0, 20, Z95);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.1 && hi < 0.2);
    }

    #[test]
    fn binomial_tail_matches_exact_sums() {
        // P(X >= 2), X ~ Bin(3, 0.5) = 4/8.
        assert!((binomial_upper_tail(2, 3, 0.5) - 0.5).abs() < 1e-12);
        // P(X >= 10), X ~ Bin(10, 0.3) = 0.3^10.
        assert!((binomial_upper_tail(10, 10, 0.3) - 0.3f64.powi(10)).abs() < 1e-18);
        assert_eq!(binomial_upper_tail(0, 5, 0.2), 1.0);
        assert_eq!(binomial_upper_tail(6, 5, 0.2), 0.0);
        // Symmetry: P(X >= 60 | n = 100, p = 0.5) = P(X <= 40) ~ 0.02844.
        assert!((binomial_upper_tail(60, 100, 0.5) - 0.028_443_966_820_490_4).abs() < 1e-9);
    }
}
