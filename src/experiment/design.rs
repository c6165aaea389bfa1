//! Experimental designs on the unit hypercube.
//!
//! Every design except [`grid`] returns points in the unit cube (`[0, 1)^k`
//! for [`lhs`], [`sobol_points`] and [`saltelli`]; the closed `[0, 1]^k` for
//! [`morris`], whose grid includes 1); callers scale each coordinate to its
//! factor's range. Random designs take an explicit seed and use their own
//! xoshiro256++ stream, so a design depends on its arguments only.
//!
//! With `k = 0` factors the designs keep their point counts and return empty
//! points, so the run count of a plan does not depend on special cases.

use crate::model::rng::draw;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use sobol::Sobol;
use sobol::params::JoeKuoD6;

/// Cartesian product of per-factor level lists (actual values, not unit), first factor varying slowest.
///
/// No factors gives the single empty point (the empty product); a factor with
/// no levels gives no points.
pub fn grid(levels: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut points: Vec<Vec<f64>> = vec![Vec::with_capacity(levels.len())];
    for values in levels {
        let mut next = Vec::with_capacity(points.len().saturating_mul(values.len()));
        for prefix in &points {
            for &v in values {
                let mut p = Vec::with_capacity(levels.len());
                p.extend_from_slice(prefix);
                p.push(v);
                next.push(p);
            }
        }
        points = next;
    }
    points
}

/// The float just below a positive finite `x`.
fn below(x: f64) -> f64 {
    if x > 0.0 && x.is_finite() { f64::from_bits(x.to_bits() - 1) } else { x }
}

/// Latin hypercube: n points in [0,1)^k, each factor's n strata used exactly once, a uniform draw inside each stratum.
///
/// Stratum `s` of a factor is `[s/n, (s+1)/n)` with both bounds computed as
/// `f64` divisions; each coordinate lies inside its stratum's bounds exactly.
pub fn lhs(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut points = vec![Vec::with_capacity(k); n];
    let nf = n as f64;
    for _ in 0..k {
        let strata = permutation(&mut rng, n);
        for (point, s) in points.iter_mut().zip(strata) {
            let lo = s as f64 / nf;
            let hi = (s + 1) as f64 / nf;
            let x = lo + draw::uniform(&mut rng) * (hi - lo);
            point.push(if x < hi { x } else { below(hi).max(lo) });
        }
    }
    points
}

/// A uniformly random permutation of `0..n` (Fisher-Yates).
fn permutation(rng: &mut Xoshiro256PlusPlus, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = draw::index(rng, i + 1);
        p.swap(i, j);
    }
    p
}

/// The first n points of the k-dimensional Sobol sequence (crate `sobol`, JoeKuoD6 params), skipping the initial all-zero point.
///
/// Uses the smallest Joe-Kuo parameter table that covers `k` (the tables
/// agree on their common dimensions, so points do not depend on the choice).
/// Beyond the largest table (21,201 dimensions) there is no sequence and the
/// result is empty.
pub fn sobol_points(n: usize, k: usize) -> Vec<Vec<f64>> {
    if n == 0 {
        return Vec::new();
    }
    if k == 0 {
        return vec![Vec::new(); n];
    }
    let params = [JoeKuoD6::minimal, JoeKuoD6::standard, JoeKuoD6::extended]
        .into_iter()
        .map(|load| load())
        .find(|p| k <= p.max_dims);
    match params {
        Some(p) => Sobol::<f64>::new(k, &p).skip(1).take(n).collect(),
        None => Vec::new(),
    }
}

/// Saltelli sampling for Sobol indices of k factors with base size n: take sobol_points(n, 2k); A = first k columns, B = last k.
/// Returns n*(k+2) points in blocks per base row j: [A_j, B_j, AB_j^(1), ..., AB_j^(k)], where AB^(i) is A with column i taken from B.
///
/// Base sizes that are powers of two balance the Sobol sequence best.
pub fn saltelli(n: usize, k: usize) -> Vec<Vec<f64>> {
    let base = sobol_points(n, 2 * k);
    let mut points = Vec::with_capacity(base.len() * (k + 2));
    for row in &base {
        let (a, b) = row.split_at(k);
        points.push(a.to_vec());
        points.push(b.to_vec());
        for i in 0..k {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            points.push(ab);
        }
    }
    points
}

/// Morris trajectories: r trajectories of k+1 points each on a `levels`-level grid {0, 1/(levels-1), ..., 1},
/// step delta = levels / (2 (levels - 1)); each trajectory starts at a random grid point from which +delta or -delta
/// stays inside [0,1], and changes one factor per step in a random order (Morris 1991 / Campolongo 2007 style).
/// Returned flat: r*(k+1) points, trajectory by trajectory.
///
/// `levels < 2` is treated as 2. With an even number of levels (the usual
/// choice) every grid point admits exactly one direction, so starts are
/// uniform over the grid and the moved coordinate is again a grid point. With
/// an odd number delta is not a multiple of the grid step: starts are drawn
/// from the grid points that admit a step (0 always does) and moved
/// coordinates fall between grid points.
pub fn morris(r: usize, k: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    let p = levels.max(2);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    // Grid index m is the value m/(p-1); delta is (p/2)/(p-1), so m + delta
    // stays in [0,1] iff 2m + p <= 2(p-1) and m - delta does iff 2m >= p.
    let starts: Vec<usize> = (0..p).filter(|&m| 2 * m + 2 <= p || 2 * m >= p).collect();
    let span = (p - 1) as f64;
    let mut points = Vec::with_capacity(r.saturating_mul(k + 1));
    for _ in 0..r {
        let mut x = Vec::with_capacity(k);
        let mut moved = Vec::with_capacity(k);
        for _ in 0..k {
            let m = starts[draw::index(&mut rng, starts.len())];
            x.push(m as f64 / span);
            // The other end as one correctly rounded division of exact integers.
            let twice = if 2 * m + 2 <= p { 2 * m + p } else { 2 * m - p };
            moved.push(twice as f64 / (2.0 * span));
        }
        let order = permutation(&mut rng, k);
        points.push(x.clone());
        for i in order {
            x[i] = moved[i];
            points.push(x.clone());
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_has_product_size_and_first_factor_slowest() {
        let g = grid(&[vec![1.0, 2.0], vec![10.0, 20.0, 30.0]]);
        assert_eq!(
            g,
            vec![vec![1.0, 10.0], vec![1.0, 20.0], vec![1.0, 30.0], vec![2.0, 10.0], vec![2.0, 20.0], vec![2.0, 30.0],]
        );
        assert_eq!(grid(&[vec![0.0; 3], vec![0.0; 4], vec![0.0; 5]]).len(), 60);
        assert_eq!(grid(&[]), vec![Vec::<f64>::new()]);
        assert!(grid(&[vec![1.0], vec![]]).is_empty());
    }

    #[test]
    fn lhs_uses_each_stratum_once_per_factor() {
        for (n, k) in [(1, 1), (7, 3), (100, 5), (1000, 2)] {
            let pts = lhs(n, k, 42);
            assert_eq!(pts.len(), n);
            for j in 0..k {
                let mut hits = vec![0; n];
                for p in &pts {
                    assert_eq!(p.len(), k);
                    let x = p[j];
                    let s = (0..n).find(|&s| s as f64 / n as f64 <= x && x < (s + 1) as f64 / n as f64);
                    hits[s.expect("point outside [0,1)")] += 1;
                }
                assert!(hits.iter().all(|&h| h == 1), "n={n} factor {j}: {hits:?}");
            }
        }
        assert!(lhs(0, 3, 1).is_empty());
        assert_eq!(lhs(4, 0, 1), vec![Vec::<f64>::new(); 4]);
    }

    #[test]
    fn lhs_is_reproducible_by_seed() {
        assert_eq!(lhs(50, 4, 9), lhs(50, 4, 9));
        assert_ne!(lhs(50, 4, 9), lhs(50, 4, 10));
    }

    #[test]
    fn sobol_points_are_in_the_unit_cube_and_balanced() {
        let n = 1024;
        let k = 6;
        let pts = sobol_points(n, k);
        assert_eq!(pts.len(), n);
        assert!(pts[0].iter().any(|&x| x != 0.0), "{:?}", pts[0]);
        assert!(pts.iter().all(|p| p.len() == k && p.iter().all(|&x| (0.0..1.0).contains(&x))));
        for j in 0..k {
            let mean = pts.iter().map(|p| p[j]).sum::<f64>() / n as f64;
            assert!((mean - 0.5).abs() < 0.02, "column {j}: mean {mean}");
        }
        // The first 1024 points after 0 split [0,1) into halves 512/512, except the
        // skipped zero's half: a strong balance property a random sample lacks.
        let low = pts.iter().filter(|p| p[0] < 0.5).count();
        assert!(low == 511 || low == 512, "{low}");
        assert_eq!(sobol_points(3, 150).len(), 3);
        assert!(sobol_points(0, 3).is_empty());
    }

    #[test]
    fn saltelli_blocks_mix_a_and_b() {
        let (n, k) = (64, 4);
        let pts = saltelli(n, k);
        assert_eq!(pts.len(), n * (k + 2));
        let base = sobol_points(n, 2 * k);
        for (j, block) in pts.chunks(k + 2).enumerate() {
            let (a, b) = (&block[0], &block[1]);
            assert_eq!(a[..], base[j][..k]);
            assert_eq!(b[..], base[j][k..]);
            for i in 0..k {
                let ab = &block[2 + i];
                for c in 0..k {
                    assert_eq!(ab[c], if c == i { b[c] } else { a[c] }, "row {j} AB^{i} column {c}");
                }
            }
        }
        assert!(saltelli(0, 3).is_empty());
    }

    fn check_trajectories(r: usize, k: usize, levels: usize) {
        let pts = morris(r, k, levels, 7);
        assert_eq!(pts.len(), r * (k + 1));
        let p = levels.max(2);
        let delta = p as f64 / (2.0 * (p - 1) as f64);
        for t in pts.chunks(k + 1) {
            let mut changed = vec![0; k];
            for w in t.windows(2) {
                let diff: Vec<usize> = (0..k).filter(|&i| w[0][i] != w[1][i]).collect();
                assert_eq!(diff.len(), 1, "{:?} -> {:?}", w[0], w[1]);
                let i = diff[0];
                let step = w[1][i] - w[0][i];
                assert!((step.abs() - delta).abs() < 1e-12, "step {step}, delta {delta}");
                changed[i] += 1;
            }
            assert!(changed.iter().all(|&c| c == 1), "{changed:?}");
            assert!(t.iter().flatten().all(|&x| (0.0..=1.0).contains(&x)));
            if p % 2 == 0 {
                // Both ends of every step lie on the grid.
                let on_grid = |x: f64| ((x * (p - 1) as f64).round() / (p - 1) as f64 - x).abs() < 1e-12;
                assert!(t.iter().flatten().all(|&x| on_grid(x)));
            }
        }
    }

    #[test]
    fn morris_trajectories_change_each_factor_once_by_delta() {
        check_trajectories(30, 5, 4);
        check_trajectories(20, 3, 6);
        check_trajectories(20, 3, 5);
        check_trajectories(10, 2, 1);
        check_trajectories(10, 1, 2);
        assert_eq!(morris(3, 0, 4, 1), vec![Vec::<f64>::new(); 3]);
        assert!(morris(0, 3, 4, 1).is_empty());
    }

    #[test]
    fn morris_is_reproducible_and_random_in_start_and_order() {
        assert_eq!(morris(10, 4, 4, 3), morris(10, 4, 4, 3));
        assert_ne!(morris(10, 4, 4, 3), morris(10, 4, 4, 4));
        let pts = morris(400, 3, 4, 11);
        // Starts are uniform over the 4 levels; the first factor moved is uniform over 3.
        let mut starts = [0usize; 4];
        let mut first = [0usize; 3];
        for t in pts.chunks(4) {
            starts[(t[0][0] * 3.0).round() as usize] += 1;
            first[(0..3).find(|&i| t[0][i] != t[1][i]).unwrap_or(0)] += 1;
        }
        assert!(starts.iter().all(|&c| (60..=140).contains(&c)), "{starts:?}");
        assert!(first.iter().all(|&c| (90..=180).contains(&c)), "{first:?}");
    }
}
