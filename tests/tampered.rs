//! Hardening, round 3 (issue 21): what stpsim stored and reads back
//! (a calibration's checkpoint, a sweep's parts, a posterior) is checked as
//! strictly as the user's own files: a cut, edited or foreign one is refused
//! with exit 2 and what is wrong, never a panic, never silently used.

mod common;
use common::*;

use std::path::Path;

const SMALL: &str = "name = \"small\"\nextends = \"baseline\"\nend = \"2017Q2\"\n\
                     [structure]\nkind = \"synthetic\"\nfootprints = 6\nready = []\n";
const TARGETS: &str = "[[target]]\nmetric = \"self_priority_share\"\nquarter = \"2016Q4\"\nscenario = \"small.toml\"\n\
                       value = 0.6\nsurvey_n = 200\n[[target]]\nmetric = \"provider_balance_gbp_m\"\nyear = \"2016/17\"\n\
                       scenario = \"small.toml\"\nvalue = -100\nsd = 50\n[priors]\nbeta0 = [0.0, 1.2]\n\
                       structural_mean_acute = [-0.06, -0.02]\n";

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.toml"), SMALL).unwrap();
    std::fs::write(dir.path().join("t.toml"), TARGETS).unwrap();
    dir
}

const CALIBRATE: [&str; 9] =
    ["calibrate", "--targets", "t.toml", "--particles", "20", "--replicates", "2", "--out", "cal"];

// ---------------------------------------------------------------- checkpoints

/// An edit of a checkpoint's JSON.
type Edit = dyn Fn(&mut serde_json::Value);

#[test]
fn a_tampered_checkpoint_is_refused_on_resume_with_what_is_wrong() {
    let dir = setup();
    let (code, _, err) = stpsim(dir.path(), &[&CALIBRATE[..], &["--quiet"]].concat());
    assert_eq!(code, 0, "{err}");
    let path = dir.path().join("cal").join("checkpoint.json");
    let good: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let edits: [(&str, &Edit); 8] = [
        ("holds 5 parameter vectors", &|v| v["state"]["theta"].as_array_mut().unwrap().truncate(5)),
        ("particle 0 has 1 parameter values", &|v| {
            v["state"]["theta"][0].as_array_mut().unwrap().truncate(1);
        }),
        ("particle 3 has a simulation with 3 summaries (4 needed", &|v| {
            v["state"]["sims"][3][0]["values"].as_array_mut().unwrap().pop();
        }),
        ("particle 2's parameter 1 = 50 is outside its prior", &|v| v["state"]["theta"][2][0] = 50.into()),
        ("particle 1's weight -1 is not a weight", &|v| v["state"]["weights"][1] = (-1).into()),
        ("is not a calibration checkpoint", &|v| v["state"]["weights"][1] = "NaN".into()),
        ("no particle with a weight above 0", &|v| {
            v["state"]["weights"].as_array_mut().unwrap().iter_mut().for_each(|w| *w = 0.into())
        }),
        ("generation 0's record", &|v| v["state"]["generations"][0]["generation"] = 7.into()),
    ];
    let resume = [&CALIBRATE[..], &["--resume", "--quiet"]].concat();
    for (want, edit) in edits {
        let mut v = good.clone();
        edit(&mut v);
        std::fs::write(&path, v.to_string()).unwrap();
        let (code, stdout, err) = stpsim(dir.path(), &resume);
        assert_eq!(code, 2, "{want}: {err}");
        assert!(err.contains("--resume:") && err.contains(want), "{want}:\n{err}");
        assert!(stdout.is_empty(), "no verdicts from a refused checkpoint");
    }
    // Cut short, as a full disk might leave it.
    let text = good.to_string();
    std::fs::write(&path, &text[..text.len() / 3]).unwrap();
    let (code, _, err) = stpsim(dir.path(), &resume);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a calibration checkpoint"), "{err}");
    // The checkpoint as written still resumes.
    std::fs::write(&path, &text).unwrap();
    let (code, _, err) = stpsim(dir.path(), &resume);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn empty_or_rule_breaking_priors_are_refused_before_any_simulation() {
    let dir = setup();
    let cut = TARGETS.find("beta0 = [").unwrap();
    std::fs::write(dir.path().join("t.toml"), &TARGETS[..cut]).unwrap();
    let (code, _, err) = stpsim(dir.path(), &CALIBRATE);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("t.toml:13:2: `priors` is empty: there is nothing to fit"), "{err}");
    assert!(!dir.path().join("cal").join("checkpoint.json").exists(), "nothing ran");
    // Draws from these ranges could put loser_effect_min above its max (1.0 by default).
    std::fs::write(dir.path().join("t.toml"), format!("{}loser_effect_min = [0.5, 2.0]\n", &TARGETS[..cut])).unwrap();
    let (code, _, err) = stpsim(dir.path(), &CALIBRATE);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("can break a rule") && err.contains("`loser_effect_min` must be at most loser_effect_max"),
        "{err}"
    );
    let shares = "lead_share_trust = [0.0, 0.5]\nlead_share_ccg = [0.0, 0.5]\nlead_share_council = [0.0, 0.5]\n";
    std::fs::write(dir.path().join("t.toml"), format!("{}{shares}", &TARGETS[..cut])).unwrap();
    let (code, _, err) = stpsim(dir.path(), &CALIBRATE);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("lead shares that sum above 0"), "{err}");
}

// ---------------------------------------------------------------- posteriors

#[test]
fn a_posterior_is_read_whole_draw_column_weights_and_rules_between_parameters() {
    let dir = setup();
    let run = |p: &str| {
        std::fs::write(dir.path().join("p.csv"), p).unwrap();
        let args =
            ["run", "small.toml", "--posterior", "p.csv", "--replicates", "40", "--out", "r", "--quiet", "--no-charts"];
        stpsim(dir.path(), &args)
    };
    let refused = |p: &str, want: &str| {
        let (code, _, err) = run(p);
        assert_eq!(code, 2, "{p}: {err}");
        assert!(err.contains(want), "{p}:\n{err}");
    };
    refused("draw,weight,beta0\nx,1,0.5\n", "p.csv:2: draw `x` is not a draw number");
    refused("draw,weight,beta0\n-1,1,0.5\n", "draw `-1` is not a draw number");
    refused("draw,weight,beta0\n0,1,0.5\n0,1,0.6\n", "p.csv:3: draw 0 appears twice");
    refused("draw,weight,beta0\n0,1,abc\n", "p.csv:2: `beta0` = abc is not a number");
    refused("draw,weight,beta0\n0,1,99\n", "p.csv:2: `beta0` = 99 is outside its range");
    // Values each in range that together break a rule `[params]` obeys.
    refused(
        "draw,weight,lead_share_trust,lead_share_ccg,lead_share_council\n0,1,0.4,0.4,0.2\n1,1,0,0,0\n",
        "p.csv:3: this draw, with scenario `small`'s other parameters, breaks a rule between parameters",
    );
    refused("draw,weight,loser_effect_min\n0,1,3\n", "`loser_effect_min` must be at most loser_effect_max");
    // Weights near the largest number: every draw is still taken by weight, not draw 0 alone.
    let (code, _, err) = run("draw,weight,beta0\n0,1e308,0.5\n1,1e308,0.6\n2,1e308,0.7\n");
    assert_eq!(code, 0, "{err}");
    let draws = std::fs::read_to_string(dir.path().join("r").join("posterior_draws.csv")).unwrap();
    for d in ["0", "1", "2"] {
        assert!(draws.lines().skip(1).any(|l| l.split(',').nth(1) == Some(d)), "draw {d} never taken:\n{draws}");
    }
}

// ---------------------------------------------------------------- sweep parts

/// A finished two-point sweep in `dir/s`, and its sweep.csv.
fn swept(dir: &Path) -> String {
    std::fs::write(dir.join("plan.toml"), common::grid_plan("0.5, 0.6")).unwrap();
    let (code, _, err) = stpsim(dir, &["sweep", "plan.toml", "--out", "s", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    std::fs::read_to_string(dir.join("s").join("sweep.csv")).unwrap()
}

#[test]
fn tampered_parts_are_refused_by_merge_and_resume() {
    let dir = setup();
    let whole = swept(dir.path());
    let part = dir.path().join("s").join("parts").join("point-00000001.csv");
    let good = std::fs::read_to_string(&part).unwrap();
    let first = good.lines().next().unwrap().to_string();
    let tampered = [
        (first.clone() + "\n", "1 rows where a point has 2"),
        (good.replacen(",0.6,", ",0.9,", 1), "factor values differ from the part's first row"),
        (good.replace(",0.6,", ",0.9,"), "factor values are not those of the design"),
        (good.replacen(&first, &(first.rsplit_once(',').unwrap().0.to_string() + ",NaN"), 1), "is not a finite number"),
        (good.lines().rev().map(|l| format!("{l}\n")).collect::<String>(), "replicate 1 where replicate 0 comes"),
        (good.replacen("1,", "0,", 1), "the row is for point 0, in the part of point 1"),
    ];
    for (text, want) in tampered {
        std::fs::write(&part, &text).unwrap();
        let (code, _, err) = stpsim(dir.path(), &["merge", "s", "--out", "m", "--quiet"]);
        assert_eq!(code, 2, "{want}: {err}");
        assert!(err.contains(want), "{want}:\n{err}");
        assert!(!dir.path().join("m").join("sweep.csv").exists(), "no sweep.csv from tampered parts");
        let (code, _, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "s", "--resume", "--quiet"]);
        assert_eq!(code, 2, "{want}: {err}");
        assert!(err.contains("remove it and run the sweep with --resume") || err.contains("remove the parts"), "{err}");
    }
    // Removed, the point is run again and the sweep is whole once more.
    std::fs::remove_file(&part).unwrap();
    let (code, _, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "s", "--resume", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("s").join("sweep.csv")).unwrap(), whole);
}

// ---------------------------------------------------------------- manifests

/// A run's manifest.json is read typed (`results::manifest::Manifest`):
/// an edit that breaks a field's type, drops a field `plot` needs or puts a
/// value outside its kind is refused with exit 2 naming the file and what
/// is wrong, never a panic, and nothing is drawn.
#[test]
fn a_tampered_manifest_is_refused_by_plot_with_what_is_wrong() {
    let dir = setup();
    let args =
        ["run", "small.toml", "--replicates", "2", "--no-charts", "--quiet", "--posterior", "none", "--out", "r"];
    let (code, _, err) = stpsim(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    let path = dir.path().join("r").join("manifest.json");
    let good = std::fs::read_to_string(&path).unwrap();
    let edits: [(&str, &str, &str); 7] = [
        ("\"seed\": ", "\"seed\": \"many\", \"was\": ", "\"many\", expected u64"),
        ("\"replicates\": ", "\"replicates\": -", "integer `-"),
        ("\"start\": \"2016Q", "\"start\": \"2016Q9", "Q9"),
        ("\"scenarios\": [", "\"scenarios\": 3, \"was\": [", "expected a sequence"),
        ("\"footprints\": \"", "\"footprints\": \"x", "unknown variant `x"),
        ("\"kind\": \"synthetic\"", "\"kind\": \"imagined\"", "imagined"),
        ("\"stpsim_version\"", "\"stpsim_versio\"", "stpsim_version"),
    ];
    for (from, to, named) in edits {
        assert!(good.contains(from), "the manifest has {from}");
        std::fs::write(&path, good.replacen(from, to, 1)).unwrap();
        let (code, _, err) = stpsim(dir.path(), &["plot", "r"]);
        assert_eq!(code, 2, "{from} -> {to}: {err}");
        // serde_json's message: what was found, what was expected, where.
        assert!(
            err.contains("manifest.json") && err.contains(named) && err.contains(" line "),
            "{from} -> {to}: {err}"
        );
        assert!(!dir.path().join("r").join("report.html").exists(), "nothing drawn");
    }
    // Not JSON at all, or cut short.
    for text in ["", "{", "[1, 2]", &good[..good.len() / 2]] {
        std::fs::write(&path, text).unwrap();
        let (code, _, err) = stpsim(dir.path(), &["plot", "r"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("not a run's manifest"), "{err}");
    }
}

/// Fields added to manifest.json after its first version default when read:
/// a folder whose manifest has only the first version's fields still plots.
#[test]
fn a_manifest_of_the_first_version_still_plots() {
    let dir = setup();
    let args =
        ["run", "small.toml", "--replicates", "2", "--no-charts", "--quiet", "--posterior", "none", "--out", "r"];
    let (code, _, err) = stpsim(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    let path = dir.path().join("r").join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let top = m.as_object_mut().unwrap();
    for later in ["footprint_replicates", "file_sha256", "parameters", "posterior"] {
        top.remove(later);
    }
    top.insert("per_footprint".into(), serde_json::Value::Bool(false));
    for s in top["scenarios"].as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("footprint_names");
    }
    std::fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let (code, _, err) = stpsim(dir.path(), &["plot", "r"]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.path().join("r").join("report.html").is_file());
}
