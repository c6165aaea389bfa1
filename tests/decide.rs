//! `stpsim decide`: bad plans refused before anything is written, and the
//! same bytes whether run whole, killed and resumed, sharded and merged, or
//! on 1 or 2 threads.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("stpsim-decide-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small plan: three options, `worlds` worlds, one replicate, two
/// outcomes at 2017Q4, one deep uncertainty.
fn plan(worlds: usize) -> String {
    format!(
        "options = [\"baseline\", \"strong-leads\", \"council-leads\"]\nworlds = {worlds}\nreplicates = 1\n\n\
         [[uncertainties]]\nname = \"turnover\"\nmin = 0.02\nmax = 0.3\nreplace = true\n\n\
         [[outcomes]]\nmetric = \"transformation_index@2017Q4\"\nthreshold = 0.01\n\n\
         [[outcomes]]\nmetric = \"social_care_priority@2017Q4\"\nthreshold = 0.33\n"
    )
}

/// Every file in a folder (not the parts or the lock), by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .filter(|(n, _)| !n.starts_with('.'))
        .collect();
    v.sort();
    v
}

fn same(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&fa), names(&fb));
    for ((n, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{n} differs between {} and {}", a.display(), b.display());
    }
    for n in [
        "worlds.csv",
        "decide.csv",
        "robustness.csv",
        "discovery.csv",
        "boxes.csv",
        "value_of_information.csv",
        "manifest.json",
        "report.html",
    ] {
        assert!(fa.iter().any(|f| f.0 == n), "{n} missing");
    }
}

#[test]
fn one_and_two_threads_shards_and_merge_give_the_same_bytes() {
    let d = temp("threads");
    std::fs::write(d.join("p.toml"), plan(12)).unwrap();
    let (c, _, e) = stpsim(&d, &["decide", "p.toml", "--out", "one", "--threads", "1", "--quiet"]);
    assert_eq!(c, 0, "{e}");
    let (c, _, e) = stpsim(&d, &["decide", "p.toml", "--out", "two", "--threads", "2", "--quiet"]);
    assert_eq!(c, 0, "{e}");
    same(&d.join("one"), &d.join("two"));
    for i in 0..3 {
        let (c, _, e) =
            stpsim(&d, &["decide", "p.toml", "--out", &format!("s{i}"), "--shard", &format!("{i}/3"), "--quiet"]);
        assert_eq!(c, 0, "{e}");
        assert!(!d.join(format!("s{i}/decide.csv")).exists(), "a shard writes parts only");
    }
    // A merge of two of three shards says what is missing.
    let (c, _, e) = stpsim(&d, &["merge", "s0", "s1", "--out", "partial", "--quiet"]);
    assert_eq!(c, 2, "{e}");
    assert!(e.contains("worlds have no results yet"), "{e}");
    let (c, _, e) = stpsim(&d, &["merge", "s0", "s1", "s2", "--out", "merged", "--quiet"]);
    assert_eq!(c, 0, "{e}");
    same(&d.join("one"), &d.join("merged"));
    // plot redraws the charts and report from the files alone, byte for byte.
    let before = std::fs::read(d.join("one/report.html")).unwrap();
    std::fs::remove_file(d.join("one/report.html")).unwrap();
    let (c, _, e) = stpsim(&d, &["plot", "one", "--quiet"]);
    assert_eq!(c, 0, "{e}");
    assert_eq!(std::fs::read(d.join("one/report.html")).unwrap(), before);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_run_killed_and_resumed_ends_byte_identical() {
    let d = temp("resume");
    std::fs::write(d.join("p.toml"), plan(300)).unwrap();
    let (c, _, e) = stpsim(&d, &["decide", "p.toml", "--out", "whole", "--quiet"]);
    assert_eq!(c, 0, "{e}");
    let mut child = Command::new(BIN)
        .current_dir(&d)
        .args(["decide", "p.toml", "--out", "killed", "--threads", "1", "--quiet"])
        .spawn()
        .unwrap();
    let parts = d.join("killed/parts");
    let start = std::time::Instant::now();
    while std::fs::read_dir(&parts).map_or(0, |r| r.count()) < 20 && start.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!d.join("killed/manifest.json").exists(), "the run was killed before it finished");
    // Without --resume the folder is refused.
    let (c, _, e) = stpsim(&d, &["decide", "p.toml", "--out", "killed", "--quiet"]);
    assert_eq!(c, 2, "{e}");
    assert!(e.contains("--resume"), "{e}");
    let (c, _, e) = stpsim(&d, &["decide", "p.toml", "--out", "killed", "--resume", "--quiet"]);
    assert_eq!(c, 0, "{e}");
    same(&d.join("whole"), &d.join("killed"));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn identical_options_differ_by_exactly_nothing() {
    let d = temp("twins");
    let twin = "name = \"twin\"\nextends = \"strong-leads\"\n";
    std::fs::write(d.join("twin.toml"), twin).unwrap();
    let p = plan(8).replace("\"council-leads\"", "\"twin.toml\"");
    std::fs::write(d.join("p.toml"), p).unwrap();
    let (c, _, e) = stpsim(&d, &["decide", "p.toml", "--out", "o", "--quiet"]);
    assert_eq!(c, 0, "{e}");
    let text = std::fs::read_to_string(d.join("o/robustness.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let col = |row: &str, name: &str| -> String {
        row.split(',').nth(header.iter().position(|h| *h == name).unwrap()).unwrap().to_string()
    };
    let rows: Vec<&str> = text.lines().skip(1).filter(|r| r.split(',').nth(1) != Some("all")).collect();
    for outcome in ["transformation_index@2017Q4", "social_care_priority@2017Q4"] {
        let get = |o: &str| *rows.iter().find(|r| r.starts_with(&format!("{o},{outcome},"))).unwrap();
        let (a, b) = (get("strong-leads"), get("twin"));
        for c in ["mean", "p05", "p50", "p95", "regret_mean", "regret_p90", "worst5", "satisficing", "prob_best"] {
            assert_eq!(col(a, c), col(b, c), "{outcome} {c}");
        }
    }
    // Their paired difference is exactly 0 in every world.
    let decide = std::fs::read_to_string(d.join("o/decide.csv")).unwrap();
    let value = |w: usize, o: &str, oc: &str| {
        decide
            .lines()
            .find(|l| l.starts_with(&format!("{w},{o},{oc},")))
            .unwrap()
            .rsplit(',')
            .next()
            .unwrap()
            .to_string()
    };
    for w in 0..8 {
        assert_eq!(
            value(w, "twin", "transformation_index@2017Q4"),
            value(w, "strong-leads", "transformation_index@2017Q4")
        );
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// Each mistake: exit 2, the file and line, the field, the value and what
/// is allowed, and no output folder.
#[test]
fn bad_plans_are_refused_with_where_and_what_is_allowed() {
    let d = temp("bad");
    let good = plan(4);
    let cases: Vec<(String, &str, &str, &str)> = vec![
        (good.replace("\"council-leads\"", "\"council-leadz\""), ":1:", "options[2]", "built-in name"),
        (
            good.replace("transformation_index@", "transformation_indx@"),
            ":12:",
            "outcomes[0].metric",
            "a metric such as",
        ),
        (
            good.replace("transformation_index@2017Q4", "transformation_index@2030Q1"),
            ":12:",
            "outcomes[0].metric",
            "2016Q1 to 2021Q1",
        ),
        (good.replace("threshold = 0.01", "threshold = nan"), ":13:", "outcomes[0].threshold", "a level of"),
        (good.replace("min = 0.02", "min = 0.4"), ":8:", "uncertainties[0].max", "a value above min"),
        (good.replace("replace = true\n", ""), ":6:", "uncertainties[0].name", "replace = true"),
        (good.replace("worlds = 4", "worlds = 0"), ":2:", "worlds", "a whole number from 1"),
        (
            good.replace(
                "options = [\"baseline\"",
                "posterior = \"england\"\noptions = [\"synthetic-large\", \"baseline\"",
            ),
            ":1:",
            "posterior",
            "fitted to the options' structure",
        ),
    ];
    for (i, (text, line, field, allowed)) in cases.iter().enumerate() {
        std::fs::write(d.join("bad.toml"), text).unwrap();
        let out = format!("out{i}");
        let (c, _, e) = stpsim(&d, &["decide", "bad.toml", "--out", &out]);
        assert_eq!(c, 2, "case {i}: {e}");
        assert!(e.contains(&format!("bad.toml{line}")), "case {i}: no file:line {line}: {e}");
        assert!(e.contains(field), "case {i}: no field {field}: {e}");
        assert!(e.contains(allowed), "case {i}: no allowed {allowed}: {e}");
        assert!(!d.join(&out).exists(), "case {i}: wrote {out}");
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn the_report_opens_with_the_answer_the_tables_give() {
    let d = temp("answer");
    std::fs::write(d.join("p.toml"), plan(16)).unwrap();
    let (c, out, e) = stpsim(&d, &["decide", "p.toml", "--out", "o"]);
    assert_eq!(c, 0, "{e}");
    let rob = std::fs::read_to_string(d.join("o/robustness.csv")).unwrap();
    // The option most often best on the first outcome, with its share, from the table.
    let (option, share) = rob
        .lines()
        .skip(1)
        .filter(|r| r.split(',').nth(1) == Some("transformation_index@2017Q4"))
        .map(|r| {
            let c: Vec<&str> = r.split(',').collect();
            (c[0].to_string(), c[12].parse::<f64>().unwrap())
        })
        .fold((String::new(), -1.0), |a, b| if b.1 > a.1 { b } else { a });
    let opening = format!(
        "Across 16 plausible worlds, {option} raises the transformation index most in {:.0}% of them",
        100.0 * share
    );
    assert!(out.starts_with(&opening), "{out}\nexpected: {opening}");
    let html = std::fs::read_to_string(d.join("o/report.html")).unwrap();
    assert!(html.contains(&opening) && html.contains("Caveats"));
    std::fs::remove_dir_all(&d).unwrap();
}
