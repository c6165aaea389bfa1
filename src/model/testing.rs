//! Worlds for unit tests.

use super::World;
use super::init::Setup;
use super::rng::Keys;
use crate::params::Params;
use crate::structure;

/// A fresh England replicate with default parameters and no levers.
pub fn england_world(replicate: u64) -> World {
    let p = Params::default();
    let s = structure::england(&p);
    World::new(&s, Setup { params: &p, levers: &[], ready: &[] }, &Keys { seed: 99, replicate })
}
