//! The keyed streams of spec v1.5 (section 3): each uniform, and independent
//! of its neighbours (adjacent replicates, quarters, footprints, phases).
//!
//! Every check is deterministic (fixed keys) and set at a margin that a
//! correct generator exceeds with probability about 1e-6: chi-square with 63
//! degrees of freedom below 131.7 (Wilson-Hilferty, z = 4.75), a
//! Kolmogorov-Smirnov distance below sqrt(ln(2 / 1e-6) / 2n), and a Pearson
//! correlation below 5 / sqrt(n) (z = 5).

use stpsim::model::rng::{Keys, Phase, Stream, draw};
use stpsim::quarter::Quarter;

const CHI2_63: f64 = 131.7;

fn chi_square(u: &[f64]) -> f64 {
    let mut bins = [0.0f64; 64];
    for &x in u {
        bins[((x * 64.0) as usize).min(63)] += 1.0;
    }
    let e = u.len() as f64 / 64.0;
    bins.iter().map(|o| (o - e) * (o - e) / e).sum()
}

fn ks_distance(u: &[f64]) -> f64 {
    let mut s = u.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len() as f64;
    s.iter().enumerate().map(|(i, &x)| (x - i as f64 / n).max((i + 1) as f64 / n - x)).fold(0.0, f64::max)
}

fn ks_bound(n: usize) -> f64 {
    ((2.0f64 / 1e-6).ln() / (2.0 * n as f64)).sqrt()
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

/// Chi-square of the pairs (a_i, b_i) over an 8 x 8 grid: dependence that a
/// correlation would miss (63 degrees of freedom).
fn joint_chi_square(a: &[f64], b: &[f64]) -> f64 {
    let mut bins = [0.0f64; 64];
    for (x, y) in a.iter().zip(b) {
        bins[((x * 8.0) as usize).min(7) * 8 + ((y * 8.0) as usize).min(7)] += 1.0;
    }
    let e = a.len() as f64 / 64.0;
    bins.iter().map(|o| (o - e) * (o - e) / e).sum()
}

fn q(i: i32) -> Quarter {
    Quarter::new(2016, 1).unwrap().offset(i as usize)
}

fn uniforms(s: &mut Stream, n: usize) -> Vec<f64> {
    (0..n).map(|_| draw::uniform(s)).collect()
}

#[test]
fn a_long_stream_is_uniform() {
    let u = uniforms(&mut Keys { seed: 2016, replicate: 0 }.stream(q(0), 0, Phase::Stances), 1 << 16);
    let c = chi_square(&u);
    assert!(c < CHI2_63, "chi-square {c}");
    let d = ks_distance(&u);
    assert!(d < ks_bound(u.len()), "KS {d}");
}

#[test]
fn first_draws_across_keys_are_uniform() {
    // The first draw matters most: many streams are short (a footprint's few members).
    let mut u = Vec::new();
    for r in 0..64 {
        let k = Keys { seed: 2016, replicate: r };
        for t in 0..16 {
            for f in 0..64 {
                u.push(draw::uniform(&mut k.stream(q(t), f, Phase::Learning)));
            }
        }
    }
    let c = chi_square(&u);
    assert!(c < CHI2_63, "chi-square {c}");
    let d = ks_distance(&u);
    assert!(d < ks_bound(u.len()), "KS {d}");
}

/// For 4,096 pairs of neighbouring streams, the first 16 draws of each side by
/// side: correlation and joint uniformity of the 65,536 pairs.
fn neighbours_are_independent(pair: impl Fn(u64) -> (Stream, Stream)) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..4096 {
        let (mut x, mut y) = pair(i);
        a.extend(uniforms(&mut x, 16));
        b.extend(uniforms(&mut y, 16));
    }
    let r = correlation(&a, &b);
    assert!(r.abs() < 5.0 / (a.len() as f64).sqrt(), "correlation {r}");
    let c = joint_chi_square(&a, &b);
    assert!(c < CHI2_63, "joint chi-square {c}");
}

#[test]
fn adjacent_replicates_are_independent() {
    neighbours_are_independent(|i| {
        let (k, next) = (Keys { seed: 7, replicate: i }, Keys { seed: 7, replicate: i + 1 });
        (k.stream(q(3), 5, Phase::Stances), next.stream(q(3), 5, Phase::Stances))
    });
}

#[test]
fn adjacent_quarters_are_independent() {
    neighbours_are_independent(|i| {
        let k = Keys { seed: 7, replicate: i / 16 };
        let t = (i % 16) as i32;
        (k.stream(q(t), 2, Phase::Learning), k.stream(q(t + 1), 2, Phase::Learning))
    });
}

#[test]
fn adjacent_footprints_are_independent() {
    neighbours_are_independent(|i| {
        let k = Keys { seed: 7, replicate: i / 64 };
        let f = (i % 64) as usize;
        (k.stream(q(1), f, Phase::Stances), k.stream(q(1), f + 1, Phase::Stances))
    });
}

#[test]
fn phases_of_one_footprint_quarter_are_independent() {
    neighbours_are_independent(|i| {
        let k = Keys { seed: 7, replicate: i / 64 };
        let f = (i % 64) as usize;
        (k.stream(q(1), f, Phase::Stances), k.stream(q(1), f, Phase::Proposals))
    });
}

#[test]
fn adjacent_seeds_are_independent() {
    neighbours_are_independent(|i| {
        (Keys { seed: i, replicate: 0 }.init(3), Keys { seed: i + 1, replicate: 0 }.init(3))
    });
}

#[test]
fn successive_draws_of_a_stream_are_independent() {
    // Lag-1 within a stream: the draws a phase takes member after member.
    let u = uniforms(&mut Keys { seed: 1, replicate: 1 }.stream(q(0), 0, Phase::Votes), (1 << 16) + 1);
    let r = correlation(&u[..1 << 16], &u[1..]);
    assert!(r.abs() < 5.0 / 256.0, "lag-1 correlation {r}");
    let c = joint_chi_square(&u[..1 << 16], &u[1..]);
    assert!(c < CHI2_63, "joint chi-square {c}");
}

#[test]
fn the_checks_catch_a_dependent_stream() {
    // The same tests on neighbours that share their draws must fail, so they can.
    let same = |_: u64| {
        let k = Keys { seed: 1, replicate: 0 };
        (k.stream(q(0), 0, Phase::Votes), k.stream(q(0), 0, Phase::Votes))
    };
    assert!(std::panic::catch_unwind(|| neighbours_are_independent(same)).is_err());
    let skewed: Vec<f64> =
        uniforms(&mut Keys { seed: 1, replicate: 0 }.init(0), 1 << 14).iter().map(|u| u * u).collect();
    assert!(chi_square(&skewed) > CHI2_63);
    assert!(ks_distance(&skewed) > ks_bound(skewed.len()));
}
