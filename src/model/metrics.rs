//! Phase 11: the metrics of spec section 4, for England and per footprint.
//! Each footprint's sums (`Tally`, taken in `phases::tally`) are added into
//! England's, and every metric is its declared formula over the sums, so
//! both come from one pass and a metric cannot be left out of either.

pub use crate::core::format::Format;
use crate::core::params::Params;
use serde::Serialize;
use std::ops::{Index, IndexMut};

macro_rules! metrics {
    ($( $variant:ident, $name:literal, $label:literal, $unit:literal, $format:expr, $bounds:ident, $formula:expr, $shown:expr, $desc:literal; )*) => {
        /// A metric recorded every quarter.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Metric { $( $variant, )* }

        impl Metric {
            pub const ALL: &'static [Metric] = &[ $( Metric::$variant, )* ];
            pub fn name(self) -> &'static str { match self { $( Metric::$variant => $name, )* } }
            /// The metric in words, for charts and reports: "councils collaborating".
            pub fn label(self) -> &'static str { match self { $( Metric::$variant => $label, )* } }
            /// The unit in words: "share of agenda", "GBP m per year".
            pub fn unit(self) -> &'static str { match self { $( Metric::$variant => $unit, )* } }
            /// How its numbers read, everywhere they are shown.
            pub fn format(self) -> Format {
                use Format::*;
                match self { $( Metric::$variant => $format, )* }
            }
            pub fn description(self) -> &'static str { match self { $( Metric::$variant => $desc, )* } }
            /// Where reports show it, beyond the files.
            pub fn shown(self) -> Shown {
                use Shown::*;
                match self { $( Metric::$variant => $shown, )* }
            }
            /// What bounds the values the metric can take.
            pub fn bounds(self) -> Bounds { match self { $( Metric::$variant => Bounds::$bounds, )* } }
            /// How the metric is computed from a footprint's or England's sums.
            pub fn formula(self) -> Formula {
                use Formula::*;
                use Sum::*;
                match self { $( Metric::$variant => $formula, )* }
            }
        }
    };
}

/// Where reports and charts show a metric, beyond the files that hold every
/// metric. The number orders the metrics shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// A key metric: in the findings in words, the comparison chart and the
    /// headline table.
    Key(u8),
    /// In the headline table only: mean resentment, an internal state of the
    /// model rather than an outcome, which no finding names.
    Headline(u8),
    /// In the files only.
    Files,
}

impl Shown {
    fn rank(self) -> Option<u8> {
        match self {
            Shown::Key(n) | Shown::Headline(n) => Some(n),
            Shown::Files => None,
        }
    }
}

/// The values a metric can take, given the parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bounds {
    /// 0 to 1: a share, or a mean of values in 0 to 1.
    Unit,
    /// 0 and up: counts and money.
    NonNegative,
    /// Any number: a balance.
    Any,
    /// 0 to `gap_cap`, the cap phase 8 holds gaps to.
    Gap,
    /// 1 - `gap_cap` to 1: 1 minus the mean of three gaps.
    Transformation,
}

impl Bounds {
    pub fn range(self, p: &Params) -> (f64, f64) {
        match self {
            Bounds::Unit => (0.0, 1.0),
            Bounds::NonNegative => (0.0, f64::INFINITY),
            Bounds::Any => (f64::NEG_INFINITY, f64::INFINITY),
            Bounds::Gap => (0.0, p.gap_cap),
            Bounds::Transformation => (1.0 - p.gap_cap, 1.0),
        }
    }
}

macro_rules! sums {
    ($( $variant:ident, $doc:literal; )*) => {
        /// A sum kept for each footprint, from which metrics are computed.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Sum { $( #[doc = $doc] $variant, )* }

        impl Sum {
            pub const ALL: &'static [Sum] = &[ $( Sum::$variant, )* ];
        }
    };
}

sums! {
    Orgs, "organisations";
    Collab, "organisations collaborating";
    Nhs, "NHS bodies (trusts and CCGs)";
    NhsCollab, "NHS bodies collaborating";
    NhsUnsure, "NHS bodies unsure of the STP's accountability";
    NhsTrusting, "NHS bodies whose trust is above 0.5";
    Providers, "trusts";
    ProvidersInDeficit, "trusts whose reported balance is below 0";
    Councils, "councils";
    CouncilsCollab, "councils collaborating";
    DeficitProviders, "trusts in deficit last quarter, as phase 3 counted them";
    DeficitProvidersSelf, "of those, trusts that self-prioritised";
    Trust, "trust, over all organisations";
    Resentment, "resentment, over all organisations";
    ProviderBalance, "trusts' reported balances, GBP m a year";
    Weight, "budget, the weight of gaps and agendas";
    GapHw, "health and wellbeing gap times budget";
    GapCq, "care and quality gap times budget";
    GapFe, "finance and efficiency gap times budget";
    SocialAgenda, "social care and prevention's share of the agenda times budget";
    Raised, "proposals raised";
    Passed, "proposals passed";
    Vetoed, "proposals vetoed";
    Overruled, "proposals passed over opposition";
    Escalated, "proposals escalated";
    Unblocked, "proposals unblocked nationally";
    Succeeded, "proposals implemented successfully";
    Failed, "proposals that failed in implementation";
    PassedValue, "value of proposals passed so far";
    PassedSocialValue, "value of social care and prevention proposals passed so far";
    Withheld, "sustainability funding withheld, GBP m";
    Paid, "sustainability funding paid, GBP m";
    Acs, "accountable care systems";
}

pub const N_SUMS: usize = Sum::ALL.len();

/// A metric's value from sums.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Formula {
    /// The sum itself.
    Total(Sum),
    /// The first sum's share of the second (0 when the second is 0).
    Share(Sum, Sum),
    /// 1 minus `Share`.
    RestOf(Sum, Sum),
    /// 1 minus the mean of the three sums' shares of the last.
    OneMinusMeanShare([Sum; 3], Sum),
}

impl Formula {
    /// The sums it reads.
    pub fn reads(self) -> Vec<Sum> {
        match self {
            Formula::Total(a) => vec![a],
            Formula::Share(a, b) | Formula::RestOf(a, b) => vec![a, b],
            Formula::OneMinusMeanShare(a, b) => vec![a[0], a[1], a[2], b],
        }
    }

    fn eval(self, t: &Tally) -> f64 {
        match self {
            Formula::Total(a) => t[a],
            Formula::Share(a, b) => share(t[a], t[b]),
            Formula::RestOf(a, b) => 1.0 - share(t[a], t[b]),
            Formula::OneMinusMeanShare([a, b, c], w) => {
                1.0 - (share(t[a], t[w]) + share(t[b], t[w]) + share(t[c], t[w])) / 3.0
            }
        }
    }
}

metrics! {
    SelfPriorityShare, "self_priority_share", "NHS bodies putting their own organisation first", "share", Share, Unit, RestOf(NhsCollab, Nhs), Key(3), "share of NHS bodies (trusts and CCGs) that self-prioritise: what the HFMA survey measured";
    CollaborationRate, "collaboration_rate", "organisations collaborating", "share", Share, Unit, Share(Collab, Orgs), Key(4), "share of all organisations that collaborate";
    CouncilEngagement, "council_engagement", "councils collaborating", "share", Share, Unit, Share(CouncilsCollab, Councils), Key(5), "share of councils that collaborate";
    NhsCollaborationRate, "nhs_collaboration_rate", "NHS bodies collaborating", "share", Share, Unit, Share(NhsCollab, Nhs), Files, "share of NHS bodies that collaborate";
    DeficitProviderSelfPriorityShare, "deficit_provider_self_priority_share", "providers in deficit putting themselves first", "share", Share, Unit, Share(DeficitProvidersSelf, DeficitProviders), Files, "share of providers in deficit (last quarter's reported balance) that self-prioritise";
    UnsureShare, "unsure_share", "NHS bodies unsure of STP accountability", "share", Share, Unit, Share(NhsUnsure, Nhs), Key(6), "share of NHS bodies unsure how the STP relates to their statutory duties";
    MeanTrust, "mean_trust", "mean trust in the STP", "trust", Index("0 is no trust that the STP will deliver, 1 full trust"), Unit, Share(Trust, Orgs), Files, "mean trust that the STP will deliver, all organisations";
    MeanResentment, "mean_resentment", "mean resentment at being overruled", "resentment", Index("0 is none; an organisation overruled gains 1 (0.5 by a lead), and it decays by a tenth a quarter"), NonNegative, Share(Resentment, Orgs), Headline(7), "mean resentment from being overruled, all organisations";
    Raised, "raised", "proposals raised", "proposals per quarter", Count, NonNegative, Total(Raised), Files, "proposals raised";
    Passed, "passed", "proposals passed", "proposals per quarter", Count, NonNegative, Total(Passed), Files, "proposals passed, by rule, lead or national bodies";
    Vetoed, "vetoed", "proposals vetoed", "proposals per quarter", Count, NonNegative, Total(Vetoed), Files, "proposals raised and not passed";
    Overruled, "overruled", "proposals passed over opposition", "proposals per quarter", Count, NonNegative, Total(Overruled), Files, "proposals passed with at least one affected member opposed";
    Escalated, "escalated", "proposals escalated nationally", "proposals per quarter", Count, NonNegative, Total(Escalated), Files, "blocked proposals escalated to the national bodies";
    Unblocked, "unblocked", "proposals unblocked nationally", "proposals per quarter", Count, NonNegative, Total(Unblocked), Files, "escalated proposals the national bodies unblocked";
    Succeeded, "succeeded", "proposals implemented successfully", "proposals per quarter", Count, NonNegative, Total(Succeeded), Files, "passed proposals implemented successfully";
    Failed, "failed", "proposals that failed in implementation", "proposals per quarter", Count, NonNegative, Total(Failed), Files, "passed proposals whose implementation failed";
    GapHw, "gap_hw", "health and wellbeing gap", "gap (1 = 2015/16 projection)", Index("1 is the gap projected in 2015/16; 0.95 is 5% smaller"), Gap, Share(GapHw, Weight), Files, "health and wellbeing gap, budget-weighted";
    GapCq, "gap_cq", "care and quality gap", "gap (1 = 2015/16 projection)", Index("1 is the gap projected in 2015/16; 0.95 is 5% smaller"), Gap, Share(GapCq, Weight), Files, "care and quality gap, budget-weighted";
    GapFe, "gap_fe", "finance and efficiency gap", "gap (1 = 2015/16 projection)", Index("1 is the gap projected in 2015/16; 0.95 is 5% smaller"), Gap, Share(GapFe, Weight), Files, "finance and efficiency gap, budget-weighted";
    TransformationIndex, "transformation_index", "transformation index", "index", Index("0.05 means the three gaps are on average 5% smaller than projected in 2015/16; 0 is as projected"), Transformation, OneMinusMeanShare([GapHw, GapCq, GapFe], Weight), Key(1), "1 minus the mean of the three gaps; 0 at the start, higher is better";
    SocialCarePriority, "social_care_priority", "social care's share of STP agendas", "share of agenda", Share, Unit, Share(SocialAgenda, Weight), Key(2), "share of the agenda given to social care integration and prevention, budget-weighted";
    SocialCarePassedShare, "social_care_passed_share", "social care's share of value passed", "share of value", Share, Unit, Share(PassedSocialValue, PassedValue), Files, "share of all proposal value passed so far that is social care or prevention";
    ProviderBalanceGbpM, "provider_balance_gbp_m", "providers' reported balance", "GBP m per year", Money, Any, Total(ProviderBalance), Key(8), "sum of providers' reported balances";
    SupportWithheldGbpM, "support_withheld_gbp_m", "sustainability funding withheld", "GBP m per quarter", Money, NonNegative, Total(Withheld), Files, "sustainability funding withheld from self-prioritising providers";
    SupportPaidGbpM, "support_paid_gbp_m", "sustainability funding paid", "GBP m per quarter", Money, NonNegative, Total(Paid), Files, "sustainability funding paid to providers";
    AcsCount, "acs_count", "accountable care systems", "footprints", Count, NonNegative, Total(Acs), Key(9), "footprints that have become accountable care systems";
    RelationshipsShare, "relationships_share", "NHS bodies with strong STP relationships", "share", Share, Unit, Share(NhsTrusting, Nhs), Files, "share of NHS bodies whose trust is above 0.5: relationships strong enough for cross-organisational change, as the HFMA asked";
    ProvidersInDeficitShare, "providers_in_deficit_share", "providers in deficit", "share", Share, Unit, Share(ProvidersInDeficit, Providers), Files, "share of providers whose reported balance this quarter is below 0 (trusts forecasting a deficit)";
}

pub const N_METRICS: usize = Metric::ALL.len();

fn shown_in_order(keep: impl Fn(Shown) -> bool) -> Vec<Metric> {
    let mut shown: Vec<Metric> =
        Metric::ALL.iter().copied().filter(|m| m.shown().rank().is_some() && keep(m.shown())).collect();
    shown.sort_by_key(|m| m.shown().rank());
    shown
}

impl Metric {
    pub fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// The headline table's metrics, in order.
    pub fn headline() -> &'static [Metric] {
        static SHOWN: std::sync::LazyLock<Vec<Metric>> = std::sync::LazyLock::new(|| shown_in_order(|_| true));
        &SHOWN
    }

    /// The key metrics, in order: the findings in words and the comparison chart.
    pub fn key() -> &'static [Metric] {
        static SHOWN: std::sync::LazyLock<Vec<Metric>> =
            std::sync::LazyLock::new(|| shown_in_order(|s| matches!(s, Shown::Key(_))));
        &SHOWN
    }

    /// The unit as a reader writes it: "£m a year", "share of agenda".
    pub fn unit_words(self) -> String {
        self.unit().replace("GBP m per year", "£m a year").replace("GBP m per quarter", "£m a quarter")
    }

    /// The lead metrics, the questions every comparison answers whatever its
    /// result: the first three key metrics (transformation, social care's
    /// place, self-priority).
    pub fn lead() -> &'static [Metric] {
        &Metric::key()[..3]
    }

    /// The values the metric can take in a run with parameters `p`.
    pub fn range(self, p: &Params) -> (f64, f64) {
        self.bounds().range(p)
    }

    /// The values the metric can take with any valid parameters: what a
    /// published figure, to be fitted by parameters yet unknown, may be.
    pub fn widest_range(self) -> (f64, f64) {
        let mut p = Params::default();
        // The parameters bounds read, at the end of their allowed range that widens them.
        p.gap_cap = Params::def("gap_cap").map_or(p.gap_cap, |d| d.max);
        self.range(&p)
    }
}

/// The sums of one footprint, or of England, indexed by `Sum`.
#[derive(Clone, Copy, Debug)]
pub struct Tally([f64; N_SUMS]);

impl Default for Tally {
    fn default() -> Tally {
        Tally([0.0; N_SUMS])
    }
}

impl Index<Sum> for Tally {
    type Output = f64;
    fn index(&self, s: Sum) -> &f64 {
        &self.0[s as usize]
    }
}

impl IndexMut<Sum> for Tally {
    fn index_mut(&mut self, s: Sum) -> &mut f64 {
        &mut self.0[s as usize]
    }
}

fn share(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a += b;
        }
    }

    fn write(&self, out: &mut [f64]) {
        for &m in Metric::ALL {
            out[m as usize] = m.formula().eval(self);
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

#[cfg(test)]
mod tests {
    use super::Sum::*;
    use super::*;

    #[test]
    fn the_widest_ranges_are_those_of_the_largest_allowed_cap() {
        let cap = Params::def("gap_cap").unwrap().max;
        assert!(cap > Params::default().gap_cap);
        assert_eq!(Metric::GapFe.widest_range(), (0.0, cap));
        assert_eq!(Metric::TransformationIndex.widest_range(), (1.0 - cap, 1.0));
        assert_eq!(Metric::MeanTrust.widest_range(), Metric::MeanTrust.range(&Params::default()));
    }

    #[test]
    fn shown_metrics_have_distinct_ranks_and_key_ones_are_headlines() {
        let mut ranks: Vec<u8> = Metric::ALL.iter().filter_map(|m| m.shown().rank()).collect();
        let n = ranks.len();
        ranks.sort();
        ranks.dedup();
        assert_eq!(ranks.len(), n, "two shown metrics share a rank");
        assert_eq!(Metric::headline().len(), n);
        let key = Metric::key();
        assert!(key.iter().all(|m| Metric::headline().contains(m)));
        assert!(key.windows(2).all(|w| w[0].shown().rank() < w[1].shown().rank()), "key metrics in rank order");
        assert_eq!(Metric::headline()[0], Metric::TransformationIndex, "the transformation index leads");
        assert!(!key.contains(&Metric::MeanResentment) && Metric::headline().contains(&Metric::MeanResentment));
    }

    #[test]
    fn each_format_agrees_with_the_unit_and_bounds_declared() {
        for &m in Metric::ALL {
            let f = m.format();
            assert_eq!(f == Format::Share, m.unit().starts_with("share"), "{}: share format iff a share", m.name());
            assert_eq!(f == Format::Money, m.unit().starts_with("GBP m"), "{}: money format iff GBP m", m.name());
            if f == Format::Share {
                assert_eq!(m.bounds(), Bounds::Unit, "{}: a share lies in 0 to 1", m.name());
            }
        }
        // The transformation index says what its numbers mean, in words a reader can hold.
        let meaning = Metric::TransformationIndex.format().meaning().unwrap();
        assert!(meaning.starts_with("0.05 means") && meaning.contains("2015/16"), "{meaning}");
        assert_eq!(Metric::SocialCarePriority.format().difference(0.044), "+4.4 pp");
        assert_eq!(
            Metric::lead(),
            [Metric::TransformationIndex, Metric::SocialCarePriority, Metric::SelfPriorityShare]
        );
    }

    #[test]
    fn every_sum_feeds_a_metric() {
        for &s in Sum::ALL {
            assert!(Metric::ALL.iter().any(|m| m.formula().reads().contains(&s)), "no metric reads {s:?}");
        }
    }

    #[test]
    fn england_is_each_formula_over_the_summed_footprints() {
        let mut a = Tally::default();
        let mut b = Tally::default();
        (a[Orgs], a[Collab], b[Orgs], b[Collab]) = (4.0, 1.0, 6.0, 4.0);
        (a[Weight], a[GapHw], b[Weight], b[GapHw]) = (1.0, 1.0, 3.0, 6.0);
        (a[GapCq], a[GapFe], b[GapCq], b[GapFe]) = (1.0, 1.0, 3.0, 3.0);
        (a[Raised], b[Raised]) = (2.0, 3.0);
        let mut england = [0.0; N_METRICS];
        let mut rows = [0.0; 2 * N_METRICS];
        record(&[a, b], &mut england, Some(&mut rows));
        let at = |row: &[f64], m: Metric| row[m as usize];
        assert_eq!(at(&england, Metric::CollaborationRate), 0.5, "a share of the sums, not a mean of shares");
        assert_eq!(at(&rows, Metric::CollaborationRate), 0.25);
        assert_eq!(at(&rows[N_METRICS..], Metric::CollaborationRate), 4.0 / 6.0);
        assert_eq!(at(&england, Metric::Raised), 5.0);
        assert_eq!(at(&england, Metric::GapHw), 7.0 / 4.0, "gaps weighted by budget");
        assert_eq!(at(&england, Metric::TransformationIndex), 1.0 - (7.0 / 4.0 + 1.0 + 1.0) / 3.0);
        assert_eq!(at(&england, Metric::NhsCollaborationRate), 0.0, "no NHS bodies: a share of nothing is 0");
        assert_eq!(at(&england, Metric::SelfPriorityShare), 1.0, "the rest of that share");
    }
}
