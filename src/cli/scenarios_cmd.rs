//! `stpsim scenarios`: the built-in scenarios.

use stpsim::scenario::{builtin, load};

pub fn list() -> anyhow::Result<()> {
    for name in builtin::names() {
        let s = load(name)?;
        println!("{:<12} {}", s.name, s.description);
    }
    println!("\nRun one with `stpsim run NAME`; write your own with `extends = \"NAME\"`.");
    Ok(())
}
