//! Phase 11, footprint by footprint: the sums its metrics are computed from,
//! taken at the end of its quarter while its data are in cache.
//! `metrics::record` turns them into rows.

use crate::model::kind::{Kind, ProposalType};
use crate::model::metrics::Tally;
use crate::model::part::Part;

fn footprint_tally(w: &Part, f: usize) -> Tally {
    let fp = &w.fps[f];
    let mut t = Tally::default();
    let r = fp.members();
    let n = r.len();
    let (kind, collab, unsure) =
        (&w.kind.run(r.clone())[..n], &w.collab.run(r.clone())[..n], &w.unsure.run(r.clone())[..n]);
    let (trust, resentment) = (&w.trust.run(r.clone())[..n], &w.resentment.run(r.clone())[..n]);
    let (balance, budget) = (&w.balance.run(r.clone())[..n], &w.budget.run(r)[..n]);
    for j in 0..n {
        let k = kind[j];
        let c = collab[j] as u8 as f64;
        t.orgs += 1.0;
        t.collab += c;
        t.trust += trust[j];
        t.resentment += resentment[j];
        if k.is_nhs() {
            t.nhs += 1.0;
            t.nhs_collab += c;
            t.nhs_unsure += unsure[j] as u8 as f64;
            t.nhs_trusting += (trust[j] > 0.5) as u8 as f64;
        }
        if k == Kind::Council {
            t.councils += 1.0;
            t.councils_collab += c;
        }
        if k.is_provider() {
            t.provider_balance += balance[j] * budget[j];
            t.providers += 1.0;
            t.providers_deficit += (balance[j] < 0.0) as u8 as f64;
        }
    }
    t.weight = fp.budget_total;
    for d in 0..3 {
        t.gaps[d] = fp.gaps[d] * fp.budget_total;
    }
    t.social_agenda =
        (fp.agenda[ProposalType::Prevention.index()] + fp.agenda[ProposalType::SocialCare.index()]) * fp.budget_total;
    let c = fp.counts;
    t.counts =
        [c.raised, c.passed, c.vetoed, c.overruled, c.escalated, c.unblocked, c.succeeded, c.failed].map(f64::from);
    t.passed_value = fp.passed_value;
    t.passed_social = fp.passed_social_value;
    t.withheld = fp.withheld;
    t.paid = fp.paid;
    t.acs = fp.acs as u8 as f64;
    t
}

/// Takes footprint `f`'s tally at the end of its quarter; `deficit` is what
/// its stance phase counted (providers in deficit, and those self-prioritising).
pub fn tally(w: &mut Part, f: usize, deficit: (f64, f64)) {
    let mut t = footprint_tally(w, f);
    (t.deficit_providers, t.deficit_providers_self) = deficit;
    w.tallies[f] = t;
}
