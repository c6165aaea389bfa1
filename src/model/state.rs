//! The state of one replicate: organisations as arrays per field, footprints,
//! and the national settings.

use super::kind::{Kind, N_KINDS, N_PROPOSAL_TYPES, ProposalType};
use super::levers::{Governance, Policy, Site, Sites};
use crate::core::params::Params;

/// Effects of successful proposals waiting to land, one slot per quarter.
pub const PENDING_SLOTS: usize = 32;
/// Room in the scratch list of proposals made at set-up.
pub const PROPOSALS: usize = 64;
/// Collaboration rates remembered for the accountable care average.
pub const HISTORY_SLOTS: usize = 64;

/// Effects landing in one quarter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pending {
    /// Product of (1 - effect) for each gap (HW, CQ, FE).
    pub keep: [f64; 3],
    /// Providers' structural balance gain.
    pub provider_gain: f64,
    /// Sum of sizes of realised social care integrations.
    pub social_care_size: f64,
}

impl Pending {
    pub const EMPTY: Pending = Pending { keep: [1.0; 3], provider_gain: 0.0, social_care_size: 0.0 };
}

/// Proposal counts of one quarter, in the order of the count metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    pub raised: u32,
    pub passed: u32,
    pub vetoed: u32,
    pub overruled: u32,
    pub escalated: u32,
    pub unblocked: u32,
    pub succeeded: u32,
    pub failed: u32,
}

/// A footprint (the STP) and its governance.
#[derive(Clone, Debug)]
pub struct Footprint {
    pub start: usize,
    pub end: usize,
    /// Members are sorted by kind: those of kind k are `kinds[k]..kinds[k + 1]`.
    pub kinds: [usize; N_KINDS + 1],
    pub n_councils: usize,
    pub budget_total: f64,
    pub readiness: f64,
    /// What levers set: the lead, its powers, the decision rule, pace.
    pub gov: Governance,
    pub legitimacy_base: f64,
    pub gaps: [f64; 3],
    pub sc_progress: f64,
    pub acs: bool,
    pub quarters_run: usize,
    pub prev_collab: f64,
    pub prev_engagement: f64,
    pub collab_rate: f64,
    pub engagement: f64,
    pub transformation_money: f64,
    pub agenda: [f64; N_PROPOSAL_TYPES],
    pub counts: Counts,
    pub passed_value: f64,
    pub passed_social_value: f64,
}

impl Footprint {
    pub fn members(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// Members of one kind.
    pub fn of_kind(&self, k: Kind) -> std::ops::Range<usize> {
        self.kinds[k as usize]..self.kinds[k as usize + 1]
    }

    /// Its trusts (members are sorted by kind, and the four trust kinds come first).
    pub fn providers(&self) -> std::ops::Range<usize> {
        self.kinds[Kind::Acute as usize]..self.kinds[Kind::Ambulance as usize + 1]
    }

    /// The lead's legitimacy, never above 1.
    pub fn legitimacy(&self) -> f64 {
        (self.legitimacy_base + self.gov.formal_bonus).min(1.0)
    }

    /// Authority, raised for an accountable care system.
    pub fn authority(&self, p: &Params) -> f64 {
        if self.acs { self.gov.authority.max(p.acs_authority) } else { self.gov.authority }
    }

    pub fn decision_rights(&self) -> bool {
        self.gov.decision_rights || self.acs
    }
}

/// National bodies' settings.
#[derive(Clone, Debug)]
pub struct National {
    /// What national levers set.
    pub policy: Policy,
    /// This system's share of the national fund (1 for England).
    pub fund_share: f64,
    /// No stance history yet: nothing is withheld.
    pub first_quarter: bool,
    /// This quarter's fund, GBP m: sustainability and transformation parts.
    pub sustainability_gbp_m: f64,
    pub transformation_gbp_m: f64,
}

/// One proposal in the quarter's scratch list.
#[derive(Clone, Copy, Debug)]
pub struct Proposal {
    pub kind: ProposalType,
    pub size: f64,
    pub n: usize,
    pub members: [usize; 4],
    pub own_effect: [f64; 4],
    /// Votes as cast.
    pub own_vote: [bool; 4],
    /// Votes as counted (a CCG's replaced by its bloc's under committees in common).
    pub vote: [bool; 4],
    pub support_share: f64,
    pub passed: bool,
    pub succeeded: bool,
}

impl Proposal {
    /// A proposal with no affected member yet.
    pub fn new(kind: ProposalType, size: f64) -> Proposal {
        Proposal {
            kind,
            size,
            n: 0,
            members: [0; 4],
            own_effect: [0.0; 4],
            own_vote: [false; 4],
            vote: [false; 4],
            support_share: 0.0,
            passed: false,
            succeeded: false,
        }
    }
}

/// One replicate of the world.
#[derive(Clone, Debug)]
pub struct World {
    pub p: Params,
    // Organisations, one entry per organisation in every array.
    pub kind: Vec<Kind>,
    pub footprint: Vec<u32>,
    pub budget: Vec<f64>,
    pub structural: Vec<f64>,
    pub support: Vec<f64>,
    pub balance: Vec<f64>,
    pub loyalty: Vec<f64>,
    pub trust: Vec<f64>,
    pub unsure: Vec<bool>,
    pub orientation: Vec<f64>,
    pub collab: Vec<bool>,
    pub resentment: Vec<f64>,
    pub coerced: Vec<u32>,
    pub affected: Vec<bool>,
    pub fps: Vec<Footprint>,
    /// Sustainability money each footprint's providers received this quarter
    /// (GBP m), and what was withheld from them: phase 2 adds to them in
    /// England's deficit order, so they sit apart from the footprints in a
    /// dense row each, where those scattered additions stay in cache.
    pub paid: Vec<f64>,
    pub withheld: Vec<f64>,
    /// Effects waiting to land, by quarter slot then footprint: a quarter
    /// reads one slot for every footprint, so it reads them in a row.
    pub pending: Vec<Vec<Pending>>,
    /// Footprints' past collaboration rates, by quarter slot then footprint.
    pub history: Vec<Vec<f64>>,
    /// Each kind's agenda preferences, normalised to sum to 1.
    pub preferences: [[f64; N_PROPOSAL_TYPES]; N_KINDS],
    pub national: National,
}

impl World {
    pub fn n_orgs(&self) -> usize {
        self.kind.len()
    }

    /// Bytes of model state: the arrays per organisation field and the
    /// footprints, by capacity. `Replicate::bytes` adds its workspace.
    pub fn state_bytes(&self) -> usize {
        use std::mem::size_of;
        let per_org = self.kind.capacity() * size_of::<Kind>()
            + self.footprint.capacity() * size_of::<u32>()
            + [&self.budget, &self.structural, &self.support, &self.balance, &self.loyalty, &self.trust]
                .iter()
                .chain([&self.orientation, &self.resentment].iter())
                .map(|v| v.capacity() * size_of::<f64>())
                .sum::<usize>()
            + [&self.unsure, &self.collab, &self.affected].iter().map(|v| v.capacity()).sum::<usize>()
            + self.coerced.capacity() * size_of::<u32>();
        per_org
            + self.fps.capacity() * size_of::<Footprint>()
            + (self.paid.capacity() + self.withheld.capacity()) * size_of::<f64>()
            + self.pending.iter().map(|s| s.capacity() * size_of::<Pending>()).sum::<usize>()
            + self.history.iter().map(|s| s.capacity() * size_of::<f64>()).sum::<usize>()
            + size_of::<World>()
    }

    /// What `state_bytes` reports of a world of `orgs` organisations in
    /// `footprints` footprints as set up (before levers start).
    pub fn bytes_for(orgs: usize, footprints: usize) -> usize {
        use std::mem::size_of;
        let per_org = size_of::<Kind>() + 2 * size_of::<u32>() + 8 * size_of::<f64>() + 3 * size_of::<bool>();
        let per_footprint = size_of::<Footprint>()
            + 2 * size_of::<f64>()
            + PENDING_SLOTS * size_of::<Pending>()
            + HISTORY_SLOTS * size_of::<f64>();
        orgs * per_org + footprints * per_footprint + size_of::<World>()
    }

    /// Largest member of the given kinds by budget, if any.
    pub fn largest(&self, f: usize, pred: impl Fn(Kind) -> bool) -> Option<usize> {
        self.fps[f]
            .members()
            .filter(|&i| pred(self.kind[i]))
            .max_by(|&a, &b| self.budget[a].total_cmp(&self.budget[b]).then(b.cmp(&a)))
    }
}

impl Sites for World {
    fn footprint(&mut self, f: usize) -> (&mut Governance, Site<'_>) {
        let largest_council = self.largest(f, |k| k == Kind::Council);
        (&mut self.fps[f].gov, Site { p: &self.p, largest_council })
    }

    fn national(&mut self) -> (&mut Policy, Site<'_>) {
        (&mut self.national.policy, Site { p: &self.p, largest_council: None })
    }
}
