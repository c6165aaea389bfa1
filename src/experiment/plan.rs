//! Sweep plans: a base scenario, factors, a design and the metrics to keep.
//! Read like scenario files, in two layers, with located errors.

use super::design;
use crate::core::params::Params;
use crate::core::posterior::Posterior;
use crate::core::quarter::Quarter;
use crate::model::Metric;
use crate::model::levers::{Form, LEVERS, LeverAction};
use crate::scenario::error::{ScenarioError, SourceText, nearest};
use crate::scenario::{Scenario, raw::Num};
use serde::{Deserialize, Serialize};
use std::path::Path;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    base: Spanned<String>,
    replicates: Option<Spanned<Num>>,
    seed: Option<Spanned<Num>>,
    design: Spanned<String>,
    points: Option<Spanned<Num>>,
    levels: Option<Spanned<Num>>,
    bootstrap: Option<Spanned<Num>>,
    metrics: Spanned<Vec<Spanned<String>>>,
    factors: Spanned<Vec<RawFactor>>,
    posterior: Option<Spanned<String>>,
    parquet: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFactor {
    name: Spanned<String>,
    values: Option<Spanned<Vec<Spanned<Num>>>>,
    min: Option<Spanned<Num>>,
    max: Option<Spanned<Num>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    Grid,
    Lhs,
    Sobol,
    Morris,
}

/// What a factor sets.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reach {
    Param { name: String },
    Lever { lever: String, field: String },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Factor {
    pub name: String,
    pub reach: Reach,
    /// Grid levels, or the range [min, max] for the other designs.
    pub values: Vec<f64>,
    pub min: f64,
    pub max: f64,
    /// Whole numbers only (counts, quarters).
    pub integer: bool,
}

/// A metric at a quarter, written `metric@2021Q1`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Output {
    pub metric: Metric,
    pub quarter: Quarter,
}

impl Output {
    pub fn label(&self) -> String {
        format!("{}@{}", self.metric.name(), self.quarter)
    }
}

/// A validated plan with its design points.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub base: Scenario,
    pub replicates: u32,
    pub seed: u64,
    pub design: Design,
    /// lhs / sobol: base points; morris: trajectories.
    pub points: usize,
    pub levels: usize,
    pub bootstrap: usize,
    pub outputs: Vec<Output>,
    pub factors: Vec<Factor>,
    /// Factor values of every design point, in run order.
    #[serde(skip)]
    pub design_points: Vec<Vec<f64>>,
    /// The same points on the unit cube (sobol and morris designs).
    #[serde(skip)]
    pub unit_points: Vec<Vec<f64>>,
    /// The posterior replicate r draws the parameters no factor sets from
    /// (the same draw at every design point); None: the base's parameters.
    #[serde(skip)]
    pub posterior: Option<Posterior>,
    /// What the replicates' parameters are, in words (first line, plan.json).
    #[serde(skip)]
    pub parameters: String,
    /// The posterior's SHA-256, in the plan's hash: parts run over another
    /// posterior are never mixed with these.
    pub posterior_sha256: Option<String>,
    /// The posterior's parameters held fixed: those the base scenario sets
    /// itself and those a factor sets (a factor wins over the posterior).
    pub held: Vec<&'static str>,
    /// Also write sweep.parquet (`parquet = true`, or `--parquet`); not
    /// part of the plan's fingerprint.
    #[serde(skip)]
    pub parquet: bool,
}

/// A plan's `parquet = true`, refused with its line by a build without
/// the `parquet` feature (what `--parquet` says, located).
pub fn parquet_field(v: &Option<Spanned<bool>>, src: &SourceText) -> Result<bool, ScenarioError> {
    match v {
        Some(p) if *p.get_ref() && !crate::results::parquet::AVAILABLE => Err(src.at(
            p.span(),
            "parquet",
            "true",
            "needs stpsim built with Parquet support",
            &format!("false, or a build with it ({})", crate::results::parquet::HOW),
        )),
        Some(p) => Ok(*p.get_ref()),
        None => Ok(false),
    }
}

/// Largest design accepted, checked from the plan before any point is built.
pub const MAX_DESIGN_POINTS: usize = 10_000_000;

/// Lever fields a factor may set (numbers, whole numbers and switches), with their ranges.
pub fn lever_fields() -> impl Iterator<Item = (&'static str, &'static str, f64, f64, bool)> {
    LEVERS.iter().flat_map(|d| {
        d.fields
            .iter()
            .filter(|f| f.form != Form::Years)
            .map(|f| (d.name, f.name, f.spec.min, f.spec.max, f.form != Form::Number))
    })
}

/// Sets a factor's value in a scenario.
pub fn apply(s: &mut Scenario, reach: &Reach, v: f64) {
    match reach {
        Reach::Param { name } => {
            s.params.set(name, v);
        }
        Reach::Lever { lever, field } if field == "start" => {
            // Quarters after the run's start; a lever with an end keeps its length.
            let start = s.start.offset(v.round().max(0.0) as usize);
            for l in s.levers.iter_mut().filter(|l| l.action.name() == lever) {
                if let Some(end) = l.end {
                    let length = l.start.span_to(end).saturating_sub(1);
                    l.end = Some(start.offset(length.max(1)));
                }
                l.start = start;
            }
        }
        Reach::Lever { lever, field } => {
            for l in s.levers.iter_mut().filter(|l| l.action.name() == lever) {
                l.action.set(field, v);
            }
        }
    }
}

impl Plan {
    /// The scenario of design point `p`.
    pub fn scenario(&self, p: usize) -> Scenario {
        let mut s = self.base.clone();
        for (f, &v) in self.factors.iter().zip(&self.design_points[p]) {
            apply(&mut s, &f.reach, v);
            // A parameter factor is the scenario's own, so held over a posterior.
            if let Reach::Param { name } = &f.reach {
                if !s.set_params.contains(name) {
                    s.set_params.push(name.clone());
                }
            }
        }
        // Only the quarters the outputs need are simulated.
        if let Some(last) = self.outputs.iter().map(|o| o.quarter).max() {
            s.end = last;
            s.levers.retain(|l| l.start <= last);
        }
        s
    }

    /// The parameters replicate `r` runs with at a design point's scenario
    /// `s` ([`Plan::scenario`]): over a posterior, the draw replicate r takes
    /// in a run (the same at every point), with the point's factors and the
    /// base's own parameters held; else `s`'s own.
    pub fn replicate_params(&self, s: &Scenario, r: u64) -> Params {
        match &self.posterior {
            Some(post) => post.apply_holding(&s.params, post.draw_for(self.seed, r), &held(post, s)),
            None => s.params.clone(),
        }
    }

    /// A fingerprint of everything that decides the results, so a resume or a
    /// merge never mixes parts of two different plans.
    /// Paths are left out: `plans/p.toml` and `./plans/p.toml` are one plan,
    /// and a structure file counts by its organisations, not where it lies.
    pub fn hash(&self) -> String {
        let mut v = serde_json::to_value((self, &self.design_points)).unwrap_or_default();
        if let Some(base) = v.pointer_mut("/0/base").and_then(|b| b.as_object_mut()) {
            base.remove("source");
            if let Some(st) = base.get_mut("structure").and_then(|s| s.as_object_mut()) {
                st.remove("path");
            }
        }
        crate::core::text::sha256(&v.to_string())
    }
}

/// A whole number from `lo` to `hi` (a plan's counts and seed; decision plans read theirs alike).
pub fn whole(v: &Spanned<Num>, field: &str, lo: f64, hi: f64, src: &SourceText) -> Result<f64, ScenarioError> {
    let x = v.get_ref().0;
    if x.is_finite() && x >= lo && x <= hi && x.fract() == 0.0 {
        Ok(x)
    } else {
        Err(src.at(
            v.span(),
            field,
            &src.written(v.span()),
            crate::scenario::error::number_problem(x, true),
            &format!("a whole number from {lo} to {hi}"),
        ))
    }
}

/// Reads and checks a plan; `base` is a built-in name or a path relative to the plan.
/// The memory guard counts one worker per core, as a sweep with no `--threads`.
pub fn load(path: &Path) -> Result<Plan, ScenarioError> {
    load_with(path, None, None, crate::runner::threads(None), None)
}

/// Reads a plan with the command line's `--seed` and `--replicates`, which
/// override the plan's (the seed before it draws an LHS or Morris design).
/// `threads` is the number of workers the sweep will run on: the memory
/// guard counts one point's replicates and one model state per worker.
/// The posterior is the plan's `posterior`, else its base's, else England's.
pub fn load_with(
    path: &Path,
    seed: Option<u64>,
    replicates: Option<u32>,
    threads: usize,
    memory_limit: Option<f64>,
) -> Result<Plan, ScenarioError> {
    load_over(path, seed, replicates, threads, memory_limit, None)
}

/// As [`load_with`], with the command line's `--posterior` (`england`,
/// `none` or a file), which wins over the plan's `posterior` field; that
/// field wins over the base scenario's, and with neither the sweep runs over
/// the built-in England posterior ([`crate::scenario::posterior::choose`]).
pub fn load_over(
    path: &Path,
    seed: Option<u64>,
    replicates: Option<u32>,
    threads: usize,
    memory_limit: Option<f64>,
    posterior: Option<&str>,
) -> Result<Plan, ScenarioError> {
    let (seed_arg, replicates_arg) = (seed, replicates);
    let file = path.to_string_lossy().to_string();
    let text = crate::scenario::read::read_text(path, &file)?;
    let src = SourceText { file: &file, text: &text };
    let raw: RawPlan = toml::from_str(&text).map_err(|e| src.from_toml(&e))?;

    let base_name = raw.base.get_ref();
    let relative = path.parent().map(|d| d.join(base_name));
    let base = match relative.filter(|p| p.is_file()) {
        Some(p) => crate::scenario::load(&p.to_string_lossy())?,
        None => crate::scenario::load(base_name).map_err(|_| {
            src.at(
                raw.base.span(),
                "base",
                &format!("\"{base_name}\""),
                "is neither a built-in scenario nor a file beside the plan",
                "a built-in name (`stpsim scenarios` lists them) or a path relative to the plan",
            )
        })?,
    };
    let replicates = match &raw.replicates {
        Some(r) => whole(r, "replicates", 1.0, 1_000_000.0, &src)? as u32,
        None => base.replicates.unwrap_or(crate::core::defaults::SWEEP_REPLICATES),
    };
    let replicates = replicates_arg.unwrap_or(replicates);
    let seed = match &raw.seed {
        Some(s) => whole(s, "seed", 0.0, 9_007_199_254_740_992.0, &src)? as u64,
        None => base.seed.unwrap_or(crate::core::defaults::SEED),
    };
    let seed = seed_arg.unwrap_or(seed);
    let design = match raw.design.get_ref().as_str() {
        "grid" => Design::Grid,
        "lhs" => Design::Lhs,
        "sobol" => Design::Sobol,
        "morris" => Design::Morris,
        other => {
            return Err(src.at(
                raw.design.span(),
                "design",
                &format!("\"{other}\""),
                "is not a design",
                "one of \"grid\", \"lhs\", \"sobol\", \"morris\"",
            ));
        }
    };
    let points = match &raw.points {
        Some(p) => whole(p, "points", 1.0, 10_000_000.0, &src)? as usize,
        None if design == Design::Grid => 0,
        None => {
            return Err(src.at(
                raw.design.span(),
                "points",
                "",
                &format!("is required by design = \"{}\"", raw.design.get_ref()),
                "lhs and sobol: the number of points; morris: the number of trajectories",
            ));
        }
    };
    let levels = match &raw.levels {
        Some(l) => whole(l, "levels", 2.0, 100.0, &src)? as usize,
        None => 4,
    };
    let bootstrap = match &raw.bootstrap {
        Some(b) => whole(b, "bootstrap", 0.0, 100_000.0, &src)? as usize,
        None => 1000,
    };

    let mut outputs = Vec::new();
    for m in raw.metrics.get_ref() {
        let bad = |rule: &str| {
            src.at(m.span(), "metrics", &format!("\"{}\"", m.get_ref()), "is not a metric at a quarter", rule)
        };
        let (name, q) = m
            .get_ref()
            .split_once('@')
            .ok_or_else(|| bad("metric@quarter, such as \"transformation_index@2021Q1\""))?;
        let metric = Metric::parse(name).ok_or_else(|| {
            let near = nearest(name, Metric::ALL.iter().map(|m| m.name()), 3);
            bad(&format!("a metric such as {}", near.join(", ")))
        })?;
        let quarter = Quarter::parse(q).map_err(|e| bad(&e))?;
        if quarter < base.start || quarter > base.end {
            return Err(bad(&format!("a quarter of the base scenario's run, {} to {}", base.start, base.end)));
        }
        outputs.push(Output { metric, quarter });
    }
    if outputs.is_empty() {
        return Err(src.at(
            raw.metrics.span(),
            "metrics",
            "[]",
            "lists no metric",
            "at least one, such as \"transformation_index@2021Q1\"",
        ));
    }

    let mut factors = Vec::new();
    for (i, f) in raw.factors.get_ref().iter().enumerate() {
        let field = format!("factors[{i}]");
        let name = f.name.get_ref().clone();
        let (reach, lo, hi, integer) = if let Some(rest) = name.strip_prefix("lever.") {
            let (lever, lf) = rest.split_once('.').unwrap_or((rest, ""));
            let span = (base.start.span_to(base.end) as f64 - 1.0).max(0.0);
            let start_field =
                (lf == "start" && LeverAction::KINDS.contains(&lever)).then_some((lever, "start", 0.0, span, true));
            let Some((_, _, lo, hi, int)) =
                start_field.or_else(|| lever_fields().find(|(k, f, ..)| *k == lever && *f == lf))
            else {
                let known: Vec<String> = lever_fields().map(|(k, f, ..)| format!("lever.{k}.{f}")).collect();
                return Err(src.at(
                    f.name.span(),
                    &format!("{field}.name"),
                    &format!("\"{name}\""),
                    "is not a lever field a factor can set",
                    &known.join(", "),
                ));
            };
            if !base.levers.iter().any(|l| l.action.name() == lever) {
                return Err(src.at(
                    f.name.span(),
                    &format!("{field}.name"),
                    &format!("\"{name}\""),
                    &format!(
                        "names {} {lever} lever, which the base scenario `{}` has none of",
                        crate::scenario::error::article(lever),
                        base.name
                    ),
                    "a lever field of a lever in the base scenario, or a parameter",
                ));
            }
            (Reach::Lever { lever: lever.to_string(), field: lf.to_string() }, lo, hi, int)
        } else {
            let Some(def) = Params::def(&name) else {
                let near = nearest(&name, crate::core::params::DICTIONARY.iter().map(|d| d.name), 3);
                return Err(src.at(
                    f.name.span(),
                    &format!("{field}.name"),
                    &format!("\"{name}\""),
                    "is not a parameter or lever field",
                    &format!(
                        "did you mean {}? `stpsim params` lists parameters; lever fields are written lever.KIND.FIELD",
                        near.join(", ")
                    ),
                ));
            };
            (Reach::Param { name: name.clone() }, def.min, def.max, def.integer())
        };
        let check = |v: &Spanned<Num>, what: &str| -> Result<f64, ScenarioError> {
            let x = v.get_ref().0;
            if x.is_finite() && x >= lo && x <= hi && (!integer || x.fract() == 0.0) {
                Ok(x)
            } else {
                Err(src.at(
                    v.span(),
                    &format!("{field}.{what}"),
                    &src.written(v.span()),
                    crate::scenario::error::number_problem(x, integer),
                    &format!("{} from {lo} to {hi}", if integer { "a whole number" } else { "a number" }),
                ))
            }
        };
        let (values, min, max) = match (design, &f.values, &f.min, &f.max) {
            (Design::Grid, Some(vs), None, None) => {
                let values = vs.get_ref().iter().map(|v| check(v, "values")).collect::<Result<Vec<_>, _>>()?;
                if values.is_empty() {
                    return Err(src.at(
                        vs.span(),
                        &format!("{field}.values"),
                        "[]",
                        "lists no value",
                        "at least one value",
                    ));
                }
                let (mn, mx) =
                    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
                (values, mn, mx)
            }
            (Design::Grid, _, _, _) => {
                return Err(src.at(
                    f.name.span(),
                    &format!("{field}.values"),
                    "",
                    "is required by design = \"grid\" (and min, max are not used)",
                    "values = [0.2, 0.4, ...]",
                ));
            }
            (_, None, Some(a), Some(b)) => {
                let (a, b) = (check(a, "min")?, check(b, "max")?);
                if a >= b {
                    return Err(src.at(
                        f.max.as_ref().map_or(f.name.span(), |m| m.span()),
                        &format!("{field}.max"),
                        &f.max.as_ref().map_or_else(|| format!("{b}"), |m| src.written(m.span())),
                        "is not above min",
                        &format!("a value above {a}"),
                    ));
                }
                (vec![a, b], a, b)
            }
            _ => {
                return Err(src.at(
                    f.name.span(),
                    &field,
                    "",
                    &format!("needs min and max (and no values) for design = \"{}\"", raw.design.get_ref()),
                    "min = ..., max = ...",
                ));
            }
        };
        if factors.iter().any(|g: &Factor| g.name == name) {
            return Err(src.at(
                f.name.span(),
                &format!("{field}.name"),
                &format!("\"{name}\""),
                "appears twice",
                "each factor once",
            ));
        }
        factors.push(Factor { name, reach, values, min, max, integer });
    }
    if factors.is_empty() {
        return Err(src.at(raw.factors.span(), "factors", "[]", "lists no factor", "at least one [[factors]] table"));
    }

    let k = factors.len();
    // The design's size follows from the plan: check it before building anything.
    let size: u128 = match design {
        Design::Grid => factors.iter().fold(1u128, |n, f| n.saturating_mul(f.values.len() as u128)),
        Design::Lhs => points as u128,
        Design::Sobol => points as u128 * (k as u128 + 2),
        Design::Morris => points as u128 * (k as u128 + 1),
    };
    if size > MAX_DESIGN_POINTS as u128 {
        let at = match (design, &raw.points) {
            (Design::Grid, _) | (_, None) => raw.design.span(),
            (_, Some(p)) => p.span(),
        };
        let how = match design {
            Design::Grid => "the product of the factors' numbers of values".to_string(),
            Design::Lhs => "points".to_string(),
            Design::Sobol => format!("points x (factors + 2) = {points} x {}", k + 2),
            Design::Morris => format!("trajectories x (factors + 1) = {points} x {}", k + 1),
        };
        return Err(src.at(
            at,
            if design == Design::Grid { "design" } else { "points" },
            "",
            &format!(
                "makes {} design points ({how})",
                if size == u128::MAX { "more than 10^38".into() } else { size.to_string() }
            ),
            "at most 10,000,000 design points",
        ));
    }
    let bytes = crate::guard::sweep_bytes(size as usize, k, outputs.len(), replicates, &base, threads);
    crate::guard::check(
        bytes,
        "this plan",
        "its design, and one point's replicates per thread",
        "use fewer points, factors or replicates",
        memory_limit,
    )
    .map_err(|problem| ScenarioError::Input { file: file.clone(), problem })?;
    let unit_points = match design {
        Design::Grid => Vec::new(),
        Design::Lhs => design::lhs(points, k, seed),
        Design::Sobol => design::saltelli(points, k),
        Design::Morris => design::morris(points, k, levels, seed),
    };
    let scale = |u: &Vec<f64>| -> Vec<f64> {
        factors
            .iter()
            .zip(u)
            .map(|(f, &u)| {
                let v = f.min + u * (f.max - f.min);
                if f.integer { v.round() } else { v }
            })
            .collect()
    };
    let design_points = match design {
        Design::Grid => design::grid(&factors.iter().map(|f| f.values.clone()).collect::<Vec<_>>()),
        _ => unit_points.iter().map(scale).collect(),
    };
    // Every point passes the checks a scenario file's [params] would, before anything runs.
    let spans: Vec<_> = raw.factors.get_ref().iter().map(|f| f.name.span()).collect();
    let mut params = base.params.clone();
    for (p, point) in design_points.iter().enumerate() {
        let mut changed = false;
        for (f, &v) in factors.iter().zip(point) {
            if let Reach::Param { name } = &f.reach {
                params.set(name, v);
                changed = true;
            }
        }
        if !changed {
            break;
        }
        if let Err((name, rule)) = params.cross_check() {
            let prefix = name.trim_end_matches('*');
            let i = factors
                .iter()
                .position(|f| matches!(&f.reach, Reach::Param { name: n } if n == &name || n.starts_with(prefix)))
                .unwrap_or(0);
            let values: Vec<String> = factors.iter().zip(point).map(|(f, v)| format!("{} = {v}", f.name)).collect();
            return Err(src.at(
                spans[i].clone(),
                &format!("factors[{i}].name"),
                &format!("\"{}\"", factors[i].name),
                &format!(
                    "makes design point {p} ({}) break a rule of the parameters: `{name}` must be {rule}",
                    crate::core::text::shorten(&values.join(", "), 200)
                ),
                "factor ranges whose every combination passes the scenario checks (`stpsim params` lists the rules)",
            ));
        }
        params = base.params.clone();
    }
    let over = over_posterior(path, &src, posterior, raw.posterior.as_ref(), &base, &factors)?;
    let held = over.posterior.as_ref().map_or_else(Vec::new, |p| held(p, &base_with(&base, &factors)));
    let parquet = parquet_field(&raw.parquet, &src)?;
    Ok(Plan {
        base,
        replicates,
        seed,
        design,
        points,
        levels,
        bootstrap,
        outputs,
        factors,
        design_points,
        unit_points,
        parameters: over.describe(),
        posterior_sha256: over.posterior.as_ref().map(|p| p.sha256.clone()),
        held,
        posterior: over.posterior,
        parquet,
    })
}

/// The base scenario with the parameter factors counted as its own.
fn base_with(base: &Scenario, factors: &[Factor]) -> Scenario {
    let mut s = base.clone();
    for f in factors {
        if let Reach::Param { name } = &f.reach {
            if !s.set_params.contains(name) {
                s.set_params.push(name.clone());
            }
        }
    }
    s
}

fn held(p: &Posterior, s: &Scenario) -> Vec<&'static str> {
    crate::scenario::posterior::held(p, s)
}

/// Which posterior the sweep's replicates draw from: `--posterior`, else the
/// plan's `posterior` (a file relative to the plan, as `base` is), else the
/// base scenario's, else England's; its draws must keep the parameters'
/// rules with the base's other parameters.
fn over_posterior(
    path: &Path,
    src: &SourceText,
    asked: Option<&str>,
    field: Option<&Spanned<String>>,
    base: &Scenario,
    factors: &[Factor],
) -> Result<crate::scenario::posterior::Choice, ScenarioError> {
    use crate::scenario::posterior::{self as choice, ChoiceError};
    let flag = |e: String| ScenarioError::Input { file: "--posterior".into(), problem: e };
    let mut choice = match (asked, field) {
        (Some(name), _) => choice::choose(Some(name), std::slice::from_ref(base)).map_err(|e| flag(e.to_string()))?,
        (None, Some(f)) => {
            let written = f.get_ref();
            let beside = path.parent().map(|d| d.join(written)).filter(|p| p.is_file());
            let name = match (written.as_str(), beside) {
                (choice::NONE | choice::ENGLAND, _) | (_, None) => written.clone(),
                (_, Some(p)) => p.to_string_lossy().into_owned(),
            };
            let mut c = choice::choose(Some(&name), std::slice::from_ref(base)).map_err(|e| {
                let problem = match e {
                    ChoiceError::Posterior(p) => p.to_string(),
                    other => other.to_string(),
                };
                src.at(
                    f.span(),
                    "posterior",
                    &format!("\"{}\"", crate::core::text::shorten(written, 80)),
                    &format!("cannot be used: {problem}"),
                    "\"england\" (built in), \"none\" (the spec's defaults) or a posterior.csv beside the plan",
                )
            })?;
            c.from = format!("plan: posterior = \"{written}\"");
            c
        }
        (None, None) => choice::choose(None, std::slice::from_ref(base)).map_err(|e| flag(e.to_string()))?,
    };
    if let Some(p) = &choice.posterior {
        let with = base_with(base, factors);
        p.check_rules(&base.params, &held(p, &with), &base.name).map_err(|e| flag(e.to_string()))?;
        if choice.by_default {
            choice.from += "; posterior = \"none\" in the plan for the spec's defaults";
        }
    }
    Ok(choice)
}
