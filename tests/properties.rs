//! Invariants over random valid scenarios: every run completes, every metric
//! is finite and within its range (shares in [0, 1], gaps in [0, 2]), and the
//! fund never pays out more than it holds.

use proptest::prelude::*;
use stpsim::model::init::Setup;
use stpsim::model::metrics::{N_METRICS, record};
use stpsim::model::rng::Keys;
use stpsim::model::{Metric, World, step};

fn lever(kind: usize, start: u8, x: f64) -> String {
    let start = format!("start = \"{}Q{}\"", 2016 + u32::from(start / 4), start % 4 + 1);
    match kind {
        0 => format!("kind = \"strengthen_leads\"\n{start}\nauthority = {x}\nformal_appointment = true"),
        1 => format!("kind = \"remove_veto\"\n{start}"),
        2 => format!("kind = \"committees_in_common\"\n{start}"),
        3 => format!("kind = \"funding_conditionality\"\n{start}\nshare = {x}"),
        4 => format!("kind = \"national_intervention\"\n{start}\nprobability = {x}"),
        5 => format!("kind = \"include_local_government\"\n{start}\ncouncil_seats = {x}"),
        6 => format!("kind = \"council_lead\"\n{start}\nfootprints = {{ most_ready = 3 }}"),
        7 => format!("kind = \"accountability_clarity\"\n{start}\nhazard = {x}"),
        8 => format!("kind = \"force_pace\"\n{start}\npace = {}\nfootprints = {{ least_ready = 4 }}", 2.0 * x),
        9 => format!("kind = \"accountable_care\"\n{start}\nthreshold = {x}\nquarters = 2"),
        _ => format!(
            "kind = \"stf_schedule\"\n{start}\nyears = [{{ year = \"2017/18\", total_gbp_bn = {}, transformation_share = {x} }}]",
            10.0 * x
        ),
    }
}

prop_compose! {
    fn scenario_text()(
        beta0 in -3.0..3.0f64,
        mu in 0.0..6.0f64,
        intervention in 0.0..1.0f64,
        conditionality in 0.0..1.0f64,
        // At least 5 footprints: the levers below name up to 4 least or 3 most ready.
        synthetic in proptest::option::of(5usize..40),
        kinds in proptest::collection::btree_set(0usize..11, 0..6),
        start in 0u8..18,
        x in 0.0..1.0f64,
    ) -> String {
        let structure = match synthetic {
            Some(n) => format!("[structure]\nkind = \"synthetic\"\nfootprints = {n}\n"),
            None => String::new(),
        };
        let mut s = format!(
            "name = \"random\"\n{structure}[params]\nbeta0 = {beta0}\nmu = {mu}\nintervention = {intervention}\nconditionality = {conditionality}\n"
        );
        for k in kinds {
            s += &format!("[[levers]]\n{}\n", lever(k, start, x));
        }
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn metrics_stay_in_range_and_the_fund_is_never_overspent(text in scenario_text(), rep in 0u64..1000) {
        let sc = stpsim::scenario::load_text(&text, "random.toml", None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let st = sc.build_structure(5);
        let keys = Keys { seed: 5, replicate: rep };
        let mut w = World::new(&st, Setup { params: &sc.params, levers: &sc.levers, ready: &sc.ready_index }, &keys);
        let mut row = vec![0.0; N_METRICS];
        let mut fp_rows = vec![0.0; N_METRICS * w.fps.len()];
        for q in sc.quarters() {
            step(&mut w, &sc.levers, q, &keys);
            record(&w, &mut row, Some(&mut fp_rows));
            let paid: f64 = w.fps.iter().map(|f| f.paid).sum();
            prop_assert!(paid <= w.national.sustainability_gbp_m * (1.0 + 1e-12) + 1e-9, "{q}: paid {paid} of {}", w.national.sustainability_gbp_m);
            let transformation: f64 = w.fps.iter().map(|f| f.transformation_money).sum();
            prop_assert!(transformation <= w.national.transformation_gbp_m * (1.0 + 1e-12) + 1e-9);
            for vals in std::iter::once(&row[..]).chain(fp_rows.chunks(N_METRICS)) {
                for &m in Metric::ALL {
                    let v = vals[m as usize];
                    let (lo, hi) = m.range();
                    prop_assert!(v.is_finite(), "{q} {} = {v}", m.name());
                    prop_assert!(v >= lo - 1e-12 && v <= hi + 1e-12, "{q} {} = {v} outside [{lo}, {hi}]", m.name());
                }
            }
            for i in 0..w.n_orgs() {
                prop_assert!((0.0..=1.0).contains(&w.trust[i]));
                prop_assert!(w.resentment[i] >= 0.0);
            }
        }
    }
}
