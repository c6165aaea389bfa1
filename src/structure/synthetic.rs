//! Synthetic systems of any size, for experiments and scaling.

use super::{BudgetRule, FootprintDef, OrgDef, Structure};
use crate::core::kind::Kind;
use crate::core::params::Params;
use crate::core::rng::{Phase, structure_stream};
use rand_distr::{Distribution, Poisson};

/// Names of synthetic footprints: `syn-0001`, `syn-0002`, ...
pub fn synthetic_names(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("syn-{i:04}")).collect()
}

fn poisson<R: rand::Rng>(mean: f64, rng: &mut R) -> usize {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean).map(|d| d.sample(rng) as usize).unwrap_or(0)
}

/// Expected members of a synthetic footprint: the means of the counts `build` draws.
pub fn expected_members(p: &Params) -> f64 {
    1.0 + p.synthetic_ccg_extra
        + 1.0
        + p.synthetic_acute_extra
        + 1.0
        + p.synthetic_community
        + 1.0
        + 1.0
        + p.synthetic_council_extra
        + 1.0
        + p.synthetic_primary_care_extra
}

/// Member counts are drawn once per run from the run seed, so the structure
/// is fixed across replicates and scenarios.
pub(super) fn build(n: usize, p: &Params, seed: u64) -> Structure {
    let mut rng = structure_stream(seed, Phase::Structure);
    let defs = synthetic_names(n)
        .into_iter()
        .map(|name| {
            let counts = [
                (Kind::Ccg, 1 + poisson(p.synthetic_ccg_extra, &mut rng)),
                (Kind::Acute, 1 + poisson(p.synthetic_acute_extra, &mut rng)),
                (Kind::MentalHealth, 1),
                (Kind::Community, poisson(p.synthetic_community, &mut rng)),
                (Kind::Ambulance, 1),
                (Kind::Council, 1 + poisson(p.synthetic_council_extra, &mut rng)),
                (Kind::PrimaryCare, 1 + poisson(p.synthetic_primary_care_extra, &mut rng)),
            ];
            let members = counts
                .iter()
                .flat_map(|&(kind, c)| (0..c).map(move |_| OrgDef { kind, budget: BudgetRule::ByKind, lead: false }))
                .collect();
            (FootprintDef { name, council_led: false, lead_given: false }, members)
        })
        .collect();
    Structure::from_footprints(defs, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_is_fixed_by_seed_and_has_core_members() {
        let p = Params::default();
        let a = build(50, &p, 1);
        assert_eq!(a, build(50, &p, 1));
        assert_ne!(a, build(50, &p, 2));
        assert_eq!(a.footprints.len(), 50);
        let per_fp = a.n_orgs() as f64 / 50.0;
        // Expected 1+3.75 + 1+2.1 + 1 + 0.4 + 1 + 1+2.45 + 1+1.5 = 16.2 members.
        assert!((expected_members(&p) - 16.2).abs() < 1e-9);
        assert!((12.0..21.0).contains(&per_fp), "{per_fp}");
        let big = build(4000, &p, 3).n_orgs() as f64 / 4000.0;
        assert!((big - expected_members(&p)).abs() < 0.3, "{big}");
    }
}
