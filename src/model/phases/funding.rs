//! Phase 2: the Sustainability and Transformation Fund pays out.

use crate::core::quarter::Quarter;
use crate::model::kind::Kind;
use crate::model::state::World;

/// A provider's structural deficit in GBP m a year (0 for others).
pub fn deficit(kind: Kind, structural: f64, budget: f64) -> f64 {
    if kind.is_provider() && structural < 0.0 { -structural * budget } else { 0.0 }
}

/// This quarter's fund. Transformation money goes to footprints by budget
/// weighted by their collaboration last quarter. Sustainability money goes to
/// providers in structural deficit, smallest deficit (GBP) first, each due
/// enough to reach break-even plus `support_margin` until the money runs out:
/// the fund paid most trusts to their control totals and left the largest
/// deficits standing (spec 1.4). A provider that self-prioritised last quarter
/// receives (1 - c) of its due; what is withheld goes, the same quarter, to
/// the providers paid in full, in proportion to their due. The order is over
/// all of England, so this phase runs before footprints are stepped; `order`
/// is scratch for it.
pub fn pay(w: &mut World, order: &mut Order, q: Quarter) {
    let year = w.national.policy.schedule.iter().find(|y| y.start_year == q.financial_year()).copied();
    let (total, share) =
        year.map_or((0.0, 0.0), |y| (y.total_gbp_bn * 1000.0 * w.national.fund_share, y.transformation_share));
    let sustainability = total * (1.0 - share) / 4.0;
    let transformation = total * share / 4.0;
    w.national.sustainability_gbp_m = sustainability;
    w.national.transformation_gbp_m = transformation;
    let c = w.national.policy.conditionality;
    // Each footprint's weight, worked out once and kept in `paid` (zeroed
    // below) until the total is known.
    let (fps, weights) = (&mut w.fps, &mut w.paid[..]);
    for (wt, fp) in weights.iter_mut().zip(fps.iter()) {
        *wt = fp.budget_total * (1.0 - c + c * fp.prev_collab);
    }
    let total_weight: f64 = weights.iter().copied().sum();
    for (fp, &wt) in fps.iter_mut().zip(weights.iter()) {
        fp.transformation_money = if total_weight > 0.0 { transformation * wt / total_weight } else { 0.0 };
    }
    w.paid.fill(0.0);
    w.withheld.fill(0.0);
    sustain(w, order, sustainability, c);
}

/// Every provider, smallest deficit (GBP) first, kept from quarter to
/// quarter: deficits move little in a quarter, so last quarter's order is
/// usually nearly sorted and an insertion sort puts it right in about one
/// pass. Each provider's sort key is worked out once a quarter, beside it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Order {
    /// One per provider, as `entry` packs it: its sort key (deficit in GBP,
    /// or minus infinity if none), its index and its footprint in one
    /// integer whose order is the key's `total_cmp` then the index, so a
    /// comparison is one integer comparison.
    entries: Vec<u128>,
}

impl Order {
    /// Room for `n` providers.
    pub fn with_capacity(n: usize) -> Order {
        Order { entries: Vec::with_capacity(n) }
    }

    /// Bytes held, by capacity.
    pub fn bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<u128>()
    }

    /// What `bytes` reports of `with_capacity(n)`.
    pub fn bytes_for(n: usize) -> usize {
        n * std::mem::size_of::<u128>()
    }

    /// The providers, smallest deficit first (those in surplus first of all).
    pub fn providers(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries.iter().map(|&e| unpack(e).1 as u32)
    }
}

/// A key's bits, as an unsigned integer ordered as `f64::total_cmp` orders
/// keys: negative keys (sign bit set) have all bits flipped, so larger
/// magnitudes come first, and the rest have the sign bit set, above them.
fn key_bits(key: f64) -> u64 {
    let b = key.to_bits();
    b ^ ((((b as i64) >> 63) as u64) | (1 << 63))
}

/// The key `key_bits` came from, bit for bit.
fn key_of(bits: u64) -> f64 {
    f64::from_bits(bits ^ (((!bits as i64) >> 63) as u64 | (1 << 63)))
}

/// Key bits above the index, above the footprint: integer order is the
/// order's total order, key then index (indices are unique, so the
/// footprint never decides).
fn entry(key: f64, i: usize, f: u32) -> u128 {
    (u128::from(key_bits(key)) << 64) | (u128::from(i as u32) << 32) | u128::from(f)
}

/// (key bits, index, footprint) of an entry.
fn unpack(e: u128) -> (u64, usize, usize) {
    ((e >> 64) as u64, (e >> 32) as u32 as usize, e as u32 as usize)
}

/// `entry`'s sort key of provider `i` (only providers are in the order):
/// its deficit if it has one, else minus infinity, so those in surplus sort
/// first and are skipped; `deficit(kind, structural, 1.0) > 0.0` is
/// `structural < 0.0` for a provider.
fn sort_key(structural: f64, budget: f64) -> f64 {
    if structural < 0.0 { -structural * budget } else { f64::NEG_INFINITY }
}

/// `a` if `pick`, else `b`, bit for bit: whether a provider is held back is
/// data the processor cannot predict, so both values are worked out and one
/// is kept (a masked move on the host CPU) rather than branched to.
/// (`std::hint::select_unpredictable` says so outright, but is newer than
/// the minimum supported Rust.)
fn select(pick: bool, a: f64, b: f64) -> f64 {
    if pick { a } else { b }
}

/// Sustainability money, smallest deficits first; `support` of every
/// organisation is set (0 for those that receive nothing).
fn sustain(w: &mut World, order: &mut Order, money: f64, c: f64) {
    let first_quarter = w.national.first_quarter;
    let margin = w.p.support_margin;
    let (kind, footprint, structural, budget) = (&w.kind[..], &w.footprint[..], &w.structural[..], &w.budget[..]);
    // Those in surplus sort first and are skipped; the rest, by deficit (GBP)
    // then index, come out as a full sort would give them, as the order is total.
    let entries = &mut order.entries;
    if entries.is_empty() {
        entries.extend(
            (0..kind.len())
                .filter(|&i| kind[i].is_provider())
                .map(|i| entry(sort_key(structural[i], budget[i]), i, footprint[i])),
        );
        // Unstable sort does not allocate; the index breaks ties, so it is still total.
        entries.sort_unstable();
    } else {
        for e in entries.iter_mut() {
            let (_, i, f) = unpack(*e);
            *e = entry(sort_key(structural[i], budget[i]), i, f as u32);
        }
        // Far from sorted (large systems can reorder many providers in a
        // quarter): a full sort, which gives the same order, as it is total.
        let most = 4 * entries.len() + 64;
        if !insertion_sort(entries, most) {
            entries.sort_unstable();
        }
    }
    let none = key_bits(f64::NEG_INFINITY);
    let keep = 1.0 - c;
    // Slices, not the vectors: their pointers and lengths then stay in
    // registers instead of being reloaded after every store.
    let (collab, support) = (&w.collab[..], &mut w.support[..]);
    let (paid, withheld_by) = (&mut w.paid[..], &mut w.withheld[..]);
    let (mut left, mut withheld, mut full_due) = (money, 0.0, 0.0);
    for &e in entries.iter() {
        let (bits, i, f) = unpack(e);
        // Only providers can receive support, so zeroing them zeroes everyone's.
        support[i] = 0.0;
        if bits == none {
            continue;
        }
        // Quarterly due: the annual gap to break-even plus the margin, over 4.
        let due = ((key_of(bits) + margin * budget[i]) / 4.0).min(left.max(0.0));
        left -= due;
        let held = !first_quarter & !collab[i];
        let received = select(held, due * keep, due);
        withheld += due - received;
        // Adding 0 leaves the sum as it was: it starts at +0 and so is never -0.
        full_due += select(held, 0.0, due);
        support[i] = received; // GBP m this quarter; turned into a fraction below
        withheld_by[f] += due - received;
    }
    let shared = full_due > 0.0;
    for &e in entries.iter() {
        let (bits, i, f) = unpack(e);
        if bits == none {
            continue;
        }
        let held = !first_quarter & !collab[i];
        // Paid in full: its share of the withheld money, by its due.
        let s = support[i];
        let s = select(!held & shared, s + withheld * s / full_due, s);
        paid[f] += s;
        support[i] = 4.0 * s / budget[i];
    }
}

/// Sorts `v`, about one pass when it is nearly sorted already; gives up
/// (false, `v` then only partly sorted) after `most` moves, so a
/// far-from-sorted order costs a bounded pass rather than a quadratic one.
fn insertion_sort(v: &mut [u128], most: usize) -> bool {
    let mut moves = 0;
    for k in 1..v.len() {
        let x = v[k];
        if x >= v[k - 1] {
            continue; // already in place, the usual case
        }
        let mut j = k - 1;
        v[k] = v[j];
        while j > 0 && x < v[j - 1] {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
        moves += k - j;
        if moves > most {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::deficit;
    use crate::core::quarter::Quarter;
    use crate::model::testing::england_world;

    fn paid(w: &crate::model::World) -> f64 {
        w.paid.iter().sum()
    }

    #[test]
    fn smallest_deficits_first_to_break_even_plus_the_margin() {
        let mut w = england_world(1);
        super::pay(&mut w.world, &mut w.ws.order, Quarter::new(2016, 3).unwrap());
        let s = w.national.sustainability_gbp_m;
        assert!((s - 2100.0 * 0.86 / 4.0).abs() < 1e-9);
        assert!((paid(&w) - s).abs() < 1e-6, "England's deficits exceed the fund, so all of it is paid");
        let m = w.p.support_margin;
        let mut providers: Vec<usize> =
            (0..w.n_orgs()).filter(|&i| deficit(w.kind[i], w.structural[i], w.budget[i]) > 0.0).collect();
        providers.sort_by(|&a, &b| {
            deficit(w.kind[a], w.structural[a], w.budget[a]).total_cmp(&deficit(
                w.kind[b],
                w.structural[b],
                w.budget[b],
            ))
        });
        let full: Vec<bool> = providers.iter().map(|&i| (w.structural[i] + w.support[i] - m).abs() < 1e-9).collect();
        let n_full = full.iter().take_while(|f| **f).count();
        assert!(n_full > 10 && n_full < providers.len(), "{n_full} of {} paid in full", providers.len());
        assert!(full[n_full + 1..].iter().all(|f| !f), "those paid in full are the smallest deficits");
        assert!(providers[n_full + 1..].iter().all(|&i| w.support[i] == 0.0), "the largest get nothing");
        for i in 0..w.n_orgs() {
            if deficit(w.kind[i], w.structural[i], w.budget[i]) <= 0.0 {
                assert_eq!(w.support[i], 0.0);
            }
        }
    }

    #[test]
    fn withheld_money_is_paid_on_to_those_paid_in_full() {
        let mut w = england_world(2);
        w.national.first_quarter = false;
        let q = Quarter::new(2016, 3).unwrap();
        // Every second organisation self-prioritised last quarter.
        for i in 0..w.n_orgs() {
            w.collab[i] = i % 2 == 0;
        }
        super::pay(&mut w.world, &mut w.ws.order, q);
        let s = w.national.sustainability_gbp_m;
        let withheld: f64 = w.withheld.iter().sum();
        assert!(withheld > 1.0, "something is withheld");
        assert!((paid(&w) - s).abs() < 1e-6, "withheld money is paid on, so the whole fund goes out");
        let m = w.p.support_margin;
        let above = (0..w.n_orgs()).filter(|&i| w.collab[i] && w.structural[i] + w.support[i] > m + 1e-9).count();
        assert!(above > 0, "those paid in full receive more than break-even plus the margin");
        for i in (0..w.n_orgs()).filter(|&i| !w.collab[i] && w.support[i] > 0.0) {
            assert!(w.structural[i] + w.support[i] < m, "self-prioritisers fall short of their due");
        }

        // Nobody collaborated: nobody is paid in full, and the withheld share is lost.
        w.collab.iter_mut().for_each(|c| *c = false);
        super::pay(&mut w.world, &mut w.ws.order, q);
        let withheld: f64 = w.withheld.iter().sum();
        assert!((paid(&w) - 0.75 * s).abs() < 1e-6);
        assert!((paid(&w) + withheld - s).abs() < 1e-6);
        let t: f64 = w.fps.iter().map(|f| f.transformation_money).sum();
        assert!((t - w.national.transformation_gbp_m).abs() < 1e-6);
    }

    #[test]
    fn an_order_kept_across_quarters_pays_as_a_fresh_sort() {
        let mut w = england_world(3);
        let q = Quarter::new(2016, 3).unwrap();
        super::pay(&mut w.world, &mut w.ws.order, q);
        // Deficits move, some far (a reversal of every tenth), some across zero.
        for i in 0..w.n_orgs() {
            w.structural[i] += if i % 10 == 0 { -w.structural[i] * 2.0 } else { -0.002 * (i % 7) as f64 };
        }
        w.national.first_quarter = false;
        for i in 0..w.n_orgs() {
            w.collab[i] = i % 3 != 0;
        }
        let mut fresh = super::Order::default();
        let mut v = w.world.clone();
        super::pay(&mut v, &mut fresh, q);
        super::pay(&mut w.world, &mut w.ws.order, q);
        assert_eq!(w.ws.order, fresh, "the same order");
        assert_eq!(w.support, v.support, "the same payments, bit for bit");
        let keys: Vec<f64> = fresh
            .providers()
            .map(|i| deficit(w.kind[i as usize], w.structural[i as usize], w.budget[i as usize]))
            .collect();
        assert!(keys.windows(2).all(|k| k[0] <= k[1]), "smallest first");
    }

    #[test]
    fn an_order_turned_upside_down_is_sorted_in_full_the_same_way() {
        // Every deficit's rank reversed: the insertion sort gives up within
        // its bound of moves and a full sort gives the fresh sort's order.
        let mut w = england_world(4);
        let q = Quarter::new(2016, 3).unwrap();
        super::pay(&mut w.world, &mut w.ws.order, q);
        let providers: Vec<usize> = w.ws.order.providers().map(|i| i as usize).collect();
        let old: Vec<f64> = providers.iter().map(|&i| w.structural[i]).collect();
        for (&i, s) in providers.iter().zip(old.iter().rev()) {
            w.structural[i] = *s;
        }
        let mut entries: Vec<u128> = (0..100).rev().map(|i| super::entry(i as f64, i, 0)).collect();
        assert!(!super::insertion_sort(&mut entries, 4 * 100 + 64), "a reversed order is beyond the bound");
        let mut fresh = super::Order::default();
        let mut v = w.world.clone();
        super::pay(&mut v, &mut fresh, q);
        super::pay(&mut w.world, &mut w.ws.order, q);
        assert_eq!(w.ws.order, fresh, "the same order");
        assert_eq!(w.support, v.support, "the same payments, bit for bit");
    }

    #[test]
    fn entries_order_as_total_cmp_then_index_and_give_their_keys_back() {
        let keys = [
            f64::NEG_INFINITY,
            -f64::NAN,
            f64::NAN,
            f64::INFINITY,
            f64::MAX,
            -f64::MAX,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            0.0,
            -0.0,
            1.0,
            -1.0,
            1.0 + f64::EPSILON,
            123.456,
            -123.456,
        ];
        for (a, &ka) in keys.iter().enumerate() {
            assert_eq!(super::key_of(super::key_bits(ka)).to_bits(), ka.to_bits());
            let (bits, i, f) = super::unpack(super::entry(ka, a, 7));
            assert_eq!((super::key_of(bits).to_bits(), i, f), (ka.to_bits(), a, 7));
            for (b, &kb) in keys.iter().enumerate() {
                for (ia, ib) in [(a, b), (3, 3), (u32::MAX as usize, 0), (0, u32::MAX as usize)] {
                    // A provider's footprint goes with its index.
                    let fp = |i: usize| (i % 7) as u32;
                    let want = ka.total_cmp(&kb).then(ia.cmp(&ib));
                    assert_eq!(
                        super::entry(ka, ia, fp(ia)).cmp(&super::entry(kb, ib, fp(ib))),
                        want,
                        "{ka} {ia} against {kb} {ib}"
                    );
                }
            }
        }
    }

    #[test]
    fn select_picks_either_value_bit_for_bit() {
        for (a, b) in [(1.5, -0.0), (-0.0, 0.0), (f64::NAN, f64::INFINITY)] {
            assert_eq!(super::select(true, a, b).to_bits(), f64::to_bits(a));
            assert_eq!(super::select(false, a, b).to_bits(), f64::to_bits(b));
        }
    }

    #[test]
    fn no_fund_outside_the_schedule() {
        let mut w = england_world(1);
        super::pay(&mut w.world, &mut w.ws.order, Quarter::new(2016, 1).unwrap());
        assert_eq!(w.national.sustainability_gbp_m, 0.0, "2015/16 has no fund");
        assert!(w.support.iter().all(|s| *s == 0.0));
    }
}
