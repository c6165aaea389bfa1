//! Errors as a user meets them: every independent mistake in a file at once,
//! and every mistake a file makes with what it inherits blamed on the file's
//! own line and field, with a note saying where the inherited value was set.

use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_stpsim");

/// Runs stpsim in `dir`: (exit code, stdout, stderr); fails on a panic.
fn stpsim(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).current_dir(dir).stdin(Stdio::null()).output().expect("stpsim starts");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "stpsim {args:?} panicked:\n{stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write fixture");
    }
    dir
}

/// `stpsim validate t.toml` beside `extra` files: (exit code, stderr).
fn validate(toml: &str, extra: &[(&str, &str)]) -> (i32, String) {
    let mut files = vec![("t.toml", toml)];
    files.extend_from_slice(extra);
    let dir = folder(&files);
    let (code, out, err) = stpsim(dir.path(), &["validate", "t.toml"]);
    if code != 0 {
        assert!(out.is_empty(), "a failed validate prints nothing on stdout:\n{out}");
    }
    (code, err)
}

/// The headings (`file:line:col: ...` lines) of an error message, in order.
fn headings(err: &str) -> Vec<&str> {
    err.lines()
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .map(|l| l.split_once("] ").map_or(l, |(n, rest)| if n.starts_with('[') { rest } else { l }))
        .filter(|l| l.contains(".toml:") || l.contains(".csv:"))
        .filter(|l| !l.trim_start().starts_with('='))
        .collect()
}

// ---------------------------------------------------------------- every error in a file

const THREE_MISTAKES: &str = "name = \"three\"\nstart = \"2016Q9\"\n[params]\nconditionality = 2\n\n[[levers]]\nkind = \"remove_vetos\"\nstart = \"2017Q2\"\n";

#[test]
fn validate_lists_three_unrelated_mistakes_in_one_file() {
    let (code, err) = validate(THREE_MISTAKES, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: 3 errors:\n\n[1/3] t.toml:2:9: `start` = \"2016Q9\" is not a quarter"), "{err}");
    assert!(err.contains("\n\n[2/3] t.toml:4:18: `params.conditionality` = 2 is out of range"), "{err}");
    assert!(err.contains("\n\n[3/3] t.toml:7:8: `levers[0].kind` = \"remove_vetos\" is not a lever"), "{err}");
    // Each keeps its excerpt and its rule.
    assert!(err.contains(" 4 | conditionality = 2\n") && err.contains("= allowed: a number from 0 to 1"), "{err}");
    assert!(err.contains("did you mean \"remove_veto\"?"), "{err}");
}

#[test]
fn run_reports_every_mistake_too_and_writes_nothing() {
    let dir = folder(&[("t.toml", THREE_MISTAKES)]);
    let (code, _, err) = stpsim(dir.path(), &["run", "t.toml", "--replicates", "1", "--out", "o"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(headings(&err).len(), 3, "{err}");
    assert!(!dir.path().join("o").exists());
}

#[test]
fn the_library_returns_every_mistake() {
    let e = stpsim::scenario::load_text(THREE_MISTAKES, "t.toml", None).unwrap_err();
    let fields: Vec<String> = e
        .all()
        .iter()
        .map(|e| match e {
            stpsim::ScenarioError::At(l) => format!("{}:{}", l.line, l.field),
            other => panic!("not located: {other}"),
        })
        .collect();
    assert_eq!(fields, ["2:start", "4:params.conditionality", "7:levers[0].kind"]);
}

#[test]
fn mistakes_inside_one_lever_are_all_listed_in_line_order() {
    let t = "name = \"x\"\n[[levers]]\nkind = \"stf_schedule\"\nstart = \"2017Q2\"\nend = \"2017Q1\"\nyears = [{ year = \"2016/18\", total_gbp_bn = 200, transformation_share = 0.2 }, { year = \"2017/18\", total_gbp_bn = 1, transformation_share = 2 }]\n";
    let (code, err) = validate(t, &[]);
    assert_eq!(code, 2, "{err}");
    let h = headings(&err);
    assert_eq!(h.len(), 4, "{err}");
    assert!(h[0].starts_with("t.toml:5:7: `levers[0].end` = \"2017Q1\" is not after the lever's start"), "{err}");
    assert!(h[1].starts_with("t.toml:6:19: `levers[0].years[0].year` = \"2016/18\""), "{err}");
    assert!(h[2].starts_with("t.toml:6:45: `levers[0].years[0].total_gbp_bn` = 200"), "{err}");
    assert!(h[3].contains("`levers[0].years[1].transformation_share` = 2 is out of range"), "{err}");
}

#[test]
fn a_syntax_error_stops_at_once() {
    let (code, err) = validate("name = \"Bad Name\"\nstart = \"2016Q9\"\nend = \n", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("errors:"), "{err}");
    assert!(err.starts_with("error: t.toml:3:"), "{err}");
}

#[test]
fn checks_that_depend_on_a_mistake_are_skipped() {
    // A bad structure: the footprint names and `ready` are not checked against England's instead.
    let t = "name = \"x\"\n[structure]\nkind = \"synthetc\"\nready = [\"S1\"]\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = [\"S2\"]\n";
    let (code, err) = validate(t, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: t.toml:3:8: `structure.kind` = \"synthetc\" is not a structure"), "{err}");
    assert!(!err.contains("errors:"), "{err}");
    // A bad start: the levers' timing is not checked against the default start instead.
    let t = "name = \"x\"\nstart = \"2018Q7\"\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2017Q2\"\n";
    let (_, err) = validate(t, &[]);
    assert!(err.starts_with("error: t.toml:2:9: `start` = \"2018Q7\"") && !err.contains("errors:"), "{err}");
    // A parameter out of range: the rule tying it to another is not judged on its default.
    let t = "name = \"x\"\n[params]\nloser_effect_min = 1.5\nloser_effect_max = 30\n";
    let (_, err) = validate(t, &[]);
    assert!(err.starts_with("error: t.toml:4:20: `params.loser_effect_max` = 30 is out of range"), "{err}");
    assert!(!err.contains("errors:") && !err.contains("conflicts"), "{err}");
}

#[test]
fn a_missing_name_and_other_mistakes_are_reported_together() {
    let (code, err) = validate("description = \"d\"\n[params]\nbeta_0 = 1\n", &[]);
    assert_eq!(code, 2, "{err}");
    let h = headings(&err);
    assert_eq!(h.len(), 2, "{err}");
    assert!(h[0].starts_with("t.toml:1:1: `name` is required"), "{err}");
    assert!(h[1].starts_with("t.toml:3:1: `params.beta_0` is not a parameter"), "{err}");
}

#[test]
fn validate_flattens_every_files_mistakes_into_one_list() {
    let dir = folder(&[
        ("a.toml", "name = \"a\"\nstart = \"2016Q0\"\nseed = -1\n"),
        ("b.toml", "name = \"B\"\n"),
        ("c.toml", "name = \"c\"\n"),
    ]);
    let (code, out, err) = stpsim(dir.path(), &["validate", "a.toml", "b.toml", "c.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: 3 errors:"), "{err}");
    assert!(err.contains("[1/3] a.toml:2:9") && err.contains("[2/3] a.toml:3:8") && err.contains("[3/3] b.toml:1:8"));
    assert!(out.contains("c (c.toml)"), "{out}");
}

#[test]
fn a_broken_parent_and_the_files_own_mistakes_are_both_reported() {
    let (code, err) =
        validate("name = \"x\"\nextends = \"p.toml\"\nreplicates = 0\n", &[("p.toml", "name = \"p\"\nseed = 1.5\n")]);
    assert_eq!(code, 2, "{err}");
    let h = headings(&err);
    assert_eq!(h.len(), 2, "{err}");
    assert!(h[0].contains("p.toml:2:8: `seed` = 1.5 is not a whole number"), "{err}");
    assert!(h[1].starts_with("t.toml:3:14: `replicates` = 0 is out of range"), "{err}");
}

// ---------------------------------------------------------------- inherited values

/// Where baseline's joint working lever starts.
const BASELINE_LEVER: &str =
    "levers[0] of scenarios/00-baseline.toml (joint_working) starts at scenarios/00-baseline.toml:48:9";

#[test]
fn a_start_after_an_inherited_lever_blames_the_users_start() {
    let (code, err) = validate("name = \"x\"\nextends = \"baseline\"\nstart = \"2017Q1\"\n", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with(
            "error: t.toml:3:9: `start` = \"2017Q1\" is after the start of the inherited levers[0] of \
             scenarios/00-baseline.toml (joint_working), 2016Q4"
        ),
        "{err}"
    );
    assert!(err.contains("= allowed: a start up to 2016Q4"), "{err}");
    assert!(err.contains(&format!("= note: {BASELINE_LEVER}")), "{err}");
}

#[test]
fn an_end_before_an_inherited_lever_blames_the_users_end() {
    let (code, err) = validate("name = \"x\"\nextends = \"baseline\"\nend = \"2016Q3\"\n", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with(
            "error: t.toml:3:7: `end` = \"2016Q3\" is before the inherited levers[0] of scenarios/00-baseline.toml \
             (joint_working) starts, 2016Q4, so it would never act"
        ),
        "{err}"
    );
    assert!(err.contains(&format!("= note: {BASELINE_LEVER}")), "{err}");
}

#[test]
fn the_users_levers_are_numbered_from_zero_in_their_own_file() {
    let t = "name = \"x\"\nextends = \"baseline\"\n[[levers]]\nkind = \"strengthen_leads\"\nstart = \"2017Q2\"\nauthority = 1.5\n";
    let (code, err) = validate(t, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: t.toml:6:13: `levers[0].authority` = 1.5 is out of range"), "{err}");
}

#[test]
fn a_lever_clashing_with_an_inherited_one_names_both_files() {
    let t = "name = \"x\"\nextends = \"baseline\"\n[[levers]]\nkind = \"joint_working\"\nstart = \"2017Q2\"\n";
    let (code, err) = validate(t, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with(
            "error: t.toml:4:8: `levers[0].kind` = \"joint_working\" sets what levers[0] of \
             scenarios/00-baseline.toml already sets"
        ),
        "{err}"
    );
    assert!(err.contains("= note: levers[0] is at scenarios/00-baseline.toml:47:8"), "{err}");
    // The way out is one the user's own file can take.
    assert!(err.contains("starting after it ends; to change the inherited lever"), "{err}");
    assert!(!err.contains("end one before the other starts"), "{err}");
}

#[test]
fn a_structure_too_small_for_an_inherited_lever_blames_the_structure() {
    let p = "name = \"p\"\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = { most_ready = 6 }\n";
    let t = "name = \"x\"\nextends = \"p.toml\"\n[structure]\nkind = \"synthetic\"\nfootprints = 4\n";
    let (code, err) = validate(t, &[("p.toml", p)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with(
            "error: t.toml:5:14: `structure.footprints` = 4 makes 4 footprints, fewer than the inherited levers[0] \
             of p.toml (remove_veto) targets (6)"
        ),
        "{err}"
    );
    assert!(err.contains("= note: levers[0] sets its footprints at p.toml:5:14"), "{err}");
}

#[test]
fn a_structure_without_an_inherited_levers_footprints_blames_the_structure() {
    let p = "name = \"p\"\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = [\"Dorset\", \"Frimley Health\"]\n";
    let t = "name = \"x\"\nextends = \"p.toml\"\n[structure]\nkind = \"synthetic\"\n";
    let (code, err) = validate(t, &[("p.toml", p)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with(
            "error: t.toml:4:8: `structure.kind` = \"synthetic\" has no footprint \"Dorset\", \"Frimley Health\", \
             which the inherited levers[0] of p.toml (remove_veto) names"
        ),
        "{err}"
    );
    assert!(err.contains("= note: levers[0] names its footprints at p.toml:5:14"), "{err}");
    assert_eq!(headings(&err).len(), 1, "one error for the lever, not one per name: {err}");
}

#[test]
fn the_users_footprint_names_note_where_the_inherited_structure_is_set() {
    let p = "name = \"p\"\n[structure]\nkind = \"synthetic\"\nfootprints = 3\n";
    let t = "name = \"x\"\nextends = \"p.toml\"\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = [\"Dorset\"]\n";
    let (code, err) = validate(t, &[("p.toml", p)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: t.toml:6:15: `levers[0].footprints` = \"Dorset\" is not a footprint"), "{err}");
    assert!(
        err.contains("= note: the structure, structure.footprints = 3 (3 footprints), is set at p.toml:4:14"),
        "{err}"
    );
}

#[test]
fn a_ready_list_set_before_a_parent_changed_the_structure_is_dropped() {
    // p changes baseline's structure; t extends p and sets neither: baseline's list is dropped, not an error.
    let p = "name = \"p\"\nextends = \"baseline\"\n[structure]\nkind = \"synthetic\"\nfootprints = 10\n";
    let dir = folder(&[("p.toml", p), ("t.toml", "name = \"x\"\nextends = \"p.toml\"\n")]);
    let (code, out, err) = stpsim(dir.path(), &["validate", "t.toml"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("note: the `ready` list inherited from scenarios/00-baseline.toml:"), "{out}");
}

#[test]
fn agenda_weights_zeroed_by_the_user_blame_the_users_line() {
    let p = "name = \"p\"\n[params]\nagenda_acute_reconfiguration = 0\nagenda_acute_out_of_hospital = 0\nagenda_acute_prevention = 0\nagenda_acute_social_care = 0\n";
    let t = "name = \"x\"\nextends = \"p.toml\"\n[params]\nagenda_acute_back_office = 0\n";
    let (code, err) = validate(t, &[("p.toml", p)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("error: t.toml:4:1: `params.agenda_acute_back_office` = 0 conflicts with other parameters"),
        "{err}"
    );
    assert!(err.contains("= note: `agenda_acute_out_of_hospital` = 0 is set at p.toml:4:1"), "{err}");
}

#[test]
fn a_run_too_long_blames_the_users_start_not_the_inherited_end() {
    let (code, err) = validate("name = \"x\"\nextends = \"baseline\"\nstart = \"1910Q1\"\n", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: t.toml:3:9: `start` = \"1910Q1\" makes a run of"), "{err}");
    assert!(err.contains("= note: `end` = \"2021Q1\" is set at scenarios/00-baseline.toml:23:7"), "{err}");
}

#[test]
fn a_lever_before_an_inherited_start_notes_where_the_start_is_set() {
    let p = "name = \"p\"\nstart = \"2018Q1\"\n";
    let t = "name = \"x\"\nextends = \"p.toml\"\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2017Q2\"\n";
    let (code, err) = validate(t, &[("p.toml", p)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: t.toml:5:9: `levers[0].start` = \"2017Q2\" is before the run starts"), "{err}");
    assert!(err.contains("= note: the run's `start` = \"2018Q1\" is set at p.toml:2:9"), "{err}");
}

// ---------------------------------------------------------------- words found by tests/fuzz_inputs.rs

#[test]
fn a_number_of_the_wrong_type_prints_as_written() {
    let t = "name = \"x\"\n[[levers]]\nkind = \"strengthen_leads\"\nstart = \"2017Q2\"\nauthority = 0.5\ndecision_rights = 1e308\n";
    let (code, err) = validate(t, &[]);
    assert_eq!(code, 2, "{err}");
    // The field and both kinds in the user's words, the number as written.
    assert!(
        err.starts_with(
            "error: t.toml:6:19: `levers[0].decision_rights` = 1e308 is a decimal number, where true or false is expected"
        ),
        "{err}"
    );
}

#[test]
fn a_parameter_conflict_prints_values_as_written() {
    let p = "name = \"p\"\n[params]\nloser_effect_max = 0.50\n";
    let t = "name = \"x\"\nextends = \"p.toml\"\n[params]\nloser_effect_min = 1.50\n";
    let (code, err) = validate(t, &[("p.toml", p)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: t.toml:4:1: `params.loser_effect_min` = 1.50 conflicts"), "{err}");
    assert!(err.contains("= note: `loser_effect_max` = 0.50 is set at p.toml:3:1"), "{err}");
}

#[test]
fn a_lever_kind_after_a_vowel_takes_an() {
    let t = "name = \"x\"\n[[levers]]\nkind = \"accountability_clarity\"\nstart = \"2017Q2\"\nfootprints = \"all\"\n";
    let (code, err) = validate(t, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`levers[0].footprints` does not apply to an accountability_clarity lever"), "{err}");
}
