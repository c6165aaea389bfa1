//! Drawing a replicate: footprint readiness and leads, then organisations'
//! attributes, each from its own keyed stream.

use super::kind::{Kind, N_KINDS, N_PROPOSAL_TYPES};
use super::levers::{Governance, Lever, Policy};
use super::rng::{Keys, draw};
use super::state::{Counts, Footprint, HISTORY_SLOTS, National, PENDING_SLOTS, Pending, World};
use crate::core::params::Params;
use crate::structure::{BudgetRule, Structure};

/// What a replicate is drawn from besides the structure.
#[derive(Clone, Copy, Debug)]
pub struct Setup<'a> {
    pub params: &'a Params,
    pub levers: &'a [Lever],
    /// Footprints that take the highest readiness draws, in order.
    pub ready: &'a [usize],
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum LeadKind {
    Trust,
    Ccg,
    Council,
}

/// Readiness: Beta draws, the highest handed to the `ready` footprints in order.
fn readiness(n: usize, p: &Params, ready: &[usize], rng: &mut super::rng::Stream) -> Vec<f64> {
    let beta = draw::BetaDist::new(p.readiness_a, p.readiness_b);
    let draws: Vec<f64> = (0..n).map(|_| beta.sample(rng)).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| draws[b].total_cmp(&draws[a]).then(a.cmp(&b)));
    let mut out = draws.clone();
    let taken: Vec<usize> = order[..ready.len().min(n)].to_vec();
    for (&f, &d) in ready.iter().zip(&taken) {
        out[f] = draws[d];
    }
    // The remaining draws go to the other footprints in their original order.
    let mut rest = (0..n).filter(|d| !taken.contains(d));
    for (f, slot) in out.iter_mut().enumerate() {
        if !ready.contains(&f) {
            if let Some(d) = rest.next() {
                *slot = draws[d];
            }
        }
    }
    out
}

/// Lead background per footprint. England: the known council-led footprints,
/// `england_extra_council_leads` more drawn, the rest trust or CCG half and half.
fn lead_kinds(s: &Structure, p: &Params, rng: &mut super::rng::Stream) -> Vec<LeadKind> {
    let n = s.footprints.len();
    if s.england {
        let mut kinds = vec![LeadKind::Trust; n];
        let mut others: Vec<usize> = Vec::with_capacity(n);
        for (f, fp) in s.footprints.iter().enumerate() {
            if fp.council_led {
                kinds[f] = LeadKind::Council;
            } else {
                others.push(f);
            }
        }
        // Fisher-Yates: the first draws become council leads, then half trust, half CCG.
        for i in 0..others.len() {
            let j = i + draw::index(rng, others.len() - i);
            others.swap(i, j);
        }
        let extra = (p.england_extra_council_leads as usize).min(others.len());
        for &f in &others[..extra] {
            kinds[f] = LeadKind::Council;
        }
        let rest = &others[extra..];
        for (k, &f) in rest.iter().enumerate() {
            kinds[f] = if k < rest.len().div_ceil(2) { LeadKind::Trust } else { LeadKind::Ccg };
        }
        kinds
    } else {
        let w = [p.lead_share_trust, p.lead_share_ccg, p.lead_share_council];
        (0..n)
            .map(|_| match draw::categorical(rng, &w) {
                0 => LeadKind::Trust,
                1 => LeadKind::Ccg,
                _ => LeadKind::Council,
            })
            .collect()
    }
}

impl World {
    pub fn new(s: &Structure, setup: Setup<'_>, keys: &Keys) -> World {
        let p = setup.params;
        let n = s.n_orgs();
        let nf = s.footprints.len();
        let mut frng = keys.footprints();
        let ready = readiness(nf, p, setup.ready, &mut frng);
        let lead_kind = lead_kinds(s, p, &mut frng);

        let mut w = World {
            p: p.clone(),
            kind: s.orgs.iter().map(|o| o.kind).collect(),
            footprint: vec![0; n],
            budget: vec![0.0; n],
            structural: vec![0.0; n],
            support: vec![0.0; n],
            balance: vec![0.0; n],
            loyalty: vec![0.0; n],
            trust: vec![0.0; n],
            unsure: vec![false; n],
            orientation: s.orgs.iter().map(|o| p.orientation(o.kind)).collect(),
            collab: vec![false; n],
            resentment: vec![0.0; n],
            coerced: vec![0; n],
            affected: vec![false; n],
            fps: Vec::with_capacity(nf),
            paid: vec![0.0; nf],
            withheld: vec![0.0; nf],
            pending: vec![vec![Pending::EMPTY; nf]; PENDING_SLOTS],
            history: vec![vec![p.initial_collab_rate; nf]; HISTORY_SLOTS],
            preferences: Kind::ALL.map(|k| {
                let mut v = p.agenda(k);
                let s: f64 = v.iter().sum();
                if s > 0.0 {
                    v.iter_mut().for_each(|x| *x /= s);
                }
                v
            }),
            national: National {
                policy: Policy::new(p),
                fund_share: s.fund_share,
                first_quarter: true,
                sustainability_gbp_m: 0.0,
                transformation_gbp_m: 0.0,
            },
        };

        // Each kind's loyalty distribution, set up once.
        let loyalty = Kind::ALL.map(|k| draw::BetaDist::with_mean(p.loyalty_mean(k), p.loyalty_concentration));
        // And its structural balance's mean and spread.
        let shapes = Kind::ALL.map(|k| p.structural(k));
        for (f, &(start, end)) in s.ranges.iter().enumerate() {
            let mut rng = keys.init(f);
            // The footprint's members as slices of each field, indexed from 0.
            let n = end - start;
            let orgs = &s.orgs[start..end];
            let kind = &w.kind[start..end];
            let footprint = &mut w.footprint[start..end];
            let budget = &mut w.budget[start..end];
            // Budgets: draws for every member, then shares normalised within a kind.
            let mut share_sum = [0.0f64; N_KINDS];
            for j in 0..n {
                let o = &orgs[j];
                footprint[j] = f as u32;
                budget[j] = match o.budget {
                    BudgetRule::ByKind => draw::lognormal(&mut rng, p.budget_median(o.kind), p.budget_sigma),
                    BudgetRule::Scaled(x) => x * draw::lognormal(&mut rng, p.budget_median(o.kind), p.budget_sigma),
                    BudgetRule::Fixed(b) => b,
                    BudgetRule::ShareOf(_) => {
                        let wgt = draw::lognormal(&mut rng, 1.0, p.budget_sigma_within);
                        share_sum[o.kind as usize] += wgt;
                        wgt
                    }
                };
            }
            for j in 0..n {
                if let BudgetRule::ShareOf(total) = orgs[j].budget {
                    budget[j] = (total * budget[j] / share_sum[kind[j] as usize]).max(1e-6);
                }
            }
            let structural = &mut w.structural[start..end][..n];
            let balance = &mut w.balance[start..end][..n];
            let loyalty_ = &mut w.loyalty[start..end][..n];
            let trust = &mut w.trust[start..end][..n];
            let unsure = &mut w.unsure[start..end][..n];
            for j in 0..n {
                let k = kind[j] as usize;
                let (m, sd) = shapes[k];
                structural[j] = draw::normal(&mut rng, m, sd);
                balance[j] = structural[j];
                loyalty_[j] = loyalty[k].sample(&mut rng);
                trust[j] = draw::normal(&mut rng, ready[f], p.trust_noise).clamp(0.0, 1.0);
                unsure[j] = draw::uniform(&mut rng) < p.p_unsure0;
            }
            let marked = (start..end).find(|&i| s.orgs[i].lead);
            let mut kinds = [end; N_KINDS + 1];
            for k in (0..N_KINDS).rev() {
                kinds[k] = (start..end).find(|&i| w.kind[i] as usize >= k).unwrap_or(kinds[k + 1]);
            }
            let fp = Footprint {
                start,
                end,
                kinds,
                n_councils: (start..end).filter(|&i| w.kind[i] == Kind::Council).count(),
                budget_total: w.budget[start..end].iter().sum(),
                readiness: ready[f],
                gov: Governance::new(p, start, ready[f]),
                legitimacy_base: p.legitimacy0,
                gaps: [1.0; 3],
                sc_progress: 0.0,
                acs: false,
                quarters_run: 0,
                prev_collab: p.initial_collab_rate,
                prev_engagement: p.initial_collab_rate,
                collab_rate: p.initial_collab_rate,
                engagement: p.initial_collab_rate,
                transformation_money: 0.0,
                agenda: [0.0; N_PROPOSAL_TYPES],
                counts: Counts::default(),
                passed_value: 0.0,
                passed_social_value: 0.0,
            };
            w.fps.push(fp);
            let trust_lead = w.largest(f, |k| k.is_provider() && k != Kind::Ambulance);
            let ccg_lead = w.largest(f, |k| k == Kind::Ccg);
            let council = w.largest(f, |k| k == Kind::Council);
            let wanted = match lead_kind[f] {
                LeadKind::Trust => [trust_lead, ccg_lead, council],
                LeadKind::Ccg => [ccg_lead, trust_lead, council],
                LeadKind::Council => [council, trust_lead, ccg_lead],
            };
            w.fps[f].gov.lead = marked.or(wanted.into_iter().flatten().next()).unwrap_or(start);
        }

        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure;

    fn england_world(rep: u64) -> World {
        let p = Params::default();
        let s = structure::england(&p);
        World::new(&s, Setup { params: &p, levers: &[], ready: &[] }, &Keys { seed: 1, replicate: rep })
    }

    #[test]
    fn england_has_four_council_leads_and_forty_split_evenly() {
        for rep in 0..5 {
            let w = england_world(rep);
            let lead_kinds: Vec<Kind> = w.fps.iter().map(|f| w.kind[f.gov.lead]).collect();
            assert_eq!(lead_kinds.iter().filter(|k| **k == Kind::Council).count(), 4);
            assert_eq!(lead_kinds.iter().filter(|k| **k == Kind::Ccg).count(), 20);
            assert_eq!(lead_kinds.iter().filter(|k| k.is_provider()).count(), 20);
            assert!(lead_kinds.iter().all(|k| *k != Kind::Ambulance));
        }
    }

    #[test]
    fn ready_footprints_take_the_highest_draws_in_order() {
        let p = Params::default();
        let s = structure::england(&p);
        let keys = Keys { seed: 3, replicate: 0 };
        let plain = World::new(&s, Setup { params: &p, levers: &[], ready: &[] }, &keys);
        let ready = [5, 2];
        let w = World::new(&s, Setup { params: &p, levers: &[], ready: &ready }, &keys);
        let mut sorted: Vec<f64> = plain.fps.iter().map(|f| f.readiness).collect();
        sorted.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(w.fps[5].readiness, sorted[0]);
        assert_eq!(w.fps[2].readiness, sorted[1]);
        let mut all: Vec<f64> = w.fps.iter().map(|f| f.readiness).collect();
        all.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(all, sorted, "the same draws, reassigned");
    }

    #[test]
    fn budgets_share_the_per_resident_totals() {
        let p = Params::default();
        let w = england_world(0);
        let rows = structure::england_footprints();
        for (f, row) in rows.iter().enumerate() {
            let ccg: f64 = w.fps[f].members().filter(|&i| w.kind[i] == Kind::Ccg).map(|i| w.budget[i]).sum();
            assert!((ccg - p.ccg_gbp_per_resident * row.population / 1e6).abs() < 1e-6);
        }
        assert!(w.trust.iter().all(|t| (0.0..=1.0).contains(t)));
        assert!(w.loyalty.iter().all(|t| (0.0..=1.0).contains(t)));
    }
}
