//! Bernoulli draws on a logistic probability, `u < 1 / (1 + e^-x)`, a block
//! at a time, giving exactly the answers of libm's `exp`.
//!
//! The probabilities of a block are first worked out with a polynomial `exp`
//! that the compiler vectorises (no call, no table: Cody and Waite's range
//! reduction, Cody & Waite 1980, "Software Manual for the Elementary
//! Functions", then the Taylor series to degree 11). It is within about 1e-15
//! of libm's logistic; a draw that falls within `NEAR` (1e-12) of it is
//! decided again through libm, so every decision is the exact one. That
//! branch is taken about once in 10^12 draws, so it costs nothing to predict,
//! unlike deciding `u (1 + e^-x) < 1` with a division near the boundary,
//! whose branch follows the draws.

use crate::model::rng::logistic;

/// A draw closer than this to the approximate probability is decided again
/// through libm: at least 100 times the approximation's error.
const NEAR: f64 = 1e-12;

/// Beyond this |x| the scaling by 2^k would leave the normal range; the
/// logistic is 0 or 1 to the last bit there anyway (within `NEAR`).
const LIMIT: f64 = 700.0;

/// e^y, within a few units in the last place for |y| <= `LIMIT`, and e^LIMIT
/// or e^-LIMIT beyond it (and for NaN: `logistic_approx` puts NaN back).
#[inline(always)]
fn exp_approx(y: f64) -> f64 {
    // Clamped by single comparisons, the form of SSE's minpd and maxpd.
    let y = if y < LIMIT { y } else { LIMIT };
    let y = if y > -LIMIT { y } else { -LIMIT };
    // k = round(y / ln 2), by the 1.5 x 2^52 shift; y = k ln 2 + r, |r| <= ln 2 / 2.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    // ln 2 in two parts (fdlibm's): the high part's low 32 bits are zero, so
    // k x LN2_HI is exact for every k here.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    let t = y * std::f64::consts::LOG2_E + SHIFT;
    let k = t - SHIFT;
    let r = (y - k * LN2_HI) - k * LN2_LO;
    // Taylor to degree 11 (remainder below 1e-14 relative on |r| <= 0.347),
    // by Estrin's scheme to shorten the chain of dependent operations.
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let p01 = 1.0 + r;
    let p23 = 1.0 / 2.0 + r * (1.0 / 6.0);
    let p45 = 1.0 / 24.0 + r * (1.0 / 120.0);
    let p67 = 1.0 / 720.0 + r * (1.0 / 5040.0);
    let p89 = 1.0 / 40320.0 + r * (1.0 / 362_880.0);
    let pab = 1.0 / 3_628_800.0 + r * (1.0 / 39_916_800.0);
    let p03 = p01 + r2 * p23;
    let p47 = p45 + r2 * p67;
    let p8b = p89 + r2 * pab;
    let poly = p03 + r4 * p47 + r8 * p8b;
    // 2^k from k's bits: the shift left k in the low bits of t's mantissa.
    let k_bits = t.to_bits().wrapping_sub(SHIFT.to_bits());
    let scale = f64::from_bits(k_bits.wrapping_add(1023) << 52);
    poly * scale
}

/// The logistic of `x` to within 1e-14, the block-friendly way; NaN for a
/// NaN or infinite `x` (`x - x` is 0 otherwise), which `decide` leaves to libm.
#[inline(always)]
#[allow(clippy::eq_op)] // x - x is meant: 0, or NaN for NaN and infinities
fn logistic_approx(x: f64) -> f64 {
    1.0 / (1.0 + exp_approx(-x)) + (x - x)
}

/// How many probabilities `probabilities` works out side by side: slices
/// given to it are a multiple of this long.
pub const LANES: usize = 8;

/// Approximate logistic probabilities of `x` into `p`, `LANES` at a time, in
/// a loop with no call, branch or scalar remainder, for `decide` to draw
/// against. `x`'s length is a multiple of `LANES` (pad it: a padded entry's
/// probability is simply not used).
#[inline]
pub fn probabilities(x: &[f64], p: &mut [f64]) {
    debug_assert_eq!(x.len() % LANES, 0);
    for (xs, ps) in x.chunks_exact(LANES).zip(p.chunks_exact_mut(LANES)) {
        for l in 0..LANES {
            ps[l] = logistic_approx(xs[l]);
        }
    }
}

/// Whether uniform `u` falls below `logistic(x)`, the libm way, given `p`
/// from `probabilities`: the same answer as `u < logistic(x)` for every `u`
/// and `x`.
#[inline(always)]
pub fn decide(u: f64, x: f64, p: f64) -> bool {
    // Written so that a NaN anywhere goes to libm too.
    if (u - p).abs() > NEAR { u < p } else { u < logistic(x) }
}

/// `decide` for a block: `yes[j]` is whether `u[j] < logistic(x[j])`, given
/// `p` from `probabilities`. The first loop compares and notes whether any
/// draw fell near its probability (or is NaN), with no branch; only then are
/// the draws decided again one by one.
#[inline]
pub fn decide_all(u: &[f64], x: &[f64], p: &[f64], yes: &mut [bool]) {
    let n = yes.len();
    let (u, x, p) = (&u[..n], &x[..n], &p[..n]);
    let mut near = false;
    for j in 0..n {
        yes[j] = u[j] < p[j];
        near |= !((u[j] - p[j]).abs() > NEAR);
    }
    if near {
        for j in 0..n {
            yes[j] = decide(u[j], x[j], p[j]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{Keys, draw};

    fn approx_one(x: f64) -> f64 {
        let mut p = [0.0; LANES];
        probabilities(&[x; LANES], &mut p);
        assert!(p.iter().all(|q| q.to_bits() == p[0].to_bits()));
        p[0]
    }

    #[test]
    fn a_block_decides_as_draws_one_by_one() {
        // Draws right at the probability (which go to libm), NaN and far ones.
        let x: Vec<f64> = (0..24)
            .map(|i| (i as f64 - 12.0) * 0.7)
            .chain([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -800.0, 800.0, 0.0, -0.0, 1e-300])
            .collect();
        let mut p = vec![0.0; x.len()];
        probabilities(&x, &mut p);
        let mut rng = Keys { seed: 8, replicate: 1 }.init(2);
        for round in 0..3 {
            let u: Vec<f64> = match round {
                0 => x.iter().map(|_| draw::uniform(&mut rng)).collect(),
                1 => x.iter().map(|&x| logistic(x)).collect(),
                _ => p.iter().map(|&q| q + 5e-13).collect(),
            };
            let mut yes = vec![false; x.len()];
            decide_all(&u, &x, &p, &mut yes);
            for j in 0..x.len() {
                assert_eq!(yes[j], u[j] < logistic(x[j]), "round {round}, x {}", x[j]);
            }
        }
    }

    #[test]
    fn exp_approx_is_close_to_libm() {
        let mut rng = Keys { seed: 5, replicate: 0 }.init(0);
        let mut worst: f64 = 0.0;
        for _ in 0..200_000 {
            let y = (draw::uniform(&mut rng) - 0.5) * 80.0;
            let rel = (exp_approx(y) - y.exp()).abs() / y.exp();
            worst = worst.max(rel);
        }
        for y in [0.0, -0.0, 1.0, -1.0, 0.5 * std::f64::consts::LN_2, 700.0, -700.0, 1e-300] {
            worst = worst.max((exp_approx(y) - y.exp()).abs() / y.exp());
        }
        assert!(worst < 1e-14, "relative error {worst:e}");
        assert!(approx_one(f64::NAN).is_nan());
    }

    #[test]
    fn probabilities_are_within_a_hundredth_of_the_margin() {
        // NEAR must cover the approximation's error with room: the margin is
        // 100 times the worst error seen over the stances' whole range and beyond.
        let mut rng = Keys { seed: 6, replicate: 0 }.init(0);
        let mut worst: f64 = 0.0;
        for i in 0..400_000 {
            let x = if i % 2 == 0 {
                (draw::uniform(&mut rng) - 0.5) * 20.0
            } else {
                (draw::uniform(&mut rng) - 0.5) * 2000.0
            };
            worst = worst.max((approx_one(x) - logistic(x)).abs());
        }
        for x in [0.0, 36.0, -36.0, 37.5, -37.5, 700.0, -700.0, 701.0, -701.0, 1e308, -1e308] {
            worst = worst.max((approx_one(x) - logistic(x)).abs());
        }
        assert!(worst * 100.0 < NEAR, "worst {worst:e}");
        assert!(approx_one(f64::INFINITY).is_nan(), "left to libm");
    }

    #[test]
    fn decisions_are_libms_even_at_the_boundary() {
        let mut rng = Keys { seed: 7, replicate: 0 }.init(0);
        let exact = |u: f64, x: f64| u < logistic(x);
        let mut near = 0;
        for _ in 0..200_000 {
            let x = (draw::uniform(&mut rng) - 0.5) * 30.0;
            let p = approx_one(x);
            let u = draw::uniform(&mut rng);
            assert_eq!(decide(u, x, p), exact(u, x), "u {u} x {x}");
            // The draws right at libm's probability and one step either side.
            let l = logistic(x);
            for v in [l, l.next_up(), l.next_down(), p, p.next_up(), p.next_down()] {
                assert_eq!(decide(v, x, p), exact(v, x), "v {v} x {x}");
                near += 1;
            }
        }
        assert!(near > 0);
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 800.0, -800.0] {
            let p = approx_one(x);
            for u in [0.0, 1e-300, 0.5, 1.0 - f64::EPSILON] {
                assert_eq!(decide(u, x, p), exact(u, x), "u {u} x {x}");
            }
        }
    }
}
