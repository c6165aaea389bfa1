//! A file's levers: kind, timing, targets and settings, read against the
//! lever table.

use super::*;

/// One lever table, every independent mistake in it reported.
pub(super) fn lever(
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
pub(super) fn fund_years(
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

pub(super) fn targets(
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
pub(super) fn related_param(name: &str, k: &str) -> bool {
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
