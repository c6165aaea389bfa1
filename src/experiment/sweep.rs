//! Running a plan: each design point's rows go to their own part file,
//! written atomically as the point finishes, so a run killed at any moment
//! keeps every finished point and `--resume` repeats none. A single run, a
//! resumed run and a merge of shards all end in `finish`, which streams the
//! parts in point order into the same files.

use super::plan::Plan;
use super::sensitivity;
use crate::model::metrics::N_METRICS;
use crate::model::rng::Keys;
use crate::results::folder::Staging;
use crate::results::summary::describe;
use crate::results::write::atomic;
use crate::runner::{footprint_runs, simulate_with};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use super::frame::{FRAME_FILE, Frame, PARTS, RESULT_FILES, SweepError};
use super::frame::{design_sha256, io};

/// Whether a folder holds any sweep part (a `point-*.csv` in `parts/`).
pub fn has_parts(out: &Path) -> bool {
    std::fs::read_dir(out.join(PARTS))
        .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with("point-")))
        .unwrap_or(false)
}

/// Checks one part's rows against the sweep's frame: every replicate's
/// outputs in order, for this point, with its factor values on every row
/// and finite numbers. Returns the point's values by output and its factor
/// values as written. `path` names the part in messages.
pub fn check_part(frame: &Frame, p: usize, text: &str, path: &Path) -> Result<(Vec<Vec<f64>>, String), String> {
    let nf = frame.factors.len();
    let nout = frame.outputs.len();
    let want = frame.replicates as usize * nout;
    let mut values = vec![Vec::with_capacity(frame.replicates as usize); nout];
    let mut factors: Option<&str> = None;
    let advice = "a part is written by stpsim whole; remove it and run the sweep with --resume to redo the point";
    let mut rows = 0;
    for (k, line) in text.lines().enumerate() {
        let at = |what: String| format!("{}:{}: {what}; {advice}", path.display(), k + 1);
        if k >= want {
            return Err(at(format!(
                "more rows than the {want} a point has ({} replicates x {nout} outputs)",
                frame.replicates
            )));
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != nf + 4 {
            return Err(at(format!("{} columns where a part has {}", fields.len(), nf + 4)));
        }
        let (r, o) = (k / nout, k % nout);
        if fields[0] != p.to_string() {
            return Err(at(format!(
                "the row is for point {}, in the part of point {p}",
                crate::core::text::shorten(fields[0], 20)
            )));
        }
        if fields[1] != r.to_string() {
            return Err(at(format!(
                "replicate {} where replicate {r} comes",
                crate::core::text::shorten(fields[1], 20)
            )));
        }
        let row_factors = line.splitn(3, ',').nth(2).and_then(|rest| rest.rsplitn(3, ',').nth(2)).unwrap_or("");
        match factors {
            None => {
                if fields[2..2 + nf].iter().any(|f| !f.parse::<f64>().is_ok_and(f64::is_finite)) {
                    return Err(at(format!(
                        "factor values \"{}\" are not numbers",
                        crate::core::text::shorten(row_factors, 60)
                    )));
                }
                factors = Some(row_factors);
            }
            Some(first) if first != row_factors => {
                return Err(at("factor values differ from the part's first row".into()));
            }
            Some(_) => {}
        }
        if fields[2 + nf] != frame.outputs[o] {
            return Err(at(format!(
                "output \"{}\" where {} comes",
                crate::core::text::shorten(fields[2 + nf], 60),
                frame.outputs[o]
            )));
        }
        let v = fields[3 + nf].parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
            at(format!("value \"{}\" is not a finite number", crate::core::text::shorten(fields[3 + nf], 30)))
        })?;
        values[o].push(v);
        rows += 1;
    }
    if rows != want {
        return Err(format!(
            "{}: {rows} rows where a point has {want} ({} replicates x {nout} outputs): the part was cut short; {advice}",
            path.display(),
            frame.replicates
        ));
    }
    Ok((values, factors.unwrap_or("").to_string()))
}

pub fn part_name(p: usize) -> String {
    format!("point-{p:08}.csv")
}

// Parts, shared with `decide` (one part per world): which a shard runs,
// whether a folder may take this job, where each part is, and gathering
// them into a merged folder.

/// Which points (or worlds) a shard runs: every n-th, starting at i (0-based).
pub fn in_shard(p: usize, shard: Option<(usize, usize)>) -> bool {
    shard.is_none_or(|(i, n)| p % n == i)
}

/// What a job's folder may already hold: another plan's job is refused, and
/// this plan's unless resuming. `what` names the job ("sweep", "decision").
pub fn check_resumable(out: &Path, same_plan: bool, resume: bool, what: &str) -> Result<(), String> {
    if !same_plan {
        return Err(format!(
            "{} holds a {what} of another plan (or another stpsim version); use another --out",
            out.display()
        ));
    }
    if !resume {
        return Err(format!(
            "{} already holds this {what}: add --resume to finish it, or use another --out",
            out.display()
        ));
    }
    Ok(())
}

/// Each of `n` parts' file among `dirs` (a real `parts/` folder's regular
/// file named by `name`), or which are missing, said as `things` (such as
/// "design points") of `what` ("sweep").
pub fn locate_parts(
    dirs: &[PathBuf],
    n: usize,
    name: impl Fn(usize) -> String,
    (things, short, what): (&str, &str, &str),
) -> Result<Vec<PathBuf>, String> {
    let dirs: Vec<PathBuf> = dirs.iter().map(|d| d.join(PARTS)).filter(|d| crate::fsx::is_real_dir(d)).collect();
    let found: Vec<Option<PathBuf>> =
        (0..n).map(|p| dirs.iter().map(|d| d.join(name(p))).find(|f| is_part(f))).collect();
    let missing: Vec<usize> = (0..n).filter(|&p| found[p].is_none()).collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(|p| p.to_string()).collect();
        return Err(format!(
            "{} of {n} {things} have no results yet ({short} {}{}): run the missing shards, or the {what} with --resume",
            missing.len(),
            shown.join(", "),
            if missing.len() > 10 { ", ..." } else { "" }
        ));
    }
    Ok(found.into_iter().flatten().collect())
}

/// Copies into `out`'s parts the `n` parts `dirs` hold and it lacks, so a
/// merged folder can itself be merged or resumed.
pub fn gather_parts(dirs: &[PathBuf], out: &Path, n: usize, name: impl Fn(usize) -> String) -> Result<(), SweepError> {
    let parts = out.join(PARTS);
    for p in 0..n {
        let dest = parts.join(name(p));
        if is_part(&dest) {
            continue;
        }
        if let Some(src) = dirs.iter().map(|d| d.join(PARTS).join(name(p))).find(|f| is_part(f)) {
            let bytes = crate::fsx::read_bounded(&src, 1 << 30).map_err(io(&src))?;
            atomic(&parts, &name(p), |w| w.write_all(&bytes)).map_err(io(&dest))?;
        }
    }
    Ok(())
}

/// The rows of one design point: `point,replicate,<factors>,metric,value`.
/// Each replicate steps its footprints in `fp_runs` parallel runs. Over a
/// posterior, replicate r takes the draw it takes in a run
/// (`Posterior::draw_for`), the same at every design point, with the
/// point's factors and the base's own parameters held.
pub fn point_rows(plan: &Plan, p: usize, fp_runs: usize) -> String {
    let s = plan.scenario(p);
    let structure = s.build_structure(plan.seed);
    let quarters = s.quarters();
    let at: Vec<usize> = plan
        .outputs
        .iter()
        .map(|o| quarters.iter().position(|q| *q == o.quarter).unwrap_or(0) * N_METRICS + o.metric as usize)
        .collect();
    let values: Vec<Vec<f64>> = (0..plan.replicates as u64)
        .into_par_iter()
        .map(|r| {
            let params = plan.replicate_params(&s, r);
            let (e, _) =
                simulate_with(&s, &params, &structure, &Keys { seed: plan.seed, replicate: r }, false, fp_runs);
            at.iter().map(|&k| e[k]).collect()
        })
        .collect();
    let factors: Vec<String> = plan.design_points[p].iter().map(|v| v.to_string()).collect();
    let factors = factors.join(",");
    let labels: Vec<String> = plan.outputs.iter().map(|o| o.label()).collect();
    let mut out = String::with_capacity(values.len() * labels.len() * 48);
    for (r, vs) in values.iter().enumerate() {
        for (label, v) in labels.iter().zip(vs) {
            out += &format!("{p},{r},{factors},{label},{v}\n");
        }
    }
    out
}

/// Runs the plan's points (a shard's share, if given) into `out`, skipping
/// points already there when resuming; then, unless a shard, finishes.
/// Call it holding the folder's lock ([`crate::results::folder::claim`]),
/// which also removes the temporary parts a killed run left.
pub fn run(
    plan: &Plan,
    out: &Path,
    resume: bool,
    shard: Option<(usize, usize)>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(), SweepError> {
    let parts = out.join(PARTS);
    let frame_path = out.join(FRAME_FILE);
    // Parts without a plan.json are another sweep's (or nobody's): never
    // taken as this plan's points.
    if !frame_path.exists() && has_parts(out) {
        return Err(SweepError::Mismatch(format!(
            "{} holds parts of an unknown sweep ({} has point files but there is no {FRAME_FILE}); \
             use another --out, or remove {} first",
            out.display(),
            parts.display(),
            parts.display()
        )));
    }
    crate::fsx::real_dir(&parts).map_err(io(&parts))?;
    let frame = Frame::of(plan);
    if frame_path.exists() {
        let old = Frame::load(out)?;
        check_resumable(out, old.plan_sha256 == frame.plan_sha256, resume, "sweep").map_err(SweepError::Mismatch)?;
    }
    // A resumed sweep keeps its plan.json (and the checksums of the files
    // a finished run left) until `finish` replaces the set.
    if !frame_path.exists() {
        let json = serde_json::to_string_pretty(&frame).unwrap_or_default() + "\n";
        atomic(out, FRAME_FILE, |w| w.write_all(json.as_bytes())).map_err(io(&frame_path))?;
    }
    let pending: Vec<usize> =
        (0..plan.design_points.len()).filter(|&p| in_shard(p, shard) && !is_part(&parts.join(part_name(p)))).collect();
    let total = pending.len();
    let done = AtomicUsize::new(0);
    progress(0, total);
    // Points and their replicates run in parallel; footprints too if they are fewer than threads.
    let fp_runs = footprint_runs(total * plan.replicates as usize);
    pending.par_iter().try_for_each(|&p| {
        let rows = point_rows(plan, p, fp_runs);
        let name = part_name(p);
        atomic(&parts, &name, |w| w.write_all(rows.as_bytes())).map_err(io(&parts.join(&name)))?;
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        Ok::<(), SweepError>(())
    })?;
    if shard.is_none() {
        finish_with(&[out.to_path_buf()], out, plan.parquet)?;
    }
    Ok(())
}

/// Writes sweep.csv, sweep_summary.csv and (for sobol and morris designs)
/// sensitivity.csv into `out` from the parts in `dirs`, one point at a time.
pub fn finish(dirs: &[PathBuf], out: &Path) -> Result<Frame, SweepError> {
    finish_with(dirs, out, false)
}

/// As [`finish`], writing sweep.parquet too when `parquet` or the frame
/// asks for it.
pub fn finish_with(dirs: &[PathBuf], out: &Path, parquet: bool) -> Result<Frame, SweepError> {
    let Some(first) = dirs.first() else {
        return Err(SweepError::Incomplete("no folders to merge".into()));
    };
    let mut frame = Frame::load(first)?;
    frame.parquet |= parquet;
    for d in &dirs[1..] {
        if Frame::load(d)?.plan_sha256 != frame.plan_sha256 {
            return Err(SweepError::Mismatch(format!("{} and {} hold different plans", first.display(), d.display())));
        }
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    let located = locate_parts(dirs, frame.design_points, part_name, ("design points", "points", "sweep"))
        .map_err(SweepError::Incomplete)?;
    let header_factors = frame.factors.join(",");
    let nout = frame.outputs.len();
    // Per-point means of each output, for the sensitivity indices.
    let mut means = vec![vec![0.0; frame.design_points]; nout];
    // Written into a staging folder and moved into place together, plan.json
    // (with every file's checksum) last.
    let mut stage = Staging::new(out).map_err(io(out))?;
    let sweep_path = out.join("sweep.csv");
    let mut w = stage.file("sweep.csv").map_err(io(&sweep_path))?;
    let mut s = stage.file("sweep_summary.csv").map_err(io(&sweep_path))?;
    let mut bad_part: Option<String> = None;
    let mut design = Vec::with_capacity(if frame.design_sha256.is_empty() { 0 } else { frame.design_points });
    (|| {
        writeln!(w, "point,replicate,{header_factors},metric,value")?;
        writeln!(s, "point,{header_factors},metric,n,mean,sd,p05,p25,p50,p75,p95")?;
        for p in 0..frame.design_points {
            let path = &located[p];
            // A part is stpsim's own: read back whole, checked before a row of it lands.
            let text = crate::fsx::read_text(path, 1 << 30)?;
            let (mut values, factors) = match check_part(&frame, p, &text, path) {
                Ok(v) => v,
                Err(e) => {
                    bad_part = Some(e);
                    return Err(std::io::Error::other("a part is not whole"));
                }
            };
            for line in text.lines() {
                writeln!(w, "{line}")?;
            }
            if !frame.design_sha256.is_empty() {
                design.push(factors.clone());
            }
            for (o, label) in frame.outputs.iter().enumerate() {
                let (mean, sd, q) = describe(&mut values[o]);
                means[o][p] = mean;
                let n = values[o].len();
                writeln!(s, "{p},{factors},{label},{n},{mean},{sd},{},{},{},{},{}", q[0], q[1], q[2], q[3], q[4])?;
            }
        }
        Ok(())
    })()
    .and_then(|()| stage.finish(w))
    .and_then(|_| stage.finish(s))
    .map_err(|e| match bad_part.take() {
        Some(problem) => SweepError::Mismatch(problem),
        None => SweepError::Io { path: sweep_path.clone(), reason: e },
    })?;
    if !frame.design_sha256.is_empty() && design_sha256(design.iter()) != frame.design_sha256 {
        return Err(SweepError::Mismatch(format!(
            "the parts' factor values are not those of the design in {} (a part of another sweep was copied in); \
             remove the parts that do not belong and run the sweep with --resume",
            first.join(FRAME_FILE).display()
        )));
    }
    if frame.parquet {
        use crate::results::parquet::{Column, stage_from_csv};
        // point and replicate whole numbers, the output text, the factors and value numbers.
        let by_header = |c: &str| match c {
            "point" | "replicate" => Column::Int,
            "metric" => Column::Text,
            _ => Column::Float,
        };
        stage_from_csv(&mut stage, "sweep.csv", "sweep.parquet", &by_header).map_err(io(&out.join("sweep.parquet")))?;
    }
    match frame.design.as_str() {
        "sobol" => write_sobol(&frame, &means, &mut stage, out)?,
        "morris" => write_morris(&frame, &means, &mut stage, out)?,
        _ => {}
    }
    super::workbook::stage(&mut stage, &frame, "stpsim sweep").map_err(io(&out.join(crate::results::xlsx::FILE)))?;
    let mut done = frame.clone();
    done.file_sha256 = stage.checksums().clone();
    let json = serde_json::to_string_pretty(&done).unwrap_or_default() + "\n";
    let frame_path = out.join(FRAME_FILE);
    stage.write(FRAME_FILE, |w| w.write_all(json.as_bytes())).map_err(io(&frame_path))?;
    stage
        .commit(FRAME_FILE, |n| RESULT_FILES.contains(&n))
        .map_err(|e| SweepError::Io { path: e.path.clone(), reason: std::io::Error::from(e) })?;
    Ok(done)
}

fn write_sobol(frame: &Frame, means: &[Vec<f64>], stage: &mut Staging, out: &Path) -> Result<(), SweepError> {
    let k = frame.factors.len();
    let path = out.join("sensitivity.csv");
    stage
        .write("sensitivity.csv", |w| {
            writeln!(w, "metric,factor,first,first_low,first_high,total,total_low,total_high")?;
            for (o, label) in frame.outputs.iter().enumerate() {
                let idx = sensitivity::sobol_indices(&means[o], frame.points, k, frame.bootstrap, frame.seed);
                for s in idx {
                    let name = &frame.factors[s.factor];
                    writeln!(
                        w,
                        "{label},{name},{},{},{},{},{},{}",
                        s.first, s.first_ci.0, s.first_ci.1, s.total, s.total_ci.0, s.total_ci.1
                    )?;
                }
            }
            Ok(())
        })
        .map(drop)
        .map_err(io(&path))
}

fn write_morris(frame: &Frame, means: &[Vec<f64>], stage: &mut Staging, out: &Path) -> Result<(), SweepError> {
    let k = frame.factors.len();
    let unit = super::design::morris(frame.points, k, frame.levels, frame.seed);
    let path = out.join("sensitivity.csv");
    stage
        .write("sensitivity.csv", |w| {
            writeln!(w, "metric,factor,mu,mu_star,sigma")?;
            for (o, label) in frame.outputs.iter().enumerate() {
                for m in sensitivity::morris_indices(&unit, &means[o], k) {
                    writeln!(w, "{label},{},{},{},{}", frame.factors[m.factor], m.mu, m.mu_star, m.sigma)?;
                }
            }
            Ok(())
        })
        .map(drop)
        .map_err(io(&path))
}

/// Whether a part file is there: a regular file, not a link.
pub fn is_part(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// Combines shard folders into `out`, writing exactly what one run writes.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Frame, SweepError> {
    let parts = out.join(PARTS);
    crate::fsx::real_dir(&parts).map_err(io(&parts))?;
    let frame = finish(dirs, out)?;
    gather_parts(dirs, out, frame.design_points, part_name)?;
    Ok(frame)
}
