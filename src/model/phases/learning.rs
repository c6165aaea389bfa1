//! Phase 9: trust drifts toward the footprint's collaboration, resentment
//! fades, unsure organisations become clear; joint working builds trust, and
//! new leadership resets it.

use crate::model::part::Part;
use crate::model::rng::{Stream, draw};

pub fn learn(w: &mut Part, f: usize, rng: &mut Stream) {
    let p = &w.p;
    let rate = w.fps[f].collab_rate;
    let (readiness, joint) = (w.fps[f].readiness, w.fps[f].gov.joint_working);
    let hazard = w.national.policy.clarity_hazard;
    let r = w.fps[f].members();
    let n = r.len();
    let affected = &w.affected.run(r.clone())[..n];
    let collab = &w.collab.run(r.clone())[..n];
    let trust = &mut w.trust.run_mut(r.clone())[..n];
    let resentment = &mut w.resentment.run_mut(r.clone())[..n];
    let unsure = &mut w.unsure.run_mut(r)[..n];
    for j in 0..n {
        // Drawn for every member, unsure or not, so that a lever changing who
        // is unsure leaves every later draw where it was (common random numbers).
        let u = draw::uniform(rng);
        if !affected[j] {
            trust[j] += p.trust_drift * (rate - trust[j]);
        }
        resentment[j] *= p.resent_decay;
        if unsure[j] && u < hazard {
            unsure[j] = false;
        }
    }
    // Working beside partners who also turn up builds relationships.
    if joint {
        for j in 0..n {
            if collab[j] {
                trust[j] += p.kappa_contact * rate * (1.0 - trust[j]);
            }
        }
    }
    // Last: new leadership draws its trust afresh and bears no grudges.
    // Without it joint working would drive every trust to 1.
    for j in 0..n {
        if draw::uniform(rng) < p.turnover {
            trust[j] = draw::normal(rng, readiness, p.trust_noise).clamp(0.0, 1.0);
            resentment[j] = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::england_world;

    fn stream() -> Stream {
        crate::model::rng::Keys { seed: 0, replicate: 0 }.init(0)
    }

    #[test]
    fn unaffected_trust_drifts_and_clarity_arrives() {
        let mut w = england_world(11);
        w.p.turnover = 0.0;
        let f = 0;
        w.fps[f].collab_rate = 1.0;
        let i = w.fps[f].start;
        let j = i + 1;
        w.trust[i] = 0.0;
        w.trust[j] = 0.0;
        w.affected[j] = true;
        w.resentment[i] = 1.0;
        w.national.policy.clarity_hazard = 1.0;
        w.unsure[i] = true;
        learn(&mut w.whole(), f, &mut stream());
        assert!((w.trust[i] - 0.05).abs() < 1e-12);
        assert_eq!(w.trust[j], 0.0);
        assert!((w.resentment[i] - 0.9).abs() < 1e-12);
        assert!(!w.unsure[i]);
    }

    #[test]
    fn joint_working_builds_trust_of_those_who_collaborated() {
        let mut w = england_world(12);
        w.p.turnover = 0.0;
        let f = 0;
        let (i, j) = (w.fps[f].start, w.fps[f].start + 1);
        w.fps[f].collab_rate = 0.5;
        for k in [i, j] {
            w.trust[k] = 0.2;
            w.affected[k] = true;
        }
        w.collab[i] = true;
        w.collab[j] = false;
        learn(&mut w.whole(), f, &mut stream());
        assert_eq!(w.trust[i], 0.2, "off: no gain");
        w.fps[f].gov.joint_working = true;
        learn(&mut w.whole(), f, &mut stream());
        assert!((w.trust[i] - (0.2 + 0.6 * 0.5 * 0.8)).abs() < 1e-12);
        assert_eq!(w.trust[j], 0.2, "a self-prioritiser gains nothing");
    }

    #[test]
    fn turnover_redraws_trust_around_readiness_and_clears_resentment() {
        let mut w = england_world(13);
        w.p.turnover = 1.0;
        w.p.trust_noise = 0.0;
        let f = 1;
        for i in w.fps[f].members() {
            w.trust[i] = 1.0;
            w.resentment[i] = 3.0;
        }
        learn(&mut w.whole(), f, &mut stream());
        for i in w.fps[f].members() {
            assert!((w.trust[i] - w.fps[f].readiness).abs() < 1e-12);
            assert_eq!(w.resentment[i], 0.0);
        }
    }
}
