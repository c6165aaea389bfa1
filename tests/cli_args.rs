//! The command line's arguments and its listing commands, run as the real
//! binary: scenario arguments, flags checked before anything runs (exit 2,
//! nothing written), and `validate`, `scenarios`, `params`, `levers`,
//! `--version`.

mod common;
use common::*;

// ---------------------------------------------------------------- scenario arguments

#[test]
fn unknown_scenario_argument_suggests_baseline() {
    let (code, stdout, err) = stpsim_anywhere(&["run", "basline", "--replicates", "1"]);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err,
        "error: no scenario file or built-in scenario named `basline`; did you mean `baseline`?\n  built-in scenarios: baseline, history, strong-leads, no-veto, conditional-funding, national-intervention, local-government-seats, council-leads, force-pace-ready-few, force-pace-all, accountable-care, committees-in-common, enlightened, synthetic-large\n"
    );
}

#[test]
fn unknown_scenario_argument_in_validate() {
    let (code, _, err) = stpsim_anywhere(&["validate", "histroy"]);
    assert_bad_input(code, &err, "no scenario file or built-in scenario named `histroy`; did you mean `history`?");
}

#[test]
fn missing_toml_path() {
    let (code, _, err) = stpsim_anywhere(&["run", "missing.toml", "--replicates", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: missing.toml: cannot read the file: "), "{err}");
}

#[test]
fn missing_path_with_a_folder() {
    let (code, _, err) = stpsim_anywhere(&["validate", "some/where"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: some/where: cannot read the file: "), "{err}");
}

#[test]
fn two_scenarios_with_one_name() {
    let (code, _, err) = stpsim_anywhere(&["run", "baseline", "baseline", "--replicates", "1"]);
    assert_bad_input(code, &err, "two scenarios are named `baseline`; names in one run must differ");
}

#[test]
fn two_files_with_one_name() {
    let dir = folder(&[("a.toml", "name = \"same\"\n"), ("b.toml", "name = \"same\"\n")]);
    let (code, _, err) = stpsim(dir.path(), &["run", "a.toml", "b.toml", "--replicates", "1", "--out", "o"]);
    assert_bad_input(code, &err, "two scenarios are named `same`; names in one run must differ");
    assert!(!dir.path().join("o").exists());
}

#[test]
fn run_reports_a_scenario_error_before_writing() {
    let dir = folder(&[(
        "t.toml",
        "name = \"x\"\n[[levers]]\nkind = \"strengthen_leads\"\nstart = \"2017Q2\"\nauthority = 1.7\n",
    )]);
    let (code, stdout, err) = stpsim(dir.path(), &["run", "t.toml", "--replicates", "1", "--out", "o"]);
    assert!(stdout.is_empty(), "{stdout}");
    assert_located(
        code,
        &err,
        "t.toml:5:13: `levers[0].authority` = 1.7 is out of range",
        "authority = 1.7",
        "a number from 0 to 1",
    );
    assert!(!dir.path().join("o").exists());
}

#[test]
fn validate_stops_at_the_first_bad_scenario() {
    let dir = folder(&[("t.toml", "name = \"Bad\"\n")]);
    let (code, stdout, err) = stpsim(dir.path(), &["validate", "baseline", "t.toml"]);
    assert!(stdout.starts_with("baseline (scenarios/00-baseline.toml)"), "{stdout}");
    assert!(stdout.contains("  ok\n"), "{stdout}");
    assert_located(
        code,
        &err,
        "t.toml:1:8: `name` = \"Bad\" is not allowed",
        "name = \"Bad\"",
        "1 to 64 lowercase letters",
    );
}

// ---------------------------------------------------------------- command-line arguments

/// Arguments clap refuses: exit 2 with clap's message, nothing on standard
/// output, nothing written. (The wording is clap's; what is checked here is
/// that each is refused before anything runs, and that the ranges are the
/// defaults table's.)
#[test]
fn bad_arguments_exit_2_before_anything_runs() {
    use stpsim::core::defaults::{MAX_REPLICATES, MAX_THREADS};
    let above = (MAX_REPLICATES + 1).to_string();
    let cases: [&[&str]; 11] = [
        &["run", "--replicates", "0", "baseline"],
        &["run", "--replicates", &above, "baseline"],
        &["run", "--replicates", "abc", "baseline"],
        &["run", "--threads", "0", "baseline"],
        &["run", "--seed", "-1", "baseline"],
        &["run", "--frobnicate", "baseline"],
        &["frob"],
        &["validate"],
        &["run", "baseline", "--footprint-replicates", "2"],
        &["run", "baseline", "--per-footprint", "--footprint-replicates", "0"],
        &["run", "baseline", "--out"],
    ];
    for args in cases {
        let dir = folder(&[]);
        let (code, stdout, stderr) = stpsim(dir.path(), args);
        assert_eq!(code, 2, "stpsim {args:?}; stderr:\n{stderr}");
        assert!(stdout.is_empty() && stderr.starts_with("error: "), "stpsim {args:?}:\n{stdout}\n{stderr}");
        assert!(tree(dir.path()).is_empty(), "stpsim {args:?} wrote {:?}", tree(dir.path()));
    }
    let (_, _, stderr) = stpsim_anywhere(&["run", "--replicates", "0", "baseline"]);
    assert!(stderr.contains(&format!("1..={MAX_REPLICATES}")), "{stderr}");
    let (_, _, stderr) = stpsim_anywhere(&["run", "--threads", "0", "baseline"]);
    assert!(stderr.contains(&format!("1..={MAX_THREADS}")), "{stderr}");
}

#[test]
fn run_too_big_for_memory_is_refused_before_writing() {
    let dir = folder(&[("big.toml", "name = \"big\"\n[structure]\nkind = \"synthetic\"\nfootprints = 100000\n")]);
    let (code, stdout, err) =
        stpsim(dir.path(), &["run", "big.toml", "--per-footprint", "--replicates", "1000", "--out", "o"]);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: this run would need about "), "{err}");
    assert!(err.contains(" GiB of memory (results held until written, and one replicate's state per thread), above the limit of 8 GiB;"), "{err}");
    assert!(err.contains("or raise the limit with STPSIM_MAX_MEMORY_GIB"), "{err}");
    assert!(!dir.path().join("o").exists());
}

#[test]
fn the_memory_limit_can_be_set_and_is_checked() {
    let dir = folder(&[]);
    let run = |limit: &str| {
        let args = ["run", "baseline", "--replicates", "50", "--no-charts", "--quiet", "--out", "o"];
        let (code, _, err) =
            stpsim_env(dir.path(), &args, &[("STPSIM_MAX_MEMORY_GIB", limit)], std::time::Duration::from_secs(600));
        (code, err)
    };
    let (code, err) = run("0.0001");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("above the limit of 0.0001 GiB set by STPSIM_MAX_MEMORY_GIB"), "{err}");
    let (code, err) = run("lots");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("STPSIM_MAX_MEMORY_GIB must be a number of GiB above 0"), "{err}");
    let (code, err) = run("1");
    assert_eq!(code, 0, "{err}");
}

// ---------------------------------------------------------------- success

#[test]
fn validate_builtins_prints_ok() {
    let (code, stdout, err) = stpsim_anywhere(&["validate", "baseline", "history"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert!(stdout.starts_with("baseline (scenarios/00-baseline.toml)\n"), "{stdout}");
    assert!(stdout.contains("\nhistory (scenarios/01-history.toml)\n"), "{stdout}");
    assert!(stdout.contains("structure: england (44 footprints)"), "{stdout}");
    assert_eq!(stdout.matches("\n  ok\n").count(), 2, "{stdout}");
}

#[test]
fn scenarios_lists_the_builtins() {
    let (code, stdout, err) = stpsim_anywhere(&["scenarios"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.lines().any(|l| l.starts_with("00-baseline ") && l.ends_with("governance levers?")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("01-history ")), "{stdout}");
    assert_eq!(stdout.lines().filter(|l| l.ends_with('?')).count(), 14, "fourteen scenarios with their questions");
}

#[test]
fn params_lists_beta0() {
    let (code, stdout, err) = stpsim_anywhere(&["params"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("[stances]"), "{stdout}");
    assert!(stdout.lines().any(|l| l.trim_start().starts_with("beta0 ")), "{stdout}");
}

#[test]
fn params_markdown() {
    let (code, stdout, err) = stpsim_anywhere(&["params", "--markdown"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.starts_with("# Parameters"), "{stdout}");
    assert!(stdout.contains("beta0"), "{stdout}");
}

#[test]
fn levers_lists_every_kind_with_its_fields_ranges_and_defaults() {
    let (code, stdout, err) = stpsim_anywhere(&["levers"]);
    assert_eq!(code, 0, "{err}");
    for d in &stpsim::model::levers::LEVERS {
        assert!(stdout.lines().any(|l| l.starts_with(d.name)), "{} missing:\n{stdout}", d.name);
        for f in d.fields {
            let line = stdout.lines().find(|l| l.trim_start().starts_with(&format!("{} ", f.name)));
            let line = line.unwrap_or_else(|| panic!("{}.{} missing:\n{stdout}", d.name, f.name));
            assert!(line.contains(&stpsim::model::levers::range_text(f)), "{line}");
            assert!(line.contains(&stpsim::model::levers::default_text(f)), "{line}");
        }
    }
    assert!(stdout.contains("pace") && stdout.contains("0 to 2"), "{stdout}");
    let (code, md, err) = stpsim_anywhere(&["levers", "--markdown"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(md, stpsim::model::levers::markdown());
}

#[test]
fn version() {
    let (code, stdout, _) = stpsim_anywhere(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), format!("stpsim {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn quiet_validate_prints_nothing_and_still_fails_on_a_mistake() {
    let (code, stdout, err) = stpsim_anywhere(&["validate", "--quiet", &fixture("small.toml")]);
    assert_eq!((code, stdout.as_str(), err.as_str()), (0, "", ""));
    let (code, stdout, err) = stpsim_anywhere(&["validate", "--quiet", "no-such-scenario"]);
    assert_eq!(code, 2, "{err}");
    assert!(stdout.is_empty() && err.starts_with("error:"), "{err}");
}

/// One footprint is "1 footprint", and a scenario without a description
/// gets no empty line under its name.
#[test]
fn validate_counts_in_the_singular_and_skips_a_missing_description() {
    let csv =
        "footprint,organisation,kind\nSolo,Solo Hospitals,acute_trust\nSolo,Solo CCG,ccg\nSolo,Solo Council,council\n";
    let toml = "name = \"solo\"\n[structure]\nkind = \"file\"\npath = \"solo.csv\"\n";
    let dir = folder(&[("solo.csv", csv), ("t.toml", toml)]);
    let (code, stdout, err) = stpsim(dir.path(), &["validate", "t.toml"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("solo ("), "{stdout}");
    assert!(lines[1].starts_with("  quarters: "), "the line after the name is the quarters:\n{stdout}");
    assert!(!lines.iter().any(|l| l.trim().is_empty()), "no empty line:\n{stdout}");
    assert!(stdout.contains("solo.csv (3 organisations, 1 footprint)"), "{stdout}");
    assert!(stdout.contains("leads: 0 of 1 footprint names its lead"), "{stdout}");
}

#[test]
fn validate_a_custom_scenario_with_a_file_structure() {
    let (code, stdout, err) = stpsim_anywhere(&["validate", &fixture("small.toml")]);
    assert_eq!(code, 0, "{err}");
    for part in [
        "small (",
        "quarters: 2016Q1 to 2018Q1 (9); calendar quarters: 2016Q1 is January to March 2016, the fourth quarter of financial year 2015/16",
        "(8 organisations, 2 footprints)",
        "ready: South Downs",
        "replicates: 2",
        "seed: 7",
        "conditionality = 0.5",
        "lever strengthen_leads from 2016Q3, North Vale: authority = 0.6",
        "lever accountable_care from 2017Q1, the 1 most ready",
        "  ok\n",
    ] {
        assert!(stdout.contains(part), "stdout lacks {part:?}:\n{stdout}");
    }
}
