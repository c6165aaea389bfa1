//! manifest.json: what was run, fully resolved, and when.

use crate::scenario::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;

/// The checksum lives in the vocabulary floor; the old path still works.
pub use crate::core::text::sha256;

#[derive(Serialize)]
pub struct ManifestScenario<'a> {
    pub name: &'a str,
    /// SHA-256 of the resolved scenario as JSON.
    pub sha256: String,
    /// The structure's footprints, in the order lever indices refer to.
    pub footprint_names: Vec<String>,
    pub resolved: &'a Scenario,
}

#[derive(Serialize)]
pub struct Manifest<'a> {
    pub stpsim_version: &'static str,
    pub command: Vec<String>,
    pub seed: u64,
    pub replicates: u32,
    pub threads: usize,
    /// Replicates whose footprint rows are in footprints.csv (0: not written).
    pub footprint_replicates: u32,
    pub started: String,
    pub finished: String,
    pub wall_seconds: f64,
    pub files: Vec<&'static str>,
    /// Each data file's SHA-256 (every file in `files` but the manifest):
    /// `stpsim plot` refuses a folder whose files do not match.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub file_sha256: BTreeMap<String, String>,
    /// What the replicates' parameters were, in words: over which posterior
    /// (and why), or at the spec's defaults.
    pub parameters: String,
    /// Set when replicates ran over posterior draws (the built-in England
    /// posterior by default, or `run --posterior`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorEntry>,
    pub scenarios: Vec<ManifestScenario<'a>>,
}

/// The posterior a run drew its parameters from.
#[derive(Serialize)]
pub struct PosteriorEntry {
    /// Nobody asked for it: the built-in England posterior, the default.
    pub by_default: bool,
    /// Per scenario, the posterior's parameters it held at its own values.
    pub held: BTreeMap<String, Vec<&'static str>>,
    pub file: String,
    pub sha256: String,
    pub draws: usize,
    pub parameters: Vec<&'static str>,
    pub note: &'static str,
    /// Each headline metric's spread at the final quarter, split.
    pub variance_split: Vec<SplitRow>,
    /// The spec's patterns whose scenarios the run holds, each with the
    /// probability it holds over the run's draws (`calibrate::patterns`).
    pub patterns: Vec<crate::calibrate::patterns::Check>,
}

/// How much of a metric's spread over replicates is parameter uncertainty
/// and how much chance (`calibrate::posterior::variance_split`).
#[derive(Clone, Debug, Serialize)]
pub struct SplitRow {
    pub scenario: String,
    pub quarter: String,
    pub metric: &'static str,
    pub sd: f64,
    pub parameter_share: f64,
    pub chance_share: f64,
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
