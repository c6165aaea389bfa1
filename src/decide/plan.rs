//! Decision plans: the options to compare, the posterior and the deep
//! uncertainties that make the worlds, and the outcomes to judge by. Read
//! like sweep plans, with every mistake located (file:line, field, value,
//! what is allowed) before anything runs.

use super::robust::{Criterion, Direction};
use crate::calibrate::posterior::{Posterior, PosteriorError};
use crate::core::params::Params;
use crate::core::quarter::Quarter;
use crate::experiment::design;
use crate::experiment::plan::{Reach, lever_fields};
use crate::model::Metric;
use crate::model::levers::LeverAction;
use crate::model::rng::key;
use crate::scenario::error::{ScenarioError, SourceText, nearest};
use crate::scenario::{Scenario, StructureSpec, raw::Num};
use serde::{Deserialize, Serialize};
use std::path::Path;
use toml::Spanned;

/// Largest number of worlds a plan may ask for.
pub const MAX_WORLDS: usize = 100_000;
/// Worlds when the plan says nothing.
pub const DEFAULT_WORLDS: usize = 400;
/// Replicates per world and option when the plan says nothing.
pub const DEFAULT_REPLICATES: u32 = 2;
/// Key part naming the Latin hypercube's stream.
const LHS_STREAM: u64 = 0x4445_4349_4445;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    options: Spanned<Vec<Spanned<String>>>,
    posterior: Option<Spanned<String>>,
    worlds: Option<Spanned<Num>>,
    replicates: Option<Spanned<Num>>,
    seed: Option<Spanned<Num>>,
    #[serde(default)]
    uncertainties: Vec<RawUncertainty>,
    outcomes: Spanned<Vec<RawOutcome>>,
    parquet: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUncertainty {
    name: Spanned<String>,
    min: Spanned<Num>,
    max: Spanned<Num>,
    replace: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutcome {
    metric: Spanned<String>,
    direction: Option<Spanned<String>>,
    threshold: Option<Spanned<Num>>,
}

/// A deep uncertainty: a parameter or lever field drawn over [min, max] by
/// Latin hypercube across the worlds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Uncertainty {
    pub name: String,
    pub reach: Reach,
    pub min: f64,
    pub max: f64,
    pub integer: bool,
}

/// A metric at a quarter, or averaged over a financial year's four.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// `metric@2021Q1` or `metric@2016/17`.
    pub label: String,
    pub metric: String,
    pub quarters: Vec<String>,
    pub direction: Direction,
    pub threshold: Option<f64>,
}

impl Outcome {
    pub fn criterion(&self) -> Criterion {
        Criterion { direction: self.direction, threshold: self.threshold }
    }
}

/// One world: its posterior draw (if any) and the values of every varied
/// input, in [`Plan::inputs`] order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct World {
    pub draw: Option<usize>,
    pub values: Vec<f64>,
}

/// Where a varied input comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Posterior,
    Deep,
}

/// A validated plan with its worlds.
#[derive(Clone, Debug)]
pub struct Plan {
    pub file: String,
    /// The first is the reference.
    pub options: Vec<Scenario>,
    pub posterior: Option<Posterior>,
    /// As the plan names it (`england`, a path, or `none`).
    pub posterior_name: String,
    pub replicates: u32,
    pub seed: u64,
    pub uncertainties: Vec<Uncertainty>,
    pub outcomes: Vec<Outcome>,
    /// Every varied input: the posterior's columns not replaced, then the uncertainties.
    pub inputs: Vec<(String, Source)>,
    pub worlds: Vec<World>,
    /// Also write decide.parquet (`parquet = true`, or `--parquet`).
    pub parquet: bool,
}

/// Why a plan cannot run.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Plan(#[from] ScenarioError),
    #[error("{file}: posterior: {source}")]
    Posterior {
        file: String,
        #[source]
        source: PosteriorError,
    },
}

/// The posteriors known by name. `england` is the fitted England posterior
/// the binary ships (`scenario::posterior::england`).
pub fn named_posterior(name: &str) -> Option<Result<Posterior, PosteriorError>> {
    match name {
        "england" => Some(Ok(crate::scenario::posterior::england().clone())),
        _ => None,
    }
}

use crate::experiment::plan::whole;

/// Parses `metric@2021Q1` or `metric@2016/17` into the metric and its quarters.
fn parse_outcome(text: &str) -> Result<(Metric, Vec<Quarter>), String> {
    let (name, when) =
        text.split_once('@').ok_or("metric@quarter, such as \"transformation_index@2021Q1\", or metric@2016/17")?;
    let metric = Metric::parse(name).ok_or_else(|| {
        let near = nearest(name, Metric::ALL.iter().map(|m| m.name()), 3);
        format!("a metric such as {} (`stpsim run` lists them all)", near.join(", "))
    })?;
    if let Ok(q) = Quarter::parse(when) {
        return Ok((metric, vec![q]));
    }
    let start = crate::core::quarter::parse_financial_year(when)
        .map_err(|_| "a quarter such as 2021Q1 or a financial year such as 2016/17 after the @".to_string())?;
    let q2 = Quarter::new(start, 2).ok_or("a financial year such as 2016/17")?;
    Ok((metric, (0..4).map(|k| q2.offset(k)).collect()))
}

/// Reads and checks a plan; `--seed` and `--replicates` override the plan's.
pub fn load(path: &Path, seed: Option<u64>, replicates: Option<u32>) -> Result<Plan, PlanError> {
    let file = path.to_string_lossy().to_string();
    let text = crate::scenario::read::read_text(path, &file)?;
    parse(&text, &file, path.parent(), seed, replicates)
}

/// Checks a plan's text; options and posterior files are found beside `dir`.
pub fn parse(
    text: &str,
    file: &str,
    dir: Option<&Path>,
    seed_arg: Option<u64>,
    replicates_arg: Option<u32>,
) -> Result<Plan, PlanError> {
    let src = SourceText { file, text };
    let raw: RawPlan = toml::from_str(text).map_err(|e| src.from_toml(&e))?;

    // Options: built-in names or files beside the plan.
    let mut options: Vec<Scenario> = Vec::new();
    for (i, o) in raw.options.get_ref().iter().enumerate() {
        let name = o.get_ref();
        let beside = dir.map(|d| d.join(name)).filter(|p| p.is_file());
        let loaded = match beside {
            Some(p) => crate::scenario::load(&p.to_string_lossy()),
            None => crate::scenario::load(name),
        };
        let s = loaded.map_err(|e| match e {
            ScenarioError::Unknown { .. } => src.at(
                o.span(),
                &format!("options[{i}]"),
                &format!("\"{name}\""),
                "is neither a built-in scenario nor a file beside the plan",
                &format!(
                    "a built-in name ({}) or a scenario file relative to the plan",
                    crate::scenario::builtin::names().join(", ")
                ),
            ),
            other => other,
        })?;
        if options.iter().any(|x| x.name == s.name) {
            return Err(src
                .at(
                    o.span(),
                    &format!("options[{i}]"),
                    &format!("\"{name}\""),
                    &format!("names scenario `{}` twice", s.name),
                    "each option once",
                )
                .into());
        }
        options.push(s);
    }
    if options.len() < 2 {
        return Err(src
            .at(
                raw.options.span(),
                "options",
                &format!("{} option(s)", options.len()),
                "gives nothing to compare",
                "at least two options, the first the reference",
            )
            .into());
    }

    let worlds = match &raw.worlds {
        Some(w) => whole(w, "worlds", 1.0, MAX_WORLDS as f64, &src)? as usize,
        None => DEFAULT_WORLDS,
    };
    let replicates = match &raw.replicates {
        Some(r) => whole(r, "replicates", 1.0, 10_000.0, &src)? as u32,
        None => DEFAULT_REPLICATES,
    };
    let replicates = replicates_arg.unwrap_or(replicates);
    let seed = match &raw.seed {
        Some(s) => whole(s, "seed", 0.0, 9_007_199_254_740_992.0, &src)? as u64,
        None => options[0].seed.unwrap_or(crate::runner::DEFAULT_SEED),
    };
    let seed = seed_arg.unwrap_or(seed);
    let parquet = crate::experiment::plan::parquet_field(&raw.parquet, &src)?;

    // The posterior: by name, a file beside the plan, or none; England's by default on England.
    let on_england = options.iter().all(|s| matches!(s.structure, StructureSpec::England));
    let posterior_name = raw
        .posterior
        .as_ref()
        .map_or_else(|| if on_england { "england".to_string() } else { "none".to_string() }, |p| p.get_ref().clone());
    let posterior = match posterior_name.as_str() {
        "none" => None,
        name => {
            let span = raw.posterior.as_ref().map_or(0..0, |p| p.span());
            let loaded = match named_posterior(name) {
                Some(p) => {
                    if let Some(other) = options.iter().find(|s| !matches!(s.structure, StructureSpec::England)) {
                        return Err(src
                            .at(
                                span,
                                "posterior",
                                &format!("\"{name}\""),
                                &format!(
                                    "was fitted to England's structure, but option `{}` runs on another structure",
                                    other.name
                                ),
                                "a posterior fitted to the options' structure (`stpsim calibrate`), or \"none\"",
                            )
                            .into());
                    }
                    p
                }
                None => {
                    let path = dir.map_or_else(|| Path::new(name).to_path_buf(), |d| d.join(name));
                    if !path.is_file() {
                        return Err(src
                            .at(
                                span,
                                "posterior",
                                &format!("\"{name}\""),
                                "is neither a known posterior nor a file beside the plan",
                                "\"england\" (the shipped England posterior), \"none\", or a posterior.csv relative to the plan",
                            )
                            .into());
                    }
                    Posterior::load(&path)
                }
            };
            Some(loaded.map_err(|source| PlanError::Posterior { file: file.to_string(), source })?)
        }
    };

    // Outcomes.
    let first_end = options.iter().map(|s| s.end).min().unwrap_or(options[0].end);
    let last_start = options.iter().map(|s| s.start).max().unwrap_or(options[0].start);
    let mut outcomes = Vec::new();
    for (i, o) in raw.outcomes.get_ref().iter().enumerate() {
        let field = format!("outcomes[{i}]");
        let label = o.metric.get_ref().clone();
        let bad = |rule: &str, problem: &str| {
            src.at(o.metric.span(), &format!("{field}.metric"), &format!("\"{label}\""), problem, rule)
        };
        let (metric, quarters) = parse_outcome(&label).map_err(|rule| bad(&rule, "is not a metric at a quarter"))?;
        if let Some(q) = quarters.iter().find(|q| **q < last_start || **q > first_end) {
            return Err(bad(
                &format!("a quarter every option runs, {last_start} to {first_end}"),
                &format!("asks for {q}, outside the options' run"),
            )
            .into());
        }
        let direction = match o.direction.as_ref().map(|d| d.get_ref().as_str()) {
            None | Some("max") => Direction::Max,
            Some("min") => Direction::Min,
            Some(other) => {
                let span = o.direction.as_ref().map_or(0..0, |d| d.span());
                return Err(src
                    .at(
                        span,
                        &format!("{field}.direction"),
                        &format!("\"{other}\""),
                        "is not a direction",
                        "\"max\" or \"min\"",
                    )
                    .into());
            }
        };
        let threshold = match &o.threshold {
            None => None,
            Some(t) if t.get_ref().0.is_finite() => Some(t.get_ref().0),
            Some(t) => {
                return Err(src
                    .at(
                        t.span(),
                        &format!("{field}.threshold"),
                        &src.written(t.span()),
                        "is not a finite number",
                        &format!("a level of {} the option must reach", metric.name()),
                    )
                    .into());
            }
        };
        if outcomes.iter().any(|x: &Outcome| x.label == label) {
            return Err(bad("each outcome once", "appears twice").into());
        }
        outcomes.push(Outcome {
            label,
            metric: metric.name().to_string(),
            quarters: quarters.iter().map(|q| q.to_string()).collect(),
            direction,
            threshold,
        });
    }
    if outcomes.is_empty() {
        return Err(src
            .at(
                raw.outcomes.span(),
                "outcomes",
                "[]",
                "lists no outcome",
                "at least one [[outcomes]] table with metric = \"metric@quarter\"",
            )
            .into());
    }

    // Deep uncertainties.
    let columns: Vec<&str> = posterior.as_ref().map(|p| p.names.clone()).unwrap_or_default();
    let mut uncertainties: Vec<Uncertainty> = Vec::new();
    for (i, u) in raw.uncertainties.iter().enumerate() {
        let field = format!("uncertainties[{i}]");
        let name = u.name.get_ref().clone();
        let at_name = |problem: &str, allowed: &str| {
            src.at(u.name.span(), &format!("{field}.name"), &format!("\"{name}\""), problem, allowed)
        };
        let (reach, lo, hi, integer) = if let Some(rest) = name.strip_prefix("lever.") {
            let (lever, lf) = rest.split_once('.').unwrap_or((rest, ""));
            let span = options.iter().map(|s| s.start.span_to(s.end)).min().unwrap_or(1) as f64 - 1.0;
            let start_field =
                (lf == "start" && LeverAction::KINDS.contains(&lever)).then_some((0.0, span.max(0.0), true));
            let found = start_field.or_else(|| {
                lever_fields().find(|(k, f, ..)| *k == lever && *f == lf).map(|(_, _, lo, hi, i)| (lo, hi, i))
            });
            let Some((lo, hi, int)) = found else {
                let known: Vec<String> = lever_fields().map(|(k, f, ..)| format!("lever.{k}.{f}")).collect();
                return Err(at_name("is not a lever field an uncertainty can set", &known.join(", ")).into());
            };
            if !options.iter().any(|s| s.levers.iter().any(|l| l.action.name() == lever)) {
                return Err(at_name(
                    &format!("names {} {lever} lever, which no option has", crate::scenario::error::article(lever)),
                    "a lever field of a lever some option has, or a parameter",
                )
                .into());
            }
            (Reach::Lever { lever: lever.to_string(), field: lf.to_string() }, lo, hi, int)
        } else {
            let Some(def) = Params::def(&name) else {
                let near = nearest(&name, crate::core::params::DICTIONARY.iter().map(|d| d.name), 3);
                return Err(at_name(
                    "is not a parameter or lever field",
                    &format!(
                        "did you mean {}? `stpsim params` lists parameters; lever fields are written lever.KIND.FIELD",
                        near.join(", ")
                    ),
                )
                .into());
            };
            if columns.contains(&def.name) && !u.replace.as_ref().is_some_and(|r| *r.get_ref()) {
                return Err(at_name(
                    &format!("is a column of the posterior `{posterior_name}`, which already varies it across worlds"),
                    "add replace = true to draw it from [min, max] instead of the posterior, or leave it to the posterior",
                )
                .into());
            }
            (Reach::Param { name: def.name.to_string() }, def.min, def.max, def.integer())
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
                    "is out of range",
                    &format!("{} from {lo} to {hi}", if integer { "a whole number" } else { "a number" }),
                ))
            }
        };
        let (min, max) = (check(&u.min, "min")?, check(&u.max, "max")?);
        if min >= max {
            return Err(src
                .at(
                    u.max.span(),
                    &format!("{field}.max"),
                    &src.written(u.max.span()),
                    "is not above min",
                    &format!("a value above min = {min}"),
                )
                .into());
        }
        if uncertainties.iter().any(|x| x.name == name) {
            return Err(at_name("appears twice", "each uncertainty once").into());
        }
        uncertainties.push(Uncertainty { name, reach, min, max, integer });
    }

    // Every world's values must pass the parameter checks a scenario's would.
    let replaced: Vec<&str> = uncertainties
        .iter()
        .filter_map(|u| if let Reach::Param { name } = &u.reach { Some(name.as_str()) } else { None })
        .collect();
    let mut inputs: Vec<(String, Source)> =
        columns.iter().filter(|c| !replaced.contains(c)).map(|c| (c.to_string(), Source::Posterior)).collect();
    inputs.extend(uncertainties.iter().map(|u| (u.name.clone(), Source::Deep)));
    let unit = design::lhs(worlds, uncertainties.len(), key(&[seed, LHS_STREAM]));
    let mut world_list = Vec::with_capacity(worlds);
    for (w, u) in unit.iter().enumerate() {
        let draw = posterior.as_ref().map(|p| p.draw_for(seed, w as u64));
        let mut values: Vec<f64> = Vec::with_capacity(inputs.len());
        if let (Some(p), Some(d)) = (&posterior, draw) {
            values.extend(p.names.iter().zip(&p.draws[d]).filter(|(n, _)| !replaced.contains(n)).map(|(_, v)| *v));
        }
        for (x, un) in u.iter().zip(&uncertainties) {
            let v = un.min + x * (un.max - un.min);
            values.push(if un.integer { v.round() } else { v });
        }
        world_list.push(World { draw, values });
    }
    let plan = Plan {
        file: file.to_string(),
        options,
        posterior,
        posterior_name,
        replicates,
        seed,
        uncertainties,
        outcomes,
        inputs,
        worlds: world_list,
        parquet,
    };
    for w in 0..plan.worlds.len() {
        for s in &plan.options {
            if let Err((name, rule)) = plan.params(s, w).cross_check() {
                let i = raw.uncertainties.iter().position(|u| u.name.get_ref() == &name).unwrap_or(0);
                let span = raw.uncertainties.get(i).map_or(raw.options.span(), |u| u.name.span());
                return Err(src
                    .at(
                        span,
                        "uncertainties",
                        &format!("world {w}"),
                        &format!("breaks a rule of the parameters in option `{}`: `{name}` must be {rule}", s.name),
                        "ranges whose every combination passes the scenario checks (`stpsim params` lists the rules)",
                    )
                    .into());
            }
        }
    }
    Ok(plan)
}

impl Plan {
    /// Option `s`'s parameters in world `w`: the posterior draw, then the uncertainties.
    pub fn params(&self, s: &Scenario, w: usize) -> Params {
        let world = &self.worlds[w];
        let mut p = match (&self.posterior, world.draw) {
            (Some(post), Some(d)) => post.apply(&s.params, d),
            _ => s.params.clone(),
        };
        let k0 = self.inputs.len() - self.uncertainties.len();
        for (u, v) in self.uncertainties.iter().zip(&world.values[k0..]) {
            if let Reach::Param { name } = &u.reach {
                p.set(name, *v);
            }
        }
        p
    }

    /// Option `o` in world `w`: its levers set by the uncertainties, run
    /// only as far as the outcomes need.
    pub fn scenario(&self, o: usize, w: usize) -> Scenario {
        let mut s = self.options[o].clone();
        let k0 = self.inputs.len() - self.uncertainties.len();
        for (u, v) in self.uncertainties.iter().zip(&self.worlds[w].values[k0..]) {
            if matches!(u.reach, Reach::Lever { .. }) {
                crate::experiment::plan::apply(&mut s, &u.reach, *v);
            }
        }
        if let Some(last) = self.last_quarter() {
            s.end = last;
            s.levers.retain(|l| l.start <= last);
        }
        s
    }

    /// The last quarter any outcome reads.
    pub fn last_quarter(&self) -> Option<Quarter> {
        self.outcomes.iter().flat_map(|o| o.quarters.iter()).filter_map(|q| Quarter::parse(q).ok()).max()
    }

    pub fn reference(&self) -> &str {
        &self.options[0].name
    }
}
