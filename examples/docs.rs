//! Regenerates every generated part of the README and docs/ from the code:
//! the main job's printed block, the levers, outputs and scenario tables,
//! docs/levers.md, docs/parameters.md, docs/scenarios.md, the charts under
//! docs/images/ and the numbers each plots (docs/images/data/), and the
//! decision plan's answer. Run from the repository:
//!
//!     cargo run --release --example docs            # everything (a few minutes on 2 cores)
//!     cargo run --release --example docs -- --quick # the main job and the tables only
//!
//! Fixed seeds: running it twice writes the same text and chart numbers.

use std::path::Path;

fn main() -> anyhow::Result<()> {
    let quick = std::env::args().skip(1).any(|a| a == "--quick");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = std::env::temp_dir().join(format!("stpsim-docs-{}", std::process::id()));
    let scope = if quick { stpsim::docs::Scope::Quick } else { stpsim::docs::Scope::All };
    let clock = std::time::Instant::now();
    let done = stpsim::docs::generate(root, &work, scope, &|what| {
        eprintln!("[{:>5.1}s] {what}", clock.elapsed().as_secs_f64())
    });
    // The runs' folders are scratch, whatever happened.
    let _ = std::fs::remove_dir_all(&work);
    done?;
    eprintln!("[{:>5.1}s] done: README.md, docs/*.md and docs/images/ regenerated", clock.elapsed().as_secs_f64());
    Ok(())
}
