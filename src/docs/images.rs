//! The README's charts: each drawn by the command a reader would run, at
//! that command's own sizes, copied into `docs/images/`, with the numbers it
//! plots copied into `docs/images/data/` (what the drift test compares: the
//! numbers, not the pixels).

use super::{DocsError, IMAGE_DATA, write};
use crate::api::run::{Job, Provenance};
use crate::results::Results;
use std::path::Path;

/// What draws an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `stpsim` (the main job): baseline and history.
    MainJob,
    /// `stpsim sweep PLAN` (or `stpsim sensitivity PLAN`).
    Sweep { plan: &'static str, sensitivity: bool },
    /// `stpsim decide PLAN`.
    Decide { plan: &'static str },
}

impl Source {
    /// The command, in words.
    pub fn words(&self) -> String {
        match self {
            Source::MainJob => "stpsim".to_string(),
            Source::Sweep { plan, sensitivity } => {
                format!("stpsim {} {plan}", if *sensitivity { "sensitivity" } else { "sweep" })
            }
            Source::Decide { plan } => format!("stpsim decide {plan}"),
        }
    }
}

/// One chart of the README.
#[derive(Clone, Copy, Debug)]
pub struct Image {
    /// Its stem: the chart's file in the run's folder and in docs/images/.
    pub stem: &'static str,
    pub file: &'static str,
    /// The chart's file in the folder the command writes.
    pub chart: &'static str,
    pub source: Source,
    /// The file of the run's folder holding the numbers the chart plots.
    pub data: &'static str,
}

/// Every generated image under docs/images/.
pub const IMAGES: &[Image] = &[
    Image {
        stem: "fan_self_priority_share",
        file: "docs/images/fan_self_priority_share.png",
        chart: "fan_self_priority_share.png",
        source: Source::MainJob,
        data: "data/fan_self_priority_share.csv",
    },
    Image {
        stem: "comparison",
        file: "docs/images/comparison.png",
        chart: "comparison.png",
        source: Source::MainJob,
        data: "data/comparison.csv",
    },
    Image {
        stem: "sweep_heatmap_social_care_priority",
        file: "docs/images/sweep_heatmap_social_care_priority.png",
        chart: "sweep_heatmap_social_care_priority_2021Q1.png",
        source: Source::Sweep { plan: "scenarios/sweeps/leads-by-seats.toml", sensitivity: false },
        data: "sweep_summary.csv",
    },
    Image {
        stem: "sensitivity_transformation_index",
        file: "docs/images/sensitivity_transformation_index.png",
        chart: "sensitivity_transformation_index_2021Q1.png",
        source: Source::Sweep { plan: "scenarios/sweeps/sobol-levers.toml", sensitivity: true },
        data: "sensitivity.csv",
    },
    Image {
        stem: "decide_best_by_inputs",
        file: "docs/images/decide_best_by_inputs.png",
        chart: "best_by_inputs.png",
        source: Source::Decide { plan: "scenarios/decisions/governance.toml" },
        data: "robustness.csv",
    },
];

impl Image {
    /// Where its numbers are committed.
    pub fn committed_data(&self) -> String {
        format!("{IMAGE_DATA}/{}.csv", self.stem)
    }
}

/// The numbers of the main job's images, by stem, computed in memory as the
/// run's `data/CHART.csv` files hold them.
pub fn main_job_data(job: &Job, results: &Results) -> Result<Vec<(&'static str, String)>, DocsError> {
    let made = Provenance { command: vec!["stpsim".into()], started: std::time::UNIX_EPOCH, wall_seconds: 0.0 };
    let manifest = crate::api::run::manifest_text(job, &made).map_err(|e| DocsError::run("the manifest", e))?;
    let data = crate::plot::RunData::from_results(results, &job.scenarios, job.options.seed, Some(&manifest))
        .map_err(|e| DocsError::run("the main job's charts", e))?;
    let tables = crate::plot::tables(&data);
    let mut out = Vec::new();
    for image in IMAGES.iter().filter(|i| i.source == Source::MainJob) {
        let t = tables
            .iter()
            .find(|t| t.stem == image.stem)
            .ok_or_else(|| DocsError::run(image.stem, "the run draws no such chart"))?;
        let mut csv = Vec::new();
        t.write_csv(&mut csv).map_err(|e| DocsError::run(image.stem, e))?;
        out.push((image.stem, String::from_utf8_lossy(&csv).into_owned()));
    }
    Ok(out)
}

fn copy(from: &Path, to: &Path) -> Result<(), DocsError> {
    let bytes = std::fs::read(from).map_err(|source| DocsError::Io { path: from.to_path_buf(), source })?;
    write(to, &bytes)
}

/// Writes the main job's files and charts into its folder, and copies its
/// images and their numbers into docs/.
pub(super) fn write_main_job(root: &Path, job: &Job, results: &Results) -> Result<(), DocsError> {
    let _lock = job.claim().map_err(|e| DocsError::run("the main job's folder", e))?;
    let made = Provenance { command: vec!["stpsim".into()], started: std::time::SystemTime::now(), wall_seconds: 0.0 };
    job.write(results, &made).map_err(|e| DocsError::run("the main job's files", e))?;
    for image in IMAGES.iter().filter(|i| i.source == Source::MainJob) {
        copy(&job.out.join(image.chart), &root.join(image.file))?;
        copy(&job.out.join(image.data), &root.join(image.committed_data()))?;
    }
    Ok(())
}

/// Runs a sweep's plan (under `root`) into `dir` with its charts; returns
/// the text of `data`, the file its chart plots.
pub fn sweep_data(root: &Path, dir: &Path, plan: &str, sensitivity: bool, data: &str) -> Result<String, DocsError> {
    let request = crate::api::sweep::SweepRequest {
        plan: root.join(plan),
        sensitivity,
        common: crate::api::Common { out: Some(dir.to_path_buf()), ..Default::default() },
        ..Default::default()
    };
    let job = request.resolve().map_err(|e| DocsError::run(plan, e))?;
    let _lock = job.claim().map_err(|e| DocsError::run(plan, e))?;
    job.run(&crate::api::Silent).map_err(|e| DocsError::run(plan, e))?;
    job.write().map_err(|e| DocsError::run(plan, e))?;
    let path = dir.join(data);
    std::fs::read_to_string(&path).map_err(|source| DocsError::Io { path, source })
}

/// Runs a decision plan (under `root`) into `dir` with its charts; returns
/// the text of `data`, a file its chart reads, and the answer `stpsim
/// decide` prints, as the README's `decide` region.
pub fn decide_data(root: &Path, dir: &Path, plan: &str, data: &str) -> Result<(String, String), DocsError> {
    let request = crate::api::decide::DecideRequest {
        plan: root.join(plan),
        resume: false,
        shard: None,
        parquet: false,
        common: crate::api::Common { out: Some(dir.to_path_buf()), ..Default::default() },
    };
    let job = request.resolve().map_err(|e| DocsError::run(plan, e))?;
    let _lock = job.claim().map_err(|e| DocsError::run(plan, e))?;
    let frame = job
        .run(&crate::api::Silent)
        .map_err(|e| DocsError::run(plan, e))?
        .ok_or_else(|| DocsError::run(plan, "a whole decision, not a shard"))?;
    job.write().map_err(|e| DocsError::run(plan, e))?;
    let answer = job.answer(&frame).map_err(|e| DocsError::run(plan, e))?;
    let path = dir.join(data);
    let text = std::fs::read_to_string(&path).map_err(|source| DocsError::Io { path, source })?;
    Ok((text, format!("```text\n{answer}\n```\n")))
}

/// Runs what draws `image` into a folder under `work` and copies the image
/// and its numbers into docs/; a decision also returns its answer, as the
/// README's `decide` region.
pub(super) fn write_image(root: &Path, work: &Path, image: &Image) -> Result<Option<String>, DocsError> {
    let dir = work.join(image.stem);
    let answer = match image.source {
        Source::MainJob => return Ok(None),
        Source::Sweep { plan, sensitivity } => {
            sweep_data(root, &dir, plan, sensitivity, image.data)?;
            None
        }
        Source::Decide { plan } => Some(decide_data(root, &dir, plan, image.data)?.1),
    };
    copy(&dir.join(image.chart), &root.join(image.file))?;
    copy(&dir.join(image.data), &root.join(image.committed_data()))?;
    Ok(answer)
}

/// The replicates of docs/calibration.md's fit charts (baseline and history
/// over the built-in England posterior, seed 2016).
pub const FIT_REPLICATES: u32 = 1000;

/// docs/calibration.md's fit charts: each calibration target over its
/// posterior predictive fan (`plot::fit`, as a run's report shows them),
/// written as `docs/images/fit_*.png` with their numbers in
/// `docs/images/data/fit_*.csv`.
pub(super) fn write_fit_charts(root: &Path, work: &Path) -> Result<usize, DocsError> {
    let request = crate::api::run::RunRequest {
        scenarios: vec!["baseline".into(), "history".into()],
        common: crate::api::Common {
            replicates: Some(FIT_REPLICATES),
            out: Some(work.join("fit")),
            ..Default::default()
        },
        ..Default::default()
    };
    let job = request.resolve().map_err(|e| DocsError::run("the fit charts' run", e))?;
    let results = job.run();
    let made = Provenance { command: vec!["stpsim".into()], started: std::time::UNIX_EPOCH, wall_seconds: 0.0 };
    let manifest = crate::api::run::manifest_text(&job, &made).map_err(|e| DocsError::run("the manifest", e))?;
    let data = crate::plot::RunData::from_results(&results, &job.scenarios, job.options.seed, Some(&manifest))
        .map_err(|e| DocsError::run("the fit charts", e))?;
    let charts = crate::plot::fit::render(&data).map_err(|e| DocsError::run("the fit charts", e))?;
    let tmp = work.join("fit-charts");
    std::fs::create_dir_all(&tmp).map_err(|e| DocsError::run("a scratch folder", e))?;
    crate::plot::write_charts(&tmp, &charts).map_err(|e| DocsError::run("the fit charts", e))?;
    for c in &charts {
        let name = format!("{}.png", c.stem);
        copy(&tmp.join(&name), &root.join("docs/images").join(&name))?;
    }
    for t in crate::plot::fit::tables(&data) {
        let mut csv = Vec::new();
        t.write_csv(&mut csv).map_err(|e| DocsError::run("a fit chart's numbers", e))?;
        write(&root.join(IMAGE_DATA).join(format!("{}.csv", t.stem)), &csv)?;
    }
    Ok(charts.len())
}
