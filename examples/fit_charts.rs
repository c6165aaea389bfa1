//! The fit charts of docs/calibration.md: baseline and history run over the
//! built-in England posterior, and each calibration target drawn over its
//! posterior predictive fan (`stpsim::plot::fit`, the charts a run's
//! report.html shows), written as PNG.
//!
//!     cargo run --release --example fit_charts [OUT] [REPLICATES]
//!
//! Defaults: docs/images, 1000 replicates (seed 2016).

use std::path::PathBuf;
use stpsim::job::{Provenance, RunRequest};

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(args.first().map_or("docs/images", String::as_str));
    let replicates: u32 = args.get(1).map_or(Ok(1000), |s| s.parse())?;
    let request = RunRequest {
        scenarios: vec!["baseline".into(), "history".into()],
        common: stpsim::api::Common { replicates: Some(replicates), ..Default::default() },
        ..Default::default()
    };
    let job = request.resolve()?;
    let started = std::time::SystemTime::now();
    let results = job.run();
    let made = Provenance {
        command: vec!["cargo".into(), "run".into(), "--example".into(), "fit_charts".into()],
        started,
        wall_seconds: 0.0,
    };
    let manifest = stpsim::job::manifest_text(&job, &made)?;
    let data = stpsim::plot::RunData::from_results(&results, &job.scenarios, job.options.seed, Some(&manifest))?;
    let charts = stpsim::plot::fit::render(&data)?;
    let tmp = tempfile::tempdir()?;
    stpsim::plot::write_charts(tmp.path(), &charts)?;
    std::fs::create_dir_all(&out)?;
    for c in &charts {
        let name = format!("{}.png", c.stem);
        std::fs::copy(tmp.path().join(&name), out.join(&name))?;
        println!("{}", out.join(&name).display());
    }
    Ok(())
}
