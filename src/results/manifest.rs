//! manifest.json: what was run, fully resolved, and when. One type,
//! [`Manifest`], is both what a run writes and what `plot`, the report and
//! the workbook read back: a run writes `Manifest<ManifestScenario>` (its
//! scenarios borrowed as they ran), a reader gets `Manifest<StoredScenario>`
//! from [`read`], checked like any input (a typed error, never a panic).
//! Fields added after the first version default when a folder lacks them.

use crate::core::quarter::Quarter;
use crate::model::levers::Targets;
use crate::scenario::{Scenario, StructureSpec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The checksum lives in the vocabulary floor; the old path still works.
pub use crate::core::text::sha256;

/// A scenario's entry as a run writes it.
#[derive(Serialize)]
pub struct ManifestScenario<'a> {
    pub name: &'a str,
    /// SHA-256 of the resolved scenario as JSON.
    pub sha256: String,
    /// The structure's footprints, in the order lever indices refer to.
    pub footprint_names: Vec<String>,
    pub resolved: &'a Scenario,
}

/// A scenario's entry as a reader gets it back: what the charts and the
/// report use of the resolved scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredScenario {
    pub name: String,
    pub sha256: String,
    /// Not in manifests written before footprint names were recorded.
    #[serde(default)]
    pub footprint_names: Vec<String>,
    pub resolved: StoredResolved,
}

/// The resolved scenario in a manifest, as read back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredResolved {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub source: String,
    pub start: Quarter,
    pub end: Quarter,
    pub structure: StructureSpec,
    /// Every parameter's value, by name.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    #[serde(default)]
    pub levers: Vec<StoredLever>,
}

/// A lever in a manifest: when, where, and its own settings by field name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredLever {
    pub kind: String,
    pub start: Quarter,
    #[serde(default)]
    pub end: Option<Quarter>,
    pub footprints: Targets,
    /// The kind's fields (`authority`, `formal_appointment`, ...), in name order.
    #[serde(flatten)]
    pub settings: BTreeMap<String, serde_json::Value>,
}

/// manifest.json. `S` is a scenario's entry: [`ManifestScenario`] as a run
/// writes it, [`StoredScenario`] as it is read back.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest<S = StoredScenario> {
    pub stpsim_version: String,
    #[serde(default)]
    pub command: Vec<String>,
    pub seed: u64,
    pub replicates: u32,
    #[serde(default)]
    pub threads: usize,
    /// Replicates whose footprint rows are in footprints.csv (0: not written).
    #[serde(default)]
    pub footprint_replicates: u32,
    #[serde(default)]
    pub started: String,
    #[serde(default)]
    pub finished: String,
    #[serde(default, deserialize_with = "number_or_nan")]
    pub wall_seconds: f64,
    #[serde(default)]
    pub files: Vec<String>,
    /// Each data file's SHA-256 (every file in `files` but the manifest):
    /// `stpsim plot` refuses a folder whose files do not match.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub file_sha256: BTreeMap<String, String>,
    /// What the replicates' parameters were, in words: over which posterior
    /// (and why), or at the spec's defaults (empty in older manifests).
    #[serde(default)]
    pub parameters: String,
    /// Set when replicates ran over posterior draws (the built-in England
    /// posterior by default, or `run --posterior`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorEntry>,
    pub scenarios: Vec<S>,
}

/// A manifest read back, as `plot`, the report and the workbook see it.
pub type StoredManifest = Manifest<StoredScenario>;

/// Reads a manifest's text: every field a reader uses has its type, so an
/// edited or foreign file is a typed error naming line and column.
pub fn read(text: &str) -> Result<StoredManifest, serde_json::Error> {
    serde_json::from_str(text)
}

/// The posterior a run drew its parameters from.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PosteriorEntry {
    /// Nobody asked for it: the built-in England posterior, the default.
    #[serde(default)]
    pub by_default: bool,
    /// Per scenario, the posterior's parameters it held at its own values.
    #[serde(default)]
    pub held: BTreeMap<String, Vec<String>>,
    pub file: String,
    pub sha256: String,
    pub draws: usize,
    pub parameters: Vec<String>,
    #[serde(default)]
    pub note: String,
    /// Each headline metric's spread at the final quarter, split.
    #[serde(default)]
    pub variance_split: Vec<SplitRow>,
    /// The spec's patterns whose scenarios the run holds, each with the
    /// probability it holds over the run's draws (`calibrate::patterns`).
    #[serde(default)]
    pub patterns: Vec<Check>,
}

/// How much of a metric's spread over replicates is parameter uncertainty
/// and how much chance (`calibrate::posterior::variance_split`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SplitRow {
    pub scenario: String,
    pub quarter: String,
    pub metric: String,
    #[serde(deserialize_with = "number_or_nan")]
    pub sd: f64,
    #[serde(deserialize_with = "number_or_nan")]
    pub parameter_share: f64,
    #[serde(deserialize_with = "number_or_nan")]
    pub chance_share: f64,
}

/// A number a manifest may hold as `null`: JSON has no NaN, so serde_json
/// writes a NaN (a share of no spread) as null; it reads back as NaN.
pub fn number_or_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Option::<f64>::deserialize(d).map(|v| v.unwrap_or(f64::NAN))
}

/// What every output of a posterior run says of its intervals.
pub const POSTERIOR_NOTE: &str = "intervals include parameter uncertainty: replicate r ran with posterior draw r (chosen by \
     weight), the same draw in every scenario, so they show parameter uncertainty and chance together";

/// A stable fingerprint of a resolved scenario.
pub fn scenario_hash(s: &Scenario) -> String {
    sha256(&serde_json::to_string(s).unwrap_or_default())
}

/// A scenario's entry in a manifest.
pub fn entry(s: &Scenario) -> ManifestScenario<'_> {
    ManifestScenario { name: &s.name, sha256: scenario_hash(s), footprint_names: s.footprint_names(), resolved: s }
}
/// A clause over a run's draws.
/// Read back from a run's manifest.json by the report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Check {
    pub pattern: u8,
    pub clause: String,
    pub scenario: String,
    /// Mean paired difference (scenario minus baseline) and its standard error.
    #[serde(deserialize_with = "number_or_nan")]
    pub mean: f64,
    #[serde(deserialize_with = "number_or_nan")]
    pub se: f64,
    /// Share of draws whose fitted E[d | theta] has the expected sign.
    #[serde(deserialize_with = "number_or_nan")]
    pub probability: f64,
    /// The parameter with the largest standardised coefficient in that fit.
    pub deciding: String,
}
