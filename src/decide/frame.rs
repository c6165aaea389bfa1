//! A decision's frame: the plan as `finish`, `merge` and `plot` need it,
//! kept in the output folder (decide.json) so shards merge without the
//! plan; its manifest; and the names of the files a decision writes.

use super::plan::{Outcome, Plan, Source, World};
use crate::core::quarter::Quarter;
use serde::{Deserialize, Serialize};
use std::path::Path;

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
pub(super) const MANIFEST_NOTE: &str =
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

/// A decision runs, resumes and merges its parts as a sweep does, and fails
/// the same ways.
pub use crate::experiment::frame::SweepError as RunError;
pub(super) use crate::experiment::frame::io;

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
