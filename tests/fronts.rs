//! Every front is one request to the library. A saved scenario carries its
//! replicates and seed; `stpsim run` and the library request Python builds
//! (`RunRequest` with the scenario loaded, then `write_to`) take them alike
//! and write byte-identical files; a request's own values override them.

mod common;
use common::*;

use std::path::Path;
use std::process::Command;
use stpsim::api::Common;
use stpsim::job::{Provenance, RunRequest, write_to};

const SAVED: &str = "name = \"saved\"\nextends = \"history\"\nreplicates = 3\nseed = 11\n";

fn cli(dir: &Path, args: &[&str]) {
    let out = Command::new(BIN).args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "stpsim {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// What `stpsim.run(path, replicates=.., seed=..).write(out)` asks of the library.
fn as_python_does(path: &Path, common: Common, out: &Path) -> (u32, u64) {
    let loaded = vec![stpsim::scenario::load(&path.to_string_lossy()).unwrap()];
    let job = RunRequest { loaded, common, ..Default::default() }.resolve().unwrap();
    let results = job.run();
    let made =
        Provenance { command: vec!["stpsim.run".into()], started: std::time::SystemTime::now(), wall_seconds: 0.0 };
    write_to(out, &job, &results, &made, false).unwrap();
    (job.options.replicates, job.options.seed)
}

fn same_file(a: &Path, b: &Path) {
    assert!(std::fs::read(a).unwrap() == std::fs::read(b).unwrap(), "{} and {} differ", a.display(), b.display());
}

#[test]
fn a_saved_scenario_gives_the_same_bytes_from_the_command_line_and_the_library_request() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("saved.toml"), SAVED).unwrap();
    cli(d, &["run", "saved.toml", "--quiet", "--no-charts", "--out", "cli"]);
    assert_eq!(as_python_does(&d.join("saved.toml"), Common::default(), &d.join("py")), (3, 11));
    for f in ["timeseries.csv", "summary.csv"] {
        same_file(&d.join("cli").join(f), &d.join("py").join(f));
    }

    // A flag and a keyword override the file's values alike.
    cli(d, &["run", "saved.toml", "--replicates", "2", "--seed", "5", "--quiet", "--no-charts", "--out", "cli2"]);
    let asked = Common { replicates: Some(2), seed: Some(5), ..Default::default() };
    assert_eq!(as_python_does(&d.join("saved.toml"), asked, &d.join("py2")), (2, 5));
    same_file(&d.join("cli2/timeseries.csv"), &d.join("py2/timeseries.csv"));
}

/// `--memory-limit`, an option every verb shares: one field of the request,
/// one flag of `CommonArgs`, checked wherever a job is sized.
#[test]
fn the_shared_memory_limit_is_the_same_option_in_every_verb() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("plan.toml"), common::grid_plan("0.0")).unwrap();
    for args in [
        &["run", "baseline", "--replicates", "2", "--quiet", "--out", "o"][..],
        &["sweep", "plan.toml", "--quiet", "--out", "s"],
        &["calibrate", "--method", "bracket", "--quiet", "--out", "c"],
    ] {
        let out = Command::new(BIN).args(args).args(["--memory-limit", "0.000001"]).current_dir(d).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("GiB set by --memory-limit"), "{args:?}: {err}");
    }
    let zero = Command::new(BIN)
        .args(["run", "baseline", "--memory-limit", "0", "--quiet", "--out", "z"])
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(zero.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&zero.stderr).contains("memory_limit = 0: allowed a number of GiB above 0"));
    assert!(!d.join("o").exists() && !d.join("z").exists(), "nothing written above the limit");
}
