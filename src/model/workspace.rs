//! What a replicate needs besides its state while it steps: scratch lists,
//! each footprint's metric sums, and the runs its footprints are cut into.
//! Kept beside the `World`, so the world holds model state only.

use super::metrics::Tally;
use super::part::{Part, Runs};
use super::phases::funding::Order;
use super::state::{PROPOSALS, Proposal, World};
use std::mem::size_of;

#[derive(Clone, Debug)]
pub struct Workspace {
    /// Reused every footprint-quarter, so the loop does not allocate.
    pub proposals: Vec<Proposal>,
    /// Providers, smallest deficit first: phase 2's order, kept across quarters.
    pub order: Order,
    /// Each footprint's metric sums for the quarter just stepped.
    pub tallies: Vec<Tally>,
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
        (Part::new(w, &mut self.proposals, &mut self.tallies), &mut self.runs)
    }

    /// Bytes held, by capacity (the runs' own lists aside).
    pub fn bytes(&self) -> usize {
        self.proposals.capacity() * size_of::<Proposal>()
            + self.order.bytes()
            + self.tallies.capacity() * size_of::<Tally>()
            + size_of::<Workspace>()
    }

    /// What `bytes` reports of a new workspace for `orgs` organisations in
    /// `footprints` footprints.
    pub fn bytes_for(orgs: usize, footprints: usize) -> usize {
        PROPOSALS * size_of::<Proposal>()
            + Order::bytes_for(orgs)
            + footprints * size_of::<Tally>()
            + size_of::<Workspace>()
    }
}
