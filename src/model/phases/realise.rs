//! Phase 8: due effects land on the gaps and balances; gaps and structural
//! balances drift.

use crate::core::quarter::Quarter;
use crate::model::kind::Kind;
use crate::model::part::Part;
use crate::model::state::{PENDING_SLOTS, Pending};

pub fn realise_and_drift(w: &mut Part, f: usize, q: Quarter) {
    let p = &w.p;
    let slot = q.index() as usize % PENDING_SLOTS;
    let due = std::mem::replace(&mut w.pending[slot][f], Pending::EMPTY);
    let drift = [p.drift_hw, p.drift_cq, p.drift_fe];
    let fp = &mut w.fps[f];
    for d in 0..3 {
        fp.gaps[d] = ((fp.gaps[d] * due.keep[d]).max(0.0) + drift[d]).min(p.gap_cap);
    }
    fp.sc_progress = (fp.sc_progress + p.sc_progress_gain * due.social_care_size).min(1.0);
    let sc_progress = fp.sc_progress;
    let (range, councils) = (fp.members(), fp.of_kind(Kind::Council));
    let n = councils.len();
    let sum = w.balance.run(councils).iter().fold(0.0, |s, b| s + b);
    let council_deficit = if n > 0 { (-sum / n as f64).max(0.0) } else { 0.0 };
    // Each kind's steps as a row of (gain, drift, pressure) to add, add and
    // subtract, so that one loop with no test of kind (no branch to
    // mispredict) takes every member through its kind's steps. A step a kind
    // does not take is -0 to add or +0 to subtract: x + (-0) is x, bit for
    // bit, for every x (0 and -0 included), so a member's balance comes out
    // exactly as from testing its kind and taking only its steps.
    let pressure = p.sc_pressure * council_deficit * (1.0 - sc_progress);
    let steps = Kind::ALL.map(|k| {
        let gain = if k.is_provider() {
            due.provider_gain
        } else if k == Kind::Council {
            p.council_sc_balance_gain * due.social_care_size
        } else {
            -0.0
        };
        [gain, p.balance_drift(k), if k == Kind::Acute { pressure } else { 0.0 }]
    });
    let n = range.len();
    let kind = &w.kind.run(range.clone())[..n];
    let structural = &mut w.structural.run_mut(range)[..n];
    for (s, &k) in structural.iter_mut().zip(kind) {
        let [gain, drift, pressure] = steps[k as usize];
        *s = *s + gain + drift - pressure;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::england_world;

    #[test]
    fn effects_land_multiplicatively_then_gaps_drift() {
        let mut w = england_world(10);
        let q = Quarter::new(2017, 1).unwrap();
        let slot = q.index() as usize % PENDING_SLOTS;
        w.pending[slot][0].keep = [0.9, 1.0, 0.5];
        w.pending[slot][0].social_care_size = 0.05;
        realise_and_drift(&mut w.whole(), 0, q);
        let g = w.fps[0].gaps;
        assert!((g[0] - (0.9 + 0.001)).abs() < 1e-12);
        assert!((g[1] - 1.001).abs() < 1e-12);
        assert!((g[2] - 0.502).abs() < 1e-12);
        assert!((w.fps[0].sc_progress - 0.5).abs() < 1e-12);
        assert_eq!(w.pending[slot][0], Pending::EMPTY);
        w.fps[0].gaps = [1.9995; 3];
        realise_and_drift(&mut w.whole(), 0, q.next());
        assert!(w.fps[0].gaps.iter().all(|g| *g <= 2.0));
    }

    /// The balances' steps as one loop over the members, testing each one's
    /// kind: what `realise_and_drift` must give, bit for bit.
    fn by_member(w: &mut Part, f: usize, due: Pending, council_deficit: f64) {
        let p = w.p;
        let sc_progress = w.fps[f].sc_progress;
        for i in w.fps[f].members() {
            let k = w.kind[i];
            if k.is_provider() {
                w.structural[i] += due.provider_gain;
            }
            if k == Kind::Council {
                w.structural[i] += p.council_sc_balance_gain * due.social_care_size;
            }
            w.structural[i] += p.balance_drift(k);
            if k == Kind::Acute {
                w.structural[i] -= p.sc_pressure * council_deficit * (1.0 - sc_progress);
            }
        }
    }

    #[test]
    fn steps_by_kind_are_those_member_by_member() {
        let mut a = england_world(6);
        let q = Quarter::new(2018, 2).unwrap();
        let slot = q.index() as usize % PENDING_SLOTS;
        let mut rng = crate::model::rng::Keys { seed: 1, replicate: 6 }.init(0);
        for i in 0..a.kind.len() {
            a.balance[i] = crate::model::rng::draw::uniform(&mut rng) - 1.0;
        }
        for (f, due) in a.pending[slot].iter_mut().enumerate() {
            *due = Pending { keep: [0.9; 3], provider_gain: 0.001 * f as f64, social_care_size: 0.01 * f as f64 };
        }
        let mut b = a.clone();
        for f in 0..a.fps.len() {
            let due = a.pending[slot][f];
            realise_and_drift(&mut a.whole(), f, q);
            let councils = b.fps[f].of_kind(Kind::Council);
            let sum = b.balance[councils.clone()].iter().fold(0.0, |s, x| s + x);
            let deficit = (-sum / councils.len() as f64).max(0.0);
            assert!(deficit > 0.0, "footprint {f} is pressed");
            b.fps[f].sc_progress = a.fps[f].sc_progress;
            by_member(&mut b.whole(), f, due, deficit);
        }
        let bits = |x: &[f64]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.structural), bits(&b.structural));
    }

    #[test]
    fn council_deficits_press_on_acute_trusts() {
        let mut a = england_world(10);
        let mut b = a.clone();
        for i in b.fps[0].members() {
            if b.kind[i] == Kind::Council {
                b.balance[i] = -0.05;
            }
        }
        let q = Quarter::new(2017, 1).unwrap();
        realise_and_drift(&mut a.whole(), 0, q);
        realise_and_drift(&mut b.whole(), 0, q);
        let acute = a.fps[0].members().find(|&i| a.kind[i] == Kind::Acute).unwrap();
        let council_before = england_world(10).balance.clone();
        let pressure_a = 0.02 * {
            let c: Vec<f64> =
                a.fps[0].members().filter(|&i| a.kind[i] == Kind::Council).map(|i| council_before[i]).collect();
            (-(c.iter().sum::<f64>() / c.len() as f64)).max(0.0)
        };
        assert!((a.structural[acute] - b.structural[acute] - (0.02 * 0.05 - pressure_a)).abs() < 1e-12);
    }
}
