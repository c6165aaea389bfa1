//! Invariants over random valid scenarios: every run completes, every metric
//! is finite and within its range (shares in [0, 1], gaps in [0, 2]), and the
//! fund never pays out more than it holds.

use proptest::prelude::*;
use stpsim::model::init::Setup;
use stpsim::model::levers::{Form, LEVERS, N_LEVER_KINDS};
use stpsim::model::metrics::N_METRICS;
use stpsim::model::rng::Keys;
use stpsim::model::{Metric, Replicate};

/// A lever of the table's `kind`-th kind with every field at fraction `x`
/// of its range (switches on above one half), starting at quarter `start`
/// after 2016Q1. Footprint levers alternate between all footprints and the
/// most or least ready few, so targeting rules are exercised too.
fn lever(kind: usize, start: u8, x: f64) -> String {
    let d = &LEVERS[kind];
    let mut s = format!("kind = \"{}\"\nstart = \"{}Q{}\"\n", d.name, 2016 + u32::from(start / 4), start % 4 + 1);
    if !d.national {
        s += match kind % 3 {
            0 => "",
            1 => "footprints = { most_ready = 3 }\n",
            _ => "footprints = { least_ready = 4 }\n",
        };
    }
    for f in d.fields {
        let v = f.spec.min + x * (f.spec.max - f.spec.min);
        s += &match f.form {
            Form::Number => format!("{} = {v}\n", f.name),
            Form::Whole => format!("{} = {}\n", f.name, v.round()),
            Form::Switch => format!("{} = {}\n", f.name, x > 0.5),
            Form::Years => format!(
                "{} = [{{ year = \"2017/18\", total_gbp_bn = {}, transformation_share = {x} }}]\n",
                f.name,
                10.0 * x
            ),
        };
    }
    s
}

prop_compose! {
    fn scenario_text()(
        beta0 in -3.0..3.0f64,
        mu in 0.0..6.0f64,
        intervention in 0.0..1.0f64,
        conditionality in 0.0..1.0f64,
        // At least 5 footprints: the levers below name up to 4 least or 3 most ready.
        synthetic in proptest::option::of(5usize..40),
        kinds in proptest::collection::btree_set(0usize..N_LEVER_KINDS, 0..6),
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
        let mut rep = Replicate::new(&st, Setup { params: &sc.params, levers: &sc.levers, ready: &sc.ready_index }, keys);
        let mut fp_rows = vec![0.0; N_METRICS * rep.world.fps.len()];
        for q in sc.quarters() {
            let row = rep.step_into(q, Some(&mut fp_rows)).to_vec();
            let w = &rep.world;
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
