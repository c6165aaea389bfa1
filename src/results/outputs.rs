//! Every file a run writes, declared once: name, kind, whether the
//! manifest checksums it, what it holds (for the README, the report and
//! `--help`), when it is written and its writer. The writing, the list in
//! the manifest, the folder's own-file test, the report's file list and the
//! plot reader all read this table, so a new output file is one row.

use super::manifest::SplitRow;
use super::summary::{DifferenceRow, SummaryRow};
use super::{Results, write};
use crate::core::defaults::RunOptions;
use crate::core::posterior::Posterior;
use std::io::{self, Write};
use std::{fs, path::Path};

/// What a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A tidy table (CSV).
    Table,
    /// manifest.json: what was run, and every data file's checksum.
    Manifest,
    /// A spreadsheet workbook (tables.xlsx).
    Workbook,
}

/// What a run's writers read.
pub struct RunOutput<'a> {
    pub results: &'a Results,
    pub options: &'a RunOptions,
    pub summary: &'a [SummaryRow],
    /// Over a posterior: the spread column's words.
    pub spread: Option<&'a str>,
    pub differences: &'a [DifferenceRow],
    pub posterior: Option<&'a Posterior>,
    pub split: &'a [SplitRow],
    pub per_footprint: bool,
    /// timeseries.parquet asked for (`--parquet`).
    pub parquet: bool,
}

/// A file's writer.
pub type Writer = fn(&mut dyn Write, &RunOutput) -> io::Result<()>;

/// One output file of a run.
pub struct Output {
    pub name: &'static str,
    pub kind: Kind,
    /// Listed in manifest.json's `file_sha256` and checked by `stpsim plot`.
    pub checksummed: bool,
    /// One line: its columns or content.
    pub description: &'static str,
    /// Whether this run writes it.
    pub when: fn(&RunOutput) -> bool,
    /// `when` in words, for the README's table.
    pub written: &'static str,
    /// Its writer. None: the run writes it itself: the manifest (which lists
    /// the others) and tables.xlsx (which reads the manifest) after the
    /// others, timeseries.parquet through its own column writer.
    pub write: Option<Writer>,
}

/// A run's files, in the order manifest.json lists them.
pub const RUN_OUTPUTS: &[Output] = &[
    Output {
        name: "timeseries.csv",
        kind: Kind::Table,
        checksummed: true,
        description: "scenario, replicate, quarter, metric, value: every replicate, every quarter",
        when: |_| true,
        written: "always",
        write: Some(|w, o| write::timeseries(w, o.results.rows())),
    },
    Output {
        name: "summary.csv",
        kind: Kind::Table,
        checksummed: true,
        description: "scenario, quarter, metric, mean, sd, p05, p25, p50, p75, p95 over replicates, and over a \
                      posterior a last column, spread, saying what the interval covers (\"parameter uncertainty and \
                      chance\"; absent at the spec's defaults, where it is chance alone)",
        when: |_| true,
        written: "always",
        write: Some(|w, o| write::summary_over(w, o.summary, o.spread)),
    },
    Output {
        name: "manifest.json",
        kind: Kind::Manifest,
        checksummed: false,
        description: "what was run: stpsim version, command, seed, replicates, threads, each scenario fully resolved with its SHA-256, the posterior (file, SHA-256, parameters held), start and end time, and every data file with its SHA-256 (`file_sha256`)",
        when: |_| true,
        written: "always",
        write: None,
    },
    Output {
        name: "timeseries.parquet",
        kind: Kind::Table,
        checksummed: true,
        description: "timeseries.csv's rows as typed Parquet columns (a build with the parquet feature)",
        when: |o| o.parquet,
        written: "with `--parquet`",
        write: None,
    },
    Output {
        name: "posterior_draws.csv",
        kind: Kind::Table,
        checksummed: true,
        description: "replicate, draw, one column per parameter: the posterior draw each replicate ran with",
        when: |o| o.posterior.is_some(),
        written: "over a posterior (the default on England)",
        write: Some(|w, o| match o.posterior {
            Some(p) => posterior_draws(w, p, o.options),
            None => Ok(()),
        }),
    },
    Output {
        name: "variance_split.csv",
        kind: Kind::Table,
        checksummed: true,
        description: "scenario, quarter, metric, sd, parameter_share, chance_share at the final quarter",
        when: |o| o.posterior.is_some(),
        written: "over a posterior",
        write: Some(|w, o| variance_split(w, o.split)),
    },
    Output {
        name: "differences.csv",
        kind: Kind::Table,
        checksummed: true,
        description: "scenario, quarter, metric, median, p05, p95, mean, sd of the paired differences from the first scenario, replicate by replicate: the numbers to quote",
        when: |o| o.results.scenarios.len() > 1,
        written: "with two or more scenarios",
        write: Some(|w, o| write::differences(w, o.differences)),
    },
    Output {
        name: "footprints.csv",
        kind: Kind::Table,
        checksummed: true,
        description: "scenario, replicate, quarter, footprint, metric, value: every footprint, for every replicate or the first `--footprint-replicates N`",
        when: |o| o.per_footprint,
        written: "with `--per-footprint` (the main job: 20 replicates)",
        write: Some(|w, o| write::footprints(w, o.results.footprint_rows())),
    },
    Output {
        name: super::xlsx::FILE,
        kind: Kind::Workbook,
        checksummed: true,
        description: "for spreadsheets: what was run, one sheet per chart with exactly the numbers it plots, summary, differences",
        when: |_| true,
        written: "always",
        write: None,
    },
];

/// The declaration of a run's output file by name.
pub fn find(name: &str) -> Option<&'static Output> {
    RUN_OUTPUTS.iter().find(|o| o.name == name)
}

/// Which posterior draw each replicate ran with.
fn posterior_draws(w: &mut dyn Write, p: &Posterior, opts: &RunOptions) -> io::Result<()> {
    writeln!(w, "replicate,draw,{}", p.names.join(","))?;
    for r in 0..opts.replicates as u64 {
        let d = p.draw_for(opts.seed, r);
        let vals: Vec<String> = p.draws[d].iter().map(|v| v.to_string()).collect();
        writeln!(w, "{r},{d},{}", vals.join(","))?;
    }
    Ok(())
}

fn variance_split(w: &mut dyn Write, rows: &[SplitRow]) -> io::Result<()> {
    writeln!(w, "scenario,quarter,metric,sd,parameter_share,chance_share")?;
    for r in rows {
        writeln!(w, "{},{},{},{},{},{}", r.scenario, r.quarter, r.metric, r.sd, r.parameter_share, r.chance_share)?;
    }
    Ok(())
}

/// Whether `name` is a data file a run writes (the set its manifest's
/// checksums cover): a row of [`RUN_OUTPUTS`].
pub fn is_run_data_file(name: &str) -> bool {
    find(name).is_some()
}

/// Whether `name` is a file a run writes: its data files, report.html and
/// its charts (`fan_*`, `heatmap_*`, `comparison`, `funnel` as PNG or SVG).
pub fn is_run_file(name: &str) -> bool {
    if let Some(rest) = name.strip_prefix(super::chart_table::DATA_DIR).and_then(|r| r.strip_prefix('/')) {
        return is_table_file(rest);
    }
    if is_run_data_file(name) || name == "report.html" {
        return true;
    }
    let Some(stem) = name.strip_suffix(".png").or_else(|| name.strip_suffix(".svg")) else { return false };
    stem == "comparison" || stem == "funnel" || stem.starts_with("fan_") || stem.starts_with("heatmap_")
}

/// Whether `name` (a file in a run's `data/` folder) is a chart's numbers.
pub fn is_table_file(name: &str) -> bool {
    name.strip_suffix(".csv").is_some_and(|stem| is_run_file(&format!("{stem}.svg")))
}

/// Removes the files an earlier run wrote (and only those), so charts and
/// reports of scenarios no longer run do not sit beside the new results.
/// Returns how many were removed.
pub fn remove_stale(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    if !dir.is_dir() {
        return Ok(0);
    }
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if is_run_file(&name) && e.file_type()?.is_file() {
            fs::remove_file(e.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::write::{Folder, inspect};
    use std::fs;

    #[test]
    fn charts_numbers_are_a_runs_own_files() {
        assert!(is_table_file("fan_x.csv") && is_table_file("comparison.csv") && !is_table_file("notes.csv"));
        assert!(is_run_file("data/fan_x.csv") && !is_run_file("data/notes.csv"));
    }

    #[test]
    fn only_a_runs_own_files_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "fan_gaps.png",
            "heatmap_old_transformation_index.svg",
            "report.html",
            "summary.csv",
            "notes.txt",
            "fan_gaps.pdf",
        ] {
            fs::write(dir.path().join(f), "x").unwrap();
        }
        assert_eq!(
            inspect(dir.path()).unwrap(),
            Folder::Foreign(vec![
                "fan_gaps.pdf".into(),
                "fan_gaps.png".into(),
                "heatmap_old_transformation_index.svg".into()
            ])
        );
        fs::write(dir.path().join("manifest.json"), "{}").unwrap();
        assert_eq!(inspect(dir.path()).unwrap(), Folder::Run);
        assert_eq!(remove_stale(dir.path()).unwrap(), 5);
        let mut left: Vec<String> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, ["fan_gaps.pdf", "notes.txt"]);
        assert_eq!(inspect(&dir.path().join("missing")).unwrap(), Folder::Empty);
    }
}
