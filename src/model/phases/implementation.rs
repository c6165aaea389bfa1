//! Phase 7: passed proposals succeed or fail; successes queue their effects;
//! affected members learn from the outcome.

use crate::core::quarter::Quarter;
use crate::model::part::Part;
use crate::model::rng::{Stream, draw, logistic};
use crate::model::state::PENDING_SLOTS;

/// Chance that a passed proposal of footprint `f` succeeds.
pub fn success_chance(w: &Part, f: usize, support_share: f64) -> f64 {
    let p = &w.p;
    let fp = &w.fps[f];
    let quarterly_budget = fp.budget_total / 4.0;
    let capacity = (fp.collab_rate + p.capacity_funding * fp.transformation_money / quarterly_budget).min(1.0);
    logistic(
        p.success_intercept + p.success_support * (support_share - 0.5) + p.success_capacity * (capacity - 0.5)
            - p.success_pace * (fp.gov.pace - fp.readiness).max(0.0),
    )
}

pub fn implement(w: &mut Part, f: usize, q: Quarter, rng: &mut Stream) {
    for k in 0..w.proposals.len() {
        // Drawn for every proposal, passed or not, so that a lever changing
        // which pass leaves the others' draws where they were (common random numbers).
        let u = draw::uniform(rng);
        let prop = w.proposals[k];
        if !prop.passed {
            continue;
        }
        let success = u < success_chance(w, f, prop.support_share);
        w.proposals[k].succeeded = success;
        let p = &w.p;
        if success {
            let impact = p.impact(prop.kind);
            let slot = (q.index() as usize + p.lag(prop.kind)) % PENDING_SLOTS;
            let due = &mut w.pending[slot][f];
            for d in 0..3 {
                due.keep[d] *= 1.0 - (prop.size * impact[d]).min(1.0);
            }
            due.provider_gain += p.fe_gain * prop.size * impact[2];
            if prop.kind == crate::model::kind::ProposalType::SocialCare {
                due.social_care_size += prop.size;
            }
        }
        for j in 0..prop.n {
            let i = prop.members[j];
            let signal = if success && prop.vote[j] { 1.0 } else { 0.0 };
            w.trust[i] = (w.trust[i] + p.trust_learning * (signal - w.trust[i])).clamp(0.0, 1.0);
        }
        let fp = &mut w.fps[f];
        fp.counts.succeeded += success as u32;
        fp.counts.failed += !success as u32;
        fp.passed_value += prop.size;
        if prop.kind.is_social() {
            fp.passed_social_value += prop.size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::england_world;

    #[test]
    fn forcing_pace_beyond_readiness_lowers_success() {
        let mut w = england_world(9);
        let base = success_chance(&w.whole(), 0, 0.8);
        w.fps[0].gov.pace = w.fps[0].readiness + 0.5;
        assert!(success_chance(&w.whole(), 0, 0.8) < base);
        w.fps[0].gov.pace = w.fps[0].readiness;
        assert!(success_chance(&w.whole(), 0, 1.0) > base, "more support, more success");
        w.fps[0].transformation_money = w.fps[0].budget_total;
        assert!(success_chance(&w.whole(), 0, 0.8) > base, "funded capacity helps");
    }
}
