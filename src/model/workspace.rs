//! What a replicate needs besides its state while it steps: scratch lists,
//! each footprint's metric sums, and the runs its footprints are cut into.
//! Kept beside the `World`, so the world holds model state only.

use super::kind::N_PROPOSAL_TYPES;
use super::metrics::Tally;
use super::part::{Part, Runs};
use super::phases::funding::Order;
use super::state::{PROPOSALS, Proposal, World};
use crate::core::rng::draw::PoissonCache;
use std::mem::size_of;

/// What phase 4 keeps for a footprint from one quarter to the next so as not
/// to redo work whose inputs have not changed in any bit: derived from the
/// state, never state itself, so it lives beside the world rather than in it.
#[derive(Clone, Copy, Debug)]
pub struct Kept {
    /// The set-up of the proposal count's Poisson, kept while its mean is
    /// unchanged (it moves only with readiness, pace and mu).
    pub proposal_count: PoissonCache,
    /// The agenda's board part, kept with the bits of the councils' weight
    /// it was summed for.
    pub board: KeptBoard,
}

impl Kept {
    pub const EMPTY: Kept = Kept { proposal_count: PoissonCache::EMPTY, board: KeptBoard::EMPTY };
}

/// The agenda's board part and the bits of the councils' weight it is for.
#[derive(Clone, Copy, Debug)]
pub struct KeptBoard {
    pub weight: u64,
    pub board: [f64; N_PROPOSAL_TYPES],
}

impl KeptBoard {
    /// No board yet: the key is a signalling NaN, which no weight can be (the
    /// weight is 0, 1 or a product, and arithmetic never gives a signalling
    /// NaN), so the first look finds nothing.
    pub const EMPTY: KeptBoard = KeptBoard { weight: 0x7ff4_0000_0000_0001, board: [0.0; N_PROPOSAL_TYPES] };
}

#[derive(Clone, Debug)]
pub struct Workspace {
    /// Reused every footprint-quarter, so the loop does not allocate.
    pub proposals: Vec<Proposal>,
    /// Providers, smallest deficit first: phase 2's order, kept across quarters.
    pub order: Order,
    /// Each footprint's metric sums for the quarter just stepped.
    pub tallies: Vec<Tally>,
    /// What each footprint's phase 4 keeps between quarters.
    pub kept: Vec<Kept>,
    /// Runs of footprints stepped in parallel (one run: in sequence).
    pub runs: Runs,
}

impl Workspace {
    /// Room for world `w`, its footprints stepped in one run.
    pub fn new(w: &World) -> Workspace {
        Workspace {
            proposals: Vec::with_capacity(PROPOSALS),
            order: Order::with_capacity(w.n_orgs()),
            tallies: vec![Tally::default(); w.fps.len()],
            kept: vec![Kept::EMPTY; w.fps.len()],
            runs: Runs::default(),
        }
    }

    /// Steps `w`'s footprints in about `n` parallel runs from now on;
    /// results do not depend on `n`.
    pub fn split_into(&mut self, w: &World, n: usize) {
        self.runs = Runs::new(&w.fps, n);
    }

    /// Every footprint of `w` as one part, with the workspace's proposal
    /// list and tallies, and how to cut it into runs.
    pub fn parts<'a>(&'a mut self, w: &'a mut World) -> (Part<'a>, &'a mut Runs) {
        (Part::new(w, &mut self.proposals, &mut self.tallies, &mut self.kept), &mut self.runs)
    }

    /// Bytes held, by capacity (the runs' own lists aside).
    pub fn bytes(&self) -> usize {
        self.proposals.capacity() * size_of::<Proposal>()
            + self.order.bytes()
            + self.tallies.capacity() * size_of::<Tally>()
            + self.kept.capacity() * size_of::<Kept>()
            + size_of::<Workspace>()
    }

    /// What `bytes` reports of a new workspace for `orgs` organisations in
    /// `footprints` footprints.
    pub fn bytes_for(orgs: usize, footprints: usize) -> usize {
        PROPOSALS * size_of::<Proposal>()
            + Order::bytes_for(orgs)
            + footprints * size_of::<Tally>()
            + footprints * size_of::<Kept>()
            + size_of::<Workspace>()
    }
}
