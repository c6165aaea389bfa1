//! `stpsim scenarios`: the built-in library and the question each answers.

use super::emit;
use stpsim::scenario::builtin::{self, LIBRARY};

pub fn list() -> anyhow::Result<()> {
    let mut s = String::new();
    for b in LIBRARY {
        let stem = b.file.trim_start_matches("scenarios/").trim_end_matches(".toml");
        s += &format!("{stem:<28} {}\n", builtin::question(b.text));
    }
    s += "\nRun one with `stpsim run NAME` (NAME with or without its number), all with `stpsim run --all`;\n\
          write your own with `extends = \"NAME\"`.\n";
    emit(&s)
}

/// The replicates and seed of docs/scenarios.md, as the docs generator runs it.
use stpsim::docs::{SCENARIOS_REPLICATES as DOC_REPLICATES, SCENARIOS_SEED as DOC_SEED};

pub fn markdown() -> anyhow::Result<()> {
    let scenarios = LIBRARY.iter().map(|b| stpsim::scenario::load(b.name)).collect::<Result<Vec<_>, _>>()?;
    let opts = stpsim::RunOptions { replicates: DOC_REPLICATES, seed: DOC_SEED, footprint_replicates: 0 };
    let results = stpsim::run(&scenarios, &opts);
    emit(&stpsim::report::scenarios_markdown(&results, &scenarios, DOC_REPLICATES, DOC_SEED))
}
