//! What the charts read: a run folder's summary.csv, timeseries.csv,
//! footprints.csv (if written) and manifest.json. Never the model.

use crate::core::quarter::Quarter;
use crate::model::Metric;
use crate::model::levers::Targets;
use crate::results::manifest::{StoredLever, StoredManifest, StoredScenario};
use crate::scenario::StructureSpec;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{}: cannot read: {reason}", path.display())]
    Read { path: PathBuf, reason: std::io::Error },
    #[error("{}, line {line}: {message}", path.display())]
    Parse { path: PathBuf, line: u64, message: String },
    #[error("{}: {message}", path.display())]
    Manifest { path: PathBuf, message: String },
    /// The folder's files are not the set its manifest describes.
    #[error("{message}")]
    Mixed { path: PathBuf, message: String },
}

/// A lever as the charts show it.
#[derive(Clone, Debug, PartialEq)]
pub struct LeverInfo {
    pub kind: String,
    pub start: Quarter,
    pub end: Option<Quarter>,
    /// "all footprints", "national", "9 footprints", ...
    pub target: String,
    /// The footprints a lever names, every one of them (empty for other selections).
    pub named: Vec<String>,
    /// The lever's own settings, e.g. "authority 0.5, formal appointment".
    pub settings: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioInfo {
    pub name: String,
    pub description: String,
    pub source: String,
    pub sha256: String,
    pub quarters: Vec<Quarter>,
    pub levers: Vec<LeverInfo>,
    /// The resolved structure as JSON, to tell whether two scenarios can be paired.
    pub structure: String,
    /// The structure in words: "England (44 footprints)", "north.csv (12 organisations, 3 footprints)".
    pub structure_name: String,
    /// Every parameter's value, by name.
    pub params: BTreeMap<String, f64>,
}

/// A parameter a scenario sets differently from its reference: the first
/// scenario of the run for the others, the dictionary's default for the first.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangedParam {
    pub name: String,
    pub value: f64,
    pub reference: f64,
}

/// mean, sd, p05, p25, p50, p75, p95.
pub type Stats = [f64; 7];

/// A row of differences.csv: median, p05, p95, mean, sd of the paired differences.
pub type DiffStats = [f64; 5];

/// Per-footprint medians over the replicates kept, for one scenario and metric.
#[derive(Clone, Debug, PartialEq)]
pub struct FootprintGrid {
    pub footprints: Vec<String>,
    pub quarters: Vec<Quarter>,
    /// `[footprint][quarter]`.
    pub median: Vec<Vec<f64>>,
    /// `[footprint][quarter]`: median over replicates of this scenario minus
    /// the first, replicate by replicate; none for the first scenario or one
    /// that cannot be paired with it.
    pub difference: Option<Vec<Vec<f64>>>,
    pub replicates: usize,
}

/// What charts and the report read: a run's summaries, paired differences,
/// footprint grids and manifest, from a run folder ([`RunData::load`]) or
/// straight from results in memory ([`RunData::from_results`]).
#[derive(Clone, Debug)]
pub struct RunData {
    pub version: String,
    pub seed: u64,
    pub replicates: u64,
    /// manifest.json as written (the report shows it whole) ...
    pub manifest_text: String,
    /// ... and as read, typed.
    pub manifest: StoredManifest,
    pub scenarios: Vec<ScenarioInfo>,
    summary: BTreeMap<(usize, Quarter, Metric), Stats>,
    differences: BTreeMap<(usize, Quarter, Metric), DiffStats>,
    /// (scenario, metric) -> grid, for the heatmap metrics.
    pub footprints: BTreeMap<(usize, Metric), FootprintGrid>,
    /// The run's data files present beside the charts, for the report's links.
    pub files: Vec<String>,
}

/// Metrics drawn as footprint heatmaps.
pub const HEATMAP_METRICS: [Metric; 2] = [Metric::TransformationIndex, Metric::SocialCarePriority];

/// Data files a run may write, in the order the report lists them.
pub const DATA_FILES: [&str; 6] =
    ["summary.csv", "differences.csv", "tables.xlsx", "timeseries.csv", "footprints.csv", "manifest.json"];

/// The largest run file `plot` reads whole.
pub const READ_LIMIT: u64 = 1 << 30;

fn read(path: &Path) -> Result<String, InputError> {
    // A regular file only (a FIFO or a link to /dev/zero is refused at once),
    // of at most 1 GiB: a run's own files are far smaller.
    crate::fsx::read_text(path, READ_LIMIT).map_err(|e| InputError::Read { path: path.to_path_buf(), reason: e })
}

/// A reader of one of a run's CSV files, after checking its header.
fn csv_reader(path: &Path, header: &str) -> Result<csv::Reader<std::fs::File>, InputError> {
    let f = crate::fsx::open_regular(path).map_err(|e| InputError::Read { path: path.to_path_buf(), reason: e })?;
    let mut rdr = csv::Reader::from_reader(f);
    let found = rdr.headers().map(|h| h.iter().collect::<Vec<_>>().join(",")).unwrap_or_default();
    // A run over a posterior adds a last `spread` column to summary.csv.
    if found != header && found.strip_suffix(",spread") != Some(header) {
        return Err(parse_err(path, 1, format!("the header is `{found}`, not `{header}`")));
    }
    Ok(rdr)
}

/// The largest magnitude a chart accepts. No metric comes near it (shares
/// lie in 0..1, money within a few £bn); a value beyond it, or not a finite
/// number, is an edited file, and would stall the axis scaling.
pub const MAX_PLOT_VALUE: f64 = 1e12;

/// A number from a run's or sweep's file, refused unless finite and within
/// [`MAX_PLOT_VALUE`]; `field` names the column for the message.
pub fn plot_number(path: &Path, line: u64, field: &str, text: &str) -> Result<f64, InputError> {
    let shown = crate::core::text::shorten(text, 40);
    let v: f64 =
        text.trim().parse().map_err(|_| parse_err(path, line, format!("{field} is \"{shown}\", not a number")))?;
    if !v.is_finite() || v.abs() > MAX_PLOT_VALUE {
        return Err(parse_err(
            path,
            line,
            format!(
                "{field} is {shown}: charts need finite numbers between -1e12 and 1e12 (no metric comes near); \
                 the file was edited or is not stpsim's"
            ),
        ));
    }
    Ok(v)
}

fn parse_err(path: &Path, line: u64, message: impl Into<String>) -> InputError {
    InputError::Parse { path: path.to_path_buf(), line, message: message.into() }
}

/// The structure in words.
fn structure_name(spec: &StructureSpec, footprints: usize) -> String {
    match spec {
        StructureSpec::England => format!("England ({footprints} footprints)"),
        StructureSpec::Synthetic { .. } => format!("a synthetic system of {footprints} footprints"),
        StructureSpec::File { path, organisations } => {
            let file = Path::new(path).file_name().map_or(path.clone(), |f| f.to_string_lossy().into_owned());
            format!("{file} ({} organisations, {footprints} footprints)", organisations.len())
        }
    }
}

/// Scenarios as the charts show them, from a manifest's scenarios.
fn scenario_infos(list: &[StoredScenario]) -> Result<Vec<ScenarioInfo>, String> {
    let mut scenarios = Vec::new();
    for s in list {
        let r = &s.resolved;
        let name = r.name.as_str();
        // Names become chart file names: hold them to the scenario name rule.
        if !crate::scenario::is_valid_name(name) {
            return Err(format!(
                "scenario name \"{}\" breaks the name rule ({}); this folder was not written by stpsim or was edited",
                crate::core::text::shorten(name, 60),
                crate::scenario::NAME_RULE
            ));
        }
        if r.end < r.start {
            return Err(format!("scenario {name} ends ({}) before it starts ({})", r.end, r.start));
        }
        let names = &s.footprint_names;
        scenarios.push(ScenarioInfo {
            name: name.to_string(),
            description: r.description.clone(),
            source: r.source.clone(),
            sha256: s.sha256.clone(),
            quarters: (0..r.start.span_to(r.end)).map(|k| r.start.offset(k)).collect(),
            levers: r.levers.iter().map(|l| lever_info(l, names)).collect(),
            structure: serde_json::to_string(&r.structure).unwrap_or_default(),
            structure_name: structure_name(&r.structure, names.len()),
            params: r.params.clone(),
        });
    }
    if scenarios.is_empty() {
        return Err("no scenarios".into());
    }
    Ok(scenarios)
}

impl RunData {
    pub fn stats(&self, scenario: usize, q: Quarter, m: Metric) -> Option<&Stats> {
        self.summary.get(&(scenario, q, m))
    }

    /// Paired differences from the first scenario (a row of differences.csv).
    pub fn difference(&self, scenario: usize, q: Quarter, m: Metric) -> Option<&DiffStats> {
        self.differences.get(&(scenario, q, m))
    }

    /// Whether differences.csv pairs this scenario with the first.
    pub fn paired(&self, scenario: usize) -> bool {
        self.differences.keys().any(|k| k.0 == scenario)
    }

    /// The structures run, in words, without repeats: "England (44 footprints)".
    pub fn structure_names(&self) -> String {
        let mut names: Vec<&str> = Vec::new();
        for s in &self.scenarios {
            if !names.contains(&s.structure_name.as_str()) {
                names.push(&s.structure_name);
            }
        }
        names.join("; ")
    }

    /// The parameters a scenario sets differently from its reference: the
    /// dictionary's defaults for the first scenario, the first scenario for
    /// the others (what a comparison with it changes).
    pub fn changed_params(&self, scenario: usize) -> Vec<ChangedParam> {
        let this = &self.scenarios[scenario].params;
        let reference = |name: &str| -> Option<f64> {
            if scenario == 0 {
                crate::core::params::DICTIONARY.iter().find(|d| d.name == name).map(|d| d.default)
            } else {
                self.scenarios[0].params.get(name).copied()
            }
        };
        this.iter()
            .filter_map(|(name, &value)| {
                let r = reference(name)?;
                (r != value).then(|| ChangedParam { name: name.clone(), value, reference: r })
            })
            .collect()
    }

    /// From results in memory: the same data [`RunData::load`] reads from the
    /// files a run writes, without touching the file system. `manifest` is
    /// the run's manifest.json text, or none to describe the scenarios alone.
    pub fn from_results(
        results: &crate::results::Results,
        scenarios: &[crate::scenario::Scenario],
        seed: u64,
        manifest: Option<&str>,
    ) -> Result<RunData, InputError> {
        let bad = |message: String| InputError::Manifest { path: PathBuf::from("(in memory)"), message };
        let entries: Vec<serde_json::Value> = scenarios
            .iter()
            .map(|s| serde_json::to_value(crate::results::manifest::entry(s)).map_err(|e| bad(e.to_string())))
            .collect::<Result<_, _>>()?;
        let replicates = results.scenarios.first().map_or(0, |s| s.replicates) as u64;
        let manifest_text = match manifest {
            Some(t) => t.to_string(),
            None => serde_json::to_string_pretty(&serde_json::json!({
                "stpsim_version": env!("CARGO_PKG_VERSION"),
                "seed": seed,
                "replicates": replicates,
                "scenarios": entries,
            }))
            .unwrap_or_default(),
        };
        let manifest = crate::results::manifest::read(&manifest_text).map_err(|e| bad(e.to_string()))?;
        let infos = scenario_infos(&manifest.scenarios).map_err(bad)?;
        if results.scenarios.len() != infos.len() || results.scenarios.iter().zip(&infos).any(|(r, i)| r.name != i.name)
        {
            return Err(bad("the results and the scenarios do not match, scenario by scenario".into()));
        }
        let index = |name: &str| infos.iter().position(|s| s.name == name);
        let mut summary = BTreeMap::new();
        for r in crate::results::summary::summarise_results(results) {
            if let Some(s) = index(&r.scenario) {
                summary.insert((s, r.quarter, r.metric), [r.mean, r.sd, r.p05, r.p25, r.p50, r.p75, r.p95]);
            }
        }
        let mut differences = BTreeMap::new();
        for r in crate::results::summary::differences(results) {
            if let Some(s) = index(&r.scenario) {
                differences.insert((s, r.quarter, r.metric), [r.median, r.p05, r.p95, r.mean, r.sd]);
            }
        }
        let mut grids = Grids::default();
        for r in results.footprint_rows().filter(|r| HEATMAP_METRICS.contains(&r.metric)) {
            let Some(s) = index(r.scenario) else { continue };
            grids.add(&infos, s, r.replicate, r.quarter, r.footprint, r.metric, r.value);
        }
        let footprints = grids.finish(&infos);
        Ok(RunData {
            version: env!("CARGO_PKG_VERSION").to_string(),
            seed,
            replicates,
            manifest_text,
            manifest,
            scenarios: infos,
            summary,
            differences,
            footprints,
            // Nothing is written: the caller lists the files it writes.
            files: Vec::new(),
        })
    }

    /// Reads a run folder.
    pub fn load(dir: &Path) -> Result<RunData, InputError> {
        let mpath = dir.join("manifest.json");
        let manifest_text = read(&mpath)?;
        let bad = |message: &str| InputError::Manifest { path: mpath.clone(), message: message.to_string() };
        let manifest = crate::results::manifest::read(&manifest_text).map_err(|e| {
            bad(&format!("not a run's manifest ({e}); this folder was not written by stpsim or was edited"))
        })?;
        let (version, seed, replicates) =
            (manifest.stpsim_version.clone(), manifest.seed, u64::from(manifest.replicates));
        let scenarios = scenario_infos(&manifest.scenarios).map_err(|e| bad(&e))?;
        // A manifest with checksums vouches for one set: refuse a mixed one.
        if !manifest.file_sha256.is_empty() {
            crate::results::folder::verify(
                dir,
                "manifest.json",
                &manifest.file_sha256,
                crate::results::outputs::is_run_data_file,
            )
            .map_err(|message| InputError::Mixed { path: dir.to_path_buf(), message })?;
        }
        let index = |name: &str| scenarios.iter().position(|s| s.name == name);

        let spath = dir.join("summary.csv");
        let mut summary = BTreeMap::new();
        let mut rdr = csv_reader(&spath, "scenario,quarter,metric,mean,sd,p05,p25,p50,p75,p95")?;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| parse_err(&spath, e.position().map_or(0, |p| p.line()), e.to_string()))?;
            let line = rec.position().map_or(0, |p| p.line());
            if rec.len() != 10 && rec.len() != 11 {
                return Err(parse_err(&spath, line, "a row of summary.csv has 10 fields (11 over a posterior)"));
            }
            let (Some(s), Some(q), Some(m)) =
                (index(&rec[0]), Quarter::parse(&rec[1]).ok(), Metric::parse(rec.get(2).unwrap_or("")))
            else {
                continue; // a metric this version does not draw, or a scenario not in the manifest
            };
            let mut st = [0.0; 7];
            for (k, v) in st.iter_mut().enumerate() {
                let field = crate::results::summary::SUMMARY_NUMBERS[k].0;
                *v = plot_number(&spath, line, field, rec.get(3 + k).unwrap_or(""))?;
            }
            summary.insert((s, q, m), st);
        }

        let dpath = dir.join("differences.csv");
        let differences = if dpath.is_file() {
            read_differences(&dpath, &scenarios)?
        } else {
            differences_from_timeseries(dir, &scenarios)?
        };

        let mut footprints = BTreeMap::new();
        let fpath = dir.join("footprints.csv");
        if fpath.is_file() {
            footprints = read_footprints(&fpath, &scenarios)?;
        }
        let files = DATA_FILES.iter().filter(|f| dir.join(f).is_file()).map(|f| f.to_string()).collect();
        Ok(RunData {
            version,
            seed,
            replicates,
            manifest_text,
            manifest,
            scenarios,
            summary,
            differences,
            footprints,
            files,
        })
    }
}

fn read_differences(
    path: &Path,
    scenarios: &[ScenarioInfo],
) -> Result<BTreeMap<(usize, Quarter, Metric), DiffStats>, InputError> {
    let mut out = BTreeMap::new();
    let mut rdr = csv_reader(path, "scenario,quarter,metric,median,p05,p95,mean,sd")?;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| parse_err(path, e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != 8 {
            return Err(parse_err(path, line, "a row of differences.csv has 8 fields"));
        }
        let (Some(s), Some(q), Some(m)) =
            (scenarios.iter().position(|x| x.name == rec[0]), Quarter::parse(&rec[1]).ok(), Metric::parse(&rec[2]))
        else {
            continue;
        };
        let mut d = [0.0; 5];
        for (k, v) in d.iter_mut().enumerate() {
            *v = plot_number(path, line, crate::results::summary::DIFFERENCE_NUMBERS[k].0, &rec[3 + k])?;
        }
        out.insert((s, q, m), d);
    }
    Ok(out)
}

/// For a run folder written before differences.csv existed: the paired
/// differences from timeseries.csv, between scenarios of one structure.
fn differences_from_timeseries(
    dir: &Path,
    scenarios: &[ScenarioInfo],
) -> Result<BTreeMap<(usize, Quarter, Metric), DiffStats>, InputError> {
    let tpath = dir.join("timeseries.csv");
    let mut values: BTreeMap<(usize, Quarter, Metric), Vec<(usize, f64)>> = BTreeMap::new();
    let mut rdr = csv_reader(&tpath, "scenario,replicate,quarter,metric,value")?;
    let mut rec = csv::StringRecord::new();
    while rdr
        .read_record(&mut rec)
        .map_err(|e| parse_err(&tpath, e.position().map_or(0, |p| p.line()), e.to_string()))?
    {
        let line = rec.position().map_or(0, |p| p.line());
        let Some(s) = scenarios.iter().position(|x| x.name == rec[0]) else { continue };
        let (Ok(q), Some(m)) = (Quarter::parse(&rec[2]), Metric::parse(&rec[3])) else { continue };
        let r: usize = rec[1].parse().map_err(|_| parse_err(&tpath, line, "bad replicate"))?;
        let v = plot_number(&tpath, line, "value", &rec[4])?;
        values.entry((s, q, m)).or_default().push((r, v));
    }
    let mut out = BTreeMap::new();
    for s in (1..scenarios.len()).filter(|&s| scenarios[s].structure == scenarios[0].structure) {
        for (&(_, q, m), v) in values.iter().filter(|(k, _)| k.0 == s) {
            let Some(b) = values.get(&(0, q, m)) else { continue };
            if b.len() != v.len() {
                continue;
            }
            let mut d = paired_by_replicate(b, v);
            let (mean, sd, p) = crate::results::summary::describe(&mut d);
            out.insert((s, q, m), [p[2], p[0], p[4], mean, sd]);
        }
    }
    Ok(out)
}

/// `other - base`, matching (replicate, value) pairs by replicate.
fn paired_by_replicate(base: &[(usize, f64)], other: &[(usize, f64)]) -> Vec<f64> {
    let mut b = base.to_vec();
    let mut o = other.to_vec();
    b.sort_by_key(|x| x.0);
    o.sort_by_key(|x| x.0);
    b.iter().zip(&o).filter(|(x, y)| x.0 == y.0).map(|(x, y)| y.1 - x.1).collect()
}

fn lever_info(l: &StoredLever, names: &[String]) -> LeverInfo {
    let mut named = Vec::new();
    let target = match &l.footprints {
        Targets::All => "all footprints".to_string(),
        Targets::National => "national".to_string(),
        Targets::Named(idx) => {
            named = idx.iter().filter_map(|&i| names.get(i).cloned()).collect();
            if named.len() <= 2 { named.join("; ") } else { format!("{} footprints", named.len()) }
        }
        Targets::MostReady(n) => format!("the {n} most ready"),
        Targets::LeastReady(n) => format!("the {n} least ready"),
    };
    let settings = l
        .settings
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::Array(a) => format!("{} {}", k.replace('_', " "), a.len()),
            _ => format!("{} {}", k.replace('_', " "), v),
        })
        .collect::<Vec<_>>()
        .join(", ");
    LeverInfo { kind: l.kind.clone(), start: l.start, end: l.end, target, named, settings }
}

/// Footprint values being gathered, per (scenario, metric): footprint names
/// in order, and (replicate, value) pairs per (footprint, quarter).
#[derive(Default)]
struct Grids {
    grids: BTreeMap<(usize, Metric), Gathering>,
}

/// Footprint names in order, and (replicate, value) pairs per (footprint, quarter).
type Gathering = (Vec<String>, BTreeMap<(usize, usize), Vec<(usize, f64)>>);

impl Grids {
    #[allow(clippy::too_many_arguments)]
    fn add(&mut self, infos: &[ScenarioInfo], s: usize, rep: usize, q: Quarter, footprint: &str, m: Metric, v: f64) {
        let Some(qi) = infos[s].quarters.iter().position(|x| *x == q) else { return };
        let (order, values) = self.grids.entry((s, m)).or_default();
        let fi = match order.iter().position(|n| n == footprint) {
            Some(i) => i,
            None => {
                order.push(footprint.to_string());
                order.len() - 1
            }
        };
        values.entry((fi, qi)).or_default().push((rep, v));
    }

    fn finish(self, infos: &[ScenarioInfo]) -> BTreeMap<(usize, Metric), FootprintGrid> {
        let median_of = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            crate::results::summary::quantile(&v, 0.5)
        };
        let empty = Vec::new();
        let mut out = BTreeMap::new();
        for (&(s, m), (order, values)) in &self.grids {
            let nq = infos[s].quarters.len();
            let cell = |f: usize, q: usize| values.get(&(f, q)).unwrap_or(&empty);
            let median = (0..order.len())
                .map(|f| (0..nq).map(|q| median_of(cell(f, q).iter().map(|x| x.1).collect())).collect())
                .collect();
            let replicates = values.values().flatten().map(|x| x.0 + 1).max().unwrap_or(0);
            // Paired with the first scenario: same structure, footprints and quarters.
            let difference = self
                .grids
                .get(&(0, m))
                .filter(|(base_order, _)| s > 0 && infos[s].structure == infos[0].structure && *base_order == *order)
                .map(|(_, base)| {
                    (0..order.len())
                        .map(|f| {
                            (0..nq)
                                .map(|q| {
                                    let bq = infos[0].quarters.iter().position(|x| *x == infos[s].quarters[q]);
                                    let b = bq.and_then(|bq| base.get(&(f, bq))).unwrap_or(&empty);
                                    median_of(paired_by_replicate(b, cell(f, q)))
                                })
                                .collect()
                        })
                        .collect()
                });
            out.insert(
                (s, m),
                FootprintGrid {
                    footprints: order.clone(),
                    quarters: infos[s].quarters.clone(),
                    median,
                    difference,
                    replicates,
                },
            );
        }
        out
    }
}

fn read_footprints(
    path: &Path,
    scenarios: &[ScenarioInfo],
) -> Result<BTreeMap<(usize, Metric), FootprintGrid>, InputError> {
    let mut rdr = csv_reader(path, "scenario,replicate,quarter,footprint,metric,value")?;
    let mut rec = csv::ByteRecord::new();
    let mut grids = Grids::default();
    let names: Vec<&[u8]> = HEATMAP_METRICS.iter().map(|m| m.name().as_bytes()).collect();
    while rdr
        .read_byte_record(&mut rec)
        .map_err(|e| parse_err(path, e.position().map_or(0, |p| p.line()), e.to_string()))?
    {
        let Some(mi) = names.iter().position(|n| *n == &rec[4]) else { continue };
        let m = HEATMAP_METRICS[mi];
        let text = |i: usize| std::str::from_utf8(&rec[i]).unwrap_or("");
        let Some(s) = scenarios.iter().position(|x| x.name == text(0)) else { continue };
        let Ok(q) = Quarter::parse(text(2)) else { continue };
        let line = rec.position().map_or(0, |p| p.line());
        let v = plot_number(path, line, "value", text(5))?;
        let rep: usize = text(1).parse().map_err(|_| parse_err(path, line, "bad replicate"))?;
        grids.add(scenarios, s, rep, q, text(3), m, v);
    }
    Ok(grids.finish(scenarios))
}
