//! Errors as a user meets them: every independent mistake in a file at once,
//! and every mistake a file makes with what it inherits blamed on the file's
//! own line and field, with a note saying where the inherited value was set.

mod common;
use common::*;

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
    "levers[0] of scenarios/00-baseline.toml (joint_working) starts at scenarios/00-baseline.toml:47:9";

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
    assert!(err.contains("= note: levers[0] is at scenarios/00-baseline.toml:46:8"), "{err}");
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
    assert!(err.contains("= note: `end` = \"2021Q1\" is set at scenarios/00-baseline.toml:22:7"), "{err}");
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

// ================================================================ one mistake per file
// (moved from tests/cli.rs: each mistake a scenario or structure file can make, as
// `stpsim validate` reports it: file, line:column, field, value and the rule)

/// `stpsim validate t.toml` on a scenario with this text, beside `extra`
/// files; returns (exit code, stderr). A failing validation prints nothing
/// on stdout.
fn check_with(toml: &str, extra: &[(&str, &str)]) -> (i32, String) {
    let mut files = vec![("t.toml", toml)];
    files.extend_from_slice(extra);
    let dir = folder(&files);
    let (code, stdout, stderr) = stpsim(dir.path(), &["validate", "t.toml"]);
    if code != 0 {
        assert!(stdout.is_empty(), "stdout of a failed validate:\n{stdout}");
    }
    (code, stderr)
}

fn check(toml: &str) -> (i32, String) {
    check_with(toml, &[])
}

/// Validates a scenario whose structure is the CSV `s.csv` with this text.
fn check_csv(csv: &str) -> (i32, String) {
    check_with("name = \"x\"\n[structure]\nkind = \"file\"\npath = \"s.csv\"\n", &[("s.csv", csv)])
}

const LEVER: &str = "name = \"x\"\n[[levers]]\n";

// ---------------------------------------------------------------- fields

#[test]
fn misspelt_lever_field_suggests_authority() {
    let (code, err) = check(&format!("{LEVER}kind = \"strengthen_leads\"\nstart = \"2017Q2\"\nautority = 0.6\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:1: `autority` is not a known field",
        "autority = 0.6",
        "did you mean `authority`? known fields: kind, start, end, footprints, authority,",
    );
}

#[test]
fn misspelt_top_level_field_suggests_replicates() {
    let (code, err) = check("name = \"x\"\nreplicate = 3\n");
    assert_located(
        code,
        &err,
        "t.toml:2:1: `replicate` is not a known field",
        "replicate = 3",
        "did you mean `replicates`? known fields: name, description, extends,",
    );
}

#[test]
fn misspelt_structure_field_suggests_kind() {
    let (code, err) = check("name = \"x\"\n[structure]\nkinds = \"england\"\n");
    assert_located(
        code,
        &err,
        "t.toml:3:1: `kinds` is not a known field",
        "kinds = \"england\"",
        "did you mean `kind`? known fields: kind, footprints, path, ready",
    );
}

#[test]
fn unknown_field_far_from_any_lists_known_fields() {
    let (code, err) = check("name = \"x\"\nzzzzzzzz = 3\n");
    assert_located(
        code,
        &err,
        "t.toml:2:1: `zzzzzzzz` is not a known field",
        "zzzzzzzz = 3",
        "known fields: name, description, extends, start, end, replicates, seed, structure, params, levers",
    );
}

#[test]
fn wrong_type_is_located() {
    let (code, err) = check("name = \"x\"\nreplicates = \"five\"\n");
    assert_located(
        code,
        &err,
        "t.toml:2:14: `replicates` = \"five\" is text, where a number is expected",
        "replicates = \"five\"",
        "a number",
    );
}

#[test]
fn lever_without_start_is_located() {
    let (code, err) = check(&format!("{LEVER}kind = \"remove_veto\"\n"));
    assert_located(code, &err, "t.toml:2:1: missing field `start`", "[[levers]]", "");
}

// ---------------------------------------------------------------- quarters

#[test]
fn quarter_number_5_is_rejected() {
    let (code, err) = check(&format!("{LEVER}kind = \"remove_veto\"\nstart = \"2017Q5\"\n"));
    assert_located(
        code,
        &err,
        "t.toml:4:9: `levers[0].start` = \"2017Q5\" is not a quarter",
        "start = \"2017Q5\"",
        "a quarter number from 1 to 4 (got Q5 in \"2017Q5\")",
    );
}

#[test]
fn malformed_quarter_shows_the_format() {
    let (code, err) = check("name = \"x\"\nstart = \"2017Q\"\n");
    assert_located(
        code,
        &err,
        "t.toml:2:9: `start` = \"2017Q\" is not a quarter",
        "start = \"2017Q\"",
        "a quarter written YYYYQn with n from 1 to 4, such as 2017Q2",
    );
}

#[test]
fn quarter_year_out_of_range() {
    let (code, err) = check("name = \"x\"\nend = \"2300Q1\"\n");
    assert_located(
        code,
        &err,
        "t.toml:2:7: `end` = \"2300Q1\" is not a quarter",
        "end = \"2300Q1\"",
        "a year from 1900 to 2200 (got 2300)",
    );
}

#[test]
fn run_end_before_start() {
    let (code, err) = check("name = \"x\"\nstart = \"2018Q1\"\nend = \"2017Q1\"\n");
    assert_located(
        code,
        &err,
        "t.toml:3:7: `end` = \"2017Q1\" is before the start",
        "end = \"2017Q1\"",
        "a quarter from 2018Q1 on",
    );
}

#[test]
fn run_longer_than_400_quarters() {
    let (code, err) = check("name = \"x\"\nstart = \"2018Q1\"\nend = \"2118Q1\"\n");
    assert_located(
        code,
        &err,
        "t.toml:3:7: `end` = \"2118Q1\" makes a run of 401 quarters, from 2018Q1 to 2118Q1",
        "end = \"2118Q1\"",
        "at most 400 quarters from start to end",
    );
}

#[test]

fn run_longer_than_400_quarters_with_default_end() {
    // start 1900Q1 to the default end 2021Q1 is 485 quarters.
    let (code, err) = check("name = \"x\"\nstart = \"1900Q1\"\n");
    assert_eq!(code, 2, "stderr:\n{err}");
    assert!(err.contains("t.toml:2:9:"), "{err}");
    assert!(err.contains("at most 400 quarters"), "{err}");
}

// ---------------------------------------------------------------- numbers

#[test]
fn authority_1_7_is_out_of_range_in_the_documented_format() {
    let (code, err) = check(&format!("{LEVER}kind = \"strengthen_leads\"\nstart = \"2017Q2\"\nauthority = 1.7\n"));
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: t.toml:5:13: `levers[0].authority` = 1.7 is out of range\n   |\n 5 | authority = 1.7\n   |             ^^^\n   = allowed: a number from 0 to 1\n"
    );
}

#[test]
fn nan_authority_is_not_a_finite_number() {
    let (code, err) = check(&format!("{LEVER}kind = \"strengthen_leads\"\nstart = \"2017Q2\"\nauthority = nan\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:13: `levers[0].authority` = nan is not a finite number",
        "authority = nan",
        "a number from 0 to 1",
    );
}

#[test]
fn whole_number_lever_field_rejects_a_fraction() {
    let (code, err) = check(&format!("{LEVER}kind = \"accountable_care\"\nstart = \"2017Q2\"\nquarters = 2.5\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:12: `levers[0].quarters` = 2.5 is not a whole number",
        "quarters = 2.5",
        "a whole number from 1 to 40",
    );
}

#[test]
fn replicates_0_in_a_file_is_out_of_range() {
    let (code, err) = check("name = \"x\"\nreplicates = 0\n");
    assert_located(
        code,
        &err,
        "t.toml:2:14: `replicates` = 0 is out of range",
        "replicates = 0",
        "a whole number from 1 to 1000000",
    );
}

#[test]
fn negative_seed_in_a_file_is_out_of_range() {
    let (code, err) = check("name = \"x\"\nseed = -1\n");
    assert_located(
        code,
        &err,
        "t.toml:2:8: `seed` = -1 is out of range",
        "seed = -1",
        "a whole number from 0 to 9007199254740992",
    );
}

// ---------------------------------------------------------------- params

#[test]
fn unknown_parameter_suggests_beta0() {
    let (code, err) = check("name = \"x\"\n[params]\nbeta_0 = 0.3\n");
    assert_located(
        code,
        &err,
        "t.toml:3:1: `params.beta_0` is not a parameter",
        "beta_0 = 0.3",
        "did you mean `beta0`",
    );
    assert!(err.contains("`stpsim params` lists all"), "{err}");
}

#[test]
fn parameter_out_of_range() {
    let (code, err) = check("name = \"x\"\n[params]\nconditionality = 2\n");
    assert_located(
        code,
        &err,
        "t.toml:3:18: `params.conditionality` = 2 is out of range",
        "conditionality = 2",
        "a number from 0 to 1 (share)",
    );
}

#[test]
fn infinite_parameter_is_not_a_finite_number() {
    let (code, err) = check("name = \"x\"\n[params]\nbeta0 = inf\n");
    assert_located(
        code,
        &err,
        "t.toml:3:9: `params.beta0` = inf is not a finite number",
        "beta0 = inf",
        "a number from -10 to 10 (logit)",
    );
}

const CONFLICT: &str = "name = \"x\"\n[params]\nbeta0 = 0.3\nloser_effect_min = 0.9\nloser_effect_max = 0.5\n";

#[test]
fn conflicting_parameters_name_the_rule() {
    let (code, err) = check(CONFLICT);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`params.loser_effect_min` = 0.9 conflicts with other parameters"), "{err}");
    assert!(err.contains("= allowed: at most loser_effect_max"), "{err}");
}

#[test]

fn conflicting_parameters_point_at_the_parameter() {
    let (code, err) = check(CONFLICT);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: t.toml:4:"), "{err}");
    assert!(err.contains(" 4 | loser_effect_min = 0.9"), "{err}");
}

// ---------------------------------------------------------------- levers

#[test]
fn unknown_lever_kind_suggests_the_nearest() {
    let (code, err) = check(&format!("{LEVER}kind = \"remove_vetos\"\nstart = \"2017Q2\"\n"));
    assert_located(
        code,
        &err,
        "t.toml:3:8: `levers[0].kind` = \"remove_vetos\" is not a lever",
        "kind = \"remove_vetos\"",
        "did you mean \"remove_veto\"? levers: strengthen_leads, remove_veto, committees_in_common,",
    );
}

#[test]
fn footprints_do_not_apply_to_a_national_lever() {
    let (code, err) = check(&format!(
        "{LEVER}kind = \"national_intervention\"\nstart = \"2017Q2\"\nprobability = 0.5\nfootprints = \"all\"\n"
    ));
    assert_located(
        code,
        &err,
        "t.toml:6:14: `levers[0].footprints` does not apply to a national_intervention lever (a national lever acts everywhere)",
        "footprints = \"all\"",
        "fields of national_intervention: kind, start, end, probability",
    );
}

#[test]
fn a_field_of_another_lever_kind_does_not_apply() {
    let (code, err) = check(&format!("{LEVER}kind = \"remove_veto\"\nstart = \"2017Q2\"\nauthority = 0.5\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:13: `levers[0].authority` does not apply to a remove_veto lever",
        "authority = 0.5",
        "fields of remove_veto: kind, start, end, footprints",
    );
}

#[test]
fn strengthen_leads_requires_authority() {
    let (code, err) = check(&format!("{LEVER}kind = \"strengthen_leads\"\nstart = \"2017Q2\"\n"));
    assert_located(
        code,
        &err,
        "t.toml:3:8: `levers[0].authority` is required by a strengthen_leads lever",
        "kind = \"strengthen_leads\"",
        "a number from 0 to 1",
    );
}

#[test]
fn stf_schedule_requires_years() {
    let (code, err) = check(&format!("{LEVER}kind = \"stf_schedule\"\nstart = \"2017Q2\"\n"));
    assert_located(
        code,
        &err,
        "t.toml:3:8: `levers[0].years` is required by a stf_schedule lever",
        "kind = \"stf_schedule\"",
        "years = [{ year = \"2016/17\", total_gbp_bn = 2.1, transformation_share = 0.14 }, ...]",
    );
}

#[test]
fn stf_schedule_bad_financial_year() {
    let line = "years = [{ year = \"2016/18\", total_gbp_bn = 2.1, transformation_share = 0.14 }]";
    let (code, err) = check(&format!("{LEVER}kind = \"stf_schedule\"\nstart = \"2017Q2\"\n{line}\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:19: `levers[0].years[0].year` = \"2016/18\" is not a financial year",
        line,
        "a financial year written like 2016/17 (got \"2016/18\")",
    );
}

#[test]
fn stf_schedule_year_twice() {
    let y = "{ year = \"2016/17\", total_gbp_bn = 2.1, transformation_share = 0.14 }";
    let line = format!("years = [{y}, {y}]");
    let (code, err) = check(&format!("{LEVER}kind = \"stf_schedule\"\nstart = \"2017Q2\"\n{line}\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:90: `levers[0].years[1].year` = \"2016/17\" appears twice",
        &line,
        "each financial year once",
    );
}

#[test]
fn stf_schedule_total_out_of_range() {
    let line = "years = [{ year = \"2016/17\", total_gbp_bn = 200, transformation_share = 0.14 }]";
    let (code, err) = check(&format!("{LEVER}kind = \"stf_schedule\"\nstart = \"2017Q2\"\n{line}\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:45: `levers[0].years[0].total_gbp_bn` = 200 is out of range",
        line,
        "a number from 0 to 100",
    );
}

const BEFORE_START: &str = "name = \"x\"\nstart = \"2017Q1\"\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2016Q4\"\n";

#[test]
fn lever_start_before_run_start() {
    let (code, err) = check(BEFORE_START);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: t.toml:"), "{err}");
    assert!(err.contains("`levers[0].start` = \"2016Q4\" is before the run starts"), "{err}");
    assert!(err.contains("= allowed: a quarter from the run's start, 2017Q1, on"), "{err}");
}

#[test]

fn lever_start_before_run_start_points_at_start() {
    let (code, err) = check(BEFORE_START);
    assert_located(
        code,
        &err,
        "t.toml:5:9: `levers[0].start` = \"2016Q4\" is before the run starts",
        "start = \"2016Q4\"",
        "a quarter from the run's start, 2017Q1, on",
    );
}

#[test]
fn lever_end_not_after_start() {
    let (code, err) = check(&format!("{LEVER}kind = \"remove_veto\"\nstart = \"2017Q2\"\nend = \"2017Q2\"\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:7: `levers[0].end` = \"2017Q2\" is not after the lever's start",
        "end = \"2017Q2\"",
        "a quarter after 2017Q2, or no end",
    );
}

#[test]
fn overlapping_levers_of_one_kind() {
    let (code, err) = check(&format!(
        "{LEVER}kind = \"remove_veto\"\nstart = \"2017Q2\"\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2018Q2\"\n"
    ));
    assert_located(
        code,
        &err,
        "t.toml:6:8: `levers[1].kind` = \"remove_veto\" sets what levers[0] already sets in the same quarter on the same footprints",
        "kind = \"remove_veto\"",
        "levers of one kind on disjoint footprints or at times that do not overlap",
    );
}

#[test]
fn levers_of_one_kind_one_after_the_other_are_valid() {
    let (code, err) = check(&format!(
        "{LEVER}kind = \"remove_veto\"\nstart = \"2017Q2\"\nend = \"2018Q2\"\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2018Q2\"\n"
    ));
    assert_eq!(code, 0, "{err}");
}

// ---------------------------------------------------------------- footprints

#[test]
fn unknown_footprint_lists_nearest_names() {
    let (code, err) =
        check(&format!("{LEVER}kind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = [\"Frimley Heath\"]\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:15: `levers[0].footprints` = \"Frimley Heath\" is not a footprint of this structure",
        "footprints = [\"Frimley Heath\"]",
        "did you mean \"Frimley Health\", ",
    );
}

#[test]

fn unknown_footprint_in_a_multiline_list_points_at_the_name() {
    let (code, err) = check(&format!(
        "{LEVER}kind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = [\n  \"Dorset\",\n  \"Frimley Heath\",\n]\n"
    ));
    assert_located(
        code,
        &err,
        "t.toml:7:3: `levers[0].footprints` = \"Frimley Heath\" is not a footprint of this structure",
        "  \"Frimley Heath\",",
        "did you mean \"Frimley Health\", ",
    );
}

#[test]
fn unknown_footprint_of_a_file_structure_lists_its_names() {
    let csv = "footprint,organisation,kind\nNorth Vale,T,acute_trust\nSouth Downs,C,ccg\n";
    let (code, err) = check_with(
        "name = \"x\"\n[structure]\nkind = \"file\"\npath = \"s.csv\"\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = [\"North Vail\"]\n",
        &[("s.csv", csv)],
    );
    assert_located(
        code,
        &err,
        "t.toml:8:15: `levers[0].footprints` = \"North Vail\" is not a footprint of this structure",
        "footprints = [\"North Vail\"]",
        "did you mean \"North Vale\", \"South Downs\"?",
    );
}

#[test]
fn a_single_name_is_not_a_footprint_selection() {
    let (code, err) = check(&format!("{LEVER}kind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = \"Dorset\"\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:14: `levers[0].footprints` = \"Dorset\" is not a footprint selection",
        "footprints = \"Dorset\"",
        "\"all\", or a list of names such as [\"Frimley Health\"]",
    );
}

#[test]
fn an_empty_list_is_not_a_footprint_selection() {
    let (code, err) = check(&format!("{LEVER}kind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = []\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:14: `levers[0].footprints` = [] is not a footprint selection",
        "footprints = []",
        "\"all\", a list of footprint names, { most_ready = N } or { least_ready = N }",
    );
}

#[test]
fn most_ready_0_is_not_a_count() {
    let (code, err) =
        check(&format!("{LEVER}kind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = {{ most_ready = 0 }}\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:14: `levers[0].footprints.most_ready` = 0 is not a count",
        "footprints = { most_ready = 0 }",
        "a whole number of footprints from 1 up",
    );
}

#[test]
fn unknown_footprint_rule() {
    let (code, err) =
        check(&format!("{LEVER}kind = \"remove_veto\"\nstart = \"2017Q2\"\nfootprints = {{ best = 3 }}\n"));
    assert_located(
        code,
        &err,
        "t.toml:5:14: `levers[0].footprints` = { best = ... } is not a footprint rule",
        "footprints = { best = 3 }",
        "\"all\", a list of footprint names, { most_ready = N } or { least_ready = N }",
    );
}

#[test]
fn unknown_ready_footprint() {
    let (code, err) = check("name = \"x\"\n[structure]\nready = [\"Dorsett\"]\n");
    assert_located(
        code,
        &err,
        "t.toml:3:10: `structure.ready` = \"Dorsett\" is not a footprint of this structure",
        "ready = [\"Dorsett\"]",
        "did you mean \"Dorset\", ",
    );
}

#[test]
fn ready_footprint_named_twice() {
    let (code, err) = check("name = \"x\"\n[structure]\nready = [\"Dorset\", \"Dorset\"]\n");
    assert_located(
        code,
        &err,
        "t.toml:3:9: `structure.ready` = \"Dorset\" is named twice",
        "ready = [\"Dorset\", \"Dorset\"]",
        "each footprint once",
    );
}

// ---------------------------------------------------------------- structure

#[test]
fn bad_structure_kind() {
    let (code, err) = check("name = \"x\"\n[structure]\nkind = \"wales\"\n");
    assert_located(
        code,
        &err,
        "t.toml:3:8: `structure.kind` = \"wales\" is not a structure",
        "kind = \"wales\"",
        "one of \"england\", \"synthetic\", \"file\"",
    );
}

#[test]
fn structure_file_that_does_not_exist() {
    let (code, err) = check("name = \"x\"\n[structure]\nkind = \"file\"\npath = \"nope.csv\"\n");
    assert_eq!(code, 2, "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: t.toml:4:8: `structure.path` = \"nope.csv\" cannot be read (nope.csv: "),
        "{err}"
    );
    assert_located(
        code,
        &err,
        first.trim_start_matches("error: "),
        "path = \"nope.csv\"",
        "a path to a CSV file, relative to this scenario file",
    );
}

#[test]
fn file_structure_requires_a_path() {
    let (code, err) = check("name = \"x\"\n[structure]\nkind = \"file\"\n");
    assert_located(
        code,
        &err,
        "t.toml:3:8: `structure.path` is required when kind = \"file\"",
        "kind = \"file\"",
        "a path to a CSV with columns footprint,organisation,kind[,budget][,lead]",
    );
}

#[test]
fn structure_footprints_apply_to_synthetic_only() {
    let (code, err) = check("name = \"x\"\n[structure]\nkind = \"england\"\nfootprints = 3\n");
    assert_located(
        code,
        &err,
        "t.toml:4:14: `structure.footprints` applies to kind = \"synthetic\" only",
        "footprints = 3",
        "remove it, or set kind = \"synthetic\"",
    );
}

#[test]
fn structure_footprints_without_a_kind() {
    let (code, err) = check("name = \"x\"\n[structure]\nfootprints = 3\n");
    assert_located(
        code,
        &err,
        "t.toml:3:14: `structure.footprints` needs kind = \"synthetic\" in the same table",
        "footprints = 3",
        "one of \"england\", \"synthetic\", \"file\"",
    );
}

#[test]
fn structure_path_applies_to_file_only() {
    let (code, err) = check("name = \"x\"\n[structure]\nkind = \"synthetic\"\npath = \"a.csv\"\n");
    assert_located(
        code,
        &err,
        "t.toml:4:8: `structure.path` applies to kind = \"file\" only",
        "path = \"a.csv\"",
        "remove it, or set kind = \"file\"",
    );
}

#[test]
fn structure_path_without_a_kind() {
    let (code, err) = check("name = \"x\"\n[structure]\npath = \"a.csv\"\n");
    assert_located(
        code,
        &err,
        "t.toml:3:8: `structure.path` needs kind = \"file\" in the same table",
        "path = \"a.csv\"",
        "one of \"england\", \"synthetic\", \"file\"",
    );
}

#[test]
fn synthetic_with_0_footprints() {
    let (code, err) = check("name = \"x\"\n[structure]\nkind = \"synthetic\"\nfootprints = 0\n");
    assert_located(
        code,
        &err,
        "t.toml:4:14: `structure.footprints` = 0 is out of range",
        "footprints = 0",
        "a whole number from 1 to 100000",
    );
}

// ---------------------------------------------------------------- structure CSV

#[test]
fn csv_unknown_kind_names_line_and_column_and_the_nearest_kind() {
    let (code, err) = check_csv("footprint,organisation,kind\nA,x,acute_trust\nA,y,hospital\n");
    assert_located(
        code,
        &err,
        "s.csv:3:5: `kind` = \"hospital\" is not a kind of organisation",
        "A,y,hospital",
        "did you mean `",
    );
    assert!(
        err.contains(
            "kinds: acute_trust, mental_health_trust, community_trust, ambulance_trust, ccg, council, primary_care"
        ),
        "{err}"
    );
    let (code, err) = check_csv("footprint,organisation,kind\nA,y,acute\n");
    assert_located(
        code,
        &err,
        "s.csv:2:5: `kind` = \"acute\" is not a kind of organisation",
        "A,y,acute",
        "did you mean `acute_trust`?",
    );
}

#[test]
fn csv_row_with_too_few_fields() {
    let (code, err) = check_csv("footprint,organisation,kind\nA,x,acute_trust\nA,y\n");
    assert_located(
        code,
        &err,
        "s.csv:3:4: 2 fields where the header has 3",
        "A,y",
        "one value for each column: footprint,organisation,kind",
    );
}

#[test]
fn csv_row_with_too_many_fields() {
    let (code, err) = check_csv("footprint,organisation,kind\nA,x,acute_trust,extra\n");
    assert_located(
        code,
        &err,
        "s.csv:2:17: 4 fields where the header has 3",
        "A,x,acute_trust,extra",
        "one value for each column",
    );
}

#[test]
fn csv_negative_budget() {
    let (code, err) = check_csv("footprint,organisation,kind,budget\nA,x,ccg,-5\n");
    assert_located(
        code,
        &err,
        "s.csv:2:9: `budget` = \"-5\" is not a budget",
        "A,x,ccg,-5",
        "a number of £m a year above 0 and at most 1000000",
    );
}

#[test]
fn csv_budget_that_is_not_a_number() {
    let (code, err) = check_csv("footprint,organisation,kind,budget\nA,x,ccg,lots\n");
    assert_located(code, &err, "s.csv:2:9: `budget` = \"lots\" is not a budget", "A,x,ccg,lots", "a number of £m");
}

#[test]
fn csv_missing_header_columns() {
    let (code, err) = check_csv("footprint,name,kind\nA,x,ccg\n");
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: 2 errors:\n"), "{err}");
    assert!(err.contains("[1/2] s.csv:1:11: unknown column `name` in the header"), "{err}");
    assert!(err.contains("[2/2] s.csv:1:1: the header lacks the column organisation"), "{err}");
}

#[test]
fn csv_unknown_column_suggests_the_nearest() {
    let (code, err) = check_csv("footprint,organisation,kind,colour\nA,x,ccg,red\n");
    assert_located(
        code,
        &err,
        "s.csv:1:29: unknown column `colour` in the header",
        "footprint,organisation,kind,colour",
        "columns: footprint, organisation, kind, budget, lead",
    );
    let (code, err) = check_csv("footprint,organisation,kind,budgte\nA,x,ccg,1\n");
    assert_located(
        code,
        &err,
        "s.csv:1:29: unknown column `budgte` in the header",
        "footprint,organisation,kind,budgte",
        "did you mean `budget`?",
    );
}

#[test]
fn csv_header_column_with_no_name() {
    let (code, err) = check_csv("footprint,organisation,kind,\nA,x,ccg,\n");
    assert_located(
        code,
        &err,
        "s.csv:1:29: column 4 of the header has no name",
        "footprint,organisation,kind,",
        "columns: footprint, organisation, kind, budget, lead",
    );
}

#[test]
fn csv_with_no_organisations() {
    let (code, err) = check_csv("footprint,organisation,kind\n");
    assert_located(
        code,
        &err,
        "s.csv:1:1: the file lists no organisations",
        "footprint,organisation,kind",
        "one line per organisation",
    );
}

#[test]
fn csv_that_is_empty_says_so() {
    let (code, err) = check_csv("");
    assert_bad_input(code, &err, "t.toml:4:8: `structure.path` = \"s.csv\" is empty");
}

#[test]
fn csv_bad_lead() {
    let (code, err) = check_csv("footprint,organisation,kind,lead\nA,x,ccg,maybe\n");
    assert_located(code, &err, "s.csv:2:9: `lead` = \"maybe\" is not true or false", "A,x,ccg,maybe", "true, false");
}

#[test]
fn csv_two_leads_in_a_footprint() {
    let (code, err) = check_csv("footprint,organisation,kind,lead\nA,x,ccg,true\nA,y,council,yes\n");
    assert_located(
        code,
        &err,
        "s.csv:3:13: `lead` = \"yes\" makes a second lead of footprint `A` (its lead is on line 2)",
        "A,y,council,yes",
        "one lead per footprint",
    );
}

#[test]
fn csv_empty_footprint() {
    let (code, err) = check_csv("footprint,organisation,kind\n,x,ccg\n");
    assert_located(code, &err, "s.csv:2:1: `footprint` is empty", ",x,ccg", "the footprint's name");
}

#[test]
fn csv_line_numbers_count_blank_lines_and_quoted_newlines() {
    let (code, err) = check_csv("footprint,organisation,kind\nA,x,ccg\n\nA,y,hospital\n");
    assert_located(
        code,
        &err,
        "s.csv:4:5: `kind` = \"hospital\" is not a kind of organisation",
        "A,y,hospital",
        "did you mean",
    );
    let (code, err) = check_csv("footprint,organisation,kind\nA,\"x\ny\",ccg\r\n\r\nA,y,hospital\r\n");
    assert_located(
        code,
        &err,
        "s.csv:5:5: `kind` = \"hospital\" is not a kind of organisation",
        "A,y,hospital",
        "did you mean",
    );
}

#[test]
fn csv_every_bad_row_is_reported() {
    let (code, err) =
        check_csv("footprint,organisation,kind,budget\nA,x,hospital,1\nA,y,ccg,-1\nA,z,ccg,2\nB,w,counsil,\n");
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: 3 errors:\n"), "{err}");
    for e in ["[1/3] s.csv:2:5: `kind`", "[2/3] s.csv:3:9: `budget`", "[3/3] s.csv:5:5: `kind` = \"counsil\""] {
        assert!(err.contains(e), "{e}:\n{err}");
    }
}

#[test]
fn csv_duplicate_column_is_rejected() {
    let (code, err) = check_csv("footprint,organisation,kind,kind\nA,x,ccg,hospital\n");
    assert_located(
        code,
        &err,
        "s.csv:1:29: column `kind` appears twice in the header",
        "footprint,organisation,kind,kind",
        "each column once",
    );
}

// ---------------------------------------------------------------- extends

#[test]
fn extends_an_unknown_builtin() {
    let (code, err) = check("name = \"x\"\nextends = \"basline\"\n");
    assert_eq!(code, 2, "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first
            .starts_with("error: t.toml:2:11: `extends` = \"basline\" names no built-in scenario and no readable file"),
        "{err}"
    );
    assert_located(
        code,
        &err,
        first.trim_start_matches("error: "),
        "extends = \"basline\"",
        "a built-in name (`stpsim scenarios` lists them) or a path relative to this file",
    );
}

#[test]
fn extends_cycle_between_two_files() {
    let dir = folder(&[
        ("a.toml", "name = \"a\"\nextends = \"b.toml\"\n"),
        ("b.toml", "name = \"b\"\nextends = \"a.toml\"\n"),
    ]);
    let (code, stdout, err) = stpsim(dir.path(), &["validate", "a.toml"]);
    assert!(stdout.is_empty(), "{stdout}");
    assert_bad_input(code, &err, "a.toml: `extends` makes a cycle: a.toml -> b.toml -> a.toml");
}

#[test]
fn extends_itself() {
    let dir = folder(&[("s.toml", "name = \"s\"\nextends = \"s.toml\"\n")]);
    let (code, _, err) = stpsim(dir.path(), &["validate", "s.toml"]);
    assert_bad_input(code, &err, "s.toml: `extends` makes a cycle: s.toml -> s.toml");
}

#[test]

fn extends_cycle_through_a_parent_path() {
    let dir = folder(&[("d/a.toml", "name = \"a\"\nextends = \"../d/a.toml\"\n")]);
    let (code, _, err) = stpsim(dir.path(), &["validate", "d/a.toml"]);
    assert_eq!(code, 2, "stderr:\n{err}");
    assert!(err.contains("`extends` makes a cycle"), "{err}");
}

#[test]
fn extends_a_relative_file() {
    let dir = folder(&[
        ("base/p.toml", "name = \"p\"\nstart = \"2017Q1\"\n"),
        ("c.toml", "name = \"c\"\nextends = \"base/p.toml\"\n"),
    ]);
    let (code, stdout, err) = stpsim(dir.path(), &["validate", "c.toml"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("quarters: 2017Q1 to 2021Q1"), "{stdout}");
}

// ---------------------------------------------------------------- names and syntax

#[test]
fn name_with_uppercase_and_spaces() {
    let (code, err) = check("name = \"Strong Leads\"\n");
    assert_located(
        code,
        &err,
        "t.toml:1:8: `name` = \"Strong Leads\" is not allowed",
        "name = \"Strong Leads\"",
        "1 to 64 lowercase letters, digits and '-', not starting with '-'",
    );
}

#[test]
fn name_starting_with_a_dash() {
    let (code, err) = check("name = \"-x\"\n");
    assert_located(
        code,
        &err,
        "t.toml:1:8: `name` = \"-x\" is not allowed",
        "name = \"-x\"",
        "1 to 64 lowercase letters, digits and '-', not starting with '-'",
    );
}

#[test]
fn name_longer_than_64() {
    let long = "a".repeat(65);
    let (code, err) = check(&format!("name = \"{long}\"\n"));
    assert_located(
        code,
        &err,
        &format!("t.toml:1:8: `name` = \"{long}\" is not allowed"),
        &format!("name = \"{long}\""),
        "1 to 64 lowercase letters",
    );
}

#[test]
fn missing_name() {
    let (code, err) = check("description = \"no name\"\n");
    assert_located(
        code,
        &err,
        "t.toml:1:1: `name` is required",
        "description = \"no name\"",
        "a name of lowercase letters, digits and '-', such as name = \"strong-leads\"",
    );
}

#[test]
fn empty_file_needs_a_name() {
    let (code, err) = check("");
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: t.toml: is empty"), "{err}");
}

#[test]
fn toml_syntax_error_reports_its_line() {
    let (code, err) = check("name = \"x\"\nstart = 2017Q1\n");
    assert_eq!(code, 2, "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: t.toml:2:9: "), "{err}");
    assert_located(code, &err, first.trim_start_matches("error: "), "start = 2017Q1", "");
}

#[test]
fn scenario_file_that_is_not_utf8() {
    let dir = folder(&[]);
    std::fs::write(dir.path().join("t.toml"), b"name = \"\xff\"\n").expect("write");
    let (code, _, err) = stpsim(dir.path(), &["validate", "t.toml"]);
    assert_located(
        code,
        &err,
        "t.toml:1:9: the file is not UTF-8 text: byte 0xFF here is not a character",
        "name = \"\u{FFFD}\"",
        "",
    );
    assert!(err.contains("= note: save the file as UTF-8"), "{err}");
}
