//! The command line as a user meets it: every error path of `stpsim`, run as
//! the real binary, with its exit code (2 bad input, 1 a failure while
//! running, 0 success) and the text of its message: file, line:column, field,
//! bad value and the "allowed" rule. No input may make the binary panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_stpsim");

/// Runs stpsim in `dir`; returns (exit code, stdout, stderr), the code -1 when
/// the process was killed by a signal. Fails if the binary panicked.
fn stpsim_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).current_dir(dir).stdin(Stdio::null()).output().expect("stpsim starts");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "stpsim {args:?} panicked:\n{stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// Runs stpsim in a fresh empty folder, so nothing lands in the repository.
fn stpsim(args: &[&str]) -> (i32, String, String) {
    let dir = folder(&[]);
    stpsim_in(dir.path(), args)
}

/// A temporary folder holding the given files (relative paths).
fn folder(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create fixture folder");
        }
        std::fs::write(path, text).expect("write fixture");
    }
    dir
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).to_string_lossy().into_owned()
}

/// `stpsim validate t.toml` on a scenario with this text, beside `extra`
/// files; returns (exit code, stderr). A failing validation prints nothing
/// on stdout.
fn check_with(toml: &str, extra: &[(&str, &str)]) -> (i32, String) {
    let mut files = vec![("t.toml", toml)];
    files.extend_from_slice(extra);
    let dir = folder(&files);
    let (code, stdout, stderr) = stpsim_in(dir.path(), &["validate", "t.toml"]);
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

/// Asserts a located error: exit code 2, the first line `error: {head}`
/// exactly (head is `FILE:LINE:COL: message`), the excerpt line `source`
/// with the caret under column COL, and the `= allowed:` line starting with
/// `allowed` (or no such line when `allowed` is empty).
#[track_caller]
fn assert_located(code: i32, stderr: &str, head: &str, source: &str, allowed: &str) {
    assert_eq!(code, 2, "exit code; stderr:\n{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.first().copied(), Some(format!("error: {head}").as_str()), "first line; stderr:\n{stderr}");
    let mut parts = head.splitn(4, ':');
    let _file = parts.next();
    let line = parts.next().expect("head has a line");
    let col: usize = parts.next().and_then(|c| c.parse().ok()).expect("head has a column");
    let excerpt = format!(" {line} | {source}");
    let at = lines
        .iter()
        .position(|l| *l == excerpt)
        .unwrap_or_else(|| panic!("no excerpt line {excerpt:?}; stderr:\n{stderr}"));
    let caret = lines.get(at + 1).copied().unwrap_or_default();
    let after_bar =
        caret.find("| ").map(|p| &caret[p + 2..]).unwrap_or_else(|| panic!("no caret line; stderr:\n{stderr}"));
    let pad = after_bar.chars().take_while(|c| *c == ' ').count();
    assert!(after_bar[pad..].starts_with('^'), "caret line {caret:?}; stderr:\n{stderr}");
    assert_eq!(pad + 1, col, "caret column; stderr:\n{stderr}");
    if allowed.is_empty() {
        assert!(!stderr.contains("= allowed:"), "stderr:\n{stderr}");
    } else {
        assert!(
            lines.iter().any(|l| l.trim_start().starts_with(&format!("= allowed: {allowed}"))),
            "no `= allowed: {allowed}` line; stderr:\n{stderr}"
        );
    }
}

/// Asserts exit code 2 and a first line `error: {first}` exactly.
#[track_caller]
fn assert_bad_input(code: i32, stderr: &str, first: &str) {
    assert_eq!(code, 2, "exit code; stderr:\n{stderr}");
    assert_eq!(stderr.lines().next(), Some(format!("error: {first}").as_str()), "stderr:\n{stderr}");
}

/// Asserts exit code 2 from clap with these pieces in its message.
#[track_caller]
fn assert_usage(args: &[&str], parts: &[&str]) {
    let (code, stdout, stderr) = stpsim(args);
    assert_eq!(code, 2, "stpsim {args:?}; stderr:\n{stderr}");
    assert!(stdout.is_empty(), "stdout:\n{stdout}");
    assert!(stderr.starts_with("error: "), "stderr:\n{stderr}");
    for p in parts {
        assert!(stderr.contains(p), "stderr lacks {p:?}:\n{stderr}");
    }
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
    let (code, stdout, err) = stpsim_in(dir.path(), &["validate", "a.toml"]);
    assert!(stdout.is_empty(), "{stdout}");
    assert_bad_input(code, &err, "a.toml: `extends` makes a cycle: a.toml -> b.toml -> a.toml");
}

#[test]
fn extends_itself() {
    let dir = folder(&[("s.toml", "name = \"s\"\nextends = \"s.toml\"\n")]);
    let (code, _, err) = stpsim_in(dir.path(), &["validate", "s.toml"]);
    assert_bad_input(code, &err, "s.toml: `extends` makes a cycle: s.toml -> s.toml");
}

#[test]

fn extends_cycle_through_a_parent_path() {
    let dir = folder(&[("d/a.toml", "name = \"a\"\nextends = \"../d/a.toml\"\n")]);
    let (code, _, err) = stpsim_in(dir.path(), &["validate", "d/a.toml"]);
    assert_eq!(code, 2, "stderr:\n{err}");
    assert!(err.contains("`extends` makes a cycle"), "{err}");
}

#[test]
fn extends_a_relative_file() {
    let dir = folder(&[
        ("base/p.toml", "name = \"p\"\nstart = \"2017Q1\"\n"),
        ("c.toml", "name = \"c\"\nextends = \"base/p.toml\"\n"),
    ]);
    let (code, stdout, err) = stpsim_in(dir.path(), &["validate", "c.toml"]);
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
    let (code, _, err) = stpsim_in(dir.path(), &["validate", "t.toml"]);
    assert_located(
        code,
        &err,
        "t.toml:1:9: the file is not UTF-8 text: byte 0xFF here is not a character",
        "name = \"\u{FFFD}\"",
        "",
    );
    assert!(err.contains("= note: save the file as UTF-8"), "{err}");
}

// ---------------------------------------------------------------- scenario arguments

#[test]
fn unknown_scenario_argument_suggests_baseline() {
    let (code, stdout, err) = stpsim(&["run", "basline", "--replicates", "1"]);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err,
        "error: no scenario file or built-in scenario named `basline`; did you mean `baseline`?\n  built-in scenarios: baseline, history, strong-leads, no-veto, conditional-funding, national-intervention, local-government-seats, council-leads, force-pace-ready-few, force-pace-all, accountable-care, committees-in-common, enlightened, synthetic-large\n"
    );
}

#[test]
fn unknown_scenario_argument_in_validate() {
    let (code, _, err) = stpsim(&["validate", "histroy"]);
    assert_bad_input(code, &err, "no scenario file or built-in scenario named `histroy`; did you mean `history`?");
}

#[test]
fn missing_toml_path() {
    let (code, _, err) = stpsim(&["run", "missing.toml", "--replicates", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: missing.toml: cannot read the file: "), "{err}");
}

#[test]
fn missing_path_with_a_folder() {
    let (code, _, err) = stpsim(&["validate", "some/where"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: some/where: cannot read the file: "), "{err}");
}

#[test]
fn two_scenarios_with_one_name() {
    let (code, _, err) = stpsim(&["run", "baseline", "baseline", "--replicates", "1"]);
    assert_bad_input(code, &err, "two scenarios are named `baseline`; names in one run must differ");
}

#[test]
fn two_files_with_one_name() {
    let dir = folder(&[("a.toml", "name = \"same\"\n"), ("b.toml", "name = \"same\"\n")]);
    let (code, _, err) = stpsim_in(dir.path(), &["run", "a.toml", "b.toml", "--replicates", "1", "--out", "o"]);
    assert_bad_input(code, &err, "two scenarios are named `same`; names in one run must differ");
    assert!(!dir.path().join("o").exists());
}

#[test]
fn run_reports_a_scenario_error_before_writing() {
    let dir = folder(&[(
        "t.toml",
        "name = \"x\"\n[[levers]]\nkind = \"strengthen_leads\"\nstart = \"2017Q2\"\nauthority = 1.7\n",
    )]);
    let (code, stdout, err) = stpsim_in(dir.path(), &["run", "t.toml", "--replicates", "1", "--out", "o"]);
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
    let (code, stdout, err) = stpsim_in(dir.path(), &["validate", "baseline", "t.toml"]);
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

#[test]
fn replicates_0() {
    assert_usage(
        &["run", "--replicates", "0", "baseline"],
        &["invalid value '0' for '--replicates <REPLICATES>'", "1..=1000000"],
    );
}

#[test]
fn replicates_above_the_maximum() {
    assert_usage(
        &["run", "--replicates", "1000001", "baseline"],
        &["invalid value '1000001' for '--replicates <REPLICATES>'"],
    );
}

#[test]
fn replicates_not_a_number() {
    assert_usage(&["run", "--replicates", "abc", "baseline"], &["invalid value 'abc' for '--replicates <REPLICATES>'"]);
}

#[test]
fn threads_0() {
    assert_usage(&["run", "--threads", "0", "baseline"], &["invalid value '0' for '--threads <THREADS>'", "1..=1024"]);
}

#[test]
fn negative_seed_argument() {
    assert_usage(&["run", "--seed", "-1", "baseline"], &["'-1'"]);
}

#[test]
fn unknown_flag() {
    assert_usage(&["run", "--frobnicate", "baseline"], &["unexpected argument '--frobnicate' found"]);
}

#[test]
fn unknown_command() {
    assert_usage(&["frob"], &["unrecognized subcommand 'frob'"]);
}

#[test]
fn validate_without_scenarios() {
    assert_usage(&["validate"], &["the following required arguments were not provided", "<SCENARIOS>"]);
}

#[test]
fn footprint_replicates_without_per_footprint() {
    assert_usage(
        &["run", "baseline", "--footprint-replicates", "2"],
        &["the following required arguments were not provided", "--per-footprint"],
    );
}

#[test]
fn footprint_replicates_0() {
    assert_usage(
        &["run", "baseline", "--per-footprint", "--footprint-replicates", "0"],
        &["invalid value '0' for '--footprint-replicates <N>'"],
    );
}

#[test]
fn run_too_big_for_memory_is_refused_before_writing() {
    let dir = folder(&[("big.toml", "name = \"big\"\n[structure]\nkind = \"synthetic\"\nfootprints = 100000\n")]);
    let (code, stdout, err) =
        stpsim_in(dir.path(), &["run", "big.toml", "--per-footprint", "--replicates", "1000", "--out", "o"]);
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
        let o = Command::new(BIN)
            .current_dir(dir.path())
            .args(["run", "baseline", "--replicates", "50", "--no-charts", "--quiet", "--out", "o"])
            .env("STPSIM_MAX_MEMORY_GIB", limit)
            .output()
            .unwrap();
        (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
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

#[test]
fn out_without_a_value() {
    assert_usage(&["run", "baseline", "--out"], &["a value is required for '--out <OUT>'"]);
}

// ---------------------------------------------------------------- failures while running

#[test]
fn output_folder_under_a_regular_file() {
    let dir = folder(&[("afile", "not a folder\n")]);
    let (code, stdout, err) =
        stpsim_in(dir.path(), &["run", "baseline", "--replicates", "1", "--quiet", "--out", "afile/sub"]);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.first().copied(), Some("error: cannot create the output folder afile/sub"), "{err}");
    assert!(lines.get(1).is_some_and(|l| l.starts_with("  caused by: ")), "{err}");
}

#[test]
fn output_folder_is_a_regular_file() {
    let dir = folder(&[("afile", "not a folder\n")]);
    let (code, _, err) = stpsim_in(dir.path(), &["run", "baseline", "--replicates", "1", "--quiet", "--out", "afile"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("error: cannot create the output folder afile\n  caused by: "), "{err}");
}

/// An output folder where summary.csv is a folder, so writing it fails
/// (--force: the folder is not a run's).
fn blocked_output() -> (TempDir, i32, String) {
    let dir = folder(&[]);
    std::fs::create_dir_all(dir.path().join("o").join("summary.csv")).expect("mkdir");
    let (code, _, err) =
        stpsim_in(dir.path(), &["run", "baseline", "--replicates", "1", "--quiet", "--force", "--out", "o"]);
    (dir, code, err)
}

#[test]
fn a_folder_of_other_files_is_refused_without_force() {
    let dir = folder(&[("o/notes.txt", "mine\n")]);
    let (code, _, err) = stpsim_in(dir.path(), &["run", "baseline", "--replicates", "1", "--quiet", "--out", "o"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the output folder o is not empty and is not a stpsim run's") && err.contains("--force"),
        "{err}"
    );
    let (code, _, err) = stpsim_in(
        dir.path(),
        &["run", "baseline", "--replicates", "1", "--quiet", "--force", "--no-charts", "--out", "o"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("o/notes.txt")).unwrap(), "mine\n", "others' files are kept");
}

#[test]
fn a_rerun_removes_the_earlier_runs_charts_and_nothing_else() {
    let dir = folder(&[]);
    let run = |args: &[&str]| {
        let (code, _, err) = stpsim_in(dir.path(), args);
        assert_eq!(code, 0, "{err}");
    };
    run(&["run", "baseline", "history", "--replicates", "1", "--quiet", "--per-footprint", "--out", "o"]);
    let o = dir.path().join("o");
    assert!(o.join("heatmap_history_transformation_index.svg").exists() && o.join("differences.csv").exists());
    std::fs::write(o.join("notes.txt"), "mine\n").unwrap();
    run(&["run", "baseline", "--replicates", "1", "--quiet", "--out", "o"]);
    for stale in ["heatmap_history_transformation_index.svg", "comparison.png", "differences.csv", "footprints.csv"] {
        assert!(!o.join(stale).exists(), "{stale} of the earlier run is left beside the new one");
    }
    assert!(o.join("report.html").exists() && o.join("fan_gaps.png").exists() && o.join("notes.txt").exists());
}

#[test]
fn output_file_that_cannot_be_written() {
    let (_dir, code, err) = blocked_output();
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("error: cannot write o/summary.csv\n  caused by: "), "{err}");
}

#[test]

fn failed_write_leaves_no_temporary_file() {
    let (dir, code, err) = blocked_output();
    assert_eq!(code, 1, "{err}");
    let left: Vec<String> = std::fs::read_dir(dir.path().join("o"))
        .expect("read output folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]

fn closed_stdout_does_not_panic() {
    let mut child = Command::new(BIN)
        .arg("params")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stpsim starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("stpsim ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}

// ---------------------------------------------------------------- success

#[test]
fn validate_builtins_prints_ok() {
    let (code, stdout, err) = stpsim(&["validate", "baseline", "history"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert!(stdout.starts_with("baseline (scenarios/00-baseline.toml)\n"), "{stdout}");
    assert!(stdout.contains("\nhistory (scenarios/01-history.toml)\n"), "{stdout}");
    assert!(stdout.contains("structure: england (44 footprints)"), "{stdout}");
    assert_eq!(stdout.matches("\n  ok\n").count(), 2, "{stdout}");
}

#[test]
fn scenarios_lists_the_builtins() {
    let (code, stdout, err) = stpsim(&["scenarios"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.lines().any(|l| l.starts_with("00-baseline ") && l.ends_with("governance levers?")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("01-history ")), "{stdout}");
    assert_eq!(stdout.lines().filter(|l| l.ends_with('?')).count(), 14, "fourteen scenarios with their questions");
}

#[test]
fn params_lists_beta0() {
    let (code, stdout, err) = stpsim(&["params"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("[stances]"), "{stdout}");
    assert!(stdout.lines().any(|l| l.trim_start().starts_with("beta0 ")), "{stdout}");
}

#[test]
fn params_markdown() {
    let (code, stdout, err) = stpsim(&["params", "--markdown"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.starts_with("# Parameters"), "{stdout}");
    assert!(stdout.contains("beta0"), "{stdout}");
}

#[test]
fn levers_lists_every_kind_with_its_fields_ranges_and_defaults() {
    let (code, stdout, err) = stpsim(&["levers"]);
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
    let (code, md, err) = stpsim(&["levers", "--markdown"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(md, stpsim::model::levers::markdown());
}

#[test]
fn version() {
    let (code, stdout, _) = stpsim(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), format!("stpsim {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn quiet_validate_prints_nothing_and_still_fails_on_a_mistake() {
    let (code, stdout, err) = stpsim(&["validate", "--quiet", &fixture("small.toml")]);
    assert_eq!((code, stdout.as_str(), err.as_str()), (0, "", ""));
    let (code, stdout, err) = stpsim(&["validate", "--quiet", "no-such-scenario"]);
    assert_eq!(code, 2, "{err}");
    assert!(stdout.is_empty() && err.starts_with("error:"), "{err}");
}

#[test]
fn validate_a_custom_scenario_with_a_file_structure() {
    let (code, stdout, err) = stpsim(&["validate", &fixture("small.toml")]);
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

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn run_a_custom_scenario_writes_its_outputs() {
    let dir = folder(&[]);
    let (code, stdout, err) =
        stpsim_in(dir.path(), &["run", &fixture("small.toml"), "--replicates", "3", "--quiet", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty(), "--quiet prints nothing: {stdout}");
    assert!(err.is_empty(), "--quiet prints nothing: {err}");
    let out = dir.path().join("out");
    let ts = read(&out.join("timeseries.csv"));
    assert!(ts.starts_with("scenario,replicate,quarter,metric,value\n"), "{ts}");
    assert!(ts.contains("\nsmall,2,2018Q1,"), "three replicates, 0 to 2");
    assert!(!ts.contains("\nsmall,3,"), "no fourth replicate");
    // By default over the built-in England posterior, on this synthetic structure too.
    let summary = read(&out.join("summary.csv"));
    assert!(summary.starts_with("scenario,quarter,metric,mean,sd,p05,p25,p50,p75,p95,spread\n"), "{summary}");
    let manifest = read(&out.join("manifest.json"));
    assert!(manifest.contains("\"replicates\": 3"), "{manifest}");
    assert!(manifest.contains("\"seed\": 7"), "seed from the file: {manifest}");
    assert!(
        manifest.contains(
            "\"files\": [\n    \"timeseries.csv\",\n    \"summary.csv\",\n    \"manifest.json\",\n    \"posterior_draws.csv\",\n    \"variance_split.csv\",\n    \"tables.xlsx\"\n  ]"
        ),
        "{manifest}"
    );
    assert!(manifest.contains("\"file\": \"built-in:england (data/posterior-england.csv)\""), "{manifest}");
    assert!(manifest.contains("\"by_default\": true"), "{manifest}");
    assert!(manifest.contains("on a synthetic or file structure the behavioural parameters carry over"), "{manifest}");
    assert!(!out.join("footprints.csv").exists());

    // `--posterior none`: the spec's defaults, and no posterior files.
    let (code, _, err) = stpsim_in(
        dir.path(),
        &["run", &fixture("small.toml"), "--replicates", "3", "--quiet", "--posterior", "none", "--out", "none"],
    );
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("none");
    let summary = read(&out.join("summary.csv"));
    assert!(summary.starts_with("scenario,quarter,metric,mean,sd,p05,p25,p50,p75,p95\n"), "{summary}");
    let manifest = read(&out.join("manifest.json"));
    assert!(
        manifest.contains(
            "\"files\": [\n    \"timeseries.csv\",\n    \"summary.csv\",\n    \"manifest.json\",\n    \"tables.xlsx\"\n  ]"
        ),
        "{manifest}"
    );
    assert!(manifest.contains("\"parameters\": \"at the spec's default parameters (--posterior none)\""), "{manifest}");
    assert!(!manifest.contains("\"posterior\""), "{manifest}");
    let report = read(&out.join("report.html"));
    assert!(report.contains("Intervals cover the spread across replicates only, at fixed parameters"), "findings");
    assert!(report.contains("for fixed parameters. They leave out uncertainty in the parameters"), "caveats");
}

#[test]
fn run_takes_replicates_from_the_scenario_file() {
    let dir = folder(&[]);
    let (code, _, err) =
        stpsim_in(dir.path(), &["run", &fixture("small.toml"), "--quiet", "--seed", "11", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    let manifest = read(&dir.path().join("out").join("manifest.json"));
    assert!(manifest.contains("\"replicates\": 2"), "{manifest}");
    assert!(manifest.contains("\"seed\": 11"), "--seed overrides: {manifest}");
}

#[test]
fn per_footprint_writes_footprints_csv() {
    let dir = folder(&[]);
    let (code, _, err) = stpsim_in(
        dir.path(),
        &["run", &fixture("small.toml"), "--replicates", "2", "--quiet", "--per-footprint", "--out", "out"],
    );
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("out");
    let fp = read(&out.join("footprints.csv"));
    assert_eq!(fp.lines().next(), Some("scenario,replicate,quarter,footprint,metric,value"));
    assert!(fp.contains("\nsmall,1,2016Q1,North Vale,"), "{}", &fp[..fp.len().min(400)]);
    assert!(fp.contains("\nsmall,0,2018Q1,South Downs,"), "{}", &fp[..fp.len().min(400)]);
    let manifest = read(&out.join("manifest.json"));
    assert!(manifest.contains("\"footprints.csv\""), "{manifest}");
    assert!(out.join("timeseries.csv").exists() && out.join("summary.csv").exists());
}

#[test]
fn footprint_replicates_limits_footprints_csv() {
    let dir = folder(&[]);
    let (code, _, err) = stpsim_in(
        dir.path(),
        &[
            "run",
            &fixture("small.toml"),
            "--replicates",
            "3",
            "--quiet",
            "--per-footprint",
            "--footprint-replicates",
            "2",
            "--out",
            "out",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("out");
    let fp = read(&out.join("footprints.csv"));
    let mut reps: Vec<&str> = fp.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
    reps.sort_unstable();
    reps.dedup();
    assert_eq!(reps, ["0", "1"], "footprint rows for the first 2 replicates only");
    assert!(read(&out.join("timeseries.csv")).contains("\nsmall,2,"), "all 3 replicates in timeseries.csv");
}

#[test]
fn run_without_quiet_reports_progress_and_a_summary() {
    let dir = folder(&[]);
    let (code, stdout, err) =
        stpsim_in(dir.path(), &["run", "baseline", "history", "--replicates", "2", "--threads", "1", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    let draws = stpsim::calibrate::choice::england().draws.len();
    assert_eq!(
        err,
        format!(
            "running baseline + history x 2 replicates over the England posterior (built in, {draws} draws; the default \
             on England; --posterior none for the spec's defaults), seed 2016, 1 thread ...\n"
        )
    );
    assert!(stdout.starts_with("Replicates ran over the England posterior (built in,"), "first line: {stdout}");
    assert!(stdout.contains("At the final quarter: median [90% interval] over 2 replicates, seed 2016"), "{stdout}");
    assert!(stdout.contains("difference from baseline"), "{stdout}");
    assert!(
        stdout.contains(
            "
wrote 7 result files, 17 charts and report.html to out in "
        ),
        "{stdout}"
    );
    assert!(dir.path().join("out").join("manifest.json").exists());
}

// ---------------------------------------------------------------- calibrate

#[test]
fn calibrate_fits_and_writes_a_params_fragment() {
    let dir = folder(&[]);
    let (code, stdout, err) = stpsim_in(
        dir.path(),
        &["calibrate", "--method", "bracket", "--replicates", "40", "--tolerance", "0.01", "--out", "cal"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("beta0 = ") && stdout.contains("p_unsure0 = "), "{stdout}");
    assert!(stdout.contains("simulated HFMA-sized surveys (128 trusts, 72 CCGs)"), "{stdout}");
    let fragment = read(&dir.path().join("cal").join("calibration.toml"));
    assert!(fragment.contains("\n[params]\nbeta0 = ") && fragment.contains("\np_unsure0 = "), "{fragment}");
    let parsed: toml::Value = toml::from_str(&fragment).expect("the fragment is TOML");
    assert!(parsed["params"]["beta0"].as_float().is_some());
}

#[test]
fn calibrate_rejects_a_target_it_cannot_fit() {
    let (code, _, err) = stpsim(&["calibrate", "--method", "bracket", "--target", "raised@2016Q4=3"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`raised` has no calibrated parameter"), "{err}");
    let (code, _, err) = stpsim(&[
        "calibrate",
        "--method",
        "bracket",
        "--target",
        "self_priority_share@2030Q1=0.5",
        "--replicates",
        "4",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("outside the scenario's run"), "{err}");
    let (code, _, err) =
        stpsim(&["calibrate", "--method", "bracket", "--target", "unsure_share@2016Q4=0.999", "--replicates", "4"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be reached"), "{err}");
}

/// A small synthetic system and two targets on it, for quick calibrations.
const SMALL: &str = "name = \"small\"\nextends = \"baseline\"\nend = \"2017Q2\"\n\
                     [structure]\nkind = \"synthetic\"\nfootprints = 6\nready = []\n";
const SMALL_TARGETS: &str = "[[target]]\nmetric = \"self_priority_share\"\nquarter = \"2016Q4\"\nscenario = \"small.toml\"\n\
                             value = 0.6\nsurvey_n = 200\n[[target]]\nmetric = \"provider_balance_gbp_m\"\nyear = \"2016/17\"\n\
                             scenario = \"small.toml\"\nvalue = -100\nsd = 50\n[priors]\nbeta0 = [0.0, 1.2]\n\
                             structural_mean_acute = [-0.06, -0.02]\n";

#[test]
fn calibrate_writes_a_posterior_that_runs_carry_into_every_scenario() {
    let dir = folder(&[("small.toml", SMALL), ("t.toml", SMALL_TARGETS)]);
    let args = ["calibrate", "--targets", "t.toml", "--particles", "40", "--replicates", "2", "--out", "cal"];
    let (code, stdout, err) = stpsim_in(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("generation  1: tolerance"), "progress by generation: {err}");
    assert!(stdout.contains("ABC-SMC") && stdout.contains("Posterior (5%, median, 95%)"), "{stdout}");
    let cal = dir.path().join("cal");
    let posterior = read(&cal.join("posterior.csv"));
    assert!(posterior.starts_with("draw,weight,beta0,structural_mean_acute\n0,"), "{posterior}");
    assert_eq!(posterior.lines().count(), 41);
    let json: serde_json::Value = serde_json::from_str(&read(&cal.join("calibration.json"))).unwrap();
    assert!(json["method"].as_str().unwrap().starts_with("ABC-SMC with adaptive tolerances"));
    assert_eq!(json["targets_sha256"].as_str().unwrap().len(), 64);
    let g = &json["generations"][1];
    for field in ["tolerance", "acceptance", "ess", "simulations", "seconds"] {
        assert!(g[field].is_number(), "generation lacks {field}: {g}");
    }
    let verdicts = read(&cal.join("verdicts.txt"));
    assert!(verdicts.contains("self_priority_share 2016Q4 (small.toml): figure 0.6"), "{verdicts}");
    for chart in ["targets", "parameters", "pairs"] {
        assert!(cal.join(format!("{chart}.png")).exists() && cal.join(format!("{chart}.svg")).exists(), "{chart}");
    }

    // Resuming a finished calibration repeats nothing and writes the same posterior.
    let (code, _, err) = stpsim_in(dir.path(), &[&args[..], &["--resume", "--quiet"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(&cal.join("posterior.csv")), posterior);
    // ... but not with other settings or another targets file.
    let (code, _, err) = stpsim_in(dir.path(), &[&args[..], &["--resume", "--seed", "9"]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("it was made with --seed 2016, and this run has --seed 9"), "names the flag: {err}");
    std::fs::write(dir.path().join("t.toml"), SMALL_TARGETS.replace("0.6", "0.55")).unwrap();
    let (code, _, err) = stpsim_in(dir.path(), &[&args[..], &["--resume"]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("was made for another targets file"), "{err}");

    // A run over the posterior says so in the summary, the terminal and the report.
    let (code, stdout, err) = stpsim_in(
        dir.path(),
        &["run", "small.toml", "--posterior", "cal/posterior.csv", "--replicates", "12", "--out", "run"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("intervals include parameter uncertainty"), "{stdout}");
    let run = dir.path().join("run");
    let summary = read(&run.join("summary.csv"));
    assert!(summary.lines().next().unwrap().ends_with(",spread"), "{summary}");
    assert!(summary.lines().nth(1).unwrap().ends_with(",parameter uncertainty and chance"), "{summary}");
    let report = read(&run.join("report.html"));
    assert!(report.contains("The intervals above include parameter uncertainty."), "the report says so");
    assert!(report.contains("<th>parameters</th><th>chance</th>"), "and splits the variance");
    // Its findings and caveats say the same, and never that parameters were fixed.
    assert!(report.contains("Intervals cover parameter uncertainty (draws from the posterior) and chance"), "findings");
    assert!(!report.contains("for fixed parameters") && !report.contains("at fixed parameters"), "caveats");
    let draws = read(&run.join("posterior_draws.csv"));
    assert_eq!(draws.lines().count(), 13);
}

#[test]
fn calibrate_and_posterior_mistakes_exit_2_with_where_and_what() {
    let dir = folder(&[
        ("small.toml", SMALL),
        ("t.toml", &SMALL_TARGETS.replace("survey_n = 200", "survey_n = -3")),
        ("p.csv", "draw,weight,beta0\n0,1,0.5\n1,1,99\n"),
    ]);
    let (code, _, err) = stpsim_in(dir.path(), &["calibrate", "--targets", "t.toml", "--out", "cal"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("t.toml:6:") && err.contains("`target[0].survey_n` = -3"), "{err}");
    let (code, _, err) = stpsim_in(dir.path(), &["calibrate", "--targets", "none.toml", "--out", "cal"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = stpsim_in(dir.path(), &["calibrate", "--resume", "--out", "cal", "--particles", "20"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--resume: cannot read"), "{err}");
    let (code, _, err) = stpsim_in(dir.path(), &["run", "small.toml", "--posterior", "p.csv", "--out", "r"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("p.csv:3: `beta0` = 99 is outside its range"), "{err}");
    assert!(!dir.path().join("r").join("summary.csv").exists());
}

#[test]
fn run_all_runs_the_whole_library_into_one_report() {
    let dir = folder(&[]);
    let (code, _, err) = stpsim_in(dir.path(), &["run", "--all", "--replicates", "2", "--quiet", "--out", "all"]);
    assert_eq!(code, 0, "{err}");
    let manifest = read(&dir.path().join("all").join("manifest.json"));
    for name in ["baseline", "history", "strong-leads", "enlightened", "synthetic-large"] {
        assert!(manifest.contains(&format!("\"name\": \"{name}\"")), "{name} not run");
    }
    let report = read(&dir.path().join("all").join("report.html"));
    assert!(report.contains("<th>enlightened minus baseline</th>"));
}

#[test]
fn a_scenarios_own_parameter_is_held_and_the_run_says_so() {
    let mine = "name = \"mine\"\nextends = \"baseline\"\nend = \"2017Q1\"\n[params]\nb_deficit = 0.5\n";
    let dir = folder(&[("my.toml", mine)]);
    let (code, stdout, err) =
        stpsim_in(dir.path(), &["run", "my.toml", "--replicates", "3", "--no-charts", "--out", "o"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("over the England posterior")
            && err.contains("mine holds b_deficit at its own value in every replicate"),
        "{err}"
    );
    assert!(stdout.contains("mine holds b_deficit at its own value in every replicate"), "{stdout}");
    let manifest: serde_json::Value = serde_json::from_str(&read(&dir.path().join("o").join("manifest.json"))).unwrap();
    assert_eq!(manifest["posterior"]["held"]["mine"], serde_json::json!(["b_deficit"]));
}
