//! Levers: timed governance interventions as data, and the one function that
//! applies them at the start of each quarter.

use super::state::World;
use crate::params::FundYear;
use crate::quarter::Quarter;
use serde::Serialize;

/// Which footprints a lever acts on.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Targets {
    /// A national lever.
    National,
    All,
    /// Footprint indices in the structure.
    Named(Vec<usize>),
    MostReady(usize),
    LeastReady(usize),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LeverAction {
    StrengthenLeads {
        authority: f64,
        decision_rights: bool,
        formal_appointment: bool,
    },
    RemoveVeto,
    CommitteesInCommon,
    FundingConditionality {
        share: f64,
    },
    NationalIntervention {
        probability: f64,
    },
    IncludeLocalGovernment {
        council_seats: f64,
    },
    CouncilLead,
    AccountabilityClarity {
        hazard: f64,
    },
    ForcePace {
        pace: f64,
    },
    /// `designate`: the national bodies make every target an ACS at the start.
    AccountableCare {
        threshold: f64,
        quarters: usize,
        designate: bool,
    },
    StfSchedule {
        years: Vec<FundYear>,
    },
    /// Trust built by joint working (phase 9) in the targeted footprints.
    JointWorking,
}

impl LeverAction {
    /// Every lever kind, by its name in scenario files.
    pub const KINDS: [&'static str; 12] = [
        "strengthen_leads",
        "remove_veto",
        "committees_in_common",
        "funding_conditionality",
        "national_intervention",
        "include_local_government",
        "council_lead",
        "accountability_clarity",
        "force_pace",
        "accountable_care",
        "stf_schedule",
        "joint_working",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            LeverAction::StrengthenLeads { .. } => "strengthen_leads",
            LeverAction::RemoveVeto => "remove_veto",
            LeverAction::CommitteesInCommon => "committees_in_common",
            LeverAction::FundingConditionality { .. } => "funding_conditionality",
            LeverAction::NationalIntervention { .. } => "national_intervention",
            LeverAction::IncludeLocalGovernment { .. } => "include_local_government",
            LeverAction::CouncilLead => "council_lead",
            LeverAction::AccountabilityClarity { .. } => "accountability_clarity",
            LeverAction::ForcePace { .. } => "force_pace",
            LeverAction::AccountableCare { .. } => "accountable_care",
            LeverAction::StfSchedule { .. } => "stf_schedule",
            LeverAction::JointWorking => "joint_working",
        }
    }

    pub fn is_national(&self) -> bool {
        matches!(
            self,
            LeverAction::FundingConditionality { .. }
                | LeverAction::NationalIntervention { .. }
                | LeverAction::AccountabilityClarity { .. }
                | LeverAction::StfSchedule { .. }
        )
    }
}

/// A lever: what it does, when, and where.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lever {
    #[serde(flatten)]
    pub action: LeverAction,
    pub start: Quarter,
    /// First quarter without the lever; the setting returns to its earlier value then.
    pub end: Option<Quarter>,
    pub footprints: Targets,
}

/// What a lever saved when it started, so its end can restore it.
#[derive(Clone, Debug, Default)]
pub struct LeverRuntime {
    pub targets: Vec<usize>,
    pub saved: Vec<[f64; 3]>,
    pub saved_schedule: Vec<FundYear>,
    pub active: bool,
}

/// Resolves a lever's footprints for this replicate (readiness is drawn per replicate).
pub fn targets(t: &Targets, readiness: &[f64]) -> Vec<usize> {
    let n = readiness.len();
    let mut by_ready: Vec<usize> = (0..n).collect();
    by_ready.sort_by(|&a, &b| readiness[b].total_cmp(&readiness[a]).then(a.cmp(&b)));
    match t {
        Targets::National => Vec::new(),
        Targets::All => (0..n).collect(),
        Targets::Named(v) => v.iter().copied().filter(|&f| f < n).collect(),
        Targets::MostReady(k) => by_ready.into_iter().take(*k).collect(),
        Targets::LeastReady(k) => by_ready.into_iter().rev().take(*k).collect(),
    }
}

fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Phase 1: ends first, then starts, each lever in scenario order.
pub fn apply(w: &mut World, levers: &[Lever], q: Quarter) {
    for (i, lever) in levers.iter().enumerate() {
        if lever.end == Some(q) && w.levers[i].active {
            end(w, i, lever);
        }
    }
    for (i, lever) in levers.iter().enumerate() {
        if lever.start == q && lever.end.is_none_or(|e| e > q) {
            begin(w, i, lever);
        }
    }
}

fn begin(w: &mut World, i: usize, lever: &Lever) {
    let mut rt = std::mem::take(&mut w.levers[i]);
    rt.active = true;
    rt.saved.clear();
    let p = &w.p;
    match &lever.action {
        LeverAction::FundingConditionality { share } => {
            rt.saved.push([w.national.conditionality, 0.0, 0.0]);
            w.national.conditionality = *share;
        }
        LeverAction::NationalIntervention { probability } => {
            rt.saved.push([w.national.intervention, 0.0, 0.0]);
            w.national.intervention = *probability;
        }
        LeverAction::AccountabilityClarity { hazard } => {
            rt.saved.push([w.national.clarity_hazard, 0.0, 0.0]);
            w.national.clarity_hazard = *hazard;
        }
        LeverAction::StfSchedule { years } => {
            rt.saved_schedule = std::mem::replace(&mut w.national.schedule, years.clone());
        }
        action => {
            for &f in &rt.targets {
                let council = w.largest(f, |k| k == super::kind::Kind::Council);
                let fp = &mut w.fps[f];
                let saved = match action {
                    LeverAction::StrengthenLeads { authority, decision_rights, formal_appointment } => {
                        let s = [fp.authority, flag(fp.decision_rights), fp.formal_bonus];
                        fp.authority = *authority;
                        fp.decision_rights = *decision_rights;
                        if *formal_appointment {
                            fp.formal_bonus = p.formal_bonus;
                        }
                        s
                    }
                    LeverAction::RemoveVeto => {
                        let s = [flag(fp.majority), 0.0, 0.0];
                        fp.majority = true;
                        s
                    }
                    LeverAction::CommitteesInCommon => {
                        let s = [flag(fp.committees_in_common), 0.0, 0.0];
                        fp.committees_in_common = true;
                        s
                    }
                    LeverAction::IncludeLocalGovernment { council_seats } => {
                        let s = [fp.council_seats, 0.0, 0.0];
                        fp.council_seats = *council_seats;
                        s
                    }
                    LeverAction::CouncilLead => {
                        let s = [fp.lead as f64, 0.0, 0.0];
                        if let Some(c) = council {
                            fp.lead = c;
                        }
                        s
                    }
                    LeverAction::ForcePace { pace } => {
                        let s = [fp.pace, 0.0, 0.0];
                        fp.pace = *pace;
                        s
                    }
                    LeverAction::AccountableCare { threshold, quarters, designate } => {
                        let s = [flag(fp.acs_enabled), fp.acs_threshold, fp.acs_quarters as f64];
                        fp.acs_enabled = true;
                        fp.acs_threshold = *threshold;
                        fp.acs_quarters = *quarters;
                        // Designated, for good, whatever its collaboration.
                        fp.acs |= *designate;
                        s
                    }
                    LeverAction::JointWorking => {
                        let s = [flag(fp.joint_working), 0.0, 0.0];
                        fp.joint_working = true;
                        s
                    }
                    _ => [0.0; 3],
                };
                rt.saved.push(saved);
            }
        }
    }
    w.levers[i] = rt;
}

fn end(w: &mut World, i: usize, lever: &Lever) {
    let mut rt = std::mem::take(&mut w.levers[i]);
    rt.active = false;
    match &lever.action {
        LeverAction::FundingConditionality { .. } => w.national.conditionality = rt.saved[0][0],
        LeverAction::NationalIntervention { .. } => w.national.intervention = rt.saved[0][0],
        LeverAction::AccountabilityClarity { .. } => w.national.clarity_hazard = rt.saved[0][0],
        LeverAction::StfSchedule { .. } => w.national.schedule = std::mem::take(&mut rt.saved_schedule),
        action => {
            for (&f, s) in rt.targets.iter().zip(&rt.saved) {
                let fp = &mut w.fps[f];
                match action {
                    LeverAction::StrengthenLeads { .. } => {
                        fp.authority = s[0];
                        fp.decision_rights = s[1] > 0.5;
                        fp.formal_bonus = s[2];
                    }
                    LeverAction::RemoveVeto => fp.majority = s[0] > 0.5,
                    LeverAction::CommitteesInCommon => fp.committees_in_common = s[0] > 0.5,
                    LeverAction::IncludeLocalGovernment { .. } => fp.council_seats = s[0],
                    LeverAction::CouncilLead => fp.lead = s[0] as usize,
                    LeverAction::ForcePace { .. } => fp.pace = s[0],
                    LeverAction::AccountableCare { .. } => {
                        fp.acs_enabled = s[0] > 0.5;
                        fp.acs_threshold = s[1];
                        fp.acs_quarters = s[2] as usize;
                    }
                    LeverAction::JointWorking => fp.joint_working = s[0] > 0.5,
                    _ => {}
                }
            }
        }
    }
    w.levers[i] = rt;
}
