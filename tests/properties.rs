//! Invariants over random valid scenarios: every run completes, every metric
//! is finite and within the range its parameters give it (shares in [0, 1],
//! gaps in [0, gap_cap]), and the fund never pays out more than it holds.

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
        // Gaps grow by up to 0.1 a quarter, so low caps are reached and held.
        gap_cap in 1.0..3.0f64,
        drift in 0.0..0.1f64,
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
            "name = \"random\"\n{structure}[params]\nbeta0 = {beta0}\nmu = {mu}\nintervention = {intervention}\nconditionality = {conditionality}\n\
             gap_cap = {gap_cap}\ndrift_hw = {drift}\ndrift_cq = {drift}\ndrift_fe = {drift}\n"
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
            let paid: f64 = w.paid.iter().sum();
            prop_assert!(paid <= w.national.sustainability_gbp_m * (1.0 + 1e-12) + 1e-9, "{q}: paid {paid} of {}", w.national.sustainability_gbp_m);
            let transformation: f64 = w.fps.iter().map(|f| f.transformation_money).sum();
            prop_assert!(transformation <= w.national.transformation_gbp_m * (1.0 + 1e-12) + 1e-9);
            for vals in std::iter::once(&row[..]).chain(fp_rows.chunks(N_METRICS)) {
                for &m in Metric::ALL {
                    let v = vals[m as usize];
                    let (lo, hi) = m.range(&sc.params);
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

/// The ranges follow the parameters: with a low cap and fast drift, gaps
/// reach `gap_cap` and stay there, and the transformation index reaches
/// 1 - `gap_cap`, the ends of their ranges.
#[test]
fn gaps_reach_their_cap_and_not_past_it() {
    for cap in [1.0, 1.5] {
        let text =
            format!("name = \"capped\"\n[params]\ngap_cap = {cap}\ndrift_hw = 0.1\ndrift_cq = 0.1\ndrift_fe = 0.1\n");
        let sc = stpsim::scenario::load_text(&text, "capped.toml", None).unwrap();
        let st = sc.build_structure(1);
        let setup = Setup { params: &sc.params, levers: &sc.levers, ready: &sc.ready_index };
        let mut rep = Replicate::new(&st, setup, Keys { seed: 1, replicate: 0 });
        let last = sc.quarters().into_iter().map(|q| rep.step(q).to_vec()).last().unwrap();
        for m in [Metric::GapHw, Metric::GapCq, Metric::GapFe, Metric::TransformationIndex] {
            let (lo, hi) = m.range(&sc.params);
            let end = if m == Metric::TransformationIndex { lo } else { hi };
            assert!((last[m as usize] - end).abs() < 1e-9, "{} = {} at the end, not {end}", m.name(), last[m as usize]);
        }
        assert_eq!(Metric::GapHw.range(&sc.params), (0.0, cap));
        assert_eq!(Metric::TransformationIndex.range(&sc.params), (1.0 - cap, 1.0));
    }
}
