//! Phase 5: affected members vote; under committees in common the CCGs vote
//! as one bloc.

use crate::model::kind::{Kind, ProposalType};
use crate::model::part::Part;
use crate::model::rng::{Stream, draw};

/// The system benefit member `i` sees in a proposal of type `t`.
pub fn benefit(w: &Part, i: usize, t: ProposalType) -> f64 {
    Voters::member(w, i).benefit(i, t)
}

/// Loyalty when voting: raised by deficit stress and by being unsure.
pub fn vote_loyalty(w: &Part, i: usize) -> f64 {
    Voters::member(w, i).loyalty(i)
}

/// Member `i`'s vote given its own effect and a noise draw.
pub fn supports(w: &Part, i: usize, t: ProposalType, own_effect: f64, noise: f64) -> bool {
    Voters::member(w, i).supports(i, t, own_effect, noise)
}

/// What voting reads of one footprint's members: each field sliced to the
/// footprint once, so that a member's fields are found with one bounds
/// check rather than one per field. `supports` gives `supports`'s votes.
struct Voters<'a> {
    p: &'a crate::core::params::Params,
    start: usize,
    balance: &'a [f64],
    unsure: &'a [bool],
    loyalty: &'a [f64],
    collab: &'a [bool],
    trust: &'a [f64],
    orientation: &'a [f64],
}

impl<'a> Voters<'a> {
    fn new(w: &'a Part, f: usize) -> Self {
        Voters::over(w, w.fps[f].members())
    }

    /// Member `i` alone.
    fn member(w: &'a Part, i: usize) -> Self {
        Voters::over(w, i..i + 1)
    }

    fn over(w: &'a Part, r: std::ops::Range<usize>) -> Self {
        let n = r.len();
        Voters {
            p: w.p,
            start: r.start,
            balance: &w.balance.run(r.clone())[..n],
            unsure: &w.unsure.run(r.clone())[..n],
            loyalty: &w.loyalty.run(r.clone())[..n],
            collab: &w.collab.run(r.clone())[..n],
            trust: &w.trust.run(r.clone())[..n],
            orientation: &w.orientation.run(r)[..n],
        }
    }

    /// Loyalty when voting: raised by deficit stress and by being unsure.
    #[inline(always)]
    fn loyalty(&self, i: usize) -> f64 {
        let (p, x) = (self.p, i - self.start);
        let stress = (-self.balance[x]).max(0.0) / p.deficit_scale;
        let unsure = if self.unsure[x] { 1.0 } else { 0.0 };
        (self.loyalty[x] + p.vote_deficit_loyalty * stress + p.vote_unsure_loyalty * unsure).clamp(0.0, 1.0)
    }

    /// The system benefit member `i` sees in a proposal of type `t`.
    #[inline(always)]
    fn benefit(&self, i: usize, t: ProposalType) -> f64 {
        let (p, x) = (self.p, i - self.start);
        match t {
            ProposalType::Prevention | ProposalType::SocialCare => p.benefit_social_base + self.orientation[x],
            ProposalType::Reconfiguration | ProposalType::BackOffice => p.benefit_acute_base - self.orientation[x],
            ProposalType::OutOfHospital => p.benefit_out_of_hospital,
        }
    }

    /// Member `i`'s vote given its own effect and a noise draw.
    #[inline(always)]
    fn supports(&self, i: usize, t: ProposalType, own_effect: f64, noise: f64) -> bool {
        let (p, x) = (self.p, i - self.start);
        let theta = self.loyalty(i);
        let stance = if self.collab[x] { p.vote_stance } else { -p.vote_stance };
        (1.0 - theta) * p.b_vote_system * self.trust[x] * self.benefit(i, t) + theta * own_effect + stance + noise > 0.0
    }
}

pub fn cast(w: &mut Part, f: usize, rng: &mut Stream) {
    let cic = w.fps[f].gov.committees_in_common;
    let mut props = std::mem::take(&mut *w.proposals);
    let voters = Voters::new(w, f);
    let scale = w.p.vote_noise;
    for prop in props.iter_mut() {
        for j in 0..prop.n {
            let noise = draw::logistic(rng, scale);
            prop.own_vote[j] = voters.supports(prop.members[j], prop.kind, prop.own_effect[j], noise);
            prop.vote[j] = prop.own_vote[j];
        }
        if !cic {
            continue;
        }
        // Every CCG votes; affected ones as above, the others with no own effect.
        let (mut yes, mut all) = (0.0, 0.0);
        for i in w.fps[f].members().filter(|&i| w.kind[i] == Kind::Ccg) {
            let v = match prop.members[..prop.n].iter().position(|&m| m == i) {
                Some(j) => prop.own_vote[j],
                None => {
                    let noise = draw::logistic(rng, scale);
                    voters.supports(i, prop.kind, 0.0, noise)
                }
            };
            all += w.budget[i];
            if v {
                yes += w.budget[i];
            }
        }
        if all > 0.0 {
            let bloc = yes / all >= w.p.majority_threshold;
            for j in 0..prop.n {
                if w.kind[prop.members[j]] == Kind::Ccg {
                    prop.vote[j] = bloc;
                }
            }
        }
    }
    *w.proposals = props;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::england_world;

    #[test]
    fn vote_rule_weighs_system_and_own_effects() {
        let mut w = england_world(6);
        let i = w.fps[0].start;
        w.trust[i] = 1.0;
        w.loyalty[i] = 0.0;
        w.balance[i] = 0.0;
        w.unsure[i] = false;
        w.collab[i] = true;
        assert!(supports(&w.whole(), i, ProposalType::OutOfHospital, -1.0, 0.0), "no loyalty: the system benefit wins");
        w.loyalty[i] = 1.0;
        assert!(!supports(&w.whole(), i, ProposalType::OutOfHospital, -1.0, 0.0), "full loyalty: own loss wins");
        w.loyalty[i] = 0.5;
        w.balance[i] = -0.05;
        assert_eq!(vote_loyalty(&w.whole(), i), 0.7);
        w.unsure[i] = true;
        assert!((vote_loyalty(&w.whole(), i) - 0.8).abs() < 1e-12);
    }

    /// The vote as the spec words it, field by field through the part: what
    /// the footprint's sliced `Voters` must give.
    fn written_out(w: &Part, i: usize, t: ProposalType, own_effect: f64, noise: f64) -> bool {
        let p = &w.p;
        let stress = (-w.balance[i]).max(0.0) / p.deficit_scale;
        let unsure = if w.unsure[i] { 1.0 } else { 0.0 };
        let theta = (w.loyalty[i] + p.vote_deficit_loyalty * stress + p.vote_unsure_loyalty * unsure).clamp(0.0, 1.0);
        let stance = if w.collab[i] { p.vote_stance } else { -p.vote_stance };
        let benefit = match t {
            ProposalType::Prevention | ProposalType::SocialCare => p.benefit_social_base + w.orientation[i],
            ProposalType::Reconfiguration | ProposalType::BackOffice => p.benefit_acute_base - w.orientation[i],
            ProposalType::OutOfHospital => p.benefit_out_of_hospital,
        };
        (1.0 - theta) * p.b_vote_system * w.trust[i] * benefit + theta * own_effect + stance + noise > 0.0
    }

    #[test]
    fn voters_vote_as_supports_does() {
        let mut w = england_world(4);
        let mut rng = crate::model::rng::Keys { seed: 3, replicate: 6 }.init(1);
        let edges = [0.0, -0.0, 1.0, -1.0, 0.3, -0.05, 1e-300, f64::INFINITY, f64::NAN];
        let mut checked = 0;
        for round in 0..200 {
            let f = round % w.fps.len();
            let members = w.fps[f].members();
            for i in members.clone() {
                let pick = |rng: &mut Stream, spread: f64| {
                    if draw::uniform(rng) < 0.1 {
                        edges[draw::index(rng, edges.len())]
                    } else {
                        draw::normal(rng, 0.0, spread)
                    }
                };
                w.balance[i] = pick(&mut rng, 0.05);
                w.loyalty[i] = pick(&mut rng, 0.5);
                w.trust[i] = pick(&mut rng, 0.5);
                w.orientation[i] = pick(&mut rng, 0.5);
                w.unsure[i] = draw::uniform(&mut rng) < 0.5;
                w.collab[i] = draw::uniform(&mut rng) < 0.5;
            }
            let part = w.whole();
            let voters = Voters::new(&part, f);
            for i in members {
                for t in ProposalType::ALL {
                    for _ in 0..4 {
                        let own = draw::normal(&mut rng, 0.0, 0.1);
                        let noise = draw::logistic(&mut rng, 0.5);
                        assert_eq!(voters.supports(i, t, own, noise), written_out(&part, i, t, own, noise));
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000);
    }

    #[test]
    fn benefit_follows_orientation() {
        let mut w = england_world(6);
        let i = w.fps[0].start;
        w.orientation[i] = 0.9;
        assert!((benefit(&w.whole(), i, ProposalType::SocialCare) - 1.4).abs() < 1e-12);
        assert!((benefit(&w.whole(), i, ProposalType::BackOffice) - 0.6).abs() < 1e-12);
        assert_eq!(benefit(&w.whole(), i, ProposalType::OutOfHospital), 1.0);
    }

    #[test]
    fn committees_in_common_give_ccgs_one_vote() {
        let mut w = england_world(7);
        let f =
            (0..w.fps.len()).find(|&f| w.fps[f].members().filter(|&i| w.kind[i] == Kind::Ccg).count() >= 3).unwrap();
        w.fps[f].gov.committees_in_common = true;
        w.p.mu = 30.0;
        let keys = crate::model::rng::Keys { seed: 2, replicate: 0 };
        crate::model::phases::proposals::raise(&mut w.whole(), f, &mut keys.init(f));
        cast(&mut w.whole(), f, &mut keys.init(f + 100));
        let mut checked = 0;
        for prop in &w.ws.proposals {
            let ccg_votes: Vec<bool> =
                (0..prop.n).filter(|&j| w.kind[prop.members[j]] == Kind::Ccg).map(|j| prop.vote[j]).collect();
            assert!(ccg_votes.windows(2).all(|v| v[0] == v[1]));
            checked += ccg_votes.len();
        }
        assert!(checked > 0);
    }
}
