//! One replicate in progress: its world, the workspace beside it, its levers
//! as they run, its keys, and the quarter loop written once. `step` runs
//! phases 1 to 11 of a quarter, the record included, then calls the
//! observer, if any.

use super::init::Setup;
use super::levers::{Lever, Running};
use super::metrics::{N_METRICS, record};
use super::rng::Keys;
use super::{Workspace, World};
use crate::core::quarter::Quarter;
use crate::structure::Structure;

pub struct Replicate<'s> {
    /// Model state; read it between quarters.
    pub world: World,
    /// Scratch, the footprints' metric sums and the parallel runs.
    workspace: Workspace,
    levers: &'s [Lever],
    running: Vec<Running>,
    keys: Keys,
    /// England's row of the quarter just stepped.
    england: Vec<f64>,
}

impl<'s> Replicate<'s> {
    /// Draws replicate `keys.replicate` of a scenario on `structure`.
    pub fn new(structure: &Structure, setup: Setup<'s>, keys: Keys) -> Replicate<'s> {
        let world = World::new(structure, Setup { levers: &[], ..setup }, &keys);
        let workspace = Workspace::new(&world);
        let readiness: Vec<f64> = world.fps.iter().map(|f| f.readiness).collect();
        let running = setup.levers.iter().map(|l| Running::new(l, &readiness)).collect();
        Replicate { world, workspace, levers: setup.levers, running, keys, england: vec![0.0; N_METRICS] }
    }

    /// Steps footprints in about `n` parallel runs from now on; results do
    /// not depend on `n`.
    pub fn split_into(&mut self, n: usize) {
        self.workspace.split_into(&self.world, n);
    }

    /// Phases 1 to 11 of quarter `q`: England's metrics, indexed by `Metric`.
    pub fn step(&mut self, q: Quarter) -> &[f64] {
        self.step_into(q, None)
    }

    /// `step`, also writing each footprint's metrics (footprint-major) into
    /// `per_footprint`.
    pub fn step_into(&mut self, q: Quarter, per_footprint: Option<&mut [f64]>) -> &[f64] {
        let ws = &mut self.workspace;
        super::step::step(&mut self.world, ws, self.levers, &mut self.running, q, &self.keys);
        record(&ws.tallies, &mut self.england, per_footprint); // 11
        &self.england
    }

    /// Runs quarters `quarters` in order, calling `observe` at the end of
    /// each with the world and the quarter's England row: what calibration's
    /// simulated surveys and any analyser read.
    pub fn run_observed(&mut self, quarters: &[Quarter], mut observe: impl FnMut(&World, Quarter, &[f64])) {
        for &q in quarters {
            self.step(q);
            observe(&self.world, q, &self.england);
        }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Bytes the replicate holds, by capacity: its model state, its
    /// workspace and its row (levers' saved settings and parallel runs aside).
    pub fn bytes(&self) -> usize {
        self.world.state_bytes() + self.workspace.bytes() + self.england.capacity() * std::mem::size_of::<f64>()
    }

    /// What `bytes` reports of a new replicate of `orgs` organisations in
    /// `footprints` footprints: the memory one replicate in progress needs.
    pub fn bytes_for(orgs: usize, footprints: usize) -> usize {
        World::bytes_for(orgs, footprints)
            + Workspace::bytes_for(orgs, footprints)
            + N_METRICS * std::mem::size_of::<f64>()
    }
}
