//! Phase 9: trust drifts toward the footprint's collaboration, resentment
//! fades, unsure organisations become clear.

use crate::model::part::Part;
use crate::model::rng::{Stream, draw};

pub fn learn(w: &mut Part, f: usize, rng: &mut Stream) {
    let p = &w.p;
    let rate = w.fps[f].collab_rate;
    let hazard = w.national.policy.clarity_hazard;
    let r = w.fps[f].members();
    let n = r.len();
    let affected = &w.affected.run(r.clone())[..n];
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::england_world;

    #[test]
    fn unaffected_trust_drifts_and_clarity_arrives() {
        let mut w = england_world(11);
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
        learn(&mut w.whole(), f, &mut crate::model::rng::Keys { seed: 0, replicate: 0 }.init(0));
        assert!((w.trust[i] - 0.05).abs() < 1e-12);
        assert_eq!(w.trust[j], 0.0);
        assert!((w.resentment[i] - 0.9).abs() < 1e-12);
        assert!(!w.unsure[i]);
    }
}
