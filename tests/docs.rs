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

/// The lever table is the one list of lever kinds, and the docs follow it:
/// every kind is described in docs/model.md, and every `kind = "..."` that a
/// doc, the README or a shipped scenario writes is a kind of the table (or a
/// structure's kind). Word match, as `council_lead` is a part of the names
/// of the parameters `council_lead_nhs_legitimacy` and
/// `england_extra_council_leads`, which are not the kind.
#[test]
fn the_docs_name_the_lever_tables_kinds_and_no_other() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = std::fs::read_to_string(root.join("docs/model.md")).expect("docs/model.md");
    let kinds: Vec<&str> = stpsim::model::levers::LEVERS.iter().map(|d| d.name).collect();
    for k in &kinds {
        assert!(has_word(&model, k), "lever kind {k} is not described in docs/model.md");
    }
    let mut files = vec![root.join("README.md")];
    files_under(&root.join("docs"), &mut files);
    files_under(&root.join("scenarios"), &mut files);
    let structures = ["england", "synthetic", "file"];
    let mut seen = 0;
    for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "md" || e == "toml")) {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for (i, _) in text.match_indices("kind = \"") {
            let rest = &text[i + 8..];
            let Some(name) = rest.split('"').next() else { continue };
            seen += 1;
            assert!(
                kinds.contains(&name) || structures.contains(&name),
                "{} writes kind = \"{name}\", which is no lever kind of the table (stpsim levers) nor a structure's",
                f.display()
            );
        }
    }
    assert!(seen > 10, "the docs and scenarios were read ({seen} kinds)");
    assert!(
        has_word("kind = \"remove_veto\"", "remove_veto") && !has_word("council_lead_nhs_legitimacy", "council_lead")
    );
}

/// The README's generated regions (the Quick start block, the baseline
/// sentence, the scenario, lever and output tables) and the numbers behind
/// the main job's images equal what the docs generator writes. The main job
/// runs in process as `cargo run --release` runs it (200 replicates over the
/// England posterior, seed 2016): its numbers do not depend on the build or
/// the thread count, and its charts' numbers are compared, not their pixels.
#[test]
fn readme_and_images_match_the_docs_generator() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let job = stpsim::docs::main_job(&scratch.path().join("main")).expect("the main job resolves");
    let results = job.run();
    let mut stale = stpsim::docs::check_text(root, &stpsim::docs::text_regions(&job, &results), &[]);
    for (stem, csv) in stpsim::docs::main_job_data(&job, &results).expect("the main job's chart numbers") {
        let committed = format!("{}/{stem}.csv", stpsim::docs::IMAGE_DATA);
        if std::fs::read_to_string(root.join(&committed)).unwrap_or_default() != csv {
            stale.push(format!("{committed} (the numbers docs/images/{stem}.png plots) differs"));
        }
    }
    assert!(
        stale.is_empty(),
        "the README or docs/images are stale: regenerate them with `{}`\n{}",
        stpsim::docs::COMMAND,
        stale.join("\n")
    );
}

/// The sweep heatmap in the README plots the numbers its plan gives today:
/// the plan runs as `stpsim sweep scenarios/sweeps/leads-by-seats.toml` runs
/// it, at its own size (16 points x 100 replicates, spec defaults).
#[test]
fn the_sweep_image_plots_todays_numbers() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let image = stpsim::docs::IMAGES
        .iter()
        .find(|i| i.stem == "sweep_heatmap_social_care_priority")
        .expect("the README's sweep image is declared");
    let stpsim::docs::Source::Sweep { plan, sensitivity } = image.source else { panic!("drawn by a sweep") };
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let now = stpsim::docs::sweep_data(root, &scratch.path().join("sweep"), plan, sensitivity, image.data)
        .expect("the sweep runs");
    let committed = std::fs::read_to_string(root.join(image.committed_data())).unwrap_or_default();
    assert!(
        committed == now,
        "{} is stale (the numbers {} plots): regenerate it with `{}`",
        image.committed_data(),
        image.file,
        stpsim::docs::COMMAND
    );
}

/// The generator's regions: a region is read and replaced between its
/// markers only, and a missing one is reported.
#[test]
fn regions_are_spliced_between_their_markers() {
    let doc = "a\n<!-- generated:x -->\nold\n<!-- /generated -->\nb\n";
    assert_eq!(stpsim::docs::region(doc, "x"), Some("old\n"));
    assert_eq!(stpsim::docs::region(doc, "y"), None);
    let new = stpsim::docs::splice(doc, "x", "new\nlines\n").expect("the region exists");
    assert_eq!(new, "a\n<!-- generated:x -->\nnew\nlines\n<!-- /generated -->\nb\n");
    // Idempotent: splicing the same text again changes nothing.
    assert_eq!(stpsim::docs::splice(&new, "x", "new\nlines\n").as_deref(), Some(new.as_str()));
}

/// The sensitivity and decision images, and the decision's answer in the
/// README, at their plans' full sizes (about a minute each in a release
/// build on two cores): too slow for every `cargo test`, so run on purpose
/// with `cargo test --release --test docs -- --ignored`.
#[test]
#[ignore = "minutes: run with `cargo test --release --test docs -- --ignored`"]
fn the_sensitivity_and_decision_images_plot_todays_numbers() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let mut stale = Vec::new();
    for image in stpsim::docs::IMAGES {
        let committed = std::fs::read_to_string(root.join(image.committed_data())).unwrap_or_default();
        let now = match image.source {
            stpsim::docs::Source::Sweep { plan, sensitivity: true } => {
                stpsim::docs::sweep_data(root, &scratch.path().join(image.stem), plan, true, image.data)
                    .expect("the sensitivity plan runs")
            }
            stpsim::docs::Source::Decide { plan } => {
                let (data, answer) =
                    stpsim::docs::decide_data(root, &scratch.path().join(image.stem), plan, image.data)
                        .expect("the decision runs");
                let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
                if stpsim::docs::region(&readme, "decide") != Some(answer.as_str()) {
                    stale.push("README.md: region `decide`".to_string());
                }
                data
            }
            _ => continue,
        };
        if committed != now {
            stale.push(format!("{} (the numbers {} plots)", image.committed_data(), image.file));
        }
    }
    assert!(stale.is_empty(), "stale: regenerate with `{}`\n{}", stpsim::docs::COMMAND, stale.join("\n"));
}

/// The vocabulary floor (`src/core/`) imports nothing of the floors above
/// it, so any of them may import it without a circle (as the grep in
/// docs/architecture.md checks): only `crate::core`, its re-exported paths
/// `crate::quarter` and `crate::params`, and `crate::fsx` (the file rule,
/// which imports nothing of the crate).
#[test]
fn the_vocabulary_floor_imports_nothing_above_it() {
    let mut files = Vec::new();
    files_under(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src/core")), &mut files);
    assert!(files.iter().any(|f| f.ends_with("rng.rs")), "src/core is read");
    let fsx = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/fsx.rs")).expect("src/fsx.rs");
    assert!(!fsx.contains("crate::"), "fsx imports nothing of the crate");
    for f in &files {
        let text = std::fs::read_to_string(f).expect("a source file");
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let module: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            assert!(
                ["core", "quarter", "params", "fsx"].contains(&module.as_str()),
                "{} imports crate::{module}, a floor above the vocabulary",
                f.display()
            );
        }
    }
}

/// The library's floors, lowest first, as docs/architecture.md draws them:
/// a module may name (`crate::X`) only modules on lower floors (or itself),
/// so no import runs back up and no two modules import each other (a
/// module's `#[cfg(test)]` tests excepted). The
/// binary's modules (`cli`, `explore`, `emit`) use the library as
/// `stpsim::` and are not checked here.
const FLOORS: [&[&str]; 16] = [
    &["fsx"],
    &["core", "quarter", "params", "RunOptions"],
    &["structure"],
    &["model"],
    &["scenario", "Scenario", "ScenarioError"],
    &["targets"],
    &["results", "Results", "Row"],
    &["runner", "run"],
    &["guard"],
    &["plot"],
    &["calibrate"],
    &["report"],
    &["experiment"],
    &["decide"],
    &["api", "job"],
    &["docs", "fuzzing"],
];

#[test]
fn no_import_runs_back_up_the_floors() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let floor = |name: &str| FLOORS.iter().position(|f| f.contains(&name));
    let mut files = Vec::new();
    files_under(root, &mut files);
    let mut checked = 0;
    for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
        let rel = f.strip_prefix(root).expect("under src");
        let top = rel.iter().next().and_then(|c| c.to_str()).unwrap_or("").trim_end_matches(".rs");
        if ["lib", "main", "cli", "explore", "emit"].contains(&top) {
            continue;
        }
        let own =
            floor(top).unwrap_or_else(|| panic!("src/{} is on no floor: add its module to FLOORS", rel.display()));
        let text = std::fs::read_to_string(f).expect("a source file");
        // A module's own tests may use any floor to build their cases, and
        // comments may point anywhere.
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let text = code.as_str();
        for (i, _) in text.match_indices("crate::") {
            let name: String =
                text[i + "crate::".len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let to = floor(&name).unwrap_or_else(|| panic!("src/{} names crate::{name}, on no floor", rel.display()));
            assert!(
                to < own || name == top,
                "src/{} (floor {own}, {top}) imports crate::{name} (floor {to}): an import back up",
                rel.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "the crate's imports are read ({checked})");
}
