//! Hardening, round 3 (issue 21): nothing outside the output folder is
//! written or deleted, even through a symbolic link; FIFOs and devices given
//! as inputs are refused at once; a folder that is not a command's own is
//! left alone without --force; and the messages of that round.
#![cfg(unix)]

mod common;
use common::*;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small, fast scenario: six synthetic footprints to 2017Q2.
const SMALL: &str = "name = \"small\"\nextends = \"baseline\"\nend = \"2017Q2\"\n\
                     [structure]\nkind = \"synthetic\"\nfootprints = 6\nready = []\n";

/// (exit code, stderr) of stpsim in `dir` with extra environment; a hang
/// fails after 60 s.
fn stpsim_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let (code, _, err) = common::stpsim_env(dir, args, env, Duration::from_secs(60));
    (code, err)
}

fn stpsim(dir: &Path, args: &[&str]) -> (i32, String) {
    stpsim_env(dir, args, &[])
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.toml"), SMALL).unwrap();
    dir
}

/// A finished run of the small scenario in `dir/out`.
fn run_folder(dir: &Path) {
    let (code, err) = stpsim(dir, &["run", "small.toml", "--replicates", "2", "--out", "out", "--quiet"]);
    assert_eq!(code, 0, "{err}");
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

// ---------------------------------------------------------------- escapes through links

#[test]
fn a_lock_file_that_links_elsewhere_is_never_followed() {
    let dir = setup();
    run_folder(dir.path());
    let out = dir.path().join("out");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    symlink(&victim, out.join(".stpsim.lock")).unwrap();
    for args in [
        &["plot", "out", "--quiet"][..],
        &["run", "small.toml", "--replicates", "2", "--out", "out", "--quiet", "--no-charts"],
    ] {
        let (code, err) = stpsim(dir.path(), args);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains("is a symbolic link"), "{args:?}: {err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me", "the link's target is untouched");
    }
    // A dangling link creates nothing where it points.
    std::fs::remove_file(out.join(".stpsim.lock")).unwrap();
    let elsewhere = dir.path().join("created-outside");
    symlink(&elsewhere, out.join(".stpsim.lock")).unwrap();
    let (code, err) = stpsim(dir.path(), &["plot", "out", "--quiet"]);
    assert_ne!(code, 0, "{err}");
    assert!(!elsewhere.exists(), "nothing created through a dangling link");
}

#[test]
fn leftover_cleanup_and_sweeps_never_follow_a_linked_parts_folder() {
    let dir = setup();
    run_folder(dir.path());
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(outside.join(".staging-999999999")).unwrap();
    std::fs::write(outside.join(".staging-999999999").join("keep.csv"), "x").unwrap();
    std::fs::write(outside.join(".notes.csv.tmp-999999999"), "keep").unwrap();
    let out = dir.path().join("out");
    symlink(&outside, out.join("parts")).unwrap();
    // A run into the folder cleans up after killed writers: not through the link.
    let (code, err) = stpsim(dir.path(), &["run", "small.toml", "--replicates", "2", "--out", "out", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert!(outside.join(".staging-999999999").join("keep.csv").exists());
    assert!(outside.join(".notes.csv.tmp-999999999").exists());
    // A sweep (forced into the run's folder) writes no part through the link.
    std::fs::write(dir.path().join("plan.toml"), common::grid_plan("0.5, 0.6")).unwrap();
    let (code, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "out", "--force", "--quiet"]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("parts is a symbolic link"), "{err}");
    let names: Vec<_> = std::fs::read_dir(&outside).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "nothing written outside: {names:?}");
}

// ---------------------------------------------------------------- FIFOs and devices

#[test]
fn fifos_and_devices_as_inputs_are_refused_at_once() {
    let dir = setup();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    symlink("/dev/zero", dir.path().join("zero")).unwrap();
    for input in ["fifo", "zero", "/dev/zero"] {
        let (code, err) = stpsim(dir.path(), &["calibrate", "--targets", input, "--out", "cal", "--quiet"]);
        assert_eq!(code, 2, "--targets {input}: {err}");
        assert!(err.contains("not a regular file"), "{err}");
        let (code, err) =
            stpsim(dir.path(), &["run", "small.toml", "--posterior", input, "--out", "r", "--replicates", "2"]);
        assert_eq!(code, 2, "--posterior {input}: {err}");
        assert!(err.contains("not a regular file"), "{err}");
    }
    // plot: a FIFO or a link to /dev/zero as a run's data file.
    run_folder(dir.path());
    let out = dir.path().join("out");
    for (name, make) in [("fifo", 0), ("zero", 1)] {
        std::fs::remove_file(out.join("timeseries.csv")).unwrap();
        if make == 0 {
            mkfifo(&out.join("timeseries.csv"));
        } else {
            symlink("/dev/zero", out.join("timeseries.csv")).unwrap();
        }
        let clock = Instant::now();
        let (code, err) = stpsim(dir.path(), &["plot", "out", "--quiet"]);
        assert_ne!(code, 0, "{name}: {err}");
        assert!(err.contains("timeseries.csv") && err.contains("not a regular file"), "{name}: {err}");
        assert!(clock.elapsed() < Duration::from_secs(30), "{name}: refused, not read");
    }
}

// ---------------------------------------------------------------- foreign folders

#[test]
fn sweep_sensitivity_and_calibrate_leave_a_foreign_folder_alone_without_force() {
    let dir = setup();
    std::fs::write(dir.path().join("plan.toml"), common::grid_plan("0.5, 0.6")).unwrap();
    let morris = "base = \"baseline\"\nreplicates = 2\ndesign = \"morris\"\npoints = 2\n\
                  metrics = [\"transformation_index@2021Q1\"]\n[[factors]]\nname = \"mu\"\nmin = 0.5\nmax = 2.0\n";
    std::fs::write(dir.path().join("m.toml"), morris).unwrap();
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("report.html"), "my report").unwrap();
    std::fs::write(mine.join("checkpoint.json"), "{\"my\": \"notes\"}").unwrap();
    for args in [
        &["sweep", "plan.toml", "--out", "mine"][..],
        &["sensitivity", "m.toml", "--out", "mine"],
        &["calibrate", "--out", "mine", "--particles", "20"],
        &["calibrate", "--method", "bracket", "--out", "mine"],
    ] {
        let (code, err) = stpsim(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("is not empty") && err.contains("--force"), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read_to_string(mine.join("report.html")).unwrap(), "my report");
    assert_eq!(std::fs::read_to_string(mine.join("checkpoint.json")).unwrap(), "{\"my\": \"notes\"}");
    // A sweep into a run's folder would mix both sets.
    run_folder(dir.path());
    let (code, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "out", "--quiet"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a sweep's"), "{err}");
    // Its own folder needs no --force: a sweep resumed, a finished sweep run again.
    let (code, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "sw", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "sw", "--resume", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    // With --force, the user's choice.
    let (code, err) = stpsim(dir.path(), &["sweep", "plan.toml", "--out", "mine", "--force", "--quiet"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_fresh_sweep_never_takes_another_plans_parts_as_its_own() {
    let dir = setup();
    std::fs::write(dir.path().join("a.toml"), common::grid_plan("0.5, 0.6")).unwrap();
    std::fs::write(dir.path().join("b.toml"), common::grid_plan("0.1, 0.2")).unwrap();
    let (code, err) = stpsim(dir.path(), &["sweep", "a.toml", "--out", "s", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    // Another plan's parts without their plan.json.
    let s = dir.path().join("s");
    for f in std::fs::read_dir(&s).unwrap().map(|e| e.unwrap().path()) {
        if f.is_file() {
            std::fs::remove_file(f).unwrap();
        }
    }
    let (code, err) = stpsim(dir.path(), &["sweep", "b.toml", "--out", "s", "--force", "--quiet"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("holds parts of an unknown sweep"), "{err}");
    assert!(!s.join("sweep.csv").exists());
}

#[test]
fn a_failed_final_move_says_the_folder_may_be_mixed() {
    let dir = setup();
    run_folder(dir.path());
    let out = dir.path().join("out");
    // A folder where the last data file goes: its move fails after others landed.
    std::fs::remove_file(out.join("timeseries.csv")).unwrap();
    std::fs::create_dir(out.join("timeseries.csv")).unwrap();
    std::fs::write(out.join("timeseries.csv").join("x"), "x").unwrap();
    let (code, err) = stpsim(dir.path(), &["run", "small.toml", "--replicates", "3", "--out", "out", "--quiet"]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("cannot move") && err.contains("may now hold some new files"), "{err}");
    let (code, err) = stpsim(dir.path(), &["plot", "out", "--quiet"]);
    assert_eq!(code, 2, "plot refuses the mixed folder: {err}");
}

// ---------------------------------------------------------------- messages

#[test]
fn plot_during_a_run_names_the_process_writing_the_folder() {
    let dir = setup();
    let release = dir.path().join("release");
    let mut child = Command::new(BIN)
        .args(["run", "small.toml", "--replicates", "2", "--out", "out", "--quiet"])
        .current_dir(dir.path())
        .env("STPSIM_TEST_HOLD_LOCK", &release)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lock = dir.path().join("out").join(".stpsim.lock");
    let want = child.id().to_string();
    let clock = Instant::now();
    while std::fs::read_to_string(&lock).map(|t| t.trim().to_string()).unwrap_or_default() != want {
        assert!(clock.elapsed() < Duration::from_secs(60), "the run did not take its lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (code, err) = stpsim(dir.path(), &["plot", "out", "--quiet"]);
    std::fs::write(&release, "").unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("being written by another stpsim process (process id {want}")), "{err}");
    assert!(!err.contains("is it the output folder of a run"), "{err}");
}

#[test]
fn a_slurm_task_id_that_is_not_a_number_is_refused() {
    let dir = setup();
    std::fs::write(dir.path().join("plan.toml"), common::grid_plan("0.5, 0.6")).unwrap();
    let env = [("SLURM_ARRAY_TASK_ID", "abc"), ("SLURM_ARRAY_TASK_COUNT", "2")];
    let (code, err) = stpsim_env(dir.path(), &["sweep", "plan.toml", "--out", "s", "--quiet"], &env);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("SLURM_ARRAY_TASK_ID = \"abc\" is not a whole number"), "{err}");
    assert!(!dir.path().join("s").join("sweep.csv").exists(), "no point was run");
}

#[test]
fn type_mismatches_and_non_numbers_say_which_field_and_what_kind() {
    let dir = setup();
    let cases = [
        ("name = \"x\"\nreplicates = 200.5\n", "t.toml:2:14: `replicates` = 200.5 is not a whole number"),
        (
            "name = \"x\"\nstart = 2017\n",
            "t.toml:2:9: `start` = 2017 is a whole number, where text in quotes is expected",
        ),
        ("name = \"x\"\n[params]\nbeta0 = \"abc\"\n", "`params.beta0` = \"abc\" is text, where a number is expected"),
        ("name = \"x\"\n[params]\nbeta0 = nan\n", "`params.beta0` = nan is not a finite number"),
        ("name = \"x\"\n[params]\nbeta0 = 99\n", "`params.beta0` = 99 is out of range"),
        ("\u{FEFF}name = \"x\"\n\u{FEFF}seed = 1\n", "t.toml:2:1: a byte order mark (U+FEFF) is here"),
    ];
    for (text, want) in cases {
        std::fs::write(dir.path().join("t.toml"), text).unwrap();
        let (code, err) = stpsim(dir.path(), &["validate", "t.toml"]);
        assert_eq!(code, 2, "{text}: {err}");
        assert!(err.contains(want), "{text}:\n{err}");
        assert!(!err.contains("invalid type") && !err.contains("i64") && !err.contains("f64"), "{err}");
    }
    // A targets file: a survey size as a fraction, a quarter outside its scenario's run.
    let targets = "[[target]]\nmetric = \"self_priority_share\"\nquarter = \"2016Q4\"\nscenario = \"small.toml\"\n\
                   value = 0.6\nsurvey_n = 200.5\n";
    std::fs::write(dir.path().join("t.toml"), targets).unwrap();
    let (code, err) = stpsim(dir.path(), &["calibrate", "--targets", "t.toml", "--out", "cal"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("t.toml:6:12: `target[0].survey_n` = 200.5 is a decimal number, where a whole number"),
        "{err}"
    );
    std::fs::write(dir.path().join("t.toml"), targets.replace("200.5", "200").replace("2016Q4", "2019Q4")).unwrap();
    let (code, err) = stpsim(dir.path(), &["calibrate", "--targets", "t.toml", "--out", "cal"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("t.toml:3: target 0") && err.contains("2019Q4 is outside the scenario"), "{err}");
}
