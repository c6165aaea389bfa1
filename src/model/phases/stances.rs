//! Phase 3: each organisation collaborates or self-prioritises.

use crate::core::params::Params;
use crate::model::bernoulli;
use crate::model::kind::{Kind, N_KINDS};
use crate::model::part::Part;
use crate::model::rng::Stream;

/// What every member of a footprint shares in the stance equation, worked
/// out once per footprint-quarter; `delta` adds each member's own terms.
/// Both the stance phase and `propensity` go through these two, so there is
/// one copy of the equation.
struct Context {
    peer: f64,
    lead: f64,
    fund: f64,
    acs_pull: f64,
    acs_factor: f64,
    legitimacy: f64,
    council_sees: f64,
    nhs_sees: f64,
    nhs_lead: bool,
    led_by_council: bool,
}

fn context(w: &Part, f: usize) -> Context {
    let p = &w.p;
    let fp = &w.fps[f];
    let lead_kind = w.kind[fp.gov.lead];
    let members = (fp.end - fp.start) as f64;
    let council_share = fp.n_councils as f64 / members;
    Context {
        peer: p.b_peer * (fp.prev_collab - 0.5),
        lead: p.b_lead * fp.authority(p),
        fund: p.b_fund * w.national.policy.conditionality,
        acs_pull: if fp.acs { p.b_acs } else { 0.0 },
        acs_factor: if fp.acs { p.acs_deficit_factor } else { 1.0 },
        legitimacy: fp.legitimacy(),
        council_sees: fp.legitimacy_base.min(1.0) * (fp.gov.council_seats / council_share).min(1.0),
        nhs_sees: p.council_lead_nhs_legitimacy * fp.legitimacy(),
        nhs_lead: lead_kind.is_nhs(),
        led_by_council: lead_kind == Kind::Council,
    }
}

/// What the stance equation reads of one member.
struct Member {
    kind: Kind,
    balance: f64,
    trust: f64,
    loyalty: f64,
    unsure: bool,
    coerced: u32,
    resentment: f64,
}

impl Member {
    fn of(w: &Part, i: usize) -> Member {
        Member {
            kind: w.kind[i],
            balance: w.balance[i],
            trust: w.trust[i],
            loyalty: w.loyalty[i],
            unsure: w.unsure[i],
            coerced: w.coerced[i],
            resentment: w.resentment[i],
        }
    }
}

/// The lead's legitimacy as a member of kind `k` sees it.
fn seen(c: &Context, k: Kind) -> f64 {
    if k == Kind::Council && c.nhs_lead {
        c.council_sees
    } else if k.is_nhs() && c.led_by_council {
        c.nhs_sees
    } else {
        c.legitimacy
    }
}

/// phi_i: 1 for a provider in deficit, 0.5 for other NHS bodies, 0 otherwise.
fn phi(p: &Params, k: Kind, in_deficit: bool) -> f64 {
    if k.is_provider() && in_deficit {
        p.phi_provider_deficit
    } else if k.is_nhs() {
        p.phi_nhs_other
    } else {
        0.0
    }
}

/// The terms of the equation that depend on a member's kind (and on whether
/// it is in deficit), worked out once per footprint-quarter for every kind,
/// so the member loop looks them up rather than branching on kind.
struct ByKind {
    /// b_lead A (lambda_f,i - 0.5).
    lead: [f64; N_KINDS],
    /// b_fund c phi_i, for a member in deficit and one not.
    fund_deficit: [f64; N_KINDS],
    fund_other: [f64; N_KINDS],
}

fn by_kind(p: &Params, c: &Context) -> ByKind {
    let mut t = ByKind { lead: [0.0; N_KINDS], fund_deficit: [0.0; N_KINDS], fund_other: [0.0; N_KINDS] };
    for k in Kind::ALL {
        t.lead[k as usize] = c.lead * (seen(c, k) - 0.5);
        t.fund_deficit[k as usize] = c.fund * phi(p, k, true);
        t.fund_other[k as usize] = c.fund * phi(p, k, false);
    }
    t
}

fn delta(p: &Params, c: &Context, t: &ByKind, m: &Member) -> f64 {
    let k = m.kind as usize;
    let f_i = m.balance;
    p.beta0
        + p.b_trust * (m.trust - 0.5)
        + c.peer
        + t.lead[k]
        + if f_i < 0.0 { t.fund_deficit[k] } else { t.fund_other[k] }
        + if m.coerced > 0 { p.b_coerce } else { 0.0 }
        + c.acs_pull
        - p.b_loyalty * (m.loyalty - 0.5)
        - p.b_deficit * (-f_i).max(0.0) / p.deficit_scale * c.acs_factor
        - if m.unsure { p.b_unsure } else { 0.0 }
        - p.b_resent * m.resentment
}

/// Log-odds of collaborating for member `i` of footprint `f`.
pub fn propensity(w: &Part, f: usize, i: usize) -> f64 {
    let c = context(w, f);
    delta(w.p, &c, &by_kind(w.p, &c), &Member::of(w, i))
}

/// Decides every member's stance; returns how many providers were in deficit
/// (by the balance just read) and how many of them self-prioritised.
pub fn decide(w: &mut Part, f: usize, rng: &mut Stream) -> (f64, f64) {
    let c = context(w, f);
    let terms = by_kind(w.p, &c);
    let r = w.fps[f].members();
    let r0 = r.start;
    // The members' fields as plain slices of one length, so the loop needs no
    // index checks.
    let n = r.len();
    let (kind, balance, trust) =
        (&w.kind.run(r.clone())[..n], &w.balance.run(r.clone())[..n], &w.trust.run(r.clone())[..n]);
    let (loyalty, unsure, resentment) =
        (&w.loyalty.run(r.clone())[..n], &w.unsure.run(r.clone())[..n], &w.resentment.run(r.clone())[..n]);
    let collab = &mut w.collab.run_mut(r.clone())[..n];
    let coerced = &mut w.coerced.run_mut(r)[..n];
    // Propensities, their probabilities and the uniforms a block at a time,
    // then the decisions: each loop has no call in it and no chain from one
    // member to the next, so members are worked out side by side.
    const BLOCK: usize = 32;
    let (mut x, mut prob, mut u) = ([0.0; BLOCK], [0.0; BLOCK], [0.0; BLOCK]);
    for start in (0..n).step_by(BLOCK) {
        let end = (start + BLOCK).min(n);
        for j in start..end {
            let m = Member {
                kind: kind[j],
                balance: balance[j],
                trust: trust[j],
                loyalty: loyalty[j],
                unsure: unsure[j],
                coerced: coerced[j],
                resentment: resentment[j],
            };
            x[j - start] = delta(w.p, &c, &terms, &m);
        }
        let len = end - start;
        bernoulli::probabilities(&x[..len.next_multiple_of(bernoulli::LANES)], &mut prob);
        // One uniform per member, in member order, as `draw::uniform` gives them.
        rng.uniforms(&mut u[..len]);
        // u < logistic(x), decided exactly as libm's exp would.
        bernoulli::decide_all(&u[..len], &x[..len], &prob[..len], &mut collab[start..end]);
    }
    // Each member read its own countdown above; now every one ticks down.
    for c in coerced.iter_mut() {
        *c = c.saturating_sub(1);
    }
    let fp = &w.fps[f];
    let collaborating = collab.iter().filter(|&&y| y).count();
    let councils = fp.of_kind(Kind::Council);
    let councils_collaborating = collab[councils.start - r0..councils.end - r0].iter().filter(|&&y| y).count();
    // Providers in deficit by the balance just read, and how many of them self-prioritised.
    let providers = fp.providers().start - r0..fp.providers().end - r0;
    let (mut in_deficit, mut selfish) = (0u32, 0u32);
    for j in providers {
        let short = balance[j] < 0.0;
        in_deficit += short as u32;
        selfish += (short & !collab[j]) as u32;
    }
    let (in_deficit, selfish) = (f64::from(in_deficit), f64::from(selfish));
    let fp = &mut w.fps[f];
    fp.collab_rate = collaborating as f64 / (fp.end - fp.start).max(1) as f64;
    // A footprint with no council keeps its engagement where it was.
    if fp.n_councils > 0 {
        fp.engagement = councils_collaborating as f64 / fp.n_councils as f64;
    }
    (in_deficit, selfish)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::england_world;

    #[test]
    fn each_term_moves_the_propensity_the_right_way() {
        let mut w = england_world(2);
        let f = 0;
        let i = w.fps[f].start;
        let base = propensity(&w.whole(), f, i);
        w.trust[i] += 0.1;
        assert!(propensity(&w.whole(), f, i) > base);
        w.trust[i] -= 0.1;
        w.resentment[i] = 1.0;
        assert!((base - propensity(&w.whole(), f, i) - w.p.b_resent).abs() < 1e-12);
        w.resentment[i] = 0.0;
        w.coerced[i] = 2;
        assert!((propensity(&w.whole(), f, i) - base - w.p.b_coerce).abs() < 1e-12);
        w.coerced[i] = 0;
        w.loyalty[i] += 0.1;
        assert!(propensity(&w.whole(), f, i) < base);
    }

    #[test]
    fn sidelined_councils_see_less_legitimacy_under_an_nhs_lead() {
        let mut w = england_world(2);
        let f = (0..w.fps.len()).find(|&f| w.kind[w.fps[f].gov.lead].is_nhs()).unwrap();
        let council = w.fps[f].members().find(|&i| w.kind[i] == Kind::Council).unwrap();
        w.fps[f].gov.formal_bonus = 0.2;
        let low = seen(&context(&w.whole(), f), w.kind[council]);
        assert!(low < w.fps[f].legitimacy_base, "10% of seats is below councils' share of members");
        let before = propensity(&w.whole(), f, council);
        w.fps[f].gov.council_seats = 1.0;
        let full = seen(&context(&w.whole(), f), w.kind[council]);
        assert_eq!(full, w.fps[f].legitimacy_base, "no formal bonus for councils");
        let after = propensity(&w.whole(), f, council);
        assert!((after - before - w.p.b_lead * w.fps[f].authority(&w.p) * (full - low)).abs() < 1e-12);
    }

    #[test]
    fn stances_set_rates_and_count_down_coercion() {
        let mut w = england_world(3);
        let first = w.fps[0].start;
        w.coerced[first] = 4;
        let mut rng = crate::model::rng::Keys { seed: 1, replicate: 0 }.init(0);
        let in_deficit: Vec<usize> =
            w.fps[0].members().filter(|&i| w.kind[i].is_provider() && w.balance[i] < 0.0).collect();
        let (n, selfish) = decide(&mut w.whole(), 0, &mut rng);
        assert_eq!(n, in_deficit.len() as f64);
        assert_eq!(selfish, in_deficit.iter().filter(|&&i| !w.collab[i]).count() as f64);
        assert_eq!(w.coerced[w.fps[0].start], 3);
        let fp = &w.fps[0];
        let n = fp.members().filter(|&i| w.collab[i]).count() as f64;
        assert_eq!(fp.collab_rate, n / (fp.end - fp.start) as f64);
    }
}
