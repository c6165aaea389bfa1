//! Scenario discovery with PRIM, the patient rule induction method
//! (Friedman and Fisher 1999, Statistics and Computing 9: 123-143), as the
//! EMA Workbench runs it for scenario discovery (Kwakkel 2017): peel
//! `peel_alpha` of the box's points off one side of one input at a time,
//! choosing the peel by the LENIENT1 objective (gain in the share of cases
//! of interest divided by the number of points removed); stop when no peel
//! gains or the box would fall below `mass_min`; then paste back
//! `paste_alpha` slices while that gains. The chosen box is the last on the
//! trajectory whose density reaches `threshold`. Each restricted limit gets
//! a quasi-p value: a one-sided binomial test of whether the limit raises
//! the density above what the box would have without it (Bryant and Lempert
//! 2010, Technological Forecasting and Social Change 77: 34-49).

use super::stats::binomial_upper_tail;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub peel_alpha: f64,
    pub paste_alpha: f64,
    pub mass_min: f64,
    /// Density the chosen box must reach.
    pub threshold: f64,
}

/// EMA Workbench's defaults, with the chosen box's density at least 0.8.
impl Default for Settings {
    fn default() -> Settings {
        Settings { peel_alpha: 0.05, paste_alpha: 0.05, mass_min: 0.05, threshold: 0.8 }
    }
}

/// One box on the peeling and pasting trajectory.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Share of all cases of interest inside the box.
    pub coverage: f64,
    /// Share of the box's points that are cases of interest.
    pub density: f64,
    /// Share of all points inside the box.
    pub mass: f64,
    /// Per input, [lower, upper].
    pub limits: Vec<[f64; 2]>,
    /// Inputs whose limits differ from the data's range.
    pub restricted: Vec<usize>,
}

/// A restricted input of the chosen box, with its quasi-p values (NaN for
/// a side left at the data's range).
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    pub input: usize,
    pub lower: f64,
    pub upper: f64,
    pub qp_lower: f64,
    pub qp_upper: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Discovery {
    pub trajectory: Vec<Step>,
    /// Index into the trajectory.
    pub chosen: usize,
    /// Whether the chosen box reaches the density threshold.
    pub meets_threshold: bool,
    pub limits: Vec<Limit>,
    pub cases: usize,
    pub points: usize,
}

/// The sdtoolkit quantile PRIM peels at: the mean of the two order
/// statistics around (n - 1) q, moved outwards past ties so that a peel
/// always falls between two distinct values where it can.
fn peel_quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let i = (n - 1) as f64 * q;
    let (mut lo, mut hi) = (i.floor() as usize, i.ceil() as usize);
    if q > 0.5 {
        while sorted[lo] == sorted[hi] && lo > 0 {
            lo -= 1;
        }
    } else {
        while sorted[lo] == sorted[hi] && hi < n - 1 {
            hi += 1;
        }
    }
    (sorted[lo] + sorted[hi]) / 2.0
}

/// A candidate box: its limits and the points inside it.
type Candidate = (Vec<[f64; 2]>, Vec<usize>);

struct Data<'a> {
    /// Columns: `x[input][point]`.
    x: &'a [Vec<f64>],
    y: &'a [bool],
    init: Vec<[f64; 2]>,
}

impl Data<'_> {
    fn inside(&self, limits: &[[f64; 2]], p: usize) -> bool {
        limits.iter().enumerate().all(|(j, l)| self.x[j][p] >= l[0] && self.x[j][p] <= l[1])
    }

    fn members(&self, limits: &[[f64; 2]]) -> Vec<usize> {
        (0..self.y.len()).filter(|&p| self.inside(limits, p)).collect()
    }

    fn cases(&self, points: &[usize]) -> usize {
        points.iter().filter(|&&p| self.y[p]).count()
    }

    fn restricted(&self, limits: &[[f64; 2]]) -> Vec<usize> {
        (0..limits.len()).filter(|&j| limits[j] != self.init[j]).collect()
    }

    fn mean(&self, points: &[usize]) -> f64 {
        if points.is_empty() { 0.0 } else { self.cases(points) as f64 / points.len() as f64 }
    }

    /// LENIENT1: the change in mean per point removed (or added).
    fn objective(&self, old: &[usize], new: &[usize]) -> f64 {
        let (a, b) = (self.mean(old), self.mean(new));
        if a == b || old.len() == new.len() { 0.0 } else { (b - a) / old.len().abs_diff(new.len()) as f64 }
    }

    fn step(&self, limits: Vec<[f64; 2]>, points: &[usize], total_cases: usize) -> Step {
        let cases = self.cases(points);
        Step {
            coverage: if total_cases == 0 { 0.0 } else { cases as f64 / total_cases as f64 },
            density: self.mean(points),
            mass: points.len() as f64 / self.y.len() as f64,
            restricted: self.restricted(&limits),
            limits,
        }
    }

    /// The best candidate by objective, ties to the one restricting fewer
    /// inputs, then to the first found.
    fn best(&self, old: &[usize], candidates: Vec<Candidate>) -> Option<(f64, Vec<[f64; 2]>, Vec<usize>)> {
        let mut best: Option<(f64, usize, Candidate)> = None;
        for (limits, points) in candidates {
            let obj = self.objective(old, &points);
            let nres = self.restricted(&limits).len();
            let better = match &best {
                None => true,
                Some((o, r, _)) => obj > *o || (obj == *o && nres < *r),
            };
            if better {
                best = Some((obj, nres, (limits, points)));
            }
        }
        best.map(|(o, _, (l, p))| (o, l, p))
    }
}

/// Runs PRIM on inputs `x[input][point]` and cases of interest `y`.
pub fn prim(x: &[Vec<f64>], y: &[bool], s: &Settings) -> Discovery {
    let n = y.len();
    let init: Vec<[f64; 2]> = x
        .iter()
        .map(|c| c.iter().fold([f64::INFINITY, f64::NEG_INFINITY], |[a, b], &v| [a.min(v), b.max(v)]))
        .collect();
    let d = Data { x, y, init: init.clone() };
    let total_cases = d.cases(&(0..n).collect::<Vec<_>>());
    let mut points: Vec<usize> = (0..n).collect();
    let mut limits = init.clone();
    let mut trajectory = vec![d.step(limits.clone(), &points, total_cases)];
    if n > 0 {
        // Peeling.
        loop {
            let mut candidates = Vec::new();
            for j in 0..x.len() {
                let mut v: Vec<f64> = points.iter().map(|&p| x[j][p]).collect();
                v.sort_by(f64::total_cmp);
                for upper in [true, false] {
                    let q = peel_quantile(&v, if upper { 1.0 - s.peel_alpha } else { s.peel_alpha });
                    let mut l = limits.clone();
                    let kept: Vec<usize> = if upper {
                        l[j][1] = q;
                        points.iter().copied().filter(|&p| x[j][p] <= q).collect()
                    } else {
                        l[j][0] = q;
                        points.iter().copied().filter(|&p| x[j][p] >= q).collect()
                    };
                    candidates.push((l, kept));
                }
            }
            let Some((obj, l, kept)) = d.best(&points, candidates) else { break };
            let mass = kept.len() as f64 / n as f64;
            if mass >= s.mass_min && kept.len() < points.len() && obj > 0.0 {
                limits = l;
                points = kept;
                trajectory.push(d.step(limits.clone(), &points, total_cases));
            } else {
                break;
            }
        }
        // Pasting.
        loop {
            let mut candidates = Vec::new();
            for j in d.restricted(&limits) {
                for lower in [true, false] {
                    // The slab outside this side, within the box's other limits.
                    let mut slab = limits.clone();
                    slab[j] = if lower { [init[j][0], limits[j][0]] } else { [limits[j][1], init[j][1]] };
                    let mut v: Vec<f64> = d.members(&slab).iter().map(|&p| x[j][p]).collect();
                    v.sort_by(f64::total_cmp);
                    let mut l = limits.clone();
                    if lower {
                        l[j][0] = if v.is_empty() { init[j][0] } else { peel_quantile(&v, 1.0 - s.paste_alpha) };
                    } else {
                        l[j][1] = if v.is_empty() { init[j][1] } else { peel_quantile(&v, s.paste_alpha) };
                    }
                    let kept = d.members(&l);
                    candidates.push((l, kept));
                }
            }
            let Some((obj, l, kept)) = d.best(&points, candidates) else { break };
            let mass = kept.len() as f64 / n as f64;
            if mass >= s.mass_min && kept.len() > points.len() && obj > 0.0 && d.mean(&kept) > d.mean(&points) {
                limits = l;
                points = kept;
                trajectory.push(d.step(limits.clone(), &points, total_cases));
            } else {
                break;
            }
        }
    }
    let found = trajectory.iter().rposition(|t| t.density >= s.threshold);
    let chosen = found.unwrap_or(trajectory.len() - 1);
    let limits = quasi_p(&d, &trajectory[chosen], total_cases);
    Discovery { trajectory, chosen, meets_threshold: found.is_some(), limits, cases: total_cases, points: n }
}

/// Quasi-p values of a box's restricted limits: with one limit relaxed to
/// the data's range, the share of cases p in the larger box; the p value is
/// P(X >= cases in the box) for X ~ Binomial(points in the box, p).
fn quasi_p(d: &Data, step: &Step, total_cases: usize) -> Vec<Limit> {
    let n_box = (step.mass * d.y.len() as f64).round() as usize;
    let h_box = (step.coverage * total_cases as f64).round() as usize;
    step.restricted
        .iter()
        .map(|&j| {
            let qp = |side: usize| {
                if step.limits[j][side] == d.init[j][side] {
                    return f64::NAN;
                }
                let mut relaxed = step.limits.clone();
                relaxed[j][side] = d.init[j][side];
                let inside = d.members(&relaxed);
                binomial_upper_tail(h_box, n_box, d.mean(&inside))
            };
            Limit { input: j, lower: step.limits[j][0], upper: step.limits[j][1], qp_lower: qp(0), qp_upper: qp(1) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{Stream, draw};
    use rand::SeedableRng;

    #[test]
    fn peel_quantiles_step_past_ties() {
        // At an order statistic itself the peel moves to the midpoint above it.
        assert_eq!(peel_quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.5), 3.5);
        // 0.05 of 5 values: between the first two.
        assert_eq!(peel_quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.05), 1.5);
        // A tie at the bottom is stepped over: the peel lies above it.
        assert_eq!(peel_quantile(&[1.0, 1.0, 1.0, 4.0], 0.05), 2.5);
        assert_eq!(peel_quantile(&[1.0, 4.0, 4.0, 4.0], 0.95), 2.5);
    }

    /// Uniform inputs in 6 dimensions; y = 1 inside [0, 0.7] x [0.3, 1] x
    /// [0, 0.6] over the first three. PRIM must find that box: each limit
    /// within two peel steps (2 x 0.05 x the box's width), coverage and
    /// density at least 0.9, and the last three inputs left alone. Each
    /// limit inside the cube costs up to one peel step of coverage (the
    /// last peel on a side takes cases with the last non-cases, and pasting
    /// cannot raise a density of 1), so the box has one such limit per
    /// input: with five, coverage is about 0.86.
    #[test]
    fn recovers_a_known_box_in_six_dimensions() {
        let truth = [[0.0, 0.7], [0.3, 1.0], [0.0, 0.6]];
        for seed in [1u64, 2, 3] {
            let mut rng = Stream::seed_from_u64(seed);
            let n = 2000;
            let x: Vec<Vec<f64>> = (0..6).map(|_| (0..n).map(|_| draw::uniform(&mut rng)).collect()).collect();
            let y: Vec<bool> =
                (0..n).map(|p| (0..3).all(|j| x[j][p] >= truth[j][0] && x[j][p] <= truth[j][1])).collect();
            let found = prim(&x, &y, &Settings::default());
            assert!(found.meets_threshold);
            let chosen = &found.trajectory[found.chosen];
            assert!(chosen.coverage >= 0.9 && chosen.density >= 0.9, "seed {seed}: {chosen:?}");
            for j in 3..6 {
                assert!(!chosen.restricted.contains(&j), "seed {seed}: input {j} restricted: {chosen:?}");
            }
            for j in 0..3 {
                let tol = 2.0 * 0.05 * (truth[j][1] - truth[j][0]);
                let [lo, hi] = chosen.limits[j];
                // A limit at the edge of the cube stays at the data's range.
                let (init_lo, init_hi) = x[j].iter().fold((1.0f64, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
                let lo = if lo == init_lo { 0.0 } else { lo };
                let hi = if hi == init_hi { 1.0 } else { hi };
                assert!((lo - truth[j][0]).abs() <= tol, "seed {seed}: input {j} lower {lo}");
                assert!((hi - truth[j][1]).abs() <= tol, "seed {seed}: input {j} upper {hi}");
            }
            // Every restricted limit matters: quasi-p values far below 0.05.
            assert!(!found.limits.is_empty());
            for l in &found.limits {
                for qp in [l.qp_lower, l.qp_upper].into_iter().filter(|q| !q.is_nan()) {
                    assert!(qp < 1e-6, "seed {seed}: {l:?}");
                }
            }
        }
    }

    #[test]
    fn no_structure_means_no_box_meets_the_threshold() {
        let mut rng = Stream::seed_from_u64(9);
        let n = 1000;
        let x: Vec<Vec<f64>> = (0..3).map(|_| (0..n).map(|_| draw::uniform(&mut rng)).collect()).collect();
        let y: Vec<bool> = (0..n).map(|_| draw::uniform(&mut rng) < 0.2).collect();
        let found = prim(&x, &y, &Settings::default());
        assert!(!found.meets_threshold, "{:?}", found.trajectory[found.chosen]);
        // The trajectory's mass falls and never below mass_min.
        assert!(found.trajectory.windows(2).all(|w| w[1].mass != w[0].mass));
        assert!(found.trajectory.iter().all(|t| t.mass >= 0.05));
    }
}
