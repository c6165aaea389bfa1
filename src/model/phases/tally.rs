//! Phase 11, footprint by footprint: the sums its metrics are computed from,
//! taken at the end of its quarter while its data are in cache.
//! `metrics::record` turns them into rows.

use crate::model::kind::{Kind, ProposalType};
use crate::model::metrics::{Sum::*, Tally};
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
        t[Orgs] += 1.0;
        t[Collab] += c;
        t[Trust] += trust[j];
        t[Resentment] += resentment[j];
        if k.is_nhs() {
            t[Nhs] += 1.0;
            t[NhsCollab] += c;
            t[NhsUnsure] += unsure[j] as u8 as f64;
            t[NhsTrusting] += (trust[j] > 0.5) as u8 as f64;
        }
        if k == Kind::Council {
            t[Councils] += 1.0;
            t[CouncilsCollab] += c;
        }
        if k.is_provider() {
            t[ProviderBalance] += balance[j] * budget[j];
            t[Providers] += 1.0;
            t[ProvidersInDeficit] += (balance[j] < 0.0) as u8 as f64;
        }
    }
    let weight = fp.budget_total;
    t[Weight] = weight;
    for (s, gap) in [GapHw, GapCq, GapFe].into_iter().zip(fp.gaps) {
        t[s] = gap * weight;
    }
    t[SocialAgenda] =
        (fp.agenda[ProposalType::Prevention.index()] + fp.agenda[ProposalType::SocialCare.index()]) * weight;
    let c = fp.counts;
    let counts = [
        (Raised, c.raised),
        (Passed, c.passed),
        (Vetoed, c.vetoed),
        (Overruled, c.overruled),
        (Escalated, c.escalated),
        (Unblocked, c.unblocked),
        (Succeeded, c.succeeded),
        (Failed, c.failed),
    ];
    for (s, count) in counts {
        t[s] = f64::from(count);
    }
    t[PassedValue] = fp.passed_value;
    t[PassedSocialValue] = fp.passed_social_value;
    t[Withheld] = w.withheld[f];
    t[Paid] = w.paid[f];
    t[Acs] = fp.acs as u8 as f64;
    t
}

/// Takes footprint `f`'s tally at the end of its quarter; `deficit` is what
/// its stance phase counted (providers in deficit, and those self-prioritising).
pub fn tally(w: &mut Part, f: usize, deficit: (f64, f64)) {
    let mut t = footprint_tally(w, f);
    (t[DeficitProviders], t[DeficitProvidersSelf]) = deficit;
    w.tallies[f] = t;
}
