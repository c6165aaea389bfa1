//! ABC-SMC on the model itself, with known answers: targets simulated from
//! known parameter values on a small synthetic system are calibrated, and the
//! posterior must cover the truth and narrow as the surveys grow.

use stpsim::calibrate::problem::Problem;
use stpsim::calibrate::smc::{self, Settings, State, quantile};
use stpsim::calibrate::targets;

const SYSTEM: &str = "name = \"small\"\nextends = \"baseline\"\nend = \"2017Q2\"\n\
                      [structure]\nkind = \"synthetic\"\nfootprints = 24\nready = []\n";

/// The truth: values away from the defaults, inside the priors.
const TRUTH: [(&str, f64, f64, f64); 3] =
    [("beta0", 0.25, -0.5, 1.5), ("p_unsure0", 0.62, 0.4, 0.95), ("kappa_contact", 0.4, 0.05, 1.0)];

fn load(_: &str) -> Result<stpsim::Scenario, stpsim::ScenarioError> {
    stpsim::scenario::load_text(SYSTEM, "small.toml", None)
}

/// A targets file whose figures are the model's mean at the truth, each a
/// survey of `n`.
fn targets_file(n: u32) -> String {
    let mut text = String::new();
    let spec = [("self_priority_share", "2016Q4"), ("unsure_share", "2016Q4"), ("relationships_share", "2017Q2")];
    for (m, q) in spec {
        text += &format!(
            "[[target]]\nmetric = \"{m}\"\nquarter = \"{q}\"\nscenario = \"small\"\nvalue = 0.5\nsurvey_n = {n}\n"
        );
    }
    text += "[priors]\n";
    for (name, _, lo, hi) in TRUTH {
        text += &format!("{name} = [{lo}, {hi}]\n");
    }
    // The figures: the mean of 64 replicates at the truth.
    let draft = Problem::new(&targets::parse(&text, "t.toml").unwrap(), load).unwrap();
    let truth: Vec<f64> = draft.priors.iter().map(|p| TRUTH.iter().find(|t| t.0 == p.name).unwrap().1).collect();
    let mut mean = [0.0; 3];
    for r in 0..64 {
        for (m, v) in mean.iter_mut().zip(draft.model_values(&truth, 1_000 + r)) {
            *m += v / 64.0;
        }
    }
    let mut k = 0;
    text.split("value = 0.5")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_string()
            } else {
                k += 1;
                format!("value = {:.4}{part}", mean[k - 1])
            }
        })
        .collect()
}

fn calibrate(n: u32, seed: u64) -> (Problem, State) {
    let t = targets::parse(&targets_file(n), "t.toml").unwrap();
    let problem = Problem::new(&t, load).unwrap();
    let settings = Settings { particles: 240, replicates: 3, final_tolerance: 0.6, seed, ..Settings::default() };
    let st = smc::run(&problem.bounds(), &settings, &|th: &[f64], key| problem.simulate(th, key), None, &mut |_| {});
    (problem, st)
}

fn interval(problem: &Problem, st: &State, name: &str) -> (f64, f64) {
    let k = problem.priors.iter().position(|p| p.name == name).unwrap();
    let x: Vec<f64> = st.theta.iter().map(|t| t[k]).collect();
    (quantile(&x, &st.weights, 0.05), quantile(&x, &st.weights, 0.95))
}

#[test]
fn recovers_known_parameters_and_narrows_as_surveys_grow() {
    // Seed 11 is checked in full, 12 and 13 join it for the narrowing.
    let mut problem = None;
    let mut runs: Vec<(State, State)> = Vec::new();
    for seed in [11, 12, 13] {
        let (p, small) = calibrate(100, seed);
        problem.get_or_insert(p);
        runs.push((small, calibrate(3000, seed).1));
    }
    let problem = problem.unwrap();
    let (small, large) = &runs[0];
    for (name, truth, lo, hi) in TRUTH {
        let (a, b) = interval(&problem, large, name);
        assert!(a <= truth && truth <= b, "{name}: truth {truth} outside the 90% interval {a:.3} to {b:.3}");
        // Informative: narrower than the prior's own 90% interval.
        assert!(b - a < 0.9 * 0.9 * (hi - lo), "{name}: {a:.3} to {b:.3} barely narrows the prior {lo} to {hi}");
        let (c, d) = interval(&problem, small, name);
        assert!(c <= truth && truth <= d, "{name}: truth {truth} outside the 90% interval {c:.3} to {d:.3} (n = 100)");
    }
    // Surveys of 3000 pin beta0 and p_unsure0 down more than surveys of 100:
    // the median ratio of widths over three SMC seeds, as one run's ratio
    // varies with its seed (0.29 to 0.88 for beta0 over seeds 11 to 16).
    for name in ["beta0", "p_unsure0"] {
        let mut ratios: Vec<f64> = runs
            .iter()
            .map(|(small, large)| {
                let (a, b) = interval(&problem, large, name);
                let (c, d) = interval(&problem, small, name);
                (b - a) / (d - c)
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        assert!(ratios[1] < 0.8, "{name}: n = 3000 over n = 100 widths, by seed: {ratios:.2?}");
    }
}
