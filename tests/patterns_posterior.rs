//! The six patterns of spec section 6 over the built-in England posterior:
//! 200 replicates, replicate r of every scenario on the same posterior draw,
//! so differences are paired and carry parameter uncertainty as well as
//! chance. A clause that holds over the whole posterior must have its mean
//! paired difference 5 standard errors on the expected side (chance failure
//! below 1e-6) and hold, by a linear fit of the difference on the draws'
//! parameters, on at least 90% of the draws. A clause that holds only in
//! part of the posterior is tested as such: its probability must lie inside
//! the stated band, with the deciding parameter named.

mod common;
use common::*;
use stpsim::calibrate::choice;
use stpsim::calibrate::patterns::{self, Check};
use stpsim::runner::run_over;

const REPS: u32 = 200;
const SEED: u64 = 2016;

fn checks() -> Vec<Check> {
    let mut s: Vec<stpsim::Scenario> = [
        "baseline",
        "strong-leads",
        "no-veto",
        "local-government-seats",
        "council-leads",
        "conditional-funding",
        "force-pace-all",
    ]
    .iter()
    .map(|n| stpsim::scenario::load(n).unwrap())
    .collect();
    // Pattern 5 has no library scenario: the baseline with its one lever.
    s.push(scenario(
        "name = \"accountability-clarity\"\nextends = \"baseline\"\n[[levers]]\nkind = \"accountability_clarity\"\n\
         start = \"2017Q2\"\nhazard = 0.2\n",
    ));
    let p = choice::england();
    let opts = stpsim::RunOptions { replicates: REPS, seed: SEED, footprint_replicates: 0 };
    let results = run_over(&s, &opts, Some(p));
    let theta: Vec<Vec<f64>> = (0..REPS as u64).map(|r| p.draws[p.draw_for(SEED, r)].clone()).collect();
    patterns::over_run(&results, &theta, &p.names)
}

#[test]
fn the_six_patterns_over_the_posterior() {
    let all = checks();
    assert_eq!(all.len(), patterns::CLAUSES.len(), "every clause checked");
    for c in &all {
        eprintln!(
            "pattern {} {}: mean {:+.4} (se {:.4}), holds on {:.0}% of draws, decided by {}",
            c.pattern,
            c.clause,
            c.mean,
            c.se,
            100.0 * c.probability,
            c.deciding
        );
    }
    let partial = |c: &Check| PARTIAL.iter().find(|p| p.0 == c.clause);
    for c in &all {
        let sign = patterns::CLAUSES.iter().find(|k| k.text == c.clause).unwrap().sign;
        match partial(c) {
            None => {
                assert!(sign * c.mean > 5.0 * c.se, "{}: mean {} is not 5 se ({}) on its side", c.clause, c.mean, c.se);
                assert!(c.probability >= 0.9, "{}: holds on only {:.0}% of draws", c.clause, 100.0 * c.probability);
            }
            Some((_, lo, hi, deciding)) => {
                assert!(
                    (*lo..=*hi).contains(&c.probability),
                    "{}: holds on {:.0}% of draws, outside the band {lo} to {hi}",
                    c.clause,
                    100.0 * c.probability
                );
                assert_eq!(c.deciding, *deciding, "{}: the deciding parameter", c.clause);
            }
        }
    }
}

/// Clauses that hold only in part of the posterior: (clause, lowest and
/// highest probability accepted, the parameter that decides it). Observed
/// with the posterior shipped in December 2026: council engagement falls
/// under strong leads on 59% of draws (a binomial sd of about 3.5 points
/// over 200 draws), decided by b_deficit; the band, 30% to 85%, says "in
/// part" with room for seven such sds either way. Pattern 4 holds on 96%.
const PARTIAL: &[(&str, f64, f64, &str)] =
    &[("under strong leads council engagement falls (absolute)", 0.30, 0.85, "b_deficit")];
