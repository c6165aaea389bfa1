//! Which organisations sit in which footprint. A structure is fixed for a
//! run; the organisations' attributes are drawn per replicate by the model.

mod england;
mod file;
mod synthetic;
pub use synthetic::expected_members;

pub use england::{ENGLAND_CSV, EnglandFootprint, england_footprints};
pub use file::{FileOrg, parse_structure_csv};

use crate::core::kind::Kind;
use crate::core::params::Params;

/// How an organisation's budget is set each replicate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BudgetRule {
    /// LogNormal around the kind's median.
    ByKind,
    /// Given in the structure file, GBP m a year.
    Fixed(f64),
    /// A share of a footprint total (GBP m) split between organisations of
    /// the same kind with LogNormal noise.
    ShareOf(f64),
    /// A kind-median draw scaled by this factor (ambulance share of a region).
    Scaled(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrgDef {
    pub kind: Kind,
    pub budget: BudgetRule,
    /// Marked as the footprint's lead in a structure file.
    pub lead: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FootprintDef {
    pub name: String,
    /// Known to be council-led (England data).
    pub council_led: bool,
    /// Has at least one member marked `lead` (file structures).
    pub lead_given: bool,
}

/// Footprints, and organisations grouped contiguously by footprint.
#[derive(Clone, Debug, PartialEq)]
pub struct Structure {
    pub footprints: Vec<FootprintDef>,
    pub orgs: Vec<OrgDef>,
    /// `orgs[ranges[f].0..ranges[f].1]` are footprint f's members.
    pub ranges: Vec<(usize, usize)>,
    /// England: draw extra council leads among footprints not known to be council-led.
    pub england: bool,
    /// Share of the national fund this system receives: 1 for England; for
    /// other structures, their expected provider budget over England's.
    pub fund_share: f64,
}

impl Structure {
    pub fn from_footprints(defs: Vec<(FootprintDef, Vec<OrgDef>)>, england: bool) -> Structure {
        let mut footprints = Vec::with_capacity(defs.len());
        let mut orgs = Vec::new();
        let mut ranges = Vec::with_capacity(defs.len());
        for (fp, mut members) in defs {
            // Kind order inside a footprint keeps "organisations by index" stable.
            members.sort_by_key(|o| o.kind);
            let start = orgs.len();
            orgs.extend(members);
            ranges.push((start, orgs.len()));
            footprints.push(fp);
        }
        Structure { footprints, orgs, ranges, england, fund_share: 1.0 }
    }

    /// Expected total provider budget, GBP m a year, before any replicate is drawn.
    pub fn expected_provider_budget(&self, p: &Params) -> f64 {
        let lognormal_mean = (p.budget_sigma * p.budget_sigma / 2.0).exp();
        self.orgs
            .iter()
            .filter(|o| o.kind.is_provider())
            .map(|o| match o.budget {
                BudgetRule::Fixed(b) => b,
                BudgetRule::ShareOf(total) => total,
                BudgetRule::ByKind => p.budget_median(o.kind) * lognormal_mean,
                BudgetRule::Scaled(x) => x * p.budget_median(o.kind) * lognormal_mean,
            })
            .sum()
    }

    /// Scales the national fund to this system's size relative to England's.
    fn with_fund_share(mut self, p: &Params) -> Structure {
        let england = england::build(p).expected_provider_budget(p);
        self.fund_share = if england > 0.0 { self.expected_provider_budget(p) / england } else { 0.0 };
        self
    }

    pub fn n_orgs(&self) -> usize {
        self.orgs.len()
    }
}

/// Spreads `total` seats over `weights` by largest remainder, with at least
/// `min` each; ties go to the earlier footprint.
pub fn largest_remainder(total: usize, weights: &[f64], min: usize) -> Vec<usize> {
    let n = weights.len();
    if n == 0 {
        return Vec::new();
    }
    let sum: f64 = weights.iter().sum();
    let quota: Vec<f64> = if sum > 0.0 {
        weights.iter().map(|w| total as f64 * w / sum).collect()
    } else {
        vec![total as f64 / n as f64; n]
    };
    let mut seats: Vec<usize> = quota.iter().map(|q| (q.floor() as usize).max(min)).collect();
    let mut given: usize = seats.iter().sum();
    while given < total {
        let i = (0..n)
            .max_by(|&a, &b| {
                let ra = quota[a] - seats[a] as f64;
                let rb = quota[b] - seats[b] as f64;
                ra.total_cmp(&rb).then(b.cmp(&a))
            })
            .unwrap_or(0);
        seats[i] += 1;
        given += 1;
    }
    while given > total {
        let candidates = (0..n).filter(|&i| seats[i] > min);
        let Some(i) = candidates.min_by(|&a, &b| {
            let ra = quota[a] - seats[a] as f64;
            let rb = quota[b] - seats[b] as f64;
            ra.total_cmp(&rb).then(b.cmp(&a))
        }) else {
            break;
        };
        seats[i] -= 1;
        given -= 1;
    }
    seats
}

/// Builds the England structure from the embedded data and the parameters.
pub fn england(p: &Params) -> Structure {
    england::build(p)
}

pub use synthetic::synthetic_names;

/// A synthetic system of `n` footprints; member counts drawn from the run seed.
pub fn synthetic(n: usize, p: &Params, seed: u64) -> Structure {
    synthetic::build(n, p, seed).with_fund_share(p)
}

/// Builds a structure from a parsed structure file.
pub fn from_file(rows: &[FileOrg], p: &Params) -> Structure {
    file::build(rows).with_fund_share(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_hits_total_and_minimum() {
        let w = [10.0, 1.0, 0.01, 5.0];
        let s = largest_remainder(20, &w, 1);
        assert_eq!(s.iter().sum::<usize>(), 20);
        assert!(s.iter().all(|&x| x >= 1));
        assert!(s[0] > s[3] && s[3] > s[1]);
        let z = largest_remainder(3, &w, 0);
        assert_eq!(z.iter().sum::<usize>(), 3);
        assert_eq!(largest_remainder(2, &[1.0, 1.0, 1.0], 1), vec![1, 1, 1]);
    }

    #[test]
    fn small_systems_get_a_proportional_share_of_the_fund() {
        let p = Params::default();
        let rows =
            parse_structure_csv("footprint,organisation,kind,budget\nA,T,acute_trust,420\nA,C,ccg,500\n").unwrap();
        let s = from_file(&rows, &p);
        let england = england(&p).expected_provider_budget(&p);
        assert!((s.fund_share - 420.0 / england).abs() < 1e-12);
        let big = synthetic(44, &p, 3);
        assert!((0.7..1.5).contains(&big.fund_share), "{}", big.fund_share);
    }

    #[test]
    fn england_matches_national_totals() {
        let p = Params::default();
        let s = england(&p);
        assert_eq!(s.footprints.len(), 44);
        let count = |k: Kind| s.orgs.iter().filter(|o| o.kind == k).count();
        assert_eq!(count(Kind::Ccg), 209);
        assert_eq!(count(Kind::Council), 152);
        assert_eq!(count(Kind::MentalHealth), 54);
        assert_eq!(count(Kind::Community), 17);
        assert_eq!(count(Kind::Acute), 137);
        assert_eq!(count(Kind::Ambulance), 44);
        assert_eq!(s.footprints.iter().filter(|f| f.council_led).count(), 3);
        assert_eq!(s.fund_share, 1.0);
        for (f, &(a, b)) in s.ranges.iter().enumerate() {
            let members = &s.orgs[a..b];
            for k in [Kind::Ccg, Kind::Council, Kind::MentalHealth, Kind::Acute, Kind::PrimaryCare] {
                assert!(members.iter().any(|o| o.kind == k), "footprint {f} lacks {k:?}");
            }
        }
    }
}
