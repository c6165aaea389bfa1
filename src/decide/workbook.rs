//! A decision's tables.xlsx: what was decided, one sheet per chart with the
//! numbers it plots, then decide.csv and the analysis tables as sheets.
//! Built by [`crate::results::xlsx`].

use crate::results::chart_table::Unit;
use crate::results::xlsx::{self, RowOf, Sheet, build, csv_sheet_with};

/// How a decision table's number reads: shares of worlds as per cent, an
/// outcome's values (and differences, regret, EVPPI) in its unit; a
/// difference of shares shows with a per cent sign: percentage points.
fn decide_unit(column: &str, row: RowOf) -> Unit {
    match column {
        "prob_best" | "prob_best_low" | "prob_best_high" | "satisficing" | "coverage" | "density" | "mass" => {
            Unit::Share
        }
        "value" | "se" | "threshold" | "mean" | "p05" | "p50" | "p95" | "diff_mean" | "diff_p05" | "diff_p95"
        | "regret_mean" | "regret_p90" | "worst5" => match Unit::of_output(row("outcome")) {
            Unit::Count => Unit::General,
            u => u,
        },
        _ => Unit::General,
    }
}

/// A decision's tables.xlsx, written into its staging folder before its
/// manifest, which then lists it with its checksum: what was run, one sheet
/// per chart with the numbers it plots, then decide.csv and the analysis
/// tables as sheets.
pub fn stage(stage: &mut crate::results::folder::Staging, frame: &super::frame::Frame) -> std::io::Result<()> {
    let checksums = stage.checksums().clone();
    let posterior = frame.posterior.as_ref().map_or("none: the options' own parameter values".to_string(), |p| {
        format!("{} ({} draws, SHA-256 {})", p.name, p.draws, p.sha256)
    });
    let mut lines: Vec<(String, String)> = vec![
        ("Made by".into(), format!("stpsim decide (stpsim v{})", frame.stpsim_version)),
        ("Plan".into(), frame.plan.clone()),
        ("Options".into(), frame.options.join(", ")),
        ("Reference option".into(), frame.options.first().cloned().unwrap_or_default()),
        ("Outcomes".into(), frame.outcomes.iter().map(|o| o.label.as_str()).collect::<Vec<_>>().join(", ")),
        ("Worlds".into(), frame.worlds.len().to_string()),
        ("Replicates".into(), format!("{} per world and option", frame.replicates)),
        ("Seed".into(), frame.seed.to_string()),
        ("Posterior".into(), posterior),
        ("stpsim version".into(), frame.stpsim_version.clone()),
        ("SHA-256 of the plan".into(), frame.plan_sha256.clone()),
    ];
    lines.extend(checksums.iter().map(|(k, v)| (format!("SHA-256 of {k}"), v.clone())));
    let (_, tables) = super::report::charts(stage.dir(), frame).map_err(std::io::Error::other)?;
    let dir = stage.dir();
    let extra = [
        ("decide", "every world's value of each outcome under each option"),
        (
            "robustness",
            "each option's mean, paired difference, probability best, regret and satisficing (a share's differences and \
             regret show with a % sign: percentage points)",
        ),
        ("value_of_information", "EVPI and each input's EVPPI, with standard errors"),
        ("worlds", "each world's posterior draw and input values"),
        ("discovery", "the PRIM peeling trajectory of each case"),
        ("boxes", "the chosen PRIM boxes and their limits"),
    ]
    .iter()
    .map(|(name, about)| csv_sheet_with(name, about, &dir.join(format!("{name}.csv")), &decide_unit))
    .collect::<std::io::Result<Vec<Sheet>>>()?;
    let bytes = build(&lines, &tables, &[], None, &[], &extra).map_err(std::io::Error::other)?;
    xlsx::stage(stage, &bytes)
}
