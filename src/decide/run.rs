//! Running a decision plan: every option in every world on the world's own
//! random streams (common random numbers across options), one part file per
//! world written atomically as it finishes, so a run killed at any moment
//! keeps every finished world and `--resume` repeats none. A whole run, a
//! resumed run and a merge of shards all end in [`finish`], which reads the
//! parts in world order and writes the same files.

use super::analysis;
pub use super::frame::{
    DATA_FILES, FRAME_FILE, Frame, Input, MANIFEST, Manifest, PARQUET, PosteriorInfo, RunError, is_result_file,
};
use super::frame::{MANIFEST_NOTE, io};
use super::plan::Plan;
use crate::core::quarter::Quarter;
use crate::model::metrics::N_METRICS;
use crate::model::rng::{Keys, key};
use crate::results::folder::{PARTS, Staging};
use crate::results::write::atomic;
use crate::runner::{footprint_runs, simulate_with};
use crate::structure::Structure;
use rayon::prelude::*;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Key part naming a world's random streams.
const WORLD_STREAM: u64 = 0x0057_4f52_4c44;

pub fn part_name(w: usize) -> String {
    format!("world-{w:08}.csv")
}

/// Parts are kept as a sweep keeps its points (`experiment::sweep`).
pub use crate::experiment::sweep::in_shard;
use crate::experiment::sweep::{check_resumable, gather_parts, is_part, locate_parts};

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
    super::workbook::stage(&mut stage, &frame).map_err(io(&out.join(xlsx)))?;
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
    gather_parts(dirs, out, frame.worlds.len(), part_name)?;
    Ok(frame)
}

/// Whether a folder holds a decision (for `merge` and `plot`).
pub fn is_decision(dir: &Path) -> bool {
    dir.join(FRAME_FILE).is_file()
}
