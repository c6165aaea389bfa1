//! `stpsim params`: the parameter dictionary.

use super::emit;
use std::fmt::Write;
use stpsim::params::{DICTIONARY, markdown};

pub fn print(as_markdown: bool) -> anyhow::Result<()> {
    if as_markdown {
        return emit(&markdown());
    }
    let mut s = String::new();
    let mut group = "";
    for d in DICTIONARY {
        if d.group != group {
            group = d.group;
            writeln!(s, "\n[{group}]")?;
            writeln!(s, "  {:<38} {:>10}  {:<20} {:<28} source", "name", "default", "range", "unit")?;
        }
        let range = format!("{} to {}", d.min, d.max);
        writeln!(s, "  {:<38} {:>10}  {:<20} {:<28} {}", d.name, d.default, range, d.unit, d.source)?;
    }
    writeln!(s, "\nSet any of these in a scenario's [params] table. Meanings: docs/parameters.md")?;
    emit(&s)
}
