//! `stpsim calibrate` as a user meets it, run as the real binary: the
//! bracketing fit, ABC-SMC with a posterior that runs carry, and the
//! mistakes refused with exit 2 (arguments the chosen method would ignore
//! among them).

mod common;
use common::*;

// ---------------------------------------------------------------- calibrate

#[test]
fn calibrate_fits_and_writes_a_params_fragment() {
    let dir = folder(&[]);
    let (code, stdout, err) = stpsim(
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
    let (code, _, err) = stpsim_anywhere(&["calibrate", "--method", "bracket", "--target", "raised@2016Q4=3"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`raised` has no calibrated parameter"), "{err}");
    let (code, _, err) = stpsim_anywhere(&[
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
    let (code, _, err) = stpsim_anywhere(&[
        "calibrate",
        "--method",
        "bracket",
        "--target",
        "unsure_share@2016Q4=0.999",
        "--replicates",
        "4",
    ]);
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
    let (code, stdout, err) = stpsim(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("generation  1: tolerance"), "progress by generation: {err}");
    assert!(stdout.contains("ABC-SMC") && stdout.contains("Posterior (5%, median, 95%)"), "{stdout}");
    // It says why it stopped, in the words of calibrate::smc::StopReason.
    let why =
        ["reached the final tolerance", "acceptance of moves fell below", "generations", "no particle was within"];
    let stopped =
        stdout.lines().find(|l| l.contains("stopped: ")).unwrap_or_else(|| panic!("no stop reason: {stdout}"));
    assert!(why.iter().any(|w| stopped.contains(w)), "{stopped}");
    assert!(stopped.contains("final tolerance") && stopped.contains("(asked for 1.1)"), "{stopped}");
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
    assert!(verdicts.contains("self_priority_share 2016Q4 (small.toml): figure 60.0% (sd 3.5 pp)"), "{verdicts}");
    assert!(
        verdicts.contains("provider_balance_gbp_m 2016/17 (small.toml): figure \u{2212}£100m (sd £50m)"),
        "{verdicts}"
    );
    for chart in ["targets", "parameters", "pairs"] {
        assert!(cal.join(format!("{chart}.png")).exists() && cal.join(format!("{chart}.svg")).exists(), "{chart}");
    }

    // Resuming a finished calibration repeats nothing and writes the same posterior.
    let (code, _, err) = stpsim(dir.path(), &[&args[..], &["--resume", "--quiet"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(&cal.join("posterior.csv")), posterior);
    // ... but not with other settings or another targets file.
    let (code, _, err) = stpsim(dir.path(), &[&args[..], &["--resume", "--seed", "9"]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("it was made with --seed 2016, and this run has --seed 9"), "names the flag: {err}");
    std::fs::write(dir.path().join("t.toml"), SMALL_TARGETS.replace("0.6", "0.55")).unwrap();
    let (code, _, err) = stpsim(dir.path(), &[&args[..], &["--resume"]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("was made for another targets file"), "{err}");

    // A run over the posterior says so in the summary, the terminal and the report.
    let (code, stdout, err) = stpsim(
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
    let (code, _, err) = stpsim(dir.path(), &["calibrate", "--targets", "t.toml", "--out", "cal"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("t.toml:6:") && err.contains("`target[0].survey_n` = -3"), "{err}");
    let (code, _, err) = stpsim(dir.path(), &["calibrate", "--targets", "none.toml", "--out", "cal"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = stpsim(dir.path(), &["calibrate", "--resume", "--out", "cal", "--particles", "20"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--resume: cannot read"), "{err}");
    let (code, _, err) = stpsim(dir.path(), &["run", "small.toml", "--posterior", "p.csv", "--out", "r"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("p.csv:3: `beta0` = 99 is outside its range"), "{err}");
    assert!(!dir.path().join("r").join("summary.csv").exists());
}

/// What calibrate would ignore is refused before anything runs (exit 2,
/// nothing written), naming the method that takes it: SCENARIO and --target
/// are the bracketing fit's, --particles, --targets, --resume and the rest
/// ABC-SMC's.
#[test]
fn calibrate_refuses_what_its_method_would_ignore() {
    let dir = folder(&[("t.toml", SMALL_TARGETS), ("small.toml", SMALL)]);
    let refused = |args: &[&str], names: &[&str], other: &str| {
        let clock = std::time::Instant::now();
        let (code, stdout, err) = stpsim(dir.path(), args);
        assert_eq!(code, 2, "stpsim {args:?}: {err}");
        assert!(stdout.is_empty(), "{stdout}");
        for n in names {
            assert!(err.contains("would ignore") && err.contains(n), "stpsim {args:?} names {n}: {err}");
        }
        assert!(err.contains(&format!("add --method {other}")), "says which method takes it: {err}");
        assert!(!dir.path().join("cal").exists(), "nothing written");
        assert!(clock.elapsed() < std::time::Duration::from_secs(60), "refused before running");
    };
    // The issue's example: the bracketing fit's arguments with the default method.
    refused(
        &["calibrate", "baseline", "--target", "self_priority_share@2016Q4=0.6", "--out", "cal"],
        &["SCENARIO", "--target"],
        "bracket",
    );
    refused(&["calibrate", "--tolerance", "0.01", "--out", "cal"], &["--tolerance"], "bracket");
    refused(&["calibrate", "--method", "bracket", "--particles", "40", "--out", "cal"], &["--particles"], "abc");
    refused(&["calibrate", "--method", "bracket", "--targets", "t.toml", "--out", "cal"], &["--targets"], "abc");
    refused(&["calibrate", "--method", "bracket", "--resume", "--out", "cal"], &["--resume"], "abc");
    refused(
        &["calibrate", "--method", "bracket", "--final-tolerance", "2", "--moves", "3", "--out", "cal"],
        &["--final-tolerance", "--moves"],
        "abc",
    );
    // What each method does take is still accepted as far as checking it.
    let (code, _, err) = stpsim(dir.path(), &["calibrate", "--targets", "t.toml", "--particles", "3", "--out", "cal"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("particles") && !err.contains("would ignore"), "{err}");
}
