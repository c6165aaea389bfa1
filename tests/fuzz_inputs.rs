//! Random bytes and random, nearly valid files fed to every reader of a
//! user's files: scenario validation (what `stpsim validate` calls), sweep
//! plans and structure CSVs. No input may panic or hang (each runs on its own
//! thread with a generous bound: a hang detector, not a speed target), and
//! every error must be one a person can act on: not empty, headed by the file
//! it is about (the user's file, never a built-in one it extends), and in the
//! words of the file rather than of the code.

use proptest::prelude::*;
use proptest::sample::select;
use std::path::{Path, PathBuf};
use std::time::Duration;
use stpsim::ScenarioError;
use stpsim::model::Metric;
use stpsim::model::levers::{Form, LEVERS};

/// Longest any one input may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(10);

/// Runs `f` on its own thread: its result, or a failure if it panics or
/// does not finish within `HANG`.
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> Result<T, TestCaseError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(HANG) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err(TestCaseError::fail(format!("{what} panicked"))),
        Err(_) => Err(TestCaseError::fail(format!("{what} did not finish within {HANG:?}"))),
    }
}

/// Words of the code rather than of the file: serde's names for the kinds of
/// value it expected and for the types the files are read into.
fn internal_word(text: &str) -> Option<&str> {
    const WORDS: &[&str] = &[
        "struct", "enum", "variant", "newtype", "tuple", "sequence", "map", "Spanned", "Num", "LeverKey", "Option",
        "Vec", "String", "f64", "u64", "i64", "u32", "usize",
    ];
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .find(|w| WORDS.contains(w) || (w.starts_with("Raw") && w.len() > 3))
}

/// Checks an error: not empty, about one of `files` (and so never about a
/// built-in scenario), and free of the code's words in the parts that are
/// not the user's own text (the excerpt, the field and the value are).
fn check_error(e: &ScenarioError, files: &[String]) -> Result<(), TestCaseError> {
    let all = e.all();
    prop_assert!(!all.is_empty());
    for one in all {
        let message = one.to_string();
        prop_assert!(!message.trim().is_empty(), "an empty message");
        let head = message.lines().next().unwrap_or("");
        prop_assert!(
            files.iter().any(|f| head.starts_with(&format!("{f}:"))),
            "the message does not start with the user's file ({files:?}):\n{message}"
        );
        let own_words = match one {
            ScenarioError::At(l) => {
                prop_assert!(!l.problem.trim().is_empty(), "no problem stated:\n{message}");
                prop_assert!(l.line >= 1 && l.col >= 1, "no place:\n{message}");
                format!("{}\n{}\n{}", l.problem, l.allowed, l.note)
            }
            ScenarioError::Input { problem, .. } => problem.clone(),
            ScenarioError::Read { reason, .. } => reason.to_string(),
            ScenarioError::Cycle { .. } => String::new(),
            other => return Err(TestCaseError::fail(format!("unexpected kind of error: {other}"))),
        };
        // serde quotes the user's own text in backquotes or double quotes: leave those out.
        let ours: String = own_words.split(['`', '"']).step_by(2).collect::<Vec<_>>().join(" ");
        if let Some(w) = internal_word(&ours) {
            return Err(TestCaseError::fail(format!("the message uses the code's word `{w}`:\n{message}")));
        }
    }
    Ok(())
}

/// A folder holding `files`; returns it and each file's full path as shown.
fn folder(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let shown = files
        .iter()
        .map(|(name, bytes)| {
            let p: PathBuf = dir.path().join(name);
            std::fs::write(&p, bytes).expect("write input");
            p.to_string_lossy().into_owned()
        })
        .collect();
    (dir, shown)
}

/// Validates the scenario at `path` as `stpsim validate` does, within the bound.
fn validate(path: &Path, files: &[String]) -> Result<(), TestCaseError> {
    let arg = path.to_string_lossy().into_owned();
    match bounded(&arg.clone(), move || stpsim::scenario::load(&arg).map(|_| ()))? {
        Ok(()) => Ok(()),
        Err(e) => check_error(&e, files),
    }
}

// ---------------------------------------------------------------- nearly valid scenarios

/// Quarters as users write them, right and wrong.
const QUARTERS: &[&str] = &[
    "\"2016Q1\"",
    "\"2016Q4\"",
    "\"2017Q2\"",
    "\"2019q3\"",
    "\"2021Q1\"",
    "\"2030Q4\"",
    "\"1910Q1\"",
    "\"2016Q9\"",
    "\"+2016Q+1\"",
    "\"2021Q01\"",
    "\" 2018Q2 \"",
    "\"\"",
];

/// Numbers as users write them, in range and out.
const NUMBERS: &[&str] = &["0", "1", "0.5", "3", "44", "-1", "1.5", "2.5", "1e308", "-0.0", "100000000", "nan", "inf"];

/// Values of the wrong type, which stop the reading of a file at once: rarer,
/// so that the checks after reading are reached too.
const WRONG_TYPES: &[&str] = &["\"0.4\"", "true", "[1]", "2017", "{ a = 1 }", "1979-05-27", "1e308"];

fn quarter() -> impl Strategy<Value = &'static str> {
    prop_oneof![12 => select(QUARTERS), 1 => select(WRONG_TYPES)]
}

fn number() -> impl Strategy<Value = &'static str> {
    prop_oneof![12 => select(NUMBERS), 1 => select(WRONG_TYPES)]
}

/// A plan stops at its first mistake: rarer wrong types reach the later checks.
fn plan_number() -> impl Strategy<Value = &'static str> {
    prop_oneof![60 => select(NUMBERS), 1 => select(WRONG_TYPES)]
}

const STRUCTURES: &[&str] = &[
    "",
    "[structure]\nkind = \"england\"\n",
    "[structure]\nkind = \"synthetic\"\n",
    "[structure]\nkind = \"synthetic\"\nfootprints = 3\n",
    "[structure]\nkind = \"synthetic\"\nfootprints = 1\nready = []\n",
    "[structure]\nkind = \"synthetic\"\nfootprints = 0\n",
    "[structure]\nkind = \"synthetc\"\nready = [\"S1\"]\n",
    "[structure]\nkind = \"file\"\npath = \"s.csv\"\n",
    "[structure]\nkind = \"file\"\npath = \"missing.csv\"\n",
    "[structure]\nkind = \"file\"\n",
    "[structure]\nfootprints = 12\n",
    "[structure]\nready = [\"Dorset\", \"Dorset\"]\n",
    "[structure]\nready = [\"Dorsett\", \"North\"]\n",
    "[structure]\nkind = \"england\"\npath = \"s.csv\"\n",
    "structure = \"england\"\n",
];

const FOOTPRINTS: &[&str] = &[
    "\"all\"",
    "[\"Dorset\"]",
    "[\"Frimley Health\", \"North\"]",
    "[\"S1\", \"S2\"]",
    "[]",
    "\"Dorset\"",
    "{ most_ready = 3 }",
    "{ least_ready = 50 }",
    "{ most_ready = 0 }",
    "{ best = 2 }",
    "5",
];

const EXTENDS: &[&str] = &[
    "baseline",
    "history",
    "strong-leads",
    "force-pace-ready-few",
    "synthetic-large",
    "basline",
    "p.toml",
    "s.toml",
    "missing.toml",
    "/dev/null",
];

/// A lever table: a kind from the table (or a misspelt one), a start and an
/// end, footprints, each field of the kind with a value from the pools, and
/// now and then a field of another kind.
fn lever() -> impl Strategy<Value = String> {
    (
        0..LEVERS.len() + 1,
        quarter(),
        proptest::option::of(quarter()),
        proptest::option::of(select(FOOTPRINTS)),
        proptest::collection::vec(number(), 6),
        proptest::bool::weighted(0.1),
        0..20usize,
    )
        .prop_map(|(k, start, end, footprints, values, stray, form)| {
            let mut s = String::from(if form == 0 { "[levers]\n" } else { "[[levers]]\n" });
            let Some(def) = LEVERS.get(k) else {
                return s + &format!("kind = \"remove_vetos\"\nstart = {start}\n");
            };
            s += &format!("kind = \"{}\"\n", def.name);
            if form != 1 {
                s += &format!("start = {start}\n");
            }
            if let Some(e) = end {
                s += &format!("end = {e}\n");
            }
            if let Some(f) = footprints {
                s += &format!("footprints = {f}\n");
            }
            for (f, v) in def.fields.iter().zip(values.iter().cycle()) {
                s += &match f.form {
                    Form::Switch if *v == "1" => format!("{} = true\n", f.name),
                    Form::Years => format!(
                        "{} = [{{ year = \"2017/18\", total_gbp_bn = {v}, transformation_share = 0.2 }}, {{ year = \"2017/19\", total_gbp_bn = 1, transformation_share = {v} }}]\n",
                        f.name
                    ),
                    _ => format!("{} = {v}\n", f.name),
                };
            }
            if stray {
                s += "authority = 0.5\nautority = 0.5\n";
            }
            s
        })
}

prop_compose! {
    /// A scenario file, nearly valid: each part right, or wrong in one of the
    /// ways users get it wrong.
    fn scenario_text()(
        name in prop_oneof![8 => Just("\"x\""), 1 => select(&["\"mine-2\"", "\"Bad Name\"", "5", ""][..])],
        extends in proptest::option::of(select(EXTENDS)),
        start in proptest::option::of(quarter()),
        end in proptest::option::of(quarter()),
        replicates in proptest::option::of(number()),
        structure in select(STRUCTURES),
        params in proptest::collection::vec((0..12usize, number()), 0..4),
        levers in proptest::collection::vec(lever(), 0..4),
        junk in prop_oneof![
            16 => Just(""),
            1 => select(&["colour = \"red\"\n", "name = \"twice\"\n", "start = \n", "[params\n"][..]),
        ],
    ) -> String {
        // Parameters that rules tie together, one misspelt, one unknown.
        const PARAMS: [&str; 12] = [
            "beta0", "loser_effect_min", "loser_effect_max", "agenda_acute_reconfiguration",
            "agenda_acute_back_office", "lead_share_trust", "lead_share_ccg", "lead_share_council",
            "conditionality", "p_unsure0", "beta_0", "speed",
        ];
        let mut s = String::new();
        if !name.is_empty() {
            s += &format!("name = {name}\n");
        }
        if let Some(e) = extends {
            s += &format!("extends = \"{e}\"\n");
        }
        for (k, v) in [("start", start), ("end", end), ("replicates", replicates)] {
            if let Some(v) = v {
                s += &format!("{k} = {v}\n");
            }
        }
        s += junk;
        s += structure;
        if !params.is_empty() {
            s += "[params]\n";
            let mut seen = std::collections::BTreeSet::new();
            for (i, v) in params {
                if seen.insert(i) {
                    s += &format!("{} = {v}\n", PARAMS[i]);
                }
            }
        }
        for l in levers {
            s += &l;
        }
        s
    }
}

prop_compose! {
    /// A structure CSV, nearly valid: a header (sometimes wrong), rows of
    /// footprints and organisations, kinds right and wrong, budgets and lead
    /// marks, quoting, blank lines and line ends of both kinds.
    fn structure_csv()(
        header in select(&[
            "footprint,organisation,kind", "footprint,organisation,kind,budget,lead", "footprint,name,kind",
            "footprint,organisation,kind,budgte", "footprint,organisation,kind,kind", "",
        ][..]),
        rows in proptest::collection::vec((
            select(&["North", "South", "\"East, Far\"", "", "\"Un\"closed", "Dorset"][..]),
            select(&["T1", "C1", "\"Council \"\"X\"\"\"", "", "T1"][..]),
            select(&["acute_trust", "ccg", "council", "hospital", "primary_care", ""][..]),
            select(&["", "420", "-5", "lots", "1e308", "0"][..]),
            select(&["", "true", "false", "yes"][..]),
            0..4usize,
        ), 0..8),
        crlf in any::<bool>(),
    ) -> String {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut s = format!("{header}{nl}");
        for (fp, org, kind, budget, lead, shape) in rows {
            s += &match shape {
                0 => format!("{fp},{org},{kind}{nl}"),
                1 => format!("{fp},{org},{kind},{budget},{lead}{nl}"),
                2 => format!("{fp},{org}{nl}{nl}"),
                _ => format!("{fp},{org},{kind},{budget},{lead},extra{nl}"),
            };
        }
        s
    }
}

// ---------------------------------------------------------------- nearly valid plans

prop_compose! {
    /// A sweep plan, nearly valid. Design sizes stay small or are far too
    /// large (refused before anything is built), so no case builds a huge design.
    fn plan_text()(
        base in prop_oneof![
            8 => select(&["baseline", "history", "enlightened"][..]),
            1 => select(&["basline", "missing.toml", "/dev/null"][..]),
        ],
        design in prop_oneof![4 => Just("grid"), 6 => select(&["lhs", "sobol", "morris"][..]), 1 => Just("random")],
        points in prop_oneof![
            1 => Just(None),
            8 => select(&["1", "3", "20"][..]).prop_map(Some),
            2 => select(&["0", "2.5", "-1", "1e9", "20000000", "\"3\""][..]).prop_map(Some),
        ],
        levels in proptest::option::of(prop_oneof![6 => Just("4"), 1 => select(&["1", "200", "3.5"][..])]),
        replicates in proptest::option::of(prop_oneof![8 => Just("1"), 1 => select(&["0", "1e9", "2.5"][..])]),
        metrics in prop_oneof![
            12 => proptest::collection::vec((0..Metric::ALL.len(), select(&["2021Q1", "2018Q3"][..])), 1..3),
            1 => proptest::collection::vec(
                (0..Metric::ALL.len() + 1, select(&["2021Q1", "2016Q1", "2030Q1", "2021Q5", ""][..])),
                0..3,
            ),
        ],
        factors in proptest::collection::vec((
            select(&[
                "beta0", "loser_effect_min", "loser_effect_max", "agenda_acute_back_office", "conditionality",
                "lever.strengthen_leads.authority", "lever.joint_working.start", "lever.remove_veto.start",
                "lever.nothing.x", "beta_0",
            ][..]),
            proptest::collection::vec(plan_number(), 0..4),
            proptest::option::of((plan_number(), plan_number())),
            proptest::bool::weighted(0.85),
        ), 1..5),
        no_factors in proptest::bool::weighted(0.05),
        junk in prop_oneof![
            16 => Just(""),
            1 => select(&["colour = 1\n", "[factors]\nname = \"beta0\"\n", "design = \n"][..]),
        ],
    ) -> String {
        let mut s = format!("base = \"{base}\"\ndesign = \"{design}\"\n");
        for (k, v) in [("points", points), ("levels", levels), ("replicates", replicates)] {
            if let Some(v) = v {
                s += &format!("{k} = {v}\n");
            }
        }
        let metrics: Vec<String> = metrics
            .iter()
            .map(|(m, q)| {
                let name = Metric::ALL.get(*m).map_or("transformation", |m| m.name());
                if q.is_empty() { format!("\"{name}\"") } else { format!("\"{name}@{q}\"") }
            })
            .collect();
        s += &format!("metrics = [{}]\n", metrics.join(", "));
        s += junk;
        for (name, mut values, mut range, right_form) in factors.into_iter().filter(|_| !no_factors) {
            s += &format!("[[factors]]\nname = \"{name}\"\n");
            // Mostly the form the design asks for: values for a grid, min and max otherwise.
            if right_form && design == "grid" {
                range = None;
                if values.is_empty() {
                    values.push("0.5");
                }
            } else if right_form {
                values.clear();
                range = range.or(Some(("0.2", "0.6")));
            }
            if !values.is_empty() {
                s += &format!("values = [{}]\n", values.join(", "));
            }
            if let Some((lo, hi)) = range {
                s += &format!("min = {lo}\nmax = {hi}\n");
            }
        }
        s
    }
}

/// Reads the plan at `path` as `stpsim sweep` does, within the bound.
fn plan(path: &Path, files: &[String]) -> Result<(), TestCaseError> {
    let p = path.to_path_buf();
    match bounded(&path.to_string_lossy(), move || stpsim::experiment::plan::load(&p).map(|_| ()))? {
        Ok(()) => Ok(()),
        Err(e) => check_error(&e, files),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn nearly_valid_scenarios_get_messages_about_the_users_files(
        text in scenario_text(),
        parent in scenario_text(),
        csv in structure_csv(),
    ) {
        let (dir, files) = folder(&[("s.toml", text.as_bytes()), ("p.toml", parent.as_bytes()), ("s.csv", csv.as_bytes())]);
        validate(&dir.path().join("s.toml"), &files)?;
    }

    #[test]
    fn nearly_valid_structure_files_are_read_without_panics_and_located(csv in structure_csv()) {
        let text = csv.clone();
        if let Err(errors) = bounded("the structure reader", move || stpsim::structure::parse_structure_csv(&text))? {
            prop_assert!(!errors.is_empty());
            for e in &errors {
                prop_assert!(!e.problem.trim().is_empty(), "{e:?}");
                prop_assert!(e.span.start <= csv.len(), "{e:?}");
            }
        }
        let scenario = "name = \"x\"\n[structure]\nkind = \"file\"\npath = \"s.csv\"\n";
        let (dir, files) = folder(&[("s.toml", scenario.as_bytes()), ("s.csv", csv.as_bytes())]);
        validate(&dir.path().join("s.toml"), &files)?;
    }

    #[test]
    fn nearly_valid_plans_get_messages_about_the_plan(text in plan_text()) {
        let (dir, files) = folder(&[("p.toml", text.as_bytes())]);
        plan(&dir.path().join("p.toml"), &files)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_as_a_scenario_a_structure_or_a_plan(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        printable in "[ -~\n\t\"\\[\\]=#]{0,300}",
    ) {
        for data in [bytes.as_slice(), printable.as_bytes()] {
            let (dir, files) = folder(&[("s.toml", data)]);
            validate(&dir.path().join("s.toml"), &files)?;
            let (dir, files) = folder(&[("p.toml", data)]);
            plan(&dir.path().join("p.toml"), &files)?;
            let scenario = "name = \"x\"\n[structure]\nkind = \"file\"\npath = \"s.csv\"\n";
            let (dir, files) = folder(&[("s.toml", scenario.as_bytes()), ("s.csv", data)]);
            validate(&dir.path().join("s.toml"), &files)?;
        }
    }
}
