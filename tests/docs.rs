//! Generated documentation stays in step with the code.

#[test]
fn parameters_md_matches_the_dictionary() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/parameters.md");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == stpsim::params::markdown(),
        "docs/parameters.md is stale: regenerate it with `cargo run -- params --markdown > docs/parameters.md`"
    );
}

#[test]
fn levers_md_matches_the_lever_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/levers.md");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == stpsim::model::levers::markdown(),
        "docs/levers.md is stale: regenerate it with `cargo run -- levers --markdown > docs/levers.md`"
    );
}

#[test]
fn every_parameter_and_metric_is_documented_in_model_md() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/model.md");
    let text = std::fs::read_to_string(path).expect("docs/model.md exists");
    for m in stpsim::model::Metric::ALL {
        assert!(text.contains(m.name()), "docs/model.md does not describe the metric {}", m.name());
    }
    for lever in stpsim::model::LeverAction::KINDS {
        assert!(text.contains(lever), "docs/model.md does not describe the lever {lever}");
    }
    for section in [
        "Purpose and patterns",
        "Entities, state variables and scales",
        "Process overview and scheduling",
        "Design concepts",
        "Initialisation",
        "Input data",
        "Submodels",
        "Readings",
    ] {
        assert!(text.contains(section), "docs/model.md lacks the ODD section {section}");
    }
}

#[test]
fn scenarios_md_matches_the_library() {
    // The same run as `stpsim scenarios --markdown`: every library scenario,
    // 200 replicates, seed 2016.
    let scenarios: Vec<_> =
        stpsim::scenario::builtin::names().into_iter().map(|n| stpsim::scenario::load(n).unwrap()).collect();
    let results = stpsim::run(&scenarios, &stpsim::RunOptions { replicates: 200, seed: 2016, footprint_replicates: 0 });
    let now = stpsim::report::scenarios_markdown(&results, &scenarios, 200, 2016);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenarios.md");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        now == on_disk,
        "docs/scenarios.md is stale: regenerate it with `cargo run --release -- scenarios --markdown > docs/scenarios.md`"
    );
    for name in stpsim::scenario::builtin::names() {
        assert!(on_disk.contains(&format!("| `{name}` (")), "{name} is not in docs/scenarios.md");
    }
}

/// Files under `dir`, recursively.
fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Whether `word` occurs in `text` as a whole word (as `grep -w` matches).
fn has_word(text: &str, word: &str) -> bool {
    let part = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    text.match_indices(word)
        .any(|(i, _)| !part(text[..i].chars().next_back()) && !part(text[i + word.len()..].chars().next()))
}

/// A lever kind is declared once: `grep -rlw KIND src/` lists at most its
/// declaration and the phase that reads its setting, so adding a kind
/// touches nothing else. Word match, as `council_lead` is a part of the
/// names of the parameters `council_lead_nhs_legitimacy` and
/// `england_extra_council_leads`, which are fixed: those are not the kind.
#[test]
fn each_lever_kind_is_named_in_at_most_two_source_files() {
    let mut files = Vec::new();
    files_under(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")), &mut files);
    let texts: Vec<(String, String)> =
        files.iter().filter_map(|f| Some((f.display().to_string(), std::fs::read_to_string(f).ok()?))).collect();
    assert!(texts.iter().any(|(f, _)| f.ends_with("levers.rs")), "src/ is read");
    for d in &stpsim::model::levers::LEVERS {
        let naming: Vec<&str> = texts.iter().filter(|(_, t)| has_word(t, d.name)).map(|(f, _)| f.as_str()).collect();
        let declared = naming.iter().any(|f| f.ends_with("src/model/levers.rs"));
        let others_are_phases = naming.iter().all(|f| f.ends_with("levers.rs") || f.contains("src/model/phases/"));
        assert!(declared && others_are_phases && naming.len() <= 2, "{} is named in {naming:?}", d.name);
    }
    assert!(
        has_word("kind = \"remove_veto\"", "remove_veto") && !has_word("council_lead_nhs_legitimacy", "council_lead")
    );
}
