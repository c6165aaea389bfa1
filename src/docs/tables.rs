//! The README's tables, from the declarations they describe: levers
//! ([`crate::model::levers::LEVERS`]), a run's files
//! ([`crate::results::outputs::RUN_OUTPUTS`]) and the scenario library
//! ([`crate::scenario::builtin::LIBRARY`]).

use crate::model::levers::{Default, Field, LEVERS};
use crate::results::outputs::RUN_OUTPUTS;
use crate::scenario::builtin::{self, LIBRARY};

/// A field as the Levers table names it: its default in brackets where it has one.
fn field_cell(f: &Field) -> String {
    match f.spec.default {
        Default::Required => format!("`{}`", f.name),
        Default::Number(x) => format!("`{}` ({x})", f.name),
        Default::Switch(b) => format!("`{}` ({b})", f.name),
        Default::Param(p) => format!("`{}` (parameter `{p}`)", f.name),
    }
}

/// One row per lever kind: its fields and its declared description.
pub fn levers_table() -> String {
    let mut s = String::from("| kind | acts | fields (default) | what it does |\n|---|---|---|---|\n");
    for d in &LEVERS {
        let fields: Vec<String> = d.fields.iter().map(field_cell).collect();
        let acts = if d.national { "nationally" } else { "on footprints" };
        s += &format!("| `{}` | {acts} | {} | {} |\n", d.name, fields.join(", "), d.doc.trim());
    }
    s
}

/// One row per data file a run may write.
pub fn outputs_table() -> String {
    let mut s = String::from("| file | written | what it holds |\n|---|---|---|\n");
    for o in RUN_OUTPUTS {
        let sums = if o.checksummed { "; its SHA-256 is in the manifest" } else { "" };
        s += &format!("| `{}` | {} | {}{sums} |\n", o.name, o.written, o.description);
    }
    s
}

/// One row per built-in scenario: its file and the question it answers,
/// as `stpsim scenarios` prints them.
pub fn scenarios_table() -> String {
    let mut s = String::from("| file | question |\n|---|---|\n");
    for b in LIBRARY {
        let stem = b.file.trim_start_matches("scenarios/").trim_end_matches(".toml");
        s += &format!("| `{stem}` | {} |\n", builtin::question(b.text).replace('|', "\\|"));
    }
    s
}
