//! One file's fields laid over the draft: names, quarters, numbers,
//! parameters and the structure.

use super::*;

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

pub(super) fn check_name(name: &Spanned<String>, src: &SourceText) -> Result<(), ScenarioError> {
    let n = name.get_ref();
    if is_valid_name(n) {
        Ok(())
    } else {
        Err(src.at(name.span(), "name", &format!("\"{n}\""), "is not allowed", NAME_RULE))
    }
}

pub(super) fn quarter(s: &Spanned<String>, field: &str, src: &SourceText) -> Result<Quarter, ScenarioError> {
    Quarter::parse(s.get_ref())
        .map_err(|rule| src.at(s.span(), field, &format!("\"{}\"", s.get_ref()), "is not a quarter", &rule))
}

pub(super) fn number(
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
        let problem = crate::scenario::error::number_problem(x, whole);
        Err(src.at(v.span(), field, &src.written(v.span()), problem, &format!("{kind} from {lo} to {hi}")))
    }
}

/// `posterior = "none"`, `"england"`, or a posterior file relative to the
/// scenario file (a regular file; read when the run starts).
pub(super) fn posterior_field(
    p: &Spanned<String>,
    src: &SourceText,
    dir: Option<&Path>,
) -> Result<String, ScenarioError> {
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
pub(super) fn apply(
    d: &mut Draft,
    raw: &RawScenario,
    src: &SourceText,
    dir: Option<&Path>,
    loc: &dyn Fn(Range<usize>) -> Loc,
) {
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
                crate::scenario::error::number_problem(x, def.integer()),
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

pub(super) fn structure_layer(
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
