//! A property test over tampered stored intermediates (issue 21): a
//! calibration's checkpoint and a sweep's parts, cut short, reordered, with
//! NaN, text, or values outside the priors. Reading them back never panics;
//! a tampered checkpoint that passes its checks resumes and writes its
//! verdicts without a panic; a part with cut, moved, doubled or non-number
//! rows is refused.
//!
//! `cargo test` runs 24 cases of each; `STPSIM_FUZZ_CASES=N` runs N, and
//! `STPSIM_FUZZ_SECONDS=S` stops running cases after S seconds (the
//! 10-minute run recorded for issue 21: `STPSIM_FUZZ_CASES=1000000
//! STPSIM_FUZZ_SECONDS=600 cargo test --test fuzz_stored -- --nocapture`).

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use stpsim::calibrate::checkpoint::Checkpoint;
use stpsim::calibrate::problem::Problem;
use stpsim::calibrate::smc::{self, Settings};
use stpsim::calibrate::{output, targets};

const SMALL: &str = "name = \"small\"\nextends = \"baseline\"\nend = \"2017Q2\"\n\
                     [structure]\nkind = \"synthetic\"\nfootprints = 6\nready = []\n";
const TARGETS: &str = "[[target]]\nmetric = \"self_priority_share\"\nquarter = \"2016Q4\"\nscenario = \"small.toml\"\n\
                       value = 0.6\nsurvey_n = 200\n[[target]]\nmetric = \"provider_balance_gbp_m\"\nyear = \"2016/17\"\n\
                       scenario = \"small.toml\"\nvalue = -100\nsd = 50\n[priors]\nbeta0 = [0.0, 1.2]\n\
                       structural_mean_acute = [-0.06, -0.02]\n";

fn cases() -> u32 {
    std::env::var("STPSIM_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24)
}

/// With `STPSIM_FUZZ_SECONDS=S`, cases after S seconds (from the first) are
/// skipped, so a long run is bounded by time on a loaded machine; every
/// 1,000th case run is reported on stderr (`--nocapture`).
fn within_budget(test: &str) -> bool {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let start = *START.get_or_init(std::time::Instant::now);
    let budget = std::env::var("STPSIM_FUZZ_SECONDS").ok().and_then(|v| v.parse::<u64>().ok());
    if budget.is_some_and(|b| start.elapsed().as_secs() >= b) {
        return false;
    }
    let n = RUN.fetch_add(1, Ordering::Relaxed) + 1;
    if n % 1000 == 0 {
        eprintln!("fuzz_stored: {n} cases run ({test} now), {:.0} s, no panic", start.elapsed().as_secs_f64());
    }
    true
}

fn config() -> Config {
    // No regression files are written into the source tree.
    Config { cases: cases(), failure_persistence: Some(Box::new(FileFailurePersistence::Off)), ..Config::default() }
}

struct Calibration {
    problem: Problem,
    settings: Settings,
    json: Value,
}

fn calibration() -> &'static Calibration {
    static C: OnceLock<Calibration> = OnceLock::new();
    C.get_or_init(|| {
        let t = targets::parse(TARGETS, "t.toml").unwrap();
        let problem = Problem::new(&t, |_| stpsim::scenario::load_text(SMALL, "small.toml", None)).unwrap();
        let settings = Settings { particles: 20, replicates: 2, max_generations: 3, ..Settings::default() };
        let st = smc::run(&problem.bounds(), &settings, &|th: &[f64], k| problem.simulate(th, k), None, &mut |_| {});
        let cp = Checkpoint { targets_sha256: t.sha256.clone(), settings: settings.clone(), state: st };
        Calibration { problem, settings, json: serde_json::to_value(&cp).unwrap() }
    })
}

/// One edit of a checkpoint's JSON.
#[derive(Clone, Debug)]
enum Edit {
    /// Cut the text at this share of its length.
    Truncate(f64),
    /// Swap two entries of one of the state's lists.
    Swap { list: usize, a: usize, b: usize },
    /// Drop the last entry of a list.
    Pop { list: usize, at: usize },
    /// Set a number somewhere in a list to this value.
    Set { list: usize, at: usize, value: Value },
    /// Mark the state unfinished, so a resume runs on.
    Reopen,
}

/// The lists an edit reaches, by index: JSON pointers into the checkpoint.
fn lists(v: &Value, at: usize) -> Vec<String> {
    let n = |p: &str| v.pointer(p).and_then(Value::as_array).map_or(1, |a| a.len().max(1));
    let i = at % n("/state/theta");
    let j = at % n("/state/sims");
    vec![
        "/state/theta".into(),
        format!("/state/theta/{i}"),
        "/state/weights".into(),
        "/state/sims".into(),
        format!("/state/sims/{j}"),
        format!("/state/sims/{j}/0/values"),
        "/state/generations".into(),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::from("NaN")),
        Just(Value::Null),
        Just(Value::from(-1.0)),
        Just(Value::from(50.0)),
        Just(Value::from(1e308)),
        Just(Value::from(-0.04)),
        Just(Value::from(0)),
        (-1e6f64..1e6).prop_map(Value::from),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0f64..1.0).prop_map(Edit::Truncate),
        (0usize..7, 0usize..40, 0usize..40).prop_map(|(list, a, b)| Edit::Swap { list, a, b }),
        (0usize..7, 0usize..40).prop_map(|(list, at)| Edit::Pop { list, at }),
        (0usize..7, 0usize..40, number()).prop_map(|(list, at, value)| Edit::Set { list, at, value }),
        Just(Edit::Reopen),
    ]
}

/// Applies the edits; returns the bytes a tampered checkpoint would hold.
fn tamper(good: &Value, edits: &[Edit]) -> Vec<u8> {
    let mut v = good.clone();
    let mut cut = None;
    for e in edits {
        match e {
            Edit::Truncate(share) => cut = Some(*share),
            Edit::Reopen => v["state"]["done"] = Value::Bool(false),
            Edit::Swap { list, a, b } => {
                let p = lists(&v, *a)[*list].clone();
                if let Some(arr) = v.pointer_mut(&p).and_then(Value::as_array_mut) {
                    let n = arr.len();
                    if n > 0 {
                        arr.swap(a % n, b % n);
                    }
                }
            }
            Edit::Pop { list, at } => {
                let p = lists(&v, *at)[*list].clone();
                if let Some(arr) = v.pointer_mut(&p).and_then(Value::as_array_mut) {
                    arr.pop();
                }
            }
            Edit::Set { list, at, value } => {
                let p = lists(&v, *at)[*list].clone();
                if let Some(arr) = v.pointer_mut(&p).and_then(Value::as_array_mut) {
                    let n = arr.len();
                    if n > 0 {
                        let slot = &mut arr[at % n];
                        // A number is replaced; in a list of lists or records, their first number.
                        match slot {
                            Value::Array(inner) if !inner.is_empty() => inner[0] = value.clone(),
                            Value::Object(o) => {
                                if let Some(k) = o.iter().find(|(_, x)| x.is_number()).map(|(k, _)| k.clone()) {
                                    o.insert(k, value.clone());
                                }
                            }
                            _ => *slot = value.clone(),
                        }
                    }
                }
            }
        }
    }
    let mut bytes = serde_json::to_vec(&v).unwrap();
    if let Some(share) = cut {
        bytes.truncate((bytes.len() as f64 * share) as usize);
    }
    bytes
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_tampered_checkpoint_never_panics_and_resumes_only_when_whole(edits in prop::collection::vec(edit(), 1..4)) {
        if !within_budget("checkpoints") {
            return Ok(());
        }
        let c = calibration();
        let bytes = tamper(&c.json, &edits);
        let values = 2 * c.problem.targets.len();
        let bounds = c.problem.bounds();
        if let Ok(cp) = Checkpoint::parse(&bytes, &bounds, values) {
            // As `calibrate --resume` does: other settings are refused by flag.
            if cp.differing_flag(&c.settings).is_none() {
                let st = smc::run(&bounds, &c.settings, &|th: &[f64], k| c.problem.simulate(th, k), Some(cp.state), &mut |_| {});
                for t in &st.theta {
                    for (x, (lo, hi)) in t.iter().zip(&bounds) {
                        prop_assert!(x.is_finite() && lo <= x && x <= hi, "a particle left the prior: {t:?}");
                    }
                }
                let (fits, params) = output::fits(&c.problem, &st);
                prop_assert_eq!(params.len(), bounds.len());
                let posterior = output::posterior(&c.problem, &st, "p.csv");
                prop_assert!(posterior.weights.iter().all(|w| w.is_finite() && *w >= 0.0));
                let _ = output::verdicts(&fits);
            }
        }
    }
}

// ---------------------------------------------------------------- sweep parts

/// A finished two-point sweep (2 replicates) made once; its folder.
fn sweep_folder() -> &'static Path {
    static D: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &D.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let plan_path = dir.path().join("plan.toml");
        std::fs::write(
            &plan_path,
            "base = \"baseline\"\nreplicates = 2\ndesign = \"grid\"\nmetrics = [\"transformation_index@2017Q2\", \
             \"self_priority_share@2017Q2\"]\n\n[[factors]]\nname = \"beta0\"\nvalues = [0.5, 0.6]\n",
        )
        .unwrap();
        let plan = stpsim::experiment::plan::load_with(&plan_path, None, None, 1).unwrap();
        let out = dir.path().join("s");
        stpsim::experiment::sweep::run(&plan, &out, false, None, &|_, _| {}).unwrap();
        (dir, out)
    })
    .1
}

/// One edit of a part's text, and whether it must be refused.
#[derive(Clone, Debug)]
enum PartEdit {
    Truncate(f64),
    SwapLines(usize, usize),
    DeleteLine(usize),
    DuplicateLine(usize),
    /// Replace a row's value (the last column) with this text.
    Value(usize, &'static str),
    /// Replace a row's factor value with this text.
    Factor(usize, &'static str),
    FlipByte(usize, u8),
}

fn part_edit() -> impl Strategy<Value = PartEdit> {
    let text = prop_oneof![Just("NaN"), Just("inf"), Just("abc"), Just(""), Just("1e400"), Just("0.25"), Just("-3")];
    let factor = prop_oneof![Just("NaN"), Just("0.9"), Just("x"), Just("0.5"), Just("")];
    prop_oneof![
        (0.0f64..1.0).prop_map(PartEdit::Truncate),
        (0usize..8, 0usize..8).prop_map(|(a, b)| PartEdit::SwapLines(a, b)),
        (0usize..8).prop_map(PartEdit::DeleteLine),
        (0usize..8).prop_map(PartEdit::DuplicateLine),
        (0usize..8, text).prop_map(|(l, t)| PartEdit::Value(l, t)),
        (0usize..8, factor).prop_map(|(l, t)| PartEdit::Factor(l, t)),
        (0usize..400, any::<u8>()).prop_map(|(at, b)| PartEdit::FlipByte(at, b)),
    ]
}

/// The edited text, and whether its rows can no longer be a whole part.
fn tamper_part(good: &str, e: &PartEdit) -> (String, bool) {
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    let n = lines.len();
    match e {
        PartEdit::Truncate(share) => {
            let cut = (good.len() as f64 * share) as usize;
            let text = good[..cut].to_string();
            // A cut inside the last value can leave a shorter number (caught
            // only by a checksum); a cut that loses a row or a column is broken.
            let rows: Vec<&str> = text.lines().collect();
            let commas = good.lines().last().unwrap().matches(',').count();
            let broken =
                rows.len() < n || rows.last().is_none_or(|l| l.matches(',').count() < commas || l.ends_with(','));
            (text, broken)
        }
        PartEdit::SwapLines(a, b) => {
            let (a, b) = (a % n, b % n);
            lines.swap(a, b);
            (lines.join("\n") + "\n", a != b)
        }
        PartEdit::DeleteLine(a) => {
            lines.remove(a % n);
            (lines.join("\n") + "\n", true)
        }
        PartEdit::DuplicateLine(a) => {
            let l = lines[a % n].clone();
            lines.insert(a % n, l);
            (lines.join("\n") + "\n", true)
        }
        PartEdit::Value(a, t) => {
            let l = &mut lines[a % n];
            let (head, _) = l.rsplit_once(',').unwrap();
            *l = format!("{head},{t}");
            let finite = t.parse::<f64>().is_ok_and(f64::is_finite);
            (lines.join("\n") + "\n", !finite)
        }
        PartEdit::Factor(a, t) => {
            let l = &mut lines[a % n];
            let mut cells: Vec<&str> = l.split(',').collect();
            let changed = cells[2] != *t;
            cells[2] = t;
            *l = cells.join(",");
            (lines.join("\n") + "\n", changed)
        }
        PartEdit::FlipByte(at, b) => {
            let mut bytes = good.as_bytes().to_vec();
            let at = at % bytes.len();
            bytes[at] = *b;
            // Some flips keep a valid row (a digit for a digit): no verdict required.
            (String::from_utf8_lossy(&bytes).into_owned(), false)
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_tampered_part_never_panics_and_broken_rows_are_refused(point in 0usize..2, e in part_edit()) {
        use stpsim::experiment::sweep::{self, PARTS};
        if !within_budget("parts") {
            return Ok(());
        }
        let src = sweep_folder();
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("s");
        std::fs::create_dir_all(copy.join(PARTS)).unwrap();
        std::fs::copy(src.join(sweep::FRAME_FILE), copy.join(sweep::FRAME_FILE)).unwrap();
        for p in 0..2 {
            let name = sweep::part_name(p);
            std::fs::copy(src.join(PARTS).join(&name), copy.join(PARTS).join(&name)).unwrap();
        }
        let part = copy.join(PARTS).join(sweep::part_name(point));
        let good = std::fs::read_to_string(&part).unwrap();
        let (text, broken) = tamper_part(&good, &e);
        std::fs::write(&part, &text).unwrap();
        let merged = sweep::merge(std::slice::from_ref(&copy), &dir.path().join("m"));
        if broken {
            prop_assert!(merged.is_err(), "accepted a broken part: {e:?}\n{text}");
        }
        if text == good {
            prop_assert!(merged.is_ok(), "{merged:?}");
        }
    }
}
