//! A run of consecutive footprints and their members: what phases 3 to 10
//! see. Members of a footprint are stored together, so a run's organisation
//! fields are sub-slices of the world's arrays. Runs are disjoint, so they
//! can be stepped in parallel, and a phase reading outside its own run fails
//! loudly instead of racing. Indices stay those of the whole world.

use super::metrics::Tally;
use super::state::{Footprint, HISTORY_SLOTS, National, PENDING_SLOTS, PROPOSALS, Pending, Proposal, World};
use super::workspace::Kept;
use crate::core::params::Params;
use std::ops::{Index, IndexMut, Range};

/// A read-only run of one field, indexed by world position.
#[derive(Clone, Copy, Debug)]
pub struct Span<'a, T> {
    items: &'a [T],
    first: usize,
}

/// A writable run of one field, indexed by world position.
#[derive(Debug)]
pub struct SpanMut<'a, T> {
    items: &'a mut [T],
    first: usize,
}

impl<'a, T> Span<'a, T> {
    fn new(items: &'a [T]) -> Self {
        Span { items, first: 0 }
    }

    /// World positions `r` as a plain slice, for loops over a footprint's
    /// members. Loops re-slice each field to `[..n]` so the compiler sees one
    /// length and drops the index checks.
    pub fn run(&self, r: Range<usize>) -> &[T] {
        &self.items[r.start - self.first..r.end - self.first]
    }

    /// The runs before and after world position `at`.
    fn split_at(self, at: usize) -> (Self, Self) {
        let (a, b) = self.items.split_at(at - self.first);
        (Span { items: a, first: self.first }, Span { items: b, first: at })
    }
}

impl<'a, T> SpanMut<'a, T> {
    fn new(items: &'a mut [T]) -> Self {
        SpanMut { items, first: 0 }
    }

    /// World positions this run covers.
    pub fn range(&self) -> Range<usize> {
        self.first..self.first + self.items.len()
    }

    /// World positions `r` as a plain slice, for loops over a footprint's
    /// members. Loops re-slice each field to `[..n]` so the compiler sees one
    /// length and drops the index checks.
    pub fn run(&self, r: Range<usize>) -> &[T] {
        &self.items[r.start - self.first..r.end - self.first]
    }

    /// World positions `r` as a plain writable slice.
    pub fn run_mut(&mut self, r: Range<usize>) -> &mut [T] {
        &mut self.items[r.start - self.first..r.end - self.first]
    }

    /// The runs before and after world position `at`.
    fn split_at(self, at: usize) -> (Self, Self) {
        let (a, b) = self.items.split_at_mut(at - self.first);
        (SpanMut { items: a, first: self.first }, SpanMut { items: b, first: at })
    }
}

impl<T> Index<usize> for Span<'_, T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.items[i - self.first]
    }
}

impl<T> Index<usize> for SpanMut<'_, T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.items[i - self.first]
    }
}

impl<T> IndexMut<usize> for SpanMut<'_, T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.items[i - self.first]
    }
}

/// A table of `N` quarter slots by footprint, for a run of footprints:
/// `slots[s][f]`.
#[derive(Debug)]
pub struct Slots<'a, T, const N: usize> {
    rows: [SpanMut<'a, T>; N],
}

impl<'a, T, const N: usize> Slots<'a, T, N> {
    /// The world's table; missing slots (there are none) would read as empty.
    fn new(table: &'a mut [Vec<T>]) -> Self {
        let mut rows = table.iter_mut();
        Slots { rows: std::array::from_fn(|_| SpanMut::new(rows.next().map_or(&mut [][..], |r| &mut r[..]))) }
    }

    /// Footprints before `f`, and from `f` on.
    fn split_at(self, f: usize) -> (Self, Self) {
        let mut right: [SpanMut<'a, T>; N] = std::array::from_fn(|_| SpanMut { items: &mut [], first: f });
        let mut k = 0;
        let left = self.rows.map(|row| {
            let (a, b) = row.split_at(f);
            right[k] = b;
            k += 1;
            a
        });
        (Slots { rows: left }, Slots { rows: right })
    }
}

impl<'a, T, const N: usize> Index<usize> for Slots<'a, T, N> {
    type Output = SpanMut<'a, T>;
    fn index(&self, slot: usize) -> &SpanMut<'a, T> {
        &self.rows[slot]
    }
}

impl<'a, T, const N: usize> IndexMut<usize> for Slots<'a, T, N> {
    fn index_mut(&mut self, slot: usize) -> &mut SpanMut<'a, T> {
        &mut self.rows[slot]
    }
}

/// Declares `Part` with the organisation fields it reads and writes, and the
/// two ways to make one: the whole world, and a split.
macro_rules! part {
    (read: [$($r:ident: $rt:ty),*], write: [$($m:ident: $mt:ty),*]) => {
        /// Footprints `fps.range()` and their members, with the national
        /// settings read-only and a proposal list of their own.
        #[derive(Debug)]
        pub struct Part<'a> {
            pub p: &'a Params,
            pub national: &'a National,
            pub preferences: &'a [[f64; super::kind::N_PROPOSAL_TYPES]; super::kind::N_KINDS],
            $(pub $r: Span<'a, $rt>,)*
            $(pub $m: SpanMut<'a, $mt>,)*
            pub fps: SpanMut<'a, Footprint>,
            /// Phase 2's payments and withholdings, by footprint.
            pub paid: Span<'a, f64>,
            pub withheld: Span<'a, f64>,
            pub pending: Slots<'a, Pending, PENDING_SLOTS>,
            pub history: Slots<'a, f64, HISTORY_SLOTS>,
            pub tallies: SpanMut<'a, Tally>,
            pub kept: SpanMut<'a, Kept>,
            pub proposals: &'a mut Vec<Proposal>,
        }

        impl<'a> Part<'a> {
            /// Every footprint of `w` as one part, with `proposals` as its
            /// scratch list, `tallies` for its footprints' sums and `kept`
            /// for what their phase 4 keeps.
            pub fn new(
                w: &'a mut World,
                proposals: &'a mut Vec<Proposal>,
                tallies: &'a mut [Tally],
                kept: &'a mut [Kept],
            ) -> Part<'a> {
                Part {
                    p: &w.p,
                    national: &w.national,
                    preferences: &w.preferences,
                    $($r: Span::new(&w.$r),)*
                    $($m: SpanMut::new(&mut w.$m),)*
                    fps: SpanMut::new(&mut w.fps),
                    paid: Span::new(&w.paid),
                    withheld: Span::new(&w.withheld),
                    pending: Slots::new(&mut w.pending),
                    history: Slots::new(&mut w.history),
                    tallies: SpanMut::new(tallies),
                    kept: SpanMut::new(kept),
                    proposals,
                }
            }

            /// Footprints before `f`, and from `f` on; the second part takes
            /// `scratch` as its proposal list.
            pub fn split_at(self, f: usize, scratch: &'a mut Vec<Proposal>) -> (Part<'a>, Part<'a>) {
                let org = self.fps[f].start;
                $(let $r = self.$r.split_at(org);)*
                $(let $m = self.$m.split_at(org);)*
                let fps = self.fps.split_at(f);
                let paid = self.paid.split_at(f);
                let withheld = self.withheld.split_at(f);
                let pending = self.pending.split_at(f);
                let history = self.history.split_at(f);
                let tallies = self.tallies.split_at(f);
                let kept = self.kept.split_at(f);
                (
                    Part {
                        p: self.p,
                        national: self.national,
                        preferences: self.preferences,
                        $($r: $r.0,)*
                        $($m: $m.0,)*
                        fps: fps.0,
                        paid: paid.0,
                        withheld: withheld.0,
                        pending: pending.0,
                        history: history.0,
                        tallies: tallies.0,
                        kept: kept.0,
                        proposals: self.proposals,
                    },
                    Part {
                        p: self.p,
                        national: self.national,
                        preferences: self.preferences,
                        $($r: $r.1,)*
                        $($m: $m.1,)*
                        fps: fps.1,
                        paid: paid.1,
                        withheld: withheld.1,
                        pending: pending.1,
                        history: history.1,
                        tallies: tallies.1,
                        kept: kept.1,
                        proposals: scratch,
                    },
                )
            }
        }
    };
}

part! {
    read: [kind: super::kind::Kind, budget: f64, orientation: f64],
    write: [structural: f64, support: f64, balance: f64, loyalty: f64, trust: f64, unsure: bool,
            collab: bool, resentment: f64, coerced: u32, affected: bool]
}

/// How a world's footprints are cut into runs for parallel stepping: the
/// first footprint of every run after the first, each with a proposal list of
/// its own (the first run uses the workspace's).
#[derive(Clone, Debug, Default)]
pub struct Runs {
    cuts: Vec<(usize, Vec<Proposal>)>,
}

impl Runs {
    /// `n` runs (at most one per footprint) of similar numbers of
    /// organisations; one run steps footprints in sequence.
    pub fn new(fps: &[Footprint], n: usize) -> Runs {
        let nf = fps.len();
        let orgs = fps.last().map_or(0, |f| f.end);
        let n = n.clamp(1, nf.max(1));
        let mut cuts = Vec::with_capacity(n - 1);
        let mut prev = 0;
        for k in 1..n {
            // The first footprint starting at or past the k-th share of
            // organisations, leaving at least one footprint for every run.
            let f = fps.partition_point(|fp| fp.start * n < orgs * k).max(prev + 1).min(nf - (n - k));
            cuts.push((f, Vec::with_capacity(PROPOSALS)));
            prev = f;
        }
        Runs { cuts }
    }

    /// Calls `body(part, f)` for every footprint of `part`, in order within
    /// each run; runs go in parallel.
    pub fn for_each<F>(&mut self, part: Part<'_>, body: &F)
    where
        F: Fn(&mut Part<'_>, usize) + Sync,
    {
        split(part, &mut self.cuts, body);
    }
}

fn split<F>(mut part: Part<'_>, cuts: &mut [(usize, Vec<Proposal>)], body: &F)
where
    F: Fn(&mut Part<'_>, usize) + Sync,
{
    let (left_cuts, rest) = cuts.split_at_mut(cuts.len() / 2);
    match rest.split_first_mut() {
        None => {
            for f in part.fps.range() {
                body(&mut part, f);
            }
        }
        Some(((f, scratch), right_cuts)) => {
            let (left, right) = part.split_at(*f, scratch);
            rayon::join(|| split(left, left_cuts, body), || split(right, right_cuts, body));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::england_world;

    /// Each run's first footprint, from the cuts.
    fn firsts(r: &Runs) -> Vec<usize> {
        std::iter::once(0).chain(r.cuts.iter().map(|c| c.0)).collect()
    }

    #[test]
    fn runs_cut_footprints_into_shares_of_similar_size() {
        let w = england_world(1);
        let nf = w.fps.len();
        assert_eq!(firsts(&Runs::new(&w.fps, 1)).len(), 1);
        assert_eq!(firsts(&Runs::new(&w.fps, 0)).len(), 1, "no runs asked: one");
        assert_eq!(firsts(&Runs::new(&w.fps, 1000)).len(), nf, "at most one run per footprint");
        let r = Runs::new(&w.fps, 8);
        assert_eq!(firsts(&r).len(), 8);
        let mut bounds: Vec<usize> = firsts(&r).iter().map(|&f| w.fps[f].start).collect();
        bounds.push(w.n_orgs());
        assert!(bounds.windows(2).all(|b| b[0] < b[1]), "runs are in order and none is empty");
        let mean = w.n_orgs() as f64 / 8.0;
        for b in bounds.windows(2) {
            let size = (b[1] - b[0]) as f64;
            assert!(size > 0.5 * mean && size < 1.5 * mean, "a run of {size} organisations against {mean:.0}");
        }
    }

    #[test]
    fn a_split_keeps_world_positions_and_its_own_proposal_list() {
        let mut w = england_world(1);
        let (f, org) = (10, w.fps[10].start);
        let trust = w.trust[org];
        let mut scratch = Vec::new();
        let (mut left, mut right) = w.whole().split_at(f, &mut scratch);
        assert_eq!((left.fps.range(), right.fps.range()), (0..10, 10..44));
        assert_eq!(right.trust[org], trust, "indices are the world's");
        assert_eq!(right.fps[f].start, org);
        right.trust[org] = 0.25;
        right.proposals.push(Proposal::new(crate::model::kind::ProposalType::Prevention, 0.1));
        left.collab[org - 1] = true;
        right.history[3][f] = 0.125;
        left.pending[5][f - 1].provider_gain = 0.5;
        assert_eq!(w.trust[org], 0.25);
        assert!(w.collab[org - 1]);
        assert_eq!(w.history[3][f], 0.125, "slot tables are split by footprint too");
        assert_eq!(w.pending[5][f - 1].provider_gain, 0.5);
        assert!(w.ws.proposals.is_empty() && scratch.len() == 1, "the right part's proposals go to its own list");
    }

    #[test]
    #[should_panic(expected = "index out of bounds")]
    fn a_part_cannot_reach_past_its_run() {
        let mut w = england_world(1);
        let org = w.fps[10].start;
        let mut scratch = Vec::new();
        let (left, _) = w.whole().split_at(10, &mut scratch);
        let _ = left.trust[org];
    }
}
