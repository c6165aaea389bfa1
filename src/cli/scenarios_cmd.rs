//! `stpsim scenarios`: the built-in scenarios.

use super::emit;
use stpsim::scenario::{builtin, load};

pub fn list() -> anyhow::Result<()> {
    let mut s = String::new();
    for name in builtin::names() {
        let sc = load(name)?;
        s += &format!("{:<12} {}\n", sc.name, sc.description);
    }
    s += "\nRun one with `stpsim run NAME`; write your own with `extends = \"NAME\"`.\n";
    emit(&s)
}
