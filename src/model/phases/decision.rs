//! Phase 6: the footprint's rule decides each proposal; a lead with decision
//! rights may overrule a block; national bodies may unblock an escalation.

use crate::model::part::Part;
use crate::model::rng::{Stream, draw};

/// How a proposal passed, if it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Blocked,
    Rule,
    Lead,
    National,
}

/// Decides one proposal of footprint `f` from its counted votes; `u_lead` and
/// `u_national` are the proposal's two uniform draws.
pub fn route(w: &Part, f: usize, k: usize, u_lead: f64, u_national: f64) -> (Route, bool) {
    let p = &w.p;
    let fp = &w.fps[f];
    let prop = &w.proposals[k];
    let members = &prop.members[..prop.n];
    let opposed = (0..prop.n).any(|j| !prop.vote[j]);
    let share = prop.support_share;
    if if fp.gov.majority { share >= p.majority_threshold } else { !opposed } {
        return (Route::Rule, false);
    }
    let a = fp.authority(p);
    let lead_opposes = members.iter().zip(&prop.vote[..prop.n]).any(|(&m, &v)| m == fp.gov.lead && !v);
    if fp.decision_rights() && !lead_opposes && share >= 1.0 - a && u_lead < a * fp.legitimacy() {
        return (Route::Lead, false);
    }
    let escalated = share >= p.escalation_threshold && w.national.policy.intervention > 0.0;
    if escalated && u_national < w.national.policy.intervention {
        return (Route::National, true);
    }
    (Route::Blocked, escalated)
}

/// Budget-weighted share of affected members whose counted vote supports.
pub fn support_share(w: &Part, k: usize) -> f64 {
    let prop = &w.proposals[k];
    let (mut yes, mut all) = (0.0, 0.0);
    for j in 0..prop.n {
        let b = w.budget[prop.members[j]];
        all += b;
        if prop.vote[j] {
            yes += b;
        }
    }
    if all > 0.0 { yes / all } else { 1.0 }
}

pub fn decide(w: &mut Part, f: usize, rng: &mut Stream) {
    for k in 0..w.proposals.len() {
        // Both drawn for every proposal, used or not, so that a lever changing
        // how a proposal is routed leaves the next proposal's draws where they
        // were (common random numbers).
        let u_lead = draw::uniform(rng);
        let u_national = draw::uniform(rng);
        w.proposals[k].support_share = support_share(w, k);
        let (how, escalated) = route(w, f, k, u_lead, u_national);
        let prop = w.proposals[k];
        let passed = how != Route::Blocked;
        let opposed = (0..prop.n).any(|j| !prop.vote[j]);
        let p = &w.p;
        for j in (0..prop.n).filter(|&j| !prop.vote[j]) {
            let i = prop.members[j];
            match how {
                Route::National => {
                    w.resentment[i] += p.resent_national;
                    w.trust[i] = (w.trust[i] - p.trust_penalty_national).max(0.0);
                    w.coerced[i] = p.coerce_quarters as u32;
                }
                Route::Rule | Route::Lead => {
                    w.resentment[i] += p.resent_overruled;
                    w.trust[i] = (w.trust[i] - p.trust_penalty_overruled).max(0.0);
                }
                Route::Blocked => {}
            }
        }
        w.proposals[k].passed = passed;
        let c = &mut w.fps[f].counts;
        c.raised += 1;
        c.passed += passed as u32;
        c.vetoed += !passed as u32;
        c.overruled += (passed && opposed) as u32;
        c.escalated += escalated as u32;
        c.unblocked += (how == Route::National) as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kind::ProposalType;
    use crate::model::state::Proposal;
    use crate::model::testing::england_world;

    /// A world whose footprint 0 holds one proposal with the given votes.
    fn with_votes(votes: &[bool]) -> crate::model::testing::Testbed {
        let mut w = england_world(8);
        let s = w.fps[0].start;
        let mut prop = Proposal::new(ProposalType::OutOfHospital, 0.04);
        prop.n = votes.len();
        prop.members = [s + 1, s + 2, s + 3, s + 4];
        prop.vote[..votes.len()].copy_from_slice(votes);
        for m in &prop.members[..votes.len()] {
            w.budget[*m] = 100.0;
        }
        w.fps[0].gov.lead = s;
        w.ws.proposals = vec![prop];
        w.ws.proposals[0].support_share = support_share(&w.whole(), 0);
        w
    }

    #[test]
    fn consensus_lets_one_member_veto() {
        let mut w = with_votes(&[true, true, false]);
        assert_eq!(route(&w.whole(), 0, 0, 0.0, 0.0), (Route::Blocked, false));
        let mut w = with_votes(&[true, true, true]);
        assert_eq!(route(&w.whole(), 0, 0, 0.9, 0.9).0, Route::Rule);
    }

    #[test]
    fn majority_passes_at_half_the_budget() {
        let mut w = with_votes(&[true, true, false]);
        w.fps[0].gov.majority = true;
        assert_eq!(route(&w.whole(), 0, 0, 0.9, 0.9).0, Route::Rule);
        let mut w = with_votes(&[true, false, false]);
        w.fps[0].gov.majority = true;
        assert_eq!(route(&w.whole(), 0, 0, 0.0, 0.0).0, Route::Blocked);
    }

    #[test]
    fn lead_overrules_with_probability_a_lambda_when_support_is_high_enough() {
        let mut w = with_votes(&[true, true, false]);
        w.fps[0].gov.decision_rights = true;
        w.fps[0].gov.authority = 0.5;
        // support 2/3 >= 1 - 0.5; chance 0.5 x 0.5.
        assert_eq!(route(&w.whole(), 0, 0, 0.24, 0.9).0, Route::Lead);
        assert_eq!(route(&w.whole(), 0, 0, 0.26, 0.9).0, Route::Blocked);
        w.fps[0].gov.authority = 0.3;
        assert_eq!(route(&w.whole(), 0, 0, 0.0, 0.9).0, Route::Blocked, "support below 1 - A");
        w.fps[0].gov.authority = 0.5;
        let opposer = w.ws.proposals[0].members[2];
        w.fps[0].gov.lead = opposer;
        assert_eq!(
            route(&w.whole(), 0, 0, 0.0, 0.9).0,
            Route::Blocked,
            "a lead whose own body opposes cannot overrule"
        );
    }

    #[test]
    fn national_bodies_unblock_escalations_and_coerce_opponents() {
        let mut w = with_votes(&[true, true, false]);
        assert_eq!(route(&w.whole(), 0, 0, 0.9, 0.0), (Route::Blocked, false), "no intervention: nothing escalates");
        w.national.policy.intervention = 0.5;
        assert_eq!(route(&w.whole(), 0, 0, 0.9, 0.6), (Route::Blocked, true));
        assert_eq!(route(&w.whole(), 0, 0, 0.9, 0.4), (Route::National, true));
        let opposer = w.ws.proposals[0].members[2];
        w.resentment[opposer] = 0.0;
        let mut rng = crate::model::rng::Keys { seed: 0, replicate: 0 }.init(0);
        w.national.policy.intervention = 1.0;
        decide(&mut w.whole(), 0, &mut rng);
        assert_eq!(w.resentment[opposer], 1.0);
        assert_eq!(w.coerced[opposer], 4);
        let c = w.fps[0].counts;
        assert_eq!((c.raised, c.passed, c.vetoed, c.overruled, c.escalated, c.unblocked), (1, 1, 0, 1, 1, 1));
    }
}
