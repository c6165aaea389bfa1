//! From the matrix of outcomes (outcome x option x world) to the tables of
//! a decision: robustness, scenario discovery and value of information.

use super::frame::Frame;
use super::plan::Source;
use super::prim::{self, Discovery};
use super::robust::{self, Robustness};
use super::voi::{self, Estimate};
use crate::model::rng::key;
use rayon::prelude::*;
use std::fmt::Write as _;

/// Why PRIM looked at a set of worlds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The option misses at least one threshold.
    MissesThreshold,
    /// The recommended option is not best on the first outcome.
    NotBest,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::MissesThreshold => "misses_threshold",
            Kind::NotBest => "not_best",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Case {
    pub option: usize,
    pub kind: Kind,
    /// Worlds in which it happens.
    pub cases: usize,
    /// None when it happens in no world or in every world.
    pub discovery: Option<Discovery>,
}

#[derive(Clone, Debug)]
pub struct VoiRow {
    pub outcome: usize,
    /// "evpi" or "evppi".
    pub quantity: &'static str,
    /// An input's name, or a group: "posterior", "deep", "all_inputs"; empty for EVPI.
    pub input: String,
    pub source: &'static str,
    pub estimate: Estimate,
}

#[derive(Clone, Debug)]
pub struct Analysis {
    pub robustness: Vec<Robustness>,
    /// The option most often best on the first outcome (ties: the lower expected regret).
    pub recommended: usize,
    pub cases: Vec<Case>,
    pub voi: Vec<VoiRow>,
}

pub fn analyse(frame: &Frame, values: &[Vec<Vec<f64>>]) -> Analysis {
    let criteria: Vec<_> = frame.outcomes.iter().map(|o| o.criterion()).collect();
    let rows = robust::robustness(values, &criteria, 0);
    let first: Vec<&Robustness> = rows.iter().filter(|r| r.outcome == Some(0)).collect();
    let recommended = (0..first.len())
        .max_by(|&a, &b| {
            (first[a].prob_best, -first[a].regret_mean)
                .partial_cmp(&(first[b].prob_best, -first[b].regret_mean))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.cmp(&a))
        })
        .unwrap_or(0);

    // PRIM over the worlds' inputs.
    let n = frame.worlds.len();
    let x: Vec<Vec<f64>> =
        (0..frame.inputs.len()).map(|j| frame.worlds.iter().map(|w| w.values[j]).collect()).collect();
    let mut questions: Vec<(usize, Kind, Vec<bool>)> = Vec::new();
    if criteria.iter().any(|c| c.threshold.is_some()) {
        for o in 0..frame.options.len() {
            let y =
                (0..n).map(|w| !values.iter().zip(&criteria).all(|(v, c)| c.meets(v[o][w]).unwrap_or(true))).collect();
            questions.push((o, Kind::MissesThreshold, y));
        }
    }
    let regret0 = robust::regret(&values[0], criteria[0].direction);
    questions.push((recommended, Kind::NotBest, regret0[recommended].iter().map(|&r| r > 0.0).collect()));
    let cases = questions
        .into_par_iter()
        .map(|(option, kind, y)| {
            let count = y.iter().filter(|&&b| b).count();
            let discovery =
                (count > 0 && count < n && !x.is_empty()).then(|| prim::prim(&x, &y, &prim::Settings::default()));
            Case { option, kind, cases: count, discovery }
        })
        .collect();

    // Value of information, per outcome.
    let mut tasks: Vec<(usize, String, &'static str, Vec<usize>)> = Vec::new();
    for k in 0..frame.outcomes.len() {
        for (j, i) in frame.inputs.iter().enumerate() {
            let src = if i.source == Source::Posterior { "posterior" } else { "deep" };
            tasks.push((k, i.name.clone(), src, vec![j]));
        }
        for (group, src) in [("posterior", Source::Posterior), ("deep", Source::Deep)] {
            let js: Vec<usize> = (0..frame.inputs.len()).filter(|&j| frame.inputs[j].source == src).collect();
            if js.len() > 1 {
                tasks.push((k, format!("{group} (group)"), "group", js));
            }
        }
        if frame.inputs.len() > 1 {
            tasks.push((k, "all inputs (group)".into(), "group", (0..frame.inputs.len()).collect()));
        }
    }
    let inb: Vec<Vec<Vec<f64>>> = values
        .iter()
        .zip(&criteria)
        .map(|(v, c)| {
            v[1..]
                .iter()
                .map(|o| o.iter().zip(&v[0]).map(|(a, b)| c.direction.good(*a) - c.direction.good(*b)).collect())
                .collect()
        })
        .collect();
    let evpi: Vec<Estimate> =
        (0..frame.outcomes.len()).map(|k| voi::evpi(&inb[k], key(&[frame.seed, k as u64]))).collect();
    let estimates: Vec<VoiRow> = tasks
        .into_par_iter()
        .enumerate()
        .map(|(t, (k, input, source, js))| {
            let cols: Vec<&[f64]> = js.iter().map(|&j| x[j].as_slice()).collect();
            let e = voi::evppi(&inb[k], &cols, key(&[frame.seed, k as u64, t as u64]));
            VoiRow { outcome: k, quantity: "evppi", input, source, estimate: voi::bounded(e, evpi[k].value) }
        })
        .collect();
    let mut voi_rows = Vec::new();
    for (k, e) in evpi.iter().enumerate() {
        voi_rows.push(VoiRow { outcome: k, quantity: "evpi", input: String::new(), source: "", estimate: *e });
        voi_rows.extend(estimates.iter().filter(|r| r.outcome == k).cloned());
    }
    Analysis { robustness: rows, recommended, cases, voi: voi_rows }
}

/// A number for a CSV cell: empty when it does not apply.
pub fn cell(v: f64) -> String {
    if v.is_nan() { String::new() } else { v.to_string() }
}

pub fn worlds_csv(frame: &Frame) -> String {
    let mut s = String::from("world,draw");
    for i in &frame.inputs {
        s += ",";
        s += &i.name;
    }
    s.push('\n');
    for (w, world) in frame.worlds.iter().enumerate() {
        let _ = write!(s, "{w},{}", world.draw.map_or(String::new(), |d| d.to_string()));
        for v in &world.values {
            let _ = write!(s, ",{v}");
        }
        s.push('\n');
    }
    s
}

pub const ROBUSTNESS_HEADER: &str = "option,outcome,direction,threshold,worlds,mean,p05,p50,p95,diff_mean,diff_p05,diff_p95,\
prob_best,prob_best_low,prob_best_high,regret_mean,regret_p90,satisficing,worst5";

pub fn robustness_csv(frame: &Frame, a: &Analysis) -> String {
    let mut s = format!("{ROBUSTNESS_HEADER}\n");
    for r in &a.robustness {
        let (label, dir, threshold) = match r.outcome {
            Some(k) => {
                let o = &frame.outcomes[k];
                (o.label.as_str(), o.direction.name(), o.threshold.map_or(String::new(), |t| t.to_string()))
            }
            None => ("all", "", String::new()),
        };
        let nums = [
            r.mean,
            r.p05,
            r.p50,
            r.p95,
            r.diff_mean,
            r.diff_p05,
            r.diff_p95,
            r.prob_best,
            r.prob_best_low,
            r.prob_best_high,
            r.regret_mean,
            r.regret_p90,
            r.satisficing,
            r.worst5,
        ]
        .map(cell)
        .join(",");
        let _ = writeln!(s, "{},{label},{dir},{threshold},{},{nums}", frame.options[r.option], frame.worlds.len());
    }
    s
}

fn case_name(frame: &Frame, c: &Case) -> String {
    format!("{}:{}", c.kind.name(), frame.options[c.option])
}

pub fn discovery_csv(frame: &Frame, a: &Analysis) -> String {
    let mut s = String::from("case,option,kind,cases,step,coverage,density,mass,restricted_count,restricted,chosen\n");
    for c in &a.cases {
        let Some(d) = &c.discovery else { continue };
        for (i, t) in d.trajectory.iter().enumerate() {
            let names: Vec<&str> = t.restricted.iter().map(|&j| frame.inputs[j].name.as_str()).collect();
            let _ = writeln!(
                s,
                "{},{},{},{},{i},{},{},{},{},{},{}",
                case_name(frame, c),
                frame.options[c.option],
                c.kind.name(),
                c.cases,
                t.coverage,
                t.density,
                t.mass,
                names.len(),
                names.join(";"),
                u8::from(i == d.chosen)
            );
        }
    }
    s
}

pub fn boxes_csv(frame: &Frame, a: &Analysis) -> String {
    let mut s = String::from(
        "case,option,kind,cases,worlds,coverage,density,mass,meets_threshold,input,lower,upper,min,max,qp_lower,qp_upper\n",
    );
    for c in &a.cases {
        let head = format!(
            "{},{},{},{},{}",
            case_name(frame, c),
            frame.options[c.option],
            c.kind.name(),
            c.cases,
            frame.worlds.len()
        );
        let Some(d) = &c.discovery else {
            let _ = writeln!(s, "{head},,,,,,,,,,,");
            continue;
        };
        let t = &d.trajectory[d.chosen];
        let stats = format!("{},{},{},{}", t.coverage, t.density, t.mass, u8::from(d.meets_threshold));
        if d.limits.is_empty() {
            let _ = writeln!(s, "{head},{stats},,,,,,,");
        }
        for l in &d.limits {
            let j = l.input;
            let (lo, hi) = frame
                .worlds
                .iter()
                .map(|w| w.values[j])
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
            let _ = writeln!(
                s,
                "{head},{stats},{},{},{},{lo},{hi},{},{}",
                frame.inputs[j].name,
                l.lower,
                l.upper,
                cell(l.qp_lower),
                cell(l.qp_upper)
            );
        }
    }
    s
}

pub fn voi_csv(frame: &Frame, a: &Analysis) -> String {
    let mut s = String::from("outcome,quantity,input,source,value,se,method\n");
    for r in &a.voi {
        // Strong, Oakley and Brennan (2014) regression, smoother named.
        let method = if r.quantity == "evpi" {
            "per_world"
        } else if r.source == "group" {
            "additive_p_splines_gcv"
        } else {
            "p_spline_gcv"
        };
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{method}",
            frame.outcomes[r.outcome].label, r.quantity, r.input, r.source, r.estimate.value, r.estimate.se
        );
    }
    s
}
