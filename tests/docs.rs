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
