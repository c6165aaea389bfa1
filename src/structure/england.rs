//! The 44 England footprints of 2016 from the embedded `data/` table.

use super::{BudgetRule, FootprintDef, OrgDef, Structure, largest_remainder};
use crate::core::kind::Kind;
use crate::core::params::Params;

pub const ENGLAND_CSV: &str = include_str!("../../data/england-footprints-2016.csv");

/// One row of the England table.
#[derive(Clone, Debug, PartialEq)]
pub struct EnglandFootprint {
    pub code: String,
    pub name: String,
    pub population: f64,
    pub acute_trusts: usize,
    pub council_led: bool,
    pub first_acs_wave: String,
    pub july_2017_rating: String,
}

/// Parses the embedded table. It ships with the binary and a unit test reads
/// it, so a malformed row is a build defect, not user input.
pub fn england_footprints() -> Vec<EnglandFootprint> {
    let mut rdr = csv::Reader::from_reader(ENGLAND_CSV.as_bytes());
    let mut out = Vec::with_capacity(44);
    for rec in rdr.records().flatten() {
        let get = |i: usize| rec.get(i).unwrap_or("").to_string();
        out.push(EnglandFootprint {
            code: get(0),
            name: get(1),
            population: get(2).parse().unwrap_or(0.0),
            acute_trusts: get(4).parse().unwrap_or(0),
            council_led: get(5) == "council",
            first_acs_wave: get(6),
            july_2017_rating: get(7),
        });
    }
    out
}

pub(super) fn build(p: &Params) -> Structure {
    let rows = england_footprints();
    let pops: Vec<f64> = rows.iter().map(|r| r.population).collect();
    let total_pop: f64 = pops.iter().sum();
    let ccgs = largest_remainder(p.england_ccgs as usize, &pops, 1);
    let councils = largest_remainder(p.england_councils as usize, &pops, 1);
    let mh = largest_remainder(p.england_mental_health_trusts as usize, &pops, 1);
    let community = largest_remainder(p.england_community_trusts as usize, &pops, 0);
    let defs = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut m = Vec::new();
            let push = |m: &mut Vec<OrgDef>, kind, n: usize, budget| {
                m.extend((0..n).map(|_| OrgDef { kind, budget, lead: false }));
            };
            push(&mut m, Kind::Acute, r.acute_trusts, BudgetRule::ByKind);
            push(&mut m, Kind::MentalHealth, mh[i], BudgetRule::ByKind);
            push(&mut m, Kind::Community, community[i], BudgetRule::ByKind);
            let ambulance_share = p.england_ambulance_trusts * r.population / total_pop;
            push(&mut m, Kind::Ambulance, 1, BudgetRule::Scaled(ambulance_share));
            push(&mut m, Kind::Ccg, ccgs[i], BudgetRule::ShareOf(p.ccg_gbp_per_resident * r.population / 1e6));
            push(
                &mut m,
                Kind::Council,
                councils[i],
                BudgetRule::ShareOf(p.council_gbp_per_resident * r.population / 1e6),
            );
            let pc = ((r.population / p.residents_per_primary_care).round() as usize).max(1);
            push(&mut m, Kind::PrimaryCare, pc, BudgetRule::ByKind);
            (FootprintDef { name: r.name.clone(), council_led: r.council_led, lead_given: false }, m)
        })
        .collect();
    Structure::from_footprints(defs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_is_whole() {
        let rows = england_footprints();
        assert_eq!(rows.len(), 44);
        assert_eq!(rows.iter().map(|r| r.acute_trusts).sum::<usize>(), 137);
        assert!(rows.iter().all(|r| r.population > 100_000.0));
        assert_eq!(rows.iter().filter(|r| r.council_led).count(), 3);
    }
}
