//! A calibration's checkpoint (`checkpoint.json`): the particle population
//! after each finished generation, so `calibrate --resume` continues where a
//! killed run stopped. It is read back as strictly as a user's own file: a
//! cut, edited or foreign checkpoint is refused with what is wrong, never
//! resumed into a panic or into values outside the priors.

use super::smc::{Bounds, Settings, State};
use serde::{Deserialize, Serialize};

/// The file's name in the calibration's folder.
pub const FILE: &str = "checkpoint.json";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Checkpoint {
    pub targets_sha256: String,
    pub settings: Settings,
    pub state: State,
}

impl Checkpoint {
    /// Parses a checkpoint's bytes, then [`Checkpoint::validate`]s it.
    pub fn parse(bytes: &[u8], bounds: &Bounds, values: usize) -> Result<Checkpoint, String> {
        let cp: Checkpoint =
            serde_json::from_slice(bytes).map_err(|e| format!("is not a calibration checkpoint: {e}"))?;
        cp.validate(bounds, values)?;
        Ok(cp)
    }

    /// Checks that the population fits its settings and the priors: one
    /// parameter vector inside the priors' bounds per particle, weights that
    /// are finite, not negative and not all 0, `replicates` simulations per
    /// particle each with `values` finite summaries and a distance from 0 up,
    /// and generations numbered in order with falling tolerances.
    pub fn validate(&self, bounds: &Bounds, values: usize) -> Result<(), String> {
        let (s, st) = (&self.settings, &self.state);
        let n = s.particles;
        if n == 0 || s.replicates == 0 {
            return Err("has settings with no particles or no replicates".into());
        }
        let count = |what: &str, got: usize, want: usize| {
            if got == want { Ok(()) } else { Err(format!("holds {got} {what} where its settings call for {want}")) }
        };
        count("parameter vectors", st.theta.len(), n)?;
        count("weights", st.weights.len(), n)?;
        count("particles' simulations", st.sims.len(), n)?;
        for (i, t) in st.theta.iter().enumerate() {
            if t.len() != bounds.len() {
                return Err(format!(
                    "particle {i} has {} parameter values where the targets file fits {}",
                    t.len(),
                    bounds.len()
                ));
            }
            for (k, (&x, &(lo, hi))) in t.iter().zip(bounds).enumerate() {
                if !(x.is_finite() && x >= lo && x <= hi) {
                    return Err(format!("particle {i}'s parameter {} = {x} is outside its prior, {lo} to {hi}", k + 1));
                }
            }
        }
        if let Some((i, w)) = st.weights.iter().enumerate().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
            return Err(format!("particle {i}'s weight {w} is not a weight (a finite number from 0 up)"));
        }
        let total: f64 = st.weights.iter().map(|w| w / n as f64).sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err("has no particle with a weight above 0".into());
        }
        // Every generation leaves its weights normalised.
        if (total * n as f64 - 1.0).abs() > 1e-6 {
            return Err(format!("has weights that sum to {}, where a calibration's sum to 1", total * n as f64));
        }
        for (i, sims) in st.sims.iter().enumerate() {
            count(&format!("simulations for particle {i}"), sims.len(), s.replicates)?;
            for sim in sims {
                if sim.distance.is_nan() || sim.distance < 0.0 {
                    return Err(format!("particle {i} has a distance {} (not a distance)", sim.distance));
                }
                if sim.values.len() != values || sim.values.iter().any(|v| !v.is_finite()) {
                    return Err(format!(
                        "particle {i} has a simulation with {} summaries ({} needed, each a finite number)",
                        sim.values.len(),
                        values
                    ));
                }
            }
        }
        // Generation 0, at most max_generations more, then the rejuvenation's moves.
        let most = s.max_generations + 1 + s.max_rejuvenation;
        if st.generations.is_empty() || st.generations.len() > most {
            return Err(format!("holds {} generations, where a calibration has 1 to {most}", st.generations.len()));
        }
        let mut last = (f64::INFINITY, 0u64);
        for (g, record) in st.generations.iter().enumerate() {
            let ok = record.generation == g
                && !record.tolerance.is_nan()
                && record.tolerance >= 0.0
                && record.tolerance <= last.0
                && (g == 0 || record.tolerance.is_finite())
                && record.ess.is_finite()
                && (0.0..=n as f64 + 1e-6).contains(&record.ess)
                && (0.0..=1.0).contains(&record.acceptance)
                && record.simulations >= last.1
                && record.seconds.is_finite()
                && record.seconds >= 0.0;
            if !ok {
                return Err(format!("generation {g}'s record is not one a calibration writes"));
            }
            last = (record.tolerance, record.simulations);
        }
        Ok(())
    }

    /// The first setting that differs from `now`, as the flag that sets it,
    /// for a resume given other settings than the checkpoint was made with.
    pub fn differing_flag(&self, now: &Settings) -> Option<String> {
        let s = &self.settings;
        let flags = [
            ("--particles", s.particles.to_string(), now.particles.to_string()),
            ("--replicates", s.replicates.to_string(), now.replicates.to_string()),
            ("--final-tolerance", s.final_tolerance.to_string(), now.final_tolerance.to_string()),
            ("--alpha", s.alpha.to_string(), now.alpha.to_string()),
            ("--moves", s.moves.to_string(), now.moves.to_string()),
            ("--min-distinct", s.min_distinct.to_string(), now.min_distinct.to_string()),
            ("--max-rejuvenation", s.max_rejuvenation.to_string(), now.max_rejuvenation.to_string()),
            ("--seed", s.seed.to_string(), now.seed.to_string()),
        ];
        if let Some((flag, was, is)) = flags.iter().find(|(_, a, b)| a != b) {
            return Some(format!("it was made with {flag} {was}, and this run has {flag} {is}"));
        }
        (s != now).then(|| "it was made by another stpsim version, with other internal settings".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::super::smc::{self, Sim};
    use super::*;

    fn made() -> (Checkpoint, Vec<(f64, f64)>) {
        let bounds = vec![(0.0, 1.0), (-1.0, 1.0)];
        let settings = Settings { particles: 30, replicates: 2, max_generations: 3, ..Settings::default() };
        let sim = |t: &[f64], k: u64| Sim {
            distance: (t[0] - 0.5).abs() * 10.0 + (k % 7) as f64 * 0.01,
            values: vec![t[0], t[1]],
        };
        let st = smc::run(&bounds, &settings, &sim, None, &mut |_| {});
        (Checkpoint { targets_sha256: "x".into(), settings, state: st }, bounds)
    }

    #[test]
    fn a_checkpoint_written_by_a_calibration_passes_and_tampered_ones_say_why() {
        let (cp, bounds) = made();
        cp.validate(&bounds, 2).unwrap();
        let bytes = serde_json::to_vec(&cp).unwrap();
        Checkpoint::parse(&bytes, &bounds, 2).unwrap();
        let refused = |f: &dyn Fn(&mut Checkpoint)| {
            let mut c = cp.clone();
            f(&mut c);
            c.validate(&bounds, 2).unwrap_err()
        };
        assert!(
            refused(&|c| c.state.theta.truncate(3))
                .contains("holds 3 parameter vectors where its settings call for 30")
        );
        assert!(refused(&|c| c.state.theta[0].truncate(1)).contains("particle 0 has 1 parameter values"));
        assert!(
            refused(&|c| c.state.theta[4][0] = 50.0).contains("particle 4's parameter 1 = 50 is outside its prior")
        );
        assert!(refused(&|c| c.state.theta[4][1] = f64::NAN).contains("outside its prior"));
        assert!(refused(&|c| c.state.weights[2] = -1.0).contains("particle 2's weight -1 is not a weight"));
        assert!(refused(&|c| c.state.weights[2] *= 3.0).contains("where a calibration's sum to 1"));
        assert!(refused(&|c| c.state.weights.iter_mut().for_each(|w| *w = 0.0)).contains("no particle with a weight"));
        assert!(
            refused(&|c| c.state.sims[1][0].values.pop().map(drop).unwrap_or(())).contains("1 summaries (2 needed")
        );
        assert!(refused(&|c| c.state.sims[1].pop().map(drop).unwrap_or(())).contains("simulations for particle 1"));
        assert!(refused(&|c| c.state.generations.clear()).contains("holds 0 generations"));
        assert!(refused(&|c| c.state.generations.swap(0, 1)).contains("generation 0's record"));
        assert!(cp.validate(&bounds[..1], 2).unwrap_err().contains("where the targets file fits 1"));
        let e = Checkpoint::parse(&bytes[..bytes.len() / 2], &bounds, 2).unwrap_err();
        assert!(e.starts_with("is not a calibration checkpoint"), "{e}");
    }

    #[test]
    fn a_resume_with_other_settings_names_the_flag() {
        let (cp, _) = made();
        let now = Settings { seed: 7, ..cp.settings.clone() };
        assert_eq!(cp.differing_flag(&now).unwrap(), "it was made with --seed 2016, and this run has --seed 7");
        assert_eq!(cp.differing_flag(&cp.settings), None);
        let now = Settings { alpha: 0.5, ..cp.settings.clone() };
        assert_eq!(cp.differing_flag(&now).unwrap(), "it was made with --alpha 0.8, and this run has --alpha 0.5");
        let now = Settings { min_acceptance: 0.5, ..cp.settings.clone() };
        assert!(cp.differing_flag(&now).unwrap().contains("another stpsim version"));
    }
}
