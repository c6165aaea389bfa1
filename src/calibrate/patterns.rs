//! The six patterns of spec section 6 checked over a run's posterior draws:
//! for each clause, the mean paired difference from the baseline, and the
//! probability the clause holds over the posterior, P(sign of E[d | theta]
//! is the expected one), with E[d | theta] read as linear in the draws'
//! parameters (least squares, as in `posterior::variance_split`); the
//! parameter whose standardised coefficient is largest decides a clause that
//! holds only in part of the posterior. Replicate r of every scenario ran
//! with the same draw, so each difference is paired.

use crate::core::quarter::Quarter;
use crate::model::Metric;
use crate::results::{Results, ScenarioResult};

/// How a clause reads a scenario's results, per replicate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measure {
    /// The metric at the final quarter.
    Last(Metric),
    /// The metric summed from 2017Q2, when the first levers start.
    TotalFromLevers(Metric),
    /// Failed / (failed + succeeded), summed from 2017Q2.
    FailedShare,
    /// Councils' engagement gain minus NHS bodies' collaboration gain, at the end.
    CouncilMinusNhsGain,
}

/// One clause of a pattern: the scenario it compares with the baseline, what
/// it reads and the sign the spec expects.
#[derive(Clone, Copy, Debug)]
pub struct Clause {
    pub pattern: u8,
    pub text: &'static str,
    pub scenario: &'static str,
    pub measure: Measure,
    pub sign: f64,
}

/// The clauses of the six patterns, as `tests/patterns.rs` checks them at the
/// spec's defaults. Pattern 5 has no library scenario of its own: a run
/// checks it when it includes a scenario named `accountability-clarity`.
pub const CLAUSES: &[Clause] = &[
    Clause {
        pattern: 1,
        text: "strong leads raise passed proposals",
        scenario: "strong-leads",
        measure: Measure::TotalFromLevers(Metric::Passed),
        sign: 1.0,
    },
    Clause {
        pattern: 1,
        text: "strong leads raise the transformation index",
        scenario: "strong-leads",
        measure: Measure::Last(Metric::TransformationIndex),
        sign: 1.0,
    },
    Clause {
        pattern: 2,
        text: "removing the veto cuts vetoes",
        scenario: "no-veto",
        measure: Measure::TotalFromLevers(Metric::Vetoed),
        sign: -1.0,
    },
    Clause {
        pattern: 2,
        text: "removing the veto raises resentment",
        scenario: "no-veto",
        measure: Measure::Last(Metric::MeanResentment),
        sign: 1.0,
    },
    Clause {
        pattern: 3,
        text: "NHS-led strong leads lower social care's priority",
        scenario: "strong-leads",
        measure: Measure::Last(Metric::SocialCarePriority),
        sign: -1.0,
    },
    Clause {
        pattern: 3,
        text: "council seats restore social care's priority",
        scenario: "local-government-seats",
        measure: Measure::Last(Metric::SocialCarePriority),
        sign: 1.0,
    },
    Clause {
        pattern: 3,
        text: "council leads restore social care's priority",
        scenario: "council-leads",
        measure: Measure::Last(Metric::SocialCarePriority),
        sign: 1.0,
    },
    Clause {
        pattern: 3,
        text: "under strong leads councils gain less than NHS bodies",
        scenario: "strong-leads",
        measure: Measure::CouncilMinusNhsGain,
        sign: -1.0,
    },
    Clause {
        pattern: 3,
        text: "under strong leads council engagement falls (absolute)",
        scenario: "strong-leads",
        measure: Measure::Last(Metric::CouncilEngagement),
        sign: -1.0,
    },
    Clause {
        pattern: 4,
        text: "conditional funding lowers self-priority of providers in deficit",
        scenario: "conditional-funding",
        measure: Measure::Last(Metric::DeficitProviderSelfPriorityShare),
        sign: -1.0,
    },
    Clause {
        pattern: 5,
        text: "accountability clarity lowers the unsure share",
        scenario: "accountability-clarity",
        measure: Measure::Last(Metric::UnsureShare),
        sign: -1.0,
    },
    Clause {
        pattern: 5,
        text: "accountability clarity lowers self-priority",
        scenario: "accountability-clarity",
        measure: Measure::Last(Metric::SelfPriorityShare),
        sign: -1.0,
    },
    Clause {
        pattern: 6,
        text: "forcing pace on unready footprints raises the failed share",
        scenario: "force-pace-all",
        measure: Measure::FailedShare,
        sign: 1.0,
    },
];

/// A clause over a run's draws, as manifest.json records it.
pub use crate::results::manifest::Check;

fn lever_start() -> Quarter {
    Quarter::new(2017, 2).unwrap_or_else(|| unreachable!("2017Q2 exists"))
}

fn total_from(r: &ScenarioResult, m: Metric, from: Quarter) -> Vec<f64> {
    let k0 = r.quarters.iter().position(|&x| x == from).unwrap_or(0);
    (0..r.replicates).map(|rep| (k0..r.quarters.len()).map(|k| r.value(rep, k, m)).sum()).collect()
}

fn last(r: &ScenarioResult, m: Metric) -> Vec<f64> {
    let k = r.quarters.len().saturating_sub(1);
    (0..r.replicates).map(|rep| r.value(rep, k, m)).collect()
}

/// Per replicate, the clause's difference (scenario minus baseline).
pub fn differences(measure: Measure, base: &ScenarioResult, other: &ScenarioResult) -> Vec<f64> {
    let read = |r: &ScenarioResult| -> Vec<f64> {
        match measure {
            Measure::Last(m) => last(r, m),
            Measure::TotalFromLevers(m) => total_from(r, m, lever_start()),
            Measure::FailedShare => {
                let f = total_from(r, Metric::Failed, lever_start());
                let s = total_from(r, Metric::Succeeded, lever_start());
                f.iter().zip(&s).map(|(f, s)| if f + s > 0.0 { f / (f + s) } else { 0.0 }).collect()
            }
            Measure::CouncilMinusNhsGain => {
                let c = last(r, Metric::CouncilEngagement);
                let n = last(r, Metric::NhsCollaborationRate);
                c.iter().zip(&n).map(|(c, n)| c - n).collect()
            }
        }
    };
    let (a, b) = (read(base), read(other));
    a.iter().zip(&b).map(|(x, y)| y - x).collect()
}

/// Least-squares fit of `y` on standardised `theta`: fitted values and the
/// standardised coefficients.
fn linear_fit(y: &[f64], theta: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let n = y.len();
    let d = theta.first().map_or(0, |t| t.len());
    let mean = y.iter().sum::<f64>() / n.max(1) as f64;
    let mu: Vec<f64> = (0..d).map(|k| theta.iter().map(|t| t[k]).sum::<f64>() / n.max(1) as f64).collect();
    let sd: Vec<f64> = (0..d)
        .map(|k| (theta.iter().map(|t| (t[k] - mu[k]).powi(2)).sum::<f64>() / n.max(1) as f64).sqrt().max(1e-12))
        .collect();
    let x: Vec<Vec<f64>> = theta.iter().map(|t| (0..d).map(|k| (t[k] - mu[k]) / sd[k]).collect()).collect();
    let mut a = vec![0.0; d * d];
    let mut b = vec![0.0; d];
    for (xi, yi) in x.iter().zip(y) {
        for j in 0..d {
            b[j] += xi[j] * (yi - mean);
            for k in 0..d {
                a[j * d + k] += xi[j] * xi[k];
            }
        }
    }
    for j in 0..d {
        a[j * d + j] += 1e-9 * n as f64 + 1e-12;
    }
    let l = super::smc::cholesky(&a, d);
    let mut z = vec![0.0; d];
    for j in 0..d {
        z[j] = (b[j] - (0..j).map(|k| l[j * d + k] * z[k]).sum::<f64>()) / l[j * d + j];
    }
    let mut beta = vec![0.0; d];
    for j in (0..d).rev() {
        beta[j] = (z[j] - (j + 1..d).map(|k| l[k * d + j] * beta[k]).sum::<f64>()) / l[j * d + j];
    }
    let fitted = x.iter().map(|xi| mean + (0..d).map(|k| beta[k] * xi[k]).sum::<f64>()).collect();
    (fitted, beta)
}

/// One clause over paired differences `d` and the draws' parameters `theta`
/// (one row per replicate; `names` their columns).
pub fn check(c: &Clause, d: &[f64], theta: &[Vec<f64>], names: &[&'static str]) -> Check {
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n.max(1.0);
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let (fitted, beta) = if names.is_empty() || d.len() <= names.len() + 2 {
        (vec![mean; d.len()], vec![])
    } else {
        linear_fit(d, theta)
    };
    let holds = fitted.iter().filter(|f| c.sign * **f > 0.0).count() as f64 / fitted.len().max(1) as f64;
    let deciding = beta.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).map_or("", |(k, _)| names[k]);
    Check {
        pattern: c.pattern,
        clause: c.text.to_string(),
        scenario: c.scenario.to_string(),
        mean,
        se: (var / n.max(1.0)).sqrt(),
        probability: holds,
        deciding: deciding.to_string(),
    }
}

/// Every clause whose scenario and `baseline` are in the run, over the draws
/// replicate r took (`theta[r]`, columns `names`).
pub fn over_run(results: &Results, theta: &[Vec<f64>], names: &[&'static str]) -> Vec<Check> {
    let Some(base) = results.scenarios.iter().find(|s| s.name == "baseline") else { return Vec::new() };
    CLAUSES
        .iter()
        .filter_map(|c| {
            let other = results.scenarios.iter().find(|s| s.name == c.scenario)?;
            (other.quarters == base.quarters).then(|| check(c, &differences(c.measure, base, other), theta, names))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probability_follows_the_deciding_parameter() {
        // d = theta_1 - 0.3 (theta_1 uniform on 0..1) plus a little noise:
        // E[d | theta] > 0 on 70% of draws, decided by theta_1, not theta_0.
        let theta: Vec<Vec<f64>> =
            (0..1000).map(|i| vec![((i * 7919) % 1000) as f64 / 1000.0, (i % 1000) as f64 / 1000.0]).collect();
        let d: Vec<f64> = theta.iter().enumerate().map(|(i, t)| t[1] - 0.3 + 0.01 * ((i % 3) as f64 - 1.0)).collect();
        let c = Clause { pattern: 9, text: "t", scenario: "s", measure: Measure::FailedShare, sign: 1.0 };
        let k = check(&c, &d, &theta, &["a", "b"]);
        assert!((k.probability - 0.7).abs() < 0.02, "{}", k.probability);
        assert_eq!(k.deciding, "b");
        assert!((k.mean - 0.2).abs() < 0.01);
    }
}
