//! Kinds of organisation and types of proposal.

use serde::{Deserialize, Serialize};

/// Number of organisation kinds.
pub const N_KINDS: usize = 7;
/// Number of proposal types (the agenda's length).
pub const N_PROPOSAL_TYPES: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Acute,
    MentalHealth,
    Community,
    Ambulance,
    Ccg,
    Council,
    PrimaryCare,
}

impl Kind {
    pub const ALL: [Kind; N_KINDS] = [
        Kind::Acute,
        Kind::MentalHealth,
        Kind::Community,
        Kind::Ambulance,
        Kind::Ccg,
        Kind::Council,
        Kind::PrimaryCare,
    ];

    /// The four trust kinds.
    pub fn is_provider(self) -> bool {
        matches!(self, Kind::Acute | Kind::MentalHealth | Kind::Community | Kind::Ambulance)
    }

    /// Trusts and CCGs: the bodies the HFMA survey asked.
    pub fn is_nhs(self) -> bool {
        self.is_provider() || self == Kind::Ccg
    }

    /// Name in structure files.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Acute => "acute_trust",
            Kind::MentalHealth => "mental_health_trust",
            Kind::Community => "community_trust",
            Kind::Ambulance => "ambulance_trust",
            Kind::Ccg => "ccg",
            Kind::Council => "council",
            Kind::PrimaryCare => "primary_care",
        }
    }

    /// Suffix of this kind's parameters in the dictionary.
    pub fn param_suffix(self) -> &'static str {
        match self {
            Kind::Acute => "acute",
            Kind::MentalHealth => "mental_health",
            Kind::Community => "community",
            Kind::Ambulance => "ambulance",
            Kind::Ccg => "ccg",
            Kind::Council => "council",
            Kind::PrimaryCare => "primary_care",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalType {
    Reconfiguration,
    OutOfHospital,
    Prevention,
    SocialCare,
    BackOffice,
}

impl ProposalType {
    pub const ALL: [ProposalType; N_PROPOSAL_TYPES] = [
        ProposalType::Reconfiguration,
        ProposalType::OutOfHospital,
        ProposalType::Prevention,
        ProposalType::SocialCare,
        ProposalType::BackOffice,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// Prevention and social care integration: the "social care" share of an agenda.
    pub fn is_social(self) -> bool {
        matches!(self, ProposalType::Prevention | ProposalType::SocialCare)
    }
}
