//! Robustness of each option over the worlds: the statistics of
//! `robustness.csv`, from a matrix of values (option x world) per outcome.
//!
//! - Regret (Savage 1951), as Rhodium's type-2 regret (McPhail et al. 2018,
//!   Earth's Future 6: 169-191): in each world, the best option's value
//!   minus this option's, in the outcome's good direction; its mean and 90th
//!   percentile.
//! - Satisficing (Simon 1956; McPhail et al.'s type 1): the share of worlds
//!   in which the option meets the threshold.
//! - Probability best: the share of worlds in which it is best, ties shared
//!   equally, with a 95% Wilson interval over worlds.
//! - Worst 5%: the 5th percentile in the good direction (maximin-like).
//!
//! Quantiles are type 7 ([`super::stats::quantile`]).

use super::stats::{Z95, mean, quantile, wilson};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Max,
    Min,
}

impl Direction {
    /// Signs a value so that larger is better.
    pub fn good(self, v: f64) -> f64 {
        match self {
            Direction::Max => v,
            Direction::Min => -v,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Direction::Max => "max",
            Direction::Min => "min",
        }
    }
}

/// What the statistics need to know of an outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Criterion {
    pub direction: Direction,
    pub threshold: Option<f64>,
}

impl Criterion {
    pub fn meets(&self, v: f64) -> Option<bool> {
        self.threshold.map(|t| match self.direction {
            Direction::Max => v >= t,
            Direction::Min => v <= t,
        })
    }
}

/// One row of robustness.csv; `outcome` None is the row over all outcomes.
/// Statistics that do not apply are NaN (written empty).
#[derive(Clone, Debug, PartialEq)]
pub struct Robustness {
    pub option: usize,
    pub outcome: Option<usize>,
    pub mean: f64,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
    pub diff_mean: f64,
    pub diff_p05: f64,
    pub diff_p95: f64,
    pub prob_best: f64,
    pub prob_best_low: f64,
    pub prob_best_high: f64,
    pub regret_mean: f64,
    pub regret_p90: f64,
    pub satisficing: f64,
    pub worst5: f64,
}

/// Per-world regret of every option for one outcome: `values[option][world]`.
pub fn regret(values: &[Vec<f64>], dir: Direction) -> Vec<Vec<f64>> {
    let worlds = values.first().map_or(0, Vec::len);
    let best: Vec<f64> =
        (0..worlds).map(|w| values.iter().map(|v| dir.good(v[w])).fold(f64::NEG_INFINITY, f64::max)).collect();
    values.iter().map(|v| (0..worlds).map(|w| best[w] - dir.good(v[w])).collect()).collect()
}

/// Each option's share of "best" in each world: 1/k for each of the k
/// options whose regret is 0 there.
pub fn best_shares(regrets: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let worlds = regrets.first().map_or(0, Vec::len);
    let mut shares = vec![vec![0.0; worlds]; regrets.len()];
    for w in 0..worlds {
        let k = regrets.iter().filter(|r| r[w] == 0.0).count().max(1) as f64;
        for (o, r) in regrets.iter().enumerate() {
            if r[w] == 0.0 {
                shares[o][w] = 1.0 / k;
            }
        }
    }
    shares
}

/// Every statistic per option and outcome, then one row per option over
/// all outcomes: `values[outcome][option][world]`; `reference` is the
/// option differences are taken from.
///
/// The joint row: probability best is the share of worlds in which the
/// option is best on every outcome at once (shared among options tied so);
/// regret is the sum over outcomes of regret divided by that outcome's range
/// over the whole matrix (so outcomes in different units add); satisficing
/// is the share of worlds meeting every threshold given.
pub fn robustness(values: &[Vec<Vec<f64>>], criteria: &[Criterion], reference: usize) -> Vec<Robustness> {
    let options = values.first().map_or(0, Vec::len);
    let worlds = values.first().and_then(|o| o.first()).map_or(0, Vec::len);
    let mut rows = Vec::new();
    let regrets: Vec<Vec<Vec<f64>>> = values.iter().zip(criteria).map(|(v, c)| regret(v, c.direction)).collect();
    for (k, (v, c)) in values.iter().zip(criteria).enumerate() {
        let shares = best_shares(&regrets[k]);
        for o in 0..options {
            let x = &v[o];
            let diff: Vec<f64> = x.iter().zip(&v[reference]).map(|(a, b)| a - b).collect();
            let pb = mean(&shares[o]);
            let (lo, hi) = wilson(pb, worlds, Z95);
            let met: Vec<f64> = x.iter().filter_map(|&y| c.meets(y)).map(|m| f64::from(u8::from(m))).collect();
            rows.push(Robustness {
                option: o,
                outcome: Some(k),
                mean: mean(x),
                p05: quantile(x, 0.05),
                p50: quantile(x, 0.5),
                p95: quantile(x, 0.95),
                diff_mean: mean(&diff),
                diff_p05: quantile(&diff, 0.05),
                diff_p95: quantile(&diff, 0.95),
                prob_best: pb,
                prob_best_low: lo,
                prob_best_high: hi,
                regret_mean: mean(&regrets[k][o]),
                regret_p90: quantile(&regrets[k][o], 0.9),
                satisficing: if met.is_empty() { f64::NAN } else { mean(&met) },
                worst5: match c.direction {
                    Direction::Max => quantile(x, 0.05),
                    Direction::Min => quantile(x, 0.95),
                },
            });
        }
    }
    // All outcomes jointly.
    let ranges: Vec<f64> = values
        .iter()
        .map(|v| {
            let (lo, hi) =
                v.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
            if hi > lo { hi - lo } else { 1.0 }
        })
        .collect();
    let any_threshold = criteria.iter().any(|c| c.threshold.is_some());
    for o in 0..options {
        let mut joint_regret = vec![0.0; worlds];
        let mut best_all = vec![0.0; worlds];
        let mut meets_all = vec![0.0; worlds];
        for w in 0..worlds {
            for (k, r) in regrets.iter().enumerate() {
                joint_regret[w] += r[o][w] / ranges[k];
            }
            let is_best = |p: usize| regrets.iter().all(|r| r[p][w] == 0.0);
            if is_best(o) {
                best_all[w] = 1.0 / (0..options).filter(|&p| is_best(p)).count() as f64;
            }
            let ok = values.iter().zip(criteria).all(|(v, c)| c.meets(v[o][w]).unwrap_or(true));
            meets_all[w] = f64::from(u8::from(ok));
        }
        let pb = mean(&best_all);
        let (lo, hi) = wilson(pb, worlds, Z95);
        rows.push(Robustness {
            option: o,
            outcome: None,
            mean: f64::NAN,
            p05: f64::NAN,
            p50: f64::NAN,
            p95: f64::NAN,
            diff_mean: f64::NAN,
            diff_p05: f64::NAN,
            diff_p95: f64::NAN,
            prob_best: pb,
            prob_best_low: lo,
            prob_best_high: hi,
            regret_mean: mean(&joint_regret),
            regret_p90: quantile(&joint_regret, 0.9),
            satisficing: if any_threshold { mean(&meets_all) } else { f64::NAN },
            worst5: f64::NAN,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three options in four worlds, one outcome to maximise with threshold 3:
    ///
    /// ```text
    ///          w0  w1  w2  w3
    ///   A       3   5   1   4
    ///   B       4   2   2   4
    ///   C       1   6   3   2
    /// best      4   6   3   4
    /// ```
    /// Regret A: 1 1 2 0 (mean 1, p90 = 1 + 0.7 x (2 - 1) = 1.7);
    /// B: 0 4 1 0 (mean 1.25, p90: sorted 0 0 1 4, h = 2.7 -> 1 + 0.7 x 3 = 3.1);
    /// C: 3 0 0 2 (mean 1.25, p90: sorted 0 0 2 3, h = 2.7 -> 2.7).
    /// Best: w0 B, w1 C, w2 C, w3 A and B tied -> A 0.5/4, B 1.5/4, C 2/4.
    /// Meets 3: A 3 of 4, B 2 of 4, C 2 of 4.
    /// Differences from A: B 1 -3 1 0 (mean -0.25), C -2 1 2 -2 (mean -0.25).
    /// Worst 5% of A (sorted 1 3 4 5, h = 0.15): 1 + 0.15 x 2 = 1.3.
    fn matrix() -> Vec<Vec<Vec<f64>>> {
        vec![vec![vec![3.0, 5.0, 1.0, 4.0], vec![4.0, 2.0, 2.0, 4.0], vec![1.0, 6.0, 3.0, 2.0]]]
    }

    #[test]
    fn a_hand_computed_three_by_four_matrix() {
        let c = [Criterion { direction: Direction::Max, threshold: Some(3.0) }];
        let rows = robustness(&matrix(), &c, 0);
        assert_eq!(rows.len(), 3 + 3);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        let [a, b, cc] = [&rows[0], &rows[1], &rows[2]];
        assert!(close(a.regret_mean, 1.0) && close(b.regret_mean, 1.25) && close(cc.regret_mean, 1.25));
        assert!(close(a.regret_p90, 1.7) && close(b.regret_p90, 3.1) && close(cc.regret_p90, 2.7));
        assert!(close(a.prob_best, 0.125) && close(b.prob_best, 0.375) && close(cc.prob_best, 0.5));
        assert!(close(a.satisficing, 0.75) && close(b.satisficing, 0.5) && close(cc.satisficing, 0.5));
        assert!(close(a.diff_mean, 0.0) && close(b.diff_mean, -0.25) && close(cc.diff_mean, -0.25));
        assert!(close(a.mean, 3.25) && close(a.p50, 3.5) && close(a.worst5, 1.3));
        // Wilson interval of 0.5 over 4 worlds: 0.5 -+ 1.96 x ... = (0.150, 0.850).
        assert!((cc.prob_best_low - 0.1500).abs() < 1e-3 && (cc.prob_best_high - 0.8500).abs() < 1e-3);
        // With one outcome the joint row's regret is regret / range (6 - 1 = 5).
        assert!(close(rows[3].regret_mean, 0.2) && close(rows[3].prob_best, 0.125));
        assert!(close(rows[5].satisficing, 0.5));
    }

    #[test]
    fn minimising_turns_the_matrix_over() {
        let c = [Criterion { direction: Direction::Min, threshold: Some(3.0) }];
        let rows = robustness(&matrix(), &c, 0);
        // Best when minimising: w0 C, w1 B, w2 A, w3 C.
        assert!((rows[0].prob_best - 0.25).abs() < 1e-12 && (rows[2].prob_best - 0.5).abs() < 1e-12);
        // A's regret: 3-1, 5-2, 1-1, 4-2 = 2 3 0 2.
        assert!((rows[0].regret_mean - 1.75).abs() < 1e-12);
        // Meeting <= 3: A 2 of 4 (3, 1).
        assert!((rows[0].satisficing - 0.5).abs() < 1e-12);
    }

    #[test]
    fn identical_options_have_zero_difference_and_regret_and_share_best() {
        let v = vec![vec![vec![0.1, 0.7, 0.3], vec![0.1, 0.7, 0.3]]];
        let rows = robustness(&v, &[Criterion { direction: Direction::Max, threshold: None }], 0);
        for r in &rows[..2] {
            assert_eq!((r.diff_mean, r.diff_p05, r.diff_p95, r.regret_mean, r.regret_p90), (0.0, 0.0, 0.0, 0.0, 0.0));
            assert_eq!(r.prob_best, 0.5);
            assert!(r.satisficing.is_nan(), "no threshold: no satisficing share");
        }
    }

    #[test]
    fn the_joint_row_needs_the_best_on_every_outcome() {
        // Outcome 2 reverses outcome 1 in world 0 only.
        let v = vec![vec![vec![1.0, 1.0], vec![0.0, 0.0]], vec![vec![0.0, 1.0], vec![1.0, 0.0]]];
        let c = vec![Criterion { direction: Direction::Max, threshold: Some(0.5) }; 2];
        let rows = robustness(&v, &c, 0);
        let joint: Vec<&Robustness> = rows.iter().filter(|r| r.outcome.is_none()).collect();
        assert_eq!((joint[0].prob_best, joint[1].prob_best), (0.5, 0.0));
        assert_eq!((joint[0].satisficing, joint[1].satisficing), (0.5, 0.0));
        // Option 0: regret 1/1 on outcome 2 in world 0 -> mean 0.5; option 1: 1 + 0 then 1 + 1 -> 1.5.
        assert_eq!((joint[0].regret_mean, joint[1].regret_mean), (0.5, 1.5));
    }
}
