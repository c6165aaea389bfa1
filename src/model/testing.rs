//! Worlds for unit tests.

use super::init::Setup;
use super::part::Part;
use super::rng::Keys;
use super::{Workspace, World};
use crate::core::params::Params;
use crate::structure;

/// A world and its workspace, for testing phases one at a time. It reads as
/// its world; `whole` makes the part phases take.
#[derive(Clone)]
pub struct Testbed {
    pub world: World,
    pub ws: Workspace,
}

impl Testbed {
    /// Every footprint as one part, with the workspace's proposal list.
    pub fn whole(&mut self) -> Part<'_> {
        self.ws.parts(&mut self.world).0
    }
}

impl std::ops::Deref for Testbed {
    type Target = World;
    fn deref(&self) -> &World {
        &self.world
    }
}

impl std::ops::DerefMut for Testbed {
    fn deref_mut(&mut self) -> &mut World {
        &mut self.world
    }
}

/// A fresh England replicate with default parameters and no levers.
pub fn england_world(replicate: u64) -> Testbed {
    let p = Params::default();
    let s = structure::england(&p);
    let world = World::new(&s, Setup { params: &p, levers: &[], ready: &[] }, &Keys { seed: 99, replicate });
    let ws = Workspace::new(&world);
    Testbed { world, ws }
}
