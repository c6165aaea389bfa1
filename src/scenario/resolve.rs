//! From raw layers to a validated scenario. A file's fields override those of
//! the scenario it `extends`; parameters merge by name; levers are appended.
//! Every error names its file, line, column, field, value and what is allowed.
//! By stage: `chain` follows `extends`, `layer` lays one file's fields over
//! the draft, `levers` reads its levers, and `finish` below checks the whole.

use super::builtin;
use super::error::{ScenarioError, SourceText, article, nearest, shorten};
use super::raw::{self, Num, RawField, RawLever, RawScenario, RawYear};
use super::read;
use crate::core::params::{DICTIONARY, FundYear, Params};
use crate::core::quarter::{Quarter, parse_financial_year};
use crate::model::levers::{
    Default as LeverDefault, Form, LEVERS, Lever, LeverAction, LeverDef, LeverKind, Setting, Targets,
};
use crate::structure::{self, FileOrg, Structure};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

mod chain;
mod layer;
mod levers;

use chain::*;
use layer::*;
pub use layer::{NAME_RULE, is_valid_name};
use levers::*;

/// Largest synthetic system and replicate count accepted from a file.
pub const MAX_SYNTHETIC_FOOTPRINTS: f64 = 100_000.0;
pub const MAX_REPLICATES: f64 = 1_000_000.0;

/// Read back from a run's manifest.json too.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StructureSpec {
    England,
    Synthetic { footprints: usize },
    File { path: String, organisations: Vec<FileOrg> },
}

/// A validated scenario: everything a run needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Where it came from: a path, or `built-in:NAME`.
    pub source: String,
    pub start: Quarter,
    pub end: Quarter,
    pub replicates: Option<u32>,
    pub seed: Option<u64>,
    pub structure: StructureSpec,
    /// Footprints that take the highest readiness draws, by name and index.
    pub ready: Vec<String>,
    #[serde(skip)]
    pub ready_index: Vec<usize>,
    /// What resolution changed on the user's behalf (an inherited `ready` list dropped).
    #[serde(skip)]
    pub notes: Vec<String>,
    pub params: Params,
    pub levers: Vec<Lever>,
    /// Parameters this scenario's `[params]` (or a file it extends) sets, or
    /// a sweep's factor: held fixed when replicates draw from a posterior.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub set_params: Vec<String>,
    /// The posterior it asks to run over: `none`, `england` or a file path.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub posterior: Option<String>,
}

impl Scenario {
    pub fn quarters(&self) -> Vec<Quarter> {
        (0..self.start.span_to(self.end)).map(|k| self.start.offset(k)).collect()
    }

    pub fn footprint_names(&self) -> Vec<String> {
        footprint_names(&self.structure)
    }

    /// The structure for a run with the given seed (a synthetic one is drawn from it).
    pub fn build_structure(&self, seed: u64) -> Structure {
        match &self.structure {
            StructureSpec::England => structure::england(&self.params),
            StructureSpec::Synthetic { footprints } => structure::synthetic(*footprints, &self.params, seed),
            StructureSpec::File { organisations, .. } => structure::from_file(organisations, &self.params),
        }
    }

    /// Parameters that differ from the dictionary's defaults.
    pub fn changed_params(&self) -> Vec<(&'static str, f64)> {
        DICTIONARY
            .iter()
            .filter_map(|d| self.params.get(d.name).filter(|v| *v != d.default).map(|v| (d.name, v)))
            .collect()
    }
}

fn footprint_names(s: &StructureSpec) -> Vec<String> {
    match s {
        StructureSpec::England => structure::england_footprints().into_iter().map(|r| r.name).collect(),
        StructureSpec::Synthetic { footprints } => structure::synthetic_names(*footprints),
        StructureSpec::File { organisations, .. } => {
            let mut seen = std::collections::HashSet::new();
            organisations.iter().filter(|o| seen.insert(o.footprint.as_str())).map(|o| o.footprint.clone()).collect()
        }
    }
}

/// A place in a file, kept so later checks can point at it.
#[derive(Clone, Debug)]
struct Loc {
    file: String,
    text: std::sync::Arc<str>,
    span: Range<usize>,
    /// How many `extends` away from the file being loaded: 0 for that file,
    /// 1 for the scenario it extends, and so on. Of two values that clash,
    /// the one set nearer (the smaller depth) made the clash.
    depth: usize,
}

impl Loc {
    /// The same place narrowed to the first occurrence of `needle` inside it.
    fn narrowed(&self, needle: &str) -> Loc {
        let text = &self.text[self.span.clone()];
        match text.find(needle) {
            Some(p) => Loc { span: self.span.start + p..self.span.start + p + needle.len(), ..self.clone() },
            None => self.clone(),
        }
    }

    /// `file:line:column`, for notes about where an inherited value was set.
    fn place(&self) -> String {
        let before = &self.text[..self.span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{col}", self.file)
    }

    fn err(&self, field: &str, value: &str, problem: &str, allowed: &str) -> ScenarioError {
        SourceText { file: &self.file, text: &self.text }.at(self.span.clone(), field, value, problem, allowed)
    }
}

#[derive(Clone, Debug)]
enum DraftTargets {
    National,
    All,
    Named(Vec<String>, Loc),
    MostReady(usize),
    LeastReady(usize),
}

#[derive(Clone, Debug)]
struct DraftLever {
    kind: LeverKind,
    /// Field values in declared order; None for a field left to a parameter's
    /// value, known once layers merge.
    settings: Vec<Option<Setting>>,
    start: Quarter,
    end: Option<Quarter>,
    targets: DraftTargets,
    /// `levers[i]`, numbered within the lever's own file.
    field: String,
    at: Loc,
    start_at: Loc,
    targets_at: Option<Loc>,
}

impl DraftLever {
    /// The lever as a message about a place at `from` names it: by its
    /// index, and by its file when that is another one.
    fn named_from(&self, from: &Loc) -> String {
        if self.at.depth == from.depth { self.field.clone() } else { format!("{} of {}", self.field, self.at.file) }
    }

    /// The lever with its kind, for a message about an inherited lever.
    fn described_from(&self, from: &Loc) -> String {
        format!("{} ({})", self.named_from(from), self.kind.def().name)
    }
}

/// The structure a layer sets, and the place that decides its footprints:
/// `footprints` of a synthetic one, `path` of a file, `kind` otherwise.
#[derive(Clone, Debug)]
struct StructureSet {
    spec: StructureSpec,
    at: Loc,
    field: &'static str,
    value: String,
}

/// Parts of a draft that a mistake left unknown: checks that depend on them
/// are skipped, so that one mistake is not reported again as others.
#[derive(Clone, Copy, Debug, Default)]
struct Broken {
    timing: bool,
    structure: bool,
    params: bool,
}

/// A scenario while its layers are being merged.
#[derive(Debug)]
struct Draft {
    name: String,
    description: String,
    source: String,
    start: Option<(Quarter, Loc)>,
    end: Option<(Quarter, Loc)>,
    replicates: Option<u32>,
    seed: Option<u64>,
    structure: Option<StructureSet>,
    ready: Option<(Vec<String>, Loc)>,
    params: Params,
    /// Where each parameter was last set, and its value as written there,
    /// for errors about relations between them.
    params_at: std::collections::BTreeMap<String, (Loc, String)>,
    levers: Vec<DraftLever>,
    posterior: Option<String>,
    /// Every independent mistake found so far, in all layers.
    errors: Vec<ScenarioError>,
    broken: Broken,
}

impl Draft {
    fn empty() -> Draft {
        Draft {
            name: String::new(),
            description: String::new(),
            source: String::new(),
            start: None,
            end: None,
            replicates: None,
            seed: None,
            structure: None,
            ready: None,
            params: Params::default(),
            params_at: Default::default(),
            levers: Vec::new(),
            posterior: None,
            errors: Vec::new(),
            broken: Broken::default(),
        }
    }
}

/// Loads a scenario from a path to a TOML file or a built-in name.
pub fn load(arg: &str) -> Result<Scenario, ScenarioError> {
    let path = Path::new(arg);
    let looks_like_path = arg.ends_with(".toml") || arg.contains('/') || arg.contains('\\');
    let meta = std::fs::metadata(path);
    if meta.as_ref().is_ok_and(|m| m.is_file()) || (meta.is_ok() && looks_like_path) {
        let text = read::read_text(path, arg)?;
        return load_text(&text, arg, path.parent().map(Path::to_path_buf));
    }
    if let Some((file, text)) = builtin::get(arg) {
        return load_text(text, file, None);
    }
    if looks_like_path {
        let e = meta.err().unwrap_or_else(|| std::io::Error::other("not a file"));
        return Err(ScenarioError::Read { file: arg.to_string(), reason: e });
    }
    let near = nearest(arg, builtin::names(), 1);
    Err(ScenarioError::Unknown {
        name: arg.to_string(),
        hint: near.first().map(|n| format!("; did you mean `{n}`?")).unwrap_or_default(),
        known: builtin::names().join(", "),
    })
}

/// Loads a scenario from its text; `dir` resolves relative paths (None for
/// built-ins). A file with several independent mistakes gives them all (as
/// [`ScenarioError::Many`], in file order); checks that depend on a value in
/// error are skipped, and a TOML syntax error stops at once.
pub fn load_text(text: &str, file: &str, dir: Option<PathBuf>) -> Result<Scenario, ScenarioError> {
    let mut chain = Vec::new();
    let draft = layer(text, file, dir, &mut chain)?;
    finish(draft)
}

/// Checks that need the merged scenario: footprint names, timing, overlaps,
/// the rules between parameters. Of two values that clash, the one set in the
/// nearer file is blamed, with a note saying where the other was set.
fn finish(d: Draft) -> Result<Scenario, ScenarioError> {
    let Draft {
        name,
        description,
        source,
        start: start_set,
        end: end_set,
        replicates,
        seed,
        structure: structure_set,
        ready: ready_set,
        params,
        params_at,
        levers: drafts,
        posterior,
        mut errors,
        broken,
    } = d;
    let set_params: Vec<String> = params_at.keys().cloned().collect();
    let default_start = Quarter::new(2016, 1).unwrap_or_else(|| unreachable!());
    let start = start_set.as_ref().map_or(default_start, |s| s.0);
    let end = end_set.as_ref().map_or(default_start.offset(20), |e| e.0);
    let timing = !broken.timing
        && check_run(start, end, start_set.as_ref(), end_set.as_ref()).map_err(|e| errors.push(e)).is_ok();

    let structure = structure_set.as_ref().map_or(StructureSpec::England, |s| s.spec.clone());
    let names = footprint_names(&structure);
    let shape = !broken.structure;
    // Where the structure is set, for an error at a place in another file.
    let structure_note = |at: &Loc| -> Option<String> {
        structure_set.as_ref().filter(|s| s.at.depth != at.depth).map(|s| {
            format!("the structure, {} = {} ({} footprints), is set at {}", s.field, s.value, names.len(), s.at.place())
        })
    };
    let find = |n: &str, at: &Loc, field: &str| -> Result<usize, ScenarioError> {
        names.iter().position(|x| x == n).ok_or_else(|| {
            let near = nearest(n, names.iter().map(String::as_str), 3);
            let e = at.narrowed(&format!("\"{n}\"")).err(
                field,
                &format!("\"{n}\""),
                "is not a footprint of this structure",
                &format!("did you mean {}?", near.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(", ")),
            );
            match structure_note(at) {
                Some(note) => e.with_note(note),
                None => e,
            }
        })
    };

    let mut ready_index = Vec::new();
    let mut notes = Vec::new();
    let mut ready_list = ready_set.clone();
    if shape {
        // A `ready` list set before the structure was changed (in a file this
        // one extends) is dropped, with a note, when it names footprints the
        // new structure lacks.
        if let (Some((ready, at)), Some(st)) = (&ready_set, &structure_set) {
            if at.depth > st.at.depth && ready.iter().any(|n| !names.contains(n)) {
                notes.push(format!(
                    "the `ready` list inherited from {} names footprints this structure lacks, so no footprint is \
                     marked ready; set `ready = [...]` under [structure] in {} to choose some",
                    at.place(),
                    source
                ));
                ready_list = None;
            }
        }
        for (n, at) in ready_list.iter().flat_map(|(r, at)| r.iter().map(move |n| (n, at))) {
            match find(n, at, "structure.ready") {
                Err(e) if at.depth == 0 => errors.push(e),
                Err(e) => errors.push(e.with_note(format!(
                    "this `ready` list is inherited from {}; write `ready = []` under [structure] in {} to clear it",
                    at.place(),
                    source
                ))),
                Ok(i) if ready_index.contains(&i) => {
                    errors.push(at.err("structure.ready", &format!("\"{n}\""), "is named twice", "each footprint once"))
                }
                Ok(i) => ready_index.push(i),
            }
        }
    }

    if !broken.params {
        if let Err((rule_name, rule)) = params.cross_check() {
            errors.push(param_conflict(&params_at, &rule_name, &rule));
        }
    }

    // Levers: timing against the run, footprints against the structure.
    let mut levers: Vec<(usize, Lever)> = Vec::with_capacity(drafts.len());
    let (mut early, mut late) = (Vec::new(), Vec::new());
    for (li, l) in drafts.iter().enumerate() {
        let mut ok = true;
        if timing && l.start < start {
            ok = false;
            match &start_set {
                Some((_, s_at)) if s_at.depth < l.start_at.depth => early.push(l),
                other => {
                    let e = l.start_at.err(
                        &format!("{}.start", l.field),
                        &format!("\"{}\"", l.start),
                        "is before the run starts",
                        &format!("a quarter from the run's start, {start}, on"),
                    );
                    errors.push(match other {
                        Some((_, s_at)) if s_at.depth != l.start_at.depth => {
                            e.with_note(format!("the run's `start` = \"{start}\" is set at {}", s_at.place()))
                        }
                        _ => e,
                    });
                }
            }
        }
        if timing && l.start > end {
            ok = false;
            match &end_set {
                Some((_, e_at)) if e_at.depth < l.start_at.depth => late.push(l),
                other => {
                    let e = l.start_at.err(
                        &format!("{}.start", l.field),
                        &format!("\"{}\"", l.start),
                        "is after the run ends, so the lever would never act",
                        &format!("a quarter from {start} to {end}"),
                    );
                    errors.push(match other {
                        Some((_, e_at)) if e_at.depth != l.start_at.depth => {
                            e.with_note(format!("the run's `end` = \"{end}\" is set at {}", e_at.place()))
                        }
                        _ => e,
                    });
                }
            }
        }
        if !shape {
            continue;
        }
        if let DraftTargets::MostReady(n) | DraftTargets::LeastReady(n) = l.targets {
            if n > names.len() {
                ok = false;
                let t_at = l.targets_at.as_ref().unwrap_or(&l.at);
                errors.push(match &structure_set {
                    Some(st) if st.at.depth < t_at.depth => st
                        .at
                        .err(
                            st.field,
                            &st.value,
                            &format!(
                                "makes {} footprints, fewer than the inherited {} targets ({n})",
                                names.len(),
                                l.described_from(&st.at)
                            ),
                            &format!("a structure of at least {n} footprints, or a scenario without that lever"),
                        )
                        .with_note(format!("{} sets its footprints at {}", l.field, t_at.place())),
                    _ => {
                        let e = t_at.err(
                            &format!("{}.footprints", l.field),
                            &n.to_string(),
                            &format!("asks for more footprints than the structure has ({})", names.len()),
                            &format!("a count from 1 to {}", names.len()),
                        );
                        match structure_note(t_at) {
                            Some(note) => e.with_note(note),
                            None => e,
                        }
                    }
                });
            }
        }
        let footprints = match &l.targets {
            DraftTargets::National => Targets::National,
            DraftTargets::All => Targets::All,
            DraftTargets::MostReady(n) => Targets::MostReady(*n),
            DraftTargets::LeastReady(n) => Targets::LeastReady(*n),
            DraftTargets::Named(ns, at) => match &structure_set {
                // Footprints the inherited lever names are missing from the structure this file sets.
                Some(st) if st.at.depth < at.depth && ns.iter().any(|n| !names.contains(n)) => {
                    let missing: Vec<String> =
                        ns.iter().filter(|n| !names.contains(n)).map(|n| format!("\"{}\"", shorten(n, 60))).collect();
                    errors.push(
                        st.at
                            .err(
                                st.field,
                                &st.value,
                                &format!(
                                    "has no footprint {}, which the inherited {} names",
                                    missing.join(", "),
                                    l.described_from(&st.at)
                                ),
                                "a structure with the footprints the inherited levers name, or a scenario without that lever",
                            )
                            .with_note(format!("{} names its footprints at {}", l.field, at.place())),
                    );
                    continue;
                }
                _ => {
                    let mut idx = Vec::with_capacity(ns.len());
                    for n in ns {
                        match find(n, at, &format!("{}.footprints", l.field)) {
                            Ok(i) if !idx.contains(&i) => idx.push(i),
                            Ok(_) => {}
                            Err(e) => {
                                ok = false;
                                errors.push(e);
                            }
                        }
                    }
                    Targets::Named(idx)
                }
            },
        };
        if !ok {
            continue;
        }
        // A field left to a parameter takes the merged scenario's value.
        let settings = l.kind.def().fields.iter().zip(&l.settings).map(|(f, v)| match (v, f.spec.default) {
            (Some(v), _) => v.clone(),
            (None, LeverDefault::Param(p)) => {
                let x = params.get(p).unwrap_or(f64::NAN);
                if f.form == Form::Whole { Setting::Whole(x as usize) } else { Setting::Number(x) }
            }
            (None, _) => Setting::Number(f64::NAN),
        });
        let action = LeverAction::from_settings(l.kind, settings.collect())
            .expect("settings follow the lever table, in its order");
        levers.push((li, Lever { action, start: l.start, end: l.end, footprints }));
    }
    if let (Some((_, at)), Some(first)) = (&start_set, early.iter().min_by_key(|l| l.start)) {
        errors.push(inherited_timing(at, "start", start, &early, first, true));
    }
    if let (Some((_, at)), Some(last)) = (&end_set, late.iter().max_by_key(|l| l.start)) {
        errors.push(inherited_timing(at, "end", end, &late, last, false));
    }

    // Two levers may not set the same thing on the same footprint in the same quarter.
    for (b, (ib, lb)) in levers.iter().enumerate() {
        let clash = levers[..b].iter().find(|(_, la)| {
            la.action.name() == lb.action.name()
                && overlap_in_time(la, lb)
                && overlap_in_place(&la.footprints, &lb.footprints, names.len())
        });
        let Some((ia, la)) = clash else { continue };
        let (da, db) = (&drafts[*ia], &drafts[*ib]);
        let by_size = matches!(
            (&la.footprints, &lb.footprints),
            (Targets::MostReady(_), Targets::LeastReady(_)) | (Targets::LeastReady(_), Targets::MostReady(_))
        );
        let near = structure_set.as_ref().filter(|st| by_size && st.at.depth < db.at.depth);
        errors.push(match near {
            // Only the size of the structure this file sets makes the inherited levers meet.
            Some(st) => st
                .at
                .err(
                    st.field,
                    &st.value,
                    &format!(
                        "makes {} footprints, so the most and least ready footprints of the inherited {} and {} overlap",
                        names.len(),
                        da.described_from(&st.at),
                        db.described_from(&st.at)
                    ),
                    "a structure large enough that the two levers' footprints stay apart",
                )
                .with_note(format!("{} is at {}\n{} is at {}", da.field, da.at.place(), db.field, db.at.place())),
            None => {
                let inherited = da.at.depth != db.at.depth;
                let e = db.at.err(
                    &format!("{}.kind", db.field),
                    &format!("\"{}\"", lb.action.name()),
                    &format!("sets what {} already sets in the same quarter on the same footprints", da.named_from(&db.at)),
                    if inherited {
                        // The user cannot end an inherited lever from their own file.
                        "this lever on footprints the inherited one does not cover, or starting after it ends; to change the inherited lever, write a scenario without `extends` that holds it"
                    } else {
                        "levers of one kind on disjoint footprints or at times that do not overlap (end one before the other starts)"
                    },
                );
                if da.at.depth == db.at.depth { e } else { e.with_note(format!("{} is at {}", da.field, da.at.place())) }
            }
        });
    }
    if !errors.is_empty() {
        return Err(in_file_order(errors));
    }
    Ok(Scenario {
        name,
        description,
        source,
        start,
        end,
        replicates,
        seed,
        structure,
        ready: ready_list.map(|r| r.0).unwrap_or_default(),
        ready_index,
        notes,
        params,
        levers: levers.into_iter().map(|(_, l)| l).collect(),
        set_params,
        posterior,
    })
}

/// The run's start and end: in order, and at most 400 quarters apart.
fn check_run(
    start: Quarter,
    end: Quarter,
    start_set: Option<&(Quarter, Loc)>,
    end_set: Option<&(Quarter, Loc)>,
) -> Result<(), ScenarioError> {
    if end < start {
        return Err(match (end_set, start_set) {
            // The start is set nearer than the end it runs into: blame the start.
            (Some((_, end_at)), Some((_, at))) if at.depth < end_at.depth => at
                .err(
                    "start",
                    &format!("\"{start}\""),
                    &format!("is after the end, {end}, which this file inherits"),
                    &format!("a start up to {end}, or set `end` after {start} in this file"),
                )
                .with_note(format!("`end` = \"{end}\" is set at {}", end_at.place())),
            (Some((_, at)), start_at) => {
                let err =
                    at.err("end", &format!("\"{end}\""), "is before the start", &format!("a quarter from {start} on"));
                match start_at {
                    Some((_, s)) if s.depth != at.depth => {
                        err.with_note(format!("`start` = \"{start}\" is set at {}", s.place()))
                    }
                    _ => err,
                }
            }
            (None, Some((_, at))) => at.err(
                "start",
                &format!("\"{start}\""),
                &format!("is after the default end, {end}"),
                &format!("a start up to {end}, or an `end` after {start}"),
            ),
            (None, None) => unreachable!("the default run starts before it ends"),
        });
    }
    if start.span_to(end) > 400 {
        let (field, value, at, other) = match (end_set, start_set) {
            (Some((e, e_at)), Some((s, s_at))) if s_at.depth < e_at.depth => ("start", s, s_at, Some(("end", e, e_at))),
            (Some((e, at)), s) => ("end", e, at, s.map(|(s, s_at)| ("start", s, s_at))),
            (None, Some((s, at))) => ("start", s, at, None),
            (None, None) => unreachable!("the default run is 21 quarters"),
        };
        let err = at.err(
            field,
            &format!("\"{value}\""),
            &format!("makes a run of {} quarters, from {start} to {end}", start.span_to(end)),
            "at most 400 quarters from start to end",
        );
        return Err(match other {
            Some((f, v, o)) if o.depth != at.depth => err.with_note(format!("`{f}` = \"{v}\" is set at {}", o.place())),
            _ => err,
        });
    }
    Ok(())
}

/// The run's start (or end), set in a nearer file, leaves inherited levers
/// starting before it (or after it): one error at the start (or end), with
/// a note for each lever.
fn inherited_timing(
    at: &Loc,
    field: &str,
    q: Quarter,
    levers: &[&DraftLever],
    edge: &DraftLever,
    early: bool,
) -> ScenarioError {
    let which = if levers.len() == 1 {
        format!("the inherited {}", edge.described_from(at))
    } else {
        format!(
            "{} inherited levers, the {} {}",
            levers.len(),
            if early { "first" } else { "last" },
            edge.described_from(at)
        )
    };
    let (problem, allowed) = if early {
        (
            format!("is after the start of {which}, {}", edge.start),
            format!("a start up to {}, so that every inherited lever acts within the run", edge.start),
        )
    } else {
        (
            format!("is before {which} starts, {}, so it would never act", edge.start),
            format!("an end from {} on, so that every inherited lever acts within the run", edge.start),
        )
    };
    let notes: Vec<String> = levers
        .iter()
        .map(|l| format!("{} starts at {}, \"{}\"", l.described_from(at), l.start_at.place(), l.start))
        .collect();
    at.err(field, &format!("\"{q}\""), &problem, &allowed).with_note(notes.join("\n"))
}

/// A rule between parameters broken: blamed on the parameter set in the
/// nearest file (the one the rule names, if that file set it), with a note
/// for each related parameter set in another file.
fn param_conflict(
    params_at: &std::collections::BTreeMap<String, (Loc, String)>,
    name: &str,
    rule: &str,
) -> ScenarioError {
    let set: Vec<(&String, &(Loc, String))> = params_at.iter().filter(|(k, _)| related_param(name, k)).collect();
    let mine = set.iter().min_by_key(|(k, (at, _))| (at.depth, k.as_str() != name)).copied();
    let Some((key, (at, value))) = mine.or_else(|| params_at.iter().next()) else {
        unreachable!("the defaults pass every rule, so a broken rule has a parameter set")
    };
    let others: Vec<String> = set
        .iter()
        .filter(|(k, (o, _))| *k != key && o.depth != at.depth)
        .map(|(k, (o, v))| format!("`{k}` = {v} is set at {}", o.place()))
        .collect();
    let err = at.narrowed(key.as_str()).err(
        &format!("params.{key}"),
        value,
        &format!("conflicts with other parameters: `{name}` must be {rule}"),
        rule,
    );
    if others.is_empty() { err } else { err.with_note(others.join("\n")) }
}

/// Several errors as one, each file's in line order, repeats dropped.
fn in_file_order(errors: Vec<ScenarioError>) -> ScenarioError {
    let mut all: Vec<ScenarioError> = errors.into_iter().flat_map(ScenarioError::into_all).collect();
    let mut files: Vec<String> = Vec::new();
    for e in &all {
        if let Some(f) = e.file() {
            if !files.iter().any(|x| x == f) {
                files.push(f.to_string());
            }
        }
    }
    // Within a line, the order found (a reader's own order) is kept.
    all.sort_by_key(|e| {
        (e.file().and_then(|f| files.iter().position(|x| x == f)).unwrap_or(usize::MAX), e.line_col().0)
    });
    all.dedup_by(|a, b| a.to_string() == b.to_string());
    ScenarioError::from_list(all).unwrap_or_else(|| unreachable!("called with errors"))
}

fn overlap_in_time(a: &Lever, b: &Lever) -> bool {
    let a_end = a.end.map_or(i32::MAX, |q| q.index());
    let b_end = b.end.map_or(i32::MAX, |q| q.index());
    a.start.index() < b_end && b.start.index() < a_end
}

fn overlap_in_place(a: &Targets, b: &Targets, n: usize) -> bool {
    use Targets::*;
    match (a, b) {
        (National, _) | (_, National) => true,
        (Named(x), Named(y)) => x.iter().any(|i| y.contains(i)),
        (MostReady(x), LeastReady(y)) | (LeastReady(y), MostReady(x)) => x + y > n,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        load_text(text, "t.toml", None).unwrap_err().to_string()
    }

    #[test]
    fn builtins_load() {
        for name in builtin::names() {
            let s = load(name).unwrap();
            assert_eq!(s.name, name);
            assert_eq!(s.start.to_string(), "2016Q1");
            assert_eq!(s.end.to_string(), "2021Q1");
        }
        let h = load("history").unwrap();
        assert!(!h.levers.is_empty());
        let b = load("baseline").unwrap();
        assert_eq!(b.levers.len(), 1, "baseline: joint working only");
        assert_eq!(b.levers[0].action.kind(), crate::model::levers::LeverKind::JointWorking);
    }

    #[test]
    fn misspelt_field_points_at_it_with_a_suggestion() {
        let leads = LeverKind::StrengthenLeads.def().name;
        let e = err(&format!("name = \"x\"\n[[levers]]\nkind = \"{leads}\"\nstart = \"2017Q2\"\nautority = 0.6\n"));
        assert!(e.contains("t.toml:5:1"), "{e}");
        assert!(e.contains("did you mean `authority`"), "{e}");
    }

    #[test]
    fn out_of_range_and_bad_quarter() {
        let leads = LeverKind::StrengthenLeads.def().name;
        let veto = LeverKind::RemoveVeto.def().name;
        let e = err(&format!("name = \"x\"\n[[levers]]\nkind = \"{leads}\"\nstart = \"2017Q2\"\nauthority = 1.7\n"));
        assert!(e.contains("t.toml:5:13") && e.contains("1.7") && e.contains("from 0 to 1"), "{e}");
        let e = err(&format!("name = \"x\"\n[[levers]]\nkind = \"{veto}\"\nstart = \"2017Q5\"\n"));
        assert!(e.contains("t.toml:4:9") && e.contains("from 1 to 4"), "{e}");
    }

    #[test]
    fn unknown_footprint_lists_nearest_names() {
        let veto = LeverKind::RemoveVeto.def().name;
        let e = err(&format!(
            "name = \"x\"\n[[levers]]\nkind = \"{veto}\"\nstart = \"2017Q2\"\nfootprints = [\"Frimley Heath\"]\n"
        ));
        assert!(e.contains("\"Frimley Health\""), "{e}");
        assert!(e.contains(":5:"), "{e}");
    }

    #[test]
    fn overlapping_levers_are_an_error() {
        let veto = LeverKind::RemoveVeto.def().name;
        let t = format!(
            "name = \"x\"\n[[levers]]\nkind = \"{veto}\"\nstart = \"2017Q2\"\n[[levers]]\nkind = \"{veto}\"\nstart = \"2018Q2\"\n"
        );
        assert!(err(&t).contains("already sets"));
        let ok = format!(
            "name = \"x\"\n[[levers]]\nkind = \"{veto}\"\nstart = \"2017Q2\"\nend = \"2018Q2\"\n[[levers]]\nkind = \"{veto}\"\nstart = \"2018Q2\"\n"
        );
        assert!(load_text(&ok, "t.toml", None).is_ok());
    }

    #[test]
    fn national_levers_take_no_footprints_and_levers_not_before_start() {
        let veto = LeverKind::RemoveVeto.def().name;
        let intervention = LeverKind::NationalIntervention.def().name;
        let e = err(&format!(
            "name = \"x\"\n[[levers]]\nkind = \"{intervention}\"\nstart = \"2017Q2\"\nprobability = 0.5\nfootprints = \"all\"\n"
        ));
        assert!(e.contains("does not apply"), "{e}");
        let e = err(&format!("name = \"x\"\nstart = \"2017Q1\"\n[[levers]]\nkind = \"{veto}\"\nstart = \"2016Q4\"\n"));
        assert!(e.contains("t.toml:5:9") && e.contains("before the run starts"), "{e}");
        let e = err(&format!("name = \"x\"\nend = \"2018Q1\"\n[[levers]]\nkind = \"{veto}\"\nstart = \"2019Q1\"\n"));
        assert!(e.contains("would never act"), "{e}");
        let e = err(&format!(
            "name = \"x\"\n[[levers]]\nkind = \"{veto}\"\nstart = \"2019Q1\"\nfootprints = {{ most_ready = 45 }}\n"
        ));
        assert!(e.contains("more footprints than the structure has (44)"), "{e}");
    }

    #[test]
    fn params_are_checked_by_name_and_range() {
        let e = err("name = \"x\"\n[params]\nbeta_0 = 0.3\n");
        assert!(e.contains("`beta0`"), "{e}");
        let e = err("name = \"x\"\n[params]\nconditionality = 2\n");
        assert!(e.contains("from 0 to 1"), "{e}");
        let s =
            load_text("name = \"x\"\nextends = \"baseline\"\n[params]\nconditionality = 1\n", "t.toml", None).unwrap();
        assert_eq!(s.params.conditionality, 1.0);
        assert_eq!(s.changed_params(), vec![("conditionality", 1.0)]);
    }

    #[test]
    fn bad_names_and_syntax() {
        assert!(err("name = \"Strong Leads\"\n").contains("lowercase"));
        assert!(err("description = \"no name\"\n").contains("`name` is required"));
        assert!(err("name = \"x\"\nstart = \n").contains("t.toml:2"));
        assert!(err("name = \"x\"\nextends = \"basline\"\n").contains("not a built-in"));
    }
}
