//! Phase 4: the footprint's agenda, and the proposals it raises.

use crate::model::kind::{Kind, N_PROPOSAL_TYPES, ProposalType};
use crate::model::part::Part;
use crate::model::rng::{Stream, draw};
use crate::model::state::Proposal;
use crate::model::workspace::KeptBoard;

fn normalised(mut v: [f64; N_PROPOSAL_TYPES]) -> [f64; N_PROPOSAL_TYPES] {
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        v.iter_mut().for_each(|x| *x /= s);
    }
    v
}

/// Agenda = (1 - A) x board + A x lead. Councils hold `council_seats` of the
/// board's weight, scaled by how far they engaged last quarter; the other
/// members share the rest equally.
pub fn agenda(w: &Part, f: usize) -> [f64; N_PROPOSAL_TYPES] {
    with_lead(w, f, board(w, f, council_weight(w, f)))
}

/// `agenda`, with the board's part kept for the footprint (`Kept`) while the
/// councils' weight is unchanged in every bit. The board depends on nothing
/// else that can change (each kind's preferences and members are fixed for
/// a world's life), and councils' engagement takes few values (a count of
/// councils over their number), so many quarters reuse it.
fn kept_agenda(w: &mut Part, f: usize) -> [f64; N_PROPOSAL_TYPES] {
    let weight = council_weight(w, f);
    let kept = &w.kept[f].board;
    let board = if kept.weight == weight.to_bits() {
        kept.board
    } else {
        let board = board(w, f, weight);
        w.kept[f].board = KeptBoard { weight: weight.to_bits(), board };
        board
    };
    with_lead(w, f, board)
}

/// The councils' share of the board's weight.
fn council_weight(w: &Part, f: usize) -> f64 {
    let p = &w.p;
    let fp = &w.fps[f];
    let n_other = (fp.end - fp.start) - fp.n_councils;
    if fp.n_councils == 0 {
        0.0
    } else if n_other == 0 {
        1.0
    } else {
        fp.gov.council_seats * (p.council_voice_base + (1.0 - p.council_voice_base) * fp.prev_engagement)
    }
}

/// The board's preferences, every member's weighted preferences summed.
fn board(w: &Part, f: usize, council_weight: f64) -> [f64; N_PROPOSAL_TYPES] {
    let fp = &w.fps[f];
    let n_other = (fp.end - fp.start) - fp.n_councils;
    // Each kind's weighted preferences once, then a sum over members in
    // member order, kind by kind as members are stored (a share of a kind
    // with no member is never used).
    let council_share = council_weight / fp.n_councils as f64;
    let other_share = (1.0 - council_weight) / n_other as f64;
    let mut board = [0.0; N_PROPOSAL_TYPES];
    for k in Kind::ALL {
        let members = fp.of_kind(k).len();
        if members == 0 {
            continue;
        }
        let share = if k == Kind::Council { council_share } else { other_share };
        let pref = w.preferences[k as usize];
        let mut add = [0.0; N_PROPOSAL_TYPES];
        for t in 0..N_PROPOSAL_TYPES {
            add[t] = share * pref[t];
        }
        for _ in 0..members {
            for t in 0..N_PROPOSAL_TYPES {
                board[t] += add[t];
            }
        }
    }
    board
}

/// The board's preferences mixed with the lead's by the lead's authority.
fn with_lead(w: &Part, f: usize, board: [f64; N_PROPOSAL_TYPES]) -> [f64; N_PROPOSAL_TYPES] {
    let p = &w.p;
    let fp = &w.fps[f];
    let lead_kind = w.kind[fp.gov.lead];
    let mut lead = w.preferences[lead_kind as usize];
    if lead_kind.is_nhs() {
        let providers = w.balance.run(fp.providers());
        let (sum, n) = (providers.iter().fold(0.0, |s, b| s + b), providers.len());
        let mean = if n > 0 { sum / n as f64 } else { 0.0 };
        let stress = (-mean).max(0.0) / p.deficit_scale;
        lead[ProposalType::Reconfiguration.index()] += p.lead_stress_bonus * stress;
        lead[ProposalType::BackOffice.index()] += p.lead_stress_bonus * stress;
        lead = normalised(lead);
    }
    let a = fp.authority(p);
    let mut out = [0.0; N_PROPOSAL_TYPES];
    for t in 0..N_PROPOSAL_TYPES {
        out[t] = (1.0 - a) * board[t] + a * lead[t];
    }
    normalised(out)
}

/// Who a proposal affects: kinds that lose, then kinds that win.
enum Role {
    Is(Kind),
    CommunityOrPrimary,
    Provider,
}

fn roles(t: ProposalType) -> (&'static [Role], &'static [Role]) {
    use Role::*;
    match t {
        ProposalType::Reconfiguration => (&[Is(Kind::Acute)], &[Is(Kind::Acute), Is(Kind::Ccg)]),
        ProposalType::OutOfHospital => (&[Is(Kind::Acute)], &[CommunityOrPrimary, Is(Kind::Ccg)]),
        ProposalType::Prevention => (&[Is(Kind::Council), Is(Kind::Ccg)], &[Is(Kind::Acute)]),
        ProposalType::SocialCare => (&[Is(Kind::Council), Is(Kind::Ccg)], &[Is(Kind::Acute), Is(Kind::Community)]),
        ProposalType::BackOffice => (&[Provider, Provider, Provider], &[]),
    }
}

#[cfg(test)]
fn fits(role: &Role, k: Kind) -> bool {
    match role {
        Role::Is(r) => *r == k,
        Role::CommunityOrPrimary => matches!(k, Kind::Community | Kind::PrimaryCare),
        Role::Provider => k.is_provider(),
    }
}

/// The member ranges a role draws from, in member order (members are sorted by kind).
fn ranges(fp: &crate::model::state::Footprint, role: &Role) -> [std::ops::Range<usize>; 2] {
    match role {
        Role::Is(k) => [fp.of_kind(*k), 0..0],
        Role::CommunityOrPrimary => [fp.of_kind(Kind::Community), fp.of_kind(Kind::PrimaryCare)],
        Role::Provider => [fp.providers(), 0..0],
    }
}

/// A random member that fits the role and is not already chosen: the same
/// draw as counting the candidates in member order and taking the n-th.
/// The candidates are the role's ranges end to end; the chosen ones among
/// them (at most four, distinct) are found by position, and the draw steps
/// over those at or before it, in ascending order, instead of a scan of
/// every candidate.
fn pick(w: &Part, f: usize, role: &Role, chosen: &[usize], rng: &mut Stream) -> Option<usize> {
    let [a, b] = ranges(&w.fps[f], role);
    let mut skip = [0usize; 4];
    let mut taken = 0;
    for &c in chosen {
        let at = if a.contains(&c) {
            c - a.start
        } else if b.contains(&c) {
            a.len() + (c - b.start)
        } else {
            continue;
        };
        // Insertion into the sorted positions.
        let mut s = taken;
        while s > 0 && skip[s - 1] > at {
            skip[s] = skip[s - 1];
            s -= 1;
        }
        skip[s] = at;
        taken += 1;
    }
    let n = a.len() + b.len() - taken;
    if n == 0 {
        return None;
    }
    let mut k = draw::index(rng, n);
    for &s in &skip[..taken] {
        k += (s <= k) as usize;
    }
    Some(if k < a.len() { a.start + k } else { b.start + (k - a.len()) })
}

/// `pick` as first written, a scan of every candidate: the reference the
/// tests hold `pick` to.
#[cfg(test)]
fn pick_by_scan(w: &Part, f: usize, role: &Role, chosen: &[usize], rng: &mut Stream) -> Option<usize> {
    let rs = ranges(&w.fps[f], role);
    let taken = chosen.iter().filter(|c| rs.iter().any(|r| r.contains(c))).count();
    let n = rs.iter().map(|r| r.len()).sum::<usize>() - taken;
    if n == 0 {
        return None;
    }
    let mut k = draw::index(rng, n);
    for i in rs.into_iter().flatten() {
        if chosen.contains(&i) {
            continue;
        }
        if k == 0 {
            return Some(i);
        }
        k -= 1;
    }
    None
}

pub fn raise(w: &mut Part, f: usize, rng: &mut Stream) {
    let fp = &w.fps[f];
    w.affected.run_mut(fp.members()).fill(false);
    let agenda = kept_agenda(w, f);
    let fp = &w.fps[f];
    let r = fp.readiness;
    let mean = w.p.mu * (0.5 + r) * (1.0 + (fp.gov.pace - r).max(0.0));
    let count = w.kept[f].proposal_count.sample(rng, mean);
    w.proposals.clear();
    let p = &w.p;
    for _ in 0..count {
        let kind = ProposalType::ALL[draw::categorical(rng, &agenda)];
        let size = draw::lognormal(rng, p.size_median, p.size_sigma);
        let mut prop = Proposal::new(kind, size);
        let (losers, winners) = roles(kind);
        for (role, loses) in losers.iter().map(|r| (r, true)).chain(winners.iter().map(|r| (r, false))) {
            if let Some(i) = pick(w, f, role, &prop.members[..prop.n], rng) {
                let effect = if loses {
                    -(p.loser_effect_min + (p.loser_effect_max - p.loser_effect_min) * draw::uniform(rng))
                } else {
                    p.winner_effect_min + (p.winner_effect_max - p.winner_effect_min) * draw::uniform(rng)
                };
                prop.members[prop.n] = i;
                prop.own_effect[prop.n] = effect;
                prop.n += 1;
            }
        }
        for &i in &prop.members[..prop.n] {
            w.affected[i] = true;
        }
        w.proposals.push(prop);
    }
    w.fps[f].agenda = agenda;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::Keys;
    use crate::model::testing::england_world;

    #[test]
    fn agenda_is_a_distribution_and_follows_the_lead() {
        let mut w = england_world(4);
        let f = (0..w.fps.len()).find(|&f| w.kind[w.fps[f].gov.lead] == Kind::Acute).unwrap();
        let low = agenda(&w.whole(), f);
        assert!((low.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        w.fps[f].gov.authority = 0.9;
        let high = agenda(&w.whole(), f);
        let social = |a: [f64; N_PROPOSAL_TYPES]| a[2] + a[3];
        assert!(social(high) < social(low), "an acute lead with authority pushes social care down");
        w.fps[f].gov.authority = 0.2;
        w.fps[f].gov.council_seats = 0.5;
        assert!(social(agenda(&w.whole(), f)) > social(low), "council seats raise it");
    }

    #[test]
    fn the_kept_board_gives_the_agenda_bit_for_bit() {
        let mut w = england_world(2);
        let mut rng = Keys { seed: 5, replicate: 3 }.init(9);
        let bits = |a: [f64; N_PROPOSAL_TYPES]| a.map(f64::to_bits);
        for round in 0..5000 {
            let f = draw::index(&mut rng, w.fps.len());
            // A quarter's changes: engagement (a share of councils, or
            // anything), seats, authority, the lead, providers' balances.
            let n = w.fps[f].n_councils.max(1);
            let fp = &mut w.fps[f];
            fp.prev_engagement = match round % 5 {
                0 => draw::uniform(&mut rng),
                _ => draw::index(&mut rng, n + 1) as f64 / n as f64,
            };
            if round % 7 == 0 {
                fp.gov.council_seats = [0.0, 0.2, 0.5, 1.0, f64::NAN][draw::index(&mut rng, 5)];
            }
            if round % 11 == 0 {
                fp.gov.authority = draw::uniform(&mut rng);
                fp.acs = !fp.acs;
            }
            if round % 13 == 0 {
                fp.gov.lead = fp.start + draw::index(&mut rng, fp.end - fp.start);
            }
            let (start, end) = (fp.start, fp.end);
            for i in start..end {
                if draw::uniform(&mut rng) < 0.3 {
                    w.balance[i] = draw::normal(&mut rng, -0.02, 0.05);
                }
            }
            let want = agenda(&w.whole(), f);
            let got = kept_agenda(&mut w.whole(), f);
            assert_eq!(bits(got), bits(want), "round {round} footprint {f}");
        }
        // Footprints with no council and with councils only: the weight is fixed.
        for (councils, all) in [(0, 5), (3, 3)] {
            let mut w = england_world(1);
            let fp = &mut w.fps[0];
            fp.end = fp.start + all;
            fp.n_councils = councils;
            let (s, c) = (fp.start, fp.start + all - councils);
            // Acute trusts first, then the councils; no other kind.
            for (k, b) in fp.kinds.iter_mut().enumerate() {
                *b = match k {
                    0 => s,
                    _ if k <= Kind::Council as usize => c,
                    _ => s + all,
                };
            }
            fp.gov.lead = s;
            for q in 0..3 {
                w.fps[0].prev_engagement = q as f64 / 2.0;
                let want = agenda(&w.whole(), 0);
                assert_eq!(bits(kept_agenda(&mut w.whole(), 0)), bits(want));
            }
        }
    }

    #[test]
    fn pick_draws_what_the_scan_of_every_candidate_draws() {
        let mut w = england_world(3);
        let mut rng = Keys { seed: 4, replicate: 1 }.init(7);
        let roles = [
            Role::Is(Kind::Acute),
            Role::Is(Kind::Ccg),
            Role::Is(Kind::Council),
            Role::Is(Kind::Community),
            Role::CommunityOrPrimary,
            Role::Provider,
        ];
        let mut checked = 0;
        for round in 0..400 {
            let f = round % w.fps.len();
            let fp = w.fps[f].clone();
            // Now and then the kinds' boundaries moved (any monotone split of
            // the members will do for pick), so that ranges are empty, one
            // long, or the whole footprint.
            if round % 3 == 1 {
                let mut cut: Vec<usize> =
                    (0..fp.kinds.len()).map(|_| fp.start + draw::index(&mut rng, fp.end - fp.start + 1)).collect();
                cut.sort();
                cut[0] = fp.start;
                *cut.last_mut().unwrap() = fp.end;
                w.fps[f].kinds.copy_from_slice(&cut);
            }
            let members = fp.end - fp.start;
            for role in &roles {
                for len in 0..=4 {
                    // Distinct chosen members, in or out of the role's ranges.
                    let mut chosen: Vec<usize> = Vec::new();
                    while chosen.len() < len.min(members) {
                        let i = fp.start + draw::index(&mut rng, members);
                        if !chosen.contains(&i) {
                            chosen.push(i);
                        }
                    }
                    // And the role's own candidates chosen, to exhaust small ranges.
                    if len == 4 {
                        chosen = ranges(&w.fps[f], role).into_iter().flatten().take(4).collect();
                    }
                    let (mut a, mut b) = (rng.clone(), rng.clone());
                    let got = pick(&w.whole(), f, role, &chosen, &mut a);
                    let want = pick_by_scan(&w.whole(), f, role, &chosen, &mut b);
                    assert_eq!(got, want, "round {round} chosen {chosen:?}");
                    assert_eq!(a, b, "the same draws taken");
                    checked += got.is_some() as usize;
                    draw::uniform(&mut rng);
                }
            }
            w.fps[f] = fp;
        }
        assert!(checked > 5000, "{checked}");
    }

    #[test]
    fn proposals_pick_distinct_members_of_the_right_kinds() {
        let mut w = england_world(5);
        w.p.mu = 20.0;
        let mut rng = Keys { seed: 9, replicate: 0 }.init(0);
        raise(&mut w.whole(), 0, &mut rng);
        assert!(!w.ws.proposals.is_empty());
        for prop in &w.ws.proposals {
            let m = &prop.members[..prop.n];
            for (a, x) in m.iter().enumerate() {
                assert!(!m[a + 1..].contains(x), "members distinct");
                assert!(w.affected[*x]);
                assert!(w.footprint[*x] == 0);
            }
            let (losers, winners) = roles(prop.kind);
            let all_roles: Vec<&Role> = losers.iter().chain(winners.iter()).collect();
            for (j, &i) in m.iter().enumerate() {
                // England footprints have every kind but community trusts, so roles line up with members.
                if prop.n == all_roles.len() {
                    assert!(fits(all_roles[j], w.kind[i]), "{:?} member {j} is a {:?}", prop.kind, w.kind[i]);
                }
                let loses = j < losers.len();
                assert_eq!(prop.own_effect[j] < 0.0, loses, "{:?} member {j} kind {:?}", prop.kind, w.kind[i]);
            }
            assert!(prop.size > 0.0);
        }
    }
}
