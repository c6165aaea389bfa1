//! Phase 11: the metrics of spec section 4, for England and per footprint.
//! Footprint tallies are summed into England's, so both come from one pass.

use serde::Serialize;

macro_rules! metrics {
    ($( $variant:ident, $name:literal, $label:literal, $unit:literal, $lo:expr, $hi:expr, $desc:literal; )*) => {
        /// A metric recorded every quarter.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Metric { $( $variant, )* }

        impl Metric {
            pub const ALL: &'static [Metric] = &[ $( Metric::$variant, )* ];
            pub fn name(self) -> &'static str { match self { $( Metric::$variant => $name, )* } }
            /// The metric in words, for charts and reports: "councils collaborating".
            pub fn label(self) -> &'static str { match self { $( Metric::$variant => $label, )* } }
            pub fn unit(self) -> &'static str { match self { $( Metric::$variant => $unit, )* } }
            pub fn description(self) -> &'static str { match self { $( Metric::$variant => $desc, )* } }
            /// The values the metric can take.
            pub fn range(self) -> (f64, f64) { match self { $( Metric::$variant => ($lo, $hi), )* } }
        }
    };
}

const INF: f64 = f64::INFINITY;

metrics! {
    SelfPriorityShare, "self_priority_share", "NHS bodies putting their own organisation first", "share", 0.0, 1.0, "share of NHS bodies (trusts and CCGs) that self-prioritise: what the HFMA survey measured";
    CollaborationRate, "collaboration_rate", "organisations collaborating", "share", 0.0, 1.0, "share of all organisations that collaborate";
    CouncilEngagement, "council_engagement", "councils collaborating", "share", 0.0, 1.0, "share of councils that collaborate";
    NhsCollaborationRate, "nhs_collaboration_rate", "NHS bodies collaborating", "share", 0.0, 1.0, "share of NHS bodies that collaborate";
    DeficitProviderSelfPriorityShare, "deficit_provider_self_priority_share", "providers in deficit putting themselves first", "share", 0.0, 1.0, "share of providers in deficit (last quarter's reported balance) that self-prioritise";
    UnsureShare, "unsure_share", "NHS bodies unsure of STP accountability", "share", 0.0, 1.0, "share of NHS bodies unsure how the STP relates to their statutory duties";
    MeanTrust, "mean_trust", "mean trust in the STP", "trust", 0.0, 1.0, "mean trust that the STP will deliver, all organisations";
    MeanResentment, "mean_resentment", "mean resentment at being overruled", "resentment", 0.0, INF, "mean resentment from being overruled, all organisations";
    Raised, "raised", "proposals raised", "proposals per quarter", 0.0, INF, "proposals raised";
    Passed, "passed", "proposals passed", "proposals per quarter", 0.0, INF, "proposals passed, by rule, lead or national bodies";
    Vetoed, "vetoed", "proposals vetoed", "proposals per quarter", 0.0, INF, "proposals raised and not passed";
    Overruled, "overruled", "proposals passed over opposition", "proposals per quarter", 0.0, INF, "proposals passed with at least one affected member opposed";
    Escalated, "escalated", "proposals escalated nationally", "proposals per quarter", 0.0, INF, "blocked proposals escalated to the national bodies";
    Unblocked, "unblocked", "proposals unblocked nationally", "proposals per quarter", 0.0, INF, "escalated proposals the national bodies unblocked";
    Succeeded, "succeeded", "proposals implemented successfully", "proposals per quarter", 0.0, INF, "passed proposals implemented successfully";
    Failed, "failed", "proposals that failed in implementation", "proposals per quarter", 0.0, INF, "passed proposals whose implementation failed";
    GapHw, "gap_hw", "health and wellbeing gap", "gap (1 = 2015/16 projection)", 0.0, 2.0, "health and wellbeing gap, budget-weighted";
    GapCq, "gap_cq", "care and quality gap", "gap (1 = 2015/16 projection)", 0.0, 2.0, "care and quality gap, budget-weighted";
    GapFe, "gap_fe", "finance and efficiency gap", "gap (1 = 2015/16 projection)", 0.0, 2.0, "finance and efficiency gap, budget-weighted";
    TransformationIndex, "transformation_index", "transformation index", "index", -1.0, 1.0, "1 minus the mean of the three gaps; 0 at the start, higher is better";
    SocialCarePriority, "social_care_priority", "social care's share of STP agendas", "share of agenda", 0.0, 1.0, "share of the agenda given to social care integration and prevention, budget-weighted";
    SocialCarePassedShare, "social_care_passed_share", "social care's share of value passed", "share of value", 0.0, 1.0, "share of all proposal value passed so far that is social care or prevention";
    ProviderBalanceGbpM, "provider_balance_gbp_m", "providers' reported balance", "GBP m per year", -INF, INF, "sum of providers' reported balances";
    SupportWithheldGbpM, "support_withheld_gbp_m", "sustainability funding withheld", "GBP m per quarter", 0.0, INF, "sustainability funding withheld from self-prioritising providers";
    SupportPaidGbpM, "support_paid_gbp_m", "sustainability funding paid", "GBP m per quarter", 0.0, INF, "sustainability funding paid to providers";
    AcsCount, "acs_count", "accountable care systems", "footprints", 0.0, INF, "footprints that have become accountable care systems";
    RelationshipsShare, "relationships_share", "NHS bodies with strong STP relationships", "share", 0.0, 1.0, "share of NHS bodies whose trust is above 0.5: relationships strong enough for cross-organisational change, as the HFMA asked";
    ProvidersInDeficitShare, "providers_in_deficit_share", "providers in deficit", "share", 0.0, 1.0, "share of providers whose reported balance this quarter is below 0 (trusts forecasting a deficit)";
}

pub const N_METRICS: usize = Metric::ALL.len();

impl Metric {
    pub fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.iter().copied().find(|m| m.name() == name)
    }
}

/// Proposal counts kept per quarter (raised to failed, as in `Counts`).
const N_COUNTS: usize = 8;

/// Sums from which a row of metrics is computed; one per footprint, taken at
/// the end of its quarter while its data are in cache.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    pub(crate) orgs: f64,
    pub(crate) collab: f64,
    pub(crate) nhs: f64,
    pub(crate) nhs_collab: f64,
    pub(crate) nhs_unsure: f64,
    pub(crate) nhs_trusting: f64,
    pub(crate) providers: f64,
    pub(crate) providers_deficit: f64,
    pub(crate) councils: f64,
    pub(crate) councils_collab: f64,
    pub(crate) deficit_providers: f64,
    pub(crate) deficit_providers_self: f64,
    pub(crate) trust: f64,
    pub(crate) resentment: f64,
    pub(crate) provider_balance: f64,
    pub(crate) weight: f64,
    pub(crate) gaps: [f64; 3],
    pub(crate) social_agenda: f64,
    pub(crate) counts: [f64; N_COUNTS],
    pub(crate) passed_value: f64,
    pub(crate) passed_social: f64,
    pub(crate) withheld: f64,
    pub(crate) paid: f64,
    pub(crate) acs: f64,
}

fn share(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.orgs += o.orgs;
        self.collab += o.collab;
        self.nhs += o.nhs;
        self.nhs_collab += o.nhs_collab;
        self.nhs_unsure += o.nhs_unsure;
        self.nhs_trusting += o.nhs_trusting;
        self.providers += o.providers;
        self.providers_deficit += o.providers_deficit;
        self.councils += o.councils;
        self.councils_collab += o.councils_collab;
        self.deficit_providers += o.deficit_providers;
        self.deficit_providers_self += o.deficit_providers_self;
        self.trust += o.trust;
        self.resentment += o.resentment;
        self.provider_balance += o.provider_balance;
        self.weight += o.weight;
        for d in 0..3 {
            self.gaps[d] += o.gaps[d];
        }
        self.social_agenda += o.social_agenda;
        for c in 0..N_COUNTS {
            self.counts[c] += o.counts[c];
        }
        self.passed_value += o.passed_value;
        self.passed_social += o.passed_social;
        self.withheld += o.withheld;
        self.paid += o.paid;
        self.acs += o.acs;
    }

    fn write(&self, out: &mut [f64]) {
        let gaps = [0, 1, 2].map(|d| share(self.gaps[d], self.weight));
        for &m in Metric::ALL {
            out[m as usize] = match m {
                Metric::SelfPriorityShare => 1.0 - share(self.nhs_collab, self.nhs),
                Metric::CollaborationRate => share(self.collab, self.orgs),
                Metric::CouncilEngagement => share(self.councils_collab, self.councils),
                Metric::NhsCollaborationRate => share(self.nhs_collab, self.nhs),
                Metric::DeficitProviderSelfPriorityShare => share(self.deficit_providers_self, self.deficit_providers),
                Metric::UnsureShare => share(self.nhs_unsure, self.nhs),
                Metric::MeanTrust => share(self.trust, self.orgs),
                Metric::MeanResentment => share(self.resentment, self.orgs),
                Metric::Raised => self.counts[0],
                Metric::Passed => self.counts[1],
                Metric::Vetoed => self.counts[2],
                Metric::Overruled => self.counts[3],
                Metric::Escalated => self.counts[4],
                Metric::Unblocked => self.counts[5],
                Metric::Succeeded => self.counts[6],
                Metric::Failed => self.counts[7],
                Metric::GapHw => gaps[0],
                Metric::GapCq => gaps[1],
                Metric::GapFe => gaps[2],
                Metric::TransformationIndex => 1.0 - (gaps[0] + gaps[1] + gaps[2]) / 3.0,
                Metric::SocialCarePriority => share(self.social_agenda, self.weight),
                Metric::SocialCarePassedShare => share(self.passed_social, self.passed_value),
                Metric::ProviderBalanceGbpM => self.provider_balance,
                Metric::SupportWithheldGbpM => self.withheld,
                Metric::SupportPaidGbpM => self.paid,
                Metric::AcsCount => self.acs,
                Metric::RelationshipsShare => share(self.nhs_trusting, self.nhs),
                Metric::ProvidersInDeficitShare => share(self.providers_deficit, self.providers),
            };
        }
    }
}

/// Writes England's row into `england` and, if given, each footprint's row
/// into `per_footprint` (footprint-major), from the tallies of the quarter.
pub fn record(tallies: &[Tally], england: &mut [f64], mut per_footprint: Option<&mut [f64]>) {
    let mut all = Tally::default();
    for (f, t) in tallies.iter().enumerate() {
        if let Some(rows) = per_footprint.as_deref_mut() {
            t.write(&mut rows[f * N_METRICS..(f + 1) * N_METRICS]);
        }
        all.add(t);
    }
    all.write(england);
}
