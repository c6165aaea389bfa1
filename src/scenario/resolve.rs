//! From raw layers to a validated scenario. A file's fields override those of
//! the scenario it `extends`; parameters merge by name; levers are appended.
//! Every error names its file, line, column, field, value and what is allowed.

use super::builtin;
use super::error::{ScenarioError, SourceText, article, nearest, shorten};
use super::raw::{self, Num, RawField, RawLever, RawScenario, RawYear};
use super::read;
use crate::model::levers::{
    Default as LeverDefault, Form, LEVERS, Lever, LeverAction, LeverDef, LeverKind, Setting, Targets,
};
use crate::params::{DICTIONARY, FundYear, Params};
use crate::quarter::{Quarter, parse_financial_year};
use crate::structure::{self, FileOrg, Structure};
use serde::Serialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Largest synthetic system and replicate count accepted from a file.
pub const MAX_SYNTHETIC_FOOTPRINTS: f64 = 100_000.0;
pub const MAX_REPLICATES: f64 = 1_000_000.0;

#[derive(Clone, Debug, PartialEq, Serialize)]
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

/// Files met while following `extends`: (identity, name as shown).
type Chain = Vec<(String, String)>;

/// A file's identity for cycle detection: its canonical path, so `a.toml`
/// and `../d/a.toml` are the same file.
fn identity(file: &str) -> String {
    std::fs::canonicalize(file).map_or_else(|_| file.to_string(), |p| p.to_string_lossy().into_owned())
}

/// One file's layer over what it extends. An error here means the file could
/// not be read as a scenario at all (a syntax error, a cycle); its other
/// mistakes are collected in the draft.
fn layer(text: &str, file: &str, dir: Option<PathBuf>, chain: &mut Chain) -> Result<Draft, ScenarioError> {
    let id = if dir.is_some() { identity(file) } else { format!("built-in:{file}") };
    if chain.iter().any(|(c, _)| *c == id) || chain.len() >= 64 {
        chain.push((id, file.to_string()));
        let shown: Vec<&str> = chain.iter().map(|(_, f)| f.as_str()).collect();
        return Err(ScenarioError::Cycle { file: file.to_string(), chain: shown.join(" -> ") });
    }
    let depth = chain.len();
    chain.push((id, file.to_string()));
    let src = SourceText { file, text };
    let raw = raw::parse(text).map_err(|e| src.from_toml(&e))?;
    let shared: std::sync::Arc<str> = text.into();
    let loc = |span: Range<usize>| Loc { file: file.to_string(), text: shared.clone(), span, depth };

    let mut errors = Vec::new();
    let name = match &raw.name {
        None => {
            errors.push(src.at(
                0..0,
                "name",
                "",
                "is required",
                "a name of lowercase letters, digits and '-', such as name = \"strong-leads\"",
            ));
            String::new()
        }
        Some(name) => {
            errors.extend(check_name(name, &src).err());
            name.get_ref().clone()
        }
    };
    let mut draft = match &raw.extends {
        None => Draft::empty(),
        Some(ext) => {
            let parent = parent(ext, &src, dir.as_deref(), chain);
            chain.truncate(depth + 1);
            // What a failed parent would have set is unknown: skip the checks on it.
            parent.unwrap_or_else(|e| Draft {
                errors: vec![e],
                broken: Broken { timing: true, structure: true, params: true },
                ..Draft::empty()
            })
        }
    };
    draft.errors.extend(errors);
    draft.name = name;
    draft.source = file.to_string();
    draft.description = raw.description.clone().unwrap_or_default();
    apply(&mut draft, &raw, &src, dir.as_deref(), &loc);
    chain.pop();
    Ok(draft)
}

fn parent(
    ext: &Spanned<String>,
    src: &SourceText,
    dir: Option<&Path>,
    chain: &mut Chain,
) -> Result<Draft, ScenarioError> {
    let name = ext.get_ref();
    if let Some((file, text)) = builtin::get(name) {
        return layer(text, file, None, chain);
    }
    let Some(dir) = dir else {
        return Err(src.at(
            ext.span(),
            "extends",
            &format!("\"{name}\""),
            "is not a built-in scenario",
            &format!("one of {}", builtin::names().join(", ")),
        ));
    };
    let path = dir.join(name);
    let shown = path.to_string_lossy().to_string();
    match read::read_bounded(&path) {
        Ok(text) => layer(&text, &shown, path.parent().map(Path::to_path_buf), chain),
        Err(read::Refusal::Io(e)) => {
            let near = nearest(name, builtin::names(), 1);
            let hint = near
                .first()
                .filter(|n| strsim::jaro_winkler(name, n) > 0.8)
                .map(|n| format!("; did you mean \"{n}\"?"))
                .unwrap_or_default();
            Err(src.at(
                ext.span(),
                "extends",
                &format!("\"{name}\""),
                &format!("names no built-in scenario and no readable file ({}: {e}){hint}", shorten(&shown, 120)),
                "a built-in name (`stpsim scenarios` lists them) or a path relative to this file",
            ))
        }
        Err(utf8 @ read::Refusal::Utf8 { .. }) => Err(utf8.into_error(&shown)),
        Err(other) => Err(src.at(
            ext.span(),
            "extends",
            &format!("\"{name}\""),
            &format!("names a file that {}", other.problem()),
            "a built-in name or a scenario file (a regular file) relative to this file",
        )),
    }
}

/// The scenario name rule: 1 to 64 lowercase letters, digits and '-', not
/// starting with '-'. Names become file names (heatmap charts), so anything
/// read back from a run's files is held to the same rule.
pub fn is_valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !n.starts_with('-')
}

pub const NAME_RULE: &str = "1 to 64 lowercase letters, digits and '-', not starting with '-'";

fn check_name(name: &Spanned<String>, src: &SourceText) -> Result<(), ScenarioError> {
    let n = name.get_ref();
    if is_valid_name(n) {
        Ok(())
    } else {
        Err(src.at(name.span(), "name", &format!("\"{n}\""), "is not allowed", NAME_RULE))
    }
}

fn quarter(s: &Spanned<String>, field: &str, src: &SourceText) -> Result<Quarter, ScenarioError> {
    Quarter::parse(s.get_ref())
        .map_err(|rule| src.at(s.span(), field, &format!("\"{}\"", s.get_ref()), "is not a quarter", &rule))
}

fn number(
    v: &Spanned<Num>,
    field: &str,
    lo: f64,
    hi: f64,
    whole: bool,
    src: &SourceText,
) -> Result<f64, ScenarioError> {
    let x = v.get_ref().0;
    if x.is_finite() && x >= lo && x <= hi && (!whole || x.fract() == 0.0) {
        Ok(x)
    } else {
        let kind = if whole { "a whole number" } else { "a number" };
        let problem = super::error::number_problem(x, whole);
        Err(src.at(v.span(), field, &src.written(v.span()), problem, &format!("{kind} from {lo} to {hi}")))
    }
}

/// `posterior = "none"`, `"england"`, or a posterior file relative to the
/// scenario file (a regular file; read when the run starts).
fn posterior_field(p: &Spanned<String>, src: &SourceText, dir: Option<&Path>) -> Result<String, ScenarioError> {
    let v = p.get_ref();
    if v == "none" || v == "england" {
        return Ok(v.clone());
    }
    let allowed = "\"england\" (the built-in England posterior, the default), \"none\" (the spec's defaults), or a \
                   posterior.csv from `stpsim calibrate`, relative to this file";
    let path = match dir {
        Some(d) => d.join(v),
        None => return Err(src.at(p.span(), "posterior", &format!("\"{v}\""), "is not a built-in posterior", allowed)),
    };
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() => Ok(path.to_string_lossy().into_owned()),
        _ => Err(src.at(
            p.span(),
            "posterior",
            &format!("\"{v}\""),
            &format!("names no posterior and no regular file ({})", shorten(&path.to_string_lossy(), 120)),
            allowed,
        )),
    }
}

/// Sets what one file's table gives, collecting each independent mistake.
fn apply(d: &mut Draft, raw: &RawScenario, src: &SourceText, dir: Option<&Path>, loc: &dyn Fn(Range<usize>) -> Loc) {
    let mut errors = Vec::new();
    for (set, field, slot) in [(&raw.start, "start", &mut d.start), (&raw.end, "end", &mut d.end)] {
        if let Some(s) = set {
            match quarter(s, field, src) {
                Ok(q) => *slot = Some((q, loc(s.span()))),
                Err(e) => {
                    errors.push(e);
                    d.broken.timing = true;
                }
            }
        }
    }
    if let Some(r) = &raw.replicates {
        match number(r, "replicates", 1.0, MAX_REPLICATES, true, src) {
            Ok(x) => d.replicates = Some(x as u32),
            Err(e) => errors.push(e),
        }
    }
    if let Some(s) = &raw.seed {
        match number(s, "seed", 0.0, 9_007_199_254_740_992.0, true, src) {
            Ok(x) => d.seed = Some(x as u64),
            Err(e) => errors.push(e),
        }
    }
    if let Some(p) = &raw.posterior {
        match posterior_field(p, src, dir) {
            Ok(v) => d.posterior = Some(v),
            Err(e) => errors.push(e),
        }
    }
    if let Some(st) = &raw.structure {
        if let Err(e) = structure_layer(d, st, src, dir, loc) {
            errors.push(e);
            d.broken.structure = true;
        }
    }
    for (k, v) in raw.params.iter().flatten() {
        let name = k.get_ref();
        let Some(def) = Params::def(name) else {
            let near = nearest(name, DICTIONARY.iter().map(|d| d.name), 3);
            errors.push(src.at(
                k.span(),
                &format!("params.{name}"),
                "",
                "is not a parameter",
                &format!(
                    "did you mean {}? `stpsim params` lists all",
                    near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
            ));
            continue;
        };
        let x = v.get_ref().0;
        if !def.accepts(x) {
            errors.push(src.at(
                v.span(),
                &format!("params.{name}"),
                &src.written(v.span()),
                super::error::number_problem(x, def.integer()),
                &format!("{} ({})", def.allowed(), def.unit),
            ));
            // The rules between parameters would judge the value left in its place.
            d.broken.params = true;
            continue;
        }
        d.params.set(name, x);
        d.params_at.insert(name.clone(), (loc(k.span()), src.written(v.span())));
    }
    // A file's levers are numbered from 0 in its own messages.
    for (index, l) in raw.levers.iter().flatten().enumerate() {
        match lever(l, index, src, loc) {
            Ok(l) => d.levers.push(l),
            Err(e) => errors.extend(e),
        }
    }
    d.errors.extend(errors);
}

fn structure_layer(
    d: &mut Draft,
    st: &raw::RawStructure,
    src: &SourceText,
    dir: Option<&Path>,
    loc: &dyn Fn(Range<usize>) -> Loc,
) -> Result<(), ScenarioError> {
    let kinds = "one of \"england\", \"synthetic\", \"file\"";
    if let Some(kind) = &st.kind {
        let kind_set = (loc(kind.span()), "structure.kind", format!("\"{}\"", kind.get_ref()));
        let (spec, (at, field, value)) = match kind.get_ref().as_str() {
            "england" => (StructureSpec::England, kind_set),
            "synthetic" => match &st.footprints {
                Some(n) => {
                    let x = number(n, "structure.footprints", 1.0, MAX_SYNTHETIC_FOOTPRINTS, true, src)? as usize;
                    (
                        StructureSpec::Synthetic { footprints: x },
                        (loc(n.span()), "structure.footprints", src.written(n.span())),
                    )
                }
                None => (StructureSpec::Synthetic { footprints: 44 }, kind_set),
            },
            "file" => {
                let Some(path) = &st.path else {
                    return Err(src.at(kind.span(), "structure.path", "", "is required when kind = \"file\"", "a path to a CSV with columns footprint,organisation,kind[,budget][,lead], relative to this file"));
                };
                let full = dir.map_or_else(|| PathBuf::from(path.get_ref()), |d| d.join(path.get_ref()));
                let shown = full.to_string_lossy().to_string();
                let text = match read::read_bounded(&full) {
                    Ok(t) => t,
                    Err(utf8 @ read::Refusal::Utf8 { .. }) => return Err(utf8.into_error(&shown)),
                    Err(r) => {
                        let problem = match &r {
                            read::Refusal::Io(e) => format!("cannot be read ({}: {e})", shorten(&shown, 120)),
                            other => other.problem(),
                        };
                        return Err(src.at(
                            path.span(),
                            "structure.path",
                            &format!("\"{}\"", path.get_ref()),
                            &problem,
                            "a path to a CSV file, relative to this scenario file",
                        ));
                    }
                };
                let organisations = structure::parse_structure_csv(&text).map_err(|errors| {
                    let csv = SourceText { file: &shown, text: &text };
                    let list = errors.into_iter().map(|e| csv.at(e.span, &e.field, &e.value, &e.problem, &e.allowed));
                    ScenarioError::from_list(list.collect()).unwrap_or_else(|| unreachable!("errors are never empty"))
                })?;
                let path_set = (loc(path.span()), "structure.path", format!("\"{}\"", path.get_ref()));
                (StructureSpec::File { path: shown, organisations }, path_set)
            }
            other => {
                return Err(src.at(
                    kind.span(),
                    "structure.kind",
                    &format!("\"{other}\""),
                    "is not a structure",
                    kinds,
                ));
            }
        };
        if let (Some(n), false) = (&st.footprints, matches!(spec, StructureSpec::Synthetic { .. })) {
            return Err(src.at(
                n.span(),
                "structure.footprints",
                "",
                "applies to kind = \"synthetic\" only",
                "remove it, or set kind = \"synthetic\"",
            ));
        }
        if let (Some(p), false) = (&st.path, matches!(spec, StructureSpec::File { .. })) {
            return Err(src.at(
                p.span(),
                "structure.path",
                "",
                "applies to kind = \"file\" only",
                "remove it, or set kind = \"file\"",
            ));
        }
        d.structure = Some(StructureSet { spec, at, field, value });
    } else if let Some(n) = st.footprints.as_ref() {
        return Err(src.at(
            n.span(),
            "structure.footprints",
            "",
            "needs kind = \"synthetic\" in the same table",
            kinds,
        ));
    } else if let Some(p) = st.path.as_ref() {
        return Err(src.at(p.span(), "structure.path", "", "needs kind = \"file\" in the same table", kinds));
    }
    if let Some(r) = &st.ready {
        d.ready = Some((r.get_ref().clone(), loc(r.span())));
    }
    Ok(())
}

/// One lever table, every independent mistake in it reported.
fn lever(
    l: &RawLever,
    index: usize,
    src: &SourceText,
    loc: &dyn Fn(Range<usize>) -> Loc,
) -> Result<DraftLever, Vec<ScenarioError>> {
    let at = format!("levers[{index}]");
    let kind = l.kind.get_ref().as_str();
    let Some((lever_kind, def)) = LeverDef::find(kind) else {
        // Which fields apply, and how they are written, depend on the kind.
        let names = LEVERS.iter().map(|d| d.name);
        let near = nearest(kind, names.clone(), 1);
        return Err(vec![src.at(
            l.kind.span(),
            &format!("{at}.kind"),
            &format!("\"{kind}\""),
            "is not a lever",
            &format!("did you mean \"{}\"? levers: {}", near[0], names.collect::<Vec<_>>().join(", ")),
        )]);
    };
    let mut errors = Vec::new();
    let fields: Vec<&str> =
        (!def.national).then_some("footprints").into_iter().chain(def.fields.iter().map(|f| f.name)).collect();
    for (f, span) in l.fields_present() {
        if !fields.contains(&f) {
            let extra = if f == "footprints" { " (a national lever acts everywhere)" } else { "" };
            errors.push(src.at(
                span,
                &format!("{at}.{f}"),
                "",
                &format!("does not apply to {} {kind} lever{extra}", article(kind)),
                &format!("fields of {kind}: kind, start, end, {}", fields.join(", ")),
            ));
        }
    }
    let start = quarter(&l.start, &format!("{at}.start"), src).map_err(|e| errors.push(e)).ok();
    let end = match &l.end {
        None => Some(None),
        Some(e) => quarter(e, &format!("{at}.end"), src).map_err(|e| errors.push(e)).ok().map(Some),
    };
    if let (Some(s), Some(Some(e)), Some(espan)) = (start, end, l.end.as_ref()) {
        if e <= s {
            errors.push(src.at(
                espan.span(),
                &format!("{at}.end"),
                &format!("\"{e}\""),
                "is not after the lever's start",
                &format!("a quarter after {s}, or no end"),
            ));
        }
    }
    let mut settings = Vec::with_capacity(def.fields.len());
    for f in def.fields {
        let name = format!("{at}.{}", f.name);
        let (lo, hi) = (f.spec.min, f.spec.max);
        let v = match (l.field(f.name), f.form) {
            (Some(RawField::Num(v)), Form::Whole) => {
                number(v, &name, lo, hi, true, src).map(|x| Setting::Whole(x as usize)).map_err(|e| errors.push(e)).ok()
            }
            (Some(RawField::Num(v)), _) => {
                number(v, &name, lo, hi, false, src).map(Setting::Number).map_err(|e| errors.push(e)).ok()
            }
            (Some(RawField::Switch(b)), _) => Some(Setting::Switch(*b.get_ref())),
            (Some(RawField::Years(y)), _) => fund_years(y, &name, src, &mut errors).map(Setting::Years),
            (None, form) => match f.spec.default {
                LeverDefault::Number(x) => Some(Setting::Number(x)),
                LeverDefault::Switch(b) => Some(Setting::Switch(b)),
                LeverDefault::Param(_) => None,
                LeverDefault::Required => {
                    let allowed = match form {
                        Form::Years => {
                            "years = [{ year = \"2016/17\", total_gbp_bn = 2.1, transformation_share = 0.14 }, ...]"
                                .to_string()
                        }
                        Form::Whole => format!("a whole number from {lo} to {hi}"),
                        Form::Number | Form::Switch => format!("a number from {lo} to {hi}"),
                    };
                    errors.push(src.at(
                        l.kind.span(),
                        &name,
                        "",
                        &format!("is required by {} {kind} lever", article(kind)),
                        &allowed,
                    ));
                    None
                }
            },
        };
        settings.push(v);
    }
    let targets = if def.national {
        Some(DraftTargets::National)
    } else {
        match &l.footprints {
            None => Some(DraftTargets::All),
            Some(v) => targets(v, &format!("{at}.footprints"), src, loc).map_err(|e| errors.push(e)).ok(),
        }
    };
    let (Some(start), Some(end), Some(targets), true) = (start, end, targets, errors.is_empty()) else {
        return Err(errors);
    };
    Ok(DraftLever {
        kind: lever_kind,
        settings,
        start,
        end,
        targets,
        field: at,
        at: loc(l.kind.span()),
        start_at: loc(l.start.span()),
        targets_at: l.footprints.as_ref().map(|f| loc(f.span())),
    })
}

/// A fund schedule's years, each financial year once; None after a mistake,
/// each one added to `errors`.
fn fund_years(
    years: &Spanned<Vec<RawYear>>,
    at: &str,
    src: &SourceText,
    errors: &mut Vec<ScenarioError>,
) -> Option<Vec<FundYear>> {
    let before = errors.len();
    let mut out: Vec<FundYear> = Vec::new();
    for (j, y) in years.get_ref().iter().enumerate() {
        let f = format!("{at}[{j}]");
        let start_year = match parse_financial_year(y.year.get_ref()) {
            Ok(s) => Some(s),
            Err(rule) => {
                errors.push(src.at(
                    y.year.span(),
                    &format!("{f}.year"),
                    &format!("\"{}\"", y.year.get_ref()),
                    "is not a financial year",
                    &rule,
                ));
                None
            }
        };
        if start_year.is_some_and(|s| out.iter().any(|o| o.start_year == s)) {
            errors.push(src.at(
                y.year.span(),
                &format!("{f}.year"),
                &format!("\"{}\"", y.year.get_ref()),
                "appears twice",
                "each financial year once",
            ));
            continue;
        }
        let total = number(&y.total_gbp_bn, &format!("{f}.total_gbp_bn"), 0.0, 100.0, false, src);
        let share = number(&y.transformation_share, &format!("{f}.transformation_share"), 0.0, 1.0, false, src);
        match (start_year, total, share) {
            (Some(start_year), Ok(total_gbp_bn), Ok(transformation_share)) => {
                out.push(FundYear { start_year, total_gbp_bn, transformation_share })
            }
            (_, total, share) => errors.extend(total.err().into_iter().chain(share.err())),
        }
    }
    if years.get_ref().is_empty() {
        errors.push(src.at(
            years.span(),
            at,
            "[]",
            "lists no year",
            "at least one { year = \"2016/17\", total_gbp_bn = ..., transformation_share = ... }",
        ));
    }
    (errors.len() == before).then_some(out)
}

fn targets(
    v: &Spanned<toml::Value>,
    field: &str,
    src: &SourceText,
    loc: &dyn Fn(Range<usize>) -> Loc,
) -> Result<DraftTargets, ScenarioError> {
    let allowed = "\"all\", a list of footprint names, { most_ready = N } or { least_ready = N }";
    let bad = |what: &str| src.at(v.span(), field, what, "is not a footprint selection", allowed);
    match v.get_ref() {
        toml::Value::String(s) if s == "all" => Ok(DraftTargets::All),
        toml::Value::String(s) => Err(src.at(
            v.span(),
            field,
            &format!("\"{s}\""),
            "is not a footprint selection",
            "\"all\", or a list of names such as [\"Frimley Health\"]",
        )),
        toml::Value::Array(a) => {
            let mut names = Vec::with_capacity(a.len());
            for x in a {
                match x {
                    toml::Value::String(s) => names.push(s.clone()),
                    other => return Err(bad(&other.to_string())),
                }
            }
            if names.is_empty() {
                return Err(bad("[]"));
            }
            Ok(DraftTargets::Named(names, loc(v.span())))
        }
        toml::Value::Table(t) if t.len() == 1 => {
            let Some((k, n)) = t.iter().next() else { return Err(bad("{}")) };
            let count = match n {
                toml::Value::Integer(i) if *i >= 1 && *i <= MAX_SYNTHETIC_FOOTPRINTS as i64 => *i as usize,
                other => {
                    return Err(src.at(
                        v.span(),
                        &format!("{field}.{k}"),
                        &other.to_string(),
                        "is not a count",
                        "a whole number of footprints from 1 up",
                    ));
                }
            };
            match k.as_str() {
                "most_ready" => Ok(DraftTargets::MostReady(count)),
                "least_ready" => Ok(DraftTargets::LeastReady(count)),
                _ => Err(src.at(v.span(), field, &format!("{{ {k} = ... }}"), "is not a footprint rule", allowed)),
            }
        }
        other => Err(bad(&other.to_string())),
    }
}

/// Whether parameter `k` is tied to `name` by a cross-check rule:
/// `x_min` with `x_max`, `agenda_kind_*` with its kind, lead shares together.
fn related_param(name: &str, k: &str) -> bool {
    if let Some(prefix) = name.strip_suffix('*') {
        return k.starts_with(prefix);
    }
    if let Some(stem) = name.strip_suffix("_min").or_else(|| name.strip_suffix("_max")) {
        return k.strip_prefix(stem).is_some_and(|r| r == "_min" || r == "_max");
    }
    if name.starts_with("lead_share_") {
        return k.starts_with("lead_share_");
    }
    k == name
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
