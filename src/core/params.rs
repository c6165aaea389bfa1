//! The parameter dictionary: every number the model uses, with its unit,
//! default, valid range and source. `Params` holds one value per entry; a
//! scenario's `[params]` table overrides entries by name. `docs/parameters.md`
//! is generated from `DICTIONARY`.

use crate::core::kind::{Kind, ProposalType};
use serde::Serialize;

/// One entry of the dictionary.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ParamDef {
    pub name: &'static str,
    pub group: &'static str,
    pub unit: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub source: &'static str,
    pub description: &'static str,
}

impl ParamDef {
    /// Whole numbers only (counts and durations).
    pub fn integer(&self) -> bool {
        matches!(self.unit, "quarters" | "count" | "residents")
    }

    pub fn allowed(&self) -> String {
        if self.integer() {
            format!("a whole number from {} to {}", self.min, self.max)
        } else {
            format!("a number from {} to {}", self.min, self.max)
        }
    }

    pub fn accepts(&self, v: f64) -> bool {
        v.is_finite() && v >= self.min && v <= self.max && (!self.integer() || v.fract() == 0.0)
    }
}

const A: &str = "assumption";
const SPEC: &str = "assumption (model spec 1.3)";

macro_rules! dictionary {
    ($( $group:literal { $( $name:ident, $unit:literal, $default:expr, [$min:expr, $max:expr], $source:expr, $desc:literal; )* } )*) => {
        /// Values of every parameter of the dictionary.
        #[derive(Clone, Debug, PartialEq, Serialize)]
        pub struct Params { $($( pub $name: f64, )*)* }

        pub const DICTIONARY: &[ParamDef] = &[ $($( ParamDef {
            name: stringify!($name), group: $group, unit: $unit, default: $default,
            min: $min, max: $max, source: $source, description: $desc,
        }, )*)* ];

        impl Default for Params {
            fn default() -> Self { Params { $($( $name: $default, )*)* } }
        }

        impl Params {
            pub fn get(&self, name: &str) -> Option<f64> {
                match name { $($( stringify!($name) => Some(self.$name), )*)* _ => None }
            }
            /// Sets a value by name; false if no such parameter.
            pub fn set(&mut self, name: &str, value: f64) -> bool {
                match name { $($( stringify!($name) => { self.$name = value; true } )*)* _ => false }
            }
        }
    };
}

dictionary! {
"stances" {
    beta0, "logit", 0.537, [-10.0, 10.0], "calibrated (model spec 1.4, was 0.52): HFMA survey 2016, 62% put own organisation first", "baseline propensity to collaborate";
    b_trust, "logit", 2.0, [0.0, 20.0], SPEC, "weight on trust in the STP";
    b_peer, "logit", 1.0, [0.0, 20.0], SPEC, "weight on the footprint's collaboration rate last quarter";
    b_lead, "logit", 3.0, [0.0, 20.0], SPEC, "weight on the lead's authority times its legitimacy above one half";
    b_fund, "logit", 1.5, [0.0, 20.0], SPEC, "weight on funding conditionality times exposure to the fund";
    b_coerce, "logit", 1.0, [0.0, 20.0], SPEC, "push from a national intervention in force";
    b_acs, "logit", 0.5, [0.0, 20.0], SPEC, "pull of being an accountable care system";
    b_loyalty, "logit", 2.0, [0.0, 20.0], SPEC, "weight on loyalty to the own organisation above one half";
    b_deficit, "logit", 0.8, [0.0, 20.0], SPEC, "weight on the own deficit, per deficit_scale";
    b_unsure, "logit", 0.8, [0.0, 20.0], SPEC, "penalty for being unsure of accountability";
    b_resent, "logit", 1.0, [0.0, 20.0], SPEC, "weight on resentment";
    deficit_scale, "fraction of budget", 0.05, [0.001, 1.0], SPEC, "deficit counted as one unit of financial stress";
    acs_deficit_factor, "ratio", 0.5, [0.0, 1.0], SPEC, "deficit term multiplier inside an accountable care system";
    phi_provider_deficit, "ratio", 1.0, [0.0, 1.0], SPEC, "exposure to fund conditions of a provider in deficit";
    phi_nhs_other, "ratio", 0.5, [0.0, 1.0], SPEC, "exposure to fund conditions of other NHS bodies";
    collab_cost, "fraction of budget per year", 0.004, [0.0, 0.1], SPEC, "cost of collaborating, taken from the quarter's reported balance";
    coerce_quarters, "quarters", 4.0, [0.0, 40.0], SPEC, "stance phases a national intervention acts on";
    council_lead_nhs_legitimacy, "ratio", 0.9, [0.0, 1.0], SPEC, "share of the lead's legitimacy an NHS body sees under a council lead";
}
"proposals" {
    mu, "proposals per quarter", 1.0, [0.0, 50.0], SPEC, "base rate of proposals per footprint";
    size_median, "fraction of gap", 0.04, [0.0001, 1.0], SPEC, "median proposal size v";
    size_sigma, "log units", 0.5, [0.0, 3.0], SPEC, "spread of proposal size";
    loser_effect_min, "utility", 0.2, [0.0, 5.0], SPEC, "smallest loss to a losing member";
    loser_effect_max, "utility", 1.0, [0.0, 5.0], SPEC, "largest loss to a losing member";
    winner_effect_min, "utility", 0.2, [0.0, 5.0], SPEC, "smallest gain to a winning member";
    winner_effect_max, "utility", 0.8, [0.0, 5.0], SPEC, "largest gain to a winning member";
    lead_stress_bonus, "agenda weight", 0.5, [0.0, 10.0], SPEC, "added to an NHS lead's reconfiguration and back office weights per unit of stress";
    council_voice_base, "ratio", 0.5, [0.0, 1.0], SPEC, "councils' board weight, as a share of their seats, when none engages";
    agenda_acute_reconfiguration, "weight", 0.35, [0.0, 1.0], SPEC, "acute trusts' preference for reconfiguration";
    agenda_acute_out_of_hospital, "weight", 0.10, [0.0, 1.0], SPEC, "acute trusts' preference for out of hospital care";
    agenda_acute_prevention, "weight", 0.05, [0.0, 1.0], SPEC, "acute trusts' preference for prevention";
    agenda_acute_social_care, "weight", 0.15, [0.0, 1.0], SPEC, "acute trusts' preference for social care integration";
    agenda_acute_back_office, "weight", 0.35, [0.0, 1.0], SPEC, "acute trusts' preference for back office";
    agenda_mental_health_reconfiguration, "weight", 0.10, [0.0, 1.0], SPEC, "mental health trusts' preference for reconfiguration";
    agenda_mental_health_out_of_hospital, "weight", 0.30, [0.0, 1.0], SPEC, "mental health trusts' preference for out of hospital care";
    agenda_mental_health_prevention, "weight", 0.20, [0.0, 1.0], SPEC, "mental health trusts' preference for prevention";
    agenda_mental_health_social_care, "weight", 0.20, [0.0, 1.0], SPEC, "mental health trusts' preference for social care integration";
    agenda_mental_health_back_office, "weight", 0.20, [0.0, 1.0], SPEC, "mental health trusts' preference for back office";
    agenda_community_reconfiguration, "weight", 0.10, [0.0, 1.0], SPEC, "community trusts' preference for reconfiguration";
    agenda_community_out_of_hospital, "weight", 0.35, [0.0, 1.0], SPEC, "community trusts' preference for out of hospital care";
    agenda_community_prevention, "weight", 0.15, [0.0, 1.0], SPEC, "community trusts' preference for prevention";
    agenda_community_social_care, "weight", 0.25, [0.0, 1.0], SPEC, "community trusts' preference for social care integration";
    agenda_community_back_office, "weight", 0.15, [0.0, 1.0], SPEC, "community trusts' preference for back office";
    agenda_ambulance_reconfiguration, "weight", 0.20, [0.0, 1.0], SPEC, "ambulance trusts' preference for reconfiguration";
    agenda_ambulance_out_of_hospital, "weight", 0.30, [0.0, 1.0], SPEC, "ambulance trusts' preference for out of hospital care";
    agenda_ambulance_prevention, "weight", 0.10, [0.0, 1.0], SPEC, "ambulance trusts' preference for prevention";
    agenda_ambulance_social_care, "weight", 0.20, [0.0, 1.0], SPEC, "ambulance trusts' preference for social care integration";
    agenda_ambulance_back_office, "weight", 0.20, [0.0, 1.0], SPEC, "ambulance trusts' preference for back office";
    agenda_ccg_reconfiguration, "weight", 0.25, [0.0, 1.0], SPEC, "CCGs' preference for reconfiguration";
    agenda_ccg_out_of_hospital, "weight", 0.25, [0.0, 1.0], SPEC, "CCGs' preference for out of hospital care";
    agenda_ccg_prevention, "weight", 0.15, [0.0, 1.0], SPEC, "CCGs' preference for prevention";
    agenda_ccg_social_care, "weight", 0.15, [0.0, 1.0], SPEC, "CCGs' preference for social care integration";
    agenda_ccg_back_office, "weight", 0.20, [0.0, 1.0], SPEC, "CCGs' preference for back office";
    agenda_council_reconfiguration, "weight", 0.05, [0.0, 1.0], SPEC, "councils' preference for reconfiguration";
    agenda_council_out_of_hospital, "weight", 0.15, [0.0, 1.0], SPEC, "councils' preference for out of hospital care";
    agenda_council_prevention, "weight", 0.30, [0.0, 1.0], SPEC, "councils' preference for prevention";
    agenda_council_social_care, "weight", 0.45, [0.0, 1.0], SPEC, "councils' preference for social care integration";
    agenda_council_back_office, "weight", 0.05, [0.0, 1.0], SPEC, "councils' preference for back office";
    agenda_primary_care_reconfiguration, "weight", 0.05, [0.0, 1.0], SPEC, "primary care's preference for reconfiguration";
    agenda_primary_care_out_of_hospital, "weight", 0.35, [0.0, 1.0], SPEC, "primary care's preference for out of hospital care";
    agenda_primary_care_prevention, "weight", 0.30, [0.0, 1.0], SPEC, "primary care's preference for prevention";
    agenda_primary_care_social_care, "weight", 0.20, [0.0, 1.0], SPEC, "primary care's preference for social care integration";
    agenda_primary_care_back_office, "weight", 0.10, [0.0, 1.0], SPEC, "primary care's preference for back office";
    impact_reconfiguration_hw, "per unit size", 0.0, [0.0, 10.0], SPEC, "reconfiguration's effect on the health and wellbeing gap";
    impact_reconfiguration_cq, "per unit size", 1.0, [0.0, 10.0], SPEC, "reconfiguration's effect on the care and quality gap";
    impact_reconfiguration_fe, "per unit size", 1.0, [0.0, 10.0], SPEC, "reconfiguration's effect on the finance and efficiency gap";
    impact_out_of_hospital_hw, "per unit size", 0.3, [0.0, 10.0], SPEC, "out of hospital care's effect on the health and wellbeing gap";
    impact_out_of_hospital_cq, "per unit size", 0.8, [0.0, 10.0], SPEC, "out of hospital care's effect on the care and quality gap";
    impact_out_of_hospital_fe, "per unit size", 0.6, [0.0, 10.0], SPEC, "out of hospital care's effect on the finance and efficiency gap";
    impact_prevention_hw, "per unit size", 1.2, [0.0, 10.0], SPEC, "prevention's effect on the health and wellbeing gap";
    impact_prevention_cq, "per unit size", 0.3, [0.0, 10.0], SPEC, "prevention's effect on the care and quality gap";
    impact_prevention_fe, "per unit size", 0.2, [0.0, 10.0], SPEC, "prevention's effect on the finance and efficiency gap";
    impact_social_care_hw, "per unit size", 0.8, [0.0, 10.0], SPEC, "social care integration's effect on the health and wellbeing gap";
    impact_social_care_cq, "per unit size", 0.8, [0.0, 10.0], SPEC, "social care integration's effect on the care and quality gap";
    impact_social_care_fe, "per unit size", 0.4, [0.0, 10.0], SPEC, "social care integration's effect on the finance and efficiency gap";
    impact_back_office_hw, "per unit size", 0.0, [0.0, 10.0], SPEC, "back office's effect on the health and wellbeing gap";
    impact_back_office_cq, "per unit size", 0.1, [0.0, 10.0], SPEC, "back office's effect on the care and quality gap";
    impact_back_office_fe, "per unit size", 1.0, [0.0, 10.0], SPEC, "back office's effect on the finance and efficiency gap";
    lag_reconfiguration, "quarters", 6.0, [0.0, 20.0], SPEC, "quarters before a reconfiguration's effect lands";
    lag_out_of_hospital, "quarters", 4.0, [0.0, 20.0], SPEC, "quarters before an out of hospital change's effect lands";
    lag_prevention, "quarters", 8.0, [0.0, 20.0], SPEC, "quarters before a prevention programme's effect lands";
    lag_social_care, "quarters", 4.0, [0.0, 20.0], SPEC, "quarters before a social care integration's effect lands";
    lag_back_office, "quarters", 2.0, [0.0, 20.0], SPEC, "quarters before a back office merger's effect lands";
}
"votes and decisions" {
    b_vote_system, "utility", 2.5, [0.0, 20.0], SPEC, "weight of the system benefit in a vote";
    vote_deficit_loyalty, "ratio", 0.2, [0.0, 5.0], SPEC, "loyalty added per unit of deficit stress when voting";
    vote_unsure_loyalty, "ratio", 0.1, [0.0, 1.0], SPEC, "loyalty added when unsure of accountability";
    vote_stance, "utility", 0.5, [0.0, 5.0], SPEC, "vote shift from this quarter's stance";
    vote_noise, "utility", 0.5, [0.0, 5.0], SPEC, "scale of the logistic noise in a vote";
    benefit_social_base, "utility", 0.5, [0.0, 5.0], SPEC, "system benefit of prevention or social care, plus the member's orientation";
    benefit_acute_base, "utility", 1.5, [0.0, 5.0], SPEC, "system benefit of reconfiguration or back office, less the member's orientation";
    benefit_out_of_hospital, "utility", 1.0, [0.0, 5.0], SPEC, "system benefit of out of hospital care";
    majority_threshold, "share of budget", 0.5, [0.0, 1.0], SPEC, "support share that passes a proposal under majority rule";
    escalation_threshold, "share of budget", 0.5, [0.0, 1.0], SPEC, "support share at which a blocked proposal is escalated";
    resent_national, "resentment", 1.0, [0.0, 10.0], SPEC, "resentment of a member unblocked against by the national bodies";
    trust_penalty_national, "trust", 0.1, [0.0, 1.0], SPEC, "trust lost by a member unblocked against";
    resent_overruled, "resentment", 0.5, [0.0, 10.0], SPEC, "resentment of a member overruled by majority or lead";
    trust_penalty_overruled, "trust", 0.05, [0.0, 1.0], SPEC, "trust lost by an overruled member";
}
"implementation and learning" {
    success_intercept, "logit", 0.4, [-10.0, 10.0], SPEC, "log-odds of success of an average passed proposal";
    success_support, "logit", 2.0, [0.0, 20.0], SPEC, "success weight on support above one half";
    success_capacity, "logit", 2.0, [0.0, 20.0], SPEC, "success weight on capacity above one half";
    success_pace, "logit", 3.0, [0.0, 20.0], SPEC, "success penalty per unit of pace beyond readiness";
    capacity_funding, "ratio", 20.0, [0.0, 1000.0], SPEC, "capacity added per unit of transformation money relative to quarterly budget";
    trust_learning, "rate", 0.2, [0.0, 1.0], SPEC, "step of trust toward the outcome of a passed proposal";
    trust_drift, "rate", 0.05, [0.0, 1.0], SPEC, "step of an unaffected member's trust toward the collaboration rate";
    resent_decay, "ratio per quarter", 0.9, [0.0, 1.0], SPEC, "share of resentment kept each quarter";
    clarity_hazard, "probability per quarter", 0.01, [0.0, 1.0], SPEC, "chance an unsure organisation becomes clear";
    kappa_contact, "rate", 0.6, [0.0, 1.0], "calibrated (model spec 1.4): HFMA July 2017, relationships strong in 20% then half of bodies", "trust a collaborating member gains from joint working, times its footprint's collaboration rate, toward 1";
    turnover, "probability per quarter", 0.10, [0.0, 1.0], "assumption (model spec 1.4): NHS chief executives stay about three years; calibrated", "chance an organisation gets new leadership, redrawing its trust and clearing its resentment";
}
"realisation and drift" {
    fe_gain, "fraction of budget per unit", 0.2, [0.0, 10.0], SPEC, "providers' structural balance gain per unit of realised finance effect";
    sc_progress_gain, "per unit size", 10.0, [0.0, 100.0], SPEC, "social care progress per unit of realised integration";
    council_sc_balance_gain, "fraction of budget per unit", 0.5, [0.0, 10.0], SPEC, "councils' structural balance gain per unit of realised integration";
    drift_hw, "per quarter", 0.001, [0.0, 0.1], SPEC, "health and wellbeing gap growth";
    drift_cq, "per quarter", 0.001, [0.0, 0.1], SPEC, "care and quality gap growth";
    drift_fe, "per quarter", 0.002, [0.0, 0.1], SPEC, "finance and efficiency gap growth";
    gap_cap, "gap", 2.0, [1.0, 10.0], SPEC, "largest value a gap can reach";
    balance_drift_acute, "fraction of budget per quarter", -0.001, [-0.1, 0.1], SPEC, "acute trusts' structural balance drift";
    balance_drift_council, "fraction of budget per quarter", -0.001, [-0.1, 0.1], SPEC, "councils' structural balance drift";
    balance_drift_other, "fraction of budget per quarter", -0.0005, [-0.1, 0.1], SPEC, "other organisations' structural balance drift";
    sc_pressure, "ratio", 0.02, [0.0, 1.0], SPEC, "acute balance lost per unit of councils' mean deficit, scaled by social care not yet integrated";
}
"accountable care" {
    acs_threshold, "collaboration rate", 0.6, [0.0, 1.0], SPEC, "default averaged collaboration rate that makes an ACS";
    acs_quarters, "quarters", 4.0, [1.0, 40.0], SPEC, "default quarters averaged for an ACS";
    acs_authority, "authority", 0.6, [0.0, 1.0], SPEC, "least authority of an ACS lead";
}
"national" {
    conditionality, "share", 0.25, [0.0, 1.0], "assumption: about a sixth of the 2016/17 fund withheld (seed 004; data/README.md)", "share of sustainability funding withheld after self-prioritising; weight of collaboration in transformation funding";
    intervention, "probability", 0.0, [0.0, 1.0], "assumption: delivery plan, March 2017 (seed 001)", "chance an escalated blocked proposal is unblocked nationally";
    support_margin, "fraction of budget per year", 0.006, [0.0, 0.1], "assumption (model spec 1.4): control totals just above break-even; calibrated to HFMA Dec 2016, 52% of trusts forecast a deficit", "surplus above break-even that sustainability money pays a provider toward";
    initial_collab_rate, "rate", 0.5, [0.0, 1.0], SPEC, "collaboration rate and council engagement counted before the first quarter";
    stf_2016_total, "GBP bn", 2.1, [0.0, 100.0], "published: STF 2016/17 (data/README.md)", "Sustainability and Transformation Fund 2016/17";
    stf_2016_share, "share", 0.14, [0.0, 1.0], "published: GBP 1.8bn of 2.1bn sustainability (data/README.md)", "transformation share 2016/17";
    stf_2017_total, "GBP bn", 2.9, [0.0, 100.0], "published: STF 2017/18 (data/README.md)", "fund 2017/18";
    stf_2017_share, "share", 0.38, [0.0, 1.0], "published: GBP 1.8bn of 2.9bn sustainability (data/README.md)", "transformation share 2017/18";
    stf_2018_total, "GBP bn", 3.0, [0.0, 100.0], A, "fund 2018/19";
    stf_2018_share, "share", 0.40, [0.0, 1.0], A, "transformation share 2018/19";
    stf_2019_total, "GBP bn", 3.2, [0.0, 100.0], A, "fund 2019/20";
    stf_2019_share, "share", 0.45, [0.0, 1.0], A, "transformation share 2019/20";
    stf_2020_total, "GBP bn", 3.4, [0.0, 100.0], "published: GBP 3.4bn by 2020/21 (seed 004)", "fund 2020/21";
    stf_2020_share, "share", 0.50, [0.0, 1.0], A, "transformation share 2020/21";
}
"footprints" {
    authority0, "authority", 0.2, [0.0, 1.0], "assumption: a convenor without decision rights (seed 004)", "initial authority of a lead";
    legitimacy0, "legitimacy", 0.5, [0.0, 1.0], SPEC, "initial legitimacy of a lead";
    formal_bonus, "legitimacy", 0.2, [0.0, 1.0], "assumption: formal appointment with national ratification (seed 000, 001)", "legitimacy added by a formal appointment";
    council_seats0, "share of seats", 0.10, [0.0, 1.0], "assumption: councils sidelined (seed 002)", "councils' initial share of board seats";
    readiness_a, "shape", 2.0, [0.01, 100.0], SPEC, "readiness Beta first shape";
    readiness_b, "shape", 5.0, [0.01, 100.0], SPEC, "readiness Beta second shape";
    lead_share_trust, "probability", 0.45, [0.0, 1.0], "STP leads 2016: 18 of 41 provider chiefs (data/README.md)", "chance a drawn lead is a trust";
    lead_share_ccg, "probability", 0.45, [0.0, 1.0], "STP leads 2016: 18 of 41 CCG leaders (data/README.md)", "chance a drawn lead is a CCG";
    lead_share_council, "probability", 0.10, [0.0, 1.0], "STP leads 2016: four council officials (seed 002)", "chance a drawn lead is a council";
    england_extra_council_leads, "count", 1.0, [0.0, 41.0], "seed 002: four council-led STPs, three known (data/README.md)", "council-led England footprints drawn each replicate beside the three known";
}
"organisations" {
    budget_median_acute, "GBP m per year", 350.0, [0.1, 100000.0], A, "median acute trust budget";
    budget_median_mental_health, "GBP m per year", 200.0, [0.1, 100000.0], A, "median mental health trust budget";
    budget_median_community, "GBP m per year", 120.0, [0.1, 100000.0], A, "median community trust budget";
    budget_median_ambulance, "GBP m per year", 250.0, [0.1, 100000.0], A, "median ambulance trust budget";
    budget_median_ccg, "GBP m per year", 400.0, [0.1, 100000.0], A, "median CCG budget (synthetic and file structures)";
    budget_median_council, "GBP m per year", 120.0, [0.1, 100000.0], A, "median council adult social care budget (synthetic and file structures)";
    budget_median_primary_care, "GBP m per year", 30.0, [0.1, 100000.0], A, "median primary care federation budget";
    budget_sigma, "log units", 0.4, [0.0, 3.0], A, "spread of budgets";
    structural_mean_acute, "fraction of budget", -0.04, [-1.0, 1.0], "assumption (model spec 1.4, was -0.035): provider deficit GBP 2.45bn in 2015/16 (data/README.md); calibrated", "mean underlying balance of acute trusts";
    structural_sd_acute, "fraction of budget", 0.03, [0.0, 1.0], A, "spread of acute trusts' underlying balance";
    structural_mean_mental_health, "fraction of budget", -0.005, [-1.0, 1.0], A, "mean underlying balance of mental health trusts";
    structural_sd_mental_health, "fraction of budget", 0.015, [0.0, 1.0], A, "spread of mental health trusts' underlying balance";
    structural_mean_community, "fraction of budget", -0.01, [-1.0, 1.0], A, "mean underlying balance of community trusts";
    structural_sd_community, "fraction of budget", 0.015, [0.0, 1.0], A, "spread of community trusts' underlying balance";
    structural_mean_ambulance, "fraction of budget", -0.01, [-1.0, 1.0], A, "mean underlying balance of ambulance trusts";
    structural_sd_ambulance, "fraction of budget", 0.015, [0.0, 1.0], A, "spread of ambulance trusts' underlying balance";
    structural_mean_ccg, "fraction of budget", 0.0, [-1.0, 1.0], A, "mean underlying balance of CCGs";
    structural_sd_ccg, "fraction of budget", 0.01, [0.0, 1.0], A, "spread of CCGs' underlying balance";
    structural_mean_council, "fraction of budget", -0.02, [-1.0, 1.0], A, "mean underlying balance of councils' adult social care";
    structural_sd_council, "fraction of budget", 0.015, [0.0, 1.0], A, "spread of councils' underlying balance";
    structural_mean_primary_care, "fraction of budget", 0.0, [-1.0, 1.0], A, "mean underlying balance of primary care";
    structural_sd_primary_care, "fraction of budget", 0.01, [0.0, 1.0], A, "spread of primary care's underlying balance";
    loyalty_mean_acute, "weight", 0.60, [0.01, 0.99], A, "mean loyalty of acute trusts";
    loyalty_mean_mental_health, "weight", 0.50, [0.01, 0.99], A, "mean loyalty of mental health trusts";
    loyalty_mean_community, "weight", 0.45, [0.01, 0.99], A, "mean loyalty of community trusts";
    loyalty_mean_ambulance, "weight", 0.50, [0.01, 0.99], A, "mean loyalty of ambulance trusts";
    loyalty_mean_ccg, "weight", 0.50, [0.01, 0.99], A, "mean loyalty of CCGs";
    loyalty_mean_council, "weight", 0.55, [0.01, 0.99], A, "mean loyalty of councils";
    loyalty_mean_primary_care, "weight", 0.50, [0.01, 0.99], A, "mean loyalty of primary care";
    loyalty_concentration, "a+b", 10.0, [0.1, 1000.0], A, "concentration of the loyalty Beta";
    orientation_acute, "weight", 0.2, [0.0, 1.0], A, "acute trusts' weight on social care and prevention";
    orientation_mental_health, "weight", 0.5, [0.0, 1.0], A, "mental health trusts' weight on social care and prevention";
    orientation_community, "weight", 0.6, [0.0, 1.0], A, "community trusts' weight on social care and prevention";
    orientation_ambulance, "weight", 0.3, [0.0, 1.0], A, "ambulance trusts' weight on social care and prevention";
    orientation_ccg, "weight", 0.5, [0.0, 1.0], A, "CCGs' weight on social care and prevention";
    orientation_council, "weight", 0.9, [0.0, 1.0], A, "councils' weight on social care and prevention";
    orientation_primary_care, "weight", 0.6, [0.0, 1.0], A, "primary care's weight on social care and prevention";
    trust_noise, "trust", 0.1, [0.0, 1.0], A, "spread of initial trust around the footprint's readiness";
    p_unsure0, "probability", 0.7495, [0.0, 1.0], "calibrated: HFMA survey 2016, 72% unsure at 2016Q4 (seed 000)", "chance an organisation starts unsure of accountability";
}
"england structure" {
    england_ccgs, "count", 209.0, [44.0, 10000.0], "published: 209 CCGs, 2016/17 (data/README.md)", "CCGs shared out by population";
    england_councils, "count", 152.0, [44.0, 10000.0], "published: 152 councils with social care duties (data/README.md)", "councils shared out by population";
    england_mental_health_trusts, "count", 54.0, [44.0, 10000.0], "published: about 54 mental health trusts (data/README.md)", "mental health trusts shared out by population";
    england_community_trusts, "count", 17.0, [0.0, 10000.0], "published: about 17 community trusts (data/README.md)", "community trusts shared out by population";
    england_ambulance_trusts, "count", 10.0, [1.0, 100.0], "published: 10 ambulance trusts (data/README.md)", "ambulance trusts whose budgets the footprints' ambulance members share";
    ccg_gbp_per_resident, "GBP per resident per year", 1330.0, [0.0, 100000.0], A, "CCG allocation per resident";
    council_gbp_per_resident, "GBP per resident per year", 270.0, [0.0, 100000.0], A, "adult social care spend per resident";
    budget_sigma_within, "log units", 0.2, [0.0, 3.0], A, "spread of budgets between CCGs or councils of a footprint";
    residents_per_primary_care, "residents", 500000.0, [1000.0, 100000000.0], A, "residents per primary care federation";
}
"synthetic structure" {
    synthetic_ccg_extra, "mean count", 3.75, [0.0, 1000.0], A, "Poisson mean of CCGs beyond the first";
    synthetic_acute_extra, "mean count", 2.1, [0.0, 1000.0], A, "Poisson mean of acute trusts beyond the first";
    synthetic_community, "mean count", 0.4, [0.0, 1000.0], A, "Poisson mean of community trusts";
    synthetic_council_extra, "mean count", 2.45, [0.0, 1000.0], A, "Poisson mean of councils beyond the first";
    synthetic_primary_care_extra, "mean count", 1.5, [0.0, 1000.0], A, "Poisson mean of primary care federations beyond the first";
}
}

impl Params {
    pub fn def(name: &str) -> Option<&'static ParamDef> {
        DICTIONARY.iter().find(|d| d.name == name)
    }

    pub fn budget_median(&self, k: Kind) -> f64 {
        match k {
            Kind::Acute => self.budget_median_acute,
            Kind::MentalHealth => self.budget_median_mental_health,
            Kind::Community => self.budget_median_community,
            Kind::Ambulance => self.budget_median_ambulance,
            Kind::Ccg => self.budget_median_ccg,
            Kind::Council => self.budget_median_council,
            Kind::PrimaryCare => self.budget_median_primary_care,
        }
    }

    /// (mean, sd) of the structural balance.
    pub fn structural(&self, k: Kind) -> (f64, f64) {
        match k {
            Kind::Acute => (self.structural_mean_acute, self.structural_sd_acute),
            Kind::MentalHealth => (self.structural_mean_mental_health, self.structural_sd_mental_health),
            Kind::Community => (self.structural_mean_community, self.structural_sd_community),
            Kind::Ambulance => (self.structural_mean_ambulance, self.structural_sd_ambulance),
            Kind::Ccg => (self.structural_mean_ccg, self.structural_sd_ccg),
            Kind::Council => (self.structural_mean_council, self.structural_sd_council),
            Kind::PrimaryCare => (self.structural_mean_primary_care, self.structural_sd_primary_care),
        }
    }

    pub fn loyalty_mean(&self, k: Kind) -> f64 {
        match k {
            Kind::Acute => self.loyalty_mean_acute,
            Kind::MentalHealth => self.loyalty_mean_mental_health,
            Kind::Community => self.loyalty_mean_community,
            Kind::Ambulance => self.loyalty_mean_ambulance,
            Kind::Ccg => self.loyalty_mean_ccg,
            Kind::Council => self.loyalty_mean_council,
            Kind::PrimaryCare => self.loyalty_mean_primary_care,
        }
    }

    pub fn orientation(&self, k: Kind) -> f64 {
        match k {
            Kind::Acute => self.orientation_acute,
            Kind::MentalHealth => self.orientation_mental_health,
            Kind::Community => self.orientation_community,
            Kind::Ambulance => self.orientation_ambulance,
            Kind::Ccg => self.orientation_ccg,
            Kind::Council => self.orientation_council,
            Kind::PrimaryCare => self.orientation_primary_care,
        }
    }

    pub fn balance_drift(&self, k: Kind) -> f64 {
        match k {
            Kind::Acute => self.balance_drift_acute,
            Kind::Council => self.balance_drift_council,
            _ => self.balance_drift_other,
        }
    }

    /// A kind's agenda preferences over the proposal types, in `ProposalType::ALL` order.
    pub fn agenda(&self, k: Kind) -> [f64; 5] {
        match k {
            Kind::Acute => [
                self.agenda_acute_reconfiguration,
                self.agenda_acute_out_of_hospital,
                self.agenda_acute_prevention,
                self.agenda_acute_social_care,
                self.agenda_acute_back_office,
            ],
            Kind::MentalHealth => [
                self.agenda_mental_health_reconfiguration,
                self.agenda_mental_health_out_of_hospital,
                self.agenda_mental_health_prevention,
                self.agenda_mental_health_social_care,
                self.agenda_mental_health_back_office,
            ],
            Kind::Community => [
                self.agenda_community_reconfiguration,
                self.agenda_community_out_of_hospital,
                self.agenda_community_prevention,
                self.agenda_community_social_care,
                self.agenda_community_back_office,
            ],
            Kind::Ambulance => [
                self.agenda_ambulance_reconfiguration,
                self.agenda_ambulance_out_of_hospital,
                self.agenda_ambulance_prevention,
                self.agenda_ambulance_social_care,
                self.agenda_ambulance_back_office,
            ],
            Kind::Ccg => [
                self.agenda_ccg_reconfiguration,
                self.agenda_ccg_out_of_hospital,
                self.agenda_ccg_prevention,
                self.agenda_ccg_social_care,
                self.agenda_ccg_back_office,
            ],
            Kind::Council => [
                self.agenda_council_reconfiguration,
                self.agenda_council_out_of_hospital,
                self.agenda_council_prevention,
                self.agenda_council_social_care,
                self.agenda_council_back_office,
            ],
            Kind::PrimaryCare => [
                self.agenda_primary_care_reconfiguration,
                self.agenda_primary_care_out_of_hospital,
                self.agenda_primary_care_prevention,
                self.agenda_primary_care_social_care,
                self.agenda_primary_care_back_office,
            ],
        }
    }

    /// (HW, CQ, FE) impact per unit size of a proposal type.
    pub fn impact(&self, t: ProposalType) -> [f64; 3] {
        match t {
            ProposalType::Reconfiguration => {
                [self.impact_reconfiguration_hw, self.impact_reconfiguration_cq, self.impact_reconfiguration_fe]
            }
            ProposalType::OutOfHospital => {
                [self.impact_out_of_hospital_hw, self.impact_out_of_hospital_cq, self.impact_out_of_hospital_fe]
            }
            ProposalType::Prevention => {
                [self.impact_prevention_hw, self.impact_prevention_cq, self.impact_prevention_fe]
            }
            ProposalType::SocialCare => {
                [self.impact_social_care_hw, self.impact_social_care_cq, self.impact_social_care_fe]
            }
            ProposalType::BackOffice => {
                [self.impact_back_office_hw, self.impact_back_office_cq, self.impact_back_office_fe]
            }
        }
    }

    pub fn lag(&self, t: ProposalType) -> usize {
        let q = match t {
            ProposalType::Reconfiguration => self.lag_reconfiguration,
            ProposalType::OutOfHospital => self.lag_out_of_hospital,
            ProposalType::Prevention => self.lag_prevention,
            ProposalType::SocialCare => self.lag_social_care,
            ProposalType::BackOffice => self.lag_back_office,
        };
        q as usize
    }

    /// Fund total (GBP bn) and transformation share by financial year, as the
    /// default schedule.
    pub fn fund_schedule(&self) -> Vec<FundYear> {
        vec![
            FundYear { start_year: 2016, total_gbp_bn: self.stf_2016_total, transformation_share: self.stf_2016_share },
            FundYear { start_year: 2017, total_gbp_bn: self.stf_2017_total, transformation_share: self.stf_2017_share },
            FundYear { start_year: 2018, total_gbp_bn: self.stf_2018_total, transformation_share: self.stf_2018_share },
            FundYear { start_year: 2019, total_gbp_bn: self.stf_2019_total, transformation_share: self.stf_2019_share },
            FundYear { start_year: 2020, total_gbp_bn: self.stf_2020_total, transformation_share: self.stf_2020_share },
        ]
    }

    /// Checks relations between parameters that single ranges cannot express.
    pub fn cross_check(&self) -> Result<(), (String, String)> {
        for k in Kind::ALL {
            if self.agenda(k).iter().sum::<f64>() <= 0.0 {
                return Err((
                    format!("agenda_{}_*", k.param_suffix()),
                    "at least one agenda weight of each kind above 0".into(),
                ));
            }
        }
        if self.loser_effect_min > self.loser_effect_max {
            return Err(("loser_effect_min".into(), "at most loser_effect_max".into()));
        }
        if self.winner_effect_min > self.winner_effect_max {
            return Err(("winner_effect_min".into(), "at most winner_effect_max".into()));
        }
        if self.lead_share_trust + self.lead_share_ccg + self.lead_share_council <= 0.0 {
            return Err(("lead_share_trust".into(), "lead shares that sum above 0".into()));
        }
        Ok(())
    }
}

/// One financial year of the Sustainability and Transformation Fund.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FundYear {
    /// Calendar year in which the financial year starts (April).
    pub start_year: i32,
    pub total_gbp_bn: f64,
    pub transformation_share: f64,
}

/// The dictionary as a Markdown table (docs/parameters.md).
pub fn markdown() -> String {
    let mut s = String::from(
        "# Parameters\n\nGenerated by `stpsim params --markdown`; a test fails when this file and the \
         dictionary disagree. Every parameter can be set in a scenario's `[params]` table.\n",
    );
    let mut group = "";
    for d in DICTIONARY {
        if d.group != group {
            group = d.group;
            s.push_str(&format!(
                "\n## {group}\n\n| name | unit | default | range | source | meaning |\n|---|---|---|---|---|---|\n"
            ));
        }
        s.push_str(&format!(
            "| `{}` | {} | {} | {} to {} | {} | {} |\n",
            d.name, d.unit, d.default, d.min, d.max, d.source, d.description
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_in_its_range_and_names_are_unique() {
        let mut names = std::collections::BTreeSet::new();
        for d in DICTIONARY {
            assert!(d.accepts(d.default), "{} default {} outside its range", d.name, d.default);
            assert!(names.insert(d.name), "duplicate parameter {}", d.name);
            assert!(!d.source.is_empty() && !d.description.is_empty(), "{} lacks a source", d.name);
        }
        Params::default().cross_check().unwrap();
    }

    #[test]
    fn get_and_set_reach_every_entry() {
        let mut p = Params::default();
        for d in DICTIONARY {
            assert_eq!(p.get(d.name), Some(d.default));
            assert!(p.set(d.name, d.min));
            assert_eq!(p.get(d.name), Some(d.min));
        }
        assert!(!p.set("no_such_parameter", 1.0));
    }

    #[test]
    fn spec_names_are_present() {
        for n in [
            "beta0",
            "b_trust",
            "b_peer",
            "b_lead",
            "b_fund",
            "b_coerce",
            "b_acs",
            "b_loyalty",
            "b_deficit",
            "b_unsure",
            "b_resent",
            "p_unsure0",
            "clarity_hazard",
            "conditionality",
            "intervention",
        ] {
            assert!(Params::def(n).is_some(), "{n} missing");
        }
    }
}
