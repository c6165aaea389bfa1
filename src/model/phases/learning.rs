//! Phase 9: trust drifts toward the footprint's collaboration, resentment
//! fades, unsure organisations become clear; joint working builds trust, and
//! new leadership resets it.

use crate::model::part::Part;
use crate::model::rng::{Below, Block, Stream, draw};

pub fn learn(w: &mut Part, f: usize, rng: &mut Stream) {
    // Parameters in locals: the loops write through slices the compiler
    // cannot tell apart from `w.p`, and would load them again every time.
    let p = w.p;
    let (turnover, noise) = (Below::new(p.turnover), p.trust_noise);
    let rate = w.fps[f].collab_rate;
    let readiness = w.fps[f].readiness;
    let steps = Steps {
        rate,
        drift: p.trust_drift,
        decay: p.resent_decay,
        joint: w.fps[f].gov.joint_working,
        gain: p.kappa_contact * rate,
        hazard: Below::new(w.national.policy.clarity_hazard),
    };
    let r = w.fps[f].members();
    let n = r.len();
    let affected = &w.affected.run(r.clone())[..n];
    let collab = &w.collab.run(r.clone())[..n];
    let trust = &mut w.trust.run_mut(r.clone())[..n];
    let resentment = &mut w.resentment.run_mut(r.clone())[..n];
    let unsure = &mut w.unsure.run_mut(r)[..n];
    // One uniform for every member, unsure or not, so that a lever changing
    // who is unsure leaves every later draw where it was (common random
    // numbers); taken as a block, member j's being the block's draw j.
    let draws = rng.block(n);
    steps.apply(trust, resentment, unsure, affected, collab, draws);
    // Last: new leadership draws its trust afresh and bears no grudges.
    // Without it joint working would drive every trust to 1. A normal takes
    // a varying number of draws, so these go one by one.
    for j in 0..n {
        if rng.below(turnover) {
            trust[j] = draw::normal(rng, readiness, noise).clamp(0.0, 1.0);
            resentment[j] = 0.0;
        }
    }
}

/// What a quarter does to every member before turnover.
struct Steps {
    /// The footprint's collaboration rate, toward which trust drifts.
    rate: f64,
    drift: f64,
    /// What resentment keeps.
    decay: f64,
    /// Joint working is on.
    joint: bool,
    /// Trust a collaborator gains toward 1: `kappa_contact` times the rate.
    gain: f64,
    /// Chance an unsure member becomes clear.
    hazard: Below,
}

impl Steps {
    /// Trust drifts (unaffected members), then joint working builds it
    /// (collaborators), resentment fades, and unsure members become clear
    /// on their draw: member by member, as separate passes would (no
    /// member's update reads another's). Selects, not branches: who is
    /// affected or collaborates, and who becomes clear, follow no pattern a
    /// predictor could learn. The slices come in as arguments, not in a
    /// struct, so the compiler knows they do not overlap and vectorises
    /// without checking at run time.
    #[inline]
    fn apply(
        &self,
        trust: &mut [f64],
        resentment: &mut [f64],
        unsure: &mut [bool],
        affected: &[bool],
        collab: &[bool],
        draws: Block,
    ) {
        let n = trust.len();
        let (resentment, unsure, affected, collab) =
            (&mut resentment[..n], &mut unsure[..n], &affected[..n], &collab[..n]);
        for (j, unsure) in unsure.iter_mut().enumerate() {
            *unsure &= !draws.below(j, self.hazard);
        }
        for (j, trust) in trust.iter_mut().enumerate() {
            let t = *trust;
            let t = if affected[j] { t } else { t + self.drift * (self.rate - t) };
            *trust = if self.joint & collab[j] { t + self.gain * (1.0 - t) } else { t };
            resentment[j] *= self.decay;
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

    /// Learning as it was first written, member by member with branches
    /// and draws one at a time: what `learn` must give, bit for bit, leaving
    /// the stream where this leaves it.
    fn one_by_one(w: &mut Part, f: usize, rng: &mut Stream) {
        let p = w.p;
        let rate = w.fps[f].collab_rate;
        let (readiness, joint) = (w.fps[f].readiness, w.fps[f].gov.joint_working);
        let hazard = w.national.policy.clarity_hazard;
        for i in w.fps[f].members() {
            let u = draw::uniform(rng);
            if !w.affected[i] {
                w.trust[i] += p.trust_drift * (rate - w.trust[i]);
            }
            w.resentment[i] *= p.resent_decay;
            if w.unsure[i] && u < hazard {
                w.unsure[i] = false;
            }
        }
        if joint {
            for i in w.fps[f].members() {
                if w.collab[i] {
                    w.trust[i] += p.kappa_contact * rate * (1.0 - w.trust[i]);
                }
            }
        }
        for i in w.fps[f].members() {
            if draw::uniform(rng) < p.turnover {
                w.trust[i] = draw::normal(rng, readiness, p.trust_noise).clamp(0.0, 1.0);
                w.resentment[i] = 0.0;
            }
        }
    }

    #[test]
    fn learning_is_as_one_member_at_a_time() {
        let mut a = england_world(14);
        a.p.turnover = 0.3;
        a.national.policy.clarity_hazard = 0.4;
        let mut rng = crate::model::rng::Keys { seed: 2, replicate: 14 }.init(0);
        for i in 0..a.kind.len() {
            a.affected[i] = draw::uniform(&mut rng) < 0.5;
            a.collab[i] = draw::uniform(&mut rng) < 0.5;
            a.unsure[i] = draw::uniform(&mut rng) < 0.7;
            a.resentment[i] = draw::uniform(&mut rng);
        }
        for f in 0..a.fps.len() {
            a.fps[f].gov.joint_working = f % 3 != 0;
        }
        let mut b = a.clone();
        for f in 0..a.fps.len() {
            let (mut ra, mut rb) = (stream(), stream());
            for _ in 0..f {
                ra.next_u64();
                rb.next_u64();
            }
            learn(&mut a.whole(), f, &mut ra);
            one_by_one(&mut b.whole(), f, &mut rb);
            assert_eq!(ra, rb, "the stream ends where it did, footprint {f}");
        }
        let bits = |x: &[f64]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.trust), bits(&b.trust));
        assert_eq!(bits(&a.resentment), bits(&b.resentment));
        assert_eq!(a.unsure, b.unsure);
        assert!(a.unsure.iter().any(|u| *u) && a.unsure.iter().any(|u| !*u));
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
