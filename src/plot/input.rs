//! What the charts read: a run folder's summary.csv, timeseries.csv,
//! footprints.csv (if written) and manifest.json. Never the model.

use crate::model::Metric;
use crate::quarter::Quarter;
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
}

/// A lever as the charts show it.
#[derive(Clone, Debug, PartialEq)]
pub struct LeverInfo {
    pub kind: String,
    pub start: Quarter,
    pub end: Option<Quarter>,
    /// "all footprints", "national", "9 footprints", ...
    pub target: String,
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
}

/// mean, sd, p05, p25, p50, p75, p95.
pub type Stats = [f64; 7];

/// Per-footprint medians over the replicates kept, for one scenario and metric.
#[derive(Clone, Debug, PartialEq)]
pub struct FootprintGrid {
    pub footprints: Vec<String>,
    pub quarters: Vec<Quarter>,
    /// `[footprint][quarter]`.
    pub median: Vec<Vec<f64>>,
    pub replicates: usize,
}

#[derive(Clone, Debug)]
pub struct RunData {
    pub dir: PathBuf,
    pub version: String,
    pub seed: u64,
    pub replicates: u64,
    pub manifest_text: String,
    pub scenarios: Vec<ScenarioInfo>,
    summary: BTreeMap<(usize, Quarter, Metric), Stats>,
    /// Each scenario's values at its final quarter, by replicate, per metric.
    finals: BTreeMap<(usize, Metric), Vec<f64>>,
    /// (scenario, metric) -> grid, for the heatmap metrics.
    pub footprints: BTreeMap<(usize, Metric), FootprintGrid>,
}

/// Metrics drawn as footprint heatmaps.
pub const HEATMAP_METRICS: [Metric; 2] = [Metric::TransformationIndex, Metric::SocialCarePriority];

fn read(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| InputError::Read { path: path.to_path_buf(), reason: e })
}

/// A reader of one of a run's CSV files, after checking its header.
fn csv_reader(path: &Path, header: &str) -> Result<csv::Reader<std::fs::File>, InputError> {
    let f = std::fs::File::open(path).map_err(|e| InputError::Read { path: path.to_path_buf(), reason: e })?;
    let mut rdr = csv::Reader::from_reader(f);
    let found = rdr.headers().map(|h| h.iter().collect::<Vec<_>>().join(",")).unwrap_or_default();
    // A run over a posterior adds a last `spread` column to summary.csv.
    if found != header && found.strip_suffix(",spread") != Some(header) {
        return Err(parse_err(path, 1, format!("the header is `{found}`, not `{header}`")));
    }
    Ok(rdr)
}

fn parse_err(path: &Path, line: u64, message: impl Into<String>) -> InputError {
    InputError::Parse { path: path.to_path_buf(), line, message: message.into() }
}

impl RunData {
    pub fn stats(&self, scenario: usize, q: Quarter, m: Metric) -> Option<&Stats> {
        self.summary.get(&(scenario, q, m))
    }

    pub fn finals(&self, scenario: usize, m: Metric) -> &[f64] {
        self.finals.get(&(scenario, m)).map_or(&[], Vec::as_slice)
    }

    /// Reads a run folder.
    pub fn load(dir: &Path) -> Result<RunData, InputError> {
        let mpath = dir.join("manifest.json");
        let manifest_text = read(&mpath)?;
        let bad = |message: &str| InputError::Manifest { path: mpath.clone(), message: message.to_string() };
        let m: serde_json::Value = serde_json::from_str(&manifest_text).map_err(|e| bad(&e.to_string()))?;
        let version = m["stpsim_version"].as_str().ok_or_else(|| bad("no stpsim_version"))?.to_string();
        let seed = m["seed"].as_u64().ok_or_else(|| bad("no seed"))?;
        let replicates = m["replicates"].as_u64().ok_or_else(|| bad("no replicates"))?;
        let mut scenarios = Vec::new();
        for s in m["scenarios"].as_array().ok_or_else(|| bad("no scenarios"))? {
            let r = &s["resolved"];
            let q = |v: &serde_json::Value| v.as_str().and_then(|t| Quarter::parse(t).ok());
            let (start, end) =
                (q(&r["start"]).ok_or_else(|| bad("bad start"))?, q(&r["end"]).ok_or_else(|| bad("bad end"))?);
            let names: Vec<String> = s["footprint_names"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                .unwrap_or_default();
            let levers = r["levers"]
                .as_array()
                .map(|a| a.iter().filter_map(|l| lever_info(l, &names)).collect())
                .unwrap_or_default();
            scenarios.push(ScenarioInfo {
                name: r["name"].as_str().unwrap_or("").to_string(),
                description: r["description"].as_str().unwrap_or("").to_string(),
                source: r["source"].as_str().unwrap_or("").to_string(),
                sha256: s["sha256"].as_str().unwrap_or("").to_string(),
                quarters: (0..start.span_to(end)).map(|k| start.offset(k)).collect(),
                levers,
                structure: r["structure"].to_string(),
            });
        }
        if scenarios.is_empty() {
            return Err(bad("no scenarios"));
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
                *v = rec
                    .get(3 + k)
                    .and_then(|x| x.parse().ok())
                    .ok_or_else(|| parse_err(&spath, line, "a number is missing"))?;
            }
            summary.insert((s, q, m), st);
        }

        let tpath = dir.join("timeseries.csv");
        let mut finals: BTreeMap<(usize, Metric), Vec<f64>> = BTreeMap::new();
        let mut rdr = csv_reader(&tpath, "scenario,replicate,quarter,metric,value")?;
        let mut rec = csv::StringRecord::new();
        while rdr
            .read_record(&mut rec)
            .map_err(|e| parse_err(&tpath, e.position().map_or(0, |p| p.line()), e.to_string()))?
        {
            let Some(s) = index(&rec[0]) else { continue };
            if Quarter::parse(&rec[2]).ok() != scenarios[s].quarters.last().copied() {
                continue;
            }
            let Some(m) = Metric::parse(&rec[3]) else { continue };
            let v: f64 =
                rec[4].parse().map_err(|_| parse_err(&tpath, rec.position().map_or(0, |p| p.line()), "bad value"))?;
            finals.entry((s, m)).or_default().push(v);
        }

        let mut footprints = BTreeMap::new();
        let fpath = dir.join("footprints.csv");
        if fpath.is_file() {
            footprints = read_footprints(&fpath, &scenarios)?;
        }
        Ok(RunData {
            dir: dir.to_path_buf(),
            version,
            seed,
            replicates,
            manifest_text,
            scenarios,
            summary,
            finals,
            footprints,
        })
    }
}

fn lever_info(l: &serde_json::Value, names: &[String]) -> Option<LeverInfo> {
    let kind = l["kind"].as_str()?.to_string();
    let start = Quarter::parse(l["start"].as_str()?).ok()?;
    let end = l["end"].as_str().and_then(|e| Quarter::parse(e).ok());
    let f = &l["footprints"];
    let target = match f {
        serde_json::Value::String(s) if s == "all" => "all footprints".to_string(),
        serde_json::Value::String(s) if s == "national" => "national".to_string(),
        serde_json::Value::Object(o) => match o.iter().next() {
            Some((k, v)) if k == "named" => {
                let idx: Vec<usize> = v
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_u64()).map(|x| x as usize).collect())
                    .unwrap_or_default();
                let shown: Vec<&str> = idx.iter().filter_map(|&i| names.get(i).map(String::as_str)).collect();
                if shown.len() <= 2 { shown.join("; ") } else { format!("{} footprints", shown.len()) }
            }
            Some((k, v)) => format!("the {} {} ready", v, if k == "most_ready" { "most" } else { "least" }),
            None => String::new(),
        },
        _ => String::new(),
    };
    let settings = l
        .as_object()?
        .iter()
        .filter(|(k, _)| !["kind", "start", "end", "footprints"].contains(&k.as_str()))
        .map(|(k, v)| match v {
            serde_json::Value::Array(a) => format!("{} {}", k.replace('_', " "), a.len()),
            _ => format!("{} {}", k.replace('_', " "), v),
        })
        .collect::<Vec<_>>()
        .join(", ");
    Some(LeverInfo { kind, start, end, target, settings })
}

/// A grid being read: footprint names in order, values by (footprint, quarter), replicates seen.
type Collecting = (Vec<String>, BTreeMap<(usize, usize), Vec<f64>>, usize);

fn read_footprints(
    path: &Path,
    scenarios: &[ScenarioInfo],
) -> Result<BTreeMap<(usize, Metric), FootprintGrid>, InputError> {
    let mut rdr = csv_reader(path, "scenario,replicate,quarter,footprint,metric,value")?;
    let mut rec = csv::ByteRecord::new();
    // (scenario, metric) -> footprint name order, and values per (footprint, quarter).
    let mut grids: BTreeMap<(usize, Metric), Collecting> = BTreeMap::new();
    let names: Vec<&[u8]> = HEATMAP_METRICS.iter().map(|m| m.name().as_bytes()).collect();
    while rdr
        .read_byte_record(&mut rec)
        .map_err(|e| parse_err(path, e.position().map_or(0, |p| p.line()), e.to_string()))?
    {
        let Some(mi) = names.iter().position(|n| *n == &rec[4]) else { continue };
        let m = HEATMAP_METRICS[mi];
        let text = |i: usize| std::str::from_utf8(&rec[i]).unwrap_or("");
        let Some(s) = scenarios.iter().position(|x| x.name == text(0)) else { continue };
        let Some(qi) = Quarter::parse(text(2)).ok().and_then(|q| scenarios[s].quarters.iter().position(|x| *x == q))
        else {
            continue;
        };
        let v: f64 =
            text(5).parse().map_err(|_| parse_err(path, rec.position().map_or(0, |p| p.line()), "bad value"))?;
        let rep: usize = text(1).parse().unwrap_or(0);
        let (order, values, reps) = grids.entry((s, m)).or_default();
        let fi = match order.iter().position(|n| n == text(3)) {
            Some(i) => i,
            None => {
                order.push(text(3).to_string());
                order.len() - 1
            }
        };
        values.entry((fi, qi)).or_default().push(v);
        *reps = (*reps).max(rep + 1);
    }
    Ok(grids
        .into_iter()
        .map(|((s, m), (order, mut values, reps))| {
            let nq = scenarios[s].quarters.len();
            let median = (0..order.len())
                .map(|f| {
                    (0..nq)
                        .map(|q| {
                            let v = values.entry((f, q)).or_default();
                            v.sort_by(f64::total_cmp);
                            crate::results::summary::quantile(v, 0.5)
                        })
                        .collect()
                })
                .collect();
            (
                (s, m),
                FootprintGrid { footprints: order, quarters: scenarios[s].quarters.clone(), median, replicates: reps },
            )
        })
        .collect())
}
