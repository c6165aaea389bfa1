//! Which parameters a run uses: the built-in England posterior by default,
//! `none` for the spec's defaults, and a scenario's own `[params]` held
//! fixed in every replicate.

mod common;
use common::*;
use stpsim::calibrate::choice::{self, ENGLAND_SOURCE};
use stpsim::calibrate::posterior::Posterior;
use stpsim::job::RunRequest;
use stpsim::runner::run_over;

const MINE: &str = "name = \"mine\"\nextends = \"baseline\"\nend = \"2017Q4\"\n[params]\nb_deficit = 0.5\n";

#[test]
fn a_parameter_the_scenario_sets_is_held_in_every_replicate() {
    let england = choice::england();
    let mine = scenario(MINE);
    assert_eq!(mine.set_params, ["b_deficit"]);
    assert_eq!(choice::held(england, &mine), ["b_deficit"]);
    // The same run over a copy of the posterior whose every draw has
    // b_deficit = 0.5, with nothing held: the results must be identical, so
    // every replicate ran with 0.5 and every other parameter from its draw.
    let k = england.names.iter().position(|n| *n == "b_deficit").expect("the posterior fits b_deficit");
    let mut pinned = england.clone();
    pinned.draws.iter_mut().for_each(|d| d[k] = 0.5);
    let plain = scenario(&MINE.replace("[params]\nb_deficit = 0.5\n", ""));
    assert!(plain.set_params.is_empty());
    let opts = stpsim::RunOptions { replicates: 6, seed: 3, footprint_replicates: 0 };
    let held = run_over(std::slice::from_ref(&mine), &opts, Some(england));
    let copied = run_over(std::slice::from_ref(&plain), &opts, Some(&pinned));
    assert_eq!(held.scenarios[0].values, copied.scenarios[0].values, "b_deficit held at 0.5");
    // ... and differs from letting b_deficit vary (the check can fail).
    let drawn = run_over(std::slice::from_ref(&plain), &opts, Some(england));
    assert_ne!(held.scenarios[0].values, drawn.scenarios[0].values);
}

#[test]
fn the_built_in_baseline_pins_nothing() {
    for name in stpsim::scenario::builtin::names() {
        let s = stpsim::scenario::load(name).unwrap();
        assert!(
            choice::held(choice::england(), &s).is_empty(),
            "{name} holds {:?}: a built-in scenario would hide their uncertainty",
            s.set_params
        );
    }
}

#[test]
fn england_is_the_default_none_gives_the_spec_and_a_scenario_can_ask() {
    let job = RunRequest { replicates: Some(2), ..Default::default() }.resolve().unwrap();
    let p = job.posterior.as_ref().expect("the default job runs over the England posterior");
    assert_eq!(p.source, ENGLAND_SOURCE);
    assert!(job.posterior_by_default && job.parameters.starts_with("over the England posterior (built in"));
    // A synthetic structure: the same default, said.
    let big = RunRequest { scenarios: vec!["synthetic-large".into()], ..Default::default() }.resolve().unwrap();
    assert!(big.posterior.is_some() && big.parameters.contains("behavioural parameters carry over"));
    // --posterior none, and posterior = "none" in a scenario.
    let none = RunRequest { posterior: Some("none".into()), ..Default::default() }.resolve().unwrap();
    assert!(none.posterior.is_none() && none.parameters.contains("spec's default parameters"));
    let s = scenario("name = \"plain\"\nextends = \"baseline\"\nposterior = \"none\"\n");
    let c = choice::choose(None, std::slice::from_ref(&s)).unwrap();
    assert!(c.posterior.is_none() && !c.by_default, "{}", c.describe());
    // --posterior wins over the scenario's; two scenarios asking for different ones are refused.
    assert!(choice::choose(Some("england"), std::slice::from_ref(&s)).unwrap().posterior.is_some());
    let other = scenario("name = \"other\"\nextends = \"baseline\"\nposterior = \"england\"\n");
    let e = choice::choose(None, &[s, other]).unwrap_err().to_string();
    assert!(e.contains("ask for different posteriors"), "{e}");
    // A mistake in the field says where and what is allowed.
    let e = stpsim::scenario::load_text("name = \"x\"\nposterior = \"englnd\"\n", "x.toml", None).unwrap_err();
    assert!(e.to_string().contains("x.toml:2:") && e.to_string().contains("\"none\" (the spec's defaults)"), "{e}");
}

#[test]
fn the_built_in_posterior_is_the_shipped_file() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/posterior-england.csv")).unwrap();
    let file = Posterior::parse(&text, "data/posterior-england.csv").unwrap();
    let built_in = choice::england();
    assert_eq!((&file.names, &file.draws, &file.weights), (&built_in.names, &built_in.draws, &built_in.weights));
}

#[test]
fn the_shipped_posterior_is_worth_using() {
    // Issue 23: at least 1,000 distinct parameter vectors and an effective
    // sample size of at least 500 once identical rows' weights are summed.
    let p = choice::england();
    let (distinct, ess) = stpsim::calibrate::smc::distinct_ess(&p.draws, &p.weights);
    assert!(distinct >= 1000, "{distinct} distinct parameter vectors");
    assert!(ess >= 500.0, "effective sample size {ess:.0}");
}
