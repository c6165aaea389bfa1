//! Running a decision plan: every option in every world on the world's own
//! random streams (common random numbers across options), one part file per
//! world written atomically as it finishes, so a run killed at any moment
//! keeps every finished world and `--resume` repeats none. A whole run, a
//! resumed run and a merge of shards all end in [`finish`], which reads the
//! parts in world order and writes the same files.

use super::analysis;
use super::plan::{Outcome, Plan, Source, World};
use crate::core::quarter::Quarter;
use crate::model::metrics::N_METRICS;
use crate::model::rng::{Keys, key};
use crate::results::folder::{PARTS, Staging};
use crate::results::write::atomic;
use crate::runner::{footprint_runs, simulate_with};
use crate::structure::Structure;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// What `finish` needs, kept in the output folder so shards merge without the plan.
pub const FRAME_FILE: &str = "decide.json";
/// The data files `finish` writes, in the manifest's order.
pub const DATA_FILES: [&str; 6] =
    ["worlds.csv", "decide.csv", "robustness.csv", "discovery.csv", "boxes.csv", "value_of_information.csv"];
pub const MANIFEST: &str = "manifest.json";
/// decide.csv's rows as typed Parquet columns (`--parquet`, `parquet = true`).
pub const PARQUET: &str = "decide.parquet";

/// Whether `name` is one of the files `finish` writes and checksums.
pub fn is_result_file(name: &str) -> bool {
    DATA_FILES.contains(&name) || name == PARQUET || name == crate::results::xlsx::FILE
}

/// What a decision's manifest.json says of its bytes.
const MANIFEST_NOTE: &str =
    "No times or thread counts are recorded, so a resumed, sharded or re-threaded run writes the same bytes.";

/// A decision's manifest.json: what was decided, and each file's checksum
/// (`plot` and `merge` read it back to refuse a mixed folder). Its keys are
/// written in name order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub file_sha256: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub note: String,
    pub options: Vec<String>,
    pub plan: String,
    pub plan_sha256: String,
    pub posterior: Option<PosteriorInfo>,
    pub reference: String,
    pub replicates: u32,
    pub seed: u64,
    pub stpsim_version: String,
    pub worlds: usize,
}

/// Key part naming a world's random streams.
const WORLD_STREAM: u64 = 0x0057_4f52_4c44;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{}: {reason}", path.display())]
    Io { path: PathBuf, reason: std::io::Error },
    #[error("{0}")]
    Mismatch(String),
    #[error("{0}")]
    Incomplete(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RunError + '_ {
    move |reason| RunError::Io { path: path.to_path_buf(), reason }
}

/// A varied input of the worlds, with its range over them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub name: String,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PosteriorInfo {
    pub name: String,
    pub sha256: String,
    pub draws: usize,
}

/// The plan as `finish`, `merge` and `plot` need it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub stpsim_version: String,
    pub plan_sha256: String,
    pub plan: String,
    /// Option names; the first is the reference.
    pub options: Vec<String>,
    pub descriptions: Vec<String>,
    pub outcomes: Vec<Outcome>,
    pub inputs: Vec<Input>,
    pub posterior: Option<PosteriorInfo>,
    pub replicates: u32,
    pub seed: u64,
    /// Structures the options run on (for the report's caveats).
    pub structures: Vec<String>,
    pub worlds: Vec<World>,
    /// decide.parquet asked for; not part of the plan's fingerprint.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub parquet: bool,
}

impl Frame {
    pub fn of(plan: &Plan) -> Frame {
        let file = Path::new(&plan.file).file_name().map_or(plan.file.clone(), |f| f.to_string_lossy().into_owned());
        let mut f = Frame {
            stpsim_version: env!("CARGO_PKG_VERSION").to_string(),
            plan_sha256: String::new(),
            plan: file,
            options: plan.options.iter().map(|s| s.name.clone()).collect(),
            descriptions: plan.options.iter().map(|s| s.description.clone()).collect(),
            outcomes: plan.outcomes.clone(),
            inputs: plan.inputs.iter().map(|(n, s)| Input { name: n.clone(), source: *s }).collect(),
            posterior: plan.posterior.as_ref().map(|p| PosteriorInfo {
                name: plan.posterior_name.clone(),
                sha256: p.sha256.clone(),
                draws: p.draws.len(),
            }),
            replicates: plan.replicates,
            seed: plan.seed,
            structures: plan
                .options
                .iter()
                .map(|s| match &s.structure {
                    crate::scenario::StructureSpec::England => "england".to_string(),
                    crate::scenario::StructureSpec::Synthetic { footprints } => {
                        format!("synthetic ({footprints} footprints)")
                    }
                    crate::scenario::StructureSpec::File { organisations, .. } => {
                        format!("file ({} organisations)", organisations.len())
                    }
                })
                .collect(),
            worlds: plan.worlds.clone(),
            parquet: plan.parquet,
        };
        // Everything that decides the results, option files by content, not path.
        let mut options = serde_json::to_value(&plan.options).unwrap_or_default();
        if let Some(list) = options.as_array_mut() {
            for o in list {
                if let Some(o) = o.as_object_mut() {
                    o.remove("source");
                    if let Some(st) = o.get_mut("structure").and_then(|s| s.as_object_mut()) {
                        st.remove("path");
                    }
                }
            }
        }
        let mut body = serde_json::to_value(&f).unwrap_or_default();
        if let Some(b) = body.as_object_mut() {
            b.remove("plan");
            b.remove("parquet");
        }
        let uncertainties = serde_json::to_value(&plan.uncertainties).unwrap_or_default();
        f.plan_sha256 =
            crate::results::manifest::sha256(&serde_json::json!([body, options, uncertainties]).to_string());
        f
    }

    pub fn load(dir: &Path) -> Result<Frame, RunError> {
        let path = dir.join(FRAME_FILE);
        let text = crate::fsx::read_text(&path, 64 << 20).map_err(io(&path))?;
        let frame: Frame = serde_json::from_str(&text)
            .map_err(|e| RunError::Mismatch(format!("{}: not a decision's {FRAME_FILE}: {e}", path.display())))?;
        frame
            .check()
            .map_err(|e| RunError::Mismatch(format!("{}: not a decision's {FRAME_FILE}: {e}", path.display())))?;
        Ok(frame)
    }

    /// Names read back become column values and chart file names: hold them
    /// to the rules a plan obeys.
    fn check(&self) -> Result<(), String> {
        use crate::scenario::error::shorten;
        if self.options.len() < 2 || self.options.iter().any(|o| !crate::scenario::is_valid_name(o)) {
            return Err("options are not scenario names".into());
        }
        for i in &self.inputs {
            let ok = !i.name.is_empty()
                && i.name.len() <= 100
                && i.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
            if !ok {
                return Err(format!("input \"{}\" is not a parameter or lever.KIND.FIELD", shorten(&i.name, 60)));
            }
        }
        for o in &self.outcomes {
            if o.label.contains([',', '"', '\n']) || o.quarters.iter().any(|q| Quarter::parse(q).is_err()) {
                return Err(format!("outcome \"{}\" is not metric@quarter", shorten(&o.label, 60)));
            }
            if crate::model::Metric::parse(&o.metric).is_none() {
                return Err(format!("outcome metric \"{}\" is not a metric", shorten(&o.metric, 60)));
            }
        }
        if self.outcomes.is_empty() || self.worlds.is_empty() || self.worlds.len() > super::plan::MAX_WORLDS {
            return Err("no outcomes, or no worlds, or too many".into());
        }
        if self.worlds.iter().any(|w| w.values.len() != self.inputs.len()) {
            return Err("a world's values do not match its inputs".into());
        }
        Ok(())
    }
}

pub fn part_name(w: usize) -> String {
    format!("world-{w:08}.csv")
}

/// Parts are kept as a sweep keeps its points (`experiment::sweep`).
pub use crate::experiment::sweep::in_shard;
use crate::experiment::sweep::{SweepError, check_resumable, gather_parts, is_part, locate_parts};

fn from_sweep(e: SweepError) -> RunError {
    match e {
        SweepError::Io { path, reason } => RunError::Io { path, reason },
        SweepError::Mismatch(m) => RunError::Mismatch(m),
        SweepError::Incomplete(m) => RunError::Incomplete(m),
    }
}

/// The rows of world `w`: `world,option,outcome,value`, each value the mean
/// over the world's replicates. Every option runs on the same keys.
pub fn world_rows(plan: &Plan, structures: &[Structure], w: usize, fp_runs: usize) -> String {
    let world_seed = key(&[plan.seed, WORLD_STREAM, w as u64]);
    let mut out = String::new();
    for (o, option) in plan.options.iter().enumerate() {
        let s = plan.scenario(o, w);
        let params = plan.params(option, w);
        let at: Vec<(usize, Vec<usize>)> = plan
            .outcomes
            .iter()
            .map(|oc| {
                let metric = crate::model::Metric::parse(&oc.metric).map_or(0, |m| m as usize);
                let idx = oc
                    .quarters
                    .iter()
                    .filter_map(|q| Quarter::parse(q).ok())
                    .map(|q| (s.start.span_to(q) - 1) * N_METRICS + metric)
                    .collect();
                (metric, idx)
            })
            .collect();
        let mut sums = vec![0.0; at.len()];
        for r in 0..plan.replicates as u64 {
            let (e, _) =
                simulate_with(&s, &params, &structures[o], &Keys { seed: world_seed, replicate: r }, false, fp_runs);
            for (k, (_, idx)) in at.iter().enumerate() {
                sums[k] += idx.iter().map(|&i| e[i]).sum::<f64>() / idx.len() as f64;
            }
        }
        for (oc, sum) in plan.outcomes.iter().zip(sums) {
            out += &format!("{w},{},{},{}\n", option.name, oc.label, sum / plan.replicates as f64);
        }
    }
    out
}

/// Runs the plan's worlds (a shard's share, if given) into `out`, skipping
/// worlds already there when resuming; then, unless a shard, finishes.
/// Call it holding the folder's lock ([`crate::results::folder::claim`]).
pub fn run(
    plan: &Plan,
    out: &Path,
    resume: bool,
    shard: Option<(usize, usize)>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Option<Frame>, RunError> {
    let parts = out.join(PARTS);
    crate::fsx::real_dir(&parts).map_err(io(&parts))?;
    let frame = Frame::of(plan);
    let frame_path = out.join(FRAME_FILE);
    if frame_path.exists() {
        let old = Frame::load(out)?;
        check_resumable(out, old.plan_sha256 == frame.plan_sha256, resume, "decision").map_err(RunError::Mismatch)?;
    } else {
        let json = serde_json::to_string_pretty(&frame).unwrap_or_default() + "\n";
        atomic(out, FRAME_FILE, |w| w.write_all(json.as_bytes())).map_err(io(&frame_path))?;
    }
    let structures: Vec<Structure> = plan.options.iter().map(|s| s.build_structure(plan.seed)).collect();
    let pending: Vec<usize> =
        (0..plan.worlds.len()).filter(|&w| in_shard(w, shard) && !is_part(&parts.join(part_name(w)))).collect();
    let total = pending.len();
    let done = AtomicUsize::new(0);
    progress(0, total);
    let fp_runs = footprint_runs(total * plan.options.len() * plan.replicates as usize);
    pending.par_iter().try_for_each(|&w| {
        let rows = world_rows(plan, &structures, w, fp_runs);
        let name = part_name(w);
        atomic(&parts, &name, |f| f.write_all(rows.as_bytes())).map_err(io(&parts.join(&name)))?;
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        Ok::<(), RunError>(())
    })?;
    if shard.is_some() {
        return Ok(None);
    }
    finish_with(&[out.to_path_buf()], out, plan.parquet).map(Some)
}

/// Reads every world's part from `dirs` into `values[outcome][option][world]`,
/// and decide.csv's text.
/// Outcome values by `[outcome][option][world]`.
pub type Matrix = Vec<Vec<Vec<f64>>>;

fn gather(frame: &Frame, dirs: &[PathBuf]) -> Result<(Matrix, String), RunError> {
    let n = frame.worlds.len();
    let located = locate_parts(dirs, n, part_name, ("worlds", "worlds", "decision")).map_err(RunError::Incomplete)?;
    let mut values = vec![vec![vec![f64::NAN; n]; frame.options.len()]; frame.outcomes.len()];
    let mut text = String::from("world,option,outcome,value\n");
    for w in 0..n {
        let path = &located[w];
        let part = crate::fsx::read_text(path, 1 << 30).map_err(io(path))?;
        for line in part.lines() {
            let bad = || RunError::Mismatch(format!("{}: malformed row `{line}`", path.display()));
            let f: Vec<&str> = line.split(',').collect();
            if f.len() != 4 || f[0] != w.to_string() {
                return Err(bad());
            }
            let o = frame.options.iter().position(|x| x == f[1]).ok_or_else(bad)?;
            let k = frame.outcomes.iter().position(|x| x.label == f[2]).ok_or_else(bad)?;
            values[k][o][w] = f[3].parse::<f64>().map_err(|_| bad())?;
            text += line;
            text.push('\n');
        }
    }
    if values.iter().flatten().flatten().any(|v| v.is_nan()) {
        return Err(RunError::Incomplete("a world's part lacks an option or outcome: run again with --resume".into()));
    }
    Ok((values, text))
}

/// Writes every result file into `out` from the parts in `dirs`, staged and
/// moved into place together, manifest.json last.
pub fn finish(dirs: &[PathBuf], out: &Path) -> Result<Frame, RunError> {
    finish_with(dirs, out, false)
}

/// As [`finish`], writing decide.parquet too when `parquet` or the frame
/// asks for it.
pub fn finish_with(dirs: &[PathBuf], out: &Path, parquet: bool) -> Result<Frame, RunError> {
    let Some(first) = dirs.first() else {
        return Err(RunError::Incomplete("no folders to merge".into()));
    };
    let mut frame = Frame::load(first)?;
    frame.parquet |= parquet;
    for d in &dirs[1..] {
        if Frame::load(d)?.plan_sha256 != frame.plan_sha256 {
            return Err(RunError::Mismatch(format!("{} and {} hold different plans", first.display(), d.display())));
        }
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    let (values, decide_csv) = gather(&frame, dirs)?;
    let a = analysis::analyse(&frame, &values);
    let mut stage = Staging::new(out).map_err(io(out))?;
    let put = |stage: &mut Staging, name: &str, body: &[u8]| {
        stage.write(name, |w| w.write_all(body)).map(drop).map_err(io(&out.join(name)))
    };
    put(&mut stage, "worlds.csv", analysis::worlds_csv(&frame).as_bytes())?;
    put(&mut stage, "decide.csv", decide_csv.as_bytes())?;
    put(&mut stage, "robustness.csv", analysis::robustness_csv(&frame, &a).as_bytes())?;
    put(&mut stage, "discovery.csv", analysis::discovery_csv(&frame, &a).as_bytes())?;
    put(&mut stage, "boxes.csv", analysis::boxes_csv(&frame, &a).as_bytes())?;
    put(&mut stage, "value_of_information.csv", analysis::voi_csv(&frame, &a).as_bytes())?;
    let mut files: Vec<&str> = DATA_FILES.to_vec();
    if frame.parquet {
        crate::results::parquet::stage_from_csv(&mut stage, "decide.csv", PARQUET, &|c| match c {
            "world" => crate::results::parquet::Column::Int,
            "value" => crate::results::parquet::Column::Float,
            _ => crate::results::parquet::Column::Text,
        })
        .map_err(io(&out.join(PARQUET)))?;
        files.push(PARQUET);
    }
    let xlsx = crate::results::xlsx::FILE;
    crate::results::xlsx::stage_decide(&mut stage, &frame).map_err(io(&out.join(xlsx)))?;
    files.push(xlsx);
    let json = serde_json::to_string_pretty(&frame).unwrap_or_default() + "\n";
    put(&mut stage, FRAME_FILE, json.as_bytes())?;
    let manifest = Manifest {
        command: "decide".into(),
        file_sha256: stage.checksums().clone(),
        files: files.iter().chain([&FRAME_FILE, &MANIFEST]).map(|f| f.to_string()).collect(),
        note: MANIFEST_NOTE.into(),
        options: frame.options.clone(),
        plan: frame.plan.clone(),
        plan_sha256: frame.plan_sha256.clone(),
        posterior: frame.posterior.clone(),
        reference: frame.options[0].clone(),
        replicates: frame.replicates,
        seed: frame.seed,
        stpsim_version: frame.stpsim_version.clone(),
        worlds: frame.worlds.len(),
    };
    // Through a JSON value, whose keys (nested ones too) come out sorted, as
    // this file has always had them.
    let text =
        serde_json::to_value(&manifest).and_then(|v| serde_json::to_string_pretty(&v)).unwrap_or_default() + "\n";
    put(&mut stage, MANIFEST, text.as_bytes())?;
    stage.commit(MANIFEST, is_result_file).map_err(|e| RunError::Io { path: e.path, reason: e.source })?;
    Ok(frame)
}

/// Combines shard folders into `out`, writing exactly what one run writes,
/// and gathers their parts so the merged folder can be merged or resumed.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Frame, RunError> {
    let parts = out.join(PARTS);
    crate::fsx::real_dir(&parts).map_err(io(&parts))?;
    let frame = finish(dirs, out)?;
    gather_parts(dirs, out, frame.worlds.len(), part_name).map_err(from_sweep)?;
    Ok(frame)
}

/// Whether a folder holds a decision (for `merge` and `plot`).
pub fn is_decision(dir: &Path) -> bool {
    dir.join(FRAME_FILE).is_file()
}
