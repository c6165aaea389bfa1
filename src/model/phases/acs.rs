//! Phase 10: footprints with the accountable care lever on become ACSs once
//! their averaged collaboration reaches the threshold, for good.

use crate::model::part::Part;
use crate::model::state::HISTORY_SLOTS;

/// Mean collaboration over the last `k` quarters, this one included;
/// quarters before the run count as `initial_collab_rate`.
pub fn averaged_collaboration(w: &Part, f: usize, k: usize) -> f64 {
    let fp = &w.fps[f];
    let k = k.clamp(1, HISTORY_SLOTS);
    let seen = fp.quarters_run.min(k);
    let recent: f64 = (0..seen).map(|b| w.history[(fp.quarters_run - 1 - b) % HISTORY_SLOTS][f]).sum();
    (recent + (k - seen) as f64 * w.p.initial_collab_rate) / k as f64
}

pub fn evolve(w: &mut Part, f: usize) {
    let fp = &mut w.fps[f];
    w.history[fp.quarters_run % HISTORY_SLOTS][f] = fp.collab_rate;
    fp.quarters_run += 1;
    if fp.gov.acs_enabled
        && !fp.acs
        && averaged_collaboration(w, f, w.fps[f].gov.acs_quarters) >= w.fps[f].gov.acs_threshold
    {
        w.fps[f].acs = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::england_world;

    #[test]
    fn becomes_an_acs_on_the_averaged_rate_only_when_enabled() {
        let mut w = england_world(12);
        w.fps[0].collab_rate = 0.9;
        evolve(&mut w.whole(), 0);
        assert!(!w.fps[0].acs, "lever off");
        assert!((averaged_collaboration(&w.whole(), 0, 4) - (0.9 + 1.5) / 4.0).abs() < 1e-12);
        w.fps[0].gov.acs_enabled = true;
        w.fps[0].collab_rate = 0.0;
        evolve(&mut w.whole(), 0);
        assert!(!w.fps[0].acs, "(0.9 + 0 + 0.5 + 0.5) / 4 = 0.475 is below 0.6");
        w.fps[0].collab_rate = 1.0;
        evolve(&mut w.whole(), 0);
        assert!(w.fps[0].acs, "(0.9 + 0 + 1 + 0.5) / 4 = 0.6 reaches 0.6");
        assert!(w.fps[0].decision_rights() && w.fps[0].authority(&w.p) >= 0.6);
        w.fps[0].collab_rate = 0.0;
        evolve(&mut w.whole(), 0);
        assert!(w.fps[0].acs, "for good");
    }
}
