//! Small weighted statistics that posteriors and the ABC-SMC sampler share.

/// Lower Cholesky factor, with a small ridge so a collapsed direction still moves.
pub fn cholesky(c: &[f64], d: usize) -> Vec<f64> {
    let mut l = vec![0.0; d * d];
    for a in 0..d {
        for b in 0..=a {
            let s: f64 = (0..b).map(|k| l[a * d + k] * l[b * d + k]).sum();
            if a == b {
                let ridge = 1e-10 + 1e-6 * c[a * d + a].abs();
                l[a * d + a] = (c[a * d + a] + ridge - s).max(1e-12).sqrt();
            } else {
                l[a * d + b] = (c[a * d + b] - s) / l[b * d + b];
            }
        }
    }
    l
}

/// Weighted quantile of one parameter.
pub fn quantile(x: &[f64], w: &[f64], p: f64) -> f64 {
    let mut v: Vec<(f64, f64)> = x.iter().copied().zip(w.iter().copied()).filter(|(_, w)| *w > 0.0).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|p| p.1).sum();
    let mut cum = 0.0;
    for (x, w) in &v {
        cum += w;
        if cum >= p * total {
            return *x;
        }
    }
    v.last().map_or(f64::NAN, |p| p.0)
}
