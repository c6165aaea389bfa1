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
    let n = range.len();
    let kind = &w.kind.run(range.clone())[..n];
    let structural = &mut w.structural.run_mut(range)[..n];
    for j in 0..n {
        let k = kind[j];
        if k.is_provider() {
            structural[j] += due.provider_gain;
        }
        if k == Kind::Council {
            structural[j] += p.council_sc_balance_gain * due.social_care_size;
        }
        structural[j] += p.balance_drift(k);
        if k == Kind::Acute {
            structural[j] -= p.sc_pressure * council_deficit * (1.0 - sc_progress);
        }
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
