//! The `extends` chain: each file's layer over the scenario it extends,
//! with cycles caught by the files' identities.

use super::*;

/// Files met while following `extends`: (identity, name as shown).
pub(super) type Chain = Vec<(String, String)>;

/// A file's identity for cycle detection: its canonical path, so `a.toml`
/// and `../d/a.toml` are the same file.
pub(super) fn identity(file: &str) -> String {
    std::fs::canonicalize(file).map_or_else(|_| file.to_string(), |p| p.to_string_lossy().into_owned())
}

/// One file's layer over what it extends. An error here means the file could
/// not be read as a scenario at all (a syntax error, a cycle); its other
/// mistakes are collected in the draft.
pub(super) fn layer(text: &str, file: &str, dir: Option<PathBuf>, chain: &mut Chain) -> Result<Draft, ScenarioError> {
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

pub(super) fn parent(
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
