//! A run's tables.xlsx: the Contents sheet's account of the run, then one
//! sheet per chart (the numbers it plots), `summary` and `differences`.
//! The workbook itself is built by [`crate::results::xlsx`]; this module
//! says what goes in it.

use super::RunData;
use crate::results::summary::{DifferenceRow, SummaryRow};
use crate::results::xlsx::{self, About, build};

/// What the Contents sheet says of a run: what was run, and the
/// fingerprints that tie the workbook to it (each resolved scenario's, and
/// each data file's as manifest.json records it).
pub fn run_lines(data: &RunData, about: &About) -> Vec<(String, String)> {
    let first = data.scenarios.iter().filter_map(|s| s.quarters.first()).min();
    let last = data.scenarios.iter().filter_map(|s| s.quarters.last()).max();
    let quarters = match (first, last) {
        (Some(a), Some(b)) => format!("{a} to {b} ({} quarters)", a.span_to(*b)),
        _ => String::new(),
    };
    let posterior = match &data.manifest.posterior {
        Some(p) => format!(
            "{} ({} draws, SHA-256 {}): {}",
            p.file,
            p.draws,
            p.sha256,
            crate::results::manifest::POSTERIOR_NOTE
        ),
        None => "none: each scenario's own parameter values".into(),
    };
    let mut lines: Vec<(String, String)> = vec![
        ("Made by".to_string(), format!("{} (stpsim v{})", about.command, data.version)),
        ("Scenarios".to_string(), data.scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")),
        ("Structure".to_string(), data.structure_names()),
        ("Quarters".to_string(), quarters),
        ("Replicates".to_string(), data.replicates.to_string()),
        ("Seed".to_string(), data.seed.to_string()),
        ("Posterior".to_string(), posterior),
        ("stpsim version".to_string(), data.version.clone()),
    ];
    lines.extend(data.scenarios.iter().map(|s| (format!("SHA-256 of scenario {}", s.name), s.sha256.clone())));
    lines.extend(about.checksums.iter().map(|(k, v)| (format!("SHA-256 of {k}"), v.clone())));
    lines
}

/// Writes a run's tables.xlsx into its staging folder (before its manifest,
/// which then lists it with its checksum). `manifest` is the run's
/// manifest.json as it stands (it gives the charts' source line).
#[allow(clippy::too_many_arguments)]
pub fn stage(
    stage: &mut crate::results::folder::Staging,
    results: &crate::results::Results,
    scenarios: &[crate::scenario::Scenario],
    seed: u64,
    manifest: &str,
    summary: &[SummaryRow],
    differences: &[DifferenceRow],
    spread: Option<&str>,
) -> std::io::Result<()> {
    let data = RunData::from_results(results, scenarios, seed, Some(manifest)).map_err(std::io::Error::other)?;
    let tables = super::tables(&data);
    let checksums = stage.checksums().clone();
    let about = About { command: "stpsim run", checksums: &checksums };
    let lines = run_lines(&data, &about);
    let bytes = build(&lines, &tables, summary, spread, differences, &[]).map_err(std::io::Error::other)?;
    xlsx::stage(stage, &bytes)
}
