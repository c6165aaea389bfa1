//! A sweep's tables.xlsx (sweep and sensitivity verbs): what was run, one
//! sheet per chart with the numbers it plots, then `sweep_summary` and,
//! where computed, `sensitivity`. Built by [`crate::results::xlsx`].

use crate::results::chart_table::Unit;
use crate::results::xlsx::{self, RowOf, build, csv_sheet, csv_sheet_with};

/// A sweep's tables.xlsx (sweep and sensitivity verbs), written into its
/// staging folder before plan.json, which then lists it with its checksum:
/// what was run, then `sweep_summary` and, where computed, `sensitivity`.
pub fn stage(
    stage: &mut crate::results::folder::Staging,
    frame: &super::frame::Frame,
    command: &str,
) -> std::io::Result<()> {
    let checksums = stage.checksums().clone();
    let mut lines: Vec<(String, String)> = vec![
        ("Made by".into(), format!("{command} (stpsim v{})", frame.stpsim_version)),
        ("Base scenario".into(), frame.base.clone()),
        ("Design".into(), format!("{}, {} design points", frame.design, frame.design_points)),
        ("Factors".into(), frame.factors.join(", ")),
        ("Outputs".into(), frame.outputs.join(", ")),
        ("Replicates".into(), frame.replicates.to_string()),
        ("Seed".into(), frame.seed.to_string()),
        ("Posterior".into(), "none: the plan's parameter values".into()),
        ("stpsim version".into(), frame.stpsim_version.clone()),
        ("SHA-256 of the plan".into(), frame.plan_sha256.clone()),
    ];
    lines.extend(checksums.iter().map(|(k, v)| (format!("SHA-256 of {k}"), v.clone())));
    let mut extra = Vec::new();
    let summary = stage.dir().join("sweep_summary.csv");
    let level = |column: &str, row: RowOf| match column {
        "mean" | "sd" | "p05" | "p25" | "p50" | "p75" | "p95" => Unit::of_output(row("metric")),
        _ => Unit::General,
    };
    extra.push(csv_sheet_with("sweep_summary", "each design point's outputs over replicates", &summary, &level)?);
    let indices = stage.dir().join("sensitivity.csv");
    if indices.is_file() {
        extra.push(csv_sheet("sensitivity", "each factor's sensitivity indices for each output", &indices)?);
    }
    let tables = super::charts::tables(stage.dir(), frame).map_err(std::io::Error::other)?;
    let bytes = build(&lines, &tables, &[], None, &[], &extra).map_err(std::io::Error::other)?;
    xlsx::stage(stage, &bytes)
}
