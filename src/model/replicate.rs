//! One replicate in progress: its world, its levers as they run, its keys,
//! and the quarter loop written once. `step` runs phases 1 to 11 of a
//! quarter, the record included, then calls the observer, if any.

use super::World;
use super::init::Setup;
use super::levers::{Lever, Running};
use super::metrics::{N_METRICS, record};
use super::rng::Keys;
use crate::quarter::Quarter;
use crate::structure::Structure;

pub struct Replicate<'s> {
    /// Model state; read it between quarters.
    pub world: World,
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
        let readiness: Vec<f64> = world.fps.iter().map(|f| f.readiness).collect();
        let running = setup.levers.iter().map(|l| Running::new(l, &readiness)).collect();
        Replicate { world, levers: setup.levers, running, keys, england: vec![0.0; N_METRICS] }
    }

    /// Steps footprints in about `n` parallel runs from now on; results do
    /// not depend on `n`.
    pub fn split_into(&mut self, n: usize) {
        self.world.split_into(n);
    }

    /// Phases 1 to 11 of quarter `q`: England's metrics, indexed by `Metric`.
    pub fn step(&mut self, q: Quarter) -> &[f64] {
        self.step_into(q, None)
    }

    /// `step`, also writing each footprint's metrics (footprint-major) into
    /// `per_footprint`.
    pub fn step_into(&mut self, q: Quarter, per_footprint: Option<&mut [f64]>) -> &[f64] {
        super::step::step(&mut self.world, self.levers, &mut self.running, q, &self.keys);
        record(&self.world, &mut self.england, per_footprint); // 11
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
}
