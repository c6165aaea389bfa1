//! The README's and docs' generated parts, written from the code: the main
//! job's printed block, the tables of levers, output files and scenarios,
//! `docs/levers.md`, `docs/parameters.md`, `docs/scenarios.md`, and every
//! chart under `docs/images/` with the numbers it plots beside it in
//! `docs/images/data/`. `cargo run --release --example docs` writes them all
//! ([`generate`]); `tests/docs.rs` fails when the committed files differ from
//! what it would write ([`check_text`], [`main_job_data`], [`sweep_data`]).
//!
//! A generated region of a Markdown file sits between `<!-- generated:NAME -->`
//! and `<!-- /generated -->`; everything outside the markers is written by hand.

mod images;
mod tables;

pub use images::{IMAGES, Image, Source, decide_data, main_job_data, sweep_data};
pub use tables::{levers_table, outputs_table, scenarios_table};

use crate::api::run::{Job, RunRequest};
use crate::results::Results;
use std::path::{Path, PathBuf};

/// The one command that regenerates every generated file.
pub const COMMAND: &str = "cargo run --release --example docs";

/// The folder of committed chart numbers, beside the images.
pub const IMAGE_DATA: &str = "docs/images/data";

/// Why the docs could not be generated or checked.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    #[error("{file} has no region `{name}`: mark it with `<!-- generated:{name} -->` ... `<!-- /generated -->`")]
    NoRegion { file: String, name: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{what}: {message}")]
    Run { what: String, message: String },
}

impl DocsError {
    pub(crate) fn run(what: &str, e: impl std::fmt::Display) -> DocsError {
        DocsError::Run { what: what.to_string(), message: e.to_string() }
    }
}

fn open_marker(name: &str) -> String {
    format!("<!-- generated:{name} -->")
}

const CLOSE: &str = "<!-- /generated -->";

/// The text between the markers of region `name` (from the line after the
/// opening marker to the closing one), if the document has it.
pub fn region<'a>(doc: &'a str, name: &str) -> Option<&'a str> {
    let open = open_marker(name);
    let start = doc.find(&open)? + open.len();
    let start = start + doc[start..].find('\n')? + 1;
    let end = start + doc[start..].find(CLOSE)?;
    Some(&doc[start..end])
}

/// `doc` with region `name` replaced by `body` (which ends with a newline).
pub fn splice(doc: &str, name: &str, body: &str) -> Option<String> {
    let old = region(doc, name)?;
    let start = old.as_ptr() as usize - doc.as_ptr() as usize;
    Some(format!("{}{body}{}", &doc[..start], &doc[start + old.len()..]))
}

/// The request `stpsim` makes with no command (the main job): baseline and
/// history on England over the default posterior, 200 replicates, seed
/// 2016. Its numbers do not depend on the folder, which is `out` here.
pub fn main_job(out: &Path) -> Result<Job, DocsError> {
    let common = crate::api::Common { out: Some(out.to_path_buf()), force: false, ..Default::default() };
    RunRequest { common, ..Default::default() }.resolve().map_err(|e| DocsError::run("the main job", e))
}

/// The Quick start block: what `cargo run --release` prints on standard
/// output but its last line (the files written, the folder and the seconds taken).
pub fn quickstart(job: &Job, results: &Results) -> String {
    format!("```text\n{}```\n", job.printed(results))
}

/// Social care's priority, the question the tool exists for, in words: the
/// second scenario's paired difference from the first and whether its
/// interval spans 0.
pub fn verdict_words(results: &Results) -> String {
    use crate::results::summary::{describe, paired};
    let m = crate::model::Metric::SocialCarePriority;
    let (Some(base), Some(other)) = (results.scenarios.first(), results.scenarios.get(1)) else { return String::new() };
    let Some(&last) = base.quarters.last() else { return String::new() };
    let (_, _, d) = describe(&mut paired(&base.at(last, m), &other.at(last, m)));
    let verdict = if d[0] <= 0.0 && d[4] >= 0.0 {
        "the interval spans 0: no detectable effect"
    } else if d[0] > 0.0 {
        "the interval lies above 0: a detectable rise"
    } else {
        "the interval lies below 0: a detectable fall"
    };
    // A difference, in the metric's difference unit (percentage points for a share).
    let [mid, lo, hi] = m.format().interval([d[2], d[0], d[4]]);
    format!(
        "For social care, the question stpsim exists for: `{}`'s paired difference from `{}` in `{}` at {last} \
         is {} [{}, {}]; {verdict}.\n",
        other.name,
        base.name,
        m.name(),
        mid,
        lo,
        hi
    )
}

/// The baseline in words: where its self-priority starts and ends, from the
/// main job's numbers (joint working from 2016Q4 is its one lever).
pub fn baseline_words(results: &Results) -> String {
    use crate::model::Metric;
    let Some(base) = results.scenarios.first() else { return String::new() };
    let median = |q: &str| {
        let q = crate::core::quarter::Quarter::parse(q).ok()?;
        let mut v = base.at(q, Metric::SelfPriorityShare);
        (!v.is_empty()).then(|| crate::results::summary::describe(&mut v).2[2] * 100.0)
    };
    let (Some(first), Some(last)) = (median("2016Q4"), base.quarters.last().and_then(|q| median(&q.to_string())))
    else {
        return String::new();
    };
    let end = base.quarters.last().map(|q| q.to_string()).unwrap_or_default();
    format!(
        "In `{}`, joint working from 2016Q4 is the one lever, and it moves the model: the median share of NHS \
         bodies putting their own organisation first is {first:.0}% in 2016Q4 (the HFMA survey found 62%) and \
         {last:.0}% by {end}.\n",
        base.name
    )
}

/// Every region generated from declarations and the main job (cheap:
/// what the drift test recomputes), by file and name.
pub fn text_regions(job: &Job, results: &Results) -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("README.md", "quickstart", quickstart(job, results)),
        ("README.md", "verdict", verdict_words(results)),
        ("README.md", "baseline", baseline_words(results)),
        ("README.md", "scenarios", scenarios_table()),
        ("README.md", "levers", levers_table()),
        ("README.md", "outputs", outputs_table()),
    ]
}

/// Whole files generated from declarations (cheap).
pub fn text_files() -> Vec<(&'static str, String)> {
    vec![("docs/levers.md", crate::model::levers::markdown()), ("docs/parameters.md", crate::core::params::markdown())]
}

fn read(path: &Path) -> Result<String, DocsError> {
    std::fs::read_to_string(path).map_err(|source| DocsError::Io { path: path.to_path_buf(), source })
}

fn write(path: &Path, text: &[u8]) -> Result<(), DocsError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| DocsError::Io { path: dir.to_path_buf(), source })?;
    }
    std::fs::write(path, text).map_err(|source| DocsError::Io { path: path.to_path_buf(), source })
}

/// Each region and whole file under `root` that differs from what the
/// generator writes, as `FILE: what` (empty when all match).
pub fn check_text(root: &Path, regions: &[(&str, &str, String)], files: &[(&str, String)]) -> Vec<String> {
    let mut stale = Vec::new();
    for (file, name, body) in regions {
        let doc = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        match region(&doc, name) {
            Some(now) if now == body => {}
            Some(now) => {
                stale.push(format!("{file}: region `{name}` differs:\n--- committed\n{now}--- generated\n{body}"))
            }
            None => stale.push(format!("{file}: no region `{name}`")),
        }
    }
    for (file, text) in files {
        if std::fs::read_to_string(root.join(file)).unwrap_or_default() != *text {
            stale.push(format!("{file} differs from what the generator writes"));
        }
    }
    stale
}

/// Writes regions into their files under `root`.
fn splice_all(root: &Path, regions: &[(&str, &str, String)]) -> Result<(), DocsError> {
    for (file, name, body) in regions {
        let path = root.join(file);
        let doc = read(&path)?;
        let new = splice(&doc, name, body)
            .ok_or_else(|| DocsError::NoRegion { file: file.to_string(), name: name.to_string() })?;
        write(&path, new.as_bytes())?;
    }
    Ok(())
}

/// What [`generate`] does: everything, or only what is cheap (no sweep,
/// sensitivity, decision or scenario library run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Quick,
}

/// Writes every generated file under `root` (the repository), using `work`
/// (an empty folder it may fill) for the runs; `say` hears progress. The
/// same code and seeds give the same text and chart numbers every time.
pub fn generate(root: &Path, work: &Path, scope: Scope, say: &dyn Fn(&str)) -> Result<(), DocsError> {
    say("the main job (baseline and history, England posterior, 200 replicates, seed 2016)");
    let run_dir = work.join("main");
    let job = main_job(&run_dir)?;
    let results = job.run();
    splice_all(root, &text_regions(&job, &results))?;
    for (file, text) in text_files() {
        write(&root.join(file), text.as_bytes())?;
    }
    images::write_main_job(root, &job, &results)?;
    if scope == Scope::Quick {
        return Ok(());
    }
    say("docs/scenarios.md (every library scenario, 200 replicates, seed 2016)");
    let names = crate::scenario::builtin::names();
    let scenarios = names
        .iter()
        .map(|n| crate::scenario::load(n))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DocsError::run("the library", e))?;
    let opts =
        crate::runner::RunOptions { replicates: SCENARIOS_REPLICATES, seed: SCENARIOS_SEED, footprint_replicates: 0 };
    let library = crate::runner::run(&scenarios, &opts);
    let md = crate::report::scenarios_markdown(&library, &scenarios, SCENARIOS_REPLICATES, SCENARIOS_SEED);
    write(&root.join("docs/scenarios.md"), md.as_bytes())?;
    say("docs/calibration.md's fit charts (baseline and history, England posterior, 1,000 replicates)");
    images::write_fit_charts(root, work)?;
    for image in IMAGES.iter().filter(|i| !matches!(i.source, Source::MainJob)) {
        say(&format!("{} ({})", image.file, image.source.words()));
        if let Some(answer) = images::write_image(root, work, image)? {
            splice_all(root, &[("README.md", "decide", answer)])?;
        }
    }
    Ok(())
}

/// The replicates and seed of docs/scenarios.md (as `stpsim scenarios --markdown`).
pub const SCENARIOS_REPLICATES: u32 = 200;
pub const SCENARIOS_SEED: u64 = 2016;
