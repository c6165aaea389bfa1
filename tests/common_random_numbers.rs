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
    use stpsim::model::Replicate;
    use stpsim::model::init::Setup;
    use stpsim::model::rng::Keys;
    let sc = scenario(
        "name = \"b\"\nextends = \"baseline\"\n[[levers]]\nkind = \"strengthen_leads\"\nstart = \"2017Q2\"\nend = \"2018Q1\"\nauthority = 0.7\nformal_appointment = true\n[[levers]]\nkind = \"funding_conditionality\"\nstart = \"2017Q2\"\nend = \"2018Q1\"\nshare = 0.9\n",
    );
    let st = sc.build_structure(1);
    let keys = Keys { seed: 1, replicate: 0 };
    let mut rep = Replicate::new(&st, Setup { params: &sc.params, levers: &sc.levers, ready: &sc.ready_index }, keys);
    for quarter in sc.quarters() {
        rep.step(quarter);
        let w = &rep.world;
        let on = quarter >= q("2017Q2") && quarter < q("2018Q1");
        for fp in w.fps.iter().filter(|f| !f.acs) {
            assert_eq!(fp.gov.authority, if on { 0.7 } else { 0.2 }, "{quarter}");
            assert_eq!(fp.gov.decision_rights, on, "{quarter}");
            assert_eq!(fp.legitimacy(), if on { 0.7 } else { 0.5 }, "{quarter}");
        }
        assert_eq!(w.national.policy.conditionality, if on { 0.9 } else { 0.25 }, "{quarter}");
    }
}
