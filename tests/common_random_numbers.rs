//! Scenarios share random numbers: a lever starting at T leaves every metric
//! before T identical, and changes results only from T on.

mod common;
use common::*;
use stpsim::model::metrics::N_METRICS;

#[test]
fn a_lever_starting_at_t_leaves_earlier_quarters_identical() {
    let base = scenario("name = \"a\"\nextends = \"baseline\"\n");
    for lever in [
        "kind = \"strengthen_leads\"\nauthority = 0.7\nformal_appointment = true",
        "kind = \"remove_veto\"\nfootprints = { most_ready = 10 }",
        "kind = \"funding_conditionality\"\nshare = 0.9",
        "kind = \"council_lead\"\nfootprints = [\"Devon\", \"Kent and Medway\"]",
    ] {
        let with =
            scenario(&format!("name = \"b\"\nextends = \"baseline\"\n[[levers]]\nstart = \"2018Q1\"\n{lever}\n"));
        let res = run(&[base.clone(), with], 20, 11);
        let (a, b) = (&res.scenarios[0], &res.scenarios[1]);
        let t = a.quarters.iter().position(|&x| x == q("2018Q1")).unwrap();
        let nq = a.quarters.len();
        let mut differ_after = false;
        for r in 0..20 {
            let (sa, sb) = (r * nq * N_METRICS, (r + 1) * nq * N_METRICS);
            let before = sa..sa + t * N_METRICS;
            assert_eq!(a.values[before.clone()], b.values[before], "{lever}: replicate {r} differs before the lever");
            differ_after |= a.values[sa + t * N_METRICS..sb] != b.values[sa + t * N_METRICS..sb];
        }
        assert!(differ_after, "{lever}: the lever changed nothing");
    }
}

#[test]
fn a_lever_that_ends_restores_the_setting() {
    // A lever on for one quarter then off: from the end on, only its
    // after-effects differ, and a lever that starts after the run changes nothing.
    let base = scenario("name = \"a\"\nextends = \"baseline\"\n");
    let never = scenario(
        "name = \"b\"\nextends = \"baseline\"\nend = \"2020Q1\"\n[[levers]]\nkind = \"remove_veto\"\nstart = \"2020Q2\"\n",
    );
    let base_short = scenario("name = \"c\"\nextends = \"baseline\"\nend = \"2020Q1\"\n");
    let res = run(&[base_short, never, base], 5, 3);
    assert_eq!(res.scenarios[0].values, res.scenarios[1].values);
}
