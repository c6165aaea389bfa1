//! The lever kinds as the page's controls need them: each field with its
//! kind of control, range and starting value.
//!
//! Scenario validation in `scenario::resolve` is what accepts or refuses a
//! value; this table only lets the page draw a control in range. When the
//! library declares each lever once, this table is read from there.

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct FieldDecl {
    pub name: &'static str,
    /// "number", "whole", "switch" or "years".
    pub control: &'static str,
    pub min: f64,
    pub max: f64,
    /// The value a new lever starts with (None: the scenario's parameter applies).
    pub start_value: Option<serde_json::Value>,
    pub required: bool,
    pub doc: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct LeverDecl {
    pub kind: &'static str,
    pub label: &'static str,
    pub national: bool,
    pub fields: Vec<FieldDecl>,
}

fn number(name: &'static str, max: f64, start: f64, doc: &'static str) -> FieldDecl {
    FieldDecl { name, control: "number", min: 0.0, max, start_value: Some(start.into()), required: true, doc }
}

fn switch(name: &'static str, start: bool, doc: &'static str) -> FieldDecl {
    FieldDecl { name, control: "switch", min: 0.0, max: 1.0, start_value: Some(start.into()), required: false, doc }
}

pub fn declarations() -> Vec<LeverDecl> {
    use stpsim::model::levers::LeverAction;
    LeverAction::KINDS
        .iter()
        .map(|&kind| {
            let fields = match kind {
                "strengthen_leads" => vec![
                    number("authority", 1.0, 0.5, "the lead's authority to decide for the footprint"),
                    switch("decision_rights", true, "the lead may decide when members disagree"),
                    switch("formal_appointment", false, "a formal appointment adds the formal_bonus parameter"),
                ],
                "funding_conditionality" => {
                    vec![number("share", 1.0, 0.5, "share of sustainability funding withheld from self-prioritisers")]
                }
                "national_intervention" => {
                    vec![number("probability", 1.0, 0.3, "chance the national bodies unblock an escalated proposal")]
                }
                "include_local_government" => {
                    vec![number("council_seats", 1.0, 0.2, "councils' share of the board's weight")]
                }
                "accountability_clarity" => {
                    vec![number("hazard", 1.0, 0.1, "quarterly chance an unsure body becomes sure")]
                }
                "force_pace" => vec![number("pace", 2.0, 1.5, "pace of proposals relative to the default")],
                "accountable_care" => vec![
                    FieldDecl {
                        name: "threshold",
                        control: "number",
                        min: 0.0,
                        max: 1.0,
                        start_value: None,
                        required: false,
                        doc: "collaboration needed to become an accountable care system (default: acs_threshold)",
                    },
                    FieldDecl {
                        name: "quarters",
                        control: "whole",
                        min: 1.0,
                        max: 40.0,
                        start_value: None,
                        required: false,
                        doc: "quarters of collaboration above the threshold (default: acs_quarters)",
                    },
                ],
                "stf_schedule" => vec![FieldDecl {
                    name: "years",
                    control: "years",
                    min: 0.0,
                    max: 100.0,
                    start_value: Some(years(&stpsim::params::Params::default().stf_schedule())),
                    required: true,
                    doc: "the fund by financial year: total in GBP bn and the share for transformation",
                }],
                _ => Vec::new(),
            };
            let national = matches!(
                kind,
                "funding_conditionality" | "national_intervention" | "accountability_clarity" | "stf_schedule"
            );
            LeverDecl { kind, label: stpsim::plot::style::lever_label(kind), national, fields }
        })
        .collect()
}

/// A fund schedule as scenario files write it.
pub fn years(ys: &[stpsim::params::FundYear]) -> serde_json::Value {
    ys.iter()
        .map(|y| {
            serde_json::json!({
                "year": format!("{}/{:02}", y.start_year, (y.start_year + 1).rem_euclid(100)),
                "total_gbp_bn": y.total_gbp_bn,
                "transformation_share": y.transformation_share,
            })
        })
        .collect()
}
