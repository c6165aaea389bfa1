//! A sweep's frame: what `finish` needs, kept in the output folder as
//! plan.json so shards merge without the plan file; and the names of the
//! files a sweep writes.

use super::plan::Plan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FRAME_FILE: &str = "plan.json";
/// The folder of a sweep's parts (declared beside the output folder's other names).
pub use crate::results::folder::PARTS;
/// The files `finish` writes beside plan.json.
pub const RESULT_FILES: [&str; 5] =
    ["sweep.csv", "sweep_summary.csv", "sensitivity.csv", "tables.xlsx", "sweep.parquet"];

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{}: {reason}", path.display())]
    Io { path: PathBuf, reason: std::io::Error },
    #[error("{0}")]
    Mismatch(String),
    #[error("{0}")]
    Incomplete(String),
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SweepError + '_ {
    move |reason| SweepError::Io { path: path.to_path_buf(), reason }
}

/// What `finish` needs, kept in the output folder as plan.json so shards can
/// be merged without the plan file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub stpsim_version: String,
    pub plan_sha256: String,
    pub base: String,
    pub design: String,
    pub replicates: u32,
    pub seed: u64,
    pub points: usize,
    pub levels: usize,
    pub bootstrap: usize,
    pub factors: Vec<String>,
    pub outputs: Vec<String>,
    pub design_points: usize,
    /// SHA-256 of every design point's factor values as the parts write
    /// them (one line per point), so `finish` refuses parts of another design.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub design_sha256: String,
    /// Each result file's SHA-256, set when `finish` writes them: `plot`
    /// refuses a folder whose files do not match (empty while running).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub file_sha256: BTreeMap<String, String>,
    /// What the replicates' parameters were, in words: over which posterior
    /// (replicate r takes the same draw at every point), or at fixed values.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub parameters: String,
    /// The posterior's parameters held at the plan's values in every
    /// replicate: the base scenario's own and the parameter factors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<String>,
    /// sweep.parquet asked for (`parquet = true` or `--parquet`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub parquet: bool,
    /// Each factor's declared range [min, max] (a grid's: its lowest and
    /// highest level), which the sensitivity chart states: the sample's own
    /// extremes fall just inside it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<[f64; 2]>,
}

impl Frame {
    pub fn of(plan: &Plan) -> Frame {
        Frame {
            stpsim_version: env!("CARGO_PKG_VERSION").to_string(),
            plan_sha256: plan.hash(),
            base: plan.base.name.clone(),
            design: format!("{:?}", plan.design).to_lowercase(),
            replicates: plan.replicates,
            seed: plan.seed,
            points: plan.points,
            levels: plan.levels,
            bootstrap: plan.bootstrap,
            factors: plan.factors.iter().map(|f| f.name.clone()).collect(),
            outputs: plan.outputs.iter().map(|o| o.label()).collect(),
            design_points: plan.design_points.len(),
            design_sha256: design_sha256(plan.design_points.iter().map(|p| factor_text(p))),
            file_sha256: BTreeMap::new(),
            parameters: plan.parameters.clone(),
            held: plan.held.iter().map(|h| h.to_string()).collect(),
            parquet: plan.parquet,
            ranges: plan.factors.iter().map(|f| [f.min, f.max]).collect(),
        }
    }

    pub fn load(dir: &Path) -> Result<Frame, SweepError> {
        let path = dir.join(FRAME_FILE);
        let text = crate::fsx::read_text(&path, 64 << 20).map_err(io(&path))?;
        let frame: Frame = serde_json::from_str(&text)
            .map_err(|e| SweepError::Mismatch(format!("{}: not a sweep's plan.json: {e}", path.display())))?;
        frame.check().map_err(|e| SweepError::Mismatch(format!("{}: not a sweep's plan.json: {e}", path.display())))?;
        Ok(frame)
    }

    /// Names read back from plan.json become column headers and chart file
    /// names: hold them to the rules a plan file obeys.
    fn check(&self) -> Result<(), String> {
        use crate::core::text::shorten;
        for f in &self.factors {
            let ok = !f.is_empty()
                && f.len() <= 100
                && f.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
            if !ok {
                return Err(format!("factor name \"{}\" is not a parameter or lever.KIND.FIELD", shorten(f, 60)));
            }
        }
        for o in &self.outputs {
            let ok = o.split_once('@').is_some_and(|(m, q)| {
                crate::model::Metric::parse(m).is_some() && crate::core::quarter::Quarter::parse(q).is_ok()
            });
            if !ok {
                return Err(format!("output \"{}\" is not metric@quarter", shorten(o, 60)));
            }
        }
        if let Some(h) = self.held.iter().find(|h| crate::core::params::Params::def(h).is_none()) {
            return Err(format!("held parameter \"{}\" is not a parameter", shorten(h, 60)));
        }
        if !self.ranges.is_empty()
            && (self.ranges.len() != self.factors.len()
                || self.ranges.iter().any(|r| !(r[0].is_finite() && r[1].is_finite() && r[0] <= r[1])))
        {
            return Err("factor ranges do not match the factors".into());
        }
        if self.design_points > 10_000_000 {
            return Err(format!("{} design points, above the limit of 10,000,000", self.design_points));
        }
        Ok(())
    }
}

/// A design point's factor values as its part's rows write them.
fn factor_text(values: &[f64]) -> String {
    values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",")
}

/// SHA-256 of the design's factor values, one line per point.
pub(super) fn design_sha256<S: AsRef<str>>(points: impl Iterator<Item = S>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in points {
        h.update(p.as_ref().as_bytes());
        h.update(b"\n");
    }
    crate::results::folder::hex(&h.finalize())
}
