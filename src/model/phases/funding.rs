//! Phase 2: the Sustainability and Transformation Fund pays out.

use crate::model::kind::Kind;
use crate::model::part::Part;
use crate::model::state::{Footprint, World};
use crate::quarter::Quarter;

/// A provider's structural deficit in GBP m a year (0 for others).
pub fn deficit(kind: Kind, structural: f64, budget: f64) -> f64 {
    if kind.is_provider() && structural < 0.0 { -structural * budget } else { 0.0 }
}

/// The national part of the fund: this quarter's sustainability and
/// transformation money, and each footprint's transformation money, by budget
/// weighted by its collaboration last quarter. Providers are paid footprint by
/// footprint (`pay_footprint`), against the total deficit summed as the
/// footprints closed last quarter.
pub fn pay(w: &mut World, q: Quarter) {
    let year = w.national.policy.schedule.iter().find(|y| y.start_year == q.financial_year()).copied();
    let (total, share) =
        year.map_or((0.0, 0.0), |y| (y.total_gbp_bn * 1000.0 * w.national.fund_share, y.transformation_share));
    let sustainability = total * (1.0 - share) / 4.0;
    let transformation = total * share / 4.0;
    w.national.sustainability_gbp_m = sustainability;
    w.national.transformation_gbp_m = transformation;
    let c = w.national.policy.conditionality;
    let weight = |fp: &crate::model::state::Footprint| fp.budget_total * (1.0 - c + c * fp.prev_collab);
    let total_weight: f64 = w.fps.iter().map(weight).sum();
    for f in 0..w.fps.len() {
        let wt = weight(&w.fps[f]);
        w.fps[f].transformation_money = if total_weight > 0.0 { transformation * wt / total_weight } else { 0.0 };
    }
}

/// Sustainability money to footprint `f`'s providers in structural deficit,
/// in proportion to their deficit in GBP, less the withheld share for those
/// that self-prioritised last quarter. Other members never receive any.
pub fn pay_footprint(w: &mut Part, f: usize) {
    let (sustainability, total_deficit, c) =
        (w.national.sustainability_gbp_m, w.national.total_deficit, w.national.policy.conditionality);
    let first_quarter = w.national.first_quarter;
    let r = w.fps[f].providers();
    let n = r.len();
    let (kind, structural, budget) =
        (&w.kind.run(r.clone())[..n], &w.structural.run(r.clone())[..n], &w.budget.run(r.clone())[..n]);
    let collab = &w.collab.run(r.clone())[..n];
    let support = &mut w.support.run_mut(r)[..n];
    let (mut paid, mut withheld) = (0.0, 0.0);
    for j in 0..n {
        let d = deficit(kind[j], structural[j], budget[j]);
        if d <= 0.0 || total_deficit <= 0.0 {
            support[j] = 0.0;
            continue;
        }
        let due = sustainability * d / total_deficit;
        let received = if !first_quarter && !collab[j] { due * (1.0 - c) } else { due };
        support[j] = 4.0 * received / budget[j];
        paid += received;
        withheld += due - received;
    }
    w.fps[f].paid = paid;
    w.fps[f].withheld = withheld;
}

/// Sums footprint `f`'s providers' deficits, in member order, for next quarter's total.
pub fn add_deficits(w: &mut Part, f: usize) {
    let r = w.fps[f].providers();
    let n = r.len();
    let (kind, structural, budget) =
        (&w.kind.run(r.clone())[..n], &w.structural.run(r.clone())[..n], &w.budget.run(r)[..n]);
    let mut sum = 0.0;
    for j in 0..n {
        let d = deficit(kind[j], structural[j], budget[j]);
        if d > 0.0 {
            sum += d;
        }
    }
    w.fps[f].deficit = sum;
}

/// Providers' total structural deficit: footprints' sums in footprint order,
/// so it does not depend on how footprints were split between threads.
pub fn total_deficit(fps: &[Footprint]) -> f64 {
    fps.iter().map(|fp| fp.deficit).sum()
}

#[cfg(test)]
mod tests {
    use crate::model::testing::england_world;
    use crate::quarter::Quarter;

    #[test]
    fn pays_out_no_more_than_the_fund_and_withholds_from_self_prioritisers() {
        let mut w = england_world(1);
        let q = Quarter::new(2016, 3).unwrap();
        let pay = |w: &mut crate::model::World| {
            super::pay(w, q);
            let mut all = w.whole();
            for f in all.fps.range() {
                super::pay_footprint(&mut all, f);
            }
        };
        pay(&mut w);
        let paid: f64 = w.fps.iter().map(|f| f.paid).sum();
        assert!((paid - w.national.sustainability_gbp_m).abs() < 1e-6, "first quarter withholds nothing");
        assert!((w.national.sustainability_gbp_m - 2100.0 * 0.86 / 4.0).abs() < 1e-9);

        w.national.first_quarter = false;
        w.collab.iter_mut().for_each(|c| *c = false);
        pay(&mut w);
        let paid: f64 = w.fps.iter().map(|f| f.paid).sum();
        let withheld: f64 = w.fps.iter().map(|f| f.withheld).sum();
        assert!((paid - 0.75 * w.national.sustainability_gbp_m).abs() < 1e-6);
        assert!((paid + withheld - w.national.sustainability_gbp_m).abs() < 1e-6);
        let t: f64 = w.fps.iter().map(|f| f.transformation_money).sum();
        assert!((t - w.national.transformation_gbp_m).abs() < 1e-6);
        for i in 0..w.n_orgs() {
            if !w.kind[i].is_provider() || w.structural[i] >= 0.0 {
                assert_eq!(w.support[i], 0.0);
            }
        }
    }

    #[test]
    fn no_fund_outside_the_schedule() {
        let mut w = england_world(1);
        super::pay(&mut w, Quarter::new(2016, 1).unwrap());
        for f in 0..w.fps.len() {
            super::pay_footprint(&mut w.whole(), f);
        }
        assert_eq!(w.national.sustainability_gbp_m, 0.0, "2015/16 has no fund");
        assert!(w.support.iter().all(|s| *s == 0.0));
    }
}
