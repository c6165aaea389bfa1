//! `stpsim params`: the parameter dictionary.

use stpsim::params::{DICTIONARY, markdown};

pub fn print(as_markdown: bool) -> anyhow::Result<()> {
    if as_markdown {
        print!("{}", markdown());
        return Ok(());
    }
    let mut group = "";
    for d in DICTIONARY {
        if d.group != group {
            group = d.group;
            println!("\n[{group}]");
            println!("  {:<38} {:>10}  {:<20} {:<28} source", "name", "default", "range", "unit");
        }
        let range = format!("{} to {}", d.min, d.max);
        println!("  {:<38} {:>10}  {:<20} {:<28} {}", d.name, d.default, range, d.unit, d.source);
    }
    println!("\nSet any of these in a scenario's [params] table. Meanings: docs/parameters.md");
    Ok(())
}
